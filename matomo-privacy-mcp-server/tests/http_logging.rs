//! Bearer tokens never reach the logs, even with every log level switched on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Captured;

use common::{RawClient, TOKEN, start};
use serde_json::json;

#[tokio::test]
async fn tokens_are_never_logged_at_any_level() {
    // Every level of every crate.
    let captured = Captured::install(tracing_subscriber::EnvFilter::new("trace"));

    let wrong = "wrong-secret-ABCDEFGHIJKLMNOP";
    let server = start().await;
    let mut client = RawClient::new(&server.url);
    client.token = wrong.to_owned();
    let refused = client.request("tools/list", json!({})).await;
    assert_eq!(refused.status, 401);

    client.token = TOKEN.to_owned();
    client.initialize().await;
    let reply = client.call("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(reply.status, 200);

    let logs = captured.after_shutdown(server).await;
    assert!(
        logs.contains("refused HTTP request"),
        "the refusal was not logged:\n{logs}"
    );
    assert!(!logs.contains(TOKEN), "the bearer token was logged");
    assert!(!logs.contains(wrong), "a presented token was logged");
}
