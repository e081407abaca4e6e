//! The in-memory LSH tables of an open index: band key → the articles (slots) with that key.
//!
//! Two parts per band:
//!
//! - the **base**: every article loaded at open (and every article merged in since), as an
//!   array of `(key, slot)` pairs packed in one `u64` each, grouped by a counting sort on the
//!   key's top bits, with a directory of the groups (about four keys per group; band keys are
//!   xxh3 hashes, so uniform). Built at open in linear time, the bands in parallel; 8 bytes per
//!   article and band plus ~1 byte of directory, no per-entry allocation, no hashing.
//! - the **overlay**: articles inserted since the last merge, in one hash map per band (key →
//!   newest slot) with a chain link per article and band to older slots of the same key. Once
//!   it holds more than a quarter of the base (at least [`MIN_MERGE`] articles) it is merged
//!   into the base, so it stays small however long a `filter` runs.
//!
//! Lookups report every slot with the key (base and overlay), in no particular order; the
//! caller gathers them (a slot may come from several bands).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

const NONE: u32 = u32::MAX;

/// The overlay is merged into the base when it holds more articles than this and more than a
/// quarter of the base.
pub(super) const MIN_MERGE: usize = 1 << 12;

/// Band keys are already uniform hashes: use them as their own hash.
#[derive(Default, Clone, Copy)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap = HashMap<u64, u32, BuildHasherDefault<KeyHasher>>;

/// One band's `(key, slot)` pairs grouped by the key's top bits, and their directory.
///
/// A pair is packed in one `u64`: the key's top 32 bits above the slot. Two keys that agree
/// in their top 32 bits look alike here; that only adds a candidate (about one lookup in
/// 4 000 per band at a million articles), and every candidate is verified (exact Jaccard, or
/// the 128-bit content hash), so it costs a set read, never a wrong answer.
#[derive(Debug, Default)]
struct Grouped {
    pairs: Vec<u64>,
    /// `dir[b]..dir[b + 1]` are the pairs whose key's top bits are `b`.
    dir: Vec<u32>,
    /// `64 - directory bits`; 64 means a single bucket.
    shift: u32,
}

/// The part of a band key the base keeps.
pub(super) fn top(key: u64) -> u32 {
    (key >> 32) as u32
}

fn pack(key: u64, slot: u32) -> u64 {
    (key & !0xffff_ffff) | slot as u64
}

impl Grouped {
    /// Groups `n` pairs (given twice: counted, then placed; already packed) by a counting
    /// sort on the key's top bits: linear, no comparison sort.
    fn build<I: Iterator<Item = u64>>(n: usize, pairs: impl Fn() -> I) -> Grouped {
        // At most 30 bits (n < 2³²), so buckets come from the stored 32 key bits.
        let bits = (n / 4).max(1).ilog2();
        let shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut dir = vec![0u32; buckets + 1];
        for p in pairs() {
            dir[bucket(p, shift) + 1] += 1;
        }
        for b in 0..buckets {
            dir[b + 1] += dir[b];
        }
        let mut fill: Vec<u32> = dir[..buckets].to_vec();
        let mut packed = vec![0u64; n];
        for p in pairs() {
            let f = &mut fill[bucket(p, shift)];
            packed[*f as usize] = p;
            *f += 1;
        }
        Grouped {
            pairs: packed,
            dir,
            shift,
        }
    }

    fn for_each(&self, key: u64, mut f: impl FnMut(u32)) {
        if self.pairs.is_empty() {
            return;
        }
        let b = bucket(key, self.shift);
        let (start, end) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        let hi = key >> 32;
        for &p in &self.pairs[start..end] {
            if p >> 32 == hi {
                f(p as u32);
            }
        }
    }

    /// Adds pairs to this band (regrouping everything, with a directory sized for the total).
    fn merge(&mut self, add: &[u64]) {
        let old = std::mem::take(self);
        let n = old.pairs.len() + add.len();
        *self = Grouped::build(n, || old.pairs.iter().chain(add).copied());
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.pairs.capacity() * 8 + self.dir.capacity() * 4
    }
}

fn bucket(key: u64, shift: u32) -> usize {
    key.checked_shr(shift).unwrap_or(0) as usize
}

/// The band tables of an index. See the [module documentation](self).
#[derive(Debug)]
pub(super) struct BandTables {
    base: Vec<Grouped>,
    /// Slots below this are in the base (or have no keys).
    base_len: u32,
    /// Articles with keys in the base.
    base_docs: usize,
    heads: Vec<KeyMap>,
    /// `next[band][slot - base_len]`: the next older overlay slot with that key. One array
    /// per band, so that a lookup's chain walk stays in one band's array (4 bytes per
    /// overlay article, in cache) instead of striding over every band's links: with a
    /// sketch sample per band (the rewrite tier) a lookup walks hundreds of links per band,
    /// and the slot-major layout made each one a cache miss.
    next: Vec<Vec<u32>>,
    /// Articles with keys in the overlay.
    overlay_docs: usize,
}

impl BandTables {
    /// Tables holding `slots` (ascending, all below `base_len`): `band_keys[b][i]` is the top
    /// 32 bits of the key of `slots[i]` in band `b` (see [`top`]; all a base keeps). Sorts the bands in parallel.
    pub(super) fn build(band_keys: Vec<Vec<u32>>, slots: &[u32], base_len: u32) -> BandTables {
        let bands = band_keys.len();
        let base = band_keys
            .into_par_iter()
            .map(|keys| {
                Grouped::build(keys.len(), || {
                    keys.iter()
                        .zip(slots)
                        .map(|(&k, &s)| pack((k as u64) << 32, s))
                })
            })
            .collect();
        BandTables {
            base,
            base_len,
            base_docs: slots.len(),
            heads: (0..bands).map(|_| KeyMap::default()).collect(),
            next: vec![Vec::new(); bands],
            overlay_docs: 0,
        }
    }

    /// Adds `slot` (the next one: every earlier slot is already in) with its band keys
    /// (`bands` of them, or none for an article without tokens).
    pub(super) fn insert(&mut self, slot: u32, keys: &[u64]) {
        let at = (slot - self.base_len) as usize;
        for next in &mut self.next {
            next.resize(at + 1, NONE);
        }
        if keys.is_empty() {
            return;
        }
        for (band, &key) in keys.iter().enumerate() {
            let prev = self.heads[band].insert(key, slot).unwrap_or(NONE);
            self.next[band][at] = prev;
        }
        self.overlay_docs += 1;
        if self.overlay_docs > MIN_MERGE.max(self.base_docs / 4) {
            self.merge();
        }
    }

    /// Moves the overlay into the base.
    pub(super) fn merge(&mut self) {
        let base_len = self.base_len;
        self.base
            .par_iter_mut()
            .zip(self.heads.par_iter_mut())
            .zip(self.next.par_iter())
            .for_each(|((grouped, heads), next)| {
                let mut add = Vec::with_capacity(heads.len());
                for (&key, &head) in heads.iter() {
                    let mut s = head;
                    while s != NONE {
                        add.push(pack(key, s));
                        s = next[(s - base_len) as usize];
                    }
                }
                grouped.merge(&add);
                *heads = KeyMap::default();
            });
        self.base_len += self.next.first().map_or(0, Vec::len) as u32;
        self.base_docs += self.overlay_docs;
        self.overlay_docs = 0;
        for next in &mut self.next {
            *next = Vec::new();
        }
    }

    /// Calls `f` with every slot whose key in `band` is `key`.
    pub(super) fn for_each(&self, band: usize, key: u64, mut f: impl FnMut(u32)) {
        self.base[band].for_each(key, &mut f);
        let next = &self.next[band];
        let mut s = self.heads[band].get(&key).copied().unwrap_or(NONE);
        while s != NONE {
            f(s);
            s = next[(s - self.base_len) as usize];
        }
    }

    /// Approximate heap bytes held.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.base.iter().map(Grouped::bytes).sum::<usize>()
            + self.next.iter().map(|n| n.capacity() * 4).sum::<usize>()
            + self.heads.iter().map(|h| h.capacity() * 13).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(t: &BandTables, band: usize, key: u64) -> Vec<u32> {
        let mut v = Vec::new();
        t.for_each(band, key, |s| v.push(s));
        v.sort_unstable();
        v
    }

    #[test]
    fn base_overlay_and_merges_agree_with_a_naive_map() {
        // Few distinct keys, so many slots share one; keys spread over the whole u64 range.
        let key = |slot: u32, band: usize| {
            let k = (slot as u64 * 7 + band as u64 * 3) % 1000;
            k.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        };
        let bands = 3;
        let base: Vec<u32> = (0..5000).filter(|s| s % 7 != 3).collect();
        let band_keys = (0..bands)
            .map(|b| base.iter().map(|&s| top(key(s, b))).collect())
            .collect();
        let mut t = BandTables::build(band_keys, &base, 5000);
        let mut all: Vec<u32> = base.clone();
        for slot in 5000..5000 + 3 * MIN_MERGE as u32 {
            if slot % 11 == 0 {
                t.insert(slot, &[]);
            } else {
                let keys: Vec<u64> = (0..bands).map(|b| key(slot, b)).collect();
                t.insert(slot, &keys);
                all.push(slot);
            }
            if slot % 1_009 == 0 || slot == 5000 + 3 * MIN_MERGE as u32 - 1 {
                for probe in [0u32, 1, 17, 999, slot] {
                    for b in 0..bands {
                        let k = key(probe, b);
                        let want: Vec<u32> =
                            all.iter().copied().filter(|&s| key(s, b) == k).collect();
                        assert_eq!(lookup(&t, b, k), want, "slot {slot} band {b}");
                    }
                }
            }
        }
        assert!(t.base_len > 5000, "merged at least once");
        assert!(lookup(&t, 0, 0xdead_beef_0000_0000).is_empty());
        assert!(t.bytes() > 0);
    }

    #[test]
    fn empty_tables_and_keys_alike_in_their_top_bits() {
        let k = |n: u64| n << 40;
        let mut t = BandTables::build(vec![Vec::new(); 2], &[], 0);
        assert!(lookup(&t, 1, k(5)).is_empty());
        t.insert(0, &[k(5), k(6)]);
        assert_eq!(lookup(&t, 1, k(6)), [0]);
        t.merge();
        assert_eq!(lookup(&t, 1, k(6)), [0]);
        assert_eq!(lookup(&t, 0, k(5)), [0]);
        assert!(lookup(&t, 0, k(6)).is_empty());
        t.insert(1, &[k(5), k(7)]);
        assert_eq!(lookup(&t, 0, k(5)), [0, 1]);
        // Keys equal in their top 32 bits are alike in the base: an extra candidate (which the
        // index verifies), never a missed one.
        t.merge();
        assert_eq!(lookup(&t, 1, k(7) | 1), [1]);
        assert_eq!(lookup(&t, 1, k(7)), [1]);
    }
}
