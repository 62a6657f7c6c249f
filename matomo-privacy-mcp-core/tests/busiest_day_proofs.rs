//! Rows of a week or a month proven by their segment on their busiest day (issue 27), checked on
//! people: the emulator's dataset knows who is behind every number.
//!
//! A row whose report carries no distinct count Matomo can be believed on (referrers, site
//! search keywords, OS versions, countries) is asked on one day (`reporting::visitors::busiest_day`:
//! a day it shares with other rows where it had at least 2k visits, and, when that falls short,
//! the day it had the most visits); when its busiest day's count reaches k within the row's own
//! visits of that day, the month's segment is not asked. A segment broader than its row on that
//! day proves nothing.
//!
//! Mutation-checked: comparing the day's count with the row's visits over the month instead of
//! that day's (or not at all) shows the "0 days" row of days since the last visit without its
//! scope, proven by a segment that also selects every first visit of the day.
//!
//! The days' tables of referrer websites with their URL rows (`reporting::visitors::referrer_urls`)
//! are asked only when a website has k visits, and only for as many websites a day as have:
//! the requests the emulator received are counted (mutation-checked: asked always, or for every
//! row kept, fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod emulated;
use emulated::World;

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::minimise::Scrubber;
use matomo_privacy_mcp_core::params::{Date, Limit, Params, Period, Sites};
use matomo_privacy_mcp_core::reporting::{Labels, Overlap, ReportArgs, RowReport, RowScope};
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Day, Emulator};
use serde_json::json;

const K: u64 = 5;
const SITE: u32 = 1;

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

/// Every API call the emulator received, as `(name, value)` pairs: a request's own, and each
/// item of a bulk request (`urls[i]`, a query string of its own).
fn calls(emu: &Emulator) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for request in emu.requests() {
        let own: Vec<(String, String)> =
            request.query.iter().chain(&request.body).cloned().collect();
        for (name, value) in &own {
            if name.starts_with("urls[") {
                let item = value
                    .split('&')
                    .filter_map(|pair| {
                        let (k, v) = pair.split_once('=')?;
                        let v = percent_encoding::percent_decode_str(v).decode_utf8().ok()?;
                        Some((k.to_owned(), v.into_owned()))
                    })
                    .collect();
                out.push(item);
            }
        }
        out.push(own);
    }
    out
}

fn param<'a>(call: &'a [(String, String)], name: &str) -> Option<&'a str> {
    call.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The segments of the visitor counts (`VisitsSummary.get`) asked for `period`.
fn counted_segments(emu: &Emulator, period: &str) -> Vec<String> {
    calls(emu)
        .iter()
        .filter(|call| {
            param(call, "method") == Some("VisitsSummary.get")
                && param(call, "period") == Some(period)
        })
        .filter_map(|call| param(call, "segment").map(str::to_owned))
        .collect()
}

/// A segment's text with every encoding undone: sent inside a bulk request and read from a
/// row, the same segment is encoded once or twice, a space as `%20` or `+`.
fn plain(segment: &str) -> String {
    let mut text = segment.replace('+', " ");
    loop {
        let decoded = percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == text {
            return text;
        }
        text = decoded;
    }
}

/// Whether `asked` (a segment as sent) holds every condition of `row`'s segment.
fn holds(asked: &str, row: &str) -> bool {
    let asked = plain(asked);
    let conditions: BTreeSet<&str> = asked.split(';').collect();
    plain(row).split(';').all(|c| conditions.contains(c))
}

/// The built-in tools of reports without believed distinct counts: (tool, method, the visits
/// the report covers, as a segment, if not all).
const TOOLS: &[(&str, &str, Option<&str>)] = &[
    ("referrer_types", "Referrers.getReferrerType", None),
    (
        "search_engines",
        "Referrers.getSearchEngines",
        Some("referrerType==search"),
    ),
    (
        "campaigns",
        "Referrers.getCampaigns",
        Some("referrerType==campaign"),
    ),
    ("countries", "UserCountry.getCountry", None),
    ("os_versions", "DevicesDetection.getOsVersions", None),
    (
        "site_search_keywords",
        "Actions.getSiteSearchKeywords",
        None,
    ),
];

/// A shown row as Matomo has it: its segment, and its visits on each day of the period.
struct Row {
    segment: String,
    by_day: Vec<(Day, u64)>,
}

impl World {
    /// Matomo's rows of `method` over the period (`period` at `date`) by scrubbed label, with
    /// their visits on each of `days`; a label scrubbing made of several rows is left out.
    async fn rows(
        &self,
        method: &str,
        period: &str,
        date: Day,
        days: &[Day],
    ) -> Vec<(String, Row)> {
        let scrubber = Scrubber::builder().build().unwrap();
        let params = |period: Period, date: Date| {
            Params::new()
                .sites(Sites::one(SITE).unwrap())
                .period(period)
                .date(date)
        };
        let whole = self
            .raw
            .call_raw(
                method,
                &params(period.parse().unwrap(), ymd(date).parse().unwrap()),
            )
            .await
            .unwrap();
        let range = format!("{},{}", ymd(days[0]), ymd(*days.last().unwrap()));
        let daily = self
            .raw
            .call_raw(method, &params(Period::Day, range.parse().unwrap()))
            .await
            .unwrap();
        let mut out: Vec<(String, Row)> = Vec::new();
        let mut labels = Vec::new();
        for row in whole.as_array().unwrap() {
            let Some(segment) = row["segment"].as_str() else {
                continue;
            };
            let label = scrubber.text(row["label"].as_str().unwrap());
            let label = serde_json::to_value(label)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned();
            let by_day = days
                .iter()
                .map(|&day| {
                    let visits = daily[ymd(day)]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|r| r["segment"].as_str() == Some(segment))
                        .map_or(0, |r| r["nb_visits"].as_u64().unwrap_or(0));
                    (day, visits)
                })
                .collect();
            labels.push(label.clone());
            out.push((
                label,
                Row {
                    segment: segment.to_owned(),
                    by_day,
                },
            ));
        }
        out.retain(|(label, _)| labels.iter().filter(|l| *l == label).count() == 1);
        out
    }
}

#[tokio::test]
async fn rows_reaching_k_on_their_busiest_day_ask_no_segment_of_the_period() {
    let today = emulated::emulator(11, &[SITE]).await.dataset().today;
    let (mut by_day, mut shown) = (0, 0);
    let periods = [
        ("month", today, today.month_start(), today.month_end()),
        (
            "week",
            today.plus(-7),
            today.plus(-7).week_start(),
            today.plus(-7).week_start().plus(6),
        ),
    ];
    for (period, date, first, last) in periods {
        // A world of its own for each period: nothing asked for another is in its cache.
        let w = World::of(11, K).await;
        let data = w.emu.dataset();
        let days: Vec<Day> = (0..)
            .map(|n| first.plus(n))
            .take_while(|day| *day <= last)
            .collect();
        for &(tool, method, covered) in TOOLS {
            w.emu.clear_requests();
            let args = json!({"site": SITE, "period": period, "date": ymd(date), "limit": 10});
            let result = testing::answered(&w.toolbox, tool, args.clone()).await;
            let out = result.structured().unwrap();
            let asked_on_days = counted_segments(&w.emu, "day");
            let asked_over_period = counted_segments(&w.emu, period);
            let rows = w.rows(method, period, date, &days).await;
            for row in out["rows"].as_array().unwrap() {
                let label = row["label"].as_str().unwrap();
                let Some((_, row)) = rows.iter().find(|(l, _)| l == label) else {
                    continue;
                };
                let mut within = vec![row.segment.as_str()];
                within.extend(covered);
                // The ground truth: k people behind every shown row.
                let people = data.visitors_matching(SITE, first, last, &within).unwrap();
                assert!(
                    people.len() as u64 >= K,
                    "{tool} {args}: {label} shown about {} people",
                    people.len()
                );
                shown += 1;
                // Its busiest day (the earliest of equals), and who its segment selects there.
                let (day, visits) =
                    row.by_day.iter().fold(
                        (days[0], 0),
                        |best, &(d, v)| if v > best.1 { (d, v) } else { best },
                    );
                let selected = data.visits_matching(SITE, day, day, &within).unwrap();
                let people_that_day: BTreeSet<&str> =
                    selected.iter().map(|v| v.visitor_id.as_str()).collect();
                let proven_that_day =
                    selected.len() as u64 <= visits && people_that_day.len() as u64 >= K;
                let over_period = asked_over_period.iter().any(|s| holds(s, &row.segment));
                // A row its busiest day proves is never asked over the period (it may be known
                // without any segment, as Android's versions are by their daily counts).
                if proven_that_day {
                    assert!(
                        !over_period,
                        "{tool} {args}: {label} ({} people on {}) asked over the {period}: {asked_over_period:?}",
                        people_that_day.len(),
                        ymd(day)
                    );
                    if asked_on_days.iter().any(|s| holds(s, &row.segment)) {
                        by_day += 1;
                    }
                }
            }
        }
    }
    // The rule is reached: rows shown by their busiest day.
    assert!(by_day >= 5 && shown > by_day, "{by_day} of {shown}");
}

/// Days since the last visit, read without the report's scope: the "0 days" row counts
/// returning visits only, but its segment (`daysSinceLastVisit==0`) selects every first visit
/// too, on every day as over the period. Its busiest day's count (the day's first visits with
/// it) must not prove it; with the scope (`visitorType==returning`) the same row is proven by
/// its busiest day.
#[tokio::test]
async fn a_segment_broader_than_its_row_on_the_day_proves_nothing() {
    let w = World::of(11, K).await;
    let deployment = emulated::deployment(&w.emu, K).await;
    let today = w.emu.dataset().today;
    let scoped = RowScope {
        dimension: "daysSinceLastVisit",
        condition: "visitorType==returning",
    };
    let mut shown_by_scope = Vec::new();
    for scope in [None, Some(scoped)] {
        w.emu.clear_requests();
        let report = RowReport {
            method: "VisitorInterest.getNumberOfVisitsByDaysSinceLast",
            fixed: &[],
            labels: Labels::Text,
            flat: false,
            overlap: Overlap::Possible,
            scope,
        };
        let args: ReportArgs = serde_json::from_value(
            json!({"site": SITE, "period": "month", "date": ymd(today), "limit": 20}),
        )
        .unwrap();
        let out = deployment.report_by_method(&report, &args).await.unwrap();
        let zero_days = out.rows.iter().any(|row| row.label.as_str() == "0 days");
        let on_days = counted_segments(&w.emu, "day");
        let over_month = counted_segments(&w.emu, "month");
        let own = match scope {
            None => "daysSinceLastVisit==0",
            Some(_) => "daysSinceLastVisit==0;visitorType==returning",
        };
        // The row was asked on its busiest day in both cases.
        assert!(on_days.iter().any(|s| s == own), "{scope:?}: {on_days:?}");
        shown_by_scope.push((zero_days, over_month.iter().any(|s| s == own)));
    }
    // Without the scope: not proven by the day, so asked over the month, broader there too,
    // and not shown. With it: proven by the day, the month not asked.
    assert_eq!(shown_by_scope, [(false, true), (true, false)]);
}

/// A referrer website's URL rows (`reporting::visitors::referrer_urls`: the month's days'
/// tables with their subtables embedded, `expanded=1`) are read only for the websites a bound
/// can prove, those of at least k visits, and no more of them a day: with k above every
/// website's visits the request is not sent at all.
#[tokio::test]
async fn url_rows_are_read_only_for_websites_that_can_reach_k_visits() {
    let today = emulated::emulator(11, &[SITE]).await.dataset().today;
    let args = json!({"site": SITE, "period": "month", "date": ymd(today), "limit": 10});
    let month_rows = {
        let w = World::of(11, K).await;
        let params = Params::new()
            .sites(Sites::one(SITE).unwrap())
            .period(Period::Month)
            .date(ymd(today).parse().unwrap())
            .limit(Limit::All);
        let rows = w
            .raw
            .call_raw("Referrers.getWebsites", &params)
            .await
            .unwrap();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|row| row["nb_visits"].as_u64().unwrap())
            .collect::<Vec<u64>>()
    };
    let most = month_rows.iter().copied().max().unwrap();
    assert!(
        most >= K,
        "no website of {K} visits: the test proves nothing"
    );
    // Some website below k as well: otherwise a cap of every row the report kept would pass.
    assert!(
        month_rows.iter().any(|&visits| visits < K),
        "every website has {K} visits: the cap is not tested"
    );
    for k in [K, most + 1] {
        let w = World::of(11, k).await;
        w.emu.clear_requests();
        testing::answered(&w.toolbox, "referrer_websites", args.clone()).await;
        let expanded: Vec<u32> = calls(&w.emu)
            .iter()
            .filter(|call| {
                param(call, "method") == Some("Referrers.getWebsites")
                    && param(call, "expanded") == Some("1")
            })
            .map(|call| param(call, "filter_limit").unwrap().parse().unwrap())
            .collect();
        let reaching = month_rows.iter().filter(|&&visits| visits >= k).count() as u32;
        if reaching == 0 {
            assert!(expanded.is_empty(), "k = {k}: asked {expanded:?}");
        } else {
            assert_eq!(expanded, [reaching], "k = {k}");
        }
    }
}
