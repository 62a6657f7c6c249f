//! One noisy answer: which metrics get noise and how much, the noise itself, intervals and
//! the floor that keeps chance selections rare.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::bounds::Spread;
use super::gaussian::Sigma;
use super::stream::NoiseStream;
use crate::RedactedDebug;
use crate::minimise::threshold::{Interval, Intervals};
use crate::minimise::threshold::{MergeRule, Metrics, known_metric};

use super::completion::Completion;
use super::mechanism::{DifferentialPrivacy, STATED_CONFIDENCE, clamp, is_share};
use super::note::{NoiseNote, NoisyMetric};

/// The mechanism, as answers name it.
pub const MECHANISM: &str =
    "discrete Gaussian (Canonne, Kamath, Steinke 2020), ε²/2-zCDP per statistic of ε";

/// A metric noise is added to, in one answer: one released statistic.
#[derive(Clone, RedactedDebug)]
pub struct NoisyColumn {
    /// The metric.
    pub name: &'static str,
    /// How far one visitor can move it, summed over the answer's rows (L1).
    pub sensitivity: u64,
    /// The discrete Gaussian of its noise: `σ = Δ₂/ε`, so `ε²/2`-zCDP
    /// ([`gaussian`](super::gaussian)).
    pub sigma: Sigma,
    /// The statistic and its true data under the key: what the budget is charged for.
    #[redact]
    pub(super) id: [u8; 32],
    /// The key and the statistic, absorbed once: each cell's stream starts from a copy.
    #[redact]
    pub(super) cells: Hmac<Sha256>,
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
        let width = self.sigma.interval(confidence) as f64;
        width
    }

    fn cell(&self, key: &str, value: f64) -> f64 {
        let mut cell = self.cells.clone();
        cell.update(&(key.len() as u64).to_be_bytes());
        cell.update(key.as_bytes());
        let noise = NoiseStream::from_prefix(cell).discrete_gaussian(self.sigma);
        clamp(value, noise)
    }
}

/// The plan and the randomness of one noisy answer (from [`DifferentialPrivacy::release`]).
#[derive(Debug)]
pub struct Release<'a> {
    pub(super) dp: &'a DifferentialPrivacy,
    pub(super) spread: Spread,
    pub(super) days: u32,
    pub(super) columns: Vec<NoisyColumn>,
    /// The share of Matomo's visits counted, when the answer's counts are completed to
    /// Matomo's ([`Completion`]).
    pub(super) completion: Option<Completion>,
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
                let w = column.half_width(STATED_CONFIDENCE);
                let (noisy, interval) = self.shown(
                    column.name,
                    noisy,
                    Interval::new((noisy - w).max(0.0), noisy + w),
                );
                out.set_known(column.name, noisy);
                intervals.set(column.name, interval);
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

    /// A counted number and its interval as shown: completed to an estimate of Matomo's own
    /// number when the answer has a [`Completion`] (distinct visitors keep their counted
    /// number), else as counted. Post-processing of released numbers.
    pub fn shown(&self, metric: &str, value: f64, interval: Interval) -> (f64, Interval) {
        match &self.completion {
            Some(completion) => completion.complete(value, interval, metric != "nb_uniq_visitors"),
            None => (value, interval),
        }
    }

    /// Completes the answer's counts to Matomo's with the share of its visits counted.
    pub fn complete_with(&mut self, completion: Completion) {
        self.completion = Some(completion);
    }

    /// The share of Matomo's visits the answer counts, when its counts are completed.
    pub fn completion(&self) -> Option<&Completion> {
        self.completion.as_ref()
    }

    /// The noisy value of one metric for every row, in order, as counted (not completed): what
    /// rows are sorted by. A
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
    /// number their interval does not hold (the winner's curse). The discrete Gaussian's tail
    /// is `P[X ≥ t] ≤ P[N(0, σ²) ≥ t − 1]` ([`Sigma::one_sided`]), so `t` at the normal
    /// quantile of `1 − 0.05/n`, plus one, keeps the chance that any of `n` such rows passes
    /// below 5 %. Post-processing of released values: no privacy cost. `None` when the metric
    /// has no noise here.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::dp::{ContributionBounds, DifferentialPrivacy, Question, Spread};
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
        // A count of rows far below 2^53: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let n = candidates.max(1) as f64;
        // At most a few million: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let floor = column.sigma.one_sided((1.0 - STATED_CONFIDENCE) / n) as f64;
        Some(floor)
    }

    /// The statistics released, with their scales: one budget charge each.
    pub fn columns(&self) -> &[NoisyColumn] {
        &self.columns
    }

    /// What the answer says about its noise (`charged`: millionths of ε this answer cost,
    /// 0 when every statistic was released before; `left`: millionths of ε left in the
    /// budget's window).
    pub fn note(&self, charged_micros: u64, left_micros: u64) -> NoiseNote {
        let bounds = self.dp.bounds();
        NoiseNote {
            mechanism: MECHANISM.to_owned(),
            epsilon: micros_f64(self.dp.epsilon_micros()),
            epsilon_charged: micros_f64(charged_micros),
            epsilon_left: micros_f64(left_micros),
            confidence: STATED_CONFIDENCE,
            metrics: self
                .columns
                .iter()
                .map(|column| NoisyMetric {
                    name: column.name.to_owned(),
                    plus_minus: column.sigma.interval(STATED_CONFIDENCE),
                })
                .collect(),
            left_out: Vec::new(),
            not_released: Vec::new(),
            uncertain: Vec::new(),
            uncertain_rows: 0,
            counted: bounds.describe(),
            visits_per_visitor: bounds.visits_per_visitor(self.days),
            actions_per_visit: (self.spread == Spread::RowsPerAction)
                .then_some(bounds.actions_per_visit),
            order: None,
            counted_share: self.completion.map(|c| c.share()),
            counted_share_interval: self.completion.map(|c| c.share_interval()),
        }
    }
}

fn micros_f64(micros: u64) -> f64 {
    // Millionths of an ε of at most a few thousand: exact enough for reporting.
    #[allow(clippy::cast_precision_loss)]
    let value = micros as f64 / 1e6;
    value
}
