//! Differential privacy for aggregate answers: calibrated, exact, consistent noise, and the
//! budget it spends, in one place.
//!
//! A threshold stops small numbers; it cannot stop differencing. Two answers whose populations
//! differ by one person (`countryCode==de` and `countryCode==de;visitDuration!=349`) both pass
//! any threshold, and their difference is that person's visit. Noise stops it: each count
//! gets a sample of the discrete Gaussian distribution with `σ = Δ₂/ε`, where `Δ₂` bounds how
//! far one visitor can move the count over all its rows ([`ContributionBounds`]), so that each
//! release is `ε²/2`-zCDP and no answer (and no set of answers within the privacy budget) tells
//! whether any one visitor is in the data ([`gaussian`]).
//!
//! A deployment's differential privacy is one [`NoiseSetup`]: the noise settings
//! ([`DifferentialPrivacy`]: key, ε per statistic, contribution bounds) and the
//! [`PrivacyBudget`] answers spend. The modules, from the bottom up:
//!
//! - [`stream`]: the exact samplers (CKS20) over a keyed HMAC-SHA256 stream, and
//!   [`gaussian`]: the discrete Gaussian every statistic is released with, and its guarantee.
//! - [`bounds`]: the contribution bounds Matomo enforces through a segment, and the
//!   sensitivity of each metric.
//! - [`mechanism`]: the settings, and the questions statistics are known by.
//! - [`release`]: one answer's noise: one release per statistic (a metric over a report's
//!   rows), consistent per statistic and data whichever tool asks, each number with its 95 %
//!   interval ([`Interval`](crate::minimise::threshold::Interval), the value type rows carry),
//!   and what the answer says about it ([`note`]).
//! - `completion` ([`Completion`]): from the visits the counting rule keeps to the visits
//!   Matomo shows, with the share of Matomo's visits an answer counts.
//! - [`budget`]: the privacy budget that sums ε over releases per account and window, in memory,
//!   in a file, or (with the `redis` feature) shared by replicas in Redis.
//! - `answer` (crate-internal): an answer's release planned, paid for (all or none) and shown.

pub(crate) mod answer;
pub mod bounds;
pub mod budget;
mod completion;
pub mod gaussian;
pub mod mechanism;
pub mod note;
pub mod release;
mod setup;
pub mod stream;
#[cfg(test)]
mod tests;

pub use bounds::{ContributionBounds, CountedVisits, Spread};
pub use budget::{BudgetError, Charges, PrivacyBudget, Spend};
pub use completion::Completion;
pub use gaussian::Sigma;
pub use mechanism::{
    COMPLETE_RULE, DifferentialPrivacy, MIN_NOISE_KEY_BYTES, NoiseSettingsError, Question,
    STATED_CONFIDENCE,
};
pub use note::{NoiseNote, NoisyMetric};
pub use release::{NoisyColumn, NoisyRow, Release};
pub use setup::NoiseSetup;
pub use stream::{InvalidScale, NoiseStream, Scale};
