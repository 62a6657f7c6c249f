//! Unit tests of the pipeline's pure parts: the breadth check, the server-side cut, numbers.

use super::fetch::kept_rows;
use super::proof::broader_than;
use super::render::number;
use crate::minimise::{Metrics, ReportRow, ScrubbedText};
use crate::reporting::visitors::Known;

fn row(visits: Option<f64>) -> ReportRow {
    let mut metrics = Metrics::new().with("nb_hits", 40.0);
    if let Some(visits) = visits {
        metrics.set("nb_visits", visits);
    }
    ReportRow::new(ScrubbedText::trusted("/help/ - Others".into()), metrics)
}

#[test]
fn a_segment_selecting_more_visits_than_its_row_proves_nothing() {
    // A directory of 131 visits behind a row of 5: the directory's visitors are not the row's.
    let directory = Known {
        visitors: 131,
        visits: 140,
    };
    assert!(broader_than(&row(Some(5.0)), directory));
    // The row's own visits, or fewer (a segment narrowed by the caller's): a proof.
    for visits in [140, 12] {
        let own = Known {
            visitors: 9,
            visits,
        };
        assert!(!broader_than(&row(Some(140.0)), own), "{visits}");
    }
    // Nothing to compare with: the segment's count stands, as before the check.
    assert!(!broader_than(&row(None), directory));
}

#[test]
fn reports_are_cut_where_every_row_counts_visits() {
    assert_eq!(kept_rows("Actions.getPageUrls", 10), Some(200));
    assert_eq!(kept_rows("UserCountry.getCountry", 110), Some(220));
    assert_eq!(kept_rows("Actions.getPageTitles", 10_100), Some(4_999));
    // Ecommerce items count orders: sorted by visits they would be cut at random.
    assert_eq!(kept_rows("Goals.getItemsSku", 10), None);
    assert_eq!(
        kept_rows("VisitorInterest.getNumberOfVisitsPerPage", 10),
        None
    );
}

#[test]
fn numbers_render_like_fixed_three_decimals() {
    for (value, expected) in [
        (0.0, "0"),
        (42.0, "42"),
        (-7.0, "-7"),
        (-0.0, "0"),
        (123_456_789_012.0, "123456789012"),
        (0.25, "0.250"),
        (1.0 / 3.0, "0.333"),
        (2.0 / 3.0, "0.667"),
        (-0.0004, "0.000"),
        (-0.25, "-0.250"),
        (12.3456, "12.346"),
        (1346.7, "1346.700"),
        (999.9999, "1000.000"),
        (1e13 + 0.5, "10000000000000.500"),
        (f64::NAN, "NaN"),
    ] {
        assert_eq!(number(value), expected, "{value}");
    }
    // The fast path agrees with the exact formatter up to the last digit of a near-tie
    // (it rounds `value * 1000`, itself rounded, where the formatter rounds the exact binary value).
    for i in 0..20_000 {
        let value = f64::from(i) * 0.0137 - 90.0;
        let fast: f64 = number(value).parse().unwrap();
        let exact: f64 = format!("{value:.3}").parse().unwrap();
        assert!(
            (fast - exact).abs() <= 0.001 + 1e-9,
            "{value}: {fast} vs {exact}"
        );
        assert_eq!(
            number(value).split('.').nth(1).map(str::len).unwrap_or(3),
            3
        );
    }
}
