//! `visits_to_conversion`: converting visits by the visitor's visit number, or by the days since
//! their first visit, in Matomo's ranges ([`Deployment::visits_to_conversion`]).
//!
//! Matomo's own `Goals.getVisitsUntilConversion` and `Goals.getDaysToConversion` count
//! *conversions* per range, without a segment per row and without distinct visitors: no row of
//! theirs can be proven to describe `k` people. This tool answers the same question with
//! numbers the SDK can prove, each range's converting visits counted from a segment.

use std::fmt::Write;

use matomo_privacy_mcp_core::reporting::{
    Deployment, VisitsToConversion, VisitsToConversionArgs, render_report,
};
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

fn render(out: &VisitsToConversion) -> String {
    let mut text = String::from(
        "Converting visits (not conversions: a visit converting two goals counts once) by ",
    );
    text.push_str(match out.by.as_str() {
        "days_since_first_visit" => "days since the visitor's first visit",
        _ => "the visit's number among the visitor's visits",
    });
    if let Some(goal) = out.goal {
        let _ = write!(text, ", goal {goal}");
    }
    text.push_str("; each converting visit is in one range.\n");
    let ranges = &out.ranges;
    if ranges.withheld {
        let _ = writeln!(
            text,
            "{}: withheld: fewer than {} distinct visitors converted in this site, period and segment.",
            ranges.asked, ranges.threshold_k
        );
    } else {
        text.push_str(&render_report(ranges));
    }
    text
}

/// Converting visits by the visit's number among the visitor's visits ("1 visit", "2 visits",
/// …, "9-14 visits", "101+ visits"), or with `by: days_since_first_visit` by whole days since
/// the visitor's first visit ("0 days", …, "365+ days"), for one site and period: "after how
/// many visits, or how many days, do people convert?". Over all goals and orders, or one `goal`.
///
/// Counts converting visits, not conversions (a visit converting two goals counts once); each
/// is in exactly one range. A range is shown only with at least `threshold_k` distinct
/// visitors, the rest together as "Other" where Matomo proves `threshold_k` behind them.
#[matomo_tool(render = render)]
pub async fn visits_to_conversion(
    deployment: &Deployment,
    args: VisitsToConversionArgs,
) -> Result<VisitsToConversion, ToolError> {
    deployment.visits_to_conversion(&args).await
}
