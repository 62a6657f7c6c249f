//! Whole numbers sent as decimal strings (`"3"` for a `u32`), accepted in tool arguments.
//!
//! Some clients send every argument a user typed as a string (the MCP Inspector's CLI does), and
//! a model sometimes quotes a number. The published input schemas stay strict (`"type":
//! "integer"`); the decoder gives way only where the argument type asks for a whole number and
//! the string holds nothing but one, so no other argument changes meaning.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// At most this many strings are read as numbers in one call (there are fewer arguments).
const MAX_CONVERSIONS: usize = 64;

/// Decodes `arguments` as `A`, reading a decimal string as the whole number `A` expects there.
/// The error, if any, is the one the arguments as sent would give, or a later one.
pub(crate) fn decode<A: DeserializeOwned>(
    mut arguments: Value,
) -> Result<A, serde_path_to_error::Error<serde_json::Error>> {
    let mut conversions = 0;
    loop {
        let error = match serde_path_to_error::deserialize::<_, A>(&arguments) {
            Ok(decoded) => return Ok(decoded),
            Err(error) => error,
        };
        if conversions == MAX_CONVERSIONS || !expects_whole_number_got_string(error.inner()) {
            return Err(error);
        }
        let Some(slot) = at_path_mut(&mut arguments, error.path()) else {
            return Err(error);
        };
        let Some(number) = whole_number(slot) else {
            return Err(error);
        };
        *slot = number;
        conversions += 1;
    }
}

/// Whether serde found a string where an integer type was expected (`invalid type: string
/// "3", expected u32`).
fn expects_whole_number_got_string(error: &serde_json::Error) -> bool {
    let message = error.to_string();
    let Some(rest) = message.strip_prefix("invalid type: string ") else {
        return false;
    };
    let Some((_, expected)) = rest.rsplit_once(", expected ") else {
        return false;
    };
    expected
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "u8" | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "integer"
            )
        })
}

/// The number a string of decimal digits (with an optional `-`) holds; nothing else, so that
/// `" 3"`, `"3.0"`, `"0x3"` and `"3e2"` stay refused.
pub(crate) fn whole_number(value: &Value) -> Option<Value> {
    let Value::String(text) = value else {
        return None;
    };
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(n) = text.parse::<u64>() {
        return Some(Value::from(n));
    }
    text.parse::<i64>().ok().map(Value::from)
}

/// The value a path points at, following object keys and array indexes.
fn at_path_mut<'v>(
    value: &'v mut Value,
    path: &serde_path_to_error::Path,
) -> Option<&'v mut Value> {
    use serde_path_to_error::Segment;
    path.iter()
        .try_fold(value, |current, segment| match segment {
            Segment::Seq { index } => current.get_mut(*index),
            Segment::Map { key } => current.get_mut(key.as_str()),
            Segment::Enum { .. } | Segment::Unknown => Some(current),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Args {
        site: u32,
        limit: Option<u32>,
        offset: Option<i64>,
        date: Option<String>,
        sites: Option<Vec<u64>>,
        nested: Option<Inner>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        last: u16,
    }

    #[test]
    fn decimal_strings_are_read_where_whole_numbers_are_expected() {
        let args: Args = decode(json!({
            "site": "3", "limit": "25", "offset": "-2", "date": "2026",
            "sites": ["1", 2], "nested": { "last": "7" }
        }))
        .unwrap();
        assert_eq!(args.site, 3);
        assert_eq!(args.limit, Some(25));
        assert_eq!(args.offset, Some(-2));
        assert_eq!(args.date.as_deref(), Some("2026"), "text stays text");
        assert_eq!(args.sites, Some(vec![1, 2]));
        assert_eq!(args.nested, Some(Inner { last: 7 }));
    }

    #[test]
    fn anything_else_is_refused_as_before() {
        for (args, expected) in [
            (
                json!({ "site": "three" }),
                "`site`: invalid type: string \"three\", expected u32",
            ),
            (
                json!({ "site": " 3" }),
                "`site`: invalid type: string \" 3\", expected u32",
            ),
            (
                json!({ "site": "3.0" }),
                "`site`: invalid type: string \"3.0\", expected u32",
            ),
            (
                json!({ "site": "-3" }),
                "`site`: invalid value: integer `-3`, expected u32",
            ),
            (
                json!({ "site": "99999999999" }),
                "`site`: invalid value: integer `99999999999`, expected u32",
            ),
            (
                json!({ "site": 1, "date": 5 }),
                "`date`: invalid type: integer `5`, expected a string",
            ),
        ] {
            let error = decode::<Args>(args).unwrap_err();
            assert_eq!(format!("`{}`: {}", error.path(), error.inner()), expected);
        }
    }
}
