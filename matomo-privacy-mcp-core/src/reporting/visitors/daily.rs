//! Distinct visitors known without asking Matomo: a lower bound from the daily counts a row of a
//! week, month, year or range already carries (`sum_daily_nb_uniq_visitors`).
//!
//! Every segment Matomo is asked to count makes it archive that segment over the whole period
//! from raw visits (about a second for a month of 45,000 visits), while the report's own rows
//! come from archives it already holds. A row that this bound proves needs no segment.

use crate::params::{Date, Period};
use crate::privacy::Reveal;
use crate::reporting::SourceRow;
use crate::segment::{Operator, Segment};

/// The device types Matomo 5.0.2 writes a segment for, `deviceType==<name>`: device-detector's
/// 14 (`AbstractDeviceParser::$deviceTypes`), each one archived number with a label of its own
/// after the API's `GroupBy` (the proof is at
/// [`day_counts_are_distinct`](crate::models::summed::day_counts_are_distinct)). Any other value
/// of `deviceType` (a name a later Matomo adds, whose label nobody checked) is not believed.
///
/// Each with its English label (`lang/en.json`), which the row must carry: `GroupBy` joins rows
/// by their *translated* labels, and in some languages two types share one (Norwegian Bokmål
/// translates both "Smartphone" and "Feature phone" as "Smarttelefon", so that row adds up
/// both); in English the 14 labels and "Unknown" are all different. A row in another language
/// is counted by its segment instead.
const DEVICE_TYPES: &[(&str, &str)] = &[
    ("desktop", "Desktop"),
    ("smartphone", "Smartphone"),
    ("tablet", "Tablet"),
    ("feature phone", "Feature phone"),
    ("console", "Console"),
    ("tv", "Tv"),
    ("car browser", "Car browser"),
    ("smart display", "Smart display"),
    ("camera", "Camera"),
    ("portable media player", "Portable media player"),
    ("phablet", "Phablet"),
    ("smart speaker", "Smart speaker"),
    ("wearable", "Wearable"),
    ("peripheral", "Peripheral"),
];

/// Whether `segment` is an OS version row's (`operatingSystemCode==X;operatingSystemVersion==v`)
/// that Matomo 5.0.2 archived as one row, its API joining no other into it
/// ([`os_versions::one_archived_row`](super::os_versions::one_archived_row)).
fn one_os_version(segment: &Segment) -> bool {
    let mut code = None;
    let mut version = None;
    for group in segment.groups() {
        let [condition] = group.as_slice() else {
            return false;
        };
        if condition.operator() != Operator::Equals {
            return false;
        }
        let slot = match condition.dimension() {
            "operatingSystemCode" => &mut code,
            "operatingSystemVersion" => &mut version,
            _ => return false,
        };
        if slot.replace(condition.value()).is_some() {
            return false;
        }
    }
    matches!((code, version), (Some(code), Some(version)) if super::os_versions::one_archived_row(code, version))
}

/// Whether a condition's value names one archived row of its dimension, for a row labelled
/// `label`: any value, but for `deviceType`, whose API joins rows by their translated labels,
/// only the names of [`DEVICE_TYPES`] on a row with their English label.
fn one_archived_value(dimension: &str, value: &str, label: &str) -> bool {
    let name = value.replace('+', " ");
    dimension != "deviceType"
        || DEVICE_TYPES
            .iter()
            .any(|&(known, english)| known == name && english == label)
}

/// A lower bound on the distinct visitors behind one of Matomo's rows of a report over
/// `period` at `date`, from Matomo's sum of the row's daily distinct visitors; 0 when the row
/// carries none (a day, a row code wrote, a summed "Others" row) or its daily counts may count
/// one visitor twice in a day ([`counts_each_visitor_once_a_day`]).
///
/// Proof. Let `P` be the row's visitors and `D` the days of the period
/// ([`Date::max_days`]: never fewer than the period spans, so at least the days on which the
/// row has visits). Matomo's count for the row on day `d` is `|P_d|`, the distinct visitors of
/// the row's visits that day, and `P_d ⊆ P`. Its sum over the days is
/// `Σ_d |P_d| = Σ_{p ∈ P} #{d : p ∈ P_d} ≤ |P| · D`, since each visitor is in at most one
/// `P_d` per day. So `|P| ≥ Σ_d |P_d| / D`, and as `|P|` is whole, `|P| ≥ ⌈Σ_d |P_d| / D⌉`.
/// The bound never exceeds the truth; it is weak for small rows (a month row needs a daily sum
/// above `30 · (k − 1)` to reach `k`), which are then asked of Matomo as before.
///
/// A range's or a year's sum is built from its days', weeks' and months' (each one a sum of
/// days), so it is still a sum of daily counts, one per day of the period.
pub(crate) fn from_daily_counts(row: &SourceRow, period: Period, date: Date) -> u64 {
    if period == Period::Day || !counts_each_visitor_once_a_day(row) {
        return 0;
    }
    let Some(sum) = row.daily_visitors() else {
        return 0;
    };
    sum.div_ceil(u64::from(date.max_days(period).max(1)))
}

/// [`from_daily_counts`] for a row of a finer report that Matomo archives one row per value and
/// day (a city, a browser version, a language code; checked by the caller,
/// [`finer`](super::finer)), each day's count a distinct count of the row's visitors, so that the
/// same proof holds.
pub(crate) fn from_part_counts(row: &SourceRow, period: Period, date: Date) -> u64 {
    if period == Period::Day {
        return 0;
    }
    row.daily_visitors().map_or(0, |sum| {
        sum.div_ceil(u64::from(date.max_days(period).max(1)))
    })
}

#[cfg(test)]
use crate::models::summed::day_counts_are_distinct;

/// The shapes of row segment (the dimensions of its ANDed `==` conditions) of the rows Matomo
/// 5.0.2 archives one group of one query each, with a `COUNT(DISTINCT idvisitor)` a day: the rows
/// of the reports of [`DISTINCT`](crate::models::summed) (page reports, hours, resolutions,
/// browser versions, cities, device types), checked in the same sources; and the OS versions
/// Matomo's API joins with no other row ([`one_os_version`]).
const DISTINCT_ROW_SHAPES: &[&[&str]] = &[
    &["pageUrl"],
    &["pageTitle"],
    &["entryPageUrl"],
    &["entryPageTitle"],
    &["exitPageUrl"],
    &["exitPageTitle"],
    &["outlinkUrl"],
    &["downloadUrl"],
    &["visitStartServerHour"],
    &["visitLocalHour"],
    &["deviceType"],
    &["resolution"],
    &["browserCode", "browserVersion"],
    &["city", "countryCode", "regionCode"],
];

/// Whether Matomo's `nb_uniq_visitors` of a day's row counts each of the row's visitors once, so
/// that the threshold may believe it, as far as the row's segment tells (the report's own rule is
/// [`day_counts_are_distinct`](crate::models::summed::day_counts_are_distinct)): an allow-list,
/// so that a row nobody checked is never believed, even read without a report's name
/// (`report_from_body`). Only a row whose segment is ANDed `==` conditions of one of
/// [`DISTINCT_ROW_SHAPES`], and not China's (`countryCode==cn`, to which Matomo's city report
/// adds the rows of the obsolete code `ti`). Not, for instance:
/// - a row without a segment (Matomo's city row of every visit without a city, added up across
///   countries and regions, has none; neither has a row written in code);
/// - a referrer row, whose day count Matomo 5.0.2 adds up from its counts per referrer keyword
///   and URL (Google on 2026-11-27 of the realistic month: 521, for 495 people);
/// - a row whose segment joins several conditions with an OR (`languageCode==en,languageCode=@en-`):
///   Matomo writes such a segment for a row it added up from several archived rows;
/// - a country or a region (added up from its cities), an event category (from its actions and
///   names), a device type Matomo's API may have joined with others (any but the names of
///   [`DEVICE_TYPES`]), a custom dimension's value.
///
/// Such a row is counted by its segment instead, as a row of a longer period is.
pub(crate) fn day_count_is_distinct(row: &SourceRow) -> bool {
    let Some(text) = row.segment.as_ref() else {
        return false;
    };
    let Ok(segment) = Segment::parse(text.reveal_text()) else {
        return false;
    };
    if one_os_version(&segment) {
        return true;
    }
    let mut dimensions = Vec::new();
    for group in segment.groups() {
        let [condition] = group.as_slice() else {
            return false;
        };
        let china = condition.dimension() == "countryCode" && condition.value() == "cn";
        if condition.operator() != Operator::Equals
            || china
            || !one_archived_value(
                condition.dimension(),
                condition.value(),
                row.label.reveal_text(),
            )
        {
            return false;
        }
        dimensions.push(condition.dimension());
    }
    dimensions.sort_unstable();
    DISTINCT_ROW_SHAPES
        .iter()
        .any(|shape| shape.iter().copied().eq(dimensions.iter().copied()))
}

/// Whether Matomo's daily distinct counts of this row are counts of distinct visitors of the
/// row's visits, one a day: exactly the rows whose day count is believed
/// ([`day_count_is_distinct`]), since a week's, a month's or a range's row of those reports is
/// Matomo's sum of the same row's day counts (its archives add each day's row of one label into
/// the period's; a day on which the row was cut into "Others" adds nothing, which only lowers the
/// sum). Not the rows Matomo adds up from several (referrers, countries, languages, every report
/// off the allow-list), nor a segment with an OR.
fn counts_each_visitor_once_a_day(row: &SourceRow) -> bool {
    day_count_is_distinct(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minimise::Metrics;
    use crate::privacy::Identifying;

    /// A row as the client reads it from Matomo's answer (its counts believed).
    fn matomo_row(segment: &str, sum_daily: u64) -> SourceRow {
        labelled_row("x", segment, sum_daily)
    }

    /// [`matomo_row`] labelled `label`.
    fn labelled_row(label: &str, segment: &str, sum_daily: u64) -> SourceRow {
        let body = format!(
            r#"[{{"label":"{label}","nb_visits":{sum_daily},"sum_daily_nb_uniq_visitors":{sum_daily},"segment":"{segment}"}}]"#
        );
        let mut rows: Vec<SourceRow> =
            crate::models::answer::matomo_answer(|| crate::models::decode(body.as_bytes()))
                .unwrap();
        rows.remove(0)
    }

    fn november() -> Date {
        "2026-11-01".parse().unwrap()
    }

    /// The distinct visitors `row`, a month row for November 2026, proves by its daily sum.
    fn proven_in_november(row: &SourceRow) -> u64 {
        from_daily_counts(row, Period::Month, november())
    }

    /// Checks that a November row of each of `segments`, with a daily sum of `sum_daily`, proves
    /// `proven` visitors, and (when `distinct` is given) whether its day count is believed.
    fn assert_rows_prove(segments: &[&str], sum_daily: u64, proven: u64, distinct: Option<bool>) {
        for segment in segments {
            let row = matomo_row(segment, sum_daily);
            assert_eq!(proven_in_november(&row), proven, "{segment}");
            if let Some(distinct) = distinct {
                assert_eq!(day_count_is_distinct(&row), distinct, "{segment}");
            }
        }
    }

    #[test]
    fn a_month_row_is_known_by_its_daily_sum_over_thirty_days() {
        let row = matomo_row("visitStartServerHour==13", 121);
        assert_eq!(proven_in_november(&row), 5);
        let row = matomo_row("visitStartServerHour==13", 120);
        assert_eq!(proven_in_november(&row), 4);
        let week = matomo_row("pageUrl==https%253A%252F%252Fshop.example.test%252F", 35);
        assert_eq!(from_daily_counts(&week, Period::Week, november()), 5);
        // Every row whose day count is believed, local hours included (their segment is
        // `visitLocalHour`, which the list this replaced named `visitStartLocalHour`).
        let believed = [
            "visitLocalHour==13",
            "resolution==1920x1080",
            "browserCode==CH;browserVersion==131.0",
            "city==Berlin;regionCode==BE;countryCode==de",
            "outlinkUrl==https%253A%252F%252Fexample.org%252F",
        ];
        assert_rows_prove(&believed, 121, 5, None);
    }

    #[test]
    fn a_known_device_type_is_known_by_its_daily_sum() {
        for (segment, label) in [
            ("deviceType==smartphone", "Smartphone"),
            ("deviceType==car+browser", "Car browser"),
        ] {
            let row = labelled_row(label, segment, 121);
            assert_eq!(proven_in_november(&row), 5, "{segment}");
            assert!(day_count_is_distinct(&row), "{segment}");
        }
        // Labelled in another language, two types may share a label and a row.
        let norwegian = labelled_row("Smarttelefon", "deviceType==smartphone", 10_000);
        assert_eq!(proven_in_november(&norwegian), 0);
        assert!(!day_count_is_distinct(&norwegian));
        // A value of no known type may be Matomo's "Unknown", a sum of several numbers.
        let unknown = ["deviceType==unknown", "deviceType==hologram"];
        assert_rows_prove(&unknown, 10_000, 0, Some(false));
    }

    #[test]
    fn an_os_version_no_other_is_joined_into_is_known_by_its_daily_sum() {
        let alone = [
            "operatingSystemCode==AND;operatingSystemVersion==14",
            "operatingSystemVersion==10.15;operatingSystemCode==MAC",
            "operatingSystemCode==LIN;operatingSystemVersion==",
        ];
        assert_rows_prove(&alone, 121, 5, Some(true));
        let ios = matomo_row("operatingSystemCode==IOS;operatingSystemVersion==18.1", 121);
        assert!(!day_count_is_distinct(&ios));
    }

    #[test]
    fn rows_whose_daily_counts_are_sums_prove_nothing() {
        let sums = [
            "referrerType==search;referrerName==Google",
            "referrerName==forum.example.org",
            "languageCode==en,languageCode=@en-",
            "operatingSystemCode==IPA;operatingSystemVersion==17.1",
            "operatingSystemCode==IOS;operatingSystemVersion==17.1",
            "operatingSystemCode==WIN;operatingSystemVersion==10",
            "operatingSystemCode==AND",
            "operatingSystemCode==AND;operatingSystemVersion==14;deviceType==tablet",
            "countryCode==cn",
            "countryCode==de",
            "regionCode==BE;countryCode==de",
            "pageUrl=@shop",
        ];
        assert_rows_prove(&sums, 10_000, 0, None);
    }

    #[test]
    fn only_counts_read_from_matomo_prove_anything() {
        let mut written = SourceRow::new(
            Identifying::new("x".to_owned()),
            Metrics::new().with("sum_daily_nb_uniq_visitors", 10_000.0),
        );
        written.segment = Some(Identifying::new("pageUrl==x".to_owned()));
        assert_eq!(proven_in_november(&written), 0);
        let summed = matomo_row("pageUrl==x", 10_000).into_summary();
        assert_eq!(proven_in_november(&summed), 0);
        let day = matomo_row("pageUrl==x", 10_000);
        assert_eq!(from_daily_counts(&day, Period::Day, november()), 0);
    }

    #[test]
    fn a_referrer_rows_day_count_is_not_believed() {
        for segment in [
            "referrerType==search;referrerName==Google",
            "referrerName==forum.example.org",
            "referrerType==campaign;referrerName==spring",
        ] {
            assert!(!day_count_is_distinct(&matomo_row(segment, 9)), "{segment}");
        }
        for segment in ["resolution==1920x1080", "pageUrl==x"] {
            assert!(day_count_is_distinct(&matomo_row(segment, 9)), "{segment}");
        }
    }

    #[test]
    fn a_row_matomo_added_up_is_not_believed_by_its_segment() {
        for segment in [
            "languageCode==en,languageCode=@en-",
            "countryCode==cn",
            "countryCode==us",
            "regionCode==CA;countryCode==us",
            "city==Beijing;regionCode==22;countryCode==cn",
            "eventCategory==Videos",
            "deviceType==unknown",
            "deviceType==smartphone,deviceType==tablet",
            "dimension1==gold",
            "pageUrl=^https%253A%252F%252Fshop.example.test%252Fp",
        ] {
            assert!(!day_count_is_distinct(&matomo_row(segment, 9)), "{segment}");
        }
        // Matomo's city row of every visit without a city carries no segment.
        let body = r#"[{"label":"Unknown","nb_visits":9,"nb_uniq_visitors":9}]"#;
        let unknown: Vec<SourceRow> =
            crate::models::answer::matomo_answer(|| crate::models::decode(body.as_bytes()))
                .unwrap();
        assert!(!day_count_is_distinct(&unknown[0]));
        assert!(day_count_is_distinct(&matomo_row(
            "city==Berlin;regionCode==BE;countryCode==de",
            9
        )));
    }

    #[test]
    fn reports_matomo_adds_up_when_asked_prove_nothing_by_their_counts() {
        for method in [
            "UserCountry.getCountry",
            "UserCountry.getRegion",
            "Referrers.getReferrerType",
            "DevicesDetection.getOsFamilies",
            "DevicesDetection.getBrowsers",
            "UserLanguage.getLanguage",
            "UserCountry.getContinent",
            "UserLanguage.getLanguageCode",
            "Events.getCategory",
            "CustomDimensions.getCustomDimension",
            "SomePlugin.getSomething",
        ] {
            assert!(!day_counts_are_distinct(method), "{method}");
        }
        for method in [
            "DevicesDetection.getBrowserVersions",
            "DevicesDetection.getType",
            "DevicesDetection.getOsVersions",
            "Resolution.getResolution",
            "UserCountry.getCity",
            "Actions.getPageUrls",
        ] {
            assert!(day_counts_are_distinct(method), "{method}");
        }
    }
}
