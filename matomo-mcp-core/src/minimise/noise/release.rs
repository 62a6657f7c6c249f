//! One noisy answer: which metrics get noise and how much, the noise itself, and what the
//! answer says about it.

use std::collections::BTreeSet;

use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::Sha256;

use super::bounds::{ContributionBounds, Spread};
use super::stream::{NoiseStream, Scale};
use crate::Classified;
use crate::minimise::threshold::{MergeRule, Metrics, known_metric};

/// The fewest bytes a noise key may have.
pub const MIN_NOISE_KEY_BYTES: usize = 32;

/// The confidence of the `±` half-widths answers state.
pub const STATED_CONFIDENCE: f64 = 0.95;

/// The differential-privacy settings of a deployment: the key the noise is derived from, the
/// privacy loss ε of one answer, and the contribution bounds that make the noise sufficient.
///
/// ```
/// use matomo_mcp_core::minimise::noise::{ContributionBounds, DifferentialPrivacy, Question, Spread};
/// use matomo_mcp_core::minimise::Metrics;
///
/// let dp = DifferentialPrivacy::new(vec![9; 32], 1_000_000, ContributionBounds::default()).unwrap();
/// let question = Question::new("visits_summary").part("site", "1").part("date", "2026-11-25");
/// let truth = Metrics::new().with("nb_visits", 120.0).with("max_actions", 40.0);
/// let release = dp.release(&question, Spread::OneRowPerVisit, [("", &truth)]);
/// let (noisy, left_out) = release.noisy("", &truth);
/// assert!(noisy.get("nb_visits").is_some());
/// assert_eq!(left_out, ["max_actions"]); // no per-visit bound: not shown under noise
/// assert_eq!(release.noisy("", &truth).0, noisy, "the same answer, the same noise");
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
    #[error("ε per answer must be above 0 and at most 10, not {0}")]
    Epsilon(String),
    /// A contribution bound is zero: no visit would be counted.
    #[error("every contribution bound must be at least 1")]
    Bounds,
}

impl DifferentialPrivacy {
    /// Settings with `key` (at least [`MIN_NOISE_KEY_BYTES`] secret bytes), `epsilon_micros`
    /// millionths of ε per answer, and `bounds`.
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
        if bounds.visits_per_visitor == 0
            || bounds.visit_seconds == 0
            || bounds.actions_per_visit == 0
        {
            return Err(NoiseSettingsError::Bounds);
        }
        Ok(Self {
            key,
            epsilon_micros,
            bounds,
        })
    }

    /// Millionths of ε one answer spends.
    pub fn epsilon_micros(&self) -> u64 {
        self.epsilon_micros
    }

    /// The contribution bounds.
    pub fn bounds(&self) -> ContributionBounds {
        self.bounds
    }

    /// Plans the noisy release of one answer: the question, how its rows share visits, and its
    /// true rows (each with a key naming it within the answer, such as its label).
    ///
    /// The answer's ε is split evenly over the metrics that get noise (sequential
    /// composition); each metric's noise is calibrated to its sensitivity over all the rows
    /// together, so the answer as a whole is ε-differentially private for one visitor within
    /// the bounds. The noise is derived from the key, the question *and the true rows*: the
    /// same question over the same data gets the same answer (asking again reveals nothing),
    /// while a question whose data changed (today's numbers growing) gets fresh noise and is a
    /// new answer, charged again: otherwise two answers with the same noise would give away
    /// the exact difference.
    pub fn release<'a>(
        &self,
        question: &Question,
        spread: Spread,
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
        let share = (self.epsilon_micros / (names.len().max(1) as u64)).max(1);
        let columns: Vec<NoisyColumn> = names
            .into_iter()
            .filter_map(|name| {
                let sensitivity = self.bounds.sensitivity(name, spread)?;
                let scale = Scale::for_epsilon(sensitivity, share).ok()?;
                Some(NoisyColumn {
                    name,
                    sensitivity,
                    scale,
                })
            })
            .collect();
        // The answer's data in one buffer, hashed in one pass (many small updates cost more
        // than the hashing itself).
        let mut data = Vec::with_capacity(question.0.len() + rows.len() * (24 + 8 * columns.len()));
        data.extend_from_slice(&question.0);
        for (key, metrics) in &rows {
            data.extend_from_slice(&(key.len() as u64).to_be_bytes());
            data.extend_from_slice(key.as_bytes());
            for column in &columns {
                let value = metrics.get(column.name).map_or(-1, whole);
                data.extend_from_slice(&value.to_be_bytes());
            }
        }
        let mut mac = self.mac(b"answer");
        mac.update(&data);
        let answer: [u8; 32] = mac.finalize().into_bytes().into();
        let mut cells = NoiseStream::keyed(&self.key);
        cells.update(&answer);
        Release {
            dp: self,
            answer,
            columns,
            cells,
        }
    }

    fn mac(&self, purpose: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length: `new_from_slice` cannot fail here.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            unreachable()
        };
        mac.update(b"matomo-mcp dp v1\0");
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

/// What decides an answer's data, normalised: the tool, the site, the resolved period, the
/// segment as parsed and re-rendered, and the contribution bounds. Presentation (limits,
/// offsets) is not part of it: a longer page of the same answer shows the same noisy numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question(Vec<u8>);

impl Question {
    /// A question about `tool`'s data.
    pub fn new(tool: &str) -> Self {
        let mut question = Self(Vec::with_capacity(96));
        question.push(tool);
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

/// A metric noise is added to, in one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoisyColumn {
    /// The metric.
    pub name: &'static str,
    /// How far one visitor can move it, summed over the answer's rows.
    pub sensitivity: u64,
    /// The discrete Laplace scale of its noise.
    pub scale: Scale,
}

/// The plan and the randomness of one noisy answer (from [`DifferentialPrivacy::release`]).
pub struct Release<'a> {
    dp: &'a DifferentialPrivacy,
    answer: [u8; 32],
    columns: Vec<NoisyColumn>,
    /// The key and the answer, absorbed once: each cell's stream starts from a copy.
    cells: Hmac<Sha256>,
}

impl std::fmt::Debug for Release<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Release")
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

impl Release<'_> {
    /// A row's metrics with noise: every noised count and sum gets its own sample (clamped at
    /// zero, which is post-processing and costs no privacy), ratios are computed again from the
    /// noisy parts, and every other metric is left out (returned by name).
    pub fn noisy(&self, key: &str, metrics: &Metrics) -> (Metrics, Vec<&'static str>) {
        self.noisy_with(key, metrics, &[])
    }

    /// Ratios from the noisy parts in `out`; every other metric of `metrics` left out.
    fn derive(&self, metrics: &Metrics, mut out: Metrics) -> (Metrics, Vec<&'static str>) {
        // Post-processing, free of privacy cost: no more distinct visitors than visits.
        if let (Some(visitors), Some(visits)) = (out.get("nb_uniq_visitors"), out.get("nb_visits"))
            && visitors > visits
        {
            out.set_known("nb_uniq_visitors", visits);
        }
        let mut left_out = Vec::new();
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
                } => match (out.get(numerator), out.get(denominator)) {
                    // A share of the visits (bounces, exits, conversions) is at most all of
                    // them, whatever the two noisy counts drew: clamped, as post-processing.
                    (Some(n), Some(d)) if d > 0.0 && is_share(name) => Some((n / d).min(1.0)),
                    (Some(n), Some(d)) if d > 0.0 => Some(n / d),
                    _ => None,
                },
                _ => None,
            };
            match derived {
                Some(value) => out.set_known(name, value),
                None => left_out.push(name),
            }
        }
        (out, left_out)
    }

    /// One noisy metric of a row (the row named by `key`), as [`noisy`](Self::noisy) gives
    /// it; `None` when the metric gets no noise in this answer (or the row lacks it). A cell's
    /// noise depends only on the answer, the row and the metric.
    pub fn noisy_value(&self, key: &str, metrics: &Metrics, metric: &str) -> Option<f64> {
        let column = self.columns.iter().find(|column| column.name == metric)?;
        Some(self.noisy_cell(key, column, metrics.get(metric)?))
    }

    /// The noisy value of one metric for every row, in order, from one stream for the whole
    /// answer: the cheap way to noise a sort key of thousands of rows (a stream per cell sets
    /// up its HMAC state each time). Deterministic for an answer (its rows and their order are
    /// part of it), and drawn apart from the cells of [`noisy`](Self::noisy): give these values
    /// to [`noisy_with`](Self::noisy_with) so that a row shows the value it was sorted by.
    pub fn noisy_column<'r>(
        &self,
        metric: &str,
        rows: impl IntoIterator<Item = &'r Metrics>,
    ) -> Vec<Option<f64>> {
        let Some(column) = self.columns.iter().find(|column| column.name == metric) else {
            return rows.into_iter().map(|_| None).collect();
        };
        let mut stream = self.cells.clone();
        stream.update(b"\0column\0");
        stream.update(column.name.as_bytes());
        let mut stream = NoiseStream::from_prefix(stream);
        rows.into_iter()
            .map(|metrics| {
                let value = metrics.get(column.name)?;
                let noise = stream.laplace(column.scale);
                Some(clamp(value, noise))
            })
            .collect()
    }

    /// [`noisy`](Self::noisy), with some metrics' noisy values already drawn (by
    /// [`noisy_column`](Self::noisy_column)).
    pub fn noisy_with(
        &self,
        key: &str,
        metrics: &Metrics,
        drawn: &[(&'static str, f64)],
    ) -> (Metrics, Vec<&'static str>) {
        let mut out = Metrics::new();
        for column in &self.columns {
            if let Some(value) = metrics.get(column.name) {
                let noisy = match drawn.iter().find(|(name, _)| *name == column.name) {
                    Some((_, noisy)) => *noisy,
                    None => self.noisy_cell(key, column, value),
                };
                out.set_known(column.name, noisy);
            }
        }
        self.derive(metrics, out)
    }

    fn noisy_cell(&self, key: &str, column: &NoisyColumn, value: f64) -> f64 {
        let mut cell = self.cells.clone();
        cell.update(&(key.len() as u64).to_be_bytes());
        cell.update(key.as_bytes());
        cell.update(column.name.as_bytes());
        let noise = NoiseStream::from_prefix(cell).laplace(column.scale);
        clamp(value, noise)
    }

    /// The metrics noise is added to, with their scales.
    pub fn columns(&self) -> &[NoisyColumn] {
        &self.columns
    }

    /// An identifier of this answer (the question and its true data, under the key): equal for
    /// a repeated answer, which costs no budget; unrelated to the data without the key.
    pub fn answer_id(&self) -> [u8; 32] {
        self.answer
    }

    /// What the answer says about its noise (`charged`: millionths of ε this answer cost,
    /// 0 for a repeat; `left`: millionths of ε left in the budget's window).
    pub fn note(&self, left_out: Vec<String>, charged_micros: u64, left_micros: u64) -> NoiseNote {
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
            left_out,
            visits_per_visitor: bounds.visits_per_visitor,
            visit_seconds: bounds.visit_seconds,
            actions_per_visit: bounds.actions_per_visit,
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
    /// The privacy loss ε of this answer (split evenly over the noisy metrics).
    #[privacy(aggregate)]
    pub epsilon: f64,
    /// The ε this answer took from the budget: 0 when the same answer was given before in this window.
    #[privacy(aggregate)]
    pub epsilon_charged: f64,
    /// The ε left in the budget's current window.
    #[privacy(aggregate)]
    pub epsilon_left: f64,
    /// The confidence of each `plus_minus`.
    #[privacy(aggregate)]
    pub confidence: f64,
    /// Each noisy count or sum, with the half-width of the interval holding its noise.
    pub metrics: Vec<NoisyMetric>,
    /// Metrics left out because no noise can be calibrated for them (maxima, minima, revenue,
    /// counts without a per-visit bound).
    #[privacy(aggregate)]
    pub left_out: Vec<String>,
    /// Only visits with a visit number up to this count (a visitor's first visits).
    #[privacy(aggregate)]
    pub visits_per_visitor: u32,
    /// Only visits up to this long, in seconds.
    #[privacy(aggregate)]
    pub visit_seconds: u32,
    /// Only visits with up to this many actions.
    #[privacy(aggregate)]
    pub actions_per_visit: u32,
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
    /// One or two sentences for an answer's text content.
    pub fn render(&self) -> String {
        let mut text = format!(
            "Numbers are noisy (differential privacy, ε={} for this answer",
            trim_float(self.epsilon)
        );
        if self.epsilon_charged == 0.0 {
            text.push_str(", a repeat: nothing charged");
        }
        text.push_str(&format!(
            "; ε={} left in this window). At {:.0}%:",
            trim_float(self.epsilon_left),
            self.confidence * 100.0
        ));
        for (i, metric) in self.metrics.iter().enumerate() {
            text.push_str(if i == 0 { " " } else { ", " });
            text.push_str(&format!("{} ±{}", metric.name, metric.plus_minus));
        }
        text.push_str(&format!(
            ". Rates are computed from the noisy counts. Only visits with visit number ≤ {}, ≤ {} s and ≤ {} actions are counted.",
            self.visits_per_visitor, self.visit_seconds, self.actions_per_visit
        ));
        if !self.left_out.is_empty() {
            text.push_str(&format!(
                " Not shown with noise: {}.",
                self.left_out.join(", ")
            ));
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
    fn epsilon_is_split_over_the_noisy_metrics_of_the_rows() {
        let dp = dp();
        let a = row(100.0);
        let release = dp.release(&Question::new("t"), Spread::OneRowPerVisit, [("a", &a)]);
        let names: Vec<&str> = release.columns().iter().map(|c| c.name).collect();
        assert_eq!(names, ["bounce_count", "nb_visits"]);
        // ε/2 each, sensitivity 2 (two visits a visitor): b = 4.
        for column in release.columns() {
            assert_eq!(column.scale, Scale::new(4, 1).unwrap(), "{}", column.name);
        }
    }

    #[test]
    fn changed_data_is_a_new_answer_with_fresh_noise() {
        let dp = dp();
        let question = Question::new("t").part("site", "1");
        let (a, b) = (row(100.0), row(101.0));
        let first = dp.release(&question, Spread::OneRowPerVisit, [("x", &a)]);
        let again = dp.release(&question, Spread::OneRowPerVisit, [("x", &a)]);
        let changed = dp.release(&question, Spread::OneRowPerVisit, [("x", &b)]);
        assert_eq!(first.answer_id(), again.answer_id());
        assert_eq!(first.noisy("x", &a), again.noisy("x", &a));
        assert_ne!(first.answer_id(), changed.answer_id());
        // Over many changes, the noise of the changed answers is not the same offset (which
        // would give away the exact difference).
        let offsets: BTreeSet<i64> = (0..50)
            .map(|i| {
                let m = row(100.0 + f64::from(i));
                let release = dp.release(&question, Spread::OneRowPerVisit, [("x", &m)]);
                let noisy = release.noisy("x", &m).0.get("nb_visits").unwrap();
                whole(noisy) - whole(100.0 + f64::from(i))
            })
            .collect();
        assert!(offsets.len() > 10, "{offsets:?}");
    }

    #[test]
    fn rows_show_the_visits_they_were_sorted_by_and_rates_from_noisy_counts() {
        let dp = dp();
        let rows: Vec<(String, Metrics)> = (0..20)
            .map(|i| (format!("row {i}"), row(50.0 + f64::from(i))))
            .collect();
        let release = dp.release(
            &Question::new("t"),
            Spread::OneRowPerVisit,
            rows.iter().map(|(k, m)| (k.as_str(), m)),
        );
        let sorted = release.noisy_column("nb_visits", rows.iter().map(|(_, m)| m));
        assert_eq!(sorted.len(), 20);
        for ((key, metrics), visits) in rows.iter().zip(sorted) {
            let visits = visits.unwrap();
            let (noisy, left_out) = release.noisy_with(key, metrics, &[("nb_visits", visits)]);
            assert_eq!(noisy.get("nb_visits"), Some(visits));
            let rate = noisy.get("bounce_rate").unwrap();
            let expected = (noisy.get("bounce_count").unwrap() / visits).min(1.0);
            assert!((rate - expected).abs() < 1e-12 && rate <= 1.0);
            assert_eq!(left_out, ["max_actions"]);
        }
        assert_eq!(
            release.noisy_column("max_actions", rows.iter().map(|(_, m)| m)),
            vec![None; 20]
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
            visit_seconds: 0,
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
