//! Every ready-made tool called with missing, extra, wrongly typed, out-of-range and hostile
//! arguments: a precise refusal naming the argument, no panic, and no huge input echoed back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hardening_support;

use hardening_support::{arguments, emulator, refused, report, toolbox, with};
use matomo_privacy_mcp_core::PrivacyClass;
use matomo_privacy_mcp_tools as tools;
use serde_json::json;

fn takes(tool: &str, key: &str) -> bool {
    arguments(tool).get(key).is_some()
        || (key == "segment" && !matches!(tool, "list_sites" | "report_catalogue"))
        || (key == "offset" && arguments(tool).get("limit").is_some() && tool != "visit_log")
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

        refused(
            &toolbox,
            &mut failures,
            tool,
            with(&good, "bogus", json!(true)),
            "`bogus`",
        )
        .await;
        refused(
            &toolbox,
            &mut failures,
            tool,
            with(&good, &huge, json!(1)),
            "unknown field",
        )
        .await;
        for not_object in [json!([1, 2]), json!("site=1"), json!(17)] {
            refused(
                &toolbox,
                &mut failures,
                tool,
                not_object,
                "must be a JSON object",
            )
            .await;
        }
        if tool == "list_sites" {
            continue;
        }
        // The dashboard is about every served site: it takes no `site`.
        if tool != "all_sites" {
            refused(&toolbox, &mut failures, tool, json!({}), "`site`").await;
            for site in [
                json!("one"),
                json!(-1),
                json!(4_294_967_296u64),
                json!(1.5),
                json!(null),
                json!([1]),
            ] {
                refused(
                    &toolbox,
                    &mut failures,
                    tool,
                    with(&good, "site", site),
                    "`site`",
                )
                .await;
            }
            refused(
                &toolbox,
                &mut failures,
                tool,
                with(&good, "site", json!(3)),
                "site 3 is not served",
            )
            .await;
            refused(
                &toolbox,
                &mut failures,
                tool,
                with(&good, "site", json!(u32::MAX)),
                "is not served",
            )
            .await;
        }
        if takes(tool, "limit") {
            for limit in [
                json!(0),
                json!(1_000_000),
                json!(-5),
                // "10" is accepted (clients such as the Inspector's CLI send whole numbers as
                // text); text that is no whole number is not.
                json!("ten"),
                json!("10.5"),
                json!(u64::MAX),
            ] {
                refused(
                    &toolbox,
                    &mut failures,
                    tool,
                    with(&good, "limit", limit),
                    "`limit`",
                )
                .await;
            }
        }
        if takes(tool, "offset") {
            for offset in [json!(-1), json!(10_000_000), json!(i64::MIN)] {
                refused(
                    &toolbox,
                    &mut failures,
                    tool,
                    with(&good, "offset", offset),
                    "`offset`",
                )
                .await;
            }
        }
        if takes(tool, "date") {
            for date in [
                "0001-01-01",
                "99999-12-31",
                "2026-02-30",
                "last-3",
                &huge,
                "today\u{0}",
                "yesterday\n",
            ] {
                refused(
                    &toolbox,
                    &mut failures,
                    tool,
                    with(&good, "date", json!(date)),
                    "`date`",
                )
                .await;
            }
            for period in ["decade", "DAY", "day; drop", &huge] {
                refused(
                    &toolbox,
                    &mut failures,
                    tool,
                    with(&good, "period", json!(period)),
                    "`period`",
                )
                .await;
            }
        }
        if takes(tool, "segment") {
            refused(
                &toolbox,
                &mut failures,
                tool,
                with(&good, "segment", json!(huge)),
                "`segment`",
            )
            .await;
            refused(
                &toolbox,
                &mut failures,
                tool,
                with(&good, "segment", json!(42)),
                "`segment`",
            )
            .await;
        }
        if tool == "metric_trend" {
            for last in [json!(0), json!(1), json!(121), json!(1_000_000_000)] {
                refused(
                    &toolbox,
                    &mut failures,
                    tool,
                    with(&good, "last", last),
                    "`last`",
                )
                .await;
            }
            refused(
                &toolbox,
                &mut failures,
                tool,
                with(&good, "metric", json!("nb_visits;x")),
                "`metric`",
            )
            .await;
            refused(
                &toolbox,
                &mut failures,
                tool,
                json!({ "site": 1 }),
                "`metric`",
            )
            .await;
        }
    }
    report(failures);
}
