//! What an answer with noise says about it: the distribution, ε charged and left, and the
//! numbers not shown as too uncertain.

use schemars::JsonSchema;
use serde::Serialize;

use crate::Classified;
use crate::minimise::threshold::Interval;

/// What an answer with noise says about it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema, Classified)]
pub struct NoiseNote {
    /// The noise distribution.
    #[privacy(aggregate)]
    pub mechanism: String,
    /// The privacy loss ε of each statistic released (one metric over the rows of a report).
    #[privacy(aggregate)]
    pub epsilon: f64,
    /// The ε this answer took from the budget: 0 when every statistic in it was released before in this window.
    #[privacy(aggregate)]
    pub epsilon_charged: f64,
    /// The ε left in the budget's current window.
    #[privacy(aggregate)]
    pub epsilon_left: f64,
    /// The confidence of each interval and `plus_minus`.
    #[privacy(aggregate)]
    pub confidence: f64,
    /// Each noisy count, with the half-width of the interval holding its noise.
    pub metrics: Vec<NoisyMetric>,
    /// Metrics left out because no noise can be calibrated for them (sums of time and actions,
    /// maxima, minima, revenue, counts without a per-visit bound).
    #[privacy(aggregate)]
    pub left_out: Vec<String>,
    /// Counts (and the rates from them) this answer did not release, to spend the budget only
    /// on what the question shows; `all_metrics: true` asks for them, each at ε per statistic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[privacy(aggregate)]
    pub not_released: Vec<String>,
    /// Metrics not shown in some rows because their interval is wider than the number itself.
    #[privacy(aggregate)]
    pub uncertain: Vec<String>,
    /// Rows not shown because their visits' interval is wider than the number itself.
    #[privacy(aggregate)]
    pub uncertain_rows: u64,
    /// Which visits are counted, in words.
    #[privacy(aggregate)]
    pub counted: String,
    /// The most counted visits one visitor has in this period.
    #[privacy(aggregate)]
    pub visits_per_visitor: u64,
    /// In reports with a row per action: only visits with up to this many actions are counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub actions_per_visit: Option<u32>,
    /// How the rows are ordered, and what the order can and cannot tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub order: Option<String>,
    /// The share of Matomo's visits the counting rule counts here (noisy, from two released
    /// totals of the answer's period and segment): each count is shown completed to Matomo's
    /// ([`Completion`](super::Completion)).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[privacy(aggregate)]
    pub counted_share: Option<f64>,
    /// The 95 % interval of `counted_share`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted_share_interval: Option<Interval>,
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
    /// What an answer says, once, when `metric` (its visits) is too uncertain to show: in
    /// plain words, with what would help.
    pub fn too_small(&self, metric: &str) -> String {
        let plus_minus = self
            .metrics
            .iter()
            .find(|m| m.name == metric)
            .map_or(0, |m| m.plus_minus);
        format!(
            "Too few visitors for a private figure: with differential privacy at ε={} per statistic, \
             the number of visits here is only known to ±{plus_minus}, more than half of it. A longer \
             period (a week or a month instead of a day), a broader segment, or a larger ε chosen by \
             the operator (privacy.noise.epsilon_per_statistic, less private) would give a usable answer.",
            trim_float(self.epsilon)
        )
    }

    /// A few sentences for an answer's text content.
    pub fn render(&self) -> String {
        let mut text = format!(
            "Numbers are noisy (differential privacy, ε={} per statistic",
            trim_float(self.epsilon)
        );
        if self.epsilon_charged == 0.0 {
            text.push_str("; released before: nothing charged");
        } else {
            text.push_str(&format!("; ε={} charged", trim_float(self.epsilon_charged)));
        }
        text.push_str(&format!(
            ", ε={} left in this window). Each number is followed by its {:.0}% interval [low–high]; rates come from the noisy counts. Counted: {}",
            trim_float(self.epsilon_left),
            self.confidence * 100.0,
            self.counted
        ));
        if let Some(actions) = self.actions_per_visit {
            text.push_str(&format!(", and only visits of up to {actions} actions"));
        }
        match (self.counted_share, self.counted_share_interval) {
            (Some(share), Some(interval)) => text.push_str(&format!(
                ": {:.0}% of the visits Matomo counts here ({:.0}–{:.0}%, from two noisy totals), so counts are shown scaled to Matomo's (distinct visitors as counted), each interval reaching from the counted number's low end (Matomo never counts fewer) to its high end scaled by the share's low end.",
                share * 100.0,
                interval.low() * 100.0,
                interval.high() * 100.0
            )),
            _ => text.push_str(": numbers of Matomo's own reports may be higher by what is left out."),
        }
        if self.uncertain_rows > 0 || !self.uncertain.is_empty() {
            text.push_str(" Not shown, their interval being wider than the number:");
            if self.uncertain_rows > 0 {
                text.push_str(&format!(
                    " {} {}",
                    self.uncertain_rows,
                    if self.uncertain_rows == 1 {
                        "row"
                    } else {
                        "rows"
                    }
                ));
                if !self.uncertain.is_empty() {
                    text.push(';');
                }
            }
            if !self.uncertain.is_empty() {
                text.push(' ');
                text.push_str(&self.uncertain.join(", "));
            }
            text.push('.');
        }
        if !self.left_out.is_empty() {
            text.push_str(&format!(
                " Not shown with noise: {}.",
                self.left_out.join(", ")
            ));
        }
        if !self.not_released.is_empty() {
            text.push_str(&format!(
                " Not released, to save the privacy budget: {} (all_metrics=true releases them, ε={} per count).",
                self.not_released.join(", "),
                trim_float(self.epsilon)
            ));
        }
        if let Some(order) = &self.order {
            text.push(' ');
            text.push_str(order);
        }
        text
    }
}

fn trim_float(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
