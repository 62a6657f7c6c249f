//! Just enough HTTP for the fixture to talk to a Matomo on 127.0.0.1: one `POST` per connection,
//! HTTP/1.0 so that the answer is neither chunked nor kept alive (the body ends where the
//! connection does). The fixture runs once per test run, before any client under test, so it
//! needs no HTTP library of its own; tokens travel in the body only, never in a URL.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Archiving a segment over a fortnight from raw visits takes seconds; the bulk tracking request
/// of the whole dataset takes tens of seconds on a slow machine.
const TIMEOUT: Duration = Duration::from_secs(600);

/// A Matomo answer: the HTTP status and the body as text.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
}

/// `POST http://127.0.0.1:{port}{path}` with `body` of `content_type`.
pub(crate) fn post(
    port: u16,
    path: &str,
    content_type: &str,
    body: &str,
) -> std::io::Result<Answer> {
    post_as(port, &format!("127.0.0.1:{port}"), path, content_type, body)
}

/// As [`post`], with another `Host` header: Matomo reads `config/{host}.config.ini.php` instead
/// of `config.ini.php` when that file exists (its configuration per host name).
pub(crate) fn post_as(
    port: u16,
    host: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer");
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(bad)?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(bad)?;
    Ok(Answer {
        status,
        body: body.to_owned(),
    })
}
