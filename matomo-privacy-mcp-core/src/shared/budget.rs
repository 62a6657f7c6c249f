//! The privacy budget shared by replicas: per account and window, the ε spent and the
//! questions answered, changed by one script so that concurrent spends on any replicas can
//! never pass the limit.

use super::{SharedState, SharedStateError};

/// Charges `ARGV[2]` to the window unless the question `ARGV[1]` was answered in it already or
/// the limit `ARGV[3]` would be passed; both keys expire with the window (`ARGV[4]` seconds).
/// Returns `{outcome, spent}`: 0 repeated, 1 charged, 2 refused.
const SPEND: &str = r"
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return {0, spent}
end
local asked = tonumber(ARGV[2])
if spent + asked > tonumber(ARGV[3]) then
  return {2, spent}
end
spent = redis.call('INCRBY', KEYS[1], asked)
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {1, spent}
";

/// What the shared ledger decided about one spend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedSpend {
    /// Charged; this much is now spent in the window.
    Charged {
        /// Millionths of ε spent in the window, this answer included.
        spent_micros: u64,
    },
    /// The question was answered in the window already: nothing charged.
    Repeated {
        /// Millionths of ε spent in the window.
        spent_micros: u64,
    },
    /// Refused: the limit would be passed.
    Refused {
        /// Millionths of ε spent in the window.
        spent_micros: u64,
    },
}

/// The largest limit the script's numbers (doubles) hold exactly.
const MAX_EXACT: u64 = 1 << 53;

impl SharedState {
    /// Spends `asked_micros` for the question with digest `question` in `account`'s window
    /// starting at `window_start` (seconds since the epoch) and lasting `window_seconds`,
    /// within `limit_micros`.
    pub async fn spend(
        &self,
        account: &str,
        window_start: u64,
        window_seconds: u64,
        question: &str,
        asked_micros: u64,
        limit_micros: u64,
    ) -> Result<SharedSpend, SharedStateError> {
        let script = redis::Script::new(SPEND);
        let window = format!("{account}:{window_start}");
        let mut invocation = script.key(self.key("budget-spent", &window));
        invocation
            .key(self.key("budget-answered", &window))
            .arg(question)
            .arg(asked_micros.min(MAX_EXACT))
            .arg(limit_micros.min(MAX_EXACT))
            // Kept a window longer than needed: a clock a little behind still finds it.
            .arg(window_seconds.saturating_mul(2).max(1));
        let (outcome, spent): (i64, i64) = self.script(&invocation).await?;
        let spent_micros = u64::try_from(spent).unwrap_or(0);
        Ok(match outcome {
            0 => SharedSpend::Repeated { spent_micros },
            1 => SharedSpend::Charged { spent_micros },
            _ => SharedSpend::Refused { spent_micros },
        })
    }
}
