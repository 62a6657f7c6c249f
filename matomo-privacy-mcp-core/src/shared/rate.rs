//! Rate limits shared by replicas: one token bucket per name, taken from atomically by a
//! script that reads Redis's own clock, so that replicas with skewed clocks agree.

use std::time::Duration;

use super::{SharedState, SharedStateError};

/// The token bucket: refills at `rate` tokens per millisecond up to `capacity`; one call takes
/// one token. Returns `{1, 0}` when taken, `{0, wait_ms}` when empty.
const TAKE: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return {allowed, wait}
";

/// Whether a call may go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateDecision {
    /// Taken from the bucket.
    Allowed,
    /// The bucket is empty: retry after this long.
    RetryAfter(Duration),
}

impl SharedState {
    /// Takes one call from the bucket `name`, which holds up to `burst` calls and refills at
    /// `per_minute` calls a minute, shared by every replica.
    pub async fn take_call(
        &self,
        name: &str,
        per_minute: u32,
        burst: u32,
    ) -> Result<RateDecision, SharedStateError> {
        let script = redis::Script::new(TAKE);
        let rate = f64::from(per_minute.max(1)) / 60_000.0;
        let mut invocation = script.key(self.key("rate", name));
        invocation.arg(burst.max(1)).arg(rate.to_string());
        let (allowed, wait): (i64, i64) = self.script(&invocation).await?;
        Ok(if allowed == 1 {
            RateDecision::Allowed
        } else {
            RateDecision::RetryAfter(Duration::from_millis(u64::try_from(wait).unwrap_or(1)))
        })
    }
}
