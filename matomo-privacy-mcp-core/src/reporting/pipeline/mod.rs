//! The report pipeline every row-based tool shares, one step per module, entered once, in
//! order: the question ([`query`](super::ReportQuery)), the rows fetched ([`fetch`]), labels
//! scrubbed and merged ([`labels`]), the visitor proof ([`proof`]), the threshold and the noise
//! ([`release`]), sorting and paging ([`page`]) and the text ([`render`]). [`run`] holds the
//! entries; [`output`] and [`shape`] the types they share.

mod fetch;
mod labels;
mod output;
mod page;
mod proof;
mod query;
mod release;
mod render;
mod run;
mod shape;
#[cfg(test)]
mod tests;

pub use fetch::UPSTREAM_ROW_CAP;
pub(crate) use fetch::{fetch_rows_of, kept_rows};
pub use output::{Asked, ReportOutput};
pub(crate) use proof::{MAX_CHECKED_ROWS, Pipeline, counted_visits};
pub use query::ReportQuery;
pub use render::{number, push_listed, render};
pub use run::{noisy_report_from_body, report_from_body};
pub(crate) use run::{run, run_of};
pub use shape::{Labels, Overlap, RowReport, RowScope};
