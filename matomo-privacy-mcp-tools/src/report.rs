//! `report`: any row report of the site's report catalogue, by its method, through the same
//! minimisation as the dedicated report tools. It fails closed: a report the SDK does not know is
//! treated as one whose labels may identify (scrubbed as free text, thresholded, no "Other" row),
//! and metrics it does not know are dropped; visit-level, user-level, bulk, image and writing
//! methods are never reachable.

use schemars::JsonSchema;
use serde::Deserialize;

use matomo_privacy_mcp_core::params::Period;
use matomo_privacy_mcp_core::reporting::{
    ConversionBy, Deployment, Labels, Overlap, PeriodArgs, ReportArgs, ReportOutput, RowReport,
    RowScope, VisitsToConversionArgs, render_report, required_argument,
};
use matomo_privacy_mcp_core::{ToolError, matomo_tool};

/// The arguments of `report`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnyReportArgs {
    /// The site, period and segment.
    #[serde(flatten)]
    pub scope: PeriodArgs,
    /// The report as `Module.action`, from `report_catalogue` (for example `UserCountry.getRegion`).
    #[schemars(with = "String")]
    pub report: Option<String>,
    /// Rows to return (1 to 100, default 10).
    pub limit: Option<u32>,
    /// Rows to skip (default 0).
    pub offset: Option<u32>,
    /// With noise: also the rows' other counts, ε each (default: visits only).
    pub all_metrics: Option<bool>,
}

matomo_privacy_mcp_core::with_period_args!(AnyReportArgs);

/// Modules whose methods are never reachable: visit- and user-level data, bulk and image
/// requests, which could reach them anyway.
const NEVER_MODULES: &[(&str, &str)] = &[
    (
        "Live",
        "visit-level data; the pseudonymous `visit_log` tool serves generalised visits where the operator allows it",
    ),
    ("UserId", "user-level data: one row per user id"),
    (
        "API",
        "API meta methods (bulk requests and processed reports would reach other methods unchecked)",
    ),
    ("ImageGraph", "images, not data"),
];

/// Reports whose rows' segments select more visits than the rows count, so that Matomo's
/// count of distinct visitors for a row's segment is no count of the row's visitors: never
/// served, with why.
/// Reports whose row segments select more visits than the rows count, with what narrows them:
/// days since the last visit count returning visits only, but the "0 days" row's segment
/// (`daysSinceLastVisit==0`) also selects every first visit.
const SCOPED: &[(&str, RowScope)] = &[(
    "VisitorInterest.getNumberOfVisitsByDaysSinceLast",
    RowScope {
        dimension: "daysSinceLastVisit",
        condition: "visitorType==returning",
    },
)];

/// Reports whose `nb_uniq_visitors` is a sum of daily counts beyond these periods (one person
/// visiting on two Mondays counts twice), so it proves no distinct visitors there: served for
/// these periods only.
const DAILY_SUMS: &[(&str, &[Period])] =
    &[("VisitTime.getByDayOfWeek", &[Period::Day, Period::Week])];

/// A summary: one set of numbers, not rows.
const SUMMARY: &str = "is a summary, not a row report";

/// Reports this tool does not serve, why, and the tool that answers them.
const NOT_ROWS: &[(&str, &str, &str)] = &[
    ("VisitsSummary.get", SUMMARY, "visits_summary"),
    ("Goals.get", SUMMARY, "goals_overview"),
    ("Goals.getMetrics", SUMMARY, "goals_overview"),
    ("Actions.get", SUMMARY, "visits_summary"),
    ("PagePerformance.get", SUMMARY, "page_performance"),
];

/// Reports whose rows count conversions per range, with no distinct visitors and no segment
/// per row, so that no row of Matomo's could pass the threshold: answered instead as
/// `visits_to_conversion` answers them, by the converting visits of each of Matomo's ranges,
/// counted from segments.
const CONVERSION_RANGES: &[(&str, ConversionBy)] = &[
    ("Goals.getVisitsUntilConversion", ConversionBy::VisitNumber),
    (
        "Goals.getDaysToConversion",
        ConversionBy::DaysSinceFirstVisit,
    ),
];

/// How the SDK knows a report: its labels, whether it is asked for flat, how its rows share
/// visits. Unknown reports get [`UNKNOWN`].
fn known(method: &str) -> Option<(Labels, bool, Overlap)> {
    use Labels::{Text, Url};
    use Overlap::{None as Split, Possible};
    Some(match method {
        "Actions.getPageUrls"
        | "Actions.getEntryPageUrls"
        | "Actions.getExitPageUrls"
        | "Actions.getPageUrlsFollowingSiteSearch" => (Url, true, Possible),
        "Actions.getPageTitles"
        | "Actions.getEntryPageTitles"
        | "Actions.getExitPageTitles"
        | "Actions.getPageTitlesFollowingSiteSearch" => (Text, true, Possible),
        // Not flat: domains only, never full URLs.
        "Actions.getOutlinks" | "Actions.getDownloads" => (Url, false, Possible),
        "Actions.getSiteSearchKeywords"
        | "Actions.getSiteSearchNoResultKeywords"
        | "Actions.getSiteSearchCategories" => (Text, false, Possible),
        "Referrers.getWebsites" => (Url, false, Overlap::Within("referrerType==website")),
        "Referrers.getSearchEngines" => (Text, false, Overlap::Within("referrerType==search")),
        "Referrers.getCampaigns" => (Text, false, Overlap::Within("referrerType==campaign")),
        "Referrers.getSocials" => (Text, false, Overlap::Within("referrerType==social")),
        "Referrers.getReferrerType"
        | "UserCountry.getCountry"
        | "UserCountry.getContinent"
        | "UserCountry.getRegion"
        | "UserCountry.getCity"
        | "DevicesDetection.getType"
        | "DevicesDetection.getBrand"
        | "DevicesDetection.getModel"
        | "DevicesDetection.getBrowsers"
        | "DevicesDetection.getBrowserVersions"
        | "DevicesDetection.getBrowserEngines"
        | "DevicesDetection.getOsFamilies"
        | "DevicesDetection.getOsVersions"
        | "Resolution.getResolution"
        | "Resolution.getConfiguration"
        | "UserLanguage.getLanguage"
        | "UserLanguage.getLanguageCode"
        | "VisitTime.getVisitInformationPerServerTime"
        | "VisitTime.getVisitInformationPerLocalTime"
        | "VisitTime.getByDayOfWeek"
        | "VisitorInterest.getNumberOfVisitsPerPage"
        | "VisitorInterest.getNumberOfVisitsByVisitCount"
        | "VisitFrequency.getVisitorType" => (Text, false, Split),
        // Matomo counts each length range with `BETWEEN lo AND hi`, and the ranges touch
        // ("31-60s", "1-2 min"): a visit of exactly 60 s is in two rows.
        "VisitorInterest.getNumberOfVisitsPerVisitDuration" => (Text, false, Possible),
        // Every visit is in one row ("New visits" or a range of days), but the rows' segments are
        // narrowed (`SCOPED`) and none is negated for an "Other" row.
        "VisitorInterest.getNumberOfVisitsByDaysSinceLast" => (Text, false, Possible),
        "Events.getCategory"
        | "Events.getAction"
        | "Events.getName"
        | "Contents.getContentNames"
        | "Contents.getContentPieces"
        | "Referrers.getAll"
        | "Referrers.getKeywords" => (Text, false, Possible),
        _ => return None,
    })
}

/// A report the SDK does not know: its labels may identify anyone, so they are scrubbed as free
/// text and thresholded, and its rows may share visits, so no "Other" row is proven.
const UNKNOWN: (Labels, bool, Overlap) = (Labels::Text, false, Overlap::Possible);

/// Why `method` may not be asked for here, if it may not.
fn refusal(method: &str) -> Option<String> {
    let Some((module, action)) = method.split_once('.') else {
        return Some(format!(
            "`{method}` is not a report name; give `Module.action` from `report_catalogue`, such as `UserCountry.getRegion`"
        ));
    };
    let well_formed = |part: &str| {
        !part.is_empty() && part.len() <= 64 && part.chars().all(|c| c.is_ascii_alphanumeric())
    };
    if !well_formed(module) || !well_formed(action) {
        return Some(
            "a report name is `Module.action` in letters and digits, from `report_catalogue`"
                .to_owned(),
        );
    }
    if let Some((_, why)) = NEVER_MODULES.iter().find(|(m, _)| *m == module) {
        return Some(format!("`{module}.*` is never served: {why}"));
    }
    if !action.starts_with("get") {
        return Some(format!(
            "`{module}.{action}` is not a report: only reports of `report_catalogue` are served, never methods that change anything"
        ));
    }
    if let Some((_, why, tool)) = NOT_ROWS.iter().find(|(m, _, _)| *m == method) {
        return Some(format!("`{method}` {why}; the `{tool}` tool answers it"));
    }
    None
}

/// Why `method` may not be asked for over `period`, if it may not.
fn period_refusal(method: &str, period: Period) -> Option<String> {
    let (_, periods) = DAILY_SUMS.iter().find(|(m, _)| *m == method)?;
    if periods.contains(&period) {
        return None;
    }
    let allowed: Vec<&str> = periods.iter().map(|p| p.as_str()).collect();
    Some(format!(
        "`{method}` is served for {} periods only: beyond them Matomo's unique visitors of its \
         rows are sums of daily counts, which prove no distinct visitors",
        allowed.join(" and ")
    ))
}

/// Any row report of `report_catalogue` by `Module.action`, for what no dedicated tool answers:
/// regions, continents, languages, device brands and models, resolutions, browser versions,
/// local time and weekdays, exit pages, searches without results, content, visit length and
/// frequency. Prefer a dedicated tool (`top_pages`, `countries`, …) when one fits.
///
/// Labels are scrubbed and thresholded as everywhere; a report this server does not know is
/// treated as one whose labels may identify people, and its unknown metrics are left out.
/// Visitor logs, user ids and anything that writes are never served.
#[matomo_tool(render = render_report)]
pub async fn report(
    deployment: &Deployment,
    args: AnyReportArgs,
) -> Result<ReportOutput, ToolError> {
    let report = required_argument(&args.report, "report")?;
    let report_args = ReportArgs {
        scope: args.scope.clone(),
        limit: args.limit,
        offset: args.offset,
        all_metrics: args.all_metrics,
    };
    any_row_report(deployment, report, &report_args).await
}

/// Row report `method` of the site's catalogue through the whole pipeline, failing closed as
/// `report` does: the never-served methods are refused before any request, a method outside
/// the site's catalogue is refused by name, and an unknown report is treated as
/// identifying-label.
pub(crate) async fn any_row_report(
    deployment: &Deployment,
    method: &str,
    args: &ReportArgs,
) -> Result<ReportOutput, ToolError> {
    if let Some(why) =
        refusal(method).or_else(|| period_refusal(method, args.period.unwrap_or(Period::Day)))
    {
        return Err(ToolError::policy_refusal(why));
    }
    deployment.check_site(args.site)?;
    if !in_catalogue(deployment, args.site, method).await? {
        return Err(ToolError::invalid_arguments(format!(
            "site {} has no report `{method}`; `report_catalogue` lists the reports it has",
            args.site
        )));
    }
    if let Some((_, by)) = CONVERSION_RANGES.iter().find(|(m, _)| *m == method) {
        let conversions = VisitsToConversionArgs {
            scope: args.scope.clone(),
            goal: None,
            by: Some(*by),
        };
        // Every range is computed (their noise and "Other" need all of them); the page asked
        // for is cut from them, in the ranges' order.
        let request = args.request()?;
        let mut ranges = deployment.visits_to_conversion(&conversions).await?.ranges;
        ranges.rows = std::mem::take(&mut ranges.rows)
            .into_iter()
            .skip(request.offset as usize)
            .take(request.limit as usize)
            .collect();
        return Ok(ranges);
    }
    let (labels, flat, overlap) = known(method).unwrap_or(UNKNOWN);
    let row_report = RowReport {
        method,
        fixed: &[],
        labels,
        flat,
        overlap,
        scope: SCOPED
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, scope)| *scope),
    };
    deployment.report_by_method(&row_report, args).await
}

/// Whether the site's report catalogue lists `method` (asked of Matomo, through the cache).
async fn in_catalogue(deployment: &Deployment, site: u32, method: &str) -> Result<bool, ToolError> {
    let reports = deployment.site_reports(site).await?;
    Ok(reports.iter().any(|r| {
        let d = &r.description;
        matches!((&d.module, &d.action), (Some(m), Some(a)) if method.split_once('.') == Some((m.as_str(), a.as_str())))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visit_level_user_level_bulk_image_and_write_methods_are_refused() {
        for (method, expected) in [
            ("Live.getLastVisitsDetails", "`Live.*` is never served"),
            ("UserId.getUsers", "`UserId.*` is never served"),
            ("API.getBulkRequest", "`API.*` is never served"),
            ("API.getProcessedReport", "`API.*` is never served"),
            ("ImageGraph.get", "`ImageGraph.*` is never served"),
            ("SitesManager.addSite", "never methods that change anything"),
            ("Annotations.delete", "never methods that change anything"),
            ("VisitsSummary.get", "the `visits_summary` tool answers it"),
            (
                "PagePerformance.get",
                "the `page_performance` tool answers it",
            ),
            ("getPageUrls", "is not a report name"),
            ("Actions.get PageUrls", "letters and digits"),
        ] {
            let why = refusal(method).unwrap_or_else(|| panic!("{method} was not refused"));
            assert!(why.contains(expected), "{method}: {why}");
        }
        assert_eq!(refusal("UserCountry.getRegion"), None);
        // Answered, by converting visits per range (as `visits_to_conversion`).
        assert_eq!(refusal("Goals.getVisitsUntilConversion"), None);
        assert_eq!(refusal("SomePlugin.getSomething"), None);
    }

    #[test]
    fn weekday_rows_are_served_where_their_unique_visitors_are_distinct() {
        let method = "VisitTime.getByDayOfWeek";
        assert_eq!(period_refusal(method, Period::Day), None);
        assert_eq!(period_refusal(method, Period::Week), None);
        for period in [Period::Month, Period::Year, Period::Range] {
            let why = period_refusal(method, period).unwrap_or_default();
            assert!(why.contains("sums of daily counts"), "{period:?}: {why}");
        }
        assert_eq!(
            period_refusal("UserCountry.getContinent", Period::Year),
            None
        );
    }

    #[test]
    fn unknown_reports_fail_closed() {
        assert!(known("SomePlugin.getSomething").is_none());
        let (labels, _, overlap) = UNKNOWN;
        assert_eq!(labels, Labels::Text);
        assert_eq!(overlap, Overlap::Possible);
    }
}
