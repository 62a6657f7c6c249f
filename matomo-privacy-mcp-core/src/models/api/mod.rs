//! `API.*`: version, report and segment metadata, processed reports, and `API.get`.

mod metadata;
mod name_map;
mod processed;
mod segments;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use metadata::{RelatedReport, ReportDescription, ReportMetadata};
pub use name_map::{MetricName, NameMap};
pub use processed::{GetProcessedReport, ProcessedReport};
pub use segments::SegmentMetadata;

use super::VisitsSummary;
use super::actions::ActionsSummary;
use super::page_performance::PerformanceTotals;
use super::visit_frequency::VisitFrequency;
use crate::Classified;

/// A text answer, which Matomo wraps as `{"value": "5.0.2"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct StringValue {
    /// The answer.
    #[privacy(aggregate)]
    pub value: String,
}

/// The object `API.get` returns: the headline metrics of several plugins merged.
///
/// Typed are the visit summary, action totals, new/returning split and the page performance
/// records; the plugins' other columns are dropped. All aggregate.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct ApiSummary {
    /// `VisitsSummary.get` columns.
    #[serde(flatten)]
    pub visits: VisitsSummary,
    /// `Actions.get` columns.
    #[serde(flatten)]
    pub actions: ActionsSummary,
    /// `VisitFrequency.get` columns.
    #[serde(flatten)]
    pub frequency: VisitFrequency,
    /// The page performance records (sums and counts behind `PagePerformance.get`).
    #[serde(flatten)]
    pub performance: PerformanceTotals,
}

report! {
    /// `API.getMatomoVersion`: the Matomo version, to check compatibility.
    GetMatomoVersion = "API.getMatomoVersion" => StringValue;
    /// `API.getReportMetadata`: every report available for a site.
    GetReportMetadata = "API.getReportMetadata" => Vec<ReportMetadata>;
    /// `API.getMetadata`: one report's metadata (`apiModule`, `apiAction`).
    GetMetadata = "API.getMetadata" => Vec<ReportMetadata>;
    /// `API.getSegmentsMetadata`: every segment dimension.
    GetSegmentsMetadata = "API.getSegmentsMetadata" => Vec<SegmentMetadata>;
    /// `API.get`: headline metrics of several plugins in one object.
    Get = "API.get" => ApiSummary;
}
