//! Weighted MinHash sketches for the rewrite tier's LSH: P-MinHash, whose collision
//! probability is the *probability Jaccard*
//! `J_P(a, b) = Σ_{f ∈ a ∩ b} 1 / Σ_g max(a_g / a_f, b_g / b_f)`
//! (Moulton & Jiang, "Maximally consistent sampling and the Jaccard index of probability
//! distributions", ICDM 2018).
//!
//! Sample `j` of a document is the feature `f` with the smallest `E_{f,j} / w_f`, where
//! `E_{f,j} ~ Exp(1)` comes from a hash of `(f, seed)` and `w_f` is the feature's weight in
//! the document. Two documents pick the same feature with probability `J_P`.
//!
//! **Why `J_P` and not the weighted Jaccard `J_w = Σ min / Σ max`.** The sketch only finds
//! candidates; every candidate is then checked against the exact `J_w` of its top features
//! ([`super::CandidateGate`], [`super::score`]). `J_P ≥ J_w` for every pair (shown by Moulton
//! & Jiang; property-tested below), so LSH banding designed to catch pairs at
//! `J_w = lsh_floor` catches them at least as often with this sketch. And `J_P` can be
//! sketched much faster: ICWS (Ioffe 2010, exact for `J_w`, used here before) needs three
//! logarithms per feature and sample, `O(n · k)`; on Reuters-21578 this sketch draws about
//! 620 values per document instead of 30 × 128 samples.
//!
//! **How it is fast** (the idea of Ertl's ProbMinHash, "ProbMinHash – a class of
//! locality-sensitive hash algorithms for the (probability) Jaccard similarity", 2020).
//! The `k` values `E_{f,0..k}` of one feature are generated in increasing order instead
//! of sample by sample: by Rényi's representation the order statistics of `k` independent
//! Exp(1) values are `x_i = x_{i−1} + Exp(1) / (k − i)`, and which sample gets the `i`-th
//! smallest is a uniformly random permutation, drawn step by step (Fisher–Yates). Values
//! are drawn in rounds under a rising cap, every feature resuming where it stopped, until
//! every sample holds one: no value above the cap can then win a sample, so only values
//! near or below the final largest minimum are ever drawn (about 620 per Reuters document,
//! against 1 200 when each feature in turn ran until its values passed the largest running
//! minimum, the bound ProbMinHash uses).

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A sketch: `k` 32-bit sample hashes.
pub type Sketch = Box<[u32]>;

/// `−ln u` for `u` in (0, 1), to about 1e-5 absolute error: `u = m · 2^e`, and `ln m` on
/// [1, 2) by a degree-5 polynomial in `m − 1` (least squares at Chebyshev nodes, so the
/// constant term is not exactly 0: the result is clamped to ≥ 0, which keeps the running
/// sums of [`WeightedMinHasher::sketch_with`] non-decreasing). The values only need to be
/// distributed like Exp(1) (the error shifts a collision probability by far less than the
/// sketch's own ±1/√k) and deterministic: plain multiplies and adds, no division and no
/// libm, so every platform draws the same samples. The sketches draw through
/// [`exp1_from_high_bits`], equal bit for bit; this is its definition, for the tests.
#[cfg(test)]
fn exp1_from_unit(u: f64) -> f64 {
    let bits = u.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let t = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000) - 1.0;
    minus_ln(-(e as f64 * std::f64::consts::LN_2), t)
}

/// `−ln(m · 2^e)` from `−e · ln 2` and `t = m − 1` (see [`exp1_from_unit`]). Negated
/// ahead: `−e · ln 2 − ln m` rounds to the bits of `−(e · ln 2 + ln m)` (rounding to
/// nearest is symmetric), a sign flip less per draw; only a zero's sign may differ, which
/// the clamp and the running sums' `+` (from `+0`) erase.
#[inline]
fn minus_ln(minus_e_ln2: f64, t: f64) -> f64 {
    let ln_m = 9.962_257_065_042_119e-6
        + t * (0.999_235_702_301_345_6
            + t * (-0.490_231_739_411_248_04
                + t * (0.285_274_529_215_105_9
                    + t * (-0.131_583_199_079_909_34 + t * 0.030_449_331_759_675_017))));
    (minus_e_ln2 - ln_m).max(0.0)
}

/// `−(top − 33) · ln 2` for `top < 64`: the `−e · ln 2` of [`exp1_from_high_bits`], the
/// same products as computed at run time (IEEE multiplication, also in const evaluation).
const MINUS_E_LN2: [f64; 64] = {
    let mut t = [0.0; 64];
    let mut top = 0;
    while top < 64 {
        t[top] = -((top as i64 - 33) as f64 * std::f64::consts::LN_2);
        top += 1;
    }
    t
};

/// `2^−top` for `top < 64`: scales an integer whose highest set bit is `top` into [1, 2).
const POW2_MINUS: [f64; 64] = {
    let mut t = [0.0; 64];
    let mut top = 0;
    while top < 64 {
        t[top] = f64::from_bits((1023 - top as u64) << 52);
        top += 1;
    }
    t
};

/// [`exp1_from_unit`] of `u = (h + 0.5) / 2^32` for `h < 2^32`, bit for bit, from the
/// integer: `u = v / 2^33` with `v = 2h + 1` (33 bits, so `u` is exact), whose exponent
/// is read off `v`'s highest set bit `top` and whose mantissa is `m = v · 2^−top`: `v`
/// converts to f64 exactly (it has 33 bits) and the scaling by a power of two is exact, so
/// `m` and `t = m − 1` (exact on [1, 2)) are the very values of [`exp1_from_unit`], in
/// four instructions where cutting the bits out of the integer took nine. Every draw of
/// every sketch passes here.
#[inline]
fn exp1_from_high_bits(h: u64) -> f64 {
    let v = (h << 1) | 1;
    // `v` is never 0: its highest bit `top` is in 0..=63.
    let top = (63 - v.leading_zeros()) as usize & 63;
    // Through i64: a signed conversion is one instruction, and `v < 2^63`.
    let t = (v as i64) as f64 * POW2_MINUS[top] - 1.0;
    minus_ln(MINUS_E_LN2[top], t)
}

const SPLITMIX_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 (Steele, Lea & Flood 2014): a stream of uniform values from one seed.
#[derive(Debug, Clone, Copy)]
struct SplitMix(u64);

impl SplitMix {
    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(SPLITMIX_GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Draws weighted MinHash sketches (P-MinHash) of size `k` under a seed.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedMinHasher {
    k: usize,
    seed: u64,
    /// `1 / (k − i)` for `i < k`: the scale of the `i`-th spacing of the order statistics.
    spacing: Box<[f64]>,
}

/// Per-thread working memory of [`WeightedMinHasher::sketch_with`].
#[derive(Debug, Default, Clone)]
pub struct SketchScratch {
    live: Vec<(u64, f64)>,
    /// `live` as [`super::heaviest_first_key`]s, to sort them.
    keys: Vec<u128>,
    minima: Vec<f64>,
    winners: Vec<u64>,
    /// The identity permutation of `0..k` between features (Fisher–Yates state).
    perm: Vec<u32>,
    /// The positions one feature's Fisher–Yates steps swapped with.
    picks: Vec<u32>,
    /// [`WeightedMinHasher::sketch_in_rounds`]: one identity permutation of `0..k` per
    /// feature (rows stay the identity between calls) and each feature's stream.
    rows: Vec<u32>,
    /// The `k` that `rows` were made for.
    rows_k: usize,
    streams: Vec<Stream>,
    /// Each sample's smallest value so far and the feature holding it (`u32::MAX`: none).
    slots: Vec<(f64, u32)>,
}

/// Where one feature's increasing values stand: the generator, the running sum `x` of the
/// spacings, the feature's `1 / w`, and the next value (`x / w`; infinite once all `k`
/// are drawn), its step and the low 32 bits that will pick its sample.
#[derive(Debug, Clone, Copy)]
struct Stream {
    rng: SplitMix,
    x: f64,
    inv_w: f64,
    step: usize,
    pick_bits: u64,
    value: f64,
}

/// Features per document up to which [`WeightedMinHasher::sketch_with`] draws in rounds
/// (the rewrite tier sketches 30); its working memory is `8 · k` bytes per feature.
const VALUE_ORDER_MAX_FEATURES: usize = 256;

/// Features × samples up to which [`WeightedMinHasher::sketch_with`] draws in rounds: 8 MiB
/// of permutation rows per thread at most (a very large `k` takes the walk instead).
const VALUE_ORDER_MAX_SLOTS: usize = 1 << 20;

impl WeightedMinHasher {
    /// A sketcher with `1 ≤ k ≤ 65 536` samples.
    pub fn new(k: usize, seed: u64) -> crate::Result<Self> {
        if k == 0 || k > 65_536 {
            return Err(crate::Error::Config(format!(
                "rewrite sketch size must be between 1 and 65536, got {k}"
            )));
        }
        Ok(WeightedMinHasher {
            k,
            seed,
            spacing: (0..k).map(|i| 1.0 / (k - i) as f64).collect(),
        })
    }

    /// The sketch size `k`.
    pub fn len(&self) -> usize {
        self.k
    }

    /// Always false (`k ≥ 1`).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The sketch of a weighted set (feature hash, weight) of distinct features; weights
    /// that are not positive and finite are ignored. `None` when no weight is.
    ///
    /// ```
    /// use neardup::rewrite::sketch::{collision_rate, WeightedMinHasher};
    /// let m = WeightedMinHasher::new(128, 1).unwrap();
    /// let a = m.sketch(&[(1, 2.0), (2, 1.0), (3, 1.0)]).unwrap();
    /// let b = m.sketch(&[(1, 2.0), (2, 1.0), (4, 1.0)]).unwrap();
    /// // J_P = 0.6 here; the estimate's standard deviation is about 0.04.
    /// assert!((collision_rate(&a, &b) - 0.6).abs() < 0.2);
    /// ```
    pub fn sketch(&self, features: &[(u64, f64)]) -> Option<Sketch> {
        self.sketch_with(features, &mut SketchScratch::default())
    }

    /// [`Self::sketch`] with caller-owned working memory (one per thread).
    pub fn sketch_with(
        &self,
        features: &[(u64, f64)],
        scratch: &mut SketchScratch,
    ) -> Option<Sketch> {
        if !Self::prepare(features, scratch) {
            return None;
        }
        let n = scratch.live.len();
        if n <= VALUE_ORDER_MAX_FEATURES && n * self.k <= VALUE_ORDER_MAX_SLOTS {
            return Some(self.sketch_in_rounds(scratch));
        }
        Some(self.sketch_feature_by_feature(scratch))
    }

    /// Puts the features of positive, finite weight into `scratch.live` in visit order;
    /// false when there are none.
    fn prepare(features: &[(u64, f64)], scratch: &mut SketchScratch) -> bool {
        // Heaviest first, ties by feature, so that the visit order (which decides between
        // equal values) is a function of the set. Heavy features first also make the
        // feature-by-feature walk's stopping bound fall fast. Sorted as integer keys that
        // order so (a float and an integer comparison per step cost more) and read back.
        let keys = &mut scratch.keys;
        keys.clear();
        keys.extend(
            features
                .iter()
                .filter(|(_, w)| *w > 0.0 && w.is_finite())
                .map(|&x| super::heaviest_first_key(x)),
        );
        keys.sort_unstable();
        let live = &mut scratch.live;
        live.clear();
        live.extend(keys.iter().map(|&k| super::from_heaviest_first_key(k)));
        !live.is_empty()
    }

    /// [`Self::sketch_with`] feature by feature, heaviest first (the sorted `scratch.live`),
    /// each feature stopping at the largest running minimum. Equal to
    /// [`Self::sketch_in_rounds`]; used for sets too large for its working memory and for
    /// weights near the ends of the f64 range.
    fn sketch_feature_by_feature(&self, scratch: &mut SketchScratch) -> Sketch {
        let k = self.k;
        let SketchScratch {
            live,
            minima,
            winners,
            perm,
            picks,
            ..
        } = scratch;
        minima.clear();
        minima.resize(k, f64::INFINITY);
        winners.clear();
        winners.resize(k, 0);
        perm.clear();
        perm.extend(0..k as u32);
        picks.clear();
        picks.resize(k, 0);
        // Slices of length `k`, so that indexing by the step `i < k` needs no bounds check.
        let (minima, winners) = (&mut minima[..k], &mut winners[..k]);
        let (perm, picks, spacing) = (&mut perm[..k], &mut picks[..k], &self.spacing[..k]);
        let mut ceiling = f64::INFINITY;
        for &(f, w) in live.iter() {
            let inv_w = 1.0 / w;
            let mut rng = SplitMix(xxh3_64_with_seed(&f.to_le_bytes(), self.seed));
            let (mut steps, mut won) = (0, false);
            let mut x = 0.0;
            for i in 0..k {
                let pick_bits;
                (x, pick_bits) = next_spacing(&mut rng, x, spacing[i]);
                let value = x * inv_w;
                if value >= ceiling {
                    break;
                }
                // Fisher–Yates step `i`: the sample at `pick` comes next and the one at `i`
                // takes its place. Position `i` is never read again for this feature, so
                // only `pick` is written (and remembered, to restore the identity).
                let pick = pick_at(i, k, pick_bits);
                let j = perm[pick] as usize;
                perm[pick] = perm[i];
                picks[i] = pick as u32;
                steps = i + 1;
                // Branch-free: whether a value wins is a coin toss for the first features,
                // and a mispredicted branch costs more than two conditional moves.
                let (m, w) = (minima[j], winners[j]);
                let wins = value < m;
                minima[j] = if wins { value } else { m };
                winners[j] = if wins { f } else { w };
                won |= wins;
            }
            // Back to the identity: only the picked positions were written. A feature
            // takes a few dozen steps on average, far fewer than the `k` writes of a fresh
            // permutation.
            for &pick in &picks[..steps] {
                perm[pick as usize] = pick;
            }
            // The largest running minimum: a later feature's value at or above it wins
            // nothing. It only falls, and only when this feature won a sample; within a
            // feature it is a safe upper bound.
            if won {
                ceiling = largest(minima);
            }
        }
        self.finish(winners)
    }

    /// [`Self::sketch_with`] in rounds under a rising cap (the sorted `scratch.live`, at
    /// most [`VALUE_ORDER_MAX_FEATURES`] features).
    ///
    /// In round `r` every feature draws its values below the cap `c_r`, resuming where it
    /// stopped; once every sample holds a value, all of them below `c_r`, no value not yet
    /// drawn (each `≥ c_r`) can win one, so the sketch is exact. The largest minimum of `k`
    /// samples is about `(ln k + 0.58) / Σw`, so the cap starts at `4 / Σw` and grows by a
    /// quarter a round; in the last round, once every sample holds a value, it falls to
    /// just above the largest of them. About 620 draws per Reuters document (590 lie below
    /// the final largest minimum) against 1 200 for the feature-by-feature walk, whose
    /// stopping bound starts at infinity and falls only as the heaviest features fill every
    /// sample. A sample keeps the smallest value and, of
    /// equal values, the feature first in `live`, as the walk's strict `<` does, so both
    /// give the same sketch (property-tested).
    fn sketch_in_rounds(&self, scratch: &mut SketchScratch) -> Sketch {
        // The tier's sketch size, as a constant: every index of a draw then masks into its
        // array instead of being bounds checked (four checks a draw), and `k` leaves a
        // register free.
        if self.k == SKETCH_SIZE_CONST {
            self.rounds::<SKETCH_SIZE_CONST>(scratch)
        } else {
            self.rounds::<0>(scratch)
        }
    }

    /// [`Self::sketch_in_rounds`] for `k = K`, or for `self.k` when `K` is 0. Never
    /// inlined: inlined into one caller, the two instances' common code was merged back,
    /// with `k` a variable again.
    #[inline(never)]
    fn rounds<const K: usize>(&self, scratch: &mut SketchScratch) -> Sketch {
        let k = if K == 0 { self.k } else { K };
        let SketchScratch {
            live,
            winners,
            rows,
            rows_k,
            streams,
            slots,
            ..
        } = scratch;
        let n = live.len();
        // Rows are the identity between calls: new rows start as one, used rows are
        // restored below.
        // Rows made for another `k` (the scratch is public and may be shared between
        // sketchers) are not rows of this permutation: start again.
        if *rows_k != k {
            rows.clear();
            *rows_k = k;
        }
        let have = rows.len() / k;
        if have < n {
            rows.extend((have..n).flat_map(move |_| 0..k as u32));
        }
        let spacing = &self.spacing[..k];
        // Each sample's smallest value and the feature (index in `live`) holding it, side by
        // side: one bounds check and one cache line per draw instead of three.
        slots.clear();
        slots.resize(k, (f64::INFINITY, u32::MAX));
        let slots = &mut slots[..k];
        streams.clear();
        let mut total = 0.0;
        for &(f, w) in live.iter() {
            let mut rng = SplitMix(xxh3_64_with_seed(&f.to_le_bytes(), self.seed));
            let (x, pick_bits) = next_spacing(&mut rng, 0.0, spacing[0]);
            let inv_w = 1.0 / w;
            streams.push(Stream {
                rng,
                x,
                inv_w,
                step: 0,
                pick_bits,
                value: x * inv_w,
            });
            total += w;
        }
        let mut cap = 4.0 / total;
        if !(cap > 0.0 && cap.is_finite()) {
            // Weights near the ends of the f64 range: no cap to start from. Nothing was
            // taken from the rows yet.
            return self.sketch_feature_by_feature(scratch);
        }
        let mut empty = k;
        // Every feature can fill all `k` samples, so the rounds end once the cap passes
        // the largest of the features' last values; the cap itself ends at infinity, so a
        // value that is not finite (a weight near 0) cannot keep the loop going.
        loop {
            // The cap of this round's draws: lowered, once every sample holds a value, to
            // just above the largest of them, which no value at or above can win.
            let mut bound = cap;
            for (idx, s) in streams.iter_mut().enumerate() {
                // A finished stream's value is infinite (below), so this also skips it; so
                // it does a value that is not a number (a weight near 0), hence the negation.
                #[allow(clippy::neg_cmp_op_on_partial_ord)]
                if !(s.value < bound) {
                    continue;
                }
                let row = &mut rows[idx * k..(idx + 1) * k];
                // The stream in locals for its run of draws: through `s` every step stored
                // and reloaded its five fields.
                let Stream {
                    mut rng,
                    mut x,
                    inv_w,
                    mut step,
                    mut pick_bits,
                    mut value,
                } = *s;
                let id = idx as u32;
                // Never true (the value would be infinite), but it tells the compiler that
                // `step < k`, which the loop keeps: `step` then indexes without checks.
                if step >= k {
                    continue;
                }
                let mut won = false;
                loop {
                    // Fisher–Yates step `step`: the sample at `pick` comes next and the one
                    // at `step` takes its place. Position `step` is never read again for
                    // this feature, so it keeps the pick instead (to restore the identity,
                    // below): one array and one base register less than a separate list.
                    let pick = pick_at(step, k, pick_bits);
                    let j = row[in_bounds::<K>(pick)] as usize;
                    row[in_bounds::<K>(pick)] = row[step];
                    row[step] = pick as u32;
                    let slot = &mut slots[in_bounds::<K>(j)];
                    if value < slot.0 || (value == slot.0 && id < slot.1) {
                        // A branch, not a subtraction: empty samples are few of the wins.
                        if slot.1 == u32::MAX {
                            empty -= 1;
                        }
                        *slot = (value, id);
                        won = true;
                    }
                    step += 1;
                    if step >= k {
                        // Finished: an infinite value is below no cap, so the stream is
                        // never resumed, and no step count needs checking per draw.
                        value = f64::INFINITY;
                        break;
                    }
                    (x, pick_bits) = next_spacing(&mut rng, x, spacing[step]);
                    value = x * inv_w;
                    #[allow(clippy::neg_cmp_op_on_partial_ord)]
                    if !(value < bound) {
                        break;
                    }
                }
                *s = Stream {
                    rng,
                    x,
                    inv_w,
                    step,
                    pick_bits,
                    value,
                };
                // Every sample held: this is the last round, and a value above the largest
                // minimum wins nothing (one equal to it may win a sample held by a later
                // feature, hence the next float up). About a tenth of the draws were above.
                if empty == 0 && won {
                    let largest = slots
                        .iter()
                        .fold(0.0f64, |m, s| if s.0 > m { s.0 } else { m });
                    bound = bound.min(largest.next_up());
                }
            }
            if empty == 0 || cap == f64::INFINITY {
                break;
            }
            cap *= 1.25;
        }
        // Back to the identity: position `i < step` holds step `i`'s pick (`≥ i`), the only
        // other position written. Last step first, so that a pick is read before the
        // restoring of a later step's pick could overwrite it (a pick `p > i` below `step`
        // is read at step `p`, earlier in this order).
        for (idx, s) in streams.iter().enumerate() {
            let row = &mut rows[idx * k..(idx + 1) * k];
            for i in (0..s.step).rev() {
                let pick = row[i] as usize;
                row[pick] = pick as u32;
                row[i] = i as u32;
            }
        }
        if empty > 0 {
            // Some value was not finite and never came under a cap: the walk decides.
            return self.sketch_feature_by_feature(scratch);
        }
        // Every sample is held (`empty == 0`), so every owner is an index into `live`.
        winners.clear();
        winners.extend(slots.iter().map(|&(_, owner)| live[owner as usize].0));
        self.finish(winners)
    }

    /// The sketch of the winning feature of every sample.
    fn finish(&self, winners: &[u64]) -> Sketch {
        winners
            .iter()
            .enumerate()
            .map(|(j, &f)| sample_hash(f, j, self.seed))
            .collect()
    }

    /// The sketches of many weighted sets, equal to [`Self::sketch`] of each, computed on
    /// rayon's pool.
    pub fn sketch_all(&self, sets: &[&[(u64, f64)]]) -> Vec<Option<Sketch>> {
        sets.par_iter()
            .map_init(SketchScratch::default, |scratch, set| {
                self.sketch_with(set, scratch)
            })
            .collect()
    }
}

/// One step of a feature's increasing values: the running sum `x` plus the next spacing
/// `Exp(1) · spacing`, and the 32 bits that pick the step's sample ([`pick_at`]). Both
/// sketching methods draw through here, so they draw the same bits.
#[inline]
fn next_spacing(rng: &mut SplitMix, x: f64, spacing: f64) -> (f64, u64) {
    let r = rng.next();
    // Exp(1) from the high 32 bits (never 0, so the logarithm is finite); the low 32 bits
    // pick the next sample of the permutation among the k − i left.
    // (`exp1_from_unit((h + 0.5) / 2^32)`, read off the integer.)
    (x + exp1_from_high_bits(r >> 32) * spacing, r & 0xffff_ffff)
}

/// The sketch size that [`WeightedMinHasher::sketch_in_rounds`] draws for with constant
/// array sizes: the rewrite tier's default.
const SKETCH_SIZE_CONST: usize = 128;

/// An index `i < K` (or any `i` for `K = 0`, which stands for a size known only at run
/// time) as one the compiler sees is below `K`: the same `i`, masked when `K` is a power
/// of two, so that indexing a slice of length `K` needs no bounds check.
#[inline(always)]
fn in_bounds<const K: usize>(i: usize) -> usize {
    if K.is_power_of_two() {
        i & (K - 1)
    } else {
        i
    }
}

/// The Fisher–Yates position `i ≤ pick < k` that step `i` takes, from 32 random bits.
#[inline]
fn pick_at(i: usize, k: usize, bits: u64) -> usize {
    i + ((bits * (k - i) as u64) >> 32) as usize
}

/// The largest of non-negative values (0 for none), in eight independent running maxima: a
/// single chain waits out the latency of every comparison, and the running minima are
/// scanned once per feature that won a sample.
#[inline]
fn largest(values: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (m, &v) in lanes.iter_mut().zip(chunk) {
            *m = if v > *m { v } else { *m };
        }
    }
    let rest = chunks.remainder().iter();
    rest.chain(&lanes)
        .fold(0.0f64, |m, &v| if v > m { v } else { m })
}

/// The 32-bit value of sample `j` won by feature `f`: two documents agree on sample `j`
/// exactly when the same feature won it (up to 32-bit collisions, which only add
/// candidates that verification drops).
#[inline]
fn sample_hash(f: u64, j: usize, seed: u64) -> u32 {
    crate::hash::fold_mul(f ^ seed, (j as u64 + 1).wrapping_mul(SPLITMIX_GAMMA)) as u32
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

/// Exact probability Jaccard `J_P` of two weighted sets sorted by feature (weights > 0):
/// the collision probability of [`WeightedMinHasher`]. `O(|a ∩ b| · (|a| + |b|))`, for
/// tests and diagnostics.
pub fn probability_jaccard(a: &[(u64, f64)], b: &[(u64, f64)]) -> f64 {
    let weight =
        |s: &[(u64, f64)], f: u64| s.binary_search_by_key(&f, |x| x.0).map_or(0.0, |i| s[i].1);
    let mut total = 0.0;
    for &(f, wa) in a {
        let wb = weight(b, f);
        if wb <= 0.0 {
            continue;
        }
        let mut denominator = 0.0;
        for &(g, x) in a {
            denominator += (x / wa).max(weight(b, g) / wb);
        }
        for &(g, y) in b {
            if weight(a, g) == 0.0 {
                denominator += y / wb;
            }
        }
        total += 1.0 / denominator;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn largest_is_the_maximum() {
        assert_eq!(largest(&[]), 0.0);
        for n in [1, 7, 8, 9, 128, 130] {
            let v: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 3.0).collect();
            assert_eq!(largest(&v), v.iter().fold(0.0f64, |m, &x| m.max(x)), "{n}");
        }
        assert_eq!(largest(&[1.0, f64::INFINITY, 2.0]), f64::INFINITY);
    }

    #[test]
    fn exp1_from_high_bits_equals_exp1_from_unit() {
        let unit = |h: u64| exp1_from_unit((h as f64 + 0.5) * (1.0 / 4_294_967_296.0));
        let mut cases: Vec<u64> = vec![0, 1, 2, 3, u32::MAX as u64, u32::MAX as u64 - 1];
        cases.extend((0..32).flat_map(|b| [(1u64 << b) - 1, 1 << b, (1 << b) + 1]));
        let mut rng = SplitMix(7);
        cases.extend((0..100_000).map(|_| rng.next() >> 32));
        for h in cases {
            let h = h & 0xffff_ffff;
            assert_eq!(exp1_from_high_bits(h).to_bits(), unit(h).to_bits(), "{h}");
        }
    }

    #[test]
    fn exp1_from_unit_is_minus_ln_u() {
        for i in 0..10_000u64 {
            let u = ((i * 429_497) as f64 + 0.5) / 4_294_967_296.0;
            let (a, b) = (exp1_from_unit(u), -u.ln());
            assert!(a >= 0.0 && (a - b).abs() < 2e-5, "{u}: {a} vs {b}");
        }
        assert!(exp1_from_unit(1.0 - 1e-12) >= 0.0);
        assert!((exp1_from_unit(1e-300) - 690.7755).abs() < 1e-3);
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
        // {1: 1, 2: 1} vs {1: 1, 2: 3}: J_P = 1/4 + 1/2 (J_w would be 2/4).
        let (a, b) = ([(1, 1.0), (2, 1.0)], [(1, 1.0), (2, 3.0)]);
        assert!((probability_jaccard(&a, &b) - 0.75).abs() < 1e-12);
        assert!((weighted_jaccard(&a, &b) - 0.5).abs() < 1e-12);
        let m = WeightedMinHasher::new(4096, 3).unwrap();
        let est = collision_rate(&m.sketch(&a).unwrap(), &m.sketch(&b).unwrap());
        assert!((est - 0.75).abs() < 0.04, "{est}");
    }

    #[test]
    fn scaling_every_weight_leaves_the_sketch_unchanged() {
        let m = WeightedMinHasher::new(128, 5).unwrap();
        let a = [(3, 0.5), (9, 2.0), (12, 1.25)];
        let scaled: Vec<(u64, f64)> = a.iter().map(|&(f, w)| (f, w * 7.5)).collect();
        assert_eq!(m.sketch(&a), m.sketch(&scaled));
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

    #[test]
    fn extreme_weights_end_and_match_the_walk() {
        let m = WeightedMinHasher::new(32, 4).unwrap();
        for set in [
            vec![(1, 1e-310)],
            vec![(1, 1e-310), (2, 1.0)],
            vec![(1, 1e308), (2, 1e308), (3, 1.0)],
            vec![(1, f64::MIN_POSITIVE), (2, f64::MAX)],
        ] {
            let mut scratch = SketchScratch::default();
            assert!(WeightedMinHasher::prepare(&set, &mut scratch));
            let walk = m.sketch_feature_by_feature(&mut scratch);
            assert_eq!(m.sketch(&set), Some(walk), "{set:?}");
        }
    }

    #[test]
    fn one_scratch_serves_sketchers_of_any_size() {
        let set: Vec<(u64, f64)> = (0..10u64).map(|f| (f, 1.0 + f as f64)).collect();
        let mut scratch = SketchScratch::default();
        for k in [8, 4, 16, 4, 8] {
            let m = WeightedMinHasher::new(k, 3).unwrap();
            let fresh = m.sketch(&set);
            assert_eq!(m.sketch_with(&set, &mut scratch), fresh, "k = {k}");
            assert_eq!(m.sketch_with(&set[..6], &mut scratch), m.sketch(&set[..6]));
        }
    }

    #[test]
    fn large_sets_take_the_feature_by_feature_walk() {
        let m = WeightedMinHasher::new(64, 9).unwrap();
        let big: Vec<(u64, f64)> = (0..300u64).map(|f| (f, 1.0 + (f % 7) as f64)).collect();
        let mut scratch = SketchScratch::default();
        assert!(WeightedMinHasher::prepare(&big, &mut scratch));
        let walk = m.sketch_feature_by_feature(&mut scratch);
        assert_eq!(m.sketch(&big), Some(walk.clone()));
        assert_eq!(m.sketch_in_rounds(&mut scratch), walk);
    }

    fn weighted_set(ids: &[u64], weights: &[f64]) -> Vec<(u64, f64)> {
        let mut s: Vec<(u64, f64)> = ids.iter().copied().zip(weights.iter().copied()).collect();
        s.sort_unstable_by_key(|x| x.0);
        s
    }

    proptest! {
        /// Drawing in rounds under a rising cap gives the sketch of the feature-by-feature
        /// walk, for any sample count, including repeated weights (ties in visit order),
        /// and again when the working memory is reused.
        #[test]
        fn rounds_give_the_walk_s_sketch(
            feats in proptest::collection::vec((0u64..1000, 0usize..6), 1..60),
            k in 1usize..200,
            seed in 0u64..100,
        ) {
            let weights = [0.5, 1.0, 1.0, 2.0, 3.5, 1e-3];
            let mut set: Vec<(u64, f64)> = feats.iter().map(|&(f, w)| (f, weights[w])).collect();
            set.sort_unstable_by_key(|x| x.0);
            set.dedup_by_key(|x| x.0);
            let m = WeightedMinHasher::new(k, seed).unwrap();
            let mut scratch = SketchScratch::default();
            prop_assert!(WeightedMinHasher::prepare(&set, &mut scratch));
            let rounds = m.sketch_in_rounds(&mut scratch);
            let walk = m.sketch_feature_by_feature(&mut scratch);
            prop_assert_eq!(&rounds, &walk);
            prop_assert_eq!(m.sketch_with(&set, &mut scratch), Some(walk));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The collision rate estimates the probability Jaccard without bias, with standard
        /// deviation √(J(1−J)/k) ≤ 0.5/√k. One estimate must lie within 3/√k (six standard
        /// deviations: a bound of four failed about once in 300 runs of 48 cases, on a
        /// correct sketch: 4.07 σ at seed 48 of the saved case, the worst of 4 000 seeds),
        /// and the mean of 32 seeds' estimates within six of its standard deviations,
        /// 3/√(32k), which a biased sketch would not reach.
        #[test]
        fn collision_rate_estimates_probability_jaccard(
            shared in proptest::collection::vec((0.1f64..5.0, 0.1f64..5.0), 0..20),
            only_a in proptest::collection::vec(0.1f64..5.0, 0..15),
            only_b in proptest::collection::vec(0.1f64..5.0, 0..15),
            seed in 0u64..1000,
        ) {
            prop_assume!(!shared.is_empty() || (!only_a.is_empty() && !only_b.is_empty()));
            let ids: Vec<u64> = (0..shared.len() as u64).collect();
            let mut a = weighted_set(&ids, &shared.iter().map(|w| w.0).collect::<Vec<_>>());
            let mut b = weighted_set(&ids, &shared.iter().map(|w| w.1).collect::<Vec<_>>());
            a.extend(only_a.iter().enumerate().map(|(i, &w)| (100 + i as u64, w)));
            b.extend(only_b.iter().enumerate().map(|(i, &w)| (200 + i as u64, w)));
            let k = 256;
            let m = WeightedMinHasher::new(k, seed).unwrap();
            let est = collision_rate(&m.sketch(&a).unwrap(), &m.sketch(&b).unwrap());
            let exact = probability_jaccard(&a, &b);
            prop_assert!((est - exact).abs() <= 3.0 / (k as f64).sqrt(), "est {} exact {}", est, exact);
            let seeds = 32u64;
            let mean = (0..seeds)
                .map(|s| {
                    let m = WeightedMinHasher::new(k, seed * seeds + s).unwrap();
                    collision_rate(&m.sketch(&a).unwrap(), &m.sketch(&b).unwrap())
                })
                .sum::<f64>()
                / seeds as f64;
            prop_assert!(
                (mean - exact).abs() <= 3.0 / ((seeds * k as u64) as f64).sqrt(),
                "mean {} exact {}", mean, exact
            );
            // The corpus batch path gives the same sketches.
            let batch = m.sketch_all(&[&a, &b]);
            let est_batch = collision_rate(batch[0].as_ref().unwrap(), batch[1].as_ref().unwrap());
            prop_assert_eq!(est, est_batch);
        }

        /// J_P ≥ J_w, on which the LSH recall for the gate's weighted Jaccard rests.
        #[test]
        fn probability_jaccard_is_at_least_weighted_jaccard(
            wa in proptest::collection::vec(0.0f64..5.0, 1..30),
            wb in proptest::collection::vec(0.0f64..5.0, 1..30),
        ) {
            // Weight 0 means "absent", so the two sets overlap partly.
            let a: Vec<(u64, f64)> = (0..wa.len() as u64).zip(wa).filter(|x| x.1 > 0.0).collect();
            let b: Vec<(u64, f64)> = (0..wb.len() as u64).zip(wb).filter(|x| x.1 > 0.0).collect();
            let (jp, jw) = (probability_jaccard(&a, &b), weighted_jaccard(&a, &b));
            prop_assert!(jp + 1e-12 >= jw, "J_P {} < J_w {}", jp, jw);
            prop_assert!(jp <= 1.0 + 1e-12);
        }
    }
}
