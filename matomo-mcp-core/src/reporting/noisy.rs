//! Noise for the built-in tools' answers: the bounded population they are computed over, the
//! question each is about, and the budget each answer is charged to.

use std::time::{SystemTime, UNIX_EPOCH};

use super::Deployment;
use super::args::Request;
use crate::ToolError;
use crate::minimise::Metrics;
use crate::minimise::noise::{DifferentialPrivacy, NoiseNote, Question, Release, Spread};
use crate::policy::{PrivacyBudget, Spend};
use crate::segment::Segment;

/// A deployment's differential privacy: the noise settings and the budget answers spend.
#[derive(Debug)]
pub struct NoiseSetup {
    /// The noise settings.
    pub dp: DifferentialPrivacy,
    /// The privacy budget, charged per Matomo token.
    pub budget: PrivacyBudget,
}

/// The noise of one answer of a built-in tool, when the deployment has noise on.
pub(crate) struct Noisy<'a> {
    setup: &'a NoiseSetup,
    account: &'a str,
    question: Question,
    spread: Spread,
}

impl<'a> Noisy<'a> {
    /// The noise of `tool`'s answer for the request and (bounded) segment; `None` without noise.
    pub(crate) fn for_answer(
        deployment: &'a Deployment,
        tool: &str,
        request: &Request,
        segment: Option<&Segment>,
        spread: Spread,
    ) -> Option<Self> {
        let setup = deployment.noise.as_deref()?;
        let question = Question::new(tool)
            .part("site", &request.site.to_string())
            .part("period", request.period.as_str())
            .part("date", &request.date.to_string())
            .part(
                "segment",
                &segment.map(ToString::to_string).unwrap_or_default(),
            );
        Some(Self {
            setup,
            account: &deployment.account,
            question,
            spread,
        })
    }

    /// The noise of an answer about `question`, charged to `account`.
    pub(crate) fn new(
        setup: &'a NoiseSetup,
        account: &'a str,
        question: Question,
        spread: Spread,
    ) -> Self {
        Self {
            setup,
            account,
            question,
            spread,
        }
    }

    /// The same, for a question already described (a trend's).
    pub(crate) fn with_question(
        deployment: &'a Deployment,
        question: Question,
        spread: Spread,
    ) -> Option<Self> {
        Some(Self {
            setup: deployment.noise.as_deref()?,
            account: &deployment.account,
            question,
            spread,
        })
    }

    /// Adds noise to rows (each named by its key), charging the answer to the budget: the
    /// noisy rows in the same order, and the note the answer carries.
    pub(crate) async fn rows<'r>(
        &self,
        rows: impl IntoIterator<Item = (&'r str, &'r Metrics)> + Clone,
    ) -> Result<(Vec<Metrics>, NoiseNote), ToolError> {
        let charged = self.charge(rows.clone()).await?;
        let mut left_out = LeftOut::default();
        let noisy = rows
            .into_iter()
            .map(|(key, metrics)| left_out.noisy(&charged.release, key, metrics))
            .collect();
        Ok((noisy, charged.note(left_out)))
    }

    /// Plans the noise of an answer over these rows and charges it to the budget; the rows'
    /// noise is then drawn from the plan, as much of it as is shown.
    pub(crate) async fn charge<'r>(
        &self,
        rows: impl IntoIterator<Item = (&'r str, &'r Metrics)>,
    ) -> Result<Charged<'_>, ToolError> {
        let release = self.setup.dp.release(&self.question, self.spread, rows);
        let epsilon = self.setup.dp.epsilon_micros();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let spend = self
            .setup
            .budget
            .charge(self.account, &release.answer_id(), epsilon, now)
            .await
            .map_err(|e| ToolError::policy_refusal(e.to_string()))?;
        let (charged, left) = match spend {
            Spend::Charged { left_micros } => (epsilon, left_micros),
            Spend::Repeated { left_micros } => (0, left_micros),
        };
        Ok(Charged {
            release,
            charged,
            left,
        })
    }
}

/// An answer's noise, planned and paid for.
pub(crate) struct Charged<'a> {
    pub release: Release<'a>,
    charged: u64,
    left: u64,
}

impl Charged<'_> {
    /// The note the answer carries, naming what its shown rows left out.
    pub(crate) fn note(&self, left_out: LeftOut) -> NoiseNote {
        let mut names = left_out.0;
        names.sort_unstable();
        self.release.note(names, self.charged, self.left)
    }
}

/// The metrics noisy rows left out, each named once.
#[derive(Default)]
pub(crate) struct LeftOut(Vec<String>);

impl LeftOut {
    /// A row's noisy metrics, noting what it left out.
    pub(crate) fn noisy(&mut self, release: &Release<'_>, key: &str, metrics: &Metrics) -> Metrics {
        self.noisy_with(release, key, metrics, &[])
    }

    /// The same, with some metrics' noisy values already drawn.
    pub(crate) fn noisy_with(
        &mut self,
        release: &Release<'_>,
        key: &str,
        metrics: &Metrics,
        drawn: &[(&'static str, f64)],
    ) -> Metrics {
        let (noisy, dropped) = release.noisy_with(key, metrics, drawn);
        for name in dropped {
            if !self.0.iter().any(|n| n == name) {
                self.0.push(name.to_owned());
            }
        }
        noisy
    }
}

/// The segment an answer is computed over: the caller's, within the contribution bounds when
/// the deployment has noise on (so that Matomo itself leaves out visits beyond them).
pub(crate) fn bounded_segment(
    deployment: &Deployment,
    segment: Option<Segment>,
) -> Result<Option<Segment>, ToolError> {
    let Some(setup) = &deployment.noise else {
        return Ok(segment);
    };
    let bounds = setup
        .dp
        .bounds()
        .segment()
        .map_err(|e| ToolError::internal(format!("the contribution bounds: {e}")))?;
    Ok(Some(match segment {
        Some(segment) => segment.and(&bounds),
        None => bounds,
    }))
}
