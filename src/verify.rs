//! Verify: exact similarity of candidate pairs, so no reported pair rests on an estimate.
//!
//! LSH candidates are only likely to be similar. Verification recomputes each candidate
//! document's shingle set (sorted, de-duplicated 64-bit hashes) and takes exact Jaccard
//! and containment by a linear merge. Sets are built only for documents that appear in
//! some candidate pair, which on real corpora is a small fraction.

use crate::minhash::intersection_size;

/// Exact measures of one pair of shingle sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// `|A ∩ B| / |A ∪ B|`.
    pub jaccard: f64,
    /// `|A ∩ B| / |A|`: how much of A is in B.
    pub a_in_b: f64,
    /// `|A ∩ B| / |B|`: how much of B is in A.
    pub b_in_a: f64,
}

impl Similarity {
    /// Exact Jaccard and both containments of two sorted, de-duplicated sets.
    ///
    /// ```
    /// use neardup::verify::Similarity;
    /// let s = Similarity::of(&[1, 2, 3, 4], &[3, 4]);
    /// assert_eq!((s.jaccard, s.a_in_b, s.b_in_a), (0.5, 0.5, 1.0));
    /// ```
    pub fn of(a: &[u64], b: &[u64]) -> Self {
        let inter = intersection_size(a, b);
        let union = a.len() + b.len() - inter;
        let ratio = |num: usize, den: usize| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };
        Similarity {
            jaccard: ratio(inter, union),
            a_in_b: ratio(inter, a.len()),
            b_in_a: ratio(inter, b.len()),
        }
    }

    /// The larger containment: how much of the smaller document is in the larger one.
    pub fn max_containment(&self) -> f64 {
        self.a_in_b.max(self.b_in_a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_sets_are_not_similar() {
        let s = Similarity::of(&[], &[]);
        assert_eq!((s.jaccard, s.a_in_b, s.b_in_a), (0.0, 0.0, 0.0));
        let s = Similarity::of(&[1], &[]);
        assert_eq!(s.jaccard, 0.0);
    }

    #[test]
    fn identical_sets_are_fully_similar() {
        let s = Similarity::of(&[1, 5, 9], &[1, 5, 9]);
        assert_eq!((s.jaccard, s.max_containment()), (1.0, 1.0));
        assert_eq!(Similarity::of(&[1, 5], &[1, 5, 9]).a_in_b, 1.0);
    }
}
