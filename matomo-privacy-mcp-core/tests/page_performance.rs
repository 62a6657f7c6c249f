//! `page_performance` against the emulator's dataset, which knows every page view's timings and
//! the visitor behind it: the averages are the dataset's over the bounded visits, and a timing is
//! shown exactly when its page views prove `k` distinct visitors, who are then really there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::Toolbox;
use matomo_privacy_mcp_core::models::page_performance::PerformanceTotals;
use matomo_privacy_mcp_core::reporting::Deployment;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_testkit::{Dataset, Day, PageTimings, Visit};
use matomo_privacy_mcp_tools as tools;
use serde_json::{Value, json};

mod emulated;

const K: u64 = 4;
/// Two visits per visitor, ten actions per visit: the default contribution bounds.
const PER_VISITOR: u64 = 20;
const NAMES: [&str; 7] = [
    "network",
    "server",
    "transfer",
    "dom_processing",
    "dom_completion",
    "on_load",
    "page_load",
];

fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

/// The timing `i` of `NAMES` of one page view, when it was sent.
fn timing(t: &PageTimings, i: usize) -> Option<u64> {
    if i == 6 {
        return t.is_timed().then(|| t.page_load());
    }
    t.all()[i]
}

/// The visits the tool's averages are over: within the bounds, and matching `keep`.
fn bounded<'a>(
    data: &'a Dataset,
    site: u32,
    days: (Day, Day),
    keep: &dyn Fn(&Visit) -> bool,
) -> Vec<&'a Visit> {
    data.visits_in(site, days.0, days.1)
        .filter(|v| v.visit_count <= 2 && v.nb_actions() <= 10 && keep(v))
        .collect()
}

/// Checks one answer against the dataset; returns (timings shown, timings withheld).
fn check(out: &Value, visits: &[&Visit], what: &str) -> (usize, usize) {
    let people: BTreeSet<&str> = visits.iter().map(|v| v.visitor_id.as_str()).collect();
    if (people.len() as u64) < K {
        assert_eq!(out["suppressed"], true, "{what}: {out}");
        assert_eq!(out["timings"], json!([]), "{what}");
        return (0, 0);
    }
    assert_eq!(out["suppressed"], false, "{what}: {out}");
    let (mut shown, mut withheld) = (0, 0);
    for (i, name) in NAMES.iter().enumerate() {
        let (mut sum, mut hits) = (0u64, 0u64);
        let mut behind: BTreeSet<&str> = BTreeSet::new();
        for v in visits {
            for t in v.page_timings() {
                if let Some(ms) = timing(&t, i) {
                    sum += ms;
                    hits += 1;
                    behind.insert(v.visitor_id.as_str());
                }
            }
        }
        let row = out["timings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["timing"] == *name);
        let proven = hits.div_ceil(PER_VISITOR) >= K;
        match row {
            Some(row) => {
                assert!(proven, "{what}: {name} shown from {hits} page views");
                // The property itself, on people: at least k distinct visitors sent them.
                assert!(
                    behind.len() as u64 >= K,
                    "{what}: {name} is about {} visitors",
                    behind.len()
                );
                assert_eq!(row["page_views"], hits, "{what}: {name}");
                assert_eq!(row["average_ms"], (sum + hits / 2) / hits, "{what}: {name}");
                shown += 1;
            }
            None if hits > 0 => {
                assert!(!proven, "{what}: {name} withheld with {hits} page views");
                assert!(
                    out["withheld_timings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|n| n == name),
                    "{what}: {name} neither shown nor listed as withheld: {out}"
                );
                withheld += 1;
            }
            None => {}
        }
    }
    (shown, withheld)
}

async fn call(toolbox: &Toolbox<Deployment>, args: Value) -> Value {
    let result = toolbox
        .call("page_performance", Some(args.clone()))
        .await
        .unwrap();
    assert!(!result.is_error(), "{args}: {}", result.text());
    result.structured().unwrap().clone()
}

#[tokio::test]
async fn averages_are_the_datasets_and_each_timing_proves_k_visitors() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let data = emu.dataset();
    let (mut shown, mut withheld, mut suppressed) = (0, 0, 0);
    for site in 1..=3 {
        for back in 0..10 {
            let day = data.today.plus(-back);
            let date = ymd(day);
            let out = call(
                &toolbox,
                json!({ "site": site, "period": "day", "date": date }),
            )
            .await;
            let visits = bounded(data, site, (day, day), &|_| true);
            let (s, w) = check(&out, &visits, &format!("site {site} {date}"));
            suppressed += usize::from(out["suppressed"] == true);
            shown += s;
            withheld += w;
        }
        // A week (Monday 16 to Sunday 22 November): more page views behind each average.
        let start = Day::from_ymd(2026, 11, 16).unwrap();
        let end = start.plus(6);
        let out = call(
            &toolbox,
            json!({ "site": site, "period": "week", "date": "2026-11-18" }),
        )
        .await;
        let visits = bounded(data, site, (start, end), &|_| true);
        let (s, w) = check(&out, &visits, &format!("site {site} week"));
        shown += s;
        withheld += w;
        // The month so far (the dataset ends on the 26th).
        let out = call(
            &toolbox,
            json!({ "site": site, "period": "month", "date": "2026-11-10" }),
        )
        .await;
        let month = (Day::from_ymd(2026, 11, 1).unwrap(), data.today);
        let visits = bounded(data, site, month, &|_| true);
        let (s, w) = check(&out, &visits, &format!("site {site} month"));
        shown += s;
        withheld += w;
    }
    eprintln!("{shown} shown, {withheld} withheld, {suppressed} suppressed");
    // Every branch was taken: timings shown, timings withheld, whole answers withheld.
    assert!(shown > 20, "{shown} shown");
    assert!(withheld > 0, "{withheld} withheld");
    assert!(suppressed > 0, "{suppressed} suppressed");
}

#[tokio::test]
async fn a_segment_narrows_the_page_views_and_unchecked_segments_are_refused() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let data = emu.dataset();
    let start = Day::from_ymd(2026, 11, 16).unwrap();
    let end = start.plus(6);
    let out = call(
        &toolbox,
        json!({ "site": 1, "period": "week", "date": "2026-11-18",
                "segment": "deviceType==Smartphone" }),
    )
    .await;
    let visits = bounded(data, 1, (start, end), &|v| {
        v.device.device_type == "Smartphone"
    });
    let (shown, _) = check(&out, &visits, "smartphones");
    assert!(shown > 0, "{out}");
    // A segment on an identifying dimension never reaches Matomo.
    let identifying = json!({ "site": 1, "segment": "userId==jane@example.com" });
    testing::refused(&toolbox, "page_performance", identifying).await;
}

/// `API.get` is asked only for the page performance columns: without `columns` Matomo 5.0.2 asks
/// every plugin's `get` and archives each of them for the bounded segment from the visit logs
/// (for a month of 44,000 visits, 18 s instead of 1 s).
#[tokio::test]
async fn api_get_is_asked_only_for_the_performance_columns() {
    let (emu, toolbox) = emulated::world(11, K).await;
    let out = call(
        &toolbox,
        json!({ "site": 1, "period": "month", "date": "2026-11-10" }),
    )
    .await;
    assert!(!out["timings"].as_array().unwrap().is_empty(), "{out}");
    let param = |r: &matomo_privacy_mcp_testkit::RecordedRequest, name: &str| {
        r.query_param(name)
            .or_else(|| r.body_param(name))
            .map(str::to_owned)
    };
    let asked: Vec<Option<String>> = emu
        .requests()
        .iter()
        .filter(|r| param(r, "method").as_deref() == Some("API.get"))
        .map(|r| param(r, "columns"))
        .collect();
    assert_eq!(
        asked,
        [Some(PerformanceTotals::API_GET_COLUMNS.to_owned())],
        "the API.get requests' columns"
    );
    // The columns the testkit's conformance suite asks the real Matomo: the same list.
    assert_eq!(
        PerformanceTotals::API_GET_COLUMNS,
        matomo_privacy_mcp_testkit::page_timing_columns().join(",")
    );
}

/// An aggregate deployment over the emulator with noise on.
async fn noisy(emu: &matomo_privacy_mcp_testkit::Emulator) -> Deployment {
    emulated::noisy_deployment(emu, K, &[7; 32], 20_000_000).await
}

#[tokio::test]
async fn with_noise_on_page_timings_are_not_offered_and_refused_naming_the_setting() {
    let (emu, _) = emulated::world(11, K).await;
    // A toolbox over a noisy deployment does not offer the tool…
    let served = tools::toolbox(noisy(&emu).await, |_| true).unwrap();
    assert!(served.list().all(|t| t.name() != "page_performance"));
    assert!(served.list().any(|t| t.name() == "visits_summary"));
    // …and registered by hand, it refuses before asking Matomo, naming the setting.
    let toolbox =
        Toolbox::with_state(noisy(&emu).await).tool(tools::page_performance::PagePerformanceTool);
    let before = emu.requests().len();
    let refused = testing::refused(&toolbox, "page_performance", json!({ "site": 1 })).await;
    assert!(refused.contains("privacy.noise.enabled"), "{refused}");
    assert_eq!(
        emu.requests().len(),
        before,
        "no request for a refused answer"
    );
}

/// On a real Matomo 5.0.2 holding the same dataset the tool answers as on the emulator: the
/// same timings shown and withheld, the same averages, for a day, a week and the month. Matomo's
/// `API.get` sends each timing's sum in seconds with decimals (`43.883`), which the SDK read as
/// whole milliseconds until 2026-12-06 and so could not decode (the recorded fixture's sums are
/// all 0, which hid it). Mutation check: decoding the sums as milliseconds again
/// (`PerformanceTotals`' `*_time` as `Count`) fails this test on the first answer.
#[tokio::test]
async fn a_real_matomo_answers_as_the_emulator() {
    let Some(real) = testing::real_matomo("page_performance on a real Matomo").await else {
        return;
    };
    let (_emu, emulated) = emulated::world(11, K).await;
    let on_matomo = testing::TestDeployment::at(&real.base_url(), real.view_token())
        .threshold(K)
        .toolbox(tools::all())
        .await;
    let mut shown = 0;
    for (period, date) in [
        ("day", "2026-11-20"),
        ("week", "2026-11-18"),
        ("month", "2026-11-10"),
    ] {
        let on = |site: u32| json!({ "site": site, "period": period, "date": date });
        let expected = call(&emulated, on(real.emulator_site())).await;
        let result = on_matomo
            .call("page_performance", Some(on(real.site())))
            .await
            .unwrap();
        assert!(!result.is_error(), "{period} {date}: {}", result.text());
        let mut got = result.structured().unwrap().clone();
        got["site"] = expected["site"].clone();
        assert_eq!(got, expected, "{period} {date}");
        shown += expected["timings"].as_array().unwrap().len();
    }
    assert!(shown > 5, "{shown} timings shown");
}
