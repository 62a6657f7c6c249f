//! `visits_to_conversion` against the emulator's dataset, which knows every visit behind each
//! range: the shown converting visits are the dataset's, each shown range has at least k
//! distinct visitors, the ranges below k are never shown (only, where proven, together as
//! "Other"), `goal` narrows to that goal, noise keeps every number about k visitors, and the
//! generic `report` tool sends Matomo's conversion-range reports here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Dataset, Day, Emulator, Visit};
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};

mod emulated;

const K: u64 = 4;

/// Matomo's ranges (the Goals plugin's `$visitCountRanges` and `$daysToConvRanges`), written
/// here apart from the SDK's: `(lo, Some(hi))` is `lo..=hi`, `(lo, None)` is `lo` and above.
const VISIT_NUMBERS: &[(u32, Option<u32>, &str)] = &[
    (1, Some(1), "1 visit"),
    (2, Some(2), "2 visits"),
    (3, Some(3), "3 visits"),
    (4, Some(4), "4 visits"),
    (5, Some(5), "5 visits"),
    (6, Some(6), "6 visits"),
    (7, Some(7), "7 visits"),
    (8, Some(8), "8 visits"),
    (9, Some(14), "9-14 visits"),
    (15, Some(25), "15-25 visits"),
    (26, Some(50), "26-50 visits"),
    (51, Some(100), "51-100 visits"),
    (101, None, "101+ visits"),
];

const DAYS: &[(u32, Option<u32>, &str)] = &[
    (0, Some(0), "0 days"),
    (1, Some(1), "1 day"),
    (2, Some(2), "2 days"),
    (3, Some(3), "3 days"),
    (4, Some(4), "4 days"),
    (5, Some(5), "5 days"),
    (6, Some(6), "6 days"),
    (7, Some(7), "7 days"),
    (8, Some(14), "8-14 days"),
    (15, Some(30), "15-30 days"),
    (31, Some(60), "31-60 days"),
    (61, Some(120), "61-120 days"),
    (121, Some(364), "121-364 days"),
    (365, None, "365+ days"),
];

/// Multi-day periods of the dataset (today is Thursday 2026-11-26): a Monday-to-Sunday week
/// and the month so far.
fn periods() -> [(&'static str, &'static str, Day, Day); 2] {
    [
        (
            "week",
            "2026-11-18",
            Day::from_ymd(2026, 11, 16).unwrap(),
            Day::from_ymd(2026, 11, 22).unwrap(),
        ),
        (
            "month",
            "2026-11-01",
            Day::from_ymd(2026, 11, 1).unwrap(),
            Day::from_ymd(2026, 11, 30).unwrap(),
        ),
    ]
}

async fn call(toolbox: &Toolbox<Deployment>, args: Value) -> (Value, String) {
    let result = testing::answered(toolbox, "visits_to_conversion", args).await;
    (
        result.structured().unwrap().clone(),
        result.text().to_owned(),
    )
}

fn people(visits: &[&Visit]) -> u64 {
    visits
        .iter()
        .map(|v| v.visitor_id.as_str())
        .collect::<BTreeSet<_>>()
        .len() as u64
}

/// The visit's value that `by` groups on.
fn value(by: &str, v: &Visit) -> u32 {
    match by {
        "days_since_first_visit" => v.details.days_since_first,
        _ => v.visit_count,
    }
}

fn ranges(by: &str) -> &'static [(u32, Option<u32>, &'static str)] {
    match by {
        "days_since_first_visit" => DAYS,
        _ => VISIT_NUMBERS,
    }
}

fn in_range(lo: u32, hi: Option<u32>, x: u32) -> bool {
    x >= lo && hi.is_none_or(|hi| x <= hi)
}

/// Whether the visit converted: any goal or order, or the given goal.
fn converted(v: &Visit, goal: Option<u32>) -> bool {
    match goal {
        Some(id) => v.conversions.iter().any(|c| c.goal == Some(id)),
        None => !v.conversions.is_empty(),
    }
}

/// The converting visits of each range, from the dataset.
fn truth<'a>(
    data: &'a Dataset,
    site: u32,
    (start, end): (Day, Day),
    by: &str,
    goal: Option<u32>,
    keep: impl Fn(&Visit) -> bool,
) -> Vec<(&'static str, Vec<&'a Visit>)> {
    ranges(by)
        .iter()
        .map(|&(lo, hi, label)| {
            let visits = data
                .visits_in(site, start, end)
                .filter(|v| converted(v, goal) && keep(v))
                .filter(|v| in_range(lo, hi, value(by, v)))
                .collect();
            (label, visits)
        })
        .collect()
}

/// Checks one answer without noise against the dataset; returns the ranges shown, those
/// suppressed, and whether an "Other" row was.
fn check_exact(out: &Value, truth: &[(&str, Vec<&Visit>)], context: &str) -> (usize, usize, bool) {
    let report = &out["ranges"];
    assert_eq!(report["withheld"], false, "{context}: {out}");
    let rows = report["rows"].as_array().unwrap();
    let (mut shown, mut below) = (0, 0);
    let mut below_visits: Vec<&Visit> = Vec::new();
    for (label, visits) in truth {
        let row = rows.iter().find(|row| row["label"] == *label);
        let visitors = people(visits);
        if visits.is_empty() {
            assert!(row.is_none(), "{context} {label}: nobody, yet {row:?}");
        } else if visitors < K {
            // (2) Fewer than k distinct visitors: never shown on its own.
            assert!(
                row.is_none(),
                "{context} {label}: {visitors} visitors shown: {row:?}"
            );
            below += 1;
            below_visits.extend(visits);
        } else {
            // (1) The shown converting visits are the dataset's, about k visitors or more.
            let row = row.unwrap_or_else(|| {
                panic!("{context} {label}: {visitors} visitors, not shown: {out}")
            });
            assert_eq!(row["nb_visits"], visits.len(), "{context} {label}");
            assert_eq!(row["nb_uniq_visitors"], visitors, "{context} {label}");
            assert!(visitors >= K);
            shown += 1;
        }
    }
    assert_eq!(report["suppressed_rows"], below, "{context}: {out}");
    // "Other" is exactly the suppressed ranges' visits, shown only with k visitors behind them.
    let other = rows
        .iter()
        .find(|row| row["label"].as_str().unwrap().starts_with("Other"));
    if people(&below_visits) >= K {
        let other = other.unwrap_or_else(|| panic!("{context}: no Other row: {out}"));
        assert_eq!(other["nb_visits"], below_visits.len(), "{context}");
    } else {
        assert!(other.is_none(), "{context}: {other:?}");
    }
    assert_eq!(
        rows.len(),
        shown + usize::from(other.is_some()),
        "{context}: {out}"
    );
    // Rows come in the ranges' order.
    let order: Vec<usize> = rows
        .iter()
        .filter_map(|row| truth.iter().position(|(label, _)| row["label"] == *label))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{context}: {out}");
    (shown, below, other.is_some())
}

#[tokio::test]
async fn shown_ranges_are_the_datasets_converting_visits_and_have_k_visitors() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let data = emu.dataset();
    let (mut shown, mut below, mut others) = (0, 0, 0);
    for site in 1..=3 {
        for (period, date, start, end) in periods() {
            for by in ["visit_number", "days_since_first_visit"] {
                let (out, text) = call(
                    &toolbox,
                    json!({ "site": site, "period": period, "date": date, "by": by }),
                )
                .await;
                assert_eq!(out["by"], by);
                assert!(text.contains("not conversions"), "{text}");
                let truth = truth(data, site, (start, end), by, None, |_| true);
                let context = format!("site {site} {period} {date} by {by}");
                let (s, b, other) = check_exact(&out, &truth, &context);
                shown += s;
                below += b;
                others += usize::from(other);
            }
        }
    }
    assert!(
        shown > 10 && below > 3 && others > 0,
        "{shown} shown, {below} below k, {others} Other rows"
    );
}

#[tokio::test]
async fn a_goal_narrows_to_its_converting_visits() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let data = emu.dataset();
    let (mut checked, mut narrower) = (0, 0);
    for goal in data.goals.iter().filter(|g| g.site == 1) {
        let (period, date, start, end) = periods()[1];
        for by in ["visit_number", "days_since_first_visit"] {
            let args =
                json!({ "site": 1, "period": period, "date": date, "by": by, "goal": goal.id });
            let (out, _) = call(&toolbox, args).await;
            assert_eq!(out["goal"], goal.id);
            let truth = truth(data, 1, (start, end), by, Some(goal.id), |_| true);
            let context = format!("goal {} by {by}", goal.id);
            check_exact(&out, &truth, &context);
            let all = self::truth(data, 1, (start, end), by, None, |_| true);
            let goal_visits: usize = truth.iter().map(|(_, v)| v.len()).sum();
            let all_visits: usize = all.iter().map(|(_, v)| v.len()).sum();
            narrower += usize::from(goal_visits < all_visits);
            checked += 1;
        }
    }
    assert!(
        checked >= 2 && narrower > 0,
        "{checked} checked, {narrower} narrower"
    );
}

#[tokio::test]
async fn the_callers_segment_narrows_every_range() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let data = emu.dataset();
    let (period, date, start, end) = periods()[1];
    for device in ["smartphone", "desktop"] {
        let segment = format!("deviceType=={device}");
        let args = json!({ "site": 1, "period": period, "date": date, "segment": segment });
        let (out, _) = call(&toolbox, args).await;
        let truth = truth(data, 1, (start, end), "visit_number", None, |v| {
            v.device.device_type.eq_ignore_ascii_case(device)
        });
        check_exact(&out, &truth, &segment);
    }
    // Segments beyond aggregate dimensions are refused as everywhere.
    let pseudonymous = json!({ "site": 1, "period": "week", "date": date, "segment": "visitorId==0123456789abcdef" });
    testing::refused(&toolbox, "visits_to_conversion", pseudonymous).await;
}

/// A toolbox over the emulator whose deployment adds noise (default bounds, ε 1 per answer).
async fn noisy_world() -> (Emulator, Toolbox<Deployment>) {
    let emu = emulated::emulator(11, &[1, 2, 3]).await;
    let deployment = emulated::noisy_deployment(
        &emu,
        K,
        b"visits_to_conversion: a noise key of 32+ bytes",
        100_000_000,
    )
    .await;
    (emu, tools::toolbox(deployment, |_| true).unwrap())
}

#[tokio::test]
async fn with_noise_no_number_is_about_fewer_than_k_visitors() {
    let (emu, toolbox) = noisy_world().await;
    let data = emu.dataset();
    // The converting visits are counted like every answer with one row per visit: a
    // visitor's first visit, then any visit a day or more after their previous one.
    let within = |v: &Visit| v.visit_count == 1 || v.details.days_since_last >= 1;
    let mut shown = 0;
    for site in 1..=3 {
        for (period, date, start, end) in periods() {
            for by in ["visit_number", "days_since_first_visit"] {
                let args = json!({ "site": site, "period": period, "date": date, "by": by });
                let (out, text) = call(&toolbox, args).await;
                let context = format!("site {site} {period} by {by}");
                let report = &out["ranges"];
                assert!(report["noise"].is_object(), "{context}: {out}");
                if report["withheld"] == true {
                    assert!(text.contains("converted"), "{context}: {text}");
                    continue;
                }
                assert!(text.contains("Numbers are noisy"), "{context}: {text}");
                // (4) The true visitors behind each shown range, within the bounds the noisy
                // answer is computed over, are at least k.
                let truth = truth(data, site, (start, end), by, None, within);
                let mut below: Vec<&Visit> = Vec::new();
                for (_, visits) in &truth {
                    if people(visits) < K {
                        below.extend(visits);
                    }
                }
                for row in report["rows"].as_array().unwrap() {
                    let label = row["label"].as_str().unwrap();
                    let visitors = if label.starts_with("Other") {
                        people(&below)
                    } else {
                        let (_, visits) = truth
                            .iter()
                            .find(|(l, _)| *l == label)
                            .unwrap_or_else(|| panic!("{context}: unknown range {label}"));
                        people(visits)
                    };
                    assert!(
                        visitors >= K,
                        "{context} {label}: {visitors} visitors: {out}"
                    );
                    assert!(row["nb_visits"].as_u64().unwrap() >= K, "{context}: {row}");
                    shown += 1;
                }
            }
        }
    }
    assert!(shown > 0, "no range was shown with noise");
}

#[tokio::test]
async fn report_answers_the_conversion_range_reports_as_visits_to_conversion() {
    let (_emu, toolbox) = emulated::world(11, K).await;
    for (method, by) in [
        ("Goals.getVisitsUntilConversion", "visit_number"),
        ("Goals.getDaysToConversion", "days_since_first_visit"),
    ] {
        let period = json!({ "site": 1, "period": "week", "date": "2026-11-18" });
        let mut asked = period.clone();
        asked["report"] = json!(method);
        let result = testing::answered(&toolbox, "report", asked).await;
        let mut dedicated = period.clone();
        dedicated["by"] = json!(by);
        let expected = toolbox
            .call("visits_to_conversion", Some(dedicated))
            .await
            .unwrap();
        // The same proven ranges (the test above checks them against the dataset).
        let rows = &result.structured().unwrap()["rows"];
        assert_eq!(
            rows,
            &expected.structured().unwrap()["ranges"]["rows"],
            "{method}"
        );
        assert!(!rows.as_array().unwrap().is_empty(), "{method}: {rows}");
        // Paged as every report: the second row alone.
        let mut second = period.clone();
        second["report"] = json!(method);
        second["limit"] = json!(1);
        second["offset"] = json!(1);
        let paged = toolbox.call("report", Some(second)).await.unwrap();
        let paged = paged.structured().unwrap();
        assert_eq!(
            paged["rows"].as_array().unwrap().len(),
            1,
            "{method}: {paged}"
        );
        assert_eq!(paged["rows"][0], rows[1], "{method}");
        assert_eq!(
            paged["total_rows"],
            result.structured().unwrap()["total_rows"],
            "{method}"
        );
    }
}
