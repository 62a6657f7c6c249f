//! Unit tests of releases: one statistic one noise, intervals, what is too uncertain to show.

use std::collections::BTreeSet;

use super::mechanism::whole;
use super::*;
use crate::minimise::threshold::Metrics;

fn dp() -> DifferentialPrivacy {
    DifferentialPrivacy::new(vec![5; 32], 1_000_000, ContributionBounds::default()).unwrap()
}

fn row(visits: f64) -> Metrics {
    Metrics::new()
        .with("nb_visits", visits)
        .with("bounce_count", visits / 2.0)
        .with("bounce_rate", 0.5)
        .with("max_actions", 9.0)
}

#[test]
fn each_statistic_gets_the_whole_epsilon_and_its_own_release() {
    let dp = dp();
    let a = row(100.0);
    let release = dp.release(&Question::new("t"), Spread::OneRowPerVisit, 1, [("a", &a)]);
    let names: Vec<&str> = release.columns().iter().map(|c| c.name).collect();
    assert_eq!(names, ["bounce_count", "nb_visits"]);
    // ε = 1 each, sensitivity 3 (three counted visits a visitor in a day): σ² = 3²/1².
    for column in release.columns() {
        assert_eq!(column.sigma, Sigma::new(9).unwrap(), "{}", column.name);
    }
    let ids: BTreeSet<[u8; 32]> = release
        .columns()
        .iter()
        .map(NoisyColumn::release_id)
        .collect();
    assert_eq!(ids.len(), 2);
    // A month: 32 counted visits at most.
    let month = dp.release(&Question::new("t"), Spread::OneRowPerVisit, 30, [("a", &a)]);
    assert_eq!(month.columns()[0].sensitivity, 32);
}

#[test]
fn changed_data_is_a_new_release_with_fresh_noise() {
    let dp = dp();
    let question = Question::new("t").part("site", "1");
    let (a, b) = (row(100.0), row(101.0));
    let first = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &a)]);
    let again = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &a)]);
    let changed = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &b)]);
    let id = |r: &Release<'_>, name: &str| {
        r.columns()
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .release_id()
    };
    assert_eq!(id(&first, "nb_visits"), id(&again, "nb_visits"));
    assert_eq!(first.noisy("x", &a), again.noisy("x", &a));
    assert_ne!(id(&first, "nb_visits"), id(&changed, "nb_visits"));
    // Over many changes, the noise of the changed answers is not the same offset (which
    // would give away the exact difference).
    let offsets: BTreeSet<i64> = (0..50)
        .map(|i| {
            let m = row(100.0 + f64::from(i));
            let release = dp.release(&question, Spread::OneRowPerVisit, 1, [("x", &m)]);
            let noisy = release.noisy_column("nb_visits", [("x", &m)])[0].unwrap().0;
            whole(noisy) - whole(100.0 + f64::from(i))
        })
        .collect();
    assert!(offsets.len() > 5, "{offsets:?}");
}

#[test]
fn rows_show_the_visits_they_were_sorted_by_and_rates_with_intervals() {
    let dp = dp();
    let rows: Vec<(String, Metrics)> = (0..20)
        .map(|i| (format!("row {i}"), row(500.0 + f64::from(i))))
        .collect();
    let release = dp.release(
        &Question::new("t"),
        Spread::OneRowPerVisit,
        1,
        rows.iter().map(|(k, m)| (k.as_str(), m)),
    );
    let sorted = release.noisy_column("nb_visits", rows.iter().map(|(k, m)| (k.as_str(), m)));
    assert_eq!(sorted.len(), 20);
    for ((key, metrics), drawn) in rows.iter().zip(sorted) {
        let (visits, interval) = drawn.unwrap();
        let noisy = release.noisy(key, metrics);
        assert_eq!(noisy.metrics.get("nb_visits"), Some(visits));
        assert_eq!(noisy.intervals.get("nb_visits"), Some(interval));
        let rate = noisy.metrics.get("bounce_rate").unwrap();
        let expected = (noisy.metrics.get("bounce_count").unwrap() / visits).min(1.0);
        assert!((rate - expected).abs() < 1e-12 && rate <= 1.0);
        let rate_interval = noisy.intervals.get("bounce_rate").unwrap();
        assert!(rate_interval.contains(rate), "{rate_interval:?} {rate}");
        assert_eq!(noisy.left_out, ["max_actions"]);
    }
    assert_eq!(
        release.noisy_column("max_actions", rows.iter().map(|(k, m)| (k.as_str(), m))),
        vec![None; 20]
    );
}

/// A number whose interval is wider than itself is not shown, and neither is a rate
/// computed from it.
#[test]
fn numbers_too_uncertain_are_not_shown() {
    let dp = DifferentialPrivacy::new(vec![5; 32], 100_000, ContributionBounds::default()).unwrap();
    // One row of `visits` released alone, as a day's answer.
    let released = |visits: f64| {
        let metrics = row(visits);
        dp.release(
            &Question::new("t"),
            Spread::OneRowPerVisit,
            1,
            [("x", &metrics)],
        )
        .noisy("x", &metrics)
    };
    let noisy = released(6.0);
    assert!(noisy.metrics.get("nb_visits").is_none(), "{noisy:?}");
    assert!(noisy.uncertain.contains(&"nb_visits"));
    assert!(noisy.metrics.get("bounce_rate").is_none());
    assert!(noisy.intervals.is_empty());
    let noisy = released(100_000.0);
    assert!(noisy.uncertain.is_empty(), "{noisy:?}");
    assert!(noisy.metrics.get("bounce_rate").is_some());
}

/// A report of 1,000 rows with nothing behind them (a visit each): with the selection floor
/// and the width rule, any of them is shown in at most about 5 % of answers. Without the
/// floor (mutation-checked), some are shown in most answers.
#[test]
fn rows_lifted_by_noise_alone_are_rarely_shown() {
    let rows: Vec<(String, Metrics)> = (0..1_000)
        .map(|i| (format!("/p/{i}"), Metrics::new().with("nb_visits", 1.0)))
        .collect();
    let mut answers_with_a_false_row = 0;
    for trial in 0..100u8 {
        let dp = DifferentialPrivacy::new(vec![trial; 32], 500_000, ContributionBounds::default())
            .unwrap();
        let release = dp.release(
            &Question::new("t"),
            Spread::RowsPerAction,
            1,
            rows.iter().map(|(k, m)| (k.as_str(), m)),
        );
        let floor = release.selection_floor("nb_visits", rows.len()).unwrap();
        let shown = release
            .noisy_column("nb_visits", rows.iter().map(|(k, m)| (k.as_str(), m)))
            .into_iter()
            .flatten()
            .filter(|(value, interval)| interval.is_useful(*value) && *value >= floor)
            .count();
        answers_with_a_false_row += usize::from(shown > 0);
    }
    assert!(
        answers_with_a_false_row <= 12,
        "{answers_with_a_false_row} of 100"
    );
}

#[test]
fn settings_are_checked() {
    let bounds = ContributionBounds::default();
    assert_eq!(
        DifferentialPrivacy::new(vec![1; 31], 1, bounds).unwrap_err(),
        NoiseSettingsError::ShortKey(31)
    );
    assert!(DifferentialPrivacy::new(vec![1; 32], 0, bounds).is_err());
    assert!(DifferentialPrivacy::new(vec![1; 32], 10_000_001, bounds).is_err());
    let none = ContributionBounds {
        actions_per_visit: 0,
        ..bounds
    };
    assert_eq!(
        DifferentialPrivacy::new(vec![1; 32], 1, none).unwrap_err(),
        NoiseSettingsError::Bounds
    );
    assert!(
        !format!("{:?}", dp()).contains("5, 5"),
        "the key stays out of Debug"
    );
}
