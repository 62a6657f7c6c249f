//! The synthetic world the emulator reports on: sites, goals and visits, generated from a seed.
//!
//! Every report is computed from [`Dataset::visits`], so tests can recompute any number themselves and
//! compare (for example, `VisitsSummary.get` `nb_visits` equals the count of visits for the site and days).

mod busier;
mod catalog;
mod details;
mod generate;
mod planted;
mod referrer;
mod times;
mod timings;
mod zone;

pub use catalog::{Browser, Device, Location};
pub use details::{ContentImpression, VisitDetails, search_results};
pub use planted::{CAMPAIGN_LANDING_QUERIES, CLASH_NAME, PERSONAL_CAMPAIGN, RARE_PERSON};
pub(crate) use referrer::{host_of, referrer_keyword, referrer_name};
pub(crate) use timings::record_names;
pub use timings::{PageTimings, TIMING_AVERAGE_COLUMNS, TIMING_RECORDS, page_timing_columns};

use crate::calendar::Day;

/// A website as `SitesManager` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Matomo's `idsite`.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// Main URL without trailing slash, e.g. `https://shop.example.com`.
    pub main_url: String,
    /// IANA timezone name.
    pub timezone: String,
    /// ISO currency code.
    pub currency: String,
    /// Whether ecommerce reporting is on (orders, abandoned carts).
    pub ecommerce: bool,
    /// Creation date, `YYYY-MM-DD HH:MM:SS`.
    pub ts_created: String,
}

/// A goal definition (`Goals.getGoals`).
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Site the goal belongs to.
    pub site: u32,
    /// Goal id, unique within the site.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// What Matomo matches on (`url`, `event_category`, `manually`).
    pub match_attribute: String,
    /// The pattern (empty for manual goals).
    pub pattern: String,
    /// Default revenue of one conversion.
    pub revenue: f64,
}

/// Where a visit came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Referrer {
    /// Typed URL or bookmark.
    Direct,
    /// A search engine, with the keyword when known.
    Search {
        /// Engine name, e.g. "Google".
        engine: String,
        /// Engine host.
        host: String,
        /// The search words.
        keyword: String,
    },
    /// A link on another website.
    Website {
        /// Referring URL.
        url: String,
    },
    /// A social network.
    Social {
        /// Network name.
        network: String,
        /// Referring URL.
        url: String,
    },
    /// A tagged campaign.
    Campaign {
        /// Campaign name.
        name: String,
        /// Campaign keyword (may be empty).
        keyword: String,
    },
}

impl Referrer {
    /// Matomo's `referrerType` segment value.
    pub fn type_code(&self) -> &'static str {
        match self {
            Referrer::Direct => "direct",
            Referrer::Search { .. } => "search",
            Referrer::Website { .. } => "website",
            Referrer::Social { .. } => "social",
            Referrer::Campaign { .. } => "campaign",
        }
    }
}

/// One action inside a visit.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A page view.
    Page {
        /// Full URL (may carry a query string, sometimes with an e-mail or token in it, as real sites leak).
        url: String,
        /// Page title (some hold a person's name).
        title: String,
        /// Seconds spent on the page.
        time_spent: u64,
    },
    /// A tracked event.
    Event {
        /// Event category.
        category: String,
        /// Event action.
        action: String,
        /// Event name.
        name: String,
        /// Optional numeric value.
        value: Option<f64>,
    },
    /// A click on an external link.
    Outlink {
        /// Target URL.
        url: String,
    },
    /// A file download.
    Download {
        /// File URL.
        url: String,
    },
    /// An internal site search.
    Search {
        /// The search words.
        keyword: String,
    },
}

/// A goal conversion or ecommerce order inside a visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Goal id; `None` for an ecommerce order.
    pub goal: Option<u32>,
    /// Revenue of this conversion.
    pub revenue: f64,
    /// Items in an order (0 for goals).
    pub items: u32,
}

/// One visit with everything the reports aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// Matomo's `idVisit`.
    pub id: u64,
    /// Site visited.
    pub site: u32,
    /// 16 hex characters.
    pub visitor_id: String,
    /// User ID when the site set one (some are e-mail addresses).
    pub user_id: Option<String>,
    /// Visitor IP address.
    pub ip: String,
    /// Day of the visit in its site's time zone (Matomo's day of the visit).
    pub day: Day,
    /// Unix timestamp of the first action.
    pub first_ts: i64,
    /// Seconds east of UTC of the site's time zone at the first action (0 for a UTC site).
    pub site_utc_offset: i64,
    /// Visit length in seconds.
    pub duration: u64,
    /// Whether the visitor had visited before.
    pub returning: bool,
    /// The visitor's visit count including this one.
    pub visit_count: u32,
    /// Acquisition channel.
    pub referrer: Referrer,
    /// Geolocation.
    pub location: &'static Location,
    /// Device, brand and model.
    pub device: &'static Device,
    /// Browser and operating system.
    pub browser: &'static Browser,
    /// Actions in order.
    pub actions: Vec<Action>,
    /// Goal conversions and orders.
    pub conversions: Vec<Conversion>,
    /// Language, screen, local time, recency, search categories and content impressions:
    /// derived once the visits are final, apart from everything above.
    pub details: VisitDetails,
}

impl Visit {
    /// Server hour (0-23, UTC) of the first action, as Matomo's `visitServerHour` and
    /// `visitStartServerHour` segments select it.
    pub fn server_hour(&self) -> u32 {
        (self.first_ts.rem_euclid(86_400) / 3600) as u32
    }

    /// Hour (0-23) of the first action in the site's time zone, as Matomo's server time report
    /// labels it.
    pub fn site_hour(&self) -> u32 {
        ((self.first_ts + self.site_utc_offset).rem_euclid(86_400) / 3600) as u32
    }

    /// Number of actions, as Matomo counts them.
    pub fn nb_actions(&self) -> u64 {
        self.actions.len() as u64
    }

    /// A bounce is a visit with one action.
    pub fn is_bounce(&self) -> bool {
        self.actions.len() <= 1
    }

    /// Whether any goal or order converted.
    pub fn converted(&self) -> bool {
        !self.conversions.is_empty()
    }

    /// Page views only.
    pub fn pages(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.actions.iter().filter_map(|a| match a {
            Action::Page {
                url,
                title,
                time_spent,
            } => Some((url.as_str(), title.as_str(), *time_spent)),
            _ => None,
        })
    }
}

/// The whole synthetic dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// What `today` means to the emulator (Matomo's today: a range's parts depend on it); the
    /// anchor day, the last day with traffic, unless the emulator was built with
    /// [`crate::EmulatorBuilder::traffic_until`] an earlier one.
    pub today: Day,
    /// Sites, ids 1..
    pub sites: Vec<Site>,
    /// Goal definitions.
    pub goals: Vec<Goal>,
    /// Visits ordered by time.
    pub visits: Vec<Visit>,
    /// Notes the site's operators attached to days (`Annotations.getAll`).
    pub annotations: Vec<Annotation>,
    /// Segments saved in Matomo's segment editor (`SegmentEditor.getAll`).
    pub saved_segments: Vec<SavedSegment>,
}

/// A segment saved in Matomo's segment editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSegment {
    /// The site it is saved for; `None` for every site (`enable_only_idsite` 0).
    pub site: Option<u32>,
    /// Its name, written by whoever saved it.
    pub name: String,
    /// The segment definition, in Matomo's grammar.
    pub definition: String,
    /// The Matomo login of who saved it: identifying, never to reach an AI client.
    pub login: String,
}

/// The personal data planted in saved segments, which no tool may pass on: the login of their
/// author, and the e-mail address a segment on `userId` filters on (and is named after).
pub const SAVED_SEGMENT_PERSONAL_DATA: [&str; 2] = ["analyst.bob", "max.mustermann@example.org"];

/// A note an operator attached to a day of a site's reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The site.
    pub site: u32,
    /// The day it is about.
    pub date: Day,
    /// Its text, written by an operator (and, in this dataset, holding an e-mail address once).
    pub note: String,
    /// The Matomo login of who wrote it: identifying, never to reach an AI client.
    pub user: String,
    /// Whether it is starred.
    pub starred: bool,
}

/// The login and the e-mail address planted in the annotations, which no tool may pass on.
pub const ANNOTATION_PERSONAL_DATA: [&str; 2] = ["marketing.lead", "jane.roe@example.com"];

impl Dataset {
    /// Generates the dataset; the same seed and day always give the same data.
    pub fn generate(seed: u64, today: Day) -> Dataset {
        generate::generate(seed, today)
    }

    /// The site with this id.
    pub fn site(&self, id: u32) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// Visits of a site within `start..=end`.
    pub fn visits_in(&self, site: u32, start: Day, end: Day) -> impl Iterator<Item = &Visit> {
        self.visits
            .iter()
            .filter(move |v| v.site == site && v.day >= start && v.day <= end)
    }

    /// Ground truth for privacy tests: the distinct visitor ids of the site's visits within
    /// `start..=end` that match every segment of `segments` (Matomo's grammar, as the emulator
    /// applies it; an empty string matches every visit).
    ///
    /// Errors name a segment the emulator cannot read.
    pub fn visitors_matching(
        &self,
        site: u32,
        start: Day,
        end: Day,
        segments: &[&str],
    ) -> Result<std::collections::BTreeSet<String>, String> {
        Ok(self
            .visits_matching(site, start, end, segments)?
            .into_iter()
            .map(|v| v.visitor_id.clone())
            .collect())
    }
}
