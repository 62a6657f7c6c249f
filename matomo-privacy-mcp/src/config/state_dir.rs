//! Where the server keeps its state when the configuration does not say: the user's state
//! directory, as the XDG Base Directory specification defines it, so that a first start
//! needs no path written anywhere.

use std::path::PathBuf;

/// The directory name under the user's state directory.
pub const STATE_DIR_NAME: &str = "matomo-privacy-mcp";

/// The file the privacy budget is kept in, inside the state directory.
pub const BUDGET_FILE_NAME: &str = "privacy-budget.json";

/// `$XDG_STATE_HOME/matomo-privacy-mcp`, else `$HOME/.local/state/matomo-privacy-mcp`
/// (on Windows `%LOCALAPPDATA%\matomo-privacy-mcp`); `None` when none of these is set to an
/// absolute path (the specification says to ignore a relative one).
pub fn default_state_dir(env: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |name: &str| {
        env(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let base = absolute("XDG_STATE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local").join("state")))
        .or_else(|| {
            if cfg!(windows) {
                absolute("LOCALAPPDATA")
            } else {
                None
            }
        })?;
    Some(base.join(STATE_DIR_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_state_home_first_then_home() {
        // HOME is /home/me and XDG_STATE_HOME `xdg`.
        let with_xdg = |xdg: &'static str| {
            move |name: &str| match name {
                "XDG_STATE_HOME" => Some(xdg.to_owned()),
                "HOME" => Some("/home/me".to_owned()),
                _ => None,
            }
        };
        assert_eq!(
            default_state_dir(&with_xdg("/xdg/state")),
            Some(PathBuf::from("/xdg/state/matomo-privacy-mcp"))
        );
        assert_eq!(
            default_state_dir(&with_xdg("relative/ignored")),
            Some(PathBuf::from("/home/me/.local/state/matomo-privacy-mcp"))
        );
        if !cfg!(windows) {
            assert_eq!(default_state_dir(&|_: &str| None), None);
        }
    }
}
