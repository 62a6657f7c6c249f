//! `API.getBulkRequest`: several calls in one HTTP request, failing item by item.

use serde_json::Value;

use super::envelope::{api_error, undecodable};
use super::error::{ClientError, MatomoApiError};
use super::method::{BULK_METHOD, check_method, is_read_method};
use super::token::MatomoToken;
use crate::params::Params;

/// Several API calls to send together with [`MatomoClient::bulk`](super::MatomoClient::bulk).
///
/// Each item is checked when it is added; the token is added to the body of
/// the outer request only (Matomo merges it into every item).
///
/// ```
/// use matomo_privacy_mcp_core::client::BulkRequest;
/// use matomo_privacy_mcp_core::params::{Date, Params, Period, Sites};
///
/// let day = Params::new()
///     .sites(Sites::one(1).unwrap())
///     .period(Period::Day)
///     .date(Date::Yesterday);
/// let bulk = BulkRequest::new()
///     .push("VisitsSummary.get", &day).unwrap()
///     .push("API.getMatomoVersion", &Params::new()).unwrap();
/// assert_eq!(bulk.len(), 2);
/// assert!(BulkRequest::new().push("Not a method", &day).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkRequest {
    /// Each item as `(method, query string)`.
    items: Vec<(String, String)>,
}

impl BulkRequest {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a call; the method and parameters are checked now.
    pub fn push(mut self, method: &str, params: &Params) -> Result<Self, ClientError> {
        check_method(method)?;
        if method == BULK_METHOD {
            return Err(ClientError::invalid_parameter(
                "method",
                "Matomo skips bulk requests nested in a bulk request; add the calls themselves",
            ));
        }
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("method", method);
        for (name, value) in params.to_pairs()? {
            query.append_pair(&name, &value);
        }
        self.items.push((method.to_owned(), query.finish()));
        Ok(self)
    }

    /// How many calls the batch holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the batch holds no call.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The methods, in order.
    pub fn methods(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(method, _)| method.as_str())
    }

    /// Whether every item only reads, so the batch may be retried.
    pub(crate) fn is_read_only(&self) -> bool {
        self.items.iter().all(|(method, _)| is_read_method(method))
    }

    /// The form fields `urls[0]`, `urls[1]`, …
    pub(crate) fn to_pairs(&self) -> Result<Vec<(String, String)>, ClientError> {
        if self.items.is_empty() {
            return Err(ClientError::invalid_parameter(
                "urls",
                "the bulk request is empty; add calls with `push`",
            ));
        }
        Ok(self
            .items
            .iter()
            .enumerate()
            .map(|(i, (_, query))| (format!("urls[{i}]"), query.clone()))
            .collect())
    }
}

/// Splits Matomo's bulk answer into one result per item, in request order.
pub(crate) fn split_items(
    request: &BulkRequest,
    value: Value,
    body: &[u8],
    token: &MatomoToken,
) -> Result<Vec<Result<Value, MatomoApiError>>, ClientError> {
    let Value::Array(items) = value else {
        return Err(undecodable(
            BULK_METHOD,
            "expected a JSON array with one element per call",
            body,
            token,
        ));
    };
    if items.len() != request.len() {
        let detail = format!(
            "expected {} results, one per call, got {}",
            request.len(),
            items.len()
        );
        return Err(undecodable(BULK_METHOD, &detail, body, token));
    }
    Ok(items
        .into_iter()
        .map(|item| match api_error(&item, token) {
            Some(error) => Err(error),
            None => Ok(item),
        })
        .collect())
}
