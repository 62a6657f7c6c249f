//! No way out but the declared ones (issue 29): a classified value serialises only inside the
//! encoding of a tool's output whose declared class admits it, and the threshold believes only
//! Matomo's counts. Run-time halves of the compile-fail tests in `tests/ui/launder/` and
//! `tests/ui/counts/`; the privacy properties are checked on people, against the emulator's
//! dataset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use matomo_privacy_mcp_core::client::MatomoClient;
use matomo_privacy_mcp_core::minimise::{
    Metrics, ReportRow, Scrubber, Threshold, ThresholdedRow, VisitCount,
};
use matomo_privacy_mcp_core::models::actions::PageRow;
use matomo_privacy_mcp_core::models::devices_detection::GetBrowserVersions;
use matomo_privacy_mcp_core::params::Date;
use matomo_privacy_mcp_core::privacy::{Identifying, OUTSIDE_AN_OUTPUT, Pseudonymous};
use matomo_privacy_mcp_core::reporting::SourceRow;
use matomo_privacy_mcp_core::testing;
use matomo_privacy_mcp_core::tool::{SecretGuard, ToolState};
use matomo_privacy_mcp_core::{Classified, PrivacyClass, ToolError, Toolbox, matomo_tool};
use serde_json::json;

const URL: &str = "https://clinic.example/patients/jane-doe/record?mail=jane@example.org";

fn page_row() -> PageRow {
    serde_json::from_value(json!({"label": "record", "url": URL, "nb_visits": 3})).unwrap()
}

#[test]
fn serialising_a_classified_value_outside_an_output_fails_with_the_documented_message() {
    let url = Identifying::new(URL.to_owned());
    let visitor = Pseudonymous::new(String::from("5f2e1c0a9b8d7e6f"));
    let row = page_row();
    let rows = vec![page_row(), page_row()];
    let errors = [
        serde_json::to_string(&url).unwrap_err().to_string(),
        serde_json::to_value(&url).unwrap_err().to_string(),
        serde_json::to_vec(&url).unwrap_err().to_string(),
        serde_json::to_string(&visitor).unwrap_err().to_string(),
        serde_json::to_string(&row).unwrap_err().to_string(),
        serde_json::to_value(&rows).unwrap_err().to_string(),
        serde_json::to_vec(&Some(&row)).unwrap_err().to_string(),
    ];
    for error in errors {
        assert_eq!(error, OUTSIDE_AN_OUTPUT);
    }
    // The message says why and names every way down.
    for needle in [
        "declared max_class",
        "Scrubber::url",
        "threshold",
        "Pseudonym::new",
        "Generaliser",
        "declassify",
    ] {
        assert!(OUTSIDE_AN_OUTPUT.contains(needle), "{needle}");
    }
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct Urls {
    #[privacy(aggregate)]
    urls: Vec<String>,
}

/// The hurried developer's tool: the URLs read back through serde, under an aggregate label.
#[matomo_tool]
async fn laundered_urls() -> Result<Urls, ToolError> {
    let urls = [page_row()]
        .iter()
        .filter_map(|row| row.url.as_ref())
        .map(|url| {
            let quoted = serde_json::to_string(url).unwrap_or_default();
            quoted.trim_matches('"').to_owned()
        })
        .collect();
    Ok(Urls { urls })
}

/// The same, failing loudly instead.
#[matomo_tool]
async fn laundered_values() -> Result<Urls, ToolError> {
    let value =
        serde_json::to_value([page_row()]).map_err(|e| ToolError::internal(e.to_string()))?;
    let urls = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row["url"].as_str().map(str::to_owned))
        .collect();
    Ok(Urls { urls })
}

#[derive(serde::Serialize, schemars::JsonSchema, Classified)]
struct RawUrls {
    urls: Vec<Identifying<String>>,
}

fn render_raw(raw: &RawUrls) -> String {
    // A render function runs inside the output's encoding: the declared class admits the URLs.
    serde_json::to_string(&raw.urls).unwrap_or_default()
}

/// URLs as Matomo recorded them, declared identifying.
#[matomo_tool(max_class = identifying, render = render_raw)]
async fn raw_urls() -> Result<RawUrls, ToolError> {
    Ok(RawUrls {
        urls: [page_row()].into_iter().filter_map(|row| row.url).collect(),
    })
}

/// A state whose ceiling lists identifying tools (a toolbox never raises its state's).
struct IdentifyingAllowed;

impl ToolState for IdentifyingAllowed {
    fn secret_guards(&self) -> Vec<SecretGuard> {
        Vec::new()
    }

    fn ceiling(&self) -> PrivacyClass {
        PrivacyClass::Identifying
    }
}

#[tokio::test]
async fn only_an_output_that_declares_the_class_serialises_it() {
    let toolbox = Toolbox::with_state(IdentifyingAllowed)
        .tool(LaunderedUrlsTool)
        .tool(LaunderedValuesTool)
        .tool(RawUrlsTool);

    let laundered = toolbox.call("laundered_urls", None).await.unwrap();
    assert!(!laundered.is_error(), "{}", laundered.text());
    assert_eq!(laundered.structured().unwrap()["urls"], json!([""]));
    assert!(!laundered.text().contains("jane"), "{}", laundered.text());

    let failed = toolbox.call("laundered_values", None).await.unwrap();
    assert!(failed.is_error());
    assert!(!failed.text().contains("jane"), "{}", failed.text());

    let raw = toolbox.call("raw_urls", None).await.unwrap();
    assert!(!raw.is_error(), "{}", raw.text());
    assert_eq!(raw.structured().unwrap()["urls"], json!([URL]));
    assert_eq!(raw.text(), serde_json::to_string(&[URL]).unwrap());
    // The scope ended with the encoding: the same value fails again right after.
    assert_eq!(
        serde_json::to_string(&Identifying::new(URL.to_owned()))
            .unwrap_err()
            .to_string(),
        OUTSIDE_AN_OUTPUT
    );
}

const K: u64 = 3;

/// Browser versions of one day, each shown row proven by Matomo's own distinct visitors (one
/// archived row each: a browser's row, which Matomo adds up from its versions, carries no count
/// the threshold believes).
async fn browsers(matomo: &MatomoClient, forge: bool) -> Vec<ThresholdedRow> {
    let scrubber = Scrubber::builder().build().unwrap();
    let rows: Vec<SourceRow> = matomo
        .report::<GetBrowserVersions>()
        .site(1)
        .day(Date::Yesterday)
        .send_as()
        .await
        .unwrap();
    let rows = rows
        .into_iter()
        .map(|row| {
            if forge {
                // Visits passed off as visitors, written into the metrics: proves nothing.
                let visits = row.visits().map_or(0, VisitCount::get) as f64;
                let metrics = Metrics::new()
                    .with("nb_visits", visits)
                    .with("nb_uniq_visitors", visits * 100.0);
                ReportRow::new(scrubber.text(&row.label), metrics)
            } else {
                row.scrubbed_text(&scrubber)
            }
        })
        .collect();
    Threshold::new(K).unwrap().apply(rows).rows
}

#[tokio::test]
async fn a_custom_tool_thresholds_matomos_own_counts_and_made_up_ones_prove_nothing() {
    let emu = testing::emulator(7, &[1]).await;
    let matomo = testing::client(&emu);
    let day = emu.dataset().today.plus(-1);
    let version =
        |v: &matomo_privacy_mcp_testkit::Visit| format!("{} {}", v.browser.name, v.browser.version);
    let people = |browser: &str| -> usize {
        emu.dataset()
            .visits_in(1, day, day)
            .filter(|v| version(v) == browser)
            .map(|v| v.visitor_id.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    };
    let shown = browsers(&matomo, false).await;
    assert!(!shown.is_empty(), "no browser of the day has {K} visitors");
    let total_browsers = emu
        .dataset()
        .visits_in(1, day, day)
        .map(version)
        .collect::<BTreeSet<_>>();
    assert!(
        shown.len() < total_browsers.len(),
        "some browser should be rarer than {K} people"
    );
    for row in &shown {
        let label = row.label.as_str();
        assert!(
            people(label) >= K as usize,
            "{label}: shown with {} people",
            people(label)
        );
    }
    // The same rows with visits written in as visitors: nothing passes.
    assert!(browsers(&matomo, true).await.is_empty());
}
