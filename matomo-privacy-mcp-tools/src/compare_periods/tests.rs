use super::*;

fn day(text: &str) -> jiff::civil::Date {
    text.parse().unwrap()
}

fn span(period: Period, date: &str, today: &str) -> Span {
    Span::of(period, date.parse().unwrap(), Some(day(today))).unwrap()
}

#[test]
fn earlier_periods_of_each_kind() {
    let earlier = |period, date: &str, to| {
        span(period, date, "2026-12-01")
            .earlier(period, to)
            .unwrap()
            .date()
            .unwrap()
            .to_string()
    };
    use CompareTo::{PreviousPeriod as Before, PreviousYear as Year};
    assert_eq!(earlier(Period::Day, "2026-03-01", Before), "2026-02-28");
    assert_eq!(earlier(Period::Day, "yesterday", Before), "2026-11-29");
    assert_eq!(earlier(Period::Day, "today", Year), "2025-12-01");
    assert_eq!(earlier(Period::Week, "2026-11-25", Before), "2026-11-18");
    assert_eq!(earlier(Period::Month, "2026-03-31", Before), "2026-02-28");
    assert_eq!(earlier(Period::Month, "2026-01-15", Before), "2025-12-15");
    assert_eq!(earlier(Period::Year, "2026-06-01", Before), "2025-06-01");
    assert_eq!(earlier(Period::Day, "2028-02-29", Year), "2027-02-28");
    assert_eq!(
        earlier(Period::Range, "2026-11-01,2026-11-10", Before),
        "2026-10-22,2026-10-31"
    );
    assert_eq!(
        earlier(Period::Range, "2026-11-01,yesterday", Year),
        "2025-11-01,2025-11-30"
    );
    assert_eq!(
        earlier(Period::Range, "last7", Before),
        "2026-11-18,2026-11-24"
    );
    assert_eq!(
        span(Period::Range, "previous7", "2026-12-01")
            .date()
            .unwrap()
            .to_string(),
        "2026-11-24,2026-11-30"
    );
}

#[test]
fn several_periods_are_refused() {
    let err = Span::of(
        Period::Day,
        "last7".parse().unwrap(),
        Some(day("2026-12-01")),
    );
    assert!(err.unwrap_err().to_string().contains("several periods"));
    let err = Span::of(Period::Range, "2026-11-20".parse().unwrap(), None);
    assert!(err.unwrap_err().to_string().contains("two dates"));
}
