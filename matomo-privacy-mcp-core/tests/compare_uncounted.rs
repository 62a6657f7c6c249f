//! `compare_periods` when Matomo has not counted one period yet: with noise, each period's
//! counts are completed to Matomo's by two totals of that period, and Matomo answers a segment
//! it has not archived yet with zeros. Such a period keeps its counted visits; compared with a
//! completed period, their difference would be the share the counting rule leaves out, stated
//! as a change. The comparison says plainly that the period is not counted yet and states no
//! change. On the emulator, with the complete total's segment unarchived for the earlier week
//! (`Fault::UnarchivedSegment`). Mutation-checked: without `not_counted_yet` the rows carry a
//! relative change and the test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::testing::{self, TOKEN, TestDeployment};
use matomo_privacy_mcp_testkit::Fault;
use serde_json::{Value, json};

const EARLIER: &str = "2026-11-09";

#[tokio::test]
async fn a_period_matomo_has_not_counted_yet_is_said_and_no_change_is_stated() {
    // Busier (30 copies of the dataset's visitors): enough for completed rows to be shown.
    let emu = testing::busier_emulator(TOKEN, &[1], 30).await;
    let client = testing::client(&emu);
    let noise = || NoiseSetup {
        dp: DifferentialPrivacy::new(
            b"an uncounted period, a key of 32 bytes".to_vec(),
            2_000_000,
            ContributionBounds::default(),
        )
        .unwrap(),
        budget: PrivacyBudget::in_memory(1_000_000_000, Duration::from_secs(86_400)),
    };
    let ask = json!({"site": 1, "report": "Referrers.getReferrerType", "period": "week",
        "date": "2026-11-16", "compare_to": "previous_period"});

    // Both weeks counted: the periods are completed alike and compared.
    let counted = TestDeployment::over(client.clone(), TOKEN)
        .noise(noise())
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let result = counted
        .call("compare_periods", Some(ask.clone()))
        .await
        .unwrap();
    let whole: Value = result.structured().cloned().unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(whole["previous"]["date"], EARLIER, "{whole}");
    for side in ["current", "previous"] {
        assert!(
            whole[side]["noise"]["counted_share"].is_number(),
            "{side}: {whole}"
        );
        assert!(whole[side].get("not_counted_yet").is_none(), "{whole}");
    }
    assert!(
        !result.text().contains("not counted yet"),
        "{}",
        result.text()
    );

    // The earlier week's complete total not archived yet: Matomo answers it with zeros.
    emu.inject(Fault::UnarchivedSegment {
        segment_contains: "secondsSinceLastVisit".to_owned(),
        date: EARLIER.to_owned(),
    });
    let fresh = testing::client(&emu);
    let tools = TestDeployment::over(fresh, TOKEN)
        .noise(noise())
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let result = tools.call("compare_periods", Some(ask)).await.unwrap();
    let text = result.text().to_owned();
    let out: Value = result.structured().cloned().unwrap();
    assert!(!result.is_error(), "{text}");
    assert!(out["previous"]["noise"]["counted_share"].is_null(), "{out}");
    assert!(
        out["current"]["noise"]["counted_share"].is_number(),
        "{out}"
    );
    assert_eq!(out["previous"]["not_counted_yet"], true, "{out}");
    assert!(out["current"].get("not_counted_yet").is_none(), "{out}");
    let rows = out["rows"].as_array().unwrap();
    assert!(
        rows.iter().any(|row| row["change"] == "both"),
        "some row is in both weeks: {out}"
    );
    for row in rows {
        assert_eq!(row["difference"], json!({}), "{row}");
        assert_eq!(row["relative"], json!({}), "{row}");
    }
    assert!(
        text.contains(
            "\nThe earlier period is not counted yet: Matomo answered its totals with zeros (a segment it has not archived yet), so its numbers are counted visits only, not scaled to Matomo's like the other period's, and no change is stated. Ask again once Matomo has archived it (its administrator can run core:archive, or set browser_archiving_disabled_enforce = 0 under [General] in config/config.ini.php)."
        ),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|line| line.starts_with("- ") && line.contains('%')),
        "no change stated: {text}"
    );
}
