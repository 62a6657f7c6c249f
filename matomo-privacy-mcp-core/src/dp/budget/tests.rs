//! Unit tests of the privacy budget: windows, accounts, the ledger file, all or none.

use super::*;
use std::sync::Arc;

const DAY: Duration = Duration::from_secs(86_400);
const NOW: u64 = 1_795_680_000; // 2026-11-26T00:00:00Z

/// A fresh ledger path for this process. Not `testing::temp_path`: the `testing` module builds on
/// `dp`, and `dp` must not depend on it back (`tests/module_graph.rs`).
fn file(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "matomo-privacy-mcp-budget-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn an_account_with_a_limit_of_its_own_spends_up_to_it() {
    let budget =
        PrivacyBudget::in_memory(1_000_000, DAY).with_account_limit("profile:support", 300_000);
    assert_eq!(budget.limit_of("profile:support"), 300_000);
    assert_eq!(budget.limit_of("profile:marketing"), 1_000_000);
    assert!(budget.spend("profile:support", b"q1", 300_000, NOW).is_ok());
    let Err(BudgetError::Exhausted { limit_micros, .. }) =
        budget.spend("profile:support", b"q2", 1, NOW)
    else {
        panic!("the profile's own limit was passed")
    };
    assert_eq!(limit_micros, 300_000);
    assert!(
        budget
            .spend("profile:marketing", b"q2", 900_000, NOW)
            .is_ok()
    );
}

#[test]
fn an_accounts_limit_holds_for_each_of_its_sites() {
    let budget = PrivacyBudget::in_memory(5_000_000, Duration::from_secs(86_400))
        .with_account_limit("analysts", 1_000_000);
    assert_eq!(budget.limit_of("analysts/site-1"), 1_000_000);
    assert_eq!(budget.limit_of("analysts/site-2"), 1_000_000);
    assert_eq!(budget.limit_of("others/site-1"), 5_000_000);
    assert!(budget.spend("analysts/site-1", b"a", 1_000_000, 0).is_ok());
    assert!(budget.spend("analysts/site-1", b"b", 1, 0).is_err());
    assert!(budget.spend("analysts/site-2", b"b", 1_000_000, 0).is_ok());
}

#[test]
fn spends_refuses_with_the_renewal_time_and_renews() {
    let budget = PrivacyBudget::in_memory(1_000_000, DAY);
    for i in 0..4 {
        let spent = budget.spend("a", &[i], 250_000, NOW + 60).unwrap();
        assert_eq!(
            spent,
            Spend::Charged {
                left_micros: 750_000 - 250_000 * u64::from(i)
            }
        );
    }
    let err = budget.spend("a", b"more", 1, NOW + 120).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the privacy budget of this window is spent (ε=0 of ε=1 left, this answer needs ε=0.000001); it renews at 2026-11-27T00:00:00Z"
    );
    // Other accounts have their own budget; the next window a fresh one.
    assert!(budget.spend("b", b"more", 1, NOW).is_ok());
    assert!(budget.spend("a", b"more", 1, NOW + 86_400).is_ok());
}

#[test]
fn a_repeated_question_costs_nothing() {
    let budget = PrivacyBudget::in_memory(500_000, DAY);
    assert!(matches!(
        budget.spend("a", b"q", 500_000, NOW),
        Ok(Spend::Charged { left_micros: 0 })
    ));
    assert_eq!(
        budget.spend("a", b"q", 500_000, NOW + 10).unwrap(),
        Spend::Repeated { left_micros: 0 }
    );
}

/// An answer releasing several statistics pays for all of them or none: refused, it leaves
/// the window as it was, so that none of its statistics is free later.
#[test]
fn several_statistics_are_charged_all_or_none() {
    let path = file("all-or-none");
    let budget = PrivacyBudget::open(1_000_000, DAY, &path).unwrap();
    assert_eq!(
        budget
            .spend_all("a", &[b"visits", b"actions"], 300_000, NOW)
            .unwrap(),
        Charges {
            charged_micros: 600_000,
            left_micros: 400_000
        }
    );
    // Three statistics, one of them released already: two new ones, 0.6 > 0.4 left.
    let Err(BudgetError::Exhausted {
        left_micros,
        asked_micros,
        ..
    }) = budget.spend_all("a", &[b"visits", b"bounces", b"length"], 300_000, NOW)
    else {
        panic!("two new statistics fit in ε 0.4 at ε 0.3 each")
    };
    assert_eq!((left_micros, asked_micros), (400_000, 600_000));
    // Nothing of the refused answer was charged: each of its new statistics alone still fits,
    // also after a restart (the file holds no trace of the refused answer).
    drop(budget);
    let budget = PrivacyBudget::open(1_000_000, DAY, &path).unwrap();
    assert_eq!(
        budget.spend("a", b"bounces", 300_000, NOW).unwrap(),
        Spend::Charged {
            left_micros: 100_000
        }
    );
    // Asking the same statistic twice in one answer charges it once; an answer of statistics
    // all released before is free.
    let budget = PrivacyBudget::in_memory(1_000_000, DAY);
    let twice = budget
        .spend_all("b", &[b"visits", b"visits"], 300_000, NOW)
        .unwrap();
    assert_eq!(twice.charged_micros, 300_000);
    assert_eq!(
        budget.spend_all("b", &[b"visits"], 300_000, NOW).unwrap(),
        Charges {
            charged_micros: 0,
            left_micros: 700_000
        }
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_restart_keeps_what_was_spent() {
    let path = file("restart");
    let budget = PrivacyBudget::open(1_000_000, DAY, &path).unwrap();
    budget.spend("a", b"q1", 700_000, NOW).unwrap();
    drop(budget);
    let again = PrivacyBudget::open(1_000_000, DAY, &path).unwrap();
    assert!(again.spend("a", b"q2", 400_000, NOW).is_err());
    assert!(matches!(
        again.spend("a", b"q1", 700_000, NOW),
        Ok(Spend::Repeated { .. })
    ));
    std::fs::write(&path, b"not json").unwrap();
    let err = PrivacyBudget::open(1_000_000, DAY, &path).unwrap_err();
    assert!(err.to_string().contains("not a budget file"), "{err}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn concurrent_spends_never_pass_the_limit() {
    let path = file("concurrent");
    let budget = Arc::new(PrivacyBudget::open(1_000_000, DAY, &path).unwrap());
    let threads: Vec<_> = (0..200u32)
        .map(|i| {
            let budget = budget.clone();
            std::thread::spawn(move || budget.spend("a", &i.to_be_bytes(), 10_000, NOW).is_ok())
        })
        .collect();
    let charged = threads
        .into_iter()
        .filter_map(|t| t.join().ok())
        .filter(|ok| *ok)
        .count();
    assert_eq!(charged, 100, "exactly the limit, never more");
    let reread = PrivacyBudget::open(1_000_000, DAY, &path).unwrap();
    assert!(reread.spend("a", b"one more", 1, NOW).is_err());
    let _ = std::fs::remove_file(&path);
}
