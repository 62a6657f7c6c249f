//! A Matomo that does not archive segments on request (`browser_archiving_disabled_enforce = 1`
//! with browser-triggered archiving off, common where cron archives the reports) answers a
//! segment nobody pre-processed with zeros. Every proof here is a segment count, so a tool must
//! not read those zeros as nobody (rows suppressed, an answer "withheld" as about too few people,
//! a zero shown as a count): it says what Matomo's administrator can change.
//!
//! On the real Matomo 5.0.2 of the testkit's `RealMatomo`, with those settings in force for this
//! test's requests only (Matomo's configuration per host name, `RealMatomo::as_host`).
//! Mutation-checked: without `Visitors::refuses_segments` the answer is a withheld report, not
//! an error, and the test fails; with an uncounted part listed as withheld (`Summary::
//! withheld_metrics`) the plain summary fails it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::testing::{self, TestDeployment};
use matomo_privacy_mcp_testkit::Day;
use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;
use serde_json::json;

const TEST: &str = "a Matomo that does not archive segments on request";

#[tokio::test(flavor = "multi_thread")]
async fn a_matomo_that_does_not_archive_segments_is_named_not_read_as_nobody() {
    let today = Day::from_ymd(2026, 11, 26).unwrap();
    let Some((real, base)) = tokio::task::spawn_blocking(move || {
        let real = RealMatomo::shared(TEST, 11, today).unwrap()?;
        let base = real
            .as_host(
                TEST,
                "archiving-off.testkit.test",
                "enable_browser_archiving_triggering = 0\nbrowser_archiving_disabled_enforce = 1\n",
            )
            .unwrap()?;
        Some((real, base))
    })
    .await
    .unwrap() else {
        return;
    };
    let toolbox = TestDeployment::at(&base, real.view_token())
        .threshold(5)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;

    // The month's plain reports are archived (by the fixture's cron run): answered as they are.
    // Its parts (bounces, conversions) are counted by segments, which Matomo answers only if some
    // earlier request archived them: a part it would not count is named as not counted, with
    // what to change, never withheld as about "fewer than k visitors" (nobody counted them).
    let text = testing::answered(
        &toolbox,
        "visits_summary",
        json!({"site": real.site(), "period": "month", "date": "2026-11-01"}),
    )
    .await
    .text()
    .to_owned();
    assert!(text.contains("\n- nb_visits: "), "{text}");
    for part in ["bounce_count", "nb_visits_converted"] {
        let shown = text.contains(&format!("\n- {part}: "));
        let line = |start: &str| text.lines().find(|line| line.starts_with(start));
        let not_counted = line("Not shown: ").is_some_and(|line| {
            line.contains(part) && line.contains("browser_archiving_disabled_enforce = 0")
        });
        assert!(shown != not_counted, "{part}: {text}");
        assert!(
            !line("Withheld").is_some_and(|line| line.contains(part)),
            "{part}: {text}"
        );
    }

    // A segment nobody pre-processed: Matomo answers zeros; the tool says why and what to change.
    for tool in ["countries", "visits_summary"] {
        let result = toolbox
            .call(
                tool,
                Some(
                    json!({"site": real.site(), "period": "month", "date": "2026-11-01",
                    "segment": "deviceType==smartphone;visitCount>=2"}),
                ),
            )
            .await
            .unwrap();
        assert!(
            result.is_error(),
            "{tool}: answered from Matomo's zeros: {}",
            result.text()
        );
        assert!(
            result
                .text()
                .contains("browser_archiving_disabled_enforce = 0"),
            "{tool}: {}",
            result.text()
        );
    }
}
