//! Last checks on every result before it leaves the toolbox.

use std::fmt;

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
/// use matomo_mcp_core::tool::{OutputGuard, SecretGuard};
/// use matomo_mcp_core::{CallToolResult, ToolError};
///
/// let guard = SecretGuard::new("0badc0de0badc0de");
/// assert!(format!("{guard:?}").contains("redacted"));
/// let leaky = CallToolResult::from(ToolError::upstream("see ?token_auth=0badc0de0badc0de"));
/// assert!(guard.check(&leaky).is_err());
/// ```
#[derive(Clone)]
pub struct SecretGuard {
    forms: Vec<String>,
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
        Self { forms }
    }

    fn found_in(&self, haystack: &str) -> bool {
        self.forms
            .iter()
            .any(|form| haystack.contains(form.as_str()))
    }
}

impl fmt::Debug for SecretGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretGuard(<redacted>)")
    }
}

impl OutputGuard for SecretGuard {
    fn check(&self, result: &CallToolResult) -> Result<(), String> {
        let structured = result
            .structured()
            .map(ToString::to_string)
            .unwrap_or_default();
        if self.found_in(result.text()) || self.found_in(&structured) {
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
