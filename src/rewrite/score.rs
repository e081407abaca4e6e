//! Verification: is a candidate pair the same story?
//!
//! The score is `V = J · (1 − λ (1 − KA))`:
//!
//! * `J`: weighted Jaccard of the two documents' top features (what the sketch estimates);
//! * `KA`: key-entity agreement. Each document's key entities (up to three names or
//!   numbers of three or more characters from its first 50 tokens, ranked by
//!   `(1 + ln tf) · (−ln p_bg)`, i.e. background rarity, not corpus idf) are looked up in the
//!   other document; `KA` is the weight share found, the smaller of the two directions.
//!   Two templated reports about different companies or numbers share their template
//!   words but not their lead entities, and lose up to all of `J`;
//! * `λ = min(1, n / 80)`, `n` the smaller document's feature count: the penalty ramps in
//!   with length, because one-sentence paraphrases (MSRP) often name an entity only once
//!   or by another name.
//!
//! The verdict is `V ≥ θ(n) = min(0.31, max(0.12, 2/√n))`: short texts need more overlap
//! than long ones, where a few shared rare terms are already strong evidence.
//! Measured in `docs/rewrite-research.md` (MSRP train accuracy 0.734 / F1 0.820; the five
//! seed rewrites clustered, nothing else from Reuters-21578).

use super::{Profile, RewriteParams};

/// Σ min(a, b), Σ a, Σ b over two weighted sets sorted by feature.
pub fn overlap(a: &[(u64, f64)], b: &[(u64, f64)]) -> (f64, f64, f64) {
    let (mut i, mut j, mut smin) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                smin += a[i].1.min(b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    let ta = a.iter().map(|x| x.1).sum();
    let tb = b.iter().map(|x| x.1).sum();
    (smin, ta, tb)
}

/// The rewrite score of a pair and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RewriteScore {
    /// Weighted Jaccard of the top features.
    pub jaccard: f64,
    /// Key-entity agreement in [0, 1].
    pub key_agreement: f64,
    /// The verification score `V`.
    pub score: f64,
    /// Share of the first document's feature weight found in the second (Σ min / Σ a).
    pub a_in_b: f64,
    /// Share of the second document's feature weight found in the first.
    pub b_in_a: f64,
    /// Feature count of the smaller document.
    pub n: usize,
    /// The threshold θ(n).
    pub threshold: f64,
}

impl RewriteScore {
    /// Whether the pair is a rewrite: `V ≥ θ(n)` and `V > 0`.
    pub fn is_rewrite(&self) -> bool {
        self.score > 0.0 && self.score >= self.threshold
    }
}

/// The length-dependent threshold `θ(n) = min(θ_max, max(θ_min, a/√n))`.
pub fn threshold(n: usize, p: &RewriteParams) -> f64 {
    (p.threshold_scale / (n.max(1) as f64).sqrt()).clamp(p.threshold_min, p.threshold_max)
}

fn has(features: &[(u64, f64)], f: u64) -> bool {
    features.binary_search_by_key(&f, |x| x.0).is_ok()
}

/// Key-entity agreement: the smaller over both directions of the key weight found in the
/// other document; 1 when neither has key entities.
pub fn key_agreement(a: &Profile, b: &Profile) -> f64 {
    let mut out: f64 = 1.0;
    for (x, y) in [(a, b), (b, a)] {
        let total: f64 = x.keys.iter().map(|k| k.1).sum();
        if total > 0.0 {
            let found: f64 = x
                .keys
                .iter()
                .filter(|k| has(&y.features, k.0))
                .map(|k| k.1)
                .sum();
            out = out.min(found / total);
        }
    }
    out
}

/// Scores a candidate pair, or `None` when it cannot be a rewrite because the top features'
/// weighted Jaccard is already below the lowest threshold (`V ≤ J`): the cheap first check
/// for the many random LSH candidates.
pub fn score_candidate(a: &Profile, b: &Profile, p: &RewriteParams) -> Option<RewriteScore> {
    let (smin, ta, tb) = overlap(&a.top, &b.top);
    let smax = ta + tb - smin;
    if smax <= 0.0 || smin / smax < p.threshold_min {
        return None;
    }
    Some(score(a, b, p))
}

/// Scores two profiles built over the same corpus statistics.
pub fn score(a: &Profile, b: &Profile, p: &RewriteParams) -> RewriteScore {
    let (smin, ta, tb) = overlap(&a.top, &b.top);
    let smax = ta + tb - smin;
    let jaccard = if smax > 0.0 { smin / smax } else { 0.0 };
    let (fmin, fa, fb) = overlap(&a.features, &b.features);
    let ka = key_agreement(a, b);
    let n = a.features.len().min(b.features.len()).max(1);
    let lambda = p.key_penalty * (n as f64 / p.key_ramp as f64).min(1.0);
    let score = jaccard * (1.0 - lambda * (1.0 - ka));
    RewriteScore {
        jaccard,
        key_agreement: ka,
        score,
        a_in_b: if fa > 0.0 { fmin / fa } else { 0.0 },
        b_in_a: if fb > 0.0 { fmin / fb } else { 0.0 },
        n,
        threshold: threshold(n, p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(features: &[(u64, f64)], keys: &[(u64, f64)]) -> Profile {
        Profile {
            features: features.to_vec(),
            top: features.to_vec(),
            keys: keys.to_vec(),
        }
    }

    #[test]
    fn thresholds_fall_with_length_between_the_bounds() {
        let p = RewriteParams::default();
        assert_eq!(threshold(1, &p), 0.31);
        assert_eq!(threshold(10_000, &p), 0.12);
        assert!((threshold(100, &p) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn missing_key_entities_cut_the_score_of_long_documents() {
        let p = RewriteParams::default();
        let shared: Vec<(u64, f64)> = (0..100).map(|i| (i * 2, 1.0)).collect();
        let a = profile(&shared, &[(0, 1.0)]);
        let b = profile(&shared, &[(0, 1.0)]);
        let s = score(&a, &b, &p);
        assert_eq!((s.jaccard, s.key_agreement, s.score), (1.0, 1.0, 1.0));
        // b's key entity (odd feature 1) is absent from a: KA = 0, λ = 1 → V = 0.
        let c = profile(&shared, &[(1, 1.0)]);
        let s = score(&a, &c, &p);
        assert_eq!(s.key_agreement, 0.0);
        assert_eq!(s.score, 0.0);
        assert!(!s.is_rewrite());
    }

    #[test]
    fn overlap_sums_minima() {
        let (m, a, b) = overlap(&[(1, 2.0), (3, 1.0)], &[(1, 1.0), (2, 5.0), (3, 3.0)]);
        assert_eq!((m, a, b), (2.0, 3.0, 9.0));
    }
}
