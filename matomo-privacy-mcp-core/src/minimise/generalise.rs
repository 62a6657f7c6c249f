//! Generalisation of visit-level data: what remains of a visit is pseudonymous at most.
//!
//! Identifiers become keyed pseudonyms (visitor, visit, user); timestamps are
//! coarsened (to the hour by default); coordinates, IP addresses, city and
//! region, referrer keywords, order ids, item details and fingerprinting
//! details (plugins, resolution, device model, browser version) are dropped;
//! referrer URLs are cut to their domain; URLs and titles are scrubbed.

use schemars::JsonSchema;
use serde::Serialize;

use super::{ScrubbedText, Scrubber};
use crate::Classified;
use crate::audit::format_rfc3339;
use crate::models::live::{ActionDetail, Visit};
use crate::privacy::{PrivacyClass, Pseudonym, PseudonymKey, PseudonymKind, Reveal, Shape};

/// How far timestamps are coarsened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeGranularity {
    /// To the start of the hour (the default).
    #[default]
    Hour,
    /// To the start of the day (UTC).
    Day,
}

impl TimeGranularity {
    const fn seconds(self) -> u64 {
        match self {
            Self::Hour => 3600,
            Self::Day => 86_400,
        }
    }
}

/// Visitor-controlled text of one visit (a URL, a title, an event name), scrubbed.
///
/// Unlike a report label, it is shown per visit, next to a pseudonym, without a
/// small-count threshold; so it is classified `Pseudonymous`, not `Aggregate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct VisitText(pub(crate) ScrubbedText);

impl Classified for VisitText {
    const SHAPE: Shape = Shape::Transformed {
        class: PrivacyClass::Pseudonymous,
        transform: "scrubbed; shown per visit beside a pseudonym, and a value fewer than threshold_k distinct visitors share is generalised (replaced by a coarser value)",
    };
}

crate::privacy::leaf_class!(VisitText, pseudonymous);

/// One visit after generalisation.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema, Classified)]
#[serde(rename_all = "camelCase")]
pub struct GeneralisedVisit {
    /// Keyed pseudonym of the visitor id (or of the device fingerprint when there is none).
    pub visitor: Option<Pseudonym>,
    /// Keyed pseudonym of the visit id.
    pub visit: Option<Pseudonym>,
    /// Keyed pseudonym of the user id, when the site sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Pseudonym>,
    /// When the visit started, coarsened (RFC 3339, UTC).
    #[privacy(pseudonymous)]
    pub started: Option<String>,
    /// The site's id.
    #[privacy(aggregate)]
    pub site: Option<u64>,
    /// `new` or `returning`.
    #[privacy(aggregate)]
    pub visitor_type: Option<String>,
    /// Visit number of this visitor (links visits together).
    #[privacy(pseudonymous)]
    pub visit_count: Option<u64>,
    /// Length of the visit in seconds.
    #[privacy(aggregate)]
    pub duration_seconds: Option<f64>,
    /// Number of actions.
    #[privacy(aggregate)]
    pub action_count: Option<u64>,
    /// Goals converted.
    #[privacy(aggregate)]
    pub goal_conversions: Option<u64>,
    /// Referrer type (direct, search, website, campaign, social).
    #[privacy(aggregate)]
    pub referrer_type: Option<String>,
    /// Referrer name (search engine, website domain, campaign name).
    pub referrer_name: Option<VisitText>,
    /// Referrer domain, cut from the referrer URL.
    pub referrer_domain: Option<VisitText>,
    /// Device type.
    #[privacy(aggregate)]
    pub device_type: Option<String>,
    /// Browser name (without version).
    #[privacy(aggregate)]
    pub browser: Option<String>,
    /// Operating system name (without version).
    #[privacy(aggregate)]
    pub operating_system: Option<String>,
    /// Country code.
    #[privacy(aggregate)]
    pub country_code: Option<String>,
    /// The visit's actions.
    pub actions: Vec<GeneralisedAction>,
}

/// One action of a generalised visit.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema, Classified)]
#[serde(rename_all = "camelCase")]
pub struct GeneralisedAction {
    /// Action type (action, download, outlink, search, event, goal, ecommerceOrder, …).
    #[privacy(aggregate)]
    #[serde(rename = "type")]
    pub action_type: Option<String>,
    /// URL, scrubbed.
    pub url: Option<VisitText>,
    /// Page title, scrubbed.
    pub title: Option<VisitText>,
    /// Seconds spent.
    #[privacy(aggregate)]
    pub time_spent_seconds: Option<f64>,
    /// Event category, scrubbed.
    pub event_category: Option<VisitText>,
    /// Event action, scrubbed.
    pub event_action: Option<VisitText>,
    /// Goal name.
    #[privacy(aggregate)]
    pub goal_name: Option<String>,
}

/// Generalises visits with a key, a scrubber and a time granularity.
#[derive(Debug)]
pub struct Generaliser<'a> {
    key: &'a PseudonymKey,
    scrubber: &'a Scrubber,
    granularity: TimeGranularity,
}

impl<'a> Generaliser<'a> {
    /// A generaliser coarsening to the hour.
    pub fn new(key: &'a PseudonymKey, scrubber: &'a Scrubber) -> Self {
        Self {
            key,
            scrubber,
            granularity: TimeGranularity::Hour,
        }
    }

    /// Coarsens timestamps to `granularity` instead.
    pub fn with_granularity(mut self, granularity: TimeGranularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// Generalises one visit from Matomo's visitor log.
    pub fn visit(&self, visit: &Visit) -> GeneralisedVisit {
        let f = &visit.fields;
        let pseudonym = |kind, value: Option<&str>| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| Pseudonym::new(self.key, kind, v))
        };
        let visitor = pseudonym(PseudonymKind::Visitor, text(&f.visitor_id))
            .or_else(|| pseudonym(PseudonymKind::Fingerprint, text(&f.fingerprint)));
        let started = f
            .first_action_timestamp
            .as_ref()
            .or(f.server_timestamp.as_ref())
            .map(|t| t.reveal().0 - t.reveal().0 % self.granularity.seconds())
            .map(|t| format_rfc3339(t, 0).replace(".000Z", "Z"));
        GeneralisedVisit {
            visitor,
            visit: f.id_visit.as_ref().map(|id| {
                Pseudonym::new(self.key, PseudonymKind::Visit, &id.reveal().0.to_string())
            }),
            user: pseudonym(PseudonymKind::User, text(&f.user_id)),
            started,
            site: f.id_site.map(|c| c.0),
            visitor_type: f.visitor_type.clone(),
            visit_count: f.visit_count.as_ref().map(|c| c.reveal().0),
            duration_seconds: f.visit_duration.map(|s| s.0),
            action_count: f.actions.map(|c| c.0),
            goal_conversions: f.goal_conversions.map(|c| c.0),
            referrer_type: f.referrer_type.clone(),
            referrer_name: f.referrer_name.as_deref().map(|n| self.text(n)),
            referrer_domain: text(&f.referrer_url)
                .and_then(domain_of)
                .map(|d| self.text(d)),
            device_type: f.device_type.clone(),
            browser: f.browser_name.clone().or_else(|| f.browser_family.clone()),
            operating_system: f.operating_system_name.clone(),
            country_code: f.country_code.clone(),
            actions: visit
                .action_details
                .iter()
                .flatten()
                .map(|a| self.action(a))
                .collect(),
        }
    }

    fn action(&self, action: &ActionDetail) -> GeneralisedAction {
        let a = &action.fields;
        GeneralisedAction {
            action_type: a.action_type.clone(),
            url: a.url.as_ref().map(|u| VisitText(self.scrubber.url(u))),
            title: text(&a.page_title).or(text(&a.title)).map(|t| self.text(t)),
            time_spent_seconds: a.time_spent.map(|s| s.0),
            event_category: text(&a.event_category).map(|t| self.text(t)),
            event_action: text(&a.event_action).map(|t| self.text(t)),
            goal_name: a.goal_name.clone(),
        }
    }

    fn text(&self, text: &str) -> VisitText {
        VisitText(self.scrubber.text(text))
    }
}

/// The text of a classified field, for this transform only: what it returns is generalised.
fn text<T: Reveal>(value: &Option<T>) -> Option<&str> {
    value.as_ref().map(Reveal::reveal_text)
}

/// The host of a URL, without user info or port; `None` if there is none.
fn domain_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = host.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalised_visits_are_pseudonymous_at_most() {
        assert_eq!(GeneralisedVisit::MAX_CLASS, PrivacyClass::Pseudonymous);
        assert!(Visit::MAX_CLASS > GeneralisedVisit::MAX_CLASS);
    }

    #[test]
    fn day_granularity_and_domains() {
        assert_eq!(
            domain_of("https://user:pw@mail.example.com:8443/inbox/123?x=1"),
            Some("mail.example.com")
        );
        assert_eq!(
            domain_of("android-app://com.google.android.gm/"),
            Some("com.google.android.gm")
        );
        assert_eq!(domain_of(""), None);
        let key = PseudonymKey::from_bytes(vec![3; 32]).unwrap();
        let scrubber = Scrubber::builder().build().unwrap();
        let g = Generaliser::new(&key, &scrubber).with_granularity(TimeGranularity::Day);
        let mut visit = Visit::default();
        visit.fields.server_timestamp = Some(crate::privacy::Pseudonymous::new(
            crate::models::Count(1_795_677_344),
        ));
        assert_eq!(
            g.visit(&visit).started.as_deref(),
            Some("2026-11-26T00:00:00Z")
        );
    }
}
