//! The recorded requests of the fixture set: each `<name>.request.txt` beside Matomo 5.0.2's
//! answer `<name>.json` says what was asked and how Matomo answered, for tests that replay them.

use crate::realistic::form_encode;

/// One recorded request to Matomo and the status and kind of its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The request's query string, without `?` (empty where every parameter was in the body).
    pub query: String,
    /// The form body, encoded, token placeholders as recorded.
    pub body: String,
    /// The HTTP status Matomo answered with.
    pub status: u16,
    /// Whether Matomo answered with an HTML page instead of JSON.
    pub html: bool,
}

impl Recording {
    /// Reads the text of a `.request.txt`; `None` where it names no HTTP status.
    pub fn parse(text: &str) -> Option<Self> {
        let query = text
            .lines()
            .next()
            .and_then(|first| first.split_once('?'))
            .map(|(_, q)| q.to_owned())
            .unwrap_or_default();
        // Older recordings list the encoded body; later ones only the decoded form fields.
        let body = match text.lines().skip_while(|l| *l != "# encoded body").nth(1) {
            Some(encoded) => encoded.to_owned(),
            None => form_encode(
                &text
                    .lines()
                    .skip_while(|l| !l.starts_with("# POST form parameters"))
                    .skip(1)
                    .take_while(|l| !l.is_empty())
                    .filter_map(|l| l.split_once('='))
                    .collect::<Vec<_>>(),
            ),
        };
        let status = text
            .lines()
            .find_map(|l| l.strip_prefix("HTTP status: "))?
            .trim()
            .parse()
            .ok()?;
        let html = text
            .lines()
            .any(|l| l.starts_with("Content-Type: text/html"));
        Some(Self {
            query,
            body,
            status,
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_request_and_the_answer_it_got() {
        let text = "POST http://127.0.0.1:8089/index.php?module=API&x=1\n\
                    # POST form parameters (token_auth redacted)\nmethod=A.b\ntoken_auth=<T>\n\n\
                    HTTP status: 400\nContent-Type: text/html; charset=utf-8\n";
        let recording = Recording::parse(text).unwrap();
        assert_eq!(recording.query, "module=API&x=1");
        assert_eq!(recording.status, 400);
        assert!(recording.html);
        assert_eq!(recording.body, "method=A.b&token_auth=%3CT%3E");
    }
}
