//! Small pieces of text shared by the configuration's messages and the privacy manifest.

use std::fmt::Display;

/// The items as inline code, comma-separated: `` `a`, `b` `` (nothing for no items), as a
/// message or a manifest names keys, tools or parameters.
pub(crate) fn code_list<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    let quoted: Vec<String> = items.into_iter().map(|item| format!("`{item}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::code_list;

    #[test]
    fn items_are_quoted_and_comma_separated() {
        assert_eq!(code_list(["a", "b_c"]), "`a`, `b_c`");
        assert_eq!(code_list(Vec::<String>::new()), "");
    }
}
