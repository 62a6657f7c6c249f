//! `page_performance`: how long the site's pages take to load, per timing, for one period.
//!
//! Matomo's `PagePerformance.get` answers averages only. The averages here are computed from the
//! records behind them (`API.get`'s sums and counts of page views), over the visits within the
//! contribution bounds (a visitor's first `visits_per_visitor` visits, each of at most
//! `actions_per_visit` actions): then one visitor is behind at most `visits_per_visitor ×
//! actions_per_visit` of the page views, which is what proves how many distinct visitors an
//! average is about. A timing is shown when its page views prove `threshold_k` visitors.
//!
//! Not with differential privacy on: Matomo does not bound a page view's timings (5.0.2 stores
//! anything up to 16.7 million milliseconds), so no noise can be calibrated to their sums, and
//! the tool refuses, naming the setting.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use matomo_privacy_mcp_core::client::Nested;
use matomo_privacy_mcp_core::dp::{ContributionBounds, CountedVisits};
use matomo_privacy_mcp_core::models::api;
use matomo_privacy_mcp_core::models::page_performance::{PerformanceTotals, Timing};
use matomo_privacy_mcp_core::privacy::PrivacyClass;
use matomo_privacy_mcp_core::reporting::{Asked, Deployment, PeriodArgs, ReportArgs, push_listed};
use matomo_privacy_mcp_core::{Classified, ToolError, matomo_tool};

/// The page load timings of one site and period.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct PagePerformance {
    /// The site, period and date asked for.
    #[serde(flatten)]
    pub asked: Asked,
    /// Each timing shown, the parts first and the page load time last; empty when withheld.
    pub timings: Vec<TimingAverage>,
    /// True when the period (or segment) has fewer than `threshold_k` distinct visitors.
    #[privacy(aggregate)]
    pub suppressed: bool,
    /// Timings left out because their page views prove fewer than `threshold_k` visitors.
    #[privacy(aggregate)]
    pub withheld_timings: Vec<String>,
    /// The small-count threshold.
    #[privacy(aggregate)]
    pub threshold_k: u64,
    /// The most page views counted of one visitor (visits per visitor × actions per visit):
    /// a timing needs `threshold_k` times as many page views to be shown.
    #[privacy(aggregate)]
    pub page_views_per_visitor: u64,
}

/// The average of one timing over the page views that sent it.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct TimingAverage {
    /// `network`, `server`, `transfer`, `dom_processing`, `dom_completion`, `on_load`, or
    /// `page_load` (all of them together).
    #[privacy(aggregate)]
    pub timing: String,
    /// The average, in milliseconds.
    #[privacy(aggregate)]
    pub average_ms: u64,
    /// The page views it is the average of.
    #[privacy(aggregate)]
    pub page_views: u64,
}

fn render(p: &PagePerformance) -> String {
    let mut text = format!("{}: page load timings", p.asked);
    if p.suppressed {
        let _ = write!(
            text,
            " withheld: fewer than {} distinct visitors.",
            p.threshold_k
        );
        return text;
    }
    text.push_str(" (average over the page views that sent each):");
    for t in &p.timings {
        let _ = write!(
            text,
            "\n- {}: {} ms ({} page views)",
            t.timing, t.average_ms, t.page_views
        );
    }
    push_listed(
        &mut text,
        format_args!(
            "\nWithheld (their page views prove fewer than {} visitors): ",
            p.threshold_k
        ),
        &p.withheld_timings,
        ".",
    );
    text
}

/// Average page load timings (network, server, transfer, DOM processing and completion, on-load,
/// total) for one site and period, over the visits within the contribution bounds.
///
/// Use for "how fast do our pages load". Each timing is shown when enough visitors are behind
/// it; not available while differential privacy is on.
#[matomo_tool(render = render, exact_only)]
pub async fn page_performance(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<PagePerformance, ToolError> {
    if deployment.noise().is_some() {
        return Err(ToolError::policy_refusal(
            "page timings are not shown while differential privacy is on: Matomo does not bound \
             how long one page view may take, so no noise can be calibrated to their sums. The \
             operator can turn noise off (privacy.noise.enabled = false) to serve them, \
             thresholded",
        ));
    }
    let (request, segment) = ReportArgs::from(args)
        .checked(deployment, PrivacyClass::Aggregate)
        .await?;
    // A visitor proof, not noise: a visitor's first two visits of up to ten actions each, so
    // at most 20 page views a visitor in any period.
    let bounds = ContributionBounds {
        counted: CountedVisits::First { visits: 2 },
        actions_per_visit: 10,
    };
    let bounded = bounds
        .page_view_segment()
        .map_err(|e| ToolError::internal(format!("the page view bound: {e}")))?;
    let segment = match segment {
        Some(segment) => segment.and(&bounded),
        None => bounded,
    };
    // Only the page performance columns: without `columns`, `API.get` asks every plugin, and
    // Matomo archives each of them for this segment from the visit logs (most of the cost).
    let params = request
        .params()?
        .segment(segment.clone())
        .with("columns", PerformanceTotals::API_GET_COLUMNS)?;
    let (whole, totals) = tokio::join!(
        deployment.distinct_visitors(&request, Some(&segment)),
        deployment.client().report_with::<api::Get>(&params)
    );
    let whole = whole?;
    let Nested::One(summary) = totals.map_err(ToolError::from)? else {
        return Err(ToolError::internal(
            "Matomo answered for several sites or periods where one was asked for",
        ));
    };
    let k = deployment.threshold().k();
    let per_visitor = bounds.page_views_per_visitor(request.date.max_days(request.period));
    let visitors = whole.map_or(0, |w| w.visitors);
    let suppressed = visitors < k;
    let (timings, withheld_timings) = if suppressed {
        (Vec::new(), Vec::new())
    } else {
        shown(&summary.performance, k, per_visitor)
    };
    Ok(PagePerformance {
        asked: request.asked(),
        timings,
        suppressed,
        withheld_timings,
        threshold_k: k,
        page_views_per_visitor: per_visitor,
    })
}

/// The timings whose page views prove `k` distinct visitors (one visitor is behind at most
/// `per_visitor` of them), and the names of the others that had page views.
fn shown(
    totals: &PerformanceTotals,
    k: u64,
    per_visitor: u64,
) -> (Vec<TimingAverage>, Vec<String>) {
    let mut shown = Vec::new();
    let mut withheld = Vec::new();
    for timing in Timing::ALL {
        let Some((sum, hits)) = totals.of(timing) else {
            continue;
        };
        if hits == 0 {
            continue;
        }
        if hits.div_ceil(per_visitor.max(1)) < k {
            withheld.push(timing.name().to_owned());
            continue;
        }
        shown.push(TimingAverage {
            timing: timing.name().to_owned(),
            average_ms: average_ms(sum, hits),
            page_views: hits,
        });
    }
    (shown, withheld)
}

/// The average of `hits` page views' timings summing to `seconds`, in whole milliseconds
/// (rounded half up); `hits` is at least 1.
fn average_ms(seconds: f64, hits: u64) -> u64 {
    // Matomo's sums carry three decimals (its milliseconds divided by 1000): round to the
    // millisecond first, so that 0.1 s read as 0.09999… is still 100 ms.
    let ms = (seconds * 1000.0).round().max(0.0) as u64;
    (ms + hits / 2) / hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use matomo_privacy_mcp_core::models::{Count, Seconds};

    #[test]
    fn a_timing_needs_k_visitors_worth_of_page_views() {
        let totals = PerformanceTotals {
            server_time: Some(Seconds(20.0)),
            server_hits: Some(Count(200)),
            network_time: Some(Seconds(1.8)),
            network_hits: Some(Count(180)),
            transfer_time: Some(Seconds(1.81)),
            transfer_hits: Some(Count(181)),
            on_load_time: Some(Seconds(0.0)),
            on_load_hits: Some(Count(0)),
            ..PerformanceTotals::default()
        };
        let (shown, withheld) = shown(&totals, 10, 20);
        let names: Vec<&str> = shown.iter().map(|t| t.timing.as_str()).collect();
        // With at most 20 page views each, 181 page views are at least 10 visitors' and 180
        // may be 9 visitors'.
        assert_eq!(names, ["server", "transfer"]);
        assert_eq!(shown[0].average_ms, 100);
        assert_eq!(shown[0].page_views, 200);
        assert_eq!(withheld, ["network"]);
    }
}
