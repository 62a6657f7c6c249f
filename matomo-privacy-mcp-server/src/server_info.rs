//! How the server names itself to MCP clients in `initialize`.

/// The server's identity sent to clients (`serverInfo`: name, version, title, description,
/// website) and its optional instructions for the model.
///
/// The default is this crate's name and version, so a client never sees the
/// MCP SDK's own name; a deployment sets its own with [`ServerInfo::new`].
///
/// ```
/// use matomo_privacy_mcp_server::ServerInfo;
///
/// let info = ServerInfo::new("acme-analytics", "2.1.0").with_title("ACME analytics (Matomo)");
/// assert_eq!(info.name, "acme-analytics");
/// assert_eq!(ServerInfo::default().name, "matomo-privacy-mcp-server");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerInfo {
    /// The machine name clients show and log (`serverInfo.name`).
    pub name: String,
    /// The server's version (`serverInfo.version`).
    pub version: String,
    /// A human-readable name (`serverInfo.title`).
    pub title: Option<String>,
    /// What the server is for, in a sentence (`serverInfo.description`).
    pub description: Option<String>,
    /// Where to read about it (`serverInfo.websiteUrl`).
    pub website_url: Option<String>,
    /// Text the client may give the model about using this server (`instructions`).
    pub instructions: Option<String>,
}

impl ServerInfo {
    /// A server called `name` at `version`, without title or instructions.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            title: None,
            description: None,
            website_url: None,
            instructions: None,
        }
    }

    /// Sets the human-readable title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the one-sentence description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the website address.
    pub fn with_website_url(mut self, url: impl Into<String>) -> Self {
        self.website_url = Some(url.into());
        self
    }

    /// Sets the instructions sent in the `initialize` result.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }
}

impl Default for ServerInfo {
    fn default() -> Self {
        Self::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    }
}
