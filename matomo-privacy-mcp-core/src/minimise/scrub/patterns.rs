//! The patterns that identify personal data in free text, and the placeholders that replace them.

use regex::Regex;

/// What a masked piece of text was; shown to the model as `[kind]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MaskKind {
    /// A JSON Web Token or a long base64/base64url secret.
    Token,
    /// An e-mail address (also with `%40` for `@`).
    Email,
    /// A UUID.
    Uuid,
    /// An IPv4 or IPv6 address.
    Ip,
    /// A phone number in international (`+49 …`, `0049 …`) or common national forms.
    Phone,
    /// A run of 16 or more hex digits (visitor ids, hashes, session ids).
    Hex,
    /// A run of 6 or more digits (order numbers, customer numbers, dates of birth).
    Number,
}

impl MaskKind {
    /// The placeholder that replaces a match, such as `[email]`.
    pub const fn placeholder(self) -> &'static str {
        match self {
            Self::Token => "[token]",
            Self::Email => "[email]",
            Self::Uuid => "[uuid]",
            Self::Ip => "[ip]",
            Self::Phone => "[phone]",
            Self::Hex => "[hex]",
            Self::Number => "[number]",
        }
    }
}

/// Built-in patterns, most specific first: a JWT contains base64 runs, a UUID contains hex runs,
/// a phone number contains digit runs, so each must be claimed before the broader pattern sees it.
pub(super) struct BuiltIn {
    pub(super) kind: MaskKind,
    pub(super) regex: &'static str,
    /// Only matches that look random are masked (see [`looks_random`]), so words and slugs stay.
    pub(super) random_only: bool,
}

const fn rule(kind: MaskKind, regex: &'static str) -> BuiltIn {
    BuiltIn {
        kind,
        regex,
        random_only: false,
    }
}

pub(super) const BUILT_IN: &[BuiltIn] = &[
    rule(
        MaskKind::Token,
        r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
    ),
    rule(
        MaskKind::Email,
        r"[A-Za-z0-9._%+-]+(?:@|%40|%2540)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    ),
    rule(
        MaskKind::Uuid,
        r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
    ),
    rule(
        MaskKind::Ip,
        r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}|::(?:[fF]{4}:)?\d{1,3}(?:\.\d{1,3}){3}|\d{1,3}(?:\.\d{1,3}){3}",
    ),
    rule(
        MaskKind::Phone,
        r"(?:\+|\b00)\d{1,3}[ ./-]?(?:\(\d{1,4}\)[ ./-]?)?\d[\d ./-]{5,}\d|\(\d{3}\) ?\d{3}[ .-]\d{4}",
    ),
    rule(MaskKind::Hex, r"[0-9A-Fa-f]{16,}"),
    // Long base64 or base64url runs; only those that look random are secrets.
    BuiltIn {
        kind: MaskKind::Token,
        regex: r"[A-Za-z0-9_+/-]{24,}={0,2}",
        random_only: true,
    },
    rule(MaskKind::Number, r"\d{6,}"),
];

/// A regex matching exactly the placeholders `names` stand for (`[email]`, a custom `[name]`).
///
/// Only the placeholders this scrubber writes are left alone: any bracketed word would let a
/// visitor hide an identifier from masking by writing it as `[x0123456789abcdef]`.
pub(super) fn placeholder_regex<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(regex::escape).collect();
    format!(r"\[(?:{})\]", names.join("|"))
}

/// A compiled pattern with what it masks as.
pub(super) struct Pattern {
    pub(super) regex: Regex,
    pub(super) placeholder: String,
    /// Only matches that look random count (for the base64 rule, so words and slugs stay).
    pub(super) random_only: bool,
}

impl Pattern {
    pub(super) fn accepts(&self, matched: &str) -> bool {
        !self.random_only || looks_random(matched)
    }
}

/// Whether a run of base64 characters looks like a random secret rather than words.
///
/// The base64 alphabet includes `/`, `-` and `_`, so URL paths and slugs such as
/// `/products/trail-runner/item-123` or `/Blog/2024/My-Post-Title` are runs of it too. What tells
/// a secret apart is that it switches between upper case, lower case and digits all the time
/// (about every other character for random base64), while words switch once per word: a run is
/// random when it has letters and digits and at least one switch per five characters (and six
/// in all).
pub(super) fn looks_random(run: &str) -> bool {
    looks_random_bytes(run.as_bytes())
}

fn looks_random_bytes(bytes: &[u8]) -> bool {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Class {
        Upper,
        Lower,
        Digit,
        Separator,
    }
    let class = |b: u8| match b {
        b'A'..=b'Z' => Class::Upper,
        b'a'..=b'z' => Class::Lower,
        b'0'..=b'9' => Class::Digit,
        _ => Class::Separator,
    };
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    let has_letter = bytes.iter().any(u8::is_ascii_alphabetic);
    let switches = bytes
        .windows(2)
        .filter(|pair| {
            let (a, b) = (class(pair[0]), class(pair[1]));
            a != b && a != Class::Separator && b != Class::Separator
        })
        .count();
    has_digit && has_letter && switches >= 6 && switches * 5 >= bytes.len()
}

/// Whether `text` holds a run of 24 or more base64 characters that [`looks_random`]: a cheap
/// test that is true whenever the base64 token rule could mask something in `text`.
///
/// A match of that rule is such a run plus up to two `=`, which only lengthen it and so make it
/// look less random; and splitting the text at placeholders only shortens runs further.
pub(super) fn has_random_run(text: &str) -> bool {
    text.as_bytes()
        .split(|&b| !is_base64(b))
        .any(|run| run.len() >= 24 && looks_random_bytes(run))
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'/' | b'-')
}
