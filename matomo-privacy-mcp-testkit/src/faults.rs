//! Faults a test can inject so a client meets the failures real Matomo servers and proxies produce.

use std::time::Duration;

/// One injected misbehaviour. Several may be active; latency adds up and delays the answer, and the
/// first active response-changing fault (in injection order) decides the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Wait this long before answering (to trigger client timeouts).
    Latency(Duration),
    /// Answer with this HTTP status and a short plain-text body; `times: Some(n)` fails `n` requests
    /// and then heals, `None` fails every request.
    HttpStatus {
        /// Status code, e.g. 502 or 503.
        status: u16,
        /// How many requests fail before the server is healthy again.
        times: Option<u32>,
    },
    /// Status 200, `application/json`, but the body is not JSON.
    MalformedJson,
    /// Status 200, the real answer cut in the middle (as a dropped proxy connection leaves it).
    TruncatedJson,
    /// Status 200 with a valid JSON body of exactly this many bytes (to test response size caps).
    OversizedBody {
        /// Total body size.
        bytes: usize,
    },
    /// Status 200 with Matomo's error payload `{"result":"error","message":...}`.
    MatomoError {
        /// The message Matomo would send.
        message: String,
    },
    /// Status 500 with an HTML error page, as a PHP fatal error or a proxy shows it.
    HtmlErrorPage,
    /// Status 200, the real answer with fields of the wrong JSON type, as a
    /// plugin or a proxy rewriting bodies could produce: every number becomes
    /// an object (`{"value": n}`) and every `label` becomes a number.
    WrongTypes,
    /// A segment Matomo has not archived yet for one date: every call (bulk items included)
    /// whose `segment` contains `segment_contains` and whose `date` is `date` is answered with
    /// its numbers set to 0, as Matomo answers a segment it has not archived (archiving on
    /// request still under way, or `browser_archiving_disabled_enforce = 1`).
    UnarchivedSegment {
        /// Text the call's segment contains.
        segment_contains: String,
        /// The call's `date`, exactly.
        date: String,
    },
}

impl Fault {
    /// Every request fails with `status`.
    pub fn http_status(status: u16) -> Fault {
        Fault::HttpStatus {
            status,
            times: None,
        }
    }

    /// The next `times` requests fail with `status`, then the server is healthy.
    pub fn http_status_times(status: u16, times: u32) -> Fault {
        Fault::HttpStatus {
            status,
            times: Some(times),
        }
    }
}

/// What the server does with a request, decided from the active faults.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    Normal,
    Status(u16),
    Malformed,
    Truncated,
    Oversized(usize),
    MatomoError(String),
    Html,
    WrongTypes,
    Unarchived {
        segment_contains: String,
        date: String,
    },
}

/// The active faults.
#[derive(Debug, Default)]
pub(crate) struct FaultSet {
    active: Vec<Fault>,
}

impl FaultSet {
    pub(crate) fn inject(&mut self, f: Fault) {
        self.active.push(f);
    }

    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }

    /// Total latency and the effect for the next request; consumes one use of a counted fault.
    pub(crate) fn next(&mut self) -> (Duration, Effect) {
        let latency = self
            .active
            .iter()
            .map(|f| {
                if let Fault::Latency(d) = f {
                    *d
                } else {
                    Duration::ZERO
                }
            })
            .sum();
        let mut effect = Effect::Normal;
        let mut exhausted = None;
        for (i, f) in self.active.iter_mut().enumerate() {
            effect = match f {
                Fault::Latency(_) => continue,
                Fault::HttpStatus { status, times } => {
                    if let Some(n) = times {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            exhausted = Some(i);
                        }
                    }
                    Effect::Status(*status)
                }
                Fault::MalformedJson => Effect::Malformed,
                Fault::TruncatedJson => Effect::Truncated,
                Fault::OversizedBody { bytes } => Effect::Oversized(*bytes),
                Fault::MatomoError { message } => Effect::MatomoError(message.clone()),
                Fault::HtmlErrorPage => Effect::Html,
                Fault::WrongTypes => Effect::WrongTypes,
                Fault::UnarchivedSegment {
                    segment_contains,
                    date,
                } => Effect::Unarchived {
                    segment_contains: segment_contains.clone(),
                    date: date.clone(),
                },
            };
            break;
        }
        if let Some(i) = exhausted {
            self.active.remove(i);
        }
        (latency, effect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_status_heals() {
        let mut s = FaultSet::default();
        s.inject(Fault::http_status_times(503, 2));
        s.inject(Fault::Latency(Duration::from_millis(5)));
        assert_eq!(s.next(), (Duration::from_millis(5), Effect::Status(503)));
        assert_eq!(s.next().1, Effect::Status(503));
        assert_eq!(s.next().1, Effect::Normal);
        s.clear();
        assert_eq!(s.next(), (Duration::ZERO, Effect::Normal));
    }
}
