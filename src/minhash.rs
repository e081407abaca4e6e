//! MinHash: a fixed-size signature per document whose agreement estimates Jaccard similarity.
//!
//! The scheme is **one-permutation hashing** (Li, Owen & Zhang, NIPS 2012) with **optimal
//! densification** (Shrivastava, ICML 2017). Each shingle is hashed once: the high part of
//! `hash × k` picks one of `k` bins, the low part is the value, and each bin keeps its
//! minimum. Classic MinHash would evaluate `k` hash functions per shingle; OPH does one,
//! which is what makes fingerprinting cheap enough for millions of articles.
//!
//! Bins that no shingle fell into are filled by optimal densification: empty bin `i` probes
//! bins `h(i, 1), h(i, 2), …` (a fixed, seeded sequence) and copies the value of the first
//! bin that was non-empty *before* densification. Two documents take the same probe
//! sequence, so a copied bin agrees with probability equal to their Jaccard similarity,
//! and the estimator keeps MinHash's variance of about `J(1 − J)/k`.
//!
//! A document with no shingle has no signature ([`MinHasher::signature`] returns `None`):
//! with every bin empty there is nothing to densify, and such documents must never match
//! each other.

use crate::error::{Error, Result};
use crate::hash::mix64;

/// A document's MinHash signature: `k` 32-bit bin minima.
pub type Signature = Box<[u32]>;

const EMPTY: u64 = u64::MAX;

/// Computes signatures of a fixed size `k` with a fixed seed.
///
/// ```
/// use neardup::MinHasher;
/// let m = MinHasher::new(128, 42).unwrap();
/// let a = m.signature((0..1000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))).unwrap();
/// let b = m.signature((500..1500u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))).unwrap();
/// let est = neardup::minhash::jaccard_estimate(&a, &b);
/// assert!((est - 1.0 / 3.0).abs() < 0.15);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHasher {
    k: usize,
    seed: u64,
}

impl MinHasher {
    /// A hasher with `k` bins (`--num-perm`). `k` must be between 1 and 65 536.
    ///
    /// The seed drives densification only: element hashes must already be uniform and
    /// seeded (the [`crate::Shingler`]'s seed), which spares a second hash per shingle.
    pub fn new(k: usize, seed: u64) -> Result<Self> {
        if k == 0 || k > 65_536 {
            return Err(Error::Config(format!(
                "num-perm must be between 1 and 65536, got {k}"
            )));
        }
        Ok(MinHasher { k, seed })
    }

    /// The signature length.
    pub fn num_perm(&self) -> usize {
        self.k
    }

    /// The signature of a set given as its (uniformly distributed) 64-bit element hashes, or
    /// `None` for the empty set. Repeated elements do not change the result.
    pub fn signature(&self, hashes: impl IntoIterator<Item = u64>) -> Option<Signature> {
        let mut bins = self.empty_bins();
        for h in hashes {
            self.insert(&mut bins, h);
        }
        self.finish(&bins)
    }

    /// Adds one element hash to raw bins (length `k`, initialised with [`MinHasher::empty_bins`]).
    #[inline]
    pub fn insert(&self, bins: &mut [u64], hash: u64) {
        // Element hashes are already uniform and seeded (see `shingle`), so they are used
        // as they are: the product's high word is the bin, the low word the position inside
        // it (Lemire's fast range reduction).
        let wide = (hash as u128) * (self.k as u128);
        let bin = (wide >> 64) as usize;
        let value = (wide as u64) >> 32;
        // min, not a branch: whether a shingle lowers its bin is a coin flip.
        bins[bin] = bins[bin].min(value);
    }

    /// Fresh raw bins for [`MinHasher::insert`].
    pub fn empty_bins(&self) -> Vec<u64> {
        vec![EMPTY; self.k]
    }

    /// Densifies raw bins into a signature; `None` when every bin is empty.
    pub fn finish(&self, bins: &[u64]) -> Option<Signature> {
        if bins.iter().all(|&v| v == EMPTY) {
            return None;
        }
        let k = self.k as u128;
        // A plain loop over a slice of the final length: written as a mapped iterator
        // collected into the box, the loop landed in a separate `from_iter` whose edits
        // elsewhere in the crate decided how it compiled (callgrind, `--tier near` on
        // Reuters-21578: 25 M instructions more when it did).
        let mut signature: Signature = vec![0u32; bins.len()].into_boxed_slice();
        for (i, (out, &v)) in signature.iter_mut().zip(bins).enumerate() {
            if v != EMPTY {
                *out = v as u32;
                continue;
            }
            // Optimal densification (Shrivastava 2017, Algorithm 2): probe a seeded
            // sequence of bins until one that was filled by a shingle. At least one is
            // filled, and the probes are uniform, so this ends (in k/filled probes on
            // average).
            let base = mix64(self.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut attempt = 1u64;
            *out = loop {
                let probe = mix64(base ^ attempt.wrapping_mul(0xD6E8_FEB8_6659_FD93));
                let j = (((probe as u128) * k) >> 64) as usize;
                if bins[j] != EMPTY {
                    break bins[j] as u32;
                }
                attempt += 1;
            };
        }
        Some(signature)
    }
}

/// The fraction of agreeing positions: the MinHash estimate of Jaccard similarity.
pub fn jaccard_estimate(a: &[u32], b: &[u32]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    if a.is_empty() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// The exact Jaccard similarity `|A ∩ B| / |A ∪ B|` of two sorted, de-duplicated sets.
/// Two empty sets have similarity 0: documents without content are never duplicates.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection_size(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// `|A ∩ B| / |A|`: how much of `a` is contained in `b` (0 for an empty `a`).
pub fn containment(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        0.0
    } else {
        intersection_size(a, b) as f64 / a.len() as f64
    }
}

/// The size of the intersection of two sorted, de-duplicated sets (linear merge).
pub fn intersection_size<T: Ord>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Containment of A in B estimated from a Jaccard estimate and the two set sizes:
/// `|A ∩ B| = J (|A| + |B|) / (1 + J)`.
pub fn containment_estimate(jaccard: f64, size_a: usize, size_b: usize) -> f64 {
    if size_a == 0 {
        return 0.0;
    }
    let inter = jaccard * (size_a + size_b) as f64 / (1.0 + jaccard);
    (inter / size_a as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use xxhash_rust::xxh3::xxh3_64_with_seed;

    fn hashes(range: std::ops::Range<u64>, salt: u64) -> impl Iterator<Item = u64> {
        range.map(move |i| xxh3_64_with_seed(&i.to_le_bytes(), salt))
    }

    #[test]
    fn rejects_impossible_sizes() {
        assert!(MinHasher::new(0, 1).is_err());
        assert!(MinHasher::new(65_537, 1).is_err());
        assert!(MinHasher::new(1, 1).is_ok());
    }

    #[test]
    fn empty_set_has_no_signature() {
        let m = MinHasher::new(128, 1).unwrap();
        assert!(m.signature(std::iter::empty()).is_none());
    }

    #[test]
    fn identical_sets_agree_everywhere_and_order_does_not_matter() {
        let m = MinHasher::new(64, 3).unwrap();
        let a = m.signature(hashes(0..50, 9)).unwrap();
        let mut rev: Vec<u64> = hashes(0..50, 9).collect();
        rev.reverse();
        rev.extend(hashes(0..10, 9));
        let b = m.signature(rev).unwrap();
        assert_eq!(a, b);
        assert_eq!(jaccard_estimate(&a, &b), 1.0);
    }

    #[test]
    fn a_single_element_fills_every_bin_by_densification() {
        let m = MinHasher::new(128, 5).unwrap();
        let a = m.signature(hashes(42..43, 0)).unwrap();
        assert!(a.iter().all(|&v| v == a[0]));
        let b = m.signature(hashes(43..44, 0)).unwrap();
        assert_eq!(jaccard_estimate(&a, &b), 0.0);
    }

    #[test]
    fn signatures_are_deterministic() {
        let a = MinHasher::new(32, 1).unwrap().signature(hashes(0..100, 0));
        let b = MinHasher::new(32, 1).unwrap().signature(hashes(0..100, 0));
        assert_eq!(a, b);
    }

    #[test]
    fn exact_set_measures() {
        let a = [1, 2, 3, 4];
        let b = [3, 4, 5, 6, 7, 8];
        assert_eq!(intersection_size(&a, &b), 2);
        assert!((jaccard(&a, &b) - 0.25).abs() < 1e-12);
        assert!((containment(&a, &b) - 0.5).abs() < 1e-12);
        assert!((containment(&b, &a) - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(containment(&[], &a), 0.0);
        assert!((containment_estimate(0.25, 4, 6) - 0.5).abs() < 1e-12);
    }

    /// Many random pairs at many similarities: every estimate stays within 4.5 standard
    /// errors of the exact Jaccard (σ = √(J(1−J)/k)), the estimator is unbiased on average, and
    /// the spread matches MinHash's theory (about 95% within 2σ).
    #[test]
    fn estimate_is_within_theoretical_error_over_many_pairs() {
        let k = 128;
        let m = MinHasher::new(k, 0xdead_beef).unwrap();
        let (mut within_2sigma, mut total, mut bias) = (0usize, 0usize, 0.0f64);
        for trial in 0..400u64 {
            // Set sizes from 5 to ~2000 elements, overlap from none to complete.
            let size = 5 + (trial * 37) % 2000;
            let shared = (trial * 7919) % (size + 1);
            let a: Vec<u64> = hashes(0..size, trial).collect();
            let b: Vec<u64> = hashes(size - shared..2 * size - shared, trial).collect();
            let (mut sa, mut sb) = (a.clone(), b.clone());
            sa.sort_unstable();
            sb.sort_unstable();
            let exact = jaccard(&sa, &sb);
            let est = jaccard_estimate(&m.signature(a).unwrap(), &m.signature(b).unwrap());
            let sigma = (exact * (1.0 - exact) / k as f64)
                .sqrt()
                .max(1.0 / k as f64);
            assert!(
                (est - exact).abs() <= 4.5 * sigma,
                "trial {trial}: estimate {est} vs exact {exact} (σ {sigma})"
            );
            within_2sigma += usize::from((est - exact).abs() <= 2.0 * sigma);
            bias += est - exact;
            total += 1;
        }
        assert!(
            within_2sigma as f64 / total as f64 >= 0.90,
            "{within_2sigma}/{total}"
        );
        assert!(
            (bias / total as f64).abs() < 0.01,
            "mean error {}",
            bias / total as f64
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// For arbitrary sets, the estimate is within 5σ of the exact value (σ from the
        /// exact Jaccard; the floor keeps J near 0 or 1 from demanding perfection).
        #[test]
        fn estimate_tracks_exact_jaccard(
            a in proptest::collection::hash_set(any::<u64>(), 1..600),
            b in proptest::collection::hash_set(any::<u64>(), 1..600),
            overlap in 0usize..600,
            seed in any::<u64>(),
        ) {
            let k = 256;
            let m = MinHasher::new(k, seed).unwrap();
            let mut b: Vec<u64> = b.into_iter().collect();
            b.extend(a.iter().take(overlap).copied());
            let mut sa: Vec<u64> = a.into_iter().collect();
            sa.sort_unstable();
            let mut sb = b.clone();
            sb.sort_unstable();
            sb.dedup();
            let exact = jaccard(&sa, &sb);
            let est = jaccard_estimate(
                &m.signature(sa.iter().copied()).unwrap(),
                &m.signature(sb.iter().copied()).unwrap(),
            );
            let sigma = (exact * (1.0 - exact) / k as f64).sqrt().max(2.0 / k as f64);
            prop_assert!((est - exact).abs() <= 5.0 * sigma, "est {} exact {}", est, exact);
        }
    }
}
