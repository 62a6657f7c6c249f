//! Masking identifiers in free text: labels, titles, keywords, event names.

use std::borrow::Cow;

use regex::{Regex, RegexSet};

use super::patterns::{Pattern, has_random_run};

/// The compiled patterns and what finds quickly which of them can match a text.
pub(super) struct Masker {
    pub(super) patterns: Vec<Pattern>,
    /// The patterns that are not `random_only`, all at once, to skip text none of them can match.
    /// The random-only rule matches most long paths and slugs (only to let them go again), so it
    /// is left out of the set and checked by the much cheaper [`has_random_run`].
    any: RegexSet,
    /// For each regex of `any`, its index in `patterns`.
    any_members: Vec<usize>,
    /// The indices of the random-only patterns.
    random_only: Vec<usize>,
    placeholder: Regex,
}

impl Masker {
    /// Builds the set of patterns that are not random-only; `Err` is the regex error text.
    pub(super) fn new(patterns: Vec<Pattern>, placeholder: Regex) -> Result<Self, String> {
        let (random_only, any_members): (Vec<usize>, Vec<usize>) =
            (0..patterns.len()).partition(|&i| patterns[i].random_only);
        let any = RegexSet::new(any_members.iter().map(|&i| patterns[i].regex.as_str()))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            patterns,
            any,
            any_members,
            random_only,
            placeholder,
        })
    }

    /// Replaces every match of the patterns in `text` outside placeholders, until nothing changes.
    ///
    /// Placeholders (`[email]`, and those of earlier patterns in the same pass) are
    /// never rewritten, and running to a fixpoint makes the result idempotent even
    /// when a replacement brings two pieces of text together that form a new match.
    /// Text with nothing to mask is returned as it was, without a copy.
    pub(super) fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut current = Cow::Borrowed(text);
        // Built-in patterns converge in one or two passes; the bound protects against
        // operator patterns that could keep matching what they produce.
        for _ in 0..8 {
            // One scan over the text finds the patterns that can match at all; most labels
            // hold no identifier and skip every replacement. A pass that changes nothing
            // leaves the text as it was for every later pattern too, so it is a fixpoint.
            let candidates = self.candidates(&current);
            if candidates.is_empty() {
                break;
            }
            let mut changed = false;
            for index in candidates {
                let pattern = &self.patterns[index];
                if let Some(next) = self.outside_placeholders(&current, pattern) {
                    current = Cow::Owned(next);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        current
    }

    /// The indices of the patterns that may match `text`, in pattern order.
    fn candidates(&self, text: &str) -> Vec<usize> {
        // Most text matches none of the patterns, and a plain search says so faster than
        // the overlapping search that tells which ones match.
        let mut candidates: Vec<usize> = if self.any.is_match(text) {
            let set = self.any.matches(text);
            set.iter().map(|i| self.any_members[i]).collect()
        } else {
            Vec::new()
        };
        let random = !self.random_only.is_empty() && has_random_run(text);
        if random {
            candidates.extend_from_slice(&self.random_only);
            candidates.sort_unstable();
        }
        candidates
    }

    /// `pattern` applied to the text between placeholders, or `None` if that changes nothing.
    fn outside_placeholders(&self, text: &str, pattern: &Pattern) -> Option<String> {
        // Every placeholder starts with `[`: text without one is a single piece.
        if !text.contains('[') {
            return replace(text, pattern);
        }
        let mut out: Option<String> = None;
        let mut last = 0;
        let placeholders = self.placeholder.find_iter(text).map(|m| m.range());
        for range in placeholders.chain(std::iter::once(text.len()..text.len())) {
            let piece = &text[last..range.start];
            match (replace(piece, pattern), &mut out) {
                (Some(replaced), out) => {
                    let out = out.get_or_insert_with(|| {
                        let mut out = String::with_capacity(text.len() + 16);
                        out.push_str(&text[..last]);
                        out
                    });
                    out.push_str(&replaced);
                }
                (None, Some(out)) => out.push_str(piece),
                (None, None) => {}
            }
            if let Some(out) = &mut out {
                out.push_str(&text[range.clone()]);
            }
            last = range.end;
        }
        out
    }
}

/// `text` with the accepted matches of `pattern` replaced by its placeholder, or `None` if
/// there is none (the common case, which allocates nothing).
fn replace(text: &str, pattern: &Pattern) -> Option<String> {
    let mut out: Option<String> = None;
    let mut last = 0;
    for found in pattern.regex.find_iter(text) {
        let matched = found.as_str();
        // A match that is its own placeholder changes nothing; counting it as a change
        // would keep the fixpoint loop going.
        if !pattern.accepts(matched) || matched == pattern.placeholder {
            continue;
        }
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[last..found.start()]);
        out.push_str(&pattern.placeholder);
        last = found.end();
    }
    out.map(|mut out| {
        out.push_str(&text[last..]);
        out
    })
}
