//! Every ready-made tool called with missing, extra, wrongly typed, out-of-range and hostile
//! arguments: a precise refusal naming the argument, no panic, and no huge input echoed back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hardening_support;

use hardening_support::{arguments, emulator, refused, report, toolbox, with};
use matomo_privacy_mcp_core::PrivacyClass;
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};

fn takes(tool: &str, key: &str) -> bool {
    arguments(tool).get(key).is_some()
        || (key == "segment" && !matches!(tool, "list_sites" | "report_catalogue"))
        || (key == "offset" && arguments(tool).get("limit").is_some() && tool != "visit_log")
}

/// `good` with `key` set to each of `values`, each to be refused naming `needle`.
fn each(
    good: &Value,
    key: &str,
    values: impl IntoIterator<Item = Value>,
    needle: &'static str,
) -> Vec<(Value, &'static str)> {
    values
        .into_iter()
        .map(|value| (with(good, key, value), needle))
        .collect()
}

/// The malformed arguments of `tool`, whose valid ones are `good`, each with what its refusal
/// must name; `huge` is a megabyte of text.
fn malformed(tool: &str, good: &Value, huge: &str) -> Vec<(Value, &'static str)> {
    let mut cases = each(good, "bogus", [json!(true)], "`bogus`");
    cases.extend(each(good, huge, [json!(1)], "unknown field"));
    cases.extend([json!([1, 2]), json!("site=1"), json!(17)].map(|v| (v, "must be a JSON object")));
    if tool == "list_sites" {
        return cases;
    }
    // The dashboard is about every served site: it takes no `site`.
    if tool != "all_sites" {
        cases.push((json!({}), "`site`"));
        let sites = [
            json!("one"),
            json!(-1),
            json!(4_294_967_296u64),
            json!(1.5),
            json!(null),
            json!([1]),
        ];
        cases.extend(each(good, "site", sites, "`site`"));
        cases.extend(each(good, "site", [json!(3)], "site 3 is not served"));
        cases.extend(each(good, "site", [json!(u32::MAX)], "is not served"));
    }
    if takes(tool, "limit") {
        let limits = [
            json!(0),
            json!(1_000_000),
            json!(-5),
            // "10" is accepted (clients such as the Inspector's CLI send whole numbers as
            // text); text that is no whole number is not.
            json!("ten"),
            json!("10.5"),
            json!(u64::MAX),
        ];
        cases.extend(each(good, "limit", limits, "`limit`"));
    }
    if takes(tool, "offset") {
        let offsets = [json!(-1), json!(10_000_000), json!(i64::MIN)];
        cases.extend(each(good, "offset", offsets, "`offset`"));
    }
    if takes(tool, "date") {
        let dates = [
            "0001-01-01",
            "99999-12-31",
            "2026-02-30",
            "last-3",
            huge,
            "today\u{0}",
            "yesterday\n",
        ];
        cases.extend(each(good, "date", dates.map(|d| json!(d)), "`date`"));
        let periods = ["decade", "DAY", "day; drop", huge];
        cases.extend(each(good, "period", periods.map(|p| json!(p)), "`period`"));
    }
    if takes(tool, "segment") {
        let segments = [json!(huge), json!(42)];
        cases.extend(each(good, "segment", segments, "`segment`"));
    }
    if tool == "metric_trend" {
        let lasts = [json!(0), json!(1), json!(121), json!(1_000_000_000)];
        cases.extend(each(good, "last", lasts, "`last`"));
        cases.extend(each(good, "metric", [json!("nb_visits;x")], "`metric`"));
        cases.push((json!({ "site": 1 }), "`metric`"));
    }
    cases
}

#[tokio::test]
async fn every_tool_refuses_malformed_arguments_by_name() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Identifying, None).await;
    let names: Vec<String> = tools::all()
        .iter()
        .map(|t| t.descriptor().name().to_owned())
        .collect();
    assert_eq!(
        toolbox.list().count(),
        names.len(),
        "every tool must be reachable"
    );
    let huge = "x".repeat(1 << 20);
    let mut failures = Vec::new();
    for tool in names.iter().map(String::as_str) {
        let good = arguments(tool);
        let ok = toolbox.call(tool, Some(good.clone())).await.unwrap();
        assert!(!ok.is_error(), "{tool}: {}", ok.text());
        for (args, needle) in malformed(tool, &good, &huge) {
            refused(&toolbox, &mut failures, tool, args, needle).await;
        }
    }
    report(failures);
}
