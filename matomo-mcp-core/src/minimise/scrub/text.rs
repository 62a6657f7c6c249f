//! Masking identifiers in free text: labels, titles, keywords, event names.

use regex::{Regex, RegexSet};

use super::patterns::Pattern;

/// Replaces every match of `patterns` in `text` outside placeholders, until nothing changes.
///
/// Placeholders (`[email]`, and those of earlier patterns in the same pass) are
/// never rewritten, and running to a fixpoint makes the result idempotent even
/// when a replacement brings two pieces of text together that form a new match.
pub(super) fn mask(
    text: &str,
    patterns: &[Pattern],
    any: &RegexSet,
    placeholder: &Regex,
) -> String {
    let mut current = text.to_owned();
    // Built-in patterns converge in one or two passes; the bound protects against
    // operator patterns that could keep matching what they produce.
    for _ in 0..8 {
        // One scan over the text finds the patterns that can match at all; most labels
        // hold no identifier and skip every replacement. A pass that changes nothing
        // leaves the text as it was for every later pattern too, so it is a fixpoint.
        let candidates = any.matches(&current);
        if !candidates.matched_any() {
            break;
        }
        let mut changed = false;
        for index in candidates.iter() {
            let pattern = &patterns[index];
            let next = outside_placeholders(&current, placeholder, |plain| apply(plain, pattern));
            if next != current {
                current = next;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    current
}

fn outside_placeholders(
    text: &str,
    placeholder: &Regex,
    mut f: impl FnMut(&str) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for existing in placeholder.find_iter(text) {
        out.push_str(&f(&text[last..existing.start()]));
        out.push_str(existing.as_str());
        last = existing.end();
    }
    out.push_str(&f(&text[last..]));
    out
}

fn apply(text: &str, pattern: &Pattern) -> String {
    pattern
        .regex
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let matched = caps.get(0).map_or("", |m| m.as_str());
            if pattern.accepts(matched) {
                pattern.placeholder.clone()
            } else {
                matched.to_owned()
            }
        })
        .into_owned()
}
