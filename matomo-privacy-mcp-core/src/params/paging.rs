//! `filter_limit`, `filter_offset`, `filter_sort_column` and `filter_sort_order`.

use std::fmt;

use super::ParamError;

/// How many rows to return (`filter_limit`); Matomo's default is 100 (10 for Live).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Every row (`-1`); beware of large reports.
    All,
    /// At most this many rows; at least 1.
    Rows(u32),
}

impl Limit {
    /// At most `n` rows; `0` is refused because it would return nothing.
    pub fn rows(n: u32) -> Result<Self, ParamError> {
        let limit = Self::Rows(n);
        limit.validate()?;
        Ok(limit)
    }

    pub(crate) fn validate(&self) -> Result<(), ParamError> {
        match self {
            Self::Rows(0) => Err(ParamError::new(
                "filter_limit",
                "a limit of 0 returns nothing; give at least 1, or `Limit::All` for every row",
            )),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("-1"),
            Self::Rows(n) => n.fmt(f),
        }
    }
}

/// Sort direction (`filter_sort_order`); Matomo's default is descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl SortOrder {
    /// The value Matomo expects.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// Sorting by one column (`filter_sort_column` and `filter_sort_order`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    column: String,
    order: SortOrder,
}

impl Sort {
    /// Sorts by `column` (a metric or `label`, made of letters, digits and `_`).
    pub fn new(column: &str, order: SortOrder) -> Result<Self, ParamError> {
        let valid = !column.is_empty()
            && column.len() <= 64
            && column
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(ParamError::new(
                "filter_sort_column",
                "a column name is made of letters, digits and `_`, e.g. nb_visits or label",
            ));
        }
        Ok(Self {
            column: column.to_owned(),
            order,
        })
    }

    /// Largest `column` first.
    pub fn desc(column: &str) -> Result<Self, ParamError> {
        Self::new(column, SortOrder::Desc)
    }

    /// Smallest `column` first.
    pub fn asc(column: &str) -> Result<Self, ParamError> {
        Self::new(column, SortOrder::Asc)
    }

    /// The column sorted by.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The direction.
    pub fn order(&self) -> SortOrder {
        self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_serialise_as_matomo_expects() {
        assert_eq!(Limit::All.to_string(), "-1");
        assert_eq!(Limit::rows(25).unwrap().to_string(), "25");
        assert!(Limit::rows(0).is_err());
    }

    #[test]
    fn sort_columns_are_plain_names() {
        assert_eq!(Sort::desc("nb_visits").unwrap().column(), "nb_visits");
        assert_eq!(Sort::asc("label").unwrap().order(), SortOrder::Asc);
        for bad in ["", "nb visits", "a&b=c", "label;drop"] {
            assert!(Sort::desc(bad).is_err(), "{bad}");
        }
    }
}
