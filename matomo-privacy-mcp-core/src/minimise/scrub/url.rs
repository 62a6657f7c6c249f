//! Scrubbing URLs and URL-like labels: no fragment, only allowed query parameters, masked path segments.

use std::collections::BTreeSet;

/// The parts of a URL or path label, split without normalising anything else.
pub(super) struct UrlParts<'a> {
    /// The scheme and host (without user info), or `None` for a path label.
    pub(super) origin: Option<(&'a str, &'a str)>,
    /// Everything before the query: the path, or the whole label when there is no origin.
    pub(super) path: &'a str,
    /// What stands before the query string when the origin is not used.
    pub(super) before_query: &'a str,
    pub(super) query: Option<&'a str>,
}

/// Splits `input` into origin, path and query; the fragment is dropped here.
pub(super) fn split(input: &str) -> UrlParts<'_> {
    let without_fragment = input.split_once('#').map_or(input, |(before, _)| before);
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (without_fragment, None),
    };
    let (origin, path) = match before_query.split_once("://") {
        Some((scheme, rest)) if is_scheme(scheme) => {
            let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
            // User info (`user:password@`) is dropped: it is a credential, never a label.
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            (Some((scheme, host)), path)
        }
        _ => (None, before_query),
    };
    UrlParts {
        origin,
        path,
        before_query,
        query,
    }
}

fn is_scheme(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && s.as_bytes()[0].is_ascii_alphabetic()
}

/// Keeps only the `key=value` pairs whose key is allowed, in their original order.
pub(super) fn allowed_pairs<'a>(
    query: &'a str,
    allowed: &BTreeSet<String>,
) -> impl Iterator<Item = (&'a str, Option<&'a str>)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (pair, None),
        })
        .filter(move |(key, _)| allowed.contains(*key))
}
