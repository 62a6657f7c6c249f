//! A k-anonymous vocabulary for visit-level output: a visitor's text (a URL, a title, an event,
//! a referrer) appears in a visit only if at least `k` distinct visitors had the same scrubbed
//! value in the period.
//!
//! Scrubbing masks what patterns can find (e-mail addresses, numbers, tokens). It cannot find
//! a name in "Booking confirmed for Jane", or a path only one patient ever opened. Any value
//! fewer than `k` visitors share points at those few people, whatever it says, so the visitor
//! log shows a value only when the aggregate reports prove that `k` visitors share it, and
//! otherwise generalises it: a URL to the longest path prefix that such a value has (or to the
//! site's host), every other text to a placeholder such as `[rare title]`.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::generalise::{GeneralisedVisit, VisitText};
use super::scrub::ScrubbedText;

/// The kinds of visitor text a visit shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextKind {
    /// A page URL (compared by its path).
    Url,
    /// A page title.
    Title,
    /// An event category.
    EventCategory,
    /// An event action.
    EventAction,
    /// A referrer name or domain.
    Referrer,
}

impl TextKind {
    /// What a value of this kind becomes when too few visitors share it.
    pub fn placeholder(self) -> &'static str {
        match self {
            Self::Url => "[rare URL]",
            Self::Title => "[rare title]",
            Self::EventCategory => "[rare event category]",
            Self::EventAction => "[rare event action]",
            Self::Referrer => "[rare referrer]",
        }
    }
}

/// The scrubbed values known to be shared by at least `k` distinct visitors.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    allowed: HashMap<TextKind, HashSet<String>>,
}

impl Vocabulary {
    /// An empty vocabulary: every value is generalised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows a scrubbed value (for [`TextKind::Url`], a path such as `/products/shoes`) that at
    /// least `k` distinct visitors are known to share.
    pub(crate) fn allow(&mut self, kind: TextKind, value: &ScrubbedText) {
        self.allowed
            .entry(kind)
            .or_default()
            .insert(value.as_str().to_owned());
    }

    /// The values of each kind that `visits` show (URLs as their paths), to learn about.
    pub fn needed(visits: &[GeneralisedVisit]) -> BTreeSet<(TextKind, String)> {
        let mut needed = BTreeSet::new();
        for_each_text(visits, |kind, text| {
            let value = match kind {
                TextKind::Url => path_of(text.0.as_str()).1.to_owned(),
                _ => text.0.as_str().to_owned(),
            };
            needed.insert((kind, value));
        });
        needed
    }

    fn allows(&self, kind: TextKind, value: &str) -> bool {
        self.allowed
            .get(&kind)
            .is_some_and(|values| values.contains(value))
    }

    /// Replaces every value of `visits` that fewer than `k` visitors are known to share;
    /// returns how many were replaced.
    pub fn generalise(&self, visits: &mut [GeneralisedVisit]) -> u64 {
        let mut replaced = 0;
        for_each_text_mut(visits, |kind, text| {
            let current = text.0.as_str();
            let generalised = match kind {
                TextKind::Url => {
                    let (host, path) = path_of(current);
                    if self.allows(kind, path) {
                        return;
                    }
                    format!("{host}{}{}", self.shared_prefix(path), kind.placeholder())
                }
                _ if self.allows(kind, current) => return,
                _ => kind.placeholder().to_owned(),
            };
            *text = VisitText(ScrubbedText::placeholder(generalised));
            replaced += 1;
        });
        replaced
    }

    /// The longest prefix of `path`, ending in `/`, that an allowed path starts with: the
    /// visitors of the prefix include those of that path, so at least `k`.
    fn shared_prefix<'p>(&self, path: &'p str) -> &'p str {
        let mut best = "/";
        for (end, _) in path.match_indices('/').skip(1) {
            let prefix = &path[..=end];
            let shared = self
                .allowed
                .get(&TextKind::Url)
                .is_some_and(|paths| paths.iter().any(|path| path.starts_with(prefix)));
            if !shared {
                break;
            }
            best = prefix;
        }
        best
    }
}

/// A URL split into its scheme and host (`https://shop.example.com`) and its path (`/a/b`, or `/`).
fn path_of(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, "/"),
    }
}

fn for_each_text(visits: &[GeneralisedVisit], mut f: impl FnMut(TextKind, &VisitText)) {
    for visit in visits {
        for text in [&visit.referrer_name, &visit.referrer_domain]
            .into_iter()
            .flatten()
        {
            f(TextKind::Referrer, text);
        }
        for action in &visit.actions {
            let texts = [
                (TextKind::Url, &action.url),
                (TextKind::Title, &action.title),
                (TextKind::EventCategory, &action.event_category),
                (TextKind::EventAction, &action.event_action),
            ];
            for (kind, text) in texts {
                if let Some(text) = text {
                    f(kind, text);
                }
            }
        }
    }
}

fn for_each_text_mut(visits: &mut [GeneralisedVisit], mut f: impl FnMut(TextKind, &mut VisitText)) {
    for visit in visits {
        for text in [&mut visit.referrer_name, &mut visit.referrer_domain]
            .into_iter()
            .flatten()
        {
            f(TextKind::Referrer, text);
        }
        for action in &mut visit.actions {
            let texts = [
                (TextKind::Url, &mut action.url),
                (TextKind::Title, &mut action.title),
                (TextKind::EventCategory, &mut action.event_category),
                (TextKind::EventAction, &mut action.event_action),
            ];
            for (kind, text) in texts {
                if let Some(text) = text {
                    f(kind, text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minimise::GeneralisedAction;

    fn text(s: &str) -> Option<VisitText> {
        Some(VisitText(ScrubbedText::placeholder(s.to_owned())))
    }

    fn shown(t: &Option<VisitText>) -> &str {
        t.as_ref().map_or("", |t| t.0.as_str())
    }

    #[test]
    fn rare_values_are_generalised_and_counted() {
        let action = GeneralisedAction {
            action_type: Some("action".into()),
            url: text("https://clinic.example/patients/[number]/record"),
            title: text("Patient record: Jane Roe"),
            time_spent_seconds: None,
            event_category: text("Video"),
            event_action: None,
            goal_name: None,
        };
        let common = GeneralisedAction {
            url: text("https://clinic.example/patients/list"),
            title: text("Patients"),
            ..action.clone()
        };
        let mut visits = vec![GeneralisedVisit {
            visitor: None,
            visit: None,
            user: None,
            started: None,
            site: None,
            visitor_type: None,
            visit_count: None,
            duration_seconds: None,
            action_count: None,
            goal_conversions: None,
            referrer_type: None,
            referrer_name: text("newsletter-jane"),
            referrer_domain: None,
            device_type: None,
            browser: None,
            operating_system: None,
            country_code: None,
            actions: vec![action, common],
        }];
        let needed = Vocabulary::needed(&visits);
        assert!(needed.contains(&(TextKind::Url, "/patients/[number]/record".to_owned())));
        let mut vocabulary = Vocabulary::new();
        for (kind, value) in [
            (TextKind::Url, "/patients/list"),
            (TextKind::Title, "Patients"),
            (TextKind::EventCategory, "Video"),
        ] {
            vocabulary.allow(kind, &ScrubbedText::placeholder(value.to_owned()));
        }
        assert_eq!(vocabulary.generalise(&mut visits), 3);
        let [rare, common] = &visits[0].actions[..] else {
            panic!()
        };
        assert_eq!(
            shown(&rare.url),
            "https://clinic.example/patients/[rare URL]"
        );
        assert_eq!(shown(&rare.title), "[rare title]");
        assert_eq!(shown(&rare.event_category), "Video");
        assert_eq!(shown(&common.url), "https://clinic.example/patients/list");
        assert_eq!(shown(&visits[0].referrer_name), "[rare referrer]");
        // Nothing shared at all: the host alone.
        let mut alone = Vocabulary::new();
        alone.allow(
            TextKind::Url,
            &ScrubbedText::placeholder("/about".to_owned()),
        );
        assert_eq!(alone.shared_prefix("/patients/7/record"), "/");
    }
}
