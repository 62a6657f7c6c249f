//! The Matomo API token, a secret that never leaves the request body.

use std::fmt;

use super::error::ClientError;

/// The placeholder printed wherever the token would otherwise appear.
pub(crate) const REDACTED: &str = "<redacted>";

/// A Matomo `token_auth`, kept out of every URL, log line, error and `Debug` output.
///
/// Anyone holding the token can read every report its user may see, and
/// Matomo echoes tokens back inside report metadata, so the client treats it
/// as a secret: `Debug` and `Display` print `<redacted>`, the only way out of
/// this type is the POST body the client builds, and error excerpts are
/// scrubbed of it.
///
/// ```
/// use matomo_privacy_mcp_core::client::MatomoToken;
///
/// let token = MatomoToken::new("0123456789abcdef0123456789abcdef").unwrap();
/// assert_eq!(token.to_string(), "<redacted>");
/// assert_eq!(format!("{token:?}"), "MatomoToken(<redacted>)");
/// assert!(MatomoToken::new("has space").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MatomoToken(String);

impl MatomoToken {
    /// Checks the token's shape lightly: not empty, no whitespace or control characters.
    ///
    /// Matomo's own tokens are 32 hexadecimal characters, but plugins and
    /// older versions differ, so only shapes that can never be a token (and
    /// usually mean a copy-paste accident) are refused.
    pub fn new(token: impl Into<String>) -> Result<Self, ClientError> {
        let token = token.into();
        if token.is_empty() {
            return Err(ClientError::InvalidToken {
                reason: "it is empty; create one under Administration > Personal > Security > Auth tokens",
            });
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ClientError::InvalidToken {
                reason: "it contains whitespace or control characters; copy the token again without spaces or line breaks",
            });
        }
        Ok(Self(token))
    }

    /// The raw secret, for the request body only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of this token in `text` (raw and percent-encoded) with `<redacted>`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(self.0.as_str(), REDACTED);
        let encoded: String = url::form_urlencoded::byte_serialize(self.0.as_bytes()).collect();
        if encoded != self.0 {
            out = out.replace(encoded.as_str(), REDACTED);
        }
        out
    }
}

impl fmt::Debug for MatomoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MatomoToken({REDACTED})")
    }
}

impl fmt::Display for MatomoToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl std::str::FromStr for MatomoToken {
    type Err = ClientError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// A token shaped as Matomo's (32 hex digits), for the client's tests that check it never shows.
#[cfg(test)]
pub(super) const TEST_SECRET: &str = "0123456789abcdef0123456789abcdef";

/// [`TEST_SECRET`] as a token.
#[cfg(test)]
pub(super) fn test_token() -> MatomoToken {
    MatomoToken::new(TEST_SECRET).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn debug_and_display_are_redacted() {
        let token = MatomoToken::new(SECRET).unwrap();
        assert!(!format!("{token:?}").contains(SECRET));
        assert!(!format!("{token:#?}").contains(SECRET));
        assert!(!token.to_string().contains(SECRET));
    }

    #[test]
    fn rejects_empty_whitespace_and_control_characters() {
        for bad in ["", " abc", "abc\n", "a\tb", "a\u{7f}b", "a\u{a0}b"] {
            let err = MatomoToken::new(bad).unwrap_err();
            assert!(matches!(err, ClientError::InvalidToken { .. }), "{bad:?}");
        }
        assert!(MatomoToken::new("anonymous").is_ok());
    }

    #[test]
    fn scrub_removes_raw_and_encoded_forms() {
        let token = MatomoToken::new("a+b/c=").unwrap();
        let text = "x a+b/c= y a%2Bb%2Fc%3D z";
        assert_eq!(token.scrub(text), "x <redacted> y <redacted> z");
    }
}
