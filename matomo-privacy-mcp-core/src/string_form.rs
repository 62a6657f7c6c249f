//! Serde and JSON Schema support for values that travel as one string (periods, dates, segments).
//!
//! Tool arguments arrive as JSON; parsing them through the same `FromStr` as
//! everywhere else means an invalid date or segment in a tool call is refused
//! with the same message, before any request.

/// Implements `Serialize` (via `Display`), `Deserialize` (via `FromStr`) and
/// `JsonSchema` (a string schema given as JSON) for `$ty`.
macro_rules! string_form {
    ($ty:ty, $schema_name:literal, $schema:tt) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::schemars::JsonSchema for $ty {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                $schema_name.into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!($schema)
            }
        }
    };
}

pub(crate) use string_form;
