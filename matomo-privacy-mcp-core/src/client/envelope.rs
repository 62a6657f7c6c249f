//! Reading Matomo's answer: JSON result, JSON error payload, HTML page or garbage.

use serde_json::Value;

use super::error::{ClientError, MatomoApiError, status_advice};
use super::excerpt::{body_excerpt, html_excerpt, scrub_token_params};
use super::token::MatomoToken;
use super::transport::RawResponse;

/// Turns a complete response into the JSON result or the matching error.
pub(crate) fn decode(
    method: &str,
    response: &RawResponse,
    token: &MatomoToken,
) -> Result<Value, ClientError> {
    let (status, body) = (response.status, response.body.as_slice());
    let success = (200..300).contains(&status);
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            if let Some(error) = api_error(&value, token) {
                return Err(ClientError::Api {
                    method: method.to_owned(),
                    status,
                    error,
                });
            }
            if !success {
                return Err(http_status(method, status, body, token));
            }
            Ok(value)
        }
        Err(err) => {
            if response.is_html || looks_like_html(body) {
                let advice = if success {
                    "the base URL serves a web page, not Matomo's API; check that it points at the Matomo root"
                } else if (status == 401 || status == 403) && !mentions_matomo(body) {
                    // Matomo's own HTML error page names it; a bare 403 page is nginx or a
                    // proxy refusing the path, and the token never reached Matomo.
                    "a web server or proxy refused the request with its own error page, before Matomo saw the token: check the path of the base URL (it must be the Matomo root, where index.php lives) and the server's access rules"
                } else if status == 401 || status == 403 {
                    "check the token: Matomo rejected it (expired, revoked, or not allowed to be sent by POST)"
                } else {
                    status_advice(status)
                };
                return Err(ClientError::HtmlErrorPage {
                    method: method.to_owned(),
                    status,
                    excerpt: html_excerpt(body, token),
                    advice,
                });
            }
            if !success {
                return Err(http_status(method, status, body, token));
            }
            Err(undecodable(method, &err.to_string(), body, token))
        }
    }
}

/// `{"result":"error","message":…}` as an error, scrubbed of tokens.
pub(crate) fn api_error(value: &Value, token: &MatomoToken) -> Option<MatomoApiError> {
    let message = crate::models::error_message(value)?
        .unwrap_or_else(|| "(Matomo gave no message)".to_owned());
    Some(MatomoApiError {
        message: scrub_token_params(&token.scrub(&message)),
    })
}

/// An [`ClientError::UndecodableBody`] with a token-free detail and excerpt.
pub(crate) fn undecodable(
    method: &str,
    detail: &str,
    body: &[u8],
    token: &MatomoToken,
) -> ClientError {
    let detail = body_excerpt(detail.as_bytes(), token);
    ClientError::UndecodableBody {
        method: method.to_owned(),
        detail,
        excerpt: body_excerpt(body, token),
    }
}

fn http_status(method: &str, status: u16, body: &[u8], token: &MatomoToken) -> ClientError {
    ClientError::HttpStatus {
        method: method.to_owned(),
        status,
        advice: status_advice(status),
        excerpt: body_excerpt(body, token),
    }
}

/// Whether an HTML page names Matomo (or its old name), as Matomo's own error pages do.
fn mentions_matomo(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]).to_ascii_lowercase();
    text.contains("matomo") || text.contains("piwik")
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 512)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || (lower.starts_with(b"<") && lower.windows(5).any(|w| w == b"<html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::client::token::{TEST_SECRET, test_token};

    fn decode(
        method: &str,
        status: u16,
        body: &[u8],
        token: &MatomoToken,
    ) -> Result<Value, ClientError> {
        let response = RawResponse {
            status,
            is_html: false,
            body: body.to_vec(),
        };
        super::decode(method, &response, token)
    }

    #[test]
    fn error_payloads_become_api_errors_on_any_status() {
        for status in [200, 401] {
            let body = br#"{"result":"error","message":"You can't access this resource."}"#;
            let err = decode("VisitsSummary.get", status, body, &test_token()).unwrap_err();
            match err {
                ClientError::Api {
                    status: s, error, ..
                } => {
                    assert_eq!(s, status);
                    assert_eq!(error.message, "You can't access this resource.");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn success_payloads_and_results_pass_through() {
        let ok = decode(
            "X.y",
            200,
            br#"{"result":"success","message":"ok"}"#,
            &test_token(),
        )
        .unwrap();
        assert_eq!(ok["result"], "success");
        assert_eq!(
            decode("X.y", 200, b"[]", &test_token()).unwrap(),
            Value::Array(vec![])
        );
        assert_eq!(
            decode("X.y", 200, br#"{"value":true}"#, &test_token()).unwrap()["value"],
            true
        );
    }

    /// Matomo's own bad-token page names Matomo: token advice. A bare 403 page from nginx
    /// (a wrong path) does not: the advice is the URL, not the token.
    #[test]
    fn a_proxy_page_is_not_taken_for_a_token_problem() {
        let matomo = b"<!DOCTYPE html><html><head><title>Matomo &rsaquo; Error</title></head><body>Unable to authenticate</body></html>";
        let err = decode("X.y", 401, matomo, &test_token())
            .unwrap_err()
            .to_string();
        assert!(err.contains("check the token"), "{err}");
        let nginx = b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>";
        let err = decode("X.y", 403, nginx, &test_token())
            .unwrap_err()
            .to_string();
        assert!(err.contains("check the path of the base URL"), "{err}");
        assert!(!err.contains("check the token"), "{err}");
    }

    #[test]
    fn html_and_garbage_are_told_apart() {
        let page = b"\n<!DOCTYPE html><html><body><h2>Unable to authenticate.</h2></body></html>";
        let err = decode("X.y", 401, page, &test_token()).unwrap_err();
        assert!(
            matches!(err, ClientError::HtmlErrorPage { status: 401, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("Unable to authenticate."));

        let body = format!("{{\"broken\": \"{TEST_SECRET}");
        let err = decode("X.y", 200, body.as_bytes(), &test_token()).unwrap_err();
        assert!(
            matches!(err, ClientError::UndecodableBody { .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains(TEST_SECRET));

        let err = decode("X.y", 502, b"Bad gateway", &test_token()).unwrap_err();
        assert!(
            matches!(err, ClientError::HttpStatus { status: 502, .. }),
            "{err:?}"
        );
        let err = decode("X.y", 500, b"[1]", &test_token()).unwrap_err();
        assert!(
            matches!(err, ClientError::HttpStatus { status: 500, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn api_error_messages_are_scrubbed() {
        let body = format!(
            r#"{{"result":"error","message":"bad token {TEST_SECRET} in token_auth=zzz"}}"#
        );
        let err = decode("X.y", 200, body.as_bytes(), &test_token()).unwrap_err();
        let text = err.to_string();
        assert!(
            !text.contains(TEST_SECRET) && !text.contains("zzz"),
            "{text}"
        );
    }
}
