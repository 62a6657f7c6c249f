//! A site's overview: visits, goals and top referrer types of one site and period, from the
//! report cache or in one bulk request for the reports and one for the distinct visitors behind
//! them.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::client::ClientError;
use crate::dp::Spread;
use crate::dp::answer::{Noisy, headline_counts, site_account};
use crate::models::{Report, goals, referrers, visits_summary};
use crate::params::Limit;
use crate::privacy::PrivacyClass;
use crate::reporting::args::{PeriodArgs, ReportArgs, to_tool_error};
use crate::reporting::noisy::{all_or_none, bounded_segment};
use crate::reporting::pipeline::{Labels, Overlap, Pipeline, ReportOutput, UPSTREAM_ROW_CAP};
use crate::reporting::summary::{Parts, Population, Summary, summarise};
use crate::reporting::visitors::Visitors;
use crate::reporting::{Deployment, SourceRow};
use crate::{Classified, ToolError};

/// How many referrer types the overview shows.
const TOP_REFERRER_TYPES: u32 = 5;

/// Visits, goals and referrer types of one site and one period.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct SiteOverview {
    /// Visits, visitors, actions, bounce rate and time on site; withheld under `threshold_k` visits.
    pub visits: Summary,
    /// Conversions and revenue over all goals; withheld under `threshold_k` converting visits.
    pub goals: Summary,
    /// The top referrer types by visits, thresholded like every report.
    pub referrer_types: ReportOutput,
}

impl Deployment {
    /// An overview of one site for one period: the visits summary, the goals overview and the
    /// top 5 referrer types, each the answer (and, with noise on, the release) its own question
    /// gets, fetched together: from the report cache, or in one bulk request for the reports and
    /// one for the distinct visitors behind them. The three parts are charged together or not
    /// at all.
    ///
    /// # Errors
    ///
    /// As a summary's ([`Deployment::summary`]): the site not served, the segment refused,
    /// Matomo unreachable, the privacy budget spent.
    pub async fn site_overview(&self, args: &PeriodArgs) -> Result<SiteOverview, ToolError> {
        site_overview(self, args.clone()).await
    }
}

async fn site_overview(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<SiteOverview, ToolError> {
    let mut args = ReportArgs::from(args);
    args.limit = Some(TOP_REFERRER_TYPES);
    let (request, segment) = args.checked(deployment, PrivacyClass::Aggregate).await?;
    let segment = bounded_segment(deployment, segment, Spread::OneRowPerVisit)?;
    let mut params = request.params()?;
    if let Some(segment) = &segment {
        params = params.segment(segment.clone());
    }
    let rows = params.clone().limit(Limit::rows(UPSTREAM_ROW_CAP)?);
    // Through the report cache, item by item; what it lacks goes to Matomo in one bulk request.
    let calls = [
        (visits_summary::Get::METHOD, params.clone()),
        (goals::Get::METHOD, params.clone()),
        (referrers::GetReferrerType::METHOD, rows),
    ];
    let visitors = Visitors::new(&deployment.client, &request, segment.as_ref());
    // The visits and their parts, then the converting visits: one cached bulk request.
    let mut asked = Population::Visits.asked();
    asked.push(Population::Converted.segment());
    let (known, items) = tokio::join!(visitors.within(&asked), deployment.client.call_many(&calls));
    let mut known = known?;
    let converted = known.pop().flatten();
    let (all, parts) = Population::Visits.counted(&known);
    let mut items = items.map_err(to_tool_error)?.into_iter();
    let visits: <visits_summary::Get as Report>::Output =
        item(&mut items, visits_summary::Get::METHOD)?;
    let goals: <goals::Get as Report>::Output = item(&mut items, goals::Get::METHOD)?;
    let referrer_types: Vec<SourceRow> = item(&mut items, referrers::GetReferrerType::METHOD)?;
    // Three answers, each the release its own tool makes (visits_summary, goals_overview,
    // the referrer types report): the same numbers, charged once whichever is asked first.
    let noise = |part: &str, spread| {
        Noisy::for_answer(deployment, part, &request, segment.as_ref(), spread)
    };
    let pipeline = Pipeline {
        scrubber: &deployment.scrubber,
        threshold: deployment.threshold,
        request: &request,
        labels: Labels::Text,
        // The referrer types as `referrer_types` shows them by default: the same release.
        noise: noise(referrers::GetReferrerType::METHOD, Spread::OneRowPerVisit)
            .map(|noisy| noisy.releasing(headline_counts(referrers::GetReferrerType::METHOD))),
        scope: None,
    };
    // One question: its three parts' statistics are charged together, or none of them.
    let account = site_account(&deployment.account, request.site);
    all_or_none(deployment, &account, async {
        Ok(SiteOverview {
            visits: summarise(
                deployment,
                &request,
                &visits,
                Population::Visits,
                all,
                Parts {
                    counted: &parts,
                    uncounted: &[],
                },
                // The counts `visits_summary` releases by default: the same releases.
                noise(visits_summary::Get::METHOD, Spread::OneRowPerVisit).map(|noisy| {
                    match Population::Visits.released_counts() {
                        Some(counts) => noisy.releasing(counts),
                        None => noisy,
                    }
                }),
            )
            .await?,
            goals: summarise(
                deployment,
                &request,
                &goals,
                Population::Converted,
                converted,
                Parts::default(),
                noise(goals::Get::METHOD, Spread::OneRowPerVisit),
            )
            .await?,
            referrer_types: pipeline
                .proven(&visitors, all, referrer_types, Overlap::None)
                .await?,
        })
    })
    .await
}

/// The next answer, decoded into its typed response.
fn item<T: serde::de::DeserializeOwned>(
    items: &mut impl Iterator<Item = Result<Value, ClientError>>,
    method: &str,
) -> Result<T, ToolError> {
    let value = items
        .next()
        .ok_or_else(|| ToolError::upstream(format!("Matomo's bulk answer lacks {method}")))?
        .map_err(to_tool_error)?;
    // Decoded as `method`'s answer, so that only the distinct counts of a report known to give
    // them are believed (`models::summed`).
    crate::models::answer::matomo_answer_of(method, || crate::models::decode_value(value))
        .map_err(|e| ToolError::upstream(format!("{method}: {e}")))
}
