//! Evaluate: score a clustering or a set of pair verdicts against ground truth.
//!
//! Two views, the ones dedup papers report:
//! - **clusters** against a truth clustering: pairwise precision, recall and F1 (over all
//!   pairs of documents put together) and the adjusted Rand index (Hubert & Arabie 1985);
//! - **pairs** against labelled pairs: accuracy, precision, recall and F1 of "reported as
//!   similar" versus the label.
//!
//! Documents absent from one side count as singletons there.

use std::collections::{HashMap, HashSet};

/// Pairwise and chance-corrected agreement of two clusterings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterScores {
    /// Documents in the union of both clusterings.
    pub docs: usize,
    /// Pairs together in both.
    pub true_pairs: u64,
    /// Pairs together in the prediction.
    pub predicted_pairs: u64,
    /// Pairs together in the truth.
    pub truth_pairs: u64,
    /// `true_pairs / predicted_pairs` (1 when nothing is predicted).
    pub precision: f64,
    /// `true_pairs / truth_pairs` (1 when the truth has no pair).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Adjusted Rand index: 1 for identical clusterings, about 0 for chance agreement.
    pub ari: f64,
}

fn choose2(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Compares `predicted` with `truth`, both given as `(doc_id, cluster_id)` assignments.
///
/// ```
/// use neardup::eval::compare_clusters;
/// let truth = [("a", "1"), ("b", "1"), ("c", "2"), ("d", "2")];
/// let pred = [("a", "x"), ("b", "x"), ("c", "y"), ("d", "z")];
/// let s = compare_clusters(&pred, &truth);
/// assert_eq!((s.precision, s.recall), (1.0, 0.5));
/// ```
pub fn compare_clusters<S: AsRef<str>>(predicted: &[(S, S)], truth: &[(S, S)]) -> ClusterScores {
    // Intern documents; a document missing on one side is its own cluster there.
    let mut doc_ids: HashMap<&str, usize> = HashMap::new();
    for (d, _) in predicted.iter().chain(truth) {
        let next = doc_ids.len();
        doc_ids.entry(d.as_ref()).or_insert(next);
    }
    let n = doc_ids.len();
    let labels = |assign: &[(S, S)]| -> Vec<String> {
        let mut l: Vec<String> = (0..n).map(|i| format!("\u{0}singleton{i}")).collect();
        for (d, c) in assign {
            l[doc_ids[d.as_ref()]] = c.as_ref().to_string();
        }
        l
    };
    let (p, t) = (labels(predicted), labels(truth));
    let mut joint: HashMap<(&str, &str), u64> = HashMap::new();
    let mut pc: HashMap<&str, u64> = HashMap::new();
    let mut tc: HashMap<&str, u64> = HashMap::new();
    for i in 0..n {
        *joint.entry((&p[i], &t[i])).or_default() += 1;
        *pc.entry(&p[i]).or_default() += 1;
        *tc.entry(&t[i]).or_default() += 1;
    }
    let true_pairs: u64 = joint.values().map(|&c| choose2(c)).sum();
    let predicted_pairs: u64 = pc.values().map(|&c| choose2(c)).sum();
    let truth_pairs: u64 = tc.values().map(|&c| choose2(c)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(true_pairs, predicted_pairs);
    let recall = ratio(true_pairs, truth_pairs);
    let all = choose2(n as u64) as f64;
    let expected = if all == 0.0 {
        0.0
    } else {
        predicted_pairs as f64 * truth_pairs as f64 / all
    };
    let max = (predicted_pairs + truth_pairs) as f64 / 2.0;
    let ari = if (max - expected).abs() < f64::EPSILON {
        1.0
    } else {
        (true_pairs as f64 - expected) / (max - expected)
    };
    ClusterScores {
        docs: n,
        true_pairs,
        predicted_pairs,
        truth_pairs,
        precision,
        recall,
        f1: f1(precision, recall),
        ari,
    }
}

/// Agreement of pair verdicts with labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScores {
    /// Labelled pairs.
    pub pairs: usize,
    /// Labelled similar and reported.
    pub true_positives: usize,
    /// Labelled different but reported.
    pub false_positives: usize,
    /// Labelled similar but not reported.
    pub false_negatives: usize,
    /// Labelled different and not reported.
    pub true_negatives: usize,
    /// Share of correct verdicts.
    pub accuracy: f64,
    /// Reported pairs that are labelled similar.
    pub precision: f64,
    /// Similar pairs that are reported.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// Scores the set of `reported` (unordered) pairs against `labelled` pairs `(a, b, similar)`.
///
/// ```
/// use neardup::eval::compare_pairs;
/// let labelled = [("a", "b", true), ("a", "c", false), ("b", "d", true)];
/// let s = compare_pairs(&[("b", "a"), ("c", "a")], &labelled);
/// assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (1, 1, 1));
/// ```
pub fn compare_pairs<S: AsRef<str>>(reported: &[(S, S)], labelled: &[(S, S, bool)]) -> PairScores {
    let key = |a: &str, b: &str| -> (String, String) {
        if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        }
    };
    let reported: HashSet<(String, String)> = reported
        .iter()
        .map(|(a, b)| key(a.as_ref(), b.as_ref()))
        .collect();
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    for (a, b, similar) in labelled {
        let said = reported.contains(&key(a.as_ref(), b.as_ref()));
        match (similar, said) {
            (true, true) => tp += 1,
            (false, true) => fp += 1,
            (true, false) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    PairScores {
        pairs: labelled.len(),
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        true_negatives: tn,
        accuracy: ratio(tp + tn, labelled.len()),
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_clusterings_score_one() {
        let a = [("a", "1"), ("b", "1"), ("c", "2"), ("d", "2"), ("e", "3")];
        let s = compare_clusters(&a, &a);
        assert_eq!((s.precision, s.recall, s.f1, s.ari), (1.0, 1.0, 1.0, 1.0));
    }

    #[test]
    fn ari_matches_a_worked_example() {
        // Hubert & Arabie's formula by hand: truth {a,b,c}{d,e,f}, prediction {a,b}{c,d}{e,f}.
        let truth = [
            ("a", "1"),
            ("b", "1"),
            ("c", "1"),
            ("d", "2"),
            ("e", "2"),
            ("f", "2"),
        ];
        let pred = [
            ("a", "x"),
            ("b", "x"),
            ("c", "y"),
            ("d", "y"),
            ("e", "z"),
            ("f", "z"),
        ];
        let s = compare_clusters(&pred, &truth);
        // index = 2, expected = 3·6/15 = 1.2, max = 4.5 → ARI = 0.8/3.3
        assert!((s.ari - 0.8 / 3.3).abs() < 1e-12, "{}", s.ari);
        assert_eq!((s.true_pairs, s.predicted_pairs, s.truth_pairs), (2, 3, 6));
    }

    #[test]
    fn missing_documents_are_singletons() {
        let truth = [("a", "1"), ("b", "1")];
        let pred: [(&str, &str); 0] = [];
        let s = compare_clusters(&pred, &truth);
        assert_eq!((s.precision, s.recall), (1.0, 0.0));
    }

    #[test]
    fn pair_metrics() {
        let labelled = [
            ("a", "b", true),
            ("c", "d", true),
            ("e", "f", false),
            ("g", "h", false),
        ];
        let s = compare_pairs(&[("b", "a"), ("e", "f")], &labelled);
        assert_eq!(s.accuracy, 0.5);
        assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
    }
}
