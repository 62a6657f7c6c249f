//! Turning the base URL a user typed into the API endpoint, refusing unsafe ones.

use std::net::IpAddr;

use url::{Host, Url};

use super::error::ClientError;

/// Which of the base-URL safety rules the caller switched off.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct UrlPolicy {
    pub(crate) allow_insecure_http: bool,
    pub(crate) allow_url_credentials: bool,
}

/// Parses `base` (with or without a trailing `/` or `index.php`) into the
/// `…/index.php` endpoint, without a query string.
pub(crate) fn endpoint(base: &str, policy: UrlPolicy) -> Result<Url, ClientError> {
    let mut url = Url::parse(base.trim()).map_err(|err| ClientError::InvalidBaseUrl {
        reason: format!(
            "it does not parse as a URL ({err}); give the address of your Matomo, e.g. `https://matomo.example.com/`"
        ),
    })?;
    match url.scheme() {
        "https" | "http" => {}
        other => {
            return Err(ClientError::InvalidBaseUrl {
                reason: format!("the scheme `{other}` is not supported; use `https://`"),
            });
        }
    }
    if url.host().is_none() {
        return Err(ClientError::InvalidBaseUrl {
            reason: "it has no host; give the address of your Matomo, e.g. `https://matomo.example.com/`".into(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ClientError::InvalidBaseUrl {
            reason: "it carries a query string or fragment; give only the address of your Matomo (the client adds `index.php?module=API…` itself)".into(),
        });
    }
    if (!url.username().is_empty() || url.password().is_some()) && !policy.allow_url_credentials {
        return Err(ClientError::InsecureBaseUrl {
            reason: "it embeds a user name or password, which ends up in logs and error reports; remove them, or call `danger_allow_url_credentials()` if your Matomo sits behind HTTP basic auth",
        });
    }
    if url.scheme() == "http" && !is_loopback(&url) && !policy.allow_insecure_http {
        return Err(ClientError::InsecureBaseUrl {
            reason: "plain `http://` to a non-loopback host sends the token in clear text; use `https://`, or call `danger_allow_insecure_http()` for a trusted private network",
        });
    }

    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/index.php").unwrap_or(path);
    let endpoint_path = format!("{path}/index.php");
    url.set_path(&endpoint_path);
    Ok(url)
}

/// The endpoint for messages and `Debug`: never with user name or password.
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    // Only fails for URLs that cannot have credentials, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// Whether `base` is a plain `http://` URL to a host other than this machine: the token would
/// cross the network in clear text. `false` for anything that does not parse.
pub fn is_insecure_http(base: &str) -> bool {
    Url::parse(base).is_ok_and(|url| url.scheme() == "http" && !is_loopback(&url))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(base: &str) -> Result<String, ClientError> {
        endpoint(base, UrlPolicy::default()).map(|url| url.to_string())
    }

    /// Asserts that the default policy refuses each of `bases` with an error `expected` accepts.
    fn assert_refused(bases: &[&str], expected: fn(&ClientError) -> bool) {
        for base in bases {
            assert!(strict(base).is_err_and(|e| expected(&e)), "{base}");
        }
    }

    #[test]
    fn accepts_every_spelling_of_the_same_base() {
        for base in [
            "https://matomo.example.com",
            "https://matomo.example.com/",
            "https://matomo.example.com/index.php",
            " https://matomo.example.com/index.php/ ",
        ] {
            assert_eq!(
                strict(base).unwrap(),
                "https://matomo.example.com/index.php",
                "{base}"
            );
        }
        for base in [
            "https://example.com/matomo",
            "https://example.com/matomo/",
            "https://example.com/matomo/index.php",
        ] {
            assert_eq!(
                strict(base).unwrap(),
                "https://example.com/matomo/index.php",
                "{base}"
            );
        }
    }

    #[test]
    fn plain_http_only_for_loopback() {
        for base in [
            "http://127.0.0.1:8089",
            "http://127.1.2.3/",
            "http://[::1]:8080/matomo/",
            "http://localhost/",
            "http://LOCALHOST:9000",
        ] {
            assert!(strict(base).is_ok(), "{base}");
        }
        assert_refused(
            &[
                "http://matomo.example.com",
                "http://10.0.0.5/",
                "http://[::2]/",
                "http://localhost.evil.com/",
            ],
            |e| matches!(e, ClientError::InsecureBaseUrl { .. }),
        );
        let opted = UrlPolicy {
            allow_insecure_http: true,
            ..UrlPolicy::default()
        };
        assert!(endpoint("http://matomo.example.com", opted).is_ok());
    }

    #[test]
    fn credentials_are_refused_unless_allowed_and_never_shown() {
        let err = strict("https://admin:hunter2@matomo.example.com/").unwrap_err();
        assert!(matches!(err, ClientError::InsecureBaseUrl { .. }));
        assert!(!err.to_string().contains("hunter2"));
        let opted = UrlPolicy {
            allow_url_credentials: true,
            ..UrlPolicy::default()
        };
        let url = endpoint("https://admin:hunter2@matomo.example.com/", opted).unwrap();
        assert_eq!(url.password(), Some("hunter2"));
        assert_eq!(display_url(&url), "https://matomo.example.com/index.php");
    }

    #[test]
    fn rejects_other_schemes_queries_and_garbage() {
        assert_refused(
            &[
                "ftp://example.com",
                "example.com",
                "https://example.com/?module=API",
                "https://example.com/#x",
                "",
            ],
            |e| matches!(e, ClientError::InvalidBaseUrl { .. }),
        );
    }
}
