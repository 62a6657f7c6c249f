//! The mechanism: a deployment's noise key, ε per statistic and contribution bounds, and the
//! questions statistics are known by, so that one statistic is released once.

use std::collections::BTreeSet;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::bounds::{ContributionBounds, CountedVisits, Spread};
use super::gaussian::Sigma;
use super::stream::NoiseStream;
use crate::RedactedDebug;
use crate::minimise::threshold::Metrics;

use super::release::{NoisyColumn, Release};

/// The fewest bytes a noise key may have.
pub const MIN_NOISE_KEY_BYTES: usize = 32;

/// The rule an answer's complete total counts visits by: at most once in 30 minutes,
/// Matomo's own visit timeout, which leaves out nearly nothing ([`CountedVisits::Separated`]).
pub const COMPLETE_RULE: CountedVisits = CountedVisits::Separated { minutes: 30 };

/// The confidence of the `±` half-widths answers state.
pub const STATED_CONFIDENCE: f64 = 0.95;

/// The differential-privacy settings of a deployment: the key the noise is derived from, the
/// privacy loss ε of one released statistic, and the contribution bounds that make the noise
/// sufficient.
///
/// ```
/// use matomo_privacy_mcp_core::dp::{ContributionBounds, DifferentialPrivacy, Question, Spread};
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
#[derive(RedactedDebug)]
pub struct DifferentialPrivacy {
    #[redact]
    key: Vec<u8>,
    epsilon_micros: u64,
    bounds: ContributionBounds,
    /// Whether answers' counts are completed to Matomo's ([`Completion`](super::Completion)).
    completed: bool,
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
            completed: true,
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

    /// The same settings counting visits by [`COMPLETE_RULE`], for the complete total of an
    /// answer's population ([`Completion`](super::Completion)); `None` when the configured
    /// rule already counts (nearly) every visit.
    pub(crate) fn completing(&self) -> Option<Self> {
        match self.bounds.counted {
            _ if !self.completed => None,
            CountedVisits::Separated { minutes } if minutes <= 30 => None,
            _ => Some(Self {
                key: self.key.clone(),
                epsilon_micros: self.epsilon_micros,
                bounds: ContributionBounds {
                    counted: COMPLETE_RULE,
                    ..self.bounds
                },
                completed: true,
            }),
        }
    }

    /// These settings with answers' counts left as counted (intervals about the counted
    /// visits, two statistics fewer per period and segment): for embedders who state their
    /// counting rule themselves, and tests of the mechanics beneath completion.
    #[must_use]
    pub fn without_completion(mut self) -> Self {
        self.completed = false;
        self
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
                let sigma = Sigma::for_epsilon(
                    self.bounds.l2_squared(name, spread, days)?,
                    self.epsilon_micros,
                )
                .ok()?;
                // One pass over the column's data: many small updates cost more than the
                // hashing itself.
                let mut data = Vec::with_capacity(question.0.len() + 64 + rows.len() * 32);
                data.extend_from_slice(&question.0);
                data.extend_from_slice(&(name.len() as u64).to_be_bytes());
                data.extend_from_slice(name.as_bytes());
                data.extend_from_slice(&sensitivity.to_be_bytes());
                // The mechanism and its variance: a statistic released with Laplace noise
                // before (a budget file names it by this id) is a new release, charged again.
                data.extend_from_slice(b"discrete gaussian\0");
                data.extend_from_slice(&sigma.variance().to_be_bytes());
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
                    sigma,
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
            completion: None,
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
pub(super) fn is_share(name: &str) -> bool {
    matches!(name, "bounce_rate" | "exit_rate" | "conversion_rate")
}

/// A count or sum with its noise, clamped at zero (post-processing, which costs no privacy).
pub(super) fn clamp(value: f64, noise: i64) -> f64 {
    // Counts and sums far below 2^53: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let noisy = whole(value).saturating_add(noise).max(0) as f64;
    noisy
}

/// Rounds a metric to the integer noise is added to (counts and sums of seconds are whole).
pub(super) fn whole(value: f64) -> i64 {
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
