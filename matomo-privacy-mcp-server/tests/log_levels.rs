//! With `RUST_LOG=debug` (as docs/clients.md suggests for debugging), the logs carry no tool
//! argument value and no result data: a planted segment value and a label of the answer are
//! nowhere in them. The MCP SDK logs whole messages at debug, so `log_filter` holds it at warn.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Captured;

use common::{RawClient, start_with, test_config};
use matomo_privacy_mcp_core::testing::{self, TOKEN as MATOMO_TOKEN};
use matomo_privacy_mcp_tools as tools;
use serde_json::json;

#[tokio::test]
async fn debug_logs_carry_no_argument_values_and_no_results() {
    let captured = Captured::install(matomo_privacy_mcp_server::log_filter(Some("debug")));

    let emu = testing::emulator(11, &[1, 2]).await;
    let deployment = common::emulated::deployment(&emu.base_url(), MATOMO_TOKEN, None).await;
    let toolbox = tools::toolbox(deployment, |_| true).unwrap();
    let server = start_with(toolbox, test_config()).await;
    let mut client = RawClient::connected(&server.url).await;

    let planted = "plantedsegmentvalue4711";
    let countries = |segment: String| json!({ "site": 1, "period": "month", "date": "2026-11-20", "segment": segment });
    let refused = client
        .call("countries", countries(format!("userId=={planted}")))
        .await;
    assert_eq!(refused.status, 200);
    let answered = client
        .call("countries", countries(format!("countryCode!={planted}")))
        .await;
    let result = &answered.message.unwrap()["result"];
    let label = result["structuredContent"]["rows"][0]["label"]
        .as_str()
        .unwrap()
        .to_owned();

    let logs = captured.after_shutdown(server).await;
    // Debug logs were on: our own crates' are there (Matomo requests, by method only).
    assert!(
        logs.contains("DEBUG"),
        "no debug line was captured:\n{logs}"
    );
    assert!(
        !logs.contains(planted),
        "a segment value was logged:\n{logs}"
    );
    assert!(
        !logs.contains(&label),
        "a result label `{label}` was logged:\n{logs}"
    );
    assert!(!logs.contains(MATOMO_TOKEN));
}
