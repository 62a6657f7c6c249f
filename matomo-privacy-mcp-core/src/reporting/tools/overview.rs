//! Tools that answer with one set of numbers: visits, goals, e-commerce, and trends of a metric.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::Nested;
use crate::minimise::Metrics;
use crate::minimise::noise::{Interval, Intervals};
use crate::minimise::noise::{NoiseNote, Question, Spread};
use crate::minimise::threshold::count;
use crate::models::{PerPeriod, Report, goals, visits_summary};
use crate::params::{Date, IdGoal, Params, Period, Sites};
use crate::privacy::PrivacyClass;
use crate::privacy::{FitsUnder, max_class};
use crate::reporting::Deployment;
use crate::reporting::args::{MAX_TREND_PERIODS, PeriodArgs, ReportArgs, Request, to_tool_error};
use crate::reporting::noisy::{
    Charged, Noisy, Seen, bounded_segment, pay, period_label, site_account,
};
use crate::reporting::pipeline::number;
use crate::reporting::visitors::{Known, Visitors};
use crate::segment::Segment;
use crate::{Classified, ToolError, matomo_tool};

/// Numbers about one site and one period.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct Summary {
    /// The site.
    #[privacy(aggregate)]
    pub site: u32,
    /// The period asked for.
    #[privacy(aggregate)]
    pub period: String,
    /// The date asked for.
    #[privacy(aggregate)]
    pub date: String,
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
    /// The small-count threshold.
    #[privacy(aggregate)]
    pub threshold_k: u64,
    /// The noise on the numbers, when the deployment has differential privacy on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseNote>,
}

pub(crate) fn render_summary(s: &Summary) -> String {
    let mut text = format!("Site {}, {} {}:", s.site, s.period, s.date);
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
    if !s.withheld_metrics.is_empty() {
        let _ = write!(
            text,
            "\nWithheld (fewer than {} visitors behind them): {}.",
            s.threshold_k,
            s.withheld_metrics.join(", ")
        );
    }
    if let Some(noise) = &s.noise {
        let _ = write!(text, "\n{}", noise.render());
    }
    text
}

/// Whose visitors a summary's numbers are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Population {
    /// Every visit of the period and segment.
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
    /// The segment selecting these visits, within the period and the caller's segment.
    pub(crate) fn segment(self) -> Option<Segment> {
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

    /// The metric counting these visits in the summary.
    fn visits_metric(self) -> &'static str {
        match self {
            Self::Visits | Self::Returning => "nb_visits",
            Self::Converted | Self::ConvertedGoal(_) | Self::Ordered => "nb_visits_converted",
        }
    }
}

/// Fetches a get-style report for one site and period and applies the threshold to it as a whole.
pub(crate) async fn summary<R: Report>(
    deployment: &Deployment,
    args: PeriodArgs,
    population: Population,
    extra: Option<IdGoal>,
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
    let (known, output) = tokio::join!(
        visitors.within(&asked),
        deployment.client.report_with::<R>(&params)
    );
    let (known, parts) = population.counted(&known?);
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
    );
    summarise(
        deployment, &request, &output, population, known, &parts, noise,
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
    parts: &[(&'static str, u64)],
    noise: Option<Noisy<'_>>,
) -> Result<Summary, ToolError> {
    let value = serde_json::to_value(output).map_err(|e| ToolError::internal(e.to_string()))?;
    let metrics = metrics_of(&value);
    let threshold = deployment.threshold;
    let visits = metrics.get(population.visits_metric()).unwrap_or(0.0);
    // The numbers need k distinct visitors known behind them; visits are not visitors. Zero is
    // not a small count without noise: nobody is described. With noise, an empty population is
    // withheld like a small one, so that the two cannot be told apart.
    let visitors = known.map_or(0, |known| known.visitors);
    let mut suppressed = (visits > 0.0 || noise.is_some()) && visitors < threshold.k();
    let (mut metrics, withheld) = if suppressed {
        (Metrics::new(), Default::default())
    } else {
        threshold.cells_with_parts(&metrics, visitors, count(Some(visits)), parts)
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
        site: request.site,
        period: request.period.as_str().to_owned(),
        date: request.date.to_string(),
        metrics,
        intervals,
        suppressed,
        too_uncertain,
        withheld_metrics: withheld.iter().map(|name| (*name).to_owned()).collect(),
        threshold_k: threshold.k(),
        noise: note,
    })
}

/// `VisitsSummary.get` for several periods, one entry per period.
async fn per_period(
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
async fn visitors_per_year(
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
                .and_then(|d| serde_json::to_value(d).ok())
                .and_then(|v| metrics_of(&v).get("nb_uniq_visitors")),
        );
        let year = label.0.split('-').next().unwrap_or_default().to_owned();
        let best = per_year.entry(year).or_insert(0);
        *best = visitors.max(*best);
    }
    Ok(per_year)
}

/// The known numeric metrics of a typed get-style result.
fn metrics_of(value: &Value) -> Metrics {
    value.as_object().map(Metrics::known_in).unwrap_or_default()
}

/// Visits, unique visitors, actions, bounce rate and time on site for one site and one period.
///
/// Withheld when the period (or segment) covers fewer than `threshold_k` distinct visitors; bounces and
/// the longest visit are shown only when enough visitors are behind them.
#[matomo_tool(render = render_summary)]
pub async fn visits_summary(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<Summary, ToolError> {
    summary::<visits_summary::Get>(deployment, args, Population::Visits, None).await
}

/// The arguments of `goals_overview`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalsArgs {
    /// The site, period and segment.
    #[serde(flatten)]
    pub scope: PeriodArgs,
    /// One goal's id (from Matomo's goal list); without it, all goals together.
    #[serde(default)]
    pub goal: Option<u32>,
}

crate::reporting::args::with_period_args!(GoalsArgs);

/// Goal conversions, converting visits, revenue and conversion rate for one site and one
/// period: over all goals, or for one `goal` by id.
///
/// Withheld when fewer than `threshold_k` distinct visitors converted (that goal).
#[matomo_tool(render = render_summary)]
pub async fn goals_overview(
    deployment: &Deployment,
    args: GoalsArgs,
) -> Result<Summary, ToolError> {
    let (population, extra) = match args.goal {
        Some(id) => (Population::ConvertedGoal(id), Some(IdGoal::Goal(id))),
        None => (Population::Converted, None),
    };
    summary::<goals::Get>(deployment, args.scope, population, extra).await
}

/// Visits, visitors, actions, bounce rate and time on site of returning visitors (who had
/// visited before), for one site and one period: "how many people come back?".
///
/// The visits summary within `visitorType==returning,visitorType==returningCustomer` (Matomo's
/// returning visits, returning customers included); withheld below `threshold_k` returning
/// visitors.
#[matomo_tool(render = render_summary)]
pub async fn returning_visits(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<Summary, ToolError> {
    summary::<visits_summary::Get>(deployment, args, Population::Returning, None).await
}

/// E-commerce orders, revenue, average order value and items for one site and one period.
///
/// Withheld when fewer than `threshold_k` distinct visitors ordered.
#[matomo_tool(render = render_summary)]
pub async fn ecommerce_overview(
    deployment: &Deployment,
    args: PeriodArgs,
) -> Result<Summary, ToolError> {
    summary::<goals::Get>(
        deployment,
        args,
        Population::Ordered,
        Some(IdGoal::EcommerceOrder),
    )
    .await
}

/// A metric that can be followed over time.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrendMetric {
    /// Visits.
    NbVisits,
    /// Unique visitors (day, week and month only).
    NbUniqVisitors,
    /// Actions (page views, downloads, outlinks, …).
    NbActions,
    /// Share of one-action visits.
    BounceRate,
    /// Average visit length, seconds.
    AvgTimeOnSite,
    /// Actions per visit.
    NbActionsPerVisit,
}

impl TrendMetric {
    fn name(self) -> &'static str {
        match self {
            Self::NbVisits => "nb_visits",
            Self::NbUniqVisitors => "nb_uniq_visitors",
            Self::NbActions => "nb_actions",
            Self::BounceRate => "bounce_rate",
            Self::AvgTimeOnSite => "avg_time_on_site",
            Self::NbActionsPerVisit => "nb_actions_per_visit",
        }
    }
}

/// The arguments of `metric_trend`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrendArgs {
    /// The site id.
    pub site: u32,
    /// The metric to follow.
    pub metric: TrendMetric,
    /// `day` (default), `week`, `month` or `year`.
    #[serde(default)]
    pub period: Option<Period>,
    /// How many periods, ending with the current one: 2 to 120 (default 14).
    #[serde(default)]
    #[schemars(range(min = 2, max = 120))]
    pub last: Option<u32>,
    /// An optional Matomo segment on aggregate dimensions.
    #[serde(default)]
    pub segment: Option<String>,
}

/// One point of a trend.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct TrendPoint {
    /// The period's label (`2026-11-25`, `2026-11`, …).
    #[privacy(aggregate)]
    pub period: String,
    /// The value; `null` when fewer than `threshold_k` distinct visitors are behind it (or,
    /// with noise, when its interval is wider than the value).
    #[privacy(aggregate)]
    pub value: Option<f64>,
    /// With noise: the value's 95 % interval, `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
}

/// A metric over consecutive periods.
#[derive(Clone, Debug, Serialize, JsonSchema, Classified)]
pub struct Trend {
    /// The site.
    #[privacy(aggregate)]
    pub site: u32,
    /// The metric.
    #[privacy(aggregate)]
    pub metric: String,
    /// The points, oldest first.
    pub points: Vec<TrendPoint>,
    /// Points (with visits) withheld for having fewer than `threshold_k` distinct visitors behind them.
    #[privacy(aggregate)]
    pub suppressed_points: u64,
    /// The small-count threshold.
    #[privacy(aggregate)]
    pub threshold_k: u64,
    /// The noise on the values, when the deployment has differential privacy on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseNote>,
}

fn render_trend(t: &Trend) -> String {
    let mut text = format!(
        "Site {}, {} over {} periods ({} withheld: fewer than {} distinct visitors behind them):",
        t.site,
        t.metric,
        t.points.len(),
        t.suppressed_points,
        t.threshold_k
    );
    for p in &t.points {
        let value = p.value.map_or_else(|| "withheld".to_owned(), number);
        let _ = write!(text, "\n- {}: {value}", p.period);
        if let (Some(_), Some(interval)) = (p.value, p.interval) {
            let _ = write!(
                text,
                " [{}–{}]",
                number(interval.low()),
                number(interval.high())
            );
        }
    }
    if let Some(noise) = &t.noise {
        let _ = write!(text, "\n{}", noise.render());
    }
    text
}

/// One visits metric over the last N days, weeks, months or years.
///
/// Periods with fewer than `threshold_k` distinct visitors show no value, and so does a bounce rate with
/// too few bounces behind it.
#[matomo_tool(render = render_trend)]
pub async fn metric_trend(deployment: &Deployment, args: TrendArgs) -> Result<Trend, ToolError> {
    let period = args.period.unwrap_or(Period::Day);
    if period == Period::Range {
        return Err(ToolError::invalid_arguments(
            "`period` must be day, week, month or year for a trend",
        ));
    }
    let last = args.last.unwrap_or(14);
    if !(2..=MAX_TREND_PERIODS).contains(&last) {
        return Err(ToolError::invalid_arguments(format!(
            "`last` must be between 2 and {MAX_TREND_PERIODS}, not {last}"
        )));
    }
    deployment.check_site(args.site)?;
    let sites = Sites::one(args.site)?;
    let mut params = Params::new()
        .sites(sites)
        .period(period)
        .date(Date::last(last)?);
    let segment = bounded_segment(
        deployment,
        deployment
            .resolve_segment(args.site, args.segment.as_deref(), PrivacyClass::Aggregate)
            .await?,
        Spread::OneRowPerVisit,
    )?;
    if let Some(segment) = &segment {
        params = params.segment(segment.clone());
    }
    let yearly = (period == Period::Year).then(|| params.clone());
    let periods = per_period(deployment, &params).await?;
    let year_visitors = match yearly {
        Some(params) => visitors_per_year(deployment, params, last).await?,
        None => Default::default(),
    };
    let threshold = deployment.threshold;
    let metric = args.metric.name();
    // Each point: its label, what the threshold lets it show, and whether it has visits.
    let mut shown: Vec<(String, Option<Metrics>, bool)> = periods
        .iter()
        .map(|(label, data)| {
            let metrics = data
                .data()
                .and_then(|d| serde_json::to_value(d).ok())
                .map(|v| metrics_of(&v))
                .unwrap_or_default();
            let visits = metrics.get("nb_visits").unwrap_or(0.0);
            let visitors = year_visitors
                .get(label.0.as_str())
                .copied()
                .unwrap_or_else(|| count(metrics.get("nb_uniq_visitors")));
            let cells = threshold.cells(&metrics, visitors, count(Some(visits))).0;
            // With noise, a period without visits is withheld like a small one (see `summarise`).
            let empty_shown = visits == 0.0 && deployment.noise.is_none();
            let cells = (empty_shown || visitors >= threshold.k()).then_some(cells);
            (
                label.0.clone(),
                cells,
                visits > 0.0 || deployment.noise.is_some(),
            )
        })
        .collect();
    let mut noise_note: Option<NoiseNote> = None;
    // Each noisy point's interval, by period label.
    let mut point_intervals: Vec<(String, Interval)> = Vec::new();
    if let Some(setup) = deployment.noise.as_deref() {
        // Each period is the statistic a summary of that period releases (same source, site,
        // period, segment and key), so a trend and a summary show the same number and the budget
        // is charged once. Only the metric and what it is computed from get noise, plus visits
        // for the check on noisy counts.
        let needed = trend_parts(metric);
        let segment_text = segment
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let k = threshold.k();
        let account = site_account(&deployment.account, args.site);
        // Every point is planned first and the whole trend paid for at once (all its points'
        // statistics or none): a trend refused for the budget has spent nothing.
        let mut planned = Vec::new();
        for (i, (label, cells, _)) in shown.iter().enumerate() {
            let Some(current) = cells.as_ref() else {
                continue;
            };
            let mut kept = Metrics::new();
            for (name, value) in current.iter().filter(|(name, _)| needed.contains(name)) {
                kept.set(name, value);
            }
            let date = trend_date(label);
            let days = date.map_or(366, |date| date.max_days(period));
            let canonical = date.map_or_else(|| label.clone(), |date| period_label(period, date));
            let question = Question::new(visits_summary::Get::METHOD)
                .part("site", &args.site.to_string())
                .part("period", period.as_str())
                .part("date", &canonical)
                .part("segment", &segment_text);
            let noise = Noisy::new(setup, &account, question, Spread::OneRowPerVisit, days);
            let release = noise.plan([("", &kept)]);
            planned.push((i, kept, release));
        }
        let (charged, left) = pay(setup, &account, planned.iter().map(|(_, _, r)| r)).await?;
        let mut unstated = Some(charged);
        for (i, kept, release) in planned {
            let (label, cells, has_visits) = &mut shown[i];
            // The trend's charge is stated once, with its first point's note.
            let paid = Charged::paid(release, unstated.take().unwrap_or(0), left);
            let mut seen = Seen::default();
            let row = seen.noisy(&paid.release, "", &kept);
            let note = paid.note(seen);
            if let Some(interval) = row.intervals.get(metric) {
                point_intervals.push((label.clone(), interval));
            }
            let enough = count(row.metrics.get("nb_visits")) >= k;
            *cells = (enough || !*has_visits).then_some(row.metrics);
            noise_note = Some(match noise_note {
                None => note,
                Some(mut so_far) => {
                    so_far.epsilon_charged += note.epsilon_charged;
                    so_far.epsilon_left = note.epsilon_left;
                    for name in note.uncertain {
                        if !so_far.uncertain.contains(&name) {
                            so_far.uncertain.push(name);
                        }
                    }
                    so_far
                }
            });
        }
    }
    let mut suppressed_points = 0;
    let points = shown
        .into_iter()
        .map(|(period, cells, has_visits)| {
            let value = match cells {
                Some(cells) if !has_visits => Some(cells.get(metric).unwrap_or(0.0)),
                Some(cells) => cells.get(metric),
                None => None,
            };
            if has_visits && value.is_none() {
                suppressed_points += 1;
            }
            let interval = value.and_then(|_| {
                point_intervals
                    .iter()
                    .find(|(label, _)| *label == period)
                    .map(|(_, interval)| *interval)
            });
            TrendPoint {
                period,
                value,
                interval,
            }
        })
        .collect();
    Ok(Trend {
        site: args.site,
        metric: args.metric.name().to_owned(),
        points,
        suppressed_points,
        threshold_k: deployment.threshold.k(),
        noise: noise_note,
    })
}

/// The first day of a trend's period label (`2026-11-05`, `2026-11-02,2026-11-08`, `2026-11`,
/// `2026`), as a date.
fn trend_date(label: &str) -> Option<Date> {
    let first = label.split(',').next()?;
    let day = match first.len() {
        4 => format!("{first}-01-01"),
        7 => format!("{first}-01"),
        _ => first.to_owned(),
    };
    day.parse().ok()
}

/// The metrics a trend's metric is computed from, with visits (which noisy points are
/// checked against the threshold by).
fn trend_parts(metric: &str) -> &'static [&'static str] {
    match metric {
        "bounce_rate" => &["nb_visits", "bounce_count", "bounce_rate"],
        "avg_time_on_site" => &["nb_visits", "sum_visit_length", "avg_time_on_site"],
        "nb_actions_per_visit" => &["nb_visits", "nb_actions", "nb_actions_per_visit"],
        "nb_uniq_visitors" => &["nb_visits", "nb_uniq_visitors"],
        "nb_actions" => &["nb_visits", "nb_actions"],
        _ => &["nb_visits"],
    }
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
