//! Asking Matomo for a report's rows: as few as the answer needs, sorted and cut server-side
//! where the rule allows.

use crate::ToolError;
use crate::client::Nested;
use crate::params::{Limit, Sort};
use crate::reporting::Deployment;
use crate::reporting::SourceRow;
use crate::reporting::args::{Request, to_tool_error};
use crate::segment::Segment;

/// Upstream rows fetched for one report: enough for any real report's long tail, bounded for memory.
pub const UPSTREAM_ROW_CAP: u32 = 5_000;

/// The rows of the report `method` (with its `fixed` parameters) for the request's site and
/// period, within `segment` when given, as Matomo sent them (up to [`UPSTREAM_ROW_CAP`]); with
/// `kept`, Matomo sorts the rows by visits and sends the first `kept` of them one by one and the
/// rest summed into one last row ([`kept_rows`]).
pub(crate) async fn fetch_rows_of(
    deployment: &Deployment,
    method: &str,
    fixed: &[(&str, &str)],
    request: &Request,
    flat: bool,
    segment: Option<&Segment>,
    kept: Option<u32>,
) -> Result<Vec<SourceRow>, ToolError> {
    let mut params = request
        .params()?
        .limit(Limit::rows(UPSTREAM_ROW_CAP)?)
        .flat(flat);
    if let Some(kept) = kept {
        params = params
            .sort(Sort::desc("nb_visits").map_err(|e| ToolError::internal(e.to_string()))?)
            .truncate(kept);
    }
    if let Some(segment) = segment {
        params = params.segment(segment.clone());
    }
    let mut rows = match deployment
        .client
        .report_of::<Vec<SourceRow>>(method, fixed, &params)
        .await
        .map_err(to_tool_error)?
    {
        Nested::One(rows) => rows,
        _ => {
            return Err(ToolError::internal(
                "Matomo answered for several sites or periods where one was asked for",
            ));
        }
    };
    // One row more than kept may be the sum of the rest, or a real row of a table that had
    // exactly that many (Matomo does not cut those): it is read as the sum, which can only
    // leave a real row unproven, never prove a sum by counts that are not its visitors'.
    if let Some(kept) = kept
        && rows.len() > kept as usize
        && let Some(last) = rows.pop()
    {
        rows.push(last.into_summary());
    }
    if let Some(own) = own_count(method) {
        rows.retain(|row| row.metrics.get(own).is_some_and(|visits| visits > 0.0));
    }
    Ok(rows)
}

/// The count a row of `method` must have to belong to its report: asked flat, Matomo 5.0.2's
/// entry and exit page reports also list a folder's pages that had no entry (exit) in the
/// period, and such a row says nothing about entries: shown, it would read as "0 entries"
/// backed by visitors who never entered there.
fn own_count(method: &str) -> Option<&'static str> {
    match method {
        "Actions.getEntryPageUrls" | "Actions.getEntryPageTitles" => Some("entry_nb_visits"),
        "Actions.getExitPageUrls" | "Actions.getExitPageTitles" => Some("exit_nb_visits"),
        _ => None,
    }
}

/// How many rows of a report Matomo sends one by one for an answer ending at row `end`
/// (offset + limit), most visits first; `None` to send them all (up to [`UPSTREAM_ROW_CAP`]).
///
/// Rows past the page matter to the answer only through their sum (the "Other" row, which
/// Matomo's summed row joins) and through merges of labels scrubbing made equal (a part past
/// the kept rows is in the sum instead, so a merged row may count fewer visits than all its
/// parts: never more). A month of pages of a shop was 1.6 MB whole, a few hundred kB cut.
/// Only reports whose every row counts `nb_visits` are cut: sorting by a column a report does
/// not have (ecommerce items count orders) leaves Matomo's order, and the cut would drop
/// arbitrary rows. The count is the same for every page up to the 200th row, so that two
/// tools asking about the same report see the same rows.
pub(crate) fn kept_rows(method: &str, end: u32) -> Option<u32> {
    const SORTED_BY_VISITS: &[&str] = &[
        "Actions.",
        "Referrers.",
        "UserCountry.",
        "DevicesDetection.",
        "UserLanguage.",
        "Resolution.",
        "Events.",
        "CustomDimensions.",
    ];
    SORTED_BY_VISITS
        .iter()
        .any(|module| method.starts_with(module))
        .then(|| end.saturating_mul(2).clamp(200, UPSTREAM_ROW_CAP - 1))
}
