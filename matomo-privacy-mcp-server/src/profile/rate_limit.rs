//! Calls per minute per profile: a token bucket, in memory (one per server process), or in the
//! shared state when replicas share one limit (feature `redis`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The JSON-RPC error code of a call refused by a rate limit (in the range JSON-RPC leaves to
/// servers), over HTTP and stdio alike.
pub(crate) const RATE_LIMITED: i32 = -32029;

/// How fast a profile's clients may call tools, together: `per_minute` on average, with bursts of
/// up to `burst` calls at once. Over HTTP a call beyond it gets 429 with `Retry-After`; over
/// stdio, a JSON-RPC error saying when to retry.
///
/// ```
/// use matomo_privacy_mcp_server::RateLimit;
///
/// let limit = RateLimit::per_minute(60).burst(10);
/// assert_eq!((limit.per_minute, limit.burst), (60, 10));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Calls per minute, on average (at least 1).
    pub per_minute: u32,
    /// Calls allowed at once before the average applies (at least 1; default: `per_minute`,
    /// capped at 60).
    pub burst: u32,
}

impl RateLimit {
    /// `n` calls per minute, with a burst of `n` (at most 60).
    pub fn per_minute(n: u32) -> Self {
        Self {
            per_minute: n.max(1),
            burst: n.clamp(1, 60),
        }
    }

    /// The burst: calls allowed at once.
    pub fn burst(mut self, n: u32) -> Self {
        self.burst = n.max(1);
        self
    }
}

/// One profile's bucket.
pub(crate) struct RateLimiter {
    limit: RateLimit,
    bucket: Mutex<Bucket>,
    /// With replicas: the bucket in Redis, by the profile's name.
    #[cfg(feature = "redis")]
    shared: Option<(matomo_privacy_mcp_core::shared::SharedState, String)>,
}

/// Why a call may not go ahead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Over the limit: retry after this long.
    Wait(Duration),
    /// The shared count cannot be reached: the limit cannot be enforced, so calls are refused.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Unavailable,
}

struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            bucket: Mutex::new(Bucket {
                tokens: f64::from(limit.burst),
                refilled: Instant::now(),
            }),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// The same limit, counted in the shared state under `name`, for every replica together.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(
        mut self,
        state: matomo_privacy_mcp_core::shared::SharedState,
        name: &str,
    ) -> Self {
        self.shared = Some((state, name.to_owned()));
        self
    }

    /// Takes one call, from the shared bucket when there is one (failing closed when it
    /// cannot be reached), else from this process's.
    pub(crate) async fn take(&self) -> Result<(), Refused> {
        #[cfg(feature = "redis")]
        if let Some((state, name)) = &self.shared {
            use matomo_privacy_mcp_core::shared::RateDecision;
            return match state
                .take_call(name, self.limit.per_minute, self.limit.burst)
                .await
            {
                Ok(RateDecision::Allowed) => Ok(()),
                Ok(RateDecision::RetryAfter(wait)) => Err(Refused::Wait(wait)),
                Err(error) => {
                    tracing::warn!(%error, "shared rate limit unreachable; call refused");
                    Err(Refused::Unavailable)
                }
            };
        }
        self.try_take().map_err(Refused::Wait)
    }

    pub(crate) fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one call from the bucket, or says how long until one is there.
    pub(crate) fn try_take(&self) -> Result<(), Duration> {
        self.try_take_at(Instant::now())
    }

    fn try_take_at(&self, now: Instant) -> Result<(), Duration> {
        let per_second = f64::from(self.limit.per_minute) / 60.0;
        // A poisoned bucket holds two numbers that are each valid: keep using it.
        let mut bucket = self
            .bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(f64::from(self.limit.burst));
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

/// What a caller is told when the shared rate limit cannot be counted.
pub(crate) const UNAVAILABLE_MESSAGE: &str = "Service Unavailable: this client's rate limit is counted in the shared state store, which cannot be reached; calls are refused until it answers again (retry in a few seconds)";

/// What a caller over the limit is told: the limit, and when to retry.
pub(crate) fn refusal_message(limit: RateLimit, retry_after_seconds: u64) -> String {
    format!(
        "Too Many Requests: this client's profile allows {} calls per minute (bursts of {}); retry in {retry_after_seconds} s",
        limit.per_minute, limit.burst
    )
}

/// Whole seconds to wait, at least 1: what `Retry-After` carries.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_average() {
        let limiter = RateLimiter::new(RateLimit::per_minute(60).burst(3));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.try_take_at(start).is_ok());
        }
        let wait = limiter.try_take_at(start).unwrap_err();
        assert!(
            wait <= Duration::from_secs(1) && wait > Duration::from_millis(900),
            "{wait:?}"
        );
        // One call per second comes back.
        assert!(
            limiter
                .try_take_at(start + Duration::from_millis(1001))
                .is_ok()
        );
        assert!(
            limiter
                .try_take_at(start + Duration::from_millis(1002))
                .is_err()
        );
        // Never more than the burst, however long the pause.
        let later = start + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(limiter.try_take_at(later).is_ok());
        }
        assert!(limiter.try_take_at(later).is_err());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2500)), 3);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
