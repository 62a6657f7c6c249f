//! MCP tools independent of any MCP framework: definitions, results, errors and the [`Toolbox`].

mod annotations;
mod descriptor;
mod error;
mod guard;
mod handler;
mod result;
mod schema;
mod toolbox;

pub use annotations::ToolAnnotations;
pub use descriptor::{PRIVACY_CLASS_META_KEY, ToolDescriptor, UNTRUSTED_META_KEY};
pub use error::{DispatchError, ToolError};
pub use guard::{GuardedState, OutputGuard, SecretGuard};
pub use handler::{Tool, ToolFuture};
pub use result::{CallToolResult, ToolOutput};
pub use toolbox::{RegistrationError, Toolbox};
