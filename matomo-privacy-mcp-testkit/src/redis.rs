//! A real `redis-server` (Debian's package `redis-server`) for tests of state shared by replicas:
//! started on `127.0.0.1` on a free port with a random password and no persistence, stopped and
//! started again on the same port to test what happens while the store is down; optionally over
//! TLS only, with a certificate of a throwaway certificate authority (made with `openssl`).

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
    /// The test certificates could not be made.
    #[error("cannot make the test certificates with `openssl`: {0}")]
    Certificates(String),
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
    tls: Option<Tls>,
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
            tls: None,
        };
        server.resume()?;
        Ok(server)
    }

    /// Starts one that speaks TLS only (`rediss://`), with a certificate for 127.0.0.1 signed
    /// by a throwaway authority ([`ca_certificate`](Self::ca_certificate)).
    pub fn start_tls() -> Result<Self, RedisServerError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| RedisServerError::Spawn(e.to_string()))?
            .port();
        let mut server = Self {
            port,
            password: format!("tls-test-{:x}-{port}", std::process::id()),
            child: None,
            tls: Some(Tls::make(port)?),
        };
        server.resume()?;
        Ok(server)
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
