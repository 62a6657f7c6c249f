//! A deployment's noise applied to its answers: the bounded population an answer is computed
//! over, the question it is about and the budget account it is charged to. The mechanism, the
//! releases and the budget are [`crate::dp`]'s.

use super::Deployment;
use super::args::Request;
use crate::ToolError;
use crate::dp::answer::{Noisy, period_label, site_account};
use crate::dp::{Question, Spread};
use crate::segment::Segment;

impl<'a> Noisy<'a> {
    /// The noise of an answer with data from `source` (a Matomo method) for the request and
    /// (bounded) segment; `None` without noise. The tool that asks is not part of the question:
    /// the same statistic asked by any tool is one release.
    pub(crate) fn for_answer(
        deployment: &'a Deployment,
        source: &str,
        request: &Request,
        segment: Option<&Segment>,
        spread: Spread,
    ) -> Option<Self> {
        let setup = deployment.noise.as_deref()?;
        let question = Question::new(source)
            .part("site", &request.site.to_string())
            .part("period", request.period.as_str())
            .part("date", &period_label(request.period, request.date))
            .part(
                "segment",
                &segment.map(ToString::to_string).unwrap_or_default(),
            );
        Some(Self::new(
            setup,
            &site_account(&deployment.account, request.site),
            question,
            spread,
            request.date.max_days(request.period),
        ))
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
