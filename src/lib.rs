//! # neardup
//!
//! Finds near-duplicate and syndicated news articles in a corpus. The pipeline, one module
//! per stage, in the order the data flows:
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | read | [`input`] | `.txt` directories, JSONL, CSV (+ gzip) → [`Document`]s |
//! | clean | [`normalize`] | NFKC, case and punctuation folding → tokens |
//! | shingle | [`shingle`] | word / character n-grams → 64-bit xxh3 hashes |
//! | fingerprint | [`minhash`] | one-permutation MinHash with optimal densification |
//! | candidates | [`lsh`] | banding with (b, r) chosen from the threshold |
//! | verify | [`verify`] | exact Jaccard and containment of candidate pairs |
//! | rewrite | [`rewrite`] | same story in other words: weighted features, sketch, verification |
//! | group | [`cluster`] | union-find, then clusters checked against their representative |
//! | write | [`report`] | cluster / pair / removal CSVs, fingerprints, deduplicated corpora |
//!
//! [`pipeline`] composes them and is the only place that decides threading; [`twopass`] is
//! its low-memory variant for the near tier (texts read twice instead of held); [`config`] holds
//! every tunable; [`error`] is the one error type; [`eval`] scores results against truth.
//!
//! ```
//! use neardup::{Config, InputOptions, InputSpec};
//! use neardup::pipeline::{analyze, cluster, read_corpus, OnInvalid};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let story = "Four men appeared in a Moscow court on Sunday charged with the attack \
//!              on the concert hall that killed 137 people, officials said.";
//! std::fs::write(dir.path().join("a.txt"), story).unwrap();
//! std::fs::write(dir.path().join("b.txt"), format!("{story} Source link")).unwrap();
//! std::fs::write(dir.path().join("c.txt"), "An unrelated note about cocoa prices in Bahia.").unwrap();
//!
//! let config = Config::default();
//! let inputs = [InputSpec::detect(dir.path(), None).unwrap()];
//! let corpus = read_corpus(&inputs, &InputOptions::default(), &config, OnInvalid::Fail, &()).unwrap();
//! let analysis = analyze(&corpus, &config, &()).unwrap();
//! let clusters = cluster(&corpus, &analysis, &config, &());
//! assert_eq!(clusters.len(), 1);
//! let ids: Vec<&str> = clusters[0].members.iter().map(|m| corpus.docs[m.doc as usize].id.as_str()).collect();
//! assert_eq!(ids, ["a", "b"]);
//! ```
#![warn(missing_docs)]

pub mod cluster;
pub mod config;
pub mod error;
pub mod eval;
mod hash;
pub mod index;
pub mod input;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod pipeline;
pub mod report;
pub mod rewrite;
pub mod shingle;
pub mod twopass;
pub mod verify;

pub use cluster::{Cluster, Kind, Member};
pub use config::{Config, Keep, Linkage, Tier};
pub use error::{Error, Location, Result};
pub use input::{Document, Format, InputOptions, InputSpec};
pub use lsh::LshParams;
pub use minhash::{MinHasher, Signature};
pub use normalize::Normalizer;
pub use pipeline::{compare, compare_in, Corpus, Fingerprint, Fingerprinter};
pub use shingle::{ShingleKind, Shingler};
