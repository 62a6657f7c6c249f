//! `compare_periods` against the emulator: its numbers are the two periods' own answers, and a
//! row shown in one period only is `new` or `gone`, checked against the dataset, which knows the
//! visitors behind every row: on the other side the label is absent or about fewer than k people.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use matomo_privacy_mcp_core::params::{Date, Limit, Params, Period, Sites};
use matomo_privacy_mcp_core::testing;

use matomo_privacy_mcp_testkit::Day;
use serde_json::{Value, json};

const K: u64 = 4;

mod emulated;
const SITE: u32 = 1;

use emulated::World;

async fn world() -> World {
    World::of(11, K).await
}

/// Reports whose labels Matomo sends as they are shown (no scrubbing changes them) and whose
/// rows each carry a segment: the dataset can say who is behind any of them.
const REPORTS: &[&str] = &[
    "UserCountry.getCountry",
    "UserCountry.getCity",
    "DevicesDetection.getBrowsers",
    "DevicesDetection.getType",
    "Referrers.getReferrerType",
    "Referrers.getSearchEngines",
];

impl World {
    async fn call(&self, tool: &str, args: Value) -> Value {
        let result = testing::answered(&self.toolbox, tool, args).await;
        result.structured().unwrap().clone()
    }

    /// The rows of `report` for one period as the `report` tool answers them, by label.
    async fn answer(&self, report: &str, period: &str, date: &str) -> BTreeMap<String, Value> {
        let out = self
            .call(
                "report",
                json!({ "site": SITE, "report": report, "period": period, "date": date, "limit": 100 }),
            )
            .await;
        out["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["label"].as_str().unwrap().to_owned(), row.clone()))
            .collect()
    }

    /// The distinct visitors behind `label` in Matomo's raw report (0 when it has no such row).
    async fn people_behind(&self, report: &str, period: Period, date: &str, label: &str) -> usize {
        let params = Params::new()
            .sites(Sites::one(SITE).unwrap())
            .period(period)
            .date(date.parse::<Date>().unwrap())
            .limit(Limit::rows(5000).unwrap());
        let raw = self.raw.call_raw(report, &params).await.unwrap();
        let Some(row) = raw
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["label"].as_str() == Some(label))
        else {
            return 0;
        };
        let segment = row["segment"].as_str().expect("a row with its segment");
        let (start, end) = days(period, date);
        self.emu
            .dataset()
            .visitors_matching(SITE, start, end, &[segment])
            .unwrap()
            .len()
    }
}

/// The days of a day or a week (Monday to Sunday) holding `date`.
fn days(period: Period, date: &str) -> (Day, Day) {
    let day = Day::parse(date).unwrap();
    match period {
        Period::Day => (day, day),
        Period::Week => (day.week_start(), day.week_start().plus(6)),
        _ => unreachable!("the test asks for days and weeks"),
    }
}

fn is_other(label: &str) -> bool {
    label.starts_with("Other (")
}

fn metrics(row: &Value) -> BTreeMap<String, f64> {
    row.as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "label" | "subtable"))
        .map(|(name, value)| (name.clone(), value.as_f64().unwrap()))
        .collect()
}

fn as_map(value: &Value) -> BTreeMap<String, f64> {
    value
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// Every pair of days of the dataset, and two pairs of weeks.
fn cases() -> Vec<(&'static str, Period, String, String)> {
    let mut cases: Vec<_> = (13..=26)
        .map(|d| {
            (
                "day",
                Period::Day,
                format!("2026-11-{d:02}"),
                format!("2026-11-{:02}", d - 1),
            )
        })
        .collect();
    cases.push((
        "week",
        Period::Week,
        "2026-11-25".into(),
        "2026-11-18".into(),
    ));
    cases.push((
        "week",
        Period::Week,
        "2026-11-18".into(),
        "2026-11-11".into(),
    ));
    cases
}

#[tokio::test]
async fn numbers_are_the_two_periods_answers_and_one_sided_rows_are_new_or_gone() {
    let w = world().await;
    // Rows shown as new, and as gone, that nobody was behind on the other side; rows in both.
    let (mut absent, mut both) = ([0, 0], 0);
    for (period_name, period, date, before) in cases() {
        let (date, before) = (date.as_str(), before.as_str());
        for report in REPORTS {
            let out = w
                .call(
                    "compare_periods",
                    json!({ "site": SITE, "report": report, "period": period_name, "date": date, "limit": 100 }),
                )
                .await;
            assert_eq!(out["current"]["date"], date);
            assert_eq!(out["previous"]["date"], before);
            let now = w.answer(report, period_name, date).await;
            let earlier = w.answer(report, period_name, before).await;
            let rows = out["rows"].as_array().unwrap();
            // Every row of either answer is in the comparison, once.
            let labels: Vec<&str> = rows.iter().map(|r| r["label"].as_str().unwrap()).collect();
            for label in now.keys().chain(earlier.keys()).filter(|l| !is_other(l)) {
                assert_eq!(
                    labels.iter().filter(|l| **l == label).count(),
                    1,
                    "{report} {date}: {label} in {labels:?}"
                );
            }
            for row in rows {
                let label = row["label"].as_str().unwrap();
                if is_other(label) {
                    // "Other" rows of the two periods are matched to each other.
                    let other = |side: &BTreeMap<String, Value>| {
                        side.iter()
                            .find(|(l, _)| is_other(l))
                            .map(|(_, r)| metrics(r))
                    };
                    assert_eq!(other(&now).is_some(), row.get("current").is_some());
                    if let Some(a) = other(&now) {
                        assert_eq!(as_map(&row["current"]), a);
                    }
                    if let Some(b) = other(&earlier) {
                        assert_eq!(as_map(&row["previous"]), b);
                    }
                    continue;
                }
                let case = format!("{report} {period_name} {date}: {label}");
                let change = row["change"].as_str().unwrap();
                match change {
                    "both" => {
                        both += 1;
                        let (a, b) = (metrics(&now[label]), metrics(&earlier[label]));
                        assert_eq!(as_map(&row["current"]), a, "{case}");
                        assert_eq!(as_map(&row["previous"]), b, "{case}");
                        let difference = as_map(&row["difference"]);
                        let relative = as_map(&row["relative"]);
                        for (name, value) in &a {
                            let Some(old) = b.get(name) else { continue };
                            assert_eq!(difference[name], value - old, "{case} {name}");
                            if *old != 0.0 {
                                assert!(
                                    (relative[name] - (value - old) / old).abs() < 1e-9,
                                    "{case} {name}"
                                );
                            }
                        }
                    }
                    "new" | "gone" => {
                        // Shown on one side only: now for a new row, before for a gone one.
                        let (this, other) = if change == "new" { (0, 1) } else { (1, 0) };
                        let sides = [("current", &now, date), ("previous", &earlier, before)];
                        let (shown, answer, _) = sides[this];
                        let (missing, other_answer, other_date) = sides[other];
                        assert_eq!(as_map(&row[shown]), metrics(&answer[label]), "{case}");
                        assert!(row.get(missing).is_none(), "{case}");
                        assert!(!other_answer.contains_key(label), "{case}");
                        // Ground truth: on the other side, nobody or fewer than k people were
                        // behind it.
                        let people = w.people_behind(report, period, other_date, label).await;
                        assert!(
                            (people as u64) < K,
                            "{case}: {people} people on {other_date}"
                        );
                        absent[this] += usize::from(people == 0);
                    }
                    other => panic!("{case}: {other} with complete answers on both sides"),
                }
            }
        }
    }
    // The dataset has rows that truly appear and disappear between days, and rows in both.
    let [new_absent, gone_absent] = absent;
    assert!(both > 20, "{both} rows in both periods");
    assert!(
        new_absent > 0,
        "no row absent the day before was shown as new"
    );
    assert!(
        gone_absent > 0,
        "no row absent the day after was shown as gone"
    );
}

#[tokio::test]
async fn the_earlier_period_follows_the_period_and_refusals_hold_for_both_sides() {
    let w = world().await;
    for (period, date, compare_to, expected) in [
        ("day", "2026-11-25", "previous_year", "2025-11-25"),
        ("month", "2026-11-20", "previous_period", "2026-10-20"),
        (
            "range",
            "2026-11-19,2026-11-25",
            "previous_period",
            "2026-11-12,2026-11-18",
        ),
    ] {
        let out = w
            .call(
                "compare_periods",
                json!({ "site": SITE, "report": "UserCountry.getCountry", "period": period, "date": date, "compare_to": compare_to }),
            )
            .await;
        assert_eq!(out["previous"]["date"], expected, "{period} {date}");
        assert_eq!(out["compare_to"], compare_to);
    }
    // A year before the dataset: no rows then, so every row is new.
    let out = w
        .call(
            "compare_periods",
            json!({ "site": SITE, "report": "UserCountry.getCountry", "period": "day", "date": "2026-11-25", "compare_to": "previous_year" }),
        )
        .await;
    assert_eq!(out["previous"]["total_rows"], 0);
    assert!(!out["rows"].as_array().unwrap().is_empty());
    assert!(
        out["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["change"] == "new")
    );
    // What `report` never serves, comparisons do not either; nothing reaches Matomo.
    w.emu.clear_requests();
    for method in [
        "Live.getLastVisitsDetails",
        "UserId.getUsers",
        "API.getBulkRequest",
    ] {
        let args = json!({ "site": SITE, "report": method, "date": "2026-11-25" });
        let refused = testing::refused(&w.toolbox, "compare_periods", args).await;
        assert!(refused.contains("never"), "{refused}");
    }
    // A segment on an identifying dimension is refused for both sides.
    let args = json!({ "site": SITE, "report": "UserCountry.getCountry", "date": "2026-11-25", "segment": "userId==x" });
    let refused = testing::refused(&w.toolbox, "compare_periods", args).await;
    assert!(refused.contains("`userId`"), "{refused}");
    assert_eq!(w.emu.request_count(), 0, "{:?}", w.emu.requests());
}
