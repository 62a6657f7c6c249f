//! What a protected resource tells clients: its metadata (RFC 9728) and its `WWW-Authenticate`
//! challenges (RFC 6750), from which an MCP client finds the authorization server.

use serde_json::{Value, json};
use url::Url;

use super::TokenRejection;

/// The path suffix of the protected resource metadata document (RFC 9728 §3).
pub const PROTECTED_RESOURCE_METADATA_SUFFIX: &str = "/.well-known/oauth-protected-resource";

/// The RFC 9728 Protected Resource Metadata document for `resource`: how a client that was
/// refused learns which authorization server to get a token from, and for which scopes.
///
/// `authorization_servers` are issuer identifiers, written exactly as the authorization servers
/// write their own `issuer` (clients compare them as strings). An empty `scopes_supported` leaves
/// the member out. Tokens are accepted in the `Authorization` header only, so
/// `bearer_methods_supported` says `header`.
///
/// ```
/// use matomo_privacy_mcp_server::protected_resource_metadata;
///
/// let document = protected_resource_metadata(
///     "https://mcp.example.com/mcp",
///     &["https://auth.example.com".to_owned()],
///     &["matomo:read".to_owned()],
/// );
/// assert_eq!(document["authorization_servers"][0], "https://auth.example.com");
/// ```
pub fn protected_resource_metadata(
    resource: &str,
    authorization_servers: &[String],
    scopes_supported: &[String],
) -> Value {
    let mut document = json!({
        "resource": resource,
        "authorization_servers": authorization_servers,
        "bearer_methods_supported": ["header"],
    });
    if !scopes_supported.is_empty() {
        document["scopes_supported"] = json!(scopes_supported);
    }
    document
}

/// Where the metadata document of `resource` is served (RFC 9728 §3.1): the well-known suffix
/// goes between the host and the resource's path, so `https://mcp.example/mcp` has its document
/// at `https://mcp.example/.well-known/oauth-protected-resource/mcp`.
///
/// `None` for a resource that is not a hierarchical URL (such as a `urn:`), which has no
/// well-known location.
pub fn protected_resource_metadata_url(resource: &Url) -> Option<Url> {
    if resource.cannot_be_a_base() || resource.host().is_none() {
        return None;
    }
    let mut url = resource.clone();
    let path = match resource.path() {
        "/" | "" => PROTECTED_RESOURCE_METADATA_SUFFIX.to_owned(),
        path => format!("{PROTECTED_RESOURCE_METADATA_SUFFIX}{path}"),
    };
    url.set_path(&path);
    url.set_fragment(None);
    Some(url)
}

/// Which challenge a refused request gets.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Challenge<'a> {
    /// 401 to a request without a token: only where to find the metadata, no `error` (RFC 6750
    /// §3.1 says a request that did not try to authenticate gets no error code).
    NoToken,
    /// 401 to a request whose token was refused.
    InvalidToken(&'a TokenRejection),
    /// 403 to a request whose token is valid but lacks a scope; lists the scopes the request
    /// needs, so that the client can ask for them (step-up authorization).
    InsufficientScope(&'a [String]),
}

/// The `WWW-Authenticate` header value for a refused request.
///
/// It always carries `resource_metadata` (RFC 9728 §5.1), which is how an MCP client discovers
/// the authorization server. Quoted values contain only the characters RFC 6750 allows; anything
/// else is dropped, never escaped into something a client would misparse.
///
/// ```
/// use matomo_privacy_mcp_server::{Challenge, TokenRejection, www_authenticate};
///
/// let metadata = url::Url::parse("https://mcp.example/.well-known/oauth-protected-resource/mcp")?;
/// assert_eq!(
///     www_authenticate(&metadata, Challenge::InvalidToken(&TokenRejection::Expired)),
///     "Bearer resource_metadata=\"https://mcp.example/.well-known/oauth-protected-resource/mcp\", \
///      error=\"invalid_token\", error_description=\"the access token has expired\"",
/// );
/// # Ok::<(), url::ParseError>(())
/// ```
pub fn www_authenticate(resource_metadata: &Url, challenge: Challenge<'_>) -> String {
    let mut value = format!(
        "Bearer resource_metadata=\"{}\"",
        quotable(resource_metadata.as_str())
    );
    match challenge {
        Challenge::NoToken => {}
        Challenge::InvalidToken(rejection) => {
            value.push_str(&format!(
                ", error=\"{}\", error_description=\"{}\"",
                rejection.error_code(),
                quotable(&rejection.description())
            ));
        }
        Challenge::InsufficientScope(scopes) => {
            let scopes: Vec<String> = scopes
                .iter()
                .map(|scope| quotable(scope).replace(' ', ""))
                .filter(|scope| !scope.is_empty())
                .collect();
            value.push_str(&format!(
                ", error=\"insufficient_scope\", scope=\"{}\", error_description=\"{}\"",
                scopes.join(" "),
                "the access token lacks a scope this request needs"
            ));
        }
    }
    value
}

/// `text` without the characters a quoted challenge value may not hold (RFC 6750 §3: `"`, `\`,
/// controls, non-ASCII).
fn quotable(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, ' '..='~') && *c != '"' && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn metadata_url_inserts_the_suffix_before_the_path() {
        let cases = [
            (
                "https://mcp.example/mcp",
                "https://mcp.example/.well-known/oauth-protected-resource/mcp",
            ),
            (
                "https://mcp.example",
                "https://mcp.example/.well-known/oauth-protected-resource",
            ),
            (
                "http://127.0.0.1:8080/a/b/",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource/a/b/",
            ),
            (
                "https://mcp.example/mcp?x=1#f",
                "https://mcp.example/.well-known/oauth-protected-resource/mcp?x=1",
            ),
        ];
        for (resource, expected) in cases {
            assert_eq!(
                protected_resource_metadata_url(&url(resource))
                    .unwrap()
                    .as_str(),
                expected
            );
        }
        assert_eq!(
            protected_resource_metadata_url(&url("urn:example:mcp")),
            None
        );
    }

    #[test]
    fn quoted_values_hold_only_allowed_characters() {
        assert_eq!(quotable("a\"b\\c\u{7}d\u{e9}e f~"), "abcde f~");
        let scopes = ["read".to_owned(), "bad\"scope".to_owned(), " ".to_owned()];
        let metadata = url("https://mcp.example/.well-known/oauth-protected-resource");
        assert_eq!(
            www_authenticate(&metadata, Challenge::InsufficientScope(&scopes)),
            "Bearer resource_metadata=\"https://mcp.example/.well-known/oauth-protected-resource\", \
             error=\"insufficient_scope\", scope=\"read badscope\", \
             error_description=\"the access token lacks a scope this request needs\""
        );
    }
}
