//! A real `redis-server` (Debian's package `redis-server`) for tests of state shared by replicas:
//! started on `127.0.0.1` on a free port with a random password and no persistence, stopped and
//! started again on the same port to test what happens while the store is down; optionally over
//! TLS only, with a certificate of a throwaway certificate authority (made with `openssl`).
//!
//! A server counts as started when its own log says it accepts connections, not when something
//! answers on its port: between choosing a free port and the server binding it, another process
//! (another test's server) may take the port, and a client would then talk to a stranger that
//! refuses its password. Such a start is tried again on another port.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// In a test: a started [`RedisServer`], or `return` from the test after the `SKIPPED` line of
/// [`RedisServer::start_or_skip`] when `redis-server` is missing outside CI; panics on any other
/// failure. `redis_or_skip!(tls, "test")` starts a TLS-only one.
///
/// ```no_run
/// # fn a_test() {
/// let redis = matomo_privacy_mcp_testkit::redis_or_skip!("a_test");
/// # }
/// ```
#[macro_export]
macro_rules! redis_or_skip {
    ($test:expr) => {
        $crate::redis_or_skip!(@started $crate::redis::RedisServer::start_or_skip($test))
    };
    (tls, $test:expr) => {
        $crate::redis_or_skip!(@started $crate::redis::RedisServer::start_tls_or_skip($test))
    };
    (@started $started:expr) => {
        match $started {
            ::std::result::Result::Ok(::std::option::Option::Some(server)) => server,
            ::std::result::Result::Ok(::std::option::Option::None) => return,
            ::std::result::Result::Err(error) => ::std::panic!("{error}"),
        }
    };
}

/// `started`, or `None` after a `SKIPPED` line when `redis-server` is missing outside CI.
fn skip_if_not_installed(
    test: &str,
    started: Result<RedisServer, RedisServerError>,
) -> Result<Option<RedisServer>, RedisServerError> {
    match started {
        Ok(server) => Ok(Some(server)),
        Err(RedisServerError::NotInstalled) if std::env::var_os("CI").is_none() => {
            use std::io::Write as _;
            // Written to stderr directly: libtest captures `eprintln!` of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: {}",
                RedisServerError::NotInstalled
            );
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// Starts tried on other ports when the chosen one was taken before the server bound it.
const START_ATTEMPTS: usize = 5;

/// The ports held by this process's servers, running or stopped to be resumed: never chosen for
/// another one.
static HELD_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

fn held_ports() -> std::sync::MutexGuard<'static, BTreeSet<u16>> {
    HELD_PORTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A port of 127.0.0.1 free now and held by none of this process's servers, held from now on.
fn hold_free_port() -> Result<u16, RedisServerError> {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| RedisServerError::Spawn(e.to_string()))?
            .port();
        if held_ports().insert(port) {
            return Ok(port);
        }
    }
}

/// Why a Redis server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RedisServerError {
    /// `redis-server` is not installed (not found on `PATH`).
    #[error(
        "`redis-server` is not installed: install Debian's package `redis-server` (`apt-get install -y redis-server`; `.ci/run` does)"
    )]
    NotInstalled,
    /// `redis-server` could not be run, or no free port could be had.
    #[error("cannot run `redis-server`: {0}")]
    Spawn(String),
    /// The test certificates could not be made.
    #[error("cannot make the test certificates with `openssl`: {0}")]
    Certificates(String),
    /// It started but did not accept connections in time.
    #[error("`redis-server` did not accept connections on 127.0.0.1:{0} within 10 s")]
    NotReady(u16),
    /// It stopped while starting, typically because another process had taken its port.
    #[error("`redis-server` on 127.0.0.1:{port} stopped while starting: {reason}")]
    Exited {
        /// The port it was to listen on.
        port: u16,
        /// The last line of its log.
        reason: String,
    },
}

/// A `redis-server` child process, stopped when dropped.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    password: String,
    child: Option<Child>,
    tls: Option<Tls>,
    /// Its log, read to know that it (not another process) listens on `port`.
    log: PathBuf,
}

/// The files of a TLS-only server: its certificate and key, and the authority that signed it.
#[derive(Debug)]
struct Tls {
    dir: std::path::PathBuf,
    ca_pem: Vec<u8>,
}

impl Drop for Tls {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn openssl(dir: &std::path::Path, args: &[&str]) -> Result<(), RedisServerError> {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| RedisServerError::Certificates(e.to_string()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(RedisServerError::Certificates(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ))
    }
}

impl Tls {
    /// A certificate authority and a server certificate for 127.0.0.1 signed by it.
    fn make(port: u16) -> Result<Self, RedisServerError> {
        let dir = std::env::temp_dir().join(format!(
            "matomo-privacy-mcp-redis-tls-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| RedisServerError::Certificates(e.to_string()))?;
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec![
            "req",
            "-x509",
            "-days",
            "2",
            "-subj",
            "/CN=matomo-privacy-mcp test CA",
        ];
        ca.extend(ec);
        ca.extend(["-keyout", "ca.key", "-out", "ca.crt"]);
        openssl(&dir, &ca)?;
        let mut request = vec!["req", "-subj", "/CN=127.0.0.1"];
        request.extend(ec);
        request.extend(["-keyout", "server.key", "-out", "server.csr"]);
        openssl(&dir, &request)?;
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .map_err(|e| RedisServerError::Certificates(e.to_string()))?;
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.crt",
            ],
        )?;
        let ca_pem = std::fs::read(dir.join("ca.crt"))
            .map_err(|e| RedisServerError::Certificates(e.to_string()))?;
        Ok(Self { dir, ca_pem })
    }
}

impl RedisServer {
    /// Starts one on a free port of `127.0.0.1`, requiring a random password.
    pub fn start() -> Result<Self, RedisServerError> {
        Self::start_with(|port| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            Ok((
                format!("test-{:x}-{nanos:x}-{port}", std::process::id()),
                None,
            ))
        })
    }

    /// Starts one that speaks TLS only (`rediss://`), with a certificate for 127.0.0.1 signed
    /// by a throwaway authority ([`ca_certificate`](Self::ca_certificate)).
    pub fn start_tls() -> Result<Self, RedisServerError> {
        Self::start_with(|port| {
            Ok((
                format!("tls-test-{:x}-{port}", std::process::id()),
                Some(Tls::make(port)?),
            ))
        })
    }

    /// [`start`](Self::start) for `test`: `Ok(None)` when `redis-server` is not installed and
    /// the environment variable `CI` is not set, after one `SKIPPED {test}: …` line on stderr
    /// saying what to install (the test should then return); with `CI` set, the error.
    pub fn start_or_skip(test: &str) -> Result<Option<Self>, RedisServerError> {
        skip_if_not_installed(test, Self::start())
    }

    /// [`start_tls`](Self::start_tls) for `test`, skipped as [`start_or_skip`](Self::start_or_skip).
    pub fn start_tls_or_skip(test: &str) -> Result<Option<Self>, RedisServerError> {
        skip_if_not_installed(test, Self::start_tls())
    }

    /// Starts one on a held free port with the password and TLS files `setup` makes for the
    /// port; on another port if another process took the chosen one first.
    fn start_with(
        setup: impl Fn(u16) -> Result<(String, Option<Tls>), RedisServerError>,
    ) -> Result<Self, RedisServerError> {
        let mut attempt = 1;
        loop {
            let port = hold_free_port()?;
            // Made before `setup` so that the port is released if `setup` fails.
            let mut server = Self {
                port,
                password: String::new(),
                child: None,
                tls: None,
                log: std::env::temp_dir().join(format!(
                    "matomo-privacy-mcp-redis-{}-{port}.log",
                    std::process::id()
                )),
            };
            (server.password, server.tls) = setup(port)?;
            match server.resume() {
                Err(RedisServerError::Exited { .. }) if attempt < START_ATTEMPTS => attempt += 1,
                started => return started.map(|()| server),
            }
        }
    }

    /// The certificate authority (PEM) of a TLS server.
    pub fn ca_certificate(&self) -> Option<&[u8]> {
        self.tls.as_ref().map(|tls| tls.ca_pem.as_slice())
    }

    fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        }
    }

    /// `redis://:password@127.0.0.1:port/0` (`rediss://` over TLS).
    pub fn url(&self) -> String {
        format!(
            "{}://:{}@127.0.0.1:{}/0",
            self.scheme(),
            self.password,
            self.port
        )
    }

    /// The URL without the password, for clients that are given it separately.
    pub fn url_without_password(&self) -> String {
        format!("{}://127.0.0.1:{}/0", self.scheme(), self.port)
    }

    /// The password it requires.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops it (its data is gone: nothing is persisted).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port after [`stop`](Self::stop); nothing if it runs.
    pub fn resume(&mut self) -> Result<(), RedisServerError> {
        if self.child.is_some() {
            return Ok(());
        }
        // A log of an earlier run says nothing about this one.
        let _ = std::fs::remove_file(&self.log);
        let port = self.port.to_string();
        let mut listen: Vec<String> = match &self.tls {
            None => vec!["--port".into(), port],
            Some(tls) => {
                let file = |name: &str| tls.dir.join(name).display().to_string();
                vec![
                    "--port".into(),
                    "0".into(),
                    "--tls-port".into(),
                    port,
                    "--tls-cert-file".into(),
                    file("server.crt"),
                    "--tls-key-file".into(),
                    file("server.key"),
                    "--tls-ca-cert-file".into(),
                    file("ca.crt"),
                    "--tls-auth-clients".into(),
                    "no".into(),
                ]
            }
        };
        // DEBUG SLEEP makes a slow Redis on purpose.
        listen.extend(["--enable-debug-command".into(), "yes".into()]);
        let child = Command::new("redis-server")
            .args(&listen)
            .args([
                "--bind",
                "127.0.0.1",
                "--requirepass",
                &self.password,
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
                "--logfile",
            ])
            .arg(&self.log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => RedisServerError::NotInstalled,
                _ => RedisServerError::Spawn(e.to_string()),
            })?;
        self.child = Some(child);
        self.wait_until_listening()
    }

    /// Waits for its log to say that it accepts connections; an error if it stops first.
    fn wait_until_listening(&mut self) -> Result<(), RedisServerError> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if log.contains("Ready to accept connections") {
                return Ok(());
            }
            let exited = match &mut self.child {
                Some(child) => child.try_wait().ok().flatten().is_some(),
                None => true,
            };
            if exited {
                self.child = None;
                // Read again: the last lines may have been written after the first read.
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                let reason = log
                    .lines()
                    .rev()
                    .find(|line| !line.trim().is_empty())
                    .unwrap_or("no log")
                    .to_owned();
                return Err(RedisServerError::Exited {
                    port: self.port,
                    reason,
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(RedisServerError::NotReady(self.port))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log);
        held_ports().remove(&self.port);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;

    use super::*;

    /// Whether `redis-server` runs here; `false` after a `SKIPPED` line outside CI.
    fn installed(test: &str) -> bool {
        let installed = Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok();
        assert!(
            installed || std::env::var_os("CI").is_none(),
            "{}",
            RedisServerError::NotInstalled
        );
        if !installed {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: {}",
                RedisServerError::NotInstalled
            );
        }
        installed
    }

    #[test]
    fn a_port_another_process_holds_is_reported_not_taken_for_ours() {
        if !installed("a_port_another_process_holds_is_reported_not_taken_for_ours") {
            return;
        }
        let stranger = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = stranger.local_addr().unwrap().port();
        let mut server = RedisServer {
            port,
            password: "never-used".into(),
            child: None,
            tls: None,
            log: std::env::temp_dir().join(format!("matomo-privacy-mcp-redis-test-{port}.log")),
        };
        match server.resume() {
            Err(RedisServerError::Exited { port: at, reason }) => {
                assert_eq!(at, port);
                assert!(reason.contains("Failed listening on port"), "{reason}");
            }
            other => panic!("started beside another listener: {other:?}"),
        }
    }

    #[test]
    fn a_start_whose_port_was_taken_meanwhile_is_made_on_another_port() {
        if !installed("a_start_whose_port_was_taken_meanwhile_is_made_on_another_port") {
            return;
        }
        // Takes the first port chosen between the choice and the server's start, as another
        // test's server may.
        let strangers = Mutex::new(Vec::new());
        let server = RedisServer::start_with(|port| {
            let mut strangers = strangers.lock().unwrap();
            if strangers.is_empty() {
                strangers.push(TcpListener::bind(("127.0.0.1", port)).unwrap());
            }
            Ok((format!("ours-{port}"), None))
        })
        .unwrap();
        let taken = strangers.lock().unwrap()[0].local_addr().unwrap().port();
        assert_ne!(server.port(), taken);
        // What answers on its port is this server: it takes this server's password.
        let mut stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        write!(stream, "AUTH {}\r\nPING\r\n", server.password()).unwrap();
        let mut answer = Vec::new();
        let mut buffer = [0; 64];
        while !answer.ends_with(b"+PONG\r\n") {
            let read = stream.read(&mut buffer).unwrap();
            assert_ne!(read, 0, "{}", String::from_utf8_lossy(&answer));
            answer.extend_from_slice(&buffer[..read]);
        }
        assert_eq!(answer, b"+OK\r\n+PONG\r\n");
    }
}
