//! Exact discrete Gaussian samples, the noise of every released statistic.
//!
//! A report's rows are one statistic, released with noise on every row. How much noise each
//! row needs depends on how one visitor can move the whole row vector: with Laplace noise, on
//! the sum of the moves (the L1 sensitivity `Δ₁`); with Gaussian noise, on their Euclidean
//! length (the L2 sensitivity `Δ₂`). A visit of ten pages moves ten rows of a page report by
//! one each: `Δ₁ = 10`, `Δ₂ = √10`. Over a month's 32 counted visits of one visitor, page rows
//! need Laplace noise of scale `320/ε` (± 1,917 at 95 % for ε 0.5) and Gaussian noise of
//! standard deviation `101/ε` (± 397).
//!
//! **The guarantee.** Adding independent discrete Gaussian noise `N_ℤ(0, σ²)` to each
//! coordinate of an integer vector whose L2 sensitivity is `Δ₂` is `ρ`-zero-concentrated
//! differentially private with `ρ = Δ₂² / (2σ²)` (Canonne, Kamath, Steinke, "The Discrete
//! Gaussian for Differential Privacy", NeurIPS 2020, Theorem 14). A statistic charged ε in the
//! budget gets `σ = Δ₂/ε`, so it is `ε²/2`-zCDP, the same `ρ` that ε-differential privacy
//! implies (Bun and Steinke 2016, Proposition 1.4): the budget, which sums ε, keeps counting
//! releases as before, and `k` releases of at most ε each are `Σ εᵢ²/2 ≤ (ε/2)·Σ εᵢ`-zCDP
//! (zCDP adds up). `ρ`-zCDP implies `(ρ + 2√(ρ·ln(1/δ)), δ)`-differential privacy for every
//! `δ > 0` (Bun and Steinke 2016, Proposition 1.3): the manifest states a window's and a
//! year's guarantee that way. Unlike Laplace noise, no single release is `ε`-DP with `δ = 0`;
//! over many releases the guarantee is far better (a day of 200 releases at ε 0.5: ρ = 25,
//! `ε ≈ 70.5` at `δ = 10⁻⁹`, against ε = 100 by summing).
//!
//! **Sampling.** CKS20 Algorithm 3, exactly, with integer arithmetic only: with `t = ⌊σ⌋ + 1`,
//! draw `Y` from the discrete Laplace of scale `t` and keep it with probability
//! `exp(−(|Y| − σ²/t)² / (2σ²))`. `σ²` is a whole number, `⌈Δ₂²/ε²⌉` (rounding up only adds
//! noise), so the exponent is the ratio of two integers.
//!
//! ```
//! use matomo_privacy_mcp_core::dp::{NoiseStream, Sigma};
//!
//! // A month's page report: 32 counted visits of 10 pages each, ε 0.5.
//! let sigma = Sigma::for_epsilon(32 * 32 * 10, 500_000).unwrap();
//! assert_eq!(sigma.interval(0.95), 397);
//! let a = NoiseStream::new(&[7; 32], b"pages nov").discrete_gaussian(sigma);
//! assert_eq!(a, NoiseStream::new(&[7; 32], b"pages nov").discrete_gaussian(sigma));
//! ```

use super::stream::{InvalidScale, NoiseStream, Scale};

/// The variance `σ²` of a discrete Gaussian, a whole number from 1 to below 2^48 (σ below
/// 16.7 million, so that every product the sampler forms fits in 128 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sigma {
    variance: u64,
}

impl Sigma {
    /// `σ² = variance`.
    pub fn new(variance: u64) -> Result<Self, InvalidScale> {
        if variance == 0 || variance >= 1 << 48 {
            return Err(InvalidScale);
        }
        Ok(Self { variance })
    }

    /// The noise for a statistic of squared L2 sensitivity `l2_squared` charged
    /// `epsilon_micros / 10^6`: `σ² = ⌈Δ₂² / ε²⌉`, so that it is `ρ = Δ₂²/(2σ²) ≤ ε²/2`-zCDP.
    pub fn for_epsilon(l2_squared: u64, epsilon_micros: u64) -> Result<Self, InvalidScale> {
        if epsilon_micros == 0 {
            return Err(InvalidScale);
        }
        let numerator = u128::from(l2_squared)
            .checked_mul(1_000_000_000_000)
            .ok_or(InvalidScale)?;
        let denominator = u128::from(epsilon_micros) * u128::from(epsilon_micros);
        let variance = u64::try_from(numerator.div_ceil(denominator)).map_err(|_| InvalidScale)?;
        Self::new(variance.max(1))
    }

    /// `σ²`.
    pub fn variance(self) -> u64 {
        self.variance
    }

    /// `σ` as a float, for reporting (never for sampling).
    pub fn as_f64(self) -> f64 {
        // Below 2^48: exact in f64.
        #[allow(clippy::cast_precision_loss)]
        let variance = self.variance as f64;
        variance.sqrt()
    }

    /// The half-width `w` of the interval holding the noise with probability at least
    /// `confidence`: `⌈σ·z⌉` with `z` the normal quantile of `(1 + confidence)/2`. The discrete
    /// Gaussian's tails are no heavier than the continuous one's a step further out
    /// (`P[X ≥ k] ≤ P[N(0, σ²) ≥ k − 1]`, since its normaliser is at least `√(2π)·σ`), so
    /// `P[|X| > w] ≤ 2·P[N(0, σ²) ≥ w] ≤ 1 − confidence`. For reporting.
    pub fn interval(self, confidence: f64) -> u64 {
        let tail = ((1.0 - confidence) / 2.0).clamp(1e-300, 0.5);
        whole_up(self.as_f64() * normal_quantile(1.0 - tail))
    }

    /// The least `t` with `P[X ≥ t] ≤ tail` (one-sided): `⌈σ·z⌉ + 1`, with `z` the normal
    /// quantile of `1 − tail` (see [`interval`](Self::interval)). For reporting.
    pub fn one_sided(self, tail: f64) -> u64 {
        let tail = tail.clamp(1e-300, 0.5);
        whole_up(self.as_f64() * normal_quantile(1.0 - tail)).saturating_add(1)
    }
}

fn whole_up(x: f64) -> u64 {
    let x = x.ceil();
    if x.is_finite() && x > 0.0 {
        // A positive finite float far below u64::MAX (σ below 2^24, z below 40).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let x = x as u64;
        x
    } else {
        0
    }
}

impl NoiseStream {
    /// A sample of the discrete Gaussian `N_ℤ(0, σ²)`, `P[X = x] ∝ exp(−x²/(2σ²))` (CKS20,
    /// Algorithm 3).
    pub fn discrete_gaussian(&mut self, sigma: Sigma) -> i64 {
        let n = u128::from(sigma.variance);
        // t = ⌊σ⌋ + 1 = ⌊√n⌋ + 1, below 2^24 + 1.
        let t = u128::from(isqrt(sigma.variance)) + 1;
        let Ok(laplace) = u64::try_from(t)
            .map_err(|_| InvalidScale)
            .and_then(|t| Scale::new(t, 1))
        else {
            // t is below 2^25: always a valid scale.
            return 0;
        };
        loop {
            let y = self.laplace(laplace);
            let magnitude = u128::from(y.unsigned_abs());
            // |Y| ≥ 2^36 has probability below exp(−2^12) under the discrete Laplace of scale
            // t < 2^25, and its acceptance probability exp(−γ) is below exp(−2^20): taking
            // it as rejected changes no probability this stream can express.
            if magnitude >= 1 << 36 {
                continue;
            }
            // γ = (|Y| − n/t)² / (2n) = (t·|Y| − n)² / (2·n·t²): below 2^120 over below 2^97.
            let difference = (t * magnitude).abs_diff(n);
            if self.bernoulli_exp(difference * difference, 2 * n * t * t) {
                return y;
            }
        }
    }
}

/// `⌊√n⌋`, exactly.
fn isqrt(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    // The float root is within one of the answer for n below 2^52; correct it exactly.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let mut r = (n as f64).sqrt() as u64;
    while r.saturating_mul(r) > n {
        r -= 1;
    }
    while (r + 1).saturating_mul(r + 1) <= n {
        r += 1;
    }
    r
}

/// The standard normal quantile `Φ⁻¹(p)` for `0 < p < 1` (Acklam's rational approximation,
/// relative error below 1.2·10⁻⁹; reporting only, where one part in 10⁸ of a half-width
/// is far below the rounding up to a whole number).
pub(super) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.024_25 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.024_25 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(sigma: Sigma, n: usize, seed: u8) -> Vec<i64> {
        crate::dp::stream::draws(n, seed, |stream| stream.discrete_gaussian(sigma))
    }

    /// The exact law: `P[X = x] = exp(−x²/2σ²) / Σ_y exp(−y²/2σ²)`.
    fn pmf(variance: f64, x: i64) -> f64 {
        let z: f64 = (-2000..=2000)
            .map(|y: i64| (-((y * y) as f64) / (2.0 * variance)).exp())
            .sum();
        (-((x * x) as f64) / (2.0 * variance)).exp() / z
    }

    /// Mean 0, variance about σ² (a discrete Gaussian's is slightly below σ² for small σ, and
    /// equal to it within 10⁻⁸ from σ = 2), P[X = 0] and P[X = 1] as the exact law says, each
    /// within five standard errors.
    #[test]
    fn the_noise_has_the_discrete_gaussian_law() {
        for variance in [1u64, 4, 30, 400] {
            let sigma = Sigma::new(variance).unwrap();
            let n = 20_000;
            let xs = samples(sigma, n, 3);
            let v = variance as f64;
            let law_var: f64 = (-2000..=2000i64).map(|x| (x * x) as f64 * pmf(v, x)).sum();
            let mean = xs.iter().sum::<i64>() as f64 / n as f64;
            let var = xs.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(
                mean.abs() < 5.0 * (law_var / n as f64).sqrt(),
                "σ²={v}: mean {mean}"
            );
            // The variance of a sample variance of a normal law: 2σ⁴/n.
            let se = (2.0 * law_var * law_var / n as f64).sqrt();
            assert!(
                (var - law_var).abs() < 5.0 * se,
                "σ²={v}: {var} vs {law_var}"
            );
            for x in [0, 1] {
                let expected = pmf(v, x);
                let seen = xs.iter().filter(|y| **y == x).count() as f64 / n as f64;
                let se = (expected * (1.0 - expected) / n as f64).sqrt();
                assert!(
                    (seen - expected).abs() < 5.0 * se,
                    "σ²={v}, P[{x}]: {seen} vs {expected}"
                );
            }
        }
    }

    /// The stated half-width holds at least its share of the noise, and not much more: a
    /// half-width two steps narrower holds less than 95 % (a factor dropped from σ or `z`
    /// fails one or the other).
    #[test]
    fn intervals_hold_their_share_of_the_noise() {
        for variance in [16u64, 10_240] {
            let sigma = Sigma::new(variance).unwrap();
            let w = sigma.interval(0.95) as i64;
            let xs = samples(sigma, 20_000, 9);
            let share =
                |w: i64| xs.iter().filter(|x| x.abs() <= w).count() as f64 / xs.len() as f64;
            assert!(share(w) >= 0.94, "σ²={variance}: {} within ±{w}", share(w));
            let narrower = w - 2 - w / 25;
            assert!(
                share(narrower) < 0.95,
                "σ²={variance}: ±{w} is wider than needed"
            );
            // One-sided: P[X ≥ t] ≤ 1 %.
            let t = sigma.one_sided(0.01) as i64;
            let above = xs.iter().filter(|x| **x >= t).count() as f64 / xs.len() as f64;
            assert!(above <= 0.013, "σ²={variance}: {above} at or above {t}");
        }
    }

    #[test]
    fn sigma_is_rounded_up_from_the_sensitivity() {
        // Δ₂² = 9 (a day's three visits), ε 0.5: σ² = 36.
        assert_eq!(Sigma::for_epsilon(9, 500_000).unwrap().variance(), 36);
        // ε 0.3: 9 / 0.09 = 100.
        assert_eq!(Sigma::for_epsilon(9, 300_000).unwrap().variance(), 100);
        // ε 0.7: 9 / 0.49 = 18.37…, rounded up.
        assert_eq!(Sigma::for_epsilon(9, 700_000).unwrap().variance(), 19);
        // Never below 1.
        assert_eq!(Sigma::for_epsilon(1, 10_000_000).unwrap().variance(), 1);
        assert_eq!(Sigma::for_epsilon(1, 0), Err(InvalidScale));
        assert_eq!(Sigma::new(1 << 48), Err(InvalidScale));
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_quantile(0.005) + 2.575_829_304).abs() < 1e-8);
        for n in [0u64, 1, 2, 3, 4, 15, 16, 17, (1 << 48) - 1] {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
    }
}
