//! A country's or a region's distinct visitors known from its cities, without a segment.
//!
//! Matomo 5.0.2 archives visits by country, region and city together and adds each of those
//! rows into its region's and its country's (`UserCountry/RecordBuilders/Locations.php`), so a
//! country's `nb_uniq_visitors` is a sum over its cities that may count one visitor twice, and is
//! not believed ([`daily::day_counts_are_distinct`]). A city's row is one archived row a day, its
//! day count a distinct count: the cities report, one request of plain archives, proves what the
//! countries' counts no longer can.
//!
//! Proof. A city row's visits are all visits of its region and its country (its segment is
//! `city==…;regionCode==…;countryCode==…`, each an equality on one archived row), so its
//! visitors are among theirs: a lower bound on the city's visitors (its day count, or
//! [`daily::from_daily_counts`] over a longer period) is one on its country's and its region's,
//! and so is the largest over its cities. Both reports are asked for the same period and
//! segment. China is left out: Matomo adds the obsolete code `ti` into `cn` in its city rows too.

use std::collections::BTreeMap;

use super::daily;
use crate::params::{Date, Period};
use crate::privacy::Reveal;
use crate::reporting::SourceRow;
use crate::segment::{Operator, Segment};

/// The report whose rows prove countries and regions.
pub(crate) const CITIES: &str = "UserCountry.getCity";

/// Whether the rows of `method` are proven by their cities.
pub(crate) fn proven_by_cities(method: &str) -> bool {
    matches!(method, "UserCountry.getCountry" | "UserCountry.getRegion")
}

/// The largest lower bound known for any city of each country and of each region.
#[derive(Debug, Default)]
pub(crate) struct Places {
    countries: BTreeMap<String, u64>,
    regions: BTreeMap<(String, String), u64>,
}

/// A row segment's `countryCode`, `regionCode` and `city` values, when it is only equalities
/// (ANDed) on location dimensions and names a country other than China.
fn place(row: &SourceRow) -> Option<(String, Option<String>, Option<String>)> {
    let segment = Segment::parse(row.segment.as_ref()?.reveal_text()).ok()?;
    let (mut country, mut region, mut city) = (None, None, None);
    for group in segment.groups() {
        let [condition] = group.as_slice() else {
            return None;
        };
        if condition.operator() != Operator::Equals {
            return None;
        }
        let slot = match condition.dimension() {
            "countryCode" => &mut country,
            "regionCode" => &mut region,
            "city" => &mut city,
            _ => return None,
        };
        *slot = Some(condition.value().to_owned());
    }
    let country = country.filter(|code| code != "cn")?;
    Some((country, region, city))
}

impl Places {
    /// The bounds of Matomo's city rows for `period` at `date` (as the client read them: rows
    /// written in code or summed prove nothing).
    pub(crate) fn of(cities: &[SourceRow], period: Period, date: Date) -> Self {
        let mut places = Self::default();
        for row in cities {
            let Some((country, Some(region), Some(_))) = place(row) else {
                continue;
            };
            let known = match period {
                Period::Day => row.visitors().map_or(0, |v| v.get()),
                _ => daily::from_city_counts(row, period, date),
            };
            if known == 0 {
                continue;
            }
            let by_country = places.countries.entry(country.clone()).or_default();
            *by_country = (*by_country).max(known);
            let by_region = places.regions.entry((country, region)).or_default();
            *by_region = (*by_region).max(known);
        }
        places
    }

    /// The visitors known behind a country's or a region's row from its cities; 0 for any other.
    pub(crate) fn known(&self, row: &SourceRow) -> u64 {
        match place(row) {
            Some((country, None, None)) => self.countries.get(&country).copied().unwrap_or(0),
            Some((country, Some(region), None)) => {
                self.regions.get(&(country, region)).copied().unwrap_or(0)
            }
            _ => 0,
        }
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

    #[test]
    fn a_country_and_a_region_are_known_by_their_largest_city() {
        let cities = rows(
            r#"[{"label":"Boston","nb_visits":9,"nb_uniq_visitors":7,"segment":"city==Boston;regionCode==MA;countryCode==us"},
                {"label":"Austin","nb_visits":4,"nb_uniq_visitors":3,"segment":"city==Austin;regionCode==TX;countryCode==us"},
                {"label":"Beijing","nb_visits":9,"nb_uniq_visitors":9,"segment":"city==Beijing;regionCode==22;countryCode==cn"}]"#,
        );
        let places = Places::of(&cities, Period::Day, day());
        let report = rows(
            r#"[{"label":"United States","nb_visits":13,"nb_uniq_visitors":11,"segment":"countryCode==us"},
                {"label":"Texas","nb_visits":4,"nb_uniq_visitors":3,"segment":"regionCode==TX;countryCode==us"},
                {"label":"China","nb_visits":9,"nb_uniq_visitors":9,"segment":"countryCode==cn"},
                {"label":"Germany","nb_visits":9,"nb_uniq_visitors":9,"segment":"countryCode==de"}]"#,
        );
        let known: Vec<u64> = report.iter().map(|row| places.known(row)).collect();
        assert_eq!(known, [7, 3, 0, 0]);
    }

    #[test]
    fn only_cities_read_from_matomo_prove_anything() {
        let written: Vec<SourceRow> = serde_json::from_str(
            r#"[{"label":"Boston","nb_visits":9,"nb_uniq_visitors":7,"segment":"city==Boston;regionCode==MA;countryCode==us"}]"#,
        )
        .unwrap();
        let places = Places::of(&written, Period::Day, day());
        let country = rows(r#"[{"label":"US","nb_visits":9,"segment":"countryCode==us"}]"#);
        assert_eq!(places.known(&country[0]), 0);
    }
}
