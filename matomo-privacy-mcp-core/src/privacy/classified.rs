//! The `Classified` trait and its implementations for containers.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::PrivacyClass;
use super::shape::{FieldClass, MapKey, Shape};

/// A type whose every exposed field has a privacy class, known at compile time.
///
/// Derive it with `#[derive(Classified)]` (feature `macros`): each field either
/// carries `#[privacy(aggregate)]`, `#[privacy(pseudonymous)]` or
/// `#[privacy(identifying)]`, or has a type that is itself `Classified`.
/// Containers propagate the class of what they hold: `Option<T>`, `Vec<T>`,
/// `Box<T>`, `Arc<T>`, and maps keyed by a [`ClassifiedKey`] such as a site id
/// or a period label.
///
/// ```
/// use matomo_privacy_mcp_core::{Classified, PrivacyClass};
///
/// #[derive(serde::Serialize, Classified)]
/// struct Row {
///     #[privacy(aggregate)]
///     nb_visits: u64,
///     #[serde(rename = "pageTitle")]
///     #[privacy(identifying)]
///     title: String,
/// }
///
/// #[derive(serde::Serialize, Classified)]
/// struct Report {
///     rows: Vec<Row>,
/// }
///
/// const MAX: PrivacyClass = Report::MAX_CLASS;
/// assert_eq!(MAX, PrivacyClass::Identifying);
/// let paths: Vec<String> = Report::fields().iter().map(ToString::to_string).collect();
/// assert_eq!(paths, ["rows[].nb_visits (aggregate)", "rows[].pageTitle (identifying)"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no privacy class",
    label = "this field's type is not `Classified`",
    note = "classify the field with #[privacy(aggregate)], #[privacy(pseudonymous)] or #[privacy(identifying)], or derive `Classified` for `{Self}`"
)]
pub trait Classified {
    /// The type's shape with a class on every leaf, built at compile time.
    const SHAPE: Shape;

    /// The most sensitive class the type can expose.
    const MAX_CLASS: PrivacyClass = Self::SHAPE.max_class();

    /// Every exposed leaf with its JSON path and class.
    fn fields() -> Vec<FieldClass> {
        Self::SHAPE.leaves()
    }
}

/// A raw value that has no class of its own; a `#[privacy(...)]` annotation gives it one.
///
/// Implemented for strings, numbers and booleans (and Matomo's number types); `Option`,
/// `Vec` and boxes of them take annotations too ([`AnnotatableAs`](super::AnnotatableAs)).
/// A type that carries its class is never a `PlainValue`, so an annotation cannot
/// relabel (and so lower) it: only a transform such as
/// [`Pseudonym`](crate::privacy::Pseudonym) can, or a declared
/// [`Declassification`](super::Declassification).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot take a #[privacy(...)] annotation",
    label = "annotated field",
    note = "only plain values (strings, numbers, booleans and Option/Vec of them) are classified by annotation; a `Classified` type already knows its class, so remove the #[privacy(...)] attribute"
)]
pub trait PlainValue {}

macro_rules! plain_values {
    ($($ty:ty),* $(,)?) => { $(impl PlainValue for $ty {})* };
}

plain_values!(
    String, str, bool, char, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32,
    f64,
);

// `&T` and `Box<T>` are fundamental types: coherence lets their plain-ness pass through here
// rather than in `AnnotatableAs`.
impl<T: PlainValue + ?Sized> PlainValue for &T {}
impl<T: PlainValue + ?Sized> PlainValue for Box<T> {}

impl<T: Classified> Classified for Option<T> {
    // `None` is omitted or null: it exposes less than `Some`, never more.
    const SHAPE: Shape = T::SHAPE;
}

impl<T: Classified> Classified for Vec<T> {
    const SHAPE: Shape = Shape::List(&T::SHAPE);
}

impl<T: Classified> Classified for [T] {
    const SHAPE: Shape = Shape::List(&T::SHAPE);
}

impl<T: Classified, const N: usize> Classified for [T; N] {
    const SHAPE: Shape = Shape::List(&T::SHAPE);
}

impl<T: Classified + ?Sized> Classified for Box<T> {
    const SHAPE: Shape = T::SHAPE;
}

impl<T: Classified + ?Sized> Classified for Arc<T> {
    const SHAPE: Shape = T::SHAPE;
}

impl<T: Classified + ?Sized> Classified for &T {
    const SHAPE: Shape = T::SHAPE;
}

/// A map key whose values are public enough to name: site ids, period labels.
///
/// Plain `String` keys are deliberately not keys: a map keyed by free text (a
/// user id, a URL) would expose the keys without a class. Wrap the key in a
/// type that says what it is.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a classified map key",
    note = "key maps by a type that implements `ClassifiedKey` (such as `SiteId` or `PeriodLabel`) so the keys have a class too"
)]
pub trait ClassifiedKey {
    /// What the keys are, shown as `{name}` in field paths.
    const KEY: MapKey;
    /// The keys' class as a type (a [`max_class`](super::max_class) type), for the compile-time check.
    type Level: super::Level;
}

impl<K: ClassifiedKey, V: Classified, S> Classified for HashMap<K, V, S> {
    const SHAPE: Shape = Shape::Map {
        key: K::KEY,
        value: &V::SHAPE,
    };
}

impl<K: ClassifiedKey, V: Classified> Classified for BTreeMap<K, V> {
    const SHAPE: Shape = Shape::Map {
        key: K::KEY,
        value: &V::SHAPE,
    };
}
