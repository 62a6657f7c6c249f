//! Builds a [`Dataset`] from a seed: fourteen days of traffic before "today" plus a little on "today".

use super::catalog::*;
use super::planted::*;
use super::{Action, Conversion, Dataset, Goal, Referrer, Site, Visit};
use crate::calendar::Day;
use crate::prng::SplitMix64;

/// How many days before `today` carry traffic.
const HISTORY_DAYS: i64 = 14;

struct SiteKind {
    pages: &'static [(&'static str, &'static str)],
    visits_per_day: (u64, u64),
    visitor_pool: usize,
}

fn sites(today: Day) -> Vec<Site> {
    let created = format!("{} 00:00:00", today.plus_months(-2).month_start());
    let mk = |id, name: &str, url: &str, tz: &str, cur: &str, ecommerce| Site {
        id,
        name: name.into(),
        main_url: url.into(),
        timezone: tz.into(),
        currency: cur.into(),
        ecommerce,
        ts_created: created.clone(),
    };
    vec![
        mk(
            1,
            "Example Shop",
            "https://shop.example.com",
            "UTC",
            "USD",
            true,
        ),
        mk(
            2,
            "Example Blog",
            "https://blog.example.org",
            "Europe/Berlin",
            "EUR",
            false,
        ),
        mk(
            3,
            "Example Docs",
            "https://docs.example.io",
            "America/New_York",
            "USD",
            false,
        ),
    ]
}

pub(super) fn goals() -> Vec<Goal> {
    let mk = |site, id, name: &str, attr: &str, pattern: &str, revenue| Goal {
        site,
        id,
        name: name.into(),
        match_attribute: attr.into(),
        pattern: pattern.into(),
        revenue,
    };
    vec![
        mk(1, 1, "Order Thank You", "url", "/checkout/thank-you", 25.0),
        mk(
            1,
            2,
            "Newsletter Signup",
            "event_category",
            "Newsletter",
            0.0,
        ),
        mk(1, 3, "Manual Lead", "manually", "", 5.0),
        mk(2, 1, "Contact Sent", "url", "/contact/sent", 0.0),
    ]
}

fn kind(site: u32) -> SiteKind {
    match site {
        1 => SiteKind {
            pages: SHOP_PAGES,
            visits_per_day: (10, 18),
            visitor_pool: 60,
        },
        2 => SiteKind {
            pages: BLOG_PAGES,
            visits_per_day: (3, 7),
            visitor_pool: 25,
        },
        _ => SiteKind {
            pages: DOCS_PAGES,
            visits_per_day: (1, 4),
            visitor_pool: 12,
        },
    }
}

pub(super) fn generate(seed: u64, today: Day) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let sites = sites(today);
    let goals = goals();
    let mut visits = Vec::new();
    for site in &sites {
        let k = kind(site.id);
        let pool: Vec<String> = (0..k.visitor_pool)
            .map(|_| format!("{:016x}", rng.next_u64()))
            .collect();
        let mut seen = vec![0u32; k.visitor_pool];
        for back in (0..=HISTORY_DAYS).rev() {
            let day = today.plus(-back);
            let (lo, hi) = if back == 0 { (1, 3) } else { k.visits_per_day };
            for _ in 0..rng.range(lo, hi) {
                let who = rng.below(k.visitor_pool as u64) as usize;
                seen[who] += 1;
                let v = visit(&mut rng, site, &k, day, &pool[who], who, seen[who]);
                visits.push(v);
            }
        }
    }
    plant_rare_personal_data(&sites, &mut visits);
    plant_a_rare_person(today, &mut visits);
    visits.sort_by_key(|v| (v.first_ts, v.site));
    for (i, v) in visits.iter_mut().enumerate() {
        v.id = i as u64 + 1;
    }
    super::details::derive(seed, &mut visits);
    // After every id and derived value is final, so that none of them moves.
    plant_a_channel_clash(today, &mut visits);
    // Before the days since the last visit are counted: they follow the visits' times.
    settle_durations(&mut visits, &goals);
    space_visitors_visits(&sites, &mut visits);
    number_visits_in_time_order(&mut visits);
    settle_self_converted(&mut visits, &goals);
    // The copies came with their templates' days since the previous visit; a visitor's days
    // are measured between their visits as they now are (one visitor's visits on one day are
    // 0 days apart), as Matomo measures them.
    super::details::recount_since(&mut visits);
    plant_campaign_landings(&mut visits);
    super::details::mark_returning_customers(&mut visits);
    for v in &mut visits {
        v.site_utc_offset = sites
            .iter()
            .find(|s| s.id == v.site)
            .map_or(0, |s| s.utc_offset(v.first_ts));
    }
    let annotations = annotations(&sites, today);
    Dataset {
        today,
        sites,
        goals,
        visits,
        annotations,
        saved_segments: saved_segments(),
    }
}

/// Saved segments: two on aggregate dimensions, one (site 1) on a user id and one on an IP
/// address, the kind an aggregate-only server must neither offer nor apply; all by one login.
fn saved_segments() -> Vec<super::SavedSegment> {
    let [login, email] = super::SAVED_SEGMENT_PERSONAL_DATA;
    let saved = |site: Option<u32>, name: &str, definition: &str| super::SavedSegment {
        site,
        name: name.to_owned(),
        definition: definition.to_owned(),
        login: login.to_owned(),
    };
    vec![
        saved(None, "Visitors from Germany", "countryCode==de"),
        saved(Some(1), "Smartphones", "deviceType==smartphone"),
        saved(
            Some(1),
            &format!("Newsletter reader {email}"),
            &format!("userId=={}", email.replace('@', "%40")),
        ),
        saved(Some(2), "Office network", "visitIp==10.1.2.3"),
    ]
}

/// Two notes per site: a campaign launch and a newsletter, the second naming its sender's e-mail
/// address, both by a login that must not reach a client.
fn annotations(sites: &[Site], today: Day) -> Vec<super::Annotation> {
    let [login, email] = super::ANNOTATION_PERSONAL_DATA;
    sites
        .iter()
        .flat_map(|site| {
            [
                super::Annotation {
                    site: site.id,
                    date: today.plus(-12),
                    note: "Spring campaign launched".to_owned(),
                    user: login.to_owned(),
                    starred: true,
                },
                super::Annotation {
                    site: site.id,
                    date: today.plus(-3),
                    note: format!("Newsletter sent by {email}"),
                    user: login.to_owned(),
                    starred: false,
                },
            ]
        })
        .collect()
}

/// A visit's length as Matomo 5.0.2 records it (`visit_total_time`), again after planting added
/// page views to visits: the time spent on its pages. A visit of one action has no later action
/// to set its length right after a conversion added `idgoal + 2` seconds to it
/// (`VisitTotalTime::onConvertedVisit`; an order is goal 0): a conversion sent in a request of
/// its own (a manual goal, an order) first sets the length to `1 + its time − the first
/// action's`, 1, then adds its seconds, so the last such request decides (checked visit by visit
/// on a real Matomo 5.0.2 with `tests/conformance`). A goal matched on the action itself (a URL,
/// an event category) is counted here as its `idgoal + 2` seconds, an upper bound for spacing a
/// visitor's visits; [`settle_self_converted`] sets it right once the visits are numbered.
fn settle_durations(visits: &mut [Visit], goals: &[Goal]) {
    for visit in visits {
        visit.duration = if visit.actions.len() <= 1 {
            let seconds = |c: &Conversion| u64::from(c.goal.unwrap_or(0)) + 2;
            match visit
                .conversions
                .iter()
                .rev()
                .find(|c| !converts_by_itself(goals, visit.site, c))
            {
                Some(sent) => 1 + seconds(sent),
                None => visit.conversions.iter().map(seconds).sum(),
            }
        } else {
            visit.pages().map(|(_, _, seconds)| seconds).sum()
        };
    }
}

/// Whether Matomo converts `conversion` by itself, on the action matching its goal (a URL or an
/// event category goal), rather than on a request of its own (a manual goal, an order).
fn converts_by_itself(goals: &[Goal], site: u32, conversion: &Conversion) -> bool {
    conversion.goal.is_some_and(|id| {
        goals
            .iter()
            .any(|g| g.site == site && g.id == id && g.match_attribute != "manually")
    })
}

/// The length of a one-action visit whose conversions Matomo all made by itself, on the
/// action's own request (which starts the visit and sends no `idgoal`): `onNewVisit` sets it to
/// 0, then `VisitTotalTime::onConvertedVisit` adds `idgoal + 2` with Matomo's default `idgoal`
/// −1, 1 second, but only for a visitor Matomo knows already (a visit before this one: it
/// returns early for a new visitor), and a content impression the fixture sends a second before
/// the action (`1 + its time − the first action's`) sets it back to 0. So 1 for a returning
/// visitor's visit without content blocks, 0 otherwise (Matomo 5.0.2: site 2's first visits 0 s,
/// its later ones 1 s). After the visits are numbered; never longer than the length they were
/// spaced by.
fn settle_self_converted(visits: &mut [Visit], goals: &[Goal]) {
    for visit in visits {
        if visit.actions.len() <= 1
            && !visit.conversions.is_empty()
            && visit
                .conversions
                .iter()
                .all(|c| converts_by_itself(goals, visit.site, c))
        {
            visit.duration = u64::from(visit.visit_count > 1 && visit.details.contents.is_empty());
        }
    }
}

/// Matomo's idle time that ends a visit: a visitor's next visit starts at least this long after
/// their previous one ended.
const VISIT_GAP_SECONDS: i64 = 1_800;

/// A visitor's visits one after the other, 30 minutes apart, each within its day, as Matomo
/// records them: two visits of one visitor cannot overlap in Matomo (a request joins the
/// visitor's visit with the latest action), and a visit belongs to the day it starts in only if
/// it also ends there. The planted copies (the rare person's extra visits, the channel clash)
/// and hours drawn close together would otherwise overlap. A visit moves only when it must:
/// later when it starts too soon after the previous one, earlier when that pushes it past
/// midnight.
fn space_visitors_visits(sites: &[Site], visits: &mut [Visit]) {
    let mut by_day: std::collections::BTreeMap<(u32, String, i64), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, v) in visits.iter().enumerate() {
        by_day
            .entry((v.site, v.visitor_id.clone(), v.day.0))
            .or_default()
            .push(i);
    }
    let length = |v: &Visit| i64::try_from(v.duration).unwrap_or(0);
    for ((site, _, day), mut own) in by_day {
        own.sort_by_key(|&i| (visits[i].first_ts, visits[i].id));
        let site = sites.iter().find(|s| s.id == site);
        let midnight = site.map_or(Day(day).midnight_ts(), |s| s.local_midnight(Day(day)));
        let last_second = site.map_or(midnight + 86_399, |s| s.local_midnight(Day(day + 1)) - 1);
        let mut earliest = midnight;
        for &i in &own {
            let start = visits[i].first_ts.max(earliest);
            visits[i].first_ts = start;
            earliest = start + length(&visits[i]) + VISIT_GAP_SECONDS;
        }
        let mut latest_end = last_second;
        for &i in own.iter().rev() {
            let start = visits[i].first_ts.min(latest_end - length(&visits[i]));
            visits[i].first_ts = start.max(midnight);
            latest_end = visits[i].first_ts - VISIT_GAP_SECONDS;
        }
    }
}

/// A visitor's visits numbered in time order, as Matomo counts them (`visitCount`: the previous
/// visit's count + 1): visits are drawn day by day at random hours and planted later, so the
/// order they were drawn in is not their order in time.
fn number_visits_in_time_order(visits: &mut [Visit]) {
    for own in super::details::each_visitors_visits(visits) {
        for (n, &i) in own.iter().enumerate() {
            visits[i].visit_count = u32::try_from(n + 1).unwrap_or(u32::MAX);
            visits[i].returning = n > 0;
        }
    }
}

fn referrer(rng: &mut SplitMix64) -> Referrer {
    match rng.below(10) {
        0..=2 => Referrer::Direct,
        3..=5 => {
            let (engine, host) = *rng.pick(SEARCH_ENGINES);
            Referrer::Search {
                engine: engine.into(),
                host: host.into(),
                keyword: (*rng.pick(SEARCH_KEYWORDS)).into(),
            }
        }
        6 => Referrer::Website {
            url: (*rng.pick(WEBSITES)).into(),
        },
        7 | 8 => {
            let (network, url) = *rng.pick(SOCIALS);
            Referrer::Social {
                network: network.into(),
                url: url.into(),
            }
        }
        _ => {
            let (name, keyword) = *rng.pick(CAMPAIGNS);
            Referrer::Campaign {
                name: name.into(),
                keyword: keyword.into(),
            }
        }
    }
}

fn page(rng: &mut SplitMix64, site: &Site, pages: &[(&str, &str)], user: Option<&str>) -> Action {
    let time_spent = rng.range(5, 240);
    // Some pages leak personal data in the URL or title, as real sites do.
    match rng.below(20) {
        0 if user.is_some() => {
            let u = user.unwrap_or_default();
            Action::Page {
                url: format!(
                    "{}/account/profile?email={}",
                    site.main_url,
                    u.replace('@', "%40")
                ),
                // A profile page shows its own user's name: rare by nature.
                title: format!("Profile of {}", PEOPLE[u.len() % PEOPLE.len()]),
                time_spent,
            }
        }
        1 => Action::Page {
            url: format!(
                "{}/reset-password?token={:032x}",
                site.main_url,
                rng.next_u64() as u128
            ),
            title: "Reset your password".into(),
            time_spent,
        },
        _ => {
            let (path, title) = *rng.pick(pages);
            Action::Page {
                url: format!("{}{}", site.main_url, path),
                title: title.into(),
                time_spent,
            }
        }
    }
}

fn visit(
    rng: &mut SplitMix64,
    site: &Site,
    k: &SiteKind,
    day: Day,
    vid: &str,
    who: usize,
    count: u32,
) -> Visit {
    let user_id = (who < USER_IDS.len()).then(|| USER_IDS[who].to_string());
    let n_actions = if rng.chance(12) { 1 } else { rng.range(2, 9) };
    let mut actions = Vec::new();
    for _ in 0..n_actions {
        let a = match rng.below(12) {
            0 => {
                let (category, action, name, value) = *rng.pick(EVENTS);
                Action::Event {
                    category: category.into(),
                    action: action.into(),
                    name: name.into(),
                    value,
                }
            }
            1 => Action::Search {
                keyword: (*rng.pick(SITE_SEARCHES)).into(),
            },
            2 => Action::Outlink {
                url: (*rng.pick(OUTLINKS)).into(),
            },
            3 => Action::Download {
                url: format!("{}{}", site.main_url, rng.pick(DOWNLOADS)),
            },
            _ => page(rng, site, k.pages, user_id.as_deref()),
        };
        actions.push(a);
    }
    // Make the first action a page view so entry pages exist.
    if !matches!(actions.first(), Some(Action::Page { .. })) {
        actions.insert(0, page(rng, site, k.pages, None));
        actions.pop();
        if actions.is_empty() {
            actions.push(page(rng, site, k.pages, None));
        }
    }
    let conversions = conversions(rng, site, &actions);
    // Matomo counts a one-action visit as zero seconds long.
    let duration: u64 = if actions.len() == 1 {
        0
    } else {
        actions
            .iter()
            .map(|a| match a {
                Action::Page { time_spent, .. } => *time_spent,
                _ => 0,
            })
            .sum()
    };
    let location = rng.pick(LOCATIONS);
    let device = rng.pick(DEVICES);
    let browser_index = if device.device_type == "Desktop" {
        *rng.pick(&[0usize, 1, 2, 5])
    } else {
        *rng.pick(&[3usize, 4])
    };
    let browser = &BROWSERS[browser_index];
    let hour = rng.below(24) as i64;
    let ip = format!("203.0.{}.{}", rng.below(256), rng.range(1, 254));
    Visit {
        id: 0,
        site: site.id,
        visitor_id: vid.to_string(),
        user_id,
        ip,
        day,
        // The site's local day: Matomo puts a visit on the day of its site's time zone.
        first_ts: site.local_midnight(day) + hour * 3600 + rng.below(3600) as i64,
        site_utc_offset: 0,
        duration,
        returning: count > 1,
        visit_count: count,
        referrer: referrer(rng),
        location,
        device,
        browser,
        actions,
        conversions,
        details: Default::default(),
    }
}

fn conversions(rng: &mut SplitMix64, site: &Site, actions: &[Action]) -> Vec<Conversion> {
    let mut out = Vec::new();
    let has_page = |p: &str| {
        actions
            .iter()
            .any(|a| matches!(a, Action::Page { url, .. } if url.ends_with(p)))
    };
    let has_event = |c: &str| {
        actions
            .iter()
            .any(|a| matches!(a, Action::Event { category, .. } if category == c))
    };
    match site.id {
        1 => {
            if has_page("/checkout/thank-you") {
                out.push(Conversion {
                    goal: Some(1),
                    revenue: 25.0,
                    items: 0,
                });
                let items = rng.range(1, 3) as u32;
                let cents = rng.range(1_999, 24_999) as f64;
                out.push(Conversion {
                    goal: None,
                    revenue: cents / 100.0,
                    items,
                });
            }
            if has_event("Newsletter") {
                out.push(Conversion {
                    goal: Some(2),
                    revenue: 0.0,
                    items: 0,
                });
            }
            if rng.chance(8) {
                out.push(Conversion {
                    goal: Some(3),
                    revenue: 5.0,
                    items: 0,
                });
            }
        }
        2 if has_page("/contact/sent") => out.push(Conversion {
            goal: Some(1),
            revenue: 0.0,
            items: 0,
        }),
        _ => {}
    }
    out
}
