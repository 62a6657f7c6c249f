//! `DevicesDetection.*`, `Resolution.*`, `UserLanguage.*`: visits per device
//! property. Labels come from fixed vocabularies, so everything is aggregate.

use super::{DimensionRow, Overlap};

report! {
    /// `DevicesDetection.getType`: desktop, smartphone, tablet, ….
    GetType = "DevicesDetection.getType", overlap = Overlap::None => Vec<DimensionRow>;
    /// `DevicesDetection.getBrowsers`: browser names.
    GetBrowsers = "DevicesDetection.getBrowsers", overlap = Overlap::None => Vec<DimensionRow>;
    /// `DevicesDetection.getOsFamilies`: operating system families.
    GetOsFamilies = "DevicesDetection.getOsFamilies" => Vec<DimensionRow>;
    /// `DevicesDetection.getOsVersions`: operating systems with versions.
    GetOsVersions = "DevicesDetection.getOsVersions", overlap = Overlap::None => Vec<DimensionRow>;
    /// `DevicesDetection.getModel`: device brand and model.
    GetModel = "DevicesDetection.getModel" => Vec<DimensionRow>;
    /// `Resolution.getResolution`: screen resolutions.
    GetResolution = "Resolution.getResolution" => Vec<DimensionRow>;
    /// `UserLanguage.getLanguage`: browser languages.
    GetLanguage = "UserLanguage.getLanguage" => Vec<DimensionRow>;
    /// `UserLanguage.getLanguageCode`: browser languages with their region
    /// ("German - Germany (de-de)").
    GetLanguageCode = "UserLanguage.getLanguageCode" => Vec<DimensionRow>;
    /// `DevicesDetection.getBrand`: device manufacturers.
    GetBrand = "DevicesDetection.getBrand" => Vec<DimensionRow>;
    /// `DevicesDetection.getBrowserVersions`: browsers with their version ("Chrome 119.0").
    GetBrowserVersions = "DevicesDetection.getBrowserVersions" => Vec<DimensionRow>;
    /// `DevicesDetection.getBrowserEngines`: rendering engines (Blink, Gecko, WebKit).
    GetBrowserEngines = "DevicesDetection.getBrowserEngines" => Vec<DimensionRow>;
    /// `Resolution.getConfiguration`: operating system, browser and screen together
    /// ("Windows / Chrome / 1920x1080").
    GetConfiguration = "Resolution.getConfiguration" => Vec<DimensionRow>;
}
