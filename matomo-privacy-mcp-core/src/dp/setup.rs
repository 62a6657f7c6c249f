//! A deployment's differential privacy, configured in one place: the noise settings and the
//! budget answers spend.

use super::{DifferentialPrivacy, PrivacyBudget};

/// A deployment's differential privacy: the noise settings and the budget answers spend.
#[derive(Debug)]
pub struct NoiseSetup {
    /// The noise settings.
    pub dp: DifferentialPrivacy,
    /// The privacy budget, charged per Matomo token.
    pub budget: PrivacyBudget,
}
