//! Where a classified value may be serialised: only while a tool's output is being encoded, and
//! only up to the class that tool declares.
//!
//! `Serialize` for [`Identifying<T>`](super::Identifying) and
//! [`Pseudonymous<T>`](super::Pseudonymous) asks `admits` before writing the inner value. The
//! encoding scope is a thread-local entered by `within`, which takes a closure rather than a
//! future: encoding runs synchronously inside it, so the scope can never be held across an
//! `.await` and seen by another task polled on the same thread. Only the toolbox's result
//! encoding (`__private::encode_output`, with the class the tool declares) enters it.
//!
//! Anywhere else (`serde_json::to_string(&row.url)`, `to_value(&rows)`, any serializer)
//! serialisation fails with [`OUTSIDE_AN_OUTPUT`], so a classified value cannot be turned into
//! text and read back. The SDK's cache never re-encodes a typed value: it keeps Matomo's answers
//! as the bytes Matomo sent (or JSON values decoded from them), which never leave the process
//! or the shared store.

use std::cell::Cell;

use super::PrivacyClass;

/// The error of serialising a classified value outside a tool's output, word for word.
pub const OUTSIDE_AN_OUTPUT: &str = "a classified value (Identifying or Pseudonymous) can only be serialised as part of a tool's output whose declared max_class admits it, not into text or JSON the code reads back: lower it first (Scrubber::url or Scrubber::text and then the threshold, Pseudonym::new, Generaliser), or declassify it with a reason declared in #[matomo_tool(declassify(name = \"reason\"))]";

thread_local! {
    /// The most sensitive class the output being encoded on this thread admits, if any.
    static ADMITTED: Cell<Option<PrivacyClass>> = const { Cell::new(None) };
}

/// Runs `encode` with values up to `class` admitted, then restores the previous scope (also if
/// `encode` panics).
pub(crate) fn within<R>(class: PrivacyClass, encode: impl FnOnce() -> R) -> R {
    struct Restore(Option<PrivacyClass>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ADMITTED.set(self.0);
        }
    }
    let _restore = Restore(ADMITTED.replace(Some(class)));
    encode()
}

/// Whether a value of `class` may be serialised here.
pub(crate) fn admits(class: PrivacyClass) -> bool {
    ADMITTED
        .get()
        .is_some_and(|admitted| class.is_within(admitted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_admits_up_to_its_class_and_ends_with_it() {
        assert!(!admits(PrivacyClass::Pseudonymous));
        within(PrivacyClass::Pseudonymous, || {
            assert!(admits(PrivacyClass::Pseudonymous));
            assert!(!admits(PrivacyClass::Identifying));
            within(PrivacyClass::Aggregate, || {
                assert!(!admits(PrivacyClass::Pseudonymous));
            });
            assert!(admits(PrivacyClass::Pseudonymous));
        });
        assert!(!admits(PrivacyClass::Pseudonymous));
    }

    #[test]
    fn a_panic_inside_does_not_leave_the_scope_open() {
        let caught = std::panic::catch_unwind(|| {
            within(PrivacyClass::Identifying, || panic!("encoding failed"));
        });
        assert!(caught.is_err());
        assert!(!admits(PrivacyClass::Identifying));
    }
}
