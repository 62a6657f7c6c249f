//! MCP sessions at the HTTP edge: which profile owns each, that a deleted one is gone, and
//! the answer a deletion gets.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::Response;

use super::*;

impl Guard {
    /// A session opened by another profile is, for this caller, a session that does not exist.
    pub(super) fn check_session_owner(&self, session: &str, profile: usize) -> Result<(), Refusal> {
        let owners = self
            .owners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match owners.get(session) {
            Some(&owner) if owner != profile => Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "session of another profile",
                "Not Found: no such session",
            )),
            _ => Ok(()),
        }
    }

    /// Remembers which profile opened the session this `initialize` answer names, forgetting
    /// sessions that have closed once the map grows past the session cap.
    pub(super) async fn record_owner(&self, id: String, profile: usize) {
        let stale = {
            let mut owners = self
                .owners
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            owners.insert(id, profile);
            (owners.len() > self.max_sessions).then(|| owners.keys().cloned().collect::<Vec<_>>())
        };
        if let Some(known) = stale {
            let mut closed = Vec::new();
            for id in known {
                if !self.sessions.is_open(&id).await {
                    closed.push(id);
                }
            }
            let mut owners = self
                .owners
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for id in closed {
                owners.remove(&id);
            }
        }
    }

    /// A DELETE of a session that is not open (deleted already, expired, never there) gets
    /// 404, as the transport specifies, rather than a second 202.
    pub(super) async fn check_session_open(&self, session: Option<&str>) -> Result<(), Refusal> {
        let Some(id) = session else {
            return Ok(());
        };
        if self.sessions.is_open(id).await {
            Ok(())
        } else {
            Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "DELETE of a session that is not open",
                "Not Found: no such session (it was closed already or has expired)",
            ))
        }
    }
}

/// A session that was deleted answers 204 No Content: the session is gone when the answer
/// leaves, and the official Python client takes anything but 200 or 204 for a failure (it
/// warns "Session termination failed: 202" at the end of every session); 202 Accepted would
/// say the deletion is still to happen.
pub(super) fn session_deleted(mut response: Response) -> Response {
    if response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = Body::empty();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}
