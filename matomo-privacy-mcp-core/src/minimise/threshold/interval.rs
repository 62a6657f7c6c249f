//! The interval each noisy number is shown with, and the rule for numbers too uncertain to use.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Serialize, Serializer};

use crate::privacy::{Classified, PrivacyClass, Shape};

/// A 95 % interval around a noisy number: `[low, high]`.
#[derive(Clone, Copy, Debug, PartialEq, JsonSchema)]
#[schemars(
    description = "The 95 % interval of the number: [low, high]",
    transparent
)]
pub struct Interval(pub [f64; 2]);

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut pair = serializer.serialize_tuple(2)?;
        for end in self.0 {
            pair.serialize_element(&crate::minimise::threshold::MetricValue(end))?;
        }
        pair.end()
    }
}

impl Interval {
    /// `[low, high]`.
    pub fn new(low: f64, high: f64) -> Self {
        Self([low, high])
    }

    /// The low end.
    pub fn low(&self) -> f64 {
        self.0[0]
    }

    /// The high end.
    pub fn high(&self) -> f64 {
        self.0[1]
    }

    /// Whether `value` lies within the interval (ends included).
    pub fn contains(&self, value: f64) -> bool {
        self.low() <= value && value <= self.high()
    }

    /// Whether a number shown with this interval is precise enough to use: the interval is no
    /// wider than the number itself (so at least ±50 %, and never a number whose interval
    /// reaches zero from a small value). A number that fails is shown as "too few visitors
    /// for a private figure", never as a number.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::minimise::threshold::Interval;
    ///
    /// assert!(Interval::new(90.0, 110.0).is_useful(100.0));
    /// assert!(!Interval::new(0.0, 40.0).is_useful(12.0));
    /// assert!(!Interval::new(0.0, 3.0).is_useful(0.0));
    /// ```
    pub fn is_useful(&self, value: f64) -> bool {
        let width = self.high() - self.low();
        width.is_finite() && value > 0.0 && width <= value
    }

    /// Whether the two intervals share no value: the order of the numbers is established.
    pub fn apart_from(&self, other: &Interval) -> bool {
        self.high() < other.low() || other.high() < self.low()
    }
}

impl Classified for Interval {
    const SHAPE: Shape = Shape::Value(PrivacyClass::Aggregate);
}

crate::privacy::leaf_class!(Interval, aggregate);

/// The intervals of a row's noisy numbers, by metric name, in name order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Intervals(Vec<(Cow<'static, str>, Interval)>);

impl Intervals {
    /// No intervals (an exact answer).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a metric's interval.
    pub fn set(&mut self, name: &'static str, interval: Interval) {
        match self.0.binary_search_by(|(key, _)| key.as_ref().cmp(name)) {
            Ok(i) => self.0[i].1 = interval,
            Err(i) => self.0.insert(i, (Cow::Borrowed(name), interval)),
        }
    }

    /// A metric's interval.
    pub fn get(&self, name: &str) -> Option<Interval> {
        self.0
            .binary_search_by(|(key, _)| key.as_ref().cmp(name))
            .ok()
            .map(|i| self.0[i].1)
    }

    /// Drops a metric's interval.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(key, _)| key.as_ref() != name);
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every interval, by metric name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Interval)> {
        self.0
            .iter()
            .map(|(name, interval)| (name.as_ref(), *interval))
    }
}

super::metrics::by_metric_name!(Intervals, Interval);

/// The ranks a row may hold among the shown rows, as far as the intervals tell: `[best,
/// worst]`, 1 for the first. Rows whose visits intervals overlap share ranks; the order of
/// the list within such a group is that of the noisy numbers and tells nothing more.
///
/// ```
/// use matomo_privacy_mcp_core::minimise::threshold::{Interval, rank_ranges};
///
/// let visits = [Interval::new(90.0, 110.0), Interval::new(80.0, 95.0), Interval::new(10.0, 20.0)];
/// assert_eq!(rank_ranges(&visits), vec![[1, 2], [1, 2], [3, 3]]);
/// ```
pub fn rank_ranges(intervals: &[Interval]) -> Vec<[u32; 2]> {
    intervals
        .iter()
        .map(|this| {
            let surely_above = intervals
                .iter()
                .filter(|other| other.low() > this.high())
                .count();
            let maybe_above = intervals
                .iter()
                .filter(|other| !std::ptr::eq(*other, this) && other.high() >= this.low())
                .count();
            let rank = |n: usize| u32::try_from(n + 1).unwrap_or(u32::MAX);
            [rank(surely_above), rank(maybe_above)]
        })
        .collect()
}
