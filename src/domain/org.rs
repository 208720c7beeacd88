//! The organisation tree (组织): national federation → province → city → county or industry
//! union → enterprise → branch/workshop. Any level may be missing. A unit is located by its
//! materialised path of ids (`/1/23/456/`), which makes "this unit's whole subtree" a single
//! range scan on an index in both databases.

use crate::code_enum;
use crate::domain::studio::Level;

code_enum! {
    /// The kind of an organisation unit.
    pub enum UnitKind : "unit_kind" {
        /// 全国总工会
        National = "national",
        /// 省/自治区总工会
        Province = "province",
        /// 市总工会
        City = "city",
        /// 县区总工会
        County = "county",
        /// 产业工会
        Industry = "industry",
        /// 企业
        Enterprise = "enterprise",
        /// 分厂/车间/部门
        Branch = "branch",
    }
}

impl UnitKind {
    /// Depth rank: a child must rank below its parent (industry, enterprise and branch units
    /// may also nest within their own kind: an industry union under an industry union, a
    /// subsidiary under a group, a team under a workshop).
    pub fn rank(self) -> u8 {
        match self {
            UnitKind::National => 0,
            UnitKind::Province => 1,
            UnitKind::City => 2,
            UnitKind::County | UnitKind::Industry => 3,
            UnitKind::Enterprise => 4,
            UnitKind::Branch => 5,
        }
    }

    /// Whether a unit of kind `child` may sit directly under one of this kind.
    pub fn may_contain(self, child: UnitKind) -> bool {
        child.rank() > self.rank()
            || (child == self && matches!(self, UnitKind::Industry | UnitKind::Enterprise | UnitKind::Branch))
    }

    /// A trade-union unit (as opposed to an enterprise or one of its parts).
    pub fn is_union(self) -> bool {
        self.rank() <= 3
    }

    /// The naming level (命名级别) a studio receives when this unit names it; branches name none.
    pub fn naming_level(self) -> Option<Level> {
        match self {
            UnitKind::National => Some(Level::National),
            UnitKind::Province => Some(Level::Province),
            UnitKind::City => Some(Level::City),
            UnitKind::County | UnitKind::Industry => Some(Level::County),
            UnitKind::Enterprise => Some(Level::Enterprise),
            UnitKind::Branch => None,
        }
    }

    /// Studios belong to enterprises or their parts, never directly to a union.
    pub fn may_hold_studios(self) -> bool {
        matches!(self, UnitKind::Enterprise | UnitKind::Branch)
    }
}

/// The materialised path of a unit: its ancestors' ids and its own, `/1/23/456/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct UnitPath(String);

impl UnitPath {
    /// The path of a root unit.
    pub fn root(id: i64) -> Self {
        UnitPath(format!("/{id}/"))
    }

    /// Wraps a stored path; `None` when it is not of the form `/1/2/`.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() >= 3
            && s.starts_with('/')
            && s.ends_with('/')
            && s[1..s.len() - 1].split('/').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then(|| UnitPath(s.to_string()))
    }

    /// The path of a child with the given id.
    pub fn child(&self, id: i64) -> Self {
        UnitPath(format!("{}{id}/", self.0))
    }

    /// The text stored in the database.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `other` is this unit or lies in its subtree.
    pub fn covers(&self, other: &UnitPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids from the root down to this unit.
    pub fn ids(&self) -> Vec<i64> {
        self.0.split('/').filter_map(|p| p.parse().ok()).collect()
    }

    /// This unit's own id.
    pub fn id(&self) -> i64 {
        self.ids().last().copied().unwrap_or(0)
    }

    /// Depth below the root (a root is 0).
    pub fn depth(&self) -> usize {
        self.ids().len().saturating_sub(1)
    }

    /// The half-open range `[lo, hi)` of paths in this subtree, for an index range scan.
    /// Every path in the subtree starts with `lo`; `/` + 1 is `0`, so `hi` ends the range.
    pub fn subtree_range(&self) -> (String, String) {
        let lo = self.0.clone();
        let mut hi = self.0[..self.0.len() - 1].to_string();
        hi.push('0');
        (lo, hi)
    }
}

impl std::fmt::Display for UnitPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps only the outermost paths: a subtree covered by another adds nothing to a scope.
pub fn outermost(mut paths: Vec<UnitPath>) -> Vec<UnitPath> {
    paths.sort();
    paths.dedup();
    let mut out: Vec<UnitPath> = Vec::new();
    for p in paths {
        if !out.iter().any(|o| o.covers(&p)) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_range_holds_descendants_only() {
        let p = UnitPath::parse("/1/23/").unwrap();
        let (lo, hi) = p.subtree_range();
        for inside in ["/1/23/", "/1/23/4/", "/1/23/999/5/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/2/", "/1/230/", "/1/24/", "/1/", "/1/22/9/"] {
            assert!(!(outside >= lo.as_str() && outside < hi.as_str()), "{outside}");
        }
    }

    #[test]
    fn covers_is_prefix_on_whole_ids() {
        let a = UnitPath::parse("/1/2/").unwrap();
        assert!(a.covers(&UnitPath::parse("/1/2/3/").unwrap()));
        assert!(a.covers(&a));
        assert!(!a.covers(&UnitPath::parse("/1/23/").unwrap()));
        assert_eq!(a.child(7).as_str(), "/1/2/7/");
        assert_eq!(a.child(7).ids(), vec![1, 2, 7]);
        assert_eq!(a.depth(), 1);
    }

    #[test]
    fn parse_rejects_malformed_paths() {
        for bad in ["", "/", "1/2/", "/1/2", "/1//2/", "/a/"] {
            assert!(UnitPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn outermost_drops_covered_paths() {
        let ps = ["/1/2/", "/1/2/3/", "/1/4/", "/1/2/"].iter().map(|s| UnitPath::parse(s).unwrap()).collect();
        let out: Vec<String> = outermost(ps).iter().map(|p| p.to_string()).collect();
        assert_eq!(out, vec!["/1/2/", "/1/4/"]);
    }

    #[test]
    fn kinds_nest_downwards() {
        assert!(UnitKind::National.may_contain(UnitKind::Province));
        assert!(UnitKind::City.may_contain(UnitKind::Enterprise));
        assert!(UnitKind::Enterprise.may_contain(UnitKind::Enterprise));
        assert!(UnitKind::Branch.may_contain(UnitKind::Branch));
        assert!(!UnitKind::Enterprise.may_contain(UnitKind::City));
        assert!(!UnitKind::City.may_contain(UnitKind::City));
        assert!(!UnitKind::Province.may_hold_studios());
        assert!(UnitKind::Branch.may_hold_studios());
    }
}
