//! The visitor proof: Matomo's own counts of the distinct visitors behind each row and the
//! "Other" row, never a count that is not a lower bound on the row's.

use crate::ToolError;
use crate::dp::answer::Noisy;
use crate::minimise::{Metrics, ReportRow, Scrubber, Threshold};
use crate::params::Period;
use crate::privacy::Reveal;
use crate::reporting::SourceRow;
use crate::reporting::args::Request;
use crate::reporting::visitors::{Known, Visitors};
use crate::segment::Segment;

use super::*;

/// The most rows of one answer whose distinct visitors are asked of Matomo (one segment each,
/// in one bulk request): the rows a page can show, most visits first.
pub const MAX_CHECKED_ROWS: usize = 110;

/// The most shown rows a segment for the "Other" row excludes (one `!=` condition each).
const MAX_EXCLUDED_ROWS: usize = 100;

/// Whether a row's segment selected more visits than the row counts: then it is broader than
/// the row, and its distinct visitors are not a lower bound on the row's.
///
/// Proof that a count passing this check may stand: the segment is Matomo's own for the row
/// (or the union of its parts' for a merged row), built to select the row's visits, and
/// narrowed only by conditions every row visit meets (the caller's segment, the contribution
/// bounds, the report's scope); when it selects no more visits than the row counts (`nb_visits`,
/// a sum over the row's parts and days that never undercounts its visits), it selected no
/// visit outside the row, so its visitors are among the row's. A row Matomo made broader than
/// itself (a truncation row proven by its whole directory) fails the check unless its sum of
/// visits happens to exceed the directory's; those rows are also recognised where Matomo marks
/// them ([`SourceRow::into_summary`]). A row without a count of visits cannot be checked, and
/// keeps its segment's count.
pub(super) fn broader_than(row: &ReportRow, known: Known) -> bool {
    counted_visits(&row.metrics).is_some_and(|visits| known.visits as f64 > visits)
}

/// The visits a row counts, as the check against a broader segment reads them: `nb_visits`,
/// else `entry_nb_visits` (an entry page report's); `None` for a row without either.
pub(crate) fn counted_visits(metrics: &Metrics) -> Option<f64> {
    ["nb_visits", "entry_nb_visits"]
        .iter()
        .find_map(|name| metrics.get(name))
}

/// What one report answer is shaped with.
pub(crate) struct Pipeline<'a> {
    pub scrubber: &'a Scrubber,
    pub threshold: Threshold,
    pub request: &'a Request,
    pub labels: Labels,
    /// The answer's noise, when the deployment has differential privacy on.
    pub noise: Option<Noisy<'a>>,
    /// What the report's row segments leave out, if anything.
    pub scope: Option<RowScope>,
}

impl Pipeline<'_> {
    /// Scrubs, merges and thresholds `rows`, asking Matomo (through `visitors`) for the distinct
    /// visitors of the rows that could pass and of the suppressed rows together.
    ///
    /// For rows that are no [`RowReport`]'s answer (the site overview's referrer types, one item
    /// of its bulk answer): with no report to read on the period's days, none of them is proven
    /// by its busiest day ([`proven_of`](Self::proven_of) with a report).
    pub(crate) async fn proven(
        &self,
        visitors: &Visitors<'_>,
        whole: Option<Known>,
        rows: Vec<SourceRow>,
        overlap: Overlap,
    ) -> Result<ReportOutput, ToolError> {
        self.proven_of(None, visitors, whole, rows, overlap).await
    }

    /// [`proven`](Self::proven) for the rows of `report`, which a week's, month's or range's
    /// rows may then be proven by their busiest day's segment
    /// ([`busiest_day`](crate::reporting::visitors)) before the period's is asked.
    pub(crate) async fn proven_of(
        &self,
        report: Option<&RowReport<'_>>,
        visitors: &Visitors<'_>,
        whole: Option<Known>,
        rows: Vec<SourceRow>,
        overlap: Overlap,
    ) -> Result<ReportOutput, ToolError> {
        let truncated = rows.len() as u64 >= u64::from(UPSTREAM_ROW_CAP);
        // With noise, an empty population is withheld like a small one: otherwise an empty
        // answer against a withheld one would tell whether anybody is in a narrow segment.
        let empty = self.noise.is_some() && whole.is_some_and(|whole| whole.visits == 0);
        if empty || Known::too_few(whole, self.threshold.k()) {
            return self.withheld().await;
        }
        // `too_few` holds for `None`: a count is here.
        let whole = whole.unwrap_or_default();
        let mut rows = self.scrubbed(rows);
        let budget =
            (self.request.offset as usize + self.request.limit as usize).min(MAX_CHECKED_ROWS);
        let (unchecked, counted) = self
            .check_rows_counted(visitors, report, &mut rows, budget, overlap)
            .await?;
        let other = match overlap {
            Overlap::None | Overlap::Within(_) if !truncated => {
                self.other_visitors(visitors, whole, &rows, &counted, overlap)
                    .await?
            }
            _ => None,
        };
        self.finish(rows, other, unchecked, truncated).await
    }

    /// Asks Matomo for the distinct visitors of the rows, most visits first, that have `k`
    /// visits but not `k` known visitors; returns how many such rows were beyond the budget.
    ///
    /// In a report of the visits within a condition ([`Overlap::Within`]), every row is about
    /// such visits, but Matomo's row segments need not say so: a search engine's row has
    /// `referrerName==Google`, which also selects a campaign named "Google". The condition is
    /// added to each row's segment, so that the visitors counted are the row's own.
    pub(crate) async fn check_rows(
        &self,
        visitors: &Visitors<'_>,
        rows: &mut [ReportRow],
        budget: usize,
        overlap: Overlap,
    ) -> Result<u64, ToolError> {
        let (unchecked, _) = self
            .check_rows_counted(visitors, None, rows, budget, overlap)
            .await?;
        Ok(unchecked)
    }

    /// [`check_rows`](Self::check_rows), also saying which rows' segments Matomo counted
    /// (`true` at the row's index).
    ///
    /// Only the rows that can reach the page are asked about: the answer shows rows by visits,
    /// most first, so a row below the first `budget` rows that pass or could pass is never on
    /// a page ending at `budget`. Rows known already (Matomo's count of a day, or the daily
    /// counts of a longer period, [`daily`](crate::reporting::visitors::daily)) take their
    /// places on the page without a request, and on a month whose largest rows are known that
    /// way no segment is asked at all. A row of `report` over a week, a month or a range may be
    /// proven by its busiest day's segment instead ([`Visitors::prove_on_busiest_days`]): it is
    /// not counted over the period either.
    async fn check_rows_counted(
        &self,
        visitors: &Visitors<'_>,
        report: Option<&RowReport<'_>>,
        rows: &mut [ReportRow],
        budget: usize,
        overlap: Overlap,
    ) -> Result<(u64, Vec<bool>), ToolError> {
        let mut counted = vec![false; rows.len()];
        let covered = match overlap {
            Overlap::Within(covered) => Some(
                Segment::parse(covered)
                    .map_err(|e| ToolError::internal(format!("the report's visits: {e}")))?,
            ),
            _ => None,
        };
        let mut showable: Vec<usize> = (0..rows.len())
            .filter(|&i| self.threshold.could_pass(&rows[i]) || self.threshold.passes(&rows[i]))
            .collect();
        showable.sort_by_key(|&i| std::cmp::Reverse(rows[i].visits()));
        let reach = budget.min(showable.len());
        let unknown = |i: &usize| !self.threshold.passes(&rows[*i]);
        let unchecked = showable[reach..].iter().filter(|i| unknown(i)).count() as u64;
        let candidates: Vec<usize> = showable[..reach].iter().copied().filter(unknown).collect();
        // A row without a segment Matomo could read stays unproven: a merged row has the OR of
        // its parts' segments only when every part has one and the OR is short enough
        // (`ReportRow::merge`, where the proof is).
        let segments: Vec<(usize, Segment)> = candidates
            .into_iter()
            .filter_map(|i| Some((i, self.row_segment(&rows[i], covered.as_ref())?)))
            .collect();
        let segments = match report {
            Some(report) if !segments.is_empty() => {
                let end = self.request.offset.saturating_add(self.request.limit);
                let k = self.threshold.k();
                visitors
                    .prove_on_busiest_days(report, end, rows, segments, k)
                    .await
            }
            _ => segments,
        };
        if segments.is_empty() {
            return Ok((unchecked, counted));
        }
        let asked: Vec<Option<Segment>> = segments.iter().map(|(_, s)| Some(s.clone())).collect();
        let known = visitors.within(&asked).await?;
        for ((i, _), known) in segments.iter().zip(known) {
            let row = &mut rows[*i];
            let proven = known
                .filter(|known| !broader_than(row, *known))
                .map_or(0, |known| known.visitors);
            row.prove_visitors(proven);
            counted[*i] = true;
        }
        Ok((unchecked, counted))
    }

    /// The segment Matomo counts a row's visitors with: the row's own, within the report's
    /// visits (`covered`) and its scope; `None` for a row without one Matomo could read.
    fn row_segment(&self, row: &ReportRow, covered: Option<&Segment>) -> Option<Segment> {
        let text = row.segment.as_ref()?.reveal_text();
        let mut segment = Segment::parse(text).ok()?;
        if let Some(covered) = covered {
            segment = segment.and(covered);
        }
        match self.scope {
            Some(scope) if segment.dimensions().contains(scope.dimension) => {
                let condition = Segment::parse(scope.condition).ok()?;
                Some(segment.and(&condition))
            }
            _ => Some(segment),
        }
    }

    /// The distinct visitors behind every row that does not pass, together: Matomo's count for
    /// the caller's segment and none of the passing rows.
    ///
    /// Proof that this is the visitors of those rows: in a report where each visit (of those the
    /// report covers, [`Overlap::Within`]) is in exactly one row ([`Overlap::None`]) and no row
    /// was cut off (not truncated), a visit is in a suppressed row exactly when it is in the
    /// period, the segment and the report's visits, and in none of the passing rows; the segment
    /// `covered and not row 1 and not row 2 …` selects exactly those visits. A passing row whose
    /// segment cannot be negated leaves the count unknown.
    ///
    /// A merged row's segment is the OR of its parts' (`a,b`), selecting the visits of any
    /// part; its negation is the AND of theirs (`a!=;b!=`, [`Segment::negation`]), the visits
    /// of none of them, which are exactly the visits not in the merged row. An exclusion longer
    /// than Matomo reads (it cuts segments short without a word, which would exclude fewer
    /// rows and count more visitors) is not asked ([`Visitors::within`] answers `None`).
    ///
    /// The negation holds only if every shown row's segment selects exactly that row's visits.
    /// Matomo 5.0.2 breaks this: its "iOS 17.1" row (39 visits) holds iPadOS visits too, but its
    /// segment (`operatingSystemCode==IPA;…`) selects the 9 iPadOS ones, so the exclusion also
    /// selected the iOS visitors, and an "Other" row of one visitor was proven by five. So every
    /// shown row's segment is counted too (in the same bulk request, mostly cached from the rows'
    /// own proofs), and the count stands only when each selects as many visits as its row counts
    /// (`nb_visits`, exact in such a report): a segment built to select a row's visits that
    /// selects as many as the row has selected them all and nothing else.
    ///
    /// What that costs decides when it is asked (issue 27: no tool costing Matomo more than 3×
    /// the direct call on a cold month). A day's segment is archived from one day's raw visits,
    /// so on a day every shown row's segment is counted as needed. Over a longer period each
    /// new segment is an archive of the whole period from raw visits (about a second a segment
    /// for a month of 45,000 visits): the "Other" row is asked only when every shown row's
    /// segment was already counted (`counted`, for the row's own proof), so that it costs the
    /// exclusion alone. A row known from its daily counts, or from its segment on its busiest
    /// day, was not, and then there is no "Other" row: its rows are counted among the
    /// suppressed ones.
    async fn other_visitors(
        &self,
        visitors: &Visitors<'_>,
        whole: Known,
        rows: &[ReportRow],
        counted: &[bool],
        overlap: Overlap,
    ) -> Result<Option<u64>, ToolError> {
        let any_below = rows
            .iter()
            .any(|row| !self.threshold.passes(row) && row.visits() > 0);
        let passing = rows.iter().filter(|row| self.threshold.passes(row)).count();
        // A segment excluding hundreds of rows is more than Matomo should be asked to archive
        // for one "Other" row: past that, the suppressed rows are left out.
        if !any_below || passing > MAX_EXCLUDED_ROWS {
            return Ok(None);
        }
        let uncounted = rows
            .iter()
            .zip(counted)
            .any(|(row, &counted)| self.threshold.passes(row) && !counted);
        if uncounted && self.request.period != Period::Day {
            return Ok(None);
        }
        let mut exclusion: Option<Segment> = match overlap {
            Overlap::Within(covered) => match Segment::parse(covered) {
                Ok(covered) => Some(covered),
                Err(_) => return Ok(None),
            },
            _ => None,
        };
        for row in rows.iter().filter(|row| self.threshold.passes(row)) {
            let Some(not_row) = row
                .segment
                .as_ref()
                .and_then(|text| Segment::parse(text.reveal_text()).ok())
                .and_then(|segment| segment.negation())
            else {
                return Ok(None);
            };
            exclusion = Some(match exclusion {
                Some(so_far) => so_far.and(&not_row),
                None => not_row,
            });
        }
        let Some(exclusion) = exclusion else {
            // Nothing passes: the suppressed rows are the whole period.
            return Ok(Some(whole.visitors));
        };
        // Each shown row's own segment, counted in the same (cached) bulk request: the negation
        // is only as good as these segments are exact.
        let covered = match overlap {
            Overlap::Within(covered) => Segment::parse(covered).ok(),
            _ => None,
        };
        let mut asked = vec![Some(exclusion)];
        let mut shown_visits = Vec::new();
        for row in rows.iter().filter(|row| self.threshold.passes(row)) {
            let Some(segment) = self.row_segment(row, covered.as_ref()) else {
                return Ok(None);
            };
            asked.push(Some(segment));
            shown_visits.push(row.visits());
        }
        let known = visitors.within(&asked).await?;
        let exact = known
            .iter()
            .skip(1)
            .zip(&shown_visits)
            .all(|(known, &visits)| known.is_some_and(|known| known.visits == visits));
        if !exact {
            return Ok(None);
        }
        Ok(known.first().copied().flatten().map(|known| known.visitors))
    }
}
