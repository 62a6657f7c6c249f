//! Matomo's truncation rows ("/products/ - Others") are never proven by the people of their
//! whole directory, and row reports are asked of Matomo sorted and cut.
//!
//! Matomo's archiver keeps at most 100 rows per directory of the page reports (500 at the top)
//! and sums the others into one row marked `is_summary`, whose `segment` is the directory's
//! (`pageUrl=^…/products`): it also selects the visitors of the rows shown beside it. The
//! emulator truncates the same way with small limits, so that its few pages do what a large
//! site's do, and knows the people behind every page: the test finds the truncation rows about
//! fewer than `k` people in directories of many, and asserts that no answer shows them.
//!
//! Mutation-checked: with `SourceRow::into_summary` not applied to rows marked `is_summary`,
//! the first two tests fail ("/products/ - Others" shown for the desktop visits of 2026-11-25:
//! 4 people behind it, proven by the directory's 6). The check that a row's segment selects no
//! more visits than the row counts does not catch it alone: a truncation row's visits are its
//! rows' visits added up (6 here), no fewer than the directory's; that check has its own unit
//! test (`reporting::pipeline::tests`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::Toolbox;

use matomo_privacy_mcp_core::params::Limit;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::segment::Segment;
use matomo_privacy_mcp_core::testing::{self, TestDeployment};
use matomo_privacy_mcp_testkit::{Action, Day, Emulator, RecordedRequest, Visit};
use serde_json::{Value, json};

const K: u64 = 5;
const SITE: u32 = 1;

mod emulated;
use emulated::World;

/// The emulator keeping `subtable` rows per directory of the page reports.
async fn world(subtable: usize) -> World {
    let emu = testing::emulator_builder(11)
        .view_token(testing::TOKEN, &[1, 2])
        .archive_row_limits(500, subtable)
        .start()
        .await
        .unwrap();
    World::over(emu, K).await
}

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

impl World {
    /// Matomo's flat page report for a day (within a segment), whole.
    async fn flat_pages(&self, day: Day, segment: Option<&Condition>) -> Vec<Value> {
        let mut params = testing::flat_day(SITE, day).limit(Limit::rows(5_000).unwrap());
        if let Some(condition) = segment {
            params = params.segment(Segment::parse(&condition.text()).unwrap());
        }
        let rows = self
            .raw
            .call_raw("Actions.getPageUrls", &params)
            .await
            .unwrap();
        rows.as_array().cloned().unwrap()
    }

    /// The distinct visitors of the day (within a segment) who viewed a page whose URL `selects`.
    fn visitors(
        &self,
        day: Day,
        segment: Option<&Condition>,
        selects: impl Fn(&str) -> bool,
    ) -> BTreeSet<String> {
        self.emu
            .dataset()
            .visits_in(SITE, day, day)
            .filter(|visit| segment.is_none_or(|condition| condition.holds(visit)))
            .filter(|visit| {
                visit.actions.iter().any(|action| match action {
                    Action::Page { url, .. } => selects(url),
                    _ => false,
                })
            })
            .map(|visit| visit.visitor_id.clone())
            .collect()
    }
}

/// A one-condition segment the test can evaluate on the dataset itself.
#[derive(Clone, Debug)]
enum Condition {
    Device(&'static str),
    Country(&'static str),
}

impl Condition {
    fn text(&self) -> String {
        match self {
            Condition::Device(device) => format!("deviceType=={device}"),
            Condition::Country(country) => format!("countryCode=={country}"),
        }
    }

    fn holds(&self, visit: &Visit) -> bool {
        match self {
            Condition::Device(device) => visit.device.device_type == *device,
            Condition::Country(country) => visit.location.country_code == *country,
        }
    }
}

/// The directory URL (`https://…/products`) a truncation row's segment selects as a prefix.
fn directory_url(segment: &str) -> String {
    let encoded = segment.strip_prefix("pageUrl=^").unwrap();
    // Encoded twice, as Matomo writes page URLs in row segments.
    let once = percent_decode(encoded);
    percent_decode(&once)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// A truncation row of one day: its flat label, the people behind the pages it sums (ground
/// truth) and the people of its whole directory.
struct Truncation {
    day: Day,
    segment: Option<Condition>,
    label: String,
    /// Matomo's `nb_visits` of the row: its rows' visits added up.
    visits: u64,
    behind: usize,
    directory: usize,
}

async fn truncations(w: &World, days: i64, segments: bool) -> Vec<Truncation> {
    let today = w.emu.dataset().today;
    let mut found = Vec::new();
    for back in 1..=days {
        let day = today.plus(-back);
        let mut conditions: Vec<Option<Condition>> = vec![None];
        if segments {
            let visits: Vec<&Visit> = w.emu.dataset().visits_in(SITE, day, day).collect();
            let devices: BTreeSet<&'static str> =
                visits.iter().map(|v| v.device.device_type).collect();
            let countries: BTreeSet<&'static str> =
                visits.iter().map(|v| v.location.country_code).collect();
            conditions.extend(devices.into_iter().map(|d| Some(Condition::Device(d))));
            conditions.extend(countries.into_iter().map(|c| Some(Condition::Country(c))));
        }
        for condition in conditions {
            let rows = w.flat_pages(day, condition.as_ref()).await;
            let listed: BTreeSet<String> = rows
                .iter()
                .filter_map(|row| row["url"].as_str().map(String::from))
                .collect();
            let summaries: Vec<(String, String, u64)> = rows
                .iter()
                .filter(|row| row["is_summary"] == true)
                .filter_map(|row| {
                    let segment = row["segment"].as_str()?;
                    Some((
                        row["label"].as_str().unwrap().to_owned(),
                        format!("{}/", directory_url(segment)),
                        row["nb_visits"].as_u64().unwrap(),
                    ))
                })
                .collect();
            for (label, dir, visits) in &summaries {
                // The pages the row sums: in its directory, not listed, and not in a deeper
                // directory that has its own truncation row.
                let behind = w.visitors(day, condition.as_ref(), |url| {
                    url.starts_with(dir.as_str())
                        && !listed.contains(url)
                        && !summaries.iter().any(|(_, deeper, _)| {
                            deeper.len() > dir.len() && url.starts_with(deeper)
                        })
                });
                let directory =
                    w.visitors(day, condition.as_ref(), |url| url.starts_with(dir.as_str()));
                found.push(Truncation {
                    day,
                    segment: condition.clone(),
                    label: label.clone(),
                    visits: *visits,
                    behind: behind.len(),
                    directory: directory.len(),
                });
            }
        }
    }
    found
}

#[tokio::test]
async fn truncation_rows_about_few_people_in_a_directory_of_many_are_not_shown() {
    let w = world(2).await;
    let all = truncations(&w, 25, true).await;
    let risky: Vec<&Truncation> = all
        .iter()
        .filter(|t| (t.behind as u64) < K && t.visits >= K && t.directory as u64 >= K)
        .collect();
    assert!(
        !risky.is_empty(),
        "the emulator's dataset must hold a truncation row of {K} visits or more about fewer than \
         {K} people in a directory of {K} or more; found only {:?}",
        all.iter()
            .map(|t| (t.label.as_str(), t.visits, t.behind, t.directory))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "truncation rows about fewer than {K} people in a directory of {K} or more: {:?}",
        risky
            .iter()
            .map(|t| (
                ymd(t.day),
                t.label.as_str(),
                t.visits,
                t.behind,
                t.directory
            ))
            .collect::<Vec<_>>()
    );
    for t in risky {
        let out = top_pages(
            &w.toolbox,
            json!({
                "site": SITE,
                "period": "day",
                "date": ymd(t.day),
                "segment": t.segment.as_ref().map(Condition::text),
                "limit": 100
            }),
        )
        .await;
        let labels = row_labels(&out);
        assert!(
            !labels.contains(&t.label.as_str()),
            "{} on {} ({:?}): {} people behind it, {} in its directory, shown: {labels:?}",
            t.label,
            ymd(t.day),
            t.segment,
            t.behind,
            t.directory
        );
    }
}

#[tokio::test]
async fn truncation_rows_are_left_out_and_counted_even_when_large() {
    // One row kept per directory: "/products/ - Others" sums most of the shop's products,
    // seen by many, and its segment (the directory) is even exact here; it is still not a
    // proof Matomo marks as sound, so it is suppressed like any unproven row, and counted.
    let w = world(1).await;
    let all = truncations(&w, 7, false).await;
    let large = all
        .iter()
        .find(|t| t.behind as u64 >= K)
        .expect("a truncation row about k people or more");
    let out = top_pages(
        &w.toolbox,
        json!({"site": SITE, "period": "day", "date": ymd(large.day), "limit": 100}),
    )
    .await;
    let labels = row_labels(&out);
    assert!(!labels.contains(&large.label.as_str()), "{labels:?}");
    assert!(out["suppressed_rows"].as_u64().unwrap() >= 1, "{out}");
}

#[tokio::test]
async fn row_reports_are_asked_sorted_by_visits_and_cut() {
    let w = world(100).await;
    w.emu.clear_requests();
    let month = ymd(w.emu.dataset().today.month_start());
    for tool in ["top_pages", "countries"] {
        let result = w
            .toolbox
            .call(
                tool,
                Some(json!({"site": SITE, "period": "month", "date": month})),
            )
            .await
            .unwrap();
        assert!(!result.is_error(), "{}", result.text());
    }
    // Each call as sent, alone or inside a bulk request (`urls[i]`, a query string).
    let calls: Vec<Vec<(String, String)>> = w
        .emu
        .requests()
        .iter()
        .flat_map(|request| {
            let mut calls = vec![
                request
                    .query
                    .iter()
                    .chain(&request.body)
                    .cloned()
                    .collect::<Vec<_>>(),
            ];
            for (name, value) in &request.body {
                if name.starts_with("urls[") {
                    calls.push(
                        value
                            .split('&')
                            .filter_map(|pair| pair.split_once('='))
                            .map(|(k, v)| (k.to_owned(), percent_decode(v)))
                            .collect(),
                    );
                }
            }
            calls
        })
        .collect();
    let param = |call: &[(String, String)], name: &str| -> Option<String> {
        call.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    for method in ["Actions.getPageUrls", "UserCountry.getCountry"] {
        let asked = calls
            .iter()
            .find(|call| param(call, "method").as_deref() == Some(method))
            .unwrap_or_else(|| panic!("{method} was not asked"));
        let value = |name| param(asked, name);
        assert_eq!(
            value("filter_sort_column").as_deref(),
            Some("nb_visits"),
            "{method}"
        );
        assert_eq!(
            value("filter_sort_order").as_deref(),
            Some("desc"),
            "{method}"
        );
        assert_eq!(value("filter_truncate").as_deref(), Some("200"), "{method}");
    }
}

#[tokio::test]
async fn the_sum_of_the_rows_past_the_cut_is_one_row_without_segment() {
    let w = world(100).await;
    let day = w.emu.dataset().today.plus(-1);
    let params = testing::flat_day(SITE, day).truncate(2);
    let rows = w
        .raw
        .call_raw("Actions.getPageUrls", &params)
        .await
        .unwrap();
    let rows = rows.as_array().unwrap();
    let whole = w.flat_pages(day, None).await;
    assert!(whole.len() > 3, "{whole:?}");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[2]["label"], "Others");
    assert!(rows[2].get("segment").is_none(), "{:?}", rows[2]);
    let visits =
        |rows: &[Value]| -> u64 { rows.iter().map(|r| r["nb_visits"].as_u64().unwrap()).sum() };
    assert_eq!(visits(rows), visits(&whole));
}

/// The two people behind the real-Matomo site's "help/ - Others" row: (visitor, visits, pages of
/// each visit). Every page they see counts their visits once more in the row Matomo adds up: 44
/// page visits, more than the 38 visits of the whole directory, so the row's segment does not
/// look broader than the row and only its being a truncation row keeps it from proving it.
const HELP_DESK: &[(&str, usize, &[&str])] = &[
    (
        "a1f0000000000001",
        8,
        &["sizes", "warranty", "privacy", "care"],
    ),
    (
        "a1f0000000000002",
        3,
        &["sizes", "warranty", "privacy", "care"],
    ),
];

/// Visits of one day to a shop's "/help/" directory: 15 people see "shipping", 12 "returns",
/// and the two of [`HELP_DESK`] four other pages 11 times each, so that Matomo keeping 3 rows
/// per directory shows "shipping", "returns" and "/help/ - Others" (44 visits, two people),
/// whose segment is the whole directory (29 people).
fn help_desk_visits(dataset: &matomo_privacy_mcp_testkit::Dataset, day: Day) -> Vec<Visit> {
    let site = dataset.site(SITE).unwrap();
    let template = dataset.visits.iter().find(|v| v.site == SITE).unwrap();
    // (visitor, pages, the visitor's visit number)
    let mut plan: Vec<(String, Vec<&str>, u32)> = Vec::new();
    for i in 0..15u64 {
        plan.push((format!("b2f{i:013x}"), vec!["shipping"], 1));
    }
    for i in 0..12u64 {
        plan.push((format!("c3f{i:013x}"), vec!["returns"], 1));
    }
    for (visitor, visits, pages) in HELP_DESK {
        for n in 1..=*visits {
            plan.push(((*visitor).to_owned(), pages.to_vec(), n as u32));
        }
    }
    let midnight = day.midnight_ts();
    plan.into_iter()
        .enumerate()
        .map(|(i, (visitor, pages, number))| {
            let mut visit = testing::first_direct_visit(template, day);
            visit.id = 1 + i as u64;
            visit.visitor_id = visitor;
            visit.ip = format!("10.20.{}.{}", i / 200, 1 + i % 200);
            // One visit every ten minutes from 08:00.
            visit.first_ts = midnight + 8 * 3600 + 600 * i as i64;
            visit.actions = pages
                .iter()
                .map(|page| Action::Page {
                    url: format!("{}/help/{page}", site.main_url),
                    title: format!("Help: {page}"),
                    time_spent: 30,
                })
                .collect();
            visit.duration = 30 * pages.len() as u64;
            visit.returning = number > 1;
            visit.visit_count = number;
            visit
        })
        .collect()
}

/// The same on a real Matomo 5.0.2: a site of its own whose day Matomo's archiver keeps at
/// most 3 rows per directory (`datatable_archiving_maximum_rows_subtable_actions`, set for that
/// site's archiving only; see the testkit's `real_matomo::RowLimits`). Its "/help/ - Others" row
/// counts 44 visits of two people, and its segment selects the 29 people of the whole
/// directory: it must not be shown.
///
/// Mutation-checked: with `SourceRow::into_summary` not applied to rows marked `is_summary`,
/// this test fails (the row is shown, proven by its directory's 29 people). With the row's
/// visits fewer than its directory's (a first version of this site: 7 against 31) the check
/// that a segment selects no more visits than its row counts caught it alone, so the row's
/// visits are asserted to be no fewer.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_real_matomo_a_truncation_row_about_few_people_is_not_shown() {
    const TEST: &str = "truncation rows on a real Matomo";
    let today = testing::today();
    let day = Day::from_ymd(2026, 11, 12).unwrap();
    let dataset = matomo_privacy_mcp_testkit::Dataset::generate(11, today);
    let site = dataset.site(SITE).unwrap().clone();
    let visits = help_desk_visits(&dataset, day);
    let Some((real, id)) =
        testing::real_matomo_site(TEST, "truncation-help", site, visits, 3).await
    else {
        return;
    };
    let visits = help_desk_visits(&dataset, day);
    let people = |selects: &dyn Fn(&str) -> bool| -> BTreeSet<&str> {
        visits
            .iter()
            .filter(|v| {
                v.actions
                    .iter()
                    .any(|a| matches!(a, Action::Page { url, .. } if selects(url)))
            })
            .map(|v| v.visitor_id.as_str())
            .collect()
    };
    let shown_alone = ["/help/shipping", "/help/returns"];
    let behind =
        people(&|url| url.contains("/help/") && !shown_alone.iter().any(|p| url.ends_with(p)));
    let directory = people(&|url| url.contains("/help/"));
    assert!((behind.len() as u64) < K && directory.len() as u64 >= K);
    let directory_visits = visits.len() as u64;

    // Matomo's own answer: the truncation row, its added-up counts and the directory's segment.
    let raw = testing::raw_client_at(&real.base_url(), real.view_token());
    let params = testing::flat_day(id, day).limit(Limit::rows(5_000).unwrap());
    let rows = raw.call_raw("Actions.getPageUrls", &params).await.unwrap();
    let rows = rows.as_array().unwrap();
    let others = rows
        .iter()
        .find(|row| row["is_summary"] == true)
        .unwrap_or_else(|| panic!("Matomo kept every row: {rows:?}"));
    let label = others["label"].as_str().unwrap().to_owned();
    assert!(label.ends_with("Others"), "{others}");
    // Its visits are no fewer than the directory's: only its being a truncation row can keep
    // its segment from proving it.
    assert!(
        others["nb_visits"].as_u64().unwrap() >= directory_visits.max(K),
        "{others}: the directory has {directory_visits} visits"
    );
    assert!(
        directory_url(others["segment"].as_str().unwrap()).ends_with("/help"),
        "{others}"
    );

    let toolbox = TestDeployment::at(&real.base_url(), real.view_token())
        .threshold(K)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let out = top_pages(
        &toolbox,
        json!({"site": id, "period": "day", "date": "2026-11-12", "limit": 100}),
    )
    .await;
    let labels = row_labels(&out);
    // The pages of many people are shown (the answer is not empty for some other reason)...
    for page in shown_alone {
        assert!(
            labels.iter().any(|l| l.ends_with(page)),
            "{page} (people: 15 and 12) not shown: {labels:?}"
        );
    }
    // ...the truncation row about two people is not, though its directory has 29.
    assert!(
        !labels.contains(&label.as_str()),
        "{label}: {} people behind it, {} in its directory, shown: {labels:?}",
        behind.len(),
        directory.len()
    );
}

/// `top_pages` with `arguments`, answered without an error: its output.
async fn top_pages(toolbox: &Toolbox<Deployment>, arguments: Value) -> Value {
    let result = testing::answered(toolbox, "top_pages", arguments).await;
    result.structured().unwrap().clone()
}

/// The labels of the rows of a report tool's output.
fn row_labels(out: &Value) -> Vec<&str> {
    out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["label"].as_str().unwrap())
        .collect()
}

/// Sends a request the tool made again, as it was sent (form body, token included), with the
/// pairs `keep` lets through, and returns the size of Matomo's answer.
async fn bytes_of(emu: &Emulator, request: &RecordedRequest, keep: impl Fn(&str) -> bool) -> usize {
    let mut url = url::Url::parse(&emu.base_url())
        .unwrap()
        .join(&request.path)
        .unwrap();
    url.query_pairs_mut().extend_pairs(&request.query);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(request.body.iter().filter(|(name, _)| keep(name)))
        .finish();
    testing::post_form(&reqwest::Client::new(), url, body).await
}

/// Bytes, not only parameters: the page request behind a month of `top_pages` brings back what
/// the cut allows, a fraction of the whole flattened report the pipeline used to download.
///
/// Forty copies of the dataset's visitors make a month of a few thousand pages' rows: 285 KB cut
/// (200 rows of about 1.4 KB, with their segments and, as Matomo 5.0.2 sends them, the page
/// timings' counts and extremes), 786 KB whole. Mutation-checked: asking without
/// `filter_truncate` (`kept_rows` returning `None`) downloads the whole and fails the bound.
#[tokio::test]
async fn a_month_of_pages_downloads_a_bounded_number_of_bytes() {
    const BOUND: usize = 320 * 1024;
    let emu = testing::busier_emulator(testing::TOKEN, &[1], 40).await;
    let toolbox = testing::deployment(&emu)
        .threshold(K)
        .toolbox(matomo_privacy_mcp_tools::all())
        .await;
    let month = ymd(emu.dataset().today.month_start());
    emu.clear_requests();
    testing::answered(
        &toolbox,
        "top_pages",
        json!({"site": SITE, "period": "month", "date": month}),
    )
    .await;
    let request = emu
        .requests()
        .into_iter()
        .find(|r| {
            r.query_param("method").or_else(|| r.body_param("method"))
                == Some("Actions.getPageUrls")
        })
        .expect("the page report was asked");
    let cut = bytes_of(&emu, &request, |_| true).await;
    // The same question as before the cut: every row, up to the row cap.
    let whole = bytes_of(&emu, &request, |name| {
        !matches!(
            name,
            "filter_truncate" | "filter_sort_column" | "filter_sort_order"
        )
    })
    .await;
    eprintln!("top_pages month: {cut} bytes cut, {whole} whole");
    assert!(cut <= BOUND, "{cut} bytes for one answer");
    assert!(
        whole > 2 * cut,
        "the cut saves little: {cut} of {whole} bytes"
    );
}
