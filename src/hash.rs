//! Small, fixed hash functions shared by the stages (crate-private).
//!
//! Everything here is deterministic across runs, machines and endianness: inputs are read
//! as little-endian words.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The 64-bit finaliser of MurmurHash3: a bijection with full avalanche.
#[inline(always)]
pub(crate) fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

const LEN_MUL: u64 = 0x9FB2_1C65_1E98_DF25;
const SECOND: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// The hash of one normalised token.
///
/// Tokens of up to 16 bytes (nearly every word) are read as one or two little-endian words
/// and combined by one 64 × 64 → 128-bit multiply folded to 64 bits (wyhash's `mum`; the
/// MurmurHash3 finaliser it replaced took two multiplies per word and cost 12 % of
/// fingerprinting throughput), with no branch on their content; longer ones go through
/// xxh3. The shingle hash mixes the token hashes again (see `shingle`). The ASCII fast
/// path of [`crate::normalize`] computes the same value straight from the text, so a token
/// hashes alike whichever path it took.
#[inline]
pub(crate) fn token_hash(token: &[u8], seed: u64) -> u64 {
    let len = token.len();
    if len <= 8 {
        token_hash_words(load_padded(token), None, len, seed)
    } else if len <= 16 {
        let lo = load_padded(&token[..8]);
        let hi = load_padded(&token[8..]);
        token_hash_words(lo, Some(hi), len, seed)
    } else {
        xxh3_64_with_seed(token, seed)
    }
}

/// [`token_hash`] from the token's bytes already loaded as zero-padded little-endian words.
///
/// The seed goes into one factor, the second word and the length into the other; the length
/// constant keeps that factor away from zero for every ASCII token (whose bytes are below
/// 0x80), and folding the high half of the product into the low one makes every output bit
/// depend on every input bit.
#[inline(always)]
pub(crate) fn token_hash_words(lo: u64, hi: Option<u64>, len: usize, seed: u64) -> u64 {
    fold_mul(
        lo ^ seed,
        hi.unwrap_or(0) ^ SECOND ^ (len as u64).wrapping_mul(LEN_MUL),
    )
}

/// The 128-bit product of `a` and `b` with its high half xored into its low half (wyhash's
/// `mum`): one multiply after which every output bit depends on every input bit.
#[inline(always)]
pub(crate) fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// Up to 8 bytes as a little-endian word, zero-padded.
#[inline]
pub(crate) fn load_padded(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let n = bytes.len().min(8);
    word[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(word)
}

/// Sorts `v` by `key`, a 64-bit hash whose high bits are spread uniformly (feature and
/// frame hashes): a counting pass scatters the items into about one bucket per item by
/// their top key bits, and an insertion sort then only moves the few items that share a
/// bucket. The per-document sorts of term counts and frames were a quarter of the profile
/// stages in comparison sorts of a hundred-odd items, and LSH bands (tens of thousands of
/// band keys) take a sixth of a comparison sort's instructions. Items with equal keys may come out
/// in any order, as with `sort_unstable_by_key`. Keys that are not spread (small integers
/// in tests) would make the insertion sort quadratic: past a bound on its moves it hands
/// over to a comparison sort.
///
/// Inlined: out of line (which the compiler chose or not from build to build, as unrelated
/// code changed) its instances cost about 20 M instructions more on Reuters-21578.
#[inline]
pub(crate) fn sort_by_hash<T: Copy>(v: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let n = v.len();
    if n <= 32 {
        v.sort_unstable_by_key(|x| key(x));
        return;
    }
    // Between n/2 and n buckets: about one item each, and few empty buckets to walk.
    let bits = usize::BITS - 1 - n.leading_zeros();
    let shift = 64 - bits;
    let mut starts = vec![0u32; 1usize << bits];
    // `key >> shift` is below `1 << bits` already; the mask says so to the compiler, which
    // then drops the bounds checks of both passes.
    let mask = starts.len() - 1;
    for x in v.iter() {
        starts[(key(x) >> shift) as usize & mask] += 1;
    }
    let mut sum = 0u32;
    for s in starts.iter_mut() {
        let count = *s;
        *s = sum;
        sum += count;
    }
    let mut out = v.clone();
    for x in v.iter() {
        let slot = &mut starts[(key(x) >> shift) as usize & mask];
        out[*slot as usize] = *x;
        *slot += 1;
    }
    let mut moves = 0usize;
    for i in 1..n {
        let x = out[i];
        let k = key(&x);
        if key(&out[i - 1]) <= k {
            continue;
        }
        let mut j = i;
        while j > 0 && key(&out[j - 1]) > k {
            out[j] = out[j - 1];
            j -= 1;
        }
        out[j] = x;
        moves += i - j;
        if moves > 8 * n {
            out.sort_unstable_by_key(|x| key(x));
            break;
        }
    }
    *v = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_sort_orders_like_a_comparison_sort() {
        // Spread keys (hashes), small keys (one bucket: the fallback), and repeats.
        for n in [0usize, 1, 5, 33, 64, 100, 257, 1000] {
            let spread: Vec<(u64, u32)> = (0..n as u64)
                .map(|i| {
                    (
                        xxh3_64_with_seed(&(i % 37 + i / 3).to_le_bytes(), 0),
                        i as u32,
                    )
                })
                .collect();
            let small: Vec<(u64, u32)> = (0..n as u64).map(|i| ((i * 7) % 50, i as u32)).collect();
            for v in [spread, small] {
                let mut got = v.clone();
                sort_by_hash(&mut got, |x| x.0);
                let mut want = v;
                want.sort_unstable_by_key(|x| x.0);
                let keys = |v: &[(u64, u32)]| v.iter().map(|x| x.0).collect::<Vec<_>>();
                assert_eq!(keys(&got), keys(&want), "{n}");
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want, "{n}: same items");
            }
        }
    }

    #[test]
    fn hash_sort_orders_large_bands_like_a_full_sort() {
        for n in [0usize, 5, 4095, 4096, 20_000] {
            // Keys spread over the whole range, with repeats (every key appears three times).
            let mut keys: Vec<(u64, u32)> = (0..n as u64)
                .map(|i| ((i / 3).wrapping_mul(0x9E37_79B9_7F4A_7C15), i as u32))
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_by_hash(&mut keys, |k| k.0);
            let by_key: Vec<u64> = keys.iter().map(|k| k.0).collect();
            assert_eq!(by_key, want.iter().map(|k| k.0).collect::<Vec<_>>(), "{n}");
            keys.sort_unstable();
            assert_eq!(keys, want, "{n}: not a permutation");
        }
    }

    #[test]
    fn token_hashes_differ_for_different_tokens_and_lengths() {
        let tokens: [&[u8]; 8] = [
            b"a",
            b"a\0",
            b"moscow",
            b"moscows",
            b"12345678",
            b"123456789",
            b"counterterrorism",
            b"counterterrorisms",
        ];
        let hashes: std::collections::HashSet<u64> =
            tokens.iter().map(|t| token_hash(t, 7)).collect();
        assert_eq!(hashes.len(), tokens.len());
        assert_ne!(token_hash(b"moscow", 1), token_hash(b"moscow", 2));
    }
}
