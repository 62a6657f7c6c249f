//! A deployment's noise applied to its answers: the bounded population an answer is computed
//! over, the question it is about and the budget account it is charged to. The mechanism, the
//! releases and the budget are [`crate::dp`]'s.

use super::Deployment;
use super::args::Request;
use super::range_start::possible_todays;
use super::visitors::Visitors;
use crate::ToolError;
use crate::client::MatomoClient;
use crate::dp::answer::{
    Noisy, Population, PopulationVisits, Totals, Whole, period_label, site_account,
};
use crate::dp::{COMPLETE_RULE, ContributionBounds, CountedVisits, Question, Spread};
use crate::models::Report;
use crate::params::{Date, Period, RangeEnd, range_counted_from};
use crate::segment::Segment;

impl<'a> Noisy<'a> {
    /// The noise of an answer with data from `source` (a Matomo method) for the request and
    /// (bounded) segment; `None` without noise. The tool that asks is not part of the question:
    /// the same statistic asked by any tool is one release. When the counting rule leaves
    /// visits out, the answer's counts are completed to Matomo's with two totals of its
    /// population ([`Completion`](crate::dp::Completion)).
    pub(crate) fn for_answer(
        deployment: &'a Deployment,
        source: &str,
        request: &Request,
        segment: Option<&Segment>,
        spread: Spread,
    ) -> Option<Self> {
        let setup = deployment.noise.as_deref()?;
        let noisy = Self::new(
            setup,
            &site_account(&deployment.account, request.site),
            question(source, request, segment),
            spread,
            request.date.max_days(request.period),
        );
        Some(match whole(deployment, request, segment, spread) {
            Some(whole) => noisy.completed_by(whole),
            None => noisy,
        })
    }
}

/// The statistic of `source` over the request's site, period and `segment`.
fn question(source: &str, request: &Request, segment: Option<&Segment>) -> Question {
    Question::new(source)
        .part("site", &request.site.to_string())
        .part("period", request.period.as_str())
        .part("date", &period_label(request.period, request.date))
        .part(
            "segment",
            &segment.map(ToString::to_string).unwrap_or_default(),
        )
}

/// The whole population of an answer over `bounded` (the caller's segment within the
/// contribution bounds, as [`bounded_segment`] made it): its visits as counted, and under
/// [`COMPLETE_RULE`] within the caller's segment alone. `None` when the rule counts (nearly)
/// every visit already, or the bounds are not where `bounded_segment` put them.
fn whole<'a>(
    deployment: &'a Deployment,
    request: &Request,
    bounded: Option<&Segment>,
    spread: Spread,
) -> Option<Whole<'a>> {
    let setup = deployment.noise.as_deref()?;
    setup.dp.completing()?;
    let bounds = setup.dp.bounds();
    if matches!(bounds.counted, CountedVisits::Separated { minutes } if minutes <= 30) {
        return None;
    }
    let counted = bounded?.clone();
    // `bounded_segment` ANDs the bounds after the caller's groups: the caller's are the rest.
    let rule = bounds.segment_for(spread).ok()?;
    let groups = counted.groups();
    let caller_groups = groups.len().checked_sub(rule.groups().len())?;
    if groups[caller_groups..] != *rule.groups() {
        return None;
    }
    let complete_rule = ContributionBounds {
        counted: COMPLETE_RULE,
        ..bounds
    }
    .counted_segment()
    .ok()?;
    let complete = match caller_groups {
        0 => complete_rule,
        n => Segment::all_of(groups[..n].to_vec())
            .ok()?
            .and(&complete_rule),
    };
    let source = crate::models::visits_summary::Get::METHOD;
    Some(Whole {
        counted: question(source, request, Some(&counted)),
        complete: question(source, request, Some(&complete)),
        population: Box::new(Asked {
            client: &deployment.client,
            request: request.clone(),
            counted,
            complete,
        }),
    })
}

/// The two totals of an answer's population, asked of Matomo (cached like any report).
struct Asked<'a> {
    client: &'a MatomoClient,
    request: Request,
    counted: Segment,
    complete: Segment,
}

impl Population for Asked<'_> {
    fn visits(&self) -> PopulationVisits<'_> {
        Box::pin(async move {
            let counted = Visitors::new(self.client, &self.request, Some(&self.counted));
            let complete = Visitors::new(self.client, &self.request, Some(&self.complete));
            let (counted, complete) = tokio::join!(counted.whole(), complete.whole());
            Ok(match (counted?, complete?) {
                // Every counted visit is one the complete rule counts: fewer complete visits is
                // an answer Matomo gave before archiving the segment (zeros), not a total.
                (Some(counted), Some(complete)) if complete.visits >= counted.visits => {
                    Some((counted.visits, complete.visits))
                }
                _ => None,
            })
        })
    }
}

/// The totals completing a trend's points to Matomo's visits: those of its whole span, from
/// `first` (the first point's first day, or the Monday before it where Matomo would count the
/// span from there) to today, over `bounded` (the trend's segment within
/// the bounds). `None` without noise, when the counting rule leaves nothing out, or when the
/// span has no first day.
pub(crate) async fn span_totals(
    deployment: &Deployment,
    site: u32,
    first: Option<Date>,
    bounded: Option<&Segment>,
) -> Result<Option<Totals>, ToolError> {
    let Some(Date::Day(first)) = first else {
        return Ok(None);
    };
    // Matomo counts a span that starts mid-week and ends on a Sunday that is today from that
    // week's Monday (`range_counted_from`): the span starts there itself, so that the days the
    // totals' bounds are reckoned over are the days Matomo counts. Where Matomo does not say
    // the site's time zone, from the earliest Monday any possible today would take.
    let first = possible_todays(deployment, site)
        .await?
        .into_iter()
        .map(|today| range_counted_from(first, today, today))
        .min()
        .unwrap_or(first);
    let Ok(date) = Date::range(first, RangeEnd::Today) else {
        return Ok(None);
    };
    let request = Request {
        site,
        period: Period::Range,
        date,
        limit: 1,
        offset: 0,
    };
    let source = crate::models::visits_summary::Get::METHOD;
    match Noisy::for_answer(
        deployment,
        source,
        &request,
        bounded,
        Spread::OneRowPerVisit,
    ) {
        Some(noisy) => noisy.totals().await,
        None => Ok(None),
    }
}

/// Runs `question`, a question of several answers about one site, so that the statistics all
/// its answers release are charged to `account` together, all or none
/// ([`crate::dp::answer::all_or_none`]).
pub(crate) async fn all_or_none<T>(
    deployment: &Deployment,
    account: &str,
    question: impl Future<Output = Result<T, ToolError>>,
) -> Result<T, ToolError> {
    crate::dp::answer::all_or_none(deployment.noise.as_deref(), account, question).await
}

/// The segment an answer is computed over: the caller's, within the contribution bounds when
/// the deployment has noise on (so that Matomo itself leaves out visits beyond them).
pub(crate) fn bounded_segment(
    deployment: &Deployment,
    segment: Option<Segment>,
    spread: Spread,
) -> Result<Option<Segment>, ToolError> {
    let Some(setup) = &deployment.noise else {
        return Ok(segment);
    };
    let bounds = setup
        .dp
        .bounds()
        .segment_for(spread)
        .map_err(|e| ToolError::internal(format!("the contribution bounds: {e}")))?;
    Ok(Some(match segment {
        Some(segment) => segment.and(&bounds),
        None => bounds,
    }))
}
