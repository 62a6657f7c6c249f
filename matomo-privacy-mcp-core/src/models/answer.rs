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
    /// Whether that answer is of a report whose rows Matomo adds up from rows archived apart
    /// ([`day_counts_kept`](super::summed::day_counts_kept)).
    static SUMMED_ROWS: Cell<bool> = const { Cell::new(false) };
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

/// [`matomo_answer`] for the answer of report `method`: rows of a report whose API adds archived
/// rows together when asked carry no distinct count of Matomo's (their `nb_uniq_visitors` is a
/// sum that may count one visitor twice on one day), so that the threshold counts them by their
/// segments instead.
pub(crate) fn matomo_answer_of<R>(method: &str, decode: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SUMMED_ROWS.set(self.0);
        }
    }
    let summed = !super::summed::day_counts_kept(method);
    let _restore = Restore(SUMMED_ROWS.replace(summed));
    matomo_answer(decode)
}

/// Whether the answer being decoded is of a report whose rows are sums
/// ([`matomo_answer_of`]).
pub(crate) fn decoding_summed_rows() -> bool {
    SUMMED_ROWS.get()
}

/// Whether the value being decoded is one of Matomo's answers.
pub(crate) fn decoding_matomo() -> bool {
    DECODING_MATOMO.get()
}
