//! The privacy budget shared by replicas: per account and window, the ε spent and the
//! questions answered, changed by one script so that concurrent spends on any replicas can
//! never pass the limit.

use super::{SharedState, SharedStateError};

/// Charges `ARGV[1]` for each question `ARGV[4..]` not answered in the window yet, all of them
/// or (when the limit `ARGV[2]` would be passed) none; both keys expire with the window
/// (`ARGV[3]` seconds). Returns `{outcome, spent, asked}`: 0 all answered before, 1 charged,
/// 2 refused; `asked` is what the new questions cost together.
const SPEND_ALL: &str = r"
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = {}
local seen = {}
for i = 4, #ARGV do
  local q = ARGV[i]
  if not seen[q] and redis.call('SISMEMBER', KEYS[2], q) == 0 then
    seen[q] = true
    new[#new + 1] = q
  end
end
if #new == 0 then
  return {0, spent, 0}
end
local asked = tonumber(ARGV[1]) * #new
if spent + asked > tonumber(ARGV[2]) then
  return {2, spent, asked}
end
spent = redis.call('INCRBY', KEYS[1], asked)
for _, q in ipairs(new) do
  redis.call('SADD', KEYS[2], q)
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {1, spent, asked}
";

/// What `SPEND_ALL` would do for the questions `ARGV[3..]`, without writing: `{outcome, spent,
/// asked}` as there (outcome 1: would be charged).
const QUOTE_ALL: &str = r"
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = 0
local seen = {}
for i = 3, #ARGV do
  local q = ARGV[i]
  if not seen[q] and redis.call('SISMEMBER', KEYS[2], q) == 0 then
    seen[q] = true
    new = new + 1
  end
end
if new == 0 then
  return {0, spent, 0}
end
local asked = tonumber(ARGV[1]) * new
if spent + asked > tonumber(ARGV[2]) then
  return {2, spent, asked}
end
return {1, spent, asked}
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

/// What the shared ledger decided about the statistics of one answer, charged all or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedCharges {
    /// Charged (some were new), repeated (none was) or refused (nothing charged).
    pub outcome: SharedSpend,
    /// Millionths of ε the statistics not yet released in the window cost together: charged,
    /// or what was refused.
    pub asked_micros: u64,
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
        let charges = self
            .spend_all(
                account,
                window_start,
                window_seconds,
                &[question.to_owned()],
                asked_micros,
                limit_micros,
            )
            .await?;
        Ok(charges.outcome)
    }

    /// Spends `each_micros` for every question (by digest) not answered yet in `account`'s
    /// window starting at `window_start` and lasting `window_seconds`, all of them within
    /// `limit_micros` or none: one script, so that no replica sees a part of the charge.
    pub async fn spend_all(
        &self,
        account: &str,
        window_start: u64,
        window_seconds: u64,
        questions: &[String],
        each_micros: u64,
        limit_micros: u64,
    ) -> Result<SharedCharges, SharedStateError> {
        let script = redis::Script::new(SPEND_ALL);
        let window = format!("{account}:{window_start}");
        let mut invocation = script.key(self.key("budget-spent", &window));
        invocation
            .key(self.key("budget-answered", &window))
            .arg(each_micros.min(MAX_EXACT / (questions.len().max(1) as u64)))
            .arg(limit_micros.min(MAX_EXACT))
            // Kept a window longer than needed: a clock a little behind still finds it.
            .arg(window_seconds.saturating_mul(2).max(1));
        for question in questions {
            invocation.arg(question);
        }
        let (outcome, spent, asked): (i64, i64, i64) = self.script(&invocation).await?;
        let spent_micros = u64::try_from(spent).unwrap_or(0);
        Ok(SharedCharges {
            outcome: match outcome {
                0 => SharedSpend::Repeated { spent_micros },
                1 => SharedSpend::Charged { spent_micros },
                _ => SharedSpend::Refused { spent_micros },
            },
            asked_micros: u64::try_from(asked).unwrap_or(0),
        })
    }

    /// What [`spend_all`](Self::spend_all) would decide for `questions` now, without spending.
    pub async fn quote_all(
        &self,
        account: &str,
        window_start: u64,
        questions: &[String],
        each_micros: u64,
        limit_micros: u64,
    ) -> Result<SharedCharges, SharedStateError> {
        let script = redis::Script::new(QUOTE_ALL);
        let window = format!("{account}:{window_start}");
        let mut invocation = script.key(self.key("budget-spent", &window));
        invocation
            .key(self.key("budget-answered", &window))
            .arg(each_micros.min(MAX_EXACT / (questions.len().max(1) as u64)))
            .arg(limit_micros.min(MAX_EXACT));
        for question in questions {
            invocation.arg(question);
        }
        let (outcome, spent, asked): (i64, i64, i64) = self.script(&invocation).await?;
        let spent_micros = u64::try_from(spent).unwrap_or(0);
        Ok(SharedCharges {
            outcome: match outcome {
                0 => SharedSpend::Repeated { spent_micros },
                1 => SharedSpend::Charged { spent_micros },
                _ => SharedSpend::Refused { spent_micros },
            },
            asked_micros: u64::try_from(asked).unwrap_or(0),
        })
    }
}
