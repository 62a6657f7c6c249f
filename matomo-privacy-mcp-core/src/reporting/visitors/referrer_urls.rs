//! Referrer websites and social networks known by their largest URL, without a segment.
//!
//! Matomo 5.0.2 archives referrers from one query a day grouped by type, name, keyword and URL
//! (`Referrers/RecordBuilders/Referrers.php`, `aggregateFromVisits`:
//! `queryVisitsByDimension(["referer_type", "referer_name", "referer_keyword", "referer_url"])`,
//! each group's `COUNT(DISTINCT idvisitor)`), and adds each group of a website (type 3) or a
//! social network (type 7) into the row of its name (`sumRowWithLabel($row['referer_name'])`)
//! and into that row's subtable under its URL (`sumRowWithLabelToSubtable($row['referer_url'])`).
//! The name's row adds up all its groups, so its count may count a visitor once per URL: not a
//! bound ([`summed`](crate::models::summed)). A URL row adds up the groups of one type, name and
//! URL, which differ in their keyword only:
//!
//! - a social network's keyword is always `''` (`Columns/Base.php`,
//!   `detectReferrerSocialNetwork`, since social networks became a referrer type of their own in
//!   Matomo 3.6), so its URL row on a day is one group;
//! - a website's is `NULL` since Piwik 2.16.0 (`detectReferrerCampaign` sets it to `null` for a
//!   referrer that is no campaign, and the website branch sets none; on a visit that started
//!   as a direct entry, `Keyword::onExistingVisit` writes the same value), `''` in every
//!   version before (its default there), and nothing else in any version. So a website's URL
//!   row on a day adds up at most two groups: one unless the day holds visits tracked both
//!   before and after an upgrade across 2.16, which nothing in the answer rules out.
//!
//! The API reads the URL rows as archived only when they come embedded in their parents
//! (`getWebsites` or `getSocials` with `expanded=1`: `Archive::createDataTableFromArchive` loads
//! the subtables; the filters left are the generic ones, which sort, cut the top table and
//! delete columns, and none joins rows). Asked flat or by subtable id, `getWebsites` joins the
//! URL rows of one path and query (`UrlsFromWebsiteId`, a `GroupBy` on `getPathFromUrl`, which
//! drops the scheme, the host and the fragment), so only the expanded answer is read. A week's,
//! a month's, a range's URL row is Matomo's sum of the same label's rows of its days (a day's
//! rows cut by the subtable limit go into that day's "Others" row, labelled `-1`, which is
//! added into the period's "Others" only), so its `sum_daily_nb_uniq_visitors` is a sum of day
//! counts of that URL.
//!
//! Proof. Let `g` be the groups a URL row may add up in a day (1 for a social network, 2 for a
//! website), `P` the visitors of a URL row under name row `N` (within the request's segment, as
//! both answers are), `P_d` those of day `d`, and `D` the days of the period
//! ([`Date::max_days`](crate::params::Date::max_days)). Matomo's count of the row on day `d` is
//! a sum of at most `g` groups' distinct counts, each at most `|P_d|`, so `c_d ≤ g·|P_d|`; and
//! `Σ_d |P_d| ≤ D·|P|` (a visitor counts once a day,
//! [`daily::from_daily_counts`](super::daily::from_daily_counts)). So `|P| ≥ ⌈c / g⌉` on a day
//! and `|P| ≥ ⌈Σ_d c_d / (g·D)⌉` over `D` days. Every visit of the URL row is a visit of `N` (its
//! groups were added into `N`'s row), so `N` has at least as many visitors as its largest URL
//! row.
//!
//! Which rows are URL rows: a subtable row whose label is a URL with a host (`scheme://host…`
//! or `//host…`). Matomo keeps a referrer URL only if it looks like one
//! (`UrlHelper::isLookLikeUrl`) and types a referrer a website or social network only with a
//! host; the truncation rows ("Others": `-1`, or its translation) have none. Each URL row's
//! parent is matched to the report's row by its label and its segment (`referrerName==…`,
//! `referrerType==social;referrerName==…`) both: the two are answers of the same method, whose
//! rows get the same label and, from it, the same segment. `getSocials` joins the rows of `instagram` into
//! `Instagram` (`GroupDifferentSocialWritings`, a `GroupBy` that keeps the first row's subtable:
//! its URL rows are still visits of the joined row), and for a period without any social
//! network row builds its rows from the website rows of social hosts
//! (`completeSocialTablesWithOldReports`), whose subtables it unloads
//! (`setNonLoadedSubtableId`): such rows come without URL rows and are not known this way.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer};

use super::Visitors;
use super::spans::DaySpan;
use crate::Classified;
use crate::ToolError;
use crate::client::Nested;
use crate::models::answer::{decoding_matomo, matomo_answer_of};
use crate::models::summed::{REFERRER_URL_ROWS, URL_ROW_GROUPS_A_DAY};
use crate::params::{Limit, Period, Sort};
use crate::privacy::{Identifying, Reveal};
use crate::reporting::args::{Request, to_tool_error};
use crate::reporting::pipeline::UPSTREAM_ROW_CAP;
use crate::reporting::{Deployment, SourceRow};
use crate::segment::Segment;

/// The archived groups one URL row of report `method` may add up in a day (see the module's
/// proof); `None` for a report not known by its URLs.
pub(crate) fn groups_per_url(method: &str) -> Option<u64> {
    match method {
        "Referrers.getSocials" => Some(1),
        "Referrers.getWebsites" => Some(URL_ROW_GROUPS_A_DAY),
        _ => None,
    }
}

/// A row of `getWebsites` or `getSocials` read with its subtable embedded (`expanded=1`): its
/// label and segment, and its URL rows with their own distinct counts (decoded under
/// [`REFERRER_URL_ROWS`]: the parent's own counts are sums and are not kept).
#[derive(Debug, Default, Classified, Deserialize)]
pub(crate) struct ExpandedRow {
    /// Matomo's label of the row (a name), which the report's own row carries too; a row
    /// without a label as a string is matched to none.
    #[serde(default, deserialize_with = "segment_text")]
    label: Option<Identifying<String>>,
    /// Matomo's segment of the row, which the report's own row carries too.
    #[serde(default, deserialize_with = "segment_text")]
    segment: Option<Identifying<String>>,
    /// The rows of its subtable, as Matomo archived them.
    #[serde(default, rename = "subtable", deserialize_with = "url_rows")]
    urls: Vec<SourceRow>,
}

/// A row's segment or label: only a string is one (Matomo sends nothing else for a segment, nor
/// for a referrer's name).
fn segment_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Identifying<String>>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Some(Identifying::new(text)),
        _ => None,
    })
}

/// The subtable's rows ([`UrlRows`]).
fn url_rows<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<SourceRow>, D::Error> {
    UrlRows.deserialize(deserializer)
}

/// The subtable's rows: inside the client's decoding of Matomo's answer, with their distinct
/// counts kept ([`REFERRER_URL_ROWS`]); from any other text, with none, as every row.
struct UrlRows;

impl<'de> DeserializeSeed<'de> for UrlRows {
    type Value = Vec<SourceRow>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        if decoding_matomo() {
            matomo_answer_of(REFERRER_URL_ROWS, || Vec::deserialize(deserializer))
        } else {
            Vec::deserialize(deserializer)
        }
    }
}

/// Whether a subtable row's label is a URL with a host, as every URL row's is and no
/// truncation row's: an optional scheme, `//`, then at least one character of host.
fn is_url(label: &str) -> bool {
    let rest = match label.split_once("//") {
        Some(("", rest)) => rest,
        Some((scheme, rest)) => {
            let Some(name) = scheme.strip_suffix(':') else {
                return false;
            };
            let mut chars = name.chars();
            let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
            if !valid {
                return false;
            }
            rest
        }
        None => return false,
    };
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|host| !host.is_empty())
}

/// Matomo's expanded tables a URL bound is read from: each day's, or the period's own.
#[derive(Debug, Default)]
pub(crate) struct Expanded {
    /// One table per day of the period (`by_day`), or the period's table alone.
    tables: Vec<Vec<ExpandedRow>>,
    by_day: bool,
    /// The days of the period.
    days: u64,
}

/// A parent row of an expanded table: its segment and its label.
type Parent<'a> = (&'a str, &'a str);

/// The visitors each row is known to have from its largest URL row, by the row's segment and
/// label.
///
/// One row per segment, in each table read and in the report: a bound is proven for the parent
/// row that holds the URL rows, and reaches the report's row of the same label and segment
/// only. Matomo 5.0.2 gives no two rows of one table the same segment (`referrerName==` a
/// name's encoding, distinct per name; `getSocials` joins its rows keeping one segment), but
/// were two rows to share one, a URL row of one would be credited to the other (whose visitors
/// need not include its visitors), and their URL rows of one label would add up on one day,
/// which the spread divides as if they were two days' counts. So a segment on several parent
/// rows of one table, a URL label on several rows of one parent's subtable, or a segment on
/// several rows of the report proves nothing. Those checks see only the rows read: a table cut
/// to the first rows by visits (a day's, the period's) may hold one of two rows sharing a
/// segment and the report the other. Matching the label as well keeps such a row's URL rows to
/// the row Matomo gave them.
#[derive(Debug, Default)]
pub(crate) struct UrlBounds {
    /// By the parent's segment and label.
    known: BTreeMap<(String, String), u64>,
}

impl UrlBounds {
    /// The bounds Matomo's URL rows prove for their parents, each URL row adding up at most
    /// `groups` archived groups a day (the module's proof). Read by day, a URL's people number
    /// at least its largest day's `⌈c_d / g⌉` (`P_d ⊆ P`) and `⌈Σ_d c_d / (g·D)⌉`; read from the
    /// period's table, the latter from its `sum_daily_nb_uniq_visitors`.
    pub(crate) fn of(expanded: &Expanded, groups: u64) -> Self {
        let groups = groups.max(1);
        let spread = groups.saturating_mul(expanded.days.max(1));
        // Per parent's segment and label and URL: the sum of the URL's counts, and its largest
        // day's bound.
        let mut urls: BTreeMap<(Parent<'_>, &str), (u64, u64)> = BTreeMap::new();
        // Segments on more than one parent of a table, or with a URL label twice in one.
        let mut ambiguous: BTreeSet<&str> = BTreeSet::new();
        for table in &expanded.tables {
            let mut parents = BTreeSet::new();
            for parent in table {
                let (Some(segment), Some(name)) = (&parent.segment, &parent.label) else {
                    continue;
                };
                let (segment, name) = (segment.reveal_text(), name.reveal_text());
                if !parents.insert(segment) {
                    ambiguous.insert(segment);
                }
                let mut labels = BTreeSet::new();
                for url in &parent.urls {
                    let label = url.label.reveal_text();
                    if !is_url(label) {
                        continue;
                    }
                    if !labels.insert(label) {
                        ambiguous.insert(segment);
                    }
                    let count = if expanded.by_day {
                        url.visitors().map_or(0, |v| v.get())
                    } else {
                        url.daily_visitors().unwrap_or(0)
                    };
                    let (sum, day) = urls.entry(((segment, name), label)).or_default();
                    *sum = sum.saturating_add(count);
                    if expanded.by_day {
                        *day = (*day).max(count.div_ceil(groups));
                    }
                }
            }
        }
        let mut bounds = Self::default();
        for (((segment, name), _), (sum, day)) in urls {
            let known = day.max(sum.div_ceil(spread));
            if known > 0 && !ambiguous.contains(segment) {
                let parent = (segment.to_owned(), name.to_owned());
                let bound = bounds.known.entry(parent).or_default();
                *bound = (*bound).max(known);
            }
        }
        bounds
    }

    /// Records on each of `rows` (the report's) the visitors the URL rows of the parent of its
    /// segment and label prove; a row whose segment is on another row of the report too is left
    /// as it was (the type's rule).
    pub(crate) fn prove(&self, rows: &mut [SourceRow]) {
        let mut on_rows: BTreeMap<String, usize> = BTreeMap::new();
        for row in rows.iter() {
            if let Some(segment) = &row.segment {
                *on_rows.entry(segment.reveal_text().to_owned()).or_default() += 1;
            }
        }
        for row in rows.iter_mut() {
            let known = row
                .segment
                .as_ref()
                .map(|segment| segment.reveal_text())
                .filter(|segment| on_rows.get(*segment) == Some(&1))
                .and_then(|segment| {
                    let parent = (segment.to_owned(), row.label.reveal_text().to_owned());
                    self.known.get(&parent)
                })
                .copied();
            if let Some(known) = known {
                row.prove_by_parts(known);
            }
        }
    }
}

/// The report `method` within `segment` with each row's subtable embedded, for each day of
/// the request's week, month or range (of at most [`MAX_DAYS`](super::spans::MAX_DAYS) days:
/// one request of the days' plain archives), else for its period: the first `rows` rows by
/// visits of each table, only the columns a bound reads.
///
/// `rows` is the number of the report's rows of at least `k` visits, the only ones a bound can
/// prove. The period's table, sorted by visits like the report, holds those rows first. A day's
/// table is sorted by the day's visits: on a day a row reaching `k` over the period has at least
/// `k` visits, only rows reaching `k` over the period can come before it (every other row has
/// fewer than `k` visits over the period, so on that day too); when the report holds all of
/// them, fewer than `rows` come before it. A day of fewer visits, or rows of `k` visits the
/// report's limit left out, may push it out of a day's table, and with it that day's count from
/// the row's spread: a bound lowered, never raised.
pub(crate) async fn expanded(
    deployment: &Deployment,
    method: &str,
    request: &Request,
    segment: Option<&Segment>,
    rows: usize,
) -> Result<Expanded, ToolError> {
    let cap = u32::try_from(rows).map_or(UPSTREAM_ROW_CAP, |n| n.clamp(1, UPSTREAM_ROW_CAP));
    let mut params = request
        .params()?
        .expanded(true)
        .limit(Limit::rows(cap)?)
        .sort(Sort::desc("nb_visits").map_err(|e| ToolError::internal(e.to_string()))?)
        .with("showColumns", "nb_uniq_visitors,sum_daily_nb_uniq_visitors")?;
    let by_days = Visitors::new(&deployment.client, request, segment)
        .day_span()
        .and_then(|span| Some((span, span.date()?)));
    let days = match by_days {
        Some((span, date)) => {
            params = params.period(Period::Day).date(date);
            span.days()
        }
        None => u64::from(request.date.max_days(request.period).max(1)),
    };
    if let Some(segment) = segment {
        params = params.segment(segment.clone());
    }
    let answer = deployment
        .client
        .report_of::<Vec<ExpandedRow>>(method, &[], &params)
        .await
        .map_err(to_tool_error)?;
    let by_day = by_days.is_some() || request.period == Period::Day;
    let tables = tables_of(answer, by_days.map(|(span, _)| span))?;
    Ok(Expanded {
        tables,
        by_day,
        days,
    })
}

/// The tables of Matomo's answer: the period's own (`days`: `None`), or each day's of `days`,
/// read only when every day answered for is one of them ([`DaySpan::day_of`]: a day outside
/// the period would raise the bounds, whose spread divides by the period's days).
fn tables_of(
    answer: Nested<Vec<ExpandedRow>>,
    days: Option<DaySpan>,
) -> Result<Vec<Vec<ExpandedRow>>, ToolError> {
    match (answer, days) {
        (Nested::One(table), None) => Ok(vec![table]),
        (Nested::Periods(by_period), Some(days))
            if by_period
                .keys()
                .all(|label| days.day_of(&label.0).is_some()) =>
        {
            Ok(by_period
                .into_values()
                .filter_map(|table| table.0)
                .collect())
        }
        _ => Err(ToolError::internal(
            "Matomo answered for other sites or periods than were asked for",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `body` decoded as the client decodes Matomo's answer of `method`.
    fn from_matomo(method: &str, body: &str) -> Vec<ExpandedRow> {
        crate::models::answer::matomo_answer_of(method, || serde_json::from_str(body)).unwrap()
    }

    /// The bounds of `method`'s expanded `tables` (days when `by_day`) over `days` days for the
    /// rows of `report`.
    fn known(method: &str, tables: &[&str], by_day: bool, days: u64, report: &str) -> Vec<u64> {
        let expanded = Expanded {
            tables: tables.iter().map(|t| from_matomo(method, t)).collect(),
            by_day,
            days,
        };
        let bounds = UrlBounds::of(&expanded, groups_per_url(method).unwrap());
        proven(&bounds, report)
    }

    /// The visitors `bounds` prove behind each row of `report`.
    fn proven(bounds: &UrlBounds, report: &str) -> Vec<u64> {
        let mut rows: Vec<SourceRow> = serde_json::from_str(report).unwrap();
        bounds.prove(&mut rows);
        rows.iter().map(SourceRow::part_visitors).collect()
    }

    const WEBSITES_DAY: &str = r#"[
        {"label":"forum.example.net","nb_uniq_visitors":30,"segment":"referrerName==forum.example.net",
         "subtable":[{"label":"https://forum.example.net/a","nb_uniq_visitors":17},
                     {"label":"http://forum.example.net/b","nb_uniq_visitors":13},
                     {"label":"Others","nb_uniq_visitors":80},
                     {"label":"-1","nb_uniq_visitors":80}]},
        {"label":"Others","nb_uniq_visitors":80,
         "subtable":[{"label":"https://x.example/","nb_uniq_visitors":80}]}]"#;

    const WEBSITES_REPORT: &str = r#"[{"label":"forum.example.net","nb_visits":40,"segment":"referrerName==forum.example.net"},
        {"label":"Others","nb_visits":90},
        {"label":"news.example.com","nb_visits":4,"segment":"referrerName==news.example.com"}]"#;

    #[test]
    fn a_website_is_known_by_its_largest_url_halved() {
        // 17 counted by at most two groups a day: at least 9 people; truncation rows and a
        // parent without a segment prove nothing.
        assert_eq!(
            known(
                "Referrers.getWebsites",
                &[WEBSITES_DAY],
                true,
                1,
                WEBSITES_REPORT
            ),
            [9, 0, 0]
        );
    }

    #[test]
    fn over_days_a_url_proves_its_largest_day_and_its_spread() {
        let day = |a: u64, b: u64| {
            format!(
                r#"[{{"label":"Facebook","segment":"referrerType==social;referrerName==Facebook",
                 "subtable":[{{"label":"https://l.facebook.com/","nb_uniq_visitors":{a}}},
                             {{"label":"https://m.facebook.com/","nb_uniq_visitors":{b}}}]}}]"#
            )
        };
        let report = r#"[{"label":"Facebook","nb_visits":400,"segment":"referrerType==social;referrerName==Facebook"}]"#;
        // A week: the largest day (6), or a URL's counts over the 7 days (4+4+4+4+4+4+4 = 28,
        // 28 / 7 = 4): the larger.
        let (busy, quiet) = (day(6, 0), day(4, 4));
        let week = [
            busy.as_str(),
            quiet.as_str(),
            quiet.as_str(),
            quiet.as_str(),
            quiet.as_str(),
            quiet.as_str(),
            quiet.as_str(),
        ];
        assert_eq!(known("Referrers.getSocials", &week, true, 7, report), [6]);
        let even = [day(5, 5), day(5, 5), day(5, 5), day(5, 5)];
        let even: Vec<&str> = even.iter().map(String::as_str).collect();
        assert_eq!(known("Referrers.getSocials", &even, true, 4, report), [5]);
        // Two URLs are never added: one visitor may come from both on one day.
        assert_eq!(
            known("Referrers.getSocials", &[&day(3, 3)], true, 1, report),
            [3]
        );
    }

    #[test]
    fn a_segment_on_several_rows_proves_nothing() {
        let table = |segments: [&str; 2], urls: [&str; 2]| {
            format!(
                r#"[{{"label":"a.example","segment":"{}",
                      "subtable":[{{"label":"{}","nb_uniq_visitors":6}}]}},
                    {{"label":"b.example","segment":"{}",
                      "subtable":[{{"label":"{}","nb_uniq_visitors":6}}]}}]"#,
                segments[0], urls[0], segments[1], urls[1]
            )
        };
        let (a, b) = ("referrerName==a.example", "referrerName==b.example");
        let (url_a, url_b) = ("https://a.example/x", "https://b.example/x");
        let report = format!(
            r#"[{{"label":"a.example","nb_visits":9,"segment":"{a}"}},
                {{"label":"b.example","nb_visits":9,"segment":"{b}"}}]"#
        );
        let socials =
            |tables: &[&str], report: &str| known("Referrers.getSocials", tables, true, 2, report);
        // Apart, each row is known by its own URL.
        let apart = table([a, b], [url_a, url_b]);
        assert_eq!(socials(&[&apart, &apart], &report), [6, 6]);
        // Two parents of one day with one segment: b.example's URL would prove a.example,
        // and the same URL of both would be summed as two days (6 + 6 over 2 days: 6).
        let shared = table([a, a], [url_a, url_a]);
        assert_eq!(socials(&[&shared], &report), [0, 0]);
        let shared = table([a, a], [url_a, url_b]);
        assert_eq!(socials(&[&shared, &apart], &report), [0, 6]);
        // A URL label twice under one parent: summed as two days too.
        let twice = r#"[{"label":"a.example","segment":"referrerName==a.example",
            "subtable":[{"label":"https://a.example/x","nb_uniq_visitors":4},
                        {"label":"https://a.example/x","nb_uniq_visitors":4}]}]"#;
        assert_eq!(socials(&[twice], &report), [0, 0]);
        // Two rows of the report with one segment: neither is known by it.
        let report = format!(
            r#"[{{"label":"a.example","nb_visits":9,"segment":"{a}"}},
                {{"label":"A.example","nb_visits":3,"segment":"{a}"}}]"#
        );
        assert_eq!(socials(&[&apart, &apart], &report), [0, 0]);
    }

    #[test]
    fn a_row_is_known_only_by_the_url_rows_of_its_own_label() {
        // Two rows sharing a segment (Matomo 5.0.2 sends none): the day's table, cut to its
        // first row by visits, holds a.example alone, and the report b.example alone, so
        // neither sees the other. a.example's URL rows say nothing of b.example's visitors.
        // (Mutation check, 2026-12-07: matching by segment alone, as before, fails here with
        // b.example known by 6.)
        let segment = "referrerType==social;referrerName==a.example";
        let day = format!(
            r#"[{{"label":"a.example","segment":"{segment}",
                  "subtable":[{{"label":"https://a.example/x","nb_uniq_visitors":6}}]}}]"#
        );
        let report =
            |label: &str| format!(r#"[{{"label":"{label}","nb_visits":9,"segment":"{segment}"}}]"#);
        let socials = |report: &str| known("Referrers.getSocials", &[&day], true, 1, report);
        assert_eq!(socials(&report("b.example")), [0]);
        assert_eq!(socials(&report("a.example")), [6]);
        // A parent without a label is matched to no row.
        let unlabelled = day.replace(r#""label":"a.example","#, "");
        let bounds = known(
            "Referrers.getSocials",
            &[&unlabelled],
            true,
            1,
            &report("a.example"),
        );
        assert_eq!(bounds, [0]);
    }

    #[test]
    fn a_period_table_proves_its_daily_sum_spread_over_the_days() {
        let month = r#"[{"label":"Facebook","sum_daily_nb_uniq_visitors":390,
              "segment":"referrerType==social;referrerName==Facebook",
              "subtable":[{"label":"https://l.facebook.com/","sum_daily_nb_uniq_visitors":181},
                          {"label":"https://m.facebook.com/","sum_daily_nb_uniq_visitors":150}]}]"#;
        let report = r#"[{"label":"Facebook","nb_visits":400,"segment":"referrerType==social;referrerName==Facebook"}]"#;
        // 30 days, one group a URL: ⌈181 / 30⌉.
        assert_eq!(
            known("Referrers.getSocials", &[month], false, 30, report),
            [7]
        );
        // The same rows as a website's: two groups a URL, ⌈181 / 60⌉.
        let month = month.replace("referrerType==social;", "");
        let report = report.replace("referrerType==social;", "");
        assert_eq!(
            known("Referrers.getWebsites", &[&month], false, 30, &report),
            [4]
        );
    }

    #[test]
    fn only_url_rows_read_from_matomo_prove_anything() {
        let written: Vec<ExpandedRow> = serde_json::from_str(WEBSITES_DAY).unwrap();
        let expanded = Expanded {
            tables: vec![written],
            by_day: true,
            days: 1,
        };
        let bounds = UrlBounds::of(&expanded, 1);
        assert_eq!(proven(&bounds, WEBSITES_REPORT), [0, 0, 0]);
        // Nor the parents' own counts, which are sums over their URLs.
        let parents: Vec<SourceRow> =
            crate::models::answer::matomo_answer_of("Referrers.getWebsites", || {
                serde_json::from_str(WEBSITES_DAY)
            })
            .unwrap();
        assert!(parents.iter().all(|row| row.visitors().is_none()));
    }

    #[test]
    fn url_rows_keep_their_counts_as_bounds_not_as_distinct_counts() {
        use crate::models::summed::{
            day_counts_are_distinct, day_counts_bound_url_visitors, day_counts_kept,
        };
        assert!(!day_counts_are_distinct(REFERRER_URL_ROWS));
        assert!(day_counts_bound_url_visitors(REFERRER_URL_ROWS));
        assert!(day_counts_kept(REFERRER_URL_ROWS));
        for method in ["Referrers.getWebsites", "Referrers.getSocials"] {
            // The parents' counts are sums over their URLs: never kept.
            assert!(!day_counts_kept(method), "{method}");
            assert!(!day_counts_bound_url_visitors(method), "{method}");
            assert!(groups_per_url(method).unwrap() <= URL_ROW_GROUPS_A_DAY);
        }
    }

    #[test]
    fn a_days_answer_holding_a_day_outside_the_period_is_not_read() {
        let week = DaySpan::of("2026-11-02", "2026-11-08");
        let answer = |days: &[&str]| {
            let body: Vec<String> = days
                .iter()
                .map(|day| format!(r#""{day}":{WEBSITES_DAY}"#))
                .collect();
            let body = format!("{{{}}}", body.join(","));
            let by_period: crate::models::PerPeriod<Vec<ExpandedRow>> =
                crate::models::answer::matomo_answer_of("Referrers.getWebsites", || {
                    serde_json::from_str(&body)
                })
                .unwrap();
            Nested::Periods(by_period)
        };
        let tables = tables_of(answer(&["2026-11-02", "2026-11-08"]), Some(week)).unwrap();
        assert_eq!(tables.len(), 2);
        // A day before or after the week: an error, nothing read.
        for days in [["2026-11-01", "2026-11-02"], ["2026-11-08", "2026-11-09"]] {
            assert!(tables_of(answer(&days), Some(week)).is_err(), "{days:?}");
        }
        // Days for a period asked as a whole, or one table for days asked one by one.
        assert!(tables_of(answer(&["2026-11-02"]), None).is_err());
        assert!(tables_of(Nested::One(Vec::new()), Some(week)).is_err());
        assert_eq!(tables_of(Nested::One(Vec::new()), None).unwrap().len(), 1);
    }

    #[test]
    fn a_url_has_a_scheme_or_none_and_a_host() {
        for url in [
            "https://forum.example.net/a",
            "http://x.example",
            "android-app://com.google.android.gm/",
            "//cdn.example.org/x?y=1",
        ] {
            assert!(is_url(url), "{url}");
        }
        for label in [
            "-1",
            "Others",
            "Autres",
            "",
            "https:///path",
            "://x.example",
            "1http://x.example",
            "forum.example.net/a",
            "x//y",
        ] {
            assert!(!is_url(label), "{label}");
        }
    }
}
