//! Pipeline: the one place that composes the stages and decides threading.
//!
//! ```text
//! read (1 thread) ─▶ parse + fingerprint (rayon) ─▶ exact groups ─▶ LSH bands (rayon)
//!   ─▶ verify candidates (rayon) ─▶ connected components ─▶ split per representative (rayon)
//! rewrite tier: features (rayon) ─▶ repeated lines ─▶ df ─▶ off-topic lines (rayon) ─▶ df
//!   ─▶ profiles + sketches (rayon) ─▶ LSH bands, verified in the band that first finds a
//!   pair (rayon) ─▶ star clusters over the near clusters
//! ```
//!
//! Every stage module is single-threaded and deterministic; this module runs them over many
//! documents at once and always merges results in input order, so output is byte-identical
//! whatever the number of threads.

use std::collections::HashMap;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::cluster::{
    merge_rewrites, order_by_keep, split_component, Cluster, Kind, RewriteLink, UnionFind,
    Witnesses,
};
use crate::config::Config;
use crate::error::{Error, Location, Result};
use crate::input::{Document, InputOptions, InputSpec, Item};
use crate::lsh::{pairs_in_band, LshParams};
use crate::minhash::{containment_estimate, jaccard_estimate, MinHasher, Signature};
use crate::rewrite::boilerplate::{drop_off_topic, OffTopic, RepeatedLines};
use crate::rewrite::score::{
    later_development, running_development, score as rewrite_score, score_candidate, RewriteScore,
};
use crate::rewrite::sketch::{collision_rate, Sketch, WeightedMinHasher};
use crate::rewrite::{
    CandidateGate, DocFrequencies, DocUnits, Profile, RewriteParams, SeenFeatures, Stats,
};
use crate::shingle::{Scratch, Shingler};
use crate::verify::Similarity;

/// What fingerprinting keeps of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// MinHash signature; `None` for a document without any token.
    pub signature: Option<Signature>,
    /// Number of shingles, repeats included.
    pub shingles: u32,
    /// Number of tokens after normalisation.
    pub tokens: u32,
    /// Hash of the normalised token sequence (equal for exact duplicates).
    pub content_hash: u128,
}

/// Normalise → shingle → MinHash for one document at a time.
///
/// ```
/// use neardup::{Config, Fingerprinter};
/// let fp = Fingerprinter::new(&Config::default()).unwrap();
/// let a = fp.fingerprint("The quick brown fox jumps over the lazy dog.");
/// let b = fp.fingerprint("the QUICK brown fox jumps over the lazy dog");
/// assert_eq!(a, b);
/// assert_eq!(a.shingles, 5);
/// assert!(fp.fingerprint("").signature.is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Fingerprinter {
    shingler: Shingler,
    minhasher: MinHasher,
}

/// Reusable buffers for [`Fingerprinter::fingerprint_with`]; one per thread.
#[derive(Debug, Default)]
pub struct FingerprintScratch {
    shingle: Scratch,
    bins: Vec<u64>,
}

impl Fingerprinter {
    /// A fingerprinter for `config`'s normalisation, shingles, `k` and seed.
    pub fn new(config: &Config) -> Result<Self> {
        config.validate()?;
        Ok(Fingerprinter {
            shingler: config.shingler(),
            minhasher: config.minhasher()?,
        })
    }

    /// The shingler in use.
    pub fn shingler(&self) -> &Shingler {
        &self.shingler
    }

    /// Fingerprints `text`.
    pub fn fingerprint(&self, text: &str) -> Fingerprint {
        self.fingerprint_with(text, &mut FingerprintScratch::default())
    }

    /// Fingerprints `text` reusing `scratch` (no allocation on the hot path but the signature).
    pub fn fingerprint_with(&self, text: &str, scratch: &mut FingerprintScratch) -> Fingerprint {
        let m = &self.minhasher;
        if scratch.bins.len() != m.num_perm() {
            scratch.bins = m.empty_bins();
        } else {
            scratch.bins.fill(u64::MAX);
        }
        let bins = &mut scratch.bins[..];
        let stats = self
            .shingler
            .for_each_shingle(text, &mut scratch.shingle, |h| m.insert(bins, h));
        Fingerprint {
            signature: m.finish(bins),
            shingles: stats.shingles.min(u32::MAX as usize) as u32,
            tokens: stats.tokens.min(u32::MAX as usize) as u32,
            content_hash: stats.content_hash,
        }
    }
}

/// Receives progress and skipped-record notices from long operations. Every method has a
/// no-op default; `()` ignores everything.
pub trait Observer: Sync {
    /// `docs` more documents (of `bytes` raw bytes) have been read and fingerprinted.
    fn read(&self, _docs: usize, _bytes: usize) {}
    /// A record was skipped (only with `skip_invalid`).
    fn skipped(&self, _error: &Error) {}
    /// A new stage starts.
    fn stage(&self, _name: &str) {}
    /// `done` of the current stage's `total` steps are finished (stages long enough to
    /// need it: the rewrite candidates, by LSH band).
    fn progress(&self, _done: usize, _total: usize) {}
}

impl Observer for () {}

/// A corpus read and fingerprinted.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Documents in input order.
    pub docs: Vec<Document>,
    /// Their fingerprints, same order.
    pub fingerprints: Vec<Fingerprint>,
    /// Records skipped as invalid (with `skip_invalid`).
    pub skipped: usize,
    /// The header of the CSV inputs (all CSV inputs of one run must share it when records are
    /// kept for writing back).
    pub csv_header: Option<csv::ByteRecord>,
}

/// What the near-duplicate stages after reading need of a corpus: ids (for output), text
/// lengths (for `--keep longest|shortest`) and fingerprints. [`Corpus`] holds the texts too;
/// [`crate::twopass::Catalog`] holds only this, so that a large corpus need not fit in memory.
pub trait Documents: Sync {
    /// Number of documents.
    fn doc_count(&self) -> usize;
    /// The id of document `doc` (input order).
    fn id(&self, doc: u32) -> &str;
    /// The length in bytes of document `doc`'s text.
    fn text_len(&self, doc: u32) -> usize;
    /// Every document's fingerprint, in input order.
    fn fingerprints(&self) -> &[Fingerprint];
}

impl Documents for Corpus {
    fn doc_count(&self) -> usize {
        self.docs.len()
    }

    fn id(&self, doc: u32) -> &str {
        &self.docs[doc as usize].id
    }

    fn text_len(&self, doc: u32) -> usize {
        self.docs[doc as usize].text.len()
    }

    fn fingerprints(&self) -> &[Fingerprint] {
        &self.fingerprints
    }
}

/// How [`read_corpus`] treats records it cannot use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnInvalid {
    /// Stop at the first bad record with its error. The default.
    #[default]
    Fail,
    /// Report it to the [`Observer`], count it and go on.
    Skip,
}

/// How the reader thread hands records over: batches of at most `docs` records or about
/// `bytes` bytes, at most `queued` of them waiting. Memory in flight is about
/// `(queued + 2) × bytes` of raw records, plus the parsed texts of the batch at work.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batching {
    pub(crate) docs: usize,
    pub(crate) bytes: usize,
    pub(crate) queued: usize,
}

impl Batching {
    /// Throughput first (`fingerprint`, the in-memory path): about 50 MB in flight.
    pub(crate) const WIDE: Batching = Batching {
        docs: 2048,
        bytes: 8 << 20,
        queued: 4,
    };
    /// Memory first ([`crate::twopass`]): about 12 MB in flight. A batch of 1 024 records
    /// still keeps every thread busy; no slower in our 100 000-document runs on two cores.
    pub(crate) const NARROW: Batching = Batching {
        docs: 1024,
        bytes: 2 << 20,
        queued: 2,
    };
}

/// Reads every input in order, parses and fingerprints in parallel, and checks that ids are
/// unique across inputs.
pub fn read_corpus(
    inputs: &[InputSpec],
    options: &InputOptions,
    config: &Config,
    on_invalid: OnInvalid,
    observer: &dyn Observer,
) -> Result<Corpus> {
    let mut corpus = Corpus::default();
    corpus.skipped =
        for_each_document(inputs, options, config, on_invalid, observer, |doc, fp| {
            if corpus.docs.len() >= u32::MAX as usize {
                return Err(Error::Config(
                    "more than 4 294 967 295 documents in one run".into(),
                ));
            }
            corpus.docs.push(doc);
            corpus.fingerprints.push(fp);
            Ok(())
        })?;
    corpus.csv_header = csv_header(inputs, options)?;
    Ok(corpus)
}

/// Streams every document of `inputs`, in input order and with its fingerprint, to `sink`,
/// holding only a batch at a time (plus the ids seen, to reject duplicates). Returns the
/// number of records skipped as invalid. [`read_corpus`] is this, collected.
pub fn for_each_document(
    inputs: &[InputSpec],
    options: &InputOptions,
    config: &Config,
    on_invalid: OnInvalid,
    observer: &dyn Observer,
    mut sink: impl FnMut(Document, Fingerprint) -> Result<()>,
) -> Result<usize> {
    for_each_document_at(
        inputs,
        options,
        config,
        on_invalid,
        observer,
        Batching::WIDE,
        |_, doc, fp| sink(doc, fp),
    )
}

/// [`for_each_document`], also giving `sink` each document's record number: its position
/// among every record the readers yielded, skipped ones included (see [`stream_items`]).
pub(crate) fn for_each_document_at(
    inputs: &[InputSpec],
    options: &InputOptions,
    config: &Config,
    on_invalid: OnInvalid,
    observer: &dyn Observer,
    batching: Batching,
    mut sink: impl FnMut(u64, Document, Fingerprint) -> Result<()>,
) -> Result<usize> {
    let fingerprinter = Fingerprinter::new(config)?;
    let mut seen: HashMap<String, Location> = HashMap::new();
    let mut skipped = 0usize;
    stream_items(inputs, options, batching, |first, batch| {
        let bytes: usize = batch.iter().map(Item::len).sum();
        let parsed: Vec<Result<(Document, Fingerprint)>> = batch
            .into_par_iter()
            .map_init(FingerprintScratch::default, |scratch, item| {
                let doc = options.parse(item)?;
                let fp = fingerprinter.fingerprint_with(&doc.text, scratch);
                Ok((doc, fp))
            })
            .collect();
        let count = parsed.len();
        for (record, result) in (first..).zip(parsed) {
            let checked = result.and_then(|(doc, fp)| match seen.get(&doc.id) {
                Some(first) => Err(Error::DuplicateId {
                    id: doc.id.clone(),
                    first: first.clone(),
                    second: doc.location.clone(),
                }),
                None => Ok((doc, fp)),
            });
            match checked {
                Ok((doc, fp)) => {
                    seen.insert(doc.id.clone(), doc.location.clone());
                    sink(record, doc, fp)?;
                }
                Err(e) if on_invalid == OnInvalid::Skip && e.is_skippable() => {
                    observer.skipped(&e);
                    skipped += 1;
                }
                Err(e) => return Err(e),
            }
        }
        observer.read(count, bytes);
        Ok(())
    })?;
    Ok(skipped)
}

/// Reads every input in order on one thread and hands the raw records to `batch` in batches
/// (sized by `batching`), with the record number of each batch's first record. Record
/// numbers count every record the readers yield (skipped or not), across all
/// inputs, so reading the same unchanged inputs again numbers them the same way: that is
/// how the second pass of [`crate::twopass`] finds the records it needs without parsing
/// the others.
pub(crate) fn stream_items(
    inputs: &[InputSpec],
    options: &InputOptions,
    batching: Batching,
    mut batch: impl FnMut(u64, Vec<Item>) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = sync_channel::<Result<Vec<Item>>>(batching.queued);
        scope.spawn(move || {
            for spec in inputs {
                let reader = match spec.open(options) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                let (mut batch, mut bytes) = (Vec::new(), 0usize);
                for item in reader {
                    match item {
                        Ok(item) => {
                            bytes += item.len();
                            batch.push(item);
                            if batch.len() >= batching.docs || bytes >= batching.bytes {
                                if tx.send(Ok(std::mem::take(&mut batch))).is_err() {
                                    return;
                                }
                                bytes = 0;
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                if !batch.is_empty() && tx.send(Ok(batch)).is_err() {
                    return;
                }
            }
        });
        let mut next = 0u64;
        for items in rx {
            let items = items?;
            let first = next;
            next += items.len() as u64;
            batch(first, items)?;
        }
        Ok(())
    })
}

/// The shared header of the CSV inputs, or an error if two differ.
fn csv_header(inputs: &[InputSpec], options: &InputOptions) -> Result<Option<csv::ByteRecord>> {
    let mut header: Option<(csv::ByteRecord, &InputSpec)> = None;
    for spec in inputs
        .iter()
        .filter(|s| s.format == crate::input::Format::Csv && s.path.as_os_str() != "-")
    {
        let reader = spec.open(options)?;
        let h = reader.csv_header().cloned().unwrap_or_default();
        match &header {
            None => header = Some((h, spec)),
            Some((first, first_spec)) if options.keep_raw && *first != h => {
                return Err(Error::Config(format!(
                    "{} and {} have different CSV headers; records cannot be written back to one file",
                    first_spec.path.display(),
                    spec.path.display()
                )))
            }
            Some(_) => {}
        }
    }
    Ok(header.map(|(h, _)| h))
}

/// A verified pair between two exact-duplicate groups, by their leaders' indices.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPair {
    /// The smaller leader index.
    pub a: u32,
    /// The larger leader index.
    pub b: u32,
    /// MinHash estimate of Jaccard.
    pub estimate: f64,
    /// Exact measures, when verification is on.
    pub exact: Option<Similarity>,
}

/// Candidates found and verified over a corpus.
#[derive(Debug)]
pub struct Analysis {
    /// Per document, the first document (lowest index) with the same normalised text; a
    /// document without tokens is its own group.
    pub group_of: Vec<u32>,
    /// Accepted pairs between group leaders, sorted.
    pub pairs: Vec<GroupPair>,
    /// The LSH parameters used.
    pub lsh: LshParams,
    /// Number of distinct candidate pairs LSH produced.
    pub candidates: usize,
    /// The rewrite tier's results, when the tier includes it.
    pub rewrite: Option<RewriteAnalysis>,
    sets: Vec<Option<Box<[u64]>>>,
}

/// A verified rewrite pair between two exact-duplicate groups, by their leaders' indices.
#[derive(Debug, Clone, PartialEq)]
pub struct RewritePair {
    /// The smaller leader index.
    pub a: u32,
    /// The larger leader index.
    pub b: u32,
    /// Sketch estimate of the weighted Jaccard of the top features.
    pub estimate: f64,
    /// The verification score and its parts.
    pub score: RewriteScore,
}

/// What the rewrite tier found.
#[derive(Debug)]
pub struct RewriteAnalysis {
    /// Per document, its weighted profile.
    pub profiles: Vec<Profile>,
    /// Verified pairs between group leaders, sorted.
    pub pairs: Vec<RewritePair>,
    /// Pairs between group leaders that are no rewrite but support a cluster
    /// ([`RewriteScore::supports`] at [`RewriteParams::support_floor`]), sorted.
    pub support: Vec<(u32, u32)>,
    /// LSH parameters of the sketches.
    pub lsh: LshParams,
    /// Distinct candidate pairs LSH produced.
    pub candidates: usize,
    /// Units dropped as boilerplate (repeated, off-topic).
    pub dropped_units: (usize, usize),
    /// Publication times: each document's own, and its exact-duplicate group's span.
    pub times: Times,
    /// The rewrite links (verified and supporting pairs), for corroborating weak verdicts.
    pub witnesses: Witnesses,
    /// How many other families each group leader verifies with, for
    /// [`RewriteParams::running_partners`].
    partners: Partners,
    group_of: Vec<u32>,
    params: RewriteParams,
}

/// For each document, how many near-duplicate families other than its own it verifies
/// with (its rewrite pairs before corroboration, which leave out later developments and
/// pairs outside the rewrite window): how much of a running story the document is at the
/// centre of ([`running_development`]). Families, as for [`Witnesses`]: a story's copies
/// are one report.
#[derive(Debug, Default)]
struct Partners(HashMap<u32, u32>);

impl Partners {
    fn new(family_of: &[u32], pairs: &[RewritePair]) -> Self {
        let mut half: Vec<(u32, u32)> = Vec::with_capacity(2 * pairs.len());
        for p in pairs {
            let (fa, fb) = (family_of[p.a as usize], family_of[p.b as usize]);
            if fa != fb {
                half.push((p.a, fb));
                half.push((p.b, fa));
            }
        }
        half.sort_unstable();
        half.dedup();
        let mut m: HashMap<u32, u32> = HashMap::new();
        for (d, _) in half {
            *m.entry(d).or_insert(0) += 1;
        }
        Partners(m)
    }

    /// The larger partner count of two documents.
    fn of(&self, a: u32, b: u32) -> usize {
        let n = |d: u32| self.0.get(&d).copied().unwrap_or(0);
        n(a).max(n(b)) as usize
    }
}

/// Whether a rewrite verdict of leaders `a` and `b` stands: it is not weak
/// ([`RewriteScore::is_weak`]) or enough other stories vouch for it
/// ([`RewriteParams::weak_witnesses`]).
fn confirmed(s: &RewriteScore, a: u32, b: u32, w: &Witnesses, p: &RewriteParams) -> bool {
    p.weak_witnesses == 0 || !s.is_weak(p) || w.count(a, b) >= p.weak_witnesses
}

impl RewriteAnalysis {
    /// Whether two documents' exact-duplicate groups were published close enough
    /// together to hold rewrites of one another ([`Times::groups_within`]).
    pub fn in_window(&self, a: u32, b: u32) -> bool {
        self.times.groups_within(a, b, self.params.window_days)
    }

    /// Whether two documents themselves were published within the window
    /// ([`Times::within`]).
    pub fn published_within(&self, a: u32, b: u32) -> bool {
        self.times.within(a, b, self.params.window_days)
    }

    /// Whether two documents are rewrites of each other, as `cluster` and `pairs` judge
    /// it: `s` (their [`Self::score`]) verifies, the two are neither a later development
    /// ([`later_development`]) nor a running story's reports of other days
    /// ([`running_development`]), and a weak verdict is corroborated by witnesses among the
    /// corpus's rewrite links ([`RewriteParams::weak_witnesses`]).
    /// The window is not checked here ([`Self::in_window`]).
    pub fn verifies(&self, a: u32, b: u32, s: &RewriteScore) -> bool {
        let (la, lb) = (self.group_of[a as usize], self.group_of[b as usize]);
        s.is_rewrite()
            && !self.later_development(a, b, s)
            && confirmed(s, la, lb, &self.witnesses, &self.params)
            && !running_development(
                s,
                self.times.group_days(a, b),
                self.partners_of(a, b),
                &self.params,
            )
    }

    /// Whether two documents with score `s` are a later development of one another
    /// ([`later_development`] at their exact-copy groups' nearest times): such a pair
    /// does not verify, but may support a cluster.
    pub fn later_development(&self, a: u32, b: u32, s: &RewriteScore) -> bool {
        later_development(s, self.times.group_days(a, b), &self.params)
    }

    /// How many near-duplicate families other than its own the more connected of two
    /// documents verifies with, through its exact-copy group's leader
    /// ([`RewriteParams::running_partners`]).
    pub fn partners_of(&self, a: u32, b: u32) -> usize {
        let (la, lb) = (self.group_of[a as usize], self.group_of[b as usize]);
        self.partners.of(la, lb)
    }

    /// Other stories (near-duplicate families) that come within the support floor of
    /// both documents among the rewrite links ([`Witnesses`]).
    pub fn witnesses_of(&self, a: u32, b: u32) -> usize {
        let (la, lb) = (self.group_of[a as usize], self.group_of[b as usize]);
        self.witnesses.count(la, lb)
    }

    /// The rewrite score of two documents.
    pub fn score(&self, a: u32, b: u32) -> RewriteScore {
        rewrite_score(
            &self.profiles[a as usize],
            &self.profiles[b as usize],
            &self.params,
        )
    }
}

/// Rewrite profiles of every text of a corpus, with boilerplate removal per `params`.
/// Returns profiles and the units dropped (repeated, off-topic).
///
/// The stages are public (`rewrite_*` below) so that `examples/rewrite_stages.rs` can time
/// them one by one. Each document's term counts are made where they are needed (document
/// frequencies, then its profile) instead of being kept for the whole corpus: they were
/// the largest thing held beside the tokens.
pub fn rewrite_profiles_with_stats(
    texts: &[&str],
    params: &RewriteParams,
) -> (Vec<Profile>, (usize, usize)) {
    rewrite_profiles_in_families(texts, None, params)
}

/// [`rewrite_profiles_with_stats`] for a corpus whose documents fall into families of
/// copies and near-duplicates: `families[d]` is the lowest index of document `d`'s family
/// ([`near_families`]). A family counts as one document for the repeated-line detector,
/// so a story carried verbatim by three or more outlets does not lose its lines as "site
/// chrome". (Document frequencies still count every document: counted by family, the
/// near-identical notes of a template (hog prices of other days) no longer looked like
/// template vocabulary, and on Reuters-21578 such pairs came back.) `None`: every
/// document is its own family.
///
/// # Panics
/// If `families` is not one index per text, each at most the text's own index.
pub fn rewrite_profiles_in_families(
    texts: &[&str],
    families: Option<&[u32]>,
    params: &RewriteParams,
) -> (Vec<Profile>, (usize, usize)) {
    if let Some(f) = families {
        assert!(
            f.len() == texts.len() && f.iter().enumerate().all(|(d, &x)| x as usize <= d),
            "one family per text, each its lowest member"
        );
    }
    let mut docs = rewrite_units(texts);
    let mut dropped = (0, 0);
    if params.boilerplate {
        dropped.0 = rewrite_drop_repeated_in(&mut docs, families, params);
    }
    let mut stats = rewrite_stats(&docs, params);
    if params.boilerplate {
        let off_topic = rewrite_drop_off_topic(&mut docs, &stats, params);
        dropped.1 = off_topic.iter().map(|o| o.units).sum();
        if dropped.1 > 0 {
            rewrite_forget(&mut stats, &off_topic);
        }
    }
    let mut profiles = rewrite_build_profiles(docs, &stats, params);
    crate::rewrite::mark_template_frames(&mut profiles, families, params);
    (profiles, dropped)
}

/// Families of copies and near-duplicates, for each document the lowest index of its
/// family: stars, not connected components, so that a chain of near-identical template
/// notes (hog prices of one day ≈ the next day's ≈ …) does not make one family. In input
/// order, each exact group's leader not yet in a family heads one, and takes in every
/// group it was accepted as a near-duplicate of (`pairs`) that is in none; exact copies
/// follow their group's leader.
pub fn near_families(group_of: &[u32], pairs: &[GroupPair]) -> Vec<u32> {
    const NONE: u32 = u32::MAX;
    let n = group_of.len();
    let mut partners: Vec<(u32, u32)> = Vec::with_capacity(2 * pairs.len());
    for p in pairs {
        partners.push((p.a, p.b));
        partners.push((p.b, p.a));
    }
    partners.sort_unstable();
    let mut family = vec![NONE; n];
    for d in 0..n as u32 {
        if group_of[d as usize] != d || family[d as usize] != NONE {
            continue;
        }
        family[d as usize] = d;
        let from = partners.partition_point(|x| x.0 < d);
        for &(_, q) in partners[from..].iter().take_while(|x| x.0 == d) {
            if family[q as usize] == NONE {
                family[q as usize] = d;
            }
        }
    }
    (0..n).map(|d| family[group_of[d] as usize]).collect()
}

/// Rewrite stage: every text split into units and tokens.
pub fn rewrite_units(texts: &[&str]) -> Vec<DocUnits> {
    texts.par_iter().map(|t| DocUnits::parse(t)).collect()
}

/// Rewrite stage: drops the units found in `min_repeat_docs` or more documents; returns how
/// many were dropped.
pub fn rewrite_drop_repeated(docs: &mut [DocUnits], params: &RewriteParams) -> usize {
    rewrite_drop_repeated_in(docs, None, params)
}

/// [`rewrite_drop_repeated`] counting each family of near-duplicates once (see
/// [`rewrite_profiles_in_families`]).
fn rewrite_drop_repeated_in(
    docs: &mut [DocUnits],
    families: Option<&[u32]>,
    params: &RewriteParams,
) -> usize {
    // Without families every document is its own, and the order below is input order.
    let family = |d: u32| families.map_or(d, |f| f[d as usize]);
    let mut order: Vec<u32> = (0..docs.len() as u32).collect();
    if families.is_some() {
        order.sort_unstable_by_key(|&d| (family(d), d));
    }
    let groups: Vec<&[u32]> = order.chunk_by(|&x, &y| family(x) == family(y)).collect();
    let shared: &[DocUnits] = docs;
    let repeated = groups
        .par_iter()
        .fold(RepeatedLines::default, |mut r, g| {
            r.add_family(g.iter().map(|&d| &shared[d as usize]));
            r
        })
        .reduce(RepeatedLines::default, RepeatedLines::merge);
    docs.par_iter_mut()
        .map(|d| repeated.drop_repeated(d, params.min_repeat_docs))
        .sum()
}

/// Rewrite stage: corpus statistics over the kept units of every document.
pub fn rewrite_stats(docs: &[DocUnits], params: &RewriteParams) -> Stats {
    let freq = docs
        .par_iter()
        .fold(
            || (DocFrequencies::default(), SeenFeatures::default()),
            |(mut f, mut seen), d| {
                f.add_kept(d, &mut seen);
                (f, seen)
            },
        )
        .map(|(f, _)| f)
        .reduce(DocFrequencies::default, DocFrequencies::merge);
    Stats::from_frequencies(freq, params)
}

/// Rewrite stage: drops the off-topic units of every document; returns what each lost.
pub fn rewrite_drop_off_topic(
    docs: &mut [DocUnits],
    stats: &Stats,
    params: &RewriteParams,
) -> Vec<OffTopic> {
    docs.par_iter_mut()
        .map(|d| {
            drop_off_topic(
                d,
                stats,
                params.off_topic_coherence,
                params.off_topic_min_tokens,
            )
        })
        .collect()
}

/// Rewrite stage: takes the off-topic units out of the statistics.
pub fn rewrite_forget(stats: &mut Stats, off_topic: &[OffTopic]) {
    let tokens = off_topic.iter().map(|o| o.tokens).sum();
    stats.forget(off_topic.iter().map(|o| o.lost.as_slice()), tokens);
}

/// Rewrite stage: the profile of every document. Takes the documents so that each
/// document's tokens are freed as soon as its profile is built: the tokens of the whole
/// corpus and all its profiles are never held at once.
pub fn rewrite_build_profiles(
    docs: Vec<DocUnits>,
    stats: &Stats,
    params: &RewriteParams,
) -> Vec<Profile> {
    docs.into_par_iter()
        .map(|d| Profile::build(&d, stats, params))
        .collect()
}

/// Rewrite profiles of every text of a corpus (see [`rewrite_profiles_with_stats`]).
pub fn rewrite_profiles(texts: &[&str], params: &RewriteParams) -> Vec<Profile> {
    rewrite_profiles_with_stats(texts, params).0
}

/// What one LSH band of the rewrite sketches found: candidates first met in it, verified
/// pairs and pairs that only support a cluster.
struct BandFinds {
    candidates: usize,
    found: Vec<RewritePair>,
    support: Vec<(u32, u32)>,
}

/// Publication times of a corpus's documents, for the rewrite window
/// ([`RewriteParams::window_days`]).
#[derive(Debug, Clone, Default)]
pub struct Times {
    /// Per document, its own time (seconds since the epoch), when it has one.
    pub own: Vec<Option<i64>>,
    /// Per document, the earliest and latest time of its exact-duplicate group, when any
    /// member has one: a story carried verbatim again later was out at every one of its
    /// times, so a rewrite may follow any copy.
    pub span: Vec<Option<(i64, i64)>>,
}

impl Times {
    /// The times of `docs`, whose exact-duplicate groups are `group_of` (each document's
    /// group leader).
    pub fn new(docs: &[Document], group_of: &[u32]) -> Self {
        let own: Vec<Option<i64>> = docs.iter().map(|d| d.date).collect();
        let mut by_leader: Vec<Option<(i64, i64)>> = vec![None; docs.len()];
        for (d, t) in own.iter().enumerate() {
            if let Some(t) = *t {
                let g = &mut by_leader[group_of[d] as usize];
                *g = Some(g.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))));
            }
        }
        let span = (0..docs.len())
            .map(|d| by_leader[group_of[d] as usize])
            .collect();
        Times { own, span }
    }

    /// Whether two documents were published at most `window_days` apart; true when
    /// either has no time. This is what a reported rewrite pair obeys.
    pub fn within(&self, a: u32, b: u32, window_days: f64) -> bool {
        let span = |d: u32| self.own[d as usize].map(|t| (t, t));
        days_between(span(a), span(b)).is_none_or(|d| d <= window_days)
    }

    /// Whether two documents' exact-duplicate groups hold times at most `window_days`
    /// apart; true when either has none. This is what admits a candidate pair and a
    /// cluster's unit.
    pub fn groups_within(&self, a: u32, b: u32, window_days: f64) -> bool {
        self.group_days(a, b).is_none_or(|d| d <= window_days)
    }

    /// Days between the nearest times of two documents' exact-duplicate groups, when
    /// both have one.
    pub fn group_days(&self, a: u32, b: u32) -> Option<f64> {
        days_between(self.span[a as usize], self.span[b as usize])
    }
}

/// Days between the nearest times of two spans (0 when they overlap), when both are
/// known. Exact for any `i64` times.
pub fn days_between(x: Option<(i64, i64)>, y: Option<(i64, i64)>) -> Option<f64> {
    let (x, y) = (x?, y?);
    // Every candidate pair of the rewrite tier asks this: an `i128` to `f64` conversion is a
    // library call, an `i64` one an instruction. Both round the same integer to the same
    // nearest `f64`, so the fast path changes no result. The fast path must not start from
    // the `i128` difference: LLVM then folds both arms into the library call.
    let gap = match (y.0.checked_sub(x.1), x.0.checked_sub(y.1)) {
        (Some(a), Some(b)) => a.max(b).max(0) as f64,
        _ => (i128::from(y.0) - i128::from(x.1))
            .max(i128::from(x.0) - i128::from(y.1))
            .max(0) as f64,
    };
    Some(gap / 86_400.0)
}

/// Profiles, sketches, LSH candidates and verified rewrite pairs among `leaders`.
fn analyze_rewrites(
    corpus: &Corpus,
    leaders: &[u32],
    families: &[u32],
    group_of: &[u32],
    config: &Config,
    observer: &dyn Observer,
) -> Result<RewriteAnalysis> {
    let params = &config.rewrite;
    let times = Times::new(&corpus.docs, group_of);
    let sketcher = WeightedMinHasher::new(params.sketch_size, config.seed)?;
    observer.stage("rewrite features");
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let (profiles, dropped_units) = rewrite_profiles_in_families(&texts, Some(families), params);
    observer.stage("rewrite sketches");
    let tops: Vec<&[(u64, f64)]> = leaders
        .iter()
        .map(|&i| profiles[i as usize].top.as_slice())
        .collect();
    let sketches: Vec<(u32, Sketch)> = leaders
        .iter()
        .zip(sketcher.sketch_all(&tops))
        .filter_map(|(&i, s)| s.map(|s| (i, s)))
        .collect();
    let lsh = params.lsh_params_for(sketches.len())?;
    observer.stage("rewrite candidates");
    let mut sketch_of: Vec<Option<Sketch>> = vec![None; corpus.docs.len()];
    for (i, sk) in sketches {
        sketch_of[i as usize] = Some(sk);
    }
    let live: Vec<u32> = (0..sketch_of.len() as u32)
        .filter(|&i| sketch_of[i as usize].is_some())
        .collect();
    let empty: &[u32] = &[];
    let sketch = |i: u32| sketch_of[i as usize].as_deref().unwrap_or(empty);
    // Every band key of every live document, computed once: row `k` of `band_keys` holds
    // the `bands` keys of document `live[k]` (its slot `k`). Buckets are formed by key, and
    // a pair is handled in the first band where its keys agree, so the check "collided in
    // an earlier band?" is a scan of two short key rows instead of a comparison of sketch
    // rows band by band.
    let bands = lsh.bands;
    let band_keys: Vec<u64> = live
        .par_iter()
        .flat_map_iter(|&doc| (0..bands).map(move |band| lsh.band_key(sketch(doc), band)))
        .collect();
    // The top 16 bits of every band key, four to a word: equal keys have equal tags, so
    // rows whose tags never agree never collided, and the check reads 128 bytes per document
    // instead of 512 (the rows of a bucket's documents are scattered over the corpus).
    // Packed so that one XOR and a zero-lane test (below) compare four bands at once: the
    // check runs for every pair of every bucket, 4.2 M times on Reuters-21578.
    let tag_words = bands.div_ceil(4);
    let mut band_tags: Vec<u64> = vec![0; live.len() * tag_words];
    for (k, keys) in band_keys.chunks_exact(bands.max(1)).enumerate() {
        for (band, &key) in keys.iter().enumerate() {
            band_tags[k * tag_words + band / 4] |= (key >> 48) << (16 * (band % 4));
        }
    }
    // By slot, not by document: a bucket lists slots, so the rows are found without a
    // lookup in `slot` (a cache miss per pair).
    let tags_of = |k: u32| &band_tags[k as usize * tag_words..(k as usize + 1) * tag_words];
    let keys_by_slot = |k: u32| &band_keys[k as usize * bands..(k as usize + 1) * bands];
    // Whether the documents in slots `a` and `b` agree in one of the bands before `band`.
    // Word by word: `v` has a zero 16-bit lane exactly where the tags agree, and
    // `(v − 0x0001…) & !v & 0x8000…` is non-zero exactly when some lane of `v` is zero (its
    // lanes may be wrong above a zero lane, never all zero when one is); only then are that
    // word's bands compared by their full keys. Lanes from `band` on are forced non-zero.
    const LOW: u64 = 0x0001_0001_0001_0001;
    const HIGH: u64 = 0x8000_8000_8000_8000;
    let zero_lane = |v: u64| v.wrapping_sub(LOW) & !v & HIGH != 0;
    let collided_before = |a: u32, b: u32, band: usize| {
        let (ta, tb) = (tags_of(a), tags_of(b));
        let keys_agree = |w: usize| {
            let (ka, kb) = (keys_by_slot(a), keys_by_slot(b));
            (4 * w..band.min(4 * w + 4)).any(|i| ka[i] == kb[i])
        };
        let full = band / 4;
        for (w, (x, y)) in ta[..full].iter().zip(&tb[..full]).enumerate() {
            if zero_lane(x ^ y) && keys_agree(w) {
                return true;
            }
        }
        let lanes = band % 4;
        lanes > 0
            && zero_lane((ta[full] ^ tb[full]) | (u64::MAX << (16 * lanes)))
            && keys_agree(full)
    };
    let gate = CandidateGate::new(&profiles, params);
    let floor = params.support_floor();
    let bands_done = std::sync::atomic::AtomicUsize::new(0);
    let per_band: Vec<BandFinds> = (0..bands)
        .into_par_iter()
        .map(|band| {
            // (band key, slot): slots are in document order, so the smaller slot of a
            // pair is the smaller document.
            let mut keys: Vec<(u64, u32)> = (0..live.len() as u32)
                .map(|k| (keys_by_slot(k)[band], k))
                .collect();
            crate::hash::sort_by_hash(&mut keys, |k| k.0);
            let (mut candidates, mut found, mut support) = (0usize, Vec::new(), Vec::new());
            for bucket in keys.chunk_by(|x, y| x.0 == y.0) {
                for (i, &(_, a)) in bucket.iter().enumerate() {
                    for &(_, b) in &bucket[i + 1..] {
                        let (sa, sb) = (a.min(b), a.max(b));
                        // A pair is handled in the first band where it collides.
                        if collided_before(sa, sb, band) {
                            continue;
                        }
                        let (a, b) = (live[sa as usize], live[sb as usize]);
                        candidates += 1;
                        if !times.groups_within(a, b, params.window_days)
                            || !gate.may_verify(a as usize, b as usize)
                        {
                            continue;
                        }
                        let scored =
                            score_candidate(&profiles[a as usize], &profiles[b as usize], params);
                        // A later development only supports: a running story's reports are
                        // related, and loose rewrites published days apart that update a
                        // figure (the seeds dated over a week) need that support to hold
                        // together.
                        let later =
                            |s: &RewriteScore| later_development(s, times.group_days(a, b), params);
                        match scored {
                            Some(score) if score.is_rewrite() && !later(&score) => {
                                found.push(RewritePair {
                                    a,
                                    b,
                                    estimate: collision_rate(sketch(a), sketch(b)),
                                    score,
                                })
                            }
                            Some(score) if score.supports(floor) => support.push((a, b)),
                            _ => {}
                        }
                    }
                }
            }
            let done = bands_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            observer.progress(done, bands);
            BandFinds {
                candidates,
                found,
                support,
            }
        })
        .collect();
    let candidates = per_band.iter().map(|x| x.candidates).sum();
    let mut support: Vec<(u32, u32)> = per_band
        .iter()
        .flat_map(|x| x.support.iter().copied())
        .collect();
    let mut pairs: Vec<RewritePair> = per_band.into_iter().flat_map(|x| x.found).collect();
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    // Weak verdicts without witnesses are demoted to support: they may still help a group
    // of rewrites hold together, but do not make two documents a rewrite pair alone.
    let witnesses = Witnesses::new(
        families,
        pairs
            .iter()
            .map(|p| (p.a, p.b))
            .chain(support.iter().copied()),
    );
    let partners = Partners::new(families, &pairs);
    let (pairs, demoted): (Vec<RewritePair>, Vec<RewritePair>) = pairs.into_iter().partition(|p| {
        confirmed(&p.score, p.a, p.b, &witnesses, params)
            && !running_development(
                &p.score,
                times.group_days(p.a, p.b),
                partners.of(p.a, p.b),
                params,
            )
    });
    support.extend(demoted.iter().map(|p| (p.a, p.b)));
    support.sort_unstable();
    Ok(RewriteAnalysis {
        profiles,
        pairs,
        support,
        witnesses,
        partners,
        group_of: group_of.to_vec(),
        lsh,
        candidates,
        dropped_units,
        times,
        params: params.clone(),
    })
}

/// Exact groups, LSH candidates and their verification.
pub fn analyze(corpus: &Corpus, config: &Config, observer: &dyn Observer) -> Result<Analysis> {
    let shingler = config.shingler();
    let mut analysis = analyze_near(&corpus.fingerprints, config, observer, |involved| {
        Ok(involved
            .par_iter()
            .map_init(
                || (Scratch::default(), Vec::new()),
                |(scratch, buf), &i| {
                    shingler.shingle_set_into(&corpus.docs[i as usize].text, scratch, buf);
                    buf.as_slice().into()
                },
            )
            .collect())
    })?;
    if config.tier.rewrite() {
        let fps = &corpus.fingerprints;
        let leaders: Vec<u32> = (0..fps.len() as u32)
            .filter(|&i| analysis.group_of[i as usize] == i && fps[i as usize].signature.is_some())
            .collect();
        let families = near_families(&analysis.group_of, &analysis.pairs);
        if !config.tier.near() {
            // Searched for the families only: `--tier rewrite` reports no near-duplicates.
            analysis.pairs.clear();
            analysis.candidates = 0;
        }
        analysis.rewrite = Some(analyze_rewrites(
            corpus,
            &leaders,
            &families,
            &analysis.group_of,
            config,
            observer,
        )?);
    }
    Ok(analysis)
}

/// The near-duplicate half of [`analyze`], from fingerprints alone: exact groups, LSH
/// candidates and, when `config.verify`, their verification with exact Jaccard.
/// `shingle_sets(involved)` gets every document in some candidate pair (sorted indices) and
/// returns their shingle sets (sorted, de-duplicated hashes, as
/// [`Shingler::shingle_set_into`](crate::shingle::Shingler::shingle_set_into) makes them) in
/// the same order; where the texts come from is the caller's business. `rewrite` is left
/// `None`.
fn analyze_near(
    fps: &[Fingerprint],
    config: &Config,
    observer: &dyn Observer,
    shingle_sets: impl FnOnce(&[u32]) -> Result<Vec<Box<[u64]>>>,
) -> Result<Analysis> {
    let found = near_candidates(fps, config, observer)?;
    observer.stage("verify");
    let sets = if config.verify {
        let involved = found.involved();
        let built = shingle_sets(&involved)?;
        found.sets(&involved, built)?
    } else {
        Vec::new()
    };
    Ok(verify_near(fps, found, sets, config))
}

/// Exact groups and LSH candidates: the first half of the near tier, which needs only the
/// fingerprints. [`crate::twopass`] reads the texts of [`NearCandidates::involved`] between
/// this and [`verify_near`].
pub(crate) struct NearCandidates {
    group_of: Vec<u32>,
    candidates: Vec<(u32, u32)>,
    lsh: LshParams,
}

impl NearCandidates {
    /// Every document in some candidate pair, sorted: the only ones whose shingle sets (and
    /// signatures) the rest of the near tier reads.
    pub(crate) fn involved(&self) -> Vec<u32> {
        let mut involved: Vec<u32> = self.candidates.iter().flat_map(|&(a, b)| [a, b]).collect();
        involved.par_sort_unstable();
        involved.dedup();
        involved
    }

    /// Per document, its shingle set if it is in `involved` (`built` in the same order).
    pub(crate) fn sets(
        &self,
        involved: &[u32],
        built: Vec<Box<[u64]>>,
    ) -> Result<Vec<Option<Box<[u64]>>>> {
        if built.len() != involved.len() {
            return Err(Error::Config(format!(
                "internal: {} shingle sets for {} documents",
                built.len(),
                involved.len()
            )));
        }
        let mut sets: Vec<Option<Box<[u64]>>> = vec![None; self.group_of.len()];
        for (&i, set) in involved.iter().zip(built) {
            sets[i as usize] = Some(set);
        }
        Ok(sets)
    }
}

/// Exact-duplicate groups and LSH candidate pairs among the groups' leaders.
pub(crate) fn near_candidates(
    fps: &[Fingerprint],
    config: &Config,
    observer: &dyn Observer,
) -> Result<NearCandidates> {
    config.validate()?;
    let lsh = config.lsh_params()?;
    let n = fps.len();

    observer.stage("exact duplicates");
    let mut by_content: Vec<(u128, u32)> = (0..n as u32)
        .filter(|&i| fps[i as usize].signature.is_some())
        .map(|i| (fps[i as usize].content_hash, i))
        .collect();
    by_content.par_sort_unstable();
    let mut group_of: Vec<u32> = (0..n as u32).collect();
    for run in by_content.chunk_by(|x, y| x.0 == y.0) {
        for &(_, i) in run {
            group_of[i as usize] = run[0].1;
        }
    }

    observer.stage("candidates");
    let leaders: Vec<(u32, &[u32])> = (0..n as u32)
        .filter(|&i| group_of[i as usize] == i)
        .filter_map(|i| fps[i as usize].signature.as_deref().map(|s| (i, s)))
        .collect();
    // Every tier searches near-duplicates: the rewrite tier counts each family of copies
    // and near-duplicates once (`near_families`), and `--tier rewrite` only reports none.
    let mut candidates: Vec<(u32, u32)> = (0..lsh.bands)
        .into_par_iter()
        .map(|band| {
            let mut keys: Vec<(u64, u32)> = leaders
                .iter()
                .map(|&(doc, sig)| (lsh.band_key(sig, band), doc))
                .collect();
            let mut pairs = Vec::new();
            pairs_in_band(&mut keys, &mut pairs);
            pairs
        })
        .flatten()
        .collect();
    candidates.par_sort_unstable();
    candidates.dedup();
    Ok(NearCandidates {
        group_of,
        candidates,
        lsh,
    })
}

/// Scores every candidate (exact Jaccard when both shingle sets are in `sets`, else the
/// MinHash estimate) and keeps those at or above the threshold. `sets` is empty or has one
/// entry per document. Reads the signatures of candidate documents only.
pub(crate) fn verify_near(
    fps: &[Fingerprint],
    found: NearCandidates,
    mut sets: Vec<Option<Box<[u64]>>>,
    config: &Config,
) -> Analysis {
    let NearCandidates {
        group_of,
        candidates,
        lsh,
    } = found;
    if sets.is_empty() {
        sets = vec![None; group_of.len()];
    }
    let signature = |i: u32| fps[i as usize].signature.as_deref().unwrap_or_default();
    let threshold = config.threshold;
    let pairs: Vec<GroupPair> = candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let estimate = jaccard_estimate(signature(a), signature(b));
            let exact = match (&sets[a as usize], &sets[b as usize]) {
                (Some(sa), Some(sb)) => Some(Similarity::of(sa, sb)),
                _ => None,
            };
            let score = exact.map_or(estimate, |s| s.jaccard);
            (score >= threshold).then_some(GroupPair {
                a,
                b,
                estimate,
                exact,
            })
        })
        .collect();
    Analysis {
        group_of,
        pairs,
        lsh,
        candidates: candidates.len(),
        rewrite: None,
        sets,
    }
}

impl Analysis {
    /// Similarity, containment of `a` in `b`, and kind of two documents, from exact sets
    /// when verification ran, else from signatures.
    pub fn score(&self, corpus: &impl Documents, a: u32, b: u32) -> (f64, f64, Kind) {
        let (ga, gb) = (self.group_of[a as usize], self.group_of[b as usize]);
        if ga == gb {
            return (1.0, 1.0, Kind::Exact);
        }
        if let (Some(sa), Some(sb)) = (&self.sets[ga as usize], &self.sets[gb as usize]) {
            let s = Similarity::of(sa, sb);
            return (s.jaccard, s.a_in_b, Kind::NearDuplicate);
        }
        let fa = &corpus.fingerprints()[ga as usize];
        let fb = &corpus.fingerprints()[gb as usize];
        match (&fa.signature, &fb.signature) {
            (Some(x), Some(y)) => {
                let est = jaccard_estimate(x, y);
                let c = containment_estimate(est, fa.shingles as usize, fb.shingles as usize);
                (est, c, Kind::NearDuplicate)
            }
            _ => (0.0, 0.0, Kind::NearDuplicate),
        }
    }

    /// The members of every exact-duplicate group with two or more documents, by leader.
    pub fn exact_groups(&self) -> Vec<Vec<u32>> {
        let mut uf = UnionFind::new(self.group_of.len());
        for (i, &g) in self.group_of.iter().enumerate() {
            uf.union(i as u32, g);
        }
        uf.groups()
    }
}

/// Groups documents into clusters (two or more members each), ordered by their first
/// member in input order.
pub fn cluster(
    corpus: &impl Documents,
    analysis: &Analysis,
    config: &Config,
    observer: &dyn Observer,
) -> Vec<Cluster> {
    observer.stage("cluster");
    let n = corpus.doc_count();
    let mut uf = UnionFind::new(n);
    for (i, &g) in analysis.group_of.iter().enumerate() {
        uf.union(i as u32, g);
    }
    for p in &analysis.pairs {
        uf.union(p.a, p.b);
    }
    let components = uf.groups();
    let mut clusters: Vec<Cluster> = components
        .into_par_iter()
        .flat_map_iter(|mut docs| {
            order_by_keep(&mut docs, config.keep, |d| corpus.text_len(d));
            split_component(&docs, config.linkage, config.threshold, |d, rep| {
                analysis.score(corpus, d, rep)
            })
        })
        .collect();
    clusters.sort_unstable_by_key(|c| c.members[0].doc);
    let Some(rw) = &analysis.rewrite else {
        return clusters;
    };
    observer.stage("rewrite clusters");
    let mut order: Vec<u32> = (0..n as u32).collect();
    order_by_keep(&mut order, config.keep, |d| corpus.text_len(d));
    let mut rank = vec![0usize; n];
    for (r, &d) in order.iter().enumerate() {
        rank[d as usize] = r;
    }
    let edges: Vec<(u32, u32)> = rw.pairs.iter().map(|p| (p.a, p.b)).collect();
    merge_rewrites(
        n,
        clusters,
        &edges,
        (rw.params.cluster_support > 0.0).then_some(rw.support.as_slice()),
        |d| rank[d as usize],
        |a, b| {
            let s = rw.score(a, b);
            let within = rw.in_window(a, b);
            RewriteLink {
                similarity: s.score,
                containment: s.a_in_b,
                verified: within && rw.verifies(a, b, &s),
                supports: s.supports(rw.params.support_floor()) && within,
            }
        },
    )
}

/// Similarity of two texts under `config`, computed every way the tool knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// MinHash estimate of Jaccard (`None` when a text has no token).
    pub estimate: Option<f64>,
    /// Exact Jaccard and containments of the shingle sets.
    pub exact: Similarity,
    /// Whether the two are identical after normalisation.
    pub identical: bool,
    /// The rewrite score of the pair, against the statistics of the corpus the two were
    /// compared in ([`compare`]: the two texts alone, so idf from the background;
    /// [`compare_in`]: a whole corpus, as `cluster` and `pairs` score it).
    pub rewrite: RewriteScore,
}

/// Compares two texts.
///
/// ```
/// use neardup::{compare, Config};
/// let c = compare(&Config::default(), "a b c d e f g", "a b c d e f g h").unwrap();
/// assert!((c.exact.jaccard - 3.0 / 4.0).abs() < 1e-9);
/// assert_eq!(c.exact.a_in_b, 1.0);
/// ```
pub fn compare(config: &Config, a: &str, b: &str) -> Result<Comparison> {
    compare_in(config, &[a, b], 0, 1)
}

/// Compares texts `a` and `b` of a corpus: the rewrite score is weighted by the corpus's
/// term statistics and boilerplate lines, so it is the score `cluster` and `pairs` give
/// the pair in that corpus (two texts alone weigh terms by the shipped background
/// frequencies and have no repeated lines).
///
/// # Panics
/// If `a` or `b` is not an index into `texts`.
pub fn compare_in(config: &Config, texts: &[&str], a: usize, b: usize) -> Result<Comparison> {
    let (ta, tb) = (texts[a], texts[b]);
    let fp = Fingerprinter::new(config)?;
    let fps: Vec<Fingerprint> = texts.par_iter().map(|t| fp.fingerprint(t)).collect();
    let (fa, fb) = (&fps[a], &fps[b]);
    let estimate = match (&fa.signature, &fb.signature) {
        (Some(x), Some(y)) => Some(jaccard_estimate(x, y)),
        _ => None,
    };
    let shingler = config.shingler();
    let exact = Similarity::of(&shingler.shingle_set(ta), &shingler.shingle_set(tb));
    // The families of copies and near-duplicates `analyze` finds, so that the statistics
    // are the ones `cluster` and `pairs` use.
    let near = analyze_near(&fps, config, &(), |involved| {
        Ok(involved
            .par_iter()
            .map(|&i| shingler.shingle_set(texts[i as usize]).into_boxed_slice())
            .collect())
    })?;
    let families = near_families(&near.group_of, &near.pairs);
    let profiles = rewrite_profiles_in_families(texts, Some(&families), &config.rewrite).0;
    Ok(Comparison {
        estimate,
        exact,
        identical: fa.signature.is_some() && fa.content_hash == fb.content_hash,
        rewrite: rewrite_score(&profiles[a], &profiles[b], &config.rewrite),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: u32, b: u32) -> GroupPair {
        GroupPair {
            a,
            b,
            estimate: 0.9,
            exact: None,
        }
    }

    #[test]
    fn near_families_are_stars_and_copies_follow_their_leader() {
        // 0 ≈ 1 ≈ 2 ≈ 3 (a chain of near pairs); 4 is an exact copy of 2; 5 is alone.
        let group_of = [0, 1, 2, 3, 2, 5];
        let pairs = [pair(0, 1), pair(1, 2), pair(2, 3)];
        // 0 heads {0, 1}; 2 (not a partner of 0) heads {2, 3} and its copy 4: the chain
        // is cut where a member is not a near-duplicate of its family's head.
        assert_eq!(near_families(&group_of, &pairs), vec![0, 0, 2, 2, 2, 5]);
        assert_eq!(near_families(&group_of, &[]), vec![0, 1, 2, 3, 2, 5]);
    }

    #[test]
    fn a_group_of_copies_spans_its_times_and_gaps_are_between_the_nearest() {
        let day = 86_400;
        let doc = |date: Option<i64>| Document {
            id: String::new(),
            text: String::new(),
            location: Location::line("t", 1),
            date,
            raw: None,
        };
        // 0 and 2 are copies (dated day 10 and day 1); 1 is dated day 14; 3 has no time.
        let docs = [Some(10 * day), Some(14 * day), Some(day), None].map(doc);
        let times = Times::new(&docs, &[0, 1, 0, 3]);
        let spans = [
            Some((day, 10 * day)),
            Some((14 * day, 14 * day)),
            Some((day, 10 * day)),
            None,
        ];
        assert_eq!(times.span, spans);
        assert_eq!(days_between(spans[0], spans[1]), Some(4.0));
        assert_eq!(days_between(spans[1], spans[2]), Some(4.0));
        assert_eq!(days_between(spans[0], spans[2]), Some(0.0));
        assert_eq!(days_between(spans[1], spans[3]), None);
        // The group of 2 reaches day 10, 2 itself is 13 days from 1.
        assert!(times.groups_within(1, 2, 4.0) && !times.within(1, 2, 4.0));
        assert!(times.within(0, 1, 4.0) && !times.within(0, 1, 3.9));
        assert!(times.within(1, 3, 0.0) && times.groups_within(1, 3, 0.0));
        // The extremes of i64 do not overflow.
        let far = days_between(Some((i64::MIN, i64::MIN)), Some((i64::MAX, i64::MAX)));
        assert!(far.is_some_and(|d| d > 1e14));
    }

    #[test]
    fn a_family_counts_once_for_repeated_lines() {
        // One story line in three documents that are copies of each other: site chrome by
        // document count, the story by family count.
        let story =
            "Officials said the new bridge over the river will open to traffic next spring.";
        let texts = [story, story, story];
        let params = RewriteParams::default();
        let (profiles, dropped) = rewrite_profiles_with_stats(&texts, &params);
        assert_eq!(dropped.0, 3);
        assert!(profiles[0].features.is_empty());
        let (profiles, dropped) = rewrite_profiles_in_families(&texts, Some(&[0, 0, 0]), &params);
        assert_eq!(dropped.0, 0);
        assert!(!profiles[0].features.is_empty());
    }
}
