//! How a report's rows are shaped: labels to scrub, visits they share, what their segments
//! leave out, and the report as the pipeline runs it.

use crate::dp::Spread;

/// How a report's labels are scrubbed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labels {
    /// Labels are URLs or paths.
    Url,
    /// Labels are free text (titles, keywords, names).
    Text,
}

/// Whether the rows of a report split the period's visits: every visit in exactly one row.
///
/// Only then (a visit has one country, one device type, one referrer type) are the visits
/// outside the shown rows exactly those of the other rows, so that Matomo can count their
/// visitors with a segment excluding the shown rows, and an "Other" row can be proven.
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

impl Overlap {
    /// How far one visit can move a column of such a report.
    pub(super) fn spread(self) -> Spread {
        match self {
            Self::None | Self::Within(_) => Spread::OneRowPerVisit,
            Self::Possible => Spread::RowsPerAction,
        }
    }
}

/// A row report as the pipeline runs it: its method, the parameters it always takes, how its
/// labels are scrubbed, whether it is asked for flat, and how its rows share visits.
pub(crate) struct RowReport<'a> {
    pub method: &'a str,
    pub fixed: &'a [(&'a str, &'a str)],
    pub labels: Labels,
    pub flat: bool,
    pub overlap: Overlap,
    pub scope: Option<RowScope>,
}

/// What a report's row segments leave out: Matomo counts a row over fewer visits than its
/// segment selects. The condition is added to the segment of every row that filters on
/// `dimension` before Matomo is asked for the row's distinct visitors, so that they are the
/// row's own.
///
/// (Visits by days since the last visit count returning visits only, but the "0 days" row's
/// segment `daysSinceLastVisit==0` also selects every first visit, whose count is 0 too.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RowScope {
    /// The dimension whose rows need the condition.
    pub dimension: &'static str,
    /// The condition, in Matomo's grammar.
    pub condition: &'static str,
}
