//! The registry that lists tools under a privacy ceiling and dispatches calls to them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde_json::{Map, Value};

use super::error::bounded_name;
use super::guard::OutputGuard;
use super::state::ToolState;
use super::{CallToolResult, DispatchError, Tool, ToolDescriptor, ToolError};
use crate::audit::{self, AuditRecord, AuditSink, CallOrigin, ClientInfo, Outcome, RequestShape};
use crate::privacy::PrivacyClass;

/// Why a tool could not be registered; a programming error, found at start-up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// Two tools share a name.
    #[error("a tool named `{0}` is already registered; tool names must be unique")]
    DuplicateName(String),
    /// The name breaks MCP's rules.
    #[error(
        "`{0}` is not a valid tool name: use 1 to 128 characters from A-Z, a-z, 0-9, `_`, `-` and `.`"
    )]
    InvalidName(String),
    /// MCP requires `"type": "object"` at the root of an input schema.
    #[error(
        "the arguments of tool `{0}` are not a JSON object; use a struct with named fields as the argument type"
    )]
    InputNotObject(String),
    /// Structured content must be a JSON object for clients on protocol 2025-11-25 and older.
    #[error(
        "the output of tool `{0}` is not a JSON object; return a struct with named fields (wrap a list in a field)"
    )]
    OutputNotObject(String),
}

/// Why a toolbox's ceiling could not be set: it would have raised the ceiling the toolbox has
/// from its state, which [`Toolbox::with_ceiling`] never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "a toolbox's ceiling can only be lowered: {asked} is above {allowed}, the ceiling its state allows; raise the state's ceiling instead (the deployment's, or ToolState::ceiling of a state of your own)"
)]
pub struct CeilingError {
    /// The ceiling asked for.
    pub asked: PrivacyClass,
    /// The toolbox's ceiling, which it may not exceed.
    pub allowed: PrivacyClass,
}

struct Registered<S> {
    descriptor: ToolDescriptor,
    tool: Box<dyn Tool<S>>,
}

/// Registers tools, lists their definitions and dispatches calls, under a
/// deployment ceiling that hides and refuses tools above it.
///
/// The ceiling defaults to [`PrivacyClass::Aggregate`]: a deployment sees
/// pseudonymous or identifying tools only after raising it on purpose.
///
/// ```
/// use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
/// # use matomo_privacy_mcp_core::{matomo_tool, Classified, ToolError};
/// # #[derive(serde::Serialize, schemars::JsonSchema, Classified)]
/// # struct Out { #[privacy(aggregate)] n: u64 }
/// # /// Says one.
/// # #[matomo_tool]
/// # async fn one() -> Result<Out, ToolError> { Ok(Out { n: 1 }) }
///
/// let toolbox = Toolbox::new().tool(OneTool);
/// assert_eq!(toolbox.ceiling(), PrivacyClass::Aggregate);
/// assert_eq!(toolbox.list().count(), 1);
/// ```
pub struct Toolbox<S = ()> {
    state: S,
    ceiling: PrivacyClass,
    tools: Vec<Registered<S>>,
    by_name: HashMap<String, usize>,
    guards: Vec<Box<dyn OutputGuard>>,
    audit: Option<Arc<dyn AuditSink>>,
    next_request_id: AtomicU64,
}

impl Toolbox<()> {
    /// An empty toolbox without shared state, with the ceiling at `Aggregate`.
    pub fn new() -> Self {
        Self::with_state(())
    }
}

impl Default for Toolbox<()> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: ToolState + Send + Sync + 'static> Toolbox<S> {
    /// An empty toolbox whose tools receive `&state` (a [`MatomoClient`](crate::client::MatomoClient),
    /// a [`Deployment`](crate::reporting::Deployment), a state of your own), with a
    /// [`SecretGuard`](super::SecretGuard) for every secret the state holds (the Matomo token)
    /// and the state's ceiling ([`ToolState`]).
    pub fn with_state(state: S) -> Self {
        let ceiling = state.ceiling();
        let guards: Vec<Box<dyn OutputGuard>> = state
            .secret_guards()
            .into_iter()
            .map(|guard| Box::new(guard) as Box<dyn OutputGuard>)
            .collect();
        Self {
            state,
            ceiling,
            tools: Vec::new(),
            by_name: HashMap::new(),
            guards,
            audit: None,
            next_request_id: AtomicU64::new(1),
        }
    }
}

impl<S: Send + Sync + 'static> Toolbox<S> {
    /// Adds a check applied to every result before it is returned (see [`SecretGuard`](super::SecretGuard)).
    pub fn with_guard(mut self, guard: impl OutputGuard) -> Self {
        self.guards.push(Box::new(guard));
        self
    }

    /// Writes one audit record per call to `sink`.
    pub fn with_audit(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit = Some(sink);
        self
    }

    /// Lowers the ceiling: tools above it are neither listed nor callable.
    ///
    /// A toolbox starts at its state's ceiling (the deployment's, see [`ToolState`]) and may
    /// only lower it, never raise it: a ceiling above the toolbox's is an error rather than
    /// being clamped, so that a program asking for pseudonymous tools under an aggregate
    /// deployment learns so at start-up instead of finding the tools missing. To raise it,
    /// raise the state's ([`Deployment::builder`](crate::reporting::Deployment::builder)'s
    /// `ceiling`, or [`ToolState::ceiling`] of a state of your own).
    ///
    /// ```
    /// use matomo_privacy_mcp_core::{PrivacyClass, Toolbox};
    ///
    /// // `Toolbox::new()` has no state, so its ceiling is `Aggregate`, the lowest.
    /// assert!(Toolbox::new().with_ceiling(PrivacyClass::Aggregate).is_ok());
    /// let error = Toolbox::new().with_ceiling(PrivacyClass::Pseudonymous).unwrap_err();
    /// assert_eq!(error.allowed, PrivacyClass::Aggregate);
    /// ```
    pub fn with_ceiling(mut self, ceiling: PrivacyClass) -> Result<Self, CeilingError> {
        if !ceiling.is_within(self.ceiling) {
            return Err(CeilingError {
                asked: ceiling,
                allowed: self.ceiling,
            });
        }
        self.ceiling = ceiling;
        Ok(self)
    }

    /// The deployment ceiling.
    pub fn ceiling(&self) -> PrivacyClass {
        self.ceiling
    }

    /// The shared state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// Registers a tool.
    ///
    /// # Panics
    ///
    /// If the tool cannot be registered (see [`RegistrationError`]): like a
    /// duplicate route in a web router, that is a bug in the program, found at
    /// start-up. Use [`try_tool`](Self::try_tool) to handle it instead.
    #[allow(clippy::panic)]
    pub fn tool(self, tool: impl Tool<S>) -> Self {
        match self.try_tool(tool) {
            Ok(toolbox) => toolbox,
            Err(error) => panic!("{error}"),
        }
    }

    /// Registers a tool, or says why it cannot be.
    pub fn try_tool(mut self, tool: impl Tool<S>) -> Result<Self, RegistrationError> {
        let descriptor = tool.descriptor();
        let name = descriptor.name().to_owned();
        if !is_valid_tool_name(&name) {
            return Err(RegistrationError::InvalidName(name));
        }
        if self.by_name.contains_key(&name) {
            return Err(RegistrationError::DuplicateName(name));
        }
        if !is_object_schema(descriptor.input_schema()) {
            return Err(RegistrationError::InputNotObject(name));
        }
        if !is_object_schema(descriptor.output_schema()) {
            return Err(RegistrationError::OutputNotObject(name));
        }
        self.by_name.insert(name, self.tools.len());
        self.tools.push(Registered {
            descriptor,
            tool: Box::new(tool),
        });
        Ok(self)
    }

    /// The definitions of the tools at or below the ceiling, in registration order.
    pub fn list(&self) -> impl Iterator<Item = &ToolDescriptor> {
        self.tools
            .iter()
            .map(|registered| &registered.descriptor)
            .filter(|descriptor| descriptor.max_class().is_within(self.ceiling))
    }

    /// Every registered tool's definition, including those above the ceiling (for the privacy manifest).
    pub fn all_descriptors(&self) -> impl Iterator<Item = &ToolDescriptor> {
        self.tools.iter().map(|registered| &registered.descriptor)
    }

    /// The definition of one tool, if it exists and is at or below the ceiling.
    pub fn descriptor(&self, name: &str) -> Option<&ToolDescriptor> {
        self.list().find(|descriptor| descriptor.name() == name)
    }

    /// Calls a tool by name.
    ///
    /// `arguments` is the call's `arguments` object; `None` means no arguments.
    /// Bad arguments, upstream failures and policy refusals come back as a
    /// [`CallToolResult`] with `is_error() == true`; an unknown tool or one above
    /// the ceiling is a [`DispatchError`]. Every result passes the guards, and
    /// every call is audited when an audit sink is set.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<Value>,
    ) -> Result<CallToolResult, DispatchError> {
        let request_id = self
            .next_request_id
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        self.call_with(
            name,
            arguments,
            &CallOrigin {
                request_id,
                ..CallOrigin::default()
            },
        )
        .await
    }

    /// Calls a tool on behalf of `origin` (request id and client, for the audit log).
    pub async fn call_with(
        &self,
        name: &str,
        arguments: Option<Value>,
        origin: &CallOrigin,
    ) -> Result<CallToolResult, DispatchError> {
        let started = Instant::now();
        let arguments = arguments.unwrap_or_else(|| Value::Object(Map::new()));
        let shape = RequestShape::from_arguments(&arguments);
        let (outcome, class) = match self.dispatch(name, arguments).await {
            Ok((result, class)) => (Ok(self.checked_by_guards(result)), Some(class)),
            Err(error) => (Err(error), None),
        };
        if let Some(sink) = &self.audit {
            let record = audit_record(name, origin, shape, class, &outcome, started);
            if let Err(error) = sink.record(&record) {
                // Fail closed: a result that cannot be accounted for is not returned.
                return Ok(ToolError::internal(format!("{error}; the result was withheld")).into());
            }
        }
        outcome
    }

    async fn dispatch(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<(CallToolResult, PrivacyClass), DispatchError> {
        let Some(&index) = self.by_name.get(name) else {
            return Err(DispatchError::UnknownTool {
                name: bounded_name(name),
            });
        };
        let registered = &self.tools[index];
        let class = registered.descriptor.max_class();
        if !class.is_within(self.ceiling) {
            return Err(DispatchError::AboveCeiling {
                name: name.to_owned(),
                class,
                ceiling: self.ceiling,
            });
        }
        let result = match registered.tool.call(&self.state, arguments).await {
            Ok(output) => {
                let result = CallToolResult::from(output);
                match registered.descriptor.result_meta() {
                    Some(meta) => result.with_meta(meta),
                    None => result,
                }
            }
            Err(error) => error.into(),
        };
        Ok((result, class))
    }

    fn checked_by_guards(&self, result: CallToolResult) -> CallToolResult {
        for guard in &self.guards {
            if let Err(reason) = guard.check(&result) {
                return ToolError::policy_refusal(reason).into();
            }
        }
        result
    }
}

fn audit_record(
    name: &str,
    origin: &CallOrigin,
    shape: RequestShape,
    class: Option<PrivacyClass>,
    outcome: &Result<CallToolResult, DispatchError>,
    started: Instant,
) -> AuditRecord {
    let mut epsilon_charged = None;
    let (outcome, class_exposed, rows_returned, rows_suppressed) = match outcome {
        Ok(result) if !result.is_error() => {
            let (returned, suppressed) = result
                .structured()
                .map(audit::row_counts)
                .unwrap_or((None, None));
            epsilon_charged = result.structured().and_then(audit::epsilon_charged);
            (Outcome::Ok, class, returned, suppressed)
        }
        Ok(result) => (result.error_outcome(), None, None, None),
        Err(DispatchError::UnknownTool { .. }) => (Outcome::UnknownTool, None, None, None),
        Err(DispatchError::AboveCeiling { .. }) => (Outcome::AboveCeiling, None, None, None),
    };
    let tool = if is_valid_tool_name(name) {
        name.to_owned()
    } else {
        "<invalid>".to_owned()
    };
    AuditRecord {
        timestamp: audit::now_rfc3339(),
        request_id: bounded_name(&origin.request_id),
        client: origin.client.as_ref().map(ClientInfo::for_audit),
        profile: origin.profile.as_deref().map(bounded_name),
        tool,
        sites: shape.sites,
        period: shape.period,
        date: shape.date,
        segment_dimensions: shape.segment_dimensions,
        class_exposed,
        rows_returned,
        rows_suppressed,
        epsilon_charged,
        outcome,
        // To the microsecond: more digits are float noise, not precision.
        duration_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1000.0,
    }
}

impl<S> std::fmt::Debug for Toolbox<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Toolbox")
            .field("ceiling", &self.ceiling)
            .field(
                "tools",
                &self
                    .tools
                    .iter()
                    .map(|t| t.descriptor.name())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn is_valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_object_schema(schema: &Map<String, Value>) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}
