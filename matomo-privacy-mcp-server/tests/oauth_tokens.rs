//! OAuth access tokens from a real authorization server: `tests/oauth-as/server.mjs` runs
//! `oauth2-mock-server` (npm), the tests get tokens from its `/token` endpoint with
//! `grant_type=client_credentials` and check what [`TokenValidator`] makes of them, with the keys
//! discovered and fetched from the server itself. The server's stdin drives key rotation.
//!
//! Needs node and the packages of `tests/oauth-as` (`tests/interop/setup.sh` installs them).
//! Without the packages the tests that need the server are skipped with a message, except when
//! `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::oauth_as::{AuthServer, RESOURCE, now};

use matomo_privacy_mcp_server::oauth::MAX_TOKEN_BYTES;
use matomo_privacy_mcp_server::{
    Challenge, OAuthConfig, SigningAlgorithm, TokenRejection, TokenValidator,
    protected_resource_metadata, protected_resource_metadata_url, www_authenticate,
};
use serde_json::{Value, json};
use url::Url;

/// Why `validator` refuses `token`, which it must refuse.
async fn rejection(validator: &TokenValidator, token: &str) -> TokenRejection {
    match validator.validate(token).await {
        Err(rejection) => rejection,
        Ok(claims) => panic!("accepted: {claims:?}"),
    }
}

/// `token` with one character of its signature changed.
fn tamper_signature(token: &str) -> String {
    let start = token.rfind('.').unwrap() + 1;
    // Well inside the signature: the last character also carries padding bits.
    let at = start + 10;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_valid_token_is_accepted_with_its_claims() {
    let Some(server) = AuthServer::start().await else {
        return;
    };
    let validator = server.validator();
    let token = server
        .token(&[
            ("scope", "matomo:read matomo:write"),
            ("client_id", "claude-desktop"),
            ("test_claims", &json!({"sub": "user-42"}).to_string()),
        ])
        .await;
    let before = now();
    let claims = validator.validate(&token).await.unwrap();
    assert_eq!(claims.subject.as_deref(), Some("user-42"));
    assert_eq!(claims.client_id.as_deref(), Some("claude-desktop"));
    assert_eq!(
        claims.scopes.iter().map(String::as_str).collect::<Vec<_>>(),
        ["matomo:read", "matomo:write"]
    );
    // The library's default lifetime is one hour.
    assert!(claims.expires_at > before + 3000 && claims.expires_at <= before + 3700);
    assert!(claims.missing_scopes(&["matomo:read"]).is_empty());
    assert_eq!(claims.missing_scopes(&["matomo:admin"]), ["matomo:admin"]);

    // `aud` as an array, scopes as `scp`, the client as `azp`, no `sub`.
    let token = server
        .token(&[
            ("aud", "https://other.example"),
            ("aud", RESOURCE),
            (
                "test_claims",
                &json!({"scp": ["b", "a"], "azp": "azp-client"}).to_string(),
            ),
        ])
        .await;
    let claims = validator.validate(&token).await.unwrap();
    assert_eq!(claims.scopes.iter().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(claims.client_id.as_deref(), Some("azp-client"));
    assert_eq!(claims.subject, None);

    // A token without `kid` is checked against the keys that fit its algorithm.
    let token = server
        .token(&[("test_header", &json!({"kid": null}).to_string())])
        .await;
    assert!(validator.validate(&token).await.is_ok());

    // An explicitly configured key set, without discovery.
    let validator = TokenValidator::new(server.config().with_jwks_uri(server.jwks_uri())).unwrap();
    assert!(validator.validate(&token).await.is_ok());
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let Some(server) = AuthServer::start().await else {
        return;
    };
    let validator = server.validator();
    let now = now();
    let cases = [
        (json!({"exp": now - 3600}), Err(TokenRejection::Expired)),
        (json!({"exp": now - 120}), Err(TokenRejection::Expired)),
        (json!({"nbf": now + 3600}), Err(TokenRejection::NotYetValid)),
        (
            json!({"exp": null}),
            Err(TokenRejection::MissingClaim("exp")),
        ),
        (
            json!({"exp": "tomorrow"}),
            Err(TokenRejection::Malformed(
                "`exp` is not a non-negative number of seconds",
            )),
        ),
        // Within the default leeway of 60 s.
        (json!({"exp": now - 20}), Ok(())),
        (json!({"nbf": now + 20}), Ok(())),
    ];
    for (claims, expected) in cases {
        let token = server.token_with(claims.clone()).await;
        assert_eq!(
            validator.validate(&token).await.map(|_| ()),
            expected,
            "{claims}"
        );
    }
    // Without leeway, 20 s past `exp` is expired.
    let strict = TokenValidator::new(server.config().with_leeway(Duration::ZERO)).unwrap();
    let token = server.token_with(json!({"exp": now - 20})).await;
    assert_eq!(rejection(&strict, &token).await, TokenRejection::Expired);
}

#[tokio::test]
async fn tokens_for_another_resource_are_refused() {
    let Some(server) = AuthServer::start().await else {
        return;
    };
    let validator = server.validator();
    for aud in [
        "https://other.example/mcp",
        "https://mcp.example/mcp/",
        "https://mcp.example",
    ] {
        let token = server.token(&[("aud", aud)]).await;
        assert_eq!(
            rejection(&validator, &token).await,
            TokenRejection::WrongAudience,
            "{aud}"
        );
    }
    let token = server
        .token(&[("aud", "https://a.example"), ("aud", "https://b.example")])
        .await;
    assert_eq!(
        rejection(&validator, &token).await,
        TokenRejection::WrongAudience
    );
    let token = server.token_with(json!({"aud": null})).await;
    assert_eq!(
        rejection(&validator, &token).await,
        TokenRejection::MissingClaim("aud")
    );
    // The same token is fine for the resource it names.
    let token = server.token(&[("aud", "https://other.example/mcp")]).await;
    let other = TokenValidator::new(OAuthConfig::new(
        server.issuer.clone(),
        "https://other.example/mcp",
    ))
    .unwrap();
    assert!(other.validate(&token).await.is_ok());
}

#[tokio::test]
async fn tokens_from_another_issuer_are_refused() {
    let Some(server) = AuthServer::start().await else {
        return;
    };
    let validator = server.validator();
    // Signed with the right key, but naming another issuer.
    for iss in ["https://evil.example", &format!("{}/", server.issuer)] {
        let token = server.token_with(json!({"iss": iss})).await;
        assert_eq!(
            rejection(&validator, &token).await,
            TokenRejection::WrongIssuer,
            "{iss}"
        );
    }
    // A validator trusting another issuer (with this server's keys) refuses this server's tokens.
    let token = server.token(&[]).await;
    let elsewhere = TokenValidator::new(
        OAuthConfig::new("https://as.example", RESOURCE).with_jwks_uri(server.jwks_uri()),
    )
    .unwrap();
    assert_eq!(
        rejection(&elsewhere, &token).await,
        TokenRejection::WrongIssuer
    );
    // A second authorization server's tokens are signed with a key the first does not publish.
    let Some(second) = AuthServer::start().await else {
        return;
    };
    let foreign = second.token(&[]).await;
    assert_eq!(
        rejection(&validator, &foreign).await,
        TokenRejection::UnknownKey
    );
    assert!(second.validator().validate(&foreign).await.is_ok());
    // Metadata naming another issuer than the configured one is not used (RFC 8414 §3.3): the
    // same server, configured with a trailing slash its metadata does not have.
    let slash =
        TokenValidator::new(OAuthConfig::new(format!("{}/", server.issuer), RESOURCE)).unwrap();
    match slash.validate(&token).await {
        Err(TokenRejection::KeysUnavailable(reason)) => {
            assert!(
                reason.contains("does not name the configured issuer"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn tampered_tokens_are_refused() {
    let Some(server) = AuthServer::start().await else {
        return;
    };
    let validator = server.validator();
    let token = server.token(&[("scope", "matomo:read")]).await;
    assert!(validator.validate(&token).await.is_ok());
    assert_eq!(
        rejection(&validator, &tamper_signature(&token)).await,
        TokenRejection::BadSignature
    );
    let parts: Vec<&str> = token.split('.').collect();
    let b64 = |value: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    };
    let header: Value = {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[0])
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    // Claims changed under the original signature (a wider scope).
    let claims = json!({
        "iss": server.issuer, "aud": RESOURCE, "exp": now() + 600, "scope": "matomo:admin",
    });
    let forged = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);
    assert_eq!(
        rejection(&validator, &forged).await,
        TokenRejection::BadSignature
    );
    // The same header with the algorithm switched: HMAC (with the public key as the secret,
    // the classic confusion), `none`, and an allowed algorithm of the wrong family.
    for alg in ["HS256", "none"] {
        let mut swapped = header.clone();
        swapped["alg"] = json!(alg);
        let forged = format!("{}.{}.{}", b64(&swapped), parts[1], parts[2]);
        assert_eq!(
            rejection(&validator, &forged).await,
            TokenRejection::UnsupportedAlgorithm,
            "{alg}"
        );
    }
    let mut swapped = header.clone();
    swapped["alg"] = json!("ES256");
    let forged = format!("{}.{}.{}", b64(&swapped), parts[1], parts[2]);
    assert_eq!(
        rejection(&validator, &forged).await,
        TokenRejection::UnsupportedAlgorithm
    );
    // An unknown critical header extension.
    let mut critical = header.clone();
    critical["crit"] = json!(["exp-ext"]);
    critical["exp-ext"] = json!(1);
    let forged = format!("{}.{}.{}", b64(&critical), parts[1], parts[2]);
    assert!(matches!(
        rejection(&validator, &forged).await,
        TokenRejection::Malformed(_)
    ));
    // A signature cut short, or missing.
    let short = &token[..token.len() - 20];
    assert!(validator.validate(short).await.is_err());
    let unsigned = format!("{}.{}.", parts[0], parts[1]);
    assert!(matches!(
        rejection(&validator, &unsigned).await,
        TokenRejection::Malformed(_)
    ));
}

#[tokio::test]
async fn keys_rotated_in_at_the_authorization_server_are_followed() {
    let Some(mut server) = AuthServer::start().await else {
        return;
    };
    // Refetches allowed at once, so that the test needs no waiting.
    let follows = TokenValidator::new(
        server
            .config()
            .with_jwks_min_refresh_interval(Duration::ZERO),
    )
    .unwrap();
    // The default interval (10 s): a second fetch within it is refused.
    let limited = server.validator();
    let first = server.token(&[]).await;
    assert!(follows.validate(&first).await.is_ok());
    assert!(limited.validate(&first).await.is_ok());
    let fetched = server.jwks_requests().await;
    assert_eq!(fetched, 2, "one fetch per validator");

    // A new key; the old one stays published.
    let rotated = server.command("rotate").await;
    assert_eq!(rotated["published"].as_array().unwrap().len(), 2);
    let second = server.token(&[]).await;
    assert!(
        follows.validate(&second).await.is_ok(),
        "fetched again on the unknown kid"
    );
    assert!(
        follows.validate(&first).await.is_ok(),
        "the old key is still published"
    );
    assert_eq!(server.jwks_requests().await, fetched + 1);
    assert_eq!(
        rejection(&limited, &second).await,
        TokenRejection::UnknownKey,
        "within the refresh interval the key set is not fetched again"
    );
    assert_eq!(server.jwks_requests().await, fetched + 1);

    // An EC key replaces every other: the old tokens stop verifying once the set is fetched.
    let rotated = server.command("rotate ES256 drop").await;
    assert_eq!(rotated["alg"], "ES256");
    assert_eq!(rotated["published"].as_array().unwrap().len(), 1);
    let third = server.token(&[]).await;
    assert!(follows.validate(&third).await.is_ok());
    assert_eq!(
        rejection(&follows, &first).await,
        TokenRejection::UnknownKey
    );
    assert_eq!(
        rejection(&follows, &second).await,
        TokenRejection::UnknownKey
    );
    // ES256 only if allowed.
    let rsa_only = TokenValidator::new(
        server
            .config()
            .with_allowed_algorithms(vec![SigningAlgorithm::RS256]),
    )
    .unwrap();
    assert_eq!(
        rejection(&rsa_only, &third).await,
        TokenRejection::UnsupportedAlgorithm
    );
}

#[tokio::test]
async fn withdrawn_keys_stop_being_accepted_when_the_cache_ages() {
    let Some(mut server) = AuthServer::start().await else {
        return;
    };
    let validator = TokenValidator::new(
        server
            .config()
            .with_jwks_max_age(Duration::from_millis(1500))
            .with_jwks_min_refresh_interval(Duration::ZERO),
    )
    .unwrap();
    let token = server.token(&[]).await;
    assert!(validator.validate(&token).await.is_ok());
    // (An EC key: generated in milliseconds, well within the cache's age.)
    server.command("rotate ES256 drop").await;
    // Still cached, so still accepted…
    assert!(validator.validate(&token).await.is_ok());
    tokio::time::sleep(Duration::from_millis(1600)).await;
    // …until the cache is old enough to be fetched again.
    assert_eq!(
        rejection(&validator, &token).await,
        TokenRejection::UnknownKey
    );
}

#[tokio::test]
async fn unavailable_keys_are_a_distinct_failure() {
    let Some(mut server) = AuthServer::start().await else {
        return;
    };
    let token = server.token(&[]).await;
    let cached = TokenValidator::new(
        server
            .config()
            .with_jwks_max_age(Duration::ZERO)
            .with_jwks_min_refresh_interval(Duration::ZERO),
    )
    .unwrap();
    assert!(cached.validate(&token).await.is_ok());
    server.command("jwks-fail on").await;
    let fresh = server.validator();
    let unavailable = rejection(&fresh, &token).await;
    let TokenRejection::KeysUnavailable(reason) = &unavailable else {
        panic!("{unavailable:?}")
    };
    assert!(
        reason.contains("/jwks") && reason.contains("400"),
        "{reason}"
    );
    assert!(!reason.contains(&token));
    assert_eq!(unavailable.http_status(), 503);
    // Keys fetched before stay in use while the authorization server fails.
    assert!(cached.validate(&token).await.is_ok());
    server.command("jwks-fail off").await;
    // The fresh validator waits out the refresh interval before asking again.
    assert!(matches!(
        rejection(&fresh, &token).await,
        TokenRejection::KeysUnavailable(_)
    ));
}

#[tokio::test]
async fn garbage_is_refused_without_panic_and_without_flooding_the_server() {
    let Some(mut server) = AuthServer::start().await else {
        return;
    };
    let validator = server.validator();
    let token = server.token(&[]).await;
    assert!(validator.validate(&token).await.is_ok());
    let fetched = server.jwks_requests().await;
    let (header, payload) = token.rsplit_once('.').unwrap().0.split_once('.').unwrap();
    let mut garbage = vec![
        String::new(),
        " ".to_owned(),
        "Bearer".to_owned(),
        "null".to_owned(),
        "{}".to_owned(),
        "....".to_owned(),
        "a.b.c".to_owned(),
        "\u{0}\u{1}.\u{2}.\u{3}".to_owned(),
        "🦀.🦀.🦀".to_owned(),
        format!("{header}.{payload}"),
        format!("{header}.{payload}.{payload}"),
        format!("{header}.{header}.{header}"),
        format!("{payload}.{payload}.{payload}"),
        format!("{token}.{token}"),
        format!("{token}="),
        format!("+{token}"),
        "x".repeat(MAX_TOKEN_BYTES + 1),
        format!("{header}.{}.sig", "A".repeat(1_000_000)),
    ];
    // Every prefix of a real token.
    garbage.extend(
        (0..token.len())
            .step_by(7)
            .map(|end| token[..end].to_owned()),
    );
    for bad in &garbage {
        let rejection = validator.validate(bad).await.unwrap_err();
        assert!(rejection.is_token_fault(), "{rejection:?}");
        assert!(!rejection.to_string().contains(&token));
    }
    // Well-formed tokens naming made-up keys: the key set is fetched at most once more.
    use base64::Engine;
    let b64 = |text: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    for n in 0..50 {
        let forged = format!(
            "{}.{payload}.c2lnbmF0dXJl",
            b64(format!(r#"{{"alg":"RS256","kid":"made-up-{n}"}}"#))
        );
        assert_eq!(
            rejection(&validator, &forged).await,
            TokenRejection::UnknownKey
        );
    }
    assert!(server.jwks_requests().await <= fetched + 1);
}

#[test]
fn protected_resource_metadata_is_exact() {
    let document = protected_resource_metadata(
        "https://mcp.example/mcp",
        &[
            "https://auth.example".to_owned(),
            "https://auth2.example/tenant".to_owned(),
        ],
        &["matomo:read".to_owned(), "matomo:write".to_owned()],
    );
    assert_eq!(
        document,
        json!({
            "resource": "https://mcp.example/mcp",
            "authorization_servers": ["https://auth.example", "https://auth2.example/tenant"],
            "scopes_supported": ["matomo:read", "matomo:write"],
            "bearer_methods_supported": ["header"],
        })
    );
    assert_eq!(
        protected_resource_metadata(
            "https://mcp.example/mcp",
            &["https://auth.example".to_owned()],
            &[]
        ),
        json!({
            "resource": "https://mcp.example/mcp",
            "authorization_servers": ["https://auth.example"],
            "bearer_methods_supported": ["header"],
        })
    );
    assert_eq!(
        protected_resource_metadata_url(&Url::parse("https://mcp.example/mcp").unwrap())
            .unwrap()
            .as_str(),
        "https://mcp.example/.well-known/oauth-protected-resource/mcp"
    );
}

#[test]
fn www_authenticate_is_exact() {
    let metadata =
        Url::parse("https://mcp.example/.well-known/oauth-protected-resource/mcp").unwrap();
    assert_eq!(
        www_authenticate(&metadata, Challenge::NoToken),
        r#"Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp""#
    );
    assert_eq!(
        www_authenticate(
            &metadata,
            Challenge::InvalidToken(&TokenRejection::WrongAudience)
        ),
        r#"Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="the access token is meant for another resource""#
    );
    assert_eq!(
        www_authenticate(
            &metadata,
            Challenge::InvalidToken(&TokenRejection::KeysUnavailable(
                "GET https://as.example/jwks: \"HTTP 500\"".to_owned()
            ))
        ),
        r#"Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="the signing keys of the authorization server are unavailable; try again later""#
    );
    assert_eq!(
        www_authenticate(
            &metadata,
            Challenge::InsufficientScope(&["matomo:read".to_owned(), "matomo:write".to_owned()])
        ),
        r#"Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp", error="insufficient_scope", scope="matomo:read matomo:write", error_description="the access token lacks a scope this request needs""#
    );
}
