//! Declaration macros: report marker types and all-aggregate metric structs.

/// Declares report marker types: `report!(/// doc\n Name = "Module.method" => Output);`.
macro_rules! report {
    ($(
        $(#[$doc:meta])*
        $name:ident = $method:literal $([$($key:literal = $value:literal),*])? => $output:ty;
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl $crate::models::Report for $name {
            const METHOD: &'static str = $method;
            $(const PARAMS: &'static [(&'static str, &'static str)] = &[$(($key, $value)),*];)?
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

/// Declares a struct of optional fields, each with its own class: `(pseudonymous) name: Type,`.
///
/// Every field becomes `#[privacy(class)] #[serde(default, skip_serializing_if = "Option::is_none")]
/// pub name: Option<Type>`, where `Type` is wrapped in [`Pseudonymous`](crate::privacy::Pseudonymous)
/// or [`Identifying`](crate::privacy::Identifying) above `aggregate` (the annotation then only
/// restates the class the type carries). Container attributes (`serde(rename_all)`) go after
/// the derives.
macro_rules! classified_fields {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* ($class:ident) $field:ident : $ty:ty, )*
        }
    ) => {
        #[derive(
            Clone, Debug, Default, PartialEq,
            serde::Deserialize, serde::Serialize, schemars::JsonSchema, $crate::Classified,
        )]
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[privacy($class)]
                #[serde(
                    default,
                    skip_serializing_if = "Option::is_none",
                    deserialize_with = "crate::models::absent::false_as_none"
                )]
                pub $field: Option<classified_type!($class, $ty)>,
            )*
        }
    };
}

/// Declares a struct whose fields are all optional aggregate metrics.
///
/// Every field becomes `#[privacy(aggregate)] #[serde(default, skip_serializing_if = "Option::is_none")] pub
/// name: Option<Type>`, where Matomo's `false` or `null` means "absent"; extra field attributes (docs, `serde(rename)`) pass through.
macro_rules! aggregate_metrics {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Debug, Default, PartialEq,
            serde::Deserialize, serde::Serialize, schemars::JsonSchema, $crate::Classified,
        )]
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[privacy(aggregate)]
                #[serde(
                    default,
                    skip_serializing_if = "Option::is_none",
                    deserialize_with = "crate::models::absent::false_as_none"
                )]
                pub $field: Option<$ty>,
            )*
        }
    };
}
