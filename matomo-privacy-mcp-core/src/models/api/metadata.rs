//! `API.getReportMetadata` / `API.getMetadata`: what reports exist and what their columns mean.
//!
//! Only descriptive fields are typed. `imageGraphUrl` and `imageGraphEvolutionUrl`
//! embed the caller's `token_auth`, and `parameters` echoes request values, so
//! they are left out and dropped at decode time.

use super::NameMap;

classified_fields! {
    /// A report linked from another one (e.g. browser versions from browsers).
    pub struct RelatedReport {
        /// Report name.
        (aggregate) name: String,
        /// Module (`DevicesDetection`).
        (aggregate) module: String,
        /// Action (`getBrowserVersions`).
        (aggregate) action: String,
    }
}

classified_fields! {
    /// The descriptive fields of a [`ReportMetadata`]. All aggregate: Matomo's own texts.
    #[serde(rename_all = "camelCase")]
    pub struct ReportDescription {
        /// Report category (`Referrers`).
        (aggregate) category: String,
        /// Report subcategory (`All Channels`).
        (aggregate) subcategory: String,
        /// Report name.
        (aggregate) name: String,
        /// Module of the method (`Referrers`).
        (aggregate) module: String,
        /// Action of the method (`getReferrerType`).
        (aggregate) action: String,
        /// What the rows are (`Channel Type`).
        (aggregate) dimension: String,
        /// Explanation of the report (HTML).
        (aggregate) documentation: String,
        /// Link to the online guide.
        (aggregate) online_guide_url: String,
        /// Whether the report always has the same rows (hours, weekdays).
        (aggregate) constant_rows_count: bool,
        /// Method that loads a row's subtable.
        (aggregate) action_to_load_sub_tables: String,
        /// Unique id, `Module_action[_params]`.
        (aggregate) unique_id: String,
    }
}

classified_fields! {
    /// One report of `API.getReportMetadata`.
    #[serde(rename_all = "camelCase")]
    pub struct ReportMetadata {
        /// Names and texts.
        #[serde(flatten)]
        pub description: ReportDescription,
        /// Metric columns and their labels.
        (typed) metrics: NameMap,
        /// Processed metric columns (rates, averages) and their labels.
        (typed) processed_metrics: NameMap,
        /// Explanation of each metric.
        (typed) metrics_documentation: NameMap,
        /// Type of each metric (`number`, `percent`, `duration_s`, `money`).
        (typed) metric_types: NameMap,
        /// Per-goal metric columns and their labels.
        (typed) metrics_goal: NameMap,
        /// Per-goal processed metric columns and their labels.
        (typed) processed_metrics_goal: NameMap,
        /// Type of each per-goal metric.
        (typed) metric_types_goal: NameMap,
        /// Dimension columns of a multi-dimension report.
        (typed) dimensions: NameMap,
        /// Related reports.
        (typed) related_reports: Vec<RelatedReport>,
    }
}
