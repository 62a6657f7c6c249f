//! Shared set-up of the hardening tests: an emulator, a catalogue toolbox over it with a fast,
//! strict client, and valid arguments for every built-in tool.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use matomo_privacy_mcp_core::audit::JsonLinesAudit;
use matomo_privacy_mcp_core::policy::SiteAccess;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing::{self, TestDeployment};
use matomo_privacy_mcp_core::{MatomoClient, PrivacyClass, Toolbox};
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::Value;

/// The Matomo token of every hardening test; it must show up nowhere but in request bodies.
pub const TOKEN: &str = "hard3n3d+t0ken/0123456789abc=XYZ";
/// The pseudonym key's bytes; neither they nor their hex form may show up anywhere.
pub const KEY: [u8; 32] = *b"pseudonym-key-of-the-hardening!!";
/// Per-request time limit of the test client, short so that latency faults fail fast.
pub const TIMEOUT: Duration = Duration::from_millis(400);
/// Retries after the first attempt.
pub const RETRIES: u32 = 2;
/// Response size cap of the test client.
pub const MAX_BODY: usize = 256 * 1024;

pub async fn emulator() -> Emulator {
    testing::emulator_for(TOKEN, 6, &[1, 2]).await
}

/// A client for `base_url` with the test limits.
pub fn client(base_url: &str) -> MatomoClient {
    MatomoClient::builder(base_url)
        .token(TOKEN)
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .max_retries(RETRIES)
        .retry_backoff(Duration::from_millis(5))
        .max_response_bytes(MAX_BODY)
        .build()
        .unwrap()
}

/// The site access the emulator's token gives (checked once, as `Deployment::connect` does).
pub async fn site_access(emu: &Emulator) -> SiteAccess {
    let permissions = client(&emu.base_url()).permissions().await.unwrap();
    SiteAccess::check(&permissions, false, None).unwrap()
}

/// The built-in catalogue at `ceiling`, talking to `base_url`, auditing to `audit` when given.
pub async fn toolbox(
    emu: &Emulator,
    base_url: &str,
    ceiling: PrivacyClass,
    audit: Option<&Path>,
) -> Toolbox<Deployment> {
    let toolbox = TestDeployment::over(client(base_url), TOKEN)
        .sites(site_access(emu).await)
        .threshold(2)
        .ceiling(ceiling)
        .pseudonym_key(&KEY)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    match audit {
        Some(path) => toolbox.with_audit(Arc::new(JsonLinesAudit::to_file(path).unwrap())),
        None => toolbox,
    }
}

/// Valid arguments for `tool` (one month of site 1).
pub fn arguments(tool: &str) -> Value {
    testing::tool_arguments(tool, "month", "today", 20, 5)
}

/// The longest refusal text accepted: enough to say what is wrong, too short to echo a flood.
pub const MAX_REFUSAL: usize = 700;

/// `base` with `key` set to `value`.
pub fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut args = base.clone();
    args.as_object_mut().unwrap().insert(key.to_owned(), value);
    args
}

/// Calls `tool` with its valid [`arguments`].
pub async fn call_validly<S: Send + Sync + 'static>(
    toolbox: &Toolbox<S>,
    tool: &str,
) -> matomo_privacy_mcp_core::CallToolResult {
    toolbox.call(tool, Some(arguments(tool))).await.unwrap()
}

/// Calls `tool` and checks that it refused with a text containing `needle`; collects failures.
pub async fn refused<S: Send + Sync + 'static>(
    toolbox: &Toolbox<S>,
    failures: &mut Vec<String>,
    tool: &str,
    args: Value,
    needle: &str,
) {
    let shown: String = args.to_string().chars().take(120).collect();
    let result = toolbox.call(tool, Some(args)).await.unwrap();
    let text = result.text();
    let short: String = text.chars().take(300).collect();
    if !result.is_error() {
        failures.push(format!("{tool} {shown}: accepted: {short}"));
    } else if !text.contains(needle) {
        failures.push(format!("{tool} {shown}: `{needle}` not in {short}"));
    } else if text.chars().count() > MAX_REFUSAL || text.contains(&"x".repeat(80)) {
        failures.push(format!("{tool} {shown}: echoes the input: {short}"));
    }
}

pub fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} imprecise refusals:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
