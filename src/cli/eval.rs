//! `neardup eval`: score a cluster CSV or a pairs CSV against ground truth.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use neardup::eval::{compare_clusters, compare_pairs};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// What neardup wrote: a `cluster` CSV (with --truth) or a `pairs` CSV (with --labels).
    #[arg(value_name = "RESULT.csv")]
    pub result: PathBuf,
    /// Truth clustering: CSV with columns doc_id,cluster_id. Reports pairwise precision,
    /// recall, F1 and the adjusted Rand index.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "labels",
        required_unless_present = "labels"
    )]
    pub truth: Option<PathBuf>,
    /// Labelled pairs: CSV with columns id_a,id_b,label (1/0, true/false or yes/no). Reports
    /// accuracy, precision, recall and F1 of "reported as a pair".
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Only count result rows of this kind (exact, near-duplicate, …).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Print JSON instead of aligned text.
    #[arg(long)]
    pub json: bool,
}

/// Reads the named columns of a CSV file, with file:line errors.
fn read_columns(
    path: &Path,
    columns: &[&str],
    filter: Option<(&str, &str)>,
) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("{}", path.display()))?;
    let header = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the CSV header", path.display()))?
        .clone();
    let index = |name: &str| -> Result<usize> {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}:1: CSV header has no column {name:?}", path.display()))
    };
    let wanted: Vec<usize> = columns.iter().map(|c| index(c)).collect::<Result<_>>()?;
    let filter = match filter {
        Some((col, value)) => Some((index(col)?, value)),
        None => None,
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            anyhow::anyhow!("{}:{line}: {e}", path.display())
        })?;
        if let Some((col, value)) = filter {
            if record.get(col) != Some(value) {
                continue;
            }
        }
        rows.push(
            wanted
                .iter()
                .map(|&i| record.get(i).unwrap_or("").to_string())
                .collect(),
        );
    }
    Ok(rows)
}

pub fn run(args: EvalArgs) -> Result<()> {
    let kind = args.kind.as_deref().map(|k| ("kind", k));
    let mut out = std::io::stdout().lock();
    if let Some(truth) = &args.truth {
        let pred: Vec<(String, String)> =
            read_columns(&args.result, &["doc_id", "cluster_id"], kind)?
                .into_iter()
                .map(|r| (r[0].clone(), r[1].clone()))
                .collect();
        let truth_rows: Vec<(String, String)> =
            read_columns(truth, &["doc_id", "cluster_id"], None)?
                .into_iter()
                .map(|r| (r[0].clone(), r[1].clone()))
                .collect();
        let s = compare_clusters(&pred, &truth_rows);
        if args.json {
            let v = serde_json::json!({
                "docs": s.docs, "true_pairs": s.true_pairs, "predicted_pairs": s.predicted_pairs,
                "truth_pairs": s.truth_pairs, "precision": s.precision, "recall": s.recall,
                "f1": s.f1, "ari": s.ari,
            });
            writeln!(out, "{v}")?;
        } else {
            writeln!(out, "documents         {}", s.docs)?;
            writeln!(
                out,
                "pairs  predicted  {}  truth {}  both {}",
                s.predicted_pairs, s.truth_pairs, s.true_pairs
            )?;
            writeln!(out, "precision         {:.4}", s.precision)?;
            writeln!(out, "recall            {:.4}", s.recall)?;
            writeln!(out, "F1                {:.4}", s.f1)?;
            writeln!(out, "adjusted Rand     {:.4}", s.ari)?;
        }
        return Ok(());
    }
    let Some(labels) = &args.labels else {
        bail!("eval needs --truth or --labels");
    };
    let reported: Vec<(String, String)> = read_columns(&args.result, &["doc_a", "doc_b"], kind)?
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let mut labelled = Vec::new();
    for (i, r) in read_columns(labels, &["id_a", "id_b", "label"], None)?
        .into_iter()
        .enumerate()
    {
        let similar = match r[2].trim() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            other => bail!(
                "{}:{}: label {other:?} is not 1/0, true/false or yes/no",
                labels.display(),
                i + 2
            ),
        };
        labelled.push((r[0].clone(), r[1].clone(), similar));
    }
    let s = compare_pairs(&reported, &labelled);
    if args.json {
        let v = serde_json::json!({
            "pairs": s.pairs, "true_positives": s.true_positives,
            "false_positives": s.false_positives, "false_negatives": s.false_negatives,
            "true_negatives": s.true_negatives, "accuracy": s.accuracy,
            "precision": s.precision, "recall": s.recall, "f1": s.f1,
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "labelled pairs    {}", s.pairs)?;
        writeln!(
            out,
            "tp {}  fp {}  fn {}  tn {}",
            s.true_positives, s.false_positives, s.false_negatives, s.true_negatives
        )?;
        writeln!(out, "accuracy          {:.4}", s.accuracy)?;
        writeln!(out, "precision         {:.4}", s.precision)?;
        writeln!(out, "recall            {:.4}", s.recall)?;
        writeln!(out, "F1                {:.4}", s.f1)?;
    }
    Ok(())
}
