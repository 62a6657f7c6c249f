//! Tool arguments shared by the built-in tools, with sane defaults and hard maximums.

use schemars::JsonSchema;
use serde::Deserialize;

use super::range_start::{
    may_end_on_or_after_today, possible_todays, refuse_days_before_the_start, site_day,
};
use super::{Asked, Deployment};
use crate::ToolError;
use crate::client::ClientError;
use crate::params::{Date, Params, Period, Sites};
use crate::privacy::PrivacyClass;
use crate::segment::Segment;

/// The most rows one call returns.
pub const MAX_LIMIT: u32 = 100;
/// The largest offset accepted.
pub const MAX_OFFSET: u32 = 10_000;
/// The most periods a trend covers.
pub const MAX_TREND_PERIODS: u32 = 120;

/// The arguments of every report tool: the site, period and segment ([`PeriodArgs`]) and
/// paging.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportArgs {
    /// The site, period and segment.
    #[serde(flatten)]
    pub scope: PeriodArgs,
    /// Rows to return (default 10).
    #[serde(default)]
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// Rows to skip (default 0).
    #[serde(default)]
    #[schemars(range(max = 10000))]
    pub offset: Option<u32>,
    /// With noise: also the rows' other counts, ε each (default: visits only).
    //
    // Short: every report tool's schema carries it, and tools/list stays under 60 KiB. The
    // default spends the budget on the count rows are read by; `noise.not_released` names the
    // rest (distinct visitors, bounces, conversions, page views and the rates from them).
    #[serde(default)]
    pub all_metrics: Option<bool>,
}

/// The site, period and segment a tool is about: the arguments of tools about one site and one
/// period without rows, flattened into every other tool's arguments that take them, so that
/// they are declared, described and checked once.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodArgs {
    /// Site id (from `list_sites`).
    #[serde(deserialize_with = "named::site")]
    pub site: u32,
    /// Default `day`.
    #[serde(default, deserialize_with = "named::period")]
    pub period: Option<Period>,
    /// Default `yesterday`; `today`, `YYYY-MM-DD`, or with `range` also `lastN`, `previousN`, `YYYY-MM-DD,YYYY-MM-DD`.
    #[serde(default, deserialize_with = "named::date")]
    pub date: Option<Date>,
    /// Matomo segment (`countryCode==de`) or saved segment name.
    #[serde(default, deserialize_with = "named::segment")]
    pub segment: Option<String>,
}

/// Lets arguments that hold [`PeriodArgs`](crate::reporting::PeriodArgs) flattened in a field
/// named `scope` read its fields as their own (`args.site`, `args.period`), as
/// [`ReportArgs`](crate::reporting::ReportArgs) does.
///
/// ```
/// use matomo_privacy_mcp_core::reporting::PeriodArgs;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// #[serde(deny_unknown_fields)]
/// struct GoalArgs {
///     /// The site, period and segment.
///     #[serde(flatten)]
///     scope: PeriodArgs,
///     /// The goal's id.
///     goal: Option<u32>,
/// }
///
/// matomo_privacy_mcp_core::with_period_args!(GoalArgs);
///
/// let args: GoalArgs = serde_json::from_str(r#"{"site": 3, "goal": 1}"#).unwrap();
/// assert_eq!(args.site, 3);
/// ```
#[macro_export]
macro_rules! with_period_args {
    ($($args:ty),*) => {$(
        impl ::std::ops::Deref for $args {
            type Target = $crate::reporting::PeriodArgs;

            fn deref(&self) -> &$crate::reporting::PeriodArgs {
                &self.scope
            }
        }
    )*};
}

with_period_args!(ReportArgs);

/// The decoders of [`PeriodArgs`]' fields, which name the field in their errors.
///
/// Serde's `flatten` decodes a flattened struct from a buffer of the arguments, out of reach of
/// the argument decoder (`__private::decode_arguments`), which names the argument at fault and
/// reads whole numbers sent as text: the error would say "expected u32" without saying where,
/// and `"3"` for a site would be refused. So the fields do both here, once for every tool.
mod named {
    use serde::de::{Deserialize, Deserializer, Error};
    use serde_json::Value;

    use crate::params::{Date, Period};

    /// `value` decoded as `T`, an error naming `name` unless the message names it already.
    fn decode<T: serde::de::DeserializeOwned, E: Error>(name: &str, value: Value) -> Result<T, E> {
        T::deserialize(value).map_err(|e| {
            let quoted = format!("`{name}`");
            let message = e.to_string();
            if message.contains(&quoted) {
                E::custom(message)
            } else {
                E::custom(format!("{quoted}: {message}"))
            }
        })
    }

    pub(super) fn site<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let value = Value::deserialize(d)?;
        let value = crate::__private::whole_number(&value).unwrap_or(value);
        decode("site", value)
    }

    pub(super) fn period<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Period>, D::Error> {
        decode("period", Value::deserialize(d)?)
    }

    pub(super) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        decode("date", Value::deserialize(d)?)
    }

    pub(super) fn segment<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        decode("segment", Value::deserialize(d)?)
    }
}

/// A required argument of arguments that flatten [`PeriodArgs`]: serde checks their own fields
/// before a flattened one's, so a call without arguments would hear of it before `site`. Declare
/// it as an `Option` (`#[schemars(with = "String")]` keeps it required in the schema) and
/// require it here, first thing in the tool: the error names it as serde would
/// (``missing field `report` ``).
///
/// ```
/// use matomo_privacy_mcp_core::reporting::required_argument;
///
/// let report: Option<String> = None;
/// let refused = required_argument(&report, "report").unwrap_err();
/// assert_eq!(refused.to_string(), "invalid arguments: missing field `report`");
/// ```
pub fn required_argument<'a, T>(value: &'a Option<T>, name: &str) -> Result<&'a T, ToolError> {
    value
        .as_ref()
        .ok_or_else(|| ToolError::invalid_arguments(format!("missing field `{name}`")))
}

impl From<PeriodArgs> for ReportArgs {
    fn from(scope: PeriodArgs) -> Self {
        ReportArgs {
            scope,
            limit: None,
            offset: None,
            all_metrics: None,
        }
    }
}

/// A checked request ([`ReportArgs::checked`]): one site the deployment serves, one period
/// (relative dates given as their days while noise is on), and the page of rows asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The site.
    pub site: u32,
    /// The period (default `day`).
    pub period: Period,
    /// The date (default `yesterday`), one period's worth.
    pub date: Date,
    /// Rows to return, 1 to [`MAX_LIMIT`] (default 10).
    pub limit: u32,
    /// Rows to skip, at most [`MAX_OFFSET`] (default 0).
    pub offset: u32,
}

impl ReportArgs {
    /// The request, of a site `deployment` serves, with the segment argument resolved and
    /// checked for a tool of `class` (a saved segment's name becomes its checked definition):
    /// what every report tool starts from. While the deployment has noise on, `today` and
    /// `yesterday` become the site's dates (one statistic, one question, however its date is
    /// written). A `range` that Matomo would count from days before its start is refused
    /// ([`range_counted_from`](crate::params::range_counted_from)).
    ///
    /// # Errors
    ///
    /// The site not served, the period, date or paging out of range ([`request`](Self::request)),
    /// a range Matomo would count from before its start, the segment refused by the rules,
    /// Matomo unreachable while dating a relative date or a range that may reach today.
    pub async fn checked(
        &self,
        deployment: &Deployment,
        class: PrivacyClass,
    ) -> Result<(Request, Option<Segment>), ToolError> {
        let mut request = self.request()?;
        deployment.check_site(request.site)?;
        let dating = deployment.noise.is_some() && request.date.is_relative();
        // With noise, a statistic's identity holds its days: `yesterday` and that day's date
        // are one question (one noise draw, one charge), and Matomo is asked for those days.
        let today = if dating {
            let today = site_day(deployment, request.site).await?;
            request.date = request
                .date
                .dated(request.period, today)
                .map_err(|e| ToolError::invalid_arguments(e.to_string()))?;
            Some(today)
        } else {
            None
        };
        if may_end_on_or_after_today(request.period, request.date) {
            let todays = match today {
                Some(today) => vec![today],
                None => possible_todays(deployment, request.site).await?,
            };
            refuse_days_before_the_start(&request, &todays)?;
        }
        let segment = deployment
            .resolve_segment(request.site, self.segment.as_deref(), class)
            .await?;
        Ok((request, segment))
    }

    /// The request the arguments name, without the deployment: the defaults filled in and the
    /// ranges checked (one period, `limit` 1 to [`MAX_LIMIT`], `offset` at most [`MAX_OFFSET`]).
    ///
    /// # Errors
    ///
    /// An argument out of range, named as the model should read it.
    pub fn request(&self) -> Result<Request, ToolError> {
        let period = self.period.unwrap_or(Period::Day);
        let date = self.date.unwrap_or(Date::Yesterday);
        if date.is_multi_period(period) {
            return Err(ToolError::invalid_arguments(format!(
                "`date` covers several periods; use `period: \"range\"` for one total over them, or the `metric_trend` tool for one value per {}",
                period.as_str()
            )));
        }
        let limit = self.limit.unwrap_or(10);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ToolError::invalid_arguments(format!(
                "`limit` must be between 1 and {MAX_LIMIT}, not {limit}"
            )));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ToolError::invalid_arguments(format!(
                "`offset` must be at most {MAX_OFFSET}, not {offset}"
            )));
        }
        Ok(Request {
            site: self.site,
            period,
            date,
            limit,
            offset,
        })
    }
}

impl Request {
    /// The site, period and date as parameters of a Matomo request (paging and segment are
    /// the caller's to add).
    ///
    /// # Errors
    ///
    /// A site id Matomo's parameters refuse.
    pub fn params(&self) -> Result<Params, ToolError> {
        let sites = Sites::one(self.site)?;
        Ok(Params::new()
            .sites(sites)
            .period(self.period)
            .date(self.date))
    }

    /// The site, period and date as an answer repeats them.
    pub fn asked(&self) -> Asked {
        Asked {
            site: self.site,
            period: self.period.as_str().to_owned(),
            date: self.date.to_string(),
        }
    }
}

/// A client error as the model should see it (see `impl From<ClientError> for ToolError`).
pub(crate) fn to_tool_error(error: ClientError) -> ToolError {
    error.into()
}
