//! Minimisation: the transforms that make analytics data fit a privacy class.

pub mod scrub;

pub use scrub::{
    CustomPattern, MaskKind, ScrubConfigError, ScrubbedText, Scrubber, ScrubberBuilder,
};
