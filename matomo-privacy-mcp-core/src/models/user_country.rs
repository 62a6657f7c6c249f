//! `UserCountry.*`: visits by continent, country, region and city.
//!
//! Place names are aggregate (an aggregate-only policy should still enforce a
//! minimum `nb_visits` per row for small towns). A city row's `lat`/`long`
//! come from one visit, rounded to about 100 m, so they are **pseudonymous**.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DimensionRow, Metric, Overlap};
use crate::Classified;

/// A continent or country row.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct CountryRow {
    /// The row: label is the country or continent name.
    #[serde(flatten)]
    pub row: DimensionRow,
    /// ISO country code (`de`) or continent code.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A region row ("Berlin, Germany").
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema, Classified)]
pub struct RegionRow {
    /// The row: label is "Region, Country".
    #[serde(flatten)]
    pub row: DimensionRow,
    /// Region code.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Region name.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    /// ISO country code.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Country name.
    #[privacy(aggregate)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_name: Option<String>,
}

classified_fields! {
    /// A city row ("Amsterdam, Noord-Holland, Netherlands"), with coordinates.
    pub struct CityRow {
        /// The row with its region and country.
        #[serde(flatten)]
        pub row: RegionRow,
        /// City name.
        #[privacy(aggregate)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub city_name: Option<String>,
        /// Latitude of one visit in the city, 3 decimals.
        (pseudonymous) lat: Metric,
        /// Longitude of one visit in the city, 3 decimals.
        (pseudonymous) long: Metric,
    }
}

report! {
    /// `UserCountry.getContinent`: visits per continent.
    GetContinent = "UserCountry.getContinent" => Vec<CountryRow>;
    /// `UserCountry.getCountry`: visits per country.
    GetCountry = "UserCountry.getCountry", overlap = Overlap::None => Vec<CountryRow>;
    /// `UserCountry.getRegion`: visits per region.
    GetRegion = "UserCountry.getRegion" => Vec<RegionRow>;
    /// `UserCountry.getCity`: visits per city (pseudonymous coordinates).
    GetCity = "UserCountry.getCity", overlap = Overlap::None => Vec<CityRow>;
}
