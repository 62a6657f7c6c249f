//! The privacy budget shared by replicas, in Redis: per account and window, the ε spent and the
//! statistics released, read and changed by one script so that concurrent spends on any
//! replicas can never pass the limit.

use crate::shared::{SharedState, SharedStateError};

/// Asks what charging `ARGV[1]` for each statistic `ARGV[4..]` not released in the window yet
/// would do, within the limit `ARGV[2]`, and (when `ARGV[3]`, the keys' lifetime in seconds, is
/// above 0) charges them, all or none. Returns `{outcome, spent, asked}`: outcome 0 all
/// released before, 1 charged (or, quoting, would be), 2 refused; `spent` is what the window
/// had spent before; `asked` what the new statistics cost together.
const LEDGER: &str = r"
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
local lifetime = tonumber(ARGV[3])
if lifetime > 0 then
  redis.call('INCRBY', KEYS[1], asked)
  for _, q in ipairs(new) do
    redis.call('SADD', KEYS[2], q)
  end
  redis.call('EXPIRE', KEYS[1], lifetime)
  redis.call('EXPIRE', KEYS[2], lifetime)
end
return {1, spent, asked}
";

/// The largest limit the script's numbers (doubles) hold exactly.
const MAX_EXACT: u64 = 1 << 53;

/// Whether the ledger is charged or only asked.
#[derive(Clone, Copy, Debug)]
pub(super) enum Action {
    /// Charge, keeping the window's keys this many seconds.
    Charge {
        /// Seconds the window lasts.
        window_seconds: u64,
    },
    /// Only say what a charge would do.
    Quote,
}

/// What the shared ledger decided about the statistics of one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Decision {
    /// The window's limit would be passed: nothing charged.
    pub refused: bool,
    /// Millionths of ε the window had spent before this decision.
    pub spent_micros: u64,
    /// Millionths of ε the statistics not yet released in the window cost together.
    pub asked_micros: u64,
}

/// Charges (or quotes) `each_micros` for every statistic (by digest) of `questions` not released
/// yet in `account`'s window starting at `window_start`, all of them within `limit_micros` or
/// none: one script, so that no replica sees a part of a charge.
pub(super) async fn decide(
    state: &SharedState,
    action: Action,
    account: &str,
    window_start: u64,
    questions: &[String],
    each_micros: u64,
    limit_micros: u64,
) -> Result<Decision, SharedStateError> {
    let script = redis::Script::new(LEDGER);
    let window = format!("{account}:{window_start}");
    let lifetime = match action {
        // Kept a window longer than needed: a clock a little behind still finds it.
        Action::Charge { window_seconds } => window_seconds.saturating_mul(2).max(1),
        Action::Quote => 0,
    };
    let mut invocation = script.key(state.key("budget-spent", &window));
    invocation
        .key(state.key("budget-answered", &window))
        .arg(each_micros.min(MAX_EXACT / (questions.len().max(1) as u64)))
        .arg(limit_micros.min(MAX_EXACT))
        .arg(lifetime);
    for question in questions {
        invocation.arg(question);
    }
    let (outcome, spent, asked): (i64, i64, i64) = state.script(&invocation).await?;
    Ok(Decision {
        refused: outcome == 2,
        spent_micros: u64::try_from(spent).unwrap_or(0),
        asked_micros: u64::try_from(asked).unwrap_or(0),
    })
}
