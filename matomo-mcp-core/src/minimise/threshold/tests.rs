use proptest::prelude::*;

use super::*;
use crate::minimise::{ScrubbedText, Scrubber};

fn row(label: &str, visits: f64, uniques: Option<f64>) -> ReportRow {
    let mut metrics = Metrics::new()
        .with("nb_visits", visits)
        .with("bounce_count", (visits / 2.0).floor());
    metrics.set("bounce_rate", (visits / 2.0).floor() / visits.max(1.0));
    metrics.set("max_actions", visits + 1.0);
    metrics.set("custom_thing", 7.0);
    if let Some(u) = uniques {
        metrics.set("nb_uniq_visitors", u);
    }
    ReportRow::new(ScrubbedText::trusted(label.to_owned()), metrics)
}

#[test]
fn uses_distinct_visitors_when_the_report_has_them() {
    // 10 visits by 2 visitors: a row about two people.
    let out = Threshold::new(5).unwrap().apply(vec![
        row("/private", 10.0, Some(2.0)),
        row("/", 50.0, Some(30.0)),
    ]);
    assert_eq!(
        out.rows
            .iter()
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>(),
        ["/"]
    );
    assert_eq!(out.suppressed_rows, 1);
}

#[test]
fn other_row_sums_additive_metrics_recomputes_ratios_and_drops_the_rest() {
    let out = Threshold::new(5).unwrap().apply(vec![
        row("/a", 4.0, None),
        row("/b", 3.0, None),
        row("/", 100.0, None),
    ]);
    assert_eq!(out.rows.len(), 2);
    let other = &out.rows[1];
    assert_eq!(other.metrics.get("nb_visits"), Some(7.0));
    assert_eq!(other.metrics.get("bounce_count"), Some(3.0));
    assert_eq!(other.metrics.get("bounce_rate"), Some(3.0 / 7.0));
    assert_eq!(other.metrics.get("max_actions"), Some(5.0));
    assert_eq!(
        other.metrics.get("custom_thing"),
        None,
        "unknown metrics are left out, not guessed"
    );
    assert_eq!(out.suppressed_rows, 2);
}

#[test]
fn other_row_below_k_is_dropped_and_unique_counts_are_not_summed() {
    let out = Threshold::new(5).unwrap().apply(vec![
        row("/a", 2.0, Some(1.0)),
        row("/b", 2.0, Some(2.0)),
        row("/", 90.0, Some(9.0)),
    ]);
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.suppressed_rows, 2);

    let out = Threshold::new(3)
        .unwrap()
        .apply(vec![row("/a", 2.0, Some(2.0)), row("/b", 2.0, Some(2.0))]);
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.rows[0].metrics.get("nb_uniq_visitors"), None);
    assert_eq!(out.rows[0].metrics.get("nb_visits"), Some(4.0));
}

#[test]
fn subtables_are_thresholded_and_rare_rows_lose_theirs() {
    let mut parent = row("/shop", 60.0, None);
    parent.subtable = vec![row("/shop/a", 50.0, None), row("/shop/jane", 1.0, None)];
    let mut rare = row("/rare", 1.0, None);
    rare.subtable = vec![row("/rare/x", 1.0, None)];
    let out = Threshold::new(5).unwrap().apply(vec![parent, rare]);
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.rows[0].subtable.len(), 1);
    assert_eq!(out.rows[0].subtable[0].label.as_str(), "/shop/a");
    assert_eq!(out.suppressed_rows, 3);
}

#[test]
fn k_must_be_positive() {
    assert_eq!(Threshold::new(0), Err(InvalidThreshold));
    assert_eq!(Threshold::default().k(), 5);
}

#[test]
fn rows_whose_scrubbed_labels_become_equal_are_merged() {
    let s = Scrubber::builder().build().unwrap();
    let rows = vec![
        ReportRow::new(
            s.url("/orders/100234"),
            Metrics::new().with("nb_visits", 2.0),
        ),
        ReportRow::new(s.url("/"), Metrics::new().with("nb_visits", 9.0)),
        ReportRow::new(
            s.url("/orders/100999?x=1"),
            Metrics::new().with("nb_visits", 4.0),
        ),
    ];
    let merged = merge_equal_labels(rows);
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[0].label.as_str(), "/orders/[number]");
    assert_eq!(merged[0].metrics.get("nb_visits"), Some(6.0));
    assert_eq!(merged[0].population(), 6);
}

#[test]
fn whole_numbers_serialise_as_integers() {
    let json = serde_json::to_value(row("/", 10.0, Some(4.0))).unwrap();
    assert_eq!(json["nb_visits"], serde_json::json!(10));
    assert_eq!(json["bounce_rate"], serde_json::json!(0.5));
    assert_eq!(json["label"], "/");
    assert!(json.get("subtable").is_none());
}

fn arb_rows() -> impl Strategy<Value = Vec<ReportRow>> {
    let leaf = (0u32..12, 0u32..30).prop_map(|(i, v)| {
        ReportRow::new(
            ScrubbedText::trusted(format!("/p{i}")),
            Metrics::new()
                .with("nb_visits", f64::from(v))
                .with("nb_hits", f64::from(v) * 2.0),
        )
    });
    let with_sub =
        (leaf.clone(), proptest::collection::vec(leaf.clone(), 0..4)).prop_map(|(mut r, sub)| {
            r.subtable = sub;
            r
        });
    proptest::collection::vec(with_sub, 0..20)
}

fn total(rows: &[ReportRow], metric: &str) -> f64 {
    rows.iter()
        .map(|r| r.metrics.get(metric).unwrap_or(0.0))
        .sum()
}

fn shown_total(rows: &[ThresholdedRow], metric: &str) -> f64 {
    rows.iter()
        .map(|r| r.metrics.get(metric).unwrap_or(0.0))
        .sum()
}

fn all_at_least(rows: &[ThresholdedRow], k: u64) -> bool {
    rows.iter()
        .all(|r| r.population() >= k && all_at_least(&r.subtable, k))
}

proptest! {
    #[test]
    fn no_row_below_k_and_totals_equal_input_minus_dropped(rows in arb_rows(), k in 1u64..12) {
        let threshold = Threshold::new(k).unwrap();
        let input_total = total(&rows, "nb_visits");
        let dropped: f64 = {
            let below: Vec<&ReportRow> = rows.iter().filter(|r| r.population() < k).collect();
            let below_sum: f64 = below.iter().map(|r| r.metrics.get("nb_visits").unwrap_or(0.0)).sum();
            if below_sum >= k as f64 { 0.0 } else { below_sum }
        };
        let out = threshold.apply(rows);
        prop_assert!(all_at_least(&out.rows, k));
        prop_assert_eq!(shown_total(&out.rows, "nb_visits"), input_total - dropped);
        prop_assert_eq!(shown_total(&out.rows, "nb_hits"), 2.0 * (input_total - dropped));
    }
}
