//! `idSite`: one site, a list, or every site the token can view.

use std::fmt;

use super::ParamError;
use crate::ids::SiteId;

/// Which sites a request covers (`idSite`).
///
/// A list of two or more sites, and `all`, make Matomo key the response by
/// site id ([`Sites::is_multi_site`]); `all` does so even when it resolves to
/// one site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sites {
    /// One site: `idSite=3`.
    One(SiteId),
    /// Several sites, in order, without duplicates: `idSite=1,3,7`.
    List(Vec<SiteId>),
    /// Every site the token can view: `idSite=all`.
    All,
}

impl Sites {
    /// One site; `0` is refused because Matomo would silently drop it.
    pub fn one(id: u32) -> Result<Self, ParamError> {
        Ok(Self::One(checked(id)?))
    }

    /// Several sites; duplicates are dropped, an empty list or a `0` is refused.
    pub fn list(ids: impl IntoIterator<Item = u32>) -> Result<Self, ParamError> {
        let mut list: Vec<SiteId> = Vec::new();
        for id in ids {
            let id = checked(id)?;
            if !list.contains(&id) {
                list.push(id);
            }
        }
        if list.is_empty() {
            return Err(ParamError::new(
                "idSite",
                "the list of sites is empty; give at least one site id or use `Sites::All`",
            ));
        }
        Ok(Self::List(list))
    }

    /// Whether Matomo's answer is an object keyed by site id.
    pub fn is_multi_site(&self) -> bool {
        match self {
            Self::One(_) => false,
            Self::List(list) => list.len() > 1,
            Self::All => true,
        }
    }

    /// Re-checks sites built directly from the enum variants.
    pub(crate) fn validate(&self) -> Result<(), ParamError> {
        match self {
            Self::One(id) => checked(id.0).map(drop),
            Self::List(list) if list.is_empty() => Err(ParamError::new(
                "idSite",
                "the list of sites is empty; give at least one site id or use `Sites::All`",
            )),
            Self::List(list) => list.iter().try_for_each(|id| checked(id.0).map(drop)),
            Self::All => Ok(()),
        }
    }
}

fn checked(id: u32) -> Result<SiteId, ParamError> {
    if id == 0 {
        return Err(ParamError::new(
            "idSite",
            "site ids start at 1; `SitesManager.getSitesIdWithAtLeastViewAccess` lists the valid ones",
        ));
    }
    Ok(SiteId(id))
}

impl fmt::Display for Sites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::One(id) => id.fmt(f),
            Self::List(list) => {
                for (i, id) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    id.fmt(f)?;
                }
                Ok(())
            }
            Self::All => f.write_str("all"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_and_knows_when_matomo_keys_by_site() {
        assert_eq!(Sites::one(3).unwrap().to_string(), "3");
        assert!(!Sites::one(3).unwrap().is_multi_site());
        let list = Sites::list([1, 3, 1, 7]).unwrap();
        assert_eq!(list.to_string(), "1,3,7");
        assert!(list.is_multi_site());
        assert!(!Sites::list([2]).unwrap().is_multi_site());
        assert_eq!(Sites::All.to_string(), "all");
        assert!(Sites::All.is_multi_site());
    }

    #[test]
    fn refuses_zero_and_empty() {
        assert!(Sites::one(0).is_err());
        assert!(Sites::list([]).is_err());
        assert!(Sites::list([1, 0]).is_err());
        assert!(Sites::List(vec![]).validate().is_err());
        assert!(Sites::One(SiteId(0)).validate().is_err());
    }
}
