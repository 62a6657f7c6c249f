//! Keyed pseudonyms: the transform that turns an identifying value into a pseudonymous one.

use std::fmt;
use std::path::Path;

use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::shape::Shape;
use super::value::TextSource;
use super::{Classified, PrivacyClass};

/// The shortest key accepted, in bytes (256 bits, the output size of SHA-256).
pub const MIN_KEY_BYTES: usize = 32;

/// Hex digits of the HMAC kept in a pseudonym: 64 bits, enough to keep collisions
/// negligible for any one site's visitors while revealing little of the MAC.
const PSEUDONYM_HEX_DIGITS: usize = 16;

/// The per-deployment secret behind [`Pseudonym`]s.
///
/// The key never appears in `Debug` output or messages; only its
/// [fingerprint](Self::fingerprint) does, so operators can tell keys apart.
///
/// ```
/// use matomo_privacy_mcp_core::privacy::PseudonymKey;
///
/// let key = PseudonymKey::from_bytes(vec![7u8; 32]).unwrap();
/// assert!(!format!("{key:?}").contains("0707"));
/// assert!(PseudonymKey::from_bytes(b"too short".to_vec()).is_err());
/// ```
#[derive(Clone)]
pub struct PseudonymKey {
    key: Vec<u8>,
}

/// Why a pseudonym key was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PseudonymKeyError {
    /// The key is shorter than [`MIN_KEY_BYTES`].
    #[error(
        "the pseudonym key has {len} bytes but needs at least {MIN_KEY_BYTES}; generate one with `head -c 32 /dev/urandom | base64 > key`"
    )]
    TooShort {
        /// The length that was given.
        len: usize,
    },
    /// The key file could not be read.
    #[error("cannot read the pseudonym key file `{path}`: {source}")]
    Unreadable {
        /// The file that was named.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The environment variable is not set or not UTF-8.
    #[error(
        "the environment variable `{var}` holding the pseudonym key is not set or is not UTF-8"
    )]
    MissingVariable {
        /// The variable that was named.
        var: String,
    },
}

impl PseudonymKey {
    /// Uses `bytes` as the key; refuses keys shorter than [`MIN_KEY_BYTES`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, PseudonymKeyError> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(PseudonymKeyError::TooShort { len: bytes.len() });
        }
        Ok(Self { key: bytes })
    }

    /// Reads the key from a file; one trailing newline (`\n` or `\r\n`, as an editor or
    /// `base64` writes) is not part of the key. Nothing else is trimmed: a binary key (`head -c
    /// 32 /dev/urandom`) may begin or end with bytes that look like spaces or tabs.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, PseudonymKeyError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| PseudonymKeyError::Unreadable {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(without_trailing_newline(&bytes).to_vec())
    }

    /// Reads the key from an environment variable; surrounding whitespace is not part of the key.
    pub fn from_env(var: &str) -> Result<Self, PseudonymKeyError> {
        let value = std::env::var(var).map_err(|_| PseudonymKeyError::MissingVariable {
            var: var.to_owned(),
        })?;
        Self::from_bytes(value.trim().as_bytes().to_vec())
    }

    /// A short public identifier of the key (the first 8 bytes of SHA-256 over it, in hex).
    ///
    /// Safe to log and to put in a privacy manifest: it tells keys apart without revealing them.
    pub fn fingerprint(&self) -> String {
        // Domain separator from the working name, kept so that fingerprints of existing keys do not change.
        let digest = Sha256::new_with_prefix(b"matomo-mcp pseudonym key fingerprint\0")
            .chain_update(&self.key)
            .finalize();
        hex(&digest[..8])
    }

    fn mac(&self, kind: PseudonymKind, value: &str) -> String {
        // `new_from_slice` accepts any key length for HMAC; the error arm cannot occur,
        // and is mapped to a constant rather than a panic to keep the code panic-free.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::from("0000000000000000");
        };
        // The kind is part of the input, so the same raw string used as a user id
        // and as a visitor id yields two unrelated pseudonyms.
        mac.update(kind.prefix().as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        let tag = mac.finalize().into_bytes();
        hex(&tag[..PSEUDONYM_HEX_DIGITS / 2])
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PseudonymKey")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// What a pseudonym stands for; it is visible as the pseudonym's prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PseudonymKind {
    /// Matomo's `visitorId` / `idvisitor`.
    Visitor,
    /// Matomo's `idVisit`.
    Visit,
    /// Matomo's `userId`.
    User,
    /// Matomo's `fingerprint` (`config_id`).
    Fingerprint,
}

impl PseudonymKind {
    /// The visible prefix, such as `visitor_`.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Visitor => "visitor_",
            Self::Visit => "visit_",
            Self::User => "user_",
            Self::Fingerprint => "device_",
        }
    }
}

/// A keyed-hash pseudonym: HMAC-SHA256 of an identifying value under a per-deployment key,
/// truncated to 16 hex digits behind a visible prefix (`visitor_3fa9…`).
///
/// The only way to make one is [`Pseudonym::new`], which does the hashing, so a
/// `Pseudonym` field is `Pseudonymous` without any annotation: this is how a
/// class goes down. Equal inputs give equal pseudonyms under one key, so a model
/// can still count distinct visitors; under another key they are unrelated.
///
/// ```
/// use matomo_privacy_mcp_core::privacy::{Pseudonym, PseudonymKey, PseudonymKind};
/// use matomo_privacy_mcp_core::{Classified, PrivacyClass};
///
/// let key = PseudonymKey::from_bytes(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
/// let a = Pseudonym::new(&key, PseudonymKind::User, "jane@example.com");
/// assert_eq!(a, Pseudonym::new(&key, PseudonymKind::User, "jane@example.com"));
/// let text = serde_json::to_value(&a).unwrap();
/// assert!(text.as_str().unwrap().starts_with("user_") && !text.to_string().contains("jane"));
/// assert_eq!(Pseudonym::MAX_CLASS, PrivacyClass::Pseudonymous);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(transparent)]
#[schemars(description = "A keyed pseudonym (HMAC-SHA256, truncated) standing for an identifier")]
pub struct Pseudonym(String);

impl Pseudonym {
    /// Hashes `value` under `key`; `kind` becomes the visible prefix and separates domains.
    ///
    /// `value` is a classified string from a Matomo model (such as a visit's
    /// `Pseudonymous<String>` visitor id) or plain text.
    pub fn new<S: TextSource + ?Sized>(key: &PseudonymKey, kind: PseudonymKind, value: &S) -> Self {
        Self(format!(
            "{}{}",
            kind.prefix(),
            key.mac(kind, value.reveal_text())
        ))
    }

    /// The pseudonym text, for this crate's tests; not public, since a pseudonym is still
    /// pseudonymous and a plain `&str` could be annotated `aggregate`. It serialises as its text.
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A pseudonym is no secret, but it links visits: keep it out of logs too.
        f.write_str("Pseudonym(<redacted>)")
    }
}

impl Classified for Pseudonym {
    const SHAPE: Shape = Shape::Transformed {
        class: PrivacyClass::Pseudonymous,
        transform: "keyed pseudonym (HMAC-SHA256, truncated)",
    };
}

crate::privacy::leaf_class!(Pseudonym, pseudonymous);

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> PseudonymKey {
        PseudonymKey::from_bytes(vec![byte; 32]).unwrap()
    }

    #[test]
    fn matches_hmac_sha256_reference_vector() {
        // RFC 4231 test case 2 uses a short key; recompute with the raw hmac crate instead
        // and check that our truncation and domain separation are applied on top of it.
        let k = key(0x0b);
        let mut mac = Hmac::<Sha256>::new_from_slice(&[0x0b; 32]).unwrap();
        mac.update(b"visitor_\0abc");
        let full = hex(&mac.finalize().into_bytes());
        assert_eq!(
            Pseudonym::new(&k, PseudonymKind::Visitor, "abc").as_str(),
            format!("visitor_{}", &full[..16])
        );
    }

    #[test]
    fn stable_under_one_key_unrelated_across_keys_and_kinds() {
        let a = Pseudonym::new(&key(1), PseudonymKind::Visitor, "5f2e1c0a9b8d7e6f");
        assert_eq!(
            a,
            Pseudonym::new(&key(1), PseudonymKind::Visitor, "5f2e1c0a9b8d7e6f")
        );
        assert_ne!(
            a,
            Pseudonym::new(&key(2), PseudonymKind::Visitor, "5f2e1c0a9b8d7e6f")
        );
        let as_user = Pseudonym::new(&key(1), PseudonymKind::User, "5f2e1c0a9b8d7e6f");
        assert_ne!(
            a.as_str()["visitor_".len()..],
            as_user.as_str()["user_".len()..]
        );
        assert_eq!(a.as_str().len(), "visitor_".len() + PSEUDONYM_HEX_DIGITS);
    }

    proptest::proptest! {
        #[test]
        fn deterministic_per_key_and_different_across_keys(
            value in ".{0,64}",
            a in proptest::collection::vec(proptest::num::u8::ANY, 32..64),
            b in proptest::collection::vec(proptest::num::u8::ANY, 32..64),
        ) {
            let (ka, kb) = (PseudonymKey::from_bytes(a.clone()).unwrap(), PseudonymKey::from_bytes(b.clone()).unwrap());
            let p = Pseudonym::new(&ka, PseudonymKind::Visitor, &value);
            proptest::prop_assert_eq!(&p, &Pseudonym::new(&ka, PseudonymKind::Visitor, &value));
            if a != b {
                proptest::prop_assert_ne!(p, Pseudonym::new(&kb, PseudonymKind::Visitor, &value));
            }
        }
    }

    #[test]
    fn key_is_never_shown() {
        let k = PseudonymKey::from_bytes(b"super-secret-key-material-0123456789".to_vec()).unwrap();
        let shown = format!("{k:?}");
        assert!(!shown.contains("super-secret"), "{shown}");
        assert!(shown.contains(&k.fingerprint()));
        assert_eq!(k.fingerprint().len(), 16);
    }

    #[test]
    fn short_keys_and_missing_sources_are_refused_with_a_fix() {
        let err = PseudonymKey::from_bytes(vec![1; 31]).unwrap_err();
        assert!(err.to_string().contains("at least 32"), "{err}");
        let err = PseudonymKey::from_file("/definitely/not/here").unwrap_err();
        assert!(err.to_string().contains("/definitely/not/here"), "{err}");
        let err = PseudonymKey::from_env("MATOMO_PRIVACY_MCP_TEST_UNSET_VARIABLE").unwrap_err();
        assert!(
            err.to_string()
                .contains("MATOMO_PRIVACY_MCP_TEST_UNSET_VARIABLE"),
            "{err}"
        );
    }

    #[test]
    fn key_file_trailing_newline_is_ignored() {
        let dir = std::env::temp_dir().join(format!("mmcp-key-{}", std::process::id()));
        std::fs::write(&dir, b"0123456789abcdef0123456789abcdef\n").unwrap();
        let from_file = PseudonymKey::from_file(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        let direct =
            PseudonymKey::from_bytes(b"0123456789abcdef0123456789abcdef".to_vec()).unwrap();
        assert_eq!(from_file.fingerprint(), direct.fingerprint());
    }
}

/// `bytes` without one trailing `\n` or `\r\n`: what a text editor or `base64` adds to a key
/// file. Other bytes are the key's own, even those that look like white space.
pub fn without_trailing_newline(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

#[cfg(test)]
mod key_file_tests {
    use super::*;

    /// A random binary key may start or end with bytes that look like white space: only a
    /// trailing newline is dropped, so such a key is read whole.
    #[test]
    fn binary_keys_are_read_whole() {
        let mut key = vec![b'\t'; 2];
        key.extend([7u8; 30]);
        key.push(b' ');
        let path = std::env::temp_dir().join(format!(
            "matomo-privacy-mcp-binary-key-{}",
            std::process::id()
        ));
        std::fs::write(&path, &key).unwrap();
        let read = PseudonymKey::from_file(&path).unwrap();
        assert_eq!(
            read.fingerprint(),
            PseudonymKey::from_bytes(key.clone()).unwrap().fingerprint()
        );
        key.extend(b"\r\n");
        std::fs::write(&path, &key).unwrap();
        let with_newline = PseudonymKey::from_file(&path).unwrap();
        assert_eq!(with_newline.fingerprint(), read.fingerprint());
        let _ = std::fs::remove_file(&path);
        assert_eq!(without_trailing_newline(b"abc\n"), b"abc");
        assert_eq!(without_trailing_newline(b"abc\r\n"), b"abc");
        assert_eq!(without_trailing_newline(b"abc \t"), b"abc \t");
    }
}
