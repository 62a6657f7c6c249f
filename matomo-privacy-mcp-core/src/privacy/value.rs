//! Values whose type carries their class: what the typed Matomo models hold above `aggregate`.
//!
//! An [`Identifying<T>`] or [`Pseudonymous<T>`] cannot be read as its plain `T`: it has no
//! `Deref`, no public field, no `Display`, no `AsRef`, no `Into<T>`, and its `Debug` output
//! is redacted. It serialises as `T` only inside the encoding of a tool's output whose declared
//! class admits it (see [`encoding`](super::encoding)), so a tool that declares the class may
//! return it but no code can turn it into text and read it back; its [`Classified`](super::Classified) and [`FitsUnder`](super::FitsUnder) implementations
//! raise the class of any output that holds it. The ways down are the transforms, which read
//! the value inside this crate and return a lower-class type that did the work, and
//! [`declassify`](Identifying::declassify), which needs a [`Declassification`] declared on
//! a tool and so shows in the privacy manifest.
//!
//! Equality and hashing are kept: comparing two values or counting distinct ones is
//! computation, not exposure. The guarantee is against accidental exposure through a
//! tool's output; code that means to exfiltrate data is out of its reach (and of any
//! type system's).

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::declassify::Declassification;
use super::encoding;
use super::level::{AnnotatableAs, FitsUnder, max_class};
use super::{Classified, PrivacyClass, Shape};

macro_rules! classified_value {
    (
        $(#[$doc:meta])*
        $name:ident, $class:ident
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name<T>(T);

        impl<T> $name<T> {
            /// Classifies `value`. Raising a class is always allowed.
            pub const fn new(value: T) -> Self {
                Self(value)
            }

            /// Gives up the class: the plain value, for a use declared on a tool with a reason.
            ///
            /// `declassification` comes from `#[matomo_tool(declassify(name = "reason"))]`
            /// (as the constant `NameTool::NAME`), so every use is tied to a tool and listed in
            /// the privacy manifest with its reason. Prefer a transform: it does the work that
            /// makes the lower class true; this only records that a person decided it is.
            pub fn declassify(self, declassification: &Declassification) -> T {
                let _ = declassification;
                self.0
            }

            /// The value for a transform of this crate, which returns a lower-class type that did the work.
            pub(crate) fn reveal(&self) -> &T {
                &self.0
            }

            /// Applies `f` inside the class: the result stays as classified as the input.
            ///
            /// `f` only gets a function pointer's power (no captured state), so the plain
            /// value cannot leave through it.
            pub fn map<U>(self, f: fn(T) -> U) -> $name<U> {
                $name(f(self.0))
            }

            /// A classified reference to the value.
            pub fn by_ref(&self) -> $name<&T> {
                $name(&self.0)
            }

            /// Refused at compile time, with a message saying what to do instead: a classified
            /// value cannot be read as plain text. (Shadows `ToString::to_string`.)
            #[allow(clippy::inherent_to_string)]
            pub fn to_string(&self) -> String
            where
                Self: ReadAsPlain<String>,
            {
                ReadAsPlain::read(self)
            }

            /// Refused at compile time, with a message saying what to do instead.
            pub fn as_str(&self) -> &str
            where
                Self: ReadAsPlain<&'static str>,
            {
                ReadAsPlain::read(self)
            }

            /// Refused at compile time, with a message saying what to do instead. (Shadows `Into::into`.)
            pub fn into<U>(self) -> U
            where
                Self: ReadAsPlain<U>,
            {
                ReadAsPlain::read(&self)
            }

            /// Refused at compile time, with a message saying what to do instead.
            pub fn into_inner(self) -> T
            where
                Self: ReadAsPlain<T>,
            {
                ReadAsPlain::read(&self)
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Logs and panics must not carry the value.
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl<T: Serialize> Serialize for $name<T> {
            /// The inner value, while a tool's output that admits the class is being encoded;
            /// anywhere else an error ([`OUTSIDE_AN_OUTPUT`](super::OUTSIDE_AN_OUTPUT)).
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if encoding::admits(PrivacyClass::$class) {
                    self.0.serialize(serializer)
                } else {
                    Err(serde::ser::Error::custom(encoding::OUTSIDE_AN_OUTPUT))
                }
            }
        }

        impl<'de, T: Deserialize<'de>> Deserialize<'de> for $name<T> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                T::deserialize(deserializer).map(Self)
            }
        }

        impl<T: JsonSchema> JsonSchema for $name<T> {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                T::schema_name()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                T::json_schema(generator)
            }
        }

        impl<T> Classified for $name<T> {
            const SHAPE: Shape = Shape::Value(PrivacyClass::$class);
        }
    };
}

classified_value! {
    /// A value that names a person or is likely to carry personal data: a page URL or title,
    /// a search keyword, a user id, an IP address, a referrer URL.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::privacy::Identifying;
    /// use matomo_privacy_mcp_core::{Classified, PrivacyClass};
    ///
    /// let url = Identifying::new(String::from("https://example.org/reset?mail=jane@example.org"));
    /// assert_eq!(format!("{url:?}"), "Identifying(<redacted>)");
    /// // Outside a tool's output that declares `identifying`, it does not serialise either.
    /// assert!(serde_json::to_value(&url).is_err());
    /// assert_eq!(Identifying::<String>::MAX_CLASS, PrivacyClass::Identifying);
    /// ```
    ///
    /// It cannot be read as a `String`:
    ///
    /// ```compile_fail
    /// # use matomo_privacy_mcp_core::privacy::Identifying;
    /// let url = Identifying::new(String::from("https://example.org/?mail=jane@example.org"));
    /// let plain: String = url.to_string();
    /// ```
    Identifying, Identifying
}

// Written out rather than generated, so that a compile error quoting them shows one line.
impl<T> FitsUnder<max_class::identifying> for Identifying<T> {}
impl<T> AnnotatableAs<max_class::identifying> for Identifying<T> {}

classified_value! {
    /// A value that singles out one visitor or visit without naming them: a visitor id, a
    /// fingerprint, an exact timestamp, coordinates, a per-visit detail.
    ///
    /// ```
    /// use matomo_privacy_mcp_core::privacy::Pseudonymous;
    /// use matomo_privacy_mcp_core::{Classified, PrivacyClass};
    ///
    /// let visitor = Pseudonymous::new(String::from("5f2e1c0a9b8d7e6f"));
    /// assert_eq!(format!("{visitor:?}"), "Pseudonymous(<redacted>)");
    /// assert_eq!(Pseudonymous::<String>::MAX_CLASS, PrivacyClass::Pseudonymous);
    /// ```
    Pseudonymous, Pseudonymous
}

impl<T> FitsUnder<max_class::pseudonymous> for Pseudonymous<T> {}
impl<T> FitsUnder<max_class::identifying> for Pseudonymous<T> {}
impl<T> AnnotatableAs<max_class::pseudonymous> for Pseudonymous<T> {}
impl<T> AnnotatableAs<max_class::identifying> for Pseudonymous<T> {}

/// Never implemented: the bound of the methods a classified value refuses (`to_string`, `as_str`,
/// `into`, `into_inner`), so that trying one gives this message instead of a bare "method not found".
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read as a plain value: its type carries its privacy class",
    label = "this would copy the value out of its class",
    note = "lower it through a transform (`Scrubber::url`/`Scrubber::text` and then the threshold, `Pseudonym::new`, `Generaliser`), or declassify it with a reason declared in #[matomo_tool(declassify(name = \"reason\"))]: `value.declassify(&MyTool::NAME)`"
)]
pub trait ReadAsPlain<U>: sealed::Never {
    /// Unreachable: no type implements the trait.
    fn read(&self) -> U;
}

/// Text a transform can read: plain strings (a tool's own text) and classified strings.
///
/// Sealed: the transforms of this crate ([`Scrubber`](crate::minimise::Scrubber),
/// [`Pseudonym::new`](super::Pseudonym::new)) are the only code that reads a classified
/// string's text, and each returns a lower-class type that did the work.
pub trait TextSource: sealed::Reveal {}

pub(crate) mod sealed {
    /// Implemented by nothing, so that [`ReadAsPlain`](super::ReadAsPlain) cannot be implemented.
    pub trait Never {}

    /// Reads the text; in a private module, so that no code outside this crate can call it.
    pub trait Reveal {
        fn reveal_text(&self) -> &str;
    }
}

impl sealed::Reveal for str {
    fn reveal_text(&self) -> &str {
        self
    }
}
impl TextSource for str {}

impl sealed::Reveal for String {
    fn reveal_text(&self) -> &str {
        self
    }
}
impl TextSource for String {}

impl sealed::Reveal for std::borrow::Cow<'_, str> {
    fn reveal_text(&self) -> &str {
        self
    }
}
impl TextSource for std::borrow::Cow<'_, str> {}

impl<T: AsRef<str>> sealed::Reveal for Identifying<T> {
    fn reveal_text(&self) -> &str {
        self.reveal().as_ref()
    }
}
impl<T: AsRef<str>> TextSource for Identifying<T> {}

impl<T: AsRef<str>> sealed::Reveal for Pseudonymous<T> {
    fn reveal_text(&self) -> &str {
        self.reveal().as_ref()
    }
}
impl<T: AsRef<str>> TextSource for Pseudonymous<T> {}

impl<T: sealed::Reveal + ?Sized> sealed::Reveal for &T {
    fn reveal_text(&self) -> &str {
        (**self).reveal_text()
    }
}
impl<T: TextSource + ?Sized> TextSource for &T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serialisation_is_transparent_inside_an_output() {
        let url = Identifying::new(String::from("/reset?mail=jane@example.org"));
        assert_eq!(format!("{url:?}"), "Identifying(<redacted>)");
        assert_eq!(format!("{:?}", Some(&url)), "Some(Identifying(<redacted>))");
        assert_eq!(
            encoding::within(PrivacyClass::Identifying, || serde_json::to_string(&url)).unwrap(),
            "\"/reset?mail=jane@example.org\""
        );
        let back: Identifying<String> =
            serde_json::from_str("\"/reset?mail=jane@example.org\"").unwrap();
        assert_eq!(back, url);
        let id: Pseudonymous<u64> = serde_json::from_str("17").unwrap();
        assert_eq!(format!("{id:?}"), "Pseudonymous(<redacted>)");
    }

    #[test]
    fn outside_an_output_that_admits_it_serialisation_fails_with_the_ways_down() {
        let url = Identifying::new(String::from("/reset?mail=jane@example.org"));
        let visitor = Pseudonymous::new(String::from("5f2e1c0a9b8d7e6f"));
        let err = serde_json::to_string(&url).unwrap_err().to_string();
        assert_eq!(err, encoding::OUTSIDE_AN_OUTPUT);
        assert!(serde_json::to_value(&visitor).is_err());
        encoding::within(PrivacyClass::Pseudonymous, || {
            assert!(serde_json::to_vec(&visitor).is_ok());
            assert!(serde_json::to_vec(&url).is_err());
        });
        encoding::within(PrivacyClass::Aggregate, || {
            assert!(serde_json::to_vec(&visitor).is_err());
        });
    }

    #[test]
    fn schema_is_the_inner_types() {
        let plain = schemars::schema_for!(String);
        let classified = schemars::schema_for!(Identifying<String>);
        assert_eq!(plain, classified);
    }

    #[test]
    fn classes_are_reported() {
        assert_eq!(Identifying::<String>::MAX_CLASS, PrivacyClass::Identifying);
        assert_eq!(
            Option::<Pseudonymous<u64>>::MAX_CLASS,
            PrivacyClass::Pseudonymous
        );
    }

    #[test]
    fn map_keeps_the_class() {
        let length = Identifying::new(String::from("abc")).map(|s| s.len());
        assert_eq!(length, Identifying::new(3));
    }
}
