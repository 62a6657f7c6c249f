//! Matomo's ways of saying "no value": `false`, `null`, and for some fields `""`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Reads an optional field that Matomo sends as `false` (PHP's "nothing") or `null` when absent.
///
/// `false` is kept as a value when `T` accepts it (a boolean field). Used by
/// the declaration macros for every optional field; by hand as
/// `#[serde(default, deserialize_with = "crate::models::absent::false_as_none")]`.
pub(crate) fn false_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::Bool(false) => Ok(T::deserialize(Value::Bool(false)).ok()),
        value => T::deserialize(value)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use crate::models::Metric;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "super::false_as_none")]
        value: Option<Metric>,
    }

    #[test]
    fn false_and_null_are_none_and_values_stay_strict() {
        for (json, expected) in [
            (r#"{"value":false}"#, None),
            (r#"{"value":null}"#, None),
            (r#"{}"#, None),
            (r#"{"value":"2.5"}"#, Some(Metric(2.5))),
        ] {
            assert_eq!(
                serde_json::from_str::<Probe>(json).unwrap().value,
                expected,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<Probe>(r#"{"value":true}"#).is_err());
        let flag: Option<bool> =
            super::false_as_none(&mut serde_json::Deserializer::from_str("false")).unwrap();
        assert_eq!(flag, Some(false));
    }
}
