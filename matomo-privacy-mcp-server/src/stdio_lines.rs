//! The line discipline in front of the stdio transport: a line that is not JSON gets the
//! JSON-RPC parse error (-32700) the specification asks for, instead of being dropped in
//! silence by the SDK, and every message leaves as one whole line.
//!
//! Memory stays bounded whatever the client sends: a line is kept up to [`MAX_LINE_BYTES`];
//! past that the client gets the parse error at once (not when the line ends, which it may
//! never do) and the rest of the line is read and dropped without being kept.

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    DuplexStream,
};
use tokio::sync::mpsc;

/// The longest line accepted from the client; longer ones are answered with an error and skipped.
const MAX_LINE_BYTES: usize = 4 << 20;

/// What the SDK reads and writes instead of the raw streams, and the tasks that connect them.
pub(crate) struct Filtered {
    /// What the SDK reads: the client's lines that are JSON.
    pub(crate) input: DuplexStream,
    /// What the SDK writes: copied to the real output line by line.
    pub(crate) output: DuplexStream,
}

/// Puts the filter between `reader`/`writer` and the SDK. The tasks end when the client closes
/// its side (the SDK then sees end of input) and the SDK has written its last line.
pub(crate) fn filter<R, W>(reader: R, writer: W) -> Filtered
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    let (input, feed) = tokio::io::duplex(1 << 16);
    let (output, drain) = tokio::io::duplex(1 << 16);
    let (errors, error_lines) = mpsc::channel::<Vec<u8>>(16);
    tokio::spawn(read_lines(reader, feed, errors));
    tokio::spawn(write_lines(drain, error_lines, writer));
    Filtered { input, output }
}

fn parse_error(message: &str) -> Vec<u8> {
    let mut line = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": message }
    })
    .to_string()
    .into_bytes();
    line.push(b'\n');
    line
}

/// Reads past the rest of the current line, keeping nothing but the reader's own buffer;
/// `false` when the input ends first.
async fn skip_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> bool {
    loop {
        let (ended, used) = match reader.fill_buf().await {
            Ok([]) | Err(_) => return false,
            Ok(buf) => match buf.iter().position(|&b| b == b'\n') {
                Some(newline) => (true, newline + 1),
                None => (false, buf.len()),
            },
        };
        reader.consume(used);
        if ended {
            return true;
        }
    }
}

async fn read_lines<R: AsyncRead + Unpin>(
    reader: R,
    mut feed: DuplexStream,
    errors: mpsc::Sender<Vec<u8>>,
) {
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = match (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if read > MAX_LINE_BYTES && !line.ends_with(b"\n") {
            // Say so now: the line may never end. Then drop the rest as it comes.
            let _ = errors
                .send(parse_error(
                    "Parse error: the line is longer than the server accepts (4 MiB); the rest of it is ignored",
                ))
                .await;
            if !skip_line(&mut reader).await {
                break;
            }
            continue;
        }
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        // Validated without building it: rmcp parses the line for real.
        if serde_json::from_slice::<serde::de::IgnoredAny>(text).is_err() {
            let _ = errors
                .send(parse_error("Parse error: the line is not valid JSON"))
                .await;
            continue;
        }
        if feed.write_all(text).await.is_err() || feed.write_all(b"\n").await.is_err() {
            break;
        }
    }
    // End of input for the SDK, which then ends the session.
    let _ = feed.shutdown().await;
}

async fn write_lines<W: AsyncWrite + Unpin>(
    drain: DuplexStream,
    mut error_lines: mpsc::Receiver<Vec<u8>>,
    mut writer: W,
) {
    let mut drain = BufReader::new(drain);
    let mut line = Vec::new();
    let mut errors_open = true;
    loop {
        tokio::select! {
            // Cancel-safe: a line read in part stays in `line` and is read on next time round;
            // only whole lines reach the writer, so an error line never lands inside one.
            read = drain.read_until(b'\n', &mut line) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if writer.write_all(&line).await.is_err() || writer.flush().await.is_err() {
                    break;
                }
                line.clear();
            }
            error = error_lines.recv(), if errors_open => {
                match error {
                    Some(error) => {
                        if writer.write_all(&error).await.is_err() || writer.flush().await.is_err() {
                            break;
                        }
                    }
                    None => errors_open = false,
                }
            }
        }
    }
    let _ = writer.shutdown().await;
}
