//! Bearer tokens: kept out of logs, compared in constant time.

use crate::ServeError;

/// The shortest token accepted: shorter ones can be guessed.
pub const MIN_TOKEN_CHARS: usize = 16;

/// A secret a client presents as `Authorization: Bearer <token>`.
///
/// Its `Debug` output is redacted, so a configuration can be logged.
///
/// ```
/// use matomo_privacy_mcp_server::BearerToken;
///
/// let token = BearerToken::new("s3cr3t-s3cr3t-s3cr3t");
/// assert_eq!(format!("{token:?}"), "BearerToken(<redacted>)");
/// ```
#[derive(Clone)]
pub struct BearerToken(String);

impl BearerToken {
    /// Wraps a secret (read from a file or the environment, never from a command line).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret, for hashing; never for logs.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Refuses a token that can be guessed or cannot travel in a header.
    pub(crate) fn check(&self, position: usize) -> Result<(), ServeError> {
        let invalid = |reason| ServeError::InvalidBearerToken { position, reason };
        if self.0.chars().count() < MIN_TOKEN_CHARS {
            return Err(invalid(
                "it is shorter than 16 characters; use a long random value such as `openssl rand -hex 32`",
            ));
        }
        if !self.0.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "it contains spaces, control or non-ASCII characters, which an HTTP header cannot carry; \
                 use letters, digits and punctuation only",
            ));
        }
        Ok(())
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

impl From<String> for BearerToken {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

/// The token of an `Authorization: Bearer <token>` header value, if it has that form.
pub(crate) fn bearer_credentials(header: &[u8]) -> Option<&[u8]> {
    const SCHEME: &[u8] = b"bearer ";
    if header.len() <= SCHEME.len() || !header[..SCHEME.len()].eq_ignore_ascii_case(SCHEME) {
        return None;
    }
    let token = header[SCHEME.len()..].trim_ascii();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "0123456789abcdef-good";

    #[test]
    fn weak_tokens_are_refused_by_position() {
        let Err(error) = BearerToken::new("short").check(2) else {
            panic!("a short token was accepted")
        };
        assert!(error.to_string().contains("number 2"), "{error}");
        assert!(!error.to_string().contains("short\""), "{error}");
        assert!(matches!(
            BearerToken::new("has a space in it, long").check(1),
            Err(ServeError::InvalidBearerToken { position: 1, .. })
        ));
        assert!(BearerToken::new(GOOD).check(1).is_ok());
    }

    #[test]
    fn parses_the_bearer_scheme_case_insensitively() {
        assert_eq!(bearer_credentials(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_credentials(b"bearer  abc "), Some(&b"abc"[..]));
        assert_eq!(bearer_credentials(b"Basic abc"), None);
        assert_eq!(bearer_credentials(b"Bearer "), None);
        assert_eq!(bearer_credentials(b"Bearer"), None);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let token = BearerToken::new(GOOD);
        assert!(!format!("{token:?} {:?}", [&token]).contains(GOOD));
    }
}
