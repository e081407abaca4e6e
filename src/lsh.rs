//! LSH: find candidate pairs without comparing every document with every other.
//!
//! A signature of `k` values is cut into `b` bands of `r` rows; two documents become a
//! candidate pair when all `r` values of at least one band agree. For Jaccard `s` that
//! happens with probability `1 − (1 − s^r)^b`, an S-curve whose steepest point sits near
//! `(1/b)^(1/r)` (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, §3.4).
//!
//! [`LshParams::for_threshold`] picks `(b, r)` as datasketch does: minimise the weighted sum
//! of the false-positive area (the curve's integral below the threshold) and the
//! false-negative area (one minus the curve, integrated above it). Every candidate is
//! verified afterwards, so a false positive costs only time while a false negative is a
//! missed duplicate: the default weights favour recall ([`RECALL_WEIGHTS`]).

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};

/// `(false-positive weight, false-negative weight)` used by default: a miss costs 99× more
/// than a spurious candidate, which verification removes anyway. At threshold 0.8 and
/// k = 128 this gives 18 bands of 7 rows: a pair at Jaccard 0.85 is a candidate with
/// probability 0.999.
pub const RECALL_WEIGHTS: (f64, f64) = (0.01, 0.99);

/// Bands and rows of an LSH index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LshParams {
    /// Number of bands `b`.
    pub bands: usize,
    /// Rows per band `r`.
    pub rows: usize,
}

impl LshParams {
    /// Explicit parameters; `bands × rows` must fit in `num_perm`.
    pub fn new(bands: usize, rows: usize, num_perm: usize) -> Result<Self> {
        if bands == 0 || rows == 0 {
            return Err(Error::Config("bands and rows must be at least 1".into()));
        }
        if bands * rows > num_perm {
            return Err(Error::Config(format!(
                "bands × rows = {} exceeds num-perm {num_perm}",
                bands * rows
            )));
        }
        Ok(LshParams { bands, rows })
    }

    /// The `(b, r)` with `b·r ≤ num_perm` that minimises
    /// `w_fp · ∫₀ᵗ P(s) ds + w_fn · ∫ₜ¹ (1 − P(s)) ds`, with `P(s) = 1 − (1 − s^r)^b`.
    ///
    /// ```
    /// use neardup::LshParams;
    /// let p = LshParams::for_threshold(0.8, 128, (0.5, 0.5)).unwrap();
    /// assert!(p.bands * p.rows <= 128);
    /// // The S-curve's midpoint lands near the threshold.
    /// assert!((p.midpoint() - 0.8).abs() < 0.1);
    /// ```
    pub fn for_threshold(threshold: f64, num_perm: usize, weights: (f64, f64)) -> Result<Self> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::Config(format!(
                "threshold must be in (0, 1], got {threshold}"
            )));
        }
        if num_perm == 0 {
            return Err(Error::Config("num-perm must be at least 1".into()));
        }
        let (w_fp, w_fn) = weights;
        // Every run asks this (both tiers), and the integrals' `s^r` depend on `r` and the
        // sample point only: they are computed once per `r` instead of once per `(b, r)`.
        // The values, the integrals' sums and their order are those of `integrate` over
        // `probability`, and the costs are compared in the order `(b, r)` as before, so
        // the same pair wins, ties included. `costs[b]` holds the cost of `(b, r)` at
        // `r - 1`.
        let (fp_at, fn_at) = (Simpson::new(0.0, threshold), Simpson::new(threshold, 1.0));
        let mut costs: Vec<Vec<f64>> = vec![Vec::new(); num_perm + 1];
        let (mut fp_pow, mut fn_pow) = (Vec::new(), Vec::new());
        for rows in 1..=num_perm {
            fp_at.powers(rows, &mut fp_pow);
            fn_at.powers(rows, &mut fn_pow);
            for (bands, cost) in costs
                .iter_mut()
                .enumerate()
                .take(num_perm / rows + 1)
                .skip(1)
            {
                // `probability(s)` from `s^r`.
                let p = |sr: f64| 1.0 - (1.0 - sr).powi(bands as i32);
                let fp = fp_at.integrate(fp_pow.iter().map(|&sr| p(sr)));
                let fn_ = fn_at.integrate(fn_pow.iter().map(|&sr| 1.0 - p(sr)));
                cost.push(w_fp * fp + w_fn * fn_);
            }
        }
        let mut best = (f64::INFINITY, LshParams { bands: 1, rows: 1 });
        for (bands, row_costs) in costs.iter().enumerate().skip(1) {
            for (r, &cost) in row_costs.iter().enumerate() {
                if cost < best.0 - 1e-12 {
                    best = (cost, LshParams { bands, rows: r + 1 });
                }
            }
        }
        Ok(best.1)
    }

    /// The probability that a pair with Jaccard `s` becomes a candidate.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The similarity at which the S-curve is steepest, `(1/b)^(1/r)`.
    pub fn midpoint(&self) -> f64 {
        (1.0 / self.bands as f64).powf(1.0 / self.rows as f64)
    }

    /// The key of band `band` of `signature`: equal keys mean equal rows (up to a 2⁻⁶⁴
    /// collision, which verification catches).
    pub fn band_key(&self, signature: &[u32], band: usize) -> u64 {
        let rows = &signature[band * self.rows..(band + 1) * self.rows];
        let mut bytes = [0u8; 4 * 64];
        if rows.len() <= 64 {
            for (chunk, v) in bytes.chunks_exact_mut(4).zip(rows) {
                chunk.copy_from_slice(&v.to_le_bytes());
            }
            xxh3_64_with_seed(&bytes[..4 * rows.len()], band as u64)
        } else {
            let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_le_bytes()).collect();
            xxh3_64_with_seed(&bytes, band as u64)
        }
    }
}

/// [`integrate`] over `[a, b]` split in two: its sample points, in the order it evaluates
/// them, and its sum over the integrand's values at them.
struct Simpson {
    a: f64,
    b: f64,
    points: Vec<f64>,
}

impl Simpson {
    fn new(a: f64, b: f64) -> Self {
        const N: usize = 256;
        let h = (b - a) / N as f64;
        let mut points = vec![a, b];
        points.extend((1..N).map(|i| a + i as f64 * h));
        Simpson { a, b, points }
    }

    /// `s^rows` at each sample point, into `out`.
    fn powers(&self, rows: usize, out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.points.iter().map(|s| s.powi(rows as i32)));
    }

    /// What [`integrate`] returns for an integrand with these `values` at the points.
    fn integrate(&self, mut values: impl Iterator<Item = f64>) -> f64 {
        const N: usize = 256;
        if self.b <= self.a {
            return 0.0;
        }
        let h = (self.b - self.a) / N as f64;
        let (fa, fb) = (values.next().unwrap_or(0.0), values.next().unwrap_or(0.0));
        let mut sum = fa + fb;
        for (i, v) in (1..N).zip(values) {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            sum += w * v;
        }
        sum * h / 3.0
    }
}

/// Composite Simpson's rule with 256 panels: the integrands are smooth polynomials.
#[cfg(test)]
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const N: usize = 256;
    if b <= a {
        return 0.0;
    }
    let h = (b - a) / N as f64;
    let mut sum = f(a) + f(b);
    for i in 1..N {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(a + i as f64 * h);
    }
    sum * h / 3.0
}

/// Candidate pairs among `items` (each a document index and its signature): every pair that
/// shares at least one band key, as `(a, b)` with `a < b`, sorted and without repeats.
///
/// Single-threaded by design; [`crate::pipeline`] decides how to split the work.
pub fn candidate_pairs(params: &LshParams, items: &[(u32, &[u32])]) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(items.len());
    for band in 0..params.bands {
        keys.clear();
        keys.extend(
            items
                .iter()
                .map(|&(doc, sig)| (params.band_key(sig, band), doc)),
        );
        pairs_in_band(&mut keys, &mut pairs);
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Orders one band's `(key, doc)` entries by key and appends every pair that shares a key.
pub fn pairs_in_band(keys: &mut Vec<(u64, u32)>, out: &mut Vec<(u32, u32)>) {
    // Band keys are uniform hashes: a bucket sort, not a comparison sort.
    crate::hash::sort_by_hash(keys, |k| k.0);
    for bucket in keys.chunk_by(|x, y| x.0 == y.0) {
        for (i, &(_, a)) in bucket.iter().enumerate() {
            for &(_, b) in &bucket[i + 1..] {
                out.push(if a < b { (a, b) } else { (b, a) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_parameters() {
        assert!(LshParams::new(0, 4, 128).is_err());
        assert!(LshParams::new(33, 4, 128).is_err());
        assert!(LshParams::new(32, 4, 128).is_ok());
        assert!(LshParams::for_threshold(0.0, 128, RECALL_WEIGHTS).is_err());
        assert!(LshParams::for_threshold(1.5, 128, RECALL_WEIGHTS).is_err());
        assert!(LshParams::for_threshold(f64::NAN, 128, RECALL_WEIGHTS).is_err());
    }

    #[test]
    fn recall_weights_put_high_similarity_pairs_almost_surely_in() {
        for &t in &[0.5, 0.7, 0.8, 0.9] {
            let p = LshParams::for_threshold(t, 128, RECALL_WEIGHTS).unwrap();
            assert!(p.bands * p.rows <= 128);
            let at = (t + 0.05).min(1.0);
            assert!(
                p.probability(at) > 0.995,
                "t={t} {p:?} P({at})={}",
                p.probability(at)
            );
        }
    }

    #[test]
    fn the_search_picks_what_the_plain_search_picks() {
        // The plain search: every (b, r) integrated from scratch.
        let plain = |t: f64, n: usize, (w_fp, w_fn): (f64, f64)| {
            let mut best = (f64::INFINITY, LshParams { bands: 1, rows: 1 });
            for bands in 1..=n {
                for rows in 1..=n / bands {
                    let p = LshParams { bands, rows };
                    let fp = integrate(|s| p.probability(s), 0.0, t);
                    let fn_ = integrate(|s| 1.0 - p.probability(s), t, 1.0);
                    let cost = w_fp * fp + w_fn * fn_;
                    if cost < best.0 - 1e-12 {
                        best = (cost, p);
                    }
                }
            }
            best.1
        };
        for &t in &[0.05, 0.3, 0.5, 0.7, 0.8, 0.9, 0.97, 1.0] {
            for &n in &[1usize, 2, 7, 64, 128, 200] {
                for w in [RECALL_WEIGHTS, (0.5, 0.5), (0.9, 0.1)] {
                    let got = LshParams::for_threshold(t, n, w).unwrap();
                    assert_eq!(got, plain(t, n, w), "t={t} n={n} w={w:?}");
                }
            }
        }
    }

    #[test]
    fn balanced_weights_match_the_textbook_curve() {
        // Higher thresholds need more rows per band.
        let lo = LshParams::for_threshold(0.5, 128, (0.5, 0.5)).unwrap();
        let hi = LshParams::for_threshold(0.9, 128, (0.5, 0.5)).unwrap();
        assert!(hi.rows > lo.rows, "{lo:?} {hi:?}");
    }

    #[test]
    fn simpson_integrates_polynomials() {
        assert!((integrate(|x| x * x, 0.0, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn shared_band_makes_a_candidate() {
        let p = LshParams::new(4, 2, 8).unwrap();
        let a = [1, 2, 3, 4, 5, 6, 7, 8];
        let b = [1, 2, 0, 0, 0, 0, 0, 0]; // shares band 0 with a
        let c = [9, 9, 9, 9, 9, 9, 9, 9]; // shares nothing
        let d = [0, 0, 0, 0, 0, 0, 7, 8]; // shares band 3 with a, band 1-2 with b
        let items = [(0, &a[..]), (1, &b[..]), (2, &c[..]), (3, &d[..])];
        assert_eq!(candidate_pairs(&p, &items), vec![(0, 1), (0, 3), (1, 3)]);
    }
}
