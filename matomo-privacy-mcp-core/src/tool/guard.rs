//! Last checks on every result before it leaves the toolbox.

use std::fmt;

use serde_json::Value;

use super::CallToolResult;

/// A check applied to every tool result, success or error, before it is returned.
pub trait OutputGuard: Send + Sync + 'static {
    /// `Err(reason)` withholds the result; the reason must not repeat what was found.
    fn check(&self, result: &CallToolResult) -> Result<(), String>;
}

/// Withholds any result that contains a secret, such as the Matomo token.
///
/// Matomo echoes the caller's `token_auth` inside some values (report metadata
/// image URLs); this guard is the final stop should any such value slip through.
/// The raw, percent-encoded and JSON-escaped forms of the secret are searched.
///
/// ```
/// use matomo_privacy_mcp_core::tool::{OutputGuard, SecretGuard};
/// use matomo_privacy_mcp_core::{CallToolResult, ToolError};
///
/// let guard = SecretGuard::new("0badc0de0badc0de");
/// assert!(format!("{guard:?}").contains("redacted"));
/// let leaky = CallToolResult::from(ToolError::upstream("see ?token_auth=0badc0de0badc0de"));
/// assert!(guard.check(&leaky).is_err());
/// ```
#[derive(Clone)]
pub struct SecretGuard {
    forms: Vec<String>,
    /// Whether a form of the secret could be written as a JSON number.
    numeric: bool,
}

impl SecretGuard {
    /// Guards against `secret`. Secrets shorter than 8 characters are too likely to
    /// occur by chance and make the guard refuse harmless results; they are still guarded.
    pub fn new(secret: impl Into<String>) -> Self {
        let secret = secret.into();
        let mut forms = vec![secret.clone()];
        let encoded = percent_encode(&secret);
        let escaped = serde_json::to_string(&secret)
            .map(|s| s.trim_matches('"').to_owned())
            .unwrap_or_default();
        for form in [encoded, escaped] {
            if !form.is_empty() && !forms.contains(&form) {
                forms.push(form);
            }
        }
        forms.retain(|form| !form.is_empty());
        let numeric = forms.iter().any(|form| {
            form.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        });
        Self { forms, numeric }
    }

    fn found_in(&self, haystack: &str) -> bool {
        self.forms
            .iter()
            .any(|form| haystack.len() >= form.len() && haystack.contains(form.as_str()))
    }

    /// Searches every string, object key and number of `value`, without serialising it: a
    /// report's structured content is thousands of short keys, most shorter than any secret.
    fn found_in_value(&self, value: &Value) -> bool {
        match value {
            Value::String(text) => self.found_in(text),
            // A secret made of digits could come back as a number.
            Value::Number(number) => self.numeric && self.found_in(&number.to_string()),
            Value::Array(items) => items.iter().any(|item| self.found_in_value(item)),
            Value::Object(map) => map
                .iter()
                .any(|(key, item)| self.found_in(key) || self.found_in_value(item)),
            Value::Bool(_) | Value::Null => false,
        }
    }
}

impl fmt::Debug for SecretGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretGuard(<redacted>)")
    }
}

impl OutputGuard for SecretGuard {
    fn check(&self, result: &CallToolResult) -> Result<(), String> {
        let in_structured = result
            .structured()
            .is_some_and(|value| self.found_in_value(value));
        if self.found_in(result.text()) || in_structured {
            return Err("the result contained a configured secret (such as the Matomo token) and was withheld".to_owned());
        }
        Ok(())
    }
}

fn percent_encode(s: &str) -> String {
    use std::fmt::Write;
    s.bytes()
        .fold(String::with_capacity(s.len()), |mut out, b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(char::from(b));
            } else {
                let _ = write!(out, "%{b:02X}");
            }
            out
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tool::ToolOutput;

    fn structured_only(value: &Value) -> CallToolResult {
        ToolOutput::new(value, "nothing to see".to_owned())
            .unwrap()
            .into()
    }

    #[test]
    fn secrets_anywhere_in_the_structured_content_are_found() {
        let guard = SecretGuard::new("0badc0de0badc0de");
        for leaky in [
            json!({ "rows": [{ "label": "/x?token_auth=0badc0de0badc0de" }] }),
            json!({ "rows": [{ "0badc0de0badc0de": 1 }] }),
            json!([[["deep", { "a": ["ends with 0badc0de0badc0de"] }]]]),
        ] {
            assert!(guard.check(&structured_only(&leaky)).is_err(), "{leaky}");
        }
        let clean = json!({ "rows": [{ "label": "/x", "nb_visits": 12345678901u64 }], "ok": true });
        assert!(guard.check(&structured_only(&clean)).is_ok());
    }

    #[test]
    fn a_numeric_secret_is_found_in_numbers_too() {
        let guard = SecretGuard::new("12345678901");
        let leaky = json!({ "rows": [{ "nb_visits": 12345678901u64 }] });
        assert!(guard.check(&structured_only(&leaky)).is_err());
        let clean = json!({ "rows": [{ "nb_visits": 42 }] });
        assert!(guard.check(&structured_only(&clean)).is_ok());
    }
}
