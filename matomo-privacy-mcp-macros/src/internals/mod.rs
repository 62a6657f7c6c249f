//! Parsing shared by the two macros: the error accumulator and the attributes they read.

pub mod ctxt;
pub mod plain_type;
pub mod privacy_attr;
pub mod recursion;
pub mod serde_attr;
pub mod tool_attr;
