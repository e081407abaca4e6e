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
    /// token of [`Normalizer::for_each_token`] with the crate's token hash, but pure-ASCII
    /// text under the default steps takes a word-at-a-time path that never copies a token.
    pub(crate) fn for_each_token_hash(
        &self,
        text: &str,
        seed: u64,
        scratch: &mut String,
        mut f: impl FnMut(u64),
    ) {
        if !(self.case_fold && self.fold_punctuation) {
            self.for_each_token(text, scratch, |t| f(token_hash(t, seed)));
        } else if text.is_ascii() {
            ascii_token_hashes(text.as_bytes(), seed, &mut f);
        } else if self.only_ascii_tokens(text) {
            // Typical news text: ASCII words between curly quotes and dashes. Those
            // characters only separate tokens, so turning them into spaces gives an ASCII
            // text with the same tokens.
            let mut bytes = std::mem::take(scratch).into_bytes();
            bytes.clear();
            // One space per non-ASCII character: keep ASCII bytes, turn lead bytes into
            // spaces, drop continuation bytes.
            bytes.extend(text.bytes().filter_map(|b| match b {
                0..=0x7F => Some(b),
                0xC0..=0xFF => Some(b' '),
                _ => None,
            }));
            ascii_token_hashes(&bytes, seed, &mut f);
            bytes.clear();
            *scratch = String::from_utf8(bytes).unwrap_or_default();
        } else {
            self.for_each_token(text, scratch, |t| f(token_hash(t, seed)));
        }
    }

    /// True when every non-ASCII character of `text` is a separator that NFKC leaves as it
    /// is (the text is already NFKC and the character is not alphanumeric): then its tokens
    /// are exactly those of the text with those characters replaced by spaces.
    fn only_ascii_tokens(&self, text: &str) -> bool {
        let non_ascii = || text.chars().filter(|c| !c.is_ascii());
        // ASCII characters are NFKC-stable and start no composition, so checking the
        // non-ASCII ones alone can only be stricter than checking the whole text.
        non_ascii().all(|c| !c.is_alphanumeric())
            && (!self.nfkc
                || unicode_normalization::is_nfkc_quick(non_ascii())
                    == unicode_normalization::IsNormalized::Yes)
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const CASE: u64 = 0x2020_2020_2020_2020;

/// One bit per byte of `x` (8 ASCII bytes, little-endian): set where the byte is a letter or
/// a digit. SWAR range checks (no carries: every byte is below 0x80), then the bytes' high
/// bits gathered into the low 8 bits by one multiplication.
#[inline]
fn alnum_bits(x: u64) -> u64 {
    let lower = x | CASE;
    let letters =
        lower.wrapping_add((0x80 - 0x61) * ONES) & !lower.wrapping_add((0x7F - 0x7A) * ONES);
    let digits = x.wrapping_add((0x80 - 0x30) * ONES) & !x.wrapping_add((0x7F - 0x39) * ONES);
    let high = (letters | digits) & HIGH;
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
        let lower: Vec<u8> = bytes[start..end]
            .iter()
            .map(u8::to_ascii_lowercase)
            .collect();
        token_hash(&lower, seed)
    }
}

/// Token hashes of pure-ASCII text with case and punctuation folding: 64 bytes at a time,
/// token starts and ends found as bit transitions of the letter/digit mask.
fn ascii_token_hashes(bytes: &[u8], seed: u64, f: &mut impl FnMut(u64)) {
    let n = bytes.len();
    let mut pos = 0;
    let mut in_token = 0u64;
    let mut start = 0usize;
    while pos < n {
        let len = (n - pos).min(64);
        let mask = alnum_mask(&bytes[pos..pos + len]);
        let before = (mask << 1) | in_token;
        let starts = mask & !before;
        // A token ends at the first non-token byte; at the end of the text that is bit `len`
        // (only reachable when len < 64, where the mask's upper bits are zero).
        let ends = !mask & before;
        let mut events = starts | ends;
        while events != 0 {
            let i = events.trailing_zeros() as usize;
            events &= events - 1;
            if (starts >> i) & 1 == 1 {
                start = pos + i;
            } else {
                f(ascii_token_hash(bytes, start, pos + i, seed));
            }
        }
        in_token = if len == 64 { mask >> 63 } else { 0 };
        pos += len;
    }
    if in_token == 1 {
        f(ascii_token_hash(bytes, start, n, seed));
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
            let mut fast = Vec::new();
            ascii_token_hashes(text.as_bytes(), 9, &mut |h| fast.push(h));
            let mut via = Vec::new();
            n.for_each_token_hash(text, 9, &mut String::new(), |h| via.push(h));
            assert_eq!(fast, via, "{text:?}");
            let mut slow = Vec::new();
            n.for_each_token(text, &mut String::new(), |t| slow.push(token_hash(t, 9)));
            assert_eq!(fast, slow, "{text:?}");
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
        ] {
            let mut via = Vec::new();
            n.for_each_token_hash(text, 3, &mut String::new(), |h| via.push(h));
            let mut slow = Vec::new();
            n.for_each_token(text, &mut String::new(), |t| slow.push(token_hash(t, 3)));
            assert_eq!(via, slow, "{text:?}");
        }
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
