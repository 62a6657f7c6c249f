//! Report behaviour: nesting, paging, sorting, flat/expanded/subtables, segments, consistency with the
//! dataset, determinism.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RANGE, ROOT, api_json, emulator, range_visits, summary, today};
use matomo_privacy_mcp_testkit::{Action, Emulator, Referrer};
use serde_json::Value;

async fn report(emu: &Emulator, method: &str, extra: &[(&str, &str)]) -> Value {
    let mut params = RANGE.to_vec();
    params.extend_from_slice(extra);
    api_json(emu, method, ROOT, &params).await
}

/// The whole numbers of column `col` of every row of `rows`, in order.
fn column(rows: &Value, col: &str) -> Vec<u64> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r[col].as_u64().unwrap())
        .collect()
}

fn sum(rows: &Value, col: &str) -> u64 {
    column(rows, col).into_iter().sum()
}

#[tokio::test]
async fn summary_counts_the_dataset_and_dimension_reports_add_up() {
    let emu = emulator(7).await;
    let visits: Vec<_> = range_visits(&emu).collect();
    let summary = report(&emu, "VisitsSummary.get", &[]).await;
    assert_eq!(summary["nb_visits"].as_u64().unwrap(), visits.len() as u64);
    assert_eq!(
        summary["nb_actions"].as_u64().unwrap(),
        visits.iter().map(|v| v.nb_actions()).sum::<u64>()
    );
    assert_eq!(
        summary["bounce_count"].as_u64().unwrap(),
        visits.iter().filter(|v| v.is_bounce()).count() as u64
    );
    let all = [("filter_limit", "-1")];
    for method in [
        "UserCountry.getCountry",
        "UserCountry.getCity",
        "UserCountry.getRegion",
        "DevicesDetection.getType",
        "DevicesDetection.getBrowsers",
        "DevicesDetection.getOsVersions",
        "Referrers.getReferrerType",
        "VisitTime.getVisitInformationPerServerTime",
    ] {
        let rows = report(&emu, method, &all).await;
        assert_eq!(sum(&rows, "nb_visits"), visits.len() as u64, "{method}");
        assert_eq!(
            sum(&rows, "nb_actions"),
            visits.iter().map(|v| v.nb_actions()).sum::<u64>(),
            "{method}"
        );
    }
    let searches = visits
        .iter()
        .filter(|v| matches!(v.referrer, Referrer::Search { .. }))
        .count() as u64;
    assert_eq!(
        sum(
            &report(&emu, "Referrers.getSearchEngines", &all).await,
            "nb_visits"
        ),
        searches
    );
    let with_user = visits.iter().filter(|v| v.user_id.is_some()).count() as u64;
    assert_eq!(
        sum(&report(&emu, "UserId.getUsers", &all).await, "nb_visits"),
        with_user
    );
    let events = visits
        .iter()
        .flat_map(|v| v.actions.iter())
        .filter(|a| matches!(a, Action::Event { .. }))
        .count();
    assert_eq!(
        sum(&report(&emu, "Events.getCategory", &all).await, "nb_events"),
        events as u64
    );
    let pageviews = visits.iter().flat_map(|v| v.pages()).count() as u64;
    assert_eq!(
        sum(
            &report(
                &emu,
                "Actions.getPageUrls",
                &[("flat", "1"), ("filter_limit", "-1")]
            )
            .await,
            "nb_hits"
        ),
        pageviews
    );
    let goals = report(&emu, "Goals.get", &[]).await;
    let conversions = visits.iter().map(|v| v.conversions.len()).sum::<usize>() as u64;
    assert_eq!(goals["nb_conversions"].as_u64().unwrap(), conversions);
    assert!(goals["conversion_rate"].as_str().unwrap().ends_with('%'));
}

#[tokio::test]
async fn several_sites_and_periods_nest_like_matomo() {
    let emu = emulator(7).await;
    let v = summary(&emu, ROOT, "1,2", "day", "last3").await;
    let sites: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(sites, ["1", "2"]);
    let days: Vec<_> = v["1"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(days, ["2026-11-24", "2026-11-25", "2026-11-26"]);
    let weeks = summary(&emu, ROOT, "1", "week", "previous2").await;
    let labels: Vec<_> = weeks.as_object().unwrap().keys().cloned().collect();
    assert_eq!(labels, ["2026-11-09,2026-11-15", "2026-11-16,2026-11-22"]);
    let months = summary(&emu, ROOT, "2", "month", "last3").await;
    assert_eq!(
        months["2026-09"],
        serde_json::json!([]),
        "empty period inside several periods is []"
    );
    assert!(months["2026-11"]["nb_visits"].as_u64().unwrap() > 0);
    let empty_day = summary(&emu, ROOT, "1", "day", "2026-10-05").await;
    assert_eq!(
        empty_day["nb_visits"], 0,
        "a lone empty day is an object of zeros"
    );
    let all = summary(&emu, ROOT, "all", "year", "today").await;
    assert_eq!(all.as_object().unwrap().len(), 3);
    let countries = api_json(
        &emu,
        "UserCountry.getCountry",
        ROOT,
        &[
            ("idSite", "1"),
            ("period", "day"),
            ("date", "2026-11-18,2026-11-19"),
        ],
    )
    .await;
    assert!(countries["2026-11-18"].is_array());
}

#[tokio::test]
async fn paging_and_sorting() {
    let emu = emulator(7).await;
    let all = report(&emu, "UserCountry.getCity", &[("filter_limit", "-1")]).await;
    let visits = column(&all, "nb_visits");
    let all = all.as_array().unwrap();
    assert!(all.len() >= 5);
    assert!(
        visits.windows(2).all(|w| w[0] >= w[1]),
        "default sort is nb_visits descending"
    );
    let page = report(
        &emu,
        "UserCountry.getCity",
        &[("filter_limit", "2"), ("filter_offset", "1")],
    )
    .await;
    assert_eq!(page.as_array().unwrap(), &all[1..3]);
    let asc = report(
        &emu,
        "UserCountry.getCity",
        &[
            ("filter_sort_column", "nb_actions"),
            ("filter_sort_order", "asc"),
            ("filter_limit", "-1"),
        ],
    )
    .await;
    let actions = column(&asc, "nb_actions");
    assert!(actions.windows(2).all(|w| w[0] <= w[1]));
    let live = api_json(&emu, "Live.getLastVisitsDetails", ROOT, &[("idSite", "1")]).await;
    assert_eq!(
        live.as_array().unwrap().len(),
        10,
        "Live defaults to 10 visits"
    );
    let hours = report(&emu, "VisitTime.getVisitInformationPerServerTime", &[]).await;
    assert_eq!(hours.as_array().unwrap().len(), 24);
    assert_eq!(hours[0]["label"], "00");
}

#[tokio::test]
async fn flat_expanded_and_subtables() {
    let emu = emulator(7).await;
    let engines = report(&emu, "Referrers.getSearchEngines", &[]).await;
    let first = &engines[0];
    let id = first["idsubdatatable"].as_u64().unwrap().to_string();
    assert!(first.get("subtable").is_none());
    let sub = report(
        &emu,
        "Referrers.getSearchEngines",
        &[("idSubtable", id.as_str())],
    )
    .await;
    let expanded = report(&emu, "Referrers.getSearchEngines", &[("expanded", "1")]).await;
    assert_eq!(
        expanded[0]["subtable"], sub,
        "expanded embeds the same rows idSubtable returns"
    );
    assert_eq!(sum(&sub, "nb_visits"), first["nb_visits"].as_u64().unwrap());
    let flat = report(
        &emu,
        "Events.getCategory",
        &[("flat", "1"), ("filter_limit", "-1")],
    )
    .await;
    for row in flat.as_array().unwrap() {
        let label = row["label"].as_str().unwrap();
        let expected = format!(
            "{} - {}",
            row["Events_EventCategory"].as_str().unwrap(),
            row["Events_EventAction"].as_str().unwrap()
        );
        assert_eq!(label, expected);
        assert!(row.get("idsubdatatable").is_none());
    }
    let urls = report(
        &emu,
        "Actions.getPageUrls",
        &[("flat", "1"), ("filter_limit", "-1")],
    )
    .await;
    assert!(
        urls.as_array()
            .unwrap()
            .iter()
            .any(|r| r["label"] == "/products/shoes/runner-x")
    );
    let tree = report(&emu, "Actions.getPageUrls", &[("filter_limit", "-1")]).await;
    assert!(
        tree.as_array()
            .unwrap()
            .iter()
            .any(|r| r["label"] == "products" && r.get("idsubdatatable").is_some())
    );
}

/// A website's URL rows are archived under the referrer URL: Matomo 5.0.2 shows that label inside
/// the website (`expanded=1`, as in the recorded `Referrers.getWebsites_expanded.json`) and only
/// the subtable it serves by id, or flattened, relabels them by their path.
#[tokio::test]
async fn website_urls_keep_their_url_inside_the_website() {
    let emu = emulator(7).await;
    let all = [("filter_limit", "-1")];
    let expanded = report(&emu, "Referrers.getWebsites", &[all[0], ("expanded", "1")]).await;
    let websites = expanded.as_array().unwrap();
    assert!(!websites.is_empty());
    for website in websites {
        let host = website["label"].as_str().unwrap();
        let id = website["idsubdatatable"].as_u64().unwrap().to_string();
        let by_id = report(
            &emu,
            "Referrers.getWebsites",
            &[all[0], ("idSubtable", id.as_str())],
        )
        .await;
        let embedded = website["subtable"].as_array().unwrap();
        assert_eq!(embedded.len(), by_id.as_array().unwrap().len(), "{host}");
        for (inside, served) in embedded.iter().zip(by_id.as_array().unwrap()) {
            let url = inside["label"].as_str().unwrap();
            let path = served["label"].as_str().unwrap();
            assert!(url.starts_with("http") && url.contains(host), "{url}");
            assert!(
                url.ends_with(path) && !path.starts_with("http"),
                "{url} / {path}"
            );
            assert_eq!(inside["nb_visits"], served["nb_visits"], "{url}");
        }
    }
}

/// `showColumns` keeps the listed columns of every row, embedded subtables' included, and the
/// label and row metadata (segment, url), as Matomo 5.0.2's `ColumnDelete` filter does.
#[tokio::test]
async fn show_columns_keeps_the_listed_columns_and_the_metadata() {
    let emu = emulator(7).await;
    let expanded = ("expanded", "1");
    let all = report(&emu, "Referrers.getWebsites", &[expanded]).await;
    let shown = ("showColumns", "nb_uniq_visitors,nb_visits");
    let websites = report(&emu, "Referrers.getWebsites", &[expanded, shown]).await;
    let (all, shown) = (all.as_array().unwrap(), websites.as_array().unwrap());
    assert!(!shown.is_empty());
    assert_eq!(all.len(), shown.len());
    for (full, row) in all.iter().zip(shown) {
        let subtable = row["subtable"].as_array().unwrap();
        assert!(!subtable.is_empty());
        let full_subtable = full["subtable"].as_array().unwrap();
        for (f, r) in std::iter::once(full)
            .chain(full_subtable)
            .zip(std::iter::once(row).chain(subtable))
        {
            let (f, r) = (f.as_object().unwrap(), r.as_object().unwrap());
            // Every column but the shown ones is gone; every other key (label, metadata) stays.
            for (key, value) in f {
                let column = value.is_number() && key != "idsubdatatable" || key == "goals";
                let listed = key == "nb_visits" || key == "nb_uniq_visitors";
                assert_eq!(r.contains_key(key), !column || listed, "{key} of {f:?}");
            }
            assert!(r.keys().all(|k| f.contains_key(k)), "{r:?}");
            assert!(r["nb_visits"].as_u64().unwrap() > 0, "{r:?}");
        }
        assert!(row["segment"].is_string(), "{row}");
    }
    // A summary left with one column is that column's bare value, as Matomo 5.0.2 renders it;
    // with two, the two columns.
    let whole = report(&emu, "VisitsSummary.get", &[]).await;
    let one = report(&emu, "VisitsSummary.get", &[("showColumns", "nb_visits")]).await;
    assert_eq!(one, serde_json::json!({"value": whole["nb_visits"]}));
    let two = ("showColumns", "nb_visits,nb_actions");
    let two = report(&emu, "VisitsSummary.get", &[two]).await;
    let keys: Vec<&String> = two.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["nb_actions", "nb_visits"]);
}

#[tokio::test]
async fn segments_filter_visits() {
    let emu = emulator(7).await;
    let visits: Vec<_> = range_visits(&emu).collect();
    let count = |f: &dyn Fn(&&matomo_privacy_mcp_testkit::Visit) -> bool| {
        visits.iter().filter(|v| f(v)).count() as u64
    };
    let cases: Vec<(&str, u64)> = vec![
        (
            "countryCode==de",
            count(&|v| v.location.country_code == "de"),
        ),
        (
            "countryCode!=de",
            count(&|v| v.location.country_code != "de"),
        ),
        (
            "deviceType==smartphone",
            count(&|v| v.device.device_type == "Smartphone"),
        ),
        (
            "browserCode==CH,browserCode==FF",
            count(&|v| matches!(v.browser.code, "CH" | "FF")),
        ),
        (
            "referrerType==search;visitorType==returning",
            // A returning customer's visit is not `returning` (Matomo's `visitor_returning` 2).
            count(&|v| {
                v.referrer.type_code() == "search" && v.returning && !v.details.returning_customer
            }),
        ),
        ("visitServerHour>=12", count(&|v| v.server_hour() >= 12)),
        (
            "pageUrl=@%2Fproducts%2F",
            count(&|v| v.pages().any(|(u, _, _)| u.contains("/products/"))),
        ),
    ];
    for (segment, expected) in cases {
        let r = report(&emu, "VisitsSummary.get", &[("segment", segment)]).await;
        assert_eq!(r["nb_visits"].as_u64().unwrap(), expected, "{segment}");
    }
    let unknown = report(
        &emu,
        "VisitsSummary.get",
        &[("segment", "nosuchDimension==1")],
    )
    .await;
    assert_eq!(
        unknown["message"],
        "Segment 'nosuchDimension' is not a supported segment."
    );
    let malformed = report(&emu, "VisitsSummary.get", &[("segment", "countryCode=de")]).await;
    assert_eq!(
        malformed["message"],
        "The segment condition 'countryCode=de' is not valid."
    );
}

#[tokio::test]
async fn format_metrics_and_hide_columns() {
    let emu = emulator(7).await;
    let pct = report(&emu, "VisitsSummary.get", &[]).await;
    assert!(pct["bounce_rate"].as_str().unwrap().ends_with('%'));
    let raw = report(&emu, "VisitsSummary.get", &[("format_metrics", "0")]).await;
    let fraction = raw["bounce_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&fraction));
    let pretty = report(&emu, "VisitsSummary.get", &[("format_metrics", "1")]).await;
    assert!(pretty["avg_time_on_site"].is_string());
    let hidden = api_json(
        &emu,
        "Live.getLastVisitsDetails",
        ROOT,
        &[
            ("idSite", "1"),
            ("filter_limit", "2"),
            ("hideColumns", "visitIp,visitorId,userId"),
        ],
    )
    .await;
    let text = hidden.to_string();
    assert!(
        !text.contains("\"visitIp\"")
            && !text.contains("\"visitorId\"")
            && !text.contains("\"userId\"")
    );
}

#[tokio::test]
async fn live_and_profiles() {
    let emu = emulator(7).await;
    let visits = api_json(
        &emu,
        "Live.getLastVisitsDetails",
        ROOT,
        &[
            ("idSite", "1"),
            ("filter_limit", "-1"),
            ("period", "day"),
            ("date", "today"),
        ],
    )
    .await;
    let expected = emu.dataset().visits_in(1, today(), today()).count();
    assert_eq!(visits.as_array().unwrap().len(), expected);
    let ts: Vec<i64> = visits
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["firstActionTimestamp"].as_i64().unwrap())
        .collect();
    assert!(ts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let visitor = emu
        .dataset()
        .visits
        .iter()
        .find(|v| v.site == 1)
        .unwrap()
        .visitor_id
        .clone();
    let profile = api_json(
        &emu,
        "Live.getVisitorProfile",
        ROOT,
        &[("idSite", "1"), ("visitorId", visitor.as_str())],
    )
    .await;
    let own = emu
        .dataset()
        .visits
        .iter()
        .filter(|v| v.site == 1 && v.visitor_id == visitor)
        .count();
    assert_eq!(profile["totalVisits"].as_u64().unwrap(), own as u64);
    let unknown = api_json(
        &emu,
        "Live.getVisitorProfile",
        ROOT,
        &[("idSite", "1"), ("visitorId", "ffffffffffffffff")],
    )
    .await;
    assert_eq!(unknown, serde_json::json!([]));
}

#[tokio::test]
async fn same_seed_same_bytes_and_different_seed_different_data() {
    let a = emulator(99).await;
    let b = emulator(99).await;
    let c = emulator(100).await;
    assert_eq!(a.dataset(), b.dataset());
    assert_ne!(a.dataset(), c.dataset());
    for method in [
        "VisitsSummary.get",
        "Actions.getPageUrls",
        "Live.getLastVisitsDetails",
        "Referrers.getWebsites",
    ] {
        let ra = common::api(&a, method, ROOT, &RANGE).await;
        let rb = common::api(&b, method, ROOT, &RANGE).await;
        assert_eq!(ra.body, rb.body, "{method}");
    }
    let site_visits = |e: &Emulator| e.dataset().visits.iter().filter(|v| v.site == 1).count();
    assert!(
        site_visits(&a) > 100,
        "the shop has enough traffic for meaningful reports"
    );
    assert!(
        a.dataset()
            .visits
            .iter()
            .any(|v| v.user_id.as_deref().is_some_and(|u| u.contains('@')))
    );
    assert!(
        a.dataset()
            .visits
            .iter()
            .flat_map(|v| v.pages())
            .any(|(u, _, _)| u.contains("token="))
    );
    a.shutdown().await;
}
