//! Weighted MinHash sketches whose collision probability is the weighted Jaccard
//! `Σ min(a, b) / Σ max(a, b)`.
//!
//! The scheme is Improved Consistent Weighted Sampling (Ioffe, "Improved Consistent
//! Sampling, Weighted Minhash and L1 Sketching", ICDM 2010): for sample `j` and feature `f`
//! with weight `S`, draw `r, c ~ Gamma(2, 1)` and `β ~ U(0, 1)` from a hash of `(f, j,
//! seed)`, put `t = ⌊ln S / r + β⌋`, `y = exp(r (t − β))`, `a = c / (y e^r)`; the sample is
//! the `(f, t)` of the smallest `a`. Two documents produce the same sample with probability
//! equal to their weighted Jaccard.
//!
//! ICWS costs `O(n · k)` for `n` features, against roughly `O(n + k log k)` for BagMinHash or
//! ProbMinHash (Ertl, 2018 / 2020). Here `n` is capped: only each document's top-30 features
//! by weight are sketched ([`super::RewriteParams::top_features`]), so ICWS is a fixed
//! 30 × 128 draws per document, it is exact (not an approximation of J_w) and short to
//! verify; ProbMinHash would also be the wrong target (its collision probability is the
//! *probability* Jaccard J_P, not J_w).
//!
//! **Corpus batches** ([`WeightedMinHasher::sketch_all`]). The draws `(r, c, β)` of sample
//! `j` depend only on the feature and `j`, never on the weight or the document, and the
//! top features of news repeat across documents (on Reuters-21578, 19 048 documents hold
//! 571 k top-feature occurrences but only about 60 k distinct features). So a corpus is
//! sketched feature by feature: each distinct feature's `k` draws are made once and applied
//! to every document holding it, which leaves per (document, feature, sample) a division,
//! a floor and a comparison. The samples are split into blocks processed in parallel
//! (each block owns its columns of the running minima). The result is bit-identical to
//! [`WeightedMinHasher::sketch`] per document (tested), so it is still exact ICWS: the
//! collision probability stays the weighted Jaccard.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A sketch: `k` 32-bit sample hashes.
pub type Sketch = Box<[u32]>;

/// Natural logarithm of a positive finite `x` to about 1e-10 relative error, without libm:
/// `x = m · 2^e`, `ln m = 2 atanh((m − 1)/(m + 1))` by its series. The sketch needs three
/// logarithms per draw; this one is deterministic across platforms and about twice as fast.
#[inline]
fn fast_ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = s
        * (2.0
            + s2 * (2.0 / 3.0
                + s2 * (2.0 / 5.0 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0 + s2 * (2.0 / 11.0))))));
    e as f64 * std::f64::consts::LN_2 + series
}

const SPLITMIX_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 (Steele, Lea & Flood 2014): a stream of uniform values from one seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(SPLITMIX_GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Two uniforms in (0, 1), never 0 (their logarithm is taken), from one draw.
    fn units(&mut self) -> (f64, f64) {
        const SCALE: f64 = 1.0 / 4_294_967_296.0;
        let x = self.next();
        // Through i64: the values fit in 32 bits, so the result is the same, but a signed
        // conversion is one instruction and an unsigned 64-bit one is not (before AVX-512).
        (
            ((x >> 32) as i64 as f64 + 0.5) * SCALE,
            ((x & 0xffff_ffff) as i64 as f64 + 0.5) * SCALE,
        )
    }

    /// Gamma(2, 1) as the sum of two Exp(1) draws.
    fn gamma2(&mut self) -> f64 {
        let (u, v) = self.units();
        -fast_ln(u * v)
    }
}

/// The ICWS draws of one feature for one sample: `r`, `ln c` and `β`.
#[derive(Debug, Clone, Copy)]
struct Draw {
    r: f64,
    ln_c: f64,
    beta: f64,
    /// `ln c − r`: `ln a ≥ bound − ln w` for every weight.
    bound: f64,
}

impl Draw {
    /// A draw that no weight can win (`ln a = +∞`): pads a short last block.
    const NEVER: Draw = Draw {
        r: 1.0,
        ln_c: f64::INFINITY,
        beta: 0.5,
        bound: f64::INFINITY,
    };

    /// The next sample's draws from a feature's stream (three SplitMix values per sample).
    #[inline]
    fn next(rng: &mut SplitMix) -> Self {
        let r = rng.gamma2();
        let c = rng.gamma2();
        let beta = rng.units().0;
        let ln_c = fast_ln(c);
        Draw {
            r,
            ln_c,
            beta,
            bound: ln_c - r,
        }
    }

    /// The draws of sample `j` of the stream seeded `seed`: SplitMix is a counter, so the
    /// stream can be entered at sample `j` directly.
    #[inline]
    fn at(seed: u64, j: usize) -> Self {
        let mut rng = SplitMix(seed.wrapping_add((3 * j as u64).wrapping_mul(SPLITMIX_GAMMA)));
        Draw::next(&mut rng)
    }

    /// `(ln a, t)` of a feature of log-weight `ln_w`: `t = ⌊ln w / r + β⌋`,
    /// `ln a = ln c − r (t − β) − r`.
    #[inline]
    fn sample(&self, ln_w: f64) -> (f64, i64) {
        let x = ln_w / self.r + self.beta;
        // floor without a libm call
        let t = {
            let t = x as i64 as f64;
            if t > x {
                t - 1.0
            } else {
                t
            }
        };
        let ln_y = self.r * (t - self.beta);
        (self.ln_c - ln_y - self.r, t as i64)
    }
}

/// Samples per block of the batch sketcher ([`WeightedMinHasher::sketch_all`]).
const BLOCK: usize = 8;

/// Draws ICWS sketches of size `k` under a seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedMinHasher {
    k: usize,
    seed: u64,
}

impl WeightedMinHasher {
    /// A sketcher with `k ≥ 1` samples.
    pub fn new(k: usize, seed: u64) -> crate::Result<Self> {
        if k == 0 || k > 65_536 {
            return Err(crate::Error::Config(format!(
                "rewrite sketch size must be between 1 and 65536, got {k}"
            )));
        }
        Ok(WeightedMinHasher { k, seed })
    }

    /// The sketch size `k`.
    pub fn len(&self) -> usize {
        self.k
    }

    /// Always false (`k ≥ 1`).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The sketch of a weighted set (feature hash, weight); weights ≤ 0 are ignored.
    /// `None` when no weight is positive.
    pub fn sketch(&self, features: &[(u64, f64)]) -> Option<Sketch> {
        let live: Vec<(u64, f64)> = features
            .iter()
            .filter(|(_, w)| *w > 0.0 && w.is_finite())
            .map(|&(f, w)| (f, w.ln()))
            .collect();
        if live.is_empty() {
            return None;
        }
        let mut best: Vec<(f64, u64, i64)> = vec![(f64::INFINITY, 0, 0); self.k];
        for &(f, ln_w) in &live {
            let mut rng = SplitMix(xxh3_64_with_seed(&f.to_le_bytes(), self.seed));
            for slot in best.iter_mut() {
                let d = Draw::next(&mut rng);
                let (ln_a, t) = d.sample(ln_w);
                if ln_a < slot.0 {
                    *slot = (ln_a, f, t);
                }
            }
        }
        Some(
            best.iter()
                .enumerate()
                .map(|(j, &(_, f, t))| self.sample_hash(j, f, t))
                .collect(),
        )
    }

    /// The 32-bit hash of sample `j` won by `(f, t)`.
    #[inline]
    fn sample_hash(&self, j: usize, f: u64, t: i64) -> u32 {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&f.to_le_bytes());
        bytes[8..].copy_from_slice(&t.to_le_bytes());
        xxh3_64_with_seed(&bytes, self.seed ^ j as u64) as u32
    }

    /// The sketches of many weighted sets, equal to [`Self::sketch`] of each (bit for bit),
    /// but each distinct feature's draws are made once for the whole batch (see the module
    /// documentation). Work is spread over rayon's pool by blocks of samples.
    pub fn sketch_all(&self, sets: &[&[(u64, f64)]]) -> Vec<Option<Sketch>> {
        // (feature, document, ln w), grouped by feature, documents ascending, each
        // document's features in input order (as `sketch` visits them).
        let mut postings: Vec<(u64, u32, f64)> = sets
            .iter()
            .enumerate()
            .flat_map(|(d, set)| {
                set.iter()
                    .filter(|(_, w)| *w > 0.0 && w.is_finite())
                    .map(move |&(f, w)| (f, d as u32, w.ln()))
            })
            .collect();
        postings.par_sort_by_key(|p| (p.0, p.1));
        let groups: Vec<&[(u64, u32, f64)]> = postings.chunk_by(|a, b| a.0 == b.0).collect();
        let n = sets.len();
        // Blocks of BLOCK samples: a document's running minima take one 64-byte row of
        // ln a (plus the winners' bookkeeping), so a block's table stays cache-resident
        // while postings stream by. Rows are always BLOCK wide (the last block of a `k`
        // that is not a multiple pads with draws that never win), so the test below works
        // on fixed-size arrays and vectorises.
        let starts: Vec<usize> = (0..self.k).step_by(BLOCK).collect();
        let seeds: Vec<u64> = groups
            .iter()
            .map(|g| xxh3_64_with_seed(&g[0].0.to_le_bytes(), self.seed))
            .collect();
        let blocks: Vec<Vec<u32>> = starts
            .par_iter()
            .map(|&j0| {
                let width = (j0 + BLOCK).min(self.k) - j0;
                // Per (document, sample): the running minimum ln a, and the feature group
                // and t that reached it, so the winner's hash needs no second draw.
                let mut best_a: Vec<[f64; BLOCK]> = vec![[f64::INFINITY; BLOCK]; n];
                let mut best_g: Vec<[u32; BLOCK]> = vec![[u32::MAX; BLOCK]; n];
                let mut best_t: Vec<[i64; BLOCK]> = vec![[0; BLOCK]; n];
                let mut draws = [Draw::NEVER; BLOCK];
                let mut bounds = [f64::INFINITY; BLOCK];
                for (g, (group, &seed)) in groups.iter().zip(&seeds).enumerate() {
                    for (s, (draw, bound)) in draws.iter_mut().zip(&mut bounds).enumerate() {
                        if s < width {
                            *draw = Draw::at(seed, j0 + s);
                            *bound = draw.bound;
                        }
                    }
                    for &(_, d, ln_w) in group.iter() {
                        let a = &mut best_a[d as usize];
                        // ln a ≥ ln c − r − ln w (as r (t − β) ≤ ln w): most postings lose
                        // every sample of the block on this bound alone, checked for the
                        // whole row at once.
                        let mut hit = false;
                        for (b, a) in bounds.iter().zip(a.iter()) {
                            hit |= b - ln_w < *a;
                        }
                        if !hit {
                            continue;
                        }
                        for (s, draw) in draws.iter().enumerate().take(width) {
                            if draw.bound - ln_w >= a[s] {
                                continue;
                            }
                            let (ln_a, t) = draw.sample(ln_w);
                            if ln_a < a[s] {
                                a[s] = ln_a;
                                best_g[d as usize][s] = g as u32;
                                best_t[d as usize][s] = t;
                            }
                        }
                    }
                }
                let mut out = Vec::with_capacity(n * width);
                for (gs, ts) in best_g.iter().zip(&best_t) {
                    for (s, (&g, &t)) in gs.iter().zip(ts).enumerate().take(width) {
                        out.push(if g == u32::MAX {
                            0
                        } else {
                            self.sample_hash(j0 + s, groups[g as usize][0].0, t)
                        });
                    }
                }
                out
            })
            .collect();
        let mut live = vec![false; n];
        for p in &postings {
            live[p.1 as usize] = true;
        }
        (0..n)
            .map(|d| {
                live[d].then(|| {
                    starts
                        .iter()
                        .zip(&blocks)
                        .flat_map(|(&j0, b)| {
                            let width = (j0 + BLOCK).min(self.k) - j0;
                            b[d * width..(d + 1) * width].iter().copied()
                        })
                        .collect()
                })
            })
            .collect()
    }
}

/// Share of equal samples: the estimate of weighted Jaccard.
pub fn collision_rate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// Exact weighted Jaccard of two weighted sets sorted by feature.
pub fn weighted_jaccard(a: &[(u64, f64)], b: &[(u64, f64)]) -> f64 {
    let (smin, ta, tb) = super::score::overlap(a, b);
    let smax = ta + tb - smin;
    if smax > 0.0 {
        smin / smax
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fast_ln_matches_libm() {
        for &x in &[
            1e-300, 1e-9, 0.001, 0.5, 0.7, 1.0, 1.5, 2.0, 3.7, 1e6, 1e300,
        ] {
            let (a, b) = (fast_ln(x), f64::ln(x));
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{x}: {a} vs {b}");
        }
    }

    #[test]
    fn identical_sets_collide_everywhere_and_disjoint_ones_nowhere() {
        let m = WeightedMinHasher::new(128, 7).unwrap();
        let a = m.sketch(&[(1, 2.0), (2, 0.5), (3, 1.0)]).unwrap();
        let b = m.sketch(&[(1, 2.0), (2, 0.5), (3, 1.0)]).unwrap();
        assert_eq!(collision_rate(&a, &b), 1.0);
        let c = m.sketch(&[(4, 2.0), (5, 0.5)]).unwrap();
        assert!(collision_rate(&a, &c) < 0.05);
        assert!(m.sketch(&[(1, 0.0)]).is_none());
        assert!(WeightedMinHasher::new(0, 1).is_err());
    }

    #[test]
    fn scaling_a_weight_changes_the_estimate() {
        // {1: 1, 2: 1} vs {1: 1, 2: 3}: J_w = 2 / 4.
        let m = WeightedMinHasher::new(4096, 3).unwrap();
        let a = m.sketch(&[(1, 1.0), (2, 1.0)]).unwrap();
        let b = m.sketch(&[(1, 1.0), (2, 3.0)]).unwrap();
        assert!((collision_rate(&a, &b) - 0.5).abs() < 0.04);
    }

    #[test]
    fn batch_sketches_equal_single_sketches() {
        let m = WeightedMinHasher::new(128, 11).unwrap();
        let sets: Vec<Vec<(u64, f64)>> = (0..40u64)
            .map(|d| {
                // Overlapping features across documents, some shared, weights varied.
                let mut s: Vec<(u64, f64)> = (0..(d % 7 + 1))
                    .map(|i| ((d * 3 + i * 5) % 23, 0.3 + ((d + i) % 5) as f64))
                    .collect();
                s.sort_unstable_by_key(|x| x.0);
                s.dedup_by_key(|x| x.0);
                s
            })
            .chain([vec![], vec![(5, 0.0)]])
            .collect();
        let refs: Vec<&[(u64, f64)]> = sets.iter().map(|s| s.as_slice()).collect();
        let batch = m.sketch_all(&refs);
        assert_eq!(batch.len(), sets.len());
        for (s, b) in sets.iter().zip(&batch) {
            assert_eq!(&m.sketch(s), b);
        }
        assert!(batch[40].is_none() && batch[41].is_none());
        // Sizes that are not a multiple of the block.
        let m = WeightedMinHasher::new(37, 2).unwrap();
        let batch = m.sketch_all(&refs);
        for (s, b) in sets.iter().zip(&batch) {
            assert_eq!(&m.sketch(s), b);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The collision rate estimates weighted Jaccard with standard deviation
        /// √(J(1−J)/k) ≤ 0.5/√k; the bound 2/√k is four standard deviations.
        #[test]
        fn collision_rate_estimates_weighted_jaccard(
            shared in proptest::collection::vec((0.1f64..5.0, 0.1f64..5.0), 0..20),
            only_a in proptest::collection::vec(0.1f64..5.0, 0..15),
            only_b in proptest::collection::vec(0.1f64..5.0, 0..15),
            seed in 0u64..1000,
        ) {
            prop_assume!(!shared.is_empty() || (!only_a.is_empty() && !only_b.is_empty()));
            let mut a: Vec<(u64, f64)> = shared.iter().enumerate().map(|(i, w)| (i as u64, w.0)).collect();
            let mut b: Vec<(u64, f64)> = shared.iter().enumerate().map(|(i, w)| (i as u64, w.1)).collect();
            a.extend(only_a.iter().enumerate().map(|(i, &w)| (100 + i as u64, w)));
            b.extend(only_b.iter().enumerate().map(|(i, &w)| (200 + i as u64, w)));
            let k = 256;
            let m = WeightedMinHasher::new(k, seed).unwrap();
            let est = collision_rate(&m.sketch(&a).unwrap(), &m.sketch(&b).unwrap());
            let exact = weighted_jaccard(&a, &b);
            prop_assert!((est - exact).abs() <= 2.0 / (k as f64).sqrt(), "est {} exact {}", est, exact);
            // The corpus batch path gives the same estimate.
            let batch = m.sketch_all(&[&a, &b]);
            let est_batch = collision_rate(batch[0].as_ref().unwrap(), batch[1].as_ref().unwrap());
            prop_assert_eq!(est, est_batch);
        }
    }
}
