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

/// How a report's rows share the period's visits: the report's own declaration
/// ([`Report::OVERLAP`](crate::models::Report::OVERLAP)).
pub use crate::models::Overlap;

impl Overlap {
    /// How far one visit can move a column of such a report.
    pub(super) fn spread(self) -> Spread {
        match self {
            Self::None | Self::Within(_) => Spread::OneRowPerVisit,
            Self::Possible => Spread::RowsPerAction,
        }
    }
}

/// A row report known by its method name rather than a type of [`crate::models`] (a report of
/// the site's catalogue, a plugin's), as
/// [`Deployment::report_by_method`](crate::reporting::Deployment::report_by_method) runs it.
///
/// What it declares is believed: a report declared with [`Overlap::None`] whose rows do share
/// visits would have an "Other" row proven on a false premise. Declare what Matomo documents,
/// and [`Overlap::Possible`] for anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowReport<'a> {
    /// The method, `Module.action`.
    pub method: &'a str,
    /// Parameters it is always asked with.
    pub fixed: &'a [(&'a str, &'a str)],
    /// How its labels are scrubbed.
    pub labels: Labels,
    /// Whether it is asked for flat (`flat=1`).
    pub flat: bool,
    /// How its rows share the period's visits.
    pub overlap: Overlap,
    /// What its row segments leave out, if anything.
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
pub struct RowScope {
    /// The dimension whose rows need the condition.
    pub dimension: &'static str,
    /// The condition, in Matomo's grammar.
    pub condition: &'static str,
}
