//! When each action and each conversion of a visit happens, as the Tracking API requests of
//! [`real_matomo`](crate::real_matomo) send them to a real Matomo, so that the emulator's reports
//! by time (conversions by server hour) count them where Matomo does.
//!
//! Derived from the visit as it is (its first action's time, its actions' time spent, its
//! length), so the dataset itself is unchanged.

use super::{Action, Conversion, Visit, generate};

impl Visit {
    /// The Unix time of each action, in order: an action starts when the page views before it
    /// have been spent, and no later than the visit's last second ([`Visit::last_second`]); a
    /// visit of one action has it at its first second.
    pub fn action_times(&self) -> Vec<i64> {
        if self.actions.len() <= 1 {
            return vec![self.first_ts; self.actions.len()];
        }
        let end = self.last_second();
        let mut elapsed = 0i64;
        self.actions
            .iter()
            .map(|action| {
                let ts = (self.first_ts + elapsed).min(end);
                if let Action::Page { time_spent, .. } = action {
                    elapsed += i64::try_from(*time_spent).unwrap_or(0);
                }
                ts
            })
            .collect()
    }

    /// The visit's last second as Matomo counts it: its `visit_total_time` is `1 + last request
    /// − first action`, so a visit of `duration` seconds ends at `first_ts + duration − 1`.
    pub fn last_second(&self) -> i64 {
        let duration = i64::try_from(self.duration).unwrap_or(i64::MAX);
        self.first_ts + (duration - 1).max(0)
    }

    /// The Unix time of each conversion, in [`Visit::conversions`] order. A goal on a URL or
    /// an event category converts by itself at the first action that matches it (Matomo's
    /// `contains` on the page URL, the exact event category); a manual goal and an order are
    /// sent at the visit's last action.
    pub fn conversion_times(&self) -> Vec<i64> {
        let times = self.action_times();
        let last = times.last().copied().unwrap_or(self.first_ts);
        let goals = generate::goals();
        self.conversions
            .iter()
            .map(|conversion| {
                self.converting_action(conversion, &goals)
                    .and_then(|i| times.get(i).copied())
                    .unwrap_or(last)
            })
            .collect()
    }

    /// The index of the action a goal converts on by itself; `None` for a manual goal or an
    /// order.
    fn converting_action(&self, conversion: &Conversion, goals: &[super::Goal]) -> Option<usize> {
        let id = conversion.goal?;
        let goal = goals.iter().find(|g| g.site == self.site && g.id == id)?;
        self.actions
            .iter()
            .position(|a| match (goal.match_attribute.as_str(), a) {
                ("url", Action::Page { url, .. }) => url.contains(&goal.pattern),
                ("event_category", Action::Event { category, .. }) => *category == goal.pattern,
                _ => false,
            })
    }
}
