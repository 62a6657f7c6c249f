//! How Matomo names a visit's referrer in reports and segments.

use super::Referrer;

/// The referrer's name as Matomo's `referrerName` shows it.
pub(crate) fn referrer_name(r: &Referrer) -> String {
    match r {
        Referrer::Direct => String::new(),
        Referrer::Search { engine, .. } => engine.clone(),
        Referrer::Website { url } => host_of(url).to_string(),
        Referrer::Social { network, .. } => network.clone(),
        Referrer::Campaign { name, .. } => name.clone(),
    }
}

/// The keyword (search words or campaign keyword), empty when none.
pub(crate) fn referrer_keyword(r: &Referrer) -> String {
    match r {
        Referrer::Search { keyword, .. } | Referrer::Campaign { keyword, .. } => keyword.clone(),
        _ => String::new(),
    }
}

/// Host part of a URL.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}
