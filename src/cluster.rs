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
    /// The same story in other words: rewrite score `V ≥ θ(n)` (see [`crate::rewrite`]).
    Rewrite,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Exact => "exact",
            Kind::NearDuplicate => "near-duplicate",
            Kind::Rewrite => "rewrite",
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
    /// The document of the cluster this member is an exact copy or near-duplicate of:
    /// its near-duplicate cluster's representative. `None` for that representative and
    /// for a document that joined as a rewrite alone. In a rewrite cluster `kind` says
    /// how the member relates to the cluster's representative, so a near-duplicate of
    /// another member says `rewrite` there; this keeps the copy apart.
    pub copy_of: Option<CopyOf>,
}

/// A member's exact or near-duplicate original (see [`Member::copy_of`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CopyOf {
    /// The original: the representative of the member's near-duplicate cluster.
    pub doc: u32,
    /// Their shingle similarity (Jaccard when verified, else the MinHash estimate).
    pub similarity: f64,
    /// [`Kind::Exact`] or [`Kind::NearDuplicate`].
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
                    // Under connected linkage a member may be linked to the representative
                    // only through others: then it is a copy of none of them here.
                    copy_of: (similarity >= threshold || kind == Kind::Exact).then_some(CopyOf {
                        doc: rep,
                        similarity,
                        kind,
                    }),
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
                copy_of: None,
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

/// What [`merge_rewrites`] needs to know of two documents: the rewrite score `V` and
/// containment reported for a member, whether the pair verifies (a rewrite, within the
/// window), and whether it comes within the cluster-support floor of verifying.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RewriteLink {
    /// `V`, reported as a member's similarity.
    pub similarity: f64,
    /// Share of the first document's feature weight found in the second.
    pub containment: f64,
    /// The pair is a rewrite.
    pub verified: bool,
    /// The pair comes within the support floor of verifying (implied by `verified`).
    pub supports: bool,
}

/// Who vouches for a rewrite link: the rewrite links of a corpus (verified and supporting
/// pairs of exact-group leaders) as a graph over near-duplicate families, for counting
/// the *witnesses* of a pair: other families linked to both of its documents.
///
/// Rewrites of one wire story come in groups (each outlet's version is close to the
/// others), while a pair that shares little wording and barely verifies is, alone, as
/// often two developments of a running story as one story told twice
/// ([`crate::rewrite::RewriteParams::weak_witnesses`]).
///
/// ```
/// use neardup::cluster::Witnesses;
/// // Documents 0..4, each its own family; 0-1 linked, and 2 and 3 linked to both.
/// let families = [0, 1, 2, 3, 4];
/// let links = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (3, 4)];
/// let w = Witnesses::new(&families, links.iter().copied());
/// assert_eq!(w.count(0, 1), 2);
/// assert_eq!(w.count(0, 4), 1); // 3
/// assert_eq!(w.count(2, 4), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Witnesses {
    family_of: Vec<u32>,
    /// Per document, where its neighbour families start in `neighbours` (CSR layout: one
    /// flat array, so a million documents cost two arrays, not a million vectors).
    start: Vec<u32>,
    /// Neighbour families, sorted and distinct per document.
    neighbours: Vec<u32>,
}

impl Witnesses {
    /// The graph of `links` (document pairs) among documents whose near-duplicate family
    /// is `family_of[d]`.
    pub fn new(family_of: &[u32], links: impl Iterator<Item = (u32, u32)>) -> Self {
        let mut half: Vec<(u32, u32)> = Vec::new();
        for (a, b) in links {
            half.push((a, family_of[b as usize]));
            half.push((b, family_of[a as usize]));
        }
        half.sort_unstable();
        half.dedup();
        let mut start = vec![0u32; family_of.len() + 1];
        for &(d, _) in &half {
            start[d as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        Witnesses {
            family_of: family_of.to_vec(),
            start,
            neighbours: half.into_iter().map(|(_, f)| f).collect(),
        }
    }

    fn of(&self, d: u32) -> &[u32] {
        let d = d as usize;
        &self.neighbours[self.start[d] as usize..self.start[d + 1] as usize]
    }

    /// Families other than `a`'s and `b`'s linked to both.
    pub fn count(&self, a: u32, b: u32) -> usize {
        let (x, y) = (self.of(a), self.of(b));
        let (fa, fb) = (self.family_of[a as usize], self.family_of[b as usize]);
        let both = |f: u32| x.binary_search(&f).is_ok() && y.binary_search(&f).is_ok();
        let own = usize::from(both(fa)) + usize::from(fb != fa && both(fb));
        crate::minhash::intersection_size(x, y) - own
    }
}

/// Stars of at most this many units are checked for cohesion ([`drop_incoherent`]): the
/// check scores every pair of units, and larger stars are template runs, not stories.
const COHESION_MAX_UNITS: usize = 256;

/// Cohesion of a star: from four units on, every unit joined to the centre must come
/// within the support floor of at least half of the star's other units (the centre, which
/// it verifies with, included); while one does not, the one with the fewest such units
/// (ties: the weakest score with the centre, then the last) leaves the star. It stays free
/// to join another cluster or, if it meets the same condition after all, this one by
/// cluster support.
///
/// Verification against the centre alone lets in an article on the same event that tells
/// another story: in a large corpus the event's words are rare, and a report of its
/// aftermath (the attackers' group feared to strike elsewhere) scores at the threshold
/// with the story's best-connected member while it falls short with most of the others
/// (measured with real reports of the Crocus City Hall attack among Reuters-21578: 1.0 θ
/// with the centre, 0.48 to 0.79 θ with the four other rewrites). Rewrites of one story
/// come close to each other too.
fn drop_incoherent(
    joined: &mut Vec<u32>,
    centre_rep: u32,
    rep_of: &impl Fn(u32) -> u32,
    score: &impl Fn(u32, u32) -> RewriteLink,
) {
    if joined.len() < 3 || joined.len() + 1 > COHESION_MAX_UNITS {
        return;
    }
    joined.sort_unstable();
    let k = joined.len();
    // close[i][j]: joined units i and j come within the support floor.
    let mut close = vec![false; k * k];
    for i in 0..k {
        for j in i + 1..k {
            let link = score(rep_of(joined[i]), rep_of(joined[j]));
            close[i * k + j] = link.supports;
            close[j * k + i] = link.supports;
        }
    }
    let to_centre: Vec<f64> = joined
        .iter()
        .map(|&u| score(rep_of(u), centre_rep).similarity)
        .collect();
    let mut alive = vec![true; k];
    let mut units = k + 1;
    while units >= 4 {
        let others = units - 1;
        let weakest = (0..k)
            .filter(|&i| alive[i])
            .map(|i| {
                let near = 1
                    + (0..k)
                        .filter(|&j| j != i && alive[j] && close[i * k + j])
                        .count();
                (near, i)
            })
            .filter(|&(near, _)| 2 * near < others)
            .min_by(|x, y| {
                x.0.cmp(&y.0)
                    .then(to_centre[x.1].total_cmp(&to_centre[y.1]))
                    .then(y.1.cmp(&x.1))
            });
        let Some((_, i)) = weakest else { break };
        alive[i] = false;
        units -= 1;
    }
    let mut i = 0;
    joined.retain(|_| {
        i += 1;
        alive[i - 1]
    });
}

/// Merges near-duplicate clusters and unclustered documents into rewrite clusters.
///
/// The second tier runs over *units*: each near/exact cluster (through its representative)
/// and each document in no cluster. `edges` are verified rewrite pairs between documents;
/// they become candidate edges between the units holding them, and each unit edge is kept
/// only if `score(rep_a, rep_b)` verifies the two units' representatives themselves. Then
/// star clustering (no chaining): units in order of verified degree (highest first, ties by
/// `rank`, the representative preference) each become a centre unless already taken, and
/// every untaken unit verified against the centre joins it.
///
/// Then cluster support, in rounds: a unit still in no merged cluster joins the one to
/// whose units it has pairs in `edges` or `support` (pairs that came within
/// [`cluster_support`](crate::rewrite::RewriteParams::cluster_support) of verifying) with
/// at least half of them and at least two (the cluster with the most such units; ties to
/// the earlier cluster), counted as the round began. Rewrites of one story score near their
/// threshold, and which of them verify with the centre depends on the rest of the corpus
/// (its idf): one that falls just short with the centre but close to half the cluster is
/// the same story. Units that joined count in later rounds, but each joining unit needs
/// half the cluster as the round began, so growth stays limited: no chain of pairwise
/// links carries a cluster away. `support: None` turns this off (only the stars).
///
/// In a merged cluster the centre's representative represents; the centre's own members
/// keep their rows; every document of a joined unit gets kind [`Kind::Rewrite`] with
/// `score(doc, rep)`'s `V` and containment (a [`RewriteLink`]; a joined near-cluster's
/// non-representative members are verified through their representative, so their own `V` may fall below
/// the threshold) and keeps its [`Member::copy_of`], so copies stay apart from rewrites.
/// The representative's row says `rewrite` when it had no near/exact cluster of its own.
/// Each document ends in exactly one cluster.
pub fn merge_rewrites(
    n: usize,
    clusters: Vec<Cluster>,
    edges: &[(u32, u32)],
    support: Option<&[(u32, u32)]>,
    rank: impl Fn(u32) -> usize,
    score: impl Fn(u32, u32) -> RewriteLink,
) -> Vec<Cluster> {
    const NONE: u32 = u32::MAX;
    let mut edges = edges.to_vec();
    edges.sort_unstable();
    let mut unit_of = vec![NONE; n];
    for (i, c) in clusters.iter().enumerate() {
        for m in &c.members {
            unit_of[m.doc as usize] = i as u32;
        }
    }
    // Units: 0..clusters.len() are clusters; then singletons, numbered as met.
    let mut singles: Vec<u32> = Vec::new();
    let unit = |d: u32, unit_of: &mut Vec<u32>, singles: &mut Vec<u32>| -> u32 {
        if unit_of[d as usize] == NONE {
            unit_of[d as usize] = (clusters.len() + singles.len()) as u32;
            singles.push(d);
        }
        unit_of[d as usize]
    };
    let mut unit_edges: Vec<(u32, u32)> = Vec::with_capacity(edges.len());
    for &(a, b) in &edges {
        let (ua, ub) = (
            unit(a, &mut unit_of, &mut singles),
            unit(b, &mut unit_of, &mut singles),
        );
        if ua != ub {
            unit_edges.push((ua.min(ub), ua.max(ub)));
        }
    }
    unit_edges.sort_unstable();
    unit_edges.dedup();
    // With support off (`None`), units join only through the star.
    let mut support_edges: Vec<(u32, u32)> = Vec::new();
    if let Some(support) = support {
        for &(a, b) in support.iter().chain(&edges) {
            let (ua, ub) = (
                unit(a, &mut unit_of, &mut singles),
                unit(b, &mut unit_of, &mut singles),
            );
            if ua != ub {
                support_edges.push((ua, ub));
            }
        }
    }
    let reps: Vec<u32> = clusters
        .iter()
        .map(|c| c.representative)
        .chain(singles.iter().copied())
        .collect();
    let rep_of = |u: u32| reps[u as usize];
    let units = clusters.len() + singles.len();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); units];
    for &(ua, ub) in &unit_edges {
        let (ra, rb) = (rep_of(ua), rep_of(ub));
        let direct = edges.binary_search(&(ra.min(rb), ra.max(rb))).is_ok();
        if direct || score(ra, rb).verified {
            adj[ua as usize].push(ub);
            adj[ub as usize].push(ua);
        }
    }
    let mut order: Vec<u32> = (0..units as u32)
        .filter(|&u| !adj[u as usize].is_empty())
        .collect();
    order.sort_by_key(|&u| (std::cmp::Reverse(adj[u as usize].len()), rank(rep_of(u)), u));
    let mut taken = vec![false; units];
    let mut merged: Vec<Option<Cluster>> = clusters.into_iter().map(Some).collect();
    let mut out: Vec<Cluster> = Vec::new();
    // The merged cluster each taken unit is in, and each merged cluster's unit count.
    let mut home: Vec<u32> = vec![NONE; units];
    let mut sizes: Vec<usize> = Vec::new();
    // Every document of unit `u`, as a member of the cluster represented by `rep`.
    let join = |u: u32, rep: u32, merged: &mut Vec<Option<Cluster>>, members: &mut Vec<Member>| {
        let docs: Vec<(u32, Option<CopyOf>)> =
            match merged.get_mut(u as usize).and_then(Option::take) {
                Some(c) => c.members.iter().map(|m| (m.doc, m.copy_of)).collect(),
                None => vec![(rep_of(u), None)],
            };
        for (d, copy_of) in docs {
            let RewriteLink {
                similarity,
                containment,
                ..
            } = score(d, rep);
            members.push(Member {
                doc: d,
                similarity,
                containment,
                kind: Kind::Rewrite,
                copy_of,
            });
        }
    };
    for centre in order {
        if taken[centre as usize] {
            continue;
        }
        let mut joined: Vec<u32> = adj[centre as usize]
            .iter()
            .copied()
            .filter(|&u| !taken[u as usize])
            .collect();
        if support.is_some() {
            drop_incoherent(&mut joined, rep_of(centre), &rep_of, &score);
        }
        if joined.is_empty() {
            continue;
        }
        joined.sort_unstable();
        taken[centre as usize] = true;
        let rep = rep_of(centre);
        let mut members = match merged.get_mut(centre as usize).and_then(Option::take) {
            Some(c) => c.members,
            None => vec![Member {
                doc: rep,
                similarity: 1.0,
                containment: 1.0,
                kind: Kind::Rewrite,
                copy_of: None,
            }],
        };
        home[centre as usize] = out.len() as u32;
        sizes.push(1 + joined.len());
        for u in joined {
            taken[u as usize] = true;
            home[u as usize] = out.len() as u32;
            join(u, rep, &mut merged, &mut members);
        }
        out.push(Cluster {
            representative: rep,
            members,
        });
    }
    // Cluster support, in rounds until no unit joins: each round counts, for every unit
    // still out, the units of each cluster as the round began that support it.
    loop {
        // (left-out unit, cluster, supporting unit), each once.
        let mut links: Vec<(u32, u32, u32)> = Vec::new();
        for &(ua, ub) in &support_edges {
            for (u, v) in [(ua, ub), (ub, ua)] {
                if !taken[u as usize] && home[v as usize] != NONE {
                    links.push((u, home[v as usize], v));
                }
            }
        }
        links.sort_unstable();
        links.dedup();
        let mut best: Vec<(u32, u32, usize)> = Vec::new();
        for group in links.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
            let (u, k, count) = (group[0].0, group[0].1, group.len());
            if count >= 2 && 2 * count >= sizes[k as usize] {
                match best.last_mut() {
                    Some(b) if b.0 == u => {
                        if count > b.2 {
                            *b = (u, k, count);
                        }
                    }
                    _ => best.push((u, k, count)),
                }
            }
        }
        if best.is_empty() {
            break;
        }
        for (u, k, _) in best {
            taken[u as usize] = true;
            home[u as usize] = k;
            sizes[k as usize] += 1;
            let rep = out[k as usize].representative;
            join(u, rep, &mut merged, &mut out[k as usize].members);
        }
        // Edges between two taken units can support nothing any more.
        support_edges.retain(|&(ua, ub)| !taken[ua as usize] || !taken[ub as usize]);
    }
    for c in &mut out {
        c.members.sort_unstable_by_key(|m| m.doc);
    }
    out.extend(merged.into_iter().flatten());
    out.sort_unstable_by_key(|c| c.members[0].doc);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn witnesses_count_families_once_and_never_the_pair_itself() {
        // 2 and 3 are one near-duplicate family (2); 4 shares 0's family.
        let families = [0, 1, 2, 2, 0, 5];
        let links = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (1, 4), (0, 5)];
        let w = Witnesses::new(&families, links.iter().copied());
        // 2 and its copy 3 vouch once; 4 is 0's own family.
        assert_eq!(w.count(0, 1), 1);
        assert_eq!(w.count(1, 0), 1);
        // 5 is linked to 0 only.
        assert_eq!(w.count(0, 5), 0);
        // A document without links has no witnesses.
        assert_eq!(Witnesses::new(&families, std::iter::empty()).count(0, 1), 0);
    }
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
        // Under connected linkage only 1 is similar enough to 0 to be named its copy.
        let copies: Vec<Option<u32>> = all[0]
            .members
            .iter()
            .map(|m| m.copy_of.map(|c| c.doc))
            .collect();
        assert_eq!(copies, [None, Some(0), None, None]);
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
        // Every member but the representative is a copy of it.
        let copies: Vec<Option<(u32, Kind)>> = c
            .members
            .iter()
            .map(|m| m.copy_of.map(|x| (x.doc, x.kind)))
            .collect();
        assert_eq!(
            copies,
            [None, Some((0, Kind::Exact)), Some((0, Kind::NearDuplicate))]
        );
        // Without an exact copy the representative is a near-duplicate cluster's.
        let c = &split_component(&[0, 2], Linkage::Representative, 0.8, mixed)[0];
        assert!(c.members.iter().all(|m| m.kind == Kind::NearDuplicate));
    }

    /// A link with `V` 0.5 and containment 0.4 that verifies (and so supports) or not.
    fn link(verified: bool) -> RewriteLink {
        RewriteLink {
            similarity: 0.5,
            containment: 0.4,
            verified,
            supports: verified,
        }
    }

    #[test]
    fn rewrite_merge_is_a_star_around_the_best_connected_unit() {
        // Near cluster {0, 1} (rep 0); documents 2, 3, 4 alone. Rewrite edges: 1–2, 0–3,
        // 2–3, 3–4 and 4–5 would chain; unit scores verify everything but 0–4 and 2–4.
        let near = vec![Cluster {
            representative: 0,
            members: vec![
                Member {
                    doc: 0,
                    similarity: 1.0,
                    containment: 1.0,
                    kind: Kind::NearDuplicate,
                    copy_of: None,
                },
                Member {
                    doc: 1,
                    similarity: 0.9,
                    containment: 0.9,
                    kind: Kind::NearDuplicate,
                    copy_of: Some(CopyOf {
                        doc: 0,
                        similarity: 0.9,
                        kind: Kind::NearDuplicate,
                    }),
                },
            ],
        }];
        let edges = [(0, 3), (1, 2), (2, 3), (3, 4), (4, 5)];
        let score = |a: u32, b: u32| {
            let (a, b) = (a.min(b), a.max(b));
            link(!matches!((a, b), (0, 4) | (2, 4) | (1, 4)))
        };
        let out = merge_rewrites(6, near, &edges, None, |d| d as usize, score);
        let sets: Vec<(u32, Vec<(u32, Kind)>)> = out
            .iter()
            .map(|c| {
                (
                    c.representative,
                    c.members.iter().map(|m| (m.doc, m.kind)).collect(),
                )
            })
            .collect();
        // Unit of doc 3 has degree 3 (near unit, 2, 4): it is the centre and takes them all;
        // 5 (edge only to 4) stays out: no chaining.
        assert_eq!(
            sets,
            vec![(
                3,
                vec![
                    (0, Kind::Rewrite),
                    (1, Kind::Rewrite),
                    (2, Kind::Rewrite),
                    (3, Kind::Rewrite),
                    (4, Kind::Rewrite)
                ]
            )]
        );
        // Doc 1 joined as a rewrite through its near cluster and is still reported as a
        // near-duplicate of doc 0; the others are copies of nothing.
        let copies: Vec<(u32, Option<u32>)> = out[0]
            .members
            .iter()
            .map(|m| (m.doc, m.copy_of.map(|c| c.doc)))
            .collect();
        assert_eq!(
            copies,
            [(0, None), (1, Some(0)), (2, None), (3, None), (4, None)]
        );
        let copy = out[0].members[1].copy_of.unwrap();
        assert_eq!((copy.similarity, copy.kind), (0.9, Kind::NearDuplicate));
    }

    #[test]
    fn a_unit_close_to_half_the_cluster_joins_by_support_without_chaining() {
        // Star: 0 verified with 1, 2, 3 (centre 0). Round one: 4 verifies with nothing but
        // comes close to 1 and 2, 5 to 2 and 3 (half of four units each): both join.
        // Round two: 6, close to 3 (one of four units: not yet) and to 4 and 5, has half
        // of six. 7 is close to 4 only, 8 to 3 only: they stay out, however the cluster
        // grew. 11 comes close to 9 and 10, a cluster of its own.
        let edges = [(0, 1), (0, 2), (0, 3), (9, 10)];
        let support = [
            (1, 4),
            (2, 4),
            (2, 5),
            (3, 5),
            (3, 6),
            (4, 6),
            (5, 6),
            (4, 7),
            (3, 8),
            (9, 11),
            (10, 11),
        ];
        // 1, 2 and 3 come close to each other too, so the star is cohesive.
        let score = |a: u32, b: u32| {
            let (a, b) = (a.min(b), a.max(b));
            RewriteLink {
                supports: edges.contains(&(a, b)) || (1..=3).contains(&a) && (1..=3).contains(&b),
                ..link(edges.contains(&(a, b)))
            }
        };
        let out = merge_rewrites(
            12,
            Vec::new(),
            &edges,
            Some(&support),
            |d| d as usize,
            score,
        );
        let sets: Vec<(u32, Vec<u32>)> = out
            .iter()
            .map(|c| (c.representative, c.members.iter().map(|m| m.doc).collect()))
            .collect();
        assert_eq!(
            sets,
            vec![(0, vec![0, 1, 2, 3, 4, 5, 6]), (9, vec![9, 10, 11])]
        );
        // Support off: only the stars.
        let out = merge_rewrites(12, Vec::new(), &edges, None, |d| d as usize, score);
        let sizes: Vec<usize> = out.iter().map(|c| c.members.len()).collect();
        assert_eq!(sizes, vec![4, 2]);
        // Verified edges count as support too (4 verifies with 1 and 2, not with the
        // centre 0), but not when support is off.
        let edges = [(0, 1), (0, 2), (1, 4), (2, 4)];
        let score = |a: u32, b: u32| {
            let (a, b) = (a.min(b), a.max(b));
            link(edges.contains(&(a, b)))
        };
        let members = |support| -> Vec<Vec<u32>> {
            merge_rewrites(5, Vec::new(), &edges, support, |d| d as usize, score)
                .iter()
                .map(|c| c.members.iter().map(|m| m.doc).collect())
                .collect()
        };
        assert_eq!(members(Some(&[])), vec![vec![0, 1, 2, 4]]);
        assert_eq!(members(None), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_unit_verified_with_the_centre_alone_leaves_a_star_of_four_or_more() {
        // 0 verifies with 1, 2, 3 and 4. 1, 2 and 3 come close to each other (one story);
        // 4 comes close to none of them (another story on the same event, at the
        // threshold with the best-connected member only): it leaves, and stays alone.
        let edges = [(0, 1), (0, 2), (0, 3), (0, 4)];
        let close = |a: u32, b: u32| edges.contains(&(a, b)) || (1..=3).contains(&a) && b <= 3;
        let score = |a: u32, b: u32| {
            let (a, b) = (a.min(b), a.max(b));
            RewriteLink {
                supports: close(a, b),
                ..link(edges.contains(&(a, b)))
            }
        };
        let sets = |support: Option<&[(u32, u32)]>| -> Vec<Vec<u32>> {
            merge_rewrites(5, Vec::new(), &edges, support, |d| d as usize, score)
                .iter()
                .map(|c| c.members.iter().map(|m| m.doc).collect())
                .collect()
        };
        assert_eq!(sets(Some(&[])), vec![vec![0, 1, 2, 3]]);
        // Cohesion belongs with cluster support: without it, the plain star.
        assert_eq!(sets(None), vec![vec![0, 1, 2, 3, 4]]);
        // A star of three units is never thinned: 1 and 2 need not be close.
        let edges = [(0, 1), (0, 2)];
        let out = merge_rewrites(
            3,
            Vec::new(),
            &edges,
            Some(&[]),
            |d| d as usize,
            |a, b| link(edges.contains(&(a.min(b), a.max(b)))),
        );
        assert_eq!(out[0].members.len(), 3);
        // Close to exactly half of the others is enough: in 0–1…4 with 1–2 and 3–4 close,
        // each joined unit has the centre and one more of four.
        let edges = [(0, 1), (0, 2), (0, 3), (0, 4)];
        let pairs = |a: u32, b: u32| matches!((a.min(b), a.max(b)), (1, 2) | (3, 4));
        let out = merge_rewrites(
            5,
            Vec::new(),
            &edges,
            Some(&[]),
            |d| d as usize,
            |a, b| {
                let verified = edges.contains(&(a.min(b), a.max(b)));
                RewriteLink {
                    supports: verified || pairs(a, b),
                    ..link(verified)
                }
            },
        );
        assert_eq!(out[0].members.len(), 5);
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
