//! Truncation rows ("/products/ - Others", Matomo's `is_summary` row of its archiving row
//! limits): the dataset's fortnight of site 1 in real sites of their own whose days, weeks and
//! months Matomo archives with small row limits ([`RealMatomo::site_with_row_limits`]), beside
//! an emulator with the same limits ([`SITES`]):
//! - at most [`SUBTABLE_ROWS`] rows per directory: the flat page, entry and exit page reports
//!   and pages following a site search, and the page report's top level (its directories);
//! - at most [`TITLE_ROWS`] rows in a top-level table: the page titles, exit page titles and
//!   titles following a site search (titles have no directories: Matomo's
//!   `action_title_category_delimiter` is empty by default, so a title report is one table);
//! - the other reports with row limits, on a third site: the site search keywords (at most
//!   [`SEARCH_ROWS`], `datatable_archiving_maximum_rows_site_search`), outlinks and downloads
//!   (at most [`LINK_ROWS`] domains and URLs per domain, the Actions limits) and the referrer
//!   reports (at most [`REFERRER_ROWS`] rows and [`REFERRER_SUBTABLE_ROWS`] per subtable,
//!   `…_referrers` and `…_subtable_referrers`). The emulator truncates them all as Matomo does
//!   (all agree; the referrer reports' conversions and visit lengths are not compared,
//!   [`not_tracked`]);
//!
//! each of a day, of the two weeks holding the fortnight's end, of the month and of the
//! fortnight as a range, compared row by row and column by column (all of them: counts, time
//! on page, page timings and their extremes, segments, flat columns).
//!
//! A day is truncated as Matomo's archiver meets its pages (most hits first); a week is its
//! days' tables added up by label (their "Others" rows into one) and truncated again, keeping
//! `limit − 1` rows by visits; a month the same from its whole weeks and loose days, a range
//! from its optimal subperiods (here four days, a week and four days). So a page folded into
//! "Others" on one day and shown on another keeps only the visits of the days it was shown,
//! and a visit to two folded pages counts twice in "Others". Each week's and the month's
//! tables are checked to hold no more rows than the limits (asked without the limited host:
//! the archives were built with the limits, not rebuilt with the ordinary ones). A range is
//! archived on request, not by the fixture: it is asked through a host of its own whose
//! configuration holds the limits ([`RealMatomo::as_host`]), so that Matomo archives it with
//! them, as a Matomo configured with such limits would.
//!
//! Mutation check (2026-12-06, reverted): a longer period's sum left uncut (`Table::truncate` in
//! `reports/actions/archive.rs` never truncating) failed the conformance test with 319
//! unexplained differences in these questions, the first "(truncation rows, week 2026-11-23)
//! Actions.getPageUrls [/products/ - Others] avg_time_dom_completion: 0.347 vs 0.375".
//! 2026-12-06, with the 2,396 questions of then, on a copy of the checkout (reverted): a
//! range's sum left uncut (`period_table` in `reports/actions/archive.rs` not truncating when
//! the period asked is a range) failed it with 161 unexplained differences in the page URL
//! reports' range questions, the first "(truncation rows, range 2026-11-12,2026-11-26)
//! Actions.getPageUrls [/products/ - Others] avg_page_load_time: 2.12 vs 2.156"; at the same
//! time a day's title table left uncut (`flat_day_table` keeping every title) with 1,531 in
//! the title questions of the day, the weeks and the month, the first "(truncation rows, day
//! 2026-11-23) Actions.getPageTitles [Example Shop - Home] row: present vs absent".
//!
//! 2026-12-06, with the 2,482 questions of then (reverted): a day's site search keywords left
//! uncut (`SearchTable::day` in `reports/actions/search.rs` keeping every keyword) failed it
//! with 44 unexplained differences, the first "(truncation rows, day 2026-11-23)
//! Actions.getSiteSearchKeywords [returns policy] row: present vs absent".
//!
//! 2026-12-06 (reverted): a day's referrer tables left uncut (`archived` in
//! `reports/referrers/archive.rs` not truncating a day's) failed it with 109 unexplained
//! differences, the first "(truncation rows, day 2026-11-23, top level)
//! Referrers.getReferrerType [Campaigns] row: present vs absent".
//!
//! The days are tracked without their conversions (the site has no goals), so visit lengths
//! and goal columns are not compared here; the main questions compare them.

use matomo_privacy_mcp_testkit::Emulator;
use matomo_privacy_mcp_testkit::real_matomo::{RealMatomo, RowLimits};
use serde_json::Value;

use super::compare::{Difference, compare};
use super::sides::{ROOT, ask, fortnight, today};

/// Rows Matomo keeps per directory before it folds the rest into "Others" (its default is 100).
const SUBTABLE_ROWS: u32 = 3;

/// Rows Matomo keeps in a page report's top-level table on the titles' site (its default is
/// 500): fewer than a day's titles (about 12), so that every period has a truncation row.
const TITLE_ROWS: u32 = 6;

/// The columns not compared: the site holds the visits without their conversions, so Matomo's
/// rows have no goals and other visit lengths (`entry_sum_visit_length`); subtable ids are each
/// server's own.
const NOT_COMPARED: &[&str] = &["goals", "entry_sum_visit_length", "idsubdatatable"];

/// A row-limited site and what is asked of it: its name in `$MATOMO_HOME/run/`, its limits,
/// the reports compared (`flat` as asked) and the one that must hold a truncation row.
struct Limited {
    tag: &'static str,
    limits: RowLimits,
    /// Further archiving settings of `[General]` (the other reports' row limits).
    more: &'static [(&'static str, u32)],
    methods: &'static [(&'static str, &'static str)],
    truncated: &'static str,
    /// The most rows `truncated`'s top-level table and each of its subtables may hold.
    widths: (u32, u32),
}

/// The page URL reports per directory (the last flattened by Matomo's generic flattener, its
/// truncation rows `products/ - Others`) and the page report's top level (its directories,
/// each the sum of its rows); the title reports at the top level, where titles are (Matomo's
/// `action_title_category_delimiter` is empty by default: no title has a directory).
const SITES: &[Limited] = &[
    Limited {
        tag: "conformance-rows",
        limits: RowLimits {
            actions: 500,
            subtable_actions: SUBTABLE_ROWS,
        },
        more: &[],
        methods: &[
            ("Actions.getPageUrls", "1"),
            ("Actions.getEntryPageUrls", "1"),
            ("Actions.getExitPageUrls", "1"),
            ("Actions.getPageUrlsFollowingSiteSearch", "1"),
            ("Actions.getPageUrls", "0"),
        ],
        truncated: "Actions.getPageUrls",
        widths: (500, SUBTABLE_ROWS),
    },
    Limited {
        tag: "conformance-titles",
        limits: RowLimits {
            actions: TITLE_ROWS,
            subtable_actions: SUBTABLE_ROWS,
        },
        more: &[],
        methods: &[
            ("Actions.getPageTitles", "1"),
            ("Actions.getExitPageTitles", "1"),
            ("Actions.getPageTitlesFollowingSiteSearch", "1"),
        ],
        truncated: "Actions.getPageTitles",
        widths: (TITLE_ROWS, SUBTABLE_ROWS),
    },
    // The other reports with row limits: outlinks and downloads (a domain's URLs below it, cut
    // to the Actions limits: top level and per domain), site search keywords (one table,
    // `…_site_search`) and the referrer reports (`…_referrers`, `…_subtable_referrers`).
    Limited {
        tag: "conformance-others",
        limits: RowLimits {
            actions: LINK_ROWS,
            subtable_actions: LINK_ROWS,
        },
        more: &[
            ("datatable_archiving_maximum_rows_site_search", SEARCH_ROWS),
            ("datatable_archiving_maximum_rows_referrers", REFERRER_ROWS),
            (
                "datatable_archiving_maximum_rows_subtable_referrers",
                REFERRER_SUBTABLE_ROWS,
            ),
        ],
        methods: &[
            ("Actions.getSiteSearchKeywords", "1"),
            ("Actions.getOutlinks", "1"),
            ("Actions.getOutlinks", "0"),
            ("Actions.getDownloads", "1"),
            ("Actions.getDownloads", "0"),
            ("Referrers.getReferrerType", "0"),
            ("Referrers.getWebsites", "1"),
            ("Referrers.getWebsites", "0"),
            ("Referrers.getSearchEngines", "1"),
            ("Referrers.getSearchEngines", "0"),
            ("Referrers.getCampaigns", "1"),
            ("Referrers.getSocials", "1"),
        ],
        truncated: "Actions.getSiteSearchKeywords",
        widths: (SEARCH_ROWS, SEARCH_ROWS),
    },
];

/// Rows of the outlinks' and downloads' tables on the others' site (the top level, their
/// domains, and each domain's URLs): the dataset has two outlink domains and two files.
const LINK_ROWS: u32 = 2;

/// Rows of the site search keywords' table on the others' site (a day has about five).
const SEARCH_ROWS: u32 = 3;

/// Rows of the referrer reports' top-level tables on the others' site (five channels).
const REFERRER_ROWS: u32 = 3;

/// Rows of the referrer reports' subtables on the others' site (keywords, URLs).
const REFERRER_SUBTABLE_ROWS: u32 = 2;

/// Asks both servers; the differences and how many questions were asked.
pub async fn questions(real: &RealMatomo) -> (Vec<Difference>, usize) {
    // The sites asked at once: each question mostly waits on Matomo.
    let tasks = SITES
        .iter()
        .map(|site| tokio::spawn(ask_limited(real.clone(), site)));
    joined(tasks.collect()).await
}

/// The differences and question counts of questions asked at once, in the order of `tasks`.
pub async fn joined(
    tasks: Vec<tokio::task::JoinHandle<(Vec<Difference>, usize)>>,
) -> (Vec<Difference>, usize) {
    let mut differences = Vec::new();
    let mut asked = 0;
    for task in tasks {
        let (more, n) = task.await.unwrap();
        differences.extend(more);
        asked += n;
    }
    (differences, asked)
}

/// The emulator of the compared dataset with `site`'s limits, and the real site holding its
/// fortnight; `None` after a `SKIPPED` line (Matomo's configuration folder is not writable).
async fn sides_of(real: &RealMatomo, site: &Limited) -> Option<(Emulator, u32)> {
    let limits = site.limits;
    let setting = |name: &str| {
        let found = site.more.iter().find(|(n, _)| *n == name);
        found.map_or(500, |&(_, value)| value as usize)
    };
    let emu = super::sides::emulator_builder()
        .archive_row_limits(limits.actions as usize, limits.subtable_actions as usize)
        .site_search_row_limit(setting("datatable_archiving_maximum_rows_site_search"))
        .referrer_row_limits(
            setting("datatable_archiving_maximum_rows_referrers"),
            setting("datatable_archiving_maximum_rows_subtable_referrers"),
        )
        .start()
        .await
        .unwrap();
    let shop = emu.dataset().site(1).cloned().unwrap();
    let visits: Vec<_> = emu
        .dataset()
        .visits_in(1, today().plus(-14), today())
        .cloned()
        .map(|mut v| {
            v.conversions.clear();
            v
        })
        .collect();
    let (fixture, tag, more) = (real.clone(), site.tag, site.more);
    let id = tokio::task::spawn_blocking(move || {
        fixture.site_with_archiving_limits("conformance", tag, limits, more, &shop, &visits)
    })
    .await
    .unwrap()
    .unwrap()?;
    Some((emu, id))
}

/// Matomo's API through a host of its own whose configuration holds `limits`, so that a period
/// the fixture did not archive (a range) is archived with them on the first request.
fn limited_endpoint(real: &RealMatomo, site: &Limited) -> Option<String> {
    let limits = site.limits;
    let more: String = site.more.iter().map(|(_, v)| format!("-{v}")).collect();
    let host = format!(
        "conformance-{}-{}{more}.testkit.test",
        limits.actions, limits.subtable_actions
    );
    let settings = limits.settings(site.more);
    let base = real.as_host("conformance", &host, &settings).unwrap()?;
    Some(format!("{base}index.php"))
}

/// The questions of one row-limited site: its reports over a day, the two weeks holding the
/// fortnight's end, the month and the fortnight as a range.
async fn ask_limited(real: RealMatomo, site: &'static Limited) -> (Vec<Difference>, usize) {
    let real = &real;
    let Some((emu, id)) = sides_of(real, site).await else {
        return (Vec::new(), 0);
    };
    let Some(limited) = limited_endpoint(real, site) else {
        return (Vec::new(), 0);
    };
    let http = reqwest::Client::new();
    let day = today().plus(-3);
    let fortnight = fortnight();
    let periods = [
        ("day", day.to_string()),
        ("week", day.to_string()),
        ("week", day.plus(-7).to_string()),
        ("month", day.to_string()),
        ("range", fortnight),
    ];
    let mut differences = Vec::new();
    let mut asked = 0;
    for (period, date) in &periods {
        let (period, date) = (*period, date.as_str());
        // A range is archived on request, with the limits only through the limited host; the
        // days, weeks and months were archived by the fixture, and are read here without it
        // (so a table over the limit would show archives built with the ordinary limits).
        let endpoint = if period == "range" {
            limited.clone()
        } else {
            real.endpoint()
        };
        if period != "day" {
            check_widths(&http, &endpoint, real, id, site, period, date).await;
        }
        for &(method, flat) in site.methods {
            let params = [
                ("method", method),
                ("period", period),
                ("date", date),
                ("filter_limit", "-1"),
                ("flat", flat),
            ];
            let e = ask(&http, &emu.endpoint(), ROOT, 1, &params).await;
            let m = ask(&http, &endpoint, real.admin_token(), id, &params).await;
            let summary = |v: &Value| {
                v.as_array()
                    .is_some_and(|rows| rows.iter().any(|r| r.get("is_summary").is_some()))
            };
            // Matomo's report must hold a truncation row for the questions to be about them (a
            // day's entry and exit pages may have too few); the emulator's missing one is a
            // difference.
            assert!(
                method != site.truncated || flat == "0" || summary(&m),
                "{method} of {period} {date} with rows limited to {:?} has no truncation row",
                site.limits
            );
            let skipped = [matomo_only(method), not_tracked(method)].concat();
            let columns = columns_of(&[&e, &m], &skipped);
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            let shape = if flat == "1" { "" } else { ", top level" };
            differences.extend(compare(
                &format!("truncation rows, {period} {date}{shape}"),
                method,
                &e,
                &m,
                Some(&columns),
            ));
            asked += 1;
        }
    }
    (differences, asked)
}

/// Checks that the period's archived tables hold no more rows than the site's limits: its top
/// level (the reports' first method, unflattened) and each directory's.
async fn check_widths(
    http: &reqwest::Client,
    endpoint: &str,
    real: &RealMatomo,
    id: u32,
    site: &Limited,
    period: &str,
    date: &str,
) {
    let params = [
        ("method", site.truncated),
        ("period", period),
        ("date", date),
        ("filter_limit", "-1"),
        ("expanded", "1"),
    ];
    let m = ask(http, endpoint, real.admin_token(), id, &params).await;
    let top = m.as_array().map_or(0, Vec::len);
    let widest = widest_table(&m);
    assert!(
        top <= site.widths.0 as usize && widest <= site.widths.1 as usize,
        "{} {period} {date}: {top} rows, a directory of {widest}, archived without the limits",
        site.truncated
    );
}

/// Columns only Matomo sends, by report (listed in `docs/emulator-differences.md`, none read by
/// the SDK): flat site searches' `Actions_Keyword`, outlinks' and downloads'
/// `nb_hits_following_search`.
fn matomo_only(method: &str) -> &'static [&'static str] {
    match method {
        "Actions.getSiteSearchKeywords" => &["Actions_Keyword"],
        "Actions.getOutlinks" | "Actions.getDownloads" => &["nb_hits_following_search"],
        _ => &[],
    }
}

/// Columns the real site's visits lack, by report: they are tracked without their conversions,
/// so a referrer row has no conversions or revenue and its visits end with their last action
/// (`sum_visit_length`); the emulator's dataset keeps both.
fn not_tracked(method: &str) -> &'static [&'static str] {
    if method.starts_with("Referrers.") {
        &[
            "nb_visits_converted",
            "nb_conversions",
            "revenue",
            "sum_visit_length",
        ]
    } else {
        &[]
    }
}

/// Every column of the answers' rows but [`NOT_COMPARED`] and those `skipped`.
fn columns_of(answers: &[&Value], skipped: &[&str]) -> Vec<String> {
    let mut columns: Vec<String> = answers
        .iter()
        .filter_map(|answer| answer.as_array())
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|row| row.keys().cloned())
        .filter(|column| {
            !NOT_COMPARED.contains(&column.as_str()) && !skipped.contains(&column.as_str())
        })
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// The most rows any directory's table of an expanded page report holds.
fn widest_table(report: &Value) -> usize {
    let rows = report.as_array().map(Vec::as_slice).unwrap_or_default();
    rows.iter()
        .filter_map(|r| r.get("subtable"))
        .map(|sub| {
            let own = sub.as_array().map_or(0, Vec::len);
            own.max(widest_table(sub))
        })
        .max()
        .unwrap_or(0)
}
