//! Which profile a bearer token belongs to: tokens given in code, and token files read again
//! when they change, so that a token removed from its file stops working without a restart.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ServeError;
use crate::bearer::BearerToken;

/// How often a token file is looked at again (its modification time and length): a token
/// removed from the file is refused from at most this long after the change.
pub const TOKEN_FILE_RECHECK: Duration = Duration::from_secs(1);

type TokenDigest = [u8; 32];

fn digest(bytes: &[u8]) -> TokenDigest {
    Sha256::digest(bytes).into()
}

/// The bearer credentials of every profile, in profile order.
pub(crate) struct BearerCredentials {
    profiles: Vec<ProfileTokens>,
}

struct ProfileTokens {
    fixed: Vec<TokenDigest>,
    files: Vec<TokenFile>,
}

/// A token file: one token per line, `#` comments and blank lines skipped.
struct TokenFile {
    path: PathBuf,
    state: Mutex<FileState>,
}

struct FileState {
    digests: Vec<TokenDigest>,
    stamp: Option<(SystemTime, u64)>,
    checked: Instant,
}

impl BearerCredentials {
    /// Checks every token (fixed ones and the files' current contents). `profiles` gives each
    /// profile's name, tokens and token files.
    pub(crate) fn new(profiles: &[(&str, &[BearerToken], &[PathBuf])]) -> Result<Self, ServeError> {
        let mut checked = Vec::with_capacity(profiles.len());
        let mut seen: Vec<(TokenDigest, &str)> = Vec::new();
        for &(name, tokens, files) in profiles {
            let mut fixed = Vec::with_capacity(tokens.len());
            for (index, token) in tokens.iter().enumerate() {
                token.check(index + 1)?;
                fixed.push(digest(token.expose().as_bytes()));
            }
            let files = files
                .iter()
                .map(|path| TokenFile::open(path))
                .collect::<Result<Vec<_>, _>>()?;
            let mut all: Vec<TokenDigest> = fixed.clone();
            for file in &files {
                all.extend(file.current_digests());
            }
            for token in all {
                if let Some((_, other)) = seen.iter().find(|(known, _)| *known == token) {
                    return Err(ServeError::InvalidConfig {
                        key: "profiles",
                        reason: format!(
                            "profiles `{other}` and `{name}` share a bearer token; give each profile tokens of its own"
                        ),
                    });
                }
                seen.push((token, name));
            }
            checked.push(ProfileTokens { fixed, files });
        }
        Ok(Self { profiles: checked })
    }

    /// The profile `presented` belongs to. Every known token is compared, in constant time per
    /// token, without stopping at a match.
    pub(crate) fn profile_of(&self, presented: &[u8]) -> Option<usize> {
        let presented = digest(presented);
        let mut found = None;
        for (index, profile) in self.profiles.iter().enumerate() {
            let mut matched = subtle::Choice::from(0);
            for known in &profile.fixed {
                matched |= known.ct_eq(&presented);
            }
            for file in &profile.files {
                for known in file.current_digests() {
                    matched |= known.ct_eq(&presented);
                }
            }
            if bool::from(matched) && found.is_none() {
                found = Some(index);
            }
        }
        found
    }
}

impl TokenFile {
    /// Reads the file once: it must exist and hold at least one usable token.
    fn open(path: &Path) -> Result<Self, ServeError> {
        let invalid = |reason: String| ServeError::InvalidConfig {
            key: "bearer_token_file",
            reason: format!("`{}`: {reason}", path.display()),
        };
        let (digests, stamp) = read_tokens(path).map_err(invalid)?;
        if digests.is_empty() {
            return Err(invalid(
                "holds no token; write one per line (for example one made with `openssl rand -hex 32`)"
                    .to_owned(),
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            state: Mutex::new(FileState {
                digests,
                stamp: Some(stamp),
                checked: Instant::now(),
            }),
        })
    }

    /// The tokens the file holds now, read again when it changed since the last look (at most
    /// every [`TOKEN_FILE_RECHECK`]). A file that disappears or becomes unreadable or invalid
    /// accepts no token until it is fixed: failing closed.
    fn current_digests(&self) -> Vec<TokenDigest> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.checked.elapsed() >= TOKEN_FILE_RECHECK {
            state.checked = Instant::now();
            let stamp = stamp_of(&self.path);
            if stamp != state.stamp {
                match stamp.map(|_| read_tokens(&self.path)) {
                    Some(Ok((digests, stamp))) => {
                        tracing::info!(file = %self.path.display(), tokens = digests.len(), "bearer token file changed; read again");
                        state.digests = digests;
                        state.stamp = Some(stamp);
                    }
                    Some(Err(reason)) => {
                        tracing::warn!(file = %self.path.display(), reason, "bearer token file unusable; its tokens are refused until it is fixed");
                        state.digests.clear();
                        state.stamp = None;
                    }
                    None => {
                        tracing::warn!(file = %self.path.display(), "bearer token file is gone; its tokens are refused");
                        state.digests.clear();
                        state.stamp = None;
                    }
                }
            }
        }
        state.digests.clone()
    }
}

fn stamp_of(path: &Path) -> Option<(SystemTime, u64)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// The digests of the file's tokens and the file's stamp; the reason (never a token) otherwise.
fn read_tokens(path: &Path) -> Result<(Vec<TokenDigest>, (SystemTime, u64)), String> {
    let stamp = stamp_of(path).ok_or_else(|| "cannot be read".to_owned())?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read ({e})"))?;
    let mut digests = Vec::new();
    for (line_number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        BearerToken::new(line)
            .check(line_number + 1)
            .map_err(|e| format!("line {}: {e}", line_number + 1))?;
        digests.push(digest(line.as_bytes()));
    }
    Ok((digests, stamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "profile-a-token-0123456789";
    const B: &str = "profile-b-token-0123456789";

    fn temp(name: &str, text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "matomo-privacy-mcp-credentials-{name}-{}",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn tokens_find_their_profile() {
        let b_file = temp("b", "# support\n\n  profile-b-token-0123456789  \n");
        let creds = BearerCredentials::new(&[
            ("a", &[BearerToken::new(A)], &[]),
            ("b", &[], std::slice::from_ref(&b_file)),
        ])
        .unwrap();
        assert_eq!(creds.profile_of(A.as_bytes()), Some(0));
        assert_eq!(creds.profile_of(B.as_bytes()), Some(1));
        assert_eq!(creds.profile_of(b"profile-c-token-0123456789"), None);
        let _ = std::fs::remove_file(b_file);
    }

    #[test]
    fn a_shared_token_or_an_empty_file_is_refused() {
        let shared = BearerCredentials::new(&[
            ("a", &[BearerToken::new(A)], &[]),
            ("b", &[BearerToken::new(A)], &[]),
        ]);
        let Err(error) = shared else {
            panic!("a shared token was accepted")
        };
        assert!(error.to_string().contains("`a` and `b` share"), "{error}");
        let empty = temp("empty", "# nothing yet\n");
        let Err(error) = BearerCredentials::new(&[("a", &[], std::slice::from_ref(&empty))]) else {
            panic!("an empty token file was accepted")
        };
        assert!(error.to_string().contains("holds no token"), "{error}");
        let short = temp("short", "short\n");
        let Err(error) = BearerCredentials::new(&[("a", &[], std::slice::from_ref(&short))]) else {
            panic!("a short token was accepted")
        };
        assert!(error.to_string().contains("line 1"), "{error}");
        assert!(!error.to_string().contains("short\n"), "{error}");
        let _ = std::fs::remove_file(empty);
        let _ = std::fs::remove_file(short);
    }
}
