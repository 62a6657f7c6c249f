//! The error answers Matomo gives, with its own message texts (as recorded in the fixtures).

/// Why a request failed, and how Matomo shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiError {
    /// `{"result":"error","message":...}` with this HTTP status.
    Json { status: u16, message: String },
    /// Matomo's HTML error page (HTTP 401) when the request did not look like an API call.
    Html { message: String },
}

impl ApiError {
    /// HTTP 200 error payload: bad parameters, unknown methods, bad segments.
    pub(crate) fn payload(message: impl Into<String>) -> ApiError {
        ApiError::Json {
            status: 200,
            message: message.into(),
        }
    }

    /// HTTP 401 error payload: missing access.
    pub(crate) fn denied(message: impl Into<String>) -> ApiError {
        ApiError::Json {
            status: 401,
            message: message.into(),
        }
    }

    pub(crate) fn message(&self) -> &str {
        match self {
            ApiError::Json { message, .. } | ApiError::Html { message } => message,
        }
    }
}

pub(crate) const BAD_TOKEN: &str =
    "Unable to authenticate with the provided token. It is either invalid or expired.";

pub(crate) fn view_access(site: u32) -> String {
    format!(
        "You can't access this resource as it requires 'view' access for the website id = {site}."
    )
}

pub(crate) const SUPER_USER: &str =
    "You can't access this resource as it requires a 'superuser' access.";

pub(crate) const SOME_ADMIN: &str =
    "You can't access this resource as it requires admin access for at least one website.";

pub(crate) fn unknown_site(id: &str) -> String {
    format!("An unexpected website was found in the request: website id was set to '{id}' .")
}

pub(crate) fn missing(param: &str) -> String {
    format!("Please specify a value for '{param}'.")
}

pub(crate) fn bad_period(p: &str) -> String {
    format!(
        "The period '{p}' is not supported. Try any of the following instead: day, week, month, year, range"
    )
}

pub(crate) const BAD_DATE: &str = "Date format must be: YYYY-MM-DD, or 'today' or 'yesterday' or any keyword supported by the strtotime function (see http://php.net/strtotime for more information): false";

pub(crate) fn bad_range(date: &str) -> String {
    format!(
        "The date '{date}' is not a correct date range. It should have the following format:  'lastN', 'previousN', 'YYYY-MM-DD,YYYY-MM-DD'."
    )
}

pub(crate) fn unknown_method(module: &str, method: &str) -> String {
    format!(
        "The method '{method}' does not exist or is not available in the module '\\Piwik\\Plugins\\{module}\\API'."
    )
}

pub(crate) fn unknown_module(module: &str) -> String {
    format!(
        "The plugin {module} is not enabled. You can activate the plugin on Settings &gt; Plugins page in Matomo."
    )
}

pub(crate) fn bad_segment_condition(cond: &str) -> String {
    format!("The segment condition '{cond}' is not valid.")
}

pub(crate) fn unknown_segment(dim: &str) -> String {
    format!("Segment '{dim}' is not a supported segment.")
}

/// The body of Matomo's HTML error page, with the message escaped.
pub(crate) fn html_page(message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n\t<meta charset=\"utf-8\">\n\t<meta name=\"robots\" content=\"noindex,nofollow\">\n\t<title>Matomo &rsaquo; Error</title>\n</head>\n<body id=\"simple\">\n<div class=\"box\">\n\t<div class=\"header\">\n\t\t<h1>An error occurred</h1>\n\t</div>\n\t<div class=\"content\"><h2>{escaped}</h2><p><a href=\"javascript:window.history.back();\">Go Back</a> | <a href=\"index.php\">Go to Matomo</a></p></div>\n</div>\n</body>\n</html>\n"
    )
}
