//! With a known Matomo token and pseudonym key configured, every tool, every upstream fault and
//! hostile arguments run with the audit log written to a file and tracing captured: neither secret
//! (raw, URL-encoded or hex) appears in any tool result, error text, audit line, log line or Debug output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hardening_support;
mod support;

use hardening_support::{KEY, TOKEN, arguments, client, emulator, toolbox};
use matomo_privacy_mcp_core::client::BulkRequest;
use matomo_privacy_mcp_core::params::{Params, Sites};
use matomo_privacy_mcp_core::{PrivacyClass, testing};
use matomo_privacy_mcp_testkit::Fault;
use serde_json::json;
use support::log_capture::capture_logs;

/// Every spelling of the secrets that could end up in text.
fn secret_spellings() -> Vec<(String, String)> {
    let key_text = String::from_utf8(KEY.to_vec()).unwrap();
    let key_hex: String = KEY.iter().map(|b| format!("{b:02x}")).collect();
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let percent = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    vec![
        ("token".into(), TOKEN.into()),
        ("form-encoded token".into(), encode(TOKEN)),
        ("percent-encoded token".into(), percent(TOKEN)),
        ("token core".into(), "0123456789abc".into()),
        ("pseudonym key".into(), key_text.clone()),
        ("form-encoded key".into(), encode(&key_text)),
        ("hex key".into(), key_hex),
    ]
}

#[tokio::test]
async fn no_secret_reaches_results_errors_audit_or_logs() {
    let (captured, _guard) = capture_logs();

    let emu = emulator().await;
    let audit = testing::temp_path("hardening-secrets-audit.jsonl");
    let toolbox = toolbox(
        &emu,
        &emu.base_url(),
        PrivacyClass::Identifying,
        Some(&audit),
    )
    .await;
    let mut seen = vec![format!("{toolbox:?}"), format!("{:?}", toolbox.state())];
    let call =
        async |name: &str, args: serde_json::Value| match toolbox.call(name, Some(args)).await {
            Ok(result) => result.to_json().to_string(),
            Err(error) => format!("{error} {error:?}"),
        };

    // Every tool, healthy; `report_catalogue` reads metadata whose URLs embed the token.
    for tool in toolbox
        .list()
        .map(|t| t.name().to_owned())
        .collect::<Vec<_>>()
    {
        let text = call(&tool, arguments(&tool)).await;
        assert!(!text.contains("\"isError\":true"), "{tool}: {text}");
        seen.push(text);
        // Hostile arguments carrying the secrets themselves.
        seen.push(
            call(
                &tool,
                json!({ "site": 1, "segment": format!("userId=={TOKEN}") }),
            )
            .await,
        );
        seen.push(
            call(
                &tool,
                json!({ "site": 1, "date": TOKEN, "token_auth": TOKEN }),
            )
            .await,
        );
    }
    // (An unknown tool's name is echoed in the dispatch error: that is the caller's own text, so
    // calling a tool named like the token proves nothing and is left out.)

    // Every fault, on every tool.
    let faults = [
        Fault::MalformedJson,
        Fault::TruncatedJson,
        Fault::HtmlErrorPage,
        Fault::http_status(503),
        Fault::OversizedBody { bytes: 1 << 20 },
        Fault::WrongTypes,
        Fault::MatomoError {
            message: format!("Error: token_auth={TOKEN} is not valid"),
        },
    ];
    for fault in faults {
        emu.inject(fault);
        for tool in toolbox
            .list()
            .map(|t| t.name().to_owned())
            .collect::<Vec<_>>()
        {
            seen.push(call(&tool, arguments(&tool)).await);
        }
        emu.clear_faults();
    }

    // Timeouts (one tool: each call waits for every retry).
    emu.inject(Fault::Latency(hardening_support::TIMEOUT * 2));
    seen.push(call("visits_summary", arguments("visits_summary")).await);
    emu.clear_faults();

    // Connection refused, and a bulk answer with per-item errors.
    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", probe.local_addr().unwrap())
    };
    let unreachable =
        hardening_support::toolbox(&emu, &closed, PrivacyClass::Aggregate, Some(&audit)).await;
    let result = unreachable
        .call("visits_summary", Some(arguments("visits_summary")))
        .await
        .unwrap();
    assert!(result.is_error());
    seen.push(result.to_json().to_string());
    let bulk = BulkRequest::new()
        .push(
            "VisitsSummary.get",
            &Params::new().sites(Sites::one(1).unwrap()),
        )
        .unwrap()
        .push(
            "API.getReportMetadata",
            &Params::new().sites(Sites::one(1).unwrap()),
        )
        .unwrap()
        .push(
            "VisitsSummary.get",
            &Params::new().sites(Sites::one(3).unwrap()),
        )
        .unwrap();
    let direct = client(&emu.base_url());
    seen.push(format!("{direct:?}"));
    for item in direct.bulk(&bulk).await.unwrap() {
        if let Err(error) = item {
            seen.push(format!("{error} {error:?}"));
        }
    }

    let audit_text = std::fs::read_to_string(&audit).unwrap();
    let _ = std::fs::remove_file(&audit);
    assert!(
        audit_text.lines().count() > 100,
        "the audit log should hold every call"
    );
    let logs = captured.text();
    assert!(!logs.is_empty(), "the client should log its requests");

    let places: Vec<(&str, &str)> = seen
        .iter()
        .map(|t| ("a tool result or error", t.as_str()))
        .chain([
            ("the audit log", audit_text.as_str()),
            ("the logs", logs.as_str()),
        ])
        .collect();
    let leaks = testing::secrets_in(&secret_spellings(), &places);
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}
