//! Two passes over the inputs instead of every text in memory: the low-memory near-duplicate
//! path of `neardup pairs` and `neardup cluster`.
//!
//! [`read_corpus`](crate::pipeline::read_corpus) keeps every document's text so that
//! candidates can be verified; on news text that is the whole corpus in memory, and more
//! than all the signatures, LSH tables and sets together. Here:
//!
//! 1. **First pass** ([`read_catalog`]): stream the inputs, fingerprint every document and
//!    keep only a [`Catalog`]: id, text length (for `--keep longest|shortest`), fingerprint
//!    and *record number* (the position of the record among everything the readers yield).
//!    Texts are dropped batch by batch.
//! 2. Exact groups and LSH candidates from the fingerprints, exactly as in memory.
//! 3. **Second pass** ([`analyze_catalog`]): stream the inputs again and parse only the
//!    records of documents that are in some candidate pair (found by record number, the
//!    others are skipped unparsed); build their shingle sets and verify every candidate with
//!    exact Jaccard, as [`analyze`](crate::pipeline::analyze) does.
//!
//! The result is the same [`Analysis`], so clustering and every writer produce
//! byte-identical output; memory is the catalog (≈ 4 × `k` bytes a document, the signature)
//! plus the shingle sets of candidate documents, instead of the corpus.
//!
//! Inputs that cannot be read twice (standard input, a pipe such as `<(zcat …)`) are first
//! copied to a temporary file in the system's temporary directory (`TMPDIR`), removed when
//! the catalog is dropped; error messages still name the original input. A record that
//! differs on the second read (the file was modified while neardup ran) is an error, not a
//! silent wrong answer: ids and text lengths are checked.
//!
//! The rewrite tier needs every text (its features depend on corpus-wide statistics) and
//! `dedup` writes the records back, so both stay on the in-memory path.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Error, Location, Result};
use crate::input::{InputOptions, InputSpec};
use crate::pipeline::{
    for_each_document_at, near_candidates, stream_items, verify_near, Analysis, Batching,
    Documents, Fingerprint, Observer, OnInvalid,
};
use crate::shingle::Scratch;

/// What the first pass keeps of a corpus: everything the near-duplicate stages and the
/// writers need, but not the texts.
#[derive(Debug)]
pub struct Catalog {
    ids: Vec<Box<str>>,
    text_lens: Vec<usize>,
    fingerprints: Vec<Fingerprint>,
    /// Per document, its record number (see [`crate::pipeline`]'s `stream_items`).
    records: Vec<u64>,
    /// Records skipped as invalid (with [`OnInvalid::Skip`]).
    pub skipped: usize,
    /// The inputs as the second pass reads them: spooled copies in place of inputs that
    /// cannot be read twice.
    inputs: Vec<InputSpec>,
    relabel: Relabel,
    /// Whether [`analyze_catalog`] has run (and released signatures).
    released: bool,
}

impl Documents for Catalog {
    fn doc_count(&self) -> usize {
        self.ids.len()
    }

    fn id(&self, doc: u32) -> &str {
        &self.ids[doc as usize]
    }

    fn text_len(&self, doc: u32) -> usize {
        self.text_lens[doc as usize]
    }

    fn fingerprints(&self) -> &[Fingerprint] {
        &self.fingerprints
    }
}

/// Spooled copies of inputs that cannot be read twice, and the names to report them by.
#[derive(Debug, Default)]
struct Relabel {
    /// (spooled copy, original name); the copy is deleted when this is dropped.
    spools: Vec<(tempfile::TempPath, PathBuf)>,
}

impl Relabel {
    fn path(&self, path: PathBuf) -> PathBuf {
        match self.spools.iter().find(|(tmp, _)| **tmp == *path) {
            Some((_, original)) => original.clone(),
            None => path,
        }
    }

    fn location(&self, location: Location) -> Location {
        Location {
            path: self.path(location.path),
            line: location.line,
        }
    }

    /// `e` with every spooled copy's path replaced by the input's own name.
    fn error(&self, e: Error) -> Error {
        if self.spools.is_empty() {
            return e;
        }
        match e {
            Error::Io { path, source } => Error::Io {
                path: self.path(path),
                source,
            },
            Error::InvalidRecord { location, message } => Error::InvalidRecord {
                location: self.location(location),
                message,
            },
            Error::DuplicateId { id, first, second } => Error::DuplicateId {
                id,
                first: self.location(first),
                second: self.location(second),
            },
            other => other,
        }
    }

    /// A copy of a skippable error (those are the ones observers see), relabelled.
    fn skipped(&self, e: &Error) -> Option<Error> {
        match e {
            Error::InvalidRecord { location, message } => Some(Error::InvalidRecord {
                location: self.location(location.clone()),
                message: message.clone(),
            }),
            Error::DuplicateId { id, first, second } => Some(Error::DuplicateId {
                id: id.clone(),
                first: self.location(first.clone()),
                second: self.location(second.clone()),
            }),
            _ => None,
        }
    }
}

/// Passes notices on to `inner` with spooled paths replaced by the inputs' names.
struct Relabelled<'a> {
    inner: &'a dyn Observer,
    relabel: &'a Relabel,
}

impl Observer for Relabelled<'_> {
    fn read(&self, docs: usize, bytes: usize) {
        self.inner.read(docs, bytes);
    }

    fn skipped(&self, error: &Error) {
        match self.relabel.skipped(error) {
            Some(e) => self.inner.skipped(&e),
            None => self.inner.skipped(error),
        }
    }

    fn stage(&self, name: &str) {
        self.inner.stage(name);
    }

    fn progress(&self, done: usize, total: usize) {
        self.inner.progress(done, total);
    }
}

/// Whether `spec` can be read a second time from the start: standard input and pipes
/// cannot; regular files and directories can. A `.txt` "file" on standard input is left
/// alone (reading it fails as it always did).
fn rereadable(spec: &InputSpec) -> bool {
    if spec.path.as_os_str() == "-" {
        return spec.format == crate::input::Format::Txt;
    }
    // Anything we cannot stat is left to the reader, which reports it as before.
    std::fs::metadata(&spec.path).map_or(true, |m| m.is_file() || m.is_dir())
}

/// Copies an input that cannot be read twice to a temporary file.
fn spool(spec: &InputSpec) -> Result<tempfile::TempPath> {
    let tmp = tempfile::Builder::new()
        .prefix(".neardup-spool-")
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let tmp_path = tmp.path().to_path_buf();
    let copied = (|| -> std::io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 20, tmp.as_file());
        if spec.path.as_os_str() == "-" {
            std::io::copy(&mut std::io::stdin().lock(), &mut out)?;
        } else {
            std::io::copy(&mut std::fs::File::open(&spec.path)?, &mut out)?;
        }
        out.flush()
    })();
    // A failure to read is the input's; a failure to write (disk full) is the spool's.
    copied.map_err(|e| {
        let path: &Path = if e.kind() == std::io::ErrorKind::StorageFull {
            &tmp_path
        } else {
            &spec.path
        };
        Error::io(path, e)
    })?;
    Ok(tmp.into_temp_path())
}

/// First pass: reads every input in order, fingerprints every document (in parallel) and
/// keeps a [`Catalog`], not the texts. Inputs that cannot be read twice are copied to a
/// temporary file first. Errors (and, with [`OnInvalid::Skip`], skipped records) are the
/// same as [`read_corpus`](crate::pipeline::read_corpus)'s. `options.keep_raw` is ignored.
pub fn read_catalog(
    inputs: &[InputSpec],
    options: &InputOptions,
    config: &Config,
    on_invalid: OnInvalid,
    observer: &dyn Observer,
) -> Result<Catalog> {
    let mut relabel = Relabel::default();
    let mut specs = Vec::with_capacity(inputs.len());
    for spec in inputs {
        if rereadable(spec) {
            specs.push(spec.clone());
        } else {
            let tmp = spool(spec)?;
            specs.push(InputSpec {
                path: tmp.to_path_buf(),
                ..spec.clone()
            });
            relabel.spools.push((tmp, spec.path.clone()));
        }
    }
    let options = InputOptions {
        keep_raw: false,
        ..options.clone()
    };
    let mut catalog = Catalog {
        ids: Vec::new(),
        text_lens: Vec::new(),
        fingerprints: Vec::new(),
        records: Vec::new(),
        skipped: 0,
        inputs: specs,
        relabel,
        released: false,
    };
    let relabelled = Relabelled {
        inner: observer,
        relabel: &catalog.relabel,
    };
    let (mut ids, mut text_lens, mut fingerprints, mut records) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let skipped = for_each_document_at(
        &catalog.inputs,
        &options,
        config,
        on_invalid,
        &relabelled,
        Batching::NARROW,
        |record, doc, fp| {
            if ids.len() >= u32::MAX as usize {
                return Err(Error::Config(
                    "more than 4 294 967 295 documents in one run".into(),
                ));
            }
            text_lens.push(doc.text.len());
            ids.push(doc.id.into_boxed_str());
            fingerprints.push(fp);
            records.push(record);
            Ok(())
        },
    )
    .map_err(|e| catalog.relabel.error(e))?;
    catalog.ids = ids;
    catalog.text_lens = text_lens;
    catalog.fingerprints = fingerprints;
    catalog.records = records;
    catalog.skipped = skipped;
    Ok(catalog)
}

/// Exact groups, LSH candidates and their verification, as
/// [`analyze`](crate::pipeline::analyze) finds them, with the candidates' texts read again
/// from the inputs (second pass) instead of from memory. Only the near tier: the rewrite
/// tier needs every text in memory (an error here). `options` must be the ones the catalog
/// was read with.
///
/// Before the second pass, the signatures of documents in no candidate pair are released
/// (nothing after the LSH stage reads them, and on a large corpus they are most of the
/// catalog): afterwards those documents' fingerprints have `signature: None`. Their other
/// fields, and everything of documents in candidate pairs, are unchanged.
pub fn analyze_catalog(
    catalog: &mut Catalog,
    options: &InputOptions,
    config: &Config,
    observer: &dyn Observer,
) -> Result<Analysis> {
    if config.tier.rewrite() {
        return Err(Error::Config(
            "the rewrite tier needs every text in memory: use read_corpus and analyze".into(),
        ));
    }
    if catalog.released {
        return Err(Error::Config(
            "analyze_catalog runs once per catalog (it releases signatures it no longer needs)"
                .into(),
        ));
    }
    let found = near_candidates(&catalog.fingerprints, config, observer)?;
    let involved = found.involved();
    catalog.release_signatures(&involved);
    let sets = if config.verify {
        observer.stage("verify (second read)");
        let built = catalog
            .shingle_sets(&involved, options, config)
            .map_err(|e| catalog.relabel.error(e))?;
        found.sets(&involved, built)?
    } else {
        Vec::new()
    };
    observer.stage("verify");
    Ok(verify_near(&catalog.fingerprints, found, sets, config))
}

impl Catalog {
    /// Drops the signature of every document not in `keep` (sorted).
    fn release_signatures(&mut self, keep: &[u32]) {
        self.released = true;
        let mut keep = keep.iter().peekable();
        for (doc, fp) in self.fingerprints.iter_mut().enumerate() {
            if keep.next_if(|&&k| k as usize == doc).is_none() {
                fp.signature = None;
            }
        }
    }

    /// Second pass: the shingle sets of `docs` (sorted indices), in that order, from the
    /// inputs read again. Only their records are parsed.
    fn shingle_sets(
        &self,
        docs: &[u32],
        options: &InputOptions,
        config: &Config,
    ) -> Result<Vec<Box<[u64]>>> {
        let options = InputOptions {
            keep_raw: false,
            ..options.clone()
        };
        let shingler = config.shingler();
        // Record numbers grow with document indices, so this is sorted by record too.
        let wanted: Vec<(u64, u32)> = docs
            .iter()
            .map(|&d| (self.records[d as usize], d))
            .collect();
        let mut next = 0usize;
        let mut sets: Vec<Box<[u64]>> = Vec::with_capacity(docs.len());
        stream_items(&self.inputs, &options, Batching::NARROW, |first, batch| {
            let mut picked = Vec::new();
            for (record, item) in (first..).zip(batch) {
                if wanted.get(next).is_some_and(|&(r, _)| r == record) {
                    picked.push((wanted[next].1, item));
                    next += 1;
                }
            }
            let built: Vec<Result<Box<[u64]>>> = picked
                .into_par_iter()
                .map_init(
                    || (Scratch::default(), Vec::new()),
                    |(scratch, buf), (doc, item)| {
                        let location = item.location.clone();
                        let changed = || {
                            Error::invalid(
                                location.clone(),
                                "record changed between the two reads of the input (pairs and \
                                 cluster read their inputs twice: do not modify them while \
                                 neardup runs)",
                            )
                        };
                        let parsed = options.parse(item).map_err(|_| changed())?;
                        if *parsed.id != *self.ids[doc as usize]
                            || parsed.text.len() != self.text_lens[doc as usize]
                        {
                            return Err(changed());
                        }
                        shingler.shingle_set_into(&parsed.text, scratch, buf);
                        Ok(buf.as_slice().into())
                    },
                )
                .collect();
            for set in built {
                sets.push(set?);
            }
            Ok(())
        })?;
        if sets.len() != docs.len() {
            let missing = docs[sets.len()] as usize;
            return Err(Error::Config(format!(
                "document {:?} was not found on the second read of the inputs (pairs and \
                 cluster read their inputs twice: do not modify them while neardup runs)",
                self.ids[missing]
            )));
        }
        Ok(sets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{analyze, read_corpus};

    const STORY: &str = "the same long story about cocoa prices in bahia rising again this week";

    fn line(id: &str, text: &str) -> String {
        format!("{{\"id\":\"{id}\",\"text\":\"{text}\"}}\n")
    }

    #[test]
    fn two_passes_give_the_in_memory_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl");
        let body = [
            line("a", STORY),
            line("b", &format!("{STORY} too")),
            line("c", "an unrelated note"),
            line("d", STORY),
        ]
        .concat();
        std::fs::write(&p, body).unwrap();
        let inputs = [InputSpec::detect(&p, None).unwrap()];
        let (config, options) = (Config::default(), InputOptions::default());
        let mut catalog = read_catalog(&inputs, &options, &config, OnInvalid::Fail, &()).unwrap();
        let two = analyze_catalog(&mut catalog, &options, &config, &()).unwrap();
        let corpus = read_corpus(&inputs, &options, &config, OnInvalid::Fail, &()).unwrap();
        let one = analyze(&corpus, &config, &()).unwrap();
        assert_eq!((two.group_of, two.pairs), (one.group_of, one.pairs));
        assert_eq!(catalog.id(3), "d");
        assert_eq!(catalog.text_len(1), STORY.len() + 4);
    }

    #[test]
    fn an_input_changed_between_the_reads_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl");
        let original = [line("a", STORY), line("b", &format!("{STORY} too"))].concat();
        std::fs::write(&p, &original).unwrap();
        let inputs = [InputSpec::detect(&p, None).unwrap()];
        let (config, options) = (Config::default(), InputOptions::default());
        // Reads the original, then analyses with `second` in its place.
        let run = |second: &str| {
            std::fs::write(&p, &original).unwrap();
            let mut catalog =
                read_catalog(&inputs, &options, &config, OnInvalid::Fail, &()).unwrap();
            std::fs::write(&p, second).unwrap();
            analyze_catalog(&mut catalog, &options, &config, &())
        };
        assert_eq!(run(&original).unwrap().pairs.len(), 1);
        // A record of another length where "b" was.
        let err = run(&[line("a", STORY), line("b", STORY)].concat()).unwrap_err();
        assert!(
            err.to_string().contains("c.jsonl:2: record changed"),
            "{err}"
        );
        // Another id there.
        let err = run(&[line("a", STORY), line("x", &format!("{STORY} too"))].concat());
        assert!(err.unwrap_err().to_string().contains("record changed"));
        // The file cut short.
        let err = run(&line("a", STORY)).unwrap_err();
        assert!(err.to_string().contains("\"b\" was not found"), "{err}");
    }

    #[test]
    fn a_catalog_is_analysed_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.jsonl");
        std::fs::write(&p, [line("a", STORY), line("b", STORY)].concat()).unwrap();
        let inputs = [InputSpec::detect(&p, None).unwrap()];
        let (config, options) = (Config::default(), InputOptions::default());
        let mut catalog = read_catalog(&inputs, &options, &config, OnInvalid::Fail, &()).unwrap();
        analyze_catalog(&mut catalog, &options, &config, &()).unwrap();
        let err = analyze_catalog(&mut catalog, &options, &config, &()).unwrap_err();
        assert!(err.to_string().contains("once per catalog"), "{err}");
    }

    #[test]
    fn the_rewrite_tier_is_refused() {
        let config = Config {
            tier: crate::config::Tier::All,
            ..Config::default()
        };
        let mut catalog =
            read_catalog(&[], &InputOptions::default(), &config, OnInvalid::Fail, &()).unwrap();
        let err =
            analyze_catalog(&mut catalog, &InputOptions::default(), &config, &()).unwrap_err();
        assert!(err.to_string().contains("rewrite tier"), "{err}");
    }
}
