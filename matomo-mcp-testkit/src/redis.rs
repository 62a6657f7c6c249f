//! A real `redis-server` (Debian's package `redis-server`) for tests of state shared by replicas:
//! started on `127.0.0.1` on a free port with a random password and no persistence, stopped and
//! started again on the same port to test what happens while the store is down.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why a Redis server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RedisServerError {
    /// `redis-server` is not installed or could not be run.
    #[error(
        "cannot run `redis-server` ({0}); install Debian's package `redis-server` (`.ci/run` does)"
    )]
    Spawn(String),
    /// It started but did not accept connections in time.
    #[error("`redis-server` did not accept connections on 127.0.0.1:{0} within 10 s")]
    NotReady(u16),
}

/// A `redis-server` child process, stopped when dropped.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    password: String,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one on a free port of `127.0.0.1`, requiring a random password.
    pub fn start() -> Result<Self, RedisServerError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| RedisServerError::Spawn(e.to_string()))?
            .port();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let password = format!("test-{:x}-{nanos:x}-{port}", std::process::id());
        let mut server = Self {
            port,
            password,
            child: None,
        };
        server.resume()?;
        Ok(server)
    }

    /// `redis://:password@127.0.0.1:port/0`.
    pub fn url(&self) -> String {
        format!("redis://:{}@127.0.0.1:{}/0", self.password, self.port)
    }

    /// The URL without the password, for clients that are given it separately.
    pub fn url_without_password(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
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
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
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
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| RedisServerError::Spawn(e.to_string()))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(RedisServerError::NotReady(self.port))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
