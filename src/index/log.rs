//! The two data files of an index and their crash-safe framing.
//!
//! - `log.N`: the record log, scanned in full when the index opens. An 8-byte magic, then one
//!   record per indexed article: `u32 length | u32 CRC-32 of the payload | payload`, all
//!   little-endian. The payload holds what the in-memory tables need (id, time, source, exact
//!   content hash, LSH band keys) and where the article's shingle set lives in `sets.N`, with
//!   the set's own CRC. About 200 bytes per article, so opening a million-article index
//!   reads ~200 MB instead of the gigabytes of shingle sets.
//! - `sets.N`: an 8-byte magic, then each article's sorted shingle-hash set (`u64`s) and,
//!   in an index with the rewrite tier, its rewrite fingerprint ([`crate::rewrite::Fingerprint`], stored by [`crate::rewrite::codec`])
//!   right after it; read back with positioned reads only when a candidate must be verified.
//!
//! Writers append the shingle sets first and the log records second, then fsync both; only
//! then are verdicts printed. After a crash the log may end in a torn record (a length
//! running past the end of the file, or a checksum that fails on the last record); it was
//! never acknowledged, and [`scan`] reports it as a torn tail for the writer to cut off. A bad
//! record *followed by a good one* cannot be a torn write: that is damage, reported as such.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::error::{IndexError, IndexResult};

/// First bytes of `log.N`.
pub const LOG_MAGIC: &[u8; 8] = b"NDUPLOG1";
/// First bytes of `sets.N`.
pub const SETS_MAGIC: &[u8; 8] = b"NDUPSET1";
/// Bytes before a record's payload: length and CRC.
const FRAME: usize = 8;
/// No record is larger: an id is at most 64 KiB and there are at most 65 536 band keys of
/// each tier.
const MAX_PAYLOAD: usize =
    1 + 8 + 4 + 4 + 16 + 8 + 8 + 2 + 65_535 + 4 + 8 * 65_536 + 8 + 4 + 4 + 4 + 8 * 65_536;
/// Payload kind of an article record.
const KIND_DOC: u8 = 1;
/// Payload kind of an article record with its rewrite fingerprint and rewrite band keys.
const KIND_DOC_REWRITE: u8 = 2;
/// Stored timestamp of an article without one.
const NO_TIME: i64 = i64::MIN;

/// What the log records about one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRecord<'a> {
    /// Byte offset of the article's shingle set in `sets.N`.
    pub set_offset: u64,
    /// Number of shingle hashes in the set.
    pub set_len: u32,
    /// CRC-32 of the set's bytes.
    pub set_crc: u32,
    /// Hash of the normalised token sequence (equal for exact duplicates).
    pub content_hash: u128,
    /// Publication time in Unix seconds, when the index has a time field.
    pub timestamp: Option<i64>,
    /// Hash of the source field's value, when one was given.
    pub source: Option<u64>,
    /// The article's id.
    pub id: &'a str,
    /// LSH band keys, little-endian `u64`s (empty for an article without tokens).
    pub keys: &'a [u8],
    /// In an index with the rewrite tier: where the article's rewrite fingerprint is and its
    /// rewrite band keys.
    pub rewrite: Option<RewriteRef<'a>>,
}

/// Where an article's rewrite fingerprint lives in `sets.N`, and its rewrite band keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewriteRef<'a> {
    /// Byte offset of the profile in `sets.N`.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u32,
    /// CRC-32 of its bytes.
    pub crc: u32,
    /// Rewrite-sketch band keys, little-endian `u64`s (empty when the article has no
    /// weighted feature).
    pub keys: &'a [u8],
}

impl RewriteRef<'_> {
    /// The rewrite band keys.
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        le_u64s(self.keys)
    }

    /// Where the fingerprint ends in `sets.N`.
    pub fn end(&self) -> Option<u64> {
        self.offset.checked_add(u64::from(self.len))
    }
}

impl DocRecord<'_> {
    /// The band keys.
    pub fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        le_u64s(self.keys)
    }

    /// Appends the framed record to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&[0; FRAME]);
        out.push(if self.rewrite.is_some() {
            KIND_DOC_REWRITE
        } else {
            KIND_DOC
        });
        out.extend_from_slice(&self.set_offset.to_le_bytes());
        out.extend_from_slice(&self.set_len.to_le_bytes());
        out.extend_from_slice(&self.set_crc.to_le_bytes());
        out.extend_from_slice(&self.content_hash.to_le_bytes());
        out.extend_from_slice(&self.timestamp.unwrap_or(NO_TIME).to_le_bytes());
        match self.source {
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&s.to_le_bytes());
            }
            None => out.push(0),
        }
        // Ids longer than 64 KiB are refused before they get here.
        out.extend_from_slice(&(self.id.len() as u16).to_le_bytes());
        out.extend_from_slice(self.id.as_bytes());
        out.extend_from_slice(&((self.keys.len() / 8) as u32).to_le_bytes());
        out.extend_from_slice(self.keys);
        if let Some(rw) = &self.rewrite {
            out.extend_from_slice(&rw.offset.to_le_bytes());
            out.extend_from_slice(&rw.len.to_le_bytes());
            out.extend_from_slice(&rw.crc.to_le_bytes());
            out.extend_from_slice(&((rw.keys.len() / 8) as u32).to_le_bytes());
            out.extend_from_slice(rw.keys);
        }
        let payload = &out[start + FRAME..];
        let len = payload.len() as u32;
        let crc = crc32fast::hash(payload);
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
        out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    }

    /// Decodes a payload whose checksum already matched.
    fn decode(p: &[u8]) -> Result<DocRecord<'_>, String> {
        let mut r = Cursor { p, at: 0 };
        let kind = r.take(1)?[0];
        if kind != KIND_DOC && kind != KIND_DOC_REWRITE {
            return Err("unknown record kind".into());
        }
        let set_offset = r.u64()?;
        let set_len = r.u32()?;
        let set_crc = r.u32()?;
        let content_hash = u128::from_le_bytes(r.take(16)?.try_into().map_err(|_| "short")?);
        let timestamp = Some(r.u64()? as i64).filter(|&t| t != NO_TIME);
        let source = match r.take(1)?[0] {
            0 => None,
            1 => Some(r.u64()?),
            _ => return Err("bad source flag".into()),
        };
        let id_len = u16::from_le_bytes(r.take(2)?.try_into().map_err(|_| "short")?);
        let id = std::str::from_utf8(r.take(id_len as usize)?).map_err(|_| "id is not UTF-8")?;
        let nkeys = r.u32()? as usize;
        let keys = r.take(nkeys.checked_mul(8).ok_or("too many keys")?)?;
        let rewrite = if kind == KIND_DOC_REWRITE {
            let offset = r.u64()?;
            let len = r.u32()?;
            let crc = r.u32()?;
            let n = r.u32()? as usize;
            let keys = r.take(n.checked_mul(8).ok_or("too many keys")?)?;
            Some(RewriteRef {
                offset,
                len,
                crc,
                keys,
            })
        } else {
            None
        };
        if r.at != p.len() {
            return Err("trailing bytes in record".into());
        }
        Ok(DocRecord {
            set_offset,
            set_len,
            set_crc,
            content_hash,
            timestamp,
            source,
            id,
            keys,
            rewrite,
        })
    }
}

struct Cursor<'a> {
    p: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.p.len());
        let end = end.ok_or_else(|| "record payload is too short".to_string())?;
        let s = &self.p[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "short")?,
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| "short")?,
        ))
    }
}

/// How a log scan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every byte belongs to a good record.
    Clean,
    /// The log ends in an unfinished or torn write at `offset`; nothing after it can have
    /// been acknowledged. Writers cut it off.
    Torn {
        /// Where the good records end.
        offset: u64,
        /// What was found there.
        what: String,
    },
    /// A bad record at `offset` is followed by good ones: the file is damaged.
    Damaged {
        /// Where the bad record starts.
        offset: u64,
        /// What is wrong with it.
        what: String,
    },
}

/// A framed record found at `at`: its payload, or why it is not a good record.
fn record_at(bytes: &[u8], at: usize) -> Result<(&[u8], usize), String> {
    let rest = bytes.len() - at;
    if rest < FRAME {
        return Err(format!("record header cut short ({rest} of {FRAME} bytes)"));
    }
    let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default()) as usize;
    let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap_or_default());
    if len == 0 || len > MAX_PAYLOAD {
        return Err(format!("impossible record length {len}"));
    }
    if len > rest - FRAME {
        return Err(format!(
            "record of {len} bytes runs past the end of the file ({} bytes left)",
            rest - FRAME
        ));
    }
    let payload = &bytes[at + FRAME..at + FRAME + len];
    if crc32fast::hash(payload) != crc {
        return Err("record checksum mismatch".into());
    }
    Ok((payload, at + FRAME + len))
}

/// True when a good record starts anywhere in `bytes[from..]`: then a bad record before it
/// is damage, not a torn final write.
fn good_record_after(bytes: &[u8], from: usize) -> bool {
    (from..bytes.len().saturating_sub(FRAME)).any(|at| {
        matches!(bytes.get(at + FRAME), Some(&KIND_DOC | &KIND_DOC_REWRITE))
            && record_at(bytes, at)
                .ok()
                .is_some_and(|(p, _)| DocRecord::decode(p).is_ok())
    })
}

/// Scans a whole log (`bytes` is the file's content): calls `each` with every good record and
/// its offset, in order, and says how the log ends.
pub fn scan<'a>(
    path: &Path,
    bytes: &'a [u8],
    mut each: impl FnMut(u64, DocRecord<'a>) -> IndexResult<()>,
) -> IndexResult<(u64, Ending)> {
    let (offsets, end, ending) = scan_offsets(path, bytes)?;
    for at in offsets {
        each(at as u64, decode_at(bytes, at))?;
    }
    Ok((end, ending))
}

/// Scans a whole log like [`scan`], but returns the offsets of the good records (decode each
/// with [`decode_at`]). Record boundaries are followed sequentially (lengths only); the
/// checksums and payloads are checked in parallel. Same verdicts as a sequential scan: the
/// first bad record ends the good ones, and is damage when a good record follows it.
pub fn scan_offsets(path: &Path, bytes: &[u8]) -> IndexResult<(Vec<usize>, u64, Ending)> {
    use rayon::prelude::*;
    if bytes.len() < LOG_MAGIC.len() || &bytes[..LOG_MAGIC.len()] != LOG_MAGIC {
        return Err(IndexError::Corrupt {
            path: path.to_path_buf(),
            offset: 0,
            what: "not a neardup record log (bad header)".into(),
            recovery: "rebuild the index with `neardup index build`".into(),
        });
    }
    // Frame boundaries: every offset whose length field is plausible and inside the file.
    let mut offsets = Vec::with_capacity(bytes.len() / 200 + 1);
    let mut at = LOG_MAGIC.len();
    while bytes.len() - at >= FRAME {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default()) as usize;
        if len == 0 || len > MAX_PAYLOAD || len > bytes.len() - at - FRAME {
            break;
        }
        offsets.push(at);
        at += FRAME + len;
    }
    // The first frame whose checksum or payload is bad.
    let bad = offsets.par_iter().position_first(|&at| {
        record_at(bytes, at)
            .map_err(|_| ())
            .and_then(|(p, _)| DocRecord::decode(p).map(|_| ()).map_err(|_| ()))
            .is_err()
    });
    if let Some(i) = bad {
        at = offsets[i];
        offsets.truncate(i);
    }
    if at == bytes.len() {
        return Ok((offsets, at as u64, Ending::Clean));
    }
    let what = match record_at(bytes, at) {
        Ok((payload, _)) => match DocRecord::decode(payload) {
            // Unreachable: a good record would have been kept.
            Ok(_) => "unreadable record".to_string(),
            // A matching checksum over a payload that does not parse is not a torn
            // write: it is a record this version does not understand, or a bug.
            Err(what) => {
                return Ok((
                    offsets,
                    at as u64,
                    Ending::Damaged {
                        offset: at as u64,
                        what: format!("unreadable record ({what})"),
                    },
                ))
            }
        },
        Err(what) => what,
    };
    let ending = if good_record_after(bytes, at + 1) {
        Ending::Damaged {
            offset: at as u64,
            what,
        }
    } else {
        Ending::Torn {
            offset: at as u64,
            what,
        }
    };
    Ok((offsets, at as u64, ending))
}

/// Decodes the record at an offset [`scan_offsets`] returned.
pub fn decode_at(bytes: &[u8], at: usize) -> DocRecord<'_> {
    let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default()) as usize;
    DocRecord::decode(&bytes[at + FRAME..at + FRAME + len])
        .unwrap_or_else(|e| unreachable!("record at {at} was checked: {e}"))
}

/// Reads `len` bytes at `offset` of the sets file into `buf` and checks their CRC (`what`
/// names them in errors).
pub fn read_checked(
    file: &File,
    path: &Path,
    (offset, len, crc): (u64, u32, u32),
    what: &str,
    buf: &mut Vec<u8>,
) -> IndexResult<()> {
    buf.resize(len as usize, 0);
    file.read_exact_at(buf, offset).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            IndexError::Corrupt {
                path: path.to_path_buf(),
                offset,
                what: format!("{what} cut short (file truncated)"),
                recovery: RECOVER_DAMAGE.into(),
            }
        } else {
            IndexError::io(path, e)
        }
    })?;
    check_crc(path, offset, crc, buf, what)
}

/// Checks bytes read from the sets file against their CRC.
pub fn check_crc(path: &Path, offset: u64, crc: u32, bytes: &[u8], what: &str) -> IndexResult<()> {
    if crc32fast::hash(bytes) != crc {
        return Err(IndexError::Corrupt {
            path: path.to_path_buf(),
            offset,
            what: format!("{what} checksum mismatch"),
            recovery: RECOVER_DAMAGE.into(),
        });
    }
    Ok(())
}

/// Reads the shingle set at `offset` (`len` hashes) into `out` and checks its CRC.
pub fn read_set(
    file: &File,
    path: &Path,
    offset: u64,
    len: u32,
    crc: u32,
    buf: &mut Vec<u8>,
    out: &mut Vec<u64>,
) -> IndexResult<()> {
    read_checked(file, path, (offset, len * 8, crc), "shingle set", buf)?;
    out.clear();
    out.extend(le_u64s(buf));
    Ok(())
}

/// Decodes a set's bytes into hashes after checking its CRC.
pub fn decode_set(
    path: &Path,
    offset: u64,
    crc: u32,
    bytes: &[u8],
    out: &mut Vec<u64>,
) -> IndexResult<()> {
    check_crc(path, offset, crc, bytes, "shingle set")?;
    out.clear();
    out.extend(le_u64s(bytes));
    Ok(())
}

/// Little-endian `u64`s (band keys, shingle hashes) from their bytes.
fn le_u64s(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
}

/// What to do about damage, in every message that reports it.
pub const RECOVER_DAMAGE: &str = "the index is damaged; `neardup index compact --drop-damaged` keeps every article before the damage (check the count with `neardup index stats`), or rebuild it with `neardup index build`";

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Vec<u8> {
        let keys: Vec<u8> = [1u64, 2, 3].iter().flat_map(|k| k.to_le_bytes()).collect();
        let mut out = Vec::new();
        DocRecord {
            set_offset: 8,
            set_len: 3,
            set_crc: 7,
            content_hash: 99,
            timestamp: Some(1_700_000_000),
            source: None,
            id,
            keys: &keys,
            rewrite: None,
        }
        .encode(&mut out);
        out
    }

    fn log(records: &[&str]) -> Vec<u8> {
        let mut bytes = LOG_MAGIC.to_vec();
        for r in records {
            bytes.extend(record(r));
        }
        bytes
    }

    fn ids(bytes: &[u8]) -> (Vec<String>, Ending) {
        let mut ids = Vec::new();
        let (_, ending) = scan(Path::new("log.0"), bytes, |_, r| {
            ids.push(r.id.to_string());
            Ok(())
        })
        .unwrap();
        (ids, ending)
    }

    #[test]
    fn round_trip() {
        let (got, ending) = ids(&log(&["a", "bb", "ccc"]));
        assert_eq!(got, ["a", "bb", "ccc"]);
        assert_eq!(ending, Ending::Clean);
        let bytes = record("x");
        let (p, _) = record_at(&bytes, 0).unwrap();
        let r = DocRecord::decode(p).unwrap();
        assert_eq!(r.keys().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(r.timestamp, Some(1_700_000_000));
        assert_eq!(r.rewrite, None);
    }

    #[test]
    fn a_rewrite_record_round_trips_and_a_torn_one_is_a_torn_tail() {
        let keys: Vec<u8> = [5u64, 6].iter().flat_map(|k| k.to_le_bytes()).collect();
        let rw_keys: Vec<u8> = (10u64..138).flat_map(|k| k.to_le_bytes()).collect();
        let rec = DocRecord {
            set_offset: 8,
            set_len: 2,
            set_crc: 1,
            content_hash: 5,
            timestamp: None,
            source: Some(3),
            id: "rw",
            keys: &keys,
            rewrite: Some(RewriteRef {
                offset: 24,
                len: 3000,
                crc: 77,
                keys: &rw_keys,
            }),
        };
        let mut bytes = LOG_MAGIC.to_vec();
        rec.encode(&mut bytes);
        let one = bytes.len();
        rec.encode(&mut bytes);
        let mut seen = Vec::new();
        let (_, ending) = scan(Path::new("log.0"), &bytes, |_, r| {
            seen.push(
                r.clone()
                    .rewrite
                    .map(|rw| (rw.offset, rw.len, rw.crc, rw.keys().count())),
            );
            assert_eq!(r, rec);
            Ok(())
        })
        .unwrap();
        assert_eq!(ending, Ending::Clean);
        assert_eq!(seen, [Some((24, 3000, 77, 128)); 2]);
        let (got, ending) = ids(&bytes[..one + 40]);
        assert_eq!(got, ["rw"]);
        assert!(matches!(ending, Ending::Torn { .. }), "{ending:?}");
    }

    #[test]
    fn every_truncation_is_a_torn_tail_that_keeps_the_whole_records() {
        let full = log(&["a", "bb", "ccc"]);
        let one = log(&["a"]).len();
        let two = log(&["a", "bb"]).len();
        for cut in LOG_MAGIC.len() + 1..full.len() {
            let (got, ending) = ids(&full[..cut]);
            let want = if cut < one {
                0
            } else if cut < two {
                1
            } else {
                2
            };
            assert_eq!(got.len(), want, "cut at {cut}");
            let clean = cut == one || cut == two;
            assert_eq!(
                matches!(ending, Ending::Torn { .. }),
                !clean,
                "cut at {cut}: {ending:?}"
            );
        }
    }

    #[test]
    fn a_flipped_byte_before_good_records_is_damage() {
        let mut bytes = log(&["a", "bb", "ccc"]);
        let last = log(&["a", "bb"]).len();
        for at in LOG_MAGIC.len()..bytes.len() {
            bytes[at] ^= 0x10;
            let (got, ending) = ids(&bytes);
            bytes[at] ^= 0x10;
            if at < last {
                assert!(
                    matches!(ending, Ending::Damaged { .. }),
                    "flip at {at}: {ending:?}"
                );
            } else {
                assert_eq!(got.len(), 2);
                assert!(
                    matches!(ending, Ending::Torn { .. }),
                    "flip at {at}: {ending:?}"
                );
            }
        }
        bytes[0] = b'X';
        assert!(scan(Path::new("log.0"), &bytes, |_, _| Ok(())).is_err());
    }
}
