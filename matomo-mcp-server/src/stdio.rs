//! The stdio transport: one MCP session over the process's stdin and stdout.

use std::sync::Arc;

use matomo_mcp_core::Toolbox;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::rmcp_adapter::{self, McpAdapter};
use crate::{ServeError, ServerInfo};

/// Serves `toolbox` to the MCP client that started this process, over stdin
/// and stdout, until the client closes stdin.
///
/// Stdout carries protocol messages only: nothing in this crate prints, and
/// logs belong on stderr (see [`log_to_stderr`](crate::log_to_stderr)). A
/// program must not print to stdout itself while this runs.
pub async fn serve_stdio<S: Send + Sync + 'static>(
    toolbox: impl Into<Arc<Toolbox<S>>>,
    info: ServerInfo,
) -> Result<(), ServeError> {
    serve_io(toolbox, info, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves `toolbox` over any byte stream pair (newline-delimited JSON-RPC),
/// for example a socket or, in tests, an in-memory pipe.
pub async fn serve_io<S, R, W>(
    toolbox: impl Into<Arc<Toolbox<S>>>,
    info: ServerInfo,
    reader: R,
    writer: W,
) -> Result<(), ServeError>
where
    S: Send + Sync + 'static,
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let adapter = McpAdapter::new(toolbox.into(), &info)?;
    tracing::info!(server = %info.name, version = %info.version, "serving MCP over stdio");
    rmcp_adapter::serve_io(adapter, reader, writer).await
}
