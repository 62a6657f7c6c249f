//! The visit metrics shared by most reports (visits, actions, bounces, conversions), aggregated per row.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Ctx, round_value};
use crate::dataset::{Conversion, Visit};
use crate::query::period::Kind;

/// Conversions of one goal (or of ecommerce orders).
#[derive(Debug, Default, Clone)]
pub(crate) struct GoalAgg {
    pub conversions: u64,
    pub visits: BTreeSet<u64>,
    pub revenue: f64,
    pub items: u64,
}

/// Counts one conversion of the visit under Matomo's goal key (`idgoal=1`,
/// `idgoal=ecommerceOrder`).
pub(crate) fn add_conversion(goals: &mut BTreeMap<String, GoalAgg>, v: &Visit, c: &Conversion) {
    let key = match c.goal {
        Some(id) => format!("idgoal={id}"),
        None => "idgoal=ecommerceOrder".to_string(),
    };
    let g = goals.entry(key).or_default();
    g.conversions += 1;
    g.visits.insert(v.id);
    g.revenue += c.revenue;
    g.items += u64::from(c.items);
}

/// Aggregated visit metrics of one report row.
#[derive(Debug, Default, Clone)]
pub(crate) struct VisitAgg {
    pub nb_visits: u64,
    pub nb_actions: u64,
    pub max_actions: u64,
    pub sum_visit_length: u64,
    pub bounce_count: u64,
    pub nb_visits_converted: u64,
    pub daily_visitors: BTreeSet<(i64, String)>,
    pub daily_users: BTreeSet<(i64, String)>,
    pub visitors: BTreeSet<String>,
    pub users: BTreeSet<String>,
    /// Keyed by Matomo's goal key: `idgoal=1`, `idgoal=ecommerceOrder`.
    pub goals: BTreeMap<String, GoalAgg>,
}

impl VisitAgg {
    pub(crate) fn add(&mut self, v: &Visit) {
        self.nb_visits += 1;
        self.nb_actions += v.nb_actions();
        self.max_actions = self.max_actions.max(v.nb_actions());
        self.sum_visit_length += v.duration;
        self.bounce_count += u64::from(v.is_bounce());
        self.nb_visits_converted += u64::from(v.converted());
        self.daily_visitors.insert((v.day.0, v.visitor_id.clone()));
        self.visitors.insert(v.visitor_id.clone());
        if let Some(u) = &v.user_id {
            self.daily_users.insert((v.day.0, u.clone()));
            self.users.insert(u.clone());
        }
        for c in &v.conversions {
            add_conversion(&mut self.goals, v, c);
        }
    }

    pub(crate) fn of<'a>(visits: impl IntoIterator<Item = &'a Visit>) -> VisitAgg {
        let mut agg = VisitAgg::default();
        for v in visits {
            agg.add(v);
        }
        agg
    }

    pub(crate) fn nb_conversions(&self) -> u64 {
        self.goals.values().map(|g| g.conversions).sum()
    }

    pub(crate) fn revenue(&self) -> f64 {
        self.goals.values().map(|g| g.revenue).sum()
    }

    /// The six counts of visits that both report rows and `VisitsSummary.get` show, under
    /// Matomo's column names.
    pub(crate) fn insert_counts(&self, m: &mut Map<String, Value>) {
        for (column, count) in [
            ("nb_visits", self.nb_visits),
            ("nb_actions", self.nb_actions),
            ("max_actions", self.max_actions),
            ("sum_visit_length", self.sum_visit_length),
            ("bounce_count", self.bounce_count),
            ("nb_visits_converted", self.nb_visits_converted),
        ] {
            m.insert(column.into(), Value::from(count));
        }
    }

    /// The columns of a dimension report row (`UserCountry.getCountry` style).
    pub(crate) fn row_cols(&self, ctx: &Ctx<'_>, with_goals: bool) -> Map<String, Value> {
        let mut m = Map::new();
        if ctx.period.kind == Kind::Day {
            m.insert("nb_uniq_visitors".into(), Value::from(self.visitors.len()));
            m.insert("nb_users".into(), Value::from(self.users.len()));
        }
        self.insert_counts(&mut m);
        // Rows without conversions have no goal columns, as in Matomo's reports.
        if with_goals && !self.goals.is_empty() {
            m.insert("goals".into(), Value::Object(self.goals_object()));
            m.insert("nb_conversions".into(), Value::from(self.nb_conversions()));
            m.insert("revenue".into(), round_value(self.revenue(), 2));
        }
        if ctx.period.kind != Kind::Day {
            m.insert(
                "sum_daily_nb_uniq_visitors".into(),
                Value::from(self.daily_visitors.len()),
            );
            m.insert(
                "sum_daily_nb_users".into(),
                Value::from(self.daily_users.len()),
            );
        }
        m
    }

    /// `goals` as Matomo nests it in report rows.
    pub(crate) fn goals_object(&self) -> Map<String, Value> {
        self.goals
            .iter()
            .map(|(k, g)| {
                let mut o = Map::new();
                o.insert("nb_conversions".into(), Value::from(g.conversions));
                o.insert("nb_visits_converted".into(), Value::from(g.visits.len()));
                o.insert("revenue".into(), round_value(g.revenue, 2));
                if k == "idgoal=ecommerceOrder" {
                    o.insert("items".into(), Value::from(g.items));
                }
                (k.clone(), Value::Object(o))
            })
            .collect()
    }
}
