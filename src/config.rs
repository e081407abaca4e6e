//! Every tunable of a run in one validated [`Config`], with its documented default.
//!
//! The CLI builds a `Config` once from its flags; the library never sees the flags. Fields
//! are public so a library user can set them directly; [`Config::validate`] (called by every
//! pipeline entry point) rejects impossible combinations with a clear message.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::lsh::{LshParams, RECALL_WEIGHTS};
use crate::minhash::MinHasher;
use crate::normalize::Normalizer;
use crate::rewrite::RewriteParams;
use crate::shingle::{ShingleKind, Shingler};

/// Which member of a cluster is its representative (the document `dedup` keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// The first in input order. The default.
    #[default]
    First,
    /// The longest text (ties: first in input order).
    Longest,
    /// The shortest text (ties: first in input order).
    Shortest,
}

/// How verified pairs become clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Linkage {
    /// Every member is verified against its cluster's representative; members of a
    /// connected group that fall below the threshold form clusters of their own. Chains
    /// (A≈B≈C with A≉C) cannot glue unrelated documents together. The default.
    #[default]
    Representative,
    /// Plain transitive closure of the verified pairs (single linkage).
    Connected,
}

/// Which similarity tiers a run reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tier {
    /// Exact copies and near-duplicates (shingle Jaccard) only. The library's default (the
    /// cheapest); the command line's `cluster` and `pairs` default to [`Tier::All`], its
    /// `dedup`, which deletes, to this one (see the README).
    #[default]
    Near,
    /// Exact copies and rewrites (same story, other words); no shingle comparison.
    Rewrite,
    /// Exact copies, near-duplicates, then rewrites over them.
    All,
}

impl Tier {
    /// Whether near-duplicates are searched.
    pub fn near(self) -> bool {
        matches!(self, Tier::Near | Tier::All)
    }

    /// Whether rewrites are searched.
    pub fn rewrite(self) -> bool {
        matches!(self, Tier::Rewrite | Tier::All)
    }
}

macro_rules! name_enum {
    ($ty:ty, $what:literal, $($variant:path => $name:literal),+) => {
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> std::result::Result<Self, String> {
                match s {
                    $($name => Ok($variant),)+
                    other => Err(format!(
                        concat!("unknown ", $what, " {:?} (expected {})"),
                        other,
                        [$($name),+].join(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self { $($variant => $name,)+ })
            }
        }
    };
}

name_enum!(Keep, "keep policy", Keep::First => "first", Keep::Longest => "longest", Keep::Shortest => "shortest");
name_enum!(Tier, "tier", Tier::Near => "near", Tier::Rewrite => "rewrite", Tier::All => "all");
name_enum!(Linkage, "linkage", Linkage::Representative => "representative", Linkage::Connected => "connected");

/// All parameters of fingerprinting, candidate search, verification and clustering.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Normalisation steps. By default, all (NFKC, case, punctuation).
    pub normalizer: Normalizer,
    /// Shingle kind and size. By default, word 5-grams.
    pub shingle: ShingleKind,
    /// MinHash signature length `k`. By default, 128.
    pub num_perm: usize,
    /// Seed of every hash function. By default, [`Config::DEFAULT_SEED`].
    pub seed: u64,
    /// Jaccard similarity at or above which two documents are near-duplicates. By default, 0.8.
    pub threshold: f64,
    /// Explicit LSH bands and rows; by default derived from the threshold.
    pub lsh: Option<LshParams>,
    /// Verify candidates with exact Jaccard (else trust the MinHash estimate). By default, on.
    pub verify: bool,
    /// Cluster linkage. By default, [`Linkage::Representative`].
    pub linkage: Linkage,
    /// Representative policy. By default, [`Keep::First`].
    pub keep: Keep,
    /// Tiers to report. By default, [`Tier::Near`].
    pub tier: Tier,
    /// Parameters of the rewrite tier. By default, [`RewriteParams::default`].
    pub rewrite: RewriteParams,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            normalizer: Normalizer::default(),
            shingle: ShingleKind::default(),
            num_perm: 128,
            seed: Config::DEFAULT_SEED,
            threshold: 0.8,
            lsh: None,
            verify: true,
            linkage: Linkage::default(),
            keep: Keep::default(),
            tier: Tier::default(),
            rewrite: RewriteParams::default(),
        }
    }
}

impl Config {
    /// The default seed: fixed, so signatures are comparable across runs and machines.
    pub const DEFAULT_SEED: u64 = 0x6e65_6172_6475_7021; // "neardup!"

    /// Checks every parameter; the error says which one is wrong and why.
    pub fn validate(&self) -> Result<()> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::Config(format!(
                "threshold must be in (0, 1], got {}",
                self.threshold
            )));
        }
        MinHasher::new(self.num_perm, self.seed)?;
        if let Some(p) = self.lsh {
            LshParams::new(p.bands, p.rows, self.num_perm)?;
        }
        self.rewrite.validate()
    }

    /// The shingler these settings describe.
    pub fn shingler(&self) -> Shingler {
        Shingler::new(self.normalizer, self.shingle, self.seed)
    }

    /// The MinHasher these settings describe.
    pub fn minhasher(&self) -> Result<MinHasher> {
        MinHasher::new(self.num_perm, self.seed)
    }

    /// The LSH parameters: the explicit ones, or those derived from the threshold.
    pub fn lsh_params(&self) -> Result<LshParams> {
        match self.lsh {
            Some(p) => LshParams::new(p.bands, p.rows, self.num_perm),
            None => LshParams::for_threshold(self.threshold, self.num_perm, RECALL_WEIGHTS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_bad_values_do_not() {
        assert!(Config::default().validate().is_ok());
        for bad in [
            Config {
                threshold: 0.0,
                ..Config::default()
            },
            Config {
                threshold: 1.01,
                ..Config::default()
            },
            Config {
                num_perm: 0,
                ..Config::default()
            },
            Config {
                lsh: Some(LshParams { bands: 20, rows: 7 }),
                ..Config::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for k in [Keep::First, Keep::Longest, Keep::Shortest] {
            assert_eq!(k.to_string().parse::<Keep>(), Ok(k));
        }
        for t in [Tier::Near, Tier::Rewrite, Tier::All] {
            assert_eq!(t.to_string().parse::<Tier>(), Ok(t));
        }
        for l in [Linkage::Representative, Linkage::Connected] {
            assert_eq!(l.to_string().parse::<Linkage>(), Ok(l));
        }
        assert!("last"
            .parse::<Keep>()
            .unwrap_err()
            .contains("first, longest, shortest"));
    }
}
