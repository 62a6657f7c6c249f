//! The real-Matomo fixture: the emulator's dataset tracked into a real Matomo 5.0.2 holds the
//! dataset's visits, visitors and actions day by day, and the view token it hands out reads them.
//!
//! Skipped (one `SKIPPED` line) without a real Matomo, unless `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_testkit::real_matomo::RealMatomo;
use matomo_privacy_mcp_testkit::realistic::form_encode;
use matomo_privacy_mcp_testkit::{Dataset, Day};
use serde_json::Value;

const SEED: u64 = 11;

fn today() -> Day {
    Day::from_ymd(2026, 11, 26).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_site_holds_the_dataset_day_by_day() {
    let Some(real) = RealMatomo::shared("real_matomo fixture", SEED, today()).unwrap() else {
        return;
    };
    let dataset = Dataset::generate(SEED, today());
    let first = today().plus(-14);
    let body = form_encode(&[
        ("module", "API"),
        ("format", "JSON"),
        ("method", "VisitsSummary.get"),
        ("idSite", &real.site().to_string()),
        ("period", "day"),
        ("date", &format!("{first},{}", today())),
        ("token_auth", real.view_token()),
    ]);
    let answer: Value = reqwest::Client::new()
        .post(real.endpoint())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for offset in 0..=14 {
        let day = first.plus(offset);
        let visits: Vec<_> = dataset.visits_in(real.emulator_site(), day, day).collect();
        let visitors: BTreeSet<&str> = visits.iter().map(|v| v.visitor_id.as_str()).collect();
        let actions: u64 = visits.iter().map(|v| v.nb_actions()).sum();
        let row = &answer[day.to_string()];
        let n = |key: &str| row[key].as_u64().unwrap_or(0);
        assert_eq!(n("nb_visits"), visits.len() as u64, "{day}: {row}");
        assert_eq!(n("nb_uniq_visitors"), visitors.len() as u64, "{day}: {row}");
        assert_eq!(n("nb_actions"), actions, "{day}: {row}");
    }
}
