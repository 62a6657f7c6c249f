//! Privacy classes, the [`Classified`] trait, classified values, and the transforms that lower a class.
//!
//! Values from Matomo above `aggregate` carry their class in their type
//! ([`Identifying<T>`], [`Pseudonymous<T>`]) and cannot be read as plain values. A class
//! only goes down through a transform whose constructor does the work ([`Pseudonym`]
//! hashes an identifier under a secret key, [`Scrubber`](crate::minimise::Scrubber)
//! masks identifiers, the threshold shows only rows with enough visitors), or through
//! the one escape hatch, a [`Declassification`] declared on a tool with its reason.
//! Annotations classify plain values ([`PlainValue`]); they can raise but never lower
//! the class of a type that carries one ([`AnnotatableAs`]).

mod check;
mod class;
mod classified;
mod declassify;
pub mod encoding;
mod level;
mod pseudonym;
mod shape;
mod value;

pub use check::assert_tool_within;
pub use class::{PrivacyClass, UnknownPrivacyClass};
pub use classified::{Classified, ClassifiedKey, PlainValue};
pub use declassify::Declassification;
pub use encoding::OUTSIDE_AN_OUTPUT;
pub(crate) use level::leaf_class;
pub use level::{AnnotatableAs, FitsUnder, Level, assert_fits, max_class};
pub use pseudonym::without_trailing_newline;
pub use pseudonym::{MIN_KEY_BYTES, Pseudonym, PseudonymKey, PseudonymKeyError, PseudonymKind};
pub use shape::{Field, FieldClass, MapKey, Shape};
pub(crate) use value::sealed::Reveal;
pub use value::{Identifying, Pseudonymous, ReadAsPlain, TextSource};
