//! The page URL report as Matomo archives it: a day's table truncated as its archiver meets the
//! pages (built in `url_tree`), a longer period's the sum of its subperiods' tables by label,
//! truncated again.
//!
//! Matomo builds a week's archive from its days', a month's from its whole weeks and loose days,
//! a year's from its months and a range's from the largest periods that fit in it
//! (`Period\Month::processOptimalSubperiods`, `Period\Range::processOptimalSubperiods`). It adds
//! their tables up by label, the days' truncation rows into one
//! (`ArchiveProcessor::aggregateDataTableRecords`, `DataTable::addDataTable`), and stores the sum
//! through `DataTable::getSerialized`, whose `Truncate` filter cuts each table again to its row
//! limit. So a page folded into "Others" on one day and shown on another keeps only the visits of
//! the days it was shown, and a visit to two folded pages counts twice in "Others".

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::pages::PageAgg;
use crate::calendar::Day;
use crate::query::period::{Kind, Period};
use crate::query::range::{days, span};
use crate::query::table::RowLimits;

/// One table of the archived page URL report: its rows in the order the archive holds them, and
/// its truncation row.
#[derive(Default)]
pub(super) struct Table {
    pub rows: Vec<Entry>,
    pub others: Option<PageAgg>,
}

/// A row of a [`Table`].
pub(super) struct Entry {
    /// The row's label as archived (`/index`, `products`), escapes as tracked.
    pub label: String,
    pub agg: PageAgg,
    pub kind: EntryKind,
}

/// What a row of a [`Table`] is.
pub(super) enum EntryKind {
    /// A page, and its URL.
    Page(String),
    /// A directory: its path (`/products/shoes/`), its URL without the last slash
    /// (`https://shop.example.com/products/shoes`), which its segment selects as a prefix, and its
    /// rows.
    Folder {
        path: String,
        url: String,
        table: Box<Table>,
    },
}

impl Table {
    /// Adds `other` to this table as Matomo's `DataTable::addDataTable` does: its rows by label
    /// (a directory's rows too, recursively), a label this table does not have last, and its
    /// truncation row to this one's.
    fn add(&mut self, other: Table) {
        for entry in other.rows {
            match self.rows.iter_mut().find(|mine| mine.label == entry.label) {
                Some(mine) => {
                    mine.agg.add(&entry.agg);
                    if let (
                        EntryKind::Folder { table, .. },
                        EntryKind::Folder { table: theirs, .. },
                    ) = (&mut mine.kind, entry.kind)
                    {
                        table.add(*theirs);
                    }
                }
                None => self.rows.push(entry),
            }
        }
        if let Some(theirs) = other.others {
            self.others
                .get_or_insert_with(PageAgg::default)
                .add(&theirs);
        }
    }

    /// Cuts this table to `limit` rows as Matomo's `Truncate` filter does when it stores a longer
    /// period's sum: a table of more rows than `limit` (its truncation row counted) keeps the
    /// `limit − 1` with the most visits (a stable sort: ties in the table's order) and sums the
    /// others, then its truncation row, into a new truncation row. Each directory left is cut
    /// to `sub_limit` the same way.
    fn truncate(&mut self, limit: usize, sub_limit: usize) {
        let count = self.rows.len() + usize::from(self.others.is_some());
        if count > limit {
            self.rows.sort_by_key(|entry| Reverse(entry.agg.visits));
            let folded = self
                .rows
                .split_off(limit.saturating_sub(1).min(self.rows.len()));
            let mut others = PageAgg::default();
            for entry in &folded {
                others.add(&entry.agg);
            }
            if let Some(before) = self.others.take() {
                others.add(&before);
            }
            self.others = Some(others);
        }
        for entry in &mut self.rows {
            if let EntryKind::Folder { table, .. } = &mut entry.kind {
                table.truncate(sub_limit, sub_limit);
            }
        }
    }
}

impl Table {
    /// This table with only the rows that followed a site search (`nb_hits_following_search`
    /// above 0), in each directory left too, as `Actions.get…FollowingSiteSearch` filters every
    /// table it returns.
    pub(super) fn following_search(mut self) -> Table {
        self.rows.retain(|entry| entry.agg.following_search > 0);
        for entry in &mut self.rows {
            if let EntryKind::Folder { table, .. } = &mut entry.kind {
                **table = std::mem::take(&mut **table).following_search();
            }
        }
        self.others = self.others.filter(|others| others.following_search > 0);
        self
    }
}

/// A day's table of a report without directories (page titles) as Matomo's day archiver fills
/// it: its rows in the order of its query (most hits first, then by label), each added while
/// the table holds fewer than `limit` − 1 (`DataTable::addRow` with `setMaximumAllowedRows`),
/// the others summed into its truncation row, which keeps no distinct counts.
pub(super) fn flat_day_table(rows: BTreeMap<String, PageAgg>, limit: usize) -> Table {
    let mut rows: Vec<(String, PageAgg)> = rows.into_iter().collect();
    // Stable: ties stay in label order.
    rows.sort_by_key(|(_, agg)| Reverse(agg.hits));
    let kept = if rows.len() >= limit {
        limit.saturating_sub(1)
    } else {
        rows.len()
    };
    let mut table = Table::default();
    for (i, (label, agg)) in rows.into_iter().enumerate() {
        if i < kept {
            let kind = EntryKind::Page(label.clone());
            table.rows.push(Entry { label, agg, kind });
        } else {
            table
                .others
                .get_or_insert_with(PageAgg::default)
                .absorb(&agg);
        }
    }
    table.others = table.others.map(PageAgg::without_distinct_counts);
    table
}

/// The period's archived table: a day's as `day` builds it, a longer period's its subperiods'
/// added up in date order and cut to `limits`.
pub(super) fn period_table(
    period: &Period,
    limits: RowLimits,
    day: &mut impl FnMut(Day) -> Table,
) -> Table {
    archive(period, day, &|parts| {
        let mut sum = Table::default();
        for part in parts {
            sum.add(part);
        }
        sum.truncate(limits.actions, limits.actions_subtable);
        sum
    })
}

/// The period's archive as Matomo builds it: a day's as `day` gives it, a longer period's from
/// its subperiods' archives ([`subperiods`]), each built this way first, by `sum` (given them
/// in date order). A sum that is not associative, as Matomo's of `min_time_…` after a `null`
/// day, depends on this grouping: a month is its weeks' sums added up, not its days'.
pub(in crate::reports) fn archive<T>(
    period: &Period,
    day: &mut impl FnMut(Day) -> T,
    sum: &impl Fn(Vec<T>) -> T,
) -> T {
    if period.kind == Kind::Day {
        return day(period.start);
    }
    let parts = subperiods(period)
        .iter()
        .map(|sub| archive(sub, day, sum))
        .collect();
    sum(parts)
}

/// The periods Matomo builds a longer period's archive from, in date order. A range's were
/// found when its request was read, given the dataset's today ([`crate::query::range`]).
fn subperiods(period: &Period) -> Vec<Period> {
    let start = period.start;
    match period.kind {
        Kind::Day => Vec::new(),
        Kind::Week => days(start, start.plus(6)),
        Kind::Month => month_subperiods(start.month_start(), start.month_end()),
        Kind::Year => (0..12)
            .map(|i| {
                let first = start.plus_months(i).month_start();
                span(Kind::Month, first, first.month_end())
            })
            .collect(),
        Kind::Range => period.parts.clone(),
    }
}

/// A month's: its whole weeks, and the days of the weeks it shares with another month.
fn month_subperiods(first: Day, last: Day) -> Vec<Period> {
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let week_start = start.week_start();
        let week_end = week_start.plus(6);
        if week_end > last {
            out.extend(days(start, last));
        } else if week_start == start {
            out.push(span(Kind::Week, week_start, week_end));
        } else {
            out.extend(days(start, week_end));
        }
        start = week_end.plus(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i64, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap_or(Day(0))
    }

    fn described(periods: &[Period]) -> Vec<String> {
        periods
            .iter()
            .map(|p| format!("{:?} {}..{}", p.kind, p.start, p.end))
            .collect()
    }

    fn page(label: &str, visits: u64) -> Entry {
        Entry {
            label: label.into(),
            agg: PageAgg {
                visits,
                hits: visits,
                ..PageAgg::default()
            },
            kind: EntryKind::Page(format!("https://example.com{label}")),
        }
    }

    fn labels(table: &Table) -> Vec<&str> {
        table.rows.iter().map(|e| e.label.as_str()).collect()
    }

    #[test]
    fn a_month_is_its_whole_weeks_and_loose_days() {
        // November 2026 starts on a Sunday and ends on a Monday.
        let month = span(Kind::Month, day(2026, 11, 1), day(2026, 11, 30));
        assert_eq!(
            described(&subperiods(&month)),
            [
                "Day 2026-11-01..2026-11-01",
                "Week 2026-11-02..2026-11-08",
                "Week 2026-11-09..2026-11-15",
                "Week 2026-11-16..2026-11-22",
                "Week 2026-11-23..2026-11-29",
                "Day 2026-11-30..2026-11-30",
            ]
        );
    }

    #[test]
    fn a_month_adds_up_its_weeks_sums_not_its_days() {
        // A sum that shows its grouping, as Matomo's `min_time_…` sums do after a `null` day.
        let month = span(Kind::Month, day(2026, 11, 1), day(2026, 11, 30));
        let built = archive(&month, &mut |d| d.ymd().2.to_string(), &|parts| {
            format!("({})", parts.join(" "))
        });
        assert!(
            built.starts_with("(1 (2 3 4 5 6 7 8) (9 10 11 12 13 14 15) "),
            "{built}"
        );
        assert!(built.ends_with(" (23 24 25 26 27 28 29) 30)"), "{built}");
    }

    #[test]
    fn a_sum_keeps_the_rows_with_most_visits_and_folds_the_rest_with_the_truncation_rows() {
        let mut monday = Table {
            rows: vec![page("/a", 3), page("/b", 1)],
            others: Some(PageAgg {
                visits: 4,
                ..PageAgg::default()
            }),
        };
        let tuesday = Table {
            rows: vec![page("/c", 1), page("/b", 1)],
            others: Some(PageAgg {
                visits: 2,
                ..PageAgg::default()
            }),
        };
        monday.add(tuesday);
        assert_eq!(labels(&monday), ["/a", "/b", "/c"]);
        monday.truncate(3, 3);
        // `/b` has 2 visits over both days and stays; `/c` is folded with both days'
        // truncation rows.
        assert_eq!(labels(&monday), ["/a", "/b"]);
        assert_eq!(monday.others.as_ref().map(|o| o.visits), Some(1 + 4 + 2));
    }

    #[test]
    fn ties_keep_the_order_of_the_sum_and_a_full_table_is_left_as_it_is() {
        let mut table = Table {
            rows: vec![page("/z", 1), page("/y", 2), page("/x", 1), page("/w", 1)],
            others: None,
        };
        table.truncate(3, 3);
        assert_eq!(labels(&table), ["/y", "/z"]);
        assert_eq!(table.others.as_ref().map(|o| o.visits), Some(2));
        // Two rows and a truncation row: as many as the limit, nothing to cut.
        let mut full = Table {
            rows: vec![page("/a", 1), page("/b", 5)],
            others: Some(PageAgg::default()),
        };
        full.truncate(3, 3);
        assert_eq!(labels(&full), ["/a", "/b"]);
    }
}
