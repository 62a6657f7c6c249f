//! Whether the value being decoded is one of Matomo's answers, read by the SDK's client.
//!
//! Rows decoded inside this scope carry Matomo's counts as
//! [`VisitorCount`](crate::minimise::VisitorCount)s, which the threshold believes; rows
//! decoded from any other text (a fixture, a string in code) carry none. Only the client's own
//! decoding enters it ([`decode`](super::decode) and [`decode_value`](super::decode_value),
//! which anyone may call on any bytes, do not).

use std::cell::Cell;

thread_local! {
    /// Whether the client is decoding one of Matomo's answers on this thread.
    static DECODING_MATOMO: Cell<bool> = const { Cell::new(false) };
}

/// Decodes one of Matomo's answers with `decode`: the rows read inside carry their counts as
/// [`VisitorCount`](crate::minimise::VisitorCount)s. A closure, not a future, so that the scope never spans an `.await`.
pub(crate) fn matomo_answer<R>(decode: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DECODING_MATOMO.set(self.0);
        }
    }
    let _restore = Restore(DECODING_MATOMO.replace(true));
    decode()
}

/// Whether the value being decoded is one of Matomo's answers.
pub(crate) fn decoding_matomo() -> bool {
    DECODING_MATOMO.get()
}
