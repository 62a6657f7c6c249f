//! Client profiles over HTTP and stdio: each credential gets its own profile's tools, sessions do
//! not cross profiles, a token file is re-read when it changes, rate limits answer 429 with
//! `Retry-After` (a JSON-RPC error on stdio), a suspended profile says why, and the audit log
//! names the profile of every call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::tools::{AddTool, SlowTool, TopCountriesTool};
use common::{CollectingAudit, RawClient};
use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_server::{
    BearerToken, HttpConfig, HttpServer, Profile, Profiles, RateLimit, ServerInfo,
    TOKEN_FILE_RECHECK, serve_profile_io,
};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const MARKETING: &str = "marketing-token-0123456789abcdef";
const SUPPORT: &str = "support-token-0123456789abcdef";

struct Server {
    url: String,
    stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(profiles: Profiles<()>) -> Server {
    let config = HttpConfig::default().with_bind("127.0.0.1:0".parse().unwrap());
    let (url, stop) = common::start_profiles(profiles, "profiles-test", config).await;
    Server { url, stop }
}

fn client(url: &str, token: &str) -> RawClient {
    let mut client = RawClient::new(url);
    client.token = token.to_owned();
    client
}

fn two_profiles(audit: Arc<CollectingAudit>) -> Profiles<()> {
    let marketing = Toolbox::new()
        .with_audit(audit.clone())
        .tool(TopCountriesTool);
    let support = Toolbox::new()
        .with_audit(audit)
        .tool(AddTool)
        .tool(SlowTool);
    Profiles::new()
        .with(Profile::new("marketing", marketing).bearer_token(BearerToken::new(MARKETING)))
        .with(Profile::new("support", support).bearer_token(BearerToken::new(SUPPORT)))
}

#[tokio::test]
async fn each_token_gets_its_own_profiles_tools_and_the_audit_log_names_it() {
    let audit = Arc::new(CollectingAudit::default());
    let server = start(two_profiles(audit.clone())).await;

    let mut marketing = client(&server.url, MARKETING);
    marketing.initialize().await;
    assert_eq!(marketing.tool_names().await, ["top_countries"]);
    let mut support = client(&server.url, SUPPORT);
    support.initialize().await;
    assert_eq!(support.tool_names().await, ["add", "slow"]);

    // A tool of the other profile does not exist for this one.
    let call = marketing.call("add", json!({ "a": 1, "b": 2 })).await;
    let message = call.message.unwrap();
    assert!(message["error"].is_object(), "{message}");
    let ok = support.call("add", json!({ "a": 1, "b": 2 })).await;
    assert_eq!(ok.message.unwrap()["result"]["structuredContent"]["sum"], 3);
    let ok = marketing.call("top_countries", json!({ "limit": 1 })).await;
    assert!(ok.message.unwrap()["result"]["structuredContent"].is_object());

    let records = audit.0.lock().unwrap().clone();
    let by_tool = |tool: &str| {
        records
            .iter()
            .filter(|r| r.tool == tool)
            .map(|r| (r.profile.clone().unwrap_or_default(), r.outcome))
            .collect::<Vec<_>>()
    };
    use matomo_privacy_mcp_core::audit::Outcome;
    assert_eq!(
        by_tool("add"),
        [
            ("marketing".to_owned(), Outcome::UnknownTool),
            ("support".to_owned(), Outcome::Ok)
        ]
    );
    assert_eq!(
        by_tool("top_countries"),
        [("marketing".to_owned(), Outcome::Ok)]
    );
    let _ = server.stop.send(());
}

#[tokio::test]
async fn a_session_is_not_found_by_another_profile() {
    let server = start(two_profiles(Arc::new(CollectingAudit::default()))).await;
    let mut marketing = client(&server.url, MARKETING);
    marketing.initialize().await;
    let mut intruder = client(&server.url, SUPPORT);
    intruder.session = marketing.session.clone();
    let reply = intruder.request("tools/list", json!({})).await;
    assert_eq!(reply.status, 404, "{}", reply.text);
    let delete = intruder
        .send(intruder.http.delete(&intruder.url).headers({
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                "authorization",
                format!("Bearer {SUPPORT}").parse().unwrap(),
            );
            headers.insert(
                "mcp-session-id",
                marketing.session.clone().unwrap().parse().unwrap(),
            );
            headers
        }))
        .await;
    assert_eq!(delete.status, 404);
    // The owner still has its session.
    assert_eq!(marketing.tool_names().await, ["top_countries"]);
    let _ = server.stop.send(());
}

#[tokio::test]
async fn a_token_removed_from_its_file_stops_working_without_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-profiles-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("support-bearer");
    const OLD: &str = "old-support-token-0123456789abcdef";
    const NEW: &str = "new-support-token-0123456789abcdef";
    std::fs::write(&file, format!("# support team\n{OLD}\n")).unwrap();
    let profiles = Profiles::new()
        .with(Profile::new("support", Toolbox::new().tool(AddTool)).bearer_token_file(&file));
    let server = start(profiles).await;
    let mut old = client(&server.url, OLD);
    old.initialize().await;

    // Replaced the way operators do it: a new file moved over the old one.
    let staged = dir.join("support-bearer.new");
    std::fs::write(&staged, format!("{NEW}\n")).unwrap();
    std::fs::rename(&staged, &file).unwrap();
    let changed = Instant::now();
    let refused_after = loop {
        let reply = old.request("tools/list", json!({})).await;
        if reply.status == 401 {
            break changed.elapsed();
        }
        assert!(
            changed.elapsed() < TOKEN_FILE_RECHECK * 3,
            "the removed token still works after {:?}",
            changed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(refused_after <= TOKEN_FILE_RECHECK * 3);
    let mut new = client(&server.url, NEW);
    new.initialize().await;
    assert_eq!(new.tool_names().await, ["add"]);

    // A file that disappears accepts nothing (fail closed).
    std::fs::remove_file(&file).unwrap();
    tokio::time::sleep(TOKEN_FILE_RECHECK + Duration::from_millis(200)).await;
    assert_eq!(new.request("tools/list", json!({})).await.status, 401);
    let _ = server.stop.send(());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn calls_over_the_rate_limit_get_429_with_retry_after() {
    let profiles = Profiles::new().with(
        Profile::new("support", Toolbox::new().tool(AddTool))
            .bearer_token(BearerToken::new(SUPPORT))
            .rate_limit(RateLimit::per_minute(6).burst(2)),
    );
    let server = start(profiles).await;
    let mut support = client(&server.url, SUPPORT);
    support.initialize().await;
    let add = json!({ "name": "add", "arguments": { "a": 1, "b": 1 } });
    for _ in 0..2 {
        let reply = support.request("tools/call", add.clone()).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    // Listing is not a call: it is not limited.
    assert_eq!(support.tool_names().await, ["add"]);
    let refused = support.request("tools/call", add.clone()).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "Retry-After: {retry}");
    let error = &refused.message.unwrap()["error"];
    assert_eq!(error["code"], -32029);
    assert_eq!(error["data"]["retry_after_seconds"], retry);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("6 calls per minute"),
        "{error}"
    );
    let _ = server.stop.send(());
}

#[tokio::test]
async fn a_suspended_profile_says_why_and_serves_again_when_replaced() {
    let profile = Profile::new("support", Toolbox::new().tool(AddTool))
        .bearer_token(BearerToken::new(SUPPORT));
    let tools = profile.tools();
    let server = start(Profiles::new().with(profile)).await;
    let mut support = client(&server.url, SUPPORT);
    support.initialize().await;

    tools.suspend("its Matomo token failed the least-privilege check; fix `profiles.support.matomo_token_file`");
    assert!(!tools.is_serving());
    let reply = support.request("tools/list", json!({})).await;
    let error = reply.message.unwrap()["error"].clone();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("profile `support` serves no tools now: its Matomo token failed"),
        "{error}"
    );
    tools.replace(Toolbox::new().tool(AddTool).tool(SlowTool));
    assert_eq!(support.tool_names().await, ["add", "slow"]);
    let _ = server.stop.send(());
}

#[tokio::test]
async fn profiles_without_credentials_or_sharing_a_token_are_refused() {
    // Why the server refuses to bind `profiles`.
    let refusal = async |profiles: Profiles<_>| {
        let config = HttpConfig::default().with_bind("127.0.0.1:0".parse().unwrap());
        HttpServer::bind_profiles(profiles, ServerInfo::default(), config)
            .await
            .unwrap_err()
            .to_string()
    };
    let with_token = |name: &str, token: &str| {
        Profile::new(name, Toolbox::new()).bearer_token(BearerToken::new(token))
    };

    let bare = Profiles::new().with(Profile::new("support", Toolbox::new().tool(AddTool)));
    let error = refusal(bare).await;
    assert!(
        error.contains("profile `support` has no credential"),
        "{error}"
    );
    let shared = Profiles::new()
        .with(with_token("a", SUPPORT))
        .with(with_token("b", SUPPORT));
    let error = refusal(shared).await;
    assert!(
        error.contains("`a` and `b` share a bearer token"),
        "{error}"
    );
    assert!(!error.contains(SUPPORT));
    let twins = Profiles::new()
        .with(with_token("a", SUPPORT))
        .with(with_token("a", MARKETING));
    let error = refusal(twins).await;
    assert!(error.contains("two profiles are named `a`"), "{error}");
}

#[tokio::test]
async fn over_stdio_a_call_over_the_limit_is_a_json_rpc_error() {
    let profile = Profile::new("desktop", Toolbox::new().tool(AddTool))
        .rate_limit(RateLimit::per_minute(60).burst(1));
    let (client, server) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server);
    tokio::spawn(serve_profile_io(
        profile,
        ServerInfo::new("stdio-limit", "1"),
        server_read,
        server_write,
    ));
    let (client_read, mut client_write) = tokio::io::split(client);
    let mut lines = BufReader::new(client_read).lines();
    let mut send = async |message: Value| -> Option<Value> {
        client_write
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
        message.get("id")?;
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        Some(serde_json::from_str(&line).unwrap())
    };
    send(
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": { "name": "t", "version": "1" } } }),
    )
    .await;
    send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" })).await;
    let call = |id: u64| {
        json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": { "name": "add", "arguments": { "a": 2, "b": 2 } } })
    };
    let first = send(call(2)).await.unwrap();
    assert_eq!(first["result"]["structuredContent"]["sum"], 4, "{first}");
    let second = send(call(3)).await.unwrap();
    assert_eq!(second["error"]["code"], -32029, "{second}");
    assert_eq!(second["error"]["data"]["retry_after_seconds"], 1);
}
