//! Inputs the fuzzers (fuzz/) once crashed on, replayed with the same property checks in the
//! normal test suite. Add a crashing input as `tests/regressions/<target>/<what_it_broke>`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use matomo_privacy_mcp_core::minimise::Scrubber;
use matomo_privacy_mcp_core::models::{PerSite, Report, decode, live, visits_summary};
use matomo_privacy_mcp_core::{PrivacyClass, Segment, policy};
use regex::Regex;

/// Every input kept for `target`, as (file name, bytes).
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn scrub_regressions_keep_every_property() {
    let scrubber = Scrubber::builder()
        .allow_query_param("page")
        .allow_query_param("q")
        .build()
        .unwrap();
    let forbidden = [
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        r"(?:^|[^0-9])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:[^0-9]|$)",
        r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
        r"[0-9A-Fa-f]{16}",
    ]
    .map(|p| Regex::new(p).unwrap());
    let cases = inputs("scrub");
    assert!(!cases.is_empty(), "the scrub regressions are missing");
    for (name, bytes) in cases {
        let input = String::from_utf8_lossy(&bytes);
        let text = scrubber.text(&input);
        assert_eq!(scrubber.text(&text), text, "{name}: text");
        let url = scrubber.url(&input);
        assert_eq!(scrubber.url(&url), url, "{name}: url");
        // Scrubbed text is pseudonymous: the test reads it the way a tool's output shows it.
        let (text, url) = (shown(&text), shown(&url));
        assert!(!url.contains('#'), "{name}: {url}");
        for output in [&text, &url] {
            for pattern in &forbidden {
                assert!(!pattern.is_match(output), "{name}: {pattern} in {output:?}");
            }
        }
    }
}

#[test]
fn segment_regressions_round_trip_and_respect_the_policy() {
    for (name, bytes) in inputs("segment") {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(segment) = Segment::parse(&text) {
            assert_eq!(
                Segment::parse(&segment.to_string()).as_ref(),
                Ok(&segment),
                "{name}"
            );
            let checked = policy::parse_and_check_segment(
                &text,
                PrivacyClass::Aggregate,
                PrivacyClass::Aggregate,
            );
            assert_eq!(
                checked.is_ok(),
                segment.max_class() == PrivacyClass::Aggregate,
                "{name}"
            );
        }
    }
}

#[test]
fn decode_regressions_decode_or_fail_cleanly() {
    for (name, bytes) in inputs("decode_response") {
        if let Ok(v) = decode::<PerSite<<visits_summary::Get as Report>::Output>>(&bytes) {
            serde_json::to_vec(&v).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let _ = decode::<<live::GetLastVisitsDetails as Report>::Output>(&bytes);
    }
}

/// A value's text as a tool's output would carry it.
fn shown(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    }
}
