//! Cluster: turn verified pairs into groups, each with a representative.
//!
//! Connected components come from a union-find over the verified pairs. A component is a
//! cluster as it stands only under [`Linkage::Connected`]; by default
//! ([`Linkage::Representative`]) each component is split greedily: the first unassigned
//! document in representative order (see [`Keep`]) becomes a representative, every
//! unassigned document similar enough *to it* joins it, and the rest start over. So a chain
//! of small edits (A≈B, B≈C, …) cannot glue documents that share nothing into one cluster,
//! and every reported similarity is a member's similarity to its representative.

use std::fmt;

use crate::config::{Keep, Linkage};

/// How a cluster member relates to its representative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Identical after normalisation.
    Exact,
    /// Shingle Jaccard at or above the threshold.
    NearDuplicate,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Exact => "exact",
            Kind::NearDuplicate => "near-duplicate",
        })
    }
}

/// One document of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Document index (input order).
    pub doc: u32,
    /// Similarity to the representative (1 for the representative itself).
    pub similarity: f64,
    /// Share of this member's shingles found in the representative.
    pub containment: f64,
    /// Relation to the representative. The representative's own row says
    /// [`Kind::Exact`] when the cluster holds an exact copy of it, else
    /// [`Kind::NearDuplicate`]: every document with an exact copy in its cluster is marked
    /// `exact` whenever that copy is the representative or the representative itself.
    pub kind: Kind,
}

/// A group of documents with one representative.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The representative's document index.
    pub representative: u32,
    /// All members, the representative included, in input order.
    pub members: Vec<Member>,
}

/// Disjoint sets over `0..n` with path halving and union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative element of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Merges the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }

    /// Every set with two or more elements, each sorted, ordered by smallest element.
    pub fn groups(&mut self) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: Vec<(u32, u32)> = (0..n as u32).map(|x| (self.find(x), x)).collect();
        by_root.sort_unstable();
        let mut groups: Vec<Vec<u32>> = by_root
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|g| g.len() > 1)
            .map(|g| g.iter().map(|&(_, x)| x).collect())
            .collect();
        groups.sort_unstable_by_key(|g| g[0]);
        groups
    }
}

/// Orders `docs` by representative preference: the preferred one first.
pub fn order_by_keep(docs: &mut [u32], keep: Keep, len: impl Fn(u32) -> usize) {
    match keep {
        Keep::First => docs.sort_unstable(),
        Keep::Longest => docs.sort_unstable_by_key(|&d| (std::cmp::Reverse(len(d)), d)),
        Keep::Shortest => docs.sort_unstable_by_key(|&d| (len(d), d)),
    }
}

/// Splits one connected component into clusters.
///
/// `docs` must be in representative order ([`order_by_keep`]). `score(member, rep)` gives the
/// similarity, containment and kind of a member relative to a representative; members
/// whose similarity is below `threshold` are not accepted under representative linkage.
/// Returns clusters of two or more, members in input order.
pub fn split_component(
    docs: &[u32],
    linkage: Linkage,
    threshold: f64,
    mut score: impl FnMut(u32, u32) -> (f64, f64, Kind),
) -> Vec<Cluster> {
    let mut clusters = Vec::new();
    let mut left: Vec<u32> = docs.to_vec();
    while left.len() > 1 {
        let rep = left[0];
        let mut members = Vec::new();
        let mut rest = Vec::new();
        for &d in &left[1..] {
            let (similarity, containment, kind) = score(d, rep);
            if linkage == Linkage::Connected || similarity >= threshold {
                members.push(Member {
                    doc: d,
                    similarity,
                    containment,
                    kind,
                });
            } else {
                rest.push(d);
            }
        }
        if !members.is_empty() {
            let kind = if members.iter().any(|m| m.kind == Kind::Exact) {
                Kind::Exact
            } else {
                Kind::NearDuplicate
            };
            members.push(Member {
                doc: rep,
                similarity: 1.0,
                containment: 1.0,
                kind,
            });
            members.sort_unstable_by_key(|m| m.doc);
            clusters.push(Cluster {
                representative: rep,
                members,
            });
        }
        left = rest;
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chains_are_cut_under_representative_linkage() {
        // 0≈1≈2≈3 in a chain, similarity falls with distance.
        let sim = |a: u32, b: u32| (1.0 - 0.15 * a.abs_diff(b) as f64, 0.0, Kind::NearDuplicate);
        let star = split_component(&[0, 1, 2, 3], Linkage::Representative, 0.8, sim);
        let sets: Vec<Vec<u32>> = star
            .iter()
            .map(|c| c.members.iter().map(|m| m.doc).collect())
            .collect();
        assert_eq!(sets, vec![vec![0, 1], vec![2, 3]]);
        let all = split_component(&[0, 1, 2, 3], Linkage::Connected, 0.8, sim);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].members.len(), 4);
    }

    #[test]
    fn representative_is_exact_when_it_has_an_exact_copy() {
        let exact = |_: u32, _: u32| (1.0, 1.0, Kind::Exact);
        let c = &split_component(&[4, 2], Linkage::Representative, 0.8, exact)[0];
        assert_eq!(c.representative, 4);
        assert_eq!(c.members.iter().map(|m| m.doc).collect::<Vec<_>>(), [2, 4]);
        assert!(c.members.iter().all(|m| m.kind == Kind::Exact));
        // Rep 0 has an exact copy (1) and a near-duplicate (2).
        let mixed = |d: u32, _: u32| match d {
            1 => (1.0, 1.0, Kind::Exact),
            _ => (0.9, 0.9, Kind::NearDuplicate),
        };
        let c = &split_component(&[0, 1, 2], Linkage::Representative, 0.8, mixed)[0];
        let kinds: Vec<Kind> = c.members.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [Kind::Exact, Kind::Exact, Kind::NearDuplicate]);
        // Without an exact copy the representative is a near-duplicate cluster's.
        let c = &split_component(&[0, 2], Linkage::Representative, 0.8, mixed)[0];
        assert!(c.members.iter().all(|m| m.kind == Kind::NearDuplicate));
    }

    #[test]
    fn keep_orders() {
        let len = |d: u32| [5usize, 9, 9, 1][d as usize];
        let mut v = vec![3, 2, 1, 0];
        order_by_keep(&mut v, Keep::First, len);
        assert_eq!(v, [0, 1, 2, 3]);
        order_by_keep(&mut v, Keep::Longest, len);
        assert_eq!(v, [1, 2, 0, 3]);
        order_by_keep(&mut v, Keep::Shortest, len);
        assert_eq!(v, [3, 0, 1, 2]);
    }

    fn naive_components(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
        // Repeated relaxation of a label per node: the smallest reachable index.
        let mut label: Vec<u32> = (0..n as u32).collect();
        loop {
            let mut changed = false;
            for &(a, b) in edges {
                let m = label[a as usize].min(label[b as usize]);
                for x in [a, b] {
                    if label[x as usize] != m {
                        label[x as usize] = m;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut groups: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for (x, &l) in label.iter().enumerate() {
            groups.entry(l).or_default().push(x as u32);
        }
        groups.into_values().filter(|g| g.len() > 1).collect()
    }

    proptest! {
        #[test]
        fn union_find_matches_naive_grouping(
            n in 1usize..60,
            raw in proptest::collection::vec((0u32..60, 0u32..60), 0..80),
        ) {
            let edges: Vec<(u32, u32)> = raw
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .collect();
            let mut uf = UnionFind::new(n);
            for &(a, b) in &edges {
                uf.union(a, b);
            }
            prop_assert_eq!(uf.groups(), naive_components(n, &edges));
        }
    }
}
