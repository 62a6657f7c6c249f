//! The claims of a verified access token: checked against the configuration, then kept.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::TokenRejection;

/// What a verified access token says about its bearer, for authorization decisions.
///
/// `Debug` hides [`subject`](Self::subject) and [`client_id`](Self::client_id), which identify
/// people or their software, so that logging a request's claims stays privacy-minimised.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessClaims {
    /// `sub`: the resource owner (absent in client-credentials tokens from many servers).
    pub subject: Option<String>,
    /// `client_id` (RFC 9068), else `azp` (OpenID Connect): the client the token was issued to.
    pub client_id: Option<String>,
    /// The granted scopes: `scope` (a space-separated string, RFC 9068), else `scp` (an array,
    /// as some servers send it; a space-separated string there is accepted too).
    pub scopes: BTreeSet<String>,
    /// `exp`, in seconds since the Unix epoch.
    pub expires_at: u64,
}

impl AccessClaims {
    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// The scopes of `required` the token does not grant, in the order given; empty when all are
    /// granted. A non-empty answer is a 403 `insufficient_scope`.
    pub fn missing_scopes<'a, S: AsRef<str>>(&self, required: &'a [S]) -> Vec<&'a str> {
        required
            .iter()
            .map(AsRef::as_ref)
            .filter(|scope| !self.has_scope(scope))
            .collect()
    }
}

impl std::fmt::Debug for AccessClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |present: bool| if present { "Some(<redacted>)" } else { "None" };
        f.debug_struct("AccessClaims")
            .field(
                "subject",
                &format_args!("{}", redacted(self.subject.is_some())),
            )
            .field(
                "client_id",
                &format_args!("{}", redacted(self.client_id.is_some())),
            )
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What the claims must match.
pub(super) struct Expected<'a> {
    pub(super) issuer: &'a str,
    pub(super) resource: &'a str,
    pub(super) leeway: u64,
}

/// Checks the claims of a token whose signature verified; `now` in seconds since the epoch.
///
/// The order of the checks decides which reason a token failing several gets: who issued it,
/// for whom, then when.
pub(super) fn check_claims(
    claims: &Map<String, Value>,
    expected: &Expected<'_>,
    now: u64,
) -> Result<AccessClaims, TokenRejection> {
    let issuer = string_claim(claims, "iss")?.ok_or(TokenRejection::MissingClaim("iss"))?;
    if issuer != expected.issuer {
        return Err(TokenRejection::WrongIssuer);
    }
    if !audience_contains(claims, expected.resource)? {
        return Err(TokenRejection::WrongAudience);
    }
    let expires_at = numeric_date(claims, "exp")?.ok_or(TokenRejection::MissingClaim("exp"))?;
    if expires_at.saturating_add(expected.leeway) < now {
        return Err(TokenRejection::Expired);
    }
    if let Some(not_before) = numeric_date(claims, "nbf")?
        && not_before > now.saturating_add(expected.leeway)
    {
        return Err(TokenRejection::NotYetValid);
    }
    let scopes = match claims.get("scope") {
        Some(scope) => scope_set(scope, "`scope` is neither a string nor an array of strings")?,
        None => match claims.get("scp") {
            Some(scp) => scope_set(scp, "`scp` is neither an array of strings nor a string")?,
            None => BTreeSet::new(),
        },
    };
    let client_id = match string_claim(claims, "client_id")? {
        Some(client_id) => Some(client_id),
        None => string_claim(claims, "azp")?,
    };
    Ok(AccessClaims {
        subject: string_claim(claims, "sub")?.map(str::to_owned),
        client_id: client_id.map(str::to_owned),
        scopes,
        expires_at,
    })
}

/// A string claim, `None` when absent; any other JSON type is malformed.
fn string_claim<'a>(
    claims: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, TokenRejection> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(TokenRejection::Malformed(match name {
            "iss" => "`iss` is not a string",
            "sub" => "`sub` is not a string",
            "client_id" => "`client_id` is not a string",
            "azp" => "`azp` is not a string",
            _ => "a claim is not a string",
        })),
    }
}

/// Whether `aud` (a string or an array of strings, RFC 7519 §4.1.3) contains `resource`.
fn audience_contains(claims: &Map<String, Value>, resource: &str) -> Result<bool, TokenRejection> {
    const MALFORMED: TokenRejection =
        TokenRejection::Malformed("`aud` is neither a string nor an array of strings");
    match claims.get("aud") {
        None => Err(TokenRejection::MissingClaim("aud")),
        Some(Value::String(audience)) => Ok(audience == resource),
        Some(Value::Array(audiences)) => {
            let mut found = false;
            for audience in audiences {
                match audience {
                    Value::String(audience) => found |= audience == resource,
                    _ => return Err(MALFORMED),
                }
            }
            Ok(found)
        }
        Some(_) => Err(MALFORMED),
    }
}

/// A NumericDate claim (RFC 7519 §2: seconds, possibly fractional), `None` when absent.
fn numeric_date(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<u64>, TokenRejection> {
    let malformed = TokenRejection::Malformed(match name {
        "exp" => "`exp` is not a non-negative number of seconds",
        "nbf" => "`nbf` is not a non-negative number of seconds",
        _ => "a date claim is not a non-negative number of seconds",
    });
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let Value::Number(number) = value else {
        return Err(malformed);
    };
    if let Some(seconds) = number.as_u64() {
        return Ok(Some(seconds));
    }
    match number.as_f64() {
        // Whole seconds are enough; the range is checked before the cast.
        Some(seconds) if (0.0..1.8e19).contains(&seconds) => Ok(Some(seconds.floor() as u64)),
        _ => Err(malformed),
    }
}

/// Scopes from a space-separated string or an array of strings.
fn scope_set(value: &Value, malformed: &'static str) -> Result<BTreeSet<String>, TokenRejection> {
    match value {
        Value::String(scopes) => Ok(scopes
            .split(' ')
            .filter(|scope| !scope.is_empty())
            .map(str::to_owned)
            .collect()),
        Value::Array(scopes) => scopes
            .iter()
            .map(|scope| match scope {
                Value::String(scope) if !scope.is_empty() => Ok(scope.clone()),
                _ => Err(TokenRejection::Malformed(malformed)),
            })
            .collect(),
        _ => Err(TokenRejection::Malformed(malformed)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NOW: u64 = 1_800_000_000;
    const EXPECTED: Expected<'static> = Expected {
        issuer: "https://as.example",
        resource: "https://mcp.example/mcp",
        leeway: 60,
    };

    fn check(claims: Value) -> Result<AccessClaims, TokenRejection> {
        let Value::Object(claims) = claims else {
            panic!("claims must be an object")
        };
        check_claims(&claims, &EXPECTED, NOW)
    }

    fn valid() -> Value {
        json!({
            "iss": "https://as.example",
            "aud": "https://mcp.example/mcp",
            "exp": NOW + 600,
            "sub": "user-1",
            "client_id": "client-1",
            "scope": "matomo:read  matomo:admin",
        })
    }

    fn with(key: &str, value: Value) -> Value {
        let mut claims = valid();
        claims[key] = value;
        claims
    }

    /// Whether `claims` are refused as malformed.
    fn is_malformed(claims: Value) -> bool {
        matches!(check(claims), Err(TokenRejection::Malformed(_)))
    }

    fn without(key: &str) -> Value {
        let mut claims = valid();
        claims.as_object_mut().unwrap().remove(key);
        claims
    }

    #[test]
    fn a_valid_token_yields_its_claims() {
        let claims = check(valid()).unwrap();
        assert_eq!(claims.subject.as_deref(), Some("user-1"));
        assert_eq!(claims.client_id.as_deref(), Some("client-1"));
        assert_eq!(
            claims.scopes,
            BTreeSet::from(["matomo:admin".to_owned(), "matomo:read".to_owned()])
        );
        assert_eq!(claims.expires_at, NOW + 600);
        assert!(claims.has_scope("matomo:read"));
        assert!(!claims.has_scope("matomo"));
        assert_eq!(
            claims.missing_scopes(&["matomo:read", "matomo:write"]),
            ["matomo:write"]
        );
    }

    #[test]
    fn debug_hides_who_the_token_is_for() {
        let debug = format!("{:?}", check(valid()).unwrap());
        assert!(
            !debug.contains("user-1") && !debug.contains("client-1"),
            "{debug}"
        );
        assert!(debug.contains("Some(<redacted>)") && debug.contains("matomo:read"));
    }

    #[test]
    fn audience_is_a_string_or_an_array_containing_the_resource() {
        let ok = ["https://mcp.example/mcp"];
        assert!(check(with("aud", json!(ok))).is_ok());
        assert!(check(with("aud", json!(["other", "https://mcp.example/mcp"]))).is_ok());
        for wrong in [
            json!("https://mcp.example/mcp/"),
            json!("https://mcp.example"),
            json!(["other"]),
            json!([]),
        ] {
            assert_eq!(
                check(with("aud", wrong.clone())),
                Err(TokenRejection::WrongAudience),
                "{wrong}"
            );
        }
        for malformed in [json!(1), json!(["https://mcp.example/mcp", 2]), json!(null)] {
            assert!(is_malformed(with("aud", malformed.clone())), "{malformed}");
        }
        assert_eq!(
            check(without("aud")),
            Err(TokenRejection::MissingClaim("aud"))
        );
    }

    #[test]
    fn issuer_must_match_exactly() {
        for wrong in [
            "https://as.example/",
            "https://AS.example",
            "https://as.example/x",
        ] {
            assert_eq!(
                check(with("iss", json!(wrong))),
                Err(TokenRejection::WrongIssuer),
                "{wrong}"
            );
        }
        assert!(is_malformed(with("iss", json!(["https://as.example"]))));
        assert_eq!(
            check(without("iss")),
            Err(TokenRejection::MissingClaim("iss"))
        );
    }

    #[test]
    fn expiry_and_not_before_honour_the_leeway() {
        assert!(check(with("exp", json!(NOW - 60))).is_ok());
        assert_eq!(
            check(with("exp", json!(NOW - 61))),
            Err(TokenRejection::Expired)
        );
        assert_eq!(check(with("exp", json!(0))), Err(TokenRejection::Expired));
        assert!(check(with("exp", json!(u64::MAX))).is_ok());
        assert_eq!(
            check(with("exp", json!((NOW + 10) as f64 + 0.5)))
                .unwrap()
                .expires_at,
            NOW + 10
        );
        assert!(check(with("nbf", json!(NOW + 60))).is_ok());
        assert_eq!(
            check(with("nbf", json!(NOW + 61))),
            Err(TokenRejection::NotYetValid)
        );
        assert!(check(with("nbf", json!(NOW - 1000))).is_ok());
        assert_eq!(
            check(without("exp")),
            Err(TokenRejection::MissingClaim("exp"))
        );
        for malformed in [
            json!(-1),
            json!("1800000000"),
            json!(1e300),
            json!(null),
            json!(-0.5),
        ] {
            assert!(is_malformed(with("exp", malformed.clone())), "{malformed}");
            assert!(is_malformed(with("nbf", malformed.clone())), "{malformed}");
        }
    }

    #[test]
    fn scopes_come_from_scope_else_scp() {
        let scopes = |claims| {
            check(claims)
                .unwrap()
                .scopes
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(scopes(with("scope", json!(""))), Vec::<String>::new());
        assert_eq!(scopes(without("scope")), Vec::<String>::new());
        let mut claims = without("scope");
        claims["scp"] = json!(["b", "a"]);
        assert_eq!(scopes(claims.clone()), ["a", "b"]);
        claims["scp"] = json!("c d");
        assert_eq!(scopes(claims.clone()), ["c", "d"]);
        claims["scope"] = json!("e");
        assert_eq!(scopes(claims.clone()), ["e"], "scope wins over scp");
        for malformed in [json!(1), json!(["a", 1]), json!([""]), json!({"a": 1})] {
            let mut claims = without("scope");
            claims["scp"] = malformed.clone();
            assert!(is_malformed(claims), "{malformed}");
            assert!(
                is_malformed(with("scope", malformed.clone())),
                "{malformed}"
            );
        }
    }

    #[test]
    fn client_id_comes_from_client_id_else_azp() {
        let mut claims = without("client_id");
        assert_eq!(check(claims.clone()).unwrap().client_id, None);
        claims["azp"] = json!("from-azp");
        assert_eq!(
            check(claims.clone()).unwrap().client_id.as_deref(),
            Some("from-azp")
        );
        claims["client_id"] = json!("from-client-id");
        assert_eq!(
            check(claims).unwrap().client_id.as_deref(),
            Some("from-client-id")
        );
        assert!(is_malformed(with("client_id", json!(7))));
        assert!(is_malformed(with("sub", json!(7))));
        assert_eq!(check(without("sub")).unwrap().subject, None);
    }

    #[test]
    fn rejections_never_carry_claim_values() {
        let secret = "SECRET-VALUE";
        for claims in [
            with("iss", json!(secret)),
            with("aud", json!(secret)),
            with("aud", json!([secret, 1])),
            with("exp", json!(secret)),
            with("scope", json!([secret, 1])),
        ] {
            let rejection = check(claims).unwrap_err();
            assert!(!rejection.to_string().contains(secret));
            assert!(!rejection.description().contains(secret));
        }
    }
}
