//! Masking identifiers in free text: labels, titles, keywords, event names.

use regex::Regex;

use super::patterns::Pattern;

/// Replaces every match of `patterns` in `text` outside placeholders, until nothing changes.
///
/// Placeholders (`[email]`, and those of earlier patterns in the same pass) are
/// never rewritten, and running to a fixpoint makes the result idempotent even
/// when a replacement brings two pieces of text together that form a new match.
pub(super) fn mask(text: &str, patterns: &[Pattern], placeholder: &Regex) -> String {
    let mut current = text.to_owned();
    // Built-in patterns converge in one or two passes; the bound protects against
    // operator patterns that could keep matching what they produce.
    for _ in 0..8 {
        let next = patterns.iter().fold(current.clone(), |text, pattern| {
            outside_placeholders(&text, placeholder, |plain| apply(plain, pattern))
        });
        if next == current {
            break;
        }
        current = next;
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
