//! Counts that come from Matomo: what the threshold may believe.
//!
//! A label goes down to `aggregate` only when at least `k` distinct visitors are *known* to
//! share it, so the count that decides it must be Matomo's, not a number the code wrote. A
//! [`VisitorCount`] is made only by this crate: read from a Matomo answer while the client
//! decodes it, or from a count the SDK asked Matomo for. Code outside
//! the crate can only combine such counts in ways that keep a lower bound one (the
//! [`max`](VisitorCount::max) of two lower bounds), or state one through the escape hatch,
//! [`VisitorCount::declare`], which names a declaration on a tool and so shows in the privacy
//! manifest with its reason.
//!
//! Visits are not visitors: one person can make every visit of a row. A [`VisitCount`] is its
//! own type, so that a count of visits cannot be passed where the threshold wants visitors.

use crate::privacy::{Classified, Declassification, PrivacyClass, Shape};

/// Distinct visitors Matomo counted behind a row (or a part, or a population): a lower bound on
/// the people it describes, and the only count [`ReportRow::with_visitors`](super::ReportRow::with_visitors)
/// takes.
///
/// There is no public constructor: a made-up number does not compile.
///
/// ```compile_fail
/// use matomo_privacy_mcp_core::minimise::VisitorCount;
/// let forged = VisitorCount(1000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VisitorCount(u64);

/// Visits Matomo counted for a row: an upper bound on its visitors, never a proof of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VisitCount(u64);

impl VisitorCount {
    /// A count this crate read from Matomo, or asked Matomo for.
    pub(crate) const fn from_matomo(visitors: u64) -> Self {
        Self(visitors)
    }

    /// A count a person vouches for, under a declaration on the tool
    /// (`#[matomo_tool(declassify(name = "reason"))]`, passed as `&MyTool::NAME`), so that the
    /// privacy manifest lists it with its reason. The escape hatch: prefer Matomo's counts.
    pub fn declare(visitors: u64, declaration: &Declassification) -> Self {
        let _ = declaration;
        Self(visitors)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The larger of two lower bounds on the same people: still a lower bound (the visitors of
    /// a union are at least those of each part). Their sum is not one, so there is no `Add`.
    #[must_use]
    pub fn max(self, other: Self) -> Self {
        Self(self.0.max(other.0))
    }
}

impl VisitCount {
    /// A count this crate read from Matomo.
    pub(crate) const fn from_matomo(visits: u64) -> Self {
        Self(visits)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl Classified for VisitorCount {
    const SHAPE: Shape = Shape::Value(PrivacyClass::Aggregate);
}
crate::privacy::leaf_class!(VisitorCount, aggregate);

impl Classified for VisitCount {
    const SHAPE: Shape = Shape::Value(PrivacyClass::Aggregate);
}
crate::privacy::leaf_class!(VisitCount, aggregate);
