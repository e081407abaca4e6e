//! In-process fingerprinting throughput: the library's public API on texts already in memory.
//!
//! ```text
//! cargo run --release --example fingerprint_throughput -- CORPUS.jsonl [OUT.json]
//! ```
//!
//! `bench/compare` times the Python peers inside their process on texts they have already
//! read; `neardup fingerprint` is timed as a whole process (start-up, reading and parsing
//! JSON, writing every signature as JSON). This measures neardup the way the peers are
//! measured, so the two can be compared like for like:
//!
//! 1. untimed: read every record of the corpus with neardup's own reader (so the texts are
//!    exactly what the CLI fingerprints) and keep the texts in memory;
//! 2. timed, **all cores**: fingerprint every text with [`Fingerprinter::fingerprint_with`]
//!    on rayon's pool, one [`FingerprintScratch`] per thread, as the CLI does;
//! 3. timed, **one thread**: the same in a plain loop, for a per-core figure.
//!
//! Both keep every signature (as the peers keep their digests), with the CLI's defaults
//! (`--normalize all --shingle word:5 --num-perm 128`). Prints one JSON object (and writes it
//! to OUT.json when given): `docs`, `threads`, `parallel_s`, `single_s` and the derived
//! `parallel_docs_per_s`, `single_docs_per_s`.

use std::time::Instant;

use neardup::pipeline::FingerprintScratch;
use neardup::{Config, Fingerprint, Fingerprinter, InputOptions, InputSpec};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (corpus, out) = match args.as_slice() {
        [corpus] => (corpus, None),
        [corpus, out] => (corpus, Some(out)),
        _ => {
            return Err("usage: fingerprint_throughput CORPUS.jsonl [OUT.json]".into());
        }
    };
    let options = InputOptions::default();
    let spec = InputSpec::detect(corpus, None)?;
    let mut texts = Vec::new();
    for item in spec.open(&options)? {
        texts.push(options.parse(item?)?.text);
    }
    let config = Config::default();
    let fingerprinter = Fingerprinter::new(&config)?;

    let t0 = Instant::now();
    let parallel: Vec<Fingerprint> = texts
        .par_iter()
        .map_init(FingerprintScratch::default, |scratch, text| {
            fingerprinter.fingerprint_with(text, scratch)
        })
        .collect();
    let parallel_s = t0.elapsed().as_secs_f64();

    let t0 = Instant::now();
    let mut scratch = FingerprintScratch::default();
    let single: Vec<Fingerprint> = texts
        .iter()
        .map(|text| fingerprinter.fingerprint_with(text, &mut scratch))
        .collect();
    let single_s = t0.elapsed().as_secs_f64();
    // The two runs must have done the same work.
    if parallel != single {
        return Err("parallel and single-threaded fingerprints differ".into());
    }

    let docs = texts.len();
    let result = serde_json::json!({
        "docs": docs,
        "threads": rayon::current_num_threads(),
        "parallel_s": parallel_s,
        "single_s": single_s,
        "parallel_docs_per_s": docs as f64 / parallel_s,
        "single_docs_per_s": docs as f64 / single_s,
    });
    println!("{result}");
    if let Some(out) = out {
        std::fs::write(out, format!("{result}\n"))?;
    }
    Ok(())
}
