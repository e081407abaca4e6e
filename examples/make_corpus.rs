//! Benchmark corpus maker: N news-like documents of about 3 KB with planted near-duplicates.
//!
//! ```text
//! cargo run --release --example make_corpus -- SOURCE.jsonl N OUT.jsonl TRUTH.csv [SEED]
//! ```
//!
//! SOURCE is any JSONL with a `text` field (e.g. Reuters-21578 converted by
//! `scripts/reuters_to_jsonl.py`). Each base document concatenates random source bodies until
//! it reaches 2 300 bytes (about 3 KB on average with the JSON around it), with one word in eight replaced by another word of the source
//! vocabulary, so bases sharing a source body are still far apart (word 5-shingle Jaccard
//! around 0.05). One document in ten is instead a planted near-duplicate of an earlier base:
//! 0.5–4% of its words substituted, deleted or inserted, sometimes its last paragraph cut or a
//! boilerplate line added; the base is drawn from the 10 000 most recent bases. TRUTH lists `doc_id,cluster_id` for every document of a planted
//! cluster. The output depends only on the arguments.

use std::io::{BufRead, BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const BOILERPLATE: &[&str] = &[
    "Join our newsletter to access this content for free.",
    "See also: markets wrap, the week ahead.",
    "Source link",
    "Share this article on social media.",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        return Err("usage: make_corpus SOURCE.jsonl N OUT.jsonl TRUTH.csv [SEED]".into());
    }
    let n: usize = args[1].parse()?;
    let seed: u64 = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let mut rng = Rng(seed);
    let mut bodies: Vec<Vec<String>> = Vec::new();
    let source = std::io::BufReader::new(std::fs::File::open(&args[0])?);
    for (i, line) in source.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(&line?).map_err(|e| format!("{}:{}: {e}", args[0], i + 1))?;
        if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
            bodies.push(t.split_whitespace().map(str::to_owned).collect());
        }
    }
    if bodies.is_empty() {
        return Err("source has no text".into());
    }
    let vocab: Vec<&str> = bodies.iter().flatten().map(String::as_str).collect();
    let mut out = BufWriter::new(std::fs::File::create(&args[2])?);
    let mut truth = BufWriter::new(std::fs::File::create(&args[3])?);
    writeln!(truth, "doc_id,cluster_id")?;
    // Copies are made of recent bases only (syndication follows the story within days), which
    // also keeps memory flat at a million documents.
    const RECENT: usize = 10_000;
    let mut bases: std::collections::VecDeque<(usize, Vec<String>)> = Default::default();
    let mut planted_of: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for id in 0..n {
        let words: Vec<String> = if !bases.is_empty() && rng.chance(0.1) {
            let (base_id, base) = &bases[rng.below(bases.len())];
            let rate = 0.005 + 0.035 * (rng.below(1000) as f64 / 1000.0);
            let mut w = Vec::with_capacity(base.len() + 8);
            for word in base {
                if rng.chance(rate) {
                    match rng.below(3) {
                        0 => w.push(vocab[rng.below(vocab.len())].to_string()),
                        1 => {}
                        _ => {
                            w.push(word.clone());
                            w.push(vocab[rng.below(vocab.len())].to_string());
                        }
                    }
                } else {
                    w.push(word.clone());
                }
            }
            if rng.chance(0.2) {
                let cut = w.len() * 9 / 10;
                w.truncate(cut);
            }
            if rng.chance(0.3) {
                w.extend(
                    BOILERPLATE[rng.below(BOILERPLATE.len())]
                        .split(' ')
                        .map(str::to_owned),
                );
            }
            planted_of.entry(*base_id).or_default().push(id);
            w
        } else {
            let mut w: Vec<String> = Vec::new();
            let mut bytes = 0;
            while bytes < 2300 {
                for word in &bodies[rng.below(bodies.len())] {
                    let word = if rng.chance(0.125) {
                        vocab[rng.below(vocab.len())]
                    } else {
                        word.as_str()
                    };
                    bytes += word.len() + 1;
                    w.push(word.to_owned());
                }
            }
            if bases.len() == RECENT {
                bases.pop_front();
            }
            bases.push_back((id, w.clone()));
            w
        };
        let text = words.join(" ");
        let rec = serde_json::json!({ "id": format!("doc{id}"), "text": text });
        serde_json::to_writer(&mut out, &rec)?;
        out.write_all(b"\n")?;
    }
    for (base, copies) in planted_of {
        writeln!(truth, "doc{base},doc{base}")?;
        for c in copies {
            writeln!(truth, "doc{c},doc{base}")?;
        }
    }
    out.flush()?;
    truth.flush()?;
    Ok(())
}
