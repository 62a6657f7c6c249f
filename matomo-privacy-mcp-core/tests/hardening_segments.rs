//! Segment injection through tool arguments: identifying or pseudonymous dimensions hidden behind
//! URL encoding, double encoding, `;`/`,` tricks and control characters are refused by name, and
//! refusals never quote segment values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hardening_support;

use hardening_support::{arguments, emulator, refused, report, toolbox, with};
use matomo_privacy_mcp_core::{PrivacyClass, testing};
use serde_json::json;

#[tokio::test]
async fn segment_injection_is_refused_for_aggregate_tools() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;
    let base = arguments("top_pages");
    let mut failures = Vec::new();
    let hidden_visitor = [
        "visitorId==5f2e1c0a9b8d7e6f",
        "visitor%49d%3D%3D5f2e1c0a9b8d7e6f",
        "%76%69%73%69%74%6F%72%49%64%3D%3Dabc",
        "countryCode==de;visitorId==abc",
        "countryCode==de,visitorId==abc",
        "countryCode==de%3BvisitorId==abc",
        "countryCode==de%2CvisitorId%3D%3Dabc",
        "deviceType==desktop;countryCode==de,visitorId!=abc",
    ];
    let other_dimensions = [
        ("userId==bob%40example.com", "`userId`"),
        ("countryCode==de;pageUrl=@reset", "`pageUrl`"),
        ("visitIp==10.0.0.1", "`visitIp`"),
    ];
    // Double encoding is decoded once, as Matomo does: what is left is not a valid condition.
    let invalid = [
        "visitorId%253D%253Dabc",
        "countryCode==de%253BvisitorId%253D%253Dabc;x",
        "countryCode==de;",
        ";countryCode==de",
        "countryCode==de,,deviceType==desktop",
        "countryCode==de\u{0};deviceType==desktop",
        "countryCode\u{1b}[31m==de",
        "countryCode==de\nvisitorId==abc",
    ];
    let cases = hidden_visitor
        .map(|segment| (segment, "`visitorId` is pseudonymous"))
        .into_iter()
        .chain(other_dimensions)
        .chain(invalid.map(|segment| (segment, "`segment`")));
    for (segment, needle) in cases {
        let args = with(&base, "segment", json!(segment));
        refused(&toolbox, &mut failures, "top_pages", args, needle).await;
    }
    // An escaped `;` is part of the value, not a second condition: accepted, and it filters on countryCode only.
    let escaped = toolbox
        .call(
            "top_pages",
            Some(with(
                &base,
                "segment",
                json!(r"countryCode==de\;visitorId==abc"),
            )),
        )
        .await
        .unwrap();
    assert!(!escaped.is_error(), "{}", escaped.text());
    report(failures);
}

#[tokio::test]
async fn refusals_never_echo_segment_values() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;
    let secret_value = "jane.doe.secret.value";
    for segment in [
        format!("userId=={secret_value}"),
        format!("pageUrl=@{secret_value}"),
        format!("countryCode=={secret_value};visitorId==x"),
    ] {
        let args = with(&arguments("top_pages"), "segment", json!(segment));
        let refusal = testing::refused(&toolbox, "top_pages", args).await;
        assert!(!refusal.contains(secret_value), "{refusal}");
    }
}
