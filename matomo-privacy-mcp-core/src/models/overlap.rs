//! How a report's rows share the period's visits: a fact about the Matomo report, declared with
//! it ([`Report::OVERLAP`](super::Report::OVERLAP)).

/// Whether the rows of a report split the period's visits: every visit in exactly one row.
///
/// Only then (a visit has one country, one device type, one referrer type) are the visits
/// outside the shown rows exactly those of the other rows, so that Matomo can count their
/// visitors with a segment excluding the shown rows, and an "Other" row can be proven. A report
/// declares it as [`Report::OVERLAP`](super::Report::OVERLAP); the default,
/// [`Possible`](Self::Possible), never proves an "Other" row, and is the only safe declaration
/// for a report whose rows are not known to split the visits: an "Other" row proven on a false
/// declaration would not be proven at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// Every visit is in exactly one row (countries, devices, browsers, referrer types, hours).
    None,
    /// Every visit matching this segment is in exactly one row, and no other visit is in any
    /// (websites: `referrerType==website`).
    Within(&'static str),
    /// A visit can be in several rows or in none (pages, titles, events, searches).
    Possible,
}
