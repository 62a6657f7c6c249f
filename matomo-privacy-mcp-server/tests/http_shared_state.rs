//! Three HTTP replicas sharing one real `redis-server`: a profile's rate limit holds for the
//! replicas together (429 on whichever replica the call beyond it reaches), and while Redis is
//! down calls of a rate-limited profile get 503 rather than going uncounted, until it is back.
#![cfg(feature = "redis")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::RawClient;
use common::tools::AddTool;
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::shared::{SharedState, SharedStateConfig};
use matomo_privacy_mcp_server::{BearerToken, HttpConfig, Profile, Profiles, RateLimit};
use matomo_privacy_mcp_testkit::redis::RedisServer;
use matomo_privacy_mcp_testkit::redis_or_skip;
use serde_json::json;

const TOKEN: &str = "support-token-0123456789abcdef";

async fn replica(redis: &RedisServer) -> (String, tokio::sync::oneshot::Sender<()>) {
    let shared = SharedState::connect(
        SharedStateConfig::new(redis.url_without_password())
            .password(redis.password())
            .prefix("http-test:")
            .timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let profiles = Profiles::new().with(
        Profile::new("support", Toolbox::new().tool(AddTool))
            .bearer_token(BearerToken::new(TOKEN))
            .rate_limit(RateLimit::per_minute(6).burst(4)),
    );
    let config = HttpConfig::default()
        .with_bind("127.0.0.1:0".parse().unwrap())
        .with_shared_state(shared);
    common::start_profiles(profiles, "replica", config).await
}

async fn session(url: &str) -> RawClient {
    let mut client = RawClient::new(url);
    client.token = TOKEN.to_owned();
    client.initialize().await;
    client
}

#[tokio::test]
async fn a_rate_limit_holds_across_three_replicas_and_fails_closed_without_redis() {
    let mut redis =
        redis_or_skip!("a_rate_limit_holds_across_three_replicas_and_fails_closed_without_redis");
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(replica(&redis).await);
    }
    let mut clients = Vec::new();
    for (url, _) in &replicas {
        clients.push(session(url).await);
    }
    let add = json!({ "name": "add", "arguments": { "a": 1, "b": 1 } });
    // A burst of 4 for the three replicas together: calls 1 to 4 pass, round robin; the 5th and
    // 6th are refused wherever they land.
    let mut statuses = Vec::new();
    for i in 0..6 {
        let reply = clients[i % 3].request("tools/call", add.clone()).await;
        statuses.push(reply.status);
        if reply.status == 429 {
            let error = &reply.message.unwrap()["error"];
            assert_eq!(error["code"], -32029, "{error}");
            assert!(reply.headers.contains_key("retry-after"));
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);

    // Redis down: the limit cannot be counted, so calls are refused (503), not let through.
    redis.stop();
    let reply = clients[0].request("tools/call", add.clone()).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    let error = &reply.message.unwrap()["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("cannot be reached"),
        "{error}"
    );
    // Listing is not a call and keeps working.
    assert_eq!(
        clients[1].request("tools/list", json!({})).await.status,
        200
    );

    // Back (empty: nothing persisted), and counting again without a restart.
    redis.resume().unwrap();
    let mut status = reqwest::StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..30 {
        status = clients[2].request("tools/call", add.clone()).await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    for (_, stop) in replicas {
        let _ = stop.send(());
    }
}
