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

#[cfg(test)]
mod tests {
    use super::*;

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
