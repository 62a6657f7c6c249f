//! A trend: one metric of the visits summary over consecutive periods, each point thresholded
//! by its own distinct visitors and, with noise on, released as the summary of its period would
//! be (the same statistic, charged once), all points paid for together.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dp::answer::{Charged, Noisy, Seen, ids_of, pay_ids, period_label, site_account};
use crate::dp::{NoiseNote, Question, Spread};
use crate::minimise::Metrics;
use crate::minimise::threshold::Interval;
use crate::minimise::threshold::count;
use crate::models::{Report, visits_summary};
use crate::params::{Date, Params, Period, Sites};
use crate::privacy::PrivacyClass;
use crate::reporting::Deployment;
use crate::reporting::args::MAX_TREND_PERIODS;
use crate::reporting::noisy::{bounded_segment, span_totals};
use crate::reporting::summary::{per_period, visitors_per_year};
use crate::{Classified, ToolError};

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
    /// The metric's name in Matomo's answers (`nb_visits`, `bounce_rate`, …).
    pub fn name(self) -> &'static str {
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

/// The arguments of a trend ([`Deployment::trend`]; the `metric_trend` tool's).
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

impl Deployment {
    /// One metric of the visits summary over the last `args.last` days, weeks, months or
    /// years of a site this deployment serves, within the caller's segment (checked as every
    /// tool checks it).
    ///
    /// A period with fewer than `threshold_k` distinct visitors behind it shows no value (its
    /// year's most visitors of any month, for years, which Matomo counts no visitors for), and
    /// so does a metric with too few visitors behind its parts (a bounce rate with few bounces).
    /// With noise on, each point is the statistic the visits summary of that period releases
    /// (the same number, charged once), and the whole trend is paid for at once or not at all.
    ///
    /// # Errors
    ///
    /// A period of `range`, `last` outside 2 to [`MAX_TREND_PERIODS`], the site not served, the
    /// segment refused, Matomo unreachable, the privacy budget spent.
    pub async fn trend(&self, args: &TrendArgs) -> Result<Trend, ToolError> {
        trend(self, args).await
    }
}

async fn trend(deployment: &Deployment, args: &TrendArgs) -> Result<Trend, ToolError> {
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
            let metrics = data.data().map(Metrics::of).unwrap_or_default();
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
        // Every point completed to Matomo's visits by the share counted over the trend's span
        // (two totals, paid with the points).
        let first = shown.first().and_then(|(label, _, _)| trend_date(label));
        let totals = span_totals(deployment, args.site, first, segment.as_ref()).await?;
        let (charged, left) = pay_ids(
            setup,
            &account,
            ids_of(planned.iter().map(|(_, _, r)| r)),
            totals.iter().flat_map(|t| t.ids).collect(),
        )
        .await?;
        let mut unstated = Some(charged);
        for (i, kept, release) in planned {
            let (label, cells, has_visits) = &mut shown[i];
            // The trend's charge is stated once, with its first point's note.
            let mut paid = Charged::paid(release, unstated.take().unwrap_or(0), left);
            if let Some(totals) = &totals {
                paid.release.complete_with(totals.completion);
            }
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
