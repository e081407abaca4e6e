//! The rewrite score of labelled pairs, with every part, for studying the verification rule.
//!
//! ```text
//! cargo run --release --example pair_scores -- CORPUS.jsonl PAIRS.csv > scores.csv
//! ```
//!
//! PAIRS.csv has `id_a,id_b` and any further columns (a label, a judgement); they are copied
//! to the output. Profiles are built over the whole corpus at the default settings, so the
//! scores are the ones `pairs --tier all` gives. Output: the input columns, then `n`,
//! `threshold`, `score`, `verdict` and the parts of the score (see
//! `neardup::rewrite::score`), and `days_apart`, how far apart the two were published (empty
//! when either has no `date`), and `key_miss_a`/`key_miss_b`, the share of each one's key
//! entities missing from the other, and `template_worded` (see `score::template_worded`): `pairs` lists a pair whose verdict is 1 only when it is within
//! the rewrite window (3 days by default).

use std::collections::HashMap;

use anyhow::{bail, Context};
use neardup::pipeline::analyze;
use neardup::rewrite::score::score;

mod common;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, corpus_path, pairs_path] = args.as_slice() else {
        bail!("usage: pair_scores CORPUS PAIRS.csv");
    };
    let (config, corpus) = common::read_all_tiers(corpus_path)?;
    let index: HashMap<&str, usize> = corpus
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    // The profiles `pairs` scores with: built by the pipeline, over the near-duplicate
    // families it found.
    let analysis = analyze(&corpus, &config, &())?;
    let profiles = analysis
        .rewrite
        .context("the rewrite tier did not run")?
        .profiles;
    let mut reader =
        csv::Reader::from_path(pairs_path).with_context(|| format!("{pairs_path}: cannot read"))?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    header.extend(
        [
            "n",
            "threshold",
            "score",
            "verdict",
            "jaccard",
            "key_agreement",
            "a_in_b",
            "b_in_a",
            "template",
            "slot_disagreement",
            "shared_content",
            "shared_numbers",
            "content_template",
            "number_conflict",
            "frames",
            "month_conflict",
            "short_score",
            "short_threshold",
            "days_apart",
            "key_miss_a",
            "key_miss_b",
            "template_worded",
        ]
        .map(str::to_string),
    );
    out.write_record(&header)?;
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{pairs_path}: record {}", line + 2))?;
        let id = |k: usize| -> anyhow::Result<usize> {
            let id = record.get(k).unwrap_or_default();
            index
                .get(id)
                .copied()
                .with_context(|| format!("{pairs_path}: record {}: unknown id {id:?}", line + 2))
        };
        let (a, b) = (id(0)?, id(1)?);
        let s = score(&profiles[a], &profiles[b], &config.rewrite);
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.extend([
            s.n.to_string(),
            format!("{:.6}", s.threshold),
            format!("{:.6}", s.score),
            if s.is_rewrite() { "1" } else { "0" }.to_string(),
            format!("{:.6}", s.jaccard),
            format!("{:.6}", s.key_agreement),
            format!("{:.6}", s.a_in_b),
            format!("{:.6}", s.b_in_a),
            format!("{:.6}", s.template),
            format!("{:.6}", s.slot_disagreement),
            s.evidence.shared_content.to_string(),
            format!("{:.6}", s.evidence.shared_numbers),
            format!("{:.6}", s.evidence.content_template),
            format!("{:.6}", s.evidence.number_conflict),
            format!("{:.6}", s.frames),
            u8::from(s.month_conflict).to_string(),
            format!("{:.6}", s.short_score),
            format!("{:.6}", s.short_threshold),
            match (corpus.docs[a].date, corpus.docs[b].date) {
                (Some(x), Some(y)) => format!("{:.3}", x.abs_diff(y) as f64 / 86_400.0),
                _ => String::new(),
            },
        ]);
        let (miss_a, miss_b) = neardup::rewrite::score::key_misses(&profiles[a], &profiles[b]);
        row.extend([
            format!("{miss_a:.6}"),
            format!("{miss_b:.6}"),
            u8::from(s.template_worded).to_string(),
        ]);
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}
