//! LSH recall on a generated corpus with planted near-duplicates at known Jaccard.
//!
//! Spec: "on a generated corpus with planted near-duplicates at known Jaccard, the clusters
//! at threshold t find ≥ 99.5% of planted pairs above t + 0.05 and none below t."
//!
//! The corpus: `BASES` documents of 300–700 words drawn uniformly from a vocabulary of
//! `VOCAB` synthetic words (so two bases share no word 5-shingle), and for every base one
//! planted copy whose words were substituted at random positions until the word-5-shingle
//! Jaccard reached a target spread uniformly over 0.4–1.0: two thirds of the pairs fall in
//! 0.6–1.0, the rest below, so that "nothing below t" is tested at t = 0.5 as well (a few
//! copies are exact after normalisation, differing only in case and punctuation). Each base and its copy form a
//! *family*. The exact Jaccard of every planted pair is measured with the library's own
//! shingle sets, and documents are shuffled and read back through `read_corpus` from JSONL.
//!
//! Everything is deterministic (a fixed splitmix64 stream), so the test cannot flake; the
//! recall figures are printed with `--nocapture`.

use std::collections::HashSet;
use std::io::Write;

use neardup::minhash::jaccard;
use neardup::pipeline::{analyze, cluster, read_corpus, Corpus, OnInvalid};
use neardup::{Config, InputOptions, InputSpec};

const VOCAB: usize = 20_000;
const BASES: usize = 3_000;
const MIN_WORDS: usize = 300;
const MAX_WORDS: usize = 700;
const SHINGLE: usize = 5;
const SEED: u64 = 0x5eed_0f2e_ca11;

/// splitmix64: tiny, fast, and good enough to drive a generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `VOCAB` distinct lower-case words of 2 or 3 consonant-vowel syllables. Every syllable ends
/// in its only vowel and no onset is a prefix-ambiguous split of another, so distinct
/// syllable sequences spell distinct words.
fn vocabulary() -> Vec<String> {
    const ONSETS: [&str; 20] = [
        "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
        "br", "st",
    ];
    const VOWELS: [&str; 5] = ["a", "e", "i", "o", "u"];
    let syllable = |s: usize| format!("{}{}", ONSETS[s / 5], VOWELS[s % 5]);
    let words: Vec<String> = (0..VOCAB)
        .map(|i| {
            if i < 10_000 {
                format!("{}{}", syllable(i / 100), syllable(i % 100))
            } else {
                let j = i - 10_000;
                format!(
                    "{}{}{}",
                    syllable(j / 10_000),
                    syllable(j / 100 % 100),
                    syllable(j % 100)
                )
            }
        })
        .collect();
    assert_eq!(
        words.iter().collect::<HashSet<_>>().len(),
        VOCAB,
        "vocabulary words must be distinct"
    );
    words
}

/// Renders word ids as prose: sentences of 5–24 words, a capital at each start, an
/// occasional comma, a full stop at each end. The punctuation depends on `rng`, so two
/// renderings of the same words differ only in what normalisation folds away.
fn render(words: &[u32], vocab: &[String], rng: &mut Rng) -> String {
    let mut text = String::with_capacity(words.len() * 8);
    let mut left_in_sentence = 0usize;
    for (i, &w) in words.iter().enumerate() {
        let word = &vocab[w as usize];
        if left_in_sentence == 0 {
            if i > 0 {
                text.push_str(". ");
            }
            left_in_sentence = 5 + rng.below(20);
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push_str(if rng.below(12) == 0 { ", " } else { " " });
            text.push_str(word);
        }
        left_in_sentence -= 1;
    }
    text.push('.');
    text
}

/// A copy of `base` with words substituted at random positions until the Jaccard of the
/// two word-`SHINGLE`-shingle sets is at most `target`.
///
/// A substituted word breaks the (up to) `SHINGLE` windows that cover it and the copy gets
/// as many new shingles (fresh random words make them unseen), so with `w` windows of which
/// `intact` survive, J = intact / (2w − intact). The exact value is measured afterwards.
fn plant(base: &[u32], target: f64, rng: &mut Rng) -> Vec<u32> {
    let windows = base.len() + 1 - SHINGLE;
    let mut copy = base.to_vec();
    let mut broken = vec![false; windows];
    let mut intact = windows;
    let estimate = |intact: usize| intact as f64 / (2 * windows - intact) as f64;
    while estimate(intact) > target {
        let p = rng.below(base.len());
        if copy[p] != base[p] {
            continue;
        }
        while copy[p] == base[p] {
            copy[p] = rng.below(VOCAB) as u32;
        }
        for window in &mut broken[p.saturating_sub(SHINGLE - 1)..=p.min(windows - 1)] {
            if !*window {
                *window = true;
                intact -= 1;
            }
        }
    }
    copy
}

struct Planted {
    /// Family `f` has documents `b{f}` (the base) and `c{f}` (the planted copy).
    exact_jaccard: Vec<f64>,
    /// The JSONL file holding the shuffled documents.
    file: tempfile::NamedTempFile,
}

fn generate() -> Planted {
    let vocab = vocabulary();
    let mut rng = Rng(SEED);
    let shingler = Config::default().shingler();
    let mut docs: Vec<(String, String)> = Vec::with_capacity(2 * BASES);
    let mut exact_jaccard = Vec::with_capacity(BASES);
    for f in 0..BASES {
        let len = MIN_WORDS + rng.below(MAX_WORDS - MIN_WORDS + 1);
        let base: Vec<u32> = (0..len).map(|_| rng.below(VOCAB) as u32).collect();
        // 0.4–1.0, where the top 2.4% are exact copies (in different case and punctuation).
        let target = 0.4 + 0.615 * rng.unit();
        let copy = if target >= 1.0 {
            base.clone()
        } else {
            plant(&base, target, &mut rng)
        };
        let (a, b) = (
            render(&base, &vocab, &mut rng),
            render(&copy, &vocab, &mut rng),
        );
        exact_jaccard.push(jaccard(
            &shingler.shingle_set(&a),
            &shingler.shingle_set(&b),
        ));
        docs.push((format!("b{f}"), a));
        docs.push((format!("c{f}"), b));
    }
    // Fisher–Yates, so a copy comes before its base about half the time.
    for i in (1..docs.len()).rev() {
        docs.swap(i, rng.below(i + 1));
    }
    let mut file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .expect("temp file");
    {
        let mut out = std::io::BufWriter::new(file.as_file_mut());
        for (id, text) in &docs {
            let line = serde_json::json!({ "id": id, "text": text });
            writeln!(out, "{line}").expect("write corpus");
        }
        out.flush().expect("write corpus");
    }
    Planted {
        exact_jaccard,
        file,
    }
}

/// The family of a document id (`b17` and `c17` are family 17).
fn family(corpus: &Corpus, doc: u32) -> usize {
    corpus.docs[doc as usize].id[1..]
        .parse()
        .expect("generated id")
}

/// Each family's (base, copy) document indices.
fn family_members(corpus: &Corpus) -> Vec<(u32, u32)> {
    let mut members = vec![(u32::MAX, u32::MAX); BASES];
    for (i, doc) in corpus.docs.iter().enumerate() {
        let f = family(corpus, i as u32);
        if doc.id.starts_with('b') {
            members[f].0 = i as u32;
        } else {
            members[f].1 = i as u32;
        }
    }
    assert!(members.iter().all(|&(b, c)| b != u32::MAX && c != u32::MAX));
    members
}

#[test]
fn lsh_finds_planted_near_duplicates_above_threshold_and_nothing_below() {
    let started = std::time::Instant::now();
    let planted = generate();
    let inputs = [InputSpec::detect(planted.file.path(), None).expect("detect")];
    // Thresholds do not change fingerprints: read once, analyse at three thresholds.
    let corpus = read_corpus(
        &inputs,
        &InputOptions::default(),
        &Config::default(),
        OnInvalid::Fail,
        &(),
    )
    .expect("read corpus");
    assert_eq!(corpus.docs.len(), 2 * BASES);
    let members = family_members(&corpus);
    let shingler = Config::default().shingler();
    let sets: Vec<Vec<u64>> = corpus
        .docs
        .iter()
        .map(|d| shingler.shingle_set(&d.text))
        .collect();
    let exact = |a: u32, b: u32| jaccard(&sets[a as usize], &sets[b as usize]);

    let js = &planted.exact_jaccard;
    let bucket = |lo: f64, hi: f64| js.iter().filter(|&&j| j >= lo && j < hi).count();
    eprintln!(
        "recall: {} families; planted exact Jaccard: min {:.3}, max {:.3}; \
         <0.5 {}, [0.5,0.6) {}, [0.6,0.7) {}, [0.7,0.8) {}, [0.8,0.9) {}, [0.9,1.0) {}, =1.0 {}",
        BASES,
        js.iter().copied().fold(f64::INFINITY, f64::min),
        js.iter().copied().fold(0.0, f64::max),
        bucket(0.0, 0.5),
        bucket(0.5, 0.6),
        bucket(0.6, 0.7),
        bucket(0.7, 0.8),
        bucket(0.8, 0.9),
        bucket(0.9, 1.0),
        bucket(1.0, f64::INFINITY),
    );

    for threshold in [0.5, 0.8, 0.9] {
        let config = Config {
            threshold,
            tier: neardup::Tier::Near,
            ..Config::default()
        };
        let analysis = analyze(&corpus, &config, &()).expect("analyze");
        let clusters = cluster(&corpus, &analysis, &config, &());

        // Verified pairs: every one at or above t, exactly, and within one family.
        let group = |d: u32| analysis.group_of[d as usize];
        for p in &analysis.pairs {
            let j = exact(p.a, p.b);
            assert!(
                j >= threshold,
                "t={threshold}: verified pair ({}, {}) has exact Jaccard {j}",
                corpus.docs[p.a as usize].id,
                corpus.docs[p.b as usize].id
            );
            let reported = p.exact.expect("verification is on").jaccard;
            assert!(
                (reported - j).abs() < 1e-12,
                "reported {reported}, exact {j}"
            );
            assert_eq!(family(&corpus, p.a), family(&corpus, p.b));
        }
        for (d, &g) in analysis.group_of.iter().enumerate() {
            if g != d as u32 {
                assert_eq!(family(&corpus, d as u32), family(&corpus, g));
                assert_eq!(exact(d as u32, g), 1.0);
            }
        }
        let verified: HashSet<(u32, u32)> = analysis.pairs.iter().map(|p| (p.a, p.b)).collect();
        let in_pairs = |a: u32, b: u32| {
            let (ga, gb) = (group(a), group(b));
            ga == gb || verified.contains(&(ga.min(gb), ga.max(gb)))
        };

        // Clusters: one family each, every member at or above t against its representative.
        let mut cluster_of = vec![usize::MAX; corpus.docs.len()];
        let mut min_similarity = f64::INFINITY;
        for (c, cl) in clusters.iter().enumerate() {
            let f = family(&corpus, cl.representative);
            for m in &cl.members {
                assert_eq!(
                    family(&corpus, m.doc),
                    f,
                    "t={threshold}: unrelated documents {} and {} share a cluster",
                    corpus.docs[m.doc as usize].id,
                    corpus.docs[cl.representative as usize].id
                );
                assert!(
                    m.similarity >= threshold,
                    "t={threshold}: member {} at similarity {}",
                    corpus.docs[m.doc as usize].id,
                    m.similarity
                );
                if m.doc != cl.representative {
                    let j = exact(m.doc, cl.representative);
                    assert!(j >= threshold, "t={threshold}: member at exact Jaccard {j}");
                    min_similarity = min_similarity.min(j);
                }
                cluster_of[m.doc as usize] = c;
            }
        }

        // Recall over planted pairs with exact Jaccard ≥ t + 0.05, and the band below.
        let (mut above, mut found_pairs, mut found_clusters) = (0usize, 0usize, 0usize);
        let (mut band, mut band_found, mut below) = (0usize, 0usize, 0usize);
        let mut missed = Vec::new();
        for (f, &(b, c)) in members.iter().enumerate() {
            let j = exact(b, c);
            assert!((j - js[f]).abs() < 1e-12, "family {f}: {j} vs {}", js[f]);
            let clustered = cluster_of[b as usize] != usize::MAX
                && cluster_of[b as usize] == cluster_of[c as usize];
            if j >= threshold + 0.05 {
                above += 1;
                found_pairs += usize::from(in_pairs(b, c));
                found_clusters += usize::from(clustered);
                if !clustered {
                    missed.push(format!("{f}@{j:.3}"));
                }
            } else if j >= threshold {
                band += 1;
                band_found += usize::from(clustered);
            } else {
                below += 1;
                assert!(!in_pairs(b, c), "t={threshold}: family {f} at {j} paired");
                assert!(!clustered, "t={threshold}: family {f} at {j} clustered");
            }
        }
        let pair_recall = found_pairs as f64 / above as f64;
        let cluster_recall = found_clusters as f64 / above as f64;
        eprintln!(
            "recall: t={threshold} lsh={}x{} candidates={} verified={} clusters={} | \
             planted ≥ t+0.05: {above}, in verified pairs {found_pairs} ({:.2}%), \
             clustered {found_clusters} ({:.2}%) | planted in [t, t+0.05): {band_found}/{band} \
             clustered | planted below t: {below}, none paired | lowest clustered Jaccard \
             {min_similarity:.3} | missed {missed:?}",
            analysis.lsh.bands,
            analysis.lsh.rows,
            analysis.candidates,
            analysis.pairs.len(),
            clusters.len(),
            100.0 * pair_recall,
            100.0 * cluster_recall,
        );
        assert!(
            above >= 200,
            "t={threshold}: only {above} planted pairs above t+0.05"
        );
        assert!(
            pair_recall >= 0.995,
            "t={threshold}: verified pairs hold {found_pairs}/{above} planted pairs"
        );
        assert!(
            cluster_recall >= 0.995,
            "t={threshold}: clusters hold {found_clusters}/{above} planted pairs"
        );
    }
    eprintln!("recall: done in {:.1?}", started.elapsed());
}
