//! Command-line front end: clap structures → [`neardup::Config`] → library calls.
//!
//! Nothing here knows how duplicates are found; it turns flags into a validated config,
//! calls the pipeline, writes results and reports on stderr.

mod eval;
mod index;
mod progress;

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use neardup::pipeline::{
    analyze, cluster, compare, compare_in, for_each_document, read_corpus, Analysis, Corpus,
    Documents, Fingerprint, OnInvalid,
};
use neardup::twopass::{analyze_catalog, read_catalog, Catalog};
use neardup::{
    report, Config, Format, InputOptions, InputSpec, Keep, Linkage, LshParams, Normalizer,
    ShingleKind, Tier,
};

pub use progress::Progress;

/// Find near-duplicate and syndicated news articles.
///
/// Reads a corpus (a directory of .txt files, JSONL or CSV, optionally .gz, or JSONL on
/// stdin as `-`), fingerprints every document with word-shingle MinHash, finds candidate
/// pairs with LSH, verifies them with exact Jaccard similarity and groups them. `cluster` and
/// `pairs` also find rewrites by default (the same story told in other words: weighted
/// sketches of rare content terms, names and figures, then a verification score), reported
/// apart as kind `rewrite`; `--tier near` leaves them out.
///
/// Exit status: 0 on success, 2 on any error (bad input, bad options, I/O).
#[derive(Debug, Parser)]
#[command(name = "neardup", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Group duplicates into clusters and write them as CSV.
    ///
    /// Columns: cluster_id, doc_id, representative_id, is_representative, similarity
    /// (Jaccard to the representative), containment (share of the document's shingles found
    /// in the representative), cluster_size, kind (a member's relation to the
    /// representative: exact | near-duplicate | rewrite; the representative's row says exact
    /// when the cluster holds an exact copy of it; `unique` for singletons with --all). Rows
    /// are sorted by cluster, then document id. Rewrite rows (the default --tier all, or
    /// rewrite) hold the rewrite score V in similarity and the share of the document's
    /// feature weight found in the representative in containment. copy_of, copy_similarity,
    /// copy_kind: the member of the cluster this document is an exact copy or near-duplicate
    /// of (the representative of its near-duplicate cluster), their Jaccard and exact |
    /// near-duplicate; empty for documents that are copies of none. In a rewrite cluster
    /// they keep copies apart from rewrites: a near-duplicate of another member says kind
    /// rewrite (its relation to the representative) and names that member in copy_of.
    /// Under --tier rewrite only exact copies are named.
    Cluster(ClusterArgs),
    /// Write every verified pair of similar documents as CSV.
    ///
    /// Columns: doc_a, doc_b (doc_a first in input order), estimate (MinHash), jaccard
    /// (exact; with --no-verify empty except for exact copies, which are known to be 1),
    /// containment (the larger of the two directions),
    /// kind (exact | near-duplicate | rewrite). Rewrite rows hold the sketch estimate in
    /// estimate, the rewrite score V in jaccard and the larger share of feature weight found
    /// in the other document in containment; a pair that is a near-duplicate is not repeated
    /// as a rewrite.
    Pairs(PairsArgs),
    /// Write the corpus back with one document per cluster kept.
    ///
    /// Records are written unchanged in the input's format: JSONL lines byte for byte, CSV
    /// rows under the same header, .txt files into the output directory.
    Dedup(DedupArgs),
    /// Write each document's MinHash signature as JSONL.
    ///
    /// One object per line: {"id", "tokens", "shingles", "signature"}; signature is an
    /// array of num-perm unsigned 32-bit integers, or null for a document without tokens.
    Fingerprint(FingerprintArgs),
    /// Compare two documents: MinHash estimate, exact Jaccard, containment both ways, and
    /// the rewrite score with its verdict (rewrite, weak or different).
    Similarity(SimilarityArgs),
    /// Score a cluster CSV against a truth clustering, or a pairs CSV against labelled pairs.
    Eval(eval::EvalArgs),
    /// Build, inspect and compact a persistent index for `filter`.
    Index(index::IndexArgs),
    /// Check arriving articles against a persistent index: a verdict per article
    /// (new | exact | near-duplicate | rewrite), new ones and rewrites added. See
    /// `neardup help filter`.
    Filter(index::FilterArgs),
}

/// How records are read: the format and the names of the id and text fields.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Input format, instead of guessing from the extension.
    #[arg(long, value_name = "txt|jsonl|csv")]
    pub format: Option<Format>,
    /// JSONL field holding the document id.
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_field: String,
    /// JSONL field holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// CSV column holding the document id.
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_column: String,
    /// CSV column holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_column: String,
    /// JSONL field holding a headline, read as the text's first line (as a text file's
    /// first line is); a record without it has none. By default headlines are not read.
    #[arg(long, value_name = "NAME")]
    pub title_field: Option<String>,
    /// CSV column holding a headline, as --title-field.
    #[arg(long, value_name = "NAME")]
    pub title_column: Option<String>,
}

impl RecordArgs {
    /// The library's input options for these flags.
    pub fn options(&self, keep_raw: bool) -> InputOptions {
        InputOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            id_column: self.id_column.clone(),
            text_column: self.text_column.clone(),
            title_field: self.title_field.clone().unwrap_or_default(),
            title_column: self.title_column.clone().unwrap_or_default(),
            date_field: String::new(),
            date_column: String::new(),
            keep_raw,
        }
    }
}

/// Where the corpus comes from and how to read it.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input files or directories; `-` reads JSONL from stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub records: RecordArgs,
    /// Skip records that cannot be read (report each on stderr, count them) instead of
    /// stopping at the first.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// How documents are fingerprinted.
#[derive(Debug, Args)]
pub struct ShingleArgs {
    /// Shingles: word:N (word n-grams) or char:N (character n-grams).
    #[arg(long, default_value = "word:5", value_name = "KIND:N")]
    pub shingle: ShingleKind,
    /// Normalisation steps, comma-separated: nfkc, case, punct; or all / none.
    #[arg(long, default_value = "all", value_name = "STEPS")]
    pub normalize: Normalizer,
    /// MinHash signature length.
    #[arg(long, default_value_t = 128, value_name = "K")]
    pub num_perm: usize,
    /// Seed of all hash functions (signatures are comparable only under one seed).
    #[arg(long, default_value_t = Config::DEFAULT_SEED)]
    pub seed: u64,
}

/// How documents are compared.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Similarity (Jaccard of shingle sets) at or above which documents are duplicates.
    #[arg(short, long, default_value_t = 0.8, value_name = "T")]
    pub threshold: f64,
    #[command(flatten)]
    pub shingles: ShingleArgs,
    /// LSH bands (with --rows; by default chosen from the threshold).
    #[arg(long, requires = "rows")]
    pub bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    pub rows: Option<usize>,
    /// Trust the MinHash estimate instead of verifying candidates with exact Jaccard.
    #[arg(long)]
    pub no_verify: bool,
    /// representative: members are checked against the cluster's representative (no
    /// chaining); connected: transitive closure of verified pairs.
    #[arg(long, default_value = "representative")]
    pub linkage: Linkage,
    /// Which member represents (and survives dedup of) a cluster: first (input order),
    /// longest or shortest.
    #[arg(long, default_value = "first")]
    pub keep: Keep,
    /// Tiers to report: near (exact copies and near-duplicates), rewrite (exact copies and
    /// rewrites: the same story in other words) or all (near-duplicate clusters first, then
    /// rewrite clusters over them). Default: all for cluster and pairs, which label every
    /// row with its kind; near for dedup, which deletes: on Reuters-21578 one rewrite pair
    /// in eight is another development of one running story, a reply to it or another
    /// instance of a template (one in six without publication times), and on a busy event
    /// other stories on it join a cluster (see the README). near
    /// alone is several times faster, and lets cluster and pairs stream their input.
    #[arg(long, value_name = "near|rewrite|all")]
    pub tier: Option<Tier>,
    /// Rewrite tier: keep lines repeated across documents (site chrome) and off-topic lines
    /// (pasted ads) instead of dropping them before comparison.
    #[arg(long)]
    pub keep_boilerplate: bool,
    /// Rewrite tier: a rewrite that shares little wording and scores below twice its
    /// threshold (weak evidence) is reported only when at least N other stories come
    /// close to both articles; alone, such a pair was about as often another development
    /// of a running story as the same story (Reuters-21578). 0 reports weak pairs alone
    /// too.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub rewrite_witnesses: usize,
    #[command(flatten)]
    pub dates: DateArgs,
}

/// Publication times, for the rewrite tier's window.
#[derive(Debug, Args)]
pub struct DateArgs {
    /// Rewrite tier: JSONL field holding each article's publication time (ISO 8601 such as
    /// 2024-03-22 or 2024-03-22T18:05:00Z, RFC 2822 such as Fri, 22 Mar 2024 18:05:00
    /// +0000, 22-MAR-2024 18:05:00, March 22, 2024 6:05 PM, 22.03.2024, or Unix seconds or
    /// milliseconds; no zone: UTC; 03/22/2024 is refused, its order being unknown). A
    /// record without it (or null, "") has no time; one that is not a time is an error.
    /// '' ignores times.
    #[arg(long, default_value = "date", value_name = "NAME")]
    pub time_field: String,
    /// Rewrite tier: CSV column holding the publication time, as --time-field; a CSV
    /// without that column has no times. '' ignores times.
    #[arg(long, default_value = "date", value_name = "NAME")]
    pub time_column: String,
    /// Rewrite tier: articles published further apart than this (90s, 30m, 72h, 3d) are
    /// not rewrites of each other: a wire story is rewritten within days, while a running
    /// story's reports further apart tell other developments. Articles without a time are
    /// compared with all.
    #[arg(long, default_value = "3d", value_name = "DURATION", value_parser = neardup::index::parse_window)]
    pub rewrite_window: i64,
}

impl DateArgs {
    /// `options` with the time field and column set.
    fn apply(&self, mut options: InputOptions) -> InputOptions {
        options.date_field = self.time_field.clone();
        options.date_column = self.time_column.clone();
        options
    }

    /// The window in days, as [`neardup::rewrite::RewriteParams::window_days`] takes it.
    fn window_days(&self) -> f64 {
        self.rewrite_window as f64 / 86_400.0
    }
}

/// Output and reporting.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output file (`-` or none: standard output; `.gz`: compressed).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the parameters in use (LSH bands and rows, …) on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write a row for every document in no cluster (kind `unique`).
    #[arg(long)]
    pub all: bool,
    /// Hold every text in memory and read the inputs once, instead of reading them twice
    /// (the second time only the records of candidate pairs) with only fingerprints in
    /// memory. Faster on slow or compressed inputs, but needs memory for the whole corpus.
    /// The rewrite tier (--tier all|rewrite) always works this way.
    #[arg(long)]
    pub in_memory: bool,
}

#[derive(Debug, Args)]
pub struct PairsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Hold every text in memory and read the inputs once, instead of reading them twice
    /// (the second time only the records of candidate pairs) with only fingerprints in
    /// memory. Faster on slow or compressed inputs, but needs memory for the whole corpus.
    /// The rewrite tier (--tier all|rewrite) always works this way.
    #[arg(long)]
    pub in_memory: bool,
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write a CSV of removed documents: doc_id, duplicate_of, similarity,
    /// containment, kind.
    #[arg(long, value_name = "FILE")]
    pub removed: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub shingles: ShingleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SimilarityArgs {
    /// First document: a text file, or an id with --corpus.
    pub a: String,
    /// Second document: a text file, or an id with --corpus.
    pub b: String,
    /// Look A and B up as document ids in this corpus (any input format). The rewrite score
    /// is then weighted by the corpus's term statistics and repeated lines, as cluster and
    /// pairs weigh it; two files alone are weighted by background word frequencies.
    #[arg(long, value_name = "INPUT")]
    pub corpus: Option<PathBuf>,
    /// How --corpus is read.
    #[command(flatten)]
    pub records: RecordArgs,
    /// Similarity at or above which the pair is reported as a near-duplicate.
    #[arg(short, long, default_value_t = 0.8, value_name = "T")]
    pub threshold: f64,
    #[command(flatten)]
    pub shingles: ShingleArgs,
    /// Rewrite score: keep repeated and off-topic lines instead of dropping them.
    #[arg(long)]
    pub keep_boilerplate: bool,
    /// Other stories that must come close to both articles for a weak rewrite verdict to
    /// stand, as cluster's --rewrite-witnesses (counted with --corpus; without it a weak
    /// verdict says "weak").
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub rewrite_witnesses: usize,
    /// With --corpus: JSONL field holding the publication time, as cluster's --time-field.
    #[arg(long, default_value = "date", value_name = "NAME", requires = "corpus")]
    pub time_field: String,
    /// With --corpus: CSV column holding the publication time, as cluster's --time-column.
    #[arg(long, default_value = "date", value_name = "NAME", requires = "corpus")]
    pub time_column: String,
    /// With --corpus: the rewrite window, as cluster's --rewrite-window.
    #[arg(long, default_value = "3d", value_name = "DURATION", requires = "corpus",
          value_parser = neardup::index::parse_window)]
    pub rewrite_window: i64,
    /// Print JSON instead of aligned text.
    #[arg(long)]
    pub json: bool,
}

impl ShingleArgs {
    /// The default configuration with these fingerprinting parameters.
    fn config(&self) -> Config {
        Config {
            normalizer: self.normalize,
            shingle: self.shingle,
            num_perm: self.num_perm,
            seed: self.seed,
            ..Config::default()
        }
    }
}

impl EngineArgs {
    /// The engine configuration, with `default_tier` unless --tier was given.
    pub fn config(&self, default_tier: Tier) -> Result<Config> {
        let lsh = match (self.bands, self.rows) {
            (Some(bands), Some(rows)) => Some(LshParams::new(bands, rows, self.shingles.num_perm)?),
            _ => None,
        };
        let config = Config {
            threshold: self.threshold,
            lsh,
            verify: !self.no_verify,
            linkage: self.linkage,
            keep: self.keep,
            tier: self.tier.unwrap_or(default_tier),
            rewrite: neardup::rewrite::RewriteParams {
                boilerplate: !self.keep_boilerplate,
                window_days: self.dates.window_days(),
                weak_witnesses: self.rewrite_witnesses,
                ..Default::default()
            },
            ..self.shingles.config()
        };
        config.validate()?;
        Ok(config)
    }
}

impl InputArgs {
    fn specs(&self) -> Result<Vec<InputSpec>> {
        let stdin_count = self.inputs.iter().filter(|p| p.as_os_str() == "-").count();
        if stdin_count > 1 {
            bail!("standard input (-) can be given only once");
        }
        self.inputs
            .iter()
            .map(|p| InputSpec::detect(p, self.records.format).map_err(Into::into))
            .collect()
    }

    fn options(&self, keep_raw: bool) -> InputOptions {
        self.records.options(keep_raw)
    }
}

/// Reads the corpus with progress and skip reporting; publication dates only when the
/// rewrite tier runs (the only stage that uses them).
fn load(
    input: &InputArgs,
    dates: &DateArgs,
    config: &Config,
    progress: &Progress,
    keep_raw: bool,
) -> Result<Corpus> {
    let specs = input.specs()?;
    let on_invalid = if input.skip_invalid {
        OnInvalid::Skip
    } else {
        OnInvalid::Fail
    };
    let mut options = input.options(keep_raw);
    if config.tier.rewrite() {
        options = dates.apply(options);
    }
    let corpus = read_corpus(&specs, &options, config, on_invalid, progress)?;
    if corpus.skipped > 0 {
        progress.note(&format!("skipped {} invalid record(s)", corpus.skipped));
    }
    Ok(corpus)
}

/// A corpus as `cluster` and `pairs` hold it: every text, or only the catalog of the
/// two-pass path.
enum Loaded {
    Texts(Corpus),
    Catalog(Catalog),
}

impl Documents for Loaded {
    fn doc_count(&self) -> usize {
        match self {
            Loaded::Texts(c) => c.doc_count(),
            Loaded::Catalog(c) => c.doc_count(),
        }
    }

    fn id(&self, doc: u32) -> &str {
        match self {
            Loaded::Texts(c) => c.id(doc),
            Loaded::Catalog(c) => c.id(doc),
        }
    }

    fn text_len(&self, doc: u32) -> usize {
        match self {
            Loaded::Texts(c) => c.text_len(doc),
            Loaded::Catalog(c) => c.text_len(doc),
        }
    }

    fn fingerprints(&self) -> &[Fingerprint] {
        match self {
            Loaded::Texts(c) => c.fingerprints(),
            Loaded::Catalog(c) => c.fingerprints(),
        }
    }
}

/// Reads and analyses the corpus for `cluster` and `pairs`: in two passes, holding only
/// fingerprints ([`neardup::twopass`]), unless `in_memory` or the rewrite tier (which needs
/// every text) asks for the texts in memory. Both give the same analysis.
fn load_and_analyze(
    input: &InputArgs,
    dates: &DateArgs,
    config: &Config,
    progress: &Progress,
    in_memory: bool,
) -> Result<(Loaded, Analysis)> {
    if in_memory || config.tier.rewrite() {
        let corpus = load(input, dates, config, progress, false)?;
        let analysis = analyze(&corpus, config, progress)?;
        return Ok((Loaded::Texts(corpus), analysis));
    }
    let specs = input.specs()?;
    let options = input.options(false);
    let on_invalid = if input.skip_invalid {
        OnInvalid::Skip
    } else {
        OnInvalid::Fail
    };
    let mut catalog = read_catalog(&specs, &options, config, on_invalid, progress)?;
    if catalog.skipped > 0 {
        progress.note(&format!("skipped {} invalid record(s)", catalog.skipped));
    }
    let analysis = analyze_catalog(&mut catalog, &options, config, progress)?;
    Ok((Loaded::Catalog(catalog), analysis))
}

fn verbose_params(out: &OutputArgs, config: &Config, progress: &Progress) -> Result<()> {
    if out.verbose {
        let lsh = config.lsh_params()?;
        progress.note(&format!(
            "shingles {}, normalisation {}, num-perm {}, seed {}, threshold {}, LSH {} bands × {} rows (P(candidate) at threshold {:.3}, at threshold+0.05 {:.4}), verify {}, linkage {}, keep {}, tier {}, rewrite LSH {} bands × {} rows (one row per band up to {} documents), boilerplate removal {}",
            config.shingle,
            config.normalizer,
            config.num_perm,
            config.seed,
            config.threshold,
            lsh.bands,
            lsh.rows,
            lsh.probability(config.threshold),
            lsh.probability((config.threshold + 0.05).min(1.0)),
            config.verify,
            config.linkage,
            config.keep,
            config.tier,
            config.rewrite.lsh_params()?.bands,
            config.rewrite.lsh_params()?.rows,
            config.rewrite.lsh_small_corpus,
            config.rewrite.boilerplate,
        ));
    }
    Ok(())
}

/// With --verbose, what the rewrite tier did.
fn rewrite_note(out: &OutputArgs, analysis: &neardup::pipeline::Analysis, progress: &Progress) {
    if let (true, Some(rw)) = (out.verbose, &analysis.rewrite) {
        progress.note(&format!(
            "rewrite tier: {} boilerplate units dropped as repeated, {} as off-topic; LSH {} bands × {} rows, {} candidate pairs, {} verified, {} more supporting clusters",
            rw.dropped_units.0,
            rw.dropped_units.1,
            rw.lsh.bands,
            rw.lsh.rows,
            rw.candidates,
            rw.pairs.len(),
            rw.support.len()
        ));
    }
}

/// What `cluster` and `pairs` share before they report: the configuration (`--tier all`
/// by default), progress, the parameters with --verbose, and the corpus read and analysed.
fn configure_and_analyze(
    input: &InputArgs,
    engine: &EngineArgs,
    output: &OutputArgs,
    in_memory: bool,
) -> Result<(Config, Progress, Loaded, Analysis)> {
    let config = engine.config(Tier::All)?;
    let progress = Progress::new(output.quiet);
    verbose_params(output, &config, &progress)?;
    let (corpus, analysis) = load_and_analyze(input, &engine.dates, &config, &progress, in_memory)?;
    Ok((config, progress, corpus, analysis))
}

pub fn run(cli: Cli) -> Result<()> {
    let started = Instant::now();
    match cli.command {
        Command::Cluster(args) => {
            let (config, progress, corpus, analysis) =
                configure_and_analyze(&args.input, &args.engine, &args.output, args.in_memory)?;
            let clusters = cluster(&corpus, &analysis, &config, &progress);
            rewrite_note(&args.output, &analysis, &progress);
            report::write_output(args.output.output.as_deref(), |w| {
                report::write_clusters(w, &corpus, &clusters, args.all)
            })?;
            let dups: usize = clusters.iter().map(|c| c.members.len() - 1).sum();
            progress.finish(&format!(
                "{} documents, {} candidate pairs, {} clusters, {} duplicates, {:.2}s",
                corpus.doc_count(),
                analysis.candidates,
                clusters.len(),
                dups,
                started.elapsed().as_secs_f64()
            ));
        }
        Command::Pairs(args) => {
            let (_, progress, corpus, analysis) =
                configure_and_analyze(&args.input, &args.engine, &args.output, args.in_memory)?;
            let rows = report::pair_rows(&corpus, &analysis);
            rewrite_note(&args.output, &analysis, &progress);
            report::write_output(args.output.output.as_deref(), |w| {
                report::write_pairs(w, &corpus, &rows)
            })?;
            progress.finish(&format!(
                "{} documents, {} candidate pairs, {} similar pairs, {:.2}s",
                corpus.doc_count(),
                analysis.candidates,
                rows.len(),
                started.elapsed().as_secs_f64()
            ));
        }
        Command::Dedup(args) => {
            let config = args.engine.config(Tier::Near)?;
            let progress = Progress::new(args.output.quiet);
            verbose_params(&args.output, &config, &progress)?;
            let corpus = load(&args.input, &args.engine.dates, &config, &progress, true)?;
            let analysis = analyze(&corpus, &config, &progress)?;
            let clusters = cluster(&corpus, &analysis, &config, &progress);
            let removed = report::removals(&clusters);
            report::write_kept(args.output.output.as_deref(), &corpus, &removed)?;
            if let Some(path) = &args.removed {
                report::write_output(Some(path), |w| report::write_removed(w, &corpus, &removed))?;
            }
            progress.finish(&format!(
                "{} documents, {} kept, {} removed, {:.2}s",
                corpus.docs.len(),
                corpus.docs.len() - removed.len(),
                removed.len(),
                started.elapsed().as_secs_f64()
            ));
        }
        Command::Fingerprint(args) => {
            // Streamed: each batch is written as soon as it is fingerprinted, so memory does
            // not grow with the corpus.
            let config = args.shingles.config();
            config.validate()?;
            let progress = Progress::new(args.output.quiet);
            verbose_params(&args.output, &config, &progress)?;
            let specs = args.input.specs()?;
            let options = args.input.options(false);
            let on_invalid = if args.input.skip_invalid {
                OnInvalid::Skip
            } else {
                OnInvalid::Fail
            };
            // To a file, streamed into the temporary file that replaces the target at the
            // end; to stdout, held back in a spool (memory, then a temporary file) so that a
            // bad record found late leaves no partial output behind there either.
            let target = args
                .output
                .output
                .as_deref()
                .filter(|p| p.as_os_str() != "-");
            let target_name = target.map_or("<stdout>".into(), |p| p.display().to_string());
            let (mut docs, mut skipped, mut failure) = (0usize, 0usize, None);
            let mut stream = |w: &mut dyn Write| -> std::io::Result<()> {
                let streamed = for_each_document(
                    &specs,
                    &options,
                    &config,
                    on_invalid,
                    &progress,
                    |doc, fp| {
                        docs += 1;
                        report::write_fingerprint(w, &doc.id, &fp)
                            .map_err(|e| neardup::Error::io(&target_name, e))
                    },
                );
                match streamed {
                    Ok(n) => {
                        skipped = n;
                        Ok(())
                    }
                    Err(e) => {
                        let message = e.to_string();
                        failure = Some(e);
                        Err(std::io::Error::other(message))
                    }
                }
            };
            let written = match target {
                Some(_) => report::write_output(target, stream),
                None => report::write_output(None, |w| {
                    report::write_spooled(report::SPOOL_MEMORY, &mut stream, w)
                }),
            };
            written.map_err(|e| match failure.take() {
                Some(original) => anyhow::Error::from(original),
                None => anyhow::Error::from(e),
            })?;
            if skipped > 0 {
                progress.note(&format!("skipped {skipped} invalid record(s)"));
            }
            progress.finish(&format!(
                "{docs} documents fingerprinted, {:.2}s",
                started.elapsed().as_secs_f64()
            ));
        }
        Command::Similarity(args) => similarity(args)?,
        Command::Eval(args) => eval::run(args)?,
        Command::Index(args) => index::run_index(args)?,
        Command::Filter(args) => index::run_filter(args)?,
    }
    Ok(())
}

fn similarity(args: SimilarityArgs) -> Result<()> {
    let dates = DateArgs {
        time_field: args.time_field.clone(),
        time_column: args.time_column.clone(),
        rewrite_window: args.rewrite_window,
    };
    let config = Config {
        threshold: args.threshold,
        rewrite: neardup::rewrite::RewriteParams {
            boilerplate: !args.keep_boilerplate,
            window_days: dates.window_days(),
            weak_witnesses: args.rewrite_witnesses,
            ..Default::default()
        },
        ..args.shingles.config()
    };
    config.validate()?;
    // Days between the two documents' publication dates (with --corpus, when both have one).
    let mut days_apart = None;
    // With --corpus, how many other stories vouch for the pair, as `cluster` and `pairs`
    // count them (a weak verdict needs `weak_witnesses`).
    let mut witnesses = None;
    // With --corpus: how many other reports (near-duplicate families) the pair's more
    // connected document verifies with (a running story's centre,
    // `RewriteParams::running_partners`).
    let mut partners = None;
    let c = match &args.corpus {
        // Within a corpus the rewrite score is the one `cluster` and `pairs` give: weighted
        // by the corpus's term statistics, with its repeated lines dropped.
        Some(path) => {
            let spec = InputSpec::detect(path, args.records.format)?;
            let options = dates.apply(args.records.options(false));
            let corpus = read_corpus(&[spec], &options, &config, OnInvalid::Fail, &())?;
            let find = |id: &str| -> Result<usize> {
                corpus
                    .docs
                    .iter()
                    .position(|d| d.id == id)
                    .ok_or_else(|| neardup::Error::UnknownId(id.to_string()))
                    .with_context(|| format!("in {}", path.display()))
            };
            let (a, b) = (find(&args.a)?, find(&args.b)?);
            let time = |d: usize| corpus.docs[d].date.map(|t| (t, t));
            days_apart = neardup::pipeline::days_between(time(a), time(b));
            let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
            let c = compare_in(&config, &texts, a, b)?;
            // Whether the pair could be a running story's reports of other days: then
            // the number of partners decides (not outside the rewrite window, where the
            // pair is no rewrite whatever the corpus says).
            let in_window = days_apart.is_none_or(|d| d <= config.rewrite.window_days);
            let may_run = in_window
                && neardup::rewrite::score::running_development(
                    &c.rewrite,
                    days_apart,
                    usize::MAX,
                    &config.rewrite,
                );
            if c.rewrite.is_rewrite() && (c.rewrite.is_weak(&config.rewrite) || may_run) {
                let all = Config {
                    tier: neardup::config::Tier::All,
                    ..config.clone()
                };
                let analysis = neardup::pipeline::analyze(&corpus, &all, &())?;
                if let Some(rw) = analysis.rewrite {
                    witnesses = Some(rw.witnesses_of(a as u32, b as u32));
                    partners = Some(rw.partners_of(a as u32, b as u32));
                }
            }
            c
        }
        None => {
            let read = |p: &str| -> Result<String> {
                let bytes = std::fs::read(p).with_context(|| format!("{p}: cannot read"))?;
                String::from_utf8(bytes)
                    .map_err(|e| anyhow::anyhow!("{p}: not valid UTF-8 ({})", e.utf8_error()))
            };
            compare(&config, &read(&args.a)?, &read(&args.b)?)?
        }
    };
    let verdict = if c.identical {
        "exact"
    } else if c.exact.jaccard >= config.threshold {
        "near-duplicate"
    } else {
        "different"
    };
    let rw = c.rewrite;
    let window = config.rewrite.window_days;
    let in_window = days_apart.is_none_or(|d| d <= window);
    let need = config.rewrite.weak_witnesses;
    let weak = rw.is_rewrite() && rw.is_weak(&config.rewrite) && need > 0;
    let later = rw.is_rewrite()
        && neardup::rewrite::score::later_development(&rw, days_apart, &config.rewrite);
    let running = rw.is_rewrite()
        && partners.is_some_and(|n| {
            neardup::rewrite::score::running_development(&rw, days_apart, n, &config.rewrite)
        });
    let rewrite_verdict = if !(rw.is_rewrite() && in_window) || later || running {
        "different"
    } else if weak && witnesses.is_none_or(|w| w < need) {
        "weak"
    } else {
        "rewrite"
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({
            "a": args.a,
            "b": args.b,
            "estimate": c.estimate,
            "jaccard": c.exact.jaccard,
            "containment_a_in_b": c.exact.a_in_b,
            "containment_b_in_a": c.exact.b_in_a,
            "identical": c.identical,
            "threshold": config.threshold,
            "verdict": verdict,
            "rewrite": {
                "score": rw.score,
                "jaccard": rw.jaccard,
                "key_agreement": rw.key_agreement,
                "features": rw.n,
                "number_conflict": rw.evidence.number_conflict,
                "frames": rw.frames,
                "month_conflict": rw.month_conflict,
                "clock_conflict": rw.clock_conflict,
                "template_worded": rw.template_worded,
                "threshold": rw.threshold,
                "short_score": (rw.short_threshold > 0.0).then_some(rw.short_score),
                "short_threshold": (rw.short_threshold > 0.0).then_some(rw.short_threshold),
                "days_apart": days_apart,
                "window_days": window,
                "later_development": later,
                "running_development": running,
                "partners": partners,
                "weak": weak,
                "witnesses": witnesses,
                "witnesses_needed": weak.then_some(need),
                "verdict": rewrite_verdict,
            },
        });
        writeln!(out, "{v}")?;
    } else {
        let est = c
            .estimate
            .map_or("n/a (no tokens)".to_string(), |e| format!("{e:.4}"));
        writeln!(out, "estimate (MinHash)   {est}")?;
        writeln!(out, "jaccard (exact)      {:.4}", c.exact.jaccard)?;
        writeln!(out, "containment A in B   {:.4}", c.exact.a_in_b)?;
        writeln!(out, "containment B in A   {:.4}", c.exact.b_in_a)?;
        writeln!(
            out,
            "verdict              {verdict} (threshold {})",
            config.threshold
        )?;
        writeln!(
            out,
            "rewrite score V      {:.4} (weighted Jaccard {:.4}, key-entity agreement {:.4})",
            rw.score, rw.jaccard, rw.key_agreement
        )?;
        writeln!(
            out,
            "rewrite evidence     number conflict {:.4}, shared wording (frames) {:.4}{}{}{}",
            rw.evidence.number_conflict,
            rw.frames,
            if rw.month_conflict {
                ", leads dated to other months"
            } else {
                ""
            },
            if rw.clock_conflict {
                ", leads timed to other hours or market sessions"
            } else {
                ""
            },
            if rw.template_worded {
                ", worded as the corpus's template notes"
            } else {
                ""
            }
        )?;
        if rw.short_threshold > 0.0 {
            writeln!(
                out,
                "rewrite short texts  restated both ways {:.4} (needs {:.4})",
                rw.short_score, rw.short_threshold
            )?;
        }
        if let Some(d) = days_apart {
            writeln!(
                out,
                "rewrite dates        published {d:.2} days apart ({} the {} window)",
                if in_window { "within" } else { "outside" },
                neardup::index::format_window(dates.rewrite_window)
            )?;
        }
        if let Some(n) = partners.filter(|_| rw.is_rewrite()) {
            writeln!(
                out,
                "rewrite partners     the more connected of the two verifies with {n} other \
                 reports (a running story's centre from {})",
                config.rewrite.running_partners
            )?;
        }
        if weak {
            let counted = witnesses.map_or(
                format!("needs {need} other stories close to both; count them with --corpus"),
                |w| format!("{w} other stories close to both (needs {need})"),
            );
            writeln!(
                out,
                "rewrite support      weak evidence (little shared wording, V < {} × threshold): \
                 {counted}",
                config.rewrite.weak_margin
            )?;
        }
        writeln!(
            out,
            "rewrite verdict      {rewrite_verdict} (threshold {:.4} at {} features{})",
            rw.threshold,
            rw.n,
            if !in_window {
                ", published too far apart"
            } else if later {
                ", a later development: figures conflict half a day or more apart"
            } else if running {
                ", a running story's report of another day: no figure shared half a day or \
                 more apart, one of the two verifying with several reports"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}
