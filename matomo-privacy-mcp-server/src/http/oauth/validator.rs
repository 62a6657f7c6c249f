//! Validating an access token: its shape, its signature against the cached keys, its claims.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, crypto::CryptoProvider};
use serde_json::{Map, Value};
use url::Url;

use super::claims::{Expected, check_claims};
use super::config::check_fetchable;
use super::jwks::{CachedKey, KeySet, discover_jwks_uri, fetch_json, parse_key_set};
use super::{AccessClaims, OAuthConfig, OAuthConfigError, SigningAlgorithm, TokenRejection};

/// The longest token read; longer ones are refused before any decoding. Real access tokens are
/// one or two kilobytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The most keys one token without a `kid` is tried against.
const MAX_KEYS_TRIED: usize = 8;

/// Checks OAuth 2.1 access tokens (JWTs, RFC 9068) issued by one authorization server for this
/// resource: signature against the server's published keys, then `iss`, `aud`, `exp`, `nbf`.
///
/// Cloning is cheap and clones share the HTTP client and the key cache, so one validator serves
/// all requests. Keys are fetched on first use, fetched again once they are
/// [`jwks_max_age`](OAuthConfig::jwks_max_age) old, and at once when a token names a key the
/// cache lacks (the authorization server rotated its keys) — but never more often than
/// [`jwks_min_refresh_interval`](OAuthConfig::jwks_min_refresh_interval), so that tokens naming
/// made-up keys cannot make this server flood the authorization server.
///
/// Nothing here logs a token or a claim value.
#[derive(Clone)]
pub struct TokenValidator {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    issuer_url: Url,
    resource: String,
    leeway: u64,
    algorithms: Vec<SigningAlgorithm>,
    allow_insecure_http: bool,
    jwks_max_age: Duration,
    min_refresh_interval: Duration,
    client: reqwest::Client,
    /// The keys in use; read without waiting by every request.
    keys: RwLock<Option<Arc<KeySet>>>,
    /// Held while fetching, so that one fetch serves every request waiting for keys.
    fetch: tokio::sync::Mutex<FetchState>,
}

struct FetchState {
    /// Configured, or discovered by the first fetch.
    jwks_uri: Option<Url>,
    last_attempt: Option<Instant>,
    last_failure: Option<String>,
    generation: u64,
}

impl std::fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenValidator")
            .field("issuer", &self.inner.issuer)
            .field("resource", &self.inner.resource)
            .field("algorithms", &self.inner.algorithms)
            .finish_non_exhaustive()
    }
}

impl TokenValidator {
    /// Checks `config` and sets up the HTTP client; fetches nothing yet, so a server can start
    /// while its authorization server is down.
    pub fn new(config: OAuthConfig) -> Result<Self, OAuthConfigError> {
        let issuer_url = config.check()?;
        ensure_crypto_provider()?;
        let allow_insecure_http = config.allow_insecure_http;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 3 {
                attempt.error("more than 3 redirects")
            } else if let Err(reason) = check_fetchable(attempt.url(), allow_insecure_http) {
                attempt.error(reason)
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .connect_timeout(config.http_timeout)
            .redirect(redirects)
            .user_agent(concat!(
                "matomo-privacy-mcp-server/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|error| {
                OAuthConfigError::Setup(format!("the HTTP client cannot be built: {error}"))
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                issuer: config.issuer,
                issuer_url,
                resource: config.resource,
                leeway: config.leeway.as_secs(),
                algorithms: config.allowed_algorithms,
                allow_insecure_http,
                jwks_max_age: config.jwks_max_age,
                min_refresh_interval: config.jwks_min_refresh_interval,
                client,
                keys: RwLock::new(None),
                fetch: tokio::sync::Mutex::new(FetchState {
                    jwks_uri: config.jwks_uri,
                    last_attempt: None,
                    last_failure: None,
                    generation: 0,
                }),
            }),
        })
    }

    /// The configured issuer, as `iss` must spell it.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The configured resource identifier, which `aud` must contain.
    pub fn resource(&self) -> &str {
        &self.inner.resource
    }

    /// Validates the token a client sent as `Authorization: Bearer <token>` (pass only the part
    /// after `Bearer `) and returns its claims.
    ///
    /// Scopes are not checked: which scopes a request needs is the caller's decision (see
    /// [`AccessClaims::missing_scopes`]).
    pub async fn validate(&self, bearer: &str) -> Result<AccessClaims, TokenRejection> {
        let (alg, kid) = self.read_header(bearer)?;
        let keys = self.current_keys().await?;
        let claims = match verify(bearer, &keys, alg, kid.as_deref()) {
            Err(TokenRejection::UnknownKey) => {
                let fresh = self
                    .refresh(Some(keys.generation))
                    .await
                    .map_err(TokenRejection::KeysUnavailable)?;
                if fresh.generation == keys.generation {
                    return Err(TokenRejection::UnknownKey);
                }
                verify(bearer, &fresh, alg, kid.as_deref())?
            }
            other => other?,
        };
        let expected = Expected {
            issuer: &self.inner.issuer,
            resource: &self.inner.resource,
            leeway: self.inner.leeway,
        };
        check_claims(&claims, &expected, unix_now())
    }

    /// Checks the token's shape and reads `alg` and `kid` from its header, before any key is
    /// needed, so that garbage never causes a fetch.
    fn read_header(
        &self,
        bearer: &str,
    ) -> Result<(SigningAlgorithm, Option<String>), TokenRejection> {
        if bearer.len() > MAX_TOKEN_BYTES {
            return Err(TokenRejection::Malformed("the token is longer than 8 KiB"));
        }
        let mut parts = bearer.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenRejection::Malformed(
                "the token is not three dot-separated parts (a signed JWT)",
            ));
        };
        if [header, payload, signature]
            .iter()
            .any(|part| part.is_empty() || !part.bytes().all(is_base64url))
        {
            return Err(TokenRejection::Malformed(
                "a part of the token is empty or not base64url",
            ));
        }
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| TokenRejection::Malformed("the token's header is not base64url"))?;
        let not_an_object = TokenRejection::Malformed(
            "the token's header is not a JSON object with a string `alg`",
        );
        let header: Map<String, Value> =
            serde_json::from_slice(&header).map_err(|_| not_an_object.clone())?;
        let Some(Value::String(alg)) = header.get("alg") else {
            return Err(not_an_object);
        };
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => {
                return Err(TokenRejection::Malformed(
                    "the token's `kid` is not a string",
                ));
            }
        };
        let alg = SigningAlgorithm::from_name(alg)
            .filter(|alg| self.inner.algorithms.contains(alg))
            .ok_or(TokenRejection::UnsupportedAlgorithm)?;
        Ok((alg, kid))
    }

    /// The cached keys, fetched first if there are none or they are too old (a failed refresh
    /// of old keys keeps them in use: tokens signed with them stay valid while the authorization
    /// server is unreachable).
    async fn current_keys(&self) -> Result<Arc<KeySet>, TokenRejection> {
        match self.cached() {
            Some(keys) if keys.fetched_at.elapsed() < self.inner.jwks_max_age => Ok(keys),
            Some(stale) => match self.refresh(Some(stale.generation)).await {
                Ok(fresh) => Ok(fresh),
                Err(failure) => {
                    tracing::warn!(
                        issuer = %self.inner.issuer,
                        "refreshing the OAuth signing keys failed; keeping the cached ones: {failure}"
                    );
                    Ok(stale)
                }
            },
            None => self
                .refresh(None)
                .await
                .map_err(TokenRejection::KeysUnavailable),
        }
    }

    fn cached(&self) -> Option<Arc<KeySet>> {
        self.inner
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Fetches the keys unless another task already replaced generation `seen`, or the last
    /// attempt is more recent than the minimum interval; then answers the keys in use (the same
    /// generation when nothing was fetched), or why there are none.
    async fn refresh(&self, seen: Option<u64>) -> Result<Arc<KeySet>, String> {
        let mut state = self.inner.fetch.lock().await;
        let current = self.cached();
        if let Some(keys) = &current
            && Some(keys.generation) != seen
        {
            return Ok(Arc::clone(keys));
        }
        if let Some(last) = state.last_attempt
            && last.elapsed() < self.inner.min_refresh_interval
        {
            return current.ok_or_else(|| {
                state
                    .last_failure
                    .clone()
                    .unwrap_or_else(|| "the signing keys were fetched moments ago".to_owned())
            });
        }
        state.last_attempt = Some(Instant::now());
        match self.fetch_keys(&mut state).await {
            Ok(keys) => {
                state.generation += 1;
                state.last_failure = None;
                tracing::debug!(
                    issuer = %self.inner.issuer,
                    keys = keys.len(),
                    "fetched the OAuth signing keys"
                );
                let keys = Arc::new(KeySet {
                    keys,
                    fetched_at: Instant::now(),
                    generation: state.generation,
                });
                *self
                    .inner
                    .keys
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&keys));
                Ok(keys)
            }
            Err(failure) => {
                tracing::warn!(issuer = %self.inner.issuer, "fetching the OAuth signing keys failed: {failure}");
                state.last_failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    async fn fetch_keys(&self, state: &mut FetchState) -> Result<Vec<CachedKey>, String> {
        let jwks_uri = match &state.jwks_uri {
            Some(uri) => uri.clone(),
            None => {
                let uri = discover_jwks_uri(
                    &self.inner.client,
                    &self.inner.issuer,
                    &self.inner.issuer_url,
                    self.inner.allow_insecure_http,
                )
                .await?;
                state.jwks_uri = Some(uri.clone());
                uri
            }
        };
        let document = fetch_json(&self.inner.client, &jwks_uri, "key set").await?;
        parse_key_set(&document).map_err(|reason| format!("{reason} (at {jwks_uri})"))
    }
}

/// Verifies the signature with the key the token names (or, without a `kid`, with each key
/// that fits) and returns the claims. `UnknownKey` when the set has no such key.
fn verify(
    bearer: &str,
    keys: &KeySet,
    alg: SigningAlgorithm,
    kid: Option<&str>,
) -> Result<Map<String, Value>, TokenRejection> {
    let named: Vec<&CachedKey> = keys
        .keys
        .iter()
        .filter(|key| kid.is_none() || key.kid.as_deref() == kid)
        .collect();
    if named.is_empty() {
        return Err(TokenRejection::UnknownKey);
    }
    let mut fitting = named.into_iter().filter(|key| key.fits(alg)).peekable();
    if fitting.peek().is_none() {
        return Err(TokenRejection::UnsupportedAlgorithm);
    }
    let mut validation = Validation::new(alg.to_jwt());
    // The claims are checked afterwards, by `check_claims`, exactly as configured.
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    for key in fitting.take(MAX_KEYS_TRIED) {
        match jsonwebtoken::decode::<Map<String, Value>>(bearer, &key.key, &validation) {
            Ok(data) => return Ok(data.claims),
            Err(error) if matches!(error.kind(), ErrorKind::InvalidSignature) => {}
            Err(error) => return Err(rejection(error.kind())),
        }
    }
    Err(TokenRejection::BadSignature)
}

/// What a jsonwebtoken failure means for the client.
fn rejection(kind: &ErrorKind) -> TokenRejection {
    match kind {
        ErrorKind::InvalidSignature
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidEddsaKey
        | ErrorKind::InvalidKeyFormat => TokenRejection::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidAlgorithmName => TokenRejection::UnsupportedAlgorithm,
        ErrorKind::InvalidToken => TokenRejection::Malformed(
            "the token's header is not acceptable (such as an unknown critical extension)",
        ),
        ErrorKind::Base64(_) => TokenRejection::Malformed("a part of the token is not base64url"),
        ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            TokenRejection::Malformed("the token's header or claims are not a JSON object")
        }
        _ => TokenRejection::Malformed("the token cannot be decoded"),
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// Makes sure jsonwebtoken has its signature backend: chosen by crate feature, unless another
/// crate in the build enables a second backend, in which case ours is installed explicitly.
fn ensure_crypto_provider() -> Result<(), OAuthConfigError> {
    if CryptoProvider::try_get_default().is_none() {
        // Fails only if another thread installed one meanwhile, which is as good.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    }
    match CryptoProvider::try_get_default() {
        Some(_) => Ok(()),
        None => Err(OAuthConfigError::Setup(
            "jsonwebtoken has no signature backend".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> TokenValidator {
        // A closed port: any fetch fails at once.
        let config = OAuthConfig::new("http://127.0.0.1:9", "https://mcp.example/mcp")
            .with_http_timeout(Duration::from_millis(500));
        TokenValidator::new(config).unwrap()
    }

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[tokio::test]
    async fn garbage_is_refused_before_any_fetch() {
        let validator = validator();
        let header = |alg: &str| encode(&format!(r#"{{"alg":"{alg}","kid":"k"}}"#));
        let body = encode(r#"{"iss":"x"}"#);
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        let cases = [
            String::new(),
            "abc".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            "..".to_owned(),
            format!("{}.{body}.", header("RS256")),
            "a+b.c/d.e=f".to_owned(),
            "é.é.é".to_owned(),
            format!("{}.{body}.sig", encode("not json")),
            format!("{}.{body}.sig", encode(r#"{"alg":5}"#)),
            format!("{}.{body}.sig", encode(r#"["RS256"]"#)),
            format!("{}.{body}.sig", encode(r#"{"alg":"RS256","kid":7}"#)),
            "A.B.C".to_owned(), // "A" is not decodable base64url
            long,
        ];
        for token in cases {
            let rejection = validator.validate(&token).await.unwrap_err();
            assert!(
                matches!(rejection, TokenRejection::Malformed(_)),
                "{token:.40}: {rejection:?}"
            );
        }
        for alg in ["none", "HS256", "PS256", "rs256", ""] {
            let token = format!("{}.{body}.c2ln", header(alg));
            assert_eq!(
                validator.validate(&token).await,
                Err(TokenRejection::UnsupportedAlgorithm),
                "{alg}"
            );
        }
        // No fetch was attempted for any of them.
        assert!(validator.inner.fetch.lock().await.last_attempt.is_none());
    }

    #[tokio::test]
    async fn unreachable_keys_are_unavailable_and_not_fetched_again_at_once() {
        let validator = validator();
        let token = format!(
            "{}.{}.c2ln",
            encode(r#"{"alg":"RS256","kid":"k"}"#),
            encode("{}")
        );
        let first = validator.validate(&token).await.unwrap_err();
        let TokenRejection::KeysUnavailable(reason) = &first else {
            panic!("{first:?}")
        };
        assert!(reason.contains("127.0.0.1:9"), "{reason}");
        assert!(!reason.contains(&token));
        let attempt = validator.inner.fetch.lock().await.last_attempt;
        // Within the refresh interval the failure is answered again without a new attempt.
        assert_eq!(validator.validate(&token).await, Err(first));
        assert_eq!(validator.inner.fetch.lock().await.last_attempt, attempt);
    }
}
