//! Arbitrary bytes as JSON-RPC lines to the MCP server (`serve_io` over in-memory pipes), after a
//! well-formed `initialize`: the server never panics or hangs, and everything it writes is a
//! well-formed JSON-RPC 2.0 message; it either keeps serving or ends with a clean error.
#![no_main]

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use matomo_privacy_mcp_core::{Classified, ToolError, Toolbox, matomo_tool};
use matomo_privacy_mcp_server::{ServerInfo, serve_io};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    site: u32,
    #[serde(default)]
    segment: Option<String>,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Summary {
    #[privacy(aggregate)]
    nb_visits: u64,
}

/// Visits of a site; refuses segments outside aggregate dimensions.
#[matomo_tool]
async fn visits(args: Args) -> Result<Summary, ToolError> {
    if let Some(segment) = &args.segment {
        matomo_privacy_mcp_core::policy::parse_and_check_segment(
            segment,
            matomo_privacy_mcp_core::PrivacyClass::Aggregate,
            matomo_privacy_mcp_core::PrivacyClass::Aggregate,
        )?;
    }
    Ok(Summary {
        nb_visits: u64::from(args.site) * 3,
    })
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
});

static TOOLBOX: LazyLock<Arc<Toolbox>> =
    LazyLock::new(|| Arc::new(Toolbox::new().tool(VisitsTool)));

const INITIALIZE: &str = concat!(
    r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","#,
    r#""capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}"#,
    "\n",
    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    "\n"
);

fuzz_target!(|data: &[u8]| {
    RUNTIME.block_on(async {
        let (client, server) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server);
        let info = ServerInfo::new("fuzz", "0");
        let serving = tokio::spawn(serve_io(TOOLBOX.clone(), info, server_read, server_write));
        let (client_read, mut client_write) = tokio::io::split(client);
        let writing = async move {
            let _ = client_write.write_all(INITIALIZE.as_bytes()).await;
            let _ = client_write.write_all(data).await;
            let _ = client_write.write_all(b"\n").await;
            let _ = client_write.shutdown().await;
        };
        let reading = async move {
            let mut lines = BufReader::new(client_read).lines();
            let mut out = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                out.push(line);
            }
            out
        };
        let (_, lines) = tokio::time::timeout(Duration::from_secs(5), async {
            tokio::join!(writing, reading)
        })
        .await
        .expect("the server neither answered nor closed within 5 s");
        for line in &lines {
            let message: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            let is_response = message.get("result").is_some() || message.get("error").is_some();
            let is_request = message.get("method").is_some();
            assert!(
                is_response || is_request,
                "neither a response nor a request: {line}"
            );
            if let Some(error) = message.get("error") {
                assert!(
                    error["code"].is_i64() && error["message"].is_string(),
                    "{line}"
                );
            }
        }
        // The answer to `initialize` (id 0) is the first answer with that id: the server answers
        // requests in order, while a parse error for a line that is not JSON (id null) may come
        // before it, since the line filter answers it at once.
        let first: Value = lines
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|message| message["id"] == 0)
            .expect("no initialize answer");
        assert!(
            first["result"]["serverInfo"].is_object(),
            "initialize failed: {first}"
        );
        // The session ends when input ends: cleanly or with an error, never a panic.
        match tokio::time::timeout(Duration::from_secs(5), serving).await {
            Ok(Ok(_)) => {}
            Ok(Err(join)) => panic!("the server task failed: {join}"),
            Err(_) => panic!("the server did not stop after its input closed"),
        }
    });
});
