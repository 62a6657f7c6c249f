//! Scrubbing holds its promises on every input: idempotent, and no e-mail
//! address, IPv4 address, UUID or 16+ hex run survives; scrubbed URLs carry no
//! fragment.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use matomo_privacy_mcp_core::minimise::Scrubber;
use regex::Regex;

static SCRUBBER: LazyLock<Scrubber> = LazyLock::new(|| {
    Scrubber::builder()
        .allow_query_param("page")
        .allow_query_param("q")
        .build()
        .expect("the built-in patterns compile")
});

/// What must never be left, written independently of the scrubber's own patterns.
static FORBIDDEN: LazyLock<[(&str, Regex); 4]> = LazyLock::new(|| {
    let r = |s: &str| Regex::new(s).expect("valid");
    [
        (
            "e-mail",
            r(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        ),
        (
            "IPv4",
            r(r"(?:^|[^0-9])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:[^0-9]|$)"),
        ),
        (
            "UUID",
            r(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"),
        ),
        ("hex run", r(r"[0-9A-Fa-f]{16}")),
    ]
});

fn assert_clean(kind: &str, input: &str, output: &str) {
    for (name, pattern) in FORBIDDEN.iter() {
        if let Some(found) = pattern.find(output) {
            panic!(
                "{kind}: {name} {:?} left in {output:?} (input {input:?})",
                found.as_str()
            );
        }
    }
}

/// Scrubbed text as a tool's output shows it (it is pseudonymous, so it has no plain accessor).
fn shown(text: &matomo_privacy_mcp_core::minimise::ScrubbedText) -> String {
    match serde_json::to_value(text) {
        Ok(serde_json::Value::String(text)) => text,
        other => panic!("scrubbed text serialises as a string, not {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let scrubber = &*SCRUBBER;

    let text = scrubber.text(&input);
    assert_eq!(
        scrubber.text(&text),
        text,
        "text not idempotent for {input:?}"
    );
    assert_clean("text", &input, &shown(&text));

    let url = scrubber.url(&input);
    assert_eq!(scrubber.url(&url), url, "url not idempotent for {input:?}");
    let shown_url = shown(&url);
    assert!(
        !shown_url.contains('#'),
        "fragment left in {shown_url:?} (input {input:?})"
    );
    assert_clean("url", &input, &shown_url);
});
