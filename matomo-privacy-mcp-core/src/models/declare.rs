//! Declaration macros: report marker types and model structs of optional classified fields.

/// Declares report marker types: `report!(/// doc\n Name = "Module.method" => Output);`.
macro_rules! report {
    ($(
        $(#[$doc:meta])*
        $name:ident = $method:literal $([$($key:literal = $value:literal),*])? $(, overlap = $overlap:expr)? => $output:ty;
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl $crate::models::Report for $name {
            const METHOD: &'static str = $method;
            $(const PARAMS: &'static [(&'static str, &'static str)] = &[$(($key, $value)),*];)?
            $(const OVERLAP: $crate::models::Overlap = $overlap;)?
            type Output = $output;
        }
    )*};
}

/// The type a model field of a class holds: plain for `aggregate`, else the class in the type.
macro_rules! classified_type {
    (aggregate, $ty:ty) => { $ty };
    (pseudonymous, $ty:ty) => { $crate::privacy::Pseudonymous<$ty> };
    (identifying, $ty:ty) => { $crate::privacy::Identifying<$ty> };
}

/// Declares a model struct whose optional fields are written once each, with their class.
///
/// A field is one of:
/// - `name: Type,`: an optional aggregate metric, `#[privacy(aggregate)] pub name: Option<Type>`;
/// - `(class) name: Type,`: the same with its class, `Type` wrapped in
///   [`Pseudonymous`](crate::privacy::Pseudonymous) or [`Identifying`](crate::privacy::Identifying)
///   above `aggregate` (the annotation then only restates the class the type carries);
/// - `(class, strict) name: Type,`: the same, but Matomo's `false` is refused, not read as absent;
/// - `(typed) name: Type,`: an optional field whose type carries its class (a map of names, a
///   nested model, an `Identifying<String>`), `pub name: Option<Type>`; `false` is refused;
/// - `pub name: Type,`: kept as written (a required label, a flattened row).
///
/// The optional fields get `#[serde(default, skip_serializing_if = "Option::is_none")]`, and all
/// but the `strict` and `typed` ones read Matomo's `false` or `null` as absent
/// ([`false_as_none`](crate::models::absent::false_as_none)).
/// Extra field attributes (docs, `serde(rename)`) pass through; container attributes
/// (`serde(rename_all)`) go after the derives.
macro_rules! classified_fields {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($fields:tt)* }
    ) => {
        classified_fields!(@field [$(#[$meta])*] $name [] $($fields)*);
    };
    // A field kept as written.
    (@field $meta:tt $name:ident [$($done:tt)*]
        $(#[$field_meta:meta])* pub $field:ident : $ty:ty, $($rest:tt)*
    ) => {
        classified_fields!(@field $meta $name [$($done)* $(#[$field_meta])* pub $field: $ty,] $($rest)*);
    };
    // An optional field of a class, `false` refused.
    (@field $meta:tt $name:ident [$($done:tt)*]
        $(#[$field_meta:meta])* ($class:ident, strict) $field:ident : $ty:ty, $($rest:tt)*
    ) => {
        classified_fields!(@field $meta $name [
            $($done)*
            $(#[$field_meta])*
            #[privacy($class)]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $field: Option<classified_type!($class, $ty)>,
        ] $($rest)*);
    };
    // An optional field whose type carries its class, `false` refused.
    (@field $meta:tt $name:ident [$($done:tt)*]
        $(#[$field_meta:meta])* (typed) $field:ident : $ty:ty, $($rest:tt)*
    ) => {
        classified_fields!(@field $meta $name [
            $($done)*
            $(#[$field_meta])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $field: Option<$ty>,
        ] $($rest)*);
    };
    // An optional field of a class.
    (@field $meta:tt $name:ident [$($done:tt)*]
        $(#[$field_meta:meta])* ($class:ident) $field:ident : $ty:ty, $($rest:tt)*
    ) => {
        classified_fields!(@field $meta $name [
            $($done)*
            $(#[$field_meta])*
            #[privacy($class)]
            #[serde(
                default,
                skip_serializing_if = "Option::is_none",
                deserialize_with = "crate::models::absent::false_as_none"
            )]
            pub $field: Option<classified_type!($class, $ty)>,
        ] $($rest)*);
    };
    // An optional aggregate metric.
    (@field $meta:tt $name:ident [$($done:tt)*]
        $(#[$field_meta:meta])* $field:ident : $ty:ty, $($rest:tt)*
    ) => {
        classified_fields!(@field $meta $name [$($done)*] $(#[$field_meta])* (aggregate) $field: $ty, $($rest)*);
    };
    (@field [$($meta:tt)*] $name:ident [$($done:tt)*]) => {
        #[derive(
            Clone, Debug, Default, PartialEq,
            serde::Deserialize, serde::Serialize, schemars::JsonSchema, $crate::Classified,
        )]
        $($meta)*
        pub struct $name { $($done)* }
    };
}
