//! Fetching the authorization server's metadata and signing keys, bounded in time and size.

use std::time::Instant;

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use serde_json::Value;
use url::Url;

use super::SigningAlgorithm;
use super::config::check_fetchable;

/// The largest metadata document or key set read: real ones are a few kilobytes.
pub(super) const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// The most keys kept from one key set; a server publishes a handful.
const MAX_KEYS: usize = 64;

/// One public key from the key set, ready to verify with.
pub(super) struct CachedKey {
    pub(super) kid: Option<String>,
    /// The JWK's `alg`, when it names one of ours; a key naming another is not kept.
    pub(super) alg: Option<SigningAlgorithm>,
    /// The JWK's curve for EC and OKP keys.
    pub(super) curve: Option<EllipticCurve>,
    pub(super) key: DecodingKey,
}

impl CachedKey {
    /// Whether a token signed with `alg` may be checked with this key: same family, same curve,
    /// and the key's own `alg`, if it states one.
    pub(super) fn fits(&self, alg: SigningAlgorithm) -> bool {
        if self.alg.is_some_and(|own| own != alg) {
            return false;
        }
        if self.key.family() != alg.to_jwt().family() {
            return false;
        }
        match alg {
            SigningAlgorithm::ES256 => self.curve == Some(EllipticCurve::P256),
            SigningAlgorithm::ES384 => self.curve == Some(EllipticCurve::P384),
            SigningAlgorithm::EdDSA => self.curve == Some(EllipticCurve::Ed25519),
            _ => true,
        }
    }
}

/// The keys fetched at one time.
pub(super) struct KeySet {
    pub(super) keys: Vec<CachedKey>,
    pub(super) fetched_at: Instant,
    /// Counts fetches, so that a task waiting for a fetch can tell that another task did it.
    pub(super) generation: u64,
}

/// GETs `url` and parses the body as JSON: 2xx only, at most [`MAX_DOCUMENT_BYTES`].
pub(super) async fn fetch_json(
    client: &reqwest::Client,
    url: &Url,
    what: &str,
) -> Result<Value, String> {
    let mut response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|error| format!("fetching the {what} from {url} failed: {}", chain(&error)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the {what} at {url} answered HTTP {status}"));
    }
    let too_large = || format!("the {what} at {url} is larger than {MAX_DOCUMENT_BYTES} bytes");
    if response
        .content_length()
        .is_some_and(|length| length > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| format!("reading the {what} from {url} failed: {}", chain(&error)))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map_err(|error| format!("the {what} at {url} is not JSON: {error}"))
}

/// An error with its causes (reqwest's own message omits them, such as "connection refused").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The metadata locations to try for `issuer`, in the order of the MCP authorization
/// specification: RFC 8414 (suffix inserted before the path), then OpenID Connect Discovery with
/// the suffix inserted, then appended (the two coincide for an issuer without a path).
pub(super) fn metadata_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let inserted = |suffix: &str| {
        let mut url = issuer.clone();
        url.set_path(&format!("{suffix}{path}"));
        url
    };
    let mut urls = vec![
        inserted("/.well-known/oauth-authorization-server"),
        inserted("/.well-known/openid-configuration"),
    ];
    if !path.is_empty() {
        let mut appended = issuer.clone();
        appended.set_path(&format!("{path}/.well-known/openid-configuration"));
        urls.push(appended);
    }
    urls
}

/// Reads `jwks_uri` from the issuer's metadata, checking that the document is the issuer's own.
pub(super) async fn discover_jwks_uri(
    client: &reqwest::Client,
    issuer: &str,
    issuer_url: &Url,
    allow_insecure_http: bool,
) -> Result<Url, String> {
    let mut failures = Vec::new();
    for url in metadata_urls(issuer_url) {
        let document = match fetch_json(client, &url, "authorization server metadata").await {
            Ok(document) => document,
            Err(failure) => {
                failures.push(failure);
                continue;
            }
        };
        // RFC 8414 §3.3: a document naming another issuer must not be used (it may be an
        // attacker's, served from a shared host).
        if document.get("issuer").and_then(Value::as_str) != Some(issuer) {
            return Err(format!(
                "the metadata at {url} does not name the configured issuer `{issuer}` in `issuer`"
            ));
        }
        let Some(jwks_uri) = document.get("jwks_uri").and_then(Value::as_str) else {
            return Err(format!("the metadata at {url} has no `jwks_uri`"));
        };
        let jwks_uri = Url::parse(jwks_uri)
            .map_err(|error| format!("the `jwks_uri` in {url} is not a URL: {error}"))?;
        check_fetchable(&jwks_uri, allow_insecure_http)?;
        return Ok(jwks_uri);
    }
    Err(format!(
        "no authorization server metadata found for `{issuer}`: {}; or configure jwks_uri",
        failures.join("; ")
    ))
}

/// The usable signature keys of a JWK Set (RFC 7517 §5); keys that are not, or cannot be read,
/// are skipped, so that one odd key does not lock out the others.
pub(super) fn parse_key_set(document: &Value) -> Result<Vec<CachedKey>, String> {
    let Some(keys) = document.get("keys").and_then(Value::as_array) else {
        return Err("the key set has no `keys` array".to_owned());
    };
    Ok(keys.iter().filter_map(usable_key).take(MAX_KEYS).collect())
}

fn usable_key(value: &Value) -> Option<CachedKey> {
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|usage| *usage != PublicKeyUse::Signature)
    {
        return None;
    }
    if jwk
        .common
        .key_operations
        .as_ref()
        .is_some_and(|operations| !operations.contains(&KeyOperations::Verify))
    {
        return None;
    }
    let alg = match jwk.common.key_algorithm {
        None => None,
        Some(alg) => Some(SigningAlgorithm::from_name(&alg.to_string())?),
    };
    let curve = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => None,
        AlgorithmParameters::EllipticCurve(params) => Some(params.curve.clone()),
        AlgorithmParameters::OctetKeyPair(params) => Some(params.curve.clone()),
        // Symmetric keys have no place in a published key set; never verify with one.
        _ => return None,
    };
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(CachedKey {
        kid: jwk.common.key_id,
        alg,
        curve,
        key,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metadata_is_looked_up_where_the_mcp_specification_says() {
        let urls = |issuer: &str| -> Vec<String> {
            metadata_urls(&Url::parse(issuer).unwrap())
                .into_iter()
                .map(String::from)
                .collect()
        };
        assert_eq!(
            urls("https://as.example"),
            [
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            urls("https://as.example/tenant/1/"),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant/1",
                "https://as.example/.well-known/openid-configuration/tenant/1",
                "https://as.example/tenant/1/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn only_public_signature_keys_are_kept() {
        // An RSA modulus of 2048 bits and an EC point on P-256, both valid base64url.
        let n = "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw";
        let x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
        let y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
        let set = json!({"keys": [
            {"kty": "RSA", "kid": "rsa", "alg": "RS256", "use": "sig", "n": n, "e": "AQAB"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": x, "y": y},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": n, "e": "AQAB"},
            {"kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP", "n": n, "e": "AQAB"},
            {"kty": "RSA", "kid": "hs", "alg": "HS256", "n": n, "e": "AQAB"},
            {"kty": "RSA", "kid": "sign-only", "key_ops": ["sign"], "n": n, "e": "AQAB"},
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "broken", "n": "!!!", "e": "AQAB"},
            {"kty": "XYZ", "kid": "unknown"},
            "not an object",
        ]});
        let keys = parse_key_set(&set).unwrap();
        let kids: Vec<_> = keys.iter().map(|key| key.kid.as_deref().unwrap()).collect();
        assert_eq!(kids, ["rsa", "ec"]);
        assert!(keys[0].fits(SigningAlgorithm::RS256));
        assert!(!keys[0].fits(SigningAlgorithm::PS256), "the key says RS256");
        assert!(!keys[0].fits(SigningAlgorithm::ES256));
        assert!(keys[1].fits(SigningAlgorithm::ES256));
        assert!(
            !keys[1].fits(SigningAlgorithm::ES384),
            "P-256 is not for ES384"
        );
        assert!(!keys[1].fits(SigningAlgorithm::RS256));
        assert!(parse_key_set(&json!({"keys": {}})).is_err());
        assert!(parse_key_set(&json!([])).is_err());
    }
}
