//! `API.getProcessedReport`: a report with its metadata and display-formatted values.

use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{NameMap, ReportMetadata};
use crate::Classified;
use crate::models::Report;

/// The object `API.getProcessedReport` returns, with rows of type `R`.
///
/// Values in `reportData` are formatted for display (`"$1,346.70"`,
/// `"00:06:05"`, `"7%"`); the lenient number types read them. Per-row
/// metadata (`reportMetadata`: segments, URLs) and `reportTotal` are not typed
/// and are dropped, as is the metadata's `imageGraphUrl` (it holds the token).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
#[serde(rename_all = "camelCase")]
pub struct ProcessedReport<R> {
    /// The site's name.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// The period, readable.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_date: Option<String>,
    /// The report's metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ReportMetadata>,
    /// Column name → label, in display order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<NameMap>,
    /// The rows.
    pub report_data: Vec<R>,
}

/// `API.getProcessedReport` for rows of type `R`; send `apiModule` and `apiAction` too.
pub struct GetProcessedReport<R>(PhantomData<R>);

impl<R> Report for GetProcessedReport<R>
where
    R: DeserializeOwned + Serialize + JsonSchema + Classified,
{
    const METHOD: &'static str = "API.getProcessedReport";
    type Output = ProcessedReport<R>;
}
