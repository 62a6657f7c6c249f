//! The only file that speaks `rmcp`: a hand-written `ServerHandler` over a [`Toolbox`],
//! and the two transports built from it.
//!
//! Everything rmcp-specific lives here so that an rmcp major release (three in
//! 2026 alone) touches this file and nothing else. The rest of the crate hands
//! in our own types and gets back plain tokio/axum values.

use std::sync::Arc;
use std::time::Duration;

use matomo_privacy_mcp_core::audit::{CallOrigin, ClientInfo};
use matomo_privacy_mcp_core::{DispatchError, ToolDescriptor, Toolbox};
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorCode,
    Icon, Implementation, ListToolsResult, MetaObject, PaginatedRequestParams, ProtocolVersion,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

use crate::profile::RATE_LIMITED;
use crate::profile::{
    ProfileTools, RateLimiter, Refused, Serving, UNAVAILABLE_MESSAGE, refusal_message,
    retry_after_seconds,
};
use crate::{ServeError, ServerInfo};

/// The longest protocol error text carried into a [`ServeError`]; rmcp's
/// messages can embed a whole JSON-RPC message sent by the client.
const MAX_ERROR_CHARS: usize = 300;

/// Set by the HTTP guard on every request it lets through: the profile the caller
/// authenticated as (an index into the adapter's profiles).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Caller {
    pub(crate) profile: usize,
}

/// One profile as the adapter serves it.
pub(crate) struct ProfileSlot<S> {
    pub(crate) name: Arc<str>,
    pub(crate) tools: ProfileTools<S>,
    pub(crate) limiter: Option<Arc<RateLimiter>>,
}

/// The profiles' toolboxes seen through rmcp's `ServerHandler`: cheap to clone (one per HTTP
/// session). Each request is answered from the toolbox of the caller's profile.
pub(crate) struct McpAdapter<S> {
    profiles: Arc<[ProfileSlot<S>]>,
    config: Arc<ServerConfig>,
}

impl<S> Clone for McpAdapter<S> {
    fn clone(&self) -> Self {
        Self {
            profiles: Arc::clone(&self.profiles),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S: Send + Sync + 'static> McpAdapter<S> {
    /// One profile, named `default`, without a rate limit.
    #[cfg(test)]
    pub(crate) fn single(toolbox: Arc<Toolbox<S>>, info: &ServerInfo) -> Result<Self, ServeError> {
        Self::new(
            vec![ProfileSlot {
                name: "default".into(),
                tools: ProfileTools::from_toolbox(toolbox),
                limiter: None,
            }],
            info,
        )
    }

    /// Converts every listed tool definition once, so that a definition rmcp
    /// cannot carry is found at start-up rather than on the first `tools/list`.
    pub(crate) fn new(
        profiles: Vec<ProfileSlot<S>>,
        info: &ServerInfo,
    ) -> Result<Self, ServeError> {
        for profile in &profiles {
            if let Serving::Tools(toolbox) = profile.tools.current() {
                toolbox.list().try_for_each(|d| to_rmcp_tool(d).map(drop))?;
            }
        }
        let mut implementation = Implementation::new(info.name.clone(), info.version.clone());
        implementation.title = info.title.clone();
        implementation.description = info.description.clone();
        implementation.website_url = info.website_url.clone();
        implementation.icons = (!info.icons.is_empty()).then(|| {
            info.icons
                .iter()
                .map(|icon| {
                    let mut out = Icon::new(icon.src.clone());
                    if let Some(mime_type) = &icon.mime_type {
                        out = out.with_mime_type(mime_type.clone());
                    }
                    if !icon.sizes.is_empty() {
                        out = out.with_sizes(icon.sizes.clone());
                    }
                    out
                })
                .collect()
        });
        let mut config = ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation);
        config.instructions = info.instructions.clone();
        Ok(Self {
            profiles: profiles.into(),
            config: Arc::new(config),
        })
    }

    /// The caller's profile: the one the HTTP guard authenticated, or the only one over stdio.
    fn profile(&self, context: &RequestContext<RoleServer>) -> Result<&ProfileSlot<S>, ErrorData> {
        let http = context.extensions.get::<axum::http::request::Parts>();
        let index = match http {
            // Over HTTP the guard always says who is calling; without it, nobody is served.
            Some(parts) => parts
                .extensions
                .get::<Caller>()
                .map(|caller| caller.profile)
                .ok_or_else(|| {
                    ErrorData::new(
                        ErrorCode::INTERNAL_ERROR,
                        "the caller is not authenticated",
                        None,
                    )
                })?,
            None => 0,
        };
        self.profiles.get(index).ok_or_else(|| {
            ErrorData::new(
                ErrorCode::INTERNAL_ERROR,
                "the caller's profile is gone",
                None,
            )
        })
    }
}

/// The toolbox a profile serves now, or the JSON-RPC error saying why it serves none.
fn serving<S>(profile: &ProfileSlot<S>) -> Result<Arc<Toolbox<S>>, ErrorData> {
    match profile.tools.current() {
        Serving::Tools(toolbox) => Ok(toolbox),
        Serving::Suspended(reason) => Err(ErrorData::new(
            ErrorCode(SUSPENDED),
            format!("profile `{}` serves no tools now: {reason}", profile.name),
            None,
        )),
    }
}

/// The JSON-RPC error code of a request to a suspended profile.
const SUSPENDED: i32 = -32030;

/// Our descriptor already serialises to the MCP tool JSON; going through that
/// JSON keeps title, annotations, outputSchema and `_meta` exactly as written.
fn to_rmcp_tool(descriptor: &ToolDescriptor) -> Result<Tool, ServeError> {
    let definition_error = |reason: String| ServeError::ToolDefinition {
        name: descriptor.name().to_owned(),
        reason,
    };
    let json = serde_json::to_value(descriptor).map_err(|e| definition_error(e.to_string()))?;
    serde_json::from_value(json).map_err(|e| definition_error(e.to_string()))
}

fn call_origin(context: &RequestContext<RoleServer>, profile: &str) -> CallOrigin {
    CallOrigin {
        request_id: context.id.to_string(),
        client: context.client_info().map(|client| ClientInfo {
            name: client.name,
            version: client.version,
        }),
        profile: Some(profile.to_owned()),
    }
}

fn to_rmcp_result(result: matomo_privacy_mcp_core::CallToolResult) -> CallToolResult {
    let meta = result.meta().cloned();
    let (text, structured, is_error) = result.into_parts();
    let content = vec![ContentBlock::text(text)];
    let mut converted = if is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    };
    converted.structured_content = structured;
    converted.meta = meta.map(MetaObject);
    converted
}

fn to_rmcp_error(error: &DispatchError) -> ErrorData {
    ErrorData::new(ErrorCode(error.json_rpc_code()), error.to_string(), None)
}

impl<S: Send + Sync + 'static> ServerHandler for McpAdapter<S> {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::clone(&self.config)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let toolbox = serving(self.profile(&context)?)?;
        let tools = toolbox
            .list()
            .map(to_rmcp_tool)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ErrorData::new(ErrorCode::INTERNAL_ERROR, e.to_string(), None))?;
        let mut result = ListToolsResult::with_all_items(tools);
        // What a deployment exposes is its own business: no shared caches.
        // Only protocol versions with cache scopes carry the field.
        let has_cache_scopes = context
            .protocol_version()
            .is_some_and(|version| version.as_str() >= ProtocolVersion::V_2026_07_28.as_str());
        if has_cache_scopes {
            result.cache_scope = Some(CacheScope::Private);
        }
        Ok(result)
    }

    /// A tool's definition for rmcp's header checks, which have no caller: a tool's schema is
    /// the same in every profile that has it, and says nothing about the data.
    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.profiles
            .iter()
            .find_map(|profile| match profile.tools.current() {
                Serving::Tools(toolbox) => {
                    toolbox.descriptor(name).and_then(|d| to_rmcp_tool(d).ok())
                }
                Serving::Suspended(_) => None,
            })
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let profile = self.profile(&context)?;
        let toolbox = serving(profile)?;
        // Over HTTP the guard has counted the call already (and answered 429 over the limit).
        let over_http = context
            .extensions
            .get::<axum::http::request::Parts>()
            .is_some();
        if !over_http
            && let Some(limiter) = &profile.limiter
            && let Err(refused) = limiter.take().await
        {
            let (message, seconds) = match refused {
                Refused::Wait(wait) => {
                    let seconds = retry_after_seconds(wait);
                    (refusal_message(limiter.limit(), seconds), seconds)
                }
                Refused::Unavailable => (UNAVAILABLE_MESSAGE.to_owned(), 1),
            };
            return Err(ErrorData::new(
                ErrorCode(RATE_LIMITED),
                message,
                Some(serde_json::json!({ "retry_after_seconds": seconds })),
            ));
        }
        let origin = call_origin(&context, &profile.name);
        let arguments = request.arguments.map(Value::Object);
        match toolbox.call_with(&request.name, arguments, &origin).await {
            Ok(result) => Ok(to_rmcp_result(result).into()),
            Err(error) => Err(to_rmcp_error(&error)),
        }
    }
}

fn bounded(message: String) -> String {
    match message.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    }
}

/// Serves one MCP session over a byte stream pair until the client closes it.
pub(crate) async fn serve_io<S: Send + Sync + 'static>(
    adapter: McpAdapter<S>,
    reader: impl AsyncRead + Send + Unpin + 'static,
    writer: impl AsyncWrite + Send + Unpin + 'static,
) -> Result<(), ServeError> {
    let running = match adapter.serve((reader, writer)).await {
        Ok(running) => running,
        // A client that goes away before initializing ends the session; it is not a server fault.
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(error) => return Err(ServeError::Protocol(bounded(error.to_string()))),
    };
    running
        .waiting()
        .await
        .map(drop)
        .map_err(|error| ServeError::Protocol(bounded(error.to_string())))
}

/// The MCP sessions rmcp holds open, seen from the HTTP layer: only their number.
#[derive(Clone)]
pub(crate) struct SessionRegistry(Arc<LocalSessionManager>);

impl SessionRegistry {
    /// Sessions open now. A session leaves the registry when its client
    /// deletes it, when it stays idle too long, or when the server stops.
    pub(crate) async fn live(&self) -> usize {
        self.0.sessions.read().await.len()
    }

    /// Whether the session with this id is open.
    pub(crate) async fn is_open(&self, id: &str) -> bool {
        self.0
            .sessions
            .read()
            .await
            .keys()
            .any(|open| AsRef::<str>::as_ref(open) == id)
    }
}

/// rmcp's Streamable HTTP endpoint as an axum router serving `path`, and the
/// registry of its sessions.
///
/// Origin and Host checks are off here: the crate's own guard does them
/// (with its own allow-lists and status codes) before a request gets this far.
/// The body limit is kept as a second line behind the guard's, which reads
/// bodies before they get here. A session unused for `idle_timeout` is closed.
pub(crate) fn streamable_http_router<S: Send + Sync + 'static>(
    adapter: McpAdapter<S>,
    path: &str,
    max_body_bytes: usize,
    idle_timeout: Duration,
    cancel: CancellationToken,
) -> (axum::Router, SessionRegistry) {
    // A stateless (2026-07-28) request whose handler answers with the result alone gets it as
    // a plain JSON body rather than a one-event stream: less framing for both sides. (rmcp
    // falls back to a stream when a handler sends anything before its result; requests in a
    // 2025 session are always answered on a stream.)
    let config = StreamableHttpServerConfig::default()
        .with_json_response(true)
        .disable_allowed_hosts()
        .disable_allowed_origins()
        .with_max_request_body_bytes(max_body_bytes)
        .with_cancellation_token(cancel);
    let mut sessions = LocalSessionManager::default();
    sessions.session_config.keep_alive = Some(idle_timeout);
    let sessions = Arc::new(sessions);
    let service =
        StreamableHttpService::new(move || Ok(adapter.clone()), Arc::clone(&sessions), config);
    (
        axum::Router::new().route_service(path, service),
        SessionRegistry(sessions),
    )
}

/// The names rmcp may use for a server when none is set; ours must never be one of them.
#[cfg(test)]
const RMCP_DEFAULT_NAMES: [&str; 2] = ["rmcp", "rmcp-server"];

#[cfg(test)]
mod tests {
    use super::*;
    use matomo_privacy_mcp_core::Toolbox;

    #[test]
    fn server_info_is_ours() {
        let adapter = McpAdapter::single(Arc::new(Toolbox::new()), &ServerInfo::default()).unwrap();
        let info = adapter.get_info();
        assert_eq!(info.server_info.name, "matomo-privacy-mcp-server");
        assert_eq!(info.server_info.version, env!("CARGO_PKG_VERSION"));
        assert!(!RMCP_DEFAULT_NAMES.contains(&info.server_info.name.as_str()));
        assert!(info.capabilities.tools.is_some());
    }

    #[test]
    fn long_protocol_errors_are_cut() {
        let message = bounded("x".repeat(10_000));
        assert!(message.chars().count() <= MAX_ERROR_CHARS + 1);
        let short = bounded("short".to_owned());
        assert_eq!(short, "short");
    }
}
