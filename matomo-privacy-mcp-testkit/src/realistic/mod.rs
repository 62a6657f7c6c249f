//! A realistic month of a web shop, for a real Matomo: about 1,500 visits a day in November 2026
//! (site timezone UTC) by about 20,000 visitors, a third of whom come back (some dozens of times,
//! some several times a day), page views Zipf-distributed over a few thousand URLs, search
//! engines with and without keywords, websites, social networks and tagged campaigns, forty
//! countries, ten devices, site search, three manual goals and e-commerce orders, and visit
//! durations with a long tail. Some URLs carry campaign parameters, a few carry personal data (an
//! e-mail address in a query string), as real sites do.
//!
//! The month is a pure function of the seed ([`RealisticSite::generate`]) and knows every visit,
//! so what Matomo reports after [`Visit::tracking_requests`] were sent can be checked against it:
//! [`RealisticSite::summary`] gives `VisitsSummary.get`'s numbers for any days, computed the way
//! Matomo computes them (see [`Visit::matomo_visit_total_time`]).
//!
//! This is separate from the emulator's [`Dataset`](crate::Dataset), which other tests depend on
//! byte for byte; nothing here changes it.
//!
//! ```
//! use matomo_privacy_mcp_testkit::realistic::RealisticSite;
//!
//! let site = RealisticSite::generate(7);
//! let month = site.summary(site.first_day, site.last_day());
//! assert!(month.nb_visits > 30_000);
//! assert!(month.nb_uniq_visitors < month.nb_visits);
//! ```

mod catalog;
mod generate;
mod matomo_api;
mod pages;
mod tracking;
mod weighted;

use std::collections::HashSet;

use crate::calendar::Day;

#[cfg(feature = "matomo-api")]
#[cfg_attr(docsrs, doc(cfg(feature = "matomo-api")))]
pub use matomo_api::MatomoApi;
pub use matomo_api::{MatomoApiError, api_answer, api_request_body};
pub(crate) use tracking::visitor_params;
pub use tracking::{form_encode, url_encode};

/// The seed the committed benchmark results were measured with.
pub const DEFAULT_SEED: u64 = 202_611;

/// The site's main URL (site 1 "Demo Shop" of the real Matomo installed by `matomo-real`).
pub const BASE_URL: &str = "https://shop.example.test";

/// A goal the site defines in Matomo (`Goals.addGoal`, matched manually: the tracker converts
/// it with `idgoal=`, so which visits convert is the generator's choice, not a pattern's).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalDefinition {
    /// The goal id Matomo gives it when the goals are added in this order to a site without any.
    pub id: u32,
    /// Display name.
    pub name: &'static str,
    /// Default revenue in cents.
    pub revenue_cents: u64,
}

/// The three goals, in the order they are added.
pub const GOALS: [GoalDefinition; 3] = [
    GoalDefinition {
        id: 1,
        name: "Newsletter signup",
        revenue_cents: 0,
    },
    GoalDefinition {
        id: 2,
        name: "Contact request",
        revenue_cents: 1000,
    },
    GoalDefinition {
        id: 3,
        name: "Account created",
        revenue_cents: 200,
    },
];

/// Where a visit came from, as its first request tells Matomo.
#[derive(Debug, Clone, PartialEq)]
pub enum Referrer {
    /// No referrer.
    Direct,
    /// A search engine; `keyword` is `None` when the engine sent none (most of Google's).
    Search {
        /// Matomo's name of the engine.
        engine: &'static str,
        /// The words searched for, when the referrer URL carries them.
        keyword: Option<&'static str>,
        /// The referrer URL sent.
        url: String,
    },
    /// A link on another website.
    Website {
        /// The referrer URL sent.
        url: &'static str,
    },
    /// A social network.
    Social {
        /// The referrer URL sent.
        url: &'static str,
    },
    /// A tagged link (`mtm_campaign` in the landing URL).
    Campaign {
        /// `mtm_campaign`.
        name: &'static str,
        /// `mtm_source`.
        source: &'static str,
        /// `mtm_medium`.
        medium: &'static str,
    },
}

/// What one action of a visit is.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// A page view with its title.
    Page {
        /// `action_name`.
        title: String,
    },
    /// A search on the site's own search box (an action, not a page view, in Matomo).
    Search {
        /// `search`.
        keyword: String,
        /// `search_cat`, when given.
        category: Option<&'static str>,
        /// `search_count`: results found (0 for searches that find nothing).
        results: u32,
    },
}

/// One action (tracking request that Matomo counts in `nb_actions`).
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Unix time of the request (`cdt`).
    pub ts: i64,
    /// The full URL, query string included.
    pub url: String,
    /// Page view or site search.
    pub kind: ActionKind,
}

/// A goal conversion or an e-commerce order, sent right after an action of the visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Unix time of the request (`cdt`): the time of the action it follows.
    pub ts: i64,
    /// Index of the action it follows.
    pub after_action: usize,
    /// The goal id (`idgoal`); 0 for an e-commerce order.
    pub goal: u32,
    /// Revenue in cents.
    pub revenue_cents: u64,
    /// The order id (`ec_id`) of an order.
    pub order_id: Option<String>,
    /// The items of an order: (SKU, name, category, price in cents, quantity).
    pub items: Vec<(String, String, &'static str, u64, u32)>,
}

/// One visit, as the generator means Matomo to record it.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// Index of the visitor (0-based), stable across their visits.
    pub visitor: u32,
    /// The visitor id sent as `_id` and `cid` (16 hex digits).
    pub visitor_id: String,
    /// This visit's number among the visitor's visits, 1 for the first (Matomo's `visitCount`).
    pub visit_count: u32,
    /// Seconds from the first action of the visitor's previous visit to this visit's first
    /// action (Matomo's `visitor_seconds_since_last`); `None` for a first visit (Matomo stores 0).
    pub seconds_since_last: Option<i64>,
    /// ISO country code sent as `country`.
    pub country: &'static str,
    /// Browser language sent as `lang`.
    pub lang: &'static str,
    /// The visitor's IP address sent as `cip`.
    pub ip: String,
    /// User agent sent as `ua`.
    pub user_agent: &'static str,
    /// Screen resolution sent as `res`.
    pub resolution: &'static str,
    /// Where the visit came from.
    pub referrer: Referrer,
    /// The actions in time order; never empty.
    pub actions: Vec<Action>,
    /// Goal conversions and orders, in time order.
    pub conversions: Vec<Conversion>,
}

impl Visit {
    /// Unix time of the first action.
    pub fn first_ts(&self) -> i64 {
        self.actions.first().map_or(0, |a| a.ts)
    }

    /// Unix time of the last request (action or conversion).
    pub fn last_ts(&self) -> i64 {
        let action = self.actions.last().map_or(0, |a| a.ts);
        let conversion = self.conversions.last().map_or(0, |c| c.ts);
        action.max(conversion)
    }

    /// The UTC day of the first action (the site's timezone is UTC).
    pub fn day(&self) -> Day {
        Day(self.first_ts().div_euclid(86_400))
    }

    /// Matomo's `nb_actions` of the visit (page views and site searches).
    pub fn nb_actions(&self) -> u64 {
        self.actions.len() as u64
    }

    /// Page views only (`nb_pageviews`).
    pub fn nb_pageviews(&self) -> u64 {
        self.actions
            .iter()
            .filter(|a| matches!(a.kind, ActionKind::Page { .. }))
            .count() as u64
    }

    /// `visit_total_time` as Matomo 5.0.2 records it, replaying its tracker's rules over the
    /// requests in order: 0 after the first action (`default_time_one_page_visit`), `1 + ts -
    /// first` after each later action, and `idgoal + 2` added by each conversion (its
    /// `VisitTotalTime::onConvertedVisit`, which makes every conversion change the row).
    pub fn matomo_visit_total_time(&self) -> u64 {
        let first = self.first_ts();
        let mut total: i64 = 0;
        let mut conversions = self.conversions.iter().peekable();
        for (i, action) in self.actions.iter().enumerate() {
            if i > 0 {
                total = 1 + action.ts - first;
            }
            while let Some(c) = conversions.next_if(|c| c.after_action == i) {
                total += i64::from(c.goal) + 2;
            }
        }
        u64::try_from(total).unwrap_or(0)
    }

    /// Whether the visit converted any goal or placed an order.
    pub fn converted(&self) -> bool {
        !self.conversions.is_empty()
    }

    /// The landing URL (first action's).
    pub fn entry_url(&self) -> &str {
        self.actions.first().map_or("", |a| a.url.as_str())
    }
}

/// `VisitsSummary.get`'s numbers for some days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Visits.
    pub nb_visits: u64,
    /// Distinct visitor ids.
    pub nb_uniq_visitors: u64,
    /// Actions (page views and site searches).
    pub nb_actions: u64,
    /// Visits with one action.
    pub bounce_count: u64,
    /// Sum of Matomo's visit durations.
    pub sum_visit_length: u64,
    /// Most actions in one visit.
    pub max_actions: u64,
    /// Visits that converted a goal or ordered.
    pub nb_visits_converted: u64,
}

/// The generated month.
#[derive(Debug, Clone)]
pub struct RealisticSite {
    /// The seed it was generated from.
    pub seed: u64,
    /// The first day with visits (2026-11-01).
    pub first_day: Day,
    /// How many days have visits (30).
    pub days: i64,
    /// Visitors drawn (some of whose visits may all have been dropped).
    pub visitors: u32,
    /// Every visit, in order of first action.
    pub visits: Vec<Visit>,
}

impl RealisticSite {
    /// The month for `seed`.
    pub fn generate(seed: u64) -> RealisticSite {
        generate::generate(seed)
    }

    /// The last day with visits.
    pub fn last_day(&self) -> Day {
        self.first_day.plus(self.days - 1)
    }

    /// Visits whose first action is on a day in `from..=to`, as Matomo assigns visits to days.
    pub fn visits_between(&self, from: Day, to: Day) -> impl Iterator<Item = &Visit> {
        self.visits
            .iter()
            .filter(move |v| (from..=to).contains(&v.day()))
    }

    /// `VisitsSummary.get` for the days `from..=to` (distinct visitors over the whole span, as
    /// Matomo computes them for a day, week or month).
    pub fn summary(&self, from: Day, to: Day) -> Summary {
        Self::summarise(self.visits_between(from, to))
    }

    /// The summary of any visits (for example those a segment selects).
    pub fn summarise<'a>(visits: impl Iterator<Item = &'a Visit>) -> Summary {
        let mut summary = Summary::default();
        let mut visitors = HashSet::new();
        for v in visits {
            summary.nb_visits += 1;
            visitors.insert(v.visitor);
            summary.nb_actions += v.nb_actions();
            summary.bounce_count += u64::from(v.nb_actions() == 1);
            summary.sum_visit_length += v.matomo_visit_total_time();
            summary.max_actions = summary.max_actions.max(v.nb_actions());
            summary.nb_visits_converted += u64::from(v.converted());
        }
        summary.nb_uniq_visitors = visitors.len() as u64;
        summary
    }
}

#[cfg(test)]
mod tests;
