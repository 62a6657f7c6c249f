//! The two pipelines the benchmarks compare, shared by `pipeline.rs` and `memory.rs`.

#![allow(dead_code)]

use matomo_privacy_mcp_core::dp::{
    ContributionBounds, DifferentialPrivacy, NoiseSetup, PrivacyBudget,
};
use matomo_privacy_mcp_core::minimise::{Generaliser, Scrubber, Threshold, Vocabulary};
use matomo_privacy_mcp_core::models::live;
use matomo_privacy_mcp_core::reporting::{
    Labels, ReportArgs, noisy_report_from_body, render_report, report_from_body,
};
use matomo_privacy_mcp_tools::visit_log::VisitLog;
use serde_json::Value;

pub fn args() -> ReportArgs {
    serde_json::from_value(serde_json::json!({
        "site": 1, "period": "range", "date": "2026-11-12,2026-11-25", "limit": 100
    }))
    .expect("valid arguments")
}

/// (a) The floor: parse the body into a `Value` and write it out again.
pub fn plain(body: &[u8]) -> usize {
    let value: Value = serde_json::from_slice(body).expect("generated JSON");
    serde_json::to_vec(&value).expect("serialisable").len()
}

/// (b) What a report tool does with Matomo's answer: typed decode, scrub, merge, threshold,
/// sort and page, then the structured and the text content of the tool result.
pub fn report_pipeline(
    body: &[u8],
    scrubber: &Scrubber,
    threshold: Threshold,
    args: &ReportArgs,
) -> usize {
    let output = report_from_body(body, scrubber, threshold, Labels::Url, args)
        .expect("the pipeline accepts the report");
    let structured = serde_json::to_value(&output).expect("serialisable");
    let text = render_report(&output);
    structured.as_object().map_or(0, |o| o.len()) + text.len()
}

/// The noise settings of the noisy pipeline: the defaults, a budget that never runs out.
pub fn noise() -> NoiseSetup {
    NoiseSetup {
        dp: DifferentialPrivacy::new(vec![7; 32], 1_000_000, ContributionBounds::default())
            .expect("valid settings"),
        budget: PrivacyBudget::in_memory(u64::MAX / 2, std::time::Duration::from_secs(86_400)),
    }
}

/// (b) with differential privacy on: the same, and the noise on every shown row's counts, the
/// answer's identifier under the key and its budget charge (a repeat after the first pass).
pub fn noisy_report_pipeline(
    body: &[u8],
    scrubber: &Scrubber,
    threshold: Threshold,
    args: &ReportArgs,
    noise: &NoiseSetup,
) -> usize {
    // The in-memory budget never waits: one runtime, made once, drives the future to its end
    // (its cost, next to the pipeline's, is noise).
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    });
    let output = runtime
        .block_on(noisy_report_from_body(
            body,
            scrubber,
            threshold,
            Labels::Url,
            args,
            noise,
            "bench",
        ))
        .expect("the pipeline accepts the report");
    let structured = serde_json::to_value(&output).expect("serialisable");
    let text = render_report(&output);
    structured.as_object().map_or(0, |o| o.len()) + text.len()
}

/// (b) for the visit log: typed decode, generalisation (pseudonyms, coarse times, scrubbed
/// URLs) of every visit, structured and text encoding.
pub fn visit_pipeline(body: &[u8], generaliser: &Generaliser<'_>) -> usize {
    let visits: <live::GetLastVisitsDetails as matomo_privacy_mcp_core::models::Report>::Output =
        matomo_privacy_mcp_core::models::decode(body).expect("generated visits decode");
    let mut visits: Vec<_> = visits.iter().map(|v| generaliser.visit(v)).collect();
    // With an empty vocabulary every visitor text is generalised: the most work this step does.
    let generalised_values = Vocabulary::new().generalise(&mut visits);
    let log = VisitLog {
        visits,
        generalised_values,
        withheld: false,
        threshold_k: 5,
    };
    let structured = serde_json::to_string(&log).expect("serialisable");
    let text: usize = log
        .visits
        .iter()
        .map(|v| format!("{:?} {:?} {}", v.visitor, v.started, v.actions.len()).len())
        .sum();
    structured.len() + text
}
