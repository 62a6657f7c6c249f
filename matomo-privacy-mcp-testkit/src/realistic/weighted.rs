//! Sampling by integer weights, exact on every platform (no floating point decides which item a
//! seed picks).

use crate::prng::SplitMix64;

/// Cumulative integer weights, for exact sampling.
pub(super) struct Weighted {
    pub(super) cumulative: Vec<u64>,
}

impl Weighted {
    pub(super) fn new(weights: impl IntoIterator<Item = u64>) -> Self {
        let mut total = 0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Self { cumulative }
    }

    /// An index drawn with probability proportional to its weight (0 when all weights are 0).
    pub(super) fn pick(&self, rng: &mut SplitMix64) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let x = rng.below(total);
        // Within bounds even for weights that are all 0 (then every index is as likely: 0).
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}
