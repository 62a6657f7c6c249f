//! `site_overview` fetches visits, goals and referrer types in one bulk request, minimised.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::{CallToolResult, Toolbox};
use matomo_privacy_mcp_testkit::Emulator;
use serde_json::json;

mod emulated;

/// Dataset 11 with a token of sites 1 and 2 (site 3 is refused), the requests of the set-up
/// forgotten so that a test counts only its own.
async fn setup(k: u64) -> (Emulator, Toolbox<Deployment>) {
    let (emu, toolbox) = emulated::world_viewing(11, &[1, 2], k).await;
    emu.clear_requests();
    (emu, toolbox)
}

/// The `site_overview` tool's answer for site 1 over `period` and `date`, a call it must answer.
async fn overview(toolbox: &Toolbox<Deployment>, period: &str, date: &str) -> CallToolResult {
    let arguments = json!({ "site": 1, "period": period, "date": date });
    testing::answered(toolbox, "site_overview", arguments).await
}

#[tokio::test]
async fn bulk_requests_answer_the_overview() {
    let (emu, toolbox) = setup(5).await;
    let result = overview(&toolbox, "range", "2026-11-12,2026-11-25").await;
    // The three reports in one bulk request, the visitor counts (all, converted) in another,
    // and the distinct visitors of the referrer types (a bulk, or one call for one row), and of
    // the rows left out together.
    let requests = emu.requests();
    assert!(requests.len() <= 4, "{}", requests.len());
    assert_eq!(
        requests[0].query_param("method"),
        Some("API.getBulkRequest")
    );

    let out = result.structured().unwrap();
    assert!(
        out["visits"]["metrics"]["nb_visits"].as_f64().unwrap() > 0.0,
        "{out}"
    );
    assert_eq!(out["visits"]["suppressed"], false);
    assert!(out["goals"]["metrics"].is_object());
    let rows = out["referrer_types"]["rows"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() <= 5);
    for row in rows {
        let visits = row["nb_visits"].as_f64().unwrap_or(0.0);
        let label = row["label"].as_str().unwrap();
        assert!(visits >= 5.0, "{row}");
        assert!(!label.is_empty(), "{row}");
    }
    assert!(result.text().contains("Referrer types."));
}

#[tokio::test]
async fn a_high_threshold_withholds_the_summaries() {
    let (emu, toolbox) = setup(1_000_000).await;
    let result = overview(&toolbox, "day", "2026-11-20").await;
    let out = result.structured().unwrap();
    assert_eq!(out["visits"]["suppressed"], true);
    assert_eq!(out["visits"]["metrics"], json!({}));
    assert_eq!(out["referrer_types"]["withheld"], true);
    // The reports and the visitor counts: nothing more is asked once the period is too small.
    assert_eq!(emu.request_count(), 2);
    // A site the token may not read is refused before anything is sent.
    testing::refused(&toolbox, "site_overview", json!({ "site": 3 })).await;
    assert_eq!(emu.request_count(), 2);
}

/// The overview goes through the report cache like every other tool: asked again about a
/// period that is over, it is answered without a request to Matomo.
#[tokio::test]
async fn a_repeated_overview_of_a_past_period_comes_from_the_cache() {
    let (emu, toolbox) = setup(5).await;
    let args = json!({ "site": 1, "period": "range", "date": "2026-11-12,2026-11-25" });
    let first = testing::answered(&toolbox, "site_overview", args.clone()).await;
    let after_first = emu.request_count();
    let again = toolbox.call("site_overview", Some(args)).await.unwrap();
    assert_eq!(
        emu.request_count(),
        after_first,
        "no request the second time"
    );
    assert_eq!(again.structured(), first.structured());
}
