//! Draws the realistic month from a seed. Only integer arithmetic decides anything, so a seed
//! gives the same visits on every platform.

use super::catalog::{
    AGENTS, CAMPAIGNS, COUNTRIES, ENGINES, FIRST_NAMES, SEARCH_CATEGORIES, SEARCH_KEYWORDS,
    SITE_SEARCHES, SOCIALS, WEBSITES,
};
use super::pages::*;
use super::weighted::*;
use super::{Action, ActionKind, BASE_URL, Conversion, GOALS, RealisticSite, Referrer, Visit};
use crate::calendar::Day;
use crate::prng::SplitMix64;

/// Days of traffic, from 2026-11-01.
const DAYS: i64 = 30;
/// Visitors drawn; a third of them return.
const VISITORS: u32 = 21_000;
/// Most visits one visitor makes in the month.
const MOST_VISITS: u64 = 60;
/// The shortest pause between a visitor's visits on one day, beyond Matomo's 30 minutes.
const MIN_PAUSE: i64 = 35 * 60;

/// Traffic weight of each day: fewer visits at weekends, a peak on Black Friday (27th) and Cyber
/// Monday (30th) and the days around them.
fn day_weights(first_day: Day) -> Vec<u64> {
    (0..DAYS)
        .map(|i| {
            let day = first_day.plus(i);
            let base = match day.weekday() {
                5 => 75,
                6 => 80,
                _ => 100,
            };
            let (_, _, dom) = day.ymd();
            let boost = match dom {
                26 => 120,
                27 => 190,
                28 => 150,
                29 => 130,
                30 => 165,
                _ => 100,
            };
            base * boost
        })
        .collect()
}

/// Visits by hour of the day (UTC): night lows, a long afternoon and evening.
const HOURS: [u64; 24] = [
    20, 12, 8, 6, 6, 8, 14, 24, 36, 46, 52, 55, 56, 54, 52, 52, 54, 58, 64, 70, 72, 64, 48, 32,
];

/// The visits per returning visitor, 2 to [`MOST_VISITS`], with weight 1/(n²·(n + 25)): most come
/// back once or twice, about a hundred and fifty dozens of times (4.7 visits on average).
fn visits_per_returner() -> Weighted {
    Weighted::new((2..=MOST_VISITS).map(|n| 10_000_000_000_000 / (n * n * (n + 60))))
}

/// A visitor's fixed traits.
struct Person {
    index: u32,
    id: String,
    country: usize,
    agent: usize,
}

/// A visit's actions and conversions with times relative to its start.
struct Draft {
    referrer: Referrer,
    actions: Vec<Action>,
    conversions: Vec<Conversion>,
}

struct Generator<'a> {
    rng: SplitMix64,
    catalog: &'a Catalog,
    first_day: Day,
    orders: u32,
}

impl<'a> Generator<'a> {
    /// Seconds between two actions: mostly a few seconds to a minute, sometimes minutes of
    /// reading, rarely close to Matomo's 30 minutes (never past it: that would end the visit).
    fn pause(&mut self) -> i64 {
        let r = &mut self.rng;
        let seconds = match r.below(100) {
            0..50 => r.range(4, 40),
            50..80 => r.range(40, 180),
            80..95 => r.range(180, 600),
            _ => r.range(600, 1_500),
        };
        seconds as i64
    }

    fn referrer(&mut self, day_index: i64) -> Referrer {
        let dom = u32::try_from(day_index + 1).unwrap_or(1);
        let active: Vec<usize> = (0..CAMPAIGNS.len())
            .filter(|&i| (CAMPAIGNS[i].from_day..=CAMPAIGNS[i].to_day).contains(&dom))
            .collect();
        // Campaign traffic grows with the campaigns running (Black Friday, Cyber Monday); none
        // without a campaign running.
        let campaign_weight = if active.is_empty() {
            0
        } else {
            6 + active.iter().map(|&i| CAMPAIGNS[i].weight).sum::<u64>() / 50
        };
        let kinds = Weighted::new([38, 30, 12, 7, campaign_weight]);
        match kinds.pick(&mut self.rng) {
            0 => Referrer::Direct,
            1 => {
                let engine =
                    &ENGINES[Weighted::new(ENGINES.iter().map(|e| e.weight)).pick(&mut self.rng)];
                if self.rng.chance(engine.keyword_percent) {
                    // Keywords follow Zipf too: a few brand and product searches dominate.
                    let k = Weighted::new(
                        (0..SEARCH_KEYWORDS.len() as u64).map(|r| 1_000_000 / (r + 1)),
                    )
                    .pick(&mut self.rng);
                    let keyword = SEARCH_KEYWORDS[k];
                    Referrer::Search {
                        engine: engine.name,
                        keyword: Some(keyword),
                        url: engine
                            .with_keyword
                            .replace("{q}", &super::url_encode(keyword)),
                    }
                } else {
                    Referrer::Search {
                        engine: engine.name,
                        keyword: None,
                        url: engine.without_keyword.to_owned(),
                    }
                }
            }
            2 => Referrer::Website {
                url: WEBSITES[Weighted::new(WEBSITES.iter().map(|w| w.1)).pick(&mut self.rng)].0,
            },
            3 => Referrer::Social {
                url: SOCIALS[Weighted::new(SOCIALS.iter().map(|w| w.1)).pick(&mut self.rng)].0,
            },
            _ => {
                let pick =
                    Weighted::new(active.iter().map(|&i| CAMPAIGNS[i].weight)).pick(&mut self.rng);
                match active.get(pick).and_then(|&i| CAMPAIGNS.get(i)) {
                    Some(c) => Referrer::Campaign {
                        name: c.name,
                        source: c.source,
                        medium: c.medium,
                    },
                    None => Referrer::Direct,
                }
            }
        }
    }

    fn browsed(&mut self) -> &'a Page {
        let i = self.catalog.zipf.pick(&mut self.rng);
        &self.catalog.browsed[i]
    }

    fn page_action(&self, offset: i64, path: &str, title: &str) -> Action {
        Action {
            ts: offset,
            url: format!("{BASE_URL}{path}"),
            kind: ActionKind::Page {
                title: title.to_owned(),
            },
        }
    }

    /// A visit of `person` (whose index their planted e-mail addresses carry) on day
    /// `day_index`, with times relative to its start.
    fn draft(&mut self, person: &Person, day_index: i64) -> Draft {
        let referrer = self.referrer(day_index);
        let mut actions = Vec::new();
        let mut conversions = Vec::new();
        // The landing page.
        let landing = match &referrer {
            Referrer::Campaign {
                name,
                source,
                medium,
            } => {
                let campaign = CAMPAIGNS
                    .iter()
                    .find(|c| c.name == *name && c.source == *source)
                    .map_or("/", |c| c.landing);
                let title = self
                    .catalog
                    .find(campaign)
                    .map_or_else(|| format!("{SHOP} – Outdoor Gear"), |p| p.title.clone());
                let url = format!(
                    "{BASE_URL}{campaign}?mtm_campaign={name}&mtm_source={source}&mtm_medium={medium}"
                );
                Action {
                    ts: 0,
                    url,
                    kind: ActionKind::Page { title },
                }
            }
            Referrer::Direct | Referrer::Search { .. } if self.rng.chance(40) => {
                let home = &self.catalog.browsed[0];
                self.page_action(0, &home.path, &home.title)
            }
            _ => {
                let (path, title) = {
                    let p = self.browsed();
                    (p.path.clone(), p.title.clone())
                };
                self.page_action(0, &path, &title)
            }
        };
        actions.push(landing);
        // How long the visit is: four in ten leave after one page; the rest browse a
        // geometrically distributed number of further pages, with a tail of long visits.
        let mut more = 0u32;
        if !self.rng.chance(42) {
            more = 1;
            while more < 59 && self.rng.chance(72) {
                more += 1;
            }
        }
        let buys = more >= 1 && self.rng.chance(4);
        let newsletter = more >= 1 && self.rng.chance(3);
        let contact = more >= 1 && self.rng.chance(1);
        let registers = more >= 1 && self.rng.chance(2);
        let mut offset = 0;
        let mut searched = false;
        for _ in 0..more {
            offset += self.pause();
            if !searched && self.rng.chance(9) {
                searched = true;
                let (keyword, results) = self.site_search(person);
                let category = match self.rng.below(100) {
                    0..20 => Some(SEARCH_CATEGORIES[0]),
                    20..25 => Some(SEARCH_CATEGORIES[1]),
                    _ => None,
                };
                actions.push(Action {
                    ts: offset,
                    url: format!("{BASE_URL}/search?q={}", super::url_encode(&keyword)),
                    kind: ActionKind::Search {
                        keyword,
                        category,
                        results,
                    },
                });
                continue;
            }
            // Personal data some sites leak into URLs: a password reset or an order lookup
            // by e-mail address.
            if self.rng.below(1000) < 4 {
                let email = self.email(person);
                let (path, title) = if self.rng.chance(60) {
                    (
                        format!(
                            "/account/reset-password?email={}",
                            super::url_encode(&email)
                        ),
                        "Reset your password",
                    )
                } else {
                    (
                        format!(
                            "/order/track?order=DS-{}&email={}",
                            100_000 + self.rng.below(900_000),
                            super::url_encode(&email)
                        ),
                        "Track your order",
                    )
                };
                actions.push(self.page_action(offset, &path, &format!("{title} – {SHOP}")));
                continue;
            }
            let (path, title) = {
                let p = self.browsed();
                (p.path.clone(), p.title.clone())
            };
            actions.push(self.page_action(offset, &path, &title));
        }
        // The flows end a visit: a goal or an order right after its page.
        let mut flow = |g: &mut Self,
                        pages: &[(&str, &str)],
                        goal: u32,
                        actions: &mut Vec<Action>,
                        conversions: &mut Vec<Conversion>| {
            for (path, title) in pages {
                offset += g.pause();
                actions.push(g.page_action(offset, path, &format!("{title} – {SHOP}")));
            }
            if goal > 0 {
                let revenue = GOALS
                    .iter()
                    .find(|d| d.id == goal)
                    .map_or(0, |d| d.revenue_cents);
                conversions.push(Conversion {
                    ts: offset,
                    after_action: actions.len() - 1,
                    goal,
                    revenue_cents: revenue,
                    order_id: None,
                    items: Vec::new(),
                });
            }
        };
        if newsletter {
            flow(
                self,
                &[("/newsletter/confirmed", "Thanks for subscribing")],
                1,
                &mut actions,
                &mut conversions,
            );
        }
        if contact {
            flow(
                self,
                &[
                    ("/contact", "Contact"),
                    ("/contact/thank-you", "Message sent"),
                ],
                2,
                &mut actions,
                &mut conversions,
            );
        }
        if registers {
            flow(
                self,
                &[
                    ("/account/register", "Create an account"),
                    ("/account/welcome", "Welcome"),
                ],
                3,
                &mut actions,
                &mut conversions,
            );
        }
        if buys {
            flow(
                self,
                &[
                    ("/cart", "Your cart"),
                    ("/checkout", "Checkout"),
                    ("/checkout/thank-you", "Thank you for your order"),
                ],
                0,
                &mut actions,
                &mut conversions,
            );
            let order = self.order(actions.len() - 1, offset);
            conversions.push(order);
        }
        Draft {
            referrer,
            actions,
            conversions,
        }
    }

    /// A site search: a keyword (rarely an e-mail address someone pasted) and its results.
    fn site_search(&mut self, person: &Person) -> (String, u32) {
        if self.rng.below(1000) < 3 {
            return (format!("order {}", self.email(person)), 0);
        }
        let (keyword, weight) =
            SITE_SEARCHES[Weighted::new(SITE_SEARCHES.iter().map(|s| s.1)).pick(&mut self.rng)];
        // The rarest searches find nothing in this shop.
        let results = if weight <= 12 {
            0
        } else {
            self.rng.range(1, 120) as u32
        };
        (keyword.to_owned(), results)
    }

    fn email(&mut self, person: &Person) -> String {
        let name = self.rng.pick(FIRST_NAMES);
        format!("{name}.{}@mail.example.com", person.index)
    }

    fn order(&mut self, after_action: usize, ts: i64) -> Conversion {
        self.orders += 1;
        let mut items = Vec::new();
        for _ in 0..self.rng.range(1, 3) {
            let page = loop {
                let p = self.browsed();
                if p.category.is_some() {
                    break p;
                }
            };
            let sku = page.path.rsplit('/').next().unwrap_or("item").to_owned();
            let name = page.title.split(" – ").next().unwrap_or("Item").to_owned();
            let category = page.category.unwrap_or("Other");
            let price = 1_990 + 500 * self.rng.below(45);
            let quantity = self.rng.range(1, 2) as u32;
            items.push((sku, name, category, price, quantity));
        }
        let revenue = items.iter().map(|i| i.3 * u64::from(i.4)).sum();
        Conversion {
            ts,
            after_action,
            goal: 0,
            revenue_cents: revenue,
            order_id: Some(format!("DS-2026-{:05}", self.orders)),
            items,
        }
    }

    /// A start time (seconds after midnight) drawn from the hourly curve.
    fn time_of_day(&mut self, hours: &Weighted) -> i64 {
        let hour = hours.pick(&mut self.rng) as i64;
        hour * 3_600 + self.rng.below(3_600) as i64
    }
}

pub(super) fn generate(seed: u64) -> RealisticSite {
    let mut rng = SplitMix64::new(seed);
    let catalog = Catalog::new(&mut rng);
    let first_day = Day::from_ymd(2026, 11, 1).unwrap_or(Day(20_758));
    let mut g = Generator {
        rng,
        catalog: &catalog,
        first_day,
        orders: 0,
    };
    let days = Weighted::new(day_weights(first_day));
    let hours = Weighted::new(HOURS);
    let countries = Weighted::new(COUNTRIES.iter().map(|c| c.weight));
    let agents = Weighted::new(AGENTS.iter().map(|a| a.weight));
    let returns = visits_per_returner();
    let mut visits = Vec::new();
    for index in 0..VISITORS {
        let person = Person {
            index,
            id: format!("{:016x}", g.rng.next_u64()),
            country: countries.pick(&mut g.rng),
            agent: agents.pick(&mut g.rng),
        };
        // Which days they come: one for most; for the third who return, several days inside a
        // window of their own (heavy visitors over most of the month), with repeats, so some
        // come several times on one day.
        let returning = g.rng.below(5) < 2;
        let mut visit_days: Vec<i64> = if returning {
            let n = returns.pick(&mut g.rng) as u64 + 2;
            let span = if n >= 10 {
                g.rng.range(18, DAYS as u64) as i64
            } else {
                g.rng.range(2, 21) as i64
            };
            // Windows overlap the month's edges as often as its middle (a visitor's window may
            // have begun in October or end in December), so the first and last days are not
            // short of returning visitors; only the window's days inside November count.
            let first = g.rng.below((DAYS + span - 1) as u64) as i64 - (span - 1);
            let (start, end) = (first.max(0), (first + span).min(DAYS));
            // Their visits outside November are not tracked: the share of the window inside.
            let n = (n * (end - start) as u64).div_ceil(span as u64);
            let window = Weighted::new(
                day_weights(first_day)[start as usize..end as usize]
                    .iter()
                    .copied(),
            );
            (0..n)
                .map(|_| start + window.pick(&mut g.rng) as i64)
                .collect()
        } else {
            vec![days.pick(&mut g.rng) as i64]
        };
        visit_days.sort_unstable();
        let mut previous_end: Option<i64> = None;
        let mut k = 0;
        while k < visit_days.len() {
            let day_index = visit_days[k];
            let same_day = visit_days[k..]
                .iter()
                .take_while(|&&d| d == day_index)
                .count();
            let midnight = first_day.plus(day_index).midnight_ts();
            let mut starts: Vec<i64> = (0..same_day)
                .map(|_| midnight + g.time_of_day(&hours))
                .collect();
            starts.sort_unstable();
            for start in starts {
                let draft = g.draft(&person, day_index);
                let length = draft.actions.last().map_or(0, |a| a.ts);
                // A pause of more than Matomo's 30 minutes after the visitor's previous visit,
                // and the whole visit before midnight (Matomo starts a new visit at midnight).
                let start = match previous_end {
                    Some(end) => start.max(end + MIN_PAUSE + g.rng.below(1_200) as i64),
                    None => start,
                };
                if start + length >= midnight + 86_400 {
                    continue;
                }
                let visit = place(&person, draft, start);
                previous_end = Some(visit.last_ts());
                visits.push(visit);
            }
            k += same_day;
        }
    }
    number_visits(&mut visits);
    RealisticSite {
        seed,
        first_day: g.first_day,
        days: DAYS,
        visitors: VISITORS,
        visits,
    }
}

/// The draft's times moved to `start`, with the person's traits.
fn place(person: &Person, mut draft: Draft, start: i64) -> Visit {
    for action in &mut draft.actions {
        action.ts += start;
    }
    for conversion in &mut draft.conversions {
        conversion.ts += start;
    }
    let country = &COUNTRIES[person.country];
    let agent = &AGENTS[person.agent];
    let index = person.index;
    Visit {
        visitor: index,
        visitor_id: person.id.clone(),
        visit_count: 0,
        seconds_since_last: None,
        country: country.code,
        lang: country.lang,
        ip: format!("10.{}.{}.{}", index >> 16, (index >> 8) & 255, index & 255),
        user_agent: agent.ua,
        resolution: agent.resolution,
        referrer: draft.referrer,
        actions: draft.actions,
        conversions: draft.conversions,
    }
}

/// Each visitor's visits numbered in time order with the seconds since the first action of
/// their previous visit, as Matomo's tracker derives them; then all visits in time order.
fn number_visits(visits: &mut [Visit]) {
    visits.sort_by_key(|v| (v.visitor, v.first_ts()));
    let mut previous: Option<(u32, u32, i64)> = None;
    for v in visits.iter_mut() {
        let (count, since) = match previous {
            Some((visitor, count, first)) if visitor == v.visitor => {
                (count + 1, Some(v.first_ts() - first))
            }
            _ => (1, None),
        };
        v.visit_count = count;
        v.seconds_since_last = since;
        previous = Some((v.visitor, count, v.first_ts()));
    }
    visits.sort_by_key(|v| (v.first_ts(), v.visitor));
}
