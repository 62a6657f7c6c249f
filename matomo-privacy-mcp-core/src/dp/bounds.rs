//! How much one visitor may contribute to an answer, and so how much noise each metric needs.

use crate::segment::{Condition, Operator, Segment, SegmentError};

/// Which of a visitor's visits a noisy answer counts, enforced by Matomo through a segment.
///
/// Matomo answers with aggregates, so one visitor's visits cannot be capped afterwards; but a
/// segment can leave out the visits beyond a rule that bounds how many one visitor has in a
/// period. "One visitor" is one visitor as Matomo tells them apart: a person who clears their
/// cookies counts as several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountedVisits {
    /// A visitor's first visit ever, and every visit that starts at least `days` × 24 hours
    /// after their previous visit started (`visitCount==1,daysSinceLastVisit>=days`): loyal
    /// visitors stay counted, once a day at most; returns within the same day are left out.
    ///
    /// Proof of the per-period bound ([`ContributionBounds::visits_per_visitor`]): Matomo
    /// stores `visitor_seconds_since_last` as the seconds from the previous visit's *first
    /// action* to this visit's first action (`plugins/VisitorInterest/Columns/
    /// VisitorSecondsSinceLast.php`), and `daysSinceLastVisit` is
    /// `FLOOR(visitor_seconds_since_last / 86400)` (`VisitorDaysSinceLast.php` beside it, in
    /// Matomo 5.0.2), so `daysSinceLastVisit>=d` holds exactly when those seconds are at least
    /// `d × 86,400`. So the first actions of two counted visits of one visitor are at least
    /// `S = d × 24 h` apart (each counted visit starts `S` after the visit before it, which
    /// started no earlier than the counted one before). A period of `L` hours contains the
    /// visits whose *last* action falls in it; a visitor's visits do not overlap in time, so of
    /// the counted ones at most one starts before the period (the earliest), and the others
    /// start inside it, `S` apart: at most `⌈L / S⌉` of them. At most `⌈L / S⌉ + 1` in all.
    /// A day of a site with daylight saving time may last 25 hours, so `L ≤ 24 × days + 1`.
    Spaced {
        /// Whole days between two counted visits of one visitor (at least 1).
        days: u32,
    },
    /// A visitor's first visit ever, and every visit that starts at least `minutes` after
    /// their previous visit started (`visitCount==1,secondsSinceLastVisit>=minutes × 60`).
    ///
    /// At Matomo's own visit timeout (30 minutes: a visit ends after 30 minutes without an
    /// action, so the next one starts at least that long after the previous one *started*)
    /// nearly every visit is counted (all 44,319 of a realistic month on Matomo 5.0.2; left
    /// out are only visits Matomo split at midnight or on a new campaign), so answers are
    /// unbiased; the price is the bound, `⌈L / S⌉ + 1` visits per visitor in `L` minutes
    /// (proof as for [`Spaced`](Self::Spaced): `secondsSinceLastVisit` is
    /// `visitor_seconds_since_last` itself), 48 times the daily rule's for a day. Longer
    /// spacings trade bias for noise: on that month, 1 hour left out 2.2 % of the visits,
    /// 3 hours 6.8 %, 24 hours 28 %.
    Separated {
        /// Minutes between the starts of two counted visits of one visitor (at least 1).
        minutes: u32,
    },
    /// A visitor's first `visits` visits ever (`visitCount<=visits`): a visitor has one visit of
    /// each number, so at most `visits` in any period. Loyal visitors' later visits are all
    /// left out, which biases answers about a site with returning visitors low.
    First {
        /// The most visits counted per visitor, ever.
        visits: u32,
    },
}

/// How much one visitor may contribute to a noisy answer, enforced by Matomo itself: answers
/// are computed over the visits matching [`segment`](Self::segment) only (or
/// [`counted_segment`](Self::counted_segment) for reports with one row per visit, where the
/// number of actions does not matter).
///
/// ```
/// use matomo_privacy_mcp_core::dp::{ContributionBounds, CountedVisits, Spread};
///
/// let bounds = ContributionBounds::default();
/// assert_eq!(bounds.counted, CountedVisits::Spaced { days: 1 });
/// assert_eq!(bounds.segment().unwrap().to_string(), "visitCount==1,daysSinceLastVisit>=1;actions<=10");
/// // A day: the visit that began the evening before, and one more.
/// assert_eq!(bounds.visits_per_visitor(1), 3);
/// assert_eq!(bounds.sensitivity("nb_visits", Spread::OneRowPerVisit, 1), Some(3));
/// assert_eq!(bounds.sensitivity("nb_visits", Spread::RowsPerAction, 1), Some(30)); // a row per action
/// assert_eq!(bounds.sensitivity("sum_visit_length", Spread::OneRowPerVisit, 1), None); // unbounded
/// assert_eq!(bounds.sensitivity("avg_time_on_site", Spread::OneRowPerVisit, 1), None); // derived
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ContributionBounds {
    /// Which of a visitor's visits are counted.
    pub counted: CountedVisits,
    /// The most actions of a visit counted in reports where a visit has a row per action
    /// (pages, titles, events): a visit with more is left out of them.
    pub actions_per_visit: u32,
}

impl ContributionBounds {
    /// The segment of the counted visits with at most `actions_per_visit` actions: what answers
    /// with a row per action are computed over (AND it with the caller's).
    pub fn segment(&self) -> Result<Segment, SegmentError> {
        Ok(self.counted_segment()?.and(&Segment::all_of(vec![at_most(
            "actions",
            self.actions_per_visit,
        )?])?))
    }

    /// The segment of the counted visits, whatever their length: what answers with one row
    /// per visit (and summaries) are computed over.
    pub fn counted_segment(&self) -> Result<Segment, SegmentError> {
        match self.counted {
            CountedVisits::Spaced { days } => Segment::all_of(vec![vec![
                Condition::new("visitCount", Operator::Equals, "1")?,
                Condition::new("daysSinceLastVisit", Operator::AtLeast, days.to_string())?,
            ]]),
            CountedVisits::Separated { minutes } => Segment::all_of(vec![vec![
                Condition::new("visitCount", Operator::Equals, "1")?,
                Condition::new(
                    "secondsSinceLastVisit",
                    Operator::AtLeast,
                    (u64::from(minutes.max(1)) * 60).to_string(),
                )?,
            ]]),
            CountedVisits::First { visits } => {
                Segment::all_of(vec![at_most("visitCount", visits)?])
            }
        }
    }

    /// The segment for an answer of this spread.
    pub fn segment_for(&self, spread: Spread) -> Result<Segment, SegmentError> {
        match spread {
            Spread::OneRowPerVisit => self.counted_segment(),
            Spread::RowsPerAction => self.segment(),
        }
    }

    /// The most counted visits one visitor has in a period of `days` calendar days (see
    /// [`CountedVisits`] for the proof).
    pub fn visits_per_visitor(&self, days: u32) -> u64 {
        match self.counted {
            CountedVisits::First { visits } => u64::from(visits),
            CountedVisits::Spaced { days: spacing } => {
                let hours = u64::from(days.max(1)) * 24 + 1;
                hours.div_ceil(u64::from(spacing.max(1)) * 24) + 1
            }
            CountedVisits::Separated { minutes } => {
                let period = (u64::from(days.max(1)) * 24 + 1) * 60;
                period.div_ceil(u64::from(minutes.max(1))) + 1
            }
        }
    }

    /// The segment of the counted visits of at most `actions_per_visit` actions each, however
    /// long: within it one visitor has at most
    /// [`page_views_per_visitor`](Self::page_views_per_visitor) page views in a period, so `n`
    /// page views are at least `⌈n / page_views_per_visitor⌉` people.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::dp::{ContributionBounds, CountedVisits};
    ///
    /// let bounds = ContributionBounds { counted: CountedVisits::First { visits: 2 }, actions_per_visit: 10 };
    /// assert_eq!(bounds.page_view_segment().unwrap().to_string(), "visitCount<=2;actions<=10");
    /// assert_eq!(bounds.page_views_per_visitor(31), 20);
    /// ```
    pub fn page_view_segment(&self) -> Result<Segment, SegmentError> {
        self.segment()
    }

    /// The most page views one visitor has within
    /// [`page_view_segment`](Self::page_view_segment) in a period of `days` days.
    pub fn page_views_per_visitor(&self, days: u32) -> u64 {
        self.visits_per_visitor(days) * u64::from(self.actions_per_visit)
    }

    /// The most one visitor can change a metric summed over the rows of one answer about a
    /// period of `days` days (the L1 sensitivity of that column), for the counts noise is added
    /// to; `None` for everything else (rates are computed from noisy parts; sums of time and
    /// actions, maxima, minima and revenue have no per-visit bound that keeps the long visits
    /// which carry most of them, so they are not shown with noise).
    ///
    /// Per visit, a metric changes a column by a bound that depends on how the report's rows
    /// share visits ([`Spread`]).
    pub fn sensitivity(&self, metric: &str, spread: Spread, days: u32) -> Option<u64> {
        let actions = u64::from(self.actions_per_visit);
        let per_visit = match (spread, metric) {
            (_, "entry_nb_visits" | "exit_nb_visits") => 1,
            (Spread::OneRowPerVisit, "nb_visits" | "nb_uniq_visitors") => 1,
            (Spread::OneRowPerVisit, "bounce_count" | "nb_visits_converted") => 1,
            // A visit is in at most one row per action it has. Only the headline counts of
            // such reports get noise: every further metric would take a share of the budget,
            // and with it the precision of the others.
            (Spread::RowsPerAction, "nb_visits" | "nb_hits" | "nb_events") => actions,
            _ => return None,
        };
        per_visit.checked_mul(self.visits_per_visitor(days))
    }

    /// The square of how far one visitor can move a metric's column over the rows of one
    /// answer in Euclidean length (the squared L2 sensitivity `Δ₂²`), which calibrates its
    /// Gaussian noise ([`Sigma`](super::Sigma)); `None` where
    /// [`sensitivity`](Self::sensitivity) is.
    ///
    /// One visitor moves each row by at most a `cap` and all rows together by at most the L1
    /// sensitivity `Δ₁`; the sum of squares of non-negative moves under both limits is largest
    /// with as many rows as possible at `cap` (the square is convex):
    /// `Δ₂² = ⌊Δ₁/cap⌋·cap² + (Δ₁ mod cap)²`. A row can take a visitor's whole `Δ₁` in every
    /// report, so `cap = Δ₁` and `Δ₂ = Δ₁`: with one row per visit, a visitor's visits may all
    /// be in one row (one country); hits and events may put all of a visit's actions on one
    /// row; and a page row's visits are a sum too, already in Matomo, so that one visit of ten
    /// actions may move one row by ten:
    ///
    /// - Matomo 5.0.2 counts a page's visits per day and per *action* (`count(distinct idvisit)`
    ///   grouped by `idaction_url`, by the actions' `server_time`:
    ///   `plugins/Actions/RecordBuilders/ActionReports.php`), then adds up the actions whose
    ///   names give the same row: URLs that differ only in scheme or host (`http://a/x`,
    ///   `https://www.a/x`, `http://b/x` are all `/x`: `ArchivingHelper::
    ///   updateActionsTableWithRowQuery`, "different URLs are loaded with the same page name").
    ///   A visitor sends any URL they like, so a visit of ten hosts' `/x` moves `/x` by ten.
    ///   A week or a month adds the days up, so a visit across midnight counts on both days.
    /// - Scrubbing adds up Matomo's rows whose labels it makes equal
    ///   (`/c/jackets?mtm_campaign=a`, `…=b` → `/c/jackets`).
    ///
    /// Noise on each Matomo row before scrubbing merges them would not help either: a Matomo
    /// row is itself such a sum, and a merged row's noise, the sum of its parts', would have a
    /// variance set by how many parts the data has, which one visitor changes by adding a
    /// part (Gaussians of different variances are not within any zCDP bound). The bound that
    /// does hold per row is a row's visits counted by Matomo for the row's own exact segment
    /// (a visit is in a period's `VisitsSummary` once): cap `V`, `Δ₂ = √10·V` for ten actions,
    /// at one segment archive per row (`benches/README.md`, "Why pages, websites and search
    /// engines miss their top 10").
    ///
    /// ```
    /// use matomo_privacy_mcp_core::dp::{ContributionBounds, Spread};
    ///
    /// let bounds = ContributionBounds::default();
    /// // A 30-day month: 32 counted visits of up to 10 actions.
    /// assert_eq!(bounds.sensitivity("nb_visits", Spread::RowsPerAction, 30), Some(320));
    /// assert_eq!(bounds.l2_squared("nb_visits", Spread::RowsPerAction, 30), Some(320 * 320));
    /// assert_eq!(bounds.l2_squared("nb_visits", Spread::OneRowPerVisit, 30), Some(32 * 32));
    /// ```
    pub fn l2_squared(&self, metric: &str, spread: Spread, days: u32) -> Option<u64> {
        let l1 = self.sensitivity(metric, spread, days)?;
        squared_l2(l1, l1)
    }

    /// Every metric that gets noise in answers of this spread.
    pub fn noisy_metrics(&self, spread: Spread) -> &'static [&'static str] {
        match spread {
            Spread::OneRowPerVisit => &[
                "nb_visits",
                "nb_uniq_visitors",
                "bounce_count",
                "nb_visits_converted",
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

    /// The rule in words, for answers and the manifest.
    pub fn describe(&self) -> String {
        match self.counted {
            CountedVisits::Spaced { days: 1 } => {
                "a visitor's visits are counted at most once a day (the first visit, then each visit starting 24 hours or more after the one before; returns within 24 hours are left out)".to_owned()
            }
            CountedVisits::Spaced { days } => format!(
                "a visitor's visits are counted at most once in {days} days (the first visit, then each visit starting {days} days or more after the one before)"
            ),
            CountedVisits::Separated { minutes } => format!(
                "a visitor's visits are counted at most once in {minutes} minutes (the first visit, then each visit starting {minutes} minutes or more after the one before)"
            ),
            CountedVisits::First { visits } => format!(
                "only a visitor's first {visits} visits ever are counted (later visits of returning visitors are left out)"
            ),
        }
    }
}

/// The largest sum of squares of non-negative moves of at most `cap` each and `l1` in all.
fn squared_l2(l1: u64, cap: u64) -> Option<u64> {
    let cap = cap.clamp(1, l1.max(1));
    let (full, rest) = (l1 / cap, l1 % cap);
    full.checked_mul(cap.checked_mul(cap)?)?
        .checked_add(rest.checked_mul(rest)?)
}

/// One condition `dimension<=bound`, as a segment part.
fn at_most(dimension: &str, bound: u32) -> Result<Vec<Condition>, SegmentError> {
    Condition::new(dimension, Operator::AtMost, bound.to_string()).map(|c| vec![c])
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
    /// Visits counted at most once a day per visitor, 10 actions per visit where a visit has a
    /// row per action (the defaults of `privacy.noise`): loyal visitors stay in the answers,
    /// and a day's noise is a few visits.
    fn default() -> Self {
        Self {
            counted: CountedVisits::Spaced { days: 1 },
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
                assert!(bounds.sensitivity(name, spread, 1).is_some(), "{name}");
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
                    bounds.sensitivity(name, spread, 1).is_some(),
                    listed.contains(&name),
                    "{name} under {spread:?}"
                );
            }
        }
    }

    /// The largest sum of squares under a per-row cap and a total, against every way of
    /// spreading a small total over rows; and every report's `Δ₂` is its `Δ₁`, since a
    /// visitor's whole contribution may land in one row (a page row merged from campaign
    /// variants of one URL takes a visit once per variant; Matomo's own page row takes it once
    /// per host or scheme the visit used for that path, and once per day it spans).
    #[test]
    fn squared_l2_is_the_largest_sum_of_squares() {
        fn most(total: u64, cap: u64) -> u64 {
            // Every non-increasing spread of `total` with parts of at most `cap`.
            fn go(left: u64, cap: u64) -> u64 {
                (1..=cap.min(left))
                    .map(|part| part * part + go(left - part, part))
                    .max()
                    .unwrap_or(0)
            }
            go(total, cap)
        }
        for total in 1..=12 {
            for cap in 1..=total {
                assert_eq!(
                    squared_l2(total, cap),
                    Some(most(total, cap)),
                    "{total} {cap}"
                );
            }
        }
        let bounds = ContributionBounds::default();
        for spread in [Spread::OneRowPerVisit, Spread::RowsPerAction] {
            for name in bounds.noisy_metrics(spread) {
                let l1 = bounds.sensitivity(name, spread, 30).unwrap();
                assert_eq!(bounds.l2_squared(name, spread, 30), Some(l1 * l1), "{name}");
            }
        }
    }

    /// The per-period bound of spaced visits: a day holds the visit begun the evening before
    /// and one more (a third on a 25-hour day), a week eight or nine, and so on.
    #[test]
    fn spaced_visits_per_period() {
        let daily = ContributionBounds::default();
        assert_eq!(daily.visits_per_visitor(1), 3);
        assert_eq!(daily.visits_per_visitor(7), 9);
        assert_eq!(daily.visits_per_visitor(30), 32);
        let weekly = ContributionBounds {
            counted: CountedVisits::Spaced { days: 7 },
            ..daily
        };
        assert_eq!(weekly.visits_per_visitor(1), 2);
        assert_eq!(weekly.visits_per_visitor(7), 3);
        let first = ContributionBounds {
            counted: CountedVisits::First { visits: 2 },
            ..daily
        };
        assert_eq!(first.visits_per_visitor(365), 2);
        assert_eq!(
            first.counted_segment().unwrap().to_string(),
            "visitCount<=2"
        );
    }

    /// Visits 30 minutes apart (Matomo's visit timeout): 48 a day, and the one begun before.
    #[test]
    fn separated_visits_per_period() {
        let bounds = ContributionBounds {
            counted: CountedVisits::Separated { minutes: 30 },
            ..ContributionBounds::default()
        };
        assert_eq!(
            bounds.counted_segment().unwrap().to_string(),
            "visitCount==1,secondsSinceLastVisit>=1800"
        );
        assert_eq!(bounds.visits_per_visitor(1), 51);
        assert_eq!(bounds.visits_per_visitor(30), 1_443);
        let daily_in_minutes = ContributionBounds {
            counted: CountedVisits::Separated { minutes: 24 * 60 },
            ..bounds
        };
        for days in [1, 7, 30, 365] {
            assert_eq!(
                daily_in_minutes.visits_per_visitor(days),
                ContributionBounds::default().visits_per_visitor(days),
                "{days}"
            );
        }
        // Brute force: start times 30 minutes apart in a 25-hour day, the first begun before it.
        let period = 25 * 3_600;
        let most = (-1_800i64..0)
            .step_by(60)
            .map(|first| {
                (0..)
                    .map(|n| first + n * 1_800)
                    .take_while(|&t| t < period)
                    .count()
            })
            .max()
            .unwrap();
        assert_eq!(most as u64, bounds.visits_per_visitor(1));
    }

    /// Brute force over visit start times `S` apart within one period: never more than the
    /// bound, and the bound is reached (it is not loose by a visit).
    #[test]
    fn the_bound_is_tight_for_start_times_spaced_a_day() {
        let bounds = ContributionBounds::default();
        for days in [1u32, 2, 7] {
            let period = i64::from(days) * 86_400 + 3600; // a daylight-saving day included
            let mut most = 0;
            // The first counted visit starts up to a day before the period and lasts into it.
            for first in (-86_400i64..0).step_by(900) {
                let mut starts = vec![first];
                let mut next = first + 86_400;
                while next < period {
                    starts.push(next);
                    next += 86_400;
                }
                most = most.max(starts.len() as u64);
            }
            assert!(most <= bounds.visits_per_visitor(days), "{days}: {most}");
            assert_eq!(most, bounds.visits_per_visitor(days), "{days}");
        }
    }
}
