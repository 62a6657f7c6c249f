//! Tools that answer with one set of numbers, each one summary query of the SDK
//! ([`Deployment::summary`]) about its own population: visits, returning visits, goals,
//! e-commerce.

use schemars::JsonSchema;
use serde::Deserialize;

use matomo_privacy_mcp_core::models::{goals, visits_summary};
use matomo_privacy_mcp_core::params::IdGoal;
use matomo_privacy_mcp_core::reporting::{
    Deployment, PeriodArgs, Population, Summary, render_summary,
};
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

/// The arguments of `visits_summary` and `returning_visits`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryArgs {
    /// The site, period and segment.
    #[serde(flatten)]
    pub scope: PeriodArgs,
    /// With noise: also the converting visits, ε each (default: visits, visitors, bounces).
    //
    // Short, as every schema: the default spends the budget on what a visits summary is read
    // for; `noise.not_released` names the rest (`Population::released_counts`).
    #[serde(default)]
    pub all_metrics: Option<bool>,
}

matomo_privacy_mcp_core::with_period_args!(SummaryArgs);

/// Visits, unique visitors, actions, bounce rate and time on site for one site and one period.
///
/// Withheld when the period (or segment) covers fewer than `threshold_k` distinct visitors; bounces and
/// the longest visit are shown only when enough visitors are behind them.
#[matomo_tool(render = render_summary)]
pub async fn visits_summary(
    deployment: &Deployment,
    args: SummaryArgs,
) -> Result<Summary, ToolError> {
    deployment
        .summary::<visits_summary::Get>(&args.scope)
        .all_metrics(args.all_metrics == Some(true))
        .run()
        .await
}

/// The arguments of `goals_overview`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalsArgs {
    /// The site, period and segment.
    #[serde(flatten)]
    pub scope: PeriodArgs,
    /// One goal's id (from Matomo's goal list); without it, all goals together.
    #[serde(default)]
    pub goal: Option<u32>,
}

matomo_privacy_mcp_core::with_period_args!(GoalsArgs);

/// Goal conversions, converting visits, revenue and conversion rate for one site and one
/// period: over all goals, or for one `goal` by id.
///
/// Withheld when fewer than `threshold_k` distinct visitors converted (that goal).
#[matomo_tool(render = render_summary)]
pub async fn goals_overview(
    deployment: &Deployment,
    args: GoalsArgs,
) -> Result<Summary, ToolError> {
    let query = deployment.summary::<goals::Get>(&args.scope);
    match args.goal {
        Some(id) => query
            .population(Population::ConvertedGoal(id))
            .id_goal(IdGoal::Goal(id)),
        None => query.population(Population::Converted),
    }
    .run()
    .await
}

/// Visits, visitors, actions, bounce rate and time on site of returning visitors (who had
/// visited before), for one site and one period: "how many people come back?".
///
/// The visits summary within `visitorType==returning,visitorType==returningCustomer` (Matomo's
/// returning visits, returning customers included); withheld below `threshold_k` returning
/// visitors.
#[matomo_tool(render = render_summary)]
pub async fn returning_visits(
    deployment: &Deployment,
    args: SummaryArgs,
) -> Result<Summary, ToolError> {
    deployment
        .summary::<visits_summary::Get>(&args.scope)
        .population(Population::Returning)
        .all_metrics(args.all_metrics == Some(true))
        .run()
        .await
}

/// E-commerce orders, revenue, average order value and items for one site and one period.
///
/// Withheld when fewer than `threshold_k` distinct visitors ordered.
#[matomo_tool(render = render_summary)]
pub async fn ecommerce_overview(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<Summary, ToolError> {
    deployment
        .summary::<goals::Get>(&args)
        .population(Population::Ordered)
        .id_goal(IdGoal::EcommerceOrder)
        .run()
        .await
}
