//! The sub-metric rule: inside a row that describes at least `k` visitors, a number computed
//! from fewer of them is withheld.
//!
//! A row about 23 visitors can still say `exit_nb_visits = 1`: a number about one person. Each
//! known metric says what it is computed from ([`Basis`]); a metric above zero whose visitors
//! are not known to number at least `k` is left out of the row, and so is every metric computed
//! from it (a rate from a withheld count, revenue from withheld conversions). Zero is shown: it
//! describes nobody.
//!
//! How many visitors are behind a part of a row's visits. Matomo sends distinct counts for some
//! parts (`entry_nb_uniq_visitors` on a day); otherwise the bound is
//! `visitors(whole) − (visits(whole) − visits(part))`: the visits left out of the part number
//! `visits(whole) − visits(part)`, and each takes at most one visitor away from the whole.
//! It can be zero or negative, and the part is then withheld; it is never an overestimate.
//!
//! A maximum or a minimum (`max_actions`, `min_event_value`) is one visit's own value, whatever
//! the row's size, so it is always withheld. Unknown metrics never reach a row
//! ([`Metrics::known_in`]), and any known metric without a basis here is withheld.

use std::collections::BTreeSet;

use super::metrics::Metrics;
use super::row::count;

/// What a metric is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Basis {
    /// Every visit of the row (page views, time, actions, visits themselves).
    Row,
    /// A count of some of the visits counted by `of` (the row's visits when `None`), with the
    /// metric Matomo sends for their distinct visitors, if any.
    Part {
        of: Option<&'static str>,
        distinct: Option<&'static str>,
    },
    /// Computed from the visits counted by the first of these metrics that the row has.
    Follows(&'static [&'static str]),
    /// A count of events or hits that is shown only when it is all of `of` (then it has the
    /// same visitors) or none.
    AllOrNone(&'static str),
    /// A count of distinct people: shown when it is 0 or at least `k`.
    People,
    /// One visit's own value.
    Extreme,
}

fn basis(name: &str) -> Option<Basis> {
    use Basis::*;
    Some(match name {
        "nb_visits"
        | "nb_actions"
        | "nb_hits"
        | "sum_time_spent"
        | "sum_visit_length"
        | "nb_events"
        | "avg_time_on_page"
        | "nb_actions_per_visit"
        | "avg_time_on_site"
        | "nb_uniq_visitors"
        | "sum_daily_nb_uniq_visitors" => Row,
        "entry_nb_visits" => Part {
            of: None,
            distinct: Some("entry_nb_uniq_visitors"),
        },
        "exit_nb_visits" => Part {
            of: None,
            distinct: Some("exit_nb_uniq_visitors"),
        },
        "bounce_count" | "nb_visits_converted" => Part {
            of: None,
            distinct: None,
        },
        "entry_bounce_count" => Part {
            of: Some("entry_nb_visits"),
            distinct: None,
        },
        "entry_nb_actions" | "entry_sum_visit_length" => Follows(&["entry_nb_visits"]),
        "nb_conversions" | "revenue" | "items" | "nb_orders" | "quantity" | "conversion_rate"
        | "avg_order_revenue" => Follows(&["nb_visits_converted"]),
        // A page's bounce rate is over its entries; a dimension's over its visits.
        "bounce_rate" => Follows(&["entry_bounce_count", "bounce_count"]),
        "exit_rate" => Follows(&["exit_nb_visits"]),
        "nb_events_with_value" => AllOrNone("nb_events"),
        "sum_event_value" | "avg_event_value" => Follows(&["nb_events_with_value"]),
        "nb_hits_with_time_server" | "nb_hits_with_bandwidth" => AllOrNone("nb_hits"),
        "sum_bandwidth" | "avg_bandwidth" => Follows(&["nb_hits_with_bandwidth"]),
        "nb_users" | "sum_daily_nb_users" | "entry_nb_uniq_visitors" | "exit_nb_uniq_visitors" => {
            People
        }
        _ if name.starts_with("max_") || name.starts_with("min_") => Extreme,
        _ => return None,
    })
}

/// Withholds, in place, the metrics of a row that fewer than `k` of its visitors are behind, and
/// adds their names to `withheld`: the rule without copying the row's metrics.
pub(crate) fn withhold(
    metrics: &mut Metrics,
    visitors: u64,
    visits: u64,
    k: u64,
    withheld: &mut BTreeSet<&'static str>,
) {
    let keep = Cells::new(metrics, visitors, visits, k).decide(withheld);
    metrics.retain_by_index(&keep);
}

/// The cells of one row (or one summary) that describe fewer than `k` visitors.
pub(crate) struct Cells<'a> {
    metrics: &'a Metrics,
    visitors: u64,
    visits: u64,
    k: u64,
    /// Distinct visitors proven for parts (by Matomo, for the part's own segment).
    parts: &'a [(&'static str, u64)],
}

impl<'a> Cells<'a> {
    /// `visitors`: the distinct visitors known behind the whole row; `visits`: its visits.
    pub(crate) fn new(metrics: &'a Metrics, visitors: u64, visits: u64, k: u64) -> Self {
        Self {
            metrics,
            visitors,
            visits,
            k,
            parts: &[],
        }
    }

    /// With the distinct visitors of some parts known (`("bounce_count", 12)`): they replace the bound.
    pub(crate) fn with_parts(mut self, parts: &'a [(&'static str, u64)]) -> Self {
        self.parts = parts;
        self
    }

    /// The row's metrics without the withheld ones, and the names of those withheld.
    pub(crate) fn apply(&self) -> (Metrics, BTreeSet<&'static str>) {
        let mut kept = self.metrics.clone();
        let mut withheld = BTreeSet::new();
        let keep = self.decide(&mut withheld);
        kept.retain_by_index(&keep);
        (kept, withheld)
    }

    /// Which of the row's metrics may be shown, in order; adds the others' names to `withheld`.
    pub(crate) fn decide(&self, withheld: &mut BTreeSet<&'static str>) -> Vec<bool> {
        self.metrics
            .iter()
            .map(|(name, _)| match super::metrics::known_metric(name) {
                Some(_) if self.shown(name, 0) => true,
                Some((known, _)) => {
                    withheld.insert(known);
                    false
                }
                // Not a known metric: nothing says what it is computed from.
                None => false,
            })
            .collect()
    }

    /// Whether a metric may be shown. `depth` bounds the walk through `Follows`/`Part`
    /// (the table has no cycles; the bound makes that a checked fact, not a hope).
    fn shown(&self, name: &str, depth: u8) -> bool {
        if depth > 4 {
            return false;
        }
        let value = self.metrics.get(name);
        let nonzero = value.is_some_and(|v| v != 0.0);
        match basis(name) {
            None | Some(Basis::Extreme) => false,
            Some(Basis::Row) => true,
            Some(Basis::People) => !nonzero || count(value) >= self.k,
            // None of a withheld whole's visits is still a number about that whole.
            Some(Basis::Part { of, .. }) if !nonzero => {
                of.is_none_or(|of| self.shown(of, depth + 1))
            }
            Some(Basis::Part { .. }) => self.part_visitors(name, depth) >= self.k,
            Some(Basis::AllOrNone(of)) => !nonzero || value == self.metrics.get(of),
            Some(Basis::Follows(bases)) => bases
                .iter()
                .find(|base| self.metrics.get(base).is_some())
                .is_some_and(|base| self.shown(base, depth + 1)),
        }
    }

    /// A lower bound on the distinct visitors behind a part of the row's visits.
    fn part_visitors(&self, name: &str, depth: u8) -> u64 {
        let Some(Basis::Part { of, distinct }) = basis(name) else {
            return self.visitors;
        };
        if let Some((_, known)) = self.parts.iter().find(|(part, _)| *part == name) {
            return *known;
        }
        if let Some(distinct) = distinct.and_then(|d| self.metrics.get(d)) {
            return count(Some(distinct));
        }
        let part = count(self.metrics.get(name));
        let (whole_visitors, whole_visits) = match of {
            None => (self.visitors, self.visits),
            Some(of) if depth < 4 => match self.metrics.get(of) {
                Some(visits) => (self.part_visitors(of, depth + 1), count(Some(visits))),
                None => return 0,
            },
            Some(_) => return 0,
        };
        // visitors(part) >= visitors(whole) - (visits(whole) - visits(part)).
        whole_visitors.saturating_sub(whole_visits.saturating_sub(part))
    }
}
