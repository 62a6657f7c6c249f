//! The stdio transport: one MCP session over the process's stdin and stdout.

use std::sync::Arc;

use matomo_privacy_mcp_core::Toolbox;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::profile::{Profile, RateLimiter};
use crate::rmcp_adapter::{self, McpAdapter, ProfileSlot};
use crate::{ServeError, ServerInfo};

/// Serves `toolbox` to the MCP client that started this process, over stdin
/// and stdout, until the client closes stdin.
///
/// Stdout carries protocol messages only: nothing in this crate prints, and
/// logs belong on stderr (see [`log_to_stderr`](crate::log_to_stderr)). A
/// program must not print to stdout itself while this runs.
///
/// When stdin and stdout are pipes (as when an MCP client starts the server) they are
/// read and written without blocking, driven by the runtime's I/O reactor; otherwise (a
/// terminal, a file) through tokio's `stdin()` and `stdout()`, which hand every read and
/// write to a blocking thread and back. Like any tokio socket, the pipes need a runtime
/// with I/O enabled (`#[tokio::main]` and `Builder::enable_all` enable it).
pub async fn serve_stdio<S: Send + Sync + 'static>(
    toolbox: impl Into<Arc<Toolbox<S>>>,
    info: ServerInfo,
) -> Result<(), ServeError> {
    serve_stdio_profile(Profile::new("default", toolbox), info).await
}

/// Stdin and stdout as non-blocking pipes, if both are pipes.
///
/// Each hand-off to a blocking thread and back wakes two threads per read or write, which
/// measured about half a millisecond per call on a two-core virtual machine
/// (`matomo-privacy-mcp/benches/stdio_process.rs`).
#[cfg(unix)]
fn reactor_pipes() -> Option<(
    tokio::net::unix::pipe::Receiver,
    tokio::net::unix::pipe::Sender,
)> {
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::FileTypeExt;
    use tokio::net::unix::pipe::{Receiver, Sender};

    // Duplicates of the descriptors: the pipes own them and close them when done.
    let stdin = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let stdout = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    // Both must be pipes before either is switched to non-blocking mode: that mode belongs to
    // the open file, and the blocking fallback could not read a non-blocking stdin.
    let is_pipe = |fd: &OwnedFd| {
        fd.try_clone()
            .map(std::fs::File::from)
            .and_then(|file| file.metadata())
            .is_ok_and(|metadata| metadata.file_type().is_fifo())
    };
    if !is_pipe(&stdin) || !is_pipe(&stdout) {
        return None;
    }
    let reader = Receiver::from_owned_fd(stdin).ok()?;
    match Sender::from_owned_fd(stdout) {
        Ok(writer) => Some((reader, writer)),
        Err(_) => {
            // Back to blocking mode for the fallback.
            drop(reader.into_blocking_fd());
            None
        }
    }
}

/// Serves `toolbox` over any byte stream pair (newline-delimited JSON-RPC),
/// for example a socket or, in tests, an in-memory pipe.
pub async fn serve_io<S: Send + Sync + 'static>(
    toolbox: impl Into<Arc<Toolbox<S>>>,
    info: ServerInfo,
    reader: impl AsyncRead + Send + Unpin + 'static,
    writer: impl AsyncWrite + Send + Unpin + 'static,
) -> Result<(), ServeError> {
    serve_profile_io(Profile::new("default", toolbox), info, reader, writer).await
}

/// [`serve_stdio`] for one client profile: its toolbox (which may be replaced or suspended
/// while serving) and its rate limit, answered over the limit with a JSON-RPC error saying when
/// to retry. The audit log names the profile.
pub async fn serve_stdio_profile<S: Send + Sync + 'static>(
    profile: Profile<S>,
    info: ServerInfo,
) -> Result<(), ServeError> {
    #[cfg(unix)]
    if let Some((reader, writer)) = reactor_pipes() {
        return serve_profile_io(profile, info, reader, writer).await;
    }
    serve_profile_io(profile, info, tokio::io::stdin(), tokio::io::stdout()).await
}

/// [`serve_io`] for one client profile (see [`serve_stdio_profile`]).
pub async fn serve_profile_io<S: Send + Sync + 'static>(
    profile: Profile<S>,
    info: ServerInfo,
    reader: impl AsyncRead + Send + Unpin + 'static,
    writer: impl AsyncWrite + Send + Unpin + 'static,
) -> Result<(), ServeError> {
    let slot = ProfileSlot {
        name: profile.name,
        tools: profile.tools,
        limiter: profile
            .rate_limit
            .map(|limit| Arc::new(RateLimiter::new(limit))),
    };
    let adapter = McpAdapter::new(vec![slot], &info)?;
    tracing::info!(server = %info.name, version = %info.version, "serving MCP over stdio");
    let filtered = crate::stdio_lines::filter(reader, writer);
    rmcp_adapter::serve_io(adapter, filtered.input, filtered.output).await
}
