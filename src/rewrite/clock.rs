//! Clock times named in a text: two leads that give the hour of their report in one time
//! zone and share none are two reports.
//!
//! Markets and agencies publish the same template many times a day: a soybean spread table
//! "1000 hrs cdt" and the same table "1100 hrs cdt" with other figures, cash beef prices at
//! "NOON CDT" and at the "CLOSE CDT". They share most of their wording, their figures differ
//! only a little, and the month (the other dating signal, [`super::score::month_conflict`])
//! is the same. A clock time is rarely ambiguous when it carries a qualifier, so only
//! qualified times are read: `1805 EST`, `0620 hrs`, `9:40 A.M.`, `4.15 P.M. (0715 GMT)`,
//! `1900gmt`, `noon gmt`, `CLOSE CDT`. A bare number is never a time (`1,250 hours`, `24
//! hours`, `15 ct` are not), nor is `close` without a zone.
//!
//! A market's reports name their session in words more often than in hours: "at
//! midsession", "closed 1-3/4 cents higher", the LME's "morning ring" and "afternoon ring".
//! Those are read without a zone, only from a market's phrases and only in a text that
//! names a market (futures, prices, stocks, trading, …): "the plant closed 10 years ago" and "freed the
//! passengers at midday" name no session. Leads that name sessions and none in common
//! conflict at any length ([`ClockTimes::sessions_conflict`]); a session both name counts
//! as one time of day, zoned or not.
//!
//! The times of a text are a [`ClockTimes`] bit set: half-hour slots of the day, three
//! session marks (open, midsession, close) and the zones they were given in. A rewrite that
//! converts a time to another zone (`1500 GMT` as `11 a.m. EDT`) names no zone in common,
//! so it never conflicts; within one zone two times conflict only when more than half an
//! hour apart, so `7:58 p.m.` and `8 p.m.` are one time.

/// How much of a document is its lead for clock times: the units its first 50 tokens
/// overlap (as [`super::RewriteParams::lead_tokens`] by default for months and key
/// entities; fixed here because the times are read as the text is split, before any
/// parameter applies).
pub const LEAD_TOKENS: usize = 50;

use super::features::{self, Token};
use std::sync::OnceLock;

/// The clock times a text names, as a bit set: bits 0–47 the half-hour slots of the day,
/// 48–50 the session marks, 51–63 the zones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockTimes(pub u64);

const SLOTS: u64 = (1 << 48) - 1;
const OPEN: u64 = 1 << 48;
const MIDSESSION: u64 = 1 << 49;
const CLOSE: u64 = 1 << 50;
const MARKS: u64 = OPEN | MIDSESSION | CLOSE;
const ZONE_SHIFT: u32 = 51;
/// A desk time with no zone (`0620 hrs`).
const UNZONED: u8 = 0;
/// `local time`.
const LOCAL: u8 = 1;

impl ClockTimes {
    /// No time named.
    pub const NONE: Self = ClockTimes(0);

    /// Whether no time is named.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets hold times in a zone they share, and no time of one is within half an
    /// hour of a time of the other, nor a session mark in common: two reports of one
    /// template at other hours.
    ///
    /// ```
    /// use neardup::rewrite::clock::clock_times;
    /// let ten = clock_times("1000 hrs cdt");
    /// assert!(ten.conflicts(clock_times("1100 hrs cdt")));
    /// assert!(!ten.conflicts(clock_times("1015 hrs cdt")));
    /// // Another zone, or no time at all, says nothing.
    /// assert!(!ten.conflicts(clock_times("1100 GMT")));
    /// assert!(!ten.conflicts(clock_times("soybean spreads")));
    /// assert!(clock_times("NOON CDT APRIL 7").conflicts(clock_times("CLOSE CDT APRIL 7")));
    /// ```
    pub fn conflicts(self, other: Self) -> bool {
        let zones = (self.0 & other.0) >> ZONE_SHIFT;
        if zones == 0 {
            return false;
        }
        let b = other.0 & SLOTS;
        let near_b = (b | (b << 1) | (b >> 1)) & SLOTS;
        self.0 & near_b == 0 && self.0 & other.0 & MARKS == 0
    }

    /// Both sets name market sessions (open, midsession, close), in any zone or none, and
    /// none in common: a market's report at midsession and its closing report, which
    /// repeat each other's wording with the later figures.
    ///
    /// ```
    /// use neardup::rewrite::clock::clock_times;
    /// let mid = clock_times("Spring wheat futures traded two cents higher at midsession");
    /// assert!(mid.sessions_conflict(clock_times("Spring wheat futures closed 1-3/4 cents higher")));
    /// assert!(!mid.sessions_conflict(clock_times("wheat futures were up at midday")));
    /// assert!(!mid.sessions_conflict(clock_times("the mill closed the plant")));
    /// ```
    pub fn sessions_conflict(self, other: Self) -> bool {
        let (a, b) = (self.0 & MARKS, other.0 & MARKS);
        a != 0 && b != 0 && a & b == 0
    }

    fn add(&mut self, time: u64, zone: u8) {
        self.0 |= time | 1 << (ZONE_SHIFT + u32::from(zone));
    }
}

impl std::ops::BitOr for ClockTimes {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        ClockTimes(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for ClockTimes {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

/// Zone abbreviations and their groups (summer and winter time are one group: reports a
/// season apart are told apart by their months), and `local` (`local time`). `ct`, `et`
/// and `pt` are left out: in news copy `15 ct` is a price.
const ZONES: [(&str, u8); 18] = [
    ("gmt", 2),
    ("utc", 2),
    ("bst", 3),
    ("cet", 4),
    ("cest", 4),
    ("est", 5),
    ("edt", 5),
    ("cst", 6),
    ("cdt", 6),
    ("mst", 7),
    ("mdt", 7),
    ("pst", 8),
    ("pdt", 8),
    ("jst", 9),
    ("hkt", 10),
    ("sgt", 11),
    ("msk", 12),
    ("local", LOCAL),
];

/// The zone group of a lowercase word ([`ZONES`]).
fn zone(word: &[u8]) -> Option<u8> {
    ZONES
        .iter()
        .find(|(z, _)| z.as_bytes() == word)
        .map(|&(_, g)| g)
}

/// The words a market session is read from without a zone ([`market_session`]).
const SESSION_WORDS: [&str; 14] = [
    "midsession",
    "midday",
    "mid-session",
    "midmorning",
    "ring",
    "open",
    "opening",
    "opened",
    "opens",
    "close",
    "closing",
    "closed",
    "closes",
    "finished",
];

/// Whether a unit whose tokens are `tokens` may name a time: every time read has a zone
/// word or `hrs` after it, each a token of its own (`1900gmt` too), or is a market
/// session read from a market's words (`midsession`, `closed`, `ring`, …). Reading the tokens the
/// tokeniser made already costs a small part of reading the text again, which is left to
/// the few units that pass.
pub fn may_name_time(tokens: &[Token]) -> bool {
    static QUALIFIERS: OnceLock<(u64, Vec<u64>)> = OnceLock::new();
    let (mask, features) = QUALIFIERS.get_or_init(|| {
        let features: Vec<u64> = ZONES
            .iter()
            .map(|&(z, _)| z)
            .chain(["hrs"])
            .chain(SESSION_WORDS)
            .flat_map(|w| features::tokens(w).into_iter().map(|t| t.feature))
            .collect();
        let mask = features.iter().fold(0, |m, f| m | 1 << (f >> 58));
        (mask, features)
    });
    tokens
        .iter()
        .any(|t| mask >> (t.feature >> 58) & 1 == 1 && features.contains(&t.feature))
}

/// The bit of the half-hour slot of `hour:minute`, if it is a time of day (`24:00` is
/// midnight).
fn slot(hour: u32, minute: u32) -> Option<u64> {
    (minute < 60 && (hour < 24 || (hour == 24 && minute == 0)))
        .then(|| 1 << ((hour % 24) * 2 + minute / 30))
}

/// A number as a clock reading: `h` / `hh` (`Short`, an hour that needs `a.m.`/`p.m.`),
/// `hmm` / `hhmm` (`Military`) or `h:mm` / `h.mm` (`Colon`), as (form, hour, minute).
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Short,
    Military,
    Colon,
}

fn reading(b: &[u8]) -> Option<(Form, u32, u32)> {
    let digits = |s: &[u8]| -> Option<u32> {
        (!s.is_empty() && s.iter().all(u8::is_ascii_digit))
            .then(|| s.iter().fold(0, |v, &d| v * 10 + u32::from(d - b'0')))
    };
    if let Some(sep) = b.iter().position(|&c| c == b':' || c == b'.') {
        let (h, m) = (&b[..sep], &b[sep + 1..]);
        if h.len() > 2 || m.len() != 2 {
            return None;
        }
        return Some((Form::Colon, digits(h)?, digits(m)?));
    }
    let v = digits(b)?;
    match b.len() {
        1 | 2 => Some((Form::Short, v, 0)),
        3 | 4 => Some((Form::Military, v / 100, v % 100)),
        _ => None,
    }
}

/// A word that may qualify a time, lowercased and without its dots (`P.M.` → `pm`).
#[derive(Clone, Copy)]
struct Qualifier {
    bytes: [u8; 10],
    len: usize,
}

impl Qualifier {
    /// `None` when the word has a character other than letters and dots, or is too long
    /// to be a qualifier or a session word.
    fn of(word: &[u8]) -> Option<Self> {
        let mut q = Qualifier {
            bytes: [0; 10],
            len: 0,
        };
        for &c in word.iter().filter(|&&c| c != b'.') {
            if q.len == q.bytes.len() || !c.is_ascii_alphabetic() {
                return None;
            }
            q.bytes[q.len] = c.to_ascii_lowercase();
            q.len += 1;
        }
        Some(q)
    }

    fn get(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Which bytes separate words: white space and brackets.
const SEPARATOR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_whitespace() || c == b'(' || c == b')';
        i += 1;
    }
    t
};

fn is_separator(c: u8) -> bool {
    SEPARATOR[usize::from(c)]
}

/// The most of one unit of the lead that is read: about the bytes of [`LEAD_TOKENS`]
/// words, so that a lead paragraph is not read to its end.
pub const LEAD_BYTES: usize = 512;

/// The clock times the start of a unit of the lead names: [`clock_times`] of its first
/// [`LEAD_BYTES`] bytes, cut after the last whole word.
pub fn lead_clock_times(unit: &str) -> ClockTimes {
    let b = unit.as_bytes();
    if b.len() <= LEAD_BYTES {
        return clock_times(unit);
    }
    // A separator is ASCII, so the cut is a character boundary.
    let cut = b[..LEAD_BYTES]
        .iter()
        .rposition(|&c| is_separator(c))
        .unwrap_or(0);
    clock_times(&unit[..cut])
}

/// The words of a text, without a trailing comma or semicolon. A plain loop over bytes:
/// every unit of every lead is read, and an iterator chain of `split`, `map` and `filter`
/// cost several times as much.
#[derive(Clone)]
struct Words<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let b = self.bytes;
        loop {
            while self.at < b.len() && is_separator(b[self.at]) {
                self.at += 1;
            }
            if self.at == b.len() {
                return None;
            }
            let start = self.at;
            while self.at < b.len() && !is_separator(b[self.at]) {
                self.at += 1;
            }
            let w = &b[start..self.at];
            let w = w.strip_suffix(b",").or(w.strip_suffix(b";")).unwrap_or(w);
            if !w.is_empty() {
                return Some(w);
            }
        }
    }
}

impl Words<'_> {
    /// The next word as a qualifier, without taking it.
    fn peek_qualifier(&self) -> Option<Qualifier> {
        self.clone().next().and_then(Qualifier::of)
    }
}

/// Words that say where a market report's price went: a session verb is a session only
/// with one of these after it (`closed higher`, `opened sharply lower`, `closed 1-3/4 to 3/4
/// cents higher`).
const DIRECTIONS: [&[u8]; 12] = [
    b"higher",
    b"lower",
    b"steady",
    b"steadier",
    b"firm",
    b"firmer",
    b"easier",
    b"mixed",
    b"unchanged",
    b"weaker",
    b"stronger",
    b"flat",
];

/// Words between a session verb and its direction (`opened sharply lower`).
const DEGREES: [&[u8]; 6] = [
    b"sharply",
    b"slightly",
    b"narrowly",
    b"quietly",
    b"about",
    b"around",
];

/// Words that make a text a market report, one of which a session phrase needs beside it:
/// "the plant closed 10 years ago" or "freed the passengers at midday" name no session.
const MARKET_WORDS: [&[u8]; 16] = [
    b"futures",
    b"prices",
    b"price",
    b"stocks",
    b"stock",
    b"shares",
    b"index",
    b"market",
    b"markets",
    b"trading",
    b"traded",
    b"traders",
    b"dealers",
    b"dealings",
    b"exchange",
    b"bourse",
];

/// Whether `text` names a market ([`MARKET_WORDS`]).
fn names_market(text: &str) -> bool {
    let words = Words {
        bytes: text.as_bytes(),
        at: 0,
    };
    words
        .filter_map(Qualifier::of)
        .any(|q| MARKET_WORDS.contains(&q.get()))
}

/// Whether the words after a session verb (`rest`) tell a price move: a direction, maybe
/// after a degree (`sharply lower`); `up`, `down` or `off` before a figure (`closed up
/// 22.81`); `at` before a figure (`closed at 2.85`); or a figure with a direction within
/// the next six words (`closed 1-3/4 to 3/4 cents higher`). Not `opened up its economy`,
/// `closed 10 years ago`, `closed about 200 branches`, `the door opened slightly`.
fn tells_move(rest: &Words) -> bool {
    let mut next = rest.clone();
    let figure = |w: Option<&[u8]>| w.is_some_and(|w| w[0].is_ascii_digit());
    let direction = |w: &[u8]| Qualifier::of(w).is_some_and(|q| DIRECTIONS.contains(&q.get()));
    let degree = |w: &[u8]| Qualifier::of(w).is_some_and(|q| DEGREES.contains(&q.get()));
    let Some(w) = next.by_ref().find(|w| !degree(w)) else {
        return false;
    };
    if w[0].is_ascii_digit() {
        return next.take(6).any(direction);
    }
    if direction(w) {
        return true;
    }
    match Qualifier::of(w) {
        Some(q) if matches!(q.get(), b"up" | b"down" | b"off" | b"at") => figure(next.next()),
        _ => false,
    }
}

/// The market session (a mark, else 0) that the word `w` (lowercase, no dots) names
/// without a zone, given the two words `before` it (as written) and the `rest` of the
/// text: a session word (`midsession`, `midday`), a phrase (`at the close`, `morning
/// ring`; not `at the close of the summit`), or a market's verb with a price move after it
/// ([`tells_move`]). The caller asks for a market word in the text too ([`names_market`]).
fn market_session(w: &[u8], raw: &[u8], before: [&[u8]; 2], rest: &Words) -> u64 {
    let is = |x: &[u8], word: &[u8]| x.eq_ignore_ascii_case(word);
    // `at the close`, `at the close of trading`; not `at the close of the summit`.
    let at_the = || {
        let mut next = rest.clone();
        is(before[0], b"at")
            && is(before[1], b"the")
            && (raw.ends_with(b".")
                || next.next().is_none_or(|n| !is(n, b"of"))
                || next.next().is_some_and(|t| {
                    [&b"trading"[..], b"business", b"dealings"]
                        .iter()
                        .any(|x| is(t.strip_suffix(b".").unwrap_or(t), x))
                }))
    };
    match w {
        b"midsession" | b"midday" | b"midmorning" => MIDSESSION,
        b"ring" if is(before[1], b"morning") => MIDSESSION,
        b"ring" if is(before[1], b"afternoon") => CLOSE,
        b"open" | b"opening" if at_the() => OPEN,
        b"close" | b"closing" if at_the() => CLOSE,
        b"opened" | b"opens" if tells_move(rest) => OPEN,
        b"closed" | b"closes" | b"finished" if tells_move(rest) => CLOSE,
        _ => 0,
    }
}

/// The clock times `text` names (see the module documentation for what is read).
pub fn clock_times(text: &str) -> ClockTimes {
    let mut out = ClockTimes::NONE;
    // Bytes, not characters: every word read is ASCII, and the others are skipped by
    // their first byte.
    let mut words = Words {
        bytes: text.as_bytes(),
        at: 0,
    };
    // The two words before this one, for the market sessions read from phrases (`at the
    // close`, `morning ring`).
    let (mut before, mut last): ([&[u8]; 2], &[u8]) = ([b""; 2], b"");
    // Whether the text names a market ([`names_market`]), read once, when a session phrase
    // is first met.
    let mut market: Option<bool> = None;
    while let Some(w) = words.next() {
        before = [before[1], std::mem::take(&mut last)];
        let first = w[0];
        if first.is_ascii_digit() {
            // The number, and letters glued to it (`1900gmt`, `10am`).
            let split = w
                .iter()
                .position(|&c| !(c.is_ascii_digit() || c == b':' || c == b'.'))
                .unwrap_or(w.len());
            let (num, glued) = w.split_at(split);
            let num = num.strip_suffix(b".").unwrap_or(num);
            let Some((form, hour, minute)) = reading(num) else {
                continue;
            };
            // The qualifier: the letters glued on, else the next word (taken only when
            // it makes a time: `12 noon EST` is read from `noon`).
            let glued_q = !glued.is_empty();
            let q = if glued_q {
                Qualifier::of(glued)
            } else {
                words.peek_qualifier()
            };
            let Some(q) = q else { continue };
            let (time, zoned) = match q.get() {
                b"am" | b"pm" if form != Form::Military && (1..=12).contains(&hour) => (
                    slot(hour % 12 + if q.get() == b"pm" { 12 } else { 0 }, minute),
                    None,
                ),
                b"hrs" if form != Form::Short => (slot(hour, minute), None),
                other if form != Form::Short => match zone(other) {
                    Some(z) => (slot(hour, minute), Some(z)),
                    None => continue,
                },
                _ => continue,
            };
            let Some(time) = time else { continue };
            if !glued_q {
                words.next();
            }
            if let Some(z) = zoned {
                out.add(time, z);
                continue;
            }
            // `1500 hrs EST`, `10 A.M. Local time`, `0620 hrs (0920 GMT)`: a zone right
            // after the qualifier is the time's own; a bracketed conversion is read as a
            // time of its own.
            let z = words.peek_qualifier().and_then(|n| zone(n.get()));
            if z.is_some() {
                words.next();
            }
            match z {
                Some(z) => out.add(time, z),
                // A desk time without a zone (`0620 hrs`) dates a report; `8 a.m. to 5
                // p.m.` without one is what a story tells (opening hours), not its time.
                None if q.get() == b"hrs" => out.add(time, UNZONED),
                None => {}
            }
        } else if first.is_ascii_alphabetic() {
            last = w;
            // Every session word starts with one of these letters and has 4 to 12 bytes
            // (`mid-session.`): most words of a lead are passed over here.
            if !matches!(first | 0x20, b'n' | b'm' | b'c' | b'o' | b'r' | b'f')
                || !(4..=12).contains(&w.len())
            {
                continue;
            }
            let bare = w.strip_suffix(b".").unwrap_or(w);
            if [&b"mid-session"[..], b"mid-day", b"mid-morning"]
                .iter()
                .any(|m| bare.eq_ignore_ascii_case(m))
            {
                if *market.get_or_insert_with(|| names_market(text)) {
                    out.0 |= MIDSESSION;
                }
                continue;
            }
            let Some(q) = Qualifier::of(w) else {
                continue;
            };
            let time = match q.get() {
                b"noon" | b"midday" => 1 << 24,
                b"midnight" => 1,
                b"open" | b"opening" => OPEN,
                b"midsession" => MIDSESSION,
                b"close" | b"closing" => CLOSE,
                _ => 0,
            };
            // A session word with a zone is a time (`CLOSE CDT`); without one it is a
            // time only in a market's phrases (`close` alone is an adjective).
            if time != 0 {
                if let Some(z) = words.peek_qualifier().and_then(|n| zone(n.get())) {
                    words.next();
                    out.add(time, z);
                    continue;
                }
            }
            let session = market_session(q.get(), w, before, &words);
            if session != 0 && *market.get_or_insert_with(|| names_market(text)) {
                out.0 |= session;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(text: &str) -> Vec<(u32, u32)> {
        let c = clock_times(text).0 & SLOTS;
        (0..48)
            .filter(|i| c >> i & 1 == 1)
            .map(|i| (i / 2, i % 2 * 30))
            .collect()
    }

    #[test]
    fn reads_qualified_times_of_wire_copy() {
        assert_eq!(
            slots("lifted off at 1805 EST from Cape Canaveral"),
            [(18, 0)]
        );
        assert_eq!(slots("at 1805 local time (2305 GMT)"), [(18, 0), (23, 0)]);
        assert_eq!(slots("convene at 1900gmt, they said"), [(19, 0)]);
        assert_eq!(slots("the tremor at 0620 hrs (0920 GMT)"), [(6, 0), (9, 0)]);
        assert_eq!(slots("struck at 9:40 A.M. (0040 GMT)"), [(0, 30)]);
        assert_eq!(slots("arrive at 4.15 P.M. (0715 GMT)."), [(7, 0)]);
        assert_eq!(
            slots("at 12:01 A.M. EST and 12 p.m. Local time"),
            [(0, 0), (12, 0)]
        );
        assert_eq!(slots("expired at 2400 EDT yesterday"), [(0, 0)]);
        assert_eq!(slots("at 10am GMT, 12 noon EST"), [(10, 0), (12, 0)]);
        assert_eq!(slots("from 8 a.m. to 5 p.m. through Sept. 9"), []);
        assert_eq!(clock_times("NOON CDT  APRIL 7").0 & SLOTS, 1 << 24);
    }

    #[test]
    fn unqualified_numbers_and_durations_are_not_times() {
        for text in [
            "operating for 1,250 hours before failing",
            "extend the meeting 24 hours",
            "a 15 ct shr gain, at 0.01 ct each",
            "1987 est. and 1985 est",
            "prices close to 10 pct, opening of talks",
            "quarter ended at 1000 dlrs",
            "at 99:99 gmt, 2575 EST, 13 p.m., ended 1, ;",
        ] {
            assert!(clock_times(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_long_unit_is_read_to_its_lead_only() {
        let unit = format!("{} at 1100 hrs cdt", "wheat ".repeat(100));
        assert!(clock_times(&unit).0 & SLOTS != 0);
        assert!(lead_clock_times(&unit).is_empty());
        assert_eq!(
            lead_clock_times(&format!("1000 hrs cdt {}", "é".repeat(400))),
            clock_times("1000 hrs cdt")
        );
    }

    #[test]
    fn units_that_may_name_a_time_are_told_by_their_tokens() {
        for text in [
            "1000 hrs cdt",
            "NOON CDT  APRIL 7",
            "convene at 1900gmt, they said",
            "at 10 A.M. Local time",
            "at 0620 HRS",
        ] {
            assert!(may_name_time(&features::tokens(text)), "{text}");
            assert!(!clock_times(text).is_empty(), "{text}");
        }
        assert!(!may_name_time(&features::tokens(
            "from 8 a.m. to 5 p.m., at 1000 dlrs, near noon"
        )));
        assert!(may_name_time(&features::tokens("wheat closed higher")));
    }

    #[test]
    fn market_sessions_are_read_from_a_market_s_phrases() {
        let marks = |text: &str| clock_times(text).0 & MARKS;
        for (text, mark) in [
            (
                "Spring wheat futures traded two cents higher at midsession",
                MIDSESSION,
            ),
            ("In mid-session trading the Dow was off 12", MIDSESSION),
            ("Stocks were mixed in trading at mid-session.", MIDSESSION),
            ("at midday, prices were unchanged", MIDSESSION),
            ("LME morning ring dealings in copper ended", MIDSESSION),
            ("LME afternoon ring dealings in copper ended", CLOSE),
            (
                "Spring wheat futures closed 1-3/4 to 3/4 cents higher",
                CLOSE,
            ),
            ("May wheat futures closed at 2.85-1/4 dlrs", CLOSE),
            ("the Dow index closed up 22.81 points", CLOSE),
            ("soybean futures were steady at the close.", CLOSE),
            ("prices were firm at the close of trading", CLOSE),
            ("stocks opened sharply lower", OPEN),
        ] {
            assert_eq!(marks(text), mark, "{text}");
        }
        for text in [
            // No market named.
            "gunmen opened fire on the crowd",
            "The plant, which closed 10 years ago",
            "Schumacher finished 2nd",
            "police freed 20 passengers at midday",
            "at the opening of parliament",
            // A market named, but no session.
            "the company closed the plant and opened talks on its shares",
            "prices close to 10 pct, opening of talks",
            "the ring of dealers closed ranks",
            "quarter ended at 1000 dlrs; stocks closed",
            "the stock exchange building closed 10 years ago",
            "Japan opened up its market to imports",
            "the bank, whose shares are traded, closed about 200 branches",
            "the door opened slightly as trading resumed",
            "at the close of the summit, markets rallied",
            "closed down the newspaper, traders said",
        ] {
            assert_eq!(marks(text), 0, "{text}");
        }
        let mid = clock_times("LME morning ring dealings in copper ended");
        assert!(mid.sessions_conflict(clock_times("LME afternoon ring dealings ended")));
        assert!(!mid.sessions_conflict(clock_times("copper at midsession was higher")));
        assert!(!mid.sessions_conflict(ClockTimes::NONE));
        assert!(!ClockTimes::NONE.sessions_conflict(ClockTimes::NONE));
    }

    #[test]
    fn zones_and_marks() {
        let t = clock_times("1500 hrs EST (2100 gmt)");
        assert!(!t.conflicts(clock_times("2100 GMT")));
        assert!(!t.conflicts(clock_times("3 p.m. EST")));
        assert!(t.conflicts(clock_times("1700 EDT")));
        // Unzoned desk times compare with unzoned desk times only.
        assert!(clock_times("0930 hrs").conflicts(clock_times("1100 hrs")));
        assert!(!clock_times("0930 hrs").conflicts(clock_times("1100 hrs GMT")));
        // Half an hour apart is one time; a mark matches only itself.
        assert!(!clock_times("7:58 p.m.").conflicts(clock_times("8 p.m.")));
        assert!(!clock_times("CLOSE CDT").conflicts(clock_times("closing cdt")));
        assert!(clock_times("OPEN CDT").conflicts(clock_times("CLOSE CDT")));
        assert!(!ClockTimes::NONE.conflicts(ClockTimes::NONE));
    }
}
