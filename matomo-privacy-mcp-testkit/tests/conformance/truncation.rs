//! Truncation rows ("/products/ - Others", Matomo's `is_summary` row of its archiving row
//! limits): one day of the dataset's site 1 in a real site of its own whose day Matomo archives
//! keeping at most [`SUBTABLE_ROWS`] rows per directory of the page reports
//! ([`RealMatomo::site_with_row_limits`]), beside an emulator keeping as many; the flat page,
//! entry and exit page reports of that day compared row by row, the truncation rows' counts,
//! time on page and page timings included.
//!
//! The day is tracked without its conversions (the site has no goals), so visit lengths and
//! goal columns are not compared here; the main questions compare them.

use matomo_privacy_mcp_testkit::real_matomo::{RealMatomo, RowLimits};
use serde_json::Value;

use super::COLUMNS;
use super::compare::{Difference, compare};
use super::sides::{ROOT, ask, today};

/// Rows Matomo keeps per directory before it folds the rest into "Others" (its default is 100).
const SUBTABLE_ROWS: u32 = 3;

/// The columns compared beside the main questions' [`COLUMNS`]: what the truncation row adds
/// up (time on page) and whether a row is one.
const TRUNCATION_COLUMNS: &[&str] = &["is_summary", "sum_time_spent", "avg_time_on_page"];

/// Asks both servers; the differences and how many questions were asked.
pub async fn questions(real: &RealMatomo) -> (Vec<Difference>, usize) {
    let emu = super::sides::emulator_builder()
        .archive_row_limits(500, SUBTABLE_ROWS as usize)
        .start()
        .await
        .unwrap();
    let day = today().plus(-3);
    let site = emu.dataset().site(1).cloned().unwrap();
    let visits: Vec<_> = emu
        .dataset()
        .visits_in(1, day, day)
        .cloned()
        .map(|mut v| {
            v.conversions.clear();
            v
        })
        .collect();
    let limits = RowLimits {
        actions: 500,
        subtable_actions: SUBTABLE_ROWS,
    };
    let fixture = real.clone();
    let id = tokio::task::spawn_blocking(move || {
        fixture.site_with_row_limits("conformance", "conformance-rows", &site, &visits, limits)
    })
    .await
    .unwrap()
    .unwrap();
    // `None` after a `SKIPPED` line: Matomo's configuration folder is not writable here.
    let Some(id) = id else {
        return (Vec::new(), 0);
    };
    let columns: Vec<&str> = COLUMNS.iter().chain(TRUNCATION_COLUMNS).copied().collect();
    let http = reqwest::Client::new();
    let date = day.to_string();
    let mut differences = Vec::new();
    let mut asked = 0;
    for method in [
        "Actions.getPageUrls",
        "Actions.getEntryPageUrls",
        "Actions.getExitPageUrls",
    ] {
        let params = [
            ("method", method),
            ("period", "day"),
            ("date", date.as_str()),
            ("filter_limit", "-1"),
            ("flat", "1"),
        ];
        let e = ask(&http, &emu.endpoint(), ROOT, 1, &params).await;
        let m = ask(&http, &real.endpoint(), real.admin_token(), id, &params).await;
        let summary = |v: &Value| {
            v.as_array()
                .is_some_and(|rows| rows.iter().any(|r| r.get("is_summary").is_some()))
        };
        // The page report must hold a truncation row for the questions to be about them (a
        // day's entry and exit pages may have too few).
        assert!(
            method != "Actions.getPageUrls" || (summary(&e) && summary(&m)),
            "{method} of {date} with {SUBTABLE_ROWS} rows per directory has no truncation row"
        );
        differences.extend(compare(
            &format!("truncation rows, day {date}"),
            method,
            &e,
            &m,
            Some(&columns),
        ));
        asked += 1;
    }
    (differences, asked)
}
