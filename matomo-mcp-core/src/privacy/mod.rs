//! Privacy classes, the [`Classified`] trait, and the transform types that lower a class.
//!
//! A value's class can only go down through a transform whose constructor does
//! the work: [`Pseudonym`] hashes an identifier under a secret key. Annotations
//! classify plain values ([`PlainValue`]); they can never relabel a type that
//! already knows its class.

mod check;
mod class;
mod classified;
mod pseudonym;
mod shape;

pub use check::assert_tool_within;
pub use class::{PrivacyClass, UnknownPrivacyClass};
pub use classified::{Classified, ClassifiedKey, PlainValue};
pub use pseudonym::{MIN_KEY_BYTES, Pseudonym, PseudonymKey, PseudonymKeyError, PseudonymKind};
pub use shape::{Field, FieldClass, MapKey, Shape};
