//! Typed report calls: a [`Report`] type says the method and the response type,
//! the request's parameters say how Matomo nests it.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ClientError, MatomoClient, envelope};
use crate::Classified;
use crate::models::{PerPeriod, PerSite, Report};
use crate::params::Params;

/// A typed response, nested the way the request asked for.
///
/// Matomo keys a response by site id when the request names several sites (or
/// `all`), and by period label when the date covers several periods;
/// [`Params::nesting`] says which, so decoding never has to guess.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Nested<T> {
    /// One site, one period.
    One(T),
    /// One site, several periods.
    Periods(PerPeriod<T>),
    /// Several sites, one period each.
    Sites(PerSite<T>),
    /// Several sites, several periods each.
    SitesPeriods(PerSite<PerPeriod<T>>),
}

impl<T: Classified> Classified for Nested<T> {
    // Every variant holds `T` under keys that are aggregate (site ids, period labels),
    // so the classes of the whole are those of `T`.
    const SHAPE: crate::privacy::Shape = T::SHAPE;
}

impl<C, T: crate::privacy::FitsUnder<C>> crate::privacy::FitsUnder<C> for Nested<T> {}

impl<T> Nested<T> {
    /// The single value of a one-site, one-period response.
    pub fn into_one(self) -> Option<T> {
        match self {
            Nested::One(value) => Some(value),
            _ => None,
        }
    }

    /// Every value with its site id (when several sites were asked for) and period label
    /// (when several periods were); empty periods are skipped.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Option<crate::SiteId>, Option<&str>, &T)> + '_> {
        match self {
            Nested::One(value) => Box::new(std::iter::once((None, None, value))),
            Nested::Periods(periods) => Box::new(
                periods
                    .iter()
                    .filter_map(|(label, v)| v.data().map(|d| (None, Some(label.0.as_str()), d))),
            ),
            Nested::Sites(sites) => Box::new(sites.iter().map(|(site, v)| (Some(*site), None, v))),
            Nested::SitesPeriods(sites) => Box::new(sites.iter().flat_map(|(site, periods)| {
                periods.iter().filter_map(move |(label, v)| {
                    v.data().map(|d| (Some(*site), Some(label.0.as_str()), d))
                })
            })),
        }
    }
}

impl MatomoClient {
    /// Calls report `R` with `params` and decodes its typed response, nested as `params` ask.
    ///
    /// [`report`](Self::report) builds the same request call by call; this takes a
    /// [`Params`] built elsewhere (a tool's arguments, a bulk request's items).
    ///
    /// `R::PARAMS` (such as `flat=1` for a flat report type) are sent too and
    /// take precedence over the same names in `params`.
    ///
    /// ```no_run
    /// use matomo_privacy_mcp_core::client::{MatomoClient, Nested};
    /// use matomo_privacy_mcp_core::models::user_country::GetCountry;
    /// use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
    ///
    /// # async fn run(client: MatomoClient) -> Result<(), matomo_privacy_mcp_core::client::ClientError> {
    /// let params = Params::new().sites(Sites::one(1)?).period(Period::Month).date(Date::Today);
    /// if let Nested::One(rows) = client.report_with::<GetCountry>(&params).await? {
    ///     println!("{} countries", rows.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn report_with<R: Report>(
        &self,
        params: &Params,
    ) -> Result<Nested<R::Output>, ClientError> {
        self.report_as::<R, R::Output>(params).await
    }

    /// Calls report `R` and decodes its response into `T` instead of `R::Output`, nested as
    /// `params` ask.
    ///
    /// For callers that need less than the full model: the report tools decode rows straight
    /// into [`SourceRow`](crate::reporting::SourceRow)s (label and known metrics), so the
    /// fields they would drop anyway are never allocated. Caching, coalescing and error
    /// handling are those of [`report_with`](Self::report_with).
    pub async fn report_as<R: Report, T: DeserializeOwned + Classified>(
        &self,
        params: &Params,
    ) -> Result<Nested<T>, ClientError> {
        self.report_of(R::METHOD, R::PARAMS, params).await
    }

    /// [`report_as`](Self::report_as) for a report known by its method name only (one a site's
    /// report catalogue lists), with `fixed` parameters the method always takes.
    ///
    /// Only read methods get here: a name the client does not take as a report (a write, a
    /// bulk request) is refused before any request.
    pub async fn report_of<T: DeserializeOwned + Classified>(
        &self,
        method: &str,
        fixed: &[(&str, &str)],
        params: &Params,
    ) -> Result<Nested<T>, ClientError> {
        super::method::check_method(method)?;
        if !super::method::is_read_method(method) || method == super::method::BULK_METHOD {
            return Err(ClientError::invalid_parameter(
                "method",
                format!("`{method}` is not a report"),
            ));
        }
        let mut pairs = params.to_pairs()?;
        for (name, value) in fixed {
            pairs.retain(|(existing, _)| existing != name);
            pairs.push(((*name).to_owned(), (*value).to_owned()));
        }
        let fetched = self.fetch(method, &pairs, true).await?;
        let nesting = params.nesting();
        let response = &fetched.response;
        // A row report is a JSON array and no error body is one: decode it straight from the
        // bytes. Anything else (or a body that does not fit) goes through the envelope, which
        // tells Matomo's errors, HTML pages and garbage apart.
        let direct = if response.status == 200
            && !response.is_html
            && !nesting.multi_site
            && !nesting.multi_period
            && crate::models::starts_array(&response.body)
        {
            crate::models::answer::matomo_answer_of(method, || {
                serde_json::from_slice(&response.body)
            })
            .ok()
            .map(Nested::One)
        } else {
            None
        };
        let typed = match direct {
            Some(typed) => Ok(typed),
            None => envelope::decode(method, response, &self.transport.token).and_then(|value| {
                match (nesting.multi_site, nesting.multi_period) {
                    (false, false) => self.decode_value(method, value).map(Nested::One),
                    (false, true) => self.decode_value(method, value).map(Nested::Periods),
                    (true, false) => self.decode_value(method, value).map(Nested::Sites),
                    (true, true) => self.decode_value(method, value).map(Nested::SitesPeriods),
                }
            }),
        };
        self.settle(fetched, &pairs, typed.is_ok()).await;
        typed
    }
}
