//! Decoding a JSON value into a typed response while keeping the path of the
//! field that did not fit, so that an error says which field of a long body broke.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// How many fields a decode error lists when it can only narrow the fault down to an object.
const MAX_SUSPECTS: usize = 2;

/// Decodes `value`, or explains the failure with the field's path: `field
/// \`[3].nb_visits\`: invalid type: …`.
///
/// Flattened structs (report rows) hide the field from the path; the error
/// then names the object and the fields in it of the type that was found.
pub(crate) fn decode_with_path<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let inner = err.inner().to_string();
        let path = err.path().to_string();
        if path == "." {
            return inner;
        }
        let suspects = at_path(value, err.path())
            .and_then(Value::as_object)
            .map(|object| suspects(object, &inner))
            .unwrap_or_default();
        if suspects.is_empty() {
            format!("field `{path}`: {inner}")
        } else {
            format!(
                "field `{path}`, in {}: {inner}",
                suspects
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    })
}

/// The value a path points at, following object keys and array indexes.
fn at_path<'v>(value: &'v Value, path: &serde_path_to_error::Path) -> Option<&'v Value> {
    use serde_path_to_error::Segment;
    path.iter()
        .try_fold(value, |current, segment| match segment {
            Segment::Seq { index } => current.get(*index),
            Segment::Map { key } => current.get(key.as_str()),
            Segment::Enum { .. } | Segment::Unknown => Some(current),
        })
}

/// The members of `object` whose JSON type is the one serde says it found instead
/// (`invalid type: map, …`), at most [`MAX_SUSPECTS`], the last one `…` if there are more.
fn suspects(object: &serde_json::Map<String, Value>, inner: &str) -> Vec<String> {
    let Some(found) = inner.strip_prefix("invalid type: ") else {
        return Vec::new();
    };
    let matches = |value: &Value| match value {
        Value::Object(_) => found.starts_with("map"),
        Value::Array(_) => found.starts_with("sequence"),
        Value::Number(_) => {
            found.starts_with("integer")
                || found.starts_with("floating point")
                || found.starts_with("u64")
                || found.starts_with("i64")
        }
        Value::String(_) => found.starts_with("string"),
        Value::Bool(_) => found.starts_with("boolean"),
        Value::Null => found.starts_with("null"),
    };
    let mut names: Vec<String> = object
        .iter()
        .filter(|(_, value)| matches(value))
        .map(|(name, _)| name.clone())
        .take(MAX_SUSPECTS + 1)
        .collect();
    if names.len() > MAX_SUSPECTS {
        names.truncate(MAX_SUSPECTS);
        names.push("…".to_owned());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Metrics {
        nb_visits: u64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Row {
        label: String,
        #[serde(flatten)]
        metrics: Metrics,
    }

    #[test]
    fn plain_fields_are_named_by_their_path() {
        let detail =
            decode_with_path::<Vec<Metrics>>(&json!([{ "nb_visits": 1 }, { "nb_visits": {} }]))
                .unwrap_err();
        assert!(
            detail.starts_with("field `[1].nb_visits`: invalid type: map"),
            "{detail}"
        );
    }

    #[test]
    fn flattened_fields_are_narrowed_to_their_object() {
        let detail =
            decode_with_path::<Vec<Row>>(&json!([{ "label": "a", "nb_visits": { "value": 1 } }]))
                .unwrap_err();
        assert!(
            detail.starts_with("field `[0]`, in `nb_visits`: invalid type: map"),
            "{detail}"
        );
    }

    #[test]
    fn a_wrong_root_has_no_path() {
        let detail = decode_with_path::<Vec<Row>>(&json!(7)).unwrap_err();
        assert!(detail.starts_with("invalid type: integer"), "{detail}");
    }
}
