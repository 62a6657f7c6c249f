//! From the visits a counting rule keeps to the visits Matomo shows: the share of Matomo's
//! visits an answer counts, released with noise, and what it does to each count's interval.
//!
//! The counting rule (by default a visitor's visits at most once a day) keeps the noise of a
//! report's rows small, but leaves out visits Matomo counts: returns within a day, 28 % of a
//! realistic shop's month. Two site totals over the answer's own period and segment are
//! released with noise: the visits under the counting rule (`T_r`) and the visits under the
//! complete rule, at most once in 30 minutes (`T_c`, Matomo's own visit timeout: it leaves
//! out nearly nothing, and its noise is 48 times the daily rule's for a day, which a total can
//! carry and a report's rows cannot). Everything after is post-processing of released numbers,
//! free of budget:
//!
//! - a count `c` with interval `[lo, hi]` is shown as `c × R` (`R = T_c / T_r`, at least 1),
//!   with the interval `[lo, hi × R_high]`;
//! - `lo` stays a lower bound of Matomo's value: Matomo counts every visit the rule counts, so
//!   a row's visits under the rule never exceed Matomo's;
//! - `R_high = T_c,high / T_r,low` (each total's interval at 99 %: one share completes every
//!   row of every answer about the same period and segment, so a share drawn too low would
//!   take them all out together, and is made rarer than a single number's miss) carries the
//!   bias: a row whose visitors return within a day about as often as the
//!   population's is held. A row whose visitors return far more often than its population's
//!   (heavy direct traffic) may still be above it: the coverage of Matomo's own values is
//!   measured, not proven (`benches/README.md`, "Accuracy on a realistic site").
//! - Unique visitors lose far fewer to the rule than visits (every visitor keeps a visit): their
//!   number stays as counted and only the interval's high end is widened.
//!
//! Rows keep the order of their counted values (the same order as the scaled ones, with the
//! narrow noise of the counted rows deciding it).

use crate::minimise::threshold::Interval;

/// The share of Matomo's visits an answer counts, from the two released totals of its
/// population.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Completion {
    /// `R = T_c / T_r`, at least 1: what counted numbers are multiplied by.
    ratio: f64,
    /// The high end of `R` at 95 %; infinite when `T_r`'s interval reaches zero.
    ratio_high: f64,
    /// `T_r / T_c` and its interval: the share of Matomo's visits counted.
    share: f64,
    share_interval: Interval,
}

impl Completion {
    /// From the counted total `(value, half-width)` and the complete one, each half-width
    /// holding its noise at 99 %.
    pub fn from_totals(counted: (f64, f64), complete: (f64, f64)) -> Self {
        let (r, wr) = counted;
        let (c, wc) = complete;
        let (r_low, r_high) = ((r - wr).max(0.0), r + wr);
        let (c_low, c_high) = ((c - wc).max(0.0), c + wc);
        // Every visit the rule counts is one the complete rule counts: the true ratio is at
        // least 1, whatever the two noisy totals drew (clamping is post-processing).
        let ratio = if r > 0.0 { (c / r).max(1.0) } else { 1.0 };
        let ratio_high = if r_low > 0.0 {
            (c_high / r_low).max(ratio)
        } else {
            f64::INFINITY
        };
        let share_low = if c_high > 0.0 { r_low / c_high } else { 0.0 };
        let share_high = if c_low > 0.0 {
            (r_high / c_low).min(1.0)
        } else {
            1.0
        };
        Self {
            ratio,
            ratio_high,
            share: 1.0 / ratio,
            share_interval: Interval::new(share_low.min(1.0 / ratio), share_high.max(1.0 / ratio)),
        }
    }

    /// A counted number and its interval as an estimate of Matomo's: see the module docs.
    /// `scaled` is false for distinct visitors, whose number stays as counted.
    pub fn complete(&self, value: f64, interval: Interval, scaled: bool) -> (f64, Interval) {
        let value = if scaled {
            (value * self.ratio).round()
        } else {
            value
        };
        // Counts are whole: rounding the high end up keeps it an upper bound and shows the
        // interval as whole numbers, like the value (an infinite end stays infinite).
        let high = (interval.high() * self.ratio_high).ceil().max(value);
        (value, Interval::new(interval.low().min(value), high))
    }

    /// The share of Matomo's visits counted (noisy, released), `T_r / T_c`.
    pub fn share(&self) -> f64 {
        self.share
    }

    /// The share's 95 % interval.
    pub fn share_interval(&self) -> Interval {
        self.share_interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_scaled_and_keep_their_lower_bound() {
        // 31,800 counted of 44,300, each total within ±200 and ±9,000.
        let completion = Completion::from_totals((31_800.0, 200.0), (44_300.0, 9_000.0));
        assert!((completion.share() - 31_800.0 / 44_300.0).abs() < 1e-9);
        let (value, interval) = completion.complete(1_000.0, Interval::new(800.0, 1_200.0), true);
        assert_eq!(value, 1_393.0);
        assert_eq!(
            interval.low(),
            800.0,
            "the counted low end is a lower bound"
        );
        assert_eq!(interval.high(), (1_200.0 * 53_300.0 / 31_600.0_f64).ceil());
        let (visitors, interval) = completion.complete(700.0, Interval::new(600.0, 800.0), false);
        assert_eq!(visitors, 700.0);
        assert!(interval.high() > 800.0);
    }

    #[test]
    fn a_counted_total_that_may_be_zero_makes_every_interval_unbounded() {
        let completion = Completion::from_totals((10.0, 30.0), (100.0, 500.0));
        let (value, interval) = completion.complete(10.0, Interval::new(0.0, 40.0), true);
        assert!(!interval.is_useful(value));
    }

    #[test]
    fn noise_never_makes_the_ratio_below_one() {
        let completion = Completion::from_totals((1_000.0, 10.0), (900.0, 400.0));
        let (value, _) = completion.complete(50.0, Interval::new(40.0, 60.0), true);
        assert_eq!(value, 50.0);
        assert!(completion.share() <= 1.0);
    }
}
