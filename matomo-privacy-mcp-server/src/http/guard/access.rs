//! Who is calling: the bearer token or OAuth access token a request presents, and the
//! protected-resource metadata served to anyone.

use axum::extract::Request;
use axum::http::{Method, StatusCode};

use crate::http::oauth::{Challenge, PROTECTED_RESOURCE_METADATA_SUFFIX, www_authenticate};

use super::*;

impl Guard {
    /// The profile the request's credential belongs to: a bearer token of a profile, or, in
    /// OAuth mode, a valid access token matching a profile's rules.
    pub(super) async fn authenticate(&self, presented: Option<Vec<u8>>) -> Result<usize, Refusal> {
        let Some(token) = presented else {
            return Err(Refusal {
                challenge: self
                    .oauth
                    .as_ref()
                    .map(|oauth| www_authenticate(&oauth.metadata_url, Challenge::NoToken)),
                ..Refusal::new(
                    StatusCode::UNAUTHORIZED,
                    "no bearer token",
                    "Unauthorized: send `Authorization: Bearer <token>` with a token from the server's configuration",
                )
            });
        };
        if let Some(profile) = self.credentials.profile_of(&token) {
            return Ok(profile);
        }
        let wrong = Refusal::new(
            StatusCode::UNAUTHORIZED,
            "wrong bearer token",
            "Unauthorized: the bearer token is not accepted",
        );
        let Some(oauth) = &self.oauth else {
            return Err(wrong);
        };
        let Ok(text) = std::str::from_utf8(&token) else {
            return Err(wrong);
        };
        let claims = match oauth.validator.validate(text).await {
            Ok(claims) => claims,
            Err(rejection) if !rejection.is_token_fault() => {
                return Err(Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the authorization server's keys are out of reach",
                    "Service Unavailable: the access token cannot be checked now (the authorization server's keys are out of reach); retry shortly",
                ));
            }
            Err(rejection) => {
                tracing::debug!(reason = %rejection.description(), "access token refused");
                return Err(Refusal {
                    challenge: Some(www_authenticate(
                        &oauth.metadata_url,
                        Challenge::InvalidToken(&rejection),
                    )),
                    ..Refusal::new(
                        StatusCode::UNAUTHORIZED,
                        "access token refused",
                        "Unauthorized: the access token is not accepted",
                    )
                });
            }
        };
        let scopes = || claims.scopes.iter().map(String::as_str);
        let matching = self.oauth_rules.iter().position(|rules| {
            rules.iter().any(|rule| {
                rule.matches(
                    scopes(),
                    claims.client_id.as_deref(),
                    claims.subject.as_deref(),
                )
            })
        });
        matching.ok_or_else(|| Refusal {
            challenge: Some(www_authenticate(
                &oauth.metadata_url,
                Challenge::InsufficientScope(&oauth.scopes),
            )),
            ..Refusal::new(
                StatusCode::FORBIDDEN,
                "access token matches no profile",
                "Forbidden: the access token is valid but has no scope this server grants",
            )
        })
    }

    /// Whether this is a request for the Protected Resource Metadata, which needs no credential.
    pub(super) fn is_metadata_request(&self, request: &Request) -> bool {
        self.oauth.as_ref().is_some_and(|oauth| {
            let path = request.uri().path();
            request.method() == Method::GET
                && (path == oauth.metadata_path || path == PROTECTED_RESOURCE_METADATA_SUFFIX)
        })
    }
}
