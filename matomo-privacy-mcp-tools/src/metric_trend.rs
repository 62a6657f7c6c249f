//! `metric_trend`: one metric of the visits summary over consecutive periods, released together
//! ([`Deployment::trend`]).

use std::fmt::Write;

use matomo_privacy_mcp_core::reporting::{Deployment, Trend, TrendArgs, format_number as number};
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

fn render_trend(t: &Trend) -> String {
    let mut text = format!(
        "Site {}, {} over {} periods ({} withheld: fewer than {} distinct visitors behind them):",
        t.site,
        t.metric,
        t.points.len(),
        t.suppressed_points,
        t.threshold_k
    );
    for p in &t.points {
        let value = p.value.map_or_else(|| "withheld".to_owned(), number);
        let _ = write!(text, "\n- {}: {value}", p.period);
        if let (Some(_), Some(interval)) = (p.value, p.interval) {
            let _ = write!(
                text,
                " [{}–{}]",
                number(interval.low()),
                number(interval.high())
            );
        }
    }
    if let Some(noise) = &t.noise {
        let _ = write!(text, "\n{}", noise.render());
    }
    text
}

/// One visits metric over the last N days, weeks, months or years.
///
/// Periods with fewer than `threshold_k` distinct visitors show no value, and so does a bounce rate with
/// too few bounces behind it.
#[matomo_tool(render = render_trend)]
pub async fn metric_trend(deployment: &Deployment, args: TrendArgs) -> Result<Trend, ToolError> {
    deployment.trend(&args).await
}
