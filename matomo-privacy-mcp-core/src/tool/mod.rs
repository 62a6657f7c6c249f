//! MCP tools independent of any MCP framework: definitions, results, errors and the [`Toolbox`].

mod annotations;
mod definition;
mod descriptor;
mod error;
mod guard;
mod result;
mod schema;
mod state;
mod toolbox;

pub use annotations::ToolAnnotations;
pub use definition::{Tool, ToolFuture};
pub use descriptor::{PRIVACY_CLASS_META_KEY, ToolDescriptor, UNTRUSTED_META_KEY};
pub use error::{DispatchError, ToolError};
pub use guard::{OutputGuard, SecretGuard};
pub use result::{CallToolResult, ToolOutput};
pub use schema::STANDARD_FORMATS;
pub use state::ToolState;
pub use toolbox::{CeilingError, RegistrationError, Toolbox};
