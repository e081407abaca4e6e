//! The stored form of a rewrite [`Profile`].
//!
//! The pre-ingest filter remembers articles across runs, but not their texts: to score a
//! new article against one it saw yesterday, its index keeps each article's profile
//! (weighted features, key entities, lead months and clock times, frame sketch), about
//! 3 KB. This is that record's byte layout: little-endian, a version byte first, each list
//! behind its length. Records of the previous layout (without clock times) still read, as
//! leads that name no time: an index written by an earlier build keeps working.
//! Decoding checks every length against the bytes it has, so a damaged record is an error
//! naming what is wrong, never a panic or a profile read past its end. Weights are stored
//! as `f64`, bit for bit: a stored profile scores exactly as the one built in memory
//! alone (what the index builds). Which frames are the corpus's template wording
//! ([`Frames::common`]) depends on the corpus, so it is not stored: a decoded profile has
//! none.

use super::clock::ClockTimes;
use super::{Fingerprint, Frames, Profile};

/// Layout version, the first byte of every record.
const VERSION: u8 = 2;
/// The layout before clock times, still read.
const VERSION_NO_CLOCK: u8 = 1;
/// Layout version of a stored [`Fingerprint`].
const FINGERPRINT_VERSION: u8 = 3;
/// The fingerprint layout before clock times, still read.
const FINGERPRINT_VERSION_NO_CLOCK: u8 = 2;

/// Appends the stored form of a profile to `out`.
///
/// ```
/// use neardup::pipeline::rewrite_profiles;
/// use neardup::rewrite::{codec, RewriteParams};
/// let p = &rewrite_profiles(&["Gunmen killed 137 people at Crocus City Hall."], &RewriteParams::default())[0];
/// let mut bytes = Vec::new();
/// codec::encode(p, &mut bytes);
/// assert_eq!(&codec::decode(&bytes).unwrap(), p);
/// ```
pub fn encode(p: &Profile, out: &mut Vec<u8>) {
    out.push(VERSION);
    weighted(out, &p.features);
    len(out, p.kinds.len());
    out.extend_from_slice(&p.kinds);
    weighted(out, &p.top);
    encode_tail(
        out,
        &p.keys,
        p.dropped_share,
        (p.months, p.clocks),
        &p.frames,
    );
}

/// The parts a profile and a fingerprint share, last in both records.
fn encode_tail(
    out: &mut Vec<u8>,
    keys: &[(u64, f64)],
    dropped_share: f64,
    (months, clocks): (u16, ClockTimes),
    frames: &Frames,
) {
    weighted(out, keys);
    out.extend_from_slice(&dropped_share.to_le_bytes());
    out.extend_from_slice(&months.to_le_bytes());
    out.extend_from_slice(&clocks.0.to_le_bytes());
    out.extend_from_slice(&(frames.count as u64).to_le_bytes());
    len(out, frames.sketch.len());
    for h in &frames.sketch {
        out.extend_from_slice(&h.to_le_bytes());
    }
}

/// Appends the stored form of a fingerprint to `out`.
pub fn encode_fingerprint(fp: &Fingerprint, out: &mut Vec<u8>) {
    out.push(FINGERPRINT_VERSION);
    len(out, fp.terms.len());
    for &(f, tf, bg, bits) in &fp.terms {
        out.extend_from_slice(&f.to_le_bytes());
        out.extend_from_slice(&tf.to_le_bytes());
        out.extend_from_slice(&bg.to_le_bytes());
        out.push(bits);
    }
    out.extend_from_slice(&fp.tokens.to_le_bytes());
    encode_tail(
        out,
        &fp.keys,
        fp.dropped_share,
        (fp.months, fp.clocks),
        &fp.frames,
    );
}

/// Reads a fingerprint back from its stored form, or says what is wrong with the bytes.
pub fn decode_fingerprint(bytes: &[u8]) -> Result<Fingerprint, String> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.take(1)?[0];
    if version != FINGERPRINT_VERSION && version != FINGERPRINT_VERSION_NO_CLOCK {
        return Err(format!(
            "fingerprint layout {version} is not {FINGERPRINT_VERSION}"
        ));
    }
    let n = r.len(21)?;
    let terms = (0..n)
        .map(|_| {
            let f = u64::from_le_bytes(r.array()?);
            let tf = u32::from_le_bytes(r.array()?);
            let bg = f64::from_le_bytes(r.array()?);
            Ok((f, tf, bg, r.take(1)?[0]))
        })
        .collect::<Result<_, String>>()?;
    let tokens = u32::from_le_bytes(r.array()?);
    let (keys, dropped_share, (months, clocks), frames) =
        r.tail("fingerprint", version == FINGERPRINT_VERSION)?;
    Ok(Fingerprint {
        terms,
        tokens,
        keys,
        months,
        clocks,
        frames,
        dropped_share,
    })
}

/// A list length. Profiles hold far fewer than 2³² entries (a feature per distinct word).
fn len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn weighted(out: &mut Vec<u8>, list: &[(u64, f64)]) {
    len(out, list.len());
    for (f, w) in list {
        out.extend_from_slice(&f.to_le_bytes());
        out.extend_from_slice(&w.to_le_bytes());
    }
}

/// Reads a profile back from its stored form, or says what is wrong with the bytes.
pub fn decode(bytes: &[u8]) -> Result<Profile, String> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.take(1)?[0];
    if version != VERSION && version != VERSION_NO_CLOCK {
        return Err(format!("profile layout {version} is not {VERSION}"));
    }
    let features = r.weighted()?;
    let n = r.len(1)?;
    let kinds = r.take(n)?.to_vec();
    let top = r.weighted()?;
    let (keys, dropped_share, (months, clocks), frames) = r.tail("profile", version == VERSION)?;
    Ok(Profile {
        features,
        top,
        keys,
        kinds,
        dropped_share,
        months,
        clocks,
        frames,
    })
}

/// Key entities, dropped share, months and clock times, and frames: the end of both
/// records.
type Tail = (Vec<(u64, f64)>, f64, (u16, ClockTimes), Frames);

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| format!("profile cut short at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// A list length whose entries of `size` bytes must fit in what is left.
    fn len(&mut self, size: usize) -> Result<usize, String> {
        let n = u32::from_le_bytes(self.array()?) as usize;
        if n.saturating_mul(size) > self.bytes.len() - self.at {
            return Err(format!("a list of {n} entries runs past the profile's end"));
        }
        Ok(n)
    }

    /// What [`encode_tail`] wrote, which must end the record (`what` names it); without
    /// `clocks`, what the layout before clock times wrote.
    fn tail(&mut self, what: &str, clocks: bool) -> Result<Tail, String> {
        let keys = self.weighted()?;
        let dropped_share = f64::from_le_bytes(self.array()?);
        let months = u16::from_le_bytes(self.array()?);
        let clocks = if clocks {
            ClockTimes(u64::from_le_bytes(self.array()?))
        } else {
            ClockTimes::NONE
        };
        let count = usize::try_from(u64::from_le_bytes(self.array()?))
            .map_err(|_| "frame count out of range".to_string())?;
        let n = self.len(8)?;
        let sketch = (0..n)
            .map(|_| self.array().map(u64::from_le_bytes))
            .collect::<Result<_, _>>()?;
        if self.at != self.bytes.len() {
            return Err(format!(
                "{} bytes after the {what}",
                self.bytes.len() - self.at
            ));
        }
        Ok((
            keys,
            dropped_share,
            (months, clocks),
            Frames {
                sketch,
                count,
                common: 0,
            },
        ))
    }

    fn weighted(&mut self) -> Result<Vec<(u64, f64)>, String> {
        let n = self.len(16)?;
        (0..n)
            .map(|_| {
                let f = u64::from_le_bytes(self.array()?);
                Ok((f, f64::from_le_bytes(self.array()?)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::rewrite_profiles;
    use crate::rewrite::RewriteParams;
    use proptest::prelude::*;

    fn seeds() -> Vec<Profile> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("seeds")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        let texts: Vec<String> = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("seed"))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        rewrite_profiles(&refs, &RewriteParams::default())
    }

    #[test]
    fn real_profiles_read_back_bit_for_bit_and_score_the_same() {
        let profiles = seeds();
        let p = RewriteParams::default();
        let back: Vec<Profile> = profiles
            .iter()
            .map(|x| {
                let mut bytes = Vec::new();
                encode(x, &mut bytes);
                assert!(bytes.len() < 8_000, "{}", bytes.len());
                decode(&bytes).expect("decode")
            })
            .collect();
        assert_eq!(back, profiles);
        let s = crate::rewrite::score::score(&back[0], &back[1], &p);
        assert_eq!(
            s,
            crate::rewrite::score::score(&profiles[0], &profiles[1], &p)
        );
    }

    #[test]
    fn records_of_the_layout_before_clock_times_still_read() {
        let mut profile = seeds()[1].clone();
        profile.clocks = crate::rewrite::clock::clock_times("at 1100 hrs cdt");
        let mut bytes = Vec::new();
        encode(&profile, &mut bytes);
        // The earlier layout: no clock word before the frame count, sketch length and sketch.
        let at = bytes.len() - 8 * profile.frames.sketch.len() - 4 - 8 - 8;
        let mut old = [&bytes[..at], &bytes[at + 8..]].concat();
        old[0] = VERSION_NO_CLOCK;
        let back = decode(&old).expect("old layout");
        assert_eq!(back.clocks, ClockTimes::NONE);
        assert_eq!(
            Profile {
                clocks: profile.clocks,
                ..back
            },
            profile
        );
        assert!(decode(&bytes[..at + 4]).is_err());
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let mut bytes = Vec::new();
        encode(&seeds()[2], &mut bytes);
        // Every truncation, a byte too many, another version, a length past the end.
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "cut at {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).unwrap_err().contains("after the profile"));
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert!(decode(&bad).unwrap_err().contains("layout 9"));
        let mut huge = bytes;
        huge[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("runs past"));
    }

    #[test]
    fn a_fingerprint_reads_back_and_weights_as_its_profile() {
        use crate::rewrite::{DocUnits, Fingerprint, Stats};
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/seeds/001_9716e52682f1baaa.txt"
        ))
        .expect("seed");
        let p = RewriteParams::default();
        let doc = DocUnits::parse(&text);
        let counts = doc.term_counts();
        let stats = Stats::new(std::slice::from_ref(&counts), &p);
        let profile = Profile::build(&doc, &stats, &p);
        let fp = Fingerprint::of(&doc, &profile);
        let mut bytes = Vec::new();
        encode_fingerprint(&fp, &mut bytes);
        let back = decode_fingerprint(&bytes).expect("decode");
        assert_eq!(back, fp);
        // Weighted under the same statistics, it is the profile again.
        let again = back.profile(&stats.size(), |_| 1, &p);
        assert_eq!(again, profile);
        for n in 0..bytes.len() {
            assert!(decode_fingerprint(&bytes[..n]).is_err(), "cut at {n}");
        }
    }

    proptest! {
        #[test]
        fn any_profile_round_trips(
            features in proptest::collection::vec((any::<u64>(), any::<f64>()), 0..40),
            kinds in proptest::collection::vec(any::<u8>(), 0..40),
            keys in proptest::collection::vec((any::<u64>(), any::<f64>()), 0..4),
            dropped_share in any::<f64>(),
            months in any::<u16>(),
            clocks in any::<u64>(),
            sketch in proptest::collection::vec(any::<u64>(), 0..70),
            count in any::<u32>(),
        ) {
            let p = Profile {
                top: features.iter().take(5).copied().collect(),
                features,
                keys,
                kinds,
                dropped_share,
                months,
                clocks: ClockTimes(clocks),
                frames: Frames {
                    sketch,
                    count: count as usize,
                    common: 0,
                },
            };
            let mut bytes = Vec::new();
            encode(&p, &mut bytes);
            let back = decode(&bytes).expect("decode");
            // Bit for bit, NaN weights included.
            let bits = |x: &Profile| {
                let mut b = Vec::new();
                encode(x, &mut b);
                b
            };
            prop_assert_eq!(bits(&back), bytes);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }
    }
}
