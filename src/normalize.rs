//! Normalise: fold the surface differences that copies of one article pick up on the way.
//!
//! Syndicated copies differ in case, in typographic quotes and dashes, in full-width or
//! ligature forms and in white space, none of which says anything about the story. The
//! normaliser turns a text into a stream of *tokens* with those differences folded:
//!
//! 1. Unicode NFKC (compatibility composition: `ﬁ` → `fi`, full-width → ASCII, …);
//! 2. case folding (Unicode lower-casing, `char::to_lowercase`);
//! 3. punctuation and white-space folding: a token is a maximal run of alphanumeric
//!    characters, so `“ISIS-K”,` and `isis k` give the same tokens.
//!
//! Each step can be switched off ([`Normalizer`]); with punctuation folding off, tokens are the
//! white-space separated words, punctuation kept. Pure-ASCII text, the common case for wire
//! copy, takes a byte-level fast path: NFKC leaves ASCII unchanged, so it is skipped there.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;

use crate::hash::{load_padded, token_hash, token_hash_words};

/// Byte classes for ASCII text with punctuation folding: letters and digits are token bytes
/// (upper-case letters marked 2), everything else separates.
const ALNUM_CLASS: [u8; 256] = byte_classes(true);
/// Byte classes without punctuation folding: only white space separates.
const NON_SPACE_CLASS: [u8; 256] = byte_classes(false);

const fn byte_classes(alnum_only: bool) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            2
        } else if c.is_ascii_alphanumeric() || (!alnum_only && !c.is_ascii_whitespace()) {
            1
        } else {
            0
        };
        b += 1;
    }
    t
}

/// Which normalisation steps to apply. By default, all three.
///
/// ```
/// use neardup::Normalizer;
/// let mut tokens = Vec::new();
/// Normalizer::default().for_each_token("“ISIS-K”, the ﬁrst  group", &mut String::new(), |t| {
///     tokens.push(String::from_utf8(t.to_vec()).unwrap())
/// });
/// assert_eq!(tokens, ["isis", "k", "the", "first", "group"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Normalizer {
    /// Apply Unicode NFKC. By default, on.
    pub nfkc: bool,
    /// Fold case. By default, on.
    pub case_fold: bool,
    /// Split tokens at any non-alphanumeric character (else only at white space). By default, on.
    pub fold_punctuation: bool,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer {
            nfkc: true,
            case_fold: true,
            fold_punctuation: true,
        }
    }
}

impl Normalizer {
    /// No folding at all: tokens are white-space separated words as written.
    pub const NONE: Normalizer = Normalizer {
        nfkc: false,
        case_fold: false,
        fold_punctuation: false,
    };

    /// Calls `f` with every token of `text`, in order, as UTF-8 bytes.
    ///
    /// `scratch` is a caller-owned buffer reused across calls so that the hot path does not
    /// allocate; its contents on return are unspecified.
    pub fn for_each_token(&self, text: &str, scratch: &mut String, mut f: impl FnMut(&[u8])) {
        if text.is_ascii() {
            self.ascii_tokens(text.as_bytes(), scratch, &mut f);
        } else if self.nfkc
            && unicode_normalization::is_nfkc_quick(text.chars())
                != unicode_normalization::IsNormalized::Yes
        {
            // Most non-ASCII news text (curly quotes, dashes, precomposed accents) is
            // already NFKC, which the quick check confirms without rewriting it.
            let mut composed = std::mem::take(scratch);
            composed.clear();
            composed.extend(text.nfkc());
            let mut token = String::new();
            self.unicode_tokens(&composed, &mut token, &mut f);
            *scratch = composed;
        } else {
            self.unicode_tokens(text, scratch, &mut f);
        }
    }

    /// Calls `f` with the hash of every token of `text`, in order: the same as hashing each
    /// token of [`Normalizer::for_each_token`] with the crate's token hash, but text that
    /// [`Normalizer::takes_ascii_path`] accepts takes a word-at-a-time path that never copies a
    /// token.
    #[cfg(test)]
    pub(crate) fn for_each_token_hash(
        &self,
        text: &str,
        seed: u64,
        scratch: &mut String,
        mut f: impl FnMut(u64),
    ) {
        if self.takes_ascii_path(text) {
            AsciiTokenHashes::new(text.as_bytes(), seed).for_each(f)
        } else if self.takes_mixed_path(text) {
            mixed_token_hashes(text, seed, &mut Vec::new(), f)
        } else {
            self.for_each_token(text, scratch, |t| f(token_hash(t, seed)))
        }
    }

    /// True when [`AsciiTokenHashes`] over `text`'s bytes gives the hashes of its tokens
    /// under these steps; false when it needs the general path.
    ///
    /// The fast path needs case and punctuation folding on (it lower-cases and splits at
    /// non-alphanumeric bytes itself). Pure-ASCII text qualifies, and so does typical news
    /// text, ASCII words between curly quotes and dashes: every non-ASCII byte is a separator
    /// to the ASCII tokenizer, which is right when each non-ASCII character only separates
    /// tokens.
    pub(crate) fn takes_ascii_path(&self, text: &str) -> bool {
        self.case_fold && self.fold_punctuation && (text.is_ascii() || self.only_ascii_tokens(text))
    }

    /// True when [`mixed_token_hashes`] over `text` gives the hashes of its tokens under these
    /// steps: case and punctuation folding on, and nothing for NFKC to change (the quick
    /// check of the non-ASCII characters says so; ASCII characters are NFKC-stable and start
    /// no composition, so leaving them out can only make the check stricter).
    pub(crate) fn takes_mixed_path(&self, text: &str) -> bool {
        self.case_fold
            && self.fold_punctuation
            && (!self.nfkc
                || unicode_normalization::is_nfkc_quick(
                    // Latin-1 letters and typographic separators are NFKC-stable starters;
                    // leaving them out spares their table lookups and can only make the
                    // check stricter.
                    non_ascii_chars(text)
                        .filter(|&c| !is_latin1_letter(c) && !TYPOGRAPHIC.contains(&c)),
                ) == unicode_normalization::IsNormalized::Yes)
    }

    /// True when every non-ASCII character of `text` only separates tokens, before and after
    /// NFKC: then the tokens of `text` are those the ASCII tokenizer finds when it treats
    /// every non-ASCII byte as a separator.
    fn only_ascii_tokens(&self, text: &str) -> bool {
        non_ascii_chars(text).all(|c| separates_alone(c, self.nfkc))
    }

    /// The normalised text: tokens joined by single spaces.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut scratch = String::new();
        self.for_each_token(text, &mut scratch, |t| {
            if !out.is_empty() {
                out.push(' ');
            }
            // Tokens are cut at char boundaries of a valid str, so this never fails.
            out.push_str(std::str::from_utf8(t).unwrap_or_default());
        });
        out
    }

    fn ascii_tokens(&self, bytes: &[u8], scratch: &mut String, f: &mut impl FnMut(&[u8])) {
        // One table lookup per byte: 0 separates tokens, 1 is a token byte as it is, 2 a
        // token byte that case folding changes. This loop is the tokenizer's hot path.
        let class = if self.fold_punctuation {
            &ALNUM_CLASS
        } else {
            &NON_SPACE_CLASS
        };
        let fold_mask = if self.case_fold { 2 } else { 0 };
        let mut buf = std::mem::take(scratch).into_bytes();
        let n = bytes.len();
        let mut i = 0;
        while i < n {
            while i < n && class[bytes[i] as usize] == 0 {
                i += 1;
            }
            let start = i;
            let mut seen = 0u8;
            while i < n {
                let c = class[bytes[i] as usize];
                if c == 0 {
                    break;
                }
                seen |= c;
                i += 1;
            }
            if start == i {
                break;
            }
            let token = &bytes[start..i];
            if seen & fold_mask != 0 {
                buf.clear();
                buf.extend(token.iter().map(u8::to_ascii_lowercase));
                f(&buf);
            } else {
                f(token);
            }
        }
        buf.clear();
        // The buffer only ever holds ASCII, so it is valid UTF-8.
        *scratch = String::from_utf8(buf).unwrap_or_default();
    }

    fn unicode_tokens(&self, text: &str, token: &mut String, f: &mut impl FnMut(&[u8])) {
        let is_token_char = |c: char| {
            if self.fold_punctuation {
                c.is_alphanumeric()
            } else {
                !c.is_whitespace()
            }
        };
        token.clear();
        for c in text.chars() {
            if c.is_ascii() {
                // ASCII inside non-ASCII text: no Unicode tables needed.
                let b = c as u8;
                let is_token = if self.fold_punctuation {
                    b.is_ascii_alphanumeric()
                } else {
                    !b.is_ascii_whitespace()
                };
                if is_token {
                    token.push(if self.case_fold {
                        b.to_ascii_lowercase() as char
                    } else {
                        c
                    });
                } else if !token.is_empty() {
                    f(token.as_bytes());
                    token.clear();
                }
            } else if is_token_char(c) {
                if self.case_fold {
                    token.extend(c.to_lowercase());
                } else {
                    token.push(c);
                }
            } else if !token.is_empty() {
                f(token.as_bytes());
                token.clear();
            }
        }
        if !token.is_empty() {
            f(token.as_bytes());
        }
    }
}

/// The non-ASCII characters of `text`, in order; ASCII runs are skipped eight bytes at a
/// time.
fn non_ascii_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if let Some(word) = bytes[i..].first_chunk::<8>() {
                if u64::from_le_bytes(*word) & HIGH == 0 {
                    i += 8;
                    continue;
                }
            }
            if bytes[i] < 0x80 {
                i += 1;
                continue;
            }
            // `i` is a character boundary: only whole ASCII bytes and whole characters were
            // stepped over.
            let c = text.get(i..)?.chars().next()?;
            i += c.len_utf8();
            return Some(c);
        }
        None
    })
}

/// Latin-1 letters (À–ÿ but × and ÷): alphabetic, NFKC-stable starters.
#[inline]
fn is_latin1_letter(c: char) -> bool {
    matches!(c, '\u{C0}'..='\u{FF}') && c != '\u{D7}' && c != '\u{F7}'
}

/// Typographic characters of everyday news copy (curly quotes, dashes, ellipsis, guillemets,
/// bullets, no-break space). None is alphanumeric, none takes part in a composition, and
/// their NFKC forms (`…` → `...`, no-break space → space, the rest unchanged) hold no
/// letter or digit, so each separates tokens exactly like a space.
const TYPOGRAPHIC: [char; 13] = [
    '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2013}', '\u{2014}', '\u{2026}', '\u{00A0}',
    '\u{00AB}', '\u{00BB}', '\u{2022}', '\u{00B7}', '\u{2032}',
];

/// True when the non-ASCII character `c` splits tokens like a space wherever it stands: it
/// is not alphanumeric and, under NFKC, neither changes nor combines with its neighbours
/// (a starter whose quick check says "yes"), or it is one of the [`TYPOGRAPHIC`] set.
fn separates_alone(c: char, nfkc: bool) -> bool {
    if TYPOGRAPHIC.contains(&c) {
        return true;
    }
    !c.is_alphanumeric()
        && (!nfkc
            || (unicode_normalization::char::canonical_combining_class(c) == 0
                && unicode_normalization::is_nfkc_quick(std::iter::once(c))
                    == unicode_normalization::IsNormalized::Yes))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const CASE: u64 = 0x2020_2020_2020_2020;

/// One bit per byte of `x` (8 bytes, little-endian): set where the byte is an ASCII letter
/// or digit; bytes from 0x80 up are never set. SWAR range checks on the low seven bits (no
/// carries cross bytes), then the bytes' high bits gathered into the low 8 bits by one
/// multiplication.
#[inline]
fn alnum_bits(x: u64) -> u64 {
    let ascii = !x & HIGH;
    let x = x & !HIGH;
    let lower = x | CASE;
    let letters =
        lower.wrapping_add((0x80 - 0x61) * ONES) & !lower.wrapping_add((0x7F - 0x7A) * ONES);
    let digits = x.wrapping_add((0x80 - 0x30) * ONES) & !x.wrapping_add((0x7F - 0x39) * ONES);
    let high = (letters | digits) & ascii;
    ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// A bit per byte of `block` (at most 64 bytes): set for letters and digits.
#[inline]
fn alnum_mask(block: &[u8]) -> u64 {
    let mut mask = 0u64;
    let mut chunks = block.chunks_exact(8);
    let mut shift = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        mask |= alnum_bits(u64::from_le_bytes(word)) << shift;
        shift += 8;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        mask |= alnum_bits(load_padded(rest)) << shift;
    }
    mask
}

/// [`alnum_mask`] of a whole 64-byte block, 16 bytes per step with SSE2 (part of every
/// x86-64 CPU, so no runtime detection and no `target-cpu` flag is needed).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn alnum_mask_64(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is in the x86-64 baseline, and `chunk` is 16 readable bytes (an
        // unaligned load is allowed).
        let bits = unsafe {
            let x = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            // Unsigned `v ≤ max` as `min(v, max) == v`; the subtraction wraps bytes below
            // the range's start to large values.
            let in_range = |v: __m128i, lo: u8, width: u8| {
                let d = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
                _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(width as i8 - 1)), d)
            };
            let lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
            let alnum = _mm_or_si128(in_range(lower, b'a', 26), in_range(x, b'0', 10));
            _mm_movemask_epi8(alnum) as u16
        };
        mask |= u64::from(bits) << (16 * i);
    }
    mask
}

/// [`alnum_mask`] of a whole 64-byte block.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn alnum_mask_64(block: &[u8; 64]) -> u64 {
    alnum_mask(block)
}

/// One bit per byte of `block` (at most 64 bytes): set for bytes from 0x80 up.
#[inline]
fn high_mask(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .fold(0, |m, (i, &b)| m | (u64::from(b >> 7) << i))
}

/// [`high_mask`] of a whole 64-byte block with SSE2 (`movemask` reads the high bits).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn high_mask_64(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8};
    let mut mask = 0u64;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is in the x86-64 baseline; `chunk` is 16 readable bytes.
        let bits = unsafe { _mm_movemask_epi8(_mm_loadu_si128(chunk.as_ptr().cast::<__m128i>())) };
        mask |= u64::from(bits as u16) << (16 * i);
    }
    mask
}

/// [`high_mask`] of a whole 64-byte block.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn high_mask_64(block: &[u8; 64]) -> u64 {
    high_mask(block)
}

/// The hash of the ASCII token `bytes[start..end]` (letters and digits only), lower-cased on
/// the fly: OR-ing 0x20 lower-cases letters and leaves digits as they are.
#[inline(always)]
fn ascii_token_hash(bytes: &[u8], start: usize, end: usize, seed: u64) -> u64 {
    let len = end - start;
    // Whole 8-byte loads where the text allows (one instruction), padded loads at its end.
    let load = |at: usize| -> u64 {
        match bytes.get(at..at + 8) {
            Some(w) => {
                let mut word = [0u8; 8];
                word.copy_from_slice(w);
                u64::from_le_bytes(word)
            }
            None => load_padded(&bytes[at..]),
        }
    };
    // Keep the token's `n` bytes (1 ≤ n ≤ 8), lower-cased.
    let keep = |word: u64, n: usize| (word | CASE) & (u64::MAX >> (64 - 8 * n));
    if len <= 8 {
        token_hash_words(keep(load(start), len), None, len, seed)
    } else if len <= 16 {
        let hi = keep(load(start + 8), len - 8);
        token_hash_words(keep(load(start), 8), Some(hi), len, seed)
    } else {
        long_ascii_token_hash(&bytes[start..end], seed)
    }
}

/// [`ascii_token_hash`] of a token longer than 16 bytes (URLs, joined numbers): rare, so kept
/// out of the hot loop.
#[cold]
#[inline(never)]
fn long_ascii_token_hash(token: &[u8], seed: u64) -> u64 {
    let mut buf = [0u8; 64];
    match buf.get_mut(..token.len()) {
        Some(lower) => {
            lower.copy_from_slice(token);
            lower.make_ascii_lowercase();
            token_hash(lower, seed)
        }
        None => token_hash(&token.to_ascii_lowercase(), seed),
    }
}

/// What [`TokenRuns`] makes of each run.
trait RunItem {
    type Item;
    fn make(&self, bytes: &[u8], start: usize, end: usize) -> Self::Item;
}

/// Runs as byte ranges.
struct Ranges;

impl RunItem for Ranges {
    type Item = (usize, usize);
    #[inline(always)]
    fn make(&self, _: &[u8], start: usize, end: usize) -> (usize, usize) {
        (start, end)
    }
}

/// Runs hashed as ASCII tokens with this seed.
struct AsciiHasher(u64);

impl RunItem for AsciiHasher {
    type Item = u64;
    #[inline(always)]
    fn make(&self, bytes: &[u8], start: usize, end: usize) -> u64 {
        ascii_token_hash(bytes, start, end, self.0)
    }
}

/// The maximal runs of token bytes of a text, in order, each made into an item by `F`: 64
/// bytes at a time, run starts and ends found as bit transitions of a per-byte mask.
///
/// Token bytes are ASCII letters and digits, and with `HIGH_BYTES` also every byte from 0x80
/// up (the bytes of non-ASCII characters), which the caller then sorts out.
struct TokenRuns<'a, const HIGH_BYTES: bool, F> {
    bytes: &'a [u8],
    /// Makes an item of a run; applied inside the scanning loop so that the caller's work
    /// on a token is compiled into it.
    finish: F,
    /// Offset of the current 64-byte block; the next one starts at `base + 64`.
    base: usize,
    /// Run starts of the current block not yet paired with their end, one bit per byte.
    starts: u64,
    /// Run ends of the current block not yet visited.
    ends: u64,
    /// A run began in an earlier block, at `start`, and has not ended yet.
    carried: bool,
    start: usize,
}

impl<'a, const HIGH_BYTES: bool, F: RunItem> TokenRuns<'a, HIGH_BYTES, F> {
    fn new(bytes: &'a [u8], finish: F) -> Self {
        TokenRuns {
            bytes,
            finish,
            // Wraps to 0 at the first block.
            base: 0usize.wrapping_sub(64),
            starts: 0,
            ends: 0,
            carried: false,
            start: 0,
        }
    }

    #[inline(always)]
    fn mask(&self, pos: usize, len: usize) -> u64 {
        match self.bytes[pos..].first_chunk::<64>() {
            Some(block) if HIGH_BYTES => alnum_mask_64(block) | high_mask_64(block),
            Some(block) => alnum_mask_64(block),
            None if HIGH_BYTES => {
                alnum_mask(&self.bytes[pos..pos + len]) | high_mask(&self.bytes[pos..pos + len])
            }
            None => alnum_mask(&self.bytes[pos..pos + len]),
        }
    }
}

impl<const HIGH_BYTES: bool, F: RunItem> Iterator for TokenRuns<'_, HIGH_BYTES, F> {
    type Item = F::Item;

    #[inline(always)]
    fn next(&mut self) -> Option<F::Item> {
        loop {
            if self.ends != 0 {
                let end = self.base + self.ends.trailing_zeros() as usize;
                self.ends &= self.ends - 1;
                // Starts and ends alternate, so each end closes the carried run or else the
                // lowest start left: one step per token, no branch on the kind of event.
                let start = if self.carried {
                    self.carried = false;
                    self.start
                } else {
                    let start = self.base + self.starts.trailing_zeros() as usize;
                    self.starts &= self.starts - 1;
                    start
                };
                return Some(self.finish.make(self.bytes, start, end));
            }
            // A start left over goes on into the next block.
            if self.starts != 0 {
                self.start = self.base + self.starts.trailing_zeros() as usize;
                self.starts = 0;
                self.carried = true;
            }
            let n = self.bytes.len();
            let pos = self.base.wrapping_add(64);
            if pos >= n {
                // A run reaching the end of a text whose length is a multiple of 64 has no
                // end event (a shorter last block's end is bit `len`, below).
                if self.carried {
                    self.carried = false;
                    return Some(self.finish.make(self.bytes, self.start, n));
                }
                return None;
            }
            let len = (n - pos).min(64);
            let mask = self.mask(pos, len);
            let before = (mask << 1) | u64::from(self.carried);
            self.starts = mask & !before;
            // A run ends at the first non-token byte; at the end of the text that is bit
            // `len` (only reachable when len < 64, where the mask's upper bits are zero).
            self.ends = !mask & before;
            self.base = pos;
        }
    }
}

/// Token hashes of ASCII-tokenizable text (see [`Normalizer::takes_ascii_path`]) with case
/// and punctuation folding, in order.
///
/// An iterator rather than a callback so that the caller's loop (the shingler's rolling
/// hash) is compiled together with it and keeps its whole state in registers.
pub(crate) struct AsciiTokenHashes<'a>(TokenRuns<'a, false, AsciiHasher>);

impl<'a> AsciiTokenHashes<'a> {
    /// Token hashes of `bytes` with the crate's token hash; non-ASCII bytes separate tokens.
    pub(crate) fn new(bytes: &'a [u8], seed: u64) -> Self {
        AsciiTokenHashes(TokenRuns::new(bytes, AsciiHasher(seed)))
    }
}

impl Iterator for AsciiTokenHashes<'_> {
    type Item = u64;

    #[inline(always)]
    fn next(&mut self) -> Option<u64> {
        self.0.next()
    }
}

/// Token hashes of NFKC-stable text with case and punctuation folding, in order, for text
/// with letters beyond ASCII (accented names, other scripts).
///
/// Runs of ASCII letters, digits and non-ASCII bytes are found a block at a time as on the
/// ASCII path; a run that is all ASCII (most words of Latin-script text) is hashed straight
/// from the text, and only the others are walked character by character, lower-cased into
/// `token`. The tokens are those of the general path: runs are cut at ASCII bytes, which are
/// character boundaries, and inside a run the same rules apply.
pub(crate) fn mixed_token_hashes(
    text: &str,
    seed: u64,
    token: &mut Vec<u8>,
    mut f: impl FnMut(u64),
) {
    let bytes = text.as_bytes();
    for (start, end) in TokenRuns::<true, _>::new(bytes, Ranges) {
        if bytes[start..end].is_ascii() {
            f(ascii_token_hash(bytes, start, end, seed));
            continue;
        }
        token.clear();
        for c in text.get(start..end).unwrap_or_default().chars() {
            if c.is_ascii() {
                token.push(c.to_ascii_lowercase() as u8);
            } else if is_latin1_letter(c) {
                // Accented Latin letters, the bulk of non-ASCII letters in European news:
                // upper case À–Þ is lower case à–þ shifted by 0x20 (no table lookup).
                let lower = if c <= '\u{DE}' {
                    char::from_u32(c as u32 + 0x20).unwrap_or(c)
                } else {
                    c
                };
                token.extend_from_slice(lower.encode_utf8(&mut [0; 4]).as_bytes());
            } else if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    token.extend_from_slice(l.encode_utf8(&mut [0; 4]).as_bytes());
                }
            } else if !token.is_empty() {
                f(token_hash(token, seed));
                token.clear();
            }
        }
        if !token.is_empty() {
            f(token_hash(token, seed));
        }
    }
}

/// Parses a comma-separated list of steps: `nfkc`, `case`, `punct`, or `none` / `all`.
impl FromStr for Normalizer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut n = Normalizer::NONE;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "none" => {}
                "all" => n = Normalizer::default(),
                "nfkc" => n.nfkc = true,
                "case" => n.case_fold = true,
                "punct" => n.fold_punctuation = true,
                other => {
                    return Err(format!(
                        "unknown normalisation step {other:?} (expected nfkc, case, punct, all or none)"
                    ))
                }
            }
        }
        Ok(n)
    }
}

impl fmt::Display for Normalizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<&str> = [
            (self.nfkc, "nfkc"),
            (self.case_fold, "case"),
            (self.fold_punctuation, "punct"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        if steps.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&steps.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(n: Normalizer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        n.for_each_token(text, &mut String::new(), |t| {
            out.push(String::from_utf8(t.to_vec()).unwrap())
        });
        out
    }

    #[test]
    fn table_of_foldings() {
        let all = Normalizer::default();
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   \n\t ", &[]),
            ("Hello, World!", &["hello", "world"]),
            ("ISIS-K’s “claim”", &["isis", "k", "s", "claim"]),
            ("Ｍｏｓｃｏｗ ２０２４", &["moscow", "2024"]),
            ("ﬁre ÉCOLE", &["fire", "école"]),
            ("e\u{301}cole", &["école"]),
            ("137   people\r\nkilled", &["137", "people", "killed"]),
        ];
        for (text, want) in cases {
            assert_eq!(tokens(all, text), *want, "input {text:?}");
        }
    }

    #[test]
    fn steps_can_be_switched_off() {
        assert_eq!(
            tokens(Normalizer::NONE, "Hello, World!"),
            ["Hello,", "World!"]
        );
        let no_case: Normalizer = "nfkc,punct".parse().unwrap();
        assert_eq!(tokens(no_case, "Hello, World"), ["Hello", "World"]);
        let no_nfkc: Normalizer = "case,punct".parse().unwrap();
        assert_eq!(tokens(no_nfkc, "ﬁre"), ["ﬁre"]);
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let n = Normalizer::default();
        let ascii = "The U.S. said: 'we are watching' -- 22 March";
        let unicode = format!("{ascii} é");
        let mut a = tokens(n, ascii);
        a.push("é".into());
        assert_eq!(tokens(n, &unicode), a);
    }

    #[test]
    fn fast_token_hashes_equal_the_general_path() {
        let n = Normalizer::default();
        let mut texts = vec![
            String::new(),
            "a".to_string(),
            "Hello, World! 2024".to_string(),
            "ISIS-K claimed... the 137th; x".to_string(),
            "Counterterrorism-operations SUPERCALIFRAGILISTICEXPIALIDOCIOUS 12345678 123456789"
                .into(),
        ];
        // Tokens straddling 64-byte blocks, at the very end, of every length.
        for len in 1..40 {
            texts.push(format!(
                "{}{} end{}",
                " ".repeat(60),
                "Ab9".repeat(len),
                "z".repeat(len)
            ));
        }
        for text in &texts {
            let fast: Vec<u64> = AsciiTokenHashes::new(text.as_bytes(), 9).collect();
            let mut via = Vec::new();
            n.for_each_token_hash(text, 9, &mut String::new(), |h| via.push(h));
            assert_eq!(fast, via, "{text:?}");
            let mut slow = Vec::new();
            n.for_each_token(text, &mut String::new(), |t| slow.push(token_hash(t, 9)));
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn block_mask_equals_the_portable_mask_on_every_byte() {
        // Every byte value at every position of a block, against a byte-by-byte reference.
        let reference = |block: &[u8]| {
            block.iter().enumerate().fold(0u64, |m, (i, b)| {
                m | (u64::from(b.is_ascii_alphanumeric()) << i)
            })
        };
        for shift in 0..=255u8 {
            let block: [u8; 64] =
                std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(shift));
            assert_eq!(alnum_mask_64(&block), reference(&block), "shift {shift}");
            assert_eq!(alnum_mask(&block), reference(&block), "shift {shift}");
            assert_eq!(
                alnum_mask(&block[..13]),
                reference(&block[..13]),
                "shift {shift}"
            );
        }
    }

    #[test]
    fn punctuation_only_unicode_takes_the_ascii_path_with_the_same_tokens() {
        let n = Normalizer::default();
        for text in [
            "“ISIS-K” claimed it — the group’s 137th… attack",
            "Ryder said: «not [underestimate]» – 2024",
            "café “Moscow”",           // a non-ASCII letter: general path
            "the ™ sign and ½ cup",    // not NFKC / numeric: general path
            "full-width ＭＯＳＣＯＷ", // not NFKC: general path
            "wait… what\u{a0}now • ok · «x»",
            "cafe\u{301} noir", // a combining accent joins the letter before it
            "e\u{301}",         // ... also at the very start
            "Ryder’s 12′ boat – ∑ of ⅓",
            "가\u{1161} 한국어 text", // Hangul: letters, general path
        ] {
            let mut via = Vec::new();
            n.for_each_token_hash(text, 3, &mut String::new(), |h| via.push(h));
            let mut slow = Vec::new();
            n.for_each_token(text, &mut String::new(), |t| slow.push(token_hash(t, 3)));
            assert_eq!(via, slow, "{text:?}");
        }
    }

    #[test]
    fn mixed_path_hashes_equal_the_general_path() {
        let n = Normalizer::default();
        let mut texts: Vec<String> = [
            "café “Moscow” naïve Zürich-based ÉCOLE l’école",
            "Крокус Сити Холл: 137 погибших, ISIS-K",
            "日本語のテキスト and English 2024年",
            "straße STRASSE İstanbul Ærø",
            "x\u{a0}y … «z» — ok",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Non-ASCII letters at and across 64-byte block edges.
        for pad in 55..70 {
            texts.push(format!(
                "{}é{}ü end Ä",
                " ".repeat(pad),
                "ab".repeat(pad % 7)
            ));
            texts.push(format!("{}Zé", "w".repeat(pad)));
        }
        for text in &texts {
            assert!(n.takes_mixed_path(text), "{text:?}");
            let mut mixed = Vec::new();
            mixed_token_hashes(text, 5, &mut Vec::new(), |h| mixed.push(h));
            let mut slow = Vec::new();
            n.for_each_token(text, &mut String::new(), |t| slow.push(token_hash(t, 5)));
            assert_eq!(mixed, slow, "{text:?}");
        }
        assert!(!n.takes_mixed_path("cafe\u{301}"));
        assert!(!n.takes_mixed_path("ﬁre"));
    }

    #[test]
    fn latin1_letters_are_nfkc_stable_and_fold_by_a_shift() {
        use unicode_normalization::UnicodeNormalization;
        for c in '\u{80}'..='\u{FF}' {
            if !is_latin1_letter(c) {
                continue;
            }
            assert!(c.is_alphabetic(), "{c:?}");
            assert_eq!(
                c.to_string().nfkc().collect::<String>(),
                c.to_string(),
                "{c:?}"
            );
            assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0);
            let lower: String = c.to_lowercase().collect();
            let shifted = if c <= '\u{DE}' {
                char::from_u32(c as u32 + 0x20).unwrap()
            } else {
                c
            };
            assert_eq!(lower, shifted.to_string(), "{c:?}");
        }
    }

    #[test]
    fn typographic_characters_separate_like_spaces_under_nfkc() {
        use unicode_normalization::UnicodeNormalization;
        for c in TYPOGRAPHIC {
            assert!(!c.is_alphanumeric() && c.len_utf8() > 1, "{c:?}");
            assert!(c.to_string().nfkc().all(|d| !d.is_alphanumeric()), "{c:?}");
            assert_eq!(unicode_normalization::char::canonical_combining_class(c), 0);
            // Nothing composes with it on either side.
            let around = format!("e{c}e");
            assert_eq!(
                around.nfkc().count(),
                2 + c.to_string().nfkc().count(),
                "{c:?}"
            );
        }
        let n = Normalizer::default();
        assert!(n.takes_ascii_path("“ISIS-K” — it’s 137… ok"));
        assert!(!n.takes_ascii_path("café"));
        assert!(!n.takes_ascii_path("cafe\u{301}"));
        let no_case: Normalizer = "nfkc,punct".parse().unwrap();
        assert!(!no_case.takes_ascii_path("plain ascii"));
    }

    #[test]
    fn parse_and_display_round_trip() {
        for s in ["none", "nfkc", "case,punct", "nfkc,case,punct"] {
            let n: Normalizer = s.parse().unwrap();
            assert_eq!(n.to_string(), s);
        }
        assert_eq!("all".parse::<Normalizer>().unwrap(), Normalizer::default());
        assert!("nfkd".parse::<Normalizer>().is_err());
    }
}
