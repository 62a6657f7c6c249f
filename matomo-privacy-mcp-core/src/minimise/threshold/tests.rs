use proptest::prelude::*;

use super::*;
use crate::minimise::{ScrubbedText, Scrubber};

fn row(label: &str, visits: f64, uniques: Option<f64>) -> ReportRow {
    let mut metrics = Metrics::new()
        .with("nb_visits", visits)
        .with("nb_actions", visits * 3.0)
        .with("bounce_count", (visits / 2.0).floor());
    metrics.set("bounce_rate", (visits / 2.0).floor() / visits.max(1.0));
    metrics.set("max_actions", visits + 1.0);
    metrics.set("custom_thing", 7.0);
    if let Some(u) = uniques {
        metrics.set("nb_uniq_visitors", u);
    }
    ReportRow::new(ScrubbedText::trusted(label.to_owned()), metrics).read_from_matomo()
}

fn labels(out: &Thresholded) -> Vec<&str> {
    out.rows.iter().map(|r| r.label.as_str()).collect()
}

#[test]
fn visits_are_not_visitors() {
    // 10 visits by 2 visitors is a row about two people; 40 visits without a distinct count
    // is a row about nobody known.
    let out = Threshold::new(5).unwrap().apply(vec![
        row("/private", 10.0, Some(2.0)),
        row("/unknown", 40.0, None),
        row("/", 50.0, Some(30.0)),
    ]);
    assert_eq!(labels(&out), ["/"]);
    assert_eq!(out.suppressed_rows, 2);
    // A proof from elsewhere (Matomo, for the row's segment) lets the row through.
    let out = Threshold::new(5).unwrap().apply(vec![
        row("/unknown", 40.0, None).with_visitors(VisitorCount::from_matomo(12)),
    ]);
    assert_eq!(labels(&out), ["/unknown"]);
    assert_eq!(out.rows[0].visitors(), 12);
    assert_eq!(out.rows[0].visits(), 40);
}

#[test]
fn rows_without_visits_are_not_suppressed() {
    let out = Threshold::new(5).unwrap().apply(vec![
        row("Tablet", 0.0, Some(0.0)),
        row("Console", 0.0, None),
        row("Desktop", 60.0, Some(40.0)),
        row("Camera", 1.0, Some(1.0)),
    ]);
    assert_eq!(labels(&out), ["Desktop"]);
    assert_eq!(
        out.suppressed_rows, 1,
        "only the camera visit was suppressed"
    );
}

#[test]
fn other_is_shown_only_with_a_proven_population() {
    let rows = || {
        vec![
            row("/a", 4.0, Some(3.0)),
            row("/b", 3.0, Some(3.0)),
            row("/", 100.0, Some(80.0)),
        ]
    };
    let threshold = Threshold::new(5).unwrap();
    // 3 + 3 visitors could be the same three people: no "Other" without a proof.
    let out = threshold.apply(rows());
    assert_eq!(labels(&out), ["/"]);
    assert!(!out.other_shown());
    assert_eq!(out.suppressed_rows, 2);
    // A proof below k is no proof.
    assert!(
        !threshold
            .apply_with_other(rows(), Some(VisitorCount::from_matomo(4)))
            .other_shown()
    );
    let out = threshold.apply_with_other(rows(), Some(VisitorCount::from_matomo(5)));
    assert!(out.other_shown());
    let other = &out.rows[1];
    assert!(other.is_other());
    assert_eq!(
        other.label.as_str(),
        "Other (2 rows with fewer than 5 visitors each)"
    );
    assert_eq!(other.visitors(), 5);
    assert_eq!(other.metrics.get("nb_visits"), Some(7.0));
    assert_eq!(other.metrics.get("nb_actions"), Some(21.0));
    assert_eq!(other.metrics.get("max_actions"), None, "one visit's value");
    assert_eq!(other.metrics.get("custom_thing"), None, "unknown metric");
    assert_eq!(other.metrics.get("nb_uniq_visitors"), None, "not summed");
    // Bounces: 3 of 7 visits by 5 proven visitors: at least 5 - (7 - 3) = 1 visitor. Withheld.
    assert_eq!(other.metrics.get("bounce_count"), None);
    assert_eq!(other.metrics.get("bounce_rate"), None);
    assert!(out.withheld_metrics.contains("bounce_count"));
}

#[test]
fn merged_equal_labels_know_the_largest_part_not_the_sum() {
    let s = Scrubber::builder().build().unwrap();
    let part = |url: &str, visits: f64, visitors: f64| {
        ReportRow::new(
            s.url(url),
            Metrics::new()
                .with("nb_visits", visits)
                .with("nb_uniq_visitors", visitors),
        )
        .read_from_matomo()
    };
    let rows = vec![
        part("/orders/100234", 2.0, 2.0),
        part("/", 9.0, 9.0),
        part("/orders/100999?x=1", 4.0, 3.0),
    ];
    let merged = merge_equal_labels(rows);
    assert_eq!(merged.len(), 2);
    assert_eq!(merged[0].label.as_str(), "/orders/[number]");
    assert_eq!(merged[0].metrics.get("nb_visits"), Some(6.0));
    assert_eq!(merged[0].visitors(), 3, "max of 2 and 3, not 5");
    assert_eq!(merged[0].visits(), 6);
    let out = Threshold::new(5).unwrap().apply(merged);
    assert_eq!(labels(&out), ["/"]);
}

#[test]
fn merged_rows_are_counted_over_the_union_of_their_parts() {
    use crate::privacy::{Identifying, Reveal};
    let s = Scrubber::builder().build().unwrap();
    let part = |url: &str, segment: Option<&str>| {
        let mut row = ReportRow::new(s.url(url), Metrics::new().with("nb_visits", 2.0));
        row.segment = segment.map(|text| Identifying::new(text.to_owned()));
        row
    };
    let segment = |row: &ReportRow| row.segment.as_ref().map(|s| s.reveal_text().to_owned());
    // Matomo's row segments encode the URL twice; the union keeps them as Matomo wrote them.
    let home = "pageUrl==https%253A%252F%252Fshop.example.com%252F";
    let campaign = "pageUrl==https%253A%252F%252Fshop.example.com%252F%253Fmtm_source%253Dnews";
    let merged = merge_equal_labels(vec![
        part("https://shop.example.com/", Some(home)),
        part("https://shop.example.com/?mtm_source=news", Some(campaign)),
        part("https://shop.example.com/?mtm_source=news", Some(campaign)),
    ]);
    assert_eq!(merged.len(), 1);
    assert_eq!(segment(&merged[0]), Some(format!("{home},{campaign}")));
    // The largest part is still all that is known until Matomo counts the union.
    assert_eq!(merged[0].visitors(), 0);
    // A part without a segment: the union cannot be asked for.
    let merged = merge_equal_labels(vec![
        part("/a?x=1", Some("pageUrl==a1")),
        part("/a?x=2", None),
    ]);
    assert_eq!(segment(&merged[0]), None);
    // What the parts share is written once.
    let merged = merge_equal_labels(vec![
        part("/a?x=1", Some("referrerType==website;referrerName==a")),
        part("/a?x=2", Some("referrerType==search;referrerName==a")),
    ]);
    assert_eq!(
        segment(&merged[0]).as_deref(),
        Some("referrerName==a;referrerType==website,referrerType==search")
    );
    // Parts whose union has no form without parentheses.
    let merged = merge_equal_labels(vec![
        part("/a?x=1", Some("referrerType==website;referrerName==a")),
        part("/a?x=2", Some("referrerType==search;referrerName==b")),
    ]);
    assert_eq!(segment(&merged[0]), None);
    // Past the most parts, or the longest segment, the row stays unproven.
    let many = |n: usize, value: &str| {
        merge_equal_labels(
            (0..n)
                .map(|i| {
                    part(
                        &format!("/r?token={i}"),
                        Some(&format!("pageUrl=={value}{i}")),
                    )
                })
                .collect(),
        )
    };
    assert!(segment(&many(row::MAX_MERGED_PARTS, "r")[0]).is_some());
    assert_eq!(segment(&many(row::MAX_MERGED_PARTS + 1, "r")[0]), None);
    let long = "x".repeat(row::MAX_MERGED_SEGMENT_LEN / 10);
    assert_eq!(segment(&many(12, &long)[0]), None);
}

/// A merged row's entries are about at least as many visitors as the entries of its largest
/// part: the sub-metric rule may show them on that count, never on a sum of parts.
#[test]
fn merged_rows_keep_their_largest_parts_entry_visitors() {
    let part = |label: &str, entries: f64, entry_people: f64| {
        let mut row = row(label, 40.0, Some(30.0));
        row.metrics.set("entry_nb_visits", entries);
        row.metrics.set("entry_nb_uniq_visitors", entry_people);
        row
    };
    let threshold = Threshold::new(5).unwrap();
    // 6 and 3 entry visitors: the merged row knows 6, and shows its entries.
    let merged = merge_equal_labels(vec![part("/", 8.0, 6.0), part("/", 4.0, 3.0)]);
    assert_eq!(merged[0].metrics.get("entry_nb_uniq_visitors"), None);
    let out = threshold.apply(merged);
    assert_eq!(out.rows[0].metrics.get("entry_nb_visits"), Some(12.0));
    // 4 and 3: neither part proves 5 (7 together is a sum, not people); the entries are
    // withheld (the row's 80 visits by 30 known visitors bound them at 30 - 68 < 5 too).
    let merged = merge_equal_labels(vec![part("/", 6.0, 4.0), part("/", 6.0, 3.0)]);
    let out = threshold.apply(merged);
    assert_eq!(out.rows[0].metrics.get("entry_nb_visits"), None);
    assert!(out.withheld_metrics.contains("entry_nb_visits"));
}

#[test]
fn small_cells_inside_a_shown_row_are_withheld() {
    // The issue's row: 23 visits by 21 visitors, 2 entries, 1 exit.
    let metrics = Metrics::new()
        .with("nb_visits", 23.0)
        .with("nb_uniq_visitors", 21.0)
        .with("nb_hits", 40.0)
        .with("sum_time_spent", 900.0)
        .with("entry_nb_visits", 2.0)
        .with("entry_nb_actions", 7.0)
        .with("entry_sum_visit_length", 300.0)
        .with("entry_bounce_count", 0.0)
        .with("exit_nb_visits", 1.0)
        .with("exit_rate", 1.0 / 23.0)
        .with("bounce_rate", 0.0)
        .with("avg_time_on_page", 22.5);
    let out = Threshold::new(5).unwrap().apply(vec![
        ReportRow::new(ScrubbedText::trusted("/pricing".into()), metrics).read_from_matomo(),
    ]);
    let shown = &out.rows[0].metrics;
    let names: Vec<&str> = shown.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "avg_time_on_page",
            "nb_hits",
            "nb_uniq_visitors",
            "nb_visits",
            "sum_time_spent"
        ]
    );
    assert_eq!(
        out.withheld_metrics.iter().copied().collect::<Vec<_>>(),
        [
            "bounce_rate",
            "entry_bounce_count",
            "entry_nb_actions",
            "entry_nb_visits",
            "entry_sum_visit_length",
            "exit_nb_visits",
            "exit_rate"
        ]
    );
}

#[test]
fn a_part_is_bounded_by_the_visits_left_out() {
    let threshold = Threshold::new(5).unwrap();
    let part = |visitors: f64, visits: f64, exits: f64, exit_visitors: Option<f64>| {
        let mut m = Metrics::new()
            .with("nb_visits", visits)
            .with("exit_nb_visits", exits);
        if let Some(e) = exit_visitors {
            m.set("exit_nb_uniq_visitors", e);
        }
        threshold
            .cells(&m, visitors as u64, visits as u64)
            .0
            .get("exit_nb_visits")
    };
    // 20 visitors, 23 visits, 8 exits: at least 20 - 15 = 5 visitors exited.
    assert_eq!(part(20.0, 23.0, 8.0, None), Some(8.0));
    // 7 exits: at least 4. Withheld.
    assert_eq!(part(20.0, 23.0, 7.0, None), None);
    // Matomo's distinct count decides when it is there.
    assert_eq!(part(20.0, 23.0, 7.0, Some(6.0)), Some(7.0));
    assert_eq!(part(20.0, 23.0, 30.0, Some(4.0)), None);
    // Zero describes nobody.
    assert_eq!(part(20.0, 23.0, 0.0, None), Some(0.0));
    // Counts of people are shown from k.
    let people = |n: f64| {
        threshold
            .cells(&Metrics::new().with("nb_users", n), 50, 60)
            .0
            .get("nb_users")
    };
    assert_eq!(people(4.0), None);
    assert_eq!(people(5.0), Some(5.0));
    assert_eq!(people(0.0), Some(0.0));
}

#[test]
fn event_values_are_shown_only_when_every_event_has_one() {
    let threshold = Threshold::new(5).unwrap();
    let metrics = |with_value: f64| {
        let m = Metrics::new()
            .with("nb_visits", 30.0)
            .with("nb_events", 40.0)
            .with("nb_events_with_value", with_value)
            .with("sum_event_value", 99.0)
            .with("avg_event_value", 3.0)
            .with("max_event_value", 12.0);
        threshold.cells(&m, 30, 30).0
    };
    let all = metrics(40.0);
    assert_eq!(all.get("sum_event_value"), Some(99.0));
    assert_eq!(all.get("max_event_value"), None);
    let some = metrics(3.0);
    assert_eq!(some.get("nb_events_with_value"), None);
    assert_eq!(some.get("sum_event_value"), None);
    assert_eq!(some.get("avg_event_value"), None);
    assert_eq!(some.get("nb_events"), Some(40.0));
}

#[test]
fn subtables_are_thresholded_and_rare_rows_lose_theirs() {
    let mut parent = row("/shop", 60.0, Some(50.0));
    parent.subtable = vec![
        row("/shop/a", 50.0, Some(45.0)),
        row("/shop/jane", 1.0, Some(1.0)),
        row("/shop/b", 30.0, None),
    ];
    let mut rare = row("/rare", 1.0, Some(1.0));
    rare.subtable = vec![row("/rare/x", 1.0, Some(1.0))];
    let out = Threshold::new(5).unwrap().apply(vec![parent, rare]);
    assert_eq!(labels(&out), ["/shop"]);
    assert_eq!(out.rows[0].subtable.len(), 1);
    assert_eq!(out.rows[0].subtable[0].label.as_str(), "/shop/a");
    assert_eq!(out.suppressed_rows, 4);
}

#[test]
fn k_must_be_positive() {
    assert_eq!(Threshold::new(0), Err(InvalidThreshold));
    assert_eq!(Threshold::default().k(), 5);
}

#[test]
fn whole_numbers_serialise_as_integers() {
    let json = serde_json::to_value(row("/", 10.0, Some(4.0))).unwrap();
    assert_eq!(json["nb_visits"], serde_json::json!(10));
    assert_eq!(json["bounce_rate"], serde_json::json!(0.5));
    assert_eq!(json["label"], "/");
    assert!(json.get("subtable").is_none());
}

/// Rows with their true visitor sets: each visitor id is one person.
fn arb_rows() -> impl Strategy<Value = Vec<(ReportRow, Vec<u8>)>> {
    let leaf = (
        0u32..12,
        proptest::collection::vec(0u8..16, 0..20),
        any::<bool>(),
    )
        .prop_map(|(i, visits, exact)| {
            let mut people = visits.clone();
            people.sort_unstable();
            people.dedup();
            let mut metrics = Metrics::new()
                .with("nb_visits", visits.len() as f64)
                .with("nb_hits", visits.len() as f64 * 2.0);
            if exact {
                metrics.set("nb_uniq_visitors", people.len() as f64);
            }
            (
                ReportRow::new(ScrubbedText::trusted(format!("/p{i}")), metrics).read_from_matomo(),
                people,
            )
        });
    proptest::collection::vec(leaf, 0..20)
}

proptest! {
    /// Every shown row, merged or not, has at least k true distinct visitors; "Other" never
    /// appears without a proof.
    #[test]
    fn every_shown_row_has_k_true_visitors(rows in arb_rows(), k in 1u64..8) {
        let threshold = Threshold::new(k).unwrap();
        let mut truth: HashMap<String, Vec<u8>> = HashMap::new();
        for (row, people) in &rows {
            let entry = truth.entry(row.label.as_str().to_owned()).or_default();
            entry.extend(people);
            entry.sort_unstable();
            entry.dedup();
        }
        let merged = merge_equal_labels(rows.into_iter().map(|(row, _)| row).collect());
        let out = threshold.apply(merged);
        prop_assert!(!out.other_shown());
        for row in &out.rows {
            let people = truth.get(row.label.as_str()).map_or(0, Vec::len) as u64;
            prop_assert!(people >= k, "{} shown with {} visitors", row.label.as_str(), people);
        }
    }
}
