//! Personal data and edge cases planted on purpose in the generated dataset, so that tests can
//! look for them by value: a rare person, a campaign named like a search engine, campaign
//! links carrying a personal address.

use super::{Action, Referrer, Site, Visit};
use crate::calendar::Day;

/// One visit per site gets a page and a search that nobody else has: the kind of rare, personal
/// row (a patient's page, a search for a name) that must never reach an aggregate result.
pub(super) fn plant_rare_personal_data(sites: &[Site], visits: &mut [Visit]) {
    for site in sites {
        if let Some(visit) = visits
            .iter_mut()
            .find(|v| v.site == site.id && v.user_id.is_some())
        {
            visit.actions.push(Action::Page {
                url: format!("{}/members/jane-doe/medical-notes", site.main_url),
                title: "Medical notes of Jane Doe".into(),
                time_spent: 42,
            });
            visit.actions.push(Action::Search {
                keyword: "jane doe divorce lawyer".into(),
            });
        }
    }
}

/// The name of the person whose rare pages, titles, searches and events the dataset plants in
/// their own visits of site 1: no scrubbing pattern finds it; only counting people keeps it out.
pub const RARE_PERSON: &str = "Olaf Brennan";

/// One returning visitor of site 1 gets five more visits on one recent day, a browser nobody else
/// uses (a row of one person with more than k visits), and, in each of their visits of the last
/// week, pages, titles, a search and an event nobody else has: patient records under several ids (which
/// scrubbing turns into one label, still about one person), a booking with their name, a
/// search for their own name. Names are not patterns; only counting people keeps them out.
pub(super) fn plant_a_rare_person(today: Day, visits: &mut Vec<Visit>) {
    let recent = |v: &Visit| v.site == 1 && v.day >= today.plus(-7) && v.day < today;
    // A visitor with visits on at least two recent days.
    let mut days_of: std::collections::BTreeMap<&str, std::collections::BTreeSet<i64>> =
        Default::default();
    for v in visits.iter().filter(|v| recent(v)) {
        days_of.entry(&v.visitor_id).or_default().insert(v.day.0);
    }
    let Some(person) = days_of
        .iter()
        .find(|(_, days)| days.len() >= 2)
        .map(|(id, _)| (*id).to_owned())
    else {
        return;
    };
    // Their own browser, and more visits than k on one day: a row of one person with many visits.
    if let Some(first) = visits
        .iter()
        .position(|v| recent(v) && v.visitor_id == person)
    {
        let template = visits[first].clone();
        // A visitor's visit numbers are distinct (Matomo's `visitCount`): the new visits come
        // after every one they have.
        let last_count = visits
            .iter()
            .filter(|v| v.visitor_id == person)
            .map(|v| v.visit_count)
            .max()
            .unwrap_or(0);
        for extra in 1..=5u32 {
            let mut again = template.clone();
            again.first_ts = again.day.midnight_ts() + 3_600 * (2 + i64::from(extra));
            again.returning = true;
            again.visit_count = last_count + extra;
            visits.push(again);
        }
    }
    for visit in visits
        .iter_mut()
        .filter(|v| recent(v) && v.visitor_id == person)
    {
        visit.browser = &super::catalog::RARE_BROWSER;
    }
    for (n, visit) in visits
        .iter_mut()
        .filter(|v| recent(v) && v.visitor_id == person)
        .enumerate()
    {
        let base = "https://shop.example.com";
        for i in 0..6 {
            visit.actions.push(Action::Page {
                url: format!("{base}/patients/{}/record", 482_100 + i + 10 * n),
                title: format!("Patient record: {RARE_PERSON}"),
                time_spent: 30,
            });
        }
        visit.actions.push(Action::Page {
            url: format!("{base}/booking/confirmed-for-olaf-brennan"),
            title: format!("Booking confirmed for {RARE_PERSON}"),
            time_spent: 12,
        });
        visit.actions.push(Action::Search {
            keyword: "olaf brennan test results".into(),
        });
        visit.actions.push(Action::Event {
            category: "Appointments of Olaf Brennan".into(),
            action: "Cancelled by Olaf Brennan".into(),
            name: "olaf-brennan-slot".into(),
            value: None,
        });
    }
}

/// The name of the search engine and of the campaign the dataset plants on the same day: a
/// search engine row of one person whose Matomo segment (`referrerName==Ecosia`) also selects
/// the campaign's visitors.
pub const CLASH_NAME: &str = "Ecosia";

/// One visitor of site 1 comes six times from a search engine nobody else uses, on a day five
/// days back, and six other visitors come that day from a campaign of the same name: a search
/// engine row of six visits and one person, whose segment as Matomo writes it
/// (`referrerName==Ecosia`) also selects the campaign's visitors. Only counting the row's own
/// channel keeps it out. The visits are copies of that day's visits (with their details) and
/// come after every other, so no earlier id or derived value moves.
pub(super) fn plant_a_channel_clash(today: Day, visits: &mut Vec<Visit>) {
    let day = today.plus(-5);
    let mut templates: Vec<Visit> = Vec::new();
    for v in visits.iter().filter(|v| v.site == 1 && v.day == day) {
        if !templates.iter().any(|t| t.visitor_id == v.visitor_id) {
            templates.push(v.clone());
        }
    }
    if templates.len() < 7 {
        return;
    }
    let mut next_id = visits.iter().map(|v| v.id).max().unwrap_or(0);
    let mut planted = Vec::new();
    let mut copy = |template: &Visit, n: u32, referrer: Referrer, planted: &mut Vec<Visit>| {
        let last_count = visits
            .iter()
            .chain(planted.iter())
            .filter(|v| v.visitor_id == template.visitor_id)
            .map(|v| v.visit_count)
            .max()
            .unwrap_or(0);
        let mut again = template.clone();
        next_id += 1;
        again.id = next_id;
        again.first_ts = day.midnight_ts() + 3_600 * 20 + 60 * i64::from(n);
        again.returning = true;
        again.visit_count = last_count + 1;
        // Minutes after another visit of the same visitor that day: Matomo's seconds since the
        // last visit are under a day.
        again.details.days_since_last = 0;
        again.referrer = referrer;
        again.conversions.clear();
        planted.push(again);
    };
    let search = Referrer::Search {
        engine: CLASH_NAME.into(),
        host: "www.ecosia.org".into(),
        keyword: "running shoes".into(),
    };
    for n in 0..6 {
        copy(&templates[0], n, search.clone(), &mut planted);
    }
    let campaign = Referrer::Campaign {
        name: CLASH_NAME.into(),
        keyword: String::new(),
    };
    for (n, template) in templates[1..7].iter().enumerate() {
        copy(template, 10 + n as u32, campaign.clone(), &mut planted);
    }
    visits.extend(planted);
}

/// The queries campaign links leave on the page they land on, as Matomo stores them. Matomo
/// removes campaign names and keywords (`mtm_campaign`, `utm_campaign`, `utm_source`,
/// `utm_medium`, `mtm_kwd`, `utm_term`, …) and click ids (`gclid`, `fbclid`, …) from page URLs
/// itself (`PageUrl::getQueryParametersToExclude`, `campaign_var_name` in `global.ini.php`),
/// but keeps every other parameter: where a link sat, which newsletter, which banner.
pub const CAMPAIGN_LANDING_QUERIES: &[&str] = &[
    "mtm_source=newsletter&mtm_medium=email&mtm_content=header-logo",
    "mtm_source=newsletter&mtm_medium=email&mtm_content=hero-button",
    "mtm_source=newsletter&mtm_medium=email&mtm_content=footer",
    "mtm_source=instagram&mtm_medium=social&mtm_content=story",
    "utm_content=banner-a",
    "utm_content=banner-b",
    "mtm_cid=nl-2026-11&mtm_content=product-grid",
];

/// The campaign whose name the mailing tool of site 1 suffixes with each subscriber's number
/// (`newsletter-nov-4821973`): a campaign row per person, which scrubbing makes one again.
pub const PERSONAL_CAMPAIGN: &str = "newsletter-nov";

/// Campaign links of site 1 land on the home page, each link with its own query (a newsletter's
/// logo, button and footer, a story, two banners): the landing page view of each campaign visit
/// (its first action, unless that URL already has a query) becomes the home page with one of
/// [`CAMPAIGN_LANDING_QUERIES`], in turn. Matomo reports each query as a page of its own, a
/// handful of visitors each; scrubbing the query away makes them the home page again, whose
/// visitors are only known by counting the parts' union. Likewise the [`PERSONAL_CAMPAIGN`]'s
/// name carries its subscriber's seven-digit number: a campaign row per visitor, `[number]`
/// once scrubbed. The channel clash's campaign is left as it is. Only URLs, titles and
/// campaign names change: no count, id or derived value moves.
pub(super) fn plant_campaign_landings(visits: &mut [Visit]) {
    let mut links = CAMPAIGN_LANDING_QUERIES.iter().cycle();
    let campaign = |v: &Visit| {
        v.site == 1 && matches!(&v.referrer, Referrer::Campaign { name, .. } if name != CLASH_NAME)
    };
    for visit in visits.iter_mut().filter(|v| campaign(v)) {
        if let Referrer::Campaign { name, .. } = &mut visit.referrer
            && name == PERSONAL_CAMPAIGN
        {
            let subscriber = u64::from_str_radix(&visit.visitor_id, 16).unwrap_or(0) % 9_000_000;
            *name = format!("{PERSONAL_CAMPAIGN}-{}", 1_000_000 + subscriber);
        }
        let Some(Action::Page { url, title, .. }) = visit.actions.first_mut() else {
            continue;
        };
        // A landing on the thank-you page keeps it: its goal converted there.
        if url.contains('?') || url.ends_with("/checkout/thank-you") {
            continue;
        }
        let Some(query) = links.next() else {
            break;
        };
        *url = format!("https://shop.example.com/?{query}");
        *title = "Example Shop - Home".into();
    }
}
