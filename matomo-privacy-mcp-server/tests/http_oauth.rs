//! The HTTP server as an OAuth 2.1 resource server, against a real authorization server
//! (`oauth2-mock-server`, started by the test on loopback): Protected Resource Metadata without
//! authentication, `WWW-Authenticate` with `resource_metadata` on 401, valid tokens served as the
//! profile their scope names, expired / wrong-audience / wrong-issuer / tampered tokens refused
//! with 401 `invalid_token`, a token without a granted scope refused with 403
//! `insufficient_scope`, and the provider's key rotation followed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::oauth_as::{AuthServer, RESOURCE, now};
use common::tools::{AddTool, TopCountriesTool};
use common::{CollectingAudit, RawClient};
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_server::{
    BearerToken, HttpConfig, HttpServer, OAuthConfig, OAuthMatch, Profile, Profiles, ServerInfo,
};
use serde_json::json;

const SUPPORT: &str = "support-token-0123456789abcdef";
const METADATA: &str = "https://mcp.example/.well-known/oauth-protected-resource/mcp";

struct Served {
    url: String,
    base: String,
    audit: Arc<CollectingAudit>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn serve(auth: &AuthServer) -> Served {
    let audit = Arc::new(CollectingAudit::default());
    let profiles = Profiles::new()
        .with(
            Profile::new(
                "marketing",
                Toolbox::new()
                    .with_audit(audit.clone())
                    .tool(TopCountriesTool),
            )
            .oauth(OAuthMatch::Scope("matomo:marketing".to_owned())),
        )
        .with(
            Profile::new(
                "support",
                Toolbox::new().with_audit(audit.clone()).tool(AddTool),
            )
            .bearer_token(BearerToken::new(SUPPORT))
            .oauth(OAuthMatch::ClientId("support-desk".to_owned())),
        );
    let config = HttpConfig::default()
        .with_bind("127.0.0.1:0".parse().unwrap())
        .with_oauth(
            // Keys are fetched again at most once a second here (10 s by default), so that the
            // rotation below is followed without a long wait.
            OAuthConfig::new(auth.issuer.clone(), RESOURCE)
                .with_jwks_min_refresh_interval(std::time::Duration::from_secs(1)),
        );
    let server = HttpServer::bind_profiles(profiles, ServerInfo::new("oauth-test", "1"), config)
        .await
        .unwrap();
    let url = server.url();
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));
    Served {
        url,
        base,
        audit,
        _stop: stop,
    }
}

fn client(url: &str, token: &str) -> RawClient {
    let mut client = RawClient::new(url);
    client.token = token.to_owned();
    client
}

/// Status and `WWW-Authenticate` of an `initialize` with `token`.
async fn refusal(url: &str, token: &str) -> (u16, String) {
    let client = client(url, token);
    let reply = client
        .send(client.post().json(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": { "protocolVersion": "2025-11-25", "capabilities": {},
                        "clientInfo": { "name": "t", "version": "1" } }
        })))
        .await;
    let challenge = reply
        .headers
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (reply.status.as_u16(), challenge)
}

/// The JSON document at `url`.
async fn get_json(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn metadata_and_challenges_tell_a_client_where_to_get_a_token() {
    let Some(auth) = AuthServer::start().await else {
        return;
    };
    let served = serve(&auth).await;
    let metadata = get_json(&format!(
        "{}/.well-known/oauth-protected-resource/mcp",
        served.base
    ))
    .await;
    assert_eq!(metadata["resource"], RESOURCE);
    assert_eq!(metadata["authorization_servers"], json!([auth.issuer]));
    assert_eq!(metadata["scopes_supported"], json!(["matomo:marketing"]));
    let at_root = get_json(&format!(
        "{}/.well-known/oauth-protected-resource",
        served.base
    ))
    .await;
    assert_eq!(at_root, metadata);

    let no_token = reqwest::Client::new()
        .post(&served.url)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(
        no_token.headers()["www-authenticate"],
        format!("Bearer resource_metadata=\"{METADATA}\"").as_str()
    );
}

#[tokio::test]
async fn a_valid_token_is_served_as_the_profile_its_scope_or_client_names() {
    let Some(auth) = AuthServer::start().await else {
        return;
    };
    let served = serve(&auth).await;
    let token = auth.token(&[("scope", "matomo:marketing")]).await;
    let mut marketing = client(&served.url, &token);
    marketing.initialize().await;
    let tools = marketing.request("tools/list", json!({})).await;
    let tools = tools.message.unwrap()["result"]["tools"].clone();
    assert_eq!(tools[0]["name"], "top_countries", "{tools}");
    assert_eq!(tools.as_array().unwrap().len(), 1);
    let call = marketing.call("top_countries", json!({ "limit": 2 })).await;
    assert!(call.message.unwrap()["result"]["structuredContent"].is_object());

    // By client id: the support desk's client gets the support profile.
    let token = auth
        .token(&[("scope", "openid"), ("client_id", "support-desk")])
        .await;
    let mut support = client(&served.url, &token);
    support.initialize().await;
    let tools = support.request("tools/list", json!({})).await;
    assert_eq!(tools.message.unwrap()["result"]["tools"][0]["name"], "add");
    // The profile's bearer token keeps working beside OAuth.
    let mut by_bearer = client(&served.url, SUPPORT);
    by_bearer.initialize().await;

    let records = served.audit.0.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].profile.as_deref(), Some("marketing"));
    // Neither the access token nor any claim reaches the audit log.
    let log = serde_json::to_string(&records).unwrap();
    assert!(!log.contains("support-desk") && !log.contains(&token[..20]));
}

#[tokio::test]
async fn bad_tokens_are_refused_with_the_right_status_and_challenge() {
    let Some(mut auth) = AuthServer::start().await else {
        return;
    };
    let served = serve(&auth).await;
    let invalid = |challenge: &str| {
        challenge.starts_with(&format!("Bearer resource_metadata=\"{METADATA}\""))
            && challenge.contains("error=\"invalid_token\"")
    };

    let expired = auth
        .token(&[
            ("scope", "matomo:marketing"),
            ("test_claims", &json!({ "exp": now() - 600 }).to_string()),
        ])
        .await;
    let (status, challenge) = refusal(&served.url, &expired).await;
    assert_eq!(status, 401);
    assert!(
        invalid(&challenge) && challenge.contains("expired"),
        "{challenge}"
    );

    let elsewhere = auth
        .token(&[
            ("scope", "matomo:marketing"),
            ("aud", "https://other.example/mcp"),
        ])
        .await;
    let (status, challenge) = refusal(&served.url, &elsewhere).await;
    assert_eq!(status, 401);
    assert!(invalid(&challenge), "{challenge}");

    let foreign = auth
        .token(&[
            ("scope", "matomo:marketing"),
            (
                "test_claims",
                &json!({ "iss": "https://evil.example" }).to_string(),
            ),
        ])
        .await;
    let (status, challenge) = refusal(&served.url, &foreign).await;
    assert_eq!(status, 401);
    assert!(invalid(&challenge), "{challenge}");

    let good = auth.token(&[("scope", "matomo:marketing")]).await;
    let start = good.rfind('.').unwrap() + 10;
    let mut tampered = good.clone().into_bytes();
    tampered[start] = if tampered[start] == b'A' { b'B' } else { b'A' };
    let (status, challenge) = refusal(&served.url, &String::from_utf8(tampered).unwrap()).await;
    assert_eq!(status, 401);
    assert!(invalid(&challenge), "{challenge}");

    let unscoped = auth.token(&[("scope", "matomo:finance")]).await;
    let (status, challenge) = refusal(&served.url, &unscoped).await;
    assert_eq!(status, 403);
    assert!(
        challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"matomo:marketing\""),
        "{challenge}"
    );

    // The provider rotates its signing key: tokens signed with the new key are accepted once
    // the keys may be fetched again (at most the refresh interval after the last fetch).
    auth.command("rotate RS256 drop").await;
    let rotated = auth.token(&[("scope", "matomo:marketing")]).await;
    let rotated_at = std::time::Instant::now();
    loop {
        let (status, challenge) = refusal(&served.url, &rotated).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 401, "{challenge}");
        assert!(
            rotated_at.elapsed() < std::time::Duration::from_secs(3),
            "the rotated key is still refused: {challenge}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
