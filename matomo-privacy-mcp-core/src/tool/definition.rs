//! The trait every registered tool implements.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::{ToolDescriptor, ToolError, ToolOutput};

/// The future a tool call returns.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolError>> + Send + 'a>>;

/// A tool a [`Toolbox`](super::Toolbox) can list and call, over shared state `S`.
///
/// `#[matomo_tool]` implements it for you. The method returns a boxed future
/// rather than being an `async fn`: the toolbox stores tools as
/// `Box<dyn Tool<S>>`, and `async fn` in traits is not object-safe; writing the
/// box by hand avoids the `async-trait` dependency for one method.
pub trait Tool<S>: Send + Sync + 'static {
    /// The tool's definition.
    fn descriptor(&self) -> ToolDescriptor;

    /// Decodes `arguments` (a JSON object), runs the tool and encodes its output.
    fn call<'a>(&'a self, state: &'a S, arguments: Value) -> ToolFuture<'a>;
}

impl<S, T: Tool<S> + ?Sized> Tool<S> for Box<T> {
    fn descriptor(&self) -> ToolDescriptor {
        (**self).descriptor()
    }

    fn call<'a>(&'a self, state: &'a S, arguments: Value) -> ToolFuture<'a> {
        (**self).call(state, arguments)
    }
}
