//! The privacy classes as types, so that the compiler itself checks what a tool exposes.
//!
//! [`PrivacyClass`](super::PrivacyClass) is the run-time value; the three types here are
//! the same classes at the type level. `#[derive(Classified)]` implements
//! [`FitsUnder`] for a type when every field fits under a class, each requirement
//! spanned at its field, and `#[matomo_tool]` asks for
//! `Output: FitsUnder<max_class::…>`. A violation is then an ordinary trait error
//! whose note points at the field that is too sensitive.
//!
//! The lower-case names are deliberate: they read as the attribute the user wrote
//! (`max_class = aggregate`) when rustc prints them in an error.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::classified::ClassifiedKey;

/// The privacy classes as types: the `C` of [`FitsUnder<C>`](FitsUnder).
#[allow(non_camel_case_types)]
pub mod max_class {
    /// [`PrivacyClass::Aggregate`](crate::PrivacyClass::Aggregate) as a type.
    #[derive(Debug)]
    pub enum aggregate {}
    /// [`PrivacyClass::Pseudonymous`](crate::PrivacyClass::Pseudonymous) as a type.
    #[derive(Debug)]
    pub enum pseudonymous {}
    /// [`PrivacyClass::Identifying`](crate::PrivacyClass::Identifying) as a type.
    #[derive(Debug)]
    pub enum identifying {}
}

use max_class::{aggregate, identifying, pseudonymous};

/// One of the [`max_class`] types, with the run-time class it stands for.
pub trait Level: sealed::Sealed {
    /// The class as a value.
    const CLASS: super::PrivacyClass;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::aggregate {}
    impl Sealed for super::pseudonymous {}
    impl Sealed for super::identifying {}
}

impl Level for aggregate {
    const CLASS: super::PrivacyClass = super::PrivacyClass::Aggregate;
}
impl Level for pseudonymous {
    const CLASS: super::PrivacyClass = super::PrivacyClass::Pseudonymous;
}
impl Level for identifying {
    const CLASS: super::PrivacyClass = super::PrivacyClass::Identifying;
}

/// Everything a value of this type can expose is at most class `C`.
///
/// Implemented by `#[derive(Classified)]` (one requirement per field, spanned at the
/// field), by the classified values ([`Identifying`](super::Identifying),
/// [`Pseudonymous`](super::Pseudonymous)), by the transforms' outputs, and by the
/// containers for what they hold. A hand-written [`Classified`](super::Classified)
/// implementation writes its `FitsUnder` implementation beside it; `#[matomo_tool]`
/// checks both, so the two cannot disagree unnoticed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` exposes more than `{C}` allows",
    label = "this tool's output holds a value above its declared max_class",
    note = "the note below (\"unsatisfied trait bound introduced here\") points at the field; lower its value through a transform (`Scrubber`, `Pseudonym::new`, `Generaliser`, the threshold), declassify it with a reason declared in #[matomo_tool(declassify(...))], or raise max_class on purpose"
)]
pub trait FitsUnder<C> {}

impl<C> FitsUnder<C> for aggregate {}
impl FitsUnder<pseudonymous> for pseudonymous {}
impl FitsUnder<identifying> for pseudonymous {}
impl FitsUnder<identifying> for identifying {}

impl<C, T: FitsUnder<C>> FitsUnder<C> for Option<T> {}
impl<C, T: FitsUnder<C>> FitsUnder<C> for Vec<T> {}
impl<C, T: FitsUnder<C>> FitsUnder<C> for [T] {}
impl<C, T: FitsUnder<C>, const N: usize> FitsUnder<C> for [T; N] {}
impl<C, T: FitsUnder<C> + ?Sized> FitsUnder<C> for Box<T> {}
impl<C, T: FitsUnder<C> + ?Sized> FitsUnder<C> for Arc<T> {}
impl<C, T: FitsUnder<C> + ?Sized> FitsUnder<C> for &T {}
impl<C, K: ClassifiedKey, V: FitsUnder<C>, S> FitsUnder<C> for HashMap<K, V, S> where
    K::Level: FitsUnder<C>
{
}
impl<C, K: ClassifiedKey, V: FitsUnder<C>> FitsUnder<C> for BTreeMap<K, V> where
    K::Level: FitsUnder<C>
{
}

/// A `#[privacy(L)]` annotation may classify this type as `L`.
///
/// Plain values ([`PlainValue`](super::PlainValue): strings, numbers, booleans) take any
/// class. A value that carries its class in its type takes an annotation at its own class
/// or above, never below: an annotation can raise a class, only a transform or
/// `declassify` can lower one.
#[diagnostic::on_unimplemented(
    message = "#[privacy(...)] cannot classify `{Self}` as `{L}`",
    label = "annotated field",
    note = "an annotation classifies plain values (strings, numbers, booleans, and Option/Vec of them) and can raise, never lower, the class a type carries; lower a value through a transform (`Scrubber`, `Pseudonym::new`, `Generaliser`, the threshold) or `declassify` with a declared reason, or remove the attribute"
)]
pub trait AnnotatableAs<L> {}

impl<L, T: super::PlainValue + ?Sized> AnnotatableAs<L> for T {}
impl<L, T: AnnotatableAs<L>> AnnotatableAs<L> for Option<T> {}
impl<L, T: AnnotatableAs<L>> AnnotatableAs<L> for Vec<T> {}
impl<L, T: AnnotatableAs<L>> AnnotatableAs<L> for [T] {}
impl<L, T: AnnotatableAs<L> + ?Sized> AnnotatableAs<L> for Arc<T> {}

/// Compiles only if `T` fits under `C`; `#[matomo_tool]` calls it in a `const` item.
pub const fn assert_fits<T: FitsUnder<C> + ?Sized, C>() {}

/// Implements [`FitsUnder`] and [`AnnotatableAs`] for a type that carries one class as a whole.
macro_rules! leaf_class {
    ($ty:ty, aggregate) => {
        impl<C> $crate::privacy::FitsUnder<C> for $ty {}
        impl<L> $crate::privacy::AnnotatableAs<L> for $ty {}
    };
    ($ty:ty, pseudonymous) => {
        impl $crate::privacy::FitsUnder<$crate::privacy::max_class::pseudonymous> for $ty {}
        impl $crate::privacy::FitsUnder<$crate::privacy::max_class::identifying> for $ty {}
        impl $crate::privacy::AnnotatableAs<$crate::privacy::max_class::pseudonymous> for $ty {}
        impl $crate::privacy::AnnotatableAs<$crate::privacy::max_class::identifying> for $ty {}
    };
    ($ty:ty, identifying) => {
        impl $crate::privacy::FitsUnder<$crate::privacy::max_class::identifying> for $ty {}
        impl $crate::privacy::AnnotatableAs<$crate::privacy::max_class::identifying> for $ty {}
    };
}
pub(crate) use leaf_class;
