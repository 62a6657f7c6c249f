//! `API.get` with `columns`, as `page_performance` asks it: the page performance averages (which
//! select the `PagePerformance` plugin alone) and the sums and counts behind them, plain and
//! under the contribution-bound segment, over the fortnight and over a day, a week and a month of
//! Matomo's own. Each answer is compared on every column either side sends, so a column the
//! emulator keeps that Matomo drops (or the other way) is a difference; and Matomo's answer with
//! `columns` must carry the same records as its answer without (what the tool relies on).
//!
//! Then how `columns` selects: a column no plugin's metadata lists (nothing: `[]`), one column
//! (Matomo's `{"value": …}`), and columns that plugins' `get` send or drop.
//!
//! Mutation check (2026-12-06, with the 2,482 questions of then, reverted): the emulator's
//! `API.get` ignoring `columns` (`asked_columns` in `reports/performance.rs`) failed the suite
//! with 1,215 unexplained differences, the first "(columns: page performance, range
//! 2026-11-12,2026-11-26 []) API.get [] Referrers_distinctCampaigns: 9 vs -".

use serde_json::Value;

use super::compare::{Difference, compare};
use super::sides::{Sides, fortnight, today};
use matomo_privacy_mcp_testkit::page_timing_columns;

const METHOD: &str = "API.get";

/// The segment `page_performance` asks under (`ContributionBounds::page_view_segment`).
const BOUNDED: &str = "visitCount<=2;actions<=10";

/// The questions of `API.get` with `columns`, and how many were asked.
pub async fn questions(sides: &Sides) -> (Vec<Difference>, usize) {
    let performance = page_timing_columns().join(",");
    let records: Vec<&str> = performance.split(',').collect();
    let last_day = today().plus(-3).to_string();
    let range = fortnight();
    let three_days = format!("{},{}", today().plus(-5), today().plus(-3));
    let periods = [
        ("range", range.as_str()),
        ("day", last_day.as_str()),
        ("week", last_day.as_str()),
        ("month", last_day.as_str()),
    ];
    let mut differences = Vec::new();
    let mut asked = 0;
    for (period, date) in periods {
        for segment in ["", BOUNDED] {
            let question = format!("columns: page performance, {period} {date} [{segment}]");
            let plain = [
                ("method", METHOD),
                ("period", period),
                ("date", date),
                ("segment", segment),
            ];
            let mut with_columns = plain.to_vec();
            with_columns.push(("columns", performance.as_str()));
            let (e, m) = sides.ask_both(&with_columns).await;
            differences.extend(compare(&question, METHOD, &e, &m, None));
            // Matomo's own answer without `columns`, on the records the tool reads.
            let (_, whole) = sides.ask_both(&plain).await;
            differences.extend(compare(
                &format!("{question}, Matomo's without columns"),
                METHOD,
                &m,
                &whole,
                Some(&records),
            ));
            // Not a vacuous comparison: Matomo sent the records.
            assert!(m.get(records[8]).is_some(), "{question}: Matomo sent {m}");
            asked += 2;
        }
    }
    // How `columns` selects plugins and keeps columns (answers checked on Matomo 5.0.2).
    for columns in [
        "bogus",
        "PagePerformance_network_hits",
        "nb_visits",
        "nb_visits,bounce_count,nb_conversions,Referrers_distinctWebsitesUrls",
        "nb_visits_new,bounce_rate_returning,nb_pageviews,nb_hits,avg_time_network",
    ] {
        for (period, date) in [("month", last_day.as_str()), ("day", three_days.as_str())] {
            let (e, m) = sides
                .ask_both(&[
                    ("method", METHOD),
                    ("period", period),
                    ("date", date),
                    ("columns", columns),
                ])
                .await;
            let question = format!("columns: {columns}, {period} {date}");
            if let (Some(mine), Some(theirs), "day") = (e.as_object(), m.as_object(), period) {
                // One answer per day (a bare value when one column is kept): day by day.
                let mut days: Vec<&String> = mine.keys().chain(theirs.keys()).collect();
                days.sort_unstable();
                days.dedup();
                for day in days {
                    let (a, b) = (&mine.get(day), &theirs.get(day));
                    let (a, b) = (a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null));
                    differences.extend(compare(&format!("{question} {day}"), METHOD, a, b, None));
                }
            } else {
                differences.extend(compare(&question, METHOD, &e, &m, None));
            }
            asked += 1;
        }
    }
    (differences, asked)
}
