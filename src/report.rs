//! Report: write clusters, pairs, fingerprints and deduplicated corpora.
//!
//! Every writer produces a deterministic order (clusters by id, then document id; pairs
//! by input order) so that two runs give byte-identical files. Files are written to a
//! temporary file beside the target and renamed into place only when complete: an error
//! half-way never leaves a half-written output behind. A target ending in `.gz` is
//! gzip-compressed; no target (or `-`) means standard output.
//!
//! Scores are printed with four decimals, enough to tell 0.8 from 0.7999 in a spreadsheet.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use serde::Serialize;

use crate::cluster::{Cluster, Kind};
use crate::error::{Error, Result};
use crate::input::{Document, Raw};
use crate::pipeline::{Analysis, Corpus, Documents, Fingerprint};

/// Header of the `cluster` CSV.
pub const CLUSTER_HEADER: [&str; 11] = [
    "cluster_id",
    "doc_id",
    "representative_id",
    "is_representative",
    "similarity",
    "containment",
    "cluster_size",
    "kind",
    "copy_of",
    "copy_similarity",
    "copy_kind",
];

/// Header of the `pairs` CSV.
pub const PAIRS_HEADER: [&str; 6] = [
    "doc_a",
    "doc_b",
    "estimate",
    "jaccard",
    "containment",
    "kind",
];

/// Header of the `dedup --removed` CSV.
pub const REMOVED_HEADER: [&str; 5] = [
    "doc_id",
    "duplicate_of",
    "similarity",
    "containment",
    "kind",
];

fn score(x: f64) -> String {
    format!("{x:.4}")
}

/// Writes to `target` (standard output when `None` or `-`) through `write`; a file target is
/// replaced atomically, and only if `write` succeeds.
pub fn write_output(
    target: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let target = target.filter(|p| p.as_os_str() != "-");
    let Some(path) = target else {
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
        return write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("<stdout>", e));
    };
    // A device or pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written in place:
    // renaming a temporary file over it would replace the device with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        return write(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| Error::io(path, e));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".neardup-")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    let file = tmp.as_file().try_clone().map_err(|e| Error::io(path, e))?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let result = if gz {
        let mut enc = GzEncoder::new(BufWriter::new(file), flate2::Compression::default());
        write(&mut enc)
            .and_then(|()| enc.finish())
            .and_then(|mut w| w.flush())
    } else {
        let mut w = BufWriter::with_capacity(1 << 16, file);
        write(&mut w).and_then(|()| w.flush())
    };
    result.map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// How much of a held-back output [`write_spooled`] keeps in memory before it moves to a
/// temporary file.
pub const SPOOL_MEMORY: usize = 64 << 20;

/// Runs `write` into a spool and copies the spool to `out` only if `write` succeeds.
///
/// For output to standard output, where a bad record found late must leave nothing
/// behind (a file target gets the same from [`write_output`]'s rename): the first `memory`
/// bytes are held in memory, the rest in an unnamed temporary file in `TMPDIR`, so a
/// whole corpus's fingerprints never have to fit in memory.
pub fn write_spooled(
    memory: usize,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    out: &mut dyn Write,
) -> io::Result<()> {
    use std::io::Seek;
    let mut spool = tempfile::SpooledTempFile::new(memory);
    {
        let mut w = BufWriter::with_capacity(1 << 16, &mut spool);
        write(&mut w)?;
        w.flush()?;
    }
    spool.rewind()?;
    io::copy(&mut spool, out)?;
    Ok(())
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Writes the cluster CSV: one row per document in a cluster of two or more; with
/// `singletons`, also one row (kind `unique`) for every other document. Clusters are numbered
/// from 1 by their first member in input order; singletons come after them.
pub fn write_clusters(
    out: &mut dyn Write,
    corpus: &impl Documents,
    clusters: &[Cluster],
    singletons: bool,
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CLUSTER_HEADER).map_err(csv_io)?;
    let id = |d: u32| corpus.id(d);
    for (n, c) in clusters.iter().enumerate() {
        let mut members: Vec<_> = c.members.iter().collect();
        members.sort_by(|a, b| id(a.doc).cmp(id(b.doc)));
        let size = members.len().to_string();
        let cluster_id = (n + 1).to_string();
        for m in members {
            let (copy_of, copy_similarity, copy_kind) = match &m.copy_of {
                Some(c) => (id(c.doc), score(c.similarity), c.kind.to_string()),
                None => ("", String::new(), String::new()),
            };
            w.write_record([
                cluster_id.as_str(),
                id(m.doc),
                id(c.representative),
                if m.doc == c.representative {
                    "true"
                } else {
                    "false"
                },
                &score(m.similarity),
                &score(m.containment),
                &size,
                &m.kind.to_string(),
                copy_of,
                &copy_similarity,
                &copy_kind,
            ])
            .map_err(csv_io)?;
        }
    }
    if singletons {
        let mut in_cluster = vec![false; corpus.doc_count()];
        for m in clusters.iter().flat_map(|c| &c.members) {
            in_cluster[m.doc as usize] = true;
        }
        let mut next = clusters.len();
        for (d, _) in in_cluster.iter().enumerate().filter(|(_, &c)| !c) {
            next += 1;
            let doc_id = corpus.id(d as u32);
            w.write_record([
                next.to_string().as_str(),
                doc_id,
                doc_id,
                "true",
                &score(1.0),
                &score(1.0),
                "1",
                "unique",
                "",
                "",
                "",
            ])
            .map_err(csv_io)?;
        }
    }
    w.flush()
}

/// One reported pair of documents.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    /// Earlier document (input order).
    pub a: u32,
    /// Later document.
    pub b: u32,
    /// MinHash estimate.
    pub estimate: f64,
    /// Exact Jaccard, when verified.
    pub jaccard: Option<f64>,
    /// The larger of the two containments (exact when verified, else estimated).
    pub containment: f64,
    /// Exact copy or near-duplicate.
    pub kind: Kind,
}

/// Every accepted pair at document level: pairs inside exact groups, and every combination
/// of members of two groups whose leaders were verified similar (near-duplicate, or, when
/// the tier includes rewrites and the pair is not a near-duplicate, rewrite). Sorted by
/// input order.
///
/// Rewrite rows hold the sketch estimate of the top features' weighted Jaccard in
/// `estimate`, the verification score `V` in `jaccard`, and the larger share of one
/// document's feature weight found in the other in `containment`.
pub fn pair_rows(corpus: &impl Documents, analysis: &Analysis) -> Vec<PairRow> {
    let groups = analysis.exact_groups();
    let mut members_of: std::collections::HashMap<u32, &[u32]> = Default::default();
    for g in &groups {
        members_of.insert(g[0], g.as_slice());
    }
    let mut rows = Vec::new();
    for g in &groups {
        for (i, &a) in g.iter().enumerate() {
            for &b in &g[i + 1..] {
                rows.push(PairRow {
                    a,
                    b,
                    estimate: 1.0,
                    jaccard: Some(1.0),
                    containment: 1.0,
                    kind: Kind::Exact,
                });
            }
        }
    }
    for p in &analysis.pairs {
        let (containment, jaccard) = match p.exact {
            Some(s) => (s.max_containment(), Some(s.jaccard)),
            None => {
                let (fa, fb) = (
                    &corpus.fingerprints()[p.a as usize],
                    &corpus.fingerprints()[p.b as usize],
                );
                let c = |x: &Fingerprint, y: &Fingerprint| {
                    crate::minhash::containment_estimate(
                        p.estimate,
                        x.shingles as usize,
                        y.shingles as usize,
                    )
                };
                (c(fa, fb).max(c(fb, fa)), None)
            }
        };
        let row = PairRow {
            a: p.a,
            b: p.b,
            estimate: p.estimate,
            jaccard,
            containment,
            kind: Kind::NearDuplicate,
        };
        push_member_pairs(&mut rows, &members_of, row, |_, _| true);
    }
    if let Some(rw) = &analysis.rewrite {
        let near: std::collections::HashSet<(u32, u32)> =
            analysis.pairs.iter().map(|p| (p.a, p.b)).collect();
        // The leaders' groups were published within the window; each reported pair of
        // members must be too.
        let keep = |x: u32, y: u32| rw.published_within(x, y);
        for p in rw.pairs.iter().filter(|p| !near.contains(&(p.a, p.b))) {
            let row = PairRow {
                a: p.a,
                b: p.b,
                estimate: p.estimate,
                jaccard: Some(p.score.score),
                containment: p.score.a_in_b.max(p.score.b_in_a),
                kind: Kind::Rewrite,
            };
            push_member_pairs(&mut rows, &members_of, row, keep);
        }
    }
    rows.sort_by_key(|r| (r.a, r.b));
    rows
}

/// Pushes `row`, a pair of exact-group leaders, once for every combination of the two
/// groups' members that `keep` accepts (a leader without copies stands for itself).
fn push_member_pairs(
    rows: &mut Vec<PairRow>,
    members_of: &std::collections::HashMap<u32, &[u32]>,
    row: PairRow,
    keep: impl Fn(u32, u32) -> bool,
) {
    let (one, two) = ([row.a], [row.b]);
    let ma = members_of.get(&row.a).copied().unwrap_or(&one);
    let mb = members_of.get(&row.b).copied().unwrap_or(&two);
    for &x in ma {
        for &y in mb.iter().filter(|&&y| keep(x, y)) {
            rows.push(PairRow {
                a: x.min(y),
                b: x.max(y),
                ..row.clone()
            });
        }
    }
}

/// Writes the pairs CSV.
pub fn write_pairs(
    out: &mut dyn Write,
    corpus: &impl Documents,
    rows: &[PairRow],
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(PAIRS_HEADER).map_err(csv_io)?;
    for r in rows {
        w.write_record([
            corpus.id(r.a),
            corpus.id(r.b),
            &score(r.estimate),
            &r.jaccard.map(score).unwrap_or_default(),
            &score(r.containment),
            &r.kind.to_string(),
        ])
        .map_err(csv_io)?;
    }
    w.flush()
}

#[derive(Serialize)]
struct FingerprintRecord<'a> {
    id: &'a str,
    tokens: u32,
    shingles: u32,
    signature: Option<&'a [u32]>,
}

/// Writes one document's fingerprint as a JSON line: `{"id", "tokens", "shingles",
/// "signature"}`, where `signature` is the array of `k` unsigned 32-bit values, or `null`
/// for a document without tokens.
pub fn write_fingerprint(out: &mut dyn Write, id: &str, fp: &Fingerprint) -> io::Result<()> {
    let rec = FingerprintRecord {
        id,
        tokens: fp.tokens,
        shingles: fp.shingles,
        signature: fp.signature.as_deref(),
    };
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")
}

/// Writes [`write_fingerprint`] lines for every document of a corpus, in input order.
pub fn write_fingerprints(out: &mut dyn Write, corpus: &Corpus) -> io::Result<()> {
    for (doc, fp) in corpus.docs.iter().zip(&corpus.fingerprints) {
        write_fingerprint(out, &doc.id, fp)?;
    }
    Ok(())
}

/// One dropped document and the kept one it duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// The dropped document.
    pub doc: u32,
    /// The representative kept in its place.
    pub kept: u32,
    /// Similarity to it.
    pub similarity: f64,
    /// Containment in it.
    pub containment: f64,
    /// Exact or near-duplicate.
    pub kind: Kind,
}

/// Which documents `dedup` drops: every cluster member but the representative, in input order.
pub fn removals(clusters: &[Cluster]) -> Vec<Removal> {
    let mut out: Vec<Removal> = clusters
        .iter()
        .flat_map(|c| {
            c.members
                .iter()
                .filter(|m| m.doc != c.representative)
                .map(|m| Removal {
                    doc: m.doc,
                    kept: c.representative,
                    similarity: m.similarity,
                    containment: m.containment,
                    kind: m.kind,
                })
        })
        .collect();
    out.sort_by_key(|r| r.doc);
    out
}

/// Writes the removed-documents CSV.
pub fn write_removed(
    out: &mut dyn Write,
    corpus: &impl Documents,
    removed: &[Removal],
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(REMOVED_HEADER).map_err(csv_io)?;
    for r in removed {
        w.write_record([
            corpus.id(r.doc),
            corpus.id(r.kept),
            &score(r.similarity),
            &score(r.containment),
            &r.kind.to_string(),
        ])
        .map_err(csv_io)?;
    }
    w.flush()
}

/// Writes the documents not in `removed` back in their input form: JSONL lines byte for
/// byte, CSV rows under the shared header, or `.txt` files into the directory `target`
/// (which must not exist yet or be empty). Every document must have been read with
/// `keep_raw`, and all in one form.
pub fn write_kept(target: Option<&Path>, corpus: &Corpus, removed: &[Removal]) -> Result<()> {
    let mut drop = vec![false; corpus.docs.len()];
    for r in removed {
        drop[r.doc as usize] = true;
    }
    let kept: Vec<&Document> = corpus
        .docs
        .iter()
        .zip(&drop)
        .filter(|(_, &d)| !d)
        .map(|(doc, _)| doc)
        .collect();
    fn raw(d: &Document) -> Result<&Raw> {
        d.raw.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "{}: record was read without its raw form",
                d.location
            ))
        })
    }
    let first_kind = corpus
        .docs
        .first()
        .and_then(|d| d.raw.as_ref())
        .map(std::mem::discriminant);
    for d in &corpus.docs {
        if Some(std::mem::discriminant(raw(d)?)) != first_kind {
            return Err(Error::Config(
                "dedup needs all inputs in one format (txt, jsonl or csv)".into(),
            ));
        }
    }
    match corpus.docs.first().and_then(|d| d.raw.as_ref()) {
        None | Some(Raw::Line(_)) => write_output(target, |out| {
            for d in &kept {
                if let Some(Raw::Line(line)) = &d.raw {
                    out.write_all(line)?;
                    out.write_all(b"\n")?;
                }
            }
            Ok(())
        }),
        Some(Raw::Row(_)) => write_output(target, |out| {
            let mut w = csv::Writer::from_writer(out);
            if let Some(h) = &corpus.csv_header {
                w.write_byte_record(h).map_err(csv_io)?;
            }
            for d in &kept {
                if let Some(Raw::Row(row)) = &d.raw {
                    w.write_byte_record(row).map_err(csv_io)?;
                }
            }
            w.flush()
        }),
        Some(Raw::File { .. }) => {
            let dir = target
                .filter(|p| p.as_os_str() != "-")
                .ok_or_else(|| Error::Output {
                    path: "-".into(),
                    message: "dedup of .txt files writes a directory: give it with -o DIR".into(),
                })?;
            write_dir(dir, &kept)
        }
    }
}

fn write_dir(dir: &Path, kept: &[&Document]) -> Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Output {
                path: dir.to_path_buf(),
                message: "output directory exists and is not empty".into(),
            });
        }
        std::fs::remove_dir(dir).map_err(|e| Error::io(dir, e))?;
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".neardup-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    for d in kept {
        if let Some(Raw::File { relative, bytes }) = &d.raw {
            let path = tmp.path().join(relative);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        }
    }
    let tmp = tmp.keep();
    std::fs::rename(&tmp, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp);
        Error::io(dir, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spooled_output_reaches_the_target_only_on_success_and_past_the_memory_limit() {
        let lines = |w: &mut dyn Write| -> io::Result<()> {
            for i in 0..1000 {
                writeln!(w, "{{\"id\":\"doc-{i}\"}}")?;
            }
            Ok(())
        };
        // A 100-byte memory limit: most of the output goes through the temporary file.
        let mut out = Vec::new();
        write_spooled(100, lines, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1000);
        assert!(text.starts_with("{\"id\":\"doc-0\"}\n") && text.ends_with("doc-999\"}\n"));
        let failing = |w: &mut dyn Write| -> io::Result<()> {
            lines(w)?;
            Err(io::Error::other("bad record"))
        };
        let mut out = Vec::new();
        assert!(write_spooled(100, failing, &mut out).is_err());
        assert!(out.is_empty(), "nothing is written when the run fails");
    }

    #[test]
    fn failed_writes_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let err = write_output(Some(&target), |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_output(Some(&target), |w| w.write_all(b"whole")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
    }

    /// Regression: `-o /dev/null` once renamed a temporary file over /dev/null, replacing
    /// the device with a regular file.
    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dev_null = Path::new("/dev/null");
        write_output(Some(dev_null), |w| w.write_all(b"discarded")).unwrap();
        let ty = std::fs::metadata(dev_null).unwrap().file_type();
        assert!(ty.is_char_device(), "/dev/null is no longer a device");
    }

    #[test]
    fn gz_targets_are_compressed() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl.gz");
        write_output(Some(&target), |w| w.write_all(b"{}\n")).unwrap();
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&target).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "{}\n");
    }
}
