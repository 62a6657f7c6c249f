//! Differential privacy for aggregate answers: calibrated, exact, consistent noise.
//!
//! A threshold stops small numbers; it cannot stop differencing. Two answers whose populations
//! differ by one person (`countryCode==de` and `countryCode==de;visitDuration!=349`) both pass
//! any threshold, and their difference is that person's visit. Noise stops it: each count or sum
//! gets a sample of the discrete Laplace distribution with scale `b = Δ/ε`, where `Δ` bounds
//! how far one visitor can move it ([`ContributionBounds`]), so that no answer (and no pair of
//! answers within the privacy budget) tells whether any one visitor is in the data.
//!
//! - [`stream`]: the exact sampler (CKS20) over a keyed HMAC-SHA256 stream.
//! - [`bounds`]: the contribution bounds Matomo enforces through a segment, and the
//!   sensitivity of each metric.
//! - [`release`]: one answer's noise: one release per statistic (a metric over a report's
//!   rows), consistent per statistic and data whichever tool asks, and what the answer says
//!   about it.
//! - [`interval`]: the 95 % interval of every noisy number, the rule for numbers too uncertain
//!   to show, and the ranks the intervals allow.
//!
//! The privacy budget that sums ε over answers is [`crate::policy::PrivacyBudget`].

pub mod bounds;
pub mod interval;
pub mod mechanism;
pub mod note;
pub mod release;
pub mod stream;
#[cfg(test)]
mod tests;

pub use bounds::{ContributionBounds, CountedVisits, Spread};
pub use interval::{Interval, Intervals, rank_ranges};
pub use mechanism::{
    DifferentialPrivacy, MIN_NOISE_KEY_BYTES, NoiseSettingsError, Question, STATED_CONFIDENCE,
};
pub use note::{NoiseNote, NoisyMetric};
pub use release::{NoisyColumn, NoisyRow, Release};
pub use stream::{InvalidScale, NoiseStream, Scale};
