//! A privacy budget: the privacy loss (ε) answers may spend per account in a window of time,
//! kept in a file so that a restart does not hand out a fresh budget.
//!
//! Differential privacy composes: every noisy answer spends some ε, and the sum over answers is
//! what an analyst's questions together can reveal. The ledger charges each answer to an
//! account (a digest of the Matomo token, or a client profile), refuses once the window's limit
//! would be passed, and says when the budget renews. Asking the same question again in the same
//! window costs nothing: its noisy answer is the same (the noise is a function of the question),
//! so it reveals nothing new.
//!
//! Every spend is decided and written to the file under one lock, so concurrent calls can never
//! spend more than the limit; the file is replaced atomically (written beside it, then renamed).
//!
//! ```
//! use std::time::Duration;
//! use matomo_privacy_mcp_core::dp::{BudgetError, PrivacyBudget, Spend};
//!
//! let budget = PrivacyBudget::in_memory(1_000_000, Duration::from_secs(86_400)); // ε = 1 a day
//! let now = 1_795_680_000; // seconds since the epoch
//! assert!(matches!(budget.spend("analyst", b"q1", 600_000, now), Ok(Spend::Charged { .. })));
//! assert!(matches!(budget.spend("analyst", b"q1", 600_000, now), Ok(Spend::Repeated { .. })));
//! let refused = budget.spend("analyst", b"q2", 600_000, now).unwrap_err();
//! assert!(refused.to_string().contains("renews at 2026-11-27T00:00:00Z"), "{refused}");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::format_rfc3339;

#[cfg(feature = "redis")]
mod shared;

/// The outcome of a spend that was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    /// The answer's ε was charged; `left` (in millionths) remains in this window.
    Charged {
        /// Millionths of ε left.
        left_micros: u64,
    },
    /// The same question was answered in this window already: nothing charged.
    Repeated {
        /// Millionths of ε left.
        left_micros: u64,
    },
}

/// The outcome of charging several statistics at once ([`PrivacyBudget::charge_all`]): all of
/// them were charged or found released before in the window, none refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Charges {
    /// Millionths of ε charged now (statistics released before in the window cost nothing).
    pub charged_micros: u64,
    /// Millionths of ε left in this window.
    pub left_micros: u64,
}

/// Why a spend was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetError {
    /// The window's budget would be passed.
    #[error(
        "the privacy budget of this window is spent ({left} of {limit} left, this answer needs {asked}); it renews at {renews_at}",
        left = epsilon(*left_micros),
        limit = epsilon(*limit_micros),
        asked = epsilon(*asked_micros),
        renews_at = format_rfc3339(*renews_at, 0).replace(".000Z", "Z")
    )]
    Exhausted {
        /// Millionths of ε left.
        left_micros: u64,
        /// Millionths of ε per window.
        limit_micros: u64,
        /// Millionths of ε the answer needs.
        asked_micros: u64,
        /// When the next window starts, in seconds since the epoch.
        renews_at: u64,
    },
    /// The shared ledger (Redis) is unreachable: answers are refused rather than uncounted.
    #[error(
        "the shared privacy budget cannot be reached, so answers with noise are refused until it is back: {reason}"
    )]
    Shared {
        /// What went wrong.
        reason: String,
    },
    /// The budget file could not be read or written: answers are refused rather than uncounted.
    #[error("the privacy budget file `{path}` cannot be used: {reason}")]
    Store {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

fn epsilon(micros: u64) -> String {
    format!("ε={}", super::mechanism::epsilon_text(micros))
}

/// What the file holds: per account, the current window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Ledger {
    version: u32,
    accounts: BTreeMap<String, Window>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Window {
    /// Start of the window, seconds since the epoch.
    start: u64,
    spent_micros: u64,
    /// SHA-256 of each question answered in the window.
    answered: BTreeSet<String>,
}

/// The privacy budget of a deployment: `limit_micros` millionths of ε per account per window.
#[derive(Debug)]
pub struct PrivacyBudget {
    limit_micros: u64,
    /// Accounts with a limit of their own (client profiles with `budget_per_window`).
    account_limits: std::collections::BTreeMap<String, u64>,
    window: u64,
    file: Option<PathBuf>,
    ledger: Mutex<Ledger>,
    /// With replicas: the ledger in Redis, shared by all (then `file` and `ledger` are unused).
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::SharedState>,
}

impl PrivacyBudget {
    /// A budget kept only in memory (for tests and embedders that persist it elsewhere).
    pub fn in_memory(limit_micros: u64, window: Duration) -> Self {
        Self {
            limit_micros,
            account_limits: std::collections::BTreeMap::new(),
            window: window.as_secs().max(1),
            file: None,
            ledger: Mutex::new(Ledger::default()),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// A budget kept in `file`: read now if it exists, rewritten after every charge.
    pub fn open(limit_micros: u64, window: Duration, file: &Path) -> Result<Self, BudgetError> {
        let store_error = |reason: String| BudgetError::Store {
            path: file.display().to_string(),
            reason,
        };
        let ledger = match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| store_error(format!("not a budget file ({e}); move it away")))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ledger::default(),
            Err(e) => return Err(store_error(e.to_string())),
        };
        Ok(Self {
            limit_micros,
            account_limits: std::collections::BTreeMap::new(),
            window: window.as_secs().max(1),
            file: Some(file.to_owned()),
            ledger: Mutex::new(ledger),
            #[cfg(feature = "redis")]
            shared: None,
        })
    }

    /// A budget kept in the shared state, so that replicas behind a load balancer spend one
    /// budget: every spend is one atomic script in Redis, never more than the limit however many
    /// replicas spend at once. While Redis cannot be reached, answers with noise are refused
    /// ([`BudgetError::Shared`]); it survives restarts of the replicas (and of Redis, as far as
    /// Redis persists its data).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn shared(limit_micros: u64, window: Duration, state: crate::shared::SharedState) -> Self {
        let mut budget = Self::in_memory(limit_micros, window);
        budget.shared = Some(state);
        budget
    }

    /// Gives `account` a limit of its own per window instead of the budget's.
    pub fn with_account_limit(mut self, account: impl Into<String>, limit_micros: u64) -> Self {
        self.account_limits.insert(account.into(), limit_micros);
        self
    }

    /// The limit per window of `account`. The built-in tools charge each site of an account to
    /// an account of its own (`<account>/site-<id>`: sites are separate data, so their budgets
    /// compose in parallel); an account's own limit applies to each of them.
    pub fn limit_of(&self, account: &str) -> u64 {
        let owner = account
            .rsplit_once("/site-")
            .map_or(account, |(owner, _)| owner);
        self.account_limits
            .get(account)
            .or_else(|| self.account_limits.get(owner))
            .copied()
            .unwrap_or(self.limit_micros)
    }

    /// [`spend`](Self::spend), in the shared ledger when the budget is shared (`shared`, with the
    /// `redis` feature).
    pub async fn charge(
        &self,
        account: &str,
        question: &[u8],
        epsilon_micros: u64,
        now: u64,
    ) -> Result<Spend, BudgetError> {
        let charges = self
            .charge_all(account, &[question], epsilon_micros, now)
            .await?;
        Ok(spend_of(charges))
    }

    /// Charges `epsilon_micros` for each of `questions` (the statistics one answer releases) to
    /// `account` at `now`, all or none: the statistics released before in the window are free,
    /// and the others are charged together only if the window holds all of them; otherwise the
    /// answer is refused and nothing is charged. In the shared ledger when the budget is shared
    /// (`shared`, with the `redis` feature): what the report pipeline calls.
    ///
    /// All or none, because an answer refused part-way would have paid for statistics it never
    /// showed, and a later question would find them free.
    pub async fn charge_all(
        &self,
        account: &str,
        questions: &[&[u8]],
        epsilon_micros: u64,
        now: u64,
    ) -> Result<Charges, BudgetError> {
        #[cfg(feature = "redis")]
        if let Some(state) = &self.shared {
            let action = shared::Action::Charge {
                window_seconds: self.window,
            };
            return self
                .shared_ledger(state, action, account, questions, epsilon_micros, now)
                .await;
        }
        self.spend_all(account, questions, epsilon_micros, now)
    }

    /// What [`charge_all`](Self::charge_all) would charge for `questions` now, without
    /// charging: the ε of those not yet released in the window and what would be left, or the
    /// refusal it would meet. For a question of several answers, each quoted as it is made and
    /// all charged together at the end.
    pub async fn quote_all(
        &self,
        account: &str,
        questions: &[&[u8]],
        epsilon_micros: u64,
        now: u64,
    ) -> Result<Charges, BudgetError> {
        #[cfg(feature = "redis")]
        if let Some(state) = &self.shared {
            return self
                .shared_ledger(
                    state,
                    shared::Action::Quote,
                    account,
                    questions,
                    epsilon_micros,
                    now,
                )
                .await;
        }
        let start = now - now % self.window;
        let ledger = self.lock();
        let window = ledger.accounts.get(account).filter(|w| w.start == start);
        self.plan(account, window, questions, epsilon_micros, start)
            .map(|(_, charges)| charges)
    }

    /// [`charge_all`](Self::charge_all) or [`quote_all`](Self::quote_all) in the shared ledger:
    /// the ε of the statistics not yet released in the window and what is (or would be) left,
    /// or the refusal.
    #[cfg(feature = "redis")]
    async fn shared_ledger(
        &self,
        state: &crate::shared::SharedState,
        action: shared::Action,
        account: &str,
        questions: &[&[u8]],
        epsilon_micros: u64,
        now: u64,
    ) -> Result<Charges, BudgetError> {
        let start = now - now % self.window;
        let limit_micros = self.limit_of(account);
        let decided = shared::decide(
            state,
            action,
            account,
            start,
            &digests(questions),
            epsilon_micros,
            limit_micros,
        )
        .await
        .map_err(|e| BudgetError::Shared {
            reason: e.to_string(),
        })?;
        let left_micros = limit_micros.saturating_sub(decided.spent_micros);
        if decided.refused {
            return Err(BudgetError::Exhausted {
                left_micros,
                limit_micros,
                asked_micros: decided.asked_micros,
                renews_at: start + self.window,
            });
        }
        Ok(Charges {
            charged_micros: decided.asked_micros,
            left_micros: left_micros.saturating_sub(decided.asked_micros),
        })
    }

    /// Charges `epsilon_micros` to `account` for `question` at `now` (seconds since the epoch),
    /// or refuses. `account` should be a digest, never a token.
    ///
    /// This is the ledger of this process (in memory or in its file); a shared budget (`shared`,
    /// with the `redis` feature) is charged by [`charge`](Self::charge).
    pub fn spend(
        &self,
        account: &str,
        question: &[u8],
        epsilon_micros: u64,
        now: u64,
    ) -> Result<Spend, BudgetError> {
        self.spend_all(account, &[question], epsilon_micros, now)
            .map(spend_of)
    }

    /// [`charge_all`](Self::charge_all) in the ledger of this process (in memory or in its
    /// file): all of `questions` or none, decided and written under one lock.
    pub fn spend_all(
        &self,
        account: &str,
        questions: &[&[u8]],
        epsilon_micros: u64,
        now: u64,
    ) -> Result<Charges, BudgetError> {
        let start = now - now % self.window;
        let mut ledger = self.lock();
        let mut next = ledger.clone();
        let window = next.accounts.entry(account.to_owned()).or_default();
        if window.start != start {
            *window = Window {
                start,
                ..Window::default()
            };
        }
        let (new, charges) = self.plan(account, Some(window), questions, epsilon_micros, start)?;
        if new.is_empty() {
            return Ok(charges);
        }
        window.spent_micros += charges.charged_micros;
        window.answered.extend(new);
        next.version = 1;
        // Written before it counts: if the file cannot take the charge, the answer is refused.
        self.persist(&next)?;
        *ledger = next;
        Ok(charges)
    }

    /// What a charge and a quote in this process's ledger decide alike: the statistics of
    /// `questions` not yet released in `window` (the account's current window, if it has one)
    /// and what charging them leaves, or the refusal when the window does not hold them all.
    fn plan(
        &self,
        account: &str,
        window: Option<&Window>,
        questions: &[&[u8]],
        epsilon_micros: u64,
        start: u64,
    ) -> Result<(BTreeSet<String>, Charges), BudgetError> {
        let limit_micros = self.limit_of(account);
        let left_micros = limit_micros.saturating_sub(window.map_or(0, |w| w.spent_micros));
        let new: BTreeSet<String> = digests(questions)
            .into_iter()
            .filter(|digest| window.is_none_or(|w| !w.answered.contains(digest)))
            .collect();
        let asked_micros = epsilon_micros.saturating_mul(new.len() as u64);
        if asked_micros > left_micros {
            return Err(BudgetError::Exhausted {
                left_micros,
                limit_micros,
                asked_micros,
                renews_at: start + self.window,
            });
        }
        let charges = Charges {
            charged_micros: asked_micros,
            left_micros: left_micros - asked_micros,
        };
        Ok((new, charges))
    }

    fn persist(&self, ledger: &Ledger) -> Result<(), BudgetError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let store_error = |reason: String| BudgetError::Store {
            path: file.display().to_string(),
            reason,
        };
        let bytes = serde_json::to_vec(ledger).map_err(|e| store_error(e.to_string()))?;
        let mut temporary = file.clone().into_os_string();
        temporary.push(".tmp");
        // Owner-only, as the file it replaces: the ledger tells which questions were asked when.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&temporary)
            .and_then(|mut out| std::io::Write::write_all(&mut out, &bytes))
            .map_err(|e| store_error(e.to_string()))?;
        std::fs::rename(&temporary, file).map_err(|e| store_error(e.to_string()))
    }

    fn lock(&self) -> MutexGuard<'_, Ledger> {
        // A panic while holding the lock cannot leave a half-made charge: `spend` changes the
        // ledger only by replacing it with a complete copy.
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One answer's charges as the outcome of a single spend.
fn spend_of(charges: Charges) -> Spend {
    if charges.charged_micros == 0 {
        Spend::Repeated {
            left_micros: charges.left_micros,
        }
    } else {
        Spend::Charged {
            left_micros: charges.left_micros,
        }
    }
}

/// What the ledger keeps of each question: its SHA-256, in hex.
fn digests(questions: &[&[u8]]) -> Vec<String> {
    questions
        .iter()
        .map(|question| hex(&Sha256::digest(question)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
