//! Matomo 5.0.2's reports whose rows are sums of rows it archived apart, so that their distinct
//! counts may count one visitor twice. Known here, below the client and the reporting, because
//! the client decodes such a report's rows without those counts
//! ([`matomo_answer_of`](super::answer::matomo_answer_of)) and the reporting's proofs read the
//! same list.

/// The reports whose rows Matomo 5.0.2 adds up from rows it archived apart, so that a row's
/// `nb_uniq_visitors` (and `sum_daily_nb_uniq_visitors`) is a sum of its parts' distinct
/// counts, and one visitor behind two parts on one day counts twice (read in its sources and
/// checked against it by the testkit's conformance test, which compares both counts):
///
/// - while archiving (`sumRowWithLabel` in a plugin's `RecordBuilders`): countries and regions
///   from the rows per country, region and city (`UserCountry/RecordBuilders/Locations.php`),
///   and every referrer report from the rows per type, name, keyword and URL (referrer rows
///   are also recognised by their segment, `reporting::visitors::daily::day_count_is_distinct`);
///
/// and when asked, by `filter('GroupBy', …)` in each plugin's `API.php`:
///
/// - operating system families from OS codes (`getOsFamilies`: iOS from `IOS` and iPadOS
///   `IPA`, Windows from its legacy codes), OS versions by name (`getOsVersions`: "iOS 17.1"
///   from iOS and iPadOS 17.1), configurations by OS, browser and screen names
///   (`Resolution.getConfiguration`);
/// - browsers by name (`getBrowsers`: every code Matomo does not know becomes one "Unknown"),
///   engines, device types, brands and models whose unknown codes become one "Unknown";
/// - languages from language codes (`UserLanguage.getLanguage`: English from `en`, `en-us`,
///   `en-gb`…; its row segment `languageCode==en,languageCode=@en-` is an OR for that reason);
/// - continents from countries (`UserCountry.getContinent`);
/// - social networks from referrer URLs (`Referrers.getSocials`).
///
/// Weekdays (`VisitTime.getByDayOfWeek`) are sums of days beyond a week, and the report tool
/// serves them for days and weeks only, where each row is one day.
///
/// Not listed, as each of their rows is one archived row: `getBrowserVersions`
/// (`ColumnCallbackReplace` only), `UserLanguage.getLanguageCode`, `Resolution.getResolution`,
/// and cities (one per country, region and city; the `GroupBy` of `getCity` joins only the
/// obsolete code `ti` into `cn`, and a row with `countryCode==cn` is not believed,
/// `reporting::visitors::daily::day_count_is_distinct`).
const SUMMED: &[&str] = &[
    "UserCountry.getCountry",
    "UserCountry.getRegion",
    "Referrers.getReferrerType",
    "Referrers.getAll",
    "Referrers.getSearchEngines",
    "Referrers.getKeywords",
    "Referrers.getWebsites",
    "Referrers.getCampaigns",
    "DevicesDetection.getType",
    "DevicesDetection.getBrand",
    "DevicesDetection.getModel",
    "DevicesDetection.getOsFamilies",
    "DevicesDetection.getOsVersions",
    "DevicesDetection.getBrowsers",
    "DevicesDetection.getBrowserEngines",
    "Resolution.getConfiguration",
    "UserLanguage.getLanguage",
    "UserCountry.getContinent",
    "Referrers.getSocials",
];

/// Whether the distinct counts Matomo 5.0.2 sends with the rows of report `method` count each
/// visitor of a row once: not for the reports of [`SUMMED`], whose rows are sums of rows
/// archived apart. Their rows are counted by their segments instead (where they have one; a
/// row without one stays unproven).
pub(crate) fn day_counts_are_distinct(method: &str) -> bool {
    !SUMMED.contains(&method)
}
