//! Typed request parameters, checked before any request is sent.
//!
//! [`Params`] gathers the parameters most Reporting API methods share (sites,
//! period, date, segment, paging, sorting, `flat`/`expanded`/`idSubtable`) and
//! method-specific ones added with [`Params::with`]. It also tells which JSON
//! shape the answer will have ([`Nesting`]): Matomo wraps the result in an
//! object keyed by site id and/or by period label depending on these values.
//!
//! ```
//! use matomo_privacy_mcp_core::params::{Date, IdGoal, Limit, Params, Period, Sites, Sort};
//!
//! let params = Params::new()
//!     .sites(Sites::list([1, 3]).unwrap())
//!     .period(Period::Day)
//!     .date(Date::last(7).unwrap())
//!     .limit(Limit::rows(10).unwrap())
//!     .sort(Sort::desc("nb_visits").unwrap())
//!     .with("idGoal", IdGoal::EcommerceOrder)
//!     .unwrap();
//! let nesting = params.nesting();
//! assert!(nesting.multi_site && nesting.multi_period);
//! assert_eq!(params.to_pairs().unwrap()[0], ("idSite".to_owned(), "1,3".to_owned()));
//! ```

mod date;
mod error;
mod paging;
mod period;
mod range_start;
mod site;
mod value;

pub use date::{Date, Day, MAX_PERIODS, RangeEnd};
pub(crate) use date::{civil, from_civil, utc_today};
pub use error::ParamError;
pub use paging::{Limit, Sort, SortOrder};
pub use period::Period;
pub use range_start::range_counted_from;
pub use site::Sites;
pub use value::{EventDimension, IdGoal, ParamValue};

use crate::privacy::PrivacyClass;
use crate::segment::Segment;
use crate::setters::setters;

/// Parameters the client sets itself or that have a typed setter; [`Params::with`] refuses them.
const RESERVED: &[(&str, &str)] = &[
    ("token_auth", "the token is set on the client builder"),
    ("module", "the client sets it"),
    ("method", "the method is the first argument of `call`"),
    ("format", "the client always asks for JSON"),
    (
        "force_api_session",
        "it is for Matomo's web UI, not API clients",
    ),
    ("idSite", "use `Params::sites`"),
    ("idSites", "use `Params::sites`"),
    ("period", "use `Params::period`"),
    ("date", "use `Params::date`"),
    ("segment", "use `Params::segment`"),
    ("filter_limit", "use `Params::limit`"),
    ("filter_offset", "use `Params::offset`"),
    ("filter_sort_column", "use `Params::sort`"),
    ("filter_sort_order", "use `Params::sort`"),
    ("filter_truncate", "use `Params::truncate`"),
    ("flat", "use `Params::flat`"),
    ("expanded", "use `Params::expanded`"),
    ("idSubtable", "use `Params::subtable`"),
    ("urls", "use `BulkRequest`"),
];

/// Which wrappers Matomo puts around the result, so callers decode the right shape.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Nesting {
    /// The result is an object keyed by site id (`{"1": …, "3": …}`).
    pub multi_site: bool,
    /// The result (or each site's result) is an object keyed by period label.
    pub multi_period: bool,
}

/// The parameters of one Reporting API call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    sites: Option<Sites>,
    period: Option<Period>,
    date: Option<Date>,
    segment: Option<Segment>,
    limit: Option<Limit>,
    offset: Option<u32>,
    sort: Option<Sort>,
    truncate: Option<u32>,
    flat: bool,
    expanded: bool,
    subtable: Option<u32>,
    extra: Vec<(String, String)>,
}

impl Params {
    /// No parameters, for methods such as `API.getMatomoVersion`.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// The sites to report on (`idSite`).
        pub fn sites(sites: Sites) => sites = Some(sites);

        /// The period length (`period`); needs a [`date`](Self::date) too.
        pub fn period(period: Period) => period = Some(period);

        /// The date or dates (`date`); needs a [`period`](Self::period) too.
        pub fn date(date: Date) => date = Some(date);

        /// Restricts the visits counted (`segment`); its privacy class is [`Segment::max_class`].
        pub fn segment(segment: Segment) => segment = Some(segment);

        /// How many rows to return (`filter_limit`).
        pub fn limit(limit: Limit) => limit = Some(limit);

        /// How many rows to skip (`filter_offset`).
        pub fn offset(offset: u32) => offset = Some(offset);

        /// The sort column and direction.
        pub fn sort(sort: Sort) => sort = Some(sort);

        /// Keeps the first `after` rows (in the [`sort`](Self::sort) order) and sums the others
        /// into one last row labelled "Others" (`filter_truncate`), applied before the limit.
        ///
        /// Matomo leaves a table of at most `after + 1` rows as it is, so an answer of `after + 1`
        /// rows may end with either a real row or the sum: read it as the sum to be safe. The sum's
        /// distinct counts are sums of its rows' (one visitor counted once per row), never a count
        /// of distinct visitors.
        pub fn truncate(after: u32) => truncate = Some(after);

        /// Flattens subtables into one table (`flat=1`), labels joined with ` - `.
        pub fn flat(flat: bool) => flat = flat;

        /// Embeds subtables in their parent rows (`expanded=1`).
        pub fn expanded(expanded: bool) => expanded = expanded;

        /// Fetches one subtable (`idSubtable`) of the same report.
        pub fn subtable(id: u32) => subtable = Some(id);
    }

    /// Adds a method-specific parameter such as `idGoal` or `secondaryDimension`.
    ///
    /// The name must be made of letters, digits, `_` (and `[]` for lists),
    /// and may not be one the client sets or that has a typed setter.
    pub fn with(mut self, name: &str, value: impl ParamValue) -> Result<Self, ParamError> {
        check_name(name)?;
        if self.extra.iter().any(|(existing, _)| existing == name) {
            return Err(ParamError::new(
                name,
                "it is already set; give each parameter once",
            ));
        }
        self.extra.push((name.to_owned(), value.to_param_value()));
        Ok(self)
    }

    /// The segment set with [`segment`](Self::segment), if any.
    pub fn current_segment(&self) -> Option<&Segment> {
        self.segment.as_ref()
    }

    /// The privacy class the parameters themselves reveal: the segment's
    /// [`max_class`](Segment::max_class), or aggregate without a segment.
    ///
    /// A policy compares this with its ceiling before sending, because a
    /// segment such as `userId==alice` singles a person out even when the
    /// report only holds counts.
    pub fn segment_class(&self) -> PrivacyClass {
        self.segment
            .as_ref()
            .map_or(PrivacyClass::Aggregate, Segment::max_class)
    }

    /// The shape wrappers Matomo will put around the result.
    pub fn nesting(&self) -> Nesting {
        Nesting {
            multi_site: self.sites.as_ref().is_some_and(Sites::is_multi_site),
            multi_period: match (self.date, self.period) {
                (Some(date), Some(period)) => date.is_multi_period(period),
                _ => false,
            },
        }
    }

    /// Checks the combination and returns the `(name, value)` pairs to send, in a stable order.
    pub fn to_pairs(&self) -> Result<Vec<(String, String)>, ParamError> {
        fn text(value: Option<&impl ToString>) -> Option<String> {
            value.map(ToString::to_string)
        }
        self.validate()?;
        let (column, order) = self
            .sort
            .as_ref()
            .map(|sort| (sort.column(), sort.order().as_str()))
            .unzip();
        // Each typed parameter that is set, in this order; the method-specific ones last.
        let typed = [
            ("idSite", text(self.sites.as_ref())),
            ("period", text(self.period.as_ref())),
            ("date", text(self.date.as_ref())),
            ("segment", text(self.segment.as_ref())),
            ("filter_limit", text(self.limit.as_ref())),
            ("filter_offset", text(self.offset.as_ref())),
            ("filter_sort_column", column.map(str::to_owned)),
            ("filter_sort_order", order.map(str::to_owned)),
            ("filter_truncate", text(self.truncate.as_ref())),
            ("flat", self.flat.then(|| "1".to_owned())),
            ("expanded", self.expanded.then(|| "1".to_owned())),
            ("idSubtable", text(self.subtable.as_ref())),
        ];
        let mut pairs: Vec<(String, String)> = typed
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), value?)))
            .collect();
        pairs.extend(self.extra.iter().cloned());
        Ok(pairs)
    }

    fn validate(&self) -> Result<(), ParamError> {
        if let Some(sites) = &self.sites {
            sites.validate()?;
        }
        if let Some(date) = &self.date {
            date.validate()?;
        }
        if let Some(limit) = &self.limit {
            limit.validate()?;
        }
        match (self.period, self.date) {
            (Some(_), None) => {
                return Err(ParamError::new(
                    "date",
                    "a period needs a date; add one, e.g. `Date::Yesterday`",
                ));
            }
            (None, Some(_)) => {
                return Err(ParamError::new(
                    "period",
                    "a date needs a period; add one, e.g. `Period::Day`",
                ));
            }
            (Some(Period::Range), Some(Date::Today | Date::Yesterday | Date::Day(_))) => {
                return Err(ParamError::new(
                    "date",
                    "period=range needs several days: a range `YYYY-MM-DD,YYYY-MM-DD`, lastN or previousN",
                ));
            }
            _ => {}
        }
        if self.flat && self.subtable.is_some() {
            return Err(ParamError::new(
                "idSubtable",
                "a flat report has no subtables; use either `flat` or `subtable`",
            ));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), ParamError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'[' | b']'));
    if !valid {
        return Err(ParamError::new(
            name.chars().take(64).collect::<String>(),
            "a parameter name is made of letters, digits, `_` and `[]`",
        ));
    }
    if let Some((_, hint)) = RESERVED
        .iter()
        .find(|(reserved, _)| reserved.eq_ignore_ascii_case(name))
    {
        return Err(ParamError::new(
            name,
            format!("it cannot be set with `with`: {hint}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_params() -> Params {
        Params::new()
            .sites(Sites::one(1).unwrap())
            .period(Period::Day)
            .date("2026-11-20".parse().unwrap())
    }

    #[test]
    fn pairs_come_in_a_stable_order() {
        let params = day_params()
            .segment(Segment::parse("countryCode==de").unwrap())
            .limit(Limit::All)
            .offset(20)
            .sort(Sort::asc("label").unwrap())
            .expanded(true)
            .subtable(4)
            .with("idGoal", IdGoal::Goal(2))
            .unwrap();
        let pairs = params.to_pairs().unwrap();
        let names: Vec<_> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "idSite",
                "period",
                "date",
                "segment",
                "filter_limit",
                "filter_offset",
                "filter_sort_column",
                "filter_sort_order",
                "expanded",
                "idSubtable",
                "idGoal"
            ]
        );
        assert_eq!(pairs[4].1, "-1");
        assert_eq!(pairs[3].1, "countryCode==de");
    }

    #[test]
    fn segment_class_is_aggregate_without_a_segment() {
        assert_eq!(day_params().segment_class(), PrivacyClass::Aggregate);
        let params = day_params().segment(Segment::parse("userId==alice").unwrap());
        assert_eq!(params.segment_class(), PrivacyClass::Identifying);
        assert_eq!(
            params.current_segment().unwrap().to_string(),
            "userId==alice"
        );
    }

    #[test]
    fn nesting_follows_sites_and_dates() {
        assert_eq!(day_params().nesting(), Nesting::default());
        let all = day_params().sites(Sites::All);
        assert!(all.nesting().multi_site && !all.nesting().multi_period);
        let last = day_params().date(Date::last(3).unwrap());
        assert!(last.nesting().multi_period);
        let range = last.period(Period::Range);
        assert!(!range.nesting().multi_period);
    }

    #[test]
    fn incoherent_combinations_are_refused() {
        assert!(Params::new().period(Period::Day).to_pairs().is_err());
        assert!(Params::new().date(Date::Today).to_pairs().is_err());
        assert!(day_params().period(Period::Range).to_pairs().is_err());
        assert!(day_params().flat(true).subtable(2).to_pairs().is_err());
        assert!(day_params().limit(Limit::Rows(0)).to_pairs().is_err());
    }

    #[test]
    fn with_refuses_reserved_bad_and_duplicate_names() {
        for name in [
            "token_auth",
            "TOKEN_AUTH",
            "method",
            "format",
            "idSite",
            "date",
            "segment",
            "a=b",
            "a&b",
            "",
            "x y",
        ] {
            let err = Params::new().with(name, 1u32).unwrap_err();
            assert!(matches!(err, ParamError { .. }), "{name}");
        }
        let params = Params::new().with("idGoal", 1u32).unwrap();
        assert!(params.clone().with("idGoal", 2u32).is_err());
        assert!(
            params
                .with("secondaryDimension", EventDimension::Name)
                .is_ok()
        );
    }
}
