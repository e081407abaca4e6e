//! Per-stage CPU breakdown of the rewrite tier on one corpus.
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo run --release --example rewrite_stages -- CORPUS.jsonl [RUNS]
//! ```
//!
//! Reads the corpus once, then RUNS times (default 3) times the public stages of
//! [`neardup::pipeline::rewrite_profiles_with_stats`] one by one (parse, repeated lines,
//! term counts, df, off-topic lines, second count and df, profiles) and the whole
//! `analyze` run at `--tier all` with its stage boundaries (near-duplicate tier, rewrite
//! features, sketches, candidates and verification). Prints the median milliseconds per
//! stage in CPU time (all threads), so figures hold on a loaded machine; one rayon thread
//! keeps scheduling overhead out.

use std::sync::Mutex;
use std::time::Instant;

use neardup::pipeline::{
    analyze, rewrite_build_profiles, rewrite_drop_off_topic, rewrite_drop_repeated, rewrite_forget,
    rewrite_stats, rewrite_units, Observer,
};

mod common;

/// CPU time of the whole process so far, in milliseconds: the sum of the on-CPU time of
/// every thread from `/proc/self/task/*/schedstat` (nanoseconds, Linux), so that stages
/// are measured in CPU time, not wall time, on a loaded machine. Falls back to wall time
/// where that file does not exist.
fn cpu_ms() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let wall = || START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return wall();
    };
    let mut ns = 0u64;
    for t in tasks.flatten() {
        let stat = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
        ns += stat
            .split_whitespace()
            .next()
            .and_then(|x| x.parse::<u64>().ok())
            .unwrap_or(0);
    }
    ns as f64 / 1e6
}

/// Records the CPU time at which each stage of `analyze` starts.
struct Clock(Mutex<Vec<(String, f64)>>);

impl Observer for Clock {
    fn stage(&self, name: &str) {
        if let Ok(mut v) = self.0.lock() {
            v.push((name.to_string(), cpu_ms()));
        }
    }
}

/// Adds `ms` to the named row, keeping the row order of first appearance.
fn record(rows: &mut Vec<(String, Vec<f64>)>, name: &str, ms: f64) {
    match rows.iter_mut().find(|r| r.0 == name) {
        Some(r) => r.1.push(ms),
        None => rows.push((name.to_string(), vec![ms])),
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or_else(|| anyhow::anyhow!("usage: rewrite_stages CORPUS.jsonl [RUNS]"))?;
    let runs: usize = args.get(2).map_or(Ok(3), |r| r.parse())?;
    let (config, corpus) = common::read_all_tiers(path)?;
    let texts: Vec<&str> = corpus.docs.iter().map(|d| d.text.as_str()).collect();
    let params = &config.rewrite;
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    for _ in 0..runs {
        let mut t = cpu_ms();
        let mut lap = |rows: &mut Vec<(String, Vec<f64>)>, name: &str| {
            let now = cpu_ms();
            record(rows, name, now - t);
            t = now;
        };
        let mut docs = rewrite_units(&texts);
        lap(&mut rows, "features: parse + tokens");
        rewrite_drop_repeated(&mut docs, params);
        lap(&mut rows, "features: repeated lines");
        let mut stats = rewrite_stats(&docs, params);
        lap(&mut rows, "features: term counts + df");
        let off_topic = rewrite_drop_off_topic(&mut docs, &stats, params);
        lap(&mut rows, "features: off-topic lines");
        if off_topic.iter().any(|o| o.units > 0) {
            rewrite_forget(&mut stats, &off_topic);
        }
        lap(&mut rows, "features: df without off-topic lines");
        let profiles = rewrite_build_profiles(docs, &stats, params);
        lap(&mut rows, "features: profiles");
        drop(profiles);
        lap(&mut rows, "features: free");

        let clock = Clock(Mutex::new(Vec::new()));
        let start = cpu_ms();
        let analysis = analyze(&corpus, &config, &clock)?;
        let end = cpu_ms();
        let marks = clock.0.into_inner().unwrap_or_default();
        let mut prev = ("analyze: start".to_string(), start);
        for (name, at) in marks.into_iter().chain([("end".to_string(), end)]) {
            record(&mut rows, &format!("analyze: {}", prev.0), at - prev.1);
            prev = (name, at);
        }
        let rw = analysis
            .rewrite
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no rewrite analysis"))?;
        record(&mut rows, "(LSH candidates)", rw.candidates as f64);
        record(&mut rows, "(verified rewrite pairs)", rw.pairs.len() as f64);
    }
    for (name, mut v) in rows {
        v.sort_by(f64::total_cmp);
        println!("{:>10.1}  {name}", v[v.len() / 2]);
    }
    Ok(())
}
