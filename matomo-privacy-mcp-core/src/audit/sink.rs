//! Where audit records go: one JSON line each, to a file or to stderr.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::AuditRecord;

/// Receives one record per tool call.
pub trait AuditSink: Send + Sync + 'static {
    /// Stores the record. An error makes the call fail closed: a result that
    /// cannot be accounted for is not returned.
    fn record(&self, record: &AuditRecord) -> Result<(), AuditError>;
}

/// The audit log could not be written.
#[derive(Debug, thiserror::Error)]
#[error("the audit log {target} could not be written: {source}")]
pub struct AuditError {
    target: String,
    source: std::io::Error,
}

enum Target {
    File { file: File, path: PathBuf },
    Stderr,
}

/// Writes each record as one JSON line, to an append-only file or to stderr.
pub struct JsonLinesAudit {
    target: Mutex<Target>,
}

impl std::fmt::Debug for JsonLinesAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesAudit")
            .field("target", &self.describe())
            .finish()
    }
}

impl JsonLinesAudit {
    /// Appends to `path`, creating it if needed, readable by its owner only: the records name
    /// tools, sites and clients.
    pub fn to_file(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        let path = path.as_ref().to_path_buf();
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|source| AuditError {
            target: format!("`{}`", path.display()),
            source,
        })?;
        Ok(Self {
            target: Mutex::new(Target::File { file, path }),
        })
    }

    /// Writes to standard error (never standard output, which carries the stdio protocol).
    pub fn to_stderr() -> Self {
        Self {
            target: Mutex::new(Target::Stderr),
        }
    }

    /// Where the records go, for the privacy manifest.
    pub fn describe(&self) -> String {
        match self.target.lock() {
            Ok(target) => match &*target {
                Target::File { path, .. } => path.display().to_string(),
                Target::Stderr => "standard error".to_owned(),
            },
            Err(_) => "unavailable".to_owned(),
        }
    }
}

impl AuditSink for JsonLinesAudit {
    fn record(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let mut line = serde_json::to_vec(record).map_err(|e| AuditError {
            target: "record".to_owned(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        // A poisoned lock only means another writer panicked mid-line; keep logging.
        let mut target = self
            .target
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &mut *target {
            Target::File { file, path } => file
                .write_all(&line)
                .and_then(|()| file.flush())
                .map_err(|source| AuditError {
                    target: format!("`{}`", path.display()),
                    source,
                }),
            Target::Stderr => {
                std::io::stderr()
                    .lock()
                    .write_all(&line)
                    .map_err(|source| AuditError {
                        target: "standard error".to_owned(),
                        source,
                    })
            }
        }
    }
}
