//! The audit log and the output guards, through the toolbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use matomo_privacy_mcp_core::audit::{
    AuditError, AuditRecord, AuditSink, CallOrigin, ClientInfo, JsonLinesAudit, Outcome,
};
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::tool::SecretGuard;
use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, Toolbox, matomo_tool};
use serde_json::{Value, json};

const TOKEN: &str = "0badc0de0badc0de0badc0de0badc0de";

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Args {
    #[allow(dead_code)]
    site: u32,
    #[allow(dead_code)]
    period: String,
    #[allow(dead_code)]
    date: String,
    #[allow(dead_code)]
    segment: Option<String>,
    echo: Option<String>,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Row {
    #[privacy(aggregate)]
    label: String,
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Report {
    rows: Vec<Row>,
    #[privacy(aggregate)]
    suppressed_rows: u64,
}

/// Echoes text into a report, to test what leaves the toolbox.
#[matomo_tool]
async fn echo(args: Args) -> Result<Report, ToolError> {
    match args.echo.as_deref() {
        Some("fail") => Err(ToolError::upstream(format!(
            "Matomo said token_auth={TOKEN}"
        ))),
        Some(text) => Ok(Report {
            rows: vec![Row {
                label: text.to_owned(),
            }],
            suppressed_rows: 2,
        }),
        None => Ok(Report {
            rows: vec![],
            suppressed_rows: 0,
        }),
    }
}

#[derive(Default)]
struct Memory(Mutex<Vec<AuditRecord>>);

impl AuditSink for Memory {
    fn record(&self, record: &AuditRecord) -> Result<(), AuditError> {
        self.0.lock().unwrap().push(record.clone());
        Ok(())
    }
}

fn args(echo: &str) -> Value {
    json!({ "site": 1, "period": "day", "date": "yesterday", "segment": "userId==jane@example.com", "echo": echo })
}

#[tokio::test]
async fn results_holding_the_token_are_withheld_without_repeating_it() {
    let toolbox = Toolbox::new()
        .with_guard(SecretGuard::new(TOKEN))
        .tool(EchoTool);
    for echo in [
        format!("https://matomo.example/index.php?token_auth={TOKEN}"),
        format!("label {TOKEN} label"),
        "fail".to_owned(),
    ] {
        let result = toolbox.call("echo", Some(args(&echo))).await.unwrap();
        assert!(result.is_error(), "{echo}");
        assert!(
            result
                .text()
                .starts_with("refused by privacy policy: the result contained a configured secret")
        );
        assert!(!result.to_json().to_string().contains(TOKEN));
    }
    testing::answered(&toolbox, "echo", args("/checkout")).await;
}

#[tokio::test]
async fn percent_encoded_secrets_are_caught_too() {
    let guard = SecretGuard::new("abc def/ghi+jkl");
    let toolbox = Toolbox::new().with_guard(guard).tool(EchoTool);
    let result = toolbox
        .call("echo", Some(args("x?token_auth=abc%20def%2Fghi%2Bjkl")))
        .await
        .unwrap();
    assert!(result.is_error());
}

#[tokio::test]
async fn every_call_is_audited_with_names_but_no_values() {
    let memory = Arc::new(Memory::default());
    let toolbox = Toolbox::new().with_audit(memory.clone()).tool(EchoTool);
    let origin = CallOrigin {
        request_id: "42".into(),
        client: Some(ClientInfo {
            name: "test-client".into(),
            version: "1.0".into(),
        }),
        profile: Some("marketing".into()),
    };
    toolbox
        .call_with("echo", Some(args("/checkout")), &origin)
        .await
        .unwrap();
    toolbox
        .call("echo", Some(json!({ "site": "x" })))
        .await
        .unwrap();
    toolbox.call("nope", None).await.unwrap_err();

    let records = memory.0.lock().unwrap().clone();
    assert_eq!(records.len(), 3);
    let ok = &records[0];
    assert_eq!(ok.request_id, "42");
    assert_eq!(ok.client.as_ref().unwrap().name, "test-client");
    assert_eq!(ok.profile.as_deref(), Some("marketing"));
    assert_eq!(records[1].profile, None);
    assert_eq!(ok.tool, "echo");
    assert_eq!(ok.sites, [1]);
    assert_eq!(ok.period.as_deref(), Some("day"));
    assert_eq!(ok.date.as_deref(), Some("yesterday"));
    assert_eq!(ok.segment_dimensions, ["userId"]);
    assert_eq!(ok.class_exposed, Some(PrivacyClass::Aggregate));
    assert_eq!((ok.rows_returned, ok.rows_suppressed), (Some(1), Some(2)));
    assert_eq!(ok.outcome, Outcome::Ok);
    assert!(ok.timestamp.ends_with('Z') && ok.timestamp.len() == 24);
    assert_eq!(records[1].outcome, Outcome::InvalidArguments);
    assert_eq!(records[2].outcome, Outcome::UnknownTool);

    let log = serde_json::to_string(&records).unwrap();
    assert!(
        !log.contains("jane@example.com"),
        "segment values must not be logged"
    );
    assert!(
        !log.contains("/checkout"),
        "result values must not be logged"
    );
}

#[tokio::test]
async fn json_lines_file_gets_one_line_per_call() {
    let path = testing::temp_path("audit.jsonl");
    let sink = Arc::new(JsonLinesAudit::to_file(&path).unwrap());
    assert_eq!(sink.describe(), path.display().to_string());
    let toolbox = Toolbox::new()
        .with_audit(sink)
        .with_guard(SecretGuard::new(TOKEN))
        .tool(EchoTool);
    toolbox.call("echo", Some(args("/a"))).await.unwrap();
    toolbox.call("echo", Some(args("fail"))).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["outcome"], "ok");
    assert_eq!(lines[1]["outcome"], "policy_refusal");
    assert!(!text.contains(TOKEN));
}

struct Broken;

impl AuditSink for Broken {
    fn record(&self, _: &AuditRecord) -> Result<(), AuditError> {
        JsonLinesAudit::to_file("/nonexistent-dir/audit.jsonl").map(|_| ())
    }
}

#[tokio::test]
async fn a_result_that_cannot_be_audited_is_withheld() {
    let toolbox = Toolbox::new().with_audit(Arc::new(Broken)).tool(EchoTool);
    let refused = testing::refused(&toolbox, "echo", args("/a")).await;
    assert!(
        refused.contains("the audit log `/nonexistent-dir/audit.jsonl` could not be written"),
        "{refused}"
    );
    assert!(refused.ends_with("the result was withheld"));
}
