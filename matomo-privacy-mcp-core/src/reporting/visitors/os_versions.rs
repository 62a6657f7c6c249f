//! The operating system versions whose row Matomo 5.0.2 archives as one group, and the family
//! each belongs to: what lets an OS version's day count, and an OS family's lower bound, be
//! believed without a segment (`daily`, `finer`).
//!
//! Matomo archives `DevicesDetection.getOsVersions` one group per `CONCAT(config_os, ';',
//! COALESCE(config_os_version, ''))` (`Archiver::OS_VERSION_FIELD` through `Base.php`'s
//! `queryVisitsByDimension`, each group's `COUNT(DISTINCT idvisitor)`), then its API joins rows
//! by `getOsFullName` (`functions.php`): the code's first three characters mapped by
//! `_mapLegacyOsShortCodes` (iPadOS `IPA`, a current code, into `IOS`; Maemo `MAE` into `SMG`;
//! Windows codes of before 2015, `WI7`…, into `WIN`), named by `OperatingSystem::getNameFromId`
//! (`trim(name . ' ' . version)`, the version cut to 15 characters). Two archived rows `X;v` and
//! `Y;w` are joined exactly when their names are equal. A row whose segment is
//! `operatingSystemCode==X;operatingSystemVersion==v` (`AddSegmentByLabel`, from its own label;
//! `GroupBy` keeps the first row's) is one archived row when:
//!
//! - `X` is one of [`CODES`]: device-detector's codes of Matomo 5.0.2 but those the legacy map
//!   maps from or into (`IPA`, `MAE`, `IOS`, `WII`, `NDS`, `PSP`, `SMG`, `WIN`), and those whose
//!   name is another's followed by a word (`ADR` "Android TV" after "Android", `CST`, `SYS`,
//!   `S40`, `S60`, `WCE`, `WIO`, `WMO`, `WPH`, `WRT`): every name of 5.0.2 is its code's own
//!   (checked with its `OperatingSystem::getAvailableOperatingSystems`), so no other code is
//!   named `X`'s name, and no other code's name plus a version is `X`'s name plus one;
//! - `v` is empty or digits and dots of at most 14 characters: the cut to 15 changes nothing,
//!   and another version of `X` is named alike only if it is `v` followed by blanks, which
//!   device-detector never writes (`AbstractParser::buildVersion` trims them).
//!
//! Windows (`WIN`) is left out although its rows of today are single: a visit stored by a
//! Piwik of before 2015 with a legacy Windows code and a version would join them, and nothing in
//! the answer says when the visits were tracked. iOS rows are joined with iPadOS ones today.

/// [`one_archived_row`]'s codes, each with the family `getOsFamilies` puts it in
/// (`OperatingSystem::getOsFamily`, English; `None` for "Gaming Console", which Matomo translates).
/// Generated from Matomo 5.0.2's device-detector (`OperatingSystem::$operatingSystems`,
/// `$osFamilies`).
const CODES: &[(&str, Option<&str>)] = &[
    ("AIX", Some("Unix")),
    ("AMG", Some("AmigaOS")),
    ("AMZ", Some("GNU/Linux")),
    ("AND", Some("Android")),
    ("ARL", Some("GNU/Linux")),
    ("ATV", Some("iOS")),
    ("BEO", Some("BeOS")),
    ("BLB", Some("BlackBerry")),
    ("BMP", Some("Brew")),
    ("BOS", Some("Android")),
    ("BSD", Some("Unix")),
    ("BTR", Some("GNU/Linux")),
    ("CAI", Some("GNU/Linux")),
    ("CES", Some("GNU/Linux")),
    ("CHN", Some("GNU/Linux")),
    ("CLR", Some("Android")),
    ("COS", Some("Chrome OS")),
    ("CRS", Some("Chrome OS")),
    ("CYN", Some("Android")),
    ("DEB", Some("GNU/Linux")),
    ("DEE", Some("GNU/Linux")),
    ("DFB", Some("Unix")),
    ("DVK", Some("GNU/Linux")),
    ("FED", Some("GNU/Linux")),
    ("FEN", Some("GNU/Linux")),
    ("FIR", Some("Android")),
    ("FOR", Some("GNU/Linux")),
    ("FOS", Some("Firefox OS")),
    ("FRE", Some("GNU/Linux")),
    ("FUC", Some("GNU/Linux")),
    ("FYD", Some("Chrome OS")),
    ("GNT", Some("GNU/Linux")),
    ("GRI", Some("Android")),
    ("GTV", Some("Google TV")),
    ("HAI", Some("BeOS")),
    ("HAR", Some("Android")),
    ("HAS", Some("GNU/Linux")),
    ("HPX", Some("Unix")),
    ("INF", Some("Unix")),
    ("IRI", Some("Unix")),
    ("JME", Some("Real-time OS")),
    ("KAL", Some("GNU/Linux")),
    ("KAN", Some("GNU/Linux")),
    ("KBT", Some("GNU/Linux")),
    ("KNO", Some("GNU/Linux")),
    ("KOS", Some("Firefox OS")),
    ("KTV", Some("GNU/Linux")),
    ("LBT", Some("GNU/Linux")),
    ("LEN", Some("Android")),
    ("LIN", Some("GNU/Linux")),
    ("LND", Some("GNU/Linux")),
    ("LNS", Some("GNU/Linux")),
    ("LOS", Some("GNU/Linux")),
    ("LUN", Some("Other Mobile")),
    ("MAC", Some("Mac")),
    ("MAG", Some("GNU/Linux")),
    ("MCD", Some("Android")),
    ("MDR", Some("GNU/Linux")),
    ("MIN", Some("GNU/Linux")),
    ("MLD", Some("Android")),
    ("MON", Some("GNU/Linux")),
    ("MOR", Some("AmigaOS")),
    ("MRE", Some("Real-time OS")),
    ("MTK", Some("Real-time OS")),
    ("NBS", Some("Unix")),
    ("NOV", Some("GNU/Linux")),
    ("OBS", Some("Unix")),
    ("ORA", Some("GNU/Linux")),
    ("ORD", Some("GNU/Linux")),
    ("OS2", Some("IBM")),
    ("OTV", Some("GNU/Linux")),
    ("OWR", Some("GNU/Linux")),
    ("PAR", Some("GNU/Linux")),
    ("PCL", Some("GNU/Linux")),
    ("PIC", Some("Android")),
    ("PLA", Some("GNU/Linux")),
    ("POS", Some("Other Mobile")),
    ("PS3", None),
    ("PUR", Some("GNU/Linux")),
    ("QNX", Some("BlackBerry")),
    ("RED", Some("GNU/Linux")),
    ("REM", Some("Android")),
    ("REV", Some("Android")),
    ("REX", Some("Real-time OS")),
    ("RHT", Some("GNU/Linux")),
    ("ROK", Some("GNU/Linux")),
    ("ROS", Some("RISC OS")),
    ("ROU", Some("GNU/Linux")),
    ("RRS", Some("Android")),
    ("RSO", Some("GNU/Linux")),
    ("RZD", Some("Android")),
    ("SAB", Some("GNU/Linux")),
    ("SAF", Some("GNU/Linux")),
    ("SBA", Some("Other Mobile")),
    ("SEE", Some("Chrome OS")),
    ("SIR", Some("Android")),
    ("SLW", Some("GNU/Linux")),
    ("SOS", Some("Unix")),
    ("SSE", Some("GNU/Linux")),
    ("SY3", Some("Symbian")),
    ("SYL", Some("Unix")),
    ("SYM", Some("Symbian")),
    ("T64", Some("Unix")),
    ("TDX", Some("Real-time OS")),
    ("TEN", Some("GNU/Linux")),
    ("TIV", Some("GNU/Linux")),
    ("TIZ", Some("Other Mobile")),
    ("TOS", Some("GNU/Linux")),
    ("UBT", Some("GNU/Linux")),
    ("VID", Some("GNU/Linux")),
    ("VLN", Some("GNU/Linux")),
    ("WAS", Some("iOS")),
    ("WER", Some("Android")),
    ("WHS", Some("Other Smart TV")),
    ("WOS", Some("Other Mobile")),
    ("WTV", Some("WebTV")),
    ("XBT", Some("GNU/Linux")),
    ("XBX", Some("Mobile Gaming Console")),
    ("YNS", Some("Android")),
    ("ZEN", Some("GNU/Linux")),
    ("ZOR", Some("GNU/Linux")),
];

/// Whether the row of `DevicesDetection.getOsVersions` with segment
/// `operatingSystemCode==code;operatingSystemVersion==version` is one archived row (see the
/// module's proof), so that its day count counts each of its visitors once.
pub(crate) fn one_archived_row(code: &str, version: &str) -> bool {
    let digits_and_dots = version.len() <= 14
        && version
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    let plain_version = version.is_empty() || digits_and_dots;
    plain_version && CODES.iter().any(|(known, _)| *known == code)
}

/// The OS family (as `DevicesDetection.getOsFamilies` labels it in English) that every visit of
/// code `code` is counted in, for a code of [`CODES`].
pub(crate) fn family(code: &str) -> Option<&'static str> {
    CODES
        .iter()
        .find(|(known, _)| *known == code)
        .and_then(|(_, family)| *family)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_versions_no_other_row_can_be_joined_with_are_one_row() {
        assert!(one_archived_row("AND", "14"));
        assert!(one_archived_row("MAC", "10.15"));
        assert!(one_archived_row("LIN", ""));
        for (code, version) in [
            ("IOS", "18.1"),
            ("IPA", "17.1"),
            ("WIN", "10"),
            ("ADR", "12"),
            ("AND", "14 "),
            ("AND", "TV 12"),
            ("AND", "1.2.3.4.5.6.7.8"),
            ("BOT", ""),
            ("XYZ", "1"),
        ] {
            assert!(!one_archived_row(code, version), "{code};{version}");
        }
        assert_eq!(family("AND"), Some("Android"));
        assert_eq!(family("MAC"), Some("Mac"));
        assert_eq!(family("PS3"), None);
        assert_eq!(family("WIN"), None);
    }
}
