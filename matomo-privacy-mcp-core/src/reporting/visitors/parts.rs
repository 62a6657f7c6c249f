//! Distinct visitors behind parts of a week's, month's or range's visits (the bouncing ones,
//! the converting ones) from each day's counts, which Matomo archives without a segment of its
//! own: a part proven this way is not asked as a segment (an archive of the whole period from
//! raw visits).

use super::*;

/// What [`Visitors::within_parts`] knows of a population and its parts.
pub(crate) struct PartsCounted {
    /// Each asked segment's count (the population's first); `None` where nothing is known.
    pub(crate) known: Vec<Option<Known>>,
    /// Per part (after the population): whether Matomo would not count it, answering zeros for
    /// a segment it has not archived (see [`SEGMENTS_NOT_ARCHIVED`]).
    pub(crate) unarchived: Vec<bool>,
}

/// What the days' counts tell of one part of the visits
/// ([`Visitors::daily_part_bounds`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DailyPart {
    /// A lower bound on the part's distinct visitors in the period; 0 where none is proven.
    pub(crate) bound: u64,
    /// The day inside the period with the most of the part's visits, and those visits (the
    /// earliest such day on a tie); `None` where the days were not counted.
    pub(crate) busiest: Option<(Day, u64)>,
    /// The part's visits over the period: the sum of its days' (a visit belongs to one day);
    /// `None` unless the days counted visits (a segment Matomo did not archive counts none;
    /// without a segment, no visit is believed) and every day with visits counted the part's.
    pub(crate) visits: Option<u64>,
}

impl Visitors<'_> {
    /// [`within`](Self::within) for a population (`asked[0]`) and parts of its visits
    /// (`asked[1..]`, counted by `part_metrics`): a part whose visitors the days' counts prove
    /// to be at least `k` ([`daily_part_bounds`](Self::daily_part_bounds)), or else its
    /// segment on its busiest day ([`proven_on_busiest_days`](Self::proven_on_busiest_days)),
    /// is not asked as a segment of the period, and is known by that bound (its visits are not
    /// needed: the sub-metric rule reads only a part's visitors); so is a part of fewer than
    /// `k` visits over the days, known by a bound under `k` (it has fewer visitors than visits,
    /// so the period's segment could only count fewer than `k` too). A part Matomo would not count
    /// (a segment it has not archived) is marked so, for the caller to say why it is left out;
    /// the population itself uncounted is the error [`SEGMENTS_NOT_ARCHIVED`].
    pub(crate) async fn within_parts(
        &self,
        asked: &[Option<Segment>],
        part_metrics: &[&str],
        k: u64,
    ) -> Result<PartsCounted, ToolError> {
        let population = asked.first().cloned().flatten();
        let daily = if part_metrics.is_empty() {
            Vec::new()
        } else {
            self.daily_part_bounds(population.as_ref(), part_metrics)
                .await
        };
        // Per asked segment, the visitors known without the period's segment: proven to be at
        // least `k` by the days' counts, or a part of fewer than `k` visits over the days,
        // whose visitors (each made one of those visits at least) are fewer than `k` whatever
        // the period's segment would count: it is withheld either way, so it is not asked.
        let mut proven: Vec<Option<u64>> = (0..asked.len())
            .map(|i| {
                i.checked_sub(1)
                    .and_then(|part| daily.get(part))
                    .filter(|part| part.bound >= k || part.visits.is_some_and(|visits| visits < k))
                    .map(|part| part.bound)
            })
            .collect();
        for (i, visitors) in self.proven_on_busiest_days(asked, &daily, &proven, k).await {
            if let Some(slot) = proven.get_mut(i) {
                *slot = Some(visitors);
            }
        }
        let proven = |i: usize| proven.get(i).copied().flatten();
        let still: Vec<Option<Segment>> = asked
            .iter()
            .enumerate()
            .filter(|&(i, _)| proven(i).is_none())
            .map(|(_, segment)| segment.clone())
            .collect();
        // `None`: the period's visitors cannot be counted, so nothing is known.
        let mut counted = self
            .answers_marking_unarchived(&still)
            .await?
            .map(Vec::into_iter);
        let mut known = Vec::with_capacity(asked.len());
        let mut unarchived = Vec::with_capacity(asked.len().saturating_sub(1));
        for i in 0..asked.len() {
            match proven(i) {
                Some(visitors) => {
                    known.push(Some(Known {
                        visitors,
                        visits: 0,
                    }));
                    unarchived.push(false);
                }
                None => {
                    let count = counted.as_mut().and_then(Iterator::next);
                    let refused = count.as_ref().is_some_and(|count| count.unarchived);
                    if i == 0 {
                        if refused {
                            return Err(ToolError::upstream(SEGMENTS_NOT_ARCHIVED));
                        }
                    } else {
                        unarchived.push(refused);
                    }
                    known.push(count.and_then(Counted::known));
                }
            }
        }
        Ok(PartsCounted { known, unarchived })
    }

    /// The parts (index in `asked`, visitors) that the days' bounds leave unproven (`proven`)
    /// and that their segment on one day proves: each part's segment (`asked[i]`, within the
    /// population, and within the base segment as [`on_day`](Self::on_day) keeps it: exactly
    /// the segment the period's count would ask) on the day of the period with the most of its
    /// visits, in one bulk request for the parts sharing that day. A part proven so is known
    /// by the day's distinct visitors, at least `k`; any other (fewer, an error, a count
    /// Matomo did not make or answered with zeros for a segment it has not archived) is
    /// counted by the period's segment as before.
    ///
    /// Proof. A visit belongs to the one day of its last action, so the visits of a day `d`
    /// inside the period are visits of the period, and the part's visitors that day `B_d` are
    /// among its visitors over the period `B`: `|B| ≥ |B_d|`, and Matomo counts `|B_d|`
    /// exactly (`nb_uniq_visitors` of a day). Why one day: Matomo archives a day's segment
    /// from that day's raw visits alone, where the period's segment is archived from every
    /// day's (about a thirtieth of a month's cost). Why the busiest day: `|B_d| ≤ P_d`, the
    /// part's visits that day, so the day of the most visits is the one most likely to reach
    /// `k`; a day of fewer than `k` visits cannot, and is not asked.
    async fn proven_on_busiest_days(
        &self,
        asked: &[Option<Segment>],
        daily: &[DailyPart],
        proven: &[Option<u64>],
        k: u64,
    ) -> Vec<(usize, u64)> {
        let mut by_day: std::collections::BTreeMap<Day, Vec<(usize, Segment)>> =
            std::collections::BTreeMap::new();
        for (part, counted) in daily.iter().enumerate() {
            let i = part + 1;
            // A part without a segment of its own would count the whole day, not the part.
            let (None, Some(Some(segment)), Some((day, visits))) = (
                proven.get(i).copied().flatten(),
                asked.get(i),
                counted.busiest,
            ) else {
                continue;
            };
            if visits >= k {
                by_day.entry(day).or_default().push((i, segment.clone()));
            }
        }
        // A day Matomo does not answer proves nothing: the period's segment is asked instead.
        self.counted_on_days(by_day)
            .await
            .into_iter()
            .filter(|(_, known)| known.visitors >= k)
            .map(|(i, known)| (i, known.visitors))
            .collect()
    }

    /// For each metric of `parts` (`bounce_count`, `nb_visits_converted`: a count of some of
    /// the visits), a lower bound on the distinct visitors of those visits in the period,
    /// within the base segment and `population`, and the period's day with the most of those
    /// visits ([`DailyPart`]); nothing where nothing is proven (a day, a year, a relative
    /// date, an answer of another shape, an error: the part is then counted by its segment as
    /// before).
    ///
    /// Proof. For one day `d`, with `U_d` the day's distinct visitors (Matomo's exact count
    /// for a day), `V_d` its visits and `P_d` the part's visits: the visits outside the part
    /// number `V_d − P_d`, and leaving each out takes at most one visitor away, so the part's
    /// visitors that day `B_d` number at least `L_d = U_d − (V_d − P_d)` (the sub-metric rule's
    /// own bound, `minimise::threshold::cells`). A visit belongs to one day (of its last
    /// action), so the period's visits are its days' together and `B_d ⊆ B`, the part's
    /// visitors in the period: `|B| ≥ max_d L_d`. And each visitor of `B` is in at most one
    /// `B_d` a day, so `Σ_d |B_d| ≤ |B| · D` over the period's `D` days: `|B| ≥ ⌈Σ_d L_d / D⌉`
    /// (with negative `L_d` counted as 0, `|B_d| ≥ 0`). The larger of the two is returned.
    pub(crate) async fn daily_part_bounds(
        &self,
        population: Option<&Segment>,
        parts: &[&str],
    ) -> Vec<DailyPart> {
        let none = vec![DailyPart::default(); parts.len()];
        let Some(span) = self.day_span().filter(|span| span.days() > 1) else {
            return none;
        };
        let Some(Value::Object(by_day)) = self.each_day(span, population, parts).await else {
            return none;
        };
        let unsegmented = self.base.is_none() && population.is_none();
        part_bounds(&by_day, span, parts, unsegmented).unwrap_or(none)
    }

    /// `VisitsSummary.get` for each day of `span`, within the base segment and
    /// `population`; `None` when Matomo did not answer it.
    async fn each_day(
        &self,
        span: DaySpan,
        population: Option<&Segment>,
        parts: &[&str],
    ) -> Option<Value> {
        let date = span.date()?;
        let columns = ["nb_uniq_visitors", "nb_visits"]
            .iter()
            .chain(parts)
            .copied()
            .collect::<Vec<_>>()
            .join(",");
        let mut params = Params::new()
            .sites(Sites::one(self.site).ok()?)
            .period(Period::Day)
            .date(date)
            .with("showColumns", columns)
            .ok()?;
        let segment = match (self.base, population) {
            (Some(base), Some(population)) => Some(base.and(population)),
            (Some(base), None) => Some(base.clone()),
            (None, population) => population.cloned(),
        };
        if let Some(segment) = segment {
            if segment.to_string().len() > MAX_SEGMENT_LEN {
                return None;
            }
            params = params.segment(segment);
        }
        let calls = [(visits_summary::Get::METHOD, params)];
        let mut answers = self.client.call_many(&calls).await.ok()?;
        answers.pop()?.ok()
    }
}

/// [`Visitors::daily_part_bounds`] from Matomo's answer for each day of `span` (`by_day`, by
/// period label); `None` when a day it answered for is not one of the span's (the answer is
/// then not read: [`DaySpan::day_of`]). `unsegmented`: counted within no segment at all.
fn part_bounds(
    by_day: &serde_json::Map<String, Value>,
    span: DaySpan,
    parts: &[&str],
    unsegmented: bool,
) -> Option<Vec<DailyPart>> {
    let mut counted_days = Vec::with_capacity(by_day.len());
    for (date, counts) in by_day {
        let day = span.day_of(date).and_then(day)?;
        if let Some(counts) = counts.as_object() {
            counted_days.push((day, counts));
        }
    }
    let days = span.days().max(1);
    let bounds = parts
        .iter()
        .map(|part| {
            let per_day: Vec<u64> = counted_days
                .iter()
                .map(|(_, counts)| {
                    let visitors = number(counts.get("nb_uniq_visitors"));
                    let outside =
                        number(counts.get("nb_visits")).saturating_sub(number(counts.get(*part)));
                    visitors.saturating_sub(outside)
                })
                .collect();
            let most = per_day.iter().copied().max().unwrap_or(0);
            let spread = per_day.iter().sum::<u64>().div_ceil(days);
            let busiest = counted_days
                .iter()
                .map(|&(day, counts)| (day, number(counts.get(*part))))
                .max_by_key(|&(day, visits)| (visits, std::cmp::Reverse(day)));
            let days_counted: Vec<&serde_json::Map<String, Value>> = counted_days
                .iter()
                .map(|&(_, counts)| counts)
                .filter(|counts| number(counts.get("nb_visits")) > 0)
                .collect();
            // No visit on any day is believed only without a segment: Matomo answers zeros
            // for a segment it has not archived, while the site's own counts are what the
            // summary itself shows.
            let visits = if days_counted.is_empty() {
                (unsegmented && !by_day.is_empty()).then_some(0)
            } else {
                days_counted
                    .iter()
                    .all(|counts| counts.contains_key(*part))
                    .then(|| {
                        days_counted
                            .iter()
                            .map(|counts| number(counts.get(*part)))
                            .sum()
                    })
            };
            DailyPart {
                bound: most.max(spread),
                busiest,
                visits,
            }
        })
        .collect();
    Some(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_answer_holding_a_day_outside_the_period_is_not_read() {
        let week = DaySpan::of("2026-11-02", "2026-11-08");
        let bounds = |days: &[&str]| {
            let by_day: serde_json::Map<String, Value> = days
                .iter()
                .map(|&day| {
                    let counts = serde_json::json!({
                        "nb_uniq_visitors": 30, "nb_visits": 30, "bounce_count": 28
                    });
                    (day.to_owned(), counts)
                })
                .collect();
            part_bounds(&by_day, week, &["bounce_count"], true)
        };
        // Two days of the week: 28 bouncing visitors at least, on Monday first.
        let inside = bounds(&["2026-11-02", "2026-11-03"]).unwrap();
        assert_eq!(inside[0].bound, 28);
        assert_eq!(inside[0].visits, Some(56));
        assert_eq!(
            inside[0].busiest.map(|(day, _)| day.to_string()),
            Some("2026-11-02".into())
        );
        // The Sunday before, or the Monday after: nothing is read.
        assert!(bounds(&["2026-11-01", "2026-11-02", "2026-11-03"]).is_none());
        assert!(bounds(&["2026-11-02", "2026-11-09"]).is_none());
        assert!(bounds(&["2026-11-02", "week 45"]).is_none());
    }

    #[test]
    fn a_week_is_monday_to_sunday_and_a_month_its_calendar_month() {
        let client = crate::client::MatomoClient::builder("http://127.0.0.1:9/")
            .token("0123456789abcdef0123456789abcdef")
            .build()
            .unwrap();
        let at = |period, date: &str| Visitors {
            client: &client,
            site: 1,
            period,
            date: date.parse().unwrap(),
            base: None,
        };
        let days = |v: Visitors<'_>| v.days().map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(
            days(at(Period::Week, "2026-11-26")),
            Some(("2026-11-23".into(), "2026-11-29".into()))
        );
        assert_eq!(
            days(at(Period::Month, "2026-02-10")),
            Some(("2026-02-01".into(), "2026-02-28".into()))
        );
        assert_eq!(
            days(at(Period::Range, "2026-11-03,2026-11-09")),
            Some(("2026-11-03".into(), "2026-11-09".into()))
        );
        assert_eq!(days(at(Period::Day, "2026-11-26")), None);
        assert_eq!(days(at(Period::Month, "today")), None);
    }
}
