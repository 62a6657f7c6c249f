//! Short, token-free excerpts of response bodies for error messages.

use super::token::{MatomoToken, REDACTED};

/// How many characters of a body an error message quotes.
const EXCERPT_CHARS: usize = 160;

/// The first characters of `body`, with the token and any `token_auth=…` value
/// removed and control characters flattened.
///
/// The token is scrubbed before truncation, so a token straddling the cut can
/// not leak a prefix.
pub(crate) fn body_excerpt(body: &[u8], token: &MatomoToken) -> String {
    let window = EXCERPT_CHARS * 4 + token.expose().len() * 3 + 64;
    let head = String::from_utf8_lossy(&body[..body.len().min(window)]);
    let cleaned = scrub_token_params(&token.scrub(&head));
    let flattened: String = cleaned
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    truncate_chars(&flattened, EXCERPT_CHARS)
}

/// The headline of an HTML error page (`<h2>`, else `<title>`), token-free.
pub(crate) fn html_excerpt(body: &[u8], token: &MatomoToken) -> String {
    let text = String::from_utf8_lossy(body);
    let headline = between(&text, "<h2>", "</h2>")
        .or_else(|| between(&text, "<title>", "</title>"))
        .map(strip_tags);
    match headline {
        Some(headline) => body_excerpt(headline.as_bytes(), token),
        None => body_excerpt(strip_tags(&text).as_bytes(), token),
    }
}

/// Replaces the value of every `token_auth=` in `text`, whoever's token it is.
pub(crate) fn scrub_token_params(text: &str) -> String {
    const KEY: &str = "token_auth=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_ascii_case_insensitive(rest, KEY) {
        let value_start = at + KEY.len();
        out.push_str(&rest[..value_start]);
        let value = &rest[value_start..];
        let end = value
            .find(|c: char| matches!(c, '&' | '"' | '\'' | '<' | '>' | '\\') || c.is_whitespace())
            .unwrap_or(value.len());
        if end > 0 {
            out.push_str(REDACTED);
        }
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = find_ascii_case_insensitive(text, open)? + open.len();
    let len = find_ascii_case_insensitive(&text[start..], close)?;
    Some(&text[start..start + len])
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::token::{TEST_SECRET, test_token};

    #[test]
    fn excerpt_scrubs_a_token_straddling_the_cut() {
        let mut body = "x".repeat(EXCERPT_CHARS - 5);
        body.push_str(&format!("{TEST_SECRET} and more"));
        let excerpt = body_excerpt(body.as_bytes(), &test_token());
        assert!(!excerpt.contains("01234"), "{excerpt}");
        assert!(excerpt.ends_with('…'));
    }

    #[test]
    fn excerpt_scrubs_foreign_token_params_and_flattens_lines() {
        let body = b"{\"imageGraphUrl\":\"index.php?token_auth=ffffeeee&x=1\"}\n\n  next";
        let excerpt = body_excerpt(body, &test_token());
        assert_eq!(
            excerpt,
            "{\"imageGraphUrl\":\"index.php?token_auth=<redacted>&x=1\"} next"
        );
    }

    #[test]
    fn html_excerpt_prefers_the_headline() {
        let page = b"<html><head><title>Matomo &rsaquo; Error</title></head><body><h2>Unable to authenticate.</h2></body></html>";
        assert_eq!(html_excerpt(page, &test_token()), "Unable to authenticate.");
        let page = b"<html><head><title>502 Bad Gateway</title></head></html>";
        assert_eq!(html_excerpt(page, &test_token()), "502 Bad Gateway");
    }
}
