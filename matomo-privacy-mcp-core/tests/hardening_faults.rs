//! Every upstream fault, injected into the emulator over real HTTP, ends in a clear tool error
//! through the catalogue toolbox, and the next call on the same toolbox succeeds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod hardening_support;

use std::time::{Duration, Instant};

use hardening_support::{
    MAX_BODY, RETRIES, TIMEOUT, arguments, call_validly, client, emulator, toolbox,
};
use matomo_privacy_mcp_core::client::BulkRequest;
use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
use matomo_privacy_mcp_testkit::{Emulator, Fault};
use tokio::net::{TcpListener, TcpStream};

/// Calls `visits_summary` and returns (is_error, text).
async fn summary<S: Send + Sync + 'static>(toolbox: &Toolbox<S>) -> (bool, String) {
    summary_for(toolbox, "month").await
}

/// The visits summary for a period; a different period is a different request for the report cache,
/// so a fault injected after a successful call is not hidden by the cached answer.
async fn summary_for<S: Send + Sync + 'static>(
    toolbox: &Toolbox<S>,
    period: &str,
) -> (bool, String) {
    let mut args = arguments("visits_summary");
    args["period"] = serde_json::json!(period);
    let result = toolbox.call("visits_summary", Some(args)).await.unwrap();
    (result.is_error(), result.text().to_owned())
}

async fn assert_recovers<S: Send + Sync + 'static>(toolbox: &Toolbox<S>, fault: &str) {
    let (is_error, text) = summary(toolbox).await;
    assert!(!is_error, "after {fault} the next call fails: {text}");
}

/// Injects `fault`, expects a tool error whose text holds every `needles`, heals, expects success.
async fn fault_then_recovery(emu: &Emulator, fault: Fault, needles: &[&str]) {
    let toolbox = toolbox(emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;
    emu.clear_requests();
    emu.inject(fault.clone());
    let started = Instant::now();
    let (is_error, text) = summary(&toolbox).await;
    assert!(is_error, "{fault:?} gave a result: {text}");
    assert!(text.starts_with("upstream failure: "), "{fault:?}: {text}");
    for needle in needles {
        assert!(text.contains(needle), "{fault:?}: `{needle}` not in {text}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{fault:?} took {:?}",
        started.elapsed()
    );
    emu.clear_faults();
    assert_recovers(&toolbox, &format!("{fault:?}")).await;
}

#[tokio::test]
async fn broken_bodies_are_clear_tool_errors_and_the_toolbox_keeps_serving() {
    let emu = emulator().await;
    let cases = [
        (Fault::MalformedJson, &["could not be decoded"][..]),
        (Fault::TruncatedJson, &["could not be decoded"][..]),
        (Fault::HtmlErrorPage, &["500"][..]),
        (
            Fault::OversizedBody {
                bytes: MAX_BODY * 4,
            },
            &["larger than"][..],
        ),
        (
            Fault::MatomoError {
                message: "Mysql server has gone away".into(),
            },
            &["Mysql server has gone away"][..],
        ),
    ];
    for (fault, needles) in cases {
        fault_then_recovery(&emu, fault, needles).await;
    }
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;

    // Failing fewer times than the retries allow: the call succeeds.
    emu.clear_requests();
    emu.inject(Fault::http_status_times(503, RETRIES));
    let (is_error, text) = summary(&toolbox).await;
    assert!(!is_error, "a transient 503 was not retried: {text}");
    // The summary sends two requests (the report and the count of distinct visitors): together
    // they meet every failure once, and each succeeds once.
    assert_eq!(emu.request_count(), RETRIES as usize + 2);

    // Failing forever: one attempt plus the retries, then a clear error.
    emu.clear_requests();
    emu.inject(Fault::http_status(502));
    let (is_error, text) = summary_for(&toolbox, "week").await;
    assert!(is_error && text.contains("502"), "{text}");
    assert_eq!(
        emu.request_count(),
        2 * (RETRIES as usize + 1),
        "retries unbounded"
    );
    emu.clear_faults();
    let (is_error, text) = summary_for(&toolbox, "week").await;
    assert!(!is_error, "after 502 forever the next call fails: {text}");
}

#[tokio::test]
async fn latency_past_the_timeout_is_a_clear_error_within_bounded_time() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Aggregate, None).await;
    emu.inject(Fault::Latency(TIMEOUT * 4));
    let started = Instant::now();
    let (is_error, text) = summary(&toolbox).await;
    let took = started.elapsed();
    assert!(is_error, "{text}");
    assert!(
        text.contains("timed out") || text.contains("timeout"),
        "{text}"
    );
    // One attempt plus the retries, each cut at the timeout, plus slack.
    assert!(
        took < TIMEOUT * (RETRIES + 1) + Duration::from_secs(3),
        "{took:?}"
    );
    emu.clear_faults();
    assert_recovers(&toolbox, "latency").await;
}

#[tokio::test]
async fn connection_refused_is_a_clear_error_and_serving_resumes_when_matomo_is_back() {
    let emu = emulator().await;
    // A port nobody listens on (bound, then closed).
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/");
    let toolbox = toolbox(&emu, &base, PrivacyClass::Aggregate, None).await;
    let (is_error, text) = summary(&toolbox).await;
    assert!(is_error, "{text}");
    assert!(text.starts_with("upstream failure: "), "{text}");
    assert!(
        text.contains("could not reach Matomo") && text.contains("Connection refused"),
        "{text}"
    );

    // Matomo comes back on that port (a forwarder to the emulator): the same toolbox serves again.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let upstream = emu.addr();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    assert_recovers(&toolbox, "connection refused").await;
}

#[tokio::test]
async fn every_tool_survives_every_fault() {
    let emu = emulator().await;
    let toolbox = toolbox(&emu, &emu.base_url(), PrivacyClass::Identifying, None).await;
    let faults = [
        Fault::MalformedJson,
        Fault::TruncatedJson,
        Fault::HtmlErrorPage,
        Fault::http_status(500),
        Fault::MatomoError {
            message: "General error".into(),
        },
    ];
    for fault in faults {
        emu.inject(fault.clone());
        for tool in toolbox.list() {
            let result = call_validly(&toolbox, tool.name()).await;
            assert!(
                result.is_error(),
                "{} under {fault:?}: {}",
                tool.name(),
                result.text()
            );
            assert!(
                result.text().starts_with("upstream failure: "),
                "{} under {fault:?}: {}",
                tool.name(),
                result.text()
            );
        }
        emu.clear_faults();
    }
    for tool in toolbox.list() {
        let result = call_validly(&toolbox, tool.name()).await;
        assert!(
            !result.is_error(),
            "{} after the faults: {}",
            tool.name(),
            result.text()
        );
    }
}

#[tokio::test]
async fn a_bulk_answer_with_mixed_errors_keeps_each_error_with_its_item() {
    let emu = emulator().await;
    let client = client(&emu.base_url());
    let day = |site: u32| {
        Params::new()
            .sites(Sites::one(site).unwrap())
            .period(Period::Day)
            .date("2026-11-20".parse::<Date>().unwrap())
    };
    let request = BulkRequest::new()
        .push("VisitsSummary.get", &day(1))
        .unwrap()
        .push("VisitsSummary.get", &day(3))
        .unwrap()
        .push("NoSuchModule.get", &day(1))
        .unwrap();
    let items = client.bulk(&request).await.unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok(), "{:?}", items[0]);
    for item in &items[1..] {
        let error = item.as_ref().unwrap_err().to_string();
        assert!(
            !error.is_empty() && !error.contains(hardening_support::TOKEN),
            "{error}"
        );
    }
    // The same client goes on serving single calls.
    let value = client.call_raw("VisitsSummary.get", &day(1)).await.unwrap();
    assert!(value.is_object());
}
