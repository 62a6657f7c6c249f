//! The report tools read rows as `SourceRow`s (label and known metrics, decoded in one pass)
//! instead of the full typed model. This proves the shortcut changes nothing: for every recorded
//! answer of every report a tool uses, and for generated rows in every number format Matomo
//! sends, the label and metrics are exactly what the typed model row gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use matomo_privacy_mcp_core::PrivacyClass;
use matomo_privacy_mcp_core::minimise::Metrics;
use matomo_privacy_mcp_core::models::{
    self, Report, actions, devices_detection, events, referrers, user_country, visit_time,
};
use matomo_privacy_mcp_core::reporting::SourceRow;
use proptest::prelude::*;
use serde::Serialize;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/matomo-5.0.2");

/// The label and metrics of each row the way the typed model gives them: decode `R::Output`,
/// serialise each row, keep the label and the known metrics.
fn through_model<R>(body: &[u8]) -> Vec<(String, Metrics)>
where
    R: Report,
    R::Output: IntoIterator<Item: Serialize>,
{
    let rows: R::Output = models::decode(body).expect("the typed model decodes the fixture");
    rows.into_iter()
        .map(|row| {
            let value = as_output(&row);
            let object = value.as_object().expect("a row is an object");
            let label = match &object["label"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (label, Metrics::known_in(object))
        })
        .collect()
}

/// `value` as an `identifying` tool's output encodes it: the only place a classified value
/// serialises (anywhere else it is an error).
fn as_output<T: Serialize>(value: &T) -> Value {
    matomo_privacy_mcp_core::__private::encode_output(value, None, PrivacyClass::Identifying)
        .expect("an identifying output admits every class")
        .structured()
        .clone()
}

fn through_source_rows(body: &[u8]) -> Vec<(String, Metrics)> {
    let rows: Vec<SourceRow> = models::decode(body).expect("source rows decode the fixture");
    // A classified label is read back through its serialised form, as a tool's output would show it.
    rows.into_iter()
        .map(|r| {
            let label = as_output(&r.label);
            (label.as_str().unwrap().to_owned(), r.metrics)
        })
        .collect()
}

/// Compares both paths on every fixture of report `R`; returns how many rows were compared.
fn compare<R>() -> usize
where
    R: Report,
    R::Output: IntoIterator<Item: Serialize>,
{
    let mut rows = 0;
    let mut fixtures = 0;
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".json") else {
            continue;
        };
        if stem != R::METHOD && !stem.starts_with(&format!("{}_", R::METHOD)) {
            continue;
        }
        let body = std::fs::read(Path::new(FIXTURES).join(&name)).unwrap();
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
            continue; // an error answer or a nested one; the tools ask for one site and period
        }
        let expected = through_model::<R>(&body);
        let actual = through_source_rows(&body);
        assert_eq!(actual, expected, "{name}");
        rows += expected.len();
        fixtures += 1;
    }
    assert!(fixtures > 0, "no fixture for {}", R::METHOD);
    rows
}

#[test]
fn every_report_the_tools_use_reads_the_same_as_its_typed_model() {
    let rows = compare::<actions::GetPageUrls>()
        + compare::<actions::GetEntryPageUrls>()
        + compare::<actions::GetPageTitles>()
        + compare::<actions::GetOutlinks>()
        + compare::<actions::GetDownloads>()
        + compare::<actions::GetSiteSearchKeywords>()
        + compare::<referrers::GetReferrerType>()
        + compare::<referrers::GetWebsites>()
        + compare::<referrers::GetSearchEngines>()
        + compare::<referrers::GetCampaigns>()
        + compare::<referrers::GetSocials>()
        + compare::<user_country::GetCountry>()
        + compare::<user_country::GetCity>()
        + compare::<devices_detection::GetType>()
        + compare::<devices_detection::GetBrowsers>()
        + compare::<devices_detection::GetOsVersions>()
        + compare::<events::GetCategory>()
        + compare::<events::GetAction>()
        + compare::<events::GetName>()
        + compare::<visit_time::GetVisitInformationPerServerTime>();
    assert!(rows > 100, "only {rows} rows compared");
}

/// A metric value in one of the forms Matomo sends, by the metric's kind.
fn metric_text(kind: u8, n: u32, style: u8) -> Value {
    let whole = f64::from(n);
    match (kind, style % 3) {
        // counts: 17, "17", 17.0
        (0, 0) => Value::from(n),
        (0, 1) => Value::from(n.to_string()),
        (0, _) => Value::from(whole),
        // rates: "45%", 0.45, "45.5%"
        (1, 0) => Value::from(format!("{}%", n % 101)),
        (1, 1) => Value::from(f64::from(n % 101) / 100.0),
        (1, _) => Value::from(format!("{}.5%", n % 100)),
        // durations: 356, "356", "5 min 56s"
        (2, 0) => Value::from(n),
        (2, 1) => Value::from(n.to_string()),
        (2, _) => Value::from(format!("{} min {}s", n / 60, n % 60)),
        // money: 1346.7, "$1,346.70"
        (_, 0) => Value::from(whole / 10.0),
        (_, _) => Value::from(format!("${},{:03}.{:02}", n / 1000 + 1, n % 1000, n % 100)),
    }
}

fn page_row() -> impl Strategy<Value = Value> {
    (
        "[a-z/?=@.]{0,24}",
        0u32..5000,
        0u8..3,
        0u32..5000,
        0u8..3,
        0u32..4000,
        0u8..3,
        0u32..101,
        0u8..3,
        prop::bool::ANY,
    )
        .prop_map(|(label, v, vs, h, hs, t, ts, b, bs, absent)| {
            let mut row = serde_json::json!({
                "label": label,
                "url": format!("https://example.org{label}"),
                "segment": format!("pageUrl=={label}"),
                "nb_visits": metric_text(0, v, vs),
                "nb_hits": metric_text(0, h, hs),
                "avg_time_on_page": metric_text(2, t, ts),
                "bounce_rate": metric_text(1, b, bs),
                "sum_time_spent": metric_text(2, t, ts),
                "entry_nb_visits": if absent { Value::Bool(false) } else { Value::Null },
            });
            if absent {
                row["idsubdatatable"] = Value::from(3);
            }
            row
        })
}

fn country_row() -> impl Strategy<Value = Value> {
    (
        "[A-Za-z ]{1,12}",
        0u32..5000,
        0u8..3,
        0u32..100_000,
        0u8..2,
        0u32..101,
        0u8..3,
    )
        .prop_map(|(label, v, vs, r, rs, c, cs)| {
            serde_json::json!({
                "label": label,
                "code": "fr",
                "logo": "plugins/Morpheus/icons/dist/flags/fr.png",
                "nb_visits": metric_text(0, v, vs),
                "nb_uniq_visitors": metric_text(0, v / 2, vs),
                "revenue": metric_text(3, r, rs),
                "conversion_rate": metric_text(1, c, cs),
                "sum_visit_length": metric_text(2, r, vs),
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_page_rows_read_the_same(rows in prop::collection::vec(page_row(), 0..20)) {
        let body = serde_json::to_vec(&rows).unwrap();
        prop_assert_eq!(through_source_rows(&body), through_model::<actions::GetPageUrls>(&body));
    }

    #[test]
    fn generated_country_rows_read_the_same(rows in prop::collection::vec(country_row(), 0..20)) {
        let body = serde_json::to_vec(&rows).unwrap();
        prop_assert_eq!(through_source_rows(&body), through_model::<user_country::GetCountry>(&body));
    }
}
