//! Answering questions over a [`Deployment`]: the queries every tool, built-in or custom, is
//! made of.
//!
//! - Row reports: [`Deployment::report`] asks a typed row report and passes it through the
//!   pipeline ([`ReportQuery`]: the site check, the segment rules, label scrubbing, equal labels
//!   merged, the threshold by distinct visitors proven by Matomo and, when the deployment has it,
//!   differential privacy and the budget); [`Deployment::report_by_method`] does the same for a
//!   report known by name; [`report_from_body`] and [`noisy_report_from_body`] for a body
//!   fetched by other means.
//! - Summaries (one set of numbers): [`Deployment::summary`] ([`SummaryQuery`]), about the
//!   visits of a [`Population`]; over consecutive periods [`Deployment::trend`]; three at once
//!   [`Deployment::site_overview`]; converting visits per range
//!   [`Deployment::visits_to_conversion`].
//! - What tools read beside answers: the sites and their calendars, the report catalogue,
//!   saved segments, the distinct visitors of a request ([`KnownVisitors`]), answers charged
//!   together ([`Deployment::all_or_none`]).
//!
//! [`Deployment::builder`] sets a deployment up from a Matomo client, checking its token. The
//! ready-made tools built on these queries are the `matomo-privacy-mcp-tools` crate's.

mod args;
mod deployment;
mod noisy;
pub(crate) mod pipeline;
mod range_start;
mod saved_segments;
mod setup;
mod site_overview;
mod source_row;
mod summary;
mod trend;
mod visitors;
mod visits_to_conversion;
mod vocabulary;

pub use args::{
    MAX_LIMIT, MAX_OFFSET, MAX_TREND_PERIODS, PeriodArgs, ReportArgs, Request, required_argument,
};
pub use deployment::{Deployment, served_with};
pub use pipeline::{
    Asked, Labels, Overlap, ReportOutput, ReportQuery, RowReport, RowScope, UPSTREAM_ROW_CAP,
    noisy_report_from_body, number as format_number, push_listed, render as render_report,
    report_from_body,
};
pub use setup::{DeploymentBuilder, SetupError};
pub use site_overview::SiteOverview;
pub use source_row::SourceRow;
pub use summary::{Population, Summary, SummaryQuery, render_summary};
pub use trend::{Trend, TrendArgs, TrendMetric, TrendPoint};
pub use visitors::Known as KnownVisitors;
pub use visits_to_conversion::{ConversionBy, VisitsToConversion, VisitsToConversionArgs};
