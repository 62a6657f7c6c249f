//! The pipeline's entries: a report asked of Matomo, or a body fetched by other means.

use crate::ToolError;
use crate::dp::NoiseSetup;
use crate::dp::answer::{Noisy, headline_counts};
use crate::dp::{Question, Spread};
use crate::minimise::{Scrubber, Threshold};
use crate::models::Report;
use crate::privacy::PrivacyClass;
use crate::reporting::Deployment;
use crate::reporting::SourceRow;
use crate::reporting::args::ReportArgs;
use crate::reporting::noisy::bounded_segment;
use crate::reporting::visitors::{Visitors, finer};

use super::*;

/// Runs report `R` for the arguments, through every minimisation step.
pub(crate) async fn run<R>(
    deployment: &Deployment,
    args: &ReportArgs,
    labels: Labels,
    flat: bool,
    class: PrivacyClass,
) -> Result<ReportOutput, ToolError>
where
    R: Report,
{
    let report = RowReport {
        method: R::METHOD,
        fixed: R::PARAMS,
        labels,
        flat,
        overlap: R::OVERLAP,
        scope: None,
    };
    run_of(deployment, &report, args, class).await
}

/// [`run`] for a report known by its method name.
pub(crate) async fn run_of(
    deployment: &Deployment,
    report: &RowReport<'_>,
    args: &ReportArgs,
    class: PrivacyClass,
) -> Result<ReportOutput, ToolError> {
    let (request, segment) = args.checked(deployment, class).await?;
    let segment = bounded_segment(deployment, segment, report.overlap.spread())?;
    let visitors = Visitors::new(&deployment.client, &request, segment.as_ref());
    // The population is one small request, cached like the report: asked at the same time.
    let (whole, rows) = tokio::join!(
        visitors.whole(),
        fetch_rows_of(
            deployment,
            report.method,
            report.fixed,
            &request,
            report.flat,
            segment.as_ref(),
            kept_rows(report.method, request.offset.saturating_add(request.limit)),
        )
    );
    let (whole, mut rows) = (whole?, rows?);
    // The rows' parts (a country's cities, a website's URLs) in one request of plain archives
    // instead of a segment per row (`visitors::finer`).
    finer::prove_by_parts(
        deployment,
        report.method,
        &request,
        segment.as_ref(),
        &mut rows,
    )
    .await;
    let pipeline = Pipeline {
        scrubber: &deployment.scrubber,
        threshold: deployment.threshold,
        request: &request,
        labels: report.labels,
        noise: Noisy::for_answer(
            deployment,
            report.method,
            &request,
            segment.as_ref(),
            report.overlap.spread(),
        )
        .map(|noisy| match args.all_metrics {
            Some(true) => noisy,
            _ => noisy.releasing(headline_counts(report.method)),
        }),
        scope: report.scope,
    };
    pipeline
        .proven_of(Some(report), &visitors, whole, rows, report.overlap)
        .await
}

/// The report pipeline over a row report's response body for one site and one period, without
/// HTTP: decoding into [`SourceRow`]s, label scrubbing, merging of equal labels, the threshold,
/// sorting and paging.
///
/// Without Matomo to ask, only rows that carry their distinct visitors (`nb_uniq_visitors`,
/// as Matomo sends for a day) and a segment of a report known to count them once each
/// (`pageUrl==…`, a city, a browser version…: `models::summed`) can pass the threshold; a row
/// without a segment proves nothing; suppressed rows are left out. The body
/// must be Matomo's answer: its counts are believed as the client's own answers are (a trust
/// boundary the privacy model names), so never hand it text the code wrote. `args`
/// gives the site, period, date and paging echoed in the output (its segment is not applied
/// here: the body is already the segment's). `labels` says whether the labels are URLs or free
/// text.
///
/// ```
/// use matomo_privacy_mcp_core::reporting::{Labels, ReportArgs, report_from_body};
/// use matomo_privacy_mcp_core::minimise::{Scrubber, Threshold};
///
/// let body = br#"[{"label": "/account/jane@example.com", "nb_visits": 12, "nb_uniq_visitors": 9,
///                  "segment": "pageUrl==https%253A%252F%252Fshop.example%252Faccount"},
///                 {"label": "/rare", "nb_visits": 7, "nb_uniq_visitors": 2,
///                  "segment": "pageUrl==https%253A%252F%252Fshop.example%252Frare"},
///                 {"label": "/unknown", "nb_visits": 40}]"#;
/// let args: ReportArgs =
///     serde_json::from_str(r#"{"site": 1, "period": "day", "date": "2026-11-25"}"#).unwrap();
/// let scrubber = Scrubber::builder().build().unwrap();
/// let report = report_from_body(body, &scrubber, Threshold::default(), Labels::Url, &args).unwrap();
/// assert_eq!(report.rows[0].label.as_str(), "/account/[email]");
/// assert_eq!(report.suppressed_rows, 2);
/// ```
pub fn report_from_body(
    body: &[u8],
    scrubber: &Scrubber,
    threshold: Threshold,
    labels: Labels,
    args: &ReportArgs,
) -> Result<ReportOutput, ToolError> {
    let request = args.request()?;
    let (rows, truncated) = rows_of_body(body)?;
    let pipeline = Pipeline {
        scrubber,
        threshold,
        request: &request,
        labels,
        noise: None,
        scope: None,
    };
    let rows = pipeline.scrubbed(rows);
    let thresholded = pipeline.threshold.apply_with_other(rows, None);
    pipeline.page(thresholded, None, 0, truncated)
}

/// [`report_from_body`] with differential privacy: the rows' counts and sums get noise as the
/// built-in tools add it (as a report whose rows may share a visit, the cautious case), and the
/// answer is charged to `account` in `noise`'s budget.
///
/// The body must already be the report over the visits within the bounds (the segment of
/// [`ContributionBounds::segment`](crate::dp::ContributionBounds::segment)): the
/// noise is calibrated to them.
pub async fn noisy_report_from_body(
    body: &[u8],
    scrubber: &Scrubber,
    threshold: Threshold,
    labels: Labels,
    args: &ReportArgs,
    noise: &NoiseSetup,
    account: &str,
) -> Result<ReportOutput, ToolError> {
    let request = args.request()?;
    let (rows, truncated) = rows_of_body(body)?;
    let question = Question::new("report_from_body")
        .part("site", &request.site.to_string())
        .part("period", request.period.as_str())
        .part("date", &request.date.to_string());
    let days = request.date.max_days(request.period);
    let pipeline = Pipeline {
        scrubber,
        threshold,
        request: &request,
        labels,
        noise: Some(Noisy::new(
            noise,
            account,
            question,
            Spread::RowsPerAction,
            days,
        )),
        scope: None,
    };
    let rows = pipeline.scrubbed(rows);
    pipeline.finish(rows, None, 0, truncated).await
}

/// The rows of a body [`report_from_body`] or [`noisy_report_from_body`] was given, and whether
/// Matomo had more rows than were fetched.
fn rows_of_body(body: &[u8]) -> Result<(Vec<SourceRow>, bool), ToolError> {
    let rows: Vec<SourceRow> =
        // The caller says the body is Matomo's answer: its counts are believed (the trust
        // boundary both functions document).
        crate::models::answer::matomo_answer(|| crate::models::decode(body))
            .map_err(|e| ToolError::upstream(e.to_string()))?;
    let truncated = rows.len() as u64 >= u64::from(UPSTREAM_ROW_CAP);
    Ok((rows, truncated))
}
