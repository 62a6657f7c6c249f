//! From a parsed request to Matomo's answer: authentication, method lookup, site and period nesting,
//! bulk requests.

use serde_json::{Map, Value, json};

use crate::dataset::{Dataset, Visit};
use crate::query::auth::{self, Access};
use crate::query::errors::{self, ApiError};
use crate::query::period::{self, Periods};
use crate::query::request::{ApiRequest, parse_form};
use crate::query::segment::Segment;
use crate::query::table::{RowLimits, TableFilters};
use crate::reports::{self, Ctx, live, profile, sites};

/// What the HTTP layer sends back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    Json { status: u16, body: Value },
    Html { status: u16, body: String },
}

/// Answers one HTTP request.
pub(crate) fn answer(
    ds: &Dataset,
    tokens: &[(String, Access)],
    limits: RowLimits,
    req: &ApiRequest,
) -> Answer {
    let result = auth::authenticate(req, tokens).and_then(|access| {
        let token = req
            .body
            .iter()
            .find(|(k, _)| k == "token_auth")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        call(ds, &access, &token, req, true, limits)
    });
    match result {
        Ok(body) => Answer::Json { status: 200, body },
        Err(ApiError::Json { status, message }) => Answer::Json {
            status,
            body: error_body(&message),
        },
        Err(ApiError::Html { message }) => Answer::Html {
            status: 401,
            body: errors::html_page(&message),
        },
    }
}

fn error_body(message: &str) -> Value {
    json!({"result": "error", "message": message})
}

const MODULES: &[&str] = &[
    "API",
    "VisitsSummary",
    "Actions",
    "Referrers",
    "UserCountry",
    "DevicesDetection",
    "Goals",
    "Events",
    "VisitTime",
    "Live",
    "UserId",
    "SitesManager",
    "UsersManager",
    "Annotations",
    "SegmentEditor",
    "UserLanguage",
    "Resolution",
    "VisitorInterest",
    "Contents",
    "PagePerformance",
];

fn call(
    ds: &Dataset,
    access: &Access,
    token: &str,
    req: &ApiRequest,
    allow_bulk: bool,
    limits: RowLimits,
) -> Result<Value, ApiError> {
    let method = req
        .non_empty("method")
        .ok_or_else(|| ApiError::payload(errors::missing("method")))?;
    let (module, action) = method.split_once('.').unwrap_or((method, ""));
    if !MODULES.contains(&module) {
        return Err(ApiError::payload(errors::unknown_module(module)));
    }
    let value = match method {
        "API.getBulkRequest" if allow_bulk => bulk(ds, access, token, req, limits),
        "API.getMatomoVersion" => json!({"value": sites::MATOMO_VERSION}),
        "UsersManager.hasSuperUserAccess" => json!({"value": access.super_user}),
        "SitesManager.getSitesWithAtLeastViewAccess" => sites::sites_with_view(ds, access),
        "SitesManager.getSiteFromId" => sites::site_from_id(ds, one_site(ds, access, req)?, access),
        m if m.starts_with("SitesManager.getSitesIdWith") && m.ends_with("Access") => {
            let level = &m["SitesManager.getSitesIdWith".len()..m.len() - "Access".len()];
            if !matches!(level, "AtLeastView" | "View" | "Write" | "Admin") {
                return Err(ApiError::payload(errors::unknown_method(module, action)));
            }
            sites::site_ids(ds, access, level)
        }
        "SitesManager.addSite" if !access.super_user => {
            return Err(ApiError::denied(errors::SUPER_USER));
        }
        "UsersManager.getUsers" if !access.super_user && access.admin.is_empty() => {
            return Err(ApiError::denied(errors::SOME_ADMIN));
        }
        "Goals.getGoals" => sites::goals(ds, one_site(ds, access, req)?),
        "Annotations.getAll" => annotations(ds, access, req)?,
        "SegmentEditor.getAll" => saved_segments(ds, access, req)?,
        "API.getReportMetadata" => sites::report_metadata(ds, one_site(ds, access, req)?, token),
        "Live.getVisitorProfile" => {
            profile::visitor_profile(ds, one_site(ds, access, req)?, req.non_empty("visitorId"))
        }
        "Live.getLastVisitsDetails" => last_visits(ds, access, req)?,
        "Live.getCounters" => {
            profile::counters(ds, one_site(ds, access, req)?, req.non_empty("lastMinutes"))
                .map_err(ApiError::payload)?
        }
        // A summary's columns are cut per site and period, before Matomo renders it.
        m if is_get_style(m) => return period_report(ds, access, req, m, limits),
        m if reports::is_period_method(m) => period_report(ds, access, req, m, limits)?,
        _ => return Err(ApiError::payload(errors::unknown_method(module, action))),
    };
    Ok(show_columns(hide_columns(value, req), req))
}

/// `Annotations.getAll`: the notes of each site within the period(s), keyed by site id as Matomo
/// answers (its system test `Annotations.getAll_month` shows the fields).
fn annotations(ds: &Dataset, access: &Access, req: &ApiRequest) -> Result<Value, ApiError> {
    let (site_ids, _) = parse_sites(ds, access, req)?;
    let periods: Periods = period::parse(req.non_empty("period"), req.get("date"), ds.today)?;
    let (Some(start), Some(end)) = (
        periods.list.iter().map(|p| p.start).min(),
        periods.list.iter().map(|p| p.end).max(),
    ) else {
        return Ok(json!({}));
    };
    let mut by_site = Map::new();
    for id in site_ids {
        let notes: Vec<Value> = ds
            .annotations
            .iter()
            .enumerate()
            .filter(|(_, a)| a.site == id && a.date >= start && a.date <= end)
            .map(|(i, a)| {
                json!({
                    "id": i + 1, "idsite": a.site, "date": a.date.to_string(), "note": a.note,
                    "starred": u8::from(a.starred), "user": a.user, "canEditOrDelete": false,
                    "idNote": i + 1,
                })
            })
            .collect();
        by_site.insert(id.to_string(), Value::Array(notes));
    }
    Ok(Value::Object(by_site))
}

/// `SegmentEditor.getAll`: the saved segments the token may use, for one site (those saved for
/// it and for every site) or for all its sites, as Matomo's database rows: every value a string,
/// `enable_only_idsite` `"0"` for every site.
fn saved_segments(ds: &Dataset, access: &Access, req: &ApiRequest) -> Result<Value, ApiError> {
    let site = match req.non_empty("idSite") {
        Some(_) => Some(one_site(ds, access, req)?),
        None => None,
    };
    let rows = ds
        .saved_segments
        .iter()
        .enumerate()
        .filter(|(_, s)| match (site, s.site) {
            (Some(asked), Some(own)) => asked == own,
            (None, Some(own)) => access.can_view(own),
            (_, None) => true,
        })
        .map(|(i, s)| {
            json!({
                "idsegment": (i + 1).to_string(),
                "name": s.name,
                "definition": s.definition,
                "hash": format!("{:032x}", i + 1),
                "login": s.login,
                "enable_all_users": "1",
                "enable_only_idsite": s.site.unwrap_or(0).to_string(),
                "auto_archive": "1",
                "ts_created": format!("{} 09:00:00", ds.today.plus(-40)),
                "ts_last_edit": null,
                "deleted": "0",
            })
        })
        .collect();
    Ok(Value::Array(rows))
}

/// `API.getBulkRequest`: each `urls[i]` is a query string run as its own call with the top-level token;
/// failures stay per item, as Matomo answers.
fn bulk(ds: &Dataset, access: &Access, token: &str, req: &ApiRequest, limits: RowLimits) -> Value {
    let items = req
        .bulk_urls()
        .into_iter()
        .map(|url| {
            let sub = ApiRequest {
                query: Vec::new(),
                body: parse_form(&url),
            };
            call(ds, access, token, &sub, false, limits).unwrap_or_else(|e| error_body(e.message()))
        })
        .collect();
    Value::Array(items)
}

/// Parses `idSite` into site ids, checks they exist and are viewable; `multi` when keyed by site.
fn parse_sites(
    ds: &Dataset,
    access: &Access,
    req: &ApiRequest,
) -> Result<(Vec<u32>, bool), ApiError> {
    let raw = req
        .non_empty("idSite")
        .ok_or_else(|| ApiError::payload(errors::missing("idSite")))?;
    let all: Vec<u32> = ds.sites.iter().map(|s| s.id).collect();
    if raw == "all" {
        let ids = access.viewable(&all);
        if ids.is_empty() {
            return Err(ApiError::denied(errors::view_access(1)));
        }
        return Ok((ids, true));
    }
    let mut ids = Vec::new();
    for part in raw.split(',') {
        let id: u32 = part
            .trim()
            .parse()
            .map_err(|_| ApiError::payload(errors::unknown_site("0")))?;
        if ds.site(id).is_none() {
            return Err(ApiError::payload(errors::unknown_site(&id.to_string())));
        }
        ids.push(id);
    }
    for id in &ids {
        access.require_view(*id)?;
    }
    Ok((ids, raw.contains(',')))
}

fn one_site(ds: &Dataset, access: &Access, req: &ApiRequest) -> Result<u32, ApiError> {
    let (ids, _) = parse_sites(ds, access, req)?;
    ids.first()
        .copied()
        .ok_or_else(|| ApiError::payload(errors::missing("idSite")))
}

fn filters(req: &ApiRequest, default_limit: i64) -> TableFilters {
    TableFilters {
        flat: req.flag("flat"),
        expanded: req.flag("expanded"),
        id_subtable: req.non_empty("idSubtable").and_then(|s| s.parse().ok()),
        limit: req
            .non_empty("filter_limit")
            .and_then(|s| s.parse().ok())
            .unwrap_or(default_limit),
        offset: req
            .non_empty("filter_offset")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        sort_column: req.non_empty("filter_sort_column").map(String::from),
        sort_desc: req.get("filter_sort_order") != Some("asc"),
        truncate: req
            .non_empty("filter_truncate")
            .and_then(|s| s.parse().ok()),
    }
}

fn segment(req: &ApiRequest) -> Result<Segment, ApiError> {
    req.non_empty("segment")
        .map(Segment::parse)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// The summaries, Matomo's `DataTable\Simple` answers (one row of metrics per site and period):
/// an empty period is `[]` inside a multi-period answer (and zeros when alone), and a summary
/// left with one column is sent as its bare value ([`reports::render_summary`]).
fn is_get_style(method: &str) -> bool {
    matches!(
        method,
        "VisitsSummary.get" | "Goals.get" | "PagePerformance.get" | "API.get"
    )
}

fn period_report(
    ds: &Dataset,
    access: &Access,
    req: &ApiRequest,
    method: &str,
    limits: RowLimits,
) -> Result<Value, ApiError> {
    let (site_ids, multi_site) = parse_sites(ds, access, req)?;
    let periods: Periods = period::parse(req.non_empty("period"), req.get("date"), ds.today)?;
    let seg = segment(req)?;
    // `API.get` whose `columns` selects no plugin asks none: one empty table, for any periods.
    if method == "API.get" && reports::api_get_selects_nothing(req) {
        return Ok(Value::Array(Vec::new()));
    }
    // Matomo 5.0.2's `Referrers.get`, which `API.get` asks for the referrer channels, refuses
    // several sites.
    if method == "API.get" && multi_site && reports::api_get_asks_referrers(req) {
        return Err(ApiError::payload(
            "Referrers.getReferrerType with multiple sites is not supported (yet).",
        ));
    }
    let table_filters = filters(req, 100);
    let mut by_site = Map::new();
    for id in &site_ids {
        let mut by_period = Map::new();
        let mut single = Value::Null;
        for p in &periods.list {
            let visits: Vec<&Visit> = ds
                .visits_in(*id, p.start, p.end)
                .filter(|v| seg.matches(v))
                .collect();
            let empty = visits.is_empty();
            let ctx = Ctx {
                period: p,
                visits,
                req,
                filters: table_filters.clone(),
                format_metrics: req.get("format_metrics") != Some("0"),
                format_all: req.get("format_metrics") == Some("1"),
                row_limits: limits,
                site: ds.site(*id),
            };
            let mut v =
                reports::run(method, &ctx).unwrap_or_else(|| Ok(Value::Array(Vec::new())))?;
            // Several sites' summaries are a map of tables too.
            let in_map = periods.multi || multi_site;
            if in_map && empty && is_get_style(method) {
                v = reports::summary_without_visits(method, &ctx)?;
            }
            if is_get_style(method) {
                v = reports::render_summary(show_columns(hide_columns(v, req), req));
            }
            if periods.multi {
                by_period.insert(p.label(), v);
            } else {
                single = v;
            }
        }
        let site_value = if periods.multi {
            Value::Object(by_period)
        } else {
            single
        };
        if !multi_site {
            // A summary left with one column, alone, as Matomo's JSON renderer sends a bare
            // value.
            if site_value.is_number() || site_value.is_string() {
                return Ok(json!({ "value": site_value }));
            }
            return Ok(site_value);
        }
        by_site.insert(id.to_string(), site_value);
    }
    Ok(Value::Object(by_site))
}

/// Live is not archived: one list over all requested sites and days, newest first.
fn last_visits(ds: &Dataset, access: &Access, req: &ApiRequest) -> Result<Value, ApiError> {
    let (site_ids, _) = parse_sites(ds, access, req)?;
    let range = match (req.non_empty("period"), req.non_empty("date")) {
        (Some(p), Some(d)) => {
            let ps = period::parse(Some(p), Some(d), ds.today)?;
            ps.list
                .first()
                .map(|f| f.start)
                .zip(ps.list.last().map(|l| l.end))
        }
        _ => None,
    };
    let seg = segment(req)?;
    let mut visits: Vec<&Visit> = ds
        .visits
        .iter()
        .filter(|v| site_ids.contains(&v.site))
        .filter(|v| range.is_none_or(|(a, b)| v.day >= a && v.day <= b))
        .filter(|v| seg.matches(v))
        .collect();
    visits.sort_by_key(|v| std::cmp::Reverse((v.first_ts, v.id)));
    let f = filters(req, 10);
    let start = f.offset.min(visits.len());
    visits.drain(..start);
    if f.limit >= 0 {
        visits.truncate(f.limit as usize);
    }
    let with_actions = !req.flag("doNotFetchActions");
    Ok(Value::Array(
        visits
            .into_iter()
            .map(|v| live::visit_details(ds, v, with_actions))
            .collect(),
    ))
}

/// The keys of a report row that are Matomo's row metadata, not columns: `showColumns` keeps them.
const ROW_METADATA: &[&str] = &[
    "label",
    "segment",
    "url",
    "logo",
    "idsubdatatable",
    "subtable",
];

/// `showColumns=a,b` keeps only those columns (and any `a__…`) of every row, its embedded
/// subtables' and a summary's, as Matomo 5.0.2's `ColumnDelete` filter does: the label and the
/// row's metadata stay.
fn show_columns(value: Value, req: &ApiRequest) -> Value {
    let Some(cols) = req.non_empty("showColumns") else {
        return value;
    };
    let shown: Vec<&str> = cols.split(',').collect();
    let keep = |key: &str| {
        ROW_METADATA.contains(&key)
            || shown.iter().any(|c| {
                key == *c
                    || key
                        .strip_prefix(c)
                        .is_some_and(|rest| rest.starts_with("__"))
            })
    };
    fn table(v: &mut Value, keep: &dyn Fn(&str) -> bool) {
        match v {
            Value::Array(rows) => rows.iter_mut().for_each(|row| {
                if let Value::Object(m) = row {
                    m.retain(|k, _| keep(k));
                    if let Some(sub) = m.get_mut("subtable") {
                        table(sub, keep);
                    }
                }
            }),
            // One table per date or site, or a summary's columns.
            Value::Object(m) if m.values().all(|x| x.is_array() || x.is_object()) => {
                m.values_mut().for_each(|x| table(x, keep));
            }
            Value::Object(m) => m.retain(|k, _| keep(k)),
            _ => {}
        }
    }
    let mut value = value;
    table(&mut value, &keep);
    value
}

/// `hideColumns=a,b` removes those keys at every depth, as Matomo does for Live.
fn hide_columns(value: Value, req: &ApiRequest) -> Value {
    let Some(cols) = req.non_empty("hideColumns") else {
        return value;
    };
    let hidden: Vec<&str> = cols.split(',').collect();
    fn strip(v: &mut Value, hidden: &[&str]) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| !hidden.contains(&k.as_str()));
                m.values_mut().for_each(|x| strip(x, hidden));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| strip(x, hidden)),
            _ => {}
        }
    }
    let mut value = value;
    strip(&mut value, &hidden);
    value
}
