//! A Reporting API request as Matomo sees it: query-string pairs and form-body pairs kept apart,
//! because Matomo treats them differently (the query string decides whether errors are JSON; a
//! token is only honoured in the body).

/// Parameters of one API call.
#[derive(Debug, Clone, Default)]
pub(crate) struct ApiRequest {
    pub query: Vec<(String, String)>,
    pub body: Vec<(String, String)>,
}

impl ApiRequest {
    /// A parameter from the query string or else the body, as PHP's `$_GET + $_POST` lookup does.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(self.body.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter that was present and not empty.
    pub(crate) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// A comma-separated list parameter (`columns`, `showColumns`, …) that was present and not
    /// empty, without empty items.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<&str>> {
        self.non_empty(name)
            .map(|v| v.split(',').filter(|item| !item.is_empty()).collect())
    }

    /// Matomo answers errors as JSON only when module, method and format are in the query string.
    pub(crate) fn is_api_by_query(&self) -> bool {
        ["module", "method", "format"]
            .iter()
            .all(|k| self.query.iter().any(|(q, _)| q == k))
    }

    /// The value of a boolean flag such as `flat=1`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1") | Some("true"))
    }

    /// `urls[i]` entries of a bulk request, in index order.
    pub(crate) fn bulk_urls(&self) -> Vec<String> {
        let mut items: Vec<(usize, String)> = self
            .query
            .iter()
            .chain(self.body.iter())
            .filter_map(|(k, v)| {
                let idx = k.strip_prefix("urls[")?.strip_suffix(']')?.parse().ok()?;
                Some((idx, v.clone()))
            })
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items.into_iter().map(|(_, v)| v).collect()
    }
}

/// Decodes `application/x-www-form-urlencoded` text; invalid escapes are kept literally, as PHP does.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// `%XX` and `+` decoding.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `%XX` encoding of everything but RFC 3986's unreserved characters, as Matomo builds `segment`
/// values (and as the tracking requests of [`realistic`](crate::realistic) encode theirs).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// PHP's `urlencode`, as Matomo encodes values in the row segments it builds: spaces become `+`
/// (`deviceModel==generic+desktop`), and everything but letters, digits and `-_.` is `%XX`.
pub(crate) fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            _ if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let p = parse_form("a=1%2C2&b=x+y&c=%zz&urls%5B0%5D=method%3DX");
        assert_eq!(p[0], ("a".into(), "1,2".into()));
        assert_eq!(p[1].1, "x y");
        assert_eq!(p[2].1, "%zz");
        assert_eq!(p[3], ("urls[0]".into(), "method=X".into()));
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_encode("a@b.c"), "a%40b.c");
        assert_eq!(form_encode("Galaxy S21 5G/x~"), "Galaxy+S21+5G%2Fx%7E");
    }
}
