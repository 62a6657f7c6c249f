//! The pipeline of answers with one set of numbers (a summary): the site check, the segment
//! rules, the population's visitors proven by Matomo, the threshold per number, noise and the
//! budget, and the text. The summary tools and the overviews built of summaries share it.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use crate::RedactedDebug;
use crate::client::Nested;
use crate::dp::answer::Noisy;
use crate::dp::{NoiseNote, Spread};
use crate::minimise::Metrics;
use crate::minimise::threshold::Intervals;
use crate::minimise::threshold::count;
use crate::models::{PerPeriod, Report, visits_summary};
use crate::params::{Date, IdGoal, Params, Period};
use crate::privacy::PrivacyClass;
use crate::privacy::{FitsUnder, max_class};
use crate::reporting::args::{PeriodArgs, ReportArgs, Request, to_tool_error};
use crate::reporting::noisy::bounded_segment;
use crate::reporting::pipeline::{number, push_listed};
use crate::reporting::visitors::{Known, Visitors};
use crate::reporting::{Asked, Deployment};
use crate::segment::Segment;
use crate::setters::setters;
use crate::{Classified, ToolError};

/// Numbers about one site and one period.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct Summary {
    /// The site, period and date asked for.
    #[serde(flatten)]
    pub asked: Asked,
    /// The metrics; empty when suppressed.
    pub metrics: Metrics,
    /// With noise: each shown number's 95 % interval, by metric name.
    #[serde(default, skip_serializing_if = "Intervals::is_empty")]
    pub intervals: Intervals,
    /// True when the numbers describe fewer than `threshold_k` distinct visitors and are withheld.
    #[privacy(aggregate)]
    pub suppressed: bool,
    /// With noise: why nothing is shown although enough visitors are behind it (the visits'
    /// interval is wider than the number: too few visitors for a private figure), and what
    /// would help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub too_uncertain: Option<String>,
    /// Metrics left out because fewer than `threshold_k` visitors are behind them (bounces,
    /// maxima, …), while the others are shown.
    #[privacy(aggregate)]
    pub withheld_metrics: Vec<String>,
    /// Metrics left out because Matomo would not count the distinct visitors behind them: it
    /// answers a segment it has not archived with zeros (`browser_archiving_disabled_enforce =
    /// 1` in its configuration), and what nobody counted is not shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[privacy(aggregate)]
    pub uncounted_metrics: Vec<String>,
    /// The small-count threshold.
    #[privacy(aggregate)]
    pub threshold_k: u64,
    /// The noise on the numbers, when the deployment has differential privacy on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseNote>,
}

/// A summary as text, as the summary tools show it: each metric with its interval (with noise),
/// what is withheld and why, and the noise note.
pub fn render_summary(s: &Summary) -> String {
    let mut text = format!("{}:", s.asked);
    if let Some(reason) = &s.too_uncertain {
        let _ = write!(text, " {reason}");
    } else if s.suppressed {
        let _ = write!(
            text,
            " withheld: fewer than {} distinct visitors.",
            s.threshold_k
        );
    }
    for (name, value) in s.metrics.iter() {
        let _ = write!(text, "\n- {name}: {}", number(value));
        if let Some(interval) = s.intervals.get(name) {
            let _ = write!(
                text,
                " [{}–{}]",
                number(interval.low()),
                number(interval.high())
            );
        }
    }
    push_listed(
        &mut text,
        format_args!(
            "\nWithheld (fewer than {} visitors behind them): ",
            s.threshold_k
        ),
        &s.withheld_metrics,
        ".",
    );
    push_listed(
        &mut text,
        "\nNot shown: ",
        &s.uncounted_metrics,
        format_args!(" (Matomo did not count the visitors behind them: {UNCOUNTED_REASON})."),
    );
    if let Some(noise) = &s.noise {
        let _ = write!(text, "\n{}", noise.render());
    }
    text
}

/// Why a summary's [`uncounted_metrics`](Summary::uncounted_metrics) are not shown, and what
/// Matomo's administrator can change.
const UNCOUNTED_REASON: &str = "it does not archive segments on request; its administrator can \
set browser_archiving_disabled_enforce = 0 under [General] in config/config.ini.php";

/// The distinct visitors behind parts of a summary's visits (bounces, conversions), for the
/// sub-metric rule.
#[derive(Clone, Copy, Default)]
pub(crate) struct Parts<'a> {
    /// Each part's metric and its visitors as counted (0 when unknown).
    pub(crate) counted: &'a [(&'static str, u64)],
    /// The parts Matomo would not count (a segment it has not archived).
    pub(crate) uncounted: &'a [&'static str],
}

/// Whose visits a summary's numbers are about: the visits whose distinct visitors Matomo is
/// asked for, and which the threshold and the noise's check on visits count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Population {
    /// Every visit of the period and segment (the default).
    #[default]
    Visits,
    /// The visits that converted a goal.
    Converted,
    /// The visits that converted one goal, by id.
    ConvertedGoal(u32),
    /// The visits of returning visitors.
    Returning,
    /// The visits that placed an order.
    Ordered,
}

impl Population {
    /// The segment selecting these visits, within the period and the caller's segment (`None`
    /// for every visit).
    pub fn segment(self) -> Option<Segment> {
        let goal;
        let text = match self {
            Self::Visits => return None,
            Self::Converted => "visitConverted==1",
            Self::ConvertedGoal(id) => {
                goal = format!("visitConvertedGoalId=={id}");
                goal.as_str()
            }
            // Matomo's own "returning" (its VisitFrequency report): a returning customer's visit
            // (`visitor_returning` 2) is not `visitorType==returning` in Matomo 5.0.2.
            Self::Returning => "visitorType==returning,visitorType==returningCustomer",
            Self::Ordered => {
                "visitEcommerceStatus==ordered,visitEcommerceStatus==orderedThenAbandonedCart"
            }
        };
        Segment::parse(text).ok()
    }

    /// Parts of these visits whose distinct visitors Matomo is asked for too: the metric each
    /// is, and the segment selecting it. Without them the sub-metric rule only has its bound,
    /// which over a month (many visits per visitor) withholds nearly every part.
    fn parts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Visits | Self::Returning => &[
                ("bounce_count", "actions<=1"),
                ("nb_visits_converted", "visitConverted==1"),
            ],
            Self::Converted | Self::ConvertedGoal(_) | Self::Ordered => &[],
        }
    }

    /// The metric of each part, in the order of [`asked`](Self::asked).
    pub(crate) fn part_metrics(self) -> Vec<&'static str> {
        self.parts().iter().map(|(metric, _)| *metric).collect()
    }

    /// The segments to count: the population, then each part (within the population).
    pub(crate) fn asked(self) -> Vec<Option<Segment>> {
        let own = self.segment();
        std::iter::once(own.clone())
            .chain(self.parts().iter().map(|(_, part)| {
                let part = Segment::parse(part).ok()?;
                Some(match &own {
                    Some(own) => own.and(&part),
                    None => part,
                })
            }))
            .collect()
    }

    /// The population's count and its parts', from the answers to [`asked`](Self::asked).
    pub(crate) fn counted(
        self,
        known: &[Option<Known>],
    ) -> (Option<Known>, Vec<(&'static str, u64)>) {
        let parts = self
            .parts()
            .iter()
            .zip(known.iter().skip(1))
            .map(|((metric, _), known)| (*metric, known.map_or(0, |known| known.visitors)))
            .collect();
        (known.first().copied().flatten(), parts)
    }

    /// The counts a summary of these visits releases unless every count is asked for
    /// ([`SummaryQuery::all_metrics`]): per-metric ε, as a report's rows release only what they
    /// show. A visits summary releases its visits, distinct visitors and bounces (the visits,
    /// visitors and bounce rate an analyst reads it for) and holds back its converting visits,
    /// which `goals_overview` is asked for; a summary of converting visits has only that count.
    /// `None`: every count is released.
    pub(crate) fn released_counts(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Visits | Self::Returning => {
                Some(&["nb_visits", "nb_uniq_visitors", "bounce_count"])
            }
            Self::Converted | Self::ConvertedGoal(_) | Self::Ordered => None,
        }
    }

    /// The metric counting these visits in the summary.
    fn visits_metric(self) -> &'static str {
        match self {
            Self::Visits | Self::Returning => "nb_visits",
            Self::Converted | Self::ConvertedGoal(_) | Self::Ordered => "nb_visits_converted",
        }
    }
}

/// Summary report `R` for one site and one period, built by [`Deployment::summary`] and
/// answered by [`run`](Self::run) through the steps every summary takes: the site check, the
/// segment rules and saved segments, the population's distinct visitors proven by Matomo, the
/// threshold (per number: a part with too few visitors behind it is withheld on its own), noise
/// and the budget (when the deployment has noise on).
///
/// ```no_run
/// use matomo_privacy_mcp_core::models::goals;
/// use matomo_privacy_mcp_core::params::IdGoal;
/// use matomo_privacy_mcp_core::reporting::{Deployment, PeriodArgs, Population, Summary};
/// use matomo_privacy_mcp_core::{ToolError, matomo_tool};
///
/// /// Orders and revenue for one period; withheld below k distinct visitors who ordered.
/// #[matomo_tool]
/// async fn orders(deployment: &Deployment, args: PeriodArgs) -> Result<Summary, ToolError> {
///     deployment
///         .summary::<goals::Get>(&args)
///         .population(Population::Ordered)
///         .id_goal(IdGoal::EcommerceOrder)
///         .run()
///         .await
/// }
/// ```
#[must_use = "a summary query does nothing until `run` is awaited"]
#[derive(RedactedDebug)]
pub struct SummaryQuery<'a, R> {
    #[redact]
    deployment: &'a Deployment,
    // The AI client's arguments (a segment may name a visitor's page or e-mail address)
    // stay out of `{:?}`, as the query's hand-written Debug kept them out before.
    #[redact]
    args: &'a PeriodArgs,
    population: Population,
    id_goal: Option<IdGoal>,
    all_metrics: bool,
    report: std::marker::PhantomData<fn() -> R>,
}

impl Deployment {
    /// Starts a question about summary report `R` (a report of [`crate::models`] with one set
    /// of numbers, all aggregate: `visits_summary::Get`, `goals::Get`, …) for the site, period,
    /// date and segment in `args`, about every visit unless
    /// [`population`](SummaryQuery::population) says whose.
    pub fn summary<'a, R: Report>(&'a self, args: &'a PeriodArgs) -> SummaryQuery<'a, R> {
        SummaryQuery {
            deployment: self,
            args,
            population: Population::Visits,
            id_goal: None,
            all_metrics: false,
            report: std::marker::PhantomData,
        }
    }
}

impl<R: Report> SummaryQuery<'_, R>
where
    R::Output: Serialize + FitsUnder<max_class::aggregate>,
{
    setters! {
        /// Whose visits the numbers are about (the default: every visit): the population whose
        /// distinct visitors are proven and thresholded.
        pub fn population(population: Population) => population = population;

        /// Asks the report for one goal, or for e-commerce orders (`idGoal`); it is part of the
        /// statistic's identity with noise on.
        pub fn id_goal(goal: IdGoal) => id_goal = Some(goal);

        /// With noise on, releases every count of the summary (each a statistic charged ε), not
        /// only those an analyst usually reads (a visits summary's visits, distinct visitors and
        /// bounces): the others are named in `noise.not_released` otherwise. A count is the same
        /// statistic either way, released once and reused.
        pub fn all_metrics(all: bool) => all_metrics = all;
    }

    /// Asks Matomo and returns the minimised summary.
    ///
    /// # Errors
    ///
    /// A [`ToolError`] the model can read: the site not served, a segment refused, Matomo
    /// unreachable or refusing, the privacy budget spent.
    pub async fn run(self) -> Result<Summary, ToolError> {
        summary::<R>(
            self.deployment,
            self.args.clone(),
            self.population,
            self.id_goal,
            self.all_metrics,
        )
        .await
    }
}

/// Fetches a get-style report for one site and period and applies the threshold to it as a whole.
async fn summary<R: Report>(
    deployment: &Deployment,
    args: PeriodArgs,
    population: Population,
    extra: Option<IdGoal>,
    all_metrics: bool,
) -> Result<Summary, ToolError>
where
    R::Output: Serialize + FitsUnder<max_class::aggregate>,
{
    let (request, segment) = ReportArgs::from(args)
        .checked(deployment, PrivacyClass::Aggregate)
        .await?;
    // Returning visits are the visits summary within Matomo's returning visits
    // (`visitorType==returning,visitorType==returningCustomer`): the report, the
    // population and the noise's question are all about that segment.
    let segment = match (population, segment) {
        (Population::Returning, Some(segment)) => population.segment().map(|p| segment.and(&p)),
        (Population::Returning, None) => population.segment(),
        (_, segment) => segment,
    };
    let population = match population {
        Population::Returning => Population::Visits,
        other => other,
    };
    let segment = bounded_segment(deployment, segment, Spread::OneRowPerVisit)?;
    let mut params = request.params()?;
    if let Some(segment) = &segment {
        params = params.segment(segment.clone());
    }
    if let Some(goal) = extra {
        params = params.with("idGoal", goal)?;
    }
    let visitors = Visitors::new(&deployment.client, &request, segment.as_ref());
    let asked = population.asked();
    let part_metrics = population.part_metrics();
    let (known, output) = tokio::join!(
        visitors.within_parts(&asked, &part_metrics, deployment.threshold.k()),
        deployment.client.report_with::<R>(&params)
    );
    let counted = known?;
    let (known, parts) = population.counted(&counted.known);
    let uncounted: Vec<&'static str> = part_metrics
        .iter()
        .zip(&counted.unarchived)
        .filter(|&(_, &unarchived)| unarchived)
        .map(|(metric, _)| *metric)
        .collect();
    let Nested::One(output) = output.map_err(to_tool_error)? else {
        return Err(ToolError::internal(
            "Matomo answered for several sites or periods where one was asked for",
        ));
    };
    // The data's source, not the tool: the same statistic through any tool is one release.
    let source = match extra {
        Some(goal) => format!("{}?idGoal={goal}", R::METHOD),
        None => R::METHOD.to_owned(),
    };
    let noise = Noisy::for_answer(
        deployment,
        &source,
        &request,
        segment.as_ref(),
        Spread::OneRowPerVisit,
    )
    .map(|noisy| match population.released_counts() {
        Some(counts) if !all_metrics => noisy.releasing(counts),
        _ => noisy,
    });
    summarise(
        deployment,
        &request,
        &output,
        population,
        known,
        Parts {
            counted: &parts,
            uncounted: &uncounted,
        },
        noise,
    )
    .await
}

/// A typed get-style result as a summary, withheld when it describes fewer than `threshold_k`
/// distinct visitors (`known`: what Matomo counted for the population, if it did), with the sub-metric
/// rule applied to what is shown (`parts`: the distinct visitors Matomo counted for parts), and
/// with noise when the deployment has it on (`noise`): then withheld, too, when the noisy count
/// of the population's visits is below `threshold_k`.
///
/// The metrics are read through the output's serialised form, so only an all-aggregate model
/// may come here (the bound): a classified value never becomes plain text this way.
pub(crate) async fn summarise<O: Serialize + FitsUnder<max_class::aggregate>>(
    deployment: &Deployment,
    request: &Request,
    output: &O,
    population: Population,
    known: Option<Known>,
    parts: Parts<'_>,
    noise: Option<Noisy<'_>>,
) -> Result<Summary, ToolError> {
    let metrics = Metrics::of(output);
    let threshold = deployment.threshold;
    let visits = metrics.get(population.visits_metric()).unwrap_or(0.0);
    // The numbers need k distinct visitors known behind them; visits are not visitors. Zero is
    // not a small count without noise: nobody is described. With noise, an empty population is
    // withheld like a small one, so that the two cannot be told apart.
    let visitors = known.map_or(0, |known| known.visitors);
    let mut suppressed = (visits > 0.0 || noise.is_some()) && visitors < threshold.k();
    let (mut metrics, withheld, uncounted) = if suppressed {
        Default::default()
    } else {
        let visits = count(Some(visits));
        let (shown, withheld) =
            threshold.cells_with_parts(&metrics, visitors, visits, parts.counted);
        if parts.uncounted.is_empty() {
            (shown, withheld, Vec::new())
        } else {
            // What is withheld only for want of a count Matomo would not make is said apart:
            // "fewer than k visitors" would be a claim about people nobody counted. Each uncounted
            // part taken as the whole population (the most it can be) shows what would still be
            // withheld.
            let at_most: Vec<(&'static str, u64)> = parts
                .counted
                .iter()
                .map(|&(metric, known)| {
                    let uncounted = parts.uncounted.contains(&metric);
                    (metric, if uncounted { visitors } else { known })
                })
                .collect();
            let (_, still) = threshold.cells_with_parts(&metrics, visitors, visits, &at_most);
            let uncounted: Vec<&str> = withheld.difference(&still).copied().collect();
            (shown, still, uncounted)
        }
    };
    let mut note = None;
    let mut intervals = Intervals::new();
    let mut too_uncertain = None;
    if let Some(noise) = noise
        && !suppressed
    {
        let (mut noisy, released) = noise.rows([("", &metrics)]).await?;
        let row = noisy.pop().unwrap_or_default();
        let visits_metric = population.visits_metric();
        if row.uncertain.contains(&visits_metric) {
            suppressed = true;
            metrics = Metrics::new();
            too_uncertain = Some(released.too_small(visits_metric));
        } else if count(row.metrics.get(visits_metric)) < threshold.k() {
            suppressed = true;
            metrics = Metrics::new();
        } else {
            metrics = row.metrics;
            intervals = row.intervals;
        }
        note = Some(released);
    }
    Ok(Summary {
        asked: request.asked(),
        metrics,
        intervals,
        suppressed,
        too_uncertain,
        withheld_metrics: withheld.iter().map(|name| (*name).to_owned()).collect(),
        uncounted_metrics: uncounted.iter().map(|name| (*name).to_owned()).collect(),
        threshold_k: threshold.k(),
        noise: note,
    })
}

/// `VisitsSummary.get` for several periods, one entry per period.
pub(crate) async fn per_period(
    deployment: &Deployment,
    params: &Params,
) -> Result<PerPeriod<<visits_summary::Get as Report>::Output>, ToolError> {
    match deployment
        .client
        .report_with::<visits_summary::Get>(params)
        .await
        .map_err(to_tool_error)?
    {
        Nested::Periods(periods) => Ok(periods),
        _ => Err(ToolError::internal(
            "Matomo answered without one entry per period",
        )),
    }
}

/// For a trend over years, which Matomo counts no distinct visitors for: the most visitors of
/// any month of each year (a year's visitors include each of its months'), by year label.
pub(crate) async fn visitors_per_year(
    deployment: &Deployment,
    params: Params,
    years: u32,
) -> Result<std::collections::HashMap<String, u64>, ToolError> {
    let months = (years * 12).min(crate::params::MAX_PERIODS);
    let params = params.period(Period::Month).date(Date::last(months)?);
    let periods = per_period(deployment, &params).await?;
    let mut per_year = std::collections::HashMap::new();
    for (label, data) in periods.iter() {
        let visitors = count(
            data.data()
                .and_then(|d| Metrics::of(d).get("nb_uniq_visitors")),
        );
        let year = label.0.split('-').next().unwrap_or_default().to_owned();
        let best = per_year.entry(year).or_insert(0);
        *best = visitors.max(*best);
    }
    Ok(per_year)
}

#[cfg(test)]
mod tests {
    use super::Population;

    /// A population or part whose segment did not parse would be counted as the whole period:
    /// every one of them must parse.
    #[test]
    fn every_population_and_part_segment_parses() {
        for population in [
            Population::Visits,
            Population::Converted,
            Population::Ordered,
        ] {
            let asked = population.asked();
            assert_eq!(asked.len(), 1 + population.parts().len());
            let (own, parts) = asked.split_first().unwrap();
            assert_eq!(own.is_some(), population != Population::Visits);
            assert!(parts.iter().all(Option::is_some), "{population:?}");
        }
    }
}
