//! The `Origin` allow-list: browsers name the page that makes a request, and a
//! page from a foreign site must not reach a local server (DNS rebinding, CSRF).

use url::Url;

use crate::ServeError;

/// One allowed origin: `scheme://host[:port]`, `scheme://host:*`, or `null`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OriginPattern {
    Null,
    Site {
        scheme: String,
        host: String,
        /// `None` matches any port.
        port: Option<u16>,
    },
}

/// The parsed allow-list.
#[derive(Clone, Debug)]
pub(crate) struct OriginPolicy {
    patterns: Vec<OriginPattern>,
}

impl OriginPolicy {
    /// Parses the configured entries, naming the first one that is not an origin.
    pub(crate) fn new(entries: &[String]) -> Result<Self, ServeError> {
        let patterns = entries
            .iter()
            .map(|entry| {
                parse_pattern(entry).ok_or_else(|| ServeError::InvalidConfig {
                    key: "allowed_origins",
                    reason: format!(
                        "`{entry}` is not an origin; write `scheme://host`, `scheme://host:port`, \
                         `scheme://host:*` (any port) or `null`"
                    ),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { patterns })
    }

    /// Whether a present `Origin` header value is allowed.
    pub(crate) fn allows(&self, origin: &str) -> bool {
        let Some(presented) = parse_origin(origin) else {
            return false;
        };
        self.patterns
            .iter()
            .any(|pattern| match (pattern, &presented) {
                (OriginPattern::Null, OriginPattern::Null) => true,
                (
                    OriginPattern::Site { scheme, host, port },
                    OriginPattern::Site {
                        scheme: s,
                        host: h,
                        port: p,
                    },
                ) => scheme == s && host == h && (port.is_none() || port == p),
                _ => false,
            })
    }
}

fn parse_pattern(entry: &str) -> Option<OriginPattern> {
    let entry = entry.trim();
    match entry.strip_suffix(":*") {
        Some(base) => match parse_origin(base)? {
            OriginPattern::Site { scheme, host, .. } => Some(OriginPattern::Site {
                scheme,
                host,
                port: None,
            }),
            OriginPattern::Null => None,
        },
        None => parse_origin(entry),
    }
}

/// Parses `null` or `scheme://host[:port]` (nothing after the authority).
fn parse_origin(value: &str) -> Option<OriginPattern> {
    if value.eq_ignore_ascii_case("null") {
        return Some(OriginPattern::Null);
    }
    let url = Url::parse(value).ok()?;
    let bare = url.path() == "/" && !value.ends_with('/');
    if !bare || url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return None;
    }
    Some(OriginPattern::Site {
        scheme: url.scheme().to_owned(),
        host: url.host_str()?.to_owned(),
        port: url.port_or_known_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(entries: &[&str]) -> OriginPolicy {
        OriginPolicy::new(&entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn default_allows_local_pages_only() {
        let default = OriginPolicy::new(&crate::HttpConfig::default().allowed_origins).unwrap();
        for allowed in [
            "http://localhost:3000",
            "https://localhost",
            "http://127.0.0.1:8080",
            "http://[::1]:5173",
            "HTTP://LOCALHOST:1",
        ] {
            assert!(default.allows(allowed), "{allowed}");
        }
        for refused in [
            "https://evil.example",
            "http://localhost.evil.example",
            "http://127.0.0.2",
            "null",
            "file://",
            "http://localhost:3000/path",
            "not an origin",
        ] {
            assert!(!default.allows(refused), "{refused}");
        }
    }

    #[test]
    fn explicit_ports_and_default_ports() {
        let policy = policy(&[
            "https://app.example.com",
            "http://tool.example:8080",
            "null",
        ]);
        assert!(policy.allows("https://app.example.com"));
        assert!(policy.allows("https://app.example.com:443"));
        assert!(!policy.allows("https://app.example.com:8443"));
        assert!(!policy.allows("http://app.example.com"));
        assert!(policy.allows("http://tool.example:8080"));
        assert!(!policy.allows("http://tool.example"));
        assert!(policy.allows("null"));
    }

    #[test]
    fn bad_entries_are_named() {
        let error = OriginPolicy::new(&["https://ok.example".to_owned(), "ok.example".to_owned()])
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("allowed_origins") && message.contains("`ok.example`"),
            "{message}"
        );
    }
}
