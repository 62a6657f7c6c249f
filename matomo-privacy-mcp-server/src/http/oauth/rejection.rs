//! Why an access token was refused, in the terms RFC 6750 gives clients.

/// Why a bearer token was refused.
///
/// Every variant but [`KeysUnavailable`](Self::KeysUnavailable) is the client's problem and maps
/// to RFC 6750's `invalid_token` with HTTP 401, which tells an MCP client to get a new token.
/// `KeysUnavailable` is ours: the token may be fine, but the authorization server's keys could
/// not be fetched, so [`http_status`](Self::http_status) recommends 503 — a 401 would send the
/// client through a new authorization that cannot succeed either while the keys stay out of
/// reach.
///
/// Neither the `Display` text nor [`description`](Self::description) ever contains the token or
/// a claim value, so both can be logged and sent. `Display` is for the operator (with
/// `KeysUnavailable`, it says what failed); `description` is for the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenRejection {
    /// Not a signed JWT in compact form, or a part is not what it must be; the text says which
    /// rule failed.
    #[error("the access token is malformed: {0}")]
    Malformed(&'static str),
    /// A claim every accepted token must carry (`iss`, `aud`, `exp`) is absent.
    #[error("the access token has no `{0}` claim")]
    MissingClaim(&'static str),
    /// `exp` is past, by more than the leeway.
    #[error("the access token has expired")]
    Expired,
    /// `nbf` is ahead, by more than the leeway.
    #[error("the access token is not valid yet")]
    NotYetValid,
    /// `iss` is not the configured issuer.
    #[error("the access token was issued by another authorization server")]
    WrongIssuer,
    /// `aud` does not contain this server's resource identifier: the token is meant for another
    /// service.
    #[error("the access token is meant for another resource")]
    WrongAudience,
    /// The signature does not verify with the key the token names.
    #[error("the access token's signature does not verify")]
    BadSignature,
    /// The token names a key the authorization server does not publish (checked again against
    /// a fresh key set, at most once per the configured refresh interval).
    #[error("the access token is signed with a key the authorization server does not publish")]
    UnknownKey,
    /// The token's `alg` is not allowed (`none`, HMAC, or not configured), or does not fit the
    /// key it names.
    #[error("the access token's signing algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// The authorization server's signing keys could not be fetched and none are cached; the text
    /// says why (addresses and HTTP statuses of the authorization server, never the token).
    #[error("the authorization server's signing keys are unavailable: {0}")]
    KeysUnavailable(String),
}

impl TokenRejection {
    /// The RFC 6750 `error` code for a `WWW-Authenticate` challenge: `invalid_token` for all.
    ///
    /// That includes `KeysUnavailable`, so that a server choosing 401 for it still sends a valid
    /// challenge; with the recommended 503 there is no challenge to send.
    pub fn error_code(&self) -> &'static str {
        "invalid_token"
    }

    /// The recommended HTTP status: 401, or 503 for
    /// [`KeysUnavailable`](Self::KeysUnavailable) (see the type's documentation).
    pub fn http_status(&self) -> u16 {
        match self {
            Self::KeysUnavailable(_) => 503,
            _ => 401,
        }
    }

    /// Whether the token itself was at fault (every variant but `KeysUnavailable`).
    pub fn is_token_fault(&self) -> bool {
        !matches!(self, Self::KeysUnavailable(_))
    }

    /// A short reason for the client's `error_description`: no token, no claim value, no detail
    /// of the authorization server's failure, and only characters RFC 6750 allows there.
    pub fn description(&self) -> String {
        match self {
            Self::KeysUnavailable(_) => {
                "the signing keys of the authorization server are unavailable; try again later"
                    .to_owned()
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unavailable_keys_are_not_the_client_s_fault() {
        let all = [
            TokenRejection::Malformed("x"),
            TokenRejection::MissingClaim("exp"),
            TokenRejection::Expired,
            TokenRejection::NotYetValid,
            TokenRejection::WrongIssuer,
            TokenRejection::WrongAudience,
            TokenRejection::BadSignature,
            TokenRejection::UnknownKey,
            TokenRejection::UnsupportedAlgorithm,
        ];
        for rejection in all {
            assert_eq!(rejection.error_code(), "invalid_token");
            assert_eq!(rejection.http_status(), 401);
            assert!(rejection.is_token_fault());
            assert_eq!(rejection.description(), rejection.to_string());
        }
        let unavailable = TokenRejection::KeysUnavailable("GET https://as/jwks: HTTP 500".into());
        assert_eq!(unavailable.http_status(), 503);
        assert!(!unavailable.is_token_fault());
        assert!(unavailable.to_string().contains("HTTP 500"));
        assert!(!unavailable.description().contains("HTTP 500"));
    }
}
