//! How the server names itself to MCP clients in `initialize`.

use base64::Engine;

use crate::setters::setters;

/// The server's identity sent to clients (`serverInfo`: name, version, title, description,
/// website, icons) and its optional instructions for the model.
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
    /// Icons a client may show for the server (`serverInfo.icons`, MCP 2025-11-25).
    pub icons: Vec<ServerIcon>,
}

/// An icon of the server (MCP 2025-11-25 `Icon`): where the image is, its type and sizes.
///
/// ```
/// use matomo_privacy_mcp_server::ServerIcon;
///
/// let icon = ServerIcon::svg("<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
/// assert!(icon.src.starts_with("data:image/svg+xml;base64,"));
/// assert_eq!(icon.sizes, ["any"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerIcon {
    /// An `https:` URL or a `data:` URI holding the image.
    pub src: String,
    /// Its MIME type (`image/svg+xml`, `image/png`), when `src` does not say it well enough.
    pub mime_type: Option<String>,
    /// The sizes it is drawn for (`48x48`, or `any` for a scalable image); empty: any size.
    pub sizes: Vec<String>,
}

impl ServerIcon {
    /// An icon at `src` (an `https:` URL or a `data:` URI), of any size and type.
    pub fn new(src: impl Into<String>) -> Self {
        Self {
            src: src.into(),
            mime_type: None,
            sizes: Vec::new(),
        }
    }

    /// An SVG image carried in the icon itself, as a base64 `data:` URI: no request to any
    /// server when a client shows it. Clients are asked to treat SVG with care (it may hold
    /// script): give one without scripts or external references.
    pub fn svg(svg: &str) -> Self {
        Self {
            src: format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(svg)
            ),
            mime_type: Some("image/svg+xml".to_owned()),
            sizes: vec!["any".to_owned()],
        }
    }
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
            icons: Vec::new(),
        }
    }

    setters! {
        /// Sets the human-readable title.
        pub fn with_title(title: impl Into<String>) { title = Some(title.into()) }

        /// Sets the one-sentence description.
        pub fn with_description(description: impl Into<String>) {
            description = Some(description.into())
        }

        /// Sets the website address.
        pub fn with_website_url(url: impl Into<String>) { website_url = Some(url.into()) }

        /// Adds an icon (`serverInfo.icons`); clients pick among several by type and size.
        pub fn with_icon(icon: ServerIcon) { icons.push(icon) }

        /// Sets the instructions sent in the `initialize` result.
        pub fn with_instructions(instructions: impl Into<String>) {
            instructions = Some(instructions.into())
        }
    }
}

impl Default for ServerInfo {
    fn default() -> Self {
        Self::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    }
}
