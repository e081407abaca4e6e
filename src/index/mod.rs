//! The persistent index behind the pre-ingest filter (`neardup index …`, `neardup filter`).
//!
//! An ingest pipeline asks, article by article, "is this new, or a copy of something already
//! stored?", and the answer must survive restarts and crashes. An index is a directory:
//!
//! | file | what | read |
//! |---|---|---|
//! | `index.json` | the parameters ([`IndexParams`]) and the current generation | at open |
//! | `log.N` | one checksummed record per article: id, time, source, content hash, LSH band keys, where its shingle set is ([`log`]) | in full at open |
//! | `sets.N` | each article's sorted shingle-hash set | by positioned reads, to verify a candidate |
//! | `LOCK` | the writer lock and its holder's pid ([`lock`]) | by writers |
//!
//! In memory an open index keeps, per article, about 80 bytes (id, content hash, time,
//! source, where its set is) plus 8 bytes per LSH band in the band tables (`bands.rs`):
//! flat arrays grouped by key, built at open in linear time (the log is checked and the bands
//! are built in parallel), with a small hash-map overlay for articles added since, merged into
//! the arrays as it grows. About 240 bytes per article at 18 bands; shingle sets stay on disk.
//!
//! Checking an article ([`Index::decide`]): its band keys give candidates; a candidate with
//! the same content hash is an `exact` copy; otherwise its shingle set is read and the exact
//! Jaccard similarity computed ([`crate::verify::Similarity`]); the most similar candidate at
//! or above the threshold makes a `near-duplicate`. Nothing is reported on an estimate.
//! Adding an article ([`Index::insert`]) puts it in the tables at once, so later articles of
//! the same batch see it, and queues its records; [`Index::commit`] appends and fsyncs them
//! (group commit). Callers print verdicts only after `commit` returns: a printed verdict means
//! the article is durably in the index.
//!
//! With a time window, articles whose time is more than the window before the newest
//! article's are expired: never matched, not loaded at open, dropped by [`compact`].

mod bands;
mod error;
mod feed;
pub mod lock;
pub mod log;
mod meta;
mod time;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

pub use error::{IndexError, IndexResult};
pub use feed::{feed, FeedOptions, FeedSummary, Outcome};
pub use meta::{IndexParams, RequestedParams, FORMAT_VERSION, META_FILE};
pub use time::{format_rfc3339, format_window, parse_date, parse_window, timestamp_of};

use crate::lsh::LshParams;
use crate::minhash::MinHasher;
use crate::shingle::{Scratch, Shingler};
use crate::verify::Similarity;
use bands::BandTables;
use lock::WriterLock;
use log::{DocRecord, Ending, LOG_MAGIC, RECOVER_DAMAGE, SETS_MAGIC};
use rayon::prelude::*;

/// What the index says about an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Verdict {
    /// Nothing in the index (within the window) is similar enough.
    New,
    /// Identical to an indexed article after normalisation.
    Exact,
    /// Exact Jaccard similarity with an indexed article at or above the threshold.
    NearDuplicate,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::New => "new",
            Verdict::Exact => "exact",
            Verdict::NearDuplicate => "near-duplicate",
        })
    }
}

/// A verdict with the article it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// The id of the matching indexed article (`None` for a new one).
    pub matched: Option<String>,
    /// Exact Jaccard similarity with the match (1 for an exact copy; `None` for a new one).
    pub score: Option<f64>,
}

/// When appended records are forced to stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncPolicy {
    /// fsync (`fdatasync`) the set and log files after every batch, before any verdict of the
    /// batch is printed: survives power loss. The default.
    #[default]
    Always,
    /// Only write to the operating system: survives the process being killed, not a power
    /// loss or kernel crash.
    None,
}

impl std::str::FromStr for SyncPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "always" => Ok(SyncPolicy::Always),
            "none" => Ok(SyncPolicy::None),
            other => Err(format!(
                "unknown sync policy {other:?} (expected always or none)"
            )),
        }
    }
}

/// How to open an index.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// Open for reading only: no lock, nothing written, new articles kept in memory only.
    pub read_only: bool,
    /// Create the index if the directory has none (writers only).
    pub create: bool,
    /// Parameters asked for; each must match the index's.
    pub requested: RequestedParams,
    /// When to fsync.
    pub sync: SyncPolicy,
}

/// How opening went, for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// A torn tail was found (and, for a writer, cut off): its offset and what was there.
    pub torn_tail: Option<(u64, String)>,
    /// The index was created by this open.
    pub created: bool,
}

const NONE: u32 = u32::MAX;
const MAX_ID: usize = u16::MAX as usize;

/// What the tables keep per article.
#[derive(Debug, Clone)]
struct Entry {
    content_hash: u128,
    set_offset: u64,
    id_start: u64,
    /// Unix seconds, `i64::MIN` when the index has no time field.
    timestamp: i64,
    /// Hash of the source field, 0 when none.
    source: u64,
    set_len: u32,
    set_crc: u32,
    id_len: u16,
}

/// An article fingerprinted for the index: its shingle set, band keys and content hash.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Sorted, de-duplicated shingle hashes.
    pub set: Vec<u64>,
    /// LSH band keys (empty when the article has no token).
    pub keys: Vec<u64>,
    /// Hash of the normalised token sequence.
    pub content_hash: u128,
    /// Publication time, required when the index has a time field.
    pub timestamp: Option<i64>,
    /// Hash of the source field's value (see [`source_hash`]).
    pub source: Option<u64>,
}

/// Reusable buffers for [`Index::prepare`]; one per thread.
#[derive(Debug, Default)]
pub struct PrepareScratch {
    shingle: Scratch,
}

/// The hash stored for a source field's value (never 0, which means "no source").
pub fn source_hash(value: &str) -> u64 {
    xxh3_64(value.as_bytes()).max(1)
}

/// Counts and extent of an index, for `neardup index stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Articles in the log (expired ones included).
    pub docs: u64,
    /// Articles that can still match (not expired).
    pub live: u64,
    /// Articles past the window, waiting for `compact`.
    pub expired: u64,
    /// Size of `log.N`.
    pub log_bytes: u64,
    /// Size of `sets.N`.
    pub sets_bytes: u64,
    /// Oldest article time (Unix seconds), with a time field.
    pub oldest: Option<i64>,
    /// Newest article time (Unix seconds), with a time field.
    pub newest: Option<i64>,
    /// The parameters.
    pub params: IndexParams,
}

/// An open index. See the [module documentation](self).
pub struct Index {
    dir: PathBuf,
    params: IndexParams,
    shingler: Shingler,
    minhasher: MinHasher,
    lsh: LshParams,
    threshold: f64,
    read_only: bool,
    sync: SyncPolicy,
    _lock: Option<WriterLock>,
    log_path: PathBuf,
    sets_path: PathBuf,
    log: File,
    sets: File,
    /// Bytes of `log.N` known good (and, for a writer, its length).
    log_len: u64,
    /// Bytes of `sets.N` on disk; offsets at or past it are in `sets_tail`.
    sets_len: u64,
    log_tail: Vec<u8>,
    sets_tail: Vec<u8>,
    entries: Vec<Entry>,
    ids: String,
    tables: BandTables,
    newest: Option<i64>,
    stats: Stats,
    cands: Vec<u32>,
    read_buf: Vec<u8>,
    set_buf: Vec<u64>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir)
            .field("docs", &self.entries.len())
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// A log read and checked against its sets file.
struct Checked {
    /// Offsets of the good records (decode with [`log::decode_at`]).
    records: Vec<usize>,
    /// Where the good records end.
    end: u64,
    torn: Option<(u64, String)>,
}

/// Scans `bytes` (the log) and checks that every record's set lies inside `sets_len`.
/// Damage is an error unless `salvage`, which keeps the records before it.
fn check_log(
    log_path: &Path,
    sets_path: &Path,
    bytes: &[u8],
    sets_len: u64,
    salvage: bool,
) -> IndexResult<Checked> {
    let (mut records, end, ending) = log::scan_offsets(log_path, bytes)?;
    // (where the good records end, damaged rather than torn, what is wrong)
    let mut cut: Option<(u64, bool, String)> = match ending {
        Ending::Clean => None,
        Ending::Torn { what, .. } => Some((end, false, what)),
        Ending::Damaged { what, .. } => Some((end, true, what)),
    };
    let outside = |&at: &usize| {
        let r = log::decode_at(bytes, at);
        let set_end = r.set_offset.checked_add(r.set_len as u64 * 8);
        r.set_offset < SETS_MAGIC.len() as u64 || set_end.is_none_or(|e| e > sets_len)
    };
    if let Some(first) = records.par_iter().position_first(outside) {
        let at = records[first];
        let what = format!(
            "the shingle set of {:?} lies past the end of {} ({} bytes)",
            log::decode_at(bytes, at).id,
            sets_path.display(),
            sets_len
        );
        // Sets are written before their log records, so after a crash only a final run of
        // records can lack their sets; a good record after a missing set is damage.
        let damaged = !records[first..].par_iter().all(outside);
        cut = Some((at as u64, damaged, what));
        records.truncate(first);
    }
    match cut {
        None => Ok(Checked {
            records,
            end,
            torn: None,
        }),
        Some((at, true, what)) if !salvage => Err(IndexError::Corrupt {
            path: log_path.to_path_buf(),
            offset: at,
            what,
            recovery: RECOVER_DAMAGE.into(),
        }),
        Some((at, _, what)) => Ok(Checked {
            records,
            end: at,
            torn: Some((at, what)),
        }),
    }
}

fn read_all(file: &File, path: &Path) -> IndexResult<Vec<u8>> {
    let len = file.metadata().map_err(|e| IndexError::io(path, e))?.len();
    let mut bytes = vec![0u8; len as usize];
    file.read_exact_at(&mut bytes, 0)
        .map_err(|e| IndexError::io(path, e))?;
    Ok(bytes)
}

fn open_file(path: &Path, write: bool) -> IndexResult<File> {
    OpenOptions::new()
        .read(true)
        .write(write)
        .open(path)
        .map_err(|e| IndexError::io(path, e))
}

/// Creates a data file holding only its magic, fsynced.
fn create_file(path: &Path, magic: &[u8]) -> IndexResult<()> {
    let f = File::create(path).map_err(|e| IndexError::io(path, e))?;
    f.write_all_at(magic, 0)
        .and_then(|()| f.sync_all())
        .map_err(|e| IndexError::io(path, e))
}

impl Index {
    /// Opens (or, with `create`, creates) the index in `dir`.
    pub fn open(dir: &Path, options: &IndexOptions) -> IndexResult<(Index, OpenReport)> {
        Self::open_inner(dir, options, false)
    }

    fn open_inner(
        dir: &Path,
        options: &IndexOptions,
        salvage: bool,
    ) -> IndexResult<(Index, OpenReport)> {
        let mut report = OpenReport::default();
        let lock = if options.read_only {
            None
        } else {
            if options.create && !dir.join(META_FILE).exists() {
                std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
            }
            if !dir.is_dir() {
                return Err(IndexError::NotFound {
                    dir: dir.to_path_buf(),
                });
            }
            Some(WriterLock::acquire(dir)?)
        };
        let params = match IndexParams::read(dir) {
            Ok(p) => {
                options.requested.check_against(dir, &p)?;
                p
            }
            Err(IndexError::NotFound { .. }) if options.create && !options.read_only => {
                let p = options.requested.for_new_index()?;
                create_file(&p.log_path(dir), LOG_MAGIC)?;
                create_file(&p.sets_path(dir), SETS_MAGIC)?;
                p.write(dir)?;
                report.created = true;
                p
            }
            Err(e) => return Err(e),
        };
        let config = params.config(&dir.join(META_FILE))?;
        let (log_path, sets_path) = (params.log_path(dir), params.sets_path(dir));
        if lock.is_some() {
            remove_stray_generations(dir, params.generation);
        }
        let write = lock.is_some();
        let log = open_file(&log_path, write)?;
        let sets = open_file(&sets_path, write)?;
        let bytes = read_all(&log, &log_path)?;
        let sets_file_len = sets
            .metadata()
            .map_err(|e| IndexError::io(&sets_path, e))?
            .len();
        if sets_file_len < SETS_MAGIC.len() as u64 || {
            let mut m = [0u8; 8];
            sets.read_exact_at(&mut m, 0).is_err() || &m != SETS_MAGIC
        } {
            return Err(IndexError::Corrupt {
                path: sets_path,
                offset: 0,
                what: "not a neardup shingle-set file (bad header)".into(),
                recovery: "rebuild the index with `neardup index build`".into(),
            });
        }
        let checked = check_log(&log_path, &sets_path, &bytes, sets_file_len, salvage)?;
        let lsh = config.lsh_params()?;
        let mut index = Index {
            dir: dir.to_path_buf(),
            shingler: config.shingler(),
            minhasher: config.minhasher()?,
            lsh,
            threshold: config.threshold,
            read_only: options.read_only,
            sync: options.sync,
            _lock: lock,
            log_path,
            sets_path,
            log,
            sets,
            log_len: checked.end,
            sets_len: sets_file_len,
            log_tail: Vec::new(),
            sets_tail: Vec::new(),
            entries: Vec::new(),
            ids: String::new(),
            tables: BandTables::build(vec![Vec::new(); lsh.bands], &[], 0),
            newest: None,
            stats: Stats {
                docs: checked.records.len() as u64,
                live: 0,
                expired: 0,
                log_bytes: checked.end,
                sets_bytes: 0,
                oldest: None,
                newest: None,
                params: params.clone(),
            },
            params,
            cands: Vec::new(),
            read_buf: Vec::new(),
            set_buf: Vec::new(),
        };
        let decode = |&at: &usize| log::decode_at(&bytes, at);
        let (oldest, newest) = checked
            .records
            .par_iter()
            .filter_map(|at| decode(at).timestamp)
            .fold(
                || (None, None),
                |(lo, hi): (Option<i64>, Option<i64>), t| {
                    (
                        Some(lo.map_or(t, |l: i64| l.min(t))),
                        Some(hi.map_or(t, |h: i64| h.max(t))),
                    )
                },
            )
            .reduce(
                || (None, None),
                |a, b| {
                    let pick = |x: Option<i64>, y: Option<i64>, f: fn(i64, i64) -> i64| match (x, y)
                    {
                        (Some(x), Some(y)) => Some(f(x, y)),
                        (x, y) => x.or(y),
                    };
                    (pick(a.0, b.0, i64::min), pick(a.1, b.1, i64::max))
                },
            );
        index.stats.oldest = oldest;
        index.stats.newest = newest;
        index.newest = newest;
        let cutoff = index.cutoff();
        let expired = |r: &DocRecord| cutoff.is_some_and(|c| r.timestamp.is_none_or(|t| t < c));
        let live = match cutoff {
            None => checked.records.len(),
            Some(_) => checked
                .records
                .par_iter()
                .filter(|at| !expired(&decode(at)))
                .count(),
        };
        index.entries.reserve_exact(live);
        let mut band_keys: Vec<Vec<u32>> =
            (0..lsh.bands).map(|_| Vec::with_capacity(live)).collect();
        let mut keyed: Vec<u32> = Vec::with_capacity(live);
        let mut sets_end = SETS_MAGIC.len() as u64;
        for at in &checked.records {
            let rec = decode(at);
            sets_end = sets_end.max(rec.set_offset + rec.set_len as u64 * 8);
            if expired(&rec) {
                continue;
            }
            let nkeys = rec.keys.len() / 8;
            if nkeys != 0 && nkeys != lsh.bands {
                return Err(IndexError::Corrupt {
                    path: index.log_path.clone(),
                    offset: *at as u64,
                    what: format!(
                        "record {:?} has {} band keys, the index {}",
                        rec.id, nkeys, lsh.bands
                    ),
                    recovery: RECOVER_DAMAGE.into(),
                });
            }
            if nkeys != 0 {
                keyed.push(index.entries.len() as u32);
                for (band, key) in rec.keys().enumerate() {
                    band_keys[band].push(bands::top(key));
                }
            }
            index.add_entry(&rec);
        }
        drop(checked.records);
        drop(bytes);
        index.ids.shrink_to_fit();
        index.tables = BandTables::build(band_keys, &keyed, index.entries.len() as u32);
        index.stats.live = index.entries.len() as u64;
        index.stats.expired = index.stats.docs - index.stats.live;
        if let Some((at, what)) = &checked.torn {
            report.torn_tail = Some((*at, what.clone()));
            if !index.read_only {
                // Cut off what no verdict was ever printed for, and any shingle sets written
                // for it, so appends continue from good records.
                let cut = |f: &File, p: &Path, len: u64| {
                    f.set_len(len)
                        .and_then(|()| f.sync_all())
                        .map_err(|e| IndexError::io(p, e))
                };
                cut(&index.log, &index.log_path, *at)?;
                index.log_len = *at;
            }
        }
        if !index.read_only && sets_end < sets_file_len {
            index
                .sets
                .set_len(sets_end)
                .and_then(|()| index.sets.sync_all())
                .map_err(|e| IndexError::io(&index.sets_path, e))?;
            index.sets_len = sets_end;
        }
        index.stats.log_bytes = index.log_len;
        index.stats.sets_bytes = index.sets_len;
        Ok((index, report))
    }

    /// Adds a loaded or new article's entry (not its band keys).
    fn add_entry(&mut self, rec: &DocRecord) {
        let id_start = self.ids.len() as u64;
        self.ids.push_str(rec.id);
        self.entries.push(Entry {
            content_hash: rec.content_hash,
            set_offset: rec.set_offset,
            id_start,
            timestamp: rec.timestamp.unwrap_or(i64::MIN),
            source: rec.source.unwrap_or(0),
            set_len: rec.set_len,
            set_crc: rec.set_crc,
            id_len: rec.id.len() as u16,
        });
        if let Some(t) = rec.timestamp {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
    }

    /// The parameters the index was built with.
    pub fn params(&self) -> &IndexParams {
        &self.params
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Articles in the in-memory tables (loaded live ones plus those added since opening).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no article is in the tables.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Counts and extent as of opening.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Articles older than this (Unix seconds) are expired.
    fn cutoff(&self) -> Option<i64> {
        Some(self.newest?.saturating_sub(self.params.window_secs?))
    }

    fn id(&self, slot: u32) -> &str {
        let e = &self.entries[slot as usize];
        &self.ids[e.id_start as usize..e.id_start as usize + e.id_len as usize]
    }

    /// Fingerprints a text for [`Index::decide`] and [`Index::insert`]: the shingle set (one
    /// pass of the [`Shingler`]), its MinHash signature and band keys. Pure, so callers may
    /// run it on many articles at once.
    pub fn prepare(&self, text: &str, scratch: &mut PrepareScratch) -> Prepared {
        let mut set = Vec::new();
        let stats = self
            .shingler
            .for_each_shingle(text, &mut scratch.shingle, |h| set.push(h));
        set.sort_unstable();
        set.dedup();
        // The signature of the set equals the one `Fingerprinter` computes from the text:
        // each bin keeps a minimum, which neither order nor repeats change.
        let keys = match self.minhasher.signature(set.iter().copied()) {
            Some(sig) => (0..self.lsh.bands)
                .map(|b| self.lsh.band_key(&sig, b))
                .collect(),
            None => Vec::new(),
        };
        Prepared {
            set,
            keys,
            content_hash: stats.content_hash,
            timestamp: None,
            source: None,
        }
    }

    /// Reads the shingle set of `slot` into `self.set_buf`.
    fn load_set(&mut self, slot: u32) -> IndexResult<()> {
        let e = &self.entries[slot as usize];
        if e.set_offset >= self.sets_len {
            let start = (e.set_offset - self.sets_len) as usize;
            let bytes = &self.sets_tail[start..start + e.set_len as usize * 8];
            log::decode_set(
                &self.sets_path,
                e.set_offset,
                e.set_crc,
                bytes,
                &mut self.set_buf,
            )
        } else {
            log::read_set(
                &self.sets,
                &self.sets_path,
                e.set_offset,
                e.set_len,
                e.set_crc,
                &mut self.read_buf,
                &mut self.set_buf,
            )
        }
    }

    /// Whether the article in `slot` may match one published at `time`.
    fn in_window(&self, slot: u32, time: Option<i64>) -> bool {
        let Some(window) = self.params.window_secs else {
            return true;
        };
        let t = self.entries[slot as usize].timestamp;
        self.cutoff().is_none_or(|c| t >= c)
            && time.is_none_or(|time| time.abs_diff(t) <= window.unsigned_abs())
    }

    /// The verdict on a prepared article against everything in the tables: the earliest
    /// exact copy, else the most similar verified near-duplicate (ties: the earliest), else
    /// new. Candidates from the same source are skipped when the article has one.
    pub fn decide(&mut self, p: &Prepared) -> IndexResult<Decision> {
        let new = Decision {
            verdict: Verdict::New,
            matched: None,
            score: None,
        };
        if p.keys.is_empty() {
            return Ok(new);
        }
        let mut cands = std::mem::take(&mut self.cands);
        cands.clear();
        for (band, &key) in p.keys.iter().enumerate() {
            self.tables.for_each(band, key, |s| cands.push(s));
        }
        cands.sort_unstable();
        cands.dedup();
        cands.retain(|&c| {
            self.in_window(c, p.timestamp)
                && (p.source.is_none() || Some(self.entries[c as usize].source) != p.source)
        });
        let result = (|| {
            if let Some(&c) = cands
                .iter()
                .find(|&&c| self.entries[c as usize].content_hash == p.content_hash)
            {
                return Ok(Decision {
                    verdict: Verdict::Exact,
                    matched: Some(self.id(c).to_string()),
                    score: Some(1.0),
                });
            }
            let mut best: Option<(u32, f64)> = None;
            for &c in &cands {
                self.load_set(c)?;
                let j = Similarity::of(&p.set, &self.set_buf).jaccard;
                if j >= self.threshold && best.is_none_or(|(_, b)| j > b) {
                    best = Some((c, j));
                }
            }
            Ok(match best {
                Some((c, j)) => Decision {
                    verdict: Verdict::NearDuplicate,
                    matched: Some(self.id(c).to_string()),
                    score: Some(j),
                },
                None => new.clone(),
            })
        })();
        self.cands = cands;
        result
    }

    /// Adds an article to the tables and queues its records for the next
    /// [`Index::commit`] (read-only: to memory only).
    pub fn insert(&mut self, id: &str, p: &Prepared) -> IndexResult<()> {
        if id.len() > MAX_ID {
            return Err(crate::Error::Config(format!(
                "document id of {} bytes is longer than the index allows ({MAX_ID})",
                id.len()
            ))
            .into());
        }
        if self.entries.len() >= NONE as usize - 1 {
            return Err(
                crate::Error::Config("the index is full (4 294 967 294 articles)".into()).into(),
            );
        }
        if self.params.window_secs.is_some() && p.timestamp.is_none() {
            return Err(crate::Error::Config(format!(
                "article {id:?} has no time, but the index has a window"
            ))
            .into());
        }
        let set_offset = self.sets_len + self.sets_tail.len() as u64;
        let start = self.sets_tail.len();
        for h in &p.set {
            self.sets_tail.extend_from_slice(&h.to_le_bytes());
        }
        let set_crc = crc32fast::hash(&self.sets_tail[start..]);
        let keys: Vec<u8> = p.keys.iter().flat_map(|k| k.to_le_bytes()).collect();
        let rec = DocRecord {
            set_offset,
            set_len: p.set.len() as u32,
            set_crc,
            content_hash: p.content_hash,
            timestamp: p.timestamp,
            source: p.source,
            id,
            keys: &keys,
        };
        if !self.read_only {
            rec.encode(&mut self.log_tail);
        }
        let slot = self.entries.len() as u32;
        self.add_entry(&rec);
        self.tables.insert(slot, &p.keys);
        Ok(())
    }

    /// Appends the queued records (shingle sets first, then log records) and, with
    /// [`SyncPolicy::Always`], fsyncs both files. When it returns `Ok`, every article
    /// inserted so far survives a crash. Read-only: does nothing.
    pub fn commit(&mut self) -> IndexResult<()> {
        if self.read_only || self.log_tail.is_empty() {
            return Ok(());
        }
        self.sets
            .write_all_at(&self.sets_tail, self.sets_len)
            .map_err(|e| IndexError::io(&self.sets_path, e))?;
        self.log
            .write_all_at(&self.log_tail, self.log_len)
            .map_err(|e| IndexError::io(&self.log_path, e))?;
        if self.sync == SyncPolicy::Always {
            self.sets
                .sync_data()
                .map_err(|e| IndexError::io(&self.sets_path, e))?;
            self.log
                .sync_data()
                .map_err(|e| IndexError::io(&self.log_path, e))?;
        }
        self.sets_len += self.sets_tail.len() as u64;
        self.log_len += self.log_tail.len() as u64;
        self.sets_tail.clear();
        self.log_tail.clear();
        Ok(())
    }
}

/// Removes `log.N` / `sets.N` files of other generations: leftovers of a compaction that
/// crashed before (new files) or after (old files) switching generations.
fn remove_stray_generations(dir: &Path, current: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let generation = name
            .strip_prefix("log.")
            .or_else(|| name.strip_prefix("sets."))
            .and_then(|g| g.parse::<u64>().ok());
        if generation.is_some_and(|g| g != current) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Opens the index in `dir` for reading only, retrying if a compaction switches
/// generations between reading `index.json` and opening the data files.
pub fn open_read_only(dir: &Path) -> IndexResult<(Index, OpenReport)> {
    let options = IndexOptions {
        read_only: true,
        ..IndexOptions::default()
    };
    let mut attempt = 0;
    loop {
        match Index::open(dir, &options) {
            Err(IndexError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound && attempt < 3 =>
            {
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// What [`compact`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactReport {
    /// Articles kept.
    pub kept: u64,
    /// Expired articles dropped.
    pub expired: u64,
    /// Articles lost to damage (only with `drop_damaged`).
    pub damaged: u64,
    /// Bytes of both data files before.
    pub bytes_before: u64,
    /// Bytes of both data files after.
    pub bytes_after: u64,
}

/// Rewrites the index in `dir` without its expired articles (and, with `drop_damaged`,
/// without a damaged tail or articles whose shingle sets fail their checksum), as a new
/// generation of data files switched to atomically through `index.json`.
pub fn compact(dir: &Path, drop_damaged: bool, sync: SyncPolicy) -> IndexResult<CompactReport> {
    let options = IndexOptions {
        sync,
        ..IndexOptions::default()
    };
    let (index, _) = Index::open_inner(dir, &options, drop_damaged)?;
    let bytes = read_all(&index.log, &index.log_path)?;
    let checked = check_log(
        &index.log_path,
        &index.sets_path,
        &bytes,
        index.sets_len,
        drop_damaged,
    )?;
    let mut params = index.params.clone();
    params.generation += 1;
    let (new_log, new_sets) = (params.log_path(dir), params.sets_path(dir));
    let before = index.log_len + index.sets_len;
    let mut report = CompactReport {
        kept: 0,
        expired: 0,
        damaged: 0,
        bytes_before: before,
        bytes_after: 0,
    };
    let create = |path: &Path| -> IndexResult<std::io::BufWriter<File>> {
        let f = File::create(path).map_err(|e| IndexError::io(path, e))?;
        Ok(std::io::BufWriter::with_capacity(1 << 20, f))
    };
    let (mut log_out, mut sets_out) = (create(&new_log)?, create(&new_sets)?);
    let io_log = |e| IndexError::io(&new_log, e);
    let io_sets = |e| IndexError::io(&new_sets, e);
    log_out.write_all(LOG_MAGIC).map_err(io_log)?;
    sets_out.write_all(SETS_MAGIC).map_err(io_sets)?;
    let (mut log_len, mut sets_len) = (LOG_MAGIC.len() as u64, SETS_MAGIC.len() as u64);
    let cutoff = index.cutoff();
    let (mut buf, mut set, mut rec_buf) = (Vec::new(), Vec::new(), Vec::new());
    for &at in &checked.records {
        let rec = log::decode_at(&bytes, at);
        if cutoff.is_some_and(|c| rec.timestamp.is_none_or(|t| t < c)) {
            report.expired += 1;
            continue;
        }
        let read = log::read_set(
            &index.sets,
            &index.sets_path,
            rec.set_offset,
            rec.set_len,
            rec.set_crc,
            &mut buf,
            &mut set,
        );
        match read {
            Ok(()) => {}
            Err(IndexError::Corrupt { .. }) if drop_damaged => {
                report.damaged += 1;
                continue;
            }
            Err(e) => return Err(e),
        }
        let moved = DocRecord {
            set_offset: sets_len,
            ..rec.clone()
        };
        sets_out.write_all(&buf).map_err(io_sets)?;
        sets_len += buf.len() as u64;
        rec_buf.clear();
        moved.encode(&mut rec_buf);
        log_out.write_all(&rec_buf).map_err(io_log)?;
        log_len += rec_buf.len() as u64;
        report.kept += 1;
    }
    let finish = |w: std::io::BufWriter<File>, path: &Path| -> IndexResult<()> {
        let f = w
            .into_inner()
            .map_err(|e| IndexError::io(path, e.into_error()))?;
        f.sync_all().map_err(|e| IndexError::io(path, e))
    };
    finish(sets_out, &new_sets)?;
    finish(log_out, &new_log)?;
    meta::sync_dir(dir)?;
    params.write(dir)?;
    remove_stray_generations(dir, params.generation);
    report.bytes_after = log_len + sets_len;
    Ok(report)
}
