//! Answering report questions over a [`Deployment`]: the pipeline every report tool shares.
//!
//! [`Deployment::report`] asks a typed row report and passes it through minimisation (the
//! site check, the segment rules, label scrubbing, equal labels merged, the threshold by
//! distinct visitors and, when the deployment has it, differential privacy);
//! [`report_from_body`] and [`noisy_report_from_body`] do the same for a body fetched by other
//! means. [`Deployment::builder`] sets a deployment up from a Matomo client, checking its token.
//!
//! [`tools`] holds ready-made tools built on it (pages, referrers, countries, summaries, trends,
//! the visit log…), each a type a server registers on its own; the `matomo-privacy-mcp` application
//! serves them as its built-in catalogue.

mod args;
mod deployment;
mod noisy;
pub(crate) mod pipeline;
mod saved_segments;
mod setup;
mod source_row;
mod summary;
pub mod tools;
mod visitors;
mod vocabulary;

pub use args::{MAX_LIMIT, MAX_OFFSET, MAX_TREND_PERIODS, PeriodArgs, ReportArgs};
pub use deployment::Deployment;
pub use pipeline::{
    Labels, ReportOutput, ReportQuery, UPSTREAM_ROW_CAP, noisy_report_from_body,
    render as render_report, report_from_body,
};
pub use setup::{DeploymentBuilder, SetupError};
pub use source_row::SourceRow;
pub use summary::Summary;
