//! One noisy answer: which metrics get noise and how much, the noise itself, and what the
//! answer says about it.

use std::collections::BTreeSet;

use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::Sha256;

use super::bounds::{ContributionBounds, CountedVisits, Spread};
use super::interval::{Interval, Intervals};
use super::stream::{NoiseStream, Scale};
use crate::Classified;
use crate::minimise::threshold::{MergeRule, Metrics, known_metric};

/// The fewest bytes a noise key may have.
pub const MIN_NOISE_KEY_BYTES: usize = 32;

/// The confidence of the `±` half-widths answers state.
pub const STATED_CONFIDENCE: f64 = 0.95;

/// The differential-privacy settings of a deployment: the key the noise is derived from, the
/// privacy loss ε of one released statistic, and the contribution bounds that make the noise
/// sufficient.
///
/// ```
/// use matomo_privacy_mcp_core::minimise::noise::{ContributionBounds, DifferentialPrivacy, Question, Spread};
/// use matomo_privacy_mcp_core::minimise::Metrics;
///
/// let dp = DifferentialPrivacy::new(vec![9; 32], 1_000_000, ContributionBounds::default()).unwrap();
/// let question = Question::new("visits_summary").part("site", "1").part("date", "2026-11-25");
/// let truth = Metrics::new().with("nb_visits", 120.0).with("max_actions", 40.0);
/// let release = dp.release(&question, Spread::OneRowPerVisit, 1, [("", &truth)]);
/// let row = release.noisy("", &truth);
/// let visits = row.metrics.get("nb_visits").unwrap();
/// assert!(row.intervals.get("nb_visits").unwrap().contains(visits));
/// assert_eq!(row.left_out, ["max_actions"]); // no per-visit bound: not shown under noise
/// assert_eq!(release.noisy("", &truth), row, "the same statistic, the same noise");
/// ```
pub struct DifferentialPrivacy {
    key: Vec<u8>,
    epsilon_micros: u64,
    bounds: ContributionBounds,
}

impl std::fmt::Debug for DifferentialPrivacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DifferentialPrivacy")
            .field("epsilon_micros", &self.epsilon_micros)
            .field("bounds", &self.bounds)
            .finish_non_exhaustive()
    }
}

/// Why differential-privacy settings were refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoiseSettingsError {
    /// The key is too short to keep the noise unpredictable.
    #[error("the noise key has {0} bytes but needs at least {MIN_NOISE_KEY_BYTES}")]
    ShortKey(usize),
    /// ε is zero (no answer could be given) or above 10 (no protection left).
    #[error("ε per statistic must be above 0 and at most 10, not {0}")]
    Epsilon(String),
    /// A contribution bound is zero: no visit would be counted.
    #[error("every contribution bound must be at least 1")]
    Bounds,
}

impl DifferentialPrivacy {
    /// Settings with `key` (at least [`MIN_NOISE_KEY_BYTES`] secret bytes), `epsilon_micros`
    /// millionths of ε per released statistic, and `bounds`.
    pub fn new(
        key: Vec<u8>,
        epsilon_micros: u64,
        bounds: ContributionBounds,
    ) -> Result<Self, NoiseSettingsError> {
        if key.len() < MIN_NOISE_KEY_BYTES {
            return Err(NoiseSettingsError::ShortKey(key.len()));
        }
        if epsilon_micros == 0 || epsilon_micros > 10_000_000 {
            return Err(NoiseSettingsError::Epsilon(epsilon_text(epsilon_micros)));
        }
        let counted = match bounds.counted {
            CountedVisits::Spaced { days } => days,
            CountedVisits::Separated { minutes } => minutes,
            CountedVisits::First { visits } => visits,
        };
        if counted == 0 || bounds.actions_per_visit == 0 {
            return Err(NoiseSettingsError::Bounds);
        }
        Ok(Self {
            key,
            epsilon_micros,
            bounds,
        })
    }

    /// Millionths of ε one released statistic (one metric of one report, site, period and
    /// segment, over all its rows) spends.
    pub fn epsilon_micros(&self) -> u64 {
        self.epsilon_micros
    }

    /// The contribution bounds.
    pub fn bounds(&self) -> ContributionBounds {
        self.bounds
    }

    /// Plans the noisy release of one answer: the question (what decides its data, never the
    /// tool that asks), how its rows share visits, the most calendar days its period spans,
    /// and its true rows (each with a key naming it within the answer, such as its label).
    ///
    /// Each metric that gets noise is one *statistic*, released with the full ε of a
    /// statistic and calibrated to its sensitivity over all the rows together (rows that
    /// split the visits cost one release, not one per row). A statistic's noise is derived from
    /// the key, the question, the metric *and its true values*: the same statistic over the
    /// same data is the same release, whichever tool asks for it and however often (asking
    /// again reveals nothing and is not charged), while a statistic whose data changed
    /// (today's numbers growing) gets fresh noise and is a new release: otherwise two answers
    /// with the same noise would give away the exact difference.
    pub fn release<'a>(
        &self,
        question: &Question,
        spread: Spread,
        days: u32,
        rows: impl IntoIterator<Item = (&'a str, &'a Metrics)>,
    ) -> Release<'_> {
        let rows: Vec<(&str, &Metrics)> = rows.into_iter().collect();
        // The noisy metrics are the few with a sensitivity that the rows have. Rows of one
        // report share their metrics, so the first few rows decide (looking through thousands
        // cost more than the noise itself); a metric only later rows have is left out of them.
        let candidates = self.bounds.noisy_metrics(spread);
        let mut found = vec![false; candidates.len()];
        for (_, metrics) in rows.iter().take(8) {
            for (i, name) in candidates.iter().enumerate() {
                found[i] = found[i] || metrics.get(name).is_some();
            }
        }
        let names: BTreeSet<&'static str> = candidates
            .iter()
            .zip(&found)
            .filter(|(_, found)| **found)
            .map(|(name, _)| *name)
            .collect();
        let columns: Vec<NoisyColumn> = names
            .into_iter()
            .filter_map(|name| {
                let sensitivity = self.bounds.sensitivity(name, spread, days)?;
                let scale = Scale::for_epsilon(sensitivity, self.epsilon_micros).ok()?;
                // One pass over the column's data: many small updates cost more than the
                // hashing itself.
                let mut data = Vec::with_capacity(question.0.len() + 64 + rows.len() * 32);
                data.extend_from_slice(&question.0);
                data.extend_from_slice(&(name.len() as u64).to_be_bytes());
                data.extend_from_slice(name.as_bytes());
                data.extend_from_slice(&sensitivity.to_be_bytes());
                for (key, metrics) in &rows {
                    data.extend_from_slice(&(key.len() as u64).to_be_bytes());
                    data.extend_from_slice(key.as_bytes());
                    let value = metrics.get(name).map_or(-1, whole);
                    data.extend_from_slice(&value.to_be_bytes());
                }
                let mut mac = self.mac(b"statistic");
                mac.update(&data);
                let id: [u8; 32] = mac.finalize().into_bytes().into();
                let mut cells = NoiseStream::keyed(&self.key);
                cells.update(&id);
                Some(NoisyColumn {
                    name,
                    sensitivity,
                    scale,
                    id,
                    cells,
                })
            })
            .collect();
        Release {
            dp: self,
            spread,
            days,
            columns,
        }
    }

    fn mac(&self, purpose: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length: `new_from_slice` cannot fail here.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            unreachable()
        };
        // Domain separator from the working name, kept so that kept noise keys draw the same noise.
        mac.update(b"matomo-mcp dp v2\0");
        mac.update(purpose);
        mac.update(b"\0");
        mac
    }
}

#[cold]
fn unreachable() -> ! {
    panic!("HMAC-SHA256 refused a key, which HMAC cannot do")
}

/// Whether a ratio is a part of its denominator's visits.
fn is_share(name: &str) -> bool {
    matches!(name, "bounce_rate" | "exit_rate" | "conversion_rate")
}

/// A count or sum with its noise, clamped at zero (post-processing, which costs no privacy).
fn clamp(value: f64, noise: i64) -> f64 {
    // Counts and sums far below 2^53: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let noisy = whole(value).saturating_add(noise).max(0) as f64;
    noisy
}

/// Rounds a metric to the integer noise is added to (counts and sums of seconds are whole).
fn whole(value: f64) -> i64 {
    // Saturating float-to-int: Matomo's counts are far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let value = value.round() as i64;
    value
}

/// ε given in millionths, as people write it: `1`, `0.5`, `0.000001` (no trailing zeros).
pub(crate) fn epsilon_text(micros: u64) -> String {
    let text = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// What decides a statistic's data, normalised: the data source (a report's method and fixed
/// parameters), the site, the resolved period, the segment as parsed and re-rendered. Never the
/// tool that asks, and never presentation (limits, offsets): the same statistic asked through
/// `report`, a dedicated tool, `compare_periods` or a trend is one release, with one noise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question(Vec<u8>);

impl Question {
    /// A question about the data of `source` (a Matomo method such as `VisitsSummary.get`).
    pub fn new(source: &str) -> Self {
        let mut question = Self(Vec::with_capacity(96));
        question.push(source);
        question
    }

    /// Adds a named part (length-prefixed, so parts never run into each other).
    pub fn part(mut self, name: &str, value: &str) -> Self {
        self.push(name);
        self.push(value);
        self
    }

    fn push(&mut self, text: &str) {
        self.0.extend_from_slice(&(text.len() as u32).to_be_bytes());
        self.0.extend_from_slice(text.as_bytes());
    }
}

/// A metric noise is added to, in one answer: one released statistic.
#[derive(Clone)]
pub struct NoisyColumn {
    /// The metric.
    pub name: &'static str,
    /// How far one visitor can move it, summed over the answer's rows.
    pub sensitivity: u64,
    /// The discrete Laplace scale of its noise.
    pub scale: Scale,
    /// The statistic and its true data under the key: what the budget is charged for.
    id: [u8; 32],
    /// The key and the statistic, absorbed once: each cell's stream starts from a copy.
    cells: Hmac<Sha256>,
}

impl std::fmt::Debug for NoisyColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoisyColumn")
            .field("name", &self.name)
            .field("sensitivity", &self.sensitivity)
            .field("scale", &self.scale)
            .finish_non_exhaustive()
    }
}

impl NoisyColumn {
    /// An identifier of this release (the statistic and its true data, under the key): equal
    /// for a repeated release, which costs no budget; unrelated to the data without the key.
    pub fn release_id(&self) -> [u8; 32] {
        self.id
    }

    /// The half-width holding the noise with probability `confidence`.
    pub fn half_width(&self, confidence: f64) -> f64 {
        // A half-width of a few million at most: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let width = self.scale.interval(confidence) as f64;
        width
    }

    fn cell(&self, key: &str, value: f64) -> f64 {
        let mut cell = self.cells.clone();
        cell.update(&(key.len() as u64).to_be_bytes());
        cell.update(key.as_bytes());
        let noise = NoiseStream::from_prefix(cell).laplace(self.scale);
        clamp(value, noise)
    }
}

/// The plan and the randomness of one noisy answer (from [`DifferentialPrivacy::release`]).
pub struct Release<'a> {
    dp: &'a DifferentialPrivacy,
    spread: Spread,
    days: u32,
    columns: Vec<NoisyColumn>,
}

impl std::fmt::Debug for Release<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Release")
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

/// One row's release: its noisy numbers with their intervals, what was left out (no noise can
/// be calibrated for it) and what is not shown as too uncertain.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoisyRow {
    /// The numbers shown.
    pub metrics: Metrics,
    /// Each shown number's 95 % interval.
    pub intervals: Intervals,
    /// Metrics without noise (not shown with noise at all).
    pub left_out: Vec<&'static str>,
    /// Metrics whose interval is wider than the number: not shown.
    pub uncertain: Vec<&'static str>,
}

impl Release<'_> {
    /// A row's metrics with noise: every noised count gets its own sample (clamped at zero,
    /// which is post-processing and costs no privacy) and its 95 % interval, ratios are computed
    /// again from the noisy parts with an interval from theirs, every other metric is left out,
    /// and a number whose interval is wider than itself is not shown.
    pub fn noisy(&self, key: &str, metrics: &Metrics) -> NoisyRow {
        let mut out = Metrics::new();
        let mut intervals = Intervals::new();
        for column in &self.columns {
            if let Some(value) = metrics.get(column.name) {
                let noisy = column.cell(key, value);
                out.set_known(column.name, noisy);
                let w = column.half_width(STATED_CONFIDENCE);
                intervals.set(column.name, Interval::new((noisy - w).max(0.0), noisy + w));
            }
        }
        // Post-processing, free of privacy cost: no more distinct visitors than visits.
        if let (Some(visitors), Some(visits)) = (out.get("nb_uniq_visitors"), out.get("nb_visits"))
            && visitors > visits
        {
            out.set_known("nb_uniq_visitors", visits);
        }
        let mut row = NoisyRow::default();
        for (name, _) in metrics.iter() {
            let Some((name, rule)) = known_metric(name) else {
                continue;
            };
            if out.get(name).is_some() {
                continue;
            }
            let derived = match rule {
                MergeRule::Ratio {
                    numerator,
                    denominator,
                } => self.ratio(key, metrics, name, numerator, denominator),
                _ => None,
            };
            match derived {
                Some((value, interval)) => {
                    out.set_known(name, value);
                    intervals.set(name, interval);
                }
                None => row.left_out.push(name),
            }
        }
        // The rule for numbers too uncertain to use, on every number alike.
        let mut keep = Vec::with_capacity(out.len());
        for (name, value) in out.iter() {
            let useful = intervals
                .get(name)
                .is_some_and(|interval| interval.is_useful(value));
            if !useful && let Some((known, _)) = known_metric(name) {
                row.uncertain.push(known);
            }
            keep.push(useful);
        }
        out.retain_by_index(&keep);
        for name in &row.uncertain {
            intervals.remove(name);
        }
        row.metrics = out;
        row.intervals = intervals;
        row
    }

    /// A ratio from the noisy numerator and denominator, with an interval that holds the true
    /// ratio with 95 %: each part's interval at 97.5 % (so both hold together at 95 %), the
    /// ratio's ends from the parts' opposite ends. `None` when a part has no noise here or the
    /// denominator's interval reaches zero (the ratio could be anything).
    fn ratio(
        &self,
        key: &str,
        metrics: &Metrics,
        name: &str,
        numerator: &str,
        denominator: &str,
    ) -> Option<(f64, Interval)> {
        let column = |metric: &str| self.columns.iter().find(|c| c.name == metric);
        let (top, bottom) = (column(numerator)?, column(denominator)?);
        let n = top.cell(key, metrics.get(numerator)?);
        let d = bottom.cell(key, metrics.get(denominator)?);
        let part = 1.0 - (1.0 - STATED_CONFIDENCE) / 2.0;
        let (wn, wd) = (top.half_width(part), bottom.half_width(part));
        let (d_low, d_high) = ((d - wd).max(0.0), d + wd);
        if d <= 0.0 || d_low <= 0.0 {
            return None;
        }
        let (mut low, mut high) = ((n - wn).max(0.0) / d_high, (n + wn) / d_low);
        let mut value = n / d;
        // A share of the visits (bounces, exits, conversions) is at most all of them, whatever
        // the two noisy counts drew: clamped, as post-processing.
        if is_share(name) {
            value = value.min(1.0);
            low = low.min(1.0);
            high = high.min(1.0);
        }
        Some((value, Interval::new(low, high)))
    }

    /// The noisy value of one metric for every row, in order: what rows are sorted by. A
    /// cell's noise depends only on the statistic, its data and the row's key, so a row shows
    /// the same number in every answer that releases the same statistic.
    pub fn noisy_column<'r>(
        &self,
        metric: &str,
        rows: impl IntoIterator<Item = (&'r str, &'r Metrics)>,
    ) -> Vec<Option<(f64, Interval)>> {
        let Some(column) = self.columns.iter().find(|column| column.name == metric) else {
            return rows.into_iter().map(|_| None).collect();
        };
        let w = column.half_width(STATED_CONFIDENCE);
        rows.into_iter()
            .map(|(key, metrics)| {
                let noisy = column.cell(key, metrics.get(column.name)?);
                Some((noisy, Interval::new((noisy - w).max(0.0), noisy + w)))
            })
            .collect()
    }

    /// The least noisy value of `metric` at which one of `candidates` rows may be shown, so
    /// that among them all a row with nothing behind it is shown with probability at most
    /// `1 − STATED_CONFIDENCE` (5 %).
    ///
    /// A long report (3,000 pages) holds many rows whose true value is far below the noise; a
    /// few of them draw noise large enough to pass any per-row rule, and would be shown with a
    /// number their interval does not hold (the winner's curse). The discrete Laplace tail is
    /// `P[X ≥ t] = p^t / (1 + p)` with `p = e^(−1/b)`, so `t ≥ ln(0.05 (1 + p) / n) / ln p`
    /// keeps the chance that any of `n` such rows passes below 5 %. Post-processing of released
    /// values: no privacy cost. `None` when the metric has no noise here.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::minimise::noise::{ContributionBounds, DifferentialPrivacy, Question, Spread};
    /// use matomo_privacy_mcp_core::minimise::Metrics;
    ///
    /// let dp = DifferentialPrivacy::new(vec![9; 32], 500_000, ContributionBounds::default()).unwrap();
    /// let row = Metrics::new().with("nb_visits", 100.0);
    /// let release = dp.release(&Question::new("t"), Spread::OneRowPerVisit, 1, [("a", &row)]);
    /// let few = release.selection_floor("nb_visits", 10).unwrap();
    /// let many = release.selection_floor("nb_visits", 3_000).unwrap();
    /// assert!(many > few); // more rows, more of them lifted by chance: a higher floor
    /// ```
    pub fn selection_floor(&self, metric: &str, candidates: usize) -> Option<f64> {
        let column = self.columns.iter().find(|column| column.name == metric)?;
        let p = (-1.0 / column.scale.as_f64()).exp();
        // A count of rows far below 2^53: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let n = candidates.max(1) as f64;
        let floor = ((1.0 - STATED_CONFIDENCE) * (1.0 + p) / n).ln() / p.ln();
        Some(floor.max(0.0).ceil())
    }

    /// The statistics released, with their scales: one budget charge each.
    pub fn columns(&self) -> &[NoisyColumn] {
        &self.columns
    }

    /// What the answer says about its noise (`charged`: millionths of ε this answer cost,
    /// 0 when every statistic was released before; `left`: millionths of ε left in the
    /// budget's window).
    pub fn note(&self, charged_micros: u64, left_micros: u64) -> NoiseNote {
        let bounds = self.dp.bounds;
        NoiseNote {
            mechanism: "discrete Laplace (Canonne, Kamath, Steinke 2020)".to_owned(),
            epsilon: micros_f64(self.dp.epsilon_micros),
            epsilon_charged: micros_f64(charged_micros),
            epsilon_left: micros_f64(left_micros),
            confidence: STATED_CONFIDENCE,
            metrics: self
                .columns
                .iter()
                .map(|column| NoisyMetric {
                    name: column.name.to_owned(),
                    plus_minus: column.scale.interval(STATED_CONFIDENCE),
                })
                .collect(),
            left_out: Vec::new(),
            uncertain: Vec::new(),
            uncertain_rows: 0,
            counted: bounds.describe(),
            visits_per_visitor: bounds.visits_per_visitor(self.days),
            actions_per_visit: (self.spread == Spread::RowsPerAction)
                .then_some(bounds.actions_per_visit),
            order: None,
        }
    }
}

fn micros_f64(micros: u64) -> f64 {
    // Millionths of an ε of at most a few thousand: exact enough for reporting.
    #[allow(clippy::cast_precision_loss)]
    let value = micros as f64 / 1e6;
    value
}

/// What an answer with noise says about it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema, Classified)]
pub struct NoiseNote {
    /// The noise distribution.
    #[privacy(aggregate)]
    pub mechanism: String,
    /// The privacy loss ε of each statistic released (one metric over the rows of a report).
    #[privacy(aggregate)]
    pub epsilon: f64,
    /// The ε this answer took from the budget: 0 when every statistic in it was released before in this window.
    #[privacy(aggregate)]
    pub epsilon_charged: f64,
    /// The ε left in the budget's current window.
    #[privacy(aggregate)]
    pub epsilon_left: f64,
    /// The confidence of each interval and `plus_minus`.
    #[privacy(aggregate)]
    pub confidence: f64,
    /// Each noisy count, with the half-width of the interval holding its noise.
    pub metrics: Vec<NoisyMetric>,
    /// Metrics left out because no noise can be calibrated for them (sums of time and actions,
    /// maxima, minima, revenue, counts without a per-visit bound).
    #[privacy(aggregate)]
    pub left_out: Vec<String>,
    /// Metrics not shown in some rows because their interval is wider than the number itself.
    #[privacy(aggregate)]
    pub uncertain: Vec<String>,
    /// Rows not shown because their visits' interval is wider than the number itself.
    #[privacy(aggregate)]
    pub uncertain_rows: u64,
    /// Which visits are counted, in words.
    #[privacy(aggregate)]
    pub counted: String,
    /// The most counted visits one visitor has in this period.
    #[privacy(aggregate)]
    pub visits_per_visitor: u64,
    /// In reports with a row per action: only visits with up to this many actions are counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub actions_per_visit: Option<u32>,
    /// How the rows are ordered, and what the order can and cannot tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub order: Option<String>,
}

/// One noisy metric's precision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema, Classified)]
pub struct NoisyMetric {
    /// The metric.
    #[privacy(aggregate)]
    pub name: String,
    /// The noise is within `±plus_minus` with probability `confidence`.
    #[privacy(aggregate)]
    pub plus_minus: u64,
}

impl NoiseNote {
    /// What an answer says, once, when `metric` (its visits) is too uncertain to show: in
    /// plain words, with what would help.
    pub fn too_small(&self, metric: &str) -> String {
        let plus_minus = self
            .metrics
            .iter()
            .find(|m| m.name == metric)
            .map_or(0, |m| m.plus_minus);
        format!(
            "Too few visitors for a private figure: with differential privacy at ε={} per statistic, \
             the number of visits here is only known to ±{plus_minus}, more than half of it. A longer \
             period (a week or a month instead of a day), a broader segment, or a larger ε chosen by \
             the operator (privacy.noise.epsilon_per_statistic, less private) would give a usable answer.",
            trim_float(self.epsilon)
        )
    }

    /// A few sentences for an answer's text content.
    pub fn render(&self) -> String {
        let mut text = format!(
            "Numbers are noisy (differential privacy, ε={} per statistic",
            trim_float(self.epsilon)
        );
        if self.epsilon_charged == 0.0 {
            text.push_str("; released before: nothing charged");
        } else {
            text.push_str(&format!("; ε={} charged", trim_float(self.epsilon_charged)));
        }
        text.push_str(&format!(
            ", ε={} left in this window). Each number is followed by its {:.0}% interval [low–high]; rates come from the noisy counts. Counted: {}",
            trim_float(self.epsilon_left),
            self.confidence * 100.0,
            self.counted
        ));
        if let Some(actions) = self.actions_per_visit {
            text.push_str(&format!(", and only visits of up to {actions} actions"));
        }
        text.push_str(": numbers of Matomo's own reports may be higher by what is left out.");
        if self.uncertain_rows > 0 || !self.uncertain.is_empty() {
            text.push_str(" Not shown, their interval being wider than the number:");
            if self.uncertain_rows > 0 {
                text.push_str(&format!(
                    " {} {}",
                    self.uncertain_rows,
                    if self.uncertain_rows == 1 {
                        "row"
                    } else {
                        "rows"
                    }
                ));
                if !self.uncertain.is_empty() {
                    text.push(';');
                }
            }
            if !self.uncertain.is_empty() {
                text.push(' ');
                text.push_str(&self.uncertain.join(", "));
            }
            text.push('.');
        }
        if !self.left_out.is_empty() {
            text.push_str(&format!(
                " Not shown with noise: {}.",
                self.left_out.join(", ")
            ));
        }
        if let Some(order) = &self.order {
            text.push(' ');
            text.push_str(order);
        }
        text
    }
}

fn trim_float(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dp() -> DifferentialPrivacy {
        DifferentialPrivacy::new(vec![5; 32], 1_000_000, ContributionBounds::default()).unwrap()
    }

    fn row(visits: f64) -> Metrics {
        Metrics::new()
            .with("nb_visits", visits)
            .with("bounce_count", visits / 2.0)
            .with("bounce_rate", 0.5)
            .with("max_actions", 9.0)
    }

    #[test]
    fn each_statistic_gets_the_whole_epsilon_and_its_own_release() {
        let dp = dp();
        let a = row(100.0);
        let release = dp.release(&Question::new("t"), Spread::OneRowPerVisit, 1, [("a", &a)]);
        let names: Vec<&str> = release.columns().iter().map(|c| c.name).collect();
        assert_eq!(names, ["bounce_count", "nb_visits"]);
        // ε = 1 each, sensitivity 3 (three counted visits a visitor in a day): b = 3.
        for column in release.columns() {
            assert_eq!(column.scale, Scale::new(3, 1).unwrap(), "{}", column.name);
        }
        let ids: BTreeSet<[u8; 32]> = release
            .columns()
            .iter()
            .map(NoisyColumn::release_id)
            .collect();
        assert_eq!(ids.len(), 2);
        // A month: 32 counted visits at most.
        let month = dp.release(&Question::new("t"), Spread::OneRowPerVisit, 30, [("a", &a)]);
        assert_eq!(month.columns()[0].sensitivity, 32);
    }

    #[test]
    fn changed_data_is_a_new_release_with_fresh_noise() {
        let dp = dp();
        let question = Question::new("t").part("site", "1");
        let (a, b) = (row(100.0), row(101.0));
        let first = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &a)]);
        let again = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &a)]);
        let changed = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &b)]);
        let id = |r: &Release<'_>, name: &str| {
            r.columns()
                .iter()
                .find(|c| c.name == name)
                .unwrap()
                .release_id()
        };
        assert_eq!(id(&first, "nb_visits"), id(&again, "nb_visits"));
        assert_eq!(first.noisy("x", &a), again.noisy("x", &a));
        assert_ne!(id(&first, "nb_visits"), id(&changed, "nb_visits"));
        // Over many changes, the noise of the changed answers is not the same offset (which
        // would give away the exact difference).
        let offsets: BTreeSet<i64> = (0..50)
            .map(|i| {
                let m = row(100.0 + f64::from(i));
                let release = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &m)]);
                let noisy = release.noisy_column("nb_visits", [("x", &m)])[0].unwrap().0;
                whole(noisy) - whole(100.0 + f64::from(i))
            })
            .collect();
        assert!(offsets.len() > 5, "{offsets:?}");
    }

    #[test]
    fn rows_show_the_visits_they_were_sorted_by_and_rates_with_intervals() {
        let dp = dp();
        let rows: Vec<(String, Metrics)> = (0..20)
            .map(|i| (format!("row {i}"), row(500.0 + f64::from(i))))
            .collect();
        let release = dp.release(
            &Question::new("t"),
            Spread::OneRowPerVisit,
            1,
            rows.iter().map(|(k, m)| (k.as_str(), m)),
        );
        let sorted = release.noisy_column("nb_visits", rows.iter().map(|(k, m)| (k.as_str(), m)));
        assert_eq!(sorted.len(), 20);
        for ((key, metrics), drawn) in rows.iter().zip(sorted) {
            let (visits, interval) = drawn.unwrap();
            let noisy = release.noisy(key, metrics);
            assert_eq!(noisy.metrics.get("nb_visits"), Some(visits));
            assert_eq!(noisy.intervals.get("nb_visits"), Some(interval));
            let rate = noisy.metrics.get("bounce_rate").unwrap();
            let expected = (noisy.metrics.get("bounce_count").unwrap() / visits).min(1.0);
            assert!((rate - expected).abs() < 1e-12 && rate <= 1.0);
            let rate_interval = noisy.intervals.get("bounce_rate").unwrap();
            assert!(rate_interval.contains(rate), "{rate_interval:?} {rate}");
            assert_eq!(noisy.left_out, ["max_actions"]);
        }
        assert_eq!(
            release.noisy_column("max_actions", rows.iter().map(|(k, m)| (k.as_str(), m))),
            vec![None; 20]
        );
    }

    /// A number whose interval is wider than itself is not shown, and neither is a rate
    /// computed from it.
    #[test]
    fn numbers_too_uncertain_are_not_shown() {
        let dp =
            DifferentialPrivacy::new(vec![5; 32], 100_000, ContributionBounds::default()).unwrap();
        let small = row(6.0);
        let release = dp.release(
            &Question::new("t"),
            Spread::OneRowPerVisit,
            1,
            [("x", &small)],
        );
        let noisy = release.noisy("x", &small);
        assert!(noisy.metrics.get("nb_visits").is_none(), "{noisy:?}");
        assert!(noisy.uncertain.contains(&"nb_visits"));
        assert!(noisy.metrics.get("bounce_rate").is_none());
        assert!(noisy.intervals.is_empty());
        let large = row(100_000.0);
        let release = dp.release(
            &Question::new("t"),
            Spread::OneRowPerVisit,
            1,
            [("x", &large)],
        );
        let noisy = release.noisy("x", &large);
        assert!(noisy.uncertain.is_empty(), "{noisy:?}");
        assert!(noisy.metrics.get("bounce_rate").is_some());
    }

    /// A report of 1,000 rows with nothing behind them (a visit each): with the selection floor
    /// and the width rule, any of them is shown in at most about 5 % of answers. Without the
    /// floor (mutation-checked), some are shown in most answers.
    #[test]
    fn rows_lifted_by_noise_alone_are_rarely_shown() {
        let rows: Vec<(String, Metrics)> = (0..1_000)
            .map(|i| (format!("/p/{i}"), Metrics::new().with("nb_visits", 1.0)))
            .collect();
        let mut answers_with_a_false_row = 0;
        for trial in 0..100u8 {
            let dp =
                DifferentialPrivacy::new(vec![trial; 32], 500_000, ContributionBounds::default())
                    .unwrap();
            let release = dp.release(
                &Question::new("t"),
                Spread::RowsPerAction,
                1,
                rows.iter().map(|(k, m)| (k.as_str(), m)),
            );
            let floor = release.selection_floor("nb_visits", rows.len()).unwrap();
            let shown = release
                .noisy_column("nb_visits", rows.iter().map(|(k, m)| (k.as_str(), m)))
                .into_iter()
                .flatten()
                .filter(|(value, interval)| interval.is_useful(*value) && *value >= floor)
                .count();
            answers_with_a_false_row += usize::from(shown > 0);
        }
        assert!(
            answers_with_a_false_row <= 12,
            "{answers_with_a_false_row} of 100"
        );
    }

    #[test]
    fn settings_are_checked() {
        let bounds = ContributionBounds::default();
        assert_eq!(
            DifferentialPrivacy::new(vec![1; 31], 1, bounds).unwrap_err(),
            NoiseSettingsError::ShortKey(31)
        );
        assert!(DifferentialPrivacy::new(vec![1; 32], 0, bounds).is_err());
        assert!(DifferentialPrivacy::new(vec![1; 32], 10_000_001, bounds).is_err());
        let none = ContributionBounds {
            actions_per_visit: 0,
            ..bounds
        };
        assert_eq!(
            DifferentialPrivacy::new(vec![1; 32], 1, none).unwrap_err(),
            NoiseSettingsError::Bounds
        );
        assert!(
            !format!("{:?}", dp()).contains("5, 5"),
            "the key stays out of Debug"
        );
    }
}
