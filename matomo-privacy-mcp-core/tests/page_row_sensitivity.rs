//! How far one visit moves one row of Matomo's own page report, measured on a real Matomo 5.0.2,
//! against the noise's bound (`ContributionBounds::l2_squared`).
//!
//! The L2 advantage for pages would assume a visit moves each page row by at most one. Matomo
//! counts a page row's visits per action and adds up the actions whose URLs differ only in
//! scheme or host (`http://a/x`, `https://b/x` are one row `/x`), so one visit of ten actions on
//! ten hosts' `/x` moves `/x` by ten: the whole `Δ₁` of the visit in one row, before anything of
//! ours merges rows. The test tracks that visit into a site of its own and asserts both the
//! measured move and that the bound covers a visitor's counted visits each moving one row so far.
//!
//! Mutation-checked: with `l2_squared` computed with a per-row cap of the visitor's counted visits
//! (`squared_l2(l1, visits_per_visitor)`, the "one per page row" assumption), the test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matomo_privacy_mcp_core::dp::{ContributionBounds, Spread};
use matomo_privacy_mcp_core::params::Limit;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Action, Day, Visit};

const SITE: u32 = 1;

/// One visit of `hosts` page views, each of the path `/x` on another host or scheme.
fn one_visit_on_many_hosts(
    dataset: &matomo_privacy_mcp_testkit::Dataset,
    day: Day,
    hosts: u32,
) -> Vec<Visit> {
    let template = dataset.visits.iter().find(|v| v.site == SITE).unwrap();
    let mut visit = testing::first_direct_visit(template, day);
    visit.id = 1;
    visit.visitor_id = "a1b2c3d4e5f60718".to_owned();
    visit.ip = "10.30.0.1".to_owned();
    visit.first_ts = day.midnight_ts() + 10 * 3600;
    visit.actions = (0..hosts)
        .map(|i| Action::Page {
            url: format!(
                "{}://host{i}.example.org/x",
                if i % 2 == 0 { "https" } else { "http" }
            ),
            title: "x".to_owned(),
            time_spent: 20,
        })
        .collect();
    visit.duration = 20 * u64::from(hosts);
    vec![visit]
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_real_matomo_one_visit_moves_one_page_row_by_all_its_actions() {
    const TEST: &str = "page row sensitivity on a real Matomo";
    let bounds = ContributionBounds::default();
    let actions = bounds.actions_per_visit;
    let today = testing::today();
    let day = Day::from_ymd(2026, 11, 12).unwrap();
    let dataset = matomo_privacy_mcp_testkit::Dataset::generate(11, today);
    let site = dataset.site(SITE).unwrap().clone();
    let visits = one_visit_on_many_hosts(&dataset, day, actions);
    // Matomo's own row limits: nothing is truncated here.
    let Some((real, id)) = testing::real_matomo_site(TEST, "page-hosts", site, visits, 100).await
    else {
        return;
    };

    let raw = testing::raw_client_at(&real.base_url(), real.view_token());
    let params = testing::flat_day(id, day).limit(Limit::rows(100).unwrap());
    let rows = raw.call_raw("Actions.getPageUrls", &params).await.unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(
        rows.len(),
        1,
        "one row for the path on every host: {rows:?}"
    );
    let moved = rows[0]["nb_visits"].as_u64().unwrap();
    // One visit, counted once per host: the visit's every action in one row.
    assert_eq!(moved, u64::from(actions), "{rows:?}");

    // A visitor's counted visits may each do so, in one row: the bound must hold that.
    for days in [1, 7, 30] {
        let l1 = bounds
            .sensitivity("nb_visits", Spread::RowsPerAction, days)
            .unwrap();
        let one_row = moved * bounds.visits_per_visitor(days);
        assert!(one_row <= l1, "{days} days: {one_row} > Δ₁ {l1}");
        let l2_squared = bounds
            .l2_squared("nb_visits", Spread::RowsPerAction, days)
            .unwrap();
        assert!(
            l2_squared >= one_row * one_row,
            "{days} days: Δ₂² {l2_squared} below one row's move {one_row}²"
        );
    }
}
