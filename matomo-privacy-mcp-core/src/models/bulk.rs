//! `API.getBulkRequest`: one array, one item per sub-request, each a result or an error.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{DecodeError, decode_value};

/// One item of a bulk response, not yet decoded.
///
/// Each sub-request answers independently, so each item is decoded with its own
/// type by [`BulkItem::decode`]; an item that is Matomo's error body becomes
/// [`DecodeError::Matomo`] without failing the others. The raw item is private
/// and has no `Serialize`: nothing untyped is passed on.
pub struct BulkItem(Value);

impl BulkItem {
    /// Decodes the item as the response of its sub-request.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        decode_value(self.0.clone())
    }
}

impl fmt::Debug for BulkItem {
    // The raw item may hold visitor data: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BulkItem(..)")
    }
}

/// Splits an `API.getBulkRequest` body into its items, in request order.
///
/// Fails only if the whole body is Matomo's error body, not JSON, or not an array.
pub fn split_bulk(body: &[u8]) -> Result<Vec<BulkItem>, DecodeError> {
    let items: Vec<Value> = super::decode(body)?;
    Ok(items.into_iter().map(BulkItem).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Count, VisitsSummary};

    #[test]
    fn items_fail_one_by_one() {
        let body = br#"[{"nb_visits":17},{"result":"error","message":"bad site"}]"#;
        let items = split_bulk(body).unwrap();
        assert_eq!(items.len(), 2);
        let first: VisitsSummary = items[0].decode().unwrap();
        assert_eq!(first.nb_visits, Some(Count(17)));
        let err = items[1].decode::<VisitsSummary>().unwrap_err();
        assert_eq!(err.payload().unwrap().message, "bad site");
        assert_eq!(format!("{:?}", items[0]), "BulkItem(..)");
    }
}
