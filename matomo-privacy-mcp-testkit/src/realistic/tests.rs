use std::collections::HashMap;

use super::*;

fn site() -> &'static RealisticSite {
    static SITE: std::sync::OnceLock<RealisticSite> = std::sync::OnceLock::new();
    SITE.get_or_init(|| RealisticSite::generate(DEFAULT_SEED))
}

#[test]
fn the_same_seed_gives_the_same_month_and_another_seed_another() {
    let again = RealisticSite::generate(DEFAULT_SEED);
    assert_eq!(site().visits, again.visits);
    let other = RealisticSite::generate(DEFAULT_SEED + 1);
    assert_ne!(site().visits.len(), 0);
    assert_ne!(site().visits[..10], other.visits[..10]);
}

#[test]
fn the_month_has_the_advertised_shape() {
    let s = site();
    let month = s.summary(s.first_day, s.last_day());
    let per_day = month.nb_visits / 30;
    assert!((1_300..=1_700).contains(&per_day), "{per_day} visits a day");
    assert!(
        (18_000..=22_000).contains(&month.nb_uniq_visitors),
        "{} visitors",
        month.nb_uniq_visitors
    );
    let mut per_visitor: HashMap<u32, u32> = HashMap::new();
    for v in &s.visits {
        *per_visitor.entry(v.visitor).or_default() += 1;
    }
    let returning = per_visitor.values().filter(|&&n| n > 1).count() as u64;
    let share = returning * 100 / month.nb_uniq_visitors;
    assert!((25..=36).contains(&share), "{share}% return");
    assert!(
        per_visitor.values().any(|&n| n >= 24),
        "someone comes dozens of times"
    );
    let same_day = s
        .visits
        .iter()
        .filter(|v| v.seconds_since_last.is_some_and(|s| s < 86_400) && v.visit_count > 1)
        .count();
    assert!(same_day > 1_000, "{same_day} returns within a day");
    // A long tail of durations: most visits short, some over an hour.
    let long = s
        .visits
        .iter()
        .filter(|v| v.matomo_visit_total_time() > 3_600)
        .count();
    assert!(long > 20, "{long} visits over an hour");
    assert!(
        s.visits
            .iter()
            .any(|v| v.entry_url().contains("mtm_campaign="))
    );
    assert!(
        s.visits
            .iter()
            .flat_map(|v| &v.actions)
            .any(|a| a.url.contains("%40mail.example.com"))
    );
    assert!(
        s.visits
            .iter()
            .flat_map(|v| &v.conversions)
            .any(|c| c.order_id.is_some())
    );
}

#[test]
fn visits_split_where_matomo_splits_them() {
    let mut last_end: HashMap<u32, i64> = HashMap::new();
    for v in &site().visits {
        assert!(!v.actions.is_empty());
        for pair in v.actions.windows(2) {
            assert!(pair[1].ts >= pair[0].ts && pair[1].ts - pair[0].ts < 1_800);
        }
        assert_eq!(
            v.day(),
            Day(v.last_ts().div_euclid(86_400)),
            "inside one day"
        );
        if let Some(end) = last_end.insert(v.visitor, v.last_ts()) {
            assert!(
                v.first_ts() - end > 1_800,
                "more than 30 minutes after the previous visit"
            );
        }
    }
}

#[test]
fn tracking_requests_carry_the_visit_without_a_token() {
    let v = site()
        .visits
        .iter()
        .find(|v| v.conversions.iter().any(|c| c.order_id.is_some()))
        .unwrap();
    let requests = v.tracking_requests(1);
    assert_eq!(requests.len(), v.actions.len() + v.conversions.len());
    assert!(requests[0].starts_with("?idsite=1&rec=1"));
    assert!(requests[0].contains("&new_visit=1"));
    assert!(
        requests
            .iter()
            .all(|r| r.contains(&format!("cid={}", v.visitor_id)))
    );
    assert!(requests.iter().all(|r| !r.contains("token_auth")));
    assert!(
        requests
            .iter()
            .any(|r| r.contains("idgoal=0&") && r.contains("ec_id=DS-2026-"))
    );
}

#[test]
fn matomo_visit_total_time_follows_the_tracker() {
    let v = site()
        .visits
        .iter()
        .find(|v| v.actions.len() == 1 && v.conversions.is_empty())
        .unwrap();
    assert_eq!(v.matomo_visit_total_time(), 0);
    let v = site()
        .visits
        .iter()
        .find(|v| v.actions.len() > 2 && v.conversions.is_empty())
        .unwrap();
    let expected = 1 + v.actions.last().unwrap().ts - v.first_ts();
    assert_eq!(v.matomo_visit_total_time(), expected as u64);
}

#[test]
#[ignore = "prints the month's statistics"]
fn print_statistics() {
    let s = site();
    let month = s.summary(s.first_day, s.last_day());
    println!("{month:?}");
    let mut per_visitor: HashMap<u32, u32> = HashMap::new();
    for v in &s.visits {
        *per_visitor.entry(v.visitor).or_default() += 1;
    }
    let mut counts: Vec<u32> = per_visitor.values().copied().collect();
    counts.sort_unstable();
    println!(
        "visitors {} returning {} max {}",
        counts.len(),
        counts.iter().filter(|&&n| n > 1).count(),
        counts.last().unwrap()
    );
    for d in 0..30 {
        let day = s.first_day.plus(d);
        println!("{day:?} {:?}", s.summary(day, day).nb_visits);
    }
}
