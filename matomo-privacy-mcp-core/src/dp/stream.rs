//! Exact discrete Laplace samples from a keyed, deterministic random stream.
//!
//! Textbook Laplace noise drawn with floating-point numbers leaks the true value through the low
//! bits of the result (Mironov, "On Significance of the Least Significant Bits for Differential
//! Privacy", CCS 2012). This module samples the *discrete* Laplace distribution,
//! `P[X = x] ∝ exp(−|x| / b)` over the integers, exactly, with integer arithmetic only, following
//! Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020),
//! Algorithms 1 (Bernoulli(exp(−γ))) and 2 (discrete Laplace); the scale `b` is a rational number.
//! Statistics are released with the discrete Gaussian built on them ([`gaussian`](super::gaussian),
//! Algorithm 3).
//!
//! The randomness is a stream of HMAC-SHA256 blocks under a key and a description of the
//! question (counter mode): the same question gets the same noise, different questions get
//! unrelated noise.
//!
//! ```
//! use matomo_privacy_mcp_core::dp::{NoiseStream, Scale};
//!
//! let key = [7u8; 32];
//! let scale = Scale::new(2, 1).unwrap(); // b = 2: for ε = 0.5 on a count one person changes by 1
//! let a = NoiseStream::new(&key, b"visits_summary site=1 day 2026-11-25 nb_visits").laplace(scale);
//! let b = NoiseStream::new(&key, b"visits_summary site=1 day 2026-11-25 nb_visits").laplace(scale);
//! assert_eq!(a, b, "the same question, the same noise");
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::RedactedDebug;

/// The scale `b = numerator / denominator` of a discrete Laplace distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    numerator: u64,
    denominator: u64,
}

/// A scale that cannot be sampled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a noise scale needs a positive numerator below 2^48 and a positive denominator below 2^32"
)]
pub struct InvalidScale;

impl Scale {
    /// `b = numerator / denominator`, in lowest terms: the numerator positive and below 2^48,
    /// the denominator positive and below 2^32 (so every product the sampler forms fits in 128
    /// bits).
    pub fn new(numerator: u64, denominator: u64) -> Result<Self, InvalidScale> {
        if numerator == 0 || denominator == 0 {
            return Err(InvalidScale);
        }
        let divisor = gcd(numerator, denominator);
        let (numerator, denominator) = (numerator / divisor, denominator / divisor);
        if numerator < 1 << 48 && denominator < 1 << 32 {
            Ok(Self {
                numerator,
                denominator,
            })
        } else {
            Err(InvalidScale)
        }
    }

    /// The scale for sensitivity `sensitivity` and privacy loss `epsilon_micros / 10^6`:
    /// `b = sensitivity / ε`.
    pub fn for_epsilon(sensitivity: u64, epsilon_micros: u64) -> Result<Self, InvalidScale> {
        let numerator = sensitivity.checked_mul(1_000_000).ok_or(InvalidScale)?;
        Self::new(numerator, epsilon_micros)
    }

    /// The scale as a float, for reporting (never for sampling).
    pub fn as_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// The half-width of the interval holding the noise with probability at least `confidence`
    /// (for example 0.95): the smallest `w` with `P[|X| > w] = 2·p^(w+1)/(1+p) ≤ 1 − confidence`,
    /// where `p = exp(−1/b)`. For reporting.
    pub fn interval(self, confidence: f64) -> u64 {
        let p = (-1.0 / self.as_f64()).exp();
        let tail = (1.0 - confidence).clamp(f64::MIN_POSITIVE, 1.0);
        // 2 p^(w+1) / (1 + p) <= tail  <=>  w >= ln(tail (1 + p) / 2) / ln p - 1
        let w = ((tail * (1.0 + p) / 2.0).ln() / p.ln() - 1.0).ceil();
        if w.is_finite() && w > 0.0 {
            // In range: a positive finite float, far below u64::MAX for any scale below 2^32.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let w = w as u64;
            w
        } else {
            0
        }
    }
}

/// A deterministic stream of random bits: HMAC-SHA256 of the question and a block counter,
/// under a key.
#[derive(RedactedDebug)]
pub struct NoiseStream {
    #[redact]
    mac: Hmac<Sha256>,
    counter: u64,
    #[redact]
    block: [u8; 32],
    used: usize,
}

impl NoiseStream {
    /// The stream for `question` under `key` (at least 32 bytes in any real deployment).
    pub fn new(key: &[u8], question: &[u8]) -> Self {
        let mut prefix = Self::keyed(key);
        prefix.update(question);
        Self::from_prefix(prefix)
    }

    /// HMAC-SHA256 under `key`, with the stream's domain separation absorbed: clone it and
    /// absorb a question to start many streams without setting the key up each time.
    pub(crate) fn keyed(key: &[u8]) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; the only failure mode is impossible for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => unreachable_hmac(),
        };
        // Domain separator from the working name, kept so that kept noise keys draw the same noise.
        mac.update(b"matomo-mcp noise v1\0");
        mac
    }

    /// The stream of a question already absorbed into `prefix` (from [`keyed`](Self::keyed)).
    pub(crate) fn from_prefix(prefix: Hmac<Sha256>) -> Self {
        Self {
            mac: prefix,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    /// The next `N` bytes of the stream.
    fn next_bytes<const N: usize>(&mut self) -> [u8; N] {
        if self.used + N > self.block.len() {
            let mut mac = self.mac.clone();
            mac.update(&self.counter.to_be_bytes());
            self.block.copy_from_slice(&mac.finalize().into_bytes());
            self.counter += 1;
            self.used = 0;
        }
        let mut bytes = [0u8; N];
        bytes.copy_from_slice(&self.block[self.used..self.used + N]);
        self.used += N;
        bytes
    }

    fn next_u64(&mut self) -> u64 {
        u64::from_be_bytes(self.next_bytes())
    }

    fn next_u32(&mut self) -> u32 {
        u32::from_be_bytes(self.next_bytes())
    }

    /// A uniform integer in `0..n` (`n > 0`), by rejection: no modulo bias. As few bits as
    /// `n` needs: 32 when it fits (most draws: each HMAC block then serves eight), 64, or 128.
    fn below(&mut self, n: u128) -> u128 {
        debug_assert!(n > 0);
        if n <= 1 {
            return 0;
        }
        // Lemire's multiply-and-shift ("Fast Random Integer Generation in an Interval", 2019):
        // exactly uniform, with a division only in the rare case that might need a rejection.
        // Written once for both widths: `n` drawn as a `$narrow` (when it fits) by `$draw`,
        // multiplied in `$wide`, twice as wide.
        macro_rules! multiply_and_shift {
            ($narrow:ty, $wide:ty, $draw:expr) => {
                if let Ok(small) = <$narrow>::try_from(n) {
                    loop {
                        let product = <$wide>::from($draw) * <$wide>::from(small);
                        // The low half of the product; the high half is the candidate.
                        #[allow(clippy::cast_possible_truncation)]
                        let low = product as $narrow;
                        if low >= small || low >= small.wrapping_neg() % small {
                            return u128::from(product >> <$narrow>::BITS);
                        }
                    }
                }
            };
        }
        multiply_and_shift!(u32, u64, self.next_u32());
        multiply_and_shift!(u64, u128, self.next_u64());
        let draw = |s: &mut Self| (u128::from(s.next_u64()) << 64) | u128::from(s.next_u64());
        let zone = u128::MAX - (u128::MAX % n);
        loop {
            let x = draw(self);
            if x < zone {
                return x % n;
            }
        }
    }

    /// `true` with probability `numerator / denominator` exactly.
    fn bernoulli(&mut self, numerator: u128, denominator: u128) -> bool {
        self.below(denominator) < numerator
    }

    /// `true` with probability `exp(−numerator / denominator)` exactly (CKS20, Algorithm 1).
    pub(super) fn bernoulli_exp(&mut self, numerator: u128, denominator: u128) -> bool {
        let mut whole = numerator / denominator;
        while whole > 0 {
            if !self.bernoulli_exp_at_most_one(1, 1) {
                return false;
            }
            whole -= 1;
        }
        self.bernoulli_exp_at_most_one(numerator % denominator, denominator)
    }

    /// For `γ = numerator / denominator ≤ 1`: K ← 1; while Bernoulli(γ/K), K ← K + 1; `K` odd.
    fn bernoulli_exp_at_most_one(&mut self, numerator: u128, denominator: u128) -> bool {
        let mut k: u128 = 1;
        loop {
            let Some(scaled) = denominator.checked_mul(k) else {
                // γ/K below 2^-64: the next draw is false with certainty to far below any
                // probability this stream can express.
                return k % 2 == 1;
            };
            if !self.bernoulli(numerator, scaled) {
                return k % 2 == 1;
            }
            k += 1;
        }
    }

    /// A sample of the discrete Laplace distribution with scale `b`, `P[X = x] ∝ exp(−|x|/b)`
    /// (CKS20, Algorithm 2, with `b = t/s`).
    pub fn laplace(&mut self, scale: Scale) -> i64 {
        let t = u128::from(scale.numerator);
        let s = u128::from(scale.denominator);
        loop {
            let u = self.below(t);
            if !self.bernoulli_exp(u, t) {
                continue;
            }
            let mut v: u128 = 0;
            while self.bernoulli_exp(1, 1) {
                v += 1;
            }
            // `v` is geometric (rarely above a few dozen): saturation is far out of reach.
            let x = u.saturating_add(t.saturating_mul(v));
            let y = x / s;
            let negative = self.bernoulli(1, 2);
            if negative && y == 0 {
                continue;
            }
            let y = i64::try_from(y).unwrap_or(i64::MAX);
            return if negative { -y } else { y };
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cold]
fn unreachable_hmac() -> ! {
    // `Hmac::new_from_slice` fails only for MACs with a fixed key length; HMAC has none.
    panic!("HMAC-SHA256 refused a key, which HMAC cannot do")
}

/// `n` draws of `draw`, each from the stream of its own question under the key `[seed; 32]`
/// (as each statistic of a release has its own stream): for the tests of the noise laws.
#[cfg(test)]
pub(crate) fn draws(n: usize, seed: u8, draw: impl Fn(&mut NoiseStream) -> i64) -> Vec<i64> {
    (0..n)
        .map(|i| draw(&mut NoiseStream::new(&[seed; 32], &i.to_be_bytes())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(scale: Scale, n: usize, seed: u8) -> Vec<i64> {
        draws(n, seed, |stream| stream.laplace(scale))
    }

    /// Mean 0 and variance 2p/(1−p)² with p = exp(−1/b), within five standard errors.
    #[test]
    fn the_noise_has_the_discrete_laplace_mean_and_variance() {
        for (num, den) in [(1, 1), (2, 1), (10, 1), (7, 2)] {
            let scale = Scale::new(num, den).unwrap();
            let n = 20_000;
            let xs = samples(scale, n, 3);
            let p = (-1.0 / scale.as_f64()).exp();
            let variance = 2.0 * p / (1.0 - p).powi(2);
            let mean = xs.iter().sum::<i64>() as f64 / n as f64;
            let var = xs.iter().map(|x| (*x as f64 - mean).powi(2)).sum::<f64>() / n as f64;
            let se_mean = (variance / n as f64).sqrt();
            assert!(mean.abs() < 5.0 * se_mean, "b={num}/{den}: mean {mean}");
            // The variance of a sample variance: (μ4 − σ⁴)/n; μ4 of this law is below 25 σ⁴.
            let se_var = (24.0 * variance * variance / n as f64).sqrt();
            assert!(
                (var - variance).abs() < 5.0 * se_var,
                "b={num}/{den}: variance {var}, expected {variance}"
            );
            // P[X = 0] = (1 − p)/(1 + p).
            let zeros = xs.iter().filter(|x| **x == 0).count() as f64 / n as f64;
            let expected = (1.0 - p) / (1.0 + p);
            assert!((zeros - expected).abs() < 5.0 * (expected / n as f64).sqrt() + 0.01);
        }
    }

    #[test]
    fn same_question_same_noise_other_question_other_noise() {
        let scale = Scale::new(5, 1).unwrap();
        let a = samples(scale, 2_000, 1);
        assert_eq!(a, samples(scale, 2_000, 1));
        // Another key: unrelated samples; their correlation is near zero.
        let b = samples(scale, 2_000, 2);
        let mean = |v: &[i64]| v.iter().sum::<i64>() as f64 / v.len() as f64;
        let (ma, mb) = (mean(&a), mean(&b));
        let cov: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (*x as f64 - ma) * (*y as f64 - mb))
            .sum::<f64>();
        let norm = |v: &[i64], m: f64| {
            v.iter()
                .map(|x| (*x as f64 - m).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let r = cov / (norm(&a, ma) * norm(&b, mb));
        assert!(r.abs() < 0.1, "correlation {r}");
        assert_ne!(a, b);
    }

    #[test]
    fn intervals_hold_their_share_of_the_noise() {
        let scale = Scale::new(4, 1).unwrap();
        let w = scale.interval(0.95) as i64;
        let xs = samples(scale, 20_000, 9);
        let inside = xs.iter().filter(|x| x.abs() <= w).count() as f64 / xs.len() as f64;
        assert!(inside >= 0.94, "{inside} within ±{w}");
        assert!(
            xs.iter().filter(|x| x.abs() <= w - 2).count() as f64 / (xs.len() as f64) < 0.95,
            "±{w} is not much wider than needed"
        );
    }

    #[test]
    fn scales_are_checked() {
        assert_eq!(Scale::new(0, 1), Err(InvalidScale));
        assert_eq!(Scale::new(1, 0), Err(InvalidScale));
        assert_eq!(Scale::new(1 << 48, 1), Err(InvalidScale));
        assert_eq!(Scale::new(1, 1 << 32), Err(InvalidScale));
        assert_eq!(Scale::new(1 << 33, 1 << 33), Scale::new(1, 1));
        assert_eq!(Scale::for_epsilon(1, 500_000), Scale::new(2, 1));
        // A large sensitivity (seconds of visits) at a small ε still has a scale.
        assert!(Scale::for_epsilon(2 * 1800, 1_000).is_ok());
    }
}
