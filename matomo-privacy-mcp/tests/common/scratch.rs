//! A scratch directory per test, for the configuration, token files and state a process reads.

use std::path::{Path, PathBuf};

/// `matomo-privacy-mcp-{name}-{pid}` in the temporary directory, emptied and created.
pub fn dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("matomo-privacy-mcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `name` in `dir`; its path as a configuration names it.
pub fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
