//! Matomo's configuration per host name: for a request whose `Host` is `{host}`, Matomo reads
//! `config/{host}.config.ini.php` instead of `config.ini.php` when that file exists. A test
//! changes a setting for its own requests only by writing such a file for a host name nothing
//! else uses and naming that host (directly, or through [`RealMatomo::as_host`]): every other
//! request reads the ordinary configuration, so nothing global changes and no other test races.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;

use super::RealMatomo;
use super::setup::Failure;

/// Writes `config/{host}.config.ini.php`: `config.ini.php` as it is now with `settings` (lines
/// of `key = value`) in its `[General]` section. Rewritten on every call, so that it follows
/// the ordinary configuration (database, salt) should that change.
pub(super) fn write(home: &Path, host: &str, settings: &str) -> Result<(), Failure> {
    let folder = home.join("matomo/config");
    let ordinary = folder.join("config.ini.php");
    let text = std::fs::read_to_string(&ordinary).map_err(|e| {
        Failure::Unavailable(format!(
            "cannot read {} ({e}): run the tests as the user who installed Matomo",
            ordinary.display()
        ))
    })?;
    let mut out = String::new();
    let mut placed = false;
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if line.trim() == "[General]" {
            out.push_str(settings);
            placed = true;
        }
    }
    if !placed {
        out.push_str("\n[General]\n");
        out.push_str(settings);
    }
    let path = folder.join(format!("{host}.config.ini.php"));
    let temporary = folder.join(format!(".{host}.config.ini.php.{}", std::process::id()));
    std::fs::write(&temporary, out)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            Failure::Unavailable(format!(
                "cannot write {} ({e}): run the tests as the user who installed Matomo",
                path.display()
            ))
        })
}

impl RealMatomo {
    /// A base URL (`http://127.0.0.1:PORT/`) whose requests reach this Matomo as requests for
    /// `host`, with Matomo's settings `settings` (lines of `key = value` for `[General]`) in force
    /// for them alone: a proxy on 127.0.0.1, kept for the rest of the process, rewrites each
    /// request's `Host` header. For a client that cannot be told a `Host` of its own.
    ///
    /// `Ok(None)` (after one `SKIPPED {test}: …` line) when Matomo's configuration folder cannot
    /// be written and `CI` is not set.
    pub fn as_host(
        &self,
        test: &str,
        host: &str,
        settings: &str,
    ) -> Result<Option<String>, super::RealMatomoError> {
        let outcome = write(&self.home, host, settings).and_then(|()| {
            proxy(self.port, host).map_err(|e| Failure::Broken(format!("proxy for {host}: {e}")))
        });
        match outcome {
            Ok(port) => Ok(Some(format!("http://127.0.0.1:{port}/"))),
            Err(Failure::Unavailable(why)) if std::env::var_os("CI").is_none() => {
                let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
                Ok(None)
            }
            Err(Failure::Unavailable(why)) => Err(super::RealMatomoError::Unavailable(why)),
            Err(Failure::Broken(why)) => Err(super::RealMatomoError::SetUp(why)),
        }
    }
}

/// A proxy to Matomo's port that names `host` in every request; its port.
fn proxy(port: u16, host: &str) -> std::io::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let local = listener.local_addr()?.port();
    let host = host.to_owned();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let host = host.clone();
            std::thread::spawn(move || {
                let _ = relay(client, port, &host, local);
            });
        }
    });
    Ok(local)
}

/// Copies one connection both ways, the client's `Host: 127.0.0.1:{local}` header made
/// `Host: {host}` (header names in any case; the line is whole in what is held back).
fn relay(client: TcpStream, port: u16, host: &str, local: u16) -> std::io::Result<()> {
    let upstream = TcpStream::connect(("127.0.0.1", port))?;
    let (mut from_client, mut to_upstream) = (client.try_clone()?, upstream.try_clone()?);
    let (mut from_upstream, mut to_client) = (upstream, client);
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_upstream, &mut to_client);
        let _ = to_client.shutdown(std::net::Shutdown::Write);
    });
    let wanted = format!("127.0.0.1:{local}\r\n");
    let replacement = format!("{host}\r\n");
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let n = from_client.read(&mut buf)?;
        if n == 0 {
            break;
        }
        pending.extend_from_slice(&buf[..n]);
        let text = std::mem::take(&mut pending);
        let (out, rest) = rewrite_host(&text, wanted.as_bytes(), replacement.as_bytes());
        to_upstream.write_all(&out)?;
        pending = rest;
    }
    to_upstream.write_all(&pending)?;
    let _ = to_upstream.shutdown(std::net::Shutdown::Write);
    let _ = back.join();
    Ok(())
}

/// `text` with every `host: {wanted}` header value replaced; an end that could still become
/// such a line (after a line break, a prefix of it) held back for more bytes, anything else
/// sent at once (a body need not end in a line break).
fn rewrite_host(text: &[u8], wanted: &[u8], replacement: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let keep_from = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let tail = &text[keep_from..];
    let mut line = b"host: ".to_vec();
    line.extend_from_slice(wanted);
    let could_be_host = tail.len() < line.len() && line[..tail.len()].eq_ignore_ascii_case(tail);
    let (whole, rest) = if could_be_host && !tail.is_empty() {
        text.split_at(keep_from)
    } else {
        (text, &[][..])
    };
    let mut out = Vec::with_capacity(whole.len());
    let mut line_start = 0;
    for (i, &b) in whole.iter().enumerate() {
        if b != b'\n' {
            continue;
        }
        let line = &whole[line_start..=i];
        let is_host = line.len() > 5 && line[..5].eq_ignore_ascii_case(b"host:");
        let value = line.get(5..).map(|v| v.trim_ascii_start());
        if is_host && value == Some(wanted) {
            out.extend_from_slice(b"Host: ");
            out.extend_from_slice(replacement);
        } else {
            out.extend_from_slice(line);
        }
        line_start = i + 1;
    }
    out.extend_from_slice(&whole[line_start..]);
    (out, rest.to_vec())
}

#[cfg(test)]
mod tests {
    use super::rewrite_host;

    #[test]
    fn the_host_header_is_rewritten_and_nothing_else() {
        let text = b"POST /index.php HTTP/1.1\r\nhost: 127.0.0.1:5\r\ncontent-length: 3\r\n\r\nabc";
        let (out, rest) = rewrite_host(text, b"127.0.0.1:5\r\n", b"h.test\r\n");
        let mut all = out;
        all.extend_from_slice(&rest);
        assert_eq!(
            String::from_utf8(all).unwrap(),
            "POST /index.php HTTP/1.1\r\nHost: h.test\r\ncontent-length: 3\r\n\r\nabc"
        );
    }
}
