//! Shingle: cut a normalised token stream into overlapping n-grams, hashed to `u64`.
//!
//! Word n-grams (default n = 5) capture phrasing: two articles share a 5-word shingle only
//! where they share a run of five words, which is what copying leaves behind and what
//! independent writing almost never does. Character n-grams (over the normalised text with
//! single spaces between tokens) suit short or agglutinative texts.
//!
//! Hashes are seeded and fixed, so shingle hashes are the same on every run and machine.
//! Each token is hashed once (tokens up to 16 bytes by a word-load mix, longer ones with
//! xxh3); a word shingle's hash is a polynomial
//! rolling hash of its tokens' hashes passed through a light finaliser, so a shingle
//! costs a few multiplications however long its words. Character shingles are hashed with
//! xxh3 directly.
//!
//! A document with fewer tokens (or characters) than one shingle still gets exactly one
//! shingle, made of everything it has: two identical short texts must match. A document
//! with no token at all has no shingle; see [`crate::minhash`] for how that is handled.

use std::fmt;
use std::str::FromStr;

use xxhash_rust::xxh3::{xxh3_128_with_seed, xxh3_64_with_seed};

use crate::hash::{fold_mul, mix64, token_hash};
use crate::normalize::{mixed_token_hashes, AsciiTokenHashes, Normalizer};

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShingleKind {
    /// `n` consecutive tokens.
    Word(usize),
    /// `n` consecutive characters of the normalised text.
    Char(usize),
}

impl Default for ShingleKind {
    /// Word 5-grams.
    fn default() -> Self {
        ShingleKind::Word(5)
    }
}

impl ShingleKind {
    /// `n`: tokens or characters per shingle.
    pub fn size(&self) -> usize {
        match *self {
            ShingleKind::Word(n) | ShingleKind::Char(n) => n,
        }
    }
}

/// Parses `word:N` or `char:N` (N ≥ 1).
impl FromStr for ShingleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, n) = s
            .split_once(':')
            .ok_or_else(|| format!("expected word:N or char:N, got {s:?}"))?;
        let n: usize = n
            .parse()
            .map_err(|_| format!("shingle size {n:?} is not a whole number"))?;
        if n == 0 || n > 64 {
            return Err(format!("shingle size must be between 1 and 64, got {n}"));
        }
        match kind {
            "word" => Ok(ShingleKind::Word(n)),
            "char" => Ok(ShingleKind::Char(n)),
            other => Err(format!(
                "unknown shingle kind {other:?} (expected word or char)"
            )),
        }
    }
}

impl fmt::Display for ShingleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShingleKind::Word(n) => write!(f, "word:{n}"),
            ShingleKind::Char(n) => write!(f, "char:{n}"),
        }
    }
}

/// Odd multipliers of the two content-hash lanes.
const LANE_A: u64 = 0xD6E8_FEB8_6659_FD93;
const LANE_B: u64 = 0xA076_1D64_78BD_642F;

/// A word shingle's hash from its rolling hash: the rolling hash of uniform token hashes is
/// uniform but xor-linear in them; one 128-bit product folded to 64 bits (wyhash's `mum`)
/// makes every bit depend on every bit, non-linearly, in the high bits that MinHash bins are
/// taken from as in the low ones.
#[inline(always)]
fn finish_shingle(rolling: u64, seed: u64) -> u64 {
    fold_mul(rolling ^ seed, LANE_B)
}

/// How many shingles of `n` units a sequence of `units` tokens or characters has: one per
/// window, and a single one for a non-empty sequence shorter than a window.
fn shingle_count(units: usize, n: usize) -> usize {
    match units {
        0 => 0,
        u if u < n => 1,
        u => u - n + 1,
    }
}

/// The last n token hashes of a [`WordRoll`].
trait Window {
    /// Stores token number `t`'s hash `h` and returns the hash leaving the window (0 while
    /// the window fills).
    fn shift(&mut self, t: usize, h: u64) -> u64;
}

/// Any n ≤ 64: the token leaving the window is `ring[(t - n) % 64]`, a mask rather than a
/// wrap-around branch.
struct Ring {
    n: usize,
    ring: [u64; 64],
}

impl Window for Ring {
    #[inline(always)]
    fn shift(&mut self, t: usize, h: u64) -> u64 {
        let out = self.ring[t.wrapping_sub(self.n) & 63];
        self.ring[t & 63] = h;
        out
    }
}

/// n = 5, the default: a shift register, which the compiler keeps in registers.
struct Five([u64; 5]);

impl Window for Five {
    #[inline(always)]
    fn shift(&mut self, _: usize, h: u64) -> u64 {
        let [out, a, b, c, d] = self.0;
        self.0 = [a, b, c, d, h];
        out
    }
}

/// The state of word shingling over a stream of token hashes.
///
/// The last n token hashes and their cyclic-polynomial rolling hash (buzhash)
/// P = rotl(h_0, n−1) ⊕ … ⊕ rotl(h_{n−2}, 1) ⊕ h_{n−1}, updated with two rotations and
/// three xors per token (a multiplicative polynomial took two multiplies, 3 % of
/// fingerprinting throughput); the shingle hash is P through a multiplicative finaliser,
/// which breaks P's xor-linearity. Hashing n·8 bytes with xxh3 per shingle would cost more
/// than tokenising the text. Two more lanes over all the tokens (a polynomial and a
/// rotate-xor) make the 128-bit content hash. Kept as one local value so that the compiler
/// holds it in registers across the tokenizer's loop.
struct WordRoll<W> {
    n: usize,
    seed: u64,
    window: W,
    rolling: u64,
    lane_a: u64,
    lane_b: u64,
    tokens: usize,
}

impl<W: Window> WordRoll<W> {
    fn new(n: usize, seed: u64, window: W) -> Self {
        WordRoll {
            n,
            seed,
            window,
            rolling: 0,
            lane_a: 0,
            lane_b: 0,
            tokens: 0,
        }
    }

    /// Adds a token hash; returns the hash of the shingle it completes, if any.
    #[inline(always)]
    fn push(&mut self, h: u64) -> Option<u64> {
        self.lane_a = self.lane_a.wrapping_mul(LANE_A).wrapping_add(h);
        self.lane_b = self.lane_b.rotate_left(23) ^ h;
        let out = self.window.shift(self.tokens, h);
        // The token leaving was rotated n times since it entered (n ≤ 64, so rotating by
        // n mod 64 is exact).
        self.rolling = self.rolling.rotate_left(1) ^ h ^ out.rotate_left(self.n as u32 & 63);
        self.tokens += 1;
        (self.tokens >= self.n).then(|| finish_shingle(self.rolling, self.seed))
    }

    /// Emits the single shingle of a document shorter than one shingle, and the stats.
    fn finish(&self, f: &mut impl FnMut(u64)) -> ShingleStats {
        let tokens = self.tokens;
        if tokens > 0 && tokens < self.n {
            f(finish_shingle(self.rolling, self.seed));
        }
        let count = tokens as u64;
        let content =
            ((mix64(self.lane_a ^ count) as u128) << 64) | mix64(self.lane_b ^ !count) as u128;
        ShingleStats {
            tokens,
            shingles: shingle_count(tokens, self.n),
            content_hash: content,
        }
    }
}

/// Reusable buffers for [`Shingler::for_each_shingle`]; one per thread.
#[derive(Debug, Default)]
pub struct Scratch {
    normalize: String,
    /// Token hashes (word shingles) or normalised text (char shingles), as bytes.
    stream: Vec<u8>,
}

/// Turns text into shingle hashes.
///
/// ```
/// use neardup::{Normalizer, Shingler, ShingleKind};
/// let s = Shingler::new(Normalizer::default(), ShingleKind::Word(2), 0);
/// let a = s.shingle_set("the cat sat");
/// let b = s.shingle_set("The cat, sat!");
/// assert_eq!(a, b);
/// assert_eq!(a.len(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shingler {
    normalizer: Normalizer,
    kind: ShingleKind,
    seed: u64,
}

/// What one pass over a document yields besides its shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleStats {
    /// Tokens after normalisation.
    pub tokens: usize,
    /// Shingles yielded, repeats included.
    pub shingles: usize,
    /// A hash of the whole normalised token sequence: equal for texts that are identical
    /// after normalisation (128 bits, so accidental equality is out of the question).
    pub content_hash: u128,
}

impl Shingler {
    /// A shingler; `seed` fixes the hash function.
    pub fn new(normalizer: Normalizer, kind: ShingleKind, seed: u64) -> Self {
        Shingler {
            normalizer,
            kind,
            seed,
        }
    }

    /// The shingle kind.
    pub fn kind(&self) -> ShingleKind {
        self.kind
    }

    /// The normaliser in front of it.
    pub fn normalizer(&self) -> Normalizer {
        self.normalizer
    }

    /// Calls `f` with the hash of every shingle of `text`, in text order (repeats included).
    pub fn for_each_shingle(
        &self,
        text: &str,
        scratch: &mut Scratch,
        mut f: impl FnMut(u64),
    ) -> ShingleStats {
        let seed = self.seed;
        match self.kind {
            ShingleKind::Word(5) => self.word_shingles(text, scratch, || Five([0; 5]), f),
            ShingleKind::Word(n) => {
                self.word_shingles(text, scratch, || Ring { n, ring: [0; 64] }, f)
            }
            ShingleKind::Char(n) => {
                let stream = &mut scratch.stream;
                stream.clear();
                let mut tokens = 0usize;
                self.normalizer
                    .for_each_token(text, &mut scratch.normalize, |t| {
                        if tokens > 0 {
                            stream.push(b' ');
                        }
                        tokens += 1;
                        stream.extend_from_slice(t);
                    });
                // Character boundaries of the normalised text (valid UTF-8 by construction).
                let bounds: Vec<usize> = (0..stream.len())
                    .filter(|&i| (stream[i] & 0xC0) != 0x80)
                    .chain(std::iter::once(stream.len()))
                    .collect();
                let chars = bounds.len() - 1;
                if chars > 0 && chars < n {
                    f(xxh3_64_with_seed(stream, seed));
                } else {
                    for w in bounds.windows(n + 1) {
                        f(xxh3_64_with_seed(&stream[w[0]..w[n]], seed));
                    }
                }
                ShingleStats {
                    tokens,
                    shingles: shingle_count(chars, n),
                    content_hash: xxh3_128_with_seed(stream, seed),
                }
            }
        }
    }

    /// Word shingles of `text` through `f`, with a window made by `window`.
    fn word_shingles<W: Window>(
        &self,
        text: &str,
        scratch: &mut Scratch,
        window: impl Fn() -> W,
        mut f: impl FnMut(u64),
    ) -> ShingleStats {
        let (seed, n) = (self.seed, self.kind.size());
        // One rolling state per path: a state captured by the slower paths' callbacks
        // would live in memory on the fast path too.
        if self.normalizer.takes_ascii_path(text) {
            // The common case, compiled as one loop: the token iterator and the rolling
            // state live in registers.
            let mut roll = WordRoll::new(n, seed, window());
            for h in AsciiTokenHashes::new(text.as_bytes(), seed) {
                if let Some(shingle) = roll.push(h) {
                    f(shingle);
                }
            }
            roll.finish(&mut f)
        } else if self.normalizer.takes_mixed_path(text) {
            let mut roll = WordRoll::new(n, seed, window());
            mixed_token_hashes(text, seed, &mut scratch.stream, |h| {
                if let Some(shingle) = roll.push(h) {
                    f(shingle);
                }
            });
            roll.finish(&mut f)
        } else {
            let mut roll = WordRoll::new(n, seed, window());
            self.normalizer
                .for_each_token(text, &mut scratch.normalize, |t| {
                    if let Some(shingle) = roll.push(token_hash(t, seed)) {
                        f(shingle);
                    }
                });
            roll.finish(&mut f)
        }
    }

    /// The sorted, de-duplicated shingle hashes of `text`: the set exact Jaccard is taken over.
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        self.shingle_set_into(text, &mut Scratch::default(), &mut out);
        out
    }

    /// [`Shingler::shingle_set`] into a caller-provided buffer.
    pub fn shingle_set_into(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<u64>) {
        out.clear();
        self.for_each_shingle(text, scratch, |h| out.push(h));
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(kind: &str, text: &str) -> Vec<u64> {
        Shingler::new(Normalizer::default(), kind.parse().unwrap(), 7).shingle_set(text)
    }

    #[test]
    fn counts_of_shingles() {
        let text = "one two three four five six seven";
        assert_eq!(set("word:5", text).len(), 3);
        assert_eq!(set("word:1", text).len(), 7);
        assert_eq!(set("word:7", text).len(), 1);
        assert_eq!(set("char:3", "abcde").len(), 3);
        assert_eq!(set("char:3", "ab cd").len(), 3);
    }

    #[test]
    fn short_documents_get_one_shingle_and_empty_ones_none() {
        assert_eq!(set("word:5", "just three words").len(), 1);
        assert_eq!(
            set("word:5", "just three words"),
            set("word:5", "Just three, words.")
        );
        assert_ne!(
            set("word:5", "just three words"),
            set("word:5", "just three birds")
        );
        assert!(set("word:5", "").is_empty());
        assert!(set("word:5", " ... !!! ").is_empty());
        assert!(set("char:9", "").is_empty());
        assert_eq!(set("char:9", "abc").len(), 1);
    }

    #[test]
    fn the_five_token_register_equals_the_ring() {
        let mut five = WordRoll::new(5, 3, Five([0; 5]));
        let mut ring = WordRoll::new(
            5,
            3,
            Ring {
                n: 5,
                ring: [0; 64],
            },
        );
        let mut h = 1u64;
        for _ in 0..200 {
            h = mix64(h);
            assert_eq!(five.push(h), ring.push(h));
        }
        let (a, b) = (five.finish(&mut |_| {}), ring.finish(&mut |_| {}));
        assert_eq!(a, b);
    }

    #[test]
    fn word_order_matters_within_a_shingle() {
        assert_ne!(set("word:2", "a b"), set("word:2", "b a"));
    }

    #[test]
    fn char_shingles_respect_multibyte_characters() {
        // 5 characters, 2-byte ones among them: 3 trigrams.
        assert_eq!(set("char:3", "école").len(), 3);
    }

    #[test]
    fn content_hash_ignores_folded_differences_only() {
        let s = Shingler::new(Normalizer::default(), ShingleKind::Word(5), 0);
        let h = |t: &str| {
            s.for_each_shingle(t, &mut Scratch::default(), |_| {})
                .content_hash
        };
        assert_eq!(h("Hello,  World"), h("hello world"));
        assert_ne!(h("hello world"), h("world hello"));
    }

    #[test]
    fn parse_kinds() {
        assert_eq!("word:5".parse::<ShingleKind>(), Ok(ShingleKind::Word(5)));
        assert_eq!("char:9".parse::<ShingleKind>(), Ok(ShingleKind::Char(9)));
        for bad in ["word", "word:0", "line:3", "char:x", "word:65"] {
            assert!(bad.parse::<ShingleKind>().is_err(), "{bad}");
        }
    }
}
