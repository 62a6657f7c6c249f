//! How much one visitor may contribute to an answer, and so how much noise each metric needs.

use crate::segment::{Condition, Operator, Segment};

/// How much one visitor may contribute to a noisy answer, enforced by Matomo itself: answers are
/// computed over the visits matching [`segment`](Self::segment) only.
///
/// Matomo answers with aggregates, so one visit's duration cannot be clamped afterwards; but a
/// segment can leave out every visit beyond the bounds. `visitCount` is a visitor's lifetime
/// visit number, so one visitor has at most `visits_per_visitor` visits with
/// `visitCount <= visits_per_visitor` in any period; each of them lasts at most `visit_seconds`
/// and has at most `actions_per_visit` actions. Visits beyond the bounds (loyal visitors' later
/// visits, very long visits) are left out of such answers, which must say so. "One visitor" is
/// one visitor as Matomo tells them apart: a person who clears their cookies counts as several.
///
/// ```
/// use matomo_mcp_core::minimise::noise::{ContributionBounds, Spread};
///
/// let bounds = ContributionBounds { visits_per_visitor: 3, visit_seconds: 1800, actions_per_visit: 40 };
/// assert_eq!(bounds.segment().unwrap().to_string(), "visitCount<=3;visitDuration<=1800;actions<=40");
/// assert_eq!(bounds.sensitivity("sum_visit_length", Spread::OneRowPerVisit), Some(5400));
/// assert_eq!(bounds.sensitivity("nb_visits", Spread::RowsPerAction), Some(120)); // a row per action
/// assert_eq!(bounds.sensitivity("max_actions", Spread::OneRowPerVisit), None); // an extreme
/// assert_eq!(bounds.sensitivity("avg_time_on_site", Spread::OneRowPerVisit), None); // derived
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ContributionBounds {
    /// The most visits one visitor contributes.
    pub visits_per_visitor: u32,
    /// The longest visit counted, in seconds.
    pub visit_seconds: u32,
    /// The most actions of a visit counted.
    pub actions_per_visit: u32,
}

impl ContributionBounds {
    /// The segment restricting an answer to visits within the bounds (AND it with the caller's).
    pub fn segment(&self) -> Result<Segment, crate::segment::SegmentError> {
        Segment::all_of(vec![
            at_most("visitCount", self.visits_per_visitor)?,
            at_most("visitDuration", self.visit_seconds)?,
            at_most("actions", self.actions_per_visit)?,
        ])
    }

    /// The segment of a visitor's first `visits_per_visitor` visits of at most
    /// `actions_per_visit` actions each, however long: within it one visitor has at most
    /// [`page_views_per_visitor`](Self::page_views_per_visitor) page views, so `n` page views
    /// are at least `⌈n / page_views_per_visitor⌉` people.
    ///
    /// ```
    /// use matomo_mcp_core::minimise::noise::ContributionBounds;
    ///
    /// let bounds = ContributionBounds::default();
    /// assert_eq!(bounds.page_view_segment().unwrap().to_string(), "visitCount<=2;actions<=10");
    /// assert_eq!(bounds.page_views_per_visitor(), 20);
    /// ```
    pub fn page_view_segment(&self) -> Result<Segment, crate::segment::SegmentError> {
        Segment::all_of(vec![
            at_most("visitCount", self.visits_per_visitor)?,
            at_most("actions", self.actions_per_visit)?,
        ])
    }

    /// The most page views one visitor has within [`page_view_segment`](Self::page_view_segment).
    pub fn page_views_per_visitor(&self) -> u64 {
        u64::from(self.visits_per_visitor) * u64::from(self.actions_per_visit)
    }

    /// The most one visitor can change a metric summed over the rows of one answer (the L1
    /// sensitivity of that column), for the counts and sums noise is added to; `None` for
    /// everything else (rates and averages are computed from noisy parts; maxima, minima,
    /// revenue and metrics without a per-visit bound are not shown with noise).
    ///
    /// Per visit, a metric changes a column by a bound that depends on how the report's rows
    /// share visits ([`Spread`]); one visitor has at most `visits_per_visitor` visits.
    pub fn sensitivity(&self, metric: &str, spread: Spread) -> Option<u64> {
        let actions = u64::from(self.actions_per_visit);
        let seconds = u64::from(self.visit_seconds);
        // Metrics noise is never added to: distinct counts of parts, sums of time per page,
        // maxima and minima, revenue (no bound Matomo can enforce per visit).
        let per_visit = match (spread, metric) {
            (_, "entry_nb_visits" | "exit_nb_visits") => 1,
            (Spread::OneRowPerVisit, "nb_visits" | "nb_uniq_visitors") => 1,
            (Spread::OneRowPerVisit, "bounce_count" | "nb_visits_converted") => 1,
            (Spread::OneRowPerVisit, "nb_actions") => actions,
            (Spread::OneRowPerVisit, "sum_visit_length") => seconds,
            // A visit is in at most one row per action it has. Only the headline counts of
            // such reports get noise: every further metric would take a share of the answer's
            // ε, and with it the precision of the others.
            (Spread::RowsPerAction, "nb_visits" | "nb_hits" | "nb_events") => actions,
            _ => return None,
        };
        per_visit.checked_mul(u64::from(self.visits_per_visitor))
    }
}

/// One condition `dimension<=bound`, as a segment part.
fn at_most(dimension: &str, bound: u32) -> Result<Vec<Condition>, crate::segment::SegmentError> {
    Condition::new(dimension, Operator::AtMost, bound.to_string()).map(|c| vec![c])
}

impl ContributionBounds {
    /// Every metric that gets noise in answers of this spread.
    pub fn noisy_metrics(&self, spread: Spread) -> &'static [&'static str] {
        match spread {
            Spread::OneRowPerVisit => &[
                "nb_visits",
                "nb_uniq_visitors",
                "bounce_count",
                "nb_visits_converted",
                "nb_actions",
                "sum_visit_length",
                "entry_nb_visits",
                "exit_nb_visits",
            ],
            Spread::RowsPerAction => &[
                "nb_visits",
                "nb_hits",
                "nb_events",
                "entry_nb_visits",
                "exit_nb_visits",
            ],
        }
    }
}

/// How the rows of an answer share a visit, which decides how far one visit can move a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// Every visit is in at most one row: countries, devices, referrer types, hours, the
    /// periods of a trend, the single row of a summary.
    OneRowPerVisit,
    /// A visit is in at most one row per action: pages, titles, outlinks, downloads, site
    /// searches, events.
    RowsPerAction,
}

impl Default for ContributionBounds {
    /// Two visits per visitor, 30 minutes and 10 actions per visit (the defaults of
    /// `privacy.noise`): most visits fit, and the noise stays small enough to read a site with
    /// a few hundred visits a day.
    fn default() -> Self {
        Self {
            visits_per_visitor: 2,
            visit_seconds: 1800,
            actions_per_visit: 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list of noisy metrics and the sensitivities agree: a metric is listed exactly when
    /// it has a sensitivity.
    #[test]
    fn the_noisy_metrics_are_those_with_a_sensitivity() {
        let bounds = ContributionBounds::default();
        for spread in [Spread::OneRowPerVisit, Spread::RowsPerAction] {
            let listed = bounds.noisy_metrics(spread);
            for name in listed {
                assert!(bounds.sensitivity(name, spread).is_some(), "{name}");
            }
            for name in [
                "nb_visits",
                "nb_uniq_visitors",
                "nb_users",
                "nb_actions",
                "max_actions",
                "sum_visit_length",
                "bounce_count",
                "nb_visits_converted",
                "nb_conversions",
                "revenue",
                "items",
                "nb_hits",
                "sum_time_spent",
                "entry_nb_visits",
                "entry_nb_actions",
                "entry_sum_visit_length",
                "entry_bounce_count",
                "exit_nb_visits",
                "nb_events",
                "nb_events_with_value",
                "sum_event_value",
                "entry_nb_uniq_visitors",
                "exit_nb_uniq_visitors",
            ] {
                assert_eq!(
                    bounds.sensitivity(name, spread).is_some(),
                    listed.contains(&name),
                    "{name} under {spread:?}"
                );
            }
        }
    }
}
