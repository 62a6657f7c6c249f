//! Tool arguments shared by the built-in tools, with sane defaults and hard maximums.

use schemars::JsonSchema;
use serde::Deserialize;

use super::Deployment;
use crate::ToolError;
use crate::client::ClientError;
use crate::params::{Date, Day, Params, Period, Sites};
use crate::privacy::PrivacyClass;
use crate::segment::Segment;

/// The most rows one call returns.
pub const MAX_LIMIT: u32 = 100;
/// The largest offset accepted.
pub const MAX_OFFSET: u32 = 10_000;
/// The most periods a trend covers.
pub const MAX_TREND_PERIODS: u32 = 120;

/// The arguments of every report tool.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportArgs {
    /// Site id (from `list_sites`).
    pub site: u32,
    /// Default `day`.
    #[serde(default)]
    pub period: Option<Period>,
    /// Default `yesterday`; `today`, `YYYY-MM-DD`, or with `range` also `lastN`, `previousN`, `YYYY-MM-DD,YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<Date>,
    /// Matomo segment, aggregate dimensions only (`countryCode==de`).
    #[serde(default)]
    pub segment: Option<String>,
    /// Rows to return (default 10).
    #[serde(default)]
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// Rows to skip (default 0).
    #[serde(default)]
    #[schemars(range(max = 10000))]
    pub offset: Option<u32>,
}

/// The arguments of tools about one site and one period, without rows.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodArgs {
    /// Site id (from `list_sites`).
    pub site: u32,
    /// Default `day`.
    #[serde(default)]
    pub period: Option<Period>,
    /// Default `yesterday`; `today`, `YYYY-MM-DD`, or with `range` also `lastN`, `previousN`, `YYYY-MM-DD,YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<Date>,
    /// An optional Matomo segment on aggregate dimensions.
    #[serde(default)]
    pub segment: Option<String>,
}

impl From<PeriodArgs> for ReportArgs {
    fn from(a: PeriodArgs) -> Self {
        ReportArgs {
            site: a.site,
            period: a.period,
            date: a.date,
            segment: a.segment,
            limit: None,
            offset: None,
        }
    }
}

/// A validated request: one site, one period, paging.
pub(crate) struct Request {
    pub site: u32,
    pub period: Period,
    pub date: Date,
    pub limit: u32,
    pub offset: u32,
}

impl ReportArgs {
    /// Checks ranges and that the request names exactly one period.
    /// The request, of a site `deployment` serves, with the segment argument resolved and
    /// checked for a tool of `class` (a saved segment's name becomes its checked definition):
    /// what every report tool starts from.
    pub(crate) async fn checked(
        &self,
        deployment: &Deployment,
        class: PrivacyClass,
    ) -> Result<(Request, Option<Segment>), ToolError> {
        let mut request = self.request()?;
        deployment.check_site(request.site)?;
        // With noise, a statistic's identity holds its days: `yesterday` and that day's date
        // are one question (one noise draw, one charge), and Matomo is asked for those days.
        if deployment.noise.is_some() && request.date.is_relative() {
            let today = super::tools::sites::site_today(deployment, request.site).await?;
            let today = Day::new(
                u16::try_from(today.year()).unwrap_or(0),
                today.month().unsigned_abs(),
                today.day().unsigned_abs(),
            )
            .map_err(|e| ToolError::internal(e.to_string()))?;
            request.date = request
                .date
                .dated(request.period, today)
                .map_err(|e| ToolError::invalid_arguments(e.to_string()))?;
        }
        let segment = deployment
            .resolve_segment(request.site, self.segment.as_deref(), class)
            .await?;
        Ok((request, segment))
    }

    pub(crate) fn request(&self) -> Result<Request, ToolError> {
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
    pub(crate) fn params(&self) -> Result<Params, ToolError> {
        let sites = Sites::one(self.site)?;
        Ok(Params::new()
            .sites(sites)
            .period(self.period)
            .date(self.date))
    }
}

/// A client error as the model should see it (see `impl From<ClientError> for ToolError`).
pub(crate) fn to_tool_error(error: ClientError) -> ToolError {
    error.into()
}
