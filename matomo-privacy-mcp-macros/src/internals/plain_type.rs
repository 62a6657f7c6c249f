//! Recognises, by syntax, field types that are obviously plain values.
//!
//! An unannotated `String` or `u64` field is the most common mistake; catching
//! it here lets the error name the field and the fix directly. Types not
//! recognised here still fail, through the `Classified` bound, at the field's type.

use syn::{GenericArgument, PathArguments, Type};

const PLAIN: &[&str] = &[
    "String", "str", "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
    "i32", "i64", "i128", "isize", "f32", "f64",
];
const WRAPPERS: &[&str] = &["Option", "Vec", "Box", "Arc", "Rc"];

pub fn is_plain(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => is_plain(&reference.elem),
        Type::Slice(slice) => is_plain(&slice.elem),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            if PLAIN.contains(&name.as_str()) {
                return matches!(last.arguments, PathArguments::None);
            }
            if !WRAPPERS.contains(&name.as_str()) {
                return false;
            }
            match &last.arguments {
                PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
                    matches!(args.args.first(), Some(GenericArgument::Type(inner)) if is_plain(inner))
                }
                _ => false,
            }
        }
        _ => false,
    }
}
