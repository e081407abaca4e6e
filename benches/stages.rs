//! One benchmark per hot stage, on deterministic generated news-like text.
//!
//! ```text
//! cargo bench --bench stages                 # everything (a few minutes)
//! cargo bench --bench stages -- fingerprint  # one stage
//! ```
//!
//! | group | what is timed | throughput |
//! |---|---|---|
//! | `shingle` | normalise + word-5 shingle hashing of ~3 KB articles | bytes/s, docs/s |
//! | `fingerprint` | normalise + shingle + MinHash k=128, scratch reused | docs/s, bytes/s |
//! | `lsh` | `lsh::candidate_pairs` over N signatures (18 bands × 7 rows) | signatures/s |
//! | `verify` | shingle-set construction; `Similarity::of` on two sets | docs/s; pairs/s |
//! | `pipeline` | `analyze` + `cluster` on 20 000 articles; also with `read_corpus` | docs/s |
//! | `rewrite` | rewrite profiles and sketches of 5 000 of those articles; `analyze` at `--tier near` and `--tier all` side by side | docs/s |
//!
//! `ascii` articles are pure ASCII (the normaliser's byte-level fast path); `unicode` ones
//! are the same articles with curly quotes, dashes and accented names (the NFKC path).
//! Every benchmark checks its result against a value computed before timing, so a stage
//! that broke cannot look fast. Single-threaded stages report per-core throughput; the
//! `pipeline` and `rewrite` groups use every core (rayon). The rewrite tier's cost on real
//! news (Reuters-21578) is measured by `scripts/bench_rewrite.sh`; generated word salad has
//! no real rewrites, so the `rewrite` group times the stages' cost, not their findings.

use std::cell::OnceCell;
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use neardup::config::Tier;
use neardup::error::Location;
use neardup::lsh::{candidate_pairs, LshParams};
use neardup::minhash::{jaccard, jaccard_estimate};
use neardup::pipeline::{
    analyze, cluster, read_corpus, rewrite_profiles, Corpus, Fingerprint, FingerprintScratch,
    OnInvalid,
};
use neardup::rewrite::sketch::WeightedMinHasher;
use neardup::shingle::Scratch;
use neardup::verify::Similarity;
use neardup::{Config, Document, Fingerprinter, InputOptions, InputSpec, Signature};

// ---------------------------------------------------------------------------------------
// Deterministic text generation
// ---------------------------------------------------------------------------------------

/// splitmix64.
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

    /// True with probability `1 / n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// English words in rough order of frequency in wire copy: function words first, then
/// common news vocabulary, then a long tail of longer content words. Drawn with Zipf
/// weights, they give running text with a mean word length of about 4.5–5 letters.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "of", "to", "and", "a", "in", "said", "for", "on", "that", "is", "was", "with", "at",
    "by", "it", "as", "from", "he", "be", "has", "have", "will", "an", "its", "are", "were",
    "not", "but", "his", "this", "after", "had", "which", "who", "they", "year", "been", "would",
    "more", "new", "their", "also", "one", "than", "up", "about", "two", "over", "percent",
    "government", "last", "first", "out", "people", "we", "or", "could", "when", "there", "into",
    "president", "million", "against", "state", "told", "officials", "minister", "week", "police",
    "other", "some", "market", "since", "company", "can", "three", "billion", "while", "all",
    "no", "under", "only", "country", "her", "our", "say", "may", "before", "between", "years",
    "during", "time", "second", "shares", "security", "because", "now", "what", "most", "talks",
    "military", "former", "bank", "prices", "she", "until", "including", "court", "group",
    "foreign", "city", "united", "national", "party", "election", "officers", "month",
    "reporters", "statement", "spokesman", "forces", "attack", "killed", "public", "power",
    "deal", "trade", "oil", "economy", "growth", "rate", "rates", "interest", "inflation",
    "central", "quarter", "profit", "sales", "investors", "analysts", "expected", "report",
    "according", "health", "hospital", "children", "school", "water", "energy", "climate",
    "summit", "leaders", "meeting", "agreement", "ceasefire", "border", "region", "capital",
    "north", "south", "east", "west", "early", "late", "day", "days", "night", "morning", "hours",
    "several", "many", "few", "high", "low", "record", "rise", "fell", "rose", "dropped",
    "gained", "increase", "cut", "plan", "plans", "law", "bill", "vote", "voters", "campaign",
    "opposition", "support", "help", "need", "called", "asked", "added", "noted", "confirmed",
    "denied", "announced", "reported", "warned", "continued", "remained", "described",
    "investigation", "prosecutors", "charged", "arrested", "suspects", "evidence", "trial",
    "judge", "sentence", "administration", "parliament", "parliamentary", "negotiations",
    "infrastructure", "spokeswoman", "international", "humanitarian", "organisation",
    "representatives", "development", "environmental", "manufacturing", "unemployment",
    "construction", "transportation", "telecommunications", "pharmaceutical", "authorities",
    "neighbouring", "independent", "significant", "particularly", "approximately", "subsequently",
    "immediately", "responsibility", "circumstances", "demonstrators", "constitutional",
    "correspondent", "reconstruction", "commissioner", "ambassador", "delegation", "legislation",
    "regulators", "competition", "shareholders", "acquisition", "bankruptcy", "volatility",
    "commodities", "currencies", "emergency", "evacuation", "earthquake", "hurricane", "flooding",
    "wildfires", "temperatures", "drought", "vaccination", "outbreak", "researchers",
    "university", "technology", "software", "semiconductor", "artificial", "intelligence",
    "cyberattack", "surveillance", "refugees", "migrants", "asylum", "sanctions", "exports",
    "imports", "tariffs", "shipping", "freight", "airline", "passengers", "railway", "motorway",
    "pipeline", "reactor", "battery", "vehicles", "electric", "renewable", "emissions", "coal",
    "gas", "wheat", "grain", "cocoa", "coffee", "sugar", "gold", "copper", "steel", "aluminium",
    "bonds", "stocks", "index", "dollar", "euro", "yen", "yuan", "rouble", "peso", "budget",
    "deficit", "debt", "taxes", "spending", "pensions", "wages", "workers", "union", "strike",
    "protest", "crowd", "march", "soldiers", "troops", "drone", "missile", "strikes", "village",
    "town", "province", "district", "island", "coast", "river", "mountain", "desert", "port",
    "airport", "stadium", "season", "match", "team", "coach", "players", "goal", "final",
    "championship", "tournament", "victory", "defeat", "injury", "contract", "transfer",
    "history",
];

/// Place names and people: capitalised, and in the Unicode variant, accented.
const NAMES: &[(&str, &str)] = &[
    ("Moscow", "Moscow"),
    ("Washington", "Washington"),
    ("Beijing", "Beijing"),
    ("Brussels", "Brussels"),
    ("Zurich", "Zürich"),
    ("Sao Paulo", "São Paulo"),
    ("Bogota", "Bogotá"),
    ("Gdansk", "Gdańsk"),
    ("Jose Martinez", "José Martínez"),
    ("Francois Dubois", "François Dubois"),
    ("Muller", "Müller"),
    ("Reuters", "Reuters"),
    ("Nairobi", "Nairobi"),
    ("Tokyo", "Tokyo"),
    ("Ankara", "Ankara"),
    ("Cote d'Ivoire", "Côte d’Ivoire"),
    ("Ursula", "Ursula"),
    ("Smith", "Smith"),
    ("Kyiv", "Kyiv"),
    ("Lagos", "Lagos"),
];

/// Cumulative Zipf (s = 1) weights over `WORDS`, offset so the head is not too steep.
fn zipf_table() -> Vec<f64> {
    let mut acc = 0.0;
    (0..WORDS.len())
        .map(|r| {
            acc += 1.0 / (r as f64 + 2.0);
            acc
        })
        .collect()
}

fn zipf_word(table: &[f64], rng: &mut Rng) -> &'static str {
    let total = table[table.len() - 1];
    let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
    WORDS[table.partition_point(|&c| c <= x).min(WORDS.len() - 1)]
}

/// A news-like article of at least `min_bytes` bytes: a dateline, paragraphs of 2–4
/// sentences of 8–30 words, capitals, commas, numbers, quotations and names. With
/// `unicode`, the same draws are rendered with curly quotes, an em dash and accented names.
fn article(seed: u64, min_bytes: usize, unicode: bool) -> String {
    let table = zipf_table();
    let mut rng = Rng(seed);
    let pick = |(ascii, uni): (&'static str, &'static str)| if unicode { uni } else { ascii };
    let (open, close, dash) = if unicode {
        ("“", "”", "—")
    } else {
        ("\"", "\"", "-")
    };
    let mut text = String::with_capacity(min_bytes + 400);
    let city = pick(NAMES[rng.below(NAMES.len())]);
    text.push_str(&city.to_uppercase());
    text.push_str(&format!(", March {} (Reuters) {dash} ", 1 + rng.below(28)));
    while text.len() < min_bytes {
        for _ in 0..2 + rng.below(3) {
            let quote = rng.one_in(5);
            if quote {
                text.push_str(open);
            }
            let words = 8 + rng.below(23);
            for i in 0..words {
                let word = if rng.one_in(14) {
                    pick(NAMES[rng.below(NAMES.len())]).to_string()
                } else if rng.one_in(30) {
                    match rng.below(3) {
                        0 => (2 + rng.below(2000)).to_string(),
                        1 => format!("{}.{}", rng.below(100), rng.below(10)),
                        _ => format!("{},{:03}", 1 + rng.below(99), rng.below(1000)),
                    }
                } else {
                    zipf_word(&table, &mut rng).to_string()
                };
                if i == 0 {
                    let mut chars = word.chars();
                    if let Some(c) = chars.next() {
                        text.extend(c.to_uppercase());
                        text.push_str(chars.as_str());
                    }
                } else {
                    text.push_str(&word);
                }
                if i + 1 < words {
                    text.push_str(if rng.one_in(12) { ", " } else { " " });
                }
            }
            if quote {
                text.push(',');
                text.push_str(close);
                text.push_str(" said ");
                text.push_str(pick(NAMES[rng.below(NAMES.len())]));
            }
            text.push_str(". ");
        }
        text.push_str("\n\n");
    }
    text.truncate(text.trim_end().len());
    text
}

/// `count` distinct ~3 KB articles.
fn articles(count: usize, unicode: bool) -> Vec<String> {
    (0..count as u64)
        .map(|i| article(0xA7_0000 + i, 3000, unicode))
        .collect()
}

/// `text` with about one word in `one_in` replaced by a word from the list.
fn edit(text: &str, one_in: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let table = zipf_table();
    let mut out = String::with_capacity(text.len() + 64);
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if rng.one_in(one_in) {
            out.push_str(zipf_word(&table, &mut rng));
        } else {
            out.push_str(word);
        }
    }
    out
}

const ARTICLES: usize = 512;

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

// ---------------------------------------------------------------------------------------
// (1) normalise + shingle
// ---------------------------------------------------------------------------------------

fn bench_shingle(c: &mut Criterion) {
    let shingler = Config::default().shingler();
    let mut group = c.benchmark_group("shingle");
    for (name, unicode) in [("ascii", false), ("unicode", true)] {
        let docs = articles(ARTICLES, unicode);
        assert!(docs.iter().all(|d| d.is_ascii() != unicode));
        let bytes: usize = docs.iter().map(String::len).sum();
        // Reference: shingle counts and a hash checksum, computed with fresh scratch.
        let reference: Vec<(usize, u64)> = docs
            .iter()
            .map(|d| {
                let (mut n, mut x) = (0usize, 0u64);
                shingler.for_each_shingle(d, &mut Scratch::default(), |h| {
                    n += 1;
                    x ^= h;
                });
                (n, x)
            })
            .collect();
        assert!(reference.iter().all(|&(n, _)| n > 300), "too few shingles");
        let mut scratch = Scratch::default();
        let mut run = || {
            for (d, &expected) in docs.iter().zip(&reference) {
                let (mut n, mut x) = (0usize, 0u64);
                shingler.for_each_shingle(black_box(d), &mut scratch, |h| {
                    n += 1;
                    x ^= h;
                });
                assert_eq!((n, x), expected);
            }
        };
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(BenchmarkId::new(name, "bytes"), |b| b.iter(&mut run));
        group.throughput(Throughput::Elements(docs.len() as u64));
        group.bench_function(BenchmarkId::new(name, "docs"), |b| b.iter(&mut run));
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------
// (2) fingerprint = normalise + shingle + MinHash (k = 128)
// ---------------------------------------------------------------------------------------

fn bench_fingerprint(c: &mut Criterion) {
    let config = Config::default();
    assert_eq!(config.num_perm, 128);
    let fp = Fingerprinter::new(&config).expect("default config");
    let mut group = c.benchmark_group("fingerprint");
    // typographic: the ASCII articles with curly quotes and an em dash, the common case of
    // real news copy (non-ASCII punctuation around ASCII words).
    let typographic: Vec<String> = articles(ARTICLES, false)
        .iter()
        .map(|d| d.replace('"', "\u{201d}").replace(" - ", " \u{2014} "))
        .collect();
    for (name, docs) in [
        ("ascii_3kb", articles(ARTICLES, false)),
        ("typographic_3kb", typographic),
        ("unicode_3kb", articles(ARTICLES, true)),
    ] {
        assert!(docs.iter().all(|d| d.is_ascii() == (name == "ascii_3kb")));
        let bytes: usize = docs.iter().map(String::len).sum();
        let words: usize = docs.iter().map(|d| d.split_whitespace().count()).sum();
        eprintln!(
            "fingerprint/{name}: {} articles, mean {} bytes, {:.1} bytes per word",
            docs.len(),
            bytes / docs.len(),
            bytes as f64 / words as f64
        );
        let reference: Vec<Fingerprint> = docs.iter().map(|d| fp.fingerprint(d)).collect();
        // Sanity of the reference itself: real signatures that tell articles apart.
        for (i, f) in reference.iter().enumerate() {
            let sig = f.signature.as_deref().expect("articles have tokens");
            assert_eq!(sig.len(), 128);
            assert!(f.shingles > 300 && f.tokens == f.shingles + 4);
            let next = reference[(i + 1) % reference.len()].signature.as_deref();
            assert!(jaccard_estimate(sig, next.expect("signature")) < 0.2);
        }
        let mut scratch = FingerprintScratch::default();
        let mut run = || {
            for (d, expected) in docs.iter().zip(&reference) {
                let f = fp.fingerprint_with(black_box(d), &mut scratch);
                assert!(f == *expected);
            }
        };
        group.throughput(Throughput::Elements(docs.len() as u64));
        group.bench_function(BenchmarkId::new(name, "docs"), |b| b.iter(&mut run));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(BenchmarkId::new(name, "bytes"), |b| b.iter(&mut run));
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------
// (3) LSH candidate generation
// ---------------------------------------------------------------------------------------

/// `n` signatures of random 500-element sets; every 50th is a near-copy (~90% Jaccard) of
/// its predecessor. Returns the signatures and the planted pairs.
fn signatures(n: usize, config: &Config) -> (Vec<Signature>, Pairs) {
    let minhasher = config.minhasher().expect("default config");
    let mut rng = Rng(0x15_4000 + n as u64);
    let mut sets: Vec<Vec<u64>> = Vec::with_capacity(n);
    let mut planted = Vec::new();
    for i in 0..n {
        let set: Vec<u64> = if i % 50 == 49 {
            planted.push((i as u32 - 1, i as u32));
            let prev = &sets[i - 1];
            prev.iter()
                .map(|&h| if rng.one_in(19) { rng.next() } else { h })
                .collect()
        } else {
            (0..500).map(|_| rng.next()).collect()
        };
        sets.push(set);
    }
    let sigs = sets
        .iter()
        .map(|s| minhasher.signature(s.iter().copied()).expect("non-empty"))
        .collect();
    (sigs, planted)
}

type Pairs = Vec<(u32, u32)>;

fn bench_lsh(c: &mut Criterion) {
    let config = Config::default();
    let params: LshParams = config.lsh_params().expect("default config");
    assert_eq!((params.bands, params.rows), (18, 7));
    let mut group = c.benchmark_group("lsh");
    group.sample_size(20);
    for n in [10_000usize, 100_000] {
        // Built on first use, so that a filtered-out benchmark costs nothing.
        let data: OnceCell<(Vec<Signature>, Pairs)> = OnceCell::new();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("candidate_pairs", n), |b| {
            let (sigs, expected) = data.get_or_init(|| {
                let (sigs, planted) = signatures(n, &config);
                let items: Vec<(u32, &[u32])> = sigs
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (i as u32, &s[..]))
                    .collect();
                let expected = candidate_pairs(&params, &items);
                let found = planted
                    .iter()
                    .filter(|p| expected.binary_search(p).is_ok())
                    .count();
                assert!(
                    found * 100 >= planted.len() * 99 && expected.len() <= planted.len() + n / 1000,
                    "n={n}: {found}/{} planted pairs among {} candidates",
                    planted.len(),
                    expected.len()
                );
                (sigs, expected)
            });
            let items: Vec<(u32, &[u32])> = sigs
                .iter()
                .enumerate()
                .map(|(i, s)| (i as u32, &s[..]))
                .collect();
            b.iter(|| {
                let pairs = candidate_pairs(&params, black_box(&items));
                assert!(pairs == *expected);
            })
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------
// (4) exact verification
// ---------------------------------------------------------------------------------------

fn bench_verify(c: &mut Criterion) {
    let shingler = Config::default().shingler();
    let docs = articles(ARTICLES, false);
    let copies: Vec<String> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| edit(d, 40, i as u64))
        .collect();
    let mut group = c.benchmark_group("verify");

    // Shingle-set construction (normalise, shingle, sort, dedup): verification's setup cost.
    let reference: Vec<Vec<u64>> = docs.iter().map(|d| shingler.shingle_set(d)).collect();
    let mut scratch = Scratch::default();
    let mut buf = Vec::new();
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.bench_function(BenchmarkId::new("shingle_set", "docs"), |b| {
        b.iter(|| {
            for (d, expected) in docs.iter().zip(&reference) {
                shingler.shingle_set_into(black_box(d), &mut scratch, &mut buf);
                assert!(buf == *expected);
            }
        })
    });

    // Exact Jaccard and containments of ~560-shingle sets, 512 pairs per iteration.
    let sets_b: Vec<Vec<u64>> = copies.iter().map(|d| shingler.shingle_set(d)).collect();
    let expected: Vec<Similarity> = reference
        .iter()
        .zip(&sets_b)
        .map(|(a, b)| Similarity::of(a, b))
        .collect();
    let mean = expected.iter().map(|s| s.jaccard).sum::<f64>() / expected.len() as f64;
    eprintln!(
        "verify: mean set size {}, mean Jaccard of the pairs {mean:.3}",
        reference.iter().map(Vec::len).sum::<usize>() / reference.len()
    );
    assert!(mean > 0.6 && mean < 0.95, "mean Jaccard {mean}");
    group.throughput(Throughput::Elements(expected.len() as u64));
    group.bench_function(BenchmarkId::new("similarity", "pairs"), |b| {
        b.iter(|| {
            for ((a, bb), want) in reference.iter().zip(&sets_b).zip(&expected) {
                let s = Similarity::of(black_box(a), black_box(bb));
                assert!(s == *want);
            }
        })
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------
// (5) end to end
// ---------------------------------------------------------------------------------------

const E2E_DOCS: usize = 20_000;

/// `E2E_DOCS` articles; every 20th is a copy of an earlier article: exact (same words,
/// different case and spacing), lightly edited (Jaccard around 0.9) or heavily edited
/// (around 0.15). Returns the texts and each copy's source and exact Jaccard with it.
fn e2e_corpus(config: &Config) -> (Vec<String>, Vec<(u32, u32, f64)>) {
    let shingler = config.shingler();
    let mut texts: Vec<String> = Vec::with_capacity(E2E_DOCS);
    let mut copies = Vec::new();
    for i in 0..E2E_DOCS {
        let text = if i % 20 == 19 {
            // Always an original: the copies sit at positions ≡ 19 (mod 20).
            let s = i - 1 - (i / 20) % 15;
            let source = &texts[s];
            let copy = match (i / 20) % 3 {
                0 => source.to_uppercase().replace(' ', "  "),
                1 => edit(source, 100, i as u64),
                _ => edit(source, 4, i as u64),
            };
            let j = jaccard(&shingler.shingle_set(source), &shingler.shingle_set(&copy));
            copies.push((s as u32, i as u32, j));
            copy
        } else {
            article(0xE2E_0000 + i as u64, 3000, i % 10 == 3)
        };
        texts.push(text);
    }
    (texts, copies)
}

fn corpus_of(texts: &[String], config: &Config) -> Corpus {
    let fp = Fingerprinter::new(config).expect("default config");
    let mut scratch = FingerprintScratch::default();
    Corpus {
        docs: texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: format!("d{i}"),
                text: t.clone(),
                location: Location::line("bench", i as u64 + 1),
                date: None,
                raw: None,
            })
            .collect(),
        fingerprints: texts
            .iter()
            .map(|t| fp.fingerprint_with(t, &mut scratch))
            .collect(),
        ..Corpus::default()
    }
}

/// The end-to-end corpus, fingerprinted, and the number of clusters it yields at t = 0.8
/// (checked against the planted copies).
struct E2e {
    corpus: Corpus,
    clusters: usize,
}

fn e2e(config: &Config) -> E2e {
    let (texts, copies) = e2e_corpus(config);
    let corpus = corpus_of(&texts, config);
    let analysis = analyze(&corpus, config, &()).expect("analyze");
    let clusters = cluster(&corpus, &analysis, config, &());
    let t = config.threshold;
    let must = copies.iter().filter(|c| c.2 >= t + 0.05).count();
    let may = copies.iter().filter(|c| c.2 >= t).count();
    eprintln!(
        "pipeline: {} docs, {} MB, {} candidates, {} verified pairs, {} clusters \
         ({must} copies at J ≥ t + 0.05, {may} at J ≥ t)",
        texts.len(),
        texts.iter().map(String::len).sum::<usize>() >> 20,
        analysis.candidates,
        analysis.pairs.len(),
        clusters.len(),
    );
    // Every cluster is one source with one of its copies at J ≥ t; every copy at
    // J ≥ t + 0.05 is in one.
    let planted: std::collections::HashMap<(u32, u32), f64> =
        copies.iter().map(|&(s, c, j)| ((s, c), j)).collect();
    for c in &clusters {
        let ids: Vec<u32> = c.members.iter().map(|m| m.doc).collect();
        assert!(
            ids.len() == 2 && planted.get(&(ids[0], ids[1])).is_some_and(|&j| j >= t),
            "unexpected cluster {ids:?}"
        );
    }
    assert!(must <= clusters.len() && clusters.len() <= may);
    E2e {
        clusters: clusters.len(),
        corpus,
    }
}

fn bench_pipeline(c: &mut Criterion) {
    let config = Config::default();
    let data: OnceCell<E2e> = OnceCell::new();
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(E2E_DOCS as u64));
    group.bench_function(BenchmarkId::new("analyze_cluster", E2E_DOCS), |b| {
        let E2e { corpus, clusters } = data.get_or_init(|| e2e(&config));
        b.iter(|| {
            let analysis = analyze(black_box(corpus), &config, &()).expect("analyze");
            let found = cluster(corpus, &analysis, &config, &());
            assert_eq!(found.len(), *clusters);
        })
    });

    // The whole run as the CLI does it: read JSONL, fingerprint, analyse, cluster.
    let file: OnceCell<tempfile::NamedTempFile> = OnceCell::new();
    let options = InputOptions::default();
    group.bench_function(BenchmarkId::new("read_analyze_cluster", E2E_DOCS), |b| {
        let E2e { corpus, clusters } = data.get_or_init(|| e2e(&config));
        let file = file.get_or_init(|| {
            let mut file = tempfile::Builder::new()
                .suffix(".jsonl")
                .tempfile()
                .expect("temp file");
            let mut out = std::io::BufWriter::new(file.as_file_mut());
            for d in &corpus.docs {
                let line = serde_json::json!({ "id": d.id, "text": d.text });
                writeln!(out, "{line}").expect("write");
            }
            out.flush().expect("write");
            drop(out);
            file
        });
        let inputs = [InputSpec::detect(file.path(), None).expect("detect")];
        b.iter(|| {
            let corpus =
                read_corpus(&inputs, &options, &config, OnInvalid::Fail, &()).expect("read");
            let analysis = analyze(&corpus, &config, &()).expect("analyze");
            let found = cluster(&corpus, &analysis, &config, &());
            assert_eq!(found.len(), *clusters);
        })
    });
    group.finish();
}

/// Articles in the `rewrite` group.
const REWRITE_DOCS: usize = 5_000;

fn bench_rewrite(c: &mut Criterion) {
    let near = Config::default();
    let all = Config {
        tier: Tier::All,
        ..Config::default()
    };
    let data: OnceCell<(Corpus, [usize; 2])> = OnceCell::new();
    // The first REWRITE_DOCS articles of the pipeline corpus and, computed before timing,
    // the number of pairs `--tier near` and `--tier all` report among them, which every
    // timed run must reproduce. Word salad from one vocabulary shares its heavy features
    // far more than news does, so its LSH buckets are large: fewer articles keep a run
    // short.
    let init = || {
        let mut corpus = e2e(&near).corpus;
        corpus.docs.truncate(REWRITE_DOCS);
        corpus.fingerprints.truncate(REWRITE_DOCS);
        let count = |config: &Config| {
            let analysis = analyze(&corpus, config, &()).expect("analyze");
            analysis.pairs.len() + analysis.rewrite.map_or(0, |r| r.pairs.len())
        };
        let pairs = [count(&near), count(&all)];
        eprintln!(
            "rewrite: {} near-duplicate and {} rewrite pairs among {REWRITE_DOCS} generated \
             articles",
            pairs[0],
            pairs[1] - pairs[0]
        );
        (corpus, pairs)
    };
    let mut group = c.benchmark_group("rewrite");
    group.sample_size(10);
    group.throughput(Throughput::Elements(REWRITE_DOCS as u64));
    group.bench_function(BenchmarkId::new("profiles", REWRITE_DOCS), |b| {
        let (corpus, _) = data.get_or_init(init);
        let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
        b.iter(|| {
            let profiles = rewrite_profiles(black_box(&texts), &all.rewrite);
            assert_eq!(profiles.len(), REWRITE_DOCS);
        })
    });
    group.bench_function(BenchmarkId::new("sketches", REWRITE_DOCS), |b| {
        let (corpus, _) = data.get_or_init(init);
        let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
        let profiles = rewrite_profiles(&texts, &all.rewrite);
        let tops: Vec<&[(u64, f64)]> = profiles.iter().map(|p| p.top.as_slice()).collect();
        let sketcher =
            WeightedMinHasher::new(all.rewrite.sketch_size, all.seed).expect("sketch size");
        b.iter(|| {
            let sketches = sketcher.sketch_all(black_box(&tops));
            assert!(sketches.iter().all(Option::is_some));
        })
    });
    for (i, (name, config)) in [("analyze_near", &near), ("analyze_all", &all)]
        .into_iter()
        .enumerate()
    {
        group.bench_function(BenchmarkId::new(name, REWRITE_DOCS), |b| {
            let (corpus, pairs) = data.get_or_init(init);
            b.iter(|| {
                let analysis = analyze(black_box(corpus), config, &()).expect("analyze");
                let rewrites = analysis.rewrite.as_ref().map_or(0, |r| r.pairs.len());
                assert_eq!(analysis.pairs.len() + rewrites, pairs[i]);
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = stages;
    config = config();
    targets = bench_shingle, bench_fingerprint, bench_lsh, bench_verify, bench_pipeline,
        bench_rewrite
}
criterion_main!(stages);
