//! The `Host` allow-list: a DNS-rebinding page reaches a local server under a
//! foreign host name, which this check refuses.

use crate::ServeError;

#[derive(Clone, Debug, PartialEq, Eq)]
struct HostPattern {
    /// Lower case, IPv6 addresses without brackets.
    host: String,
    /// `None` matches any port.
    port: Option<u16>,
}

/// The parsed allow-list.
#[derive(Clone, Debug)]
pub(crate) struct HostPolicy {
    patterns: Vec<HostPattern>,
}

impl HostPolicy {
    /// Parses the configured entries, naming the first one that is not a host.
    pub(crate) fn new(entries: &[String]) -> Result<Self, ServeError> {
        if entries.is_empty() {
            return Err(ServeError::InvalidConfig {
                key: "allowed_hosts",
                reason: "the list is empty, so every request would be refused; list the names \
                         clients use to reach this server, such as `localhost`"
                    .to_owned(),
            });
        }
        let patterns = entries
            .iter()
            .map(|entry| {
                parse_authority(entry.trim()).ok_or_else(|| ServeError::InvalidConfig {
                    key: "allowed_hosts",
                    reason: format!(
                        "`{entry}` is not a host; write a name or address (`mcp.example.org`, \
                         `127.0.0.1`, `[::1]`), optionally with `:port`"
                    ),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { patterns })
    }

    /// Whether a `Host` header value (`host[:port]`) is allowed.
    pub(crate) fn allows(&self, authority: &str) -> bool {
        let Some(presented) = parse_authority(authority) else {
            return false;
        };
        self.patterns.iter().any(|pattern| {
            pattern.host == presented.host
                && (pattern.port.is_none() || pattern.port == presented.port)
        })
    }
}

fn parse_authority(value: &str) -> Option<HostPattern> {
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?),
        };
        (host, port)
    } else if value.matches(':').count() > 1 {
        // A bare IPv6 address in the configuration: no port possible.
        (value, None)
    } else {
        match value.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (value, None),
        }
    };
    let valid_host = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'));
    if !valid_host {
        return None;
    }
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    Some(HostPattern {
        host: host.to_ascii_lowercase(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_allows_loopback_names_with_any_port() {
        let policy = HostPolicy::new(&crate::HttpConfig::default().allowed_hosts).unwrap();
        for allowed in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:1",
            "[::1]:9000",
            "LOCALHOST:80",
        ] {
            assert!(policy.allows(allowed), "{allowed}");
        }
        for refused in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.2:8080",
            "localhost:notaport",
            "",
            "local host",
        ] {
            assert!(!policy.allows(refused), "{refused}");
        }
    }

    #[test]
    fn entries_with_ports_match_that_port_only() {
        let policy =
            HostPolicy::new(&["mcp.example.org:8443".to_owned(), "::1".to_owned()]).unwrap();
        assert!(policy.allows("mcp.example.org:8443"));
        assert!(!policy.allows("mcp.example.org"));
        assert!(!policy.allows("mcp.example.org:8080"));
        assert!(policy.allows("[::1]:1234"));
    }

    #[test]
    fn empty_or_bad_lists_are_refused() {
        assert!(HostPolicy::new(&[]).is_err());
        let error = HostPolicy::new(&["https://x.example".to_owned()]).unwrap_err();
        assert!(error.to_string().contains("allowed_hosts"), "{error}");
    }
}
