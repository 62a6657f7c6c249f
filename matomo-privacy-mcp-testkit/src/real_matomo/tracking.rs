//! The Tracking API requests that make a real Matomo record the emulator's [`Visit`]s as the
//! emulator reports them.
//!
//! Every request forces the visitor id (`cid`, so Matomo finds the visitor by id alone and counts
//! their visits and days since the last one itself) and the time (`cdt`, which needs the admin
//! token in the bulk body). A visit's first request carries `new_visit=1`, so Matomo starts a
//! visit exactly where the dataset does. Places come from `country`/`region`/`city`/`lat`/`long`
//! (no GeoIP database), the language and screen from `lang`/`res`, the visitor's clock from
//! `h`/`m`/`s`, browser and device from a user agent Matomo's DeviceDetector reads as the
//! dataset's browser.
//!
//! Times: an action starts when the page views before it have been spent; a visit of several
//! actions ends with a heartbeat (`ping=1`) one second before its dataset duration is over,
//! because Matomo's `visit_total_time` is `1 + last request − first action`; a visit of one
//! action has no heartbeat, so its conversions' seconds stay, as the dataset counts them. Goals 1 (a URL) and
//! 2 (an event category) convert by themselves on the action that matches; goal 3 (manual) and
//! orders are sent at the visit's last action, before the heartbeat, so that the seconds a
//! conversion adds to `visit_total_time` are set right again. Content impressions and clicks
//! (`c_n`, `c_i`), which Matomo counts as no action, follow a visit's first action at its second,
//! or a second before it in a one-action visit (whose length a later request would make 1 s).

use std::fmt::Write;

use crate::dataset::{Action, Conversion, Referrer, Site, Visit};
use crate::realistic::{url_encode, visitor_params};

/// The user agent Matomo 5.0.2 reads as the visit's browser (and, where the dataset's device
/// fits that browser, as its device).
fn user_agent(visit: &Visit) -> &'static str {
    match (visit.browser.code, visit.device.model) {
        ("CH", _) => {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
        }
        ("FF", _) => {
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
        }
        ("SF", _) => {
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
        }
        ("CM", _) => {
            "Mozilla/5.0 (Linux; Android 14; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36"
        }
        ("MF", "iPad") => {
            "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
        }
        ("MF", _) => {
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
        }
        ("PS", _) => {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.0.0"
        }
        _ => "Lynx/2.9.0 libwww-FM/2.14 SSL-MM/1.4.1 OpenSSL/3.0.11",
    }
}

/// The page a search engine sends its visitors from, with the keyword where Matomo reads one.
fn search_referrer(host: &str, keyword: &str) -> String {
    let q = url_encode(keyword);
    if host == "duckduckgo.com" {
        format!("https://duckduckgo.com/?q={q}")
    } else {
        format!("https://{host}/search?q={q}")
    }
}

/// Cents-exact money as Matomo reads it.
fn money(amount: f64) -> String {
    format!("{amount:.2}")
}

/// The visit's tracking requests in time order, each a query string starting with `?` as the bulk
/// API's `requests` wants them, without any token. `idsite` is the real Matomo's site.
pub(crate) fn tracking_requests(visit: &Visit, site: &Site, idsite: u32) -> Vec<String> {
    let loc = visit.location;
    let mut common = format!(
        "{visitor}&region={rc}&city={city}&lat={lat}&long={long}&lang={lang}&res={res}&ua={ua}",
        visitor = visitor_params(idsite, &visit.visitor_id, &visit.ip, loc.country_code),
        rc = url_encode(loc.region_code),
        city = url_encode(loc.city),
        lat = loc.lat,
        long = loc.long,
        lang = url_encode(visit.details.language),
        res = visit.details.resolution,
        ua = url_encode(user_agent(visit)),
    );
    if let Some(uid) = &visit.user_id {
        let _ = write!(common, "&uid={}", url_encode(uid));
    }
    let request = |ts: i64, rest: &str| {
        let local = ts + i64::from(visit.details.utc_offset_minutes) * 60;
        let secs = local.rem_euclid(86_400);
        format!(
            "?{common}&cdt={ts}&h={}&m={}&s={}&{rest}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    };
    let several = visit.actions.len() > 1;
    // The last second of the visit as Matomo counts it (`1 + last request − first action`).
    let end = visit.last_second();
    // Each action's time, as the emulator places it too (conversions by hour).
    let times = visit.action_times();
    let mut requests = Vec::new();
    let mut current_url = site.main_url.clone();
    let mut searches = visit.searches().map(|(_, category)| category);
    let mut timings = visit.page_timings().into_iter();
    let mut last_ts = visit.first_ts;
    for (i, action) in visit.actions.iter().enumerate() {
        let ts = times.get(i).copied().unwrap_or(visit.first_ts);
        last_ts = ts;
        if let Action::Page { url, .. } = action {
            current_url = url.clone();
            if i == 0
                && let Referrer::Campaign { name, keyword } = &visit.referrer
            {
                current_url.push(if url.contains('?') { '&' } else { '?' });
                let _ = write!(current_url, "mtm_campaign={}", url_encode(name));
                if !keyword.is_empty() {
                    let _ = write!(current_url, "&mtm_kwd={}", url_encode(keyword));
                }
            }
        }
        // Every request is made on a page: a page view on its own, any other action on the
        // page viewed last.
        let mut rest = format!("url={}", url_encode(&current_url));
        match action {
            Action::Page { title, .. } => {
                let _ = write!(rest, "&action_name={}", url_encode(title));
                if let Some(t) = timings.next() {
                    for (name, value) in
                        ["pf_net", "pf_srv", "pf_tfr", "pf_dm1", "pf_dm2", "pf_onl"]
                            .iter()
                            .zip(t.all())
                    {
                        if let Some(ms) = value {
                            let _ = write!(rest, "&{name}={ms}");
                        }
                    }
                }
            }
            Action::Event {
                category,
                action,
                name,
                value,
            } => {
                let _ = write!(
                    rest,
                    "&e_c={}&e_a={}&e_n={}",
                    url_encode(category),
                    url_encode(action),
                    url_encode(name)
                );
                if let Some(value) = value {
                    let _ = write!(rest, "&e_v={value}");
                }
            }
            Action::Outlink { url } => {
                let _ = write!(rest, "&link={}", url_encode(url));
            }
            Action::Download { url } => {
                let _ = write!(rest, "&download={}", url_encode(url));
            }
            Action::Search { keyword } => {
                let _ = write!(
                    rest,
                    "&search={}&search_count={}",
                    url_encode(keyword),
                    crate::dataset::search_results(keyword)
                );
                if let Some(Some(category)) = searches.next() {
                    let _ = write!(rest, "&search_cat={}", url_encode(category));
                }
            }
        }
        if i == 0 {
            rest.push_str("&new_visit=1");
            match &visit.referrer {
                Referrer::Search { host, keyword, .. } => {
                    let _ = write!(
                        rest,
                        "&urlref={}",
                        url_encode(&search_referrer(host, keyword))
                    );
                }
                Referrer::Website { url } | Referrer::Social { url, .. } => {
                    let _ = write!(rest, "&urlref={}", url_encode(url));
                }
                Referrer::Direct | Referrer::Campaign { .. } => {}
            }
        }
        requests.push(request(ts, &rest));
        if i == 0 {
            // A one-action visit's contents a second before its action: Matomo's
            // `visit_total_time` is `1 + last request − first action`, which a request at
            // the action's second would make 1 (the dataset's 0), and one before it leaves 0.
            let at = if several { ts } else { ts - 1 };
            for rest in content_requests(visit, &current_url) {
                requests.push(request(at, &rest));
            }
        }
    }
    for conversion in &visit.conversions {
        if let Some(rest) = conversion_request(visit, conversion, &current_url) {
            requests.push(request(last_ts, &rest));
        }
    }
    // Always, even at the last action's second: a conversion at the last action (sent, or
    // Matomo's own on a goal's URL or event) added its seconds, which the heartbeat sets right.
    if several {
        requests.push(request(
            end,
            &format!("url={}&ping=1", url_encode(&current_url)),
        ));
    }
    requests
}

/// The requests of the visit's content blocks (`Contents.*`): an impression of each, and an
/// interaction (`c_i=click`) for each click on it, on the page they were shown on.
fn content_requests(visit: &Visit, url: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in &visit.details.contents {
        let block = format!(
            "url={}&c_n={}&c_p={}&c_t={}",
            url_encode(url),
            url_encode(&c.name),
            url_encode(&c.piece),
            url_encode(&c.target)
        );
        out.push(block.clone());
        for _ in 0..c.interactions {
            out.push(format!("{block}&c_i=click"));
        }
    }
    out
}

/// The request of a conversion Matomo does not make by itself: a manual goal or an order.
fn conversion_request(visit: &Visit, conversion: &Conversion, url: &str) -> Option<String> {
    match conversion.goal {
        // Goal 1 converts on its URL, goal 2 on its event category.
        Some(1 | 2) => None,
        Some(goal) => Some(format!(
            "url={}&idgoal={goal}&revenue={}",
            url_encode(url),
            money(conversion.revenue)
        )),
        None => {
            let quantity = conversion.items.max(1);
            let price = conversion.revenue / f64::from(quantity);
            let items = serde_json::json!([[
                format!("SKU-{quantity}"),
                "Basic tee",
                "Shirts",
                money(price),
                quantity
            ]])
            .to_string();
            Some(format!(
                "url={}&idgoal=0&ec_id=order-{}&revenue={}&ec_st={}&ec_items={}",
                url_encode(url),
                visit.id,
                money(conversion.revenue),
                money(conversion.revenue),
                url_encode(&items)
            ))
        }
    }
}
