//! A row's distinct visitors known from a finer report's rows, without a segment.
//!
//! Matomo 5.0.2 adds some rows up from rows it archived apart, and their distinct counts with
//! them, so those counts are not believed ([`day_counts_are_distinct`](crate::models::summed::day_counts_are_distinct)): a country from
//! its cities (`UserCountry/RecordBuilders/Locations.php` archives country, region and city
//! together), a browser from its codes (`GroupBy` on the name in `getBrowsers`). A finer report
//! lists the parts one archived row each (cities, browser versions), each day's count a distinct
//! count: one request of plain archives proves what the summed counts no longer can.
//!
//! Proof. Every visit of a part is a visit of the row it is added into: a city's visits are
//! visits of its region and its country (its segment is equalities on all three); a browser
//! version's (`browserCode==CH;browserVersion==119.0`) are visits of code `CH`, whose archived row
//! `getBrowsers` adds into the row it returns with the segment `browserCode==CH` (`GroupBy` keeps
//! the first row's segment, and `CH`'s own row is in the group of its name). So a part's
//! visitors are among the row's, and a lower bound on a part's visitors (its day count, or
//! [`daily::from_daily_counts`]'s over a longer period) is one on the row's, and so is the
//! largest over its parts. Both reports are asked for the same period and segment. China is left
//! out: Matomo adds the obsolete code `ti` into `cn` in its city rows too.
//!
//! Two reports whose rows carry no segment are known by their labels the same way: a continent
//! by its largest city (`getContinent` joins the country rows by `Common::getContinent`, so a
//! city's visits are visits of its country's continent: [`continents`](super::continents)), an
//! OS family by its largest OS version (`getOsFamilies` joins the rows archived per
//! `config_os` by `getOSFamilyFullName`, so an OS version's visits are visits of its code's
//! family), only the versions Matomo archived as one row with no other joined in
//! ([`os_versions`](super::os_versions): a joined row's count is a sum, not a part's visitors).
//!
//! Referrer websites and social networks are known by their largest URL row, which Matomo
//! archives in the name's subtable ([`referrer_urls`]: read embedded, `expanded=1`, where the
//! API joins none).
//!
//! Languages are not known by their codes: Matomo 5.0.2 archives a language code's row by adding
//! up the rows of every raw `Accept-Language` header that names it
//! (`UserLanguage/RecordBuilders/Languages.php`: `en-us,en;q=0.9` and `en-us` are both `en-us`), so
//! a code's day count is itself a sum, and its client decodes it without one
//! ([`DISTINCT`](crate::models::summed)).

use std::collections::BTreeMap;

use super::{continents, daily, os_versions, referrer_urls};
use crate::params::{Date, Period};
use crate::privacy::Reveal;
use crate::reporting::args::Request;
use crate::reporting::pipeline::fetch_rows_of;
use crate::reporting::{Deployment, SourceRow};
use crate::segment::{Operator, Segment};

/// Records on each of `rows` (Matomo's rows of report `method` for the request's period,
/// within `segment`) the visitors its parts prove: the rows of its finer report ([`Parts`]), or
/// a referrer website's or social network's URL rows ([`referrer_urls`]). One request of plain
/// archives instead of a segment per row; without it (an error, a report without parts), the
/// rows are counted by their segments as before.
pub(crate) async fn prove_by_parts(
    deployment: &Deployment,
    method: &str,
    request: &Request,
    segment: Option<&Segment>,
    rows: &mut [SourceRow],
) {
    if rows.is_empty() {
        return;
    }
    if let Some(finer) = finer_report(method)
        && let Ok(parts) =
            fetch_rows_of(deployment, finer, &[], request, false, segment, None).await
    {
        let parts = Parts::of(method, &parts, request.period, request.date);
        for row in rows.iter_mut() {
            row.prove_by_parts(parts.known(row));
        }
    }
    // Only a row of at least `k` visits can be proven by its URL rows (its visitors are at most
    // its visits, and a bound under `k` proves nothing): without one, the expanded tables (the
    // period's days' archives with their subtables) are not asked.
    let k = deployment.threshold.k();
    let reaching = rows
        .iter()
        .filter(|row| row.visits().is_some_and(|visits| visits.get() >= k))
        .count();
    if reaching > 0
        && let Some(groups) = referrer_urls::groups_per_url(method)
        && let Ok(expanded) =
            referrer_urls::expanded(deployment, method, request, segment, reaching).await
    {
        referrer_urls::UrlBounds::of(&expanded, groups).prove(rows);
    }
}

/// The finer report whose rows prove the rows of report `method`, if it has one.
pub(crate) fn finer_report(method: &str) -> Option<&'static str> {
    match method {
        "UserCountry.getCountry" | "UserCountry.getRegion" => Some("UserCountry.getCity"),
        "DevicesDetection.getBrowsers" => Some("DevicesDetection.getBrowserVersions"),
        "UserCountry.getContinent" => Some("UserCountry.getCity"),
        "DevicesDetection.getOsFamilies" => Some("DevicesDetection.getOsVersions"),
        _ => None,
    }
}

/// What a summed row's key is made of: its segment, or, for the reports whose rows Matomo sends
/// without one, its label, after this prefix.
fn label_key_prefix(method: &str) -> Option<&'static str> {
    match method {
        "UserCountry.getContinent" => Some("continent"),
        "DevicesDetection.getOsFamilies" => Some("os family"),
        _ => None,
    }
}

/// The largest lower bound known for any part of each row, by the row's key ([`row_key`]).
#[derive(Debug, Default)]
pub(crate) struct Parts {
    known: BTreeMap<String, u64>,
    /// For a report whose rows have no segment, the prefix of their keys by label.
    by_label: Option<&'static str>,
}

/// A segment's conditions by dimension, when it is one or more ANDed equalities.
fn equalities(segment: &Segment) -> Option<BTreeMap<&str, &str>> {
    segment
        .groups()
        .iter()
        .map(|group| match group.as_slice() {
            [condition] if condition.operator() == Operator::Equals => {
                Some((condition.dimension(), condition.value()))
            }
            _ => None,
        })
        .collect()
}

/// The keys of the rows a finer row is a part of: a city's country, region and continent, a
/// browser version's code, an OS version's family (only for a version Matomo archived as one
/// row with no other joined in).
fn part_keys(segment: &Segment) -> Vec<String> {
    let Some(conditions) = equalities(segment) else {
        return Vec::new();
    };
    let dimensions: Vec<&str> = conditions.keys().copied().collect();
    match dimensions.as_slice() {
        ["city", "countryCode", "regionCode"] => {
            let (country, region) = (conditions["countryCode"], conditions["regionCode"]);
            if country == "cn" {
                return Vec::new();
            }
            let mut keys = vec![
                format!("country {country}"),
                format!("region {country} {region}"),
            ];
            keys.extend(continents::of_country(country).map(|c| format!("continent {c}")));
            keys
        }
        ["browserCode", "browserVersion"] => vec![format!("browser {}", conditions["browserCode"])],
        ["operatingSystemCode", "operatingSystemVersion"] => {
            let (code, version) = (
                conditions["operatingSystemCode"],
                conditions["operatingSystemVersion"],
            );
            if !os_versions::one_archived_row(code, version) {
                return Vec::new();
            }
            os_versions::family(code)
                .map(|family| vec![format!("os family {family}")])
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// A summed row's key, matching its parts' ([`part_keys`]): `countryCode==us`,
/// `regionCode==CA;countryCode==us`, `browserCode==CH`.
fn row_key(segment: &Segment) -> Option<String> {
    let conditions = equalities(segment)?;
    let dimensions: Vec<&str> = conditions.keys().copied().collect();
    match dimensions.as_slice() {
        ["countryCode"] => Some(format!("country {}", conditions["countryCode"])),
        ["countryCode", "regionCode"] => Some(format!(
            "region {} {}",
            conditions["countryCode"], conditions["regionCode"]
        )),
        ["browserCode"] => Some(format!("browser {}", conditions["browserCode"])),
        _ => None,
    }
}

fn parsed(row: &SourceRow) -> Option<Segment> {
    Segment::parse(row.segment.as_ref()?.reveal_text()).ok()
}

impl Parts {
    /// The bounds of Matomo's finer rows for `period` at `date` (as the client read them: rows
    /// written in code or summed prove nothing), for the rows of report `method`.
    pub(crate) fn of(method: &str, finer: &[SourceRow], period: Period, date: Date) -> Self {
        let mut parts = Self {
            by_label: label_key_prefix(method),
            ..Self::default()
        };
        for row in finer {
            let Some(segment) = parsed(row) else {
                continue;
            };
            let known = match period {
                Period::Day => row.visitors().map_or(0, |v| v.get()),
                _ => daily::from_part_counts(row, period, date),
            };
            if known == 0 {
                continue;
            }
            for key in part_keys(&segment) {
                let bound = parts.known.entry(key).or_default();
                *bound = (*bound).max(known);
            }
        }
        parts
    }

    /// The visitors known behind a summed row from its parts; 0 for any other row.
    pub(crate) fn known(&self, row: &SourceRow) -> u64 {
        let key = match self.by_label {
            Some(prefix) => Some(format!("{prefix} {}", row.label.reveal_text())),
            None => parsed(row).and_then(|segment| row_key(&segment)),
        };
        key.and_then(|key| self.known.get(&key).copied())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(body: &str) -> Vec<SourceRow> {
        crate::models::answer::matomo_answer(|| crate::models::decode(body.as_bytes())).unwrap()
    }

    fn day() -> Date {
        "2026-11-20".parse().unwrap()
    }

    fn known(summed_method: &str, finer: &str, summed: &str) -> Vec<u64> {
        let parts = Parts::of(summed_method, &rows(finer), Period::Day, day());
        rows(summed).iter().map(|row| parts.known(row)).collect()
    }

    #[test]
    fn a_country_and_a_region_are_known_by_their_largest_city() {
        let cities = r#"[{"label":"Boston","nb_visits":9,"nb_uniq_visitors":7,"segment":"city==Boston;regionCode==MA;countryCode==us"},
                {"label":"Austin","nb_visits":4,"nb_uniq_visitors":3,"segment":"city==Austin;regionCode==TX;countryCode==us"},
                {"label":"Beijing","nb_visits":9,"nb_uniq_visitors":9,"segment":"city==Beijing;regionCode==22;countryCode==cn"}]"#;
        let report = r#"[{"label":"United States","nb_visits":13,"nb_uniq_visitors":11,"segment":"countryCode==us"},
                {"label":"Texas","nb_visits":4,"nb_uniq_visitors":3,"segment":"regionCode==TX;countryCode==us"},
                {"label":"China","nb_visits":9,"nb_uniq_visitors":9,"segment":"countryCode==cn"},
                {"label":"Germany","nb_visits":9,"nb_uniq_visitors":9,"segment":"countryCode==de"}]"#;
        assert_eq!(
            known("UserCountry.getCountry", cities, report),
            [7, 3, 0, 0]
        );
    }

    #[test]
    fn a_browser_is_known_by_its_largest_version() {
        let versions = r#"[{"label":"Chrome 119.0","nb_visits":9,"nb_uniq_visitors":6,"segment":"browserCode==CH;browserVersion==119.0"},
                {"label":"Chrome 120.0","nb_visits":9,"nb_uniq_visitors":8,"segment":"browserCode==CH;browserVersion==120.0"}]"#;
        let browsers = r#"[{"label":"Chrome","nb_visits":18,"segment":"browserCode==CH"},
                {"label":"Firefox","nb_visits":3,"segment":"browserCode==FF"}]"#;
        assert_eq!(
            known("DevicesDetection.getBrowsers", versions, browsers),
            [8, 0]
        );
    }

    #[test]
    fn a_continent_is_known_by_its_largest_city_and_an_os_family_by_its_largest_version() {
        let cities = r#"[{"label":"Boston","nb_visits":9,"nb_uniq_visitors":7,"segment":"city==Boston;regionCode==MA;countryCode==us"},
                {"label":"Toronto","nb_visits":9,"nb_uniq_visitors":8,"segment":"city==Toronto;regionCode==ON;countryCode==ca"},
                {"label":"Berlin","nb_visits":4,"nb_uniq_visitors":4,"segment":"city==Berlin;regionCode==BE;countryCode==de"},
                {"label":"Beijing","nb_visits":9,"nb_uniq_visitors":9,"segment":"city==Beijing;regionCode==22;countryCode==cn"}]"#;
        let continents = r#"[{"label":"North America","nb_visits":18},{"label":"Europe","nb_visits":4},
                {"label":"Asia","nb_visits":9},{"label":"Unknown","nb_visits":3}]"#;
        assert_eq!(
            known("UserCountry.getContinent", cities, continents),
            [8, 4, 0, 0]
        );
        // Not for a country row with such a label: countries are keyed by their segments.
        assert_eq!(
            known("UserCountry.getCountry", cities, continents),
            [0, 0, 0, 0]
        );
        let versions = r#"[{"label":"Android 14","nb_visits":9,"nb_uniq_visitors":6,"segment":"operatingSystemCode==AND;operatingSystemVersion==14"},
                {"label":"Android 13","nb_visits":9,"nb_uniq_visitors":7,"segment":"operatingSystemCode==AND;operatingSystemVersion==13"},
                {"label":"iOS 17.1","nb_visits":40,"nb_uniq_visitors":39,"segment":"operatingSystemCode==IPA;operatingSystemVersion==17.1"},
                {"label":"Windows 10","nb_visits":40,"nb_uniq_visitors":39,"segment":"operatingSystemCode==WIN;operatingSystemVersion==10"}]"#;
        let families = r#"[{"label":"Android","nb_visits":18},{"label":"iOS","nb_visits":40},
                {"label":"Windows","nb_visits":40}]"#;
        assert_eq!(
            known("DevicesDetection.getOsFamilies", versions, families),
            [7, 0, 0]
        );
    }

    #[test]
    fn only_parts_read_from_matomo_prove_anything() {
        let written: Vec<SourceRow> = serde_json::from_str(
            r#"[{"label":"Boston","nb_visits":9,"nb_uniq_visitors":7,"segment":"city==Boston;regionCode==MA;countryCode==us"}]"#,
        )
        .unwrap();
        let parts = Parts::of("UserCountry.getCountry", &written, Period::Day, day());
        let country = rows(r#"[{"label":"US","nb_visits":9,"segment":"countryCode==us"}]"#);
        assert_eq!(parts.known(&country[0]), 0);
    }
}
