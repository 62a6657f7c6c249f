//! Yes/no fields, which Matomo sends as `true`/`false`, `1`/`0` or `"1"`/`"0"` depending on
//! the method and the version.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize};

use crate::privacy::PlainValue;

/// A yes/no field (an annotation's `starred`): decoded from a JSON boolean, `0`/`1`, or the
/// strings `"0"`/`"1"`/`"true"`/`"false"`; anything else is a serde error.
///
/// ```
/// use matomo_privacy_mcp_core::models::Flag;
///
/// for yes in ["true", "1", "\"1\""] {
///     assert_eq!(serde_json::from_str::<Flag>(yes).unwrap(), Flag(true));
/// }
/// assert_eq!(serde_json::from_str::<Flag>("0").unwrap(), Flag(false));
/// assert!(serde_json::from_str::<Flag>("2").is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct Flag(pub bool);

impl PlainValue for Flag {}

struct FlagVisitor;

impl Visitor<'_> for FlagVisitor {
    type Value = Flag;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a yes/no value: true, false, 1, 0, \"1\" or \"0\"")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Flag, E> {
        Ok(Flag(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Flag, E> {
        match value {
            0 => Ok(Flag(false)),
            1 => Ok(Flag(true)),
            _ => Err(E::invalid_value(Unexpected::Unsigned(value), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Flag, E> {
        match u64::try_from(value) {
            Ok(value) => self.visit_u64(value),
            Err(_) => Err(E::invalid_value(Unexpected::Signed(value), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Flag, E> {
        match value.trim() {
            "1" | "true" => Ok(Flag(true)),
            "0" | "false" | "" => Ok(Flag(false)),
            _ => Err(E::invalid_value(Unexpected::Str(value), &self)),
        }
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FlagVisitor)
    }
}
