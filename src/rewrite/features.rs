//! Features: units, tokens, light stemming, normalised numbers and names.
//!
//! Rewrites keep a story's rare content terms, names, numbers and dates while changing
//! function words and word order, so a document is reduced to a bag of features:
//!
//! * **words** `[A-Za-z][A-Za-z0-9]*(['’-][A-Za-z0-9]+)*`, lowercased, possessive `'s`
//!   removed, light suffix stemming ([`stem`]: an S-stemmer plus `-ing`/`-ed`/`-ly`, Harman
//!   1991 style, deterministic and cheap); a hyphenated word whose parts all have ≥ 3 letters
//!   is split into them, otherwise kept whole plus its parts of ≥ 3 letters (`ISIS-K` stays);
//!   stopwords are kept unstemmed (the background idf makes them light);
//! * **numbers** normalised so that rewrites agree: `2,200` → `2200`, `2.5 billion` and
//!   `2.5 bln` → `2500000000`, ordinal and plural suffixes dropped (`1980s` → `1980`),
//!   spelled-out numbers from two to ninety-nine read as figures (`fourteen` → `14`,
//!   `two million` → `2000000`; [`number_word`]);
//! * **names**: a capitalised word that does not start a sentence.
//!
//! A document is first split into *units* ([`split_units`]): its lines, or for hard-wrapped
//! text (most lines 45–80 characters, as in wire copy) its paragraphs. Units are what the
//! boilerplate detector keeps or drops.
//!
//! This is a port of `scripts/rewrite_proto.py`, the measured reference (see
//! `docs/rewrite-research.md`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64;

pub use crate::input::date::month_of;
use crate::input::date::WEEKDAYS;

use super::background::{self, Background};

/// A hasher for keys that are already 64-bit hashes (feature and unit hashes): it passes
/// them through instead of hashing them again with SipHash.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// A hash map keyed by 64-bit hashes.
pub type HashMap64<V> = std::collections::HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Function words: kept as features (unstemmed, never names), weighted down by background idf.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "anyone",
    "anything",
    "are",
    "aren",
    "around",
    "as",
    "at",
    "be",
    "became",
    "because",
    "become",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "couldn",
    "did",
    "didn",
    "do",
    "does",
    "doesn",
    "doing",
    "don",
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "enough",
    "etc",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "had",
    "hadn",
    "has",
    "hasn",
    "have",
    "haven",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isn",
    "it",
    "its",
    "itself",
    "just",
    "least",
    "less",
    "let",
    "like",
    "made",
    "make",
    "many",
    "may",
    "me",
    "might",
    "mine",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "neither",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "otherwise",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "perhaps",
    "quite",
    "rather",
    "really",
    "said",
    "same",
    "say",
    "says",
    "shall",
    "she",
    "should",
    "shouldn",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "toward",
    "towards",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "wasn",
    "we",
    "were",
    "weren",
    "what",
    "whatever",
    "when",
    "whenever",
    "where",
    "whereas",
    "wherever",
    "whether",
    "which",
    "while",
    "who",
    "whoever",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "won",
    "would",
    "wouldn",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "s",
    "t",
    "ll",
    "ve",
    "re",
    "d",
    "m",
    "mr",
    "mrs",
    "ms",
];

/// Months and other date words; with [`WEEKDAYS`], never key entities (every story has a
/// date).
const CALENDAR: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "today",
];

/// The feature hashes `w:…` of a word list.
fn word_set(words: &[&str]) -> HashSet<u64, BuildHasherDefault<PassThrough>> {
    words.iter().map(|w| word_hash(w)).collect()
}

/// Whether the word whose feature hash is `h` is a stopword.
fn is_stopword(h: u64) -> bool {
    stopword_background(h).is_some()
}

/// The background handle of a stopword by its feature hash, `None` for other words.
/// Stopwords are about half of the tokens of news text; their probabilities come from this
/// small map (it stays in cache) instead of the 50 000-entry background table.
fn stopword_background(h: u64) -> Option<Background> {
    static MAP: OnceLock<HashMap64<Background>> = OnceLock::new();
    MAP.get_or_init(|| {
        word_set(STOPWORDS)
            .into_iter()
            .map(|h| (h, background::word_hash_background(h)))
            .collect()
    })
    .get(&h)
    .copied()
}

/// Whether the (stemmed) word whose feature hash is `h` is a day or month name.
fn is_calendar(h: u64) -> bool {
    static SET: OnceLock<HashSet<u64, BuildHasherDefault<PassThrough>>> = OnceLock::new();
    SET.get_or_init(|| {
        WEEKDAYS
            .iter()
            .chain(CALENDAR)
            .map(|w| word_hash(w))
            .collect()
    })
    .contains(&h)
}

/// Words after which an ambiguous month name (`May`, `Jan`) is a month: `for May
/// shipment`, `in May`, `since Jan`.
const DATE_PREPOSITIONS: &[&str] = &[
    "in", "for", "of", "since", "until", "till", "by", "from", "to", "through", "during", "early",
    "late", "mid", "end", "last", "next", "this", "before", "after",
];

/// Number words that multiply the preceding number (and are dropped themselves).
fn multiplier(w: &str) -> Option<f64> {
    Some(match w {
        "hundred" => 1e2,
        "thousand" => 1e3,
        "million" | "mln" => 1e6,
        "billion" | "bln" => 1e9,
        "trillion" => 1e12,
        _ => return None,
    })
}

/// The spelled-out units and teens, by value (`UNITS[n]` is `n`; 0 is empty).
const UNITS: [&str; 20] = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
/// The spelled-out tens, by value (`TENS[t]` is `10 t`; 0 and 1 are empty).
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// The value of a spelled-out number from two to ninety-nine (`fourteen`, `forty`,
/// `twenty-five`; the word must be lowercase): a rewrite spells out what its source wrote in figures
/// ("Fourteen of those passengers" for "14 were passengers"), and both must be the same
/// number. `one` is a pronoun and article too often to count, except before a multiplier
/// word (see [`tokens_into`]).
pub fn number_word(w: &str) -> Option<f64> {
    // Every number word starts with one of these letters and has 3 (`two`) to 13
    // (`seventy-seven`) bytes: most words are turned away here, before the comparisons
    // below (the tokeniser asks about every word it does not find in its cache).
    if !(3..=13).contains(&w.len())
        || !matches!(w.as_bytes()[0], b'e' | b'f' | b'n' | b'o' | b's' | b't')
    {
        return None;
    }
    let unit = |p: &str| UNITS.iter().position(|&u| !u.is_empty() && u == p);
    let tens = |p: &str| TENS.iter().position(|&t| !t.is_empty() && t == p);
    let value = match w.split_once('-') {
        None => unit(w)
            .filter(|&u| u >= 2)
            .or_else(|| tens(w).map(|t| 10 * t))?,
        Some((t, u)) => 10 * tens(t)? + unit(u).filter(|&u| u < 10)?,
    };
    Some(value as f64)
}

/// A spelled-out number at the front of a lowercase hyphenated word and the rest after
/// its hyphen: `five-year` → (5, `year`), `forty-two-year-old` → (42, `year-old`).
fn hyphen_number(word: &str) -> Option<(f64, &str)> {
    let mut parts = word.splitn(3, '-');
    let first = parts.next()?;
    let second = parts.next()?;
    let two = &word[..first.len() + 1 + second.len()];
    if let Some(x) = number_word(two) {
        return Some((x, word.get(two.len() + 1..).unwrap_or("")));
    }
    number_word(first).map(|x| (x, &word[first.len() + 1..]))
}

/// [`multiplier`] of a word in any ASCII case, without lowercasing it into a new string.
fn multiplier_any_case(w: &str) -> Option<f64> {
    // The longest multiplier word has 8 bytes; longer words cannot match.
    if w.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    let lower = &mut buf[..w.len()];
    lower.copy_from_slice(w.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).ok().and_then(multiplier)
}

/// One feature occurrence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Token {
    /// Hash of the feature (`w:stem` or `#number`).
    pub feature: u64,
    /// Background per-token probability of the feature, as a handle (see [`background`]).
    pub background: Background,
    /// May be a key entity: a name or a number of three or more characters, not a day or
    /// month.
    pub key: bool,
    /// A *slot*: a number of any length or a name, the parts a template fills in
    /// differently for each instance (dividend amounts, dates, companies).
    pub slot: bool,
    /// A number (any length). Numbers are slots that, unlike names, carry no topic of their
    /// own: a shared amount is evidence only next to shared rare words (see
    /// [`crate::rewrite::score`]).
    pub number: bool,
    /// The month a capitalised month name stands for, 1 to 12 (0: not a month). The
    /// months a story's lead names date its event: two leads naming only other months tell
    /// of other events (see [`month_of`]).
    pub month: u8,
}

// A corpus's tokens are all held until its statistics are known: keep a token at 16 bytes.
const _: () = assert!(std::mem::size_of::<Token>() == 16);

/// Light suffix stripping: `ies→y`, `sses→ss`, final `s` unless `ss/us/is`, then `ing`
/// (len > 5) / `ed` (> 4) / `ly` (> 5), then final `e` (> 4). ASCII input.
///
/// ```
/// use neardup::rewrite::features::stem;
/// assert_eq!(stem("attacks"), "attack");
/// assert_eq!(stem("claimed"), "claim");
/// assert_eq!(stem("agencies"), "agency");
/// assert_eq!(stem("believed"), "believ");
/// assert_eq!(stem("believe"), "believ");
/// ```
pub fn stem(w: &str) -> String {
    stem_cow(w).into_owned()
}

/// [`stem`] without allocating unless the stem is not a prefix of the word (`ies→y`): the
/// tokeniser stems every content word, so the common case must stay a slice.
pub fn stem_cow(w: &str) -> Cow<'_, str> {
    // Every rule removes a final `s`, `g` (`ing`), `d` (`ed`), `y` (`ly`) or `e`: a word
    // ending otherwise is its own stem, and most words do.
    if w.len() <= 3 || !matches!(w.as_bytes().last(), Some(b's' | b'g' | b'd' | b'y' | b'e')) {
        return Cow::Borrowed(w);
    }
    if w.ends_with("ies") && w.len() > 4 {
        return Cow::Owned(format!("{}y", &w[..w.len() - 3]));
    }
    if w.ends_with("sses") {
        return Cow::Borrowed(&w[..w.len() - 2]);
    }
    let mut w = w;
    if w.ends_with('s') && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        w = &w[..w.len() - 1];
    }
    if w.ends_with("ing") && w.len() > 5 {
        w = &w[..w.len() - 3];
    } else if (w.ends_with("ed") && w.len() > 4) || (w.ends_with("ly") && w.len() > 5) {
        w = &w[..w.len() - 2];
    }
    if w.ends_with('e') && w.len() > 4 {
        w = &w[..w.len() - 1];
    }
    Cow::Borrowed(w)
}

/// Splits a document into units: lines, or paragraphs of hard-wrapped text (at least four
/// non-blank lines, 60% of them 45–80 characters long: split at blank lines and before
/// indented lines). Units are trimmed; empty ones are dropped.
pub fn split_units(text: &str) -> Vec<&str> {
    // Lines found with `memchr` (vectorised) rather than `str::split`, whose byte search
    // cost more than the rest of the split.
    // Sized by a first (vectorised) count: pushed one by one, the vector grew several
    // times for each hard-wrapped document.
    let mut lines: Vec<&str> =
        Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    let (mut nonblank, mut wrapped_lines) = (0usize, 0usize);
    for l in lines.iter().filter(|l| !trim(l).is_empty()) {
        nonblank += 1;
        // Character count only matters between 45 and 80: the byte length bounds it, and
        // equals it for ASCII.
        if l.len() >= 45
            && ((l.len() <= 80 && l.is_ascii()) || (45..=80).contains(&l.chars().count()))
        {
            wrapped_lines += 1;
        }
    }
    let wrapped = nonblank >= 4 && wrapped_lines * 10 >= nonblank * 6;
    if !wrapped {
        let mut units = Vec::with_capacity(nonblank);
        units.extend(lines.iter().map(|l| trim(l)).filter(|l| !l.is_empty()));
        return units;
    }
    // A unit starts at a nonblank line, and one more is pushed at the end.
    let mut units = Vec::with_capacity(nonblank + 1);
    let mut start = 0usize;
    let mut offset = 0usize;
    let mut prev_blank = false;
    for (i, line) in lines.iter().enumerate() {
        let blank = trim(line).is_empty();
        let indented = line.starts_with([' ', '\t']);
        if i > 0 && (prev_blank || indented) && !blank {
            units.push(trim(&text[start..offset]));
            start = offset;
        }
        prev_blank = blank;
        offset += line.len() + 1;
    }
    units.push(trim(&text[start..]));
    units.retain(|u| !u.is_empty());
    units
}

/// [`str::trim`], with the ASCII whitespace at both ends stripped byte by byte: only a
/// line that, without it, starts or ends with a non-ASCII character (which may be Unicode
/// whitespace) takes `str::trim`. Every line of every document is trimmed.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let space = |c: &u8| matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    let start = b.iter().position(|c| !space(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !space(c)).map_or(start, |i| i + 1);
    if start < end && (!b[start].is_ascii() || !b[end - 1].is_ascii()) {
        return s.trim();
    }
    // Both ends are next to ASCII bytes (or the ends of `s`): char boundaries.
    &s[start..end]
}

/// [`unit_key_with`]'s byte classes for ASCII: `SPACE` for what `split_whitespace` splits
/// at, what the byte becomes in the key for letters (lowercased), digits (`#`, the mask of
/// figures) and `_`, `SKIP` for everything else. One table load per byte instead of a
/// chain of range tests.
const UNIT_KEY_CLASS: [u8; 256] = {
    let mut t = [SKIP; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            t[b] = SPACE;
        } else if c.is_ascii_digit() {
            t[b] = b'#';
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};
/// See [`UNIT_KEY_CLASS`] (never a byte of a key: those are ASCII letters, `#`, `_`).
const SPACE: u8 = 0;
/// See [`UNIT_KEY_CLASS`].
const SKIP: u8 = 1;

/// A unit normalised for repeated-line detection: lowercase, characters other than
/// letters, digits, `_` and whitespace removed, whitespace collapsed, and each run of ASCII
/// digits within a word (after the removal: `51.50` is one run) replaced by `#`, so that a
/// line repeated with other figures is a repeated line. Returns its hash and word count.
pub fn unit_key(unit: &str) -> (u64, usize) {
    unit_key_with(unit, &mut Vec::new())
}

/// [`unit_key`] with a caller-owned buffer for the normalised text (one per document, not
/// one allocation per unit).
pub fn unit_key_with(unit: &str, norm: &mut Vec<u8>) -> (u64, usize) {
    let mut words = 0;
    if unit.is_ascii() {
        // The common case, in one pass over the bytes. For ASCII, `split_whitespace`
        // splits at tab, newline, vertical tab, form feed, carriage return and space, and
        // `is_alphanumeric` / `to_lowercase` are their ASCII versions. The key is never
        // longer than the unit (each separating space stands for a whitespace byte), so
        // it is written into a buffer of the unit's length instead of pushed byte by byte.
        // Grown, never cleared: only bytes written below are read, and filling a unit's
        // length of zeros cost as much as the hash.
        if norm.len() < unit.len() {
            norm.resize(unit.len(), 0);
        }
        let key = &mut norm[..unit.len()];
        let bytes = unit.as_bytes();
        let (mut i, mut len) = (0, 0);
        let mut in_word = false;
        // Whether the byte last written to the key is `#`.
        let mut last_hash = false;
        while let Some(&b) = bytes.get(i) {
            i += 1;
            let c = UNIT_KEY_CLASS[b as usize];
            if c <= SKIP {
                in_word &= c == SKIP;
                continue;
            }
            if !in_word {
                if len > 0 {
                    key[len] = b' ';
                    len += 1;
                    last_hash = false;
                }
                in_word = true;
                words += 1;
            }
            // Figures are masked: a line that recurs with other figures (a hog price note
            // of another day, an earnings table) is a template.
            if c == b'#' {
                if last_hash {
                    continue;
                }
                last_hash = true;
            }
            key[len] = c;
            len += 1;
            // The rest of a run of letters (and `_`, every class above `#`), most of the
            // bytes, in a loop of their own. The key so far is no longer than the bytes
            // read (`len <= i`), so the key's rest is at least as long as the bytes' rest
            // and the zip stops only at a separator or the end: no index is checked.
            let mut run = 0;
            for (&b, k) in bytes[i..].iter().zip(&mut key[len..]) {
                let c = UNIT_KEY_CLASS[b as usize];
                if c <= b'#' {
                    break;
                }
                *k = c;
                run += 1;
            }
            len += run;
            i += run;
            if run > 0 || c != b'#' {
                last_hash = false;
            }
        }
        return (xxh3_64(&key[..len]), words);
    }
    norm.clear();
    norm.reserve(unit.len());
    let mut tmp = [0u8; 4];
    for word in unit.split_whitespace() {
        let start = norm.len();
        if !norm.is_empty() {
            norm.push(b' ');
        }
        let before = norm.len();
        for c in word
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '_')
            .flat_map(char::to_lowercase)
        {
            if c.is_ascii_digit() {
                if norm.len() == before || norm[norm.len() - 1] != b'#' {
                    norm.push(b'#');
                }
            } else {
                norm.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
        if norm.len() == before {
            norm.truncate(start);
        } else {
            words += 1;
        }
    }
    (xxh3_64(norm), words)
}

/// Background probability of a number feature from its digits: one digit Zipf 5.5, two
/// digits or a year 4.5, else 3.0.
fn number_background(v: &str) -> Background {
    let b = v.as_bytes();
    let year = b.len() == 4
        && (v.starts_with("19") || v.starts_with("20"))
        && b.iter().all(u8::is_ascii_digit);
    match b.len() {
        1 => Background::NUMBER_1,
        2 => Background::NUMBER_2,
        _ if year => Background::NUMBER_2,
        _ => Background::NUMBER_3,
    }
}

/// Appends `x` to `out` in a `%g`-like rendering: integers in full, other values with
/// six significant digits, trailing zeros and then a trailing point trimmed from what was
/// appended. The tokeniser reuses one buffer per unit instead of allocating per number.
fn push_number(out: &mut String, x: f64) {
    // Writing to a String cannot fail.
    if x.fract() == 0.0 && x.abs() < 9.0e18 {
        let _ = write!(out, "{}", x as i64);
        return;
    }
    let start = out.len();
    let digits = (5 - x.abs().log10().floor() as i64).clamp(0, 12) as usize;
    let _ = write!(out, "{x:.digits$}");
    let keep = out[start..]
        .trim_end_matches('0')
        .trim_end_matches('.')
        .len();
    out.truncate(start + keep);
}

/// The value of a raw number token (`$2,200`, `1980s`, `3.5`), or `None` when it does not
/// parse (`1.2.3`).
fn number_value(raw: &str) -> Option<f64> {
    let v = raw.trim_start_matches('$');
    let v = ["st", "nd", "rd", "th", "s"]
        .iter()
        .find_map(|s| v.strip_suffix(s))
        .unwrap_or(v);
    let v = v.trim_end_matches(['.', ',']);
    if !v.contains(',') {
        return v.parse::<f64>().ok().filter(|x| x.is_finite());
    }
    let thousands = {
        let (int, frac) = match v.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (v, None),
        };
        // The groups between commas, counted rather than collected.
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or_default();
        let (mut more, mut threes) = (0usize, true);
        for g in groups {
            more += 1;
            threes &= g.len() == 3;
        }
        more > 0
            && (1..=3).contains(&first.len())
            && threes
            && frac.is_none_or(|f| !f.is_empty() && !f.contains(','))
    };
    // Commas dropped (thousands) or read as decimal points, into a buffer on the stack
    // rather than a new string: a figure with a comma is parsed at each cache miss.
    let mut buf = [0u8; 64];
    if v.len() <= buf.len() {
        let mut n = 0;
        for &c in v.as_bytes() {
            let c = match c {
                b',' if thousands => continue,
                b',' => b'.',
                c => c,
            };
            buf[n] = c;
            n += 1;
        }
        // The token's bytes are ASCII digits, points and commas: always UTF-8.
        let v = std::str::from_utf8(&buf[..n]).unwrap_or_default();
        return v.parse::<f64>().ok().filter(|x| x.is_finite());
    }
    let v = if thousands {
        v.replace(',', "")
    } else {
        v.replace(',', ".")
    };
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A raw token: its byte range in its unit.
#[derive(Debug, Clone, Copy)]
struct Raw {
    start: usize,
    end: usize,
    number: bool,
    /// A word joined by `'` or `’`.
    apostrophe: bool,
    /// A word joined by `-`.
    hyphen: bool,
    /// A word with an ASCII capital letter: only those need lowercasing.
    upper: bool,
}

/// [`raw_tokens`]'s byte classes: one table load per byte instead of the range tests of
/// `is_ascii_digit` / `is_ascii_alphanumeric`, on the scanner's innermost loops.
const RAW_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_digit() {
            t[b] = DIGIT | ALNUM;
        } else if c.is_ascii_uppercase() {
            t[b] = ALPHA | ALNUM | UPPER;
        } else if c.is_ascii_alphabetic() {
            t[b] = ALPHA | ALNUM;
        }
        b += 1;
    }
    t
};
/// See [`RAW_CLASS`].
const DIGIT: u8 = 1;
/// See [`RAW_CLASS`].
const ALPHA: u8 = 2;
/// See [`RAW_CLASS`].
const ALNUM: u8 = 4;
/// See [`RAW_CLASS`].
const UPPER: u8 = 8;

/// The regex `\$?\d+([.,]\d+)*(st|nd|rd|th|s)?|[A-Za-z][A-Za-z0-9]*(['’-][A-Za-z0-9]+)*`
/// as a scanner.
fn raw_tokens(text: &str, out: &mut Vec<Raw>) {
    let b = text.as_bytes();
    out.clear();
    let mut i = 0;
    let is = |j: usize, class: u8| {
        b.get(j)
            .is_some_and(|&c| RAW_CLASS[c as usize] & class != 0)
    };
    let digits = |mut j: usize| {
        while is(j, DIGIT) {
            j += 1;
        }
        j
    };
    // Also returns the union of the classes of the bytes it passes.
    let alnum = |mut j: usize| {
        let mut classes = 0u8;
        while let Some(&c) = b.get(j) {
            let class = RAW_CLASS[c as usize];
            if class & ALNUM == 0 {
                break;
            }
            classes |= class;
            j += 1;
        }
        (j, classes)
    };
    while i < b.len() {
        let c = b[i];
        let class = RAW_CLASS[c as usize];
        let dollar = c == b'$' && is(i + 1, DIGIT);
        if class & DIGIT != 0 || dollar {
            let start = i;
            let mut j = digits(if dollar { i + 1 } else { i });
            while (b.get(j) == Some(&b'.') || b.get(j) == Some(&b',')) && is(j + 1, DIGIT) {
                j = digits(j + 1);
            }
            for suffix in ["st", "nd", "rd", "th", "s"] {
                if text[j..].starts_with(suffix) {
                    j += suffix.len();
                    break;
                }
            }
            out.push(Raw {
                start,
                end: j,
                number: true,
                apostrophe: false,
                hyphen: false,
                upper: false,
            });
            i = j;
        } else if class & ALPHA != 0 {
            let start = i;
            let (mut j, mut classes) = alnum(i);
            let (mut apostrophe, mut hyphen) = (false, false);
            loop {
                let sep = match b.get(j) {
                    Some(b'\'') | Some(b'-') => 1,
                    Some(0xE2) if text[j..].starts_with('’') => '’'.len_utf8(),
                    _ => 0,
                };
                if sep > 0 && is(j + sep, ALNUM) {
                    hyphen |= b[j] == b'-';
                    apostrophe |= b[j] != b'-';
                    let (end, more) = alnum(j + sep);
                    j = end;
                    classes |= more;
                } else {
                    break;
                }
            }
            out.push(Raw {
                start,
                end: j,
                number: false,
                apostrophe,
                hyphen,
                upper: classes & UPPER != 0,
            });
            i = j;
        } else {
            i += 1;
        }
    }
}

/// Whether the token starting at `start` begins a sentence: only spaces, tabs, quotes and
/// `(` lie between it and the unit start or a `.!?:;` or newline.
fn sentence_initial(text: &str, start: usize) -> bool {
    // Byte by byte while the bytes are ASCII (almost always: a word's few predecessors up
    // to a space and the previous word), without decoding characters backwards; at the
    // first non-ASCII byte, by characters from there (`i` is a character boundary).
    let b = text.as_bytes();
    let mut i = start.min(b.len());
    while i > 0 {
        match b[i - 1] {
            b' ' | b'\t' | b'"' | b'\'' | b'(' => i -= 1,
            b'.' | b'!' | b'?' | b'\n' | b':' | b';' => return true,
            c if c.is_ascii() => return false,
            _ => return sentence_initial_chars(&text[..i]),
        }
    }
    true
}

/// [`sentence_initial`] of the token right after `before`, by characters.
fn sentence_initial_chars(before: &str) -> bool {
    for c in before.chars().rev() {
        match c {
            ' ' | '\t' | '"' | '“' | '‘' | '\'' | '(' => continue,
            '.' | '!' | '?' | '\n' | ':' | ';' => return true,
            _ => return false,
        }
    }
    true
}

/// Zipf frequency below which a capitalised word is a name even at the start of a
/// sentence. Capitalisation cannot mark a sentence's first word as a name, yet in wire
/// copy the subject often comes first ("Comerica Inc said it raised its prime rate"); a
/// word rarer than once per million words of general English is far more likely a name
/// ("Comerica", "Amrozi") than a common word that happens to start the sentence ("Shares",
/// "Officials", "Northern").
pub const RARE_INITIAL_ZIPF: f64 = 3.0;

/// Whether a lowercased word (stemmed here) is rarer than [`RARE_INITIAL_ZIPF`] in the
/// background table: a sentence-initial capitalised word of that rarity is taken as a name.
fn rare_word(lw: &str) -> bool {
    let stem = stem_cow(lw.split('-').next().unwrap_or(lw));
    !is_stopword(word_hash(lw))
        && background::word_probability(&stem) < background::zipf_probability(RARE_INITIAL_ZIPF)
}

/// Hash of a feature key (`w:stem`, `#number`).
pub fn feature_hash(key: &str) -> u64 {
    xxh3_64(key.as_bytes())
}

/// The feature hash of a word, `feature_hash("w:" + word)`, without allocating for words
/// of up to 62 bytes.
pub fn word_hash(word: &str) -> u64 {
    let mut buf = [0u8; 64];
    let n = word.len() + 2;
    if n > buf.len() {
        return feature_hash(&format!("w:{word}"));
    }
    buf[..2].copy_from_slice(b"w:");
    buf[2..n].copy_from_slice(word.as_bytes());
    xxh3_64(&buf[..n])
}

/// What [`tokens_into`] makes of a plain word (no apostrophe or hyphen) as written,
/// whatever its place: the same for each of its occurrences. What depends on the place
/// (a name at the start of a sentence, a month beside a figure) is decided per
/// occurrence from `rare` and `month`.
#[derive(Debug, Clone, Copy)]
struct WordInfo {
    /// The token's feature: the word's hash for a stopword, its stem's otherwise.
    feature: u64,
    /// The feature's background handle.
    background: Background,
    /// [`WordInfo::SKIP`], [`WordInfo::STOP`] or [`WordInfo::CONTENT`].
    kind: u8,
    /// A content word whose stem is a day or month name: never a name.
    calendar: bool,
    /// For a word written with a capital first letter, the month it may name
    /// ([`month_of`]; 0: none) and whether only a figure or preposition beside it makes it
    /// one.
    month: u8,
    month_by_number: bool,
    /// For a word written with a capital first letter: rare enough in the background to be
    /// a name even at the start of a sentence ([`rare_word`]).
    rare: bool,
    /// For a [`WordInfo::FIGURE`]: rendered in three or more characters (a key entity).
    long: bool,
}

impl Default for WordInfo {
    fn default() -> Self {
        WordInfo {
            feature: 0,
            background: Background::OOV,
            kind: Self::SKIP,
            calendar: false,
            month: 0,
            month_by_number: false,
            rare: false,
            long: false,
        }
    }
}

impl WordInfo {
    /// A multiplier word: no token.
    const SKIP: u8 = 0;
    /// A stopword: its unstemmed feature, never a name.
    const STOP: u8 = 1;
    /// Any other word: its stem's feature.
    const CONTENT: u8 = 2;
    /// A spelled-out number, or `one` (a number only before a multiplier word): what it
    /// makes depends on the next word, so it takes the uncached path.
    const NUMBER: u8 = 3;
    /// A raw number token (digits, as written) with no multiplier word after it: one
    /// number token, the same at each occurrence.
    const FIGURE: u8 = 4;

    /// What [`tokens_into`] makes of the raw number token `raw` when no multiplier word
    /// follows it: a [`WordInfo::FIGURE`], or a [`WordInfo::SKIP`] when it does not parse.
    /// `key` is a buffer for its feature key. The same steps as `push_value` there.
    fn of_figure(raw: &str, key: &mut String) -> Self {
        let mut info = WordInfo::default();
        if let Some(x) = number_value(raw) {
            key.clear();
            key.push('#');
            push_number(key, x);
            let v = &key[1..];
            info.kind = Self::FIGURE;
            info.feature = feature_hash(key);
            info.background = number_background(v);
            info.long = v.len() > 2;
        }
        info
    }

    /// Works out what `push_word` and [`tokens_into`] do for the word `raw` as written,
    /// `key` a buffer for its feature key.
    fn of(raw: &str, key: &mut String) -> Self {
        key.clear();
        key.push_str("w:");
        key.push_str(raw);
        key.make_ascii_lowercase();
        let p = &key[2..];
        let mut info = WordInfo::default();
        let upper = raw.as_bytes()[0].is_ascii_uppercase();
        if upper {
            if let Some((m, by_number)) = month_of(p) {
                (info.month, info.month_by_number) = (m, by_number);
            }
        }
        if matches!(p.as_bytes().first(), Some(b'b' | b'h' | b'm' | b't'))
            && multiplier(p).is_some()
        {
            info.rare = upper && rare_word(p);
            info.kind = Self::SKIP;
            return info;
        }
        if p == "one" || number_word(p).is_some() {
            info.rare = upper && rare_word(p);
            info.kind = Self::NUMBER;
            return info;
        }
        let hp = feature_hash(key);
        if let Some(background) = stopword_background(hp) {
            // `rare_word` is false for a stopword.
            (info.kind, info.feature, info.background) = (Self::STOP, hp, background);
            return info;
        }
        let hs = match stem_cow(p) {
            Cow::Borrowed(s) if s.len() == p.len() => hp,
            Cow::Borrowed(s) => feature_hash(&key[..2 + s.len()]),
            Cow::Owned(s) => word_hash(&s),
        };
        info.kind = Self::CONTENT;
        info.feature = hs;
        info.background = background::word_hash_background(hs);
        info.calendar = is_calendar(hs);
        // `rare_word(p)` from what is at hand: `p` (no hyphen here) is not a stopword, and
        // `hs` is its stem's hash, so the stem's background probability is the feature's.
        // Computing it again (stem, two hashes, a table probe) was most of a miss's cost.
        info.rare = upper
            && info.background.probability() < background::zipf_probability(RARE_INITIAL_ZIPF);
        info
    }
}

/// Longest word, in bytes, that [`WordCache`] holds.
const CACHED_WORD: usize = 23;

/// One slot of [`WordCache`]: a word as written (`len` 0: empty), its [`word_words`], and
/// what it makes.
#[derive(Debug, Clone, Copy, Default)]
struct CachedWord {
    words: (u64, u64),
    word: [u8; CACHED_WORD],
    len: u8,
    info: WordInfo,
}

// A slot is 64 bytes: see `WordCache::SLOTS`.
const _: () = assert!(std::mem::size_of::<CachedWord>() == 64);

/// A word of 1 to 16 bytes as two integers that, with its length, determine its bytes:
/// the first and last 8 bytes (overlapping) from 8 bytes on, the first and last 4 from 4,
/// else the first, middle and last byte. For longer words, their ends. The word cache
/// hashes and compares these instead of copying the word into a padded buffer (a call to
/// `memcpy` per word) and comparing bytes (`memcmp`).
#[inline]
fn word_words(b: &[u8]) -> (u64, u64) {
    let len = b.len();
    let le8 = |s: &[u8]| s.try_into().map_or(0, u64::from_le_bytes);
    let le4 = |s: &[u8]| s.try_into().map_or(0, |a| u64::from(u32::from_le_bytes(a)));
    match len {
        0 => (0, 0),
        1..=3 => (
            u64::from(b[0]) << 16 | u64::from(b[len / 2]) << 8 | u64::from(b[len - 1]),
            0,
        ),
        4..=7 => (le4(&b[..4]), le4(&b[len - 4..])),
        _ => (le8(&b[..8]), le8(&b[len - 8..])),
    }
}

/// A two-way set-associative cache of [`WordInfo`] by the word as written, one per
/// thread. Two thirds of the tokens of news text are a few thousand distinct words, and
/// each occurrence otherwise lowercases, hashes, stems, hashes again and probes three
/// tables (stopwords, calendar words, the 50 000-entry background table, a cache miss). A
/// slot holds the word's bytes and is used only when they are equal, so the cache changes
/// no token. A word's set holds the two words last used there, the more recent first; a
/// new word evicts the other (memory stays at `SLOTS` entries). Reuters-21578 has 67 000
/// distinct words and figures as written: direct-mapped, the same slots missed 115 000
/// times, each miss costing about a thousand instructions; two ways miss 79 000 times.
#[derive(Debug, Default)]
struct WordCache {
    sets: Vec<[CachedWord; 2]>,
    key: String,
}

impl CachedWord {
    /// Whether the slot holds the word of bytes `bytes` and [`word_words`] `words`.
    #[inline]
    fn holds(&self, words: (u64, u64), bytes: &[u8]) -> bool {
        // Up to 16 bytes the words and the length are the word's bytes.
        self.words == words
            && usize::from(self.len) == bytes.len()
            && (bytes.len() <= 16 || &self.word[..bytes.len()] == bytes)
    }
}

impl WordCache {
    /// Slots: 2^16 of 64 bytes, 4 MB a thread, in sets of two.
    const SLOTS: usize = 1 << 16;
    /// Number of sets.
    const SETS: usize = Self::SLOTS / 2;

    /// What the plain word `text[range]` (at most [`CACHED_WORD`] bytes) makes; `figure`:
    /// the word is a raw number token with no multiplier after it
    /// ([`WordInfo::of_figure`]). A number starts with a digit or `$` and a word with a
    /// letter, so neither can take the other's slot.
    ///
    /// Inlined into the tokeniser, with the miss in its own function ([`Self::fill`]):
    /// nineteen words in twenty hit, and the miss path's registers made every call save
    /// and restore them. Always inlined: with the second way the compiler no longer does.
    /// A hit reads the word's bytes; only a miss takes it as a `str`, whose slicing checks
    /// that both ends are character boundaries.
    #[inline(always)]
    fn get(&mut self, text: &str, range: std::ops::Range<usize>, figure: bool) -> WordInfo {
        let bytes = &text.as_bytes()[range.clone()];
        let words = word_words(bytes);
        // Only the set depends on the hash: any mix of the words would do.
        let hash = crate::hash::fold_mul(
            words.0 ^ 0x5EED_0F3A_1170_C5A1,
            words.1 ^ (bytes.len() as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25),
        );
        let index = (hash >> 48) as usize & (Self::SETS - 1);
        // No sets yet (the thread's first word): a miss.
        if let Some(set) = self.sets.get_mut(index) {
            if set[0].holds(words, bytes) {
                return set[0].info;
            }
            if set[1].holds(words, bytes) {
                // The more recently used word goes first.
                set.swap(0, 1);
                return set[0].info;
            }
        }
        self.fill(&text[range], figure, words, index)
    }

    /// A miss of [`Self::get`]: works out what `raw` makes and puts it first in set
    /// `index` (`words`: its [`word_words`]), evicting the set's less recently used word.
    #[cold]
    #[inline(never)]
    fn fill(&mut self, raw: &str, figure: bool, words: (u64, u64), index: usize) -> WordInfo {
        if self.sets.is_empty() {
            self.sets = vec![[CachedWord::default(); 2]; Self::SETS];
        }
        let bytes = raw.as_bytes();
        let info = if figure {
            WordInfo::of_figure(raw, &mut self.key)
        } else {
            WordInfo::of(raw, &mut self.key)
        };
        let set = &mut self.sets[index & (Self::SETS - 1)];
        set[1] = set[0];
        let slot = &mut set[0];
        slot.words = words;
        slot.len = bytes.len() as u8;
        slot.word[..bytes.len()].copy_from_slice(bytes);
        slot.info = info;
        info
    }
}

thread_local! {
    /// This thread's [`WordCache`].
    static WORD_CACHE: std::cell::RefCell<WordCache> = std::cell::RefCell::default();
}

/// The features of one unit, in text order.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokens_into(text, &mut out, &mut TokenScratch::default());
    out
}

/// Working memory of [`tokens_into`], reused across units: the tokeniser runs over every
/// word of the corpus, and per-unit buffers were a tenth of its time in malloc and free.
#[derive(Debug, Default)]
pub struct TokenScratch {
    raws: Vec<Raw>,
    /// The lowercased word's feature key, `w:word`.
    lw: String,
    /// The feature key of one part of a hyphenated word.
    part: String,
    /// The rendered number.
    num: String,
}

/// [`tokens`], appended to `out`, with reusable working memory.
pub fn tokens_into(text: &str, out: &mut Vec<Token>, scratch: &mut TokenScratch) {
    tokens_into_cached(text, out, scratch, true);
}

/// [`tokens_into`]; `cached`: plain words go through this thread's [`WordCache`] (false
/// only in tests, which check that it changes nothing).
fn tokens_into_cached(text: &str, out: &mut Vec<Token>, scratch: &mut TokenScratch, cached: bool) {
    // The thread's cache, borrowed once for the unit rather than once a word.
    WORD_CACHE.with(|c| tokens_with_cache(text, out, scratch, cached, &mut c.borrow_mut()));
}

/// [`tokens_into_cached`] with this thread's [`WordCache`] at hand.
fn tokens_with_cache(
    text: &str,
    out: &mut Vec<Token>,
    scratch: &mut TokenScratch,
    cached: bool,
    cache: &mut WordCache,
) {
    let TokenScratch {
        raws,
        lw,
        part,
        num,
    } = scratch;
    raw_tokens(text, raws);
    out.reserve(raws.len());
    // A number token of value `x`, times the multiplier words after raw token `i` (`2.5
    // billion`, `two million`, `five hundred thousand`); `i` past the end: none.
    let mut push_value = |out: &mut Vec<Token>, i: usize, mut x: f64| {
        for n in raws.get(i.saturating_add(1)..).unwrap_or_default() {
            match multiplier_any_case(&text[n.start..n.end]) {
                Some(m) => x *= m,
                None => break,
            }
        }
        num.clear();
        num.push('#');
        push_number(num, x);
        let v = &num[1..];
        out.push(Token {
            feature: feature_hash(num),
            background: number_background(v),
            key: v.len() > 2,
            slot: true,
            number: true,
            month: 0,
        });
    };
    for (i, raw) in raws.iter().enumerate() {
        // The token's bytes; as a `str` (slicing checks character boundaries) only where
        // one is needed.
        let raw_bytes = &text.as_bytes()[raw.start..raw.end];
        let raw_text = || &text[raw.start..raw.end];
        if raw.number {
            // A number as written makes the same token wherever it stands unless a
            // multiplier word follows it: those few take the path below, the others the
            // cache (parsing and rendering a number cost as much as the rest of its token).
            let multiplied = || {
                raws.get(i + 1)
                    .is_some_and(|n| multiplier_any_case(&text[n.start..n.end]).is_some())
            };
            if cached && raw_bytes.len() <= CACHED_WORD && !multiplied() {
                let info = cache.get(text, raw.start..raw.end, true);
                if info.kind == WordInfo::FIGURE {
                    out.push(Token {
                        feature: info.feature,
                        background: info.background,
                        key: info.long,
                        slot: true,
                        number: true,
                        month: 0,
                    });
                }
            } else if let Some(x) = number_value(raw_text()) {
                push_value(out, i, x);
            }
            continue;
        }
        let upper = raw_bytes[0].is_ascii_uppercase();
        // `May` and the abbreviations need a figure beside them or a preposition of time
        // before them (`May 5`, `Feb 26`, `for May shipment`).
        let (prev, next) = (i.checked_sub(1).and_then(|j| raws.get(j)), raws.get(i + 1));
        let dated = || {
            prev.is_some_and(|r| r.number)
                || next.is_some_and(|r| r.number)
                || prev.is_some_and(|r| {
                    let w = &text[r.start..r.end];
                    DATE_PREPOSITIONS.iter().any(|p| p.eq_ignore_ascii_case(w))
                })
        };
        if cached && !raw.apostrophe && !raw.hyphen && raw_bytes.len() <= CACHED_WORD {
            // The common case: what the slow path below does, from the cache.
            let info = cache.get(text, raw.start..raw.end, false);
            if info.kind == WordInfo::SKIP {
                continue;
            }
            // A spelled-out number depends on the next word: the path below.
            if info.kind != WordInfo::NUMBER {
                let cap = upper && (!sentence_initial(text, raw.start) || info.rare);
                let month = if upper && info.month > 0 && (!info.month_by_number || dated()) {
                    info.month
                } else {
                    0
                };
                let name = info.kind == WordInfo::CONTENT && cap && !info.calendar;
                out.push(Token {
                    feature: info.feature,
                    background: info.background,
                    key: name,
                    slot: name,
                    number: false,
                    month,
                });
                continue;
            }
        }
        // `lw` holds the feature key `w:word`: the word's hash, and its stem's when the stem
        // is a prefix, are hashes of prefixes of this buffer, without copying.
        lw.clear();
        lw.push_str("w:");
        lw.push_str(raw_text());
        if raw.upper {
            lw.make_ascii_lowercase();
        }
        if !raw.apostrophe {
            let word = &lw[2..];
            let spelled = number_word(word).or_else(|| {
                // `one million` is `1 million`; a lone `one` stays a function word.
                (word == "one")
                    .then(|| raws.get(i + 1))
                    .flatten()
                    .filter(|n| multiplier_any_case(&text[n.start..n.end]).is_some())
                    .map(|_| 1.0)
            });
            if let Some(x) = spelled {
                push_value(out, i, x);
                continue;
            }
        }
        if raw.apostrophe {
            // Possessive `'s` or `’s` dropped, then every apostrophe: built in `part` and
            // swapped in, rather than in a new string per word.
            let word = &lw[2..];
            let word = word
                .strip_suffix("'s")
                .or_else(|| word.strip_suffix("’s"))
                .unwrap_or(word);
            part.clear();
            part.push_str("w:");
            part.extend(word.chars().filter(|&c| c != '\'' && c != '’'));
            std::mem::swap(lw, part);
        }
        let word = &lw[2..];
        let cap = upper && (!sentence_initial(text, raw.start) || rare_word(word));
        // Only a capitalised word can name a month: the others skip the lookup.
        let month = match upper.then(|| month_of(word)).flatten() {
            Some((m, by_number)) if !raw.hyphen && (!by_number || dated()) => m,
            _ => 0,
        };
        // Hyphenated: its parts when all have ≥ 3 letters, else the whole word and then
        // its parts of ≥ 3 letters. A spelled-out number in front (`five-year`,
        // `forty-two-year-old`) is that number, as `5-year` is, then the rest.
        if !raw.hyphen {
            push_word(out, lw, cap, month);
        } else {
            let (word, key_start) = match hyphen_number(word) {
                Some((x, rest)) => {
                    push_value(out, usize::MAX, x);
                    (rest, lw.len() - rest.len())
                }
                None => (word, 2),
            };
            if word.is_empty() {
                continue;
            }
            let split = word.split('-').all(|p| p.len() >= 3);
            if !split {
                part.clear();
                part.push_str("w:");
                part.push_str(&lw[key_start..]);
                push_word(out, part, cap, 0);
            }
            for p in word.split('-').filter(|p| p.len() >= 3) {
                part.clear();
                part.push_str("w:");
                part.push_str(p);
                push_word(out, part, cap, 0);
            }
        }
    }
}

/// Appends the feature of one lowercased word piece given as its feature key `w:piece`
/// (`cap`: it is a name; `month`: the month it names, or 0): nothing for a multiplier word,
/// the unstemmed word for a stopword, else its stem.
fn push_word(out: &mut Vec<Token>, key: &str, cap: bool, month: u8) {
    let p = &key[2..];
    // Every multiplier word starts with `b`, `m` or `t`: the others skip the comparisons.
    if matches!(p.as_bytes().first(), Some(b'b' | b'h' | b'm' | b't')) && multiplier(p).is_some() {
        return;
    }
    let hp = feature_hash(key);
    if let Some(background) = stopword_background(hp) {
        out.push(Token {
            feature: hp,
            background,
            key: false,
            slot: false,
            number: false,
            month,
        });
        return;
    }
    let hs = match stem_cow(p) {
        // A borrowed stem is a prefix of the piece, so `w:stem` is a prefix of the key.
        Cow::Borrowed(s) if s.len() == p.len() => hp,
        Cow::Borrowed(s) => feature_hash(&key[..2 + s.len()]),
        Cow::Owned(s) => word_hash(&s),
    };
    let name = cap && !is_calendar(hs);
    out.push(Token {
        feature: hs,
        background: background::word_hash_background(hs),
        key: name,
        slot: name,
        number: false,
        month,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(k: &str) -> u64 {
        feature_hash(k)
    }

    #[test]
    fn stems_like_the_prototype() {
        for (w, s) in [
            ("claims", "claim"),
            ("agencies", "agency"),
            ("classes", "class"),
            ("virus", "virus"),
            ("analysis", "analysis"),
            ("reporting", "report"),
            ("sing", "sing"),
            ("finally", "final"),
            ("houses", "hous"),
            ("gas", "gas"),
        ] {
            assert_eq!(stem(w), s, "{w}");
        }
    }

    #[test]
    fn numbers_are_normalised() {
        let f = |t: &str| tokens(t).iter().map(|x| x.feature).collect::<Vec<_>>();
        assert_eq!(f("2,200"), [h("#2200")]);
        assert_eq!(f("$2.5 billion"), [h("#2500000000")]);
        assert_eq!(f("2.5 bln"), [h("#2500000000")]);
        assert_eq!(f("the 1980s"), [h("w:the"), h("#1980")]);
        assert_eq!(f("21st"), [h("#21")]);
        assert_eq!(f("3,5"), [h("#3.5")]);
        assert_eq!(f("0.125"), [h("#0.125")]);
        assert!(f("1.2.3").is_empty());
    }

    #[test]
    fn spelled_numbers_are_the_numbers_they_spell() {
        let f = |t: &str| tokens(t).iter().map(|x| x.feature).collect::<Vec<_>>();
        // The MSRP pair "Fourteen of those infected passengers …" / "Of those, 14 were
        // passengers …": both name the same number.
        assert_eq!(f("Fourteen")[0], f("14")[0]);
        assert_eq!(f("twenty-five"), f("25"));
        assert_eq!(f("two million"), f("2 million"));
        assert_eq!(f("one billion stg"), f("1 billion stg"));
        assert!(tokens("five").iter().all(|t| t.number && t.slot && !t.key));
        // A lone `one` is a function word; hyphenated words that are not numbers stay words.
        assert_eq!(f("one"), [h("w:one")]);
        assert_eq!(f("one-third"), [h("w:one"), h("w:third")]);
        assert_eq!(number_word("ninety-nine"), Some(99.0));
        // Every number from two to ninety-nine, through the early return.
        let (units, tens) = (UNITS, TENS);
        for n in 2..100usize {
            let w = match (n < 20, n % 10) {
                (true, _) => units[n].to_string(),
                (false, 0) => tens[n / 10].to_string(),
                (false, u) => format!("{}-{}", tens[n / 10], units[u]),
            };
            assert_eq!(number_word(&w), Some(n as f64), "{w}");
        }
        // In front of a hyphenated word, as figures are (`5-year`, `42-year-old`).
        assert_eq!(f("a five-year deal"), f("a 5-year deal"));
        assert_eq!(f("forty-two-year-old"), f("42-year-old"));
        assert_eq!(f("two-thirds"), [h("#2"), h("w:third")]);
        // Multipliers chain, `hundred` among them.
        assert_eq!(f("two hundred"), f("200"));
        assert_eq!(f("five hundred million"), f("500 million"));
        assert_eq!(f("1.5 hundred thousand"), f("150,000"));
        for w in [
            "one",
            "twenty-ten",
            "hundred",
            "fifty-",
            "-five",
            "zero",
            "tenth",
        ] {
            assert_eq!(number_word(w), None, "{w}");
        }
    }

    #[test]
    fn words_names_and_hyphens() {
        let t = tokens("ISIS-K claimed the attack on Crocus City Hall. Officials said");
        let keys: Vec<(u64, bool)> = t.iter().map(|x| (x.feature, x.key)).collect();
        assert_eq!(
            keys,
            [
                (h("w:isis-k"), false), // sentence-initial: not a name
                (h("w:isis"), false),
                (h("w:claim"), false),
                (h("w:the"), false),
                (h("w:attack"), false),
                (h("w:on"), false),
                (h("w:crocus"), true),
                (h("w:city"), true),
                (h("w:hall"), true),
                (h("w:official"), false),
                (h("w:said"), false),
            ]
        );
        let t = tokens("a well-known Putin’s plan on Monday");
        let f: Vec<u64> = t.iter().map(|x| x.feature).collect();
        assert_eq!(
            f,
            [
                h("w:a"),
                h("w:well"),
                h("w:known"),
                h("w:putin"),
                h("w:plan"),
                h("w:on"),
                h("w:monday")
            ]
        );
        assert!(
            t[3].key && !t[6].key,
            "Putin is a name, Monday is not a key"
        );
    }

    #[test]
    fn rare_sentence_initial_words_are_names() {
        // The subject of a wire note comes first: a word rarer than Zipf 3 in general
        // English is a name there; a common word opening the sentence is not.
        let key = |text: &str, w: &str| {
            tokens(text)
                .iter()
                .find(|t| t.feature == h(w))
                .map(|t| (t.key, t.slot))
        };
        let note = "Comerica Inc said it raised its prime rate to 7.75 pct.";
        assert_eq!(key(note, "w:comerica"), Some((true, true)));
        let market = "Shares of Northern Trust rose. Officials said trading was heavy.";
        assert_eq!(key(market, "w:shar"), Some((false, false))); // "shares", stemmed
        assert_eq!(key(market, "w:official"), Some((false, false)));
        assert_eq!(key(market, "w:northern"), Some((true, true)));
        // A stopword never becomes a name, however it is spelled.
        assert_eq!(key("The bank said.", "w:the"), Some((false, false)));
    }

    #[test]
    fn figures_with_commas_as_with_new_strings() {
        // `number_value` as first written, with a collected list of groups and a new
        // string for the figure.
        let reference = |raw: &str| {
            let v = raw.trim_start_matches('$');
            let v = ["st", "nd", "rd", "th", "s"]
                .iter()
                .find_map(|s| v.strip_suffix(s))
                .unwrap_or(v);
            let v = v.trim_end_matches(['.', ',']);
            if !v.contains(',') {
                return v.parse::<f64>().ok().filter(|x| x.is_finite());
            }
            let (int, frac) = match v.split_once('.') {
                Some((i, f)) => (i, Some(f)),
                None => (v, None),
            };
            let groups: Vec<&str> = int.split(',').collect();
            let thousands = groups.len() > 1
                && (1..=3).contains(&groups[0].len())
                && groups[1..].iter().all(|g| g.len() == 3)
                && frac.is_none_or(|f| !f.is_empty() && !f.contains(','));
            let v = if thousands {
                v.replace(',', "")
            } else {
                v.replace(',', ".")
            };
            v.parse::<f64>().ok().filter(|x| x.is_finite())
        };
        let long = format!("{}5", "1,000".repeat(20));
        for raw in [
            "2,200",
            "$2,200",
            "1,000,000",
            "1,00,0",
            "3,5",
            "12,5",
            "1,234.5",
            "1,234.5,6",
            "1,234.",
            "1,2345",
            "1234,567",
            ",5",
            "2,200s",
            "1,000th",
            "0,5",
            "1.2.3",
            "7",
            "1,000,000,000,000,000,000,000",
            &long,
        ] {
            assert_eq!(
                number_value(raw).map(f64::to_bits),
                reference(raw).map(f64::to_bits),
                "{raw}"
            );
        }
    }

    #[test]
    fn apostrophes_and_possessives_are_dropped() {
        for (with, without) in [
            ("don't", "dont"),
            ("Putin’s plan", "Putin plan"),
            ("Putin's plan", "Putin plan"),
            ("rock’n’roll", "rocknroll"),
            ("o’clock’s", "oclock"),
            ("dollars' worth", "dollars worth"),
            ("ISIS-K’s claim", "ISIS-K claim"),
        ] {
            assert_eq!(tokens(with), tokens(without), "{with}");
        }
    }

    #[test]
    fn reused_scratch_gives_the_tokens_of_a_fresh_one() {
        let units = [
            "Officials said 2.5 billion dollars' worth of aid – ISIS-K’s claim – was sent.",
            "It's the 1980s; $2,200 rose 7-3/4 pct to 3 mln.",
            "a well-known Putin’s plan on Monday",
            "",
            "Comerica Inc said it raised its prime rate.",
        ];
        let (mut scratch, mut out) = (TokenScratch::default(), Vec::new());
        for u in units {
            out.clear();
            tokens_into(u, &mut out, &mut scratch);
            assert_eq!(out, tokens(u), "{u}");
        }
        let mut norm = Vec::new();
        for u in units {
            assert_eq!(unit_key_with(u, &mut norm), unit_key(u));
        }
    }

    #[test]
    fn the_word_cache_changes_no_token() {
        let mut texts: Vec<String> = [
            "Officials said 2.5 billion dollars' worth of aid – ISIS-K’s claim – was sent.",
            "It's the 1980s; $2,200 rose 7-3/4 pct to 3 mln. Comerica Inc said it raised.",
            "SEPTEMBER 1987 and Sept 3, for May shipment; prices May rise. Jan Smith said on \
             Feb 26 that Monday's Mln BILLION thousand The THE the Today.",
            "Shares of Northern Trust rose. Officials said trading was heavy. May 5",
            "Supercalifragilisticexpialidocious antidisestablishmentarianisms Agencies",
            "Fourteen of those passengers and two crew; one million dlrs, one said, Twenty-five",
            "A five-year deal, Forty-two-year-old, two hundred thousand, Hundred Hundreds",
            "1.2.3 and 3.5 then 3.5 billion, 1,000,000 or 1,00,0 at 12th, 0.000001 and \
             123456789012345678901 vs 7 7 7 $7 7s 2.50 2.5 Mln 2.5 mln 1980s 1980",
            "5 hundred, 2 Hundred thousand, 7 hundreds, 40 Hundred-strong",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds");
        for entry in std::fs::read_dir(seeds).into_iter().flatten().flatten() {
            texts.extend(std::fs::read_to_string(entry.path()));
        }
        assert!(texts.len() > 5, "the seed fixtures were read");
        let mut scratch = TokenScratch::default();
        // Twice over: a cold cache, then a warm one whose slots other words filled.
        for _ in 0..2 {
            for t in &texts {
                for unit in split_units(t) {
                    let (mut cached, mut plain) = (Vec::new(), Vec::new());
                    tokens_into_cached(unit, &mut cached, &mut scratch, true);
                    tokens_into_cached(unit, &mut plain, &mut scratch, false);
                    assert_eq!(cached, plain, "{unit}");
                }
            }
        }
    }

    #[test]
    fn sentence_initial_by_bytes_as_by_characters() {
        for text in [
            "",
            "Acme",
            "said. Acme",
            "said.  \"Acme",
            "said:\t(Acme",
            "said \u{201c}Acme",
            "said. \u{2018}Acme",
            "caf\u{e9} Acme",
            "\u{e9}. Acme",
            "x\u{201d} Acme",
            "a;Acme",
            "The Acme",
            "(Acme",
            "\u{201c}Acme",
            "said!\u{201c} 'Acme",
        ] {
            let start = text.rfind("Acme").unwrap_or(0);
            assert_eq!(
                sentence_initial(text, start),
                sentence_initial_chars(&text[..start]),
                "{text}"
            );
        }
    }

    #[test]
    fn cached_rarity_is_rare_word() {
        // `WordInfo::of` reads a capitalised word's rarity off its stem's background
        // handle instead of calling `rare_word`: the same answer for every kind of word.
        let mut key = String::new();
        for w in [
            "Comerica",
            "Amrozi",
            "Shares",
            "Officials",
            "Northern",
            "The",
            "May",
            "Agencies",
            "Classes",
            "Reporting",
            "Zzqxj",
            "Billion",
            "Fourteen",
            "One",
            "Monday",
            "Houses",
            "comerica",
            "shares",
        ] {
            let info = WordInfo::of(w, &mut key);
            let lower = w.to_ascii_lowercase();
            let want = w.as_bytes()[0].is_ascii_uppercase() && rare_word(&lower);
            assert_eq!(info.rare, want, "{w}");
        }
    }

    /// [`split_units`] as first written, on `str::split` and `str::trim`.
    fn split_units_reference(text: &str) -> Vec<&str> {
        let lines: Vec<&str> = text.split('\n').collect();
        let (mut nonblank, mut wrapped_lines) = (0usize, 0usize);
        for l in lines.iter().filter(|l| !l.trim().is_empty()) {
            nonblank += 1;
            if (45..=80).contains(&l.chars().count()) {
                wrapped_lines += 1;
            }
        }
        if !(nonblank >= 4 && wrapped_lines * 10 >= nonblank * 6) {
            return lines
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect();
        }
        let (mut units, mut start, mut offset, mut prev_blank) = (Vec::new(), 0, 0, false);
        for (i, line) in lines.iter().enumerate() {
            let blank = line.trim().is_empty();
            if i > 0 && (prev_blank || line.starts_with([' ', '\t'])) && !blank {
                units.push(text[start..offset].trim());
                start = offset;
            }
            prev_blank = blank;
            offset += line.len() + 1;
        }
        units.push(text[start..].trim());
        units.retain(|u| !u.is_empty());
        units
    }

    proptest::proptest! {
        #[test]
        fn units_follow_the_definition(
            lines in proptest::collection::vec("[ \t]?[a-c é\u{a0}\u{2003}\r]{0,90}", 0..12),
            wrap in 40usize..90,
        ) {
            // Lines of any length, and the same words wrapped at `wrap` characters (most
            // lines 45–80 characters: hard-wrapped text, split into paragraphs).
            let text = lines.join("\n");
            proptest::prop_assert_eq!(split_units(&text), split_units_reference(&text));
            let words = text.replace('\n', " ");
            let mut wrapped = String::new();
            for (i, c) in words.chars().enumerate() {
                wrapped.push(c);
                if i % wrap == wrap - 1 {
                    wrapped.push('\n');
                }
            }
            proptest::prop_assert_eq!(split_units(&wrapped), split_units_reference(&wrapped));
            for l in text.split('\n') {
                proptest::prop_assert_eq!(trim(l), l.trim());
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn word_words_and_length_give_back_words_of_up_to_16_bytes(w in "[a-d0-9$]{1,16}") {
            // The bytes, read back from the two integers as `word_words` packed them.
            let (lo, hi) = word_words(w.as_bytes());
            let n = w.len();
            let mut back = vec![0u8; n];
            let (a, b) = (lo.to_le_bytes(), hi.to_le_bytes());
            match n {
                1..=3 => {
                    back[n - 1] = a[0];
                    back[n / 2] = a[1];
                    back[0] = a[2];
                }
                4..=7 => {
                    back[n - 4..].copy_from_slice(&b[..4]);
                    back[..4].copy_from_slice(&a[..4]);
                }
                _ => {
                    back[n - 8..].copy_from_slice(&b);
                    back[..8].copy_from_slice(&a);
                }
            }
            proptest::prop_assert_eq!(back, w.as_bytes());
        }
    }

    #[test]
    fn units_are_lines_or_wrapped_paragraphs() {
        assert_eq!(split_units("a\n\n b \nc"), ["a", "b", "c"]);
        let line = "x".repeat(60);
        let wrapped = format!("{line}\n{line}\n\n{line}\n    {line}\n{line}");
        let units = split_units(&wrapped);
        assert_eq!(units.len(), 3, "{units:?}");
        assert_eq!(units[0], format!("{line}\n{line}"));
    }

    /// [`unit_key`] by its definition: words split at Unicode whitespace, filtered,
    /// lowercased, digit runs masked, joined.
    fn unit_key_reference(u: &str) -> (u64, usize) {
        let words: Vec<String> = u
            .split_whitespace()
            .map(|w| {
                let w: String = w
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == '_')
                    .flat_map(char::to_lowercase)
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect();
                let mut masked = String::new();
                for c in w.chars() {
                    if !(c == '#' && masked.ends_with('#')) {
                        masked.push(c);
                    }
                }
                masked
            })
            .filter(|w| !w.is_empty())
            .collect();
        (xxh3_64(words.join(" ").as_bytes()), words.len())
    }

    proptest::proptest! {
        #[test]
        fn ascii_unit_keys_follow_the_definition(
            u in "[a-cA-C0-9_#., \t\n\x0b\x0c\r'-]{0,40}",
        ) {
            // One buffer for every case, as a document's units share one: what an
            // earlier, longer unit left in it must not show.
            thread_local! {
                static NORM: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::default();
            }
            let got = NORM.with(|n| unit_key_with(&u, &mut n.borrow_mut()));
            proptest::prop_assert_eq!(got, unit_key_reference(&u), "{:?}", u);
        }
    }

    #[test]
    fn ascii_unit_keys_equal_the_unicode_path() {
        // The byte-wise ASCII path and the char-wise path for other text must both give
        // the definition.
        let reference = unit_key_reference;
        for u in [
            "Share THIS  article\ton\x0bFacebook!",
            " -- 2,200 dlrs_x \r\n",
            "a - b",
            "",
            "Zürich Öl-Preis",
            "Top 51.50 dlrs, 2,200 cwt and 7x9",
            "Zürich: 51.50 Fr. und 7x9",
        ] {
            assert_eq!(unit_key(u), reference(u), "{u:?}");
        }
    }

    #[test]
    fn unit_keys_ignore_case_and_punctuation() {
        assert_eq!(unit_key("Source link!"), unit_key("source   LINK"));
        // and figures: the same note of another day is the same line.
        assert_eq!(
            unit_key("Hog prices opened 1.00 dlr higher. Top 51.50 dlrs."),
            unit_key("Hog prices opened 0.50 dlr higher. Top 52 dlrs.")
        );
        assert_ne!(unit_key("Top 5 dlrs"), unit_key("Top dlrs"));
        assert_eq!(unit_key("Share: on - Facebook").1, 3);
    }

    #[test]
    fn capitalised_month_names_date_a_token() {
        let months = |t: &str| -> Vec<u8> {
            tokens(t)
                .iter()
                .map(|t| t.month)
                .filter(|&m| m > 0)
                .collect()
        };
        assert_eq!(months("Pay March 31 Record March 16"), [3, 3]);
        assert_eq!(months("for late May/early June shipment"), [5, 6]);
        assert_eq!(months("tender for May 5 shipment, then 12 May"), [5, 5]);
        assert_eq!(
            months("prices May rise, officials may say"),
            Vec::<u8>::new()
        );
        assert_eq!(months("Jan Smith said on Feb 26"), [2]);
        assert_eq!(
            months("protesters march on the capital in december"),
            Vec::<u8>::new()
        );
        assert_eq!(months("SEPTEMBER 1987 and Sept 3"), [9, 9]);
        // A month is still a feature of its own, never a key entity.
        let t = tokens("Shipment in April");
        assert!(t.iter().all(|t| !t.key));
        assert_eq!(t.last().map(|t| t.feature), Some(word_hash("april")));
    }
}
