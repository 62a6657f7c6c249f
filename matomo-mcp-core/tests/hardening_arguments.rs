//! Every built-in tool called with missing, extra, wrongly typed, out-of-range and hostile
//! arguments: a precise refusal naming the argument, no panic, and no huge input echoed back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hardening_support;

use hardening_support::{arguments, emulator, toolbox};
use matomo_mcp_core::catalogue::TOOL_NAMES;
use matomo_mcp_core::{PrivacyClass, Toolbox};
use serde_json::{Value, json};

/// The longest refusal text accepted: enough to say what is wrong, too short to echo a flood.
const MAX_REFUSAL: usize = 700;

/// `base` with `key` set to `value`.
fn with(base: &Value, key: &str, value: Value) -> Value {
    let mut args = base.clone();
    args.as_object_mut().unwrap().insert(key.to_owned(), value);
    args
}

/// Calls `tool` and checks that it refused with a text containing `needle`; collects failures.
async fn refused<S: Send + Sync + 'static>(
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

fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} imprecise refusals:\n{}", failures.len(), failures.join("\n"));
}

fn takes(tool: &str, key: &str) -> bool {
    arguments(tool).get(key).is_some()
        || (key == "segment" && !matches!(tool, "list_sites" | "report_catalogue"))
        || (key == "offset" && arguments(tool).get("limit").is_some() && tool != "visit_log")
}

#[tokio::test]
async fn every_tool_refuses_malformed_arguments_by_name() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Identifying, None).await;
    assert_eq!(toolbox.list().count(), TOOL_NAMES.len(), "every tool must be reachable");
    let huge = "x".repeat(1 << 20);
    let mut failures = Vec::new();
    for &tool in TOOL_NAMES {
        let good = arguments(tool);
        let ok = toolbox.call(tool, Some(good.clone())).await.unwrap();
        assert!(!ok.is_error(), "{tool}: {}", ok.text());

        refused(&toolbox, &mut failures, tool, with(&good, "bogus", json!(true)), "`bogus`").await;
        refused(&toolbox, &mut failures, tool, with(&good, &huge, json!(1)), "unknown field").await;
        for not_object in [json!([1, 2]), json!("site=1"), json!(17)] {
            refused(&toolbox, &mut failures, tool, not_object, "must be a JSON object").await;
        }
        if tool == "list_sites" {
            continue;
        }
        refused(&toolbox, &mut failures, tool, json!({}), "`site`").await;
        for site in [json!("one"), json!(-1), json!(4_294_967_296u64), json!(1.5), json!(null), json!([1])] {
            refused(&toolbox, &mut failures, tool, with(&good, "site", site), "`site`").await;
        }
        refused(&toolbox, &mut failures, tool, with(&good, "site", json!(3)), "site 3 is not served").await;
        refused(&toolbox, &mut failures, tool, with(&good, "site", json!(u32::MAX)), "is not served").await;
        if takes(tool, "limit") {
            for limit in [json!(0), json!(1_000_000), json!(-5), json!("10"), json!(u64::MAX)] {
                refused(&toolbox, &mut failures, tool, with(&good, "limit", limit), "`limit`").await;
            }
        }
        if takes(tool, "offset") {
            for offset in [json!(-1), json!(10_000_000), json!(i64::MIN)] {
                refused(&toolbox, &mut failures, tool, with(&good, "offset", offset), "`offset`").await;
            }
        }
        if takes(tool, "date") {
            for date in ["0001-01-01", "99999-12-31", "2026-02-30", "last-3", &huge, "today\u{0}", "yesterday\n"] {
                refused(&toolbox, &mut failures, tool, with(&good, "date", json!(date)), "`date`").await;
            }
            for period in ["decade", "DAY", "day; drop", &huge] {
                refused(&toolbox, &mut failures, tool, with(&good, "period", json!(period)), "`period`").await;
            }
        }
        if takes(tool, "segment") {
            refused(&toolbox, &mut failures, tool, with(&good, "segment", json!(huge)), "`segment`").await;
            refused(&toolbox, &mut failures, tool, with(&good, "segment", json!(42)), "`segment`").await;
        }
        if tool == "metric_trend" {
            for last in [json!(0), json!(1), json!(121), json!(1_000_000_000)] {
                refused(&toolbox, &mut failures, tool, with(&good, "last", last), "`last`").await;
            }
            refused(&toolbox, &mut failures, tool, with(&good, "metric", json!("nb_visits;x")), "`metric`").await;
            refused(&toolbox, &mut failures, tool, json!({ "site": 1 }), "`metric`").await;
        }
    }
    report(failures);
}

#[tokio::test]
async fn segment_injection_is_refused_for_aggregate_tools() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;
    let base = arguments("top_pages");
    let mut failures = Vec::new();
    let hidden_visitor = [
        "visitorId==5f2e1c0a9b8d7e6f",
        "visitor%49d%3D%3D5f2e1c0a9b8d7e6f",
        "%76%69%73%69%74%6F%72%49%64%3D%3Dabc",
        "countryCode==de;visitorId==abc",
        "countryCode==de,visitorId==abc",
        "countryCode==de%3BvisitorId==abc",
        "countryCode==de%2CvisitorId%3D%3Dabc",
        "deviceType==desktop;countryCode==de,visitorId!=abc",
    ];
    for segment in hidden_visitor {
        refused(&toolbox, &mut failures, "top_pages", with(&base, "segment", json!(segment)), "`visitorId` is pseudonymous").await;
    }
    for (segment, dimension) in [
        ("userId==bob%40example.com", "`userId`"),
        ("countryCode==de;pageUrl=@reset", "`pageUrl`"),
        ("visitIp==10.0.0.1", "`visitIp`"),
    ] {
        refused(&toolbox, &mut failures, "top_pages", with(&base, "segment", json!(segment)), dimension).await;
    }
    // Double encoding is decoded once, as Matomo does: what is left is not a valid condition.
    for segment in [
        "visitorId%253D%253Dabc",
        "countryCode==de%253BvisitorId%253D%253Dabc;x",
        "countryCode==de;",
        ";countryCode==de",
        "countryCode==de,,deviceType==desktop",
        "countryCode==de\u{0};deviceType==desktop",
        "countryCode\u{1b}[31m==de",
        "countryCode==de\nvisitorId==abc",
    ] {
        refused(&toolbox, &mut failures, "top_pages", with(&base, "segment", json!(segment)), "`segment`").await;
    }
    // An escaped `;` is part of the value, not a second condition: accepted, and it filters on countryCode only.
    let escaped = toolbox
        .call("top_pages", Some(with(&base, "segment", json!(r"countryCode==de\;visitorId==abc"))))
        .await
        .unwrap();
    assert!(!escaped.is_error(), "{}", escaped.text());
    report(failures);
}

#[tokio::test]
async fn refusals_never_echo_segment_values() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;
    let secret_value = "jane.doe.secret.value";
    for segment in [
        format!("userId=={secret_value}"),
        format!("pageUrl=@{secret_value}"),
        format!("countryCode=={secret_value};visitorId==x"),
    ] {
        let result = toolbox
            .call("top_pages", Some(with(&arguments("top_pages"), "segment", json!(segment))))
            .await
            .unwrap();
        assert!(result.is_error());
        assert!(!result.text().contains(secret_value), "{}", result.text());
    }
}
