//! Report tables as Matomo's DataTable: rows with a label, metric columns and an optional subtable, then
//! the generic request filters (`idSubtable`, `flat`, `expanded`, sort, offset, limit).

use serde_json::{Map, Value};

/// One row; `cols` excludes the label.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub label: String,
    pub cols: Map<String, Value>,
    pub sub: Option<Vec<Row>>,
    /// Label to use when flattened, when it is not "parent - child" (Actions use the full path).
    pub flat_label: Option<String>,
    /// Columns added to this row only when flattened (e.g. `Events_EventCategory`).
    pub flat_cols: Map<String, Value>,
    /// Columns Matomo shows on the requested table's rows but not inside embedded subtables.
    pub top_cols: Map<String, Value>,
    /// Label to use inside its parent (`expanded=1`) when the API relabels only the subtables it
    /// serves by id or flattened: `Referrers.getWebsites`' URL rows are archived under the
    /// referrer URL, which `UrlsFromWebsiteId` turns into its path for `idSubtable` and `flat=1`.
    pub embedded_label: Option<String>,
}

impl Row {
    pub(crate) fn new(label: impl Into<String>) -> Row {
        Row {
            label: label.into(),
            ..Row::default()
        }
    }

    pub(crate) fn set(&mut self, key: &str, v: impl Into<Value>) -> &mut Row {
        self.cols.insert(key.to_string(), v.into());
        self
    }

    fn metric(&self, col: &str) -> f64 {
        sort_value(self.cols.get(col))
    }
}

/// How many rows Matomo's archiver keeps per table of the Actions reports (and of the site
/// search keywords' and the referrer reports') before it sums the
/// others into one truncation row ("Others", marked `is_summary`): its
/// `datatable_archiving_maximum_rows_actions` (the top table) and
/// `datatable_archiving_maximum_rows_subtable_actions` (each directory's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowLimits {
    pub actions: usize,
    pub actions_subtable: usize,
    /// `datatable_archiving_maximum_rows_site_search`: rows of the site search keywords' table.
    pub site_search: usize,
    /// `datatable_archiving_maximum_rows_referrers`: rows of a referrer report's top table.
    pub referrers: usize,
    /// `datatable_archiving_maximum_rows_subtable_referrers`: rows of each of its subtables.
    pub referrers_subtable: usize,
}

impl Default for RowLimits {
    /// Matomo 5's defaults.
    fn default() -> Self {
        RowLimits {
            actions: 500,
            actions_subtable: 100,
            site_search: 500,
            referrers: 1000,
            referrers_subtable: 50,
        }
    }
}

/// A column's value as a sort key: numbers, and numbers in text (`"45%"`); anything else is 0.
fn sort_value(value: Option<&Value>) -> f64 {
    match value {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => s.trim_end_matches('%').parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The paging and shaping parameters Matomo applies to every table report.
#[derive(Debug, Clone)]
pub(crate) struct TableFilters {
    pub flat: bool,
    pub expanded: bool,
    pub id_subtable: Option<u64>,
    pub limit: i64,
    pub offset: usize,
    pub sort_column: Option<String>,
    pub sort_desc: bool,
    /// `filter_truncate`: the rows kept before the others are summed into one "Others" row.
    pub truncate: Option<usize>,
}

/// Sorts and assigns subtable ids (depth first, from 1) so `idSubtable` can find them again.
pub(crate) fn finish(mut rows: Vec<Row>, f: &TableFilters) -> Value {
    sort_rows(&mut rows, f);
    shape(rows, f, None)
}

/// [`finish`] for a report whose API method deletes rows of the table it returns (Matomo's
/// `ColumnCallbackDeleteRow`, not recursive: `getEntryPageUrls`, `getExitPageUrls`): `keep`
/// decides on the requested table's rows only, the top level or the subtable of `idSubtable`.
/// The subtables of kept rows stay whole, so `flat` and `expanded` show their rows even when
/// `keep` would drop them (a day's exit pages list a page without exits in a folder with some;
/// checked on a real Matomo 5.0.2).
pub(crate) fn finish_keeping(
    mut rows: Vec<Row>,
    f: &TableFilters,
    keep: fn(&Row) -> bool,
) -> Value {
    sort_rows(&mut rows, f);
    shape(rows, f, Some(keep))
}

/// [`finish`] for reports whose rows come in a fixed order (ranges, weekdays): they are sorted
/// only when the caller asks for a sort column, as Matomo keeps its archive's order otherwise.
pub(crate) fn finish_in_order(mut rows: Vec<Row>, f: &TableFilters) -> Value {
    if f.sort_column.is_some() {
        sort_rows(&mut rows, f);
    }
    shape(rows, f, None)
}

/// Numbers subtables, then applies `idSubtable`, `keep` (on the requested table's rows),
/// `flat`/`expanded`, offset and limit.
fn shape(rows: Vec<Row>, f: &TableFilters, keep: Option<fn(&Row) -> bool>) -> Value {
    let mut next_id = 1u64;
    let mut rows = number(rows, &mut next_id);
    if let Some(id) = f.id_subtable {
        rows = find_sub(rows, id).unwrap_or_default();
    }
    if let Some(keep) = keep {
        rows.retain(|n| keep(&n.row));
    }
    let mut out: Vec<Value> = if f.flat {
        // Matomo flattens first and sorts the flat table after, as a whole.
        let mut flat = flatten(rows, None);
        sort_flat(&mut flat, f);
        flat
    } else {
        render(rows, f.expanded, true)
    };
    if let Some(kept) = f.truncate {
        truncate(&mut out, kept);
    }
    let start = f.offset.min(out.len());
    out.drain(..start);
    if f.limit >= 0 {
        out.truncate(f.limit as usize);
    }
    Value::Array(out)
}

/// Sorts flattened rows by the sort column (`nb_visits` by default), as [`sort_rows`] does.
fn sort_flat(rows: &mut [Value], f: &TableFilters) {
    let col = f.sort_column.clone().unwrap_or_else(|| "nb_visits".into());
    let label = |v: &Value| {
        v.get("label")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let metric = |v: &Value| sort_value(v.get(&col));
    rows.sort_by(|a, b| {
        let ord = if col == "label" {
            label(a).cmp(&label(b))
        } else {
            metric(a)
                .partial_cmp(&metric(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        };
        let ord = if f.sort_desc { ord.reverse() } else { ord };
        ord.then_with(|| label(a).cmp(&label(b)))
    });
}

/// `filter_truncate`: a table of more than `kept + 1` rows keeps its first `kept` and ends with
/// one "Others" row summing the numbers of the rest (Matomo's `Truncate` filter, which leaves a
/// table of `kept + 1` rows as it is). The sum has no segment.
fn truncate(rows: &mut Vec<Value>, kept: usize) {
    if rows.len() <= kept.saturating_add(1) {
        return;
    }
    let mut sum = Map::new();
    for row in rows.drain(kept..) {
        let Value::Object(row) = row else { continue };
        for (name, value) in row {
            if let Some(x) = value.as_f64() {
                let total = sum.get(&name).and_then(Value::as_f64).unwrap_or(0.0) + x;
                sum.insert(name, whole_or_float(total));
            }
        }
    }
    let mut others = Map::new();
    others.insert("label".into(), Value::from("Others"));
    others.extend(sum);
    rows.push(Value::Object(others));
}

struct Numbered {
    row: Row,
    id: Option<u64>,
    sub: Vec<Numbered>,
}

fn sort_rows(rows: &mut [Row], f: &TableFilters) {
    let col = f.sort_column.clone().unwrap_or_else(|| "nb_visits".into());
    rows.sort_by(|a, b| {
        let ord = if col == "label" {
            match (a.label.parse::<f64>(), b.label.parse::<f64>()) {
                (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => a.label.cmp(&b.label),
            }
        } else {
            a.metric(&col)
                .partial_cmp(&b.metric(&col))
                .unwrap_or(std::cmp::Ordering::Equal)
        };
        let ord = if f.sort_desc { ord.reverse() } else { ord };
        ord.then_with(|| a.label.cmp(&b.label))
    });
    for r in rows.iter_mut() {
        if let Some(sub) = r.sub.as_mut() {
            sort_rows(sub, f);
        }
    }
}

fn number(rows: Vec<Row>, next: &mut u64) -> Vec<Numbered> {
    rows.into_iter()
        .map(|mut row| match row.sub.take() {
            Some(sub) => {
                let id = *next;
                *next += 1;
                Numbered {
                    row,
                    id: Some(id),
                    sub: number(sub, next),
                }
            }
            None => Numbered {
                row,
                id: None,
                sub: Vec::new(),
            },
        })
        .collect()
}

fn find_sub(rows: Vec<Numbered>, id: u64) -> Option<Vec<Numbered>> {
    for n in rows {
        if n.id == Some(id) {
            return Some(n.sub);
        }
        if let Some(found) = find_sub(n.sub, id) {
            return Some(found);
        }
    }
    None
}

fn render(rows: Vec<Numbered>, expanded: bool, top: bool) -> Vec<Value> {
    rows.into_iter()
        .map(|n| {
            let label = match n.row.embedded_label {
                Some(embedded) if !top => embedded,
                _ => n.row.label,
            };
            let mut obj = Map::new();
            obj.insert("label".into(), Value::String(label));
            obj.extend(n.row.cols);
            if top {
                obj.extend(n.row.top_cols);
            }
            if let Some(id) = n.id {
                obj.insert("idsubdatatable".into(), Value::from(id));
                if expanded {
                    obj.insert("subtable".into(), Value::Array(render(n.sub, true, false)));
                }
            }
            Value::Object(obj)
        })
        .collect()
}

fn flatten(rows: Vec<Numbered>, parent: Option<(&str, &Map<String, Value>)>) -> Vec<Value> {
    let mut out = Vec::new();
    for n in rows {
        let label = match (&n.row.flat_label, parent) {
            (Some(l), _) => l.clone(),
            (None, Some((p, _))) => format!("{p} - {}", n.row.label),
            (None, None) => n.row.label.clone(),
        };
        let mut flat_cols = parent.map(|(_, c)| c.clone()).unwrap_or_default();
        flat_cols.extend(n.row.flat_cols.clone());
        if n.id.is_some() {
            out.extend(flatten(n.sub, Some((&label, &flat_cols))));
            continue;
        }
        let mut obj = Map::new();
        obj.insert("label".into(), Value::String(label));
        obj.extend(n.row.cols);
        obj.extend(n.row.top_cols);
        obj.extend(flat_cols);
        out.push(Value::Object(obj));
    }
    out
}

/// A sum as PHP's JSON prints it: an integer when whole.
pub(crate) fn whole_or_float(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}
