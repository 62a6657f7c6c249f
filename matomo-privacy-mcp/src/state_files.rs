//! The files the server writes (the privacy budget, the noise key kept beside it, the audit
//! log), made ready and tried before anything is served: a path that cannot be used is the
//! operator's mistake, reported at start-up and by `check` with the key to change, never
//! discovered by a tool call.

use std::io;
use std::path::Path;

/// Makes the directory `file` goes in, readable by its owner only when this creates it (the
/// user's state directory on a first start).
pub fn make_parent_dir(file: &Path) -> io::Result<()> {
    let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Tries what the privacy budget does with `file`: read it when it exists, and replace it by
/// writing a file beside it (`<file>.tmp`) and renaming that over it. The directory is made
/// when missing.
pub fn try_budget_file(file: &Path) -> Result<(), String> {
    make_parent_dir(file).map_err(|e| format!("its directory cannot be created ({e})"))?;
    if file.is_dir() {
        return Err("it is a directory".to_owned());
    }
    if file.exists() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(file)
            .map_err(|e| format!("it cannot be opened for reading and writing ({e})"))?;
    }
    let mut beside = file.as_os_str().to_owned();
    beside.push(".tmp");
    let beside = std::path::PathBuf::from(beside);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&beside).map_err(|e| {
        format!(
            "cannot be written: `{}` cannot be created ({e})",
            beside.display()
        )
    })?;
    std::fs::remove_file(&beside).map_err(|e| {
        format!(
            "cannot be written: `{}` cannot be removed ({e})",
            beside.display()
        )
    })
}

/// What the tests of files kept in the state directory share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::{Path, PathBuf};

    /// An empty directory of the test's own (`name`, and the process id for parallel runs)
    /// under the system's temporary directory.
    pub(crate) fn fresh_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("matomo-privacy-mcp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Asserts that no one but the owner may read or write `path` (on Unix; elsewhere the
    /// permissions are the directory's).
    pub(crate) fn assert_owner_only(path: &Path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner-only: {mode:o}");
        }
        #[cfg(not(unix))]
        let _ = path;
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{assert_owner_only, fresh_dir};
    use super::*;

    #[test]
    fn a_missing_directory_is_made_owner_only_and_a_file_in_it_tried() {
        let root = fresh_dir("state-files");
        let file = root.join("state").join("privacy-budget.json");
        try_budget_file(&file).unwrap();
        assert!(file.parent().unwrap().is_dir());
        assert!(!file.exists(), "trying writes nothing that stays");
        assert_owner_only(file.parent().unwrap());
        let refused = try_budget_file(file.parent().unwrap()).unwrap_err();
        assert_eq!(refused, "it is a directory");
        let _ = std::fs::remove_dir_all(&root);
    }
}
