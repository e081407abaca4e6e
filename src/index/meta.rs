//! `index.json`: the parameters an index was built with, and which generation of its data
//! files is current.
//!
//! Signatures, band keys and shingle sets are only comparable under the exact settings that
//! made them, so the index records every one of them; opening it with a different value is an
//! [`IndexError::Incompatible`] error rather than silently wrong answers. The file is small,
//! written once at creation and rewritten only by compaction (to a temporary file, fsynced,
//! renamed into place), so it is never seen half-written.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{IndexError, IndexResult};
use super::time::format_window;
use crate::config::Config;
use crate::lsh::LshParams;
use crate::normalize::Normalizer;
use crate::shingle::ShingleKind;

/// Version of the on-disk layout; bumped on any incompatible change, including any change
/// to how shingles are hashed (stored shingle sets and band keys would silently stop
/// matching). 2: word shingles finalised by one xor-shift-multiply. 3: tokens hashed by one
/// folded 128-bit multiply, word shingles rolled as a cyclic polynomial.
pub const FORMAT_VERSION: u32 = 3;

/// Version of an index with the rewrite tier: format 3, plus each article's rewrite fingerprint
/// in `sets.N` and a log record kind that points to it. A neardup that reads only format 3
/// refuses such an index at open instead of taking its records for damage.
pub const FORMAT_VERSION_REWRITE: u32 = 4;

/// Name of the parameter file inside the index directory.
pub const META_FILE: &str = "index.json";

/// Everything that fixes how documents are compared, as recorded in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexParams {
    /// On-disk layout version ([`FORMAT_VERSION`]).
    pub format: u32,
    /// Shingles, as `--shingle` spells them (`word:5`).
    pub shingle: String,
    /// Normalisation, as `--normalize` spells it.
    pub normalize: String,
    /// MinHash signature length.
    pub num_perm: usize,
    /// Seed of every hash.
    pub seed: u64,
    /// Verification threshold (exact Jaccard).
    pub threshold: f64,
    /// LSH bands.
    pub bands: usize,
    /// LSH rows per band.
    pub rows: usize,
    /// The JSON field holding each article's time, when the index has a window.
    pub time_field: Option<String>,
    /// The window in seconds: articles older than the newest minus the window expire.
    pub window_secs: Option<i64>,
    /// Which `log.N` / `sets.N` pair is current (compaction writes generation N + 1).
    pub generation: u64,
    /// The rewrite tier: articles that tell a stored article's story in other words are
    /// `rewrite`s of it (`--tier all`). Absent in indexes made before it: `false`.
    #[serde(default)]
    pub rewrite: bool,
}

/// Parameters asked for on the command line; `None` means "the index's value" (or the
/// default, for a new index).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestedParams {
    /// `--shingle`.
    pub shingle: Option<ShingleKind>,
    /// `--normalize`.
    pub normalize: Option<Normalizer>,
    /// `--num-perm`.
    pub num_perm: Option<usize>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--threshold`.
    pub threshold: Option<f64>,
    /// `--bands` and `--rows`.
    pub lsh: Option<LshParams>,
    /// `--time-field`.
    pub time_field: Option<String>,
    /// `--window`, in seconds.
    pub window_secs: Option<i64>,
    /// `--tier`: `Some(true)` for `all` (with the rewrite tier), `Some(false)` for `near`.
    pub rewrite: Option<bool>,
}

impl RequestedParams {
    /// The parameters of a new index: the requested ones, defaults for the rest.
    pub fn for_new_index(&self) -> IndexResult<IndexParams> {
        let defaults = Config::default();
        let config = Config {
            normalizer: self.normalize.unwrap_or(defaults.normalizer),
            shingle: self.shingle.unwrap_or(defaults.shingle),
            num_perm: self.num_perm.unwrap_or(defaults.num_perm),
            seed: self.seed.unwrap_or(defaults.seed),
            threshold: self.threshold.unwrap_or(defaults.threshold),
            lsh: self.lsh,
            ..defaults
        };
        config.validate()?;
        let lsh = config.lsh_params()?;
        if self.time_field.is_some() != self.window_secs.is_some() {
            return Err(
                crate::Error::Config("--time-field and --window go together".into()).into(),
            );
        }
        let rewrite = self.rewrite.unwrap_or(false);
        Ok(IndexParams {
            format: if rewrite {
                FORMAT_VERSION_REWRITE
            } else {
                FORMAT_VERSION
            },
            shingle: config.shingle.to_string(),
            normalize: config.normalizer.to_string(),
            num_perm: config.num_perm,
            seed: config.seed,
            threshold: config.threshold,
            bands: lsh.bands,
            rows: lsh.rows,
            time_field: self.time_field.clone(),
            window_secs: self.window_secs,
            generation: 0,
            rewrite,
        })
    }

    /// Checks that every requested value equals the index's.
    pub fn check_against(&self, dir: &Path, built: &IndexParams) -> IndexResult<()> {
        let mismatch = |option: &'static str, built: String, asked: String| {
            Err(IndexError::Incompatible {
                dir: dir.to_path_buf(),
                option,
                built,
                asked,
            })
        };
        if let Some(s) = self.shingle {
            if s.to_string() != built.shingle {
                return mismatch("--shingle", built.shingle.clone(), s.to_string());
            }
        }
        if let Some(n) = self.normalize {
            if n.to_string() != built.normalize {
                return mismatch("--normalize", built.normalize.clone(), n.to_string());
            }
        }
        if let Some(k) = self.num_perm.filter(|&k| k != built.num_perm) {
            return mismatch("--num-perm", built.num_perm.to_string(), k.to_string());
        }
        if let Some(s) = self.seed.filter(|&s| s != built.seed) {
            return mismatch("--seed", built.seed.to_string(), s.to_string());
        }
        if let Some(t) = self.threshold.filter(|&t| t != built.threshold) {
            return mismatch("--threshold", built.threshold.to_string(), t.to_string());
        }
        if let Some(p) = self.lsh {
            if (p.bands, p.rows) != (built.bands, built.rows) {
                return mismatch(
                    "--bands/--rows",
                    format!("{}/{}", built.bands, built.rows),
                    format!("{}/{}", p.bands, p.rows),
                );
            }
        }
        let show = |f: &Option<String>| f.clone().unwrap_or_else(|| "(none)".into());
        if self.time_field.is_some() && self.time_field != built.time_field {
            return mismatch(
                "--time-field",
                show(&built.time_field),
                show(&self.time_field),
            );
        }
        let tier = |rewrite: bool| if rewrite { "all" } else { "near" }.to_string();
        if let Some(r) = self.rewrite.filter(|&r| r != built.rewrite) {
            return mismatch("--tier", tier(built.rewrite), tier(r));
        }
        if let Some(w) = self.window_secs {
            if Some(w) != built.window_secs {
                return mismatch(
                    "--window",
                    built.window_secs.map_or("(none)".into(), format_window),
                    format_window(w),
                );
            }
        }
        Ok(())
    }
}

impl IndexParams {
    /// The engine configuration these parameters describe.
    pub fn config(&self, path: &Path) -> IndexResult<Config> {
        let bad = |what: &str, e: String| IndexError::Corrupt {
            path: path.to_path_buf(),
            offset: 0,
            what: format!("invalid {what}: {e}"),
            recovery: RECOVER_META.into(),
        };
        let config = Config {
            shingle: self.shingle.parse().map_err(|e| bad("shingle", e))?,
            normalizer: self.normalize.parse().map_err(|e| bad("normalize", e))?,
            num_perm: self.num_perm,
            seed: self.seed,
            threshold: self.threshold,
            lsh: Some(LshParams {
                bands: self.bands,
                rows: self.rows,
            }),
            ..Config::default()
        };
        config
            .validate()
            .map_err(|e| bad("parameters", e.to_string()))?;
        Ok(config)
    }

    /// Reads `index.json` from `dir`.
    pub fn read(dir: &Path) -> IndexResult<Self> {
        let path = dir.join(META_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(IndexError::NotFound {
                    dir: dir.to_path_buf(),
                })
            }
            Err(e) => return Err(IndexError::io(path, e)),
        };
        let params: IndexParams =
            serde_json::from_slice(&bytes).map_err(|e| IndexError::Corrupt {
                path: path.clone(),
                offset: 0,
                what: format!("not a valid parameter file ({e})"),
                recovery: RECOVER_META.into(),
            })?;
        let expected = if params.rewrite {
            FORMAT_VERSION_REWRITE
        } else {
            FORMAT_VERSION
        };
        if params.format != expected {
            return Err(IndexError::Corrupt {
                path,
                offset: 0,
                what: format!(
                    "index format {} is not the format {expected} this neardup reads for {} index",
                    params.format,
                    if params.rewrite {
                        "a rewrite-tier"
                    } else {
                        "a near-duplicate"
                    }
                ),
                recovery: "rebuild the index with this version's `neardup index build`".into(),
            });
        }
        Ok(params)
    }

    /// Writes `index.json` atomically: a temporary file, fsynced, renamed into place, and the
    /// directory fsynced so the rename itself is durable.
    pub fn write(&self, dir: &Path) -> IndexResult<()> {
        let path = dir.join(META_FILE);
        let tmp = dir.join(format!("{META_FILE}.tmp"));
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| IndexError::io(&path, std::io::Error::other(e)))?;
        text.push('\n');
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| IndexError::io(&path, e))?;
        sync_dir(dir)
    }

    /// The current record log.
    pub fn log_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("log.{}", self.generation))
    }

    /// The current shingle-set file.
    pub fn sets_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("sets.{}", self.generation))
    }
}

const RECOVER_META: &str =
    "the parameter file is damaged; restore it from a backup or rebuild the index with `neardup index build`";

/// Fsyncs a directory, making renames and new files in it durable.
pub fn sync_dir(dir: &Path) -> IndexResult<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| IndexError::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_mismatches_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let params = RequestedParams::default().for_new_index().unwrap();
        assert_eq!((params.bands, params.rows), (18, 7));
        params.write(dir.path()).unwrap();
        let back = IndexParams::read(dir.path()).unwrap();
        assert_eq!(back, params);
        assert!(back.config(dir.path()).is_ok());
        let asked = RequestedParams {
            threshold: Some(0.9),
            ..RequestedParams::default()
        };
        let err = asked
            .check_against(dir.path(), &back)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--threshold 0.8, not 0.9"), "{err}");
        assert!(RequestedParams::default()
            .check_against(dir.path(), &back)
            .is_ok());
    }
}
