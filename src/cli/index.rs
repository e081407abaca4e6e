//! `neardup index build|stats|compact` and `neardup filter`: flags → [`neardup::index`].

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use neardup::index::{
    self, feed, format_rfc3339, format_window, parse_window, FeedOptions, FeedSummary, Index,
    IndexOptions, OpenReport, Outcome, RequestedParams, SyncPolicy,
};
use neardup::{Format, InputSpec, LshParams, Normalizer, ShingleKind};

use super::{InputArgs, Progress};

/// Build, inspect and compact a persistent index.
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    pub command: IndexCommand,
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Add a corpus to an index (creating it): every article not already in it.
    Build(Box<BuildArgs>),
    /// Articles, bytes, oldest and newest article, parameters.
    Stats(StatsArgs),
    /// Rewrite the index without expired articles, reclaiming their space.
    Compact(CompactArgs),
}

/// Index parameters; each defaults to the index's own value (or, for a new index, to the
/// engine default shown).
#[derive(Debug, Args)]
pub struct IndexEngineArgs {
    /// Similarity (exact Jaccard) at or above which an article is a near-duplicate
    /// [new index: 0.8].
    #[arg(short, long, value_name = "T")]
    pub threshold: Option<f64>,
    /// Shingles: word:N or char:N [new index: word:5].
    #[arg(long, value_name = "KIND:N")]
    pub shingle: Option<ShingleKind>,
    /// Normalisation steps: nfkc, case, punct; all or none [new index: all].
    #[arg(long, value_name = "STEPS")]
    pub normalize: Option<Normalizer>,
    /// MinHash signature length [new index: 128].
    #[arg(long, value_name = "K")]
    pub num_perm: Option<usize>,
    /// Seed of all hash functions [new index: the built-in seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// LSH bands (with --rows) [new index: chosen from the threshold].
    #[arg(long, requires = "rows")]
    pub bands: Option<usize>,
    /// LSH rows per band (with --bands).
    #[arg(long, requires = "bands")]
    pub rows: Option<usize>,
    /// JSON field with each article's time (RFC 3339, the other forms cluster's --time-field
    /// reads, or Unix seconds or milliseconds); with --window.
    #[arg(long, value_name = "NAME", requires = "window")]
    pub time_field: Option<String>,
    /// Compare only with articles at most this much older or newer, and expire articles
    /// older than the newest minus this: 90s, 30m, 72h, 7d.
    #[arg(long, value_name = "DURATION", requires = "time_field", value_parser = parse_window)]
    pub window: Option<i64>,
    /// What a new index reports: near (exact copies and near-duplicates) or all (also
    /// rewrites, the same story in other words; each article's rewrite fingerprint, 4 to 8
    /// KB with its length, is stored beside its shingles) [new index: near].
    #[arg(long, value_enum, value_name = "near|all")]
    pub tier: Option<IndexTier>,
}

/// The tiers of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IndexTier {
    /// Exact copies and near-duplicates.
    Near,
    /// Also rewrites.
    All,
}

impl IndexEngineArgs {
    fn requested(&self) -> Result<RequestedParams> {
        let lsh = match (self.bands, self.rows) {
            (Some(b), Some(r)) => Some(LshParams::new(
                b,
                r,
                self.num_perm.unwrap_or(neardup::Config::default().num_perm),
            )?),
            _ => None,
        };
        Ok(RequestedParams {
            shingle: self.shingle,
            normalize: self.normalize,
            num_perm: self.num_perm,
            seed: self.seed,
            threshold: self.threshold,
            lsh,
            time_field: self.time_field.clone(),
            window_secs: self.window,
            rewrite: self.tier.map(|t| t == IndexTier::All),
        })
    }
}

/// Where the index is and how it is written.
#[derive(Debug, Args)]
pub struct IndexDirArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,
    /// always: fsync after every batch, before its verdicts are printed (survives power
    /// loss); none: leave flushing to the OS (survives the process being killed, not a power
    /// loss).
    #[arg(long, default_value = "always", value_name = "always|none")]
    pub sync: SyncPolicy,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub engine: IndexEngineArgs,
    #[command(flatten)]
    pub dir: IndexDirArgs,
    /// JSON field naming each article's outlet, stored for --ignore-same-source.
    #[arg(long, value_name = "FIELD")]
    pub ignore_same_source: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The index directory.
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,
    /// Print JSON instead of aligned text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompactArgs {
    #[command(flatten)]
    pub dir: IndexDirArgs,
    /// Recover a damaged index: keep the articles before the damage (and those whose
    /// shingle sets are intact) instead of stopping with an error.
    #[arg(long)]
    pub drop_damaged: bool,
}

/// What `filter` writes to standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// One verdict line per article.
    Verdicts,
    /// The new articles' records, byte for byte; verdicts of the others go to --rejects.
    New,
}

/// Check arriving articles against the index, add the new ones (and rewrites), print a
/// verdict each.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Articles to check (JSONL by default); `-` or none: standard input.
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub dir: IndexDirArgs,
    #[command(flatten)]
    pub engine: IndexEngineArgs,
    #[command(flatten)]
    pub records: super::RecordArgs,
    /// Report bad records on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Check only: add nothing to the index (no lock is taken; runs beside a writer).
    #[arg(long)]
    pub read_only: bool,
    /// verdicts: a JSON verdict per article; new: pass new records through unchanged.
    #[arg(long, value_enum, default_value = "verdicts")]
    pub emit: Emit,
    /// With --emit new: write the verdicts of the other articles to FILE.
    #[arg(long, value_name = "FILE", requires = "emit")]
    pub rejects: Option<PathBuf>,
    /// A match whose FIELD has the same value (the same outlet) is not a duplicate.
    #[arg(long, value_name = "FIELD")]
    pub ignore_same_source: Option<String>,
}

pub fn run_index(args: IndexArgs) -> Result<()> {
    match args.command {
        IndexCommand::Build(args) => build(*args),
        IndexCommand::Stats(args) => stats(args),
        IndexCommand::Compact(args) => compact(args),
    }
}

fn open(
    dir: &IndexDirArgs,
    engine: &IndexEngineArgs,
    read_only: bool,
    progress: &Progress,
) -> Result<Index> {
    let requested = engine.requested()?;
    let (index, report) = if read_only {
        let (index, report) = index::open_read_only(&dir.index)?;
        requested.check_against(&dir.index, index.params())?;
        (index, report)
    } else {
        Index::open(
            &dir.index,
            &IndexOptions {
                read_only,
                create: true,
                requested,
                sync: dir.sync,
            },
        )?
    };
    note_open(&index, &report, read_only, progress);
    Ok(index)
}

fn note_open(index: &Index, report: &OpenReport, read_only: bool, progress: &Progress) {
    if let Some((offset, what)) = &report.torn_tail {
        let action = if read_only { "ignored" } else { "cut off" };
        progress.note(&format!(
            "{}: {action} an unfinished write at offset {offset} of the log ({what}); no verdict had been printed for it",
            index.dir().display()
        ));
    }
}

fn summary(s: &FeedSummary, started: Instant) -> String {
    let mut line = format!(
        "{} articles: {} new, {} exact, {} near-duplicate",
        s.records - s.skipped,
        s.new,
        s.exact,
        s.near
    );
    if s.rewrite > 0 {
        line.push_str(&format!(", {} rewrite", s.rewrite));
    }
    if s.skipped > 0 {
        line.push_str(&format!(", skipped {} invalid record(s)", s.skipped));
    }
    line.push_str(&format!(", {:.2}s", started.elapsed().as_secs_f64()));
    line
}

fn build(args: BuildArgs) -> Result<()> {
    let started = Instant::now();
    let progress = Progress::new(args.dir.quiet);
    let mut index = open(&args.dir, &args.engine, false, &progress)?;
    let specs = args.input.specs()?;
    let options = FeedOptions {
        input: args.input.options(false),
        source_field: args.ignore_same_source.clone(),
        skip_invalid: args.input.skip_invalid,
        add_new: true,
        batch: 8192,
    };
    let s = feed(&mut index, &specs, &options, |outcomes| {
        for o in outcomes {
            if let Outcome::Skipped(e) = o {
                progress.note(&format!("skipped: {e}"));
            }
        }
        Ok(())
    })?;
    progress.finish(&format!(
        "{} ({} in the index)",
        summary(&s, started),
        index.len()
    ));
    Ok(())
}

#[derive(serde::Serialize)]
struct VerdictLine<'a> {
    id: &'a str,
    verdict: index::Verdict,
    #[serde(rename = "match")]
    matched: Option<&'a str>,
    score: Option<f64>,
}

pub fn run_filter(args: FilterArgs) -> Result<()> {
    let started = Instant::now();
    let progress = Progress::new(args.dir.quiet);
    if args.rejects.is_some() && args.emit != Emit::New {
        anyhow::bail!("--rejects goes with --emit new");
    }
    let path = args.input.clone().unwrap_or_else(|| PathBuf::from("-"));
    let spec = InputSpec::detect(&path, args.records.format)?;
    if args.emit == Emit::New && spec.format != Format::Jsonl {
        anyhow::bail!(
            "--emit new passes JSONL records through; {} is not JSONL",
            path.display()
        );
    }
    let mut index = open(&args.dir, &args.engine, args.read_only, &progress)?;
    let options = FeedOptions {
        input: args.records.options(args.emit == Emit::New),
        source_field: args.ignore_same_source.clone(),
        skip_invalid: args.skip_invalid,
        add_new: !args.read_only,
        batch: 1024,
    };
    let mut rejects = match &args.rejects {
        Some(p) => {
            Some(BufWriter::new(File::create(p).with_context(|| {
                format!("{}: cannot create", p.display())
            })?))
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut line = Vec::new();
    let mut write = |outcomes: &[Outcome]| -> Result<()> {
        for o in outcomes {
            let (doc, decision) = match o {
                Outcome::Decided { doc, decision } => (doc, decision),
                Outcome::Skipped(e) => {
                    progress.note(&format!("skipped: {e}"));
                    continue;
                }
            };
            line.clear();
            serde_json::to_writer(
                &mut line,
                &VerdictLine {
                    id: &doc.id,
                    verdict: decision.verdict,
                    matched: decision.matched.as_deref(),
                    score: decision.score.map(|s| (s * 1e4).round() / 1e4),
                },
            )?;
            line.push(b'\n');
            match (args.emit, decision.verdict) {
                (Emit::New, index::Verdict::New) => {
                    if let Some(neardup::input::Raw::Line(raw)) = &doc.raw {
                        out.write_all(raw)?;
                        out.write_all(b"\n")?;
                    }
                    out.flush()?;
                }
                (Emit::New, _) => {
                    if let Some(r) = &mut rejects {
                        r.write_all(&line)?;
                        r.flush()?;
                    }
                }
                (Emit::Verdicts, _) => {
                    out.write_all(&line)?;
                    out.flush()?;
                }
            }
        }
        Ok(())
    };
    let mut sink_error = None;
    let result = feed(&mut index, &[spec], &options, |outcomes| {
        write(outcomes).map_err(|e| {
            let message = e.to_string();
            sink_error = Some(e);
            index::IndexError::Io {
                path: PathBuf::from("-"),
                source: std::io::Error::other(message),
            }
        })
    });
    if let Some(e) = sink_error {
        return Err(e.context("writing verdicts"));
    }
    let s = result?;
    progress.finish(&summary(&s, started));
    Ok(())
}

fn stats(args: StatsArgs) -> Result<()> {
    let (index, report) = index::open_read_only(&args.index)?;
    note_open(&index, &report, true, &Progress::new(true));
    let s = index.stats();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(s)?)?;
        return Ok(());
    }
    let p = &s.params;
    let time = |t: Option<i64>| t.map_or("-".to_string(), format_rfc3339);
    writeln!(out, "index        {}", args.index.display())?;
    writeln!(
        out,
        "documents    {} ({} live, {} expired)",
        s.docs, s.live, s.expired
    )?;
    writeln!(
        out,
        "bytes        {} (log {}, shingle sets {})",
        s.log_bytes + s.sets_bytes,
        s.log_bytes,
        s.sets_bytes
    )?;
    writeln!(out, "oldest       {}", time(s.oldest))?;
    writeln!(out, "newest       {}", time(s.newest))?;
    writeln!(out, "shingle      {}", p.shingle)?;
    writeln!(out, "normalize    {}", p.normalize)?;
    writeln!(out, "num-perm     {}", p.num_perm)?;
    writeln!(out, "seed         {}", p.seed)?;
    writeln!(out, "threshold    {}", p.threshold)?;
    writeln!(out, "lsh          {} bands × {} rows", p.bands, p.rows)?;
    writeln!(
        out,
        "tier         {}",
        if p.rewrite {
            "all (exact, near-duplicate, rewrite)"
        } else {
            "near (exact, near-duplicate)"
        }
    )?;
    match (&p.time_field, p.window_secs) {
        (Some(f), Some(w)) => writeln!(out, "window       {} on field {f:?}", format_window(w))?,
        _ => writeln!(out, "window       none")?,
    }
    writeln!(
        out,
        "format       {} (generation {})",
        p.format, p.generation
    )?;
    Ok(())
}

fn compact(args: CompactArgs) -> Result<()> {
    let started = Instant::now();
    let progress = Progress::new(args.dir.quiet);
    let r = index::compact(&args.dir.index, args.drop_damaged, args.dir.sync)?;
    let mut line = format!("kept {} articles, dropped {} expired", r.kept, r.expired);
    if r.damaged > 0 {
        line.push_str(&format!(
            ", {} with damaged shingle sets or rewrite fingerprints",
            r.damaged
        ));
    }
    progress.finish(&format!(
        "{line}; {} → {} bytes, {:.2}s",
        r.bytes_before,
        r.bytes_after,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
