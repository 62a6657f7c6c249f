//! A report request built call by call: `matomo.report::<R>().site(1).month(Date::Today).send()`.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use super::{ClientError, MatomoClient, Nested};
use crate::Classified;
use crate::RedactedDebug;
use crate::models::Report;
use crate::params::{Date, Limit, Params, Period, Sites};
use crate::segment::Segment;

/// A request for report `R`, built with one call per parameter and sent with
/// [`send`](Self::send) (one site and one period: the report's own output) or
/// [`send_nested`](Self::send_nested) (several sites or periods: keyed by site and period).
///
/// Made by [`MatomoClient::report`]. A parameter that cannot be used (a site id of 0, `last0`)
/// is reported by `send`, before anything goes to Matomo.
///
/// ```no_run
/// use matomo_privacy_mcp_core::client::MatomoClient;
/// use matomo_privacy_mcp_core::models::devices_detection::GetBrowsers;
/// use matomo_privacy_mcp_core::params::Date;
///
/// # async fn run(matomo: MatomoClient) -> Result<(), matomo_privacy_mcp_core::client::ClientError> {
/// let rows = matomo.report::<GetBrowsers>().site(1).month(Date::Today).send().await?;
/// let visits: u64 = rows.iter().map(|row| row.metrics.visits()).sum();
/// # let _ = visits;
/// let weeks = matomo.report::<GetBrowsers>().site(1).week(Date::last(4)?).send_nested().await?;
/// for (_, week, rows) in weeks.iter() {
///     println!("{week:?}: {} browsers", rows.len());
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "a report request does nothing until it is sent"]
#[derive(RedactedDebug)]
pub struct ReportRequest<'a, R> {
    #[redact]
    client: &'a MatomoClient,
    params: Params,
    #[redact]
    invalid: Option<ClientError>,
    report: PhantomData<R>,
}

impl<'a, R: Report> ReportRequest<'a, R> {
    pub(super) fn new(client: &'a MatomoClient) -> Self {
        Self {
            client,
            params: Params::new(),
            invalid: None,
            report: PhantomData,
        }
    }

    /// One site.
    pub fn site(self, id: u32) -> Self {
        match Sites::one(id) {
            Ok(sites) => self.sites(sites),
            Err(error) => self.invalid(error.into()),
        }
    }

    /// Several sites (or all): [`send_nested`](Self::send_nested) then keys the answer by site.
    pub fn sites(mut self, sites: Sites) -> Self {
        self.params = self.params.sites(sites);
        self
    }

    /// The day `date` (or each day of a multi-day `date`).
    pub fn day(self, date: Date) -> Self {
        self.period(Period::Day, date)
    }

    /// The week holding `date` (or each week of a multi-week `date`).
    pub fn week(self, date: Date) -> Self {
        self.period(Period::Week, date)
    }

    /// The month holding `date` (or each month of a multi-month `date`).
    pub fn month(self, date: Date) -> Self {
        self.period(Period::Month, date)
    }

    /// The year holding `date` (or each year of a multi-year `date`).
    pub fn year(self, date: Date) -> Self {
        self.period(Period::Year, date)
    }

    /// Any period and date; `Period::Range` with a multi-day `date` aggregates it into one period.
    pub fn period(mut self, period: Period, date: Date) -> Self {
        self.params = self.params.period(period).date(date);
        self
    }

    /// A segment (checked against the segment rules by whoever builds it, see [`crate::policy`]).
    pub fn segment(mut self, segment: Segment) -> Self {
        self.params = self.params.segment(segment);
        self
    }

    /// At most `limit` rows.
    pub fn limit(mut self, limit: Limit) -> Self {
        self.params = self.params.limit(limit);
        self
    }

    /// A flat report instead of a tree (for hierarchical reports).
    pub fn flat(mut self, flat: bool) -> Self {
        self.params = self.params.flat(flat);
        self
    }

    /// Any other parameter, through the full [`Params`] API.
    pub fn with_params(mut self, edit: impl FnOnce(Params) -> Result<Params, ClientError>) -> Self {
        match edit(std::mem::take(&mut self.params)) {
            Ok(params) => {
                self.params = params;
                self
            }
            Err(error) => self.invalid(error),
        }
    }

    /// Sends a one-site, one-period request: the report's output for that site and period.
    ///
    /// A request for several sites or periods is refused before anything is sent: use
    /// [`send_nested`](Self::send_nested), whose answer is keyed by site and period.
    pub async fn send(self) -> Result<R::Output, ClientError> {
        let nesting = self.params.nesting();
        if nesting.multi_site || nesting.multi_period {
            return Err(ClientError::InvalidParameter {
                name: if nesting.multi_site { "idSite" } else { "date" }.to_owned(),
                reason: "this request asks for several sites or periods, whose answer is keyed by site and period: send it with `send_nested`".to_owned(),
            });
        }
        match self.send_nested().await? {
            Nested::One(output) => Ok(output),
            _ => Err(ClientError::InvalidParameter {
                name: "idSite".to_owned(),
                reason: "Matomo answered for several sites or periods where one was asked for"
                    .to_owned(),
            }),
        }
    }

    /// Sends the request for one site and period and decodes the answer into `T` instead of
    /// the full model: `Vec<SourceRow>` gives each row's label, known metrics and the counts
    /// Matomo sent with it, which the threshold believes
    /// ([`SourceRow::scrubbed_url`](crate::reporting::SourceRow::scrubbed_url)).
    ///
    /// Refused like [`send`](Self::send) for several sites or periods.
    pub async fn send_as<T: DeserializeOwned + Classified>(self) -> Result<T, ClientError> {
        if let Some(error) = self.invalid {
            return Err(error);
        }
        let nesting = self.params.nesting();
        if nesting.multi_site || nesting.multi_period {
            return Err(ClientError::InvalidParameter {
                name: if nesting.multi_site { "idSite" } else { "date" }.to_owned(),
                reason: "this request asks for several sites or periods, whose answer is keyed by site and period: send it with `send_nested`".to_owned(),
            });
        }
        match self.client.report_as::<R, T>(&self.params).await? {
            Nested::One(output) => Ok(output),
            _ => Err(ClientError::InvalidParameter {
                name: "idSite".to_owned(),
                reason: "Matomo answered for several sites or periods where one was asked for"
                    .to_owned(),
            }),
        }
    }

    /// Sends the request: one value, or values keyed by site and period as the request asks.
    pub async fn send_nested(self) -> Result<Nested<R::Output>, ClientError> {
        if let Some(error) = self.invalid {
            return Err(error);
        }
        self.client.report_with::<R>(&self.params).await
    }

    fn invalid(mut self, error: ClientError) -> Self {
        self.invalid.get_or_insert(error);
        self
    }
}

impl MatomoClient {
    /// Starts a request for report `R`; see [`ReportRequest`].
    pub fn report<R: Report>(&self) -> ReportRequest<'_, R> {
        ReportRequest::new(self)
    }
}
