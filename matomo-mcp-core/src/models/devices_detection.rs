//! `DevicesDetection.*`, `Resolution.*`, `UserLanguage.*`: visits per device
//! property. Labels come from fixed vocabularies, so everything is aggregate.

use super::DimensionRow;

report! {
    /// `DevicesDetection.getType`: desktop, smartphone, tablet, ….
    GetType = "DevicesDetection.getType" => Vec<DimensionRow>;
    /// `DevicesDetection.getBrowsers`: browser names.
    GetBrowsers = "DevicesDetection.getBrowsers" => Vec<DimensionRow>;
    /// `DevicesDetection.getOsFamilies`: operating system families.
    GetOsFamilies = "DevicesDetection.getOsFamilies" => Vec<DimensionRow>;
    /// `DevicesDetection.getOsVersions`: operating systems with versions.
    GetOsVersions = "DevicesDetection.getOsVersions" => Vec<DimensionRow>;
    /// `DevicesDetection.getModel`: device brand and model.
    GetModel = "DevicesDetection.getModel" => Vec<DimensionRow>;
    /// `Resolution.getResolution`: screen resolutions.
    GetResolution = "Resolution.getResolution" => Vec<DimensionRow>;
    /// `UserLanguage.getLanguage`: browser languages.
    GetLanguage = "UserLanguage.getLanguage" => Vec<DimensionRow>;
}
