//! A referrer report's tables as Matomo 5.0.2 archives them under its row limits
//! (`RecordBuilders/Referrers.php`): a day's table is built whole, its rows in the order of the
//! archiver's query, then cut by `DataTable::getSerialized`'s `Truncate` filter to
//! `datatable_archiving_maximum_rows_referrers` rows by visits (the rest summed into an "Others"
//! row) and each subtable to `…_subtable_referrers`; a longer period adds its subperiods' tables
//! up by label (`DataTable::addDataTable`, the truncation rows into one) and cuts the sum again.
//!
//! A row is kept as the visits it adds up: every column Matomo sums (visits, actions, distinct
//! counts of its archived groups, goals) or takes the maximum of (`max_actions`) follows from
//! them, and a visit is in one row of a table only.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::calendar::Day;
use crate::dataset::Visit;
use crate::query::period::Period;
use crate::query::table::RowLimits;

/// One archived table: its rows in the archive's order, and its truncation row's visits.
#[derive(Default)]
pub(super) struct Table<'a> {
    pub rows: Vec<Entry<'a>>,
    pub others: Option<Vec<&'a Visit>>,
}

/// A row of a [`Table`]: its archived label (a channel code, a name, a keyword or a URL), its
/// visits and its subtable.
pub(super) struct Entry<'a> {
    pub label: String,
    pub visits: Vec<&'a Visit>,
    pub sub: Option<Table<'a>>,
}

/// Labels of a record: a visit's row in the top table and, when it has one, in that row's
/// subtable (`None`: not in the record).
pub(super) type Labels = fn(&Visit) -> Option<(String, Option<String>)>;

impl<'a> Table<'a> {
    /// A day's table before it is cut: a row per label of the day's visits, each added where
    /// it is first met (`sumRowWithLabel`). The rows' order matters nowhere: the cuts order
    /// them wholly ([`Table::truncate`]).
    fn day(visits: &[&'a Visit], labels: Labels) -> Table<'a> {
        let mut table = Table::default();
        for &v in visits {
            let Some((label, sub)) = labels(v) else {
                continue;
            };
            let entry = table.entry(label);
            entry.visits.push(v);
            if let Some(sub) = sub {
                let sub_table = entry.sub.get_or_insert_with(Table::default);
                sub_table.entry(sub).visits.push(v);
            }
        }
        table
    }

    /// The row labelled `label`, added last when the table has none.
    fn entry(&mut self, label: String) -> &mut Entry<'a> {
        let at = match self.rows.iter().position(|e| e.label == label) {
            Some(at) => at,
            None => {
                self.rows.push(Entry {
                    label,
                    visits: Vec::new(),
                    sub: None,
                });
                self.rows.len() - 1
            }
        };
        &mut self.rows[at]
    }

    /// Adds `other` as `DataTable::addDataTable` does: rows by label (their subtables too), a
    /// label new to this table last, the truncation rows into one.
    fn add(&mut self, other: Table<'a>) {
        for theirs in other.rows {
            let mine = self.entry(theirs.label);
            mine.visits.extend(theirs.visits);
            if let Some(sub) = theirs.sub {
                mine.sub.get_or_insert_with(Table::default).add(sub);
            }
        }
        if let Some(theirs) = other.others {
            self.others.get_or_insert_with(Vec::new).extend(theirs);
        }
    }

    /// Cuts this table as `Truncate` does when the archive is stored: more rows than `limit`
    /// (the truncation row counted) keep the `limit` − 1 with the most visits and sum the
    /// others, and the truncation row they had, into a new truncation row, which has no
    /// subtable. Each subtable left is cut to `sub_limit`.
    ///
    /// Ties are not left in the table's order: Matomo's `Sorter` sorts with `array_multisort`,
    /// which orders rows of equal visits by comparing the rows themselves, PHP `ArrayObject`s
    /// compared by their columns, the label first: by label (numerically when both are
    /// numbers, the channel codes; bytewise otherwise). (Before the label PHP compares how many
    /// columns the rows have, so a row with goal columns comes after one without: not
    /// emulated, as the compared site has no conversions.)
    fn truncate(&mut self, limit: usize, sub_limit: usize) {
        let count = self.rows.len() + usize::from(self.others.is_some());
        if count > limit {
            self.rows.sort_by(|a, b| {
                b.visits
                    .len()
                    .cmp(&a.visits.len())
                    .then_with(|| php_compare(&a.label, &b.label))
            });
            let kept = limit.saturating_sub(1).min(self.rows.len());
            let mut others: Vec<&Visit> = Vec::new();
            for folded in self.rows.split_off(kept) {
                others.extend(folded.visits);
            }
            others.extend(self.others.take().unwrap_or_default());
            self.others = Some(others);
        }
        for entry in &mut self.rows {
            if let Some(sub) = &mut entry.sub {
                sub.truncate(sub_limit, sub_limit);
            }
        }
    }
}

/// PHP 8's comparison of two labels: as numbers when both are numeric, bytewise otherwise.
fn php_compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// The period's archived table of the record `labels` names: each day's built whole and cut to
/// `limits`, a longer period's its subperiods' added up and cut again.
pub(super) fn archived<'a>(
    period: &Period,
    visits: &[&'a Visit],
    labels: Labels,
    limits: RowLimits,
) -> Table<'a> {
    let (limit, sub_limit) = (limits.referrers, limits.referrers_subtable);
    // Grouped once: a year's archive asks for each of its days.
    let mut by_day: BTreeMap<Day, Vec<&Visit>> = BTreeMap::new();
    for &v in visits {
        by_day.entry(v.day).or_default().push(v);
    }
    crate::reports::actions::archive::archive(
        period,
        &mut |day| {
            let of_day = by_day.remove(&day).unwrap_or_default();
            let mut table = Table::day(&of_day, labels);
            table.truncate(limit, sub_limit);
            table
        },
        &|parts| {
            let mut sum = Table::default();
            for part in parts {
                sum.add(part);
            }
            sum.truncate(limit, sub_limit);
            sum
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Day;
    use crate::dataset::{Dataset, Referrer};

    /// Visits of one day, each searching `engine` for `keyword`, copied from a generated one.
    fn searches(data: &Dataset, day: Day, of: &[(&str, &str)]) -> Vec<Visit> {
        of.iter()
            .map(|&(engine, keyword)| {
                let mut v = data.visits[0].clone();
                v.day = day;
                v.referrer = Referrer::Search {
                    engine: engine.into(),
                    host: "duckduckgo.com".into(),
                    keyword: keyword.into(),
                };
                v
            })
            .collect()
    }

    const BY_ENGINE: Labels = |v| match &v.referrer {
        Referrer::Search {
            engine, keyword, ..
        } => Some((engine.clone(), Some(keyword.clone()))),
        _ => None,
    };

    fn labels<'t>(table: &'t Table<'_>) -> Vec<(&'t str, usize)> {
        table
            .rows
            .iter()
            .map(|e| (e.label.as_str(), e.visits.len()))
            .collect()
    }

    #[test]
    fn a_day_keeps_the_most_visited_rows_ties_by_label_and_folds_the_rest() {
        let today = Day::from_ymd(2026, 11, 26).unwrap();
        let data = Dataset::generate(5, today);
        let visits = searches(
            &data,
            today,
            &[
                ("Yandex", "a"),
                ("DuckDuckGo", "z"),
                ("Bing", "a"),
                ("DuckDuckGo", "y"),
                ("DuckDuckGo", "x"),
                ("Google", "a"),
            ],
        );
        let refs: Vec<&Visit> = visits.iter().collect();
        let mut table = Table::day(&refs, BY_ENGINE);
        table.truncate(3, 2);
        // Bing, Google and Yandex tie with one visit: Bing is kept, by label.
        assert_eq!(labels(&table), [("DuckDuckGo", 3), ("Bing", 1)]);
        assert_eq!(table.others.as_ref().map(Vec::len), Some(2));
        // DuckDuckGo's three keywords: one kept (`x`, by label) and two folded.
        let keywords = table.rows[0].sub.as_ref().unwrap();
        assert_eq!(labels(keywords), [("x", 1)]);
        assert_eq!(keywords.others.as_ref().map(Vec::len), Some(2));
        // Channel codes are compared as numbers: 7 before 10.
        assert_eq!(php_compare("7", "10"), Ordering::Less);
    }

    #[test]
    fn a_longer_period_adds_its_days_up_and_cuts_the_sum_again() {
        let today = Day::from_ymd(2026, 11, 26).unwrap();
        let data = Dataset::generate(5, today);
        let monday = searches(&data, today.plus(-1), &[("Bing", "a"), ("Google", "a")]);
        let tuesday = searches(
            &data,
            today,
            &[
                ("Google", "b"),
                ("Yandex", "a"),
                ("Yandex", "b"),
                ("Ask", "a"),
            ],
        );
        let cut = |visits: &[Visit]| {
            let refs: Vec<&Visit> = visits.iter().collect();
            let mut t = Table::day(&refs, BY_ENGINE);
            t.truncate(2, 2);
            // Own the visits' references for the sum below.
            t.rows
                .iter()
                .map(|e| (e.label.clone(), e.visits.len()))
                .collect::<Vec<_>>()
        };
        // Monday holds no more rows than the limit: left whole; Tuesday keeps Yandex.
        assert_eq!(
            cut(&monday),
            [("Bing".to_string(), 1), ("Google".to_string(), 1)]
        );
        assert_eq!(cut(&tuesday), [("Yandex".to_string(), 2)]);
        let (m, t): (Vec<&Visit>, Vec<&Visit>) =
            (monday.iter().collect(), tuesday.iter().collect());
        let (mut a, mut b) = (Table::day(&m, BY_ENGINE), Table::day(&t, BY_ENGINE));
        a.truncate(2, 2);
        b.truncate(2, 2);
        a.add(b);
        a.truncate(2, 2);
        // Tuesday's truncation row (Google's and Ask's visits) and Monday's two rows.
        assert_eq!(labels(&a), [("Yandex", 2)]);
        assert_eq!(a.others.as_ref().map(Vec::len), Some(2 + 1 + 1));
    }
}
