//! Unit tests of the visitor bounds: the periods inside, the bounds chosen, Matomo's answers read.

use super::*;
use serde_json::json;

#[test]
fn one_period_or_the_largest_inside() {
    assert_eq!(
        known(&json!({"nb_uniq_visitors": 15, "nb_visits": "17"})),
        Some(Known {
            visitors: 15,
            visits: 17
        })
    );
    // A year's months: the most visitors of any month, every visit.
    let months = json!({"2026-01": {"nb_uniq_visitors": 4, "nb_visits": 9},
                        "2026-02": [],
                        "2026-03": {"nb_uniq_visitors": 7, "nb_visits": 8}});
    assert_eq!(
        known(&months),
        Some(Known {
            visitors: 7,
            visits: 17
        })
    );
    // A period without distinct counts proves nobody.
    assert_eq!(
        known(&json!({"nb_visits": 200})),
        Some(Known {
            visitors: 0,
            visits: 200
        })
    );
    // The same, as Matomo 5.0.2 renders it when `nb_visits` is the one column left.
    let visits_alone = Some(Known {
        visitors: 0,
        visits: 200,
    });
    assert_eq!(known(&json!({"value": 200})), visits_alone);
    assert_eq!(
        known(&json!({"2026-01": 150, "2026-02": [], "2026-03": "50"})),
        visits_alone
    );
    assert_eq!(known(&json!([])), Some(Known::default()));
    // Anything else is no count at all, not a count of nobody.
    assert_eq!(known(&json!("error")), None);
    assert_eq!(known(&json!([1])), None);
}

#[test]
fn strict_counts_refuse_what_is_no_number() {
    assert!(strictly_known(&json!({"nb_uniq_visitors": 15, "nb_visits": "17"})).is_some());
    assert!(strictly_known(&json!({"2026-01": {"nb_visits": 9}, "2026-02": []})).is_some());
    assert!(strictly_known(&json!({"nb_uniq_visitors": "abc", "nb_visits": 3})).is_none());
    assert!(strictly_known(&json!({"2026-01": {"nb_visits": [1]}})).is_none());
    assert!(strictly_known(&json!({"2026-01": "x"})).is_none());
    assert!(strictly_known(&json!({"value": 3779})).is_some());
    assert!(strictly_known(&json!({"2026-01": 9, "2026-02": "4", "2026-03": []})).is_some());
    assert!(strictly_known(&json!("error")).is_none());
}

fn date(text: &str) -> jiff::civil::Date {
    text.parse().unwrap()
}

fn asked(bounds: &[(Period, Date, Bound)]) -> Vec<String> {
    bounds
        .iter()
        .map(|(period, date, bound)| format!("{} {date} {bound:?}", period.as_str()))
        .collect()
}

#[test]
fn a_range_knows_its_days_and_the_days_surely_inside() {
    let today = date("2026-11-26");
    let range = |text: &str| span(text.parse().unwrap(), today).unwrap();
    assert_eq!(
        range("2026-11-01,2026-11-23"),
        Span {
            days: 23,
            inside: Some((date("2026-11-01"), date("2026-11-23")))
        }
    );
    // Relative ends: at most to UTC's tomorrow, surely to UTC's yesterday (a site's today
    // is within a day of UTC's).
    assert_eq!(
        range("2026-11-20,today"),
        Span {
            days: 8,
            inside: Some((date("2026-11-20"), date("2026-11-25")))
        }
    );
    assert_eq!(
        range("2026-11-20,yesterday"),
        Span {
            days: 7,
            inside: Some((date("2026-11-20"), date("2026-11-24")))
        }
    );
    assert_eq!(
        span(Date::last(7).unwrap(), today).unwrap(),
        Span {
            days: 7,
            inside: Some((date("2026-11-21"), date("2026-11-25")))
        }
    );
    assert_eq!(
        span(Date::previous(7).unwrap(), today).unwrap(),
        Span {
            days: 7,
            inside: Some((date("2026-11-20"), date("2026-11-24")))
        }
    );
    assert_eq!(span(Date::last(2).unwrap(), today).unwrap().inside, None);
}

#[test]
fn whole_weeks_and_months_inside_a_range() {
    // Sunday 1 November to Monday 30 November 2026.
    assert_eq!(
        asked(&inside(date("2026-11-01"), date("2026-11-30"))),
        [
            "week 2026-11-02,2026-11-29 Inside",
            "month 2026-11-01,2026-11-30 Inside"
        ]
    );
    assert_eq!(
        asked(&inside(date("2026-10-15"), date("2026-12-31"))),
        [
            "week 2026-10-19,2026-12-27 Inside",
            "month 2026-11-01,2026-12-31 Inside"
        ]
    );
    // Tuesday to Sunday: no whole week, no whole month.
    assert!(inside(date("2026-11-03"), date("2026-11-08")).is_empty());
    assert_eq!(
        asked(&inside(date("2026-11-16"), date("2026-11-22"))),
        ["week 2026-11-16,2026-11-22 Inside"]
    );
}

#[test]
fn first_visits_in_a_period_are_one_per_visitor() {
    let firsts = Bound::Firsts { days: 24 };
    assert_eq!(
        firsts.segment().unwrap().to_string(),
        "visitCount==1,daysSinceLastVisit>=24"
    );
    assert_eq!(
        firsts.visitors(&json!({"nb_visits": 7, "nb_uniq_visitors": 0})),
        7
    );
    // Over a range or a year, the one column left, as Matomo 5.0.2 renders it.
    assert_eq!(firsts.visitors(&json!({"value": 7})), 7);
    assert_eq!(firsts.visitors(&json!({"value": "7"})), 7);
    assert_eq!(firsts.visitors(&json!({"value": 7, "other": 9})), 0);
    assert_eq!(firsts.visitors(&json!([])), 0);
    // Several periods where one was asked: nothing proven.
    assert_eq!(firsts.visitors(&json!({"2026-11-01": {"nb_visits": 7}})), 0);
    assert_eq!(
        Bound::Inside.visitors(&json!({"2026-11-02,2026-11-08": {"nb_uniq_visitors": 6, "nb_visits": 9},
                                       "2026-11-09,2026-11-15": {"nb_uniq_visitors": 8, "nb_visits": 8}})),
        8
    );
    assert_eq!(
        Known {
            visitors: 3,
            visits: 20
        }
        .at_least(8),
        Known {
            visitors: 8,
            visits: 20
        }
    );
    assert_eq!(
        Known {
            visitors: 9,
            visits: 20
        }
        .at_least(8),
        Known {
            visitors: 9,
            visits: 20
        }
    );
}

#[test]
fn an_uncounted_population_withholds_the_answer() {
    let some = |visitors, visits| Some(Known { visitors, visits });
    assert!(Known::too_few(None, 5), "no count proves nobody");
    assert!(Known::too_few(some(4, 30), 5));
    assert!(!Known::too_few(some(5, 30), 5));
    assert!(
        !Known::too_few(some(0, 0), 5),
        "no visits: nobody to protect, nothing to show"
    );
}
