//! End-to-end tests of the `neardup` binary: every subcommand run as a user would, on the
//! bundled fixtures and on small generated corpora, checking whole outputs, exit codes and
//! error messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_neardup");

/// Absolute path of a file or directory under `fixtures/`.
macro_rules! fixture {
    ($rel:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/", $rel)
    };
}

// ---------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------

/// What one run of the binary produced.
#[derive(Debug)]
struct Outcome {
    /// The command line, for assertion messages.
    args: String,
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// Asserts exit status 0 and returns self.
    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "`neardup {}` failed with {}; stderr:\n{}",
            self.args, self.code, self.stderr
        );
        self
    }

    /// Asserts exit status 2 (neardup's only failure code) and returns self.
    #[track_caller]
    fn fails(self) -> Self {
        assert_eq!(
            self.code, 2,
            "`neardup {}` should exit 2, got {}; stdout:\n{}\nstderr:\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr is exactly one line `neardup: error: …` and returns that line.
    #[track_caller]
    fn one_error_line(&self) -> &str {
        let err = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(
            !err.contains('\n') && err.starts_with("neardup: error: "),
            "`neardup {}`: stderr should be one line `neardup: error: …`, got:\n{}",
            self.args,
            self.stderr
        );
        err
    }

    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// Runs `neardup ARGS` with extra environment variables and optional standard input.
fn run_full(args: &[&str], envs: &[(&str, &str)], stdin: Option<&[u8]>) -> Outcome {
    // The tests of this file are about exact copies and near-duplicates: `cluster`, `pairs`
    // and `dedup` are pinned to `--tier near` unless the arguments pick a tier (the rewrite
    // tier has its own tests in `rewrite.rs`).
    let pinned: Vec<&str>;
    let args = if matches!(args.first(), Some(&("cluster" | "pairs" | "dedup")))
        && !args.contains(&"--tier")
    {
        pinned = [&args[..1], &["--tier", "near"], &args[1..]].concat();
        &pinned[..]
    } else {
        args
    };
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("cannot start neardup");
    // Feed stdin from a thread so a large output cannot deadlock against it.
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().expect("cannot wait for neardup");
    if let Some(f) = feeder {
        f.join().expect("stdin feeder panicked");
    }
    let args = args.join(" ");
    Outcome {
        code: out
            .status
            .code()
            .unwrap_or_else(|| panic!("`neardup {args}` was killed by a signal")),
        stdout: String::from_utf8(out.stdout)
            .unwrap_or_else(|e| panic!("`neardup {args}`: stdout is not UTF-8: {e}")),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args,
    }
}

/// Runs `neardup ARGS` and returns its exit code, stdout and stderr.
fn run(args: &[&str]) -> Outcome {
    run_full(args, &[], None)
}

/// A path as `&str` for an argument list (temporary directories are UTF-8 here).
fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn read_text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn gunzip(p: &Path) -> String {
    let file = std::fs::File::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{} is not gzip text: {e}", p.display()));
    text
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------
// Comparing and parsing outputs
// ---------------------------------------------------------------------------------------

/// Asserts two texts are equal; on mismatch prints them side by side, line by line, with
/// differing lines marked.
#[track_caller]
fn assert_same_text(what: &str, expected: &str, actual: &str) {
    if expected == actual {
        return;
    }
    let e: Vec<&str> = expected.split('\n').collect();
    let a: Vec<&str> = actual.split('\n').collect();
    let mut report = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x == y {
            report.push_str(&format!("  {:>4} | {}\n", i + 1, x.unwrap()));
        } else {
            let show = |l: Option<&&str>| l.map_or("<no line>".to_string(), |l| format!("{l:?}"));
            report.push_str(&format!("! {:>4} | expected: {}\n", i + 1, show(x)));
            report.push_str(&format!("! {:>4} | actual:   {}\n", i + 1, show(y)));
        }
    }
    panic!("{what}: output differs from the expected text (lines marked !):\n{report}");
}

/// A parsed CSV: header and rows keyed by column name.
struct Table {
    header: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

fn parse_csv(text: &str) -> Table {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("CSV header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.expect("CSV record");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    Table { header, rows }
}

impl Table {
    fn column(&self, name: &str) -> Vec<&str> {
        assert!(
            self.header.iter().any(|h| h == name),
            "no column {name}: {:?}",
            self.header
        );
        self.rows.iter().map(|r| r[name].as_str()).collect()
    }

    /// The row whose `key` column is `value`.
    #[track_caller]
    fn row(&self, key: &str, value: &str) -> &HashMap<String, String> {
        let found: Vec<_> = self.rows.iter().filter(|r| r[key] == value).collect();
        assert_eq!(found.len(), 1, "expected one row with {key}={value}");
        found[0]
    }
}

type Groups = BTreeSet<BTreeSet<String>>;

/// Sets of `doc` values sharing a `group` value (groups of two or more only).
fn groups_of(table: &Table, group: &str, doc: &str) -> Groups {
    let mut by: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for r in &table.rows {
        by.entry(r[group].as_str())
            .or_default()
            .insert(r[doc].clone());
    }
    by.into_values().filter(|g| g.len() > 1).collect()
}

/// The groups of a `cluster` CSV.
fn cluster_groups(csv: &str) -> Groups {
    groups_of(&parse_csv(csv), "cluster_id", "doc_id")
}

/// The groups of an `expected_clusters.csv` fixture.
fn expected_groups(path: &str) -> Groups {
    groups_of(
        &parse_csv(&read_text(Path::new(path))),
        "cluster_id",
        "doc_id",
    )
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn f64_of(field: &str) -> f64 {
    field
        .parse()
        .unwrap_or_else(|e| panic!("{field:?} is not a number: {e}"))
}

// ---------------------------------------------------------------------------------------
// Generated corpora
// ---------------------------------------------------------------------------------------

/// splitmix64: a small deterministic random stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `n` synthetic lowercase words (2–4 syllables, ~70 000 possible words).
fn words(rng: &mut Rng, n: usize) -> Vec<String> {
    const SYL: [&str; 16] = [
        "ka", "lo", "mi", "ten", "ra", "vu", "sel", "dor", "pi", "na", "zu", "bet", "gro", "fa",
        "lim", "qua",
    ];
    (0..n)
        .map(|_| {
            let len = 2 + rng.below(3);
            (0..len).map(|_| SYL[rng.below(SYL.len())]).collect()
        })
        .collect()
}

fn jsonl_line(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text }).to_string()
}

/// A JSONL corpus of `bases` documents of 100–150 words; every third has an exact copy
/// (upper-cased), every second a copy with one word replaced (J ≈ 0.9).
fn synthetic_corpus(bases: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut out = String::new();
    for i in 0..bases {
        let n = 100 + rng.below(51);
        let mut w = words(&mut rng, n);
        let text = w.join(" ");
        out += &jsonl_line(&format!("b{i}"), &text);
        out.push('\n');
        if i % 3 == 0 {
            out += &jsonl_line(&format!("b{i}-copy"), &text.to_uppercase());
            out.push('\n');
        }
        if i % 2 == 0 {
            let at = rng.below(n);
            w[at] = "edited".into();
            out += &jsonl_line(&format!("b{i}-edit"), &w.join(" "));
            out.push('\n');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// 1. cluster on fixtures/near
// ---------------------------------------------------------------------------------------

const NEAR_CLUSTERS: &str = "\
cluster_id,doc_id,representative_id,is_representative,similarity,containment,cluster_size,kind,copy_of,copy_similarity,copy_kind
1,seed000,seed000,true,1.0000,1.0000,3,near-duplicate,,,
1,seed000-noad,seed000,false,0.9284,0.9907,3,near-duplicate,seed000,0.9284,near-duplicate
1,seed000-trimmed,seed000,false,0.9015,1.0000,3,near-duplicate,seed000,0.9015,near-duplicate
2,seed002,seed002,true,1.0000,1.0000,3,exact,,,
2,seed002-boilerplate,seed002,false,0.8726,0.8861,3,near-duplicate,seed002,0.8726,near-duplicate
2,seed002-copy,seed002,false,1.0000,1.0000,3,exact,seed002,1.0000,exact
3,seed003,seed003,true,1.0000,1.0000,2,near-duplicate,,,
3,seed003-nofooter,seed003,false,0.9227,1.0000,2,near-duplicate,seed003,0.9227,near-duplicate
4,seed004,seed004,true,1.0000,1.0000,2,near-duplicate,,,
4,seed004-reworded,seed004,false,0.9255,0.9654,2,near-duplicate,seed004,0.9255,near-duplicate
";

#[test]
fn cluster_near_writes_exactly_the_expected_csv() {
    let out = run(&["cluster", fixture!("near")]).ok();
    assert_same_text("cluster fixtures/near", NEAR_CLUSTERS, &out.stdout);
    // The summary goes to stderr, never into the CSV.
    assert!(
        out.stderr.starts_with("neardup: 11 documents,"),
        "{}",
        out.stderr
    );
}

#[test]
fn cluster_near_groups_match_fixture_expected_clusters() {
    let out = run(&["cluster", "-q", fixture!("near")]).ok();
    assert_eq!(out.stderr, "", "-q prints nothing on stderr");
    let got = cluster_groups(&out.stdout);
    assert_eq!(got, expected_groups(fixture!("near/expected_clusters.csv")));
    assert_eq!(
        got,
        BTreeSet::from([
            set(&["seed000", "seed000-noad", "seed000-trimmed"]),
            set(&["seed002", "seed002-boilerplate", "seed002-copy"]),
            set(&["seed003", "seed003-nofooter"]),
            set(&["seed004", "seed004-reworded"]),
        ])
    );
    assert!(!out.stdout.contains("seed001"), "seed001 is a singleton");
}

#[test]
fn cluster_output_file_and_gz_file_hold_the_stdout_csv() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("clusters.csv");
    let gz = dir.path().join("clusters.csv.gz");
    let out = run(&["cluster", "-q", fixture!("near"), "-o", s(&plain)]).ok();
    assert_eq!(out.stdout, "", "with -o nothing goes to stdout");
    assert_same_text("cluster -o FILE", NEAR_CLUSTERS, &read_text(&plain));
    run(&["cluster", "-q", fixture!("near"), "-o", s(&gz)]).ok();
    assert_same_text("cluster -o FILE.gz", NEAR_CLUSTERS, &gunzip(&gz));
    let dash = run(&["cluster", "-q", fixture!("near"), "-o", "-"]).ok();
    assert_same_text("cluster -o -", NEAR_CLUSTERS, &dash.stdout);
    // No temporary files are left beside the outputs.
    assert_eq!(dir_entries(dir.path()), ["clusters.csv", "clusters.csv.gz"]);
}

// ---------------------------------------------------------------------------------------
// 2. cluster on fixtures/mini in three formats
// ---------------------------------------------------------------------------------------

const MINI_CLUSTERS: &str = "\
cluster_id,doc_id,representative_id,is_representative,similarity,containment,cluster_size,kind,copy_of,copy_similarity,copy_kind
1,seed000,seed000,true,1.0000,1.0000,3,near-duplicate,,,
1,seed000-noad,seed000,false,0.9284,0.9907,3,near-duplicate,seed000,0.9284,near-duplicate
1,seed000-trimmed,seed000,false,0.9015,1.0000,3,near-duplicate,seed000,0.9015,near-duplicate
2,seed001,seed001,true,1.0000,1.0000,2,exact,,,
2,seed001-resend,seed001,false,1.0000,1.0000,2,exact,seed001,1.0000,exact
3,seed002,seed002,true,1.0000,1.0000,3,exact,,,
3,seed002-boilerplate,seed002,false,0.8726,0.8861,3,near-duplicate,seed002,0.8726,near-duplicate
3,seed002-copy,seed002,false,1.0000,1.0000,3,exact,seed002,1.0000,exact
4,seed003,seed003,true,1.0000,1.0000,2,near-duplicate,,,
4,seed003-nofooter,seed003,false,0.9227,1.0000,2,near-duplicate,seed003,0.9227,near-duplicate
5,seed004,seed004,true,1.0000,1.0000,2,near-duplicate,,,
5,seed004-reworded,seed004,false,0.9255,0.9654,2,near-duplicate,seed004,0.9255,near-duplicate
";

#[test]
fn cluster_mini_jsonl_csv_and_gz_give_the_same_csv() {
    for input in [
        fixture!("mini/corpus.jsonl"),
        fixture!("mini/corpus.csv"),
        fixture!("mini/corpus.jsonl.gz"),
    ] {
        let out = run(&["cluster", "-q", input]).ok();
        assert_same_text(&format!("cluster {input}"), MINI_CLUSTERS, &out.stdout);
    }
}

#[test]
fn cluster_mini_groups_match_expected_and_exact_copies_say_exact() {
    let out = run(&["cluster", "-q", fixture!("mini/corpus.jsonl")]).ok();
    assert_eq!(
        cluster_groups(&out.stdout),
        expected_groups(fixture!("mini/expected_clusters.csv"))
    );
    let t = parse_csv(&out.stdout);
    for id in ["seed001", "seed001-resend", "seed002-copy"] {
        assert_eq!(t.row("doc_id", id)["kind"], "exact", "{id}");
    }
    // The representative of a cluster holding an exact copy of it says exact too.
    assert_eq!(t.row("doc_id", "seed002")["kind"], "exact");
    for id in [
        "seed000",
        "seed000-noad",
        "seed000-trimmed",
        "seed002-boilerplate",
        "seed003-nofooter",
        "seed004-reworded",
    ] {
        assert_eq!(t.row("doc_id", id)["kind"], "near-duplicate", "{id}");
    }
}

// ---------------------------------------------------------------------------------------
// 3. --all
// ---------------------------------------------------------------------------------------

const CLUSTER_HEADER: &str = "cluster_id,doc_id,representative_id,is_representative,similarity,\
                              containment,cluster_size,kind,copy_of,copy_similarity,copy_kind";

#[test]
fn cluster_all_appends_unique_singletons_and_keeps_cluster_ids() {
    let corpora = [fixture!("near"), fixture!("mini/corpus.jsonl")];
    for input in corpora {
        for t in ["0.8", "0.9", "0.95"] {
            let plain = run(&["cluster", "-q", "-t", t, input]).ok().stdout;
            let all = run(&["cluster", "-q", "--all", "-t", t, input]).ok().stdout;
            assert!(
                all.starts_with(&plain),
                "--all must only append rows ({input}, -t {t}):\n{plain}\n---\n{all}"
            );
            let clustered = parse_csv(&plain);
            let n_clusters: BTreeSet<&str> = clustered.column("cluster_id").into_iter().collect();
            let extra = parse_csv(&format!("{}\n{}", CLUSTER_HEADER, &all[plain.len()..]));
            // Singletons are numbered on from the last cluster, one row each.
            for (i, r) in extra.rows.iter().enumerate() {
                assert_eq!(r["cluster_id"], (n_clusters.len() + i + 1).to_string());
                assert_eq!(r["representative_id"], r["doc_id"]);
                assert_eq!(r["is_representative"], "true");
                assert_eq!(r["similarity"], "1.0000");
                assert_eq!(r["containment"], "1.0000");
                assert_eq!(r["cluster_size"], "1");
                assert_eq!(r["kind"], "unique");
            }
            // Every document appears exactly once.
            let mut ids: Vec<&str> = clustered.column("doc_id");
            ids.extend(extra.column("doc_id"));
            let n_docs = if input.ends_with("near") { 11 } else { 12 };
            assert_eq!(ids.len(), n_docs, "{input} -t {t}");
            assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), n_docs);
        }
    }
    // At the default threshold seed001 is the only singleton of fixtures/near.
    let all = run(&["cluster", "-q", "--all", fixture!("near")]).ok();
    assert_same_text(
        "cluster --all fixtures/near",
        &format!("{NEAR_CLUSTERS}5,seed001,seed001,true,1.0000,1.0000,1,unique,,,\n"),
        &all.stdout,
    );
}

// ---------------------------------------------------------------------------------------
// 4. Determinism
// ---------------------------------------------------------------------------------------

#[test]
fn outputs_are_byte_identical_across_thread_counts_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("synthetic.jsonl");
    std::fs::write(&corpus, synthetic_corpus(300, 42)).unwrap();
    let commands: [&[&str]; 5] = [
        &["cluster", "-q", "--all"],
        &[
            "cluster",
            "-q",
            "--linkage",
            "connected",
            "--keep",
            "longest",
        ],
        &["pairs", "-q"],
        &["fingerprint", "-q", "--num-perm", "32"],
        &["dedup", "-q"],
    ];
    for input in [s(&corpus), fixture!("near"), fixture!("mini/corpus.jsonl")] {
        for cmd in commands {
            if cmd[0] == "dedup" && input.ends_with("near") {
                continue; // txt dedup needs -o DIR; covered elsewhere
            }
            let mut args = cmd.to_vec();
            args.push(input);
            let one = run_full(&args, &[("RAYON_NUM_THREADS", "1")], None).ok();
            let two = run_full(&args, &[("RAYON_NUM_THREADS", "2")], None).ok();
            let again = run_full(&args, &[("RAYON_NUM_THREADS", "2")], None).ok();
            let default = run(&args).ok();
            let what = args.join(" ");
            assert!(!one.stdout.is_empty(), "{what}");
            assert_same_text(
                &format!("{what} (2 vs 1 threads)"),
                &one.stdout,
                &two.stdout,
            );
            assert_same_text(&format!("{what} (second run)"), &two.stdout, &again.stdout);
            assert_same_text(&format!("{what} (default)"), &one.stdout, &default.stdout);
        }
    }
    // The synthetic corpus does have clusters (so the comparison above means something).
    let out = run(&["cluster", "-q", s(&corpus)]).ok();
    assert!(parse_csv(&out.stdout).rows.len() > 200);
}

// ---------------------------------------------------------------------------------------
// 5. --keep and --linkage
// ---------------------------------------------------------------------------------------

/// Representative of each cluster, keyed by the cluster's smallest doc id.
fn representatives(csv: &str) -> BTreeMap<String, String> {
    let t = parse_csv(csv);
    let mut by_cluster: BTreeMap<&str, (BTreeSet<&str>, &str)> = BTreeMap::new();
    for r in &t.rows {
        let e = by_cluster
            .entry(r["cluster_id"].as_str())
            .or_insert((BTreeSet::new(), r["representative_id"].as_str()));
        assert_eq!(
            e.1, r["representative_id"],
            "one representative per cluster"
        );
        e.0.insert(r["doc_id"].as_str());
        if r["is_representative"] == "true" {
            assert_eq!(r["doc_id"], r["representative_id"]);
            assert_eq!(r["similarity"], "1.0000");
        }
    }
    by_cluster
        .into_values()
        .map(|(docs, rep)| {
            assert!(docs.contains(rep), "the representative is a member");
            (docs.first().unwrap().to_string(), rep.to_string())
        })
        .collect()
}

#[test]
fn keep_longest_and_shortest_change_the_representative() {
    let reps = |keep: &str| {
        let out = run(&["cluster", "-q", "--keep", keep, fixture!("near")]).ok();
        assert_eq!(
            cluster_groups(&out.stdout),
            expected_groups(fixture!("near/expected_clusters.csv")),
            "--keep {keep} changes representatives, not groups"
        );
        representatives(&out.stdout)
    };
    let expect = |pairs: [(&str, &str); 4]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        reps("first"),
        expect([
            ("seed000", "seed000"),
            ("seed002", "seed002"),
            ("seed003", "seed003"),
            ("seed004", "seed004"),
        ])
    );
    assert_eq!(
        reps("longest"),
        expect([
            ("seed000", "seed000"),
            ("seed002", "seed002-boilerplate"),
            ("seed003", "seed003"),
            ("seed004", "seed004"),
        ])
    );
    assert_eq!(
        reps("shortest"),
        expect([
            ("seed000", "seed000-trimmed"),
            ("seed002", "seed002"),
            ("seed003", "seed003-nofooter"),
            ("seed004", "seed004-reworded"),
        ])
    );
    // The similarity column is to the new representative.
    let out = run(&["cluster", "-q", "--keep", "longest", fixture!("near")]).ok();
    let t = parse_csv(&out.stdout);
    let r = t.row("doc_id", "seed002");
    assert_eq!(
        (r["similarity"].as_str(), r["kind"].as_str()),
        ("0.8726", "near-duplicate")
    );
    // And dedup keeps the representative.
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept");
    run(&[
        "dedup",
        "-q",
        "--keep",
        "longest",
        fixture!("near"),
        "-o",
        s(&kept),
    ])
    .ok();
    assert_eq!(
        dir_entries(&kept),
        [
            "seed000.txt",
            "seed001.txt",
            "seed002-boilerplate.txt",
            "seed003.txt",
            "seed004.txt"
        ]
    );
}

#[test]
fn linkage_connected_joins_what_representative_linkage_splits() {
    // With the shortest member as representative and t = 0.85, seed000-noad (J = 0.83 with
    // seed000-trimmed) is similar to seed000 but not to the representative.
    let base = ["cluster", "-q", "--keep", "shortest", "-t", "0.85"];
    let mut args = base.to_vec();
    args.push(fixture!("near"));
    let star = run(&args).ok();
    args.extend(["--linkage", "connected"]);
    let connected = run(&args).ok();

    let star_groups = cluster_groups(&star.stdout);
    assert!(star_groups.contains(&set(&["seed000", "seed000-trimmed"])));
    assert!(!star.stdout.contains("seed000-noad"), "{}", star.stdout);

    let t = parse_csv(&connected.stdout);
    assert_eq!(
        cluster_groups(&connected.stdout),
        expected_groups(fixture!("near/expected_clusters.csv"))
    );
    let noad = t.row("doc_id", "seed000-noad");
    assert_eq!(noad["representative_id"], "seed000-trimmed");
    assert!(f64_of(&noad["similarity"]) < 0.85, "{noad:?}");
    assert_eq!(noad["cluster_size"], "3");

    // At the default threshold both linkages agree on the fixtures.
    let default = run(&["cluster", "-q", fixture!("near")]).ok();
    let conn = run(&["cluster", "-q", "--linkage", "connected", fixture!("near")]).ok();
    assert_same_text("--linkage connected", &default.stdout, &conn.stdout);
}

// ---------------------------------------------------------------------------------------
// 6. Bad input
// ---------------------------------------------------------------------------------------

/// Each file of fixtures/bad, where its README says the problem is, and a word of the
/// expected message.
const BAD: [(&str, &str, &str); 6] = [
    (
        fixture!("bad/malformed.jsonl"),
        "malformed.jsonl:3:",
        "invalid JSON",
    ),
    (
        fixture!("bad/missing_text.jsonl"),
        "missing_text.jsonl:2:",
        "missing field \"text\"",
    ),
    (
        fixture!("bad/duplicate_id.jsonl"),
        "duplicate_id.jsonl:4:",
        "duplicate document id \"d1\"",
    ),
    (
        fixture!("bad/invalid_utf8.jsonl"),
        "invalid_utf8.jsonl:2:",
        "not valid UTF-8",
    ),
    (fixture!("bad/bad_row.csv"), "bad_row.csv:4:", "3 fields"),
    (
        fixture!("bad/missing_column.csv"),
        "missing_column.csv:1:",
        "no column \"text\"",
    ),
];

#[test]
fn bad_inputs_fail_with_one_line_naming_file_and_line_and_leave_no_output() {
    for (file, at, what) in BAD {
        for sub in ["cluster", "pairs", "dedup", "fingerprint"] {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("out.txt");
            let removed = dir.path().join("removed.csv");
            let mut args = vec![sub, file, "-o", s(&target)];
            if sub == "dedup" {
                args.extend(["--removed", s(&removed)]);
            }
            let out = run(&args).fails();
            let line = out.one_error_line();
            assert!(line.contains(at), "{sub} {file}: should name {at}: {line}");
            assert!(
                line.contains(what),
                "{sub} {file}: should say {what}: {line}"
            );
            assert_eq!(out.stdout, "", "{sub} {file}");
            assert_eq!(
                dir_entries(dir.path()),
                Vec::<String>::new(),
                "{sub} {file}: no output file (or temporary file) may be left"
            );
            // Without -o, nothing reaches stdout either (not even a header).
            let out = run(&[sub, file]).fails();
            out.one_error_line();
            assert_eq!(out.stdout, "", "{sub} {file}");
        }
    }
    // The duplicate-id message also says where the id was first seen.
    let out = run(&["cluster", fixture!("bad/duplicate_id.jsonl")]).fails();
    let line = out.one_error_line();
    let first = format!("(first seen at {})", fixture!("bad/duplicate_id.jsonl:1"));
    assert!(line.ends_with(&first), "{line}");
}

#[test]
fn duplicate_id_across_two_inputs_names_both_locations() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    std::fs::write(
        &a,
        "{\"id\":\"x1\",\"text\":\"alpha beta\"}\n{\"id\":\"shared\",\"text\":\"gamma\"}\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "{\"id\":\"y1\",\"text\":\"delta\"}\n\n{\"id\":\"shared\",\"text\":\"epsilon\"}\n",
    )
    .unwrap();
    let out_file = dir.path().join("out.csv");
    let out = run(&["cluster", s(&a), s(&b), "-o", s(&out_file)]).fails();
    let line = out.one_error_line();
    let second = format!("{}:3:", b.display());
    let first = format!("{}:2", a.display());
    assert!(line.contains(&second), "names the repeat {second}: {line}");
    assert!(line.contains(&first), "names the first {first}: {line}");
    assert!(line.contains("\"shared\""), "{line}");
    assert!(!out_file.exists());
}

// ---------------------------------------------------------------------------------------
// 7. --skip-invalid
// ---------------------------------------------------------------------------------------

#[test]
fn skip_invalid_reports_each_skipped_record_and_processes_the_rest() {
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            fixture!("bad/malformed.jsonl"),
            "malformed.jsonl:3:",
            &["p1", "p2", "p4"],
        ),
        (
            fixture!("bad/missing_text.jsonl"),
            "missing_text.jsonl:2:",
            &["m1", "m3"],
        ),
        (
            fixture!("bad/duplicate_id.jsonl"),
            "duplicate_id.jsonl:4:",
            &["d1", "d2", "d3", "d5"],
        ),
        (
            fixture!("bad/invalid_utf8.jsonl"),
            "invalid_utf8.jsonl:2:",
            &["u1", "u3"],
        ),
        (
            fixture!("bad/bad_row.csv"),
            "bad_row.csv:4:",
            &["c1", "c2", "c4"],
        ),
    ];
    for (file, at, valid) in cases {
        let out = run(&["cluster", "--all", "--skip-invalid", file]).ok();
        let lines = out.stderr_lines();
        let skipped: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with("neardup: skipped: "))
            .collect();
        assert_eq!(skipped.len(), 1, "{file}: {lines:?}");
        assert!(skipped[0].contains(at), "{file}: {lines:?}");
        assert!(
            lines.contains(&"neardup: skipped 1 invalid record(s)"),
            "{file}: {lines:?}"
        );
        assert!(!out.stderr.contains("error"), "{file}: {}", out.stderr);
        let t = parse_csv(&out.stdout);
        assert_eq!(t.column("doc_id"), valid, "{file}");
        assert!(t.column("kind").iter().all(|k| *k == "unique"));
    }
    // For a duplicate id the first record wins: dedup writes line 1, not line 4.
    let out = run(&[
        "dedup",
        "-q",
        "--skip-invalid",
        fixture!("bad/duplicate_id.jsonl"),
    ])
    .ok();
    let input = read_text(Path::new(fixture!("bad/duplicate_id.jsonl")));
    let lines: Vec<&str> = input.lines().collect();
    assert_same_text(
        "dedup --skip-invalid duplicate_id.jsonl",
        &format!("{}\n{}\n{}\n{}\n", lines[0], lines[1], lines[2], lines[4]),
        &out.stdout,
    );
}

#[test]
fn skip_invalid_counts_several_bad_records_even_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("several.jsonl");
    std::fs::write(
        &f,
        concat!(
            "{\"id\":\"ok1\",\"text\":\"one two three\"}\n",
            "{\"id\":\"bad1\",\"text\":\n",
            "{\"id\":\"ok2\",\"text\":\"four five six\"}\n",
            "[1,2,3]\n",
            "{\"id\":\"ok1\",\"text\":\"again\"}\n",
            "{\"id\":\"bad4\",\"text\":7}\n",
            "{\"id\":\"ok3\",\"text\":\"seven eight\"}\n",
        ),
    )
    .unwrap();
    let out = run(&["cluster", "-q", "--all", "--skip-invalid", s(&f)]).ok();
    let lines = out.stderr_lines();
    for n in [2, 4, 5, 6] {
        let at = format!("several.jsonl:{n}:");
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("neardup: skipped: ") && l.contains(&at))
                .count(),
            1,
            "one report for line {n}: {lines:?}"
        );
    }
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[4], "neardup: skipped 4 invalid record(s)");
    assert_eq!(
        parse_csv(&out.stdout).column("doc_id"),
        ["ok1", "ok2", "ok3"]
    );
}

#[test]
fn missing_csv_column_is_fatal_even_with_skip_invalid() {
    let out = run(&[
        "cluster",
        "--skip-invalid",
        fixture!("bad/missing_column.csv"),
    ])
    .fails();
    assert!(out.one_error_line().contains("missing_column.csv:1:"));
    assert_eq!(out.stdout, "");
}

// ---------------------------------------------------------------------------------------
// 8. Empty and very short documents
// ---------------------------------------------------------------------------------------

const SHORT_DOCS: &str = concat!(
    "{\"id\":\"e1\",\"text\":\"\"}\n",
    "{\"id\":\"e2\",\"text\":\"\"}\n",
    "{\"id\":\"e3\",\"text\":\"  ...  \"}\n",
    "{\"id\":\"e4\",\"text\":\"  ...  \"}\n",
    "{\"id\":\"e5\",\"text\":\"\\n\\t !? \"}\n",
    "{\"id\":\"s1\",\"text\":\"Hello\"}\n",
    "{\"id\":\"s2\",\"text\":\"Goodbye world\"}\n",
    "{\"id\":\"t1\",\"text\":\"Markets closed higher\"}\n",
    "{\"id\":\"s3\",\"text\":\"Rain expected tomorrow\"}\n",
    "{\"id\":\"s4\",\"text\":\"Markets closed lower\"}\n",
    "{\"id\":\"t2\",\"text\":\"Markets closed higher\"}\n",
    "{\"id\":\"s5\",\"text\":\"markets\"}\n",
    "{\"id\":\"s6\",\"text\":\"closed higher\"}\n",
);

#[test]
fn empty_documents_never_cluster_and_identical_short_ones_do() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("short.jsonl");
    std::fs::write(&f, SHORT_DOCS).unwrap();
    for t in ["0.8", "0.3", "0.05"] {
        let out = run(&["cluster", "-q", "--all", "-t", t, s(&f)]).ok();
        let table = parse_csv(&out.stdout);
        assert_eq!(
            cluster_groups(&out.stdout),
            BTreeSet::from([set(&["t1", "t2"])]),
            "-t {t}:\n{}",
            out.stdout
        );
        assert_eq!(table.row("doc_id", "t1")["kind"], "exact");
        assert_eq!(table.row("doc_id", "t2")["kind"], "exact");
        assert_eq!(table.row("doc_id", "t2")["representative_id"], "t1");
        for id in [
            "e1", "e2", "e3", "e4", "e5", "s1", "s2", "s3", "s4", "s5", "s6",
        ] {
            assert_eq!(table.row("doc_id", id)["kind"], "unique", "{id} at -t {t}");
        }
        let pairs = run(&["pairs", "-q", "-t", t, s(&f)]).ok();
        assert_same_text(
            &format!("pairs -t {t} on short documents"),
            "doc_a,doc_b,estimate,jaccard,containment,kind\nt1,t2,1.0000,1.0000,1.0000,exact\n",
            &pairs.stdout,
        );
    }
    // dedup drops only t2; empty documents are kept, each of them.
    let out = run(&["dedup", "-q", s(&f)]).ok();
    let expected: String = SHORT_DOCS
        .lines()
        .filter(|l| !l.contains("\"t2\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_same_text("dedup of short documents", &expected, &out.stdout);
}

// ---------------------------------------------------------------------------------------
// 9. dedup
// ---------------------------------------------------------------------------------------

const REMOVED_HEADER: &str = "doc_id,duplicate_of,similarity,containment,kind";

/// Lines of a JSONL test corpus with odd key orders, spacing, extra fields, an integer id,
/// escapes, a blank line and a CRLF line. Returns (input, expected dedup output).
fn odd_jsonl() -> (String, String) {
    let mut rng = Rng(7);
    let a = words(&mut rng, 120).join(" ");
    let mut b = words(&mut rng, 120);
    let b1 = b.join(" ");
    b[60] = "rewritten".into();
    let b2 = b.join(" ");
    let c = words(&mut rng, 40).join(" ");
    let d = words(&mut rng, 30).join(" ");
    let a_shout = a.to_uppercase().replace(' ', "  ");
    let lines = [
        format!(r#"{{"text": "{a}", "id": "a1", "meta": {{"x": [1, 2.50, null]}}}}"#),
        format!(r#"{{ "id" : "a2" ,  "text":"{a_shout}","source":"s" }}"#),
        format!(r#"{{"id":3,"text":"{b1}"}}"#),
        "   ".to_string(),
        format!(r#"{{"id":"b2","extra":null,"text":"{b2}"}}"#),
        format!(r#"{{"id":"c","text":"{c} caf\u00e9 \u4e2d\u6587 \"q\"","tags":["x","y"]}}"#),
        format!("{{\"id\":\"d\",\"text\":\"{d}\"}}\r"),
    ];
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let kept: String = [0, 2, 5, 6]
        .iter()
        .map(|&i| format!("{}\n", lines[i]))
        .collect();
    (input, kept)
}

#[test]
fn dedup_jsonl_writes_kept_lines_byte_for_byte_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("odd.jsonl");
    let (input, kept) = odd_jsonl();
    std::fs::write(&f, &input).unwrap();
    let removed = dir.path().join("removed.csv");
    let out = run(&["dedup", s(&f), "--removed", s(&removed)]).ok();
    assert_same_text("dedup odd.jsonl", &kept, &out.stdout);
    assert!(
        out.stderr
            .starts_with("neardup: 6 documents, 4 kept, 2 removed"),
        "{}",
        out.stderr
    );
    let t = parse_csv(&read_text(&removed));
    assert_eq!(t.header.join(","), REMOVED_HEADER);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(
        (
            t.rows[0]["doc_id"].as_str(),
            t.rows[0]["duplicate_of"].as_str(),
            t.rows[0]["similarity"].as_str(),
            t.rows[0]["containment"].as_str(),
            t.rows[0]["kind"].as_str()
        ),
        ("a2", "a1", "1.0000", "1.0000", "exact")
    );
    let r = &t.rows[1];
    assert_eq!(
        (
            r["doc_id"].as_str(),
            r["duplicate_of"].as_str(),
            r["kind"].as_str()
        ),
        ("b2", "3", "near-duplicate")
    );
    let sim = f64_of(&r["similarity"]);
    assert!((0.8..1.0).contains(&sim), "{r:?}");
}

#[test]
fn dedup_mini_jsonl_keeps_originals_and_lists_removed() {
    let dir = tempfile::tempdir().unwrap();
    let removed = dir.path().join("removed.csv");
    let out = run(&[
        "dedup",
        "-q",
        fixture!("mini/corpus.jsonl"),
        "--removed",
        s(&removed),
    ])
    .ok();
    let input = read_text(Path::new(fixture!("mini/corpus.jsonl")));
    let first_five: String = input.lines().take(5).map(|l| format!("{l}\n")).collect();
    assert!(first_five.contains("\"seed004\""));
    assert_same_text("dedup mini/corpus.jsonl", &first_five, &out.stdout);
    assert_same_text(
        "dedup --removed",
        "\
doc_id,duplicate_of,similarity,containment,kind
seed000-trimmed,seed000,0.9015,1.0000,near-duplicate
seed000-noad,seed000,0.9284,0.9907,near-duplicate
seed001-resend,seed001,1.0000,1.0000,exact
seed002-boilerplate,seed002,0.8726,0.8861,near-duplicate
seed002-copy,seed002,1.0000,1.0000,exact
seed003-nofooter,seed003,0.9227,1.0000,near-duplicate
seed004-reworded,seed004,0.9255,0.9654,near-duplicate
",
        &read_text(&removed),
    );
}

#[test]
fn dedup_csv_writes_header_and_kept_rows() {
    let out = run(&["dedup", "-q", fixture!("mini/corpus.csv")]).ok();
    assert!(
        out.stdout.starts_with("id,source,text\n"),
        "same header first"
    );
    let input = read_text(Path::new(fixture!("mini/corpus.csv")));
    let mut inp = csv::Reader::from_reader(input.as_bytes());
    let mut got = csv::Reader::from_reader(out.stdout.as_bytes());
    assert_eq!(inp.byte_headers().unwrap(), got.byte_headers().unwrap());
    let kept = ["seed000", "seed001", "seed002", "seed003", "seed004"];
    let want: Vec<csv::ByteRecord> = inp
        .byte_records()
        .map(Result::unwrap)
        .filter(|r| kept.contains(&std::str::from_utf8(&r[0]).unwrap()))
        .collect();
    let got: Vec<csv::ByteRecord> = got.byte_records().map(Result::unwrap).collect();
    assert_eq!(want.len(), 5);
    assert!(want == got, "kept CSV rows differ from the input rows");
    // --removed has the same header for CSV input.
    let dir = tempfile::tempdir().unwrap();
    let removed = dir.path().join("removed.csv");
    run(&[
        "dedup",
        "-q",
        fixture!("mini/corpus.csv"),
        "--removed",
        s(&removed),
    ])
    .ok();
    let t = parse_csv(&read_text(&removed));
    assert_eq!(t.header.join(","), REMOVED_HEADER);
    assert_eq!(t.rows.len(), 7);
}

#[test]
fn dedup_txt_directory_writes_kept_files_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept");
    let out = run(&["dedup", "-q", fixture!("near"), "-o", s(&kept)]).ok();
    assert_eq!(out.stdout, "");
    let names = dir_entries(&kept);
    assert_eq!(
        names,
        [
            "seed000.txt",
            "seed001.txt",
            "seed002.txt",
            "seed003.txt",
            "seed004.txt"
        ]
    );
    for name in &names {
        let original = std::fs::read(Path::new(fixture!("near")).join(name)).unwrap();
        assert!(
            std::fs::read(kept.join(name)).unwrap() == original,
            "{name} must be copied byte for byte"
        );
    }
    // Nothing but the output directory appears beside it.
    assert_eq!(dir_entries(dir.path()), ["kept"]);
    // An existing empty directory is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    run(&["dedup", "-q", fixture!("near"), "-o", s(&empty)]).ok();
    assert_eq!(dir_entries(&empty).len(), 5);
}

#[test]
fn dedup_txt_refuses_a_non_empty_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("keep-me.txt"), "precious").unwrap();
    let out = run(&["dedup", "-q", fixture!("near"), "-o", s(&busy)]).fails();
    let line = out.one_error_line();
    assert!(
        line.contains(s(&busy)) && line.contains("not empty"),
        "{line}"
    );
    assert_eq!(dir_entries(&busy), ["keep-me.txt"]);
    assert_eq!(read_text(&busy.join("keep-me.txt")), "precious");
    assert_eq!(
        dir_entries(dir.path()),
        ["busy"],
        "no temporary left behind"
    );
    // Without -o there is nowhere to write .txt files.
    let out = run(&["dedup", "-q", fixture!("near")]).fails();
    assert!(out.one_error_line().contains("-o DIR"), "{}", out.stderr);
}

#[test]
fn dedup_gz_outputs_are_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.jsonl.gz");
    let removed = dir.path().join("removed.csv.gz");
    let plain = run(&["dedup", "-q", fixture!("mini/corpus.jsonl.gz")]).ok();
    run(&[
        "dedup",
        "-q",
        fixture!("mini/corpus.jsonl"),
        "-o",
        s(&kept),
        "--removed",
        s(&removed),
    ])
    .ok();
    let bytes = std::fs::read(&kept).unwrap();
    assert_eq!(&bytes[..2], [0x1f, 0x8b], "gzip magic");
    assert_same_text("dedup -o kept.jsonl.gz", &plain.stdout, &gunzip(&kept));
    let removed = gunzip(&removed);
    assert!(removed.starts_with(REMOVED_HEADER), "{removed}");
    assert_eq!(removed.lines().count(), 8);
}

// ---------------------------------------------------------------------------------------
// 10. pairs
// ---------------------------------------------------------------------------------------

const PAIRS_HEADER: &str = "doc_a,doc_b,estimate,jaccard,containment,kind";

fn mini_ids() -> Vec<String> {
    read_text(Path::new(fixture!("mini/corpus.jsonl")))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn pairs_lists_exact_and_verified_pairs_at_or_above_the_threshold() {
    let ids = mini_ids();
    let pos = |id: &str| ids.iter().position(|x| x == id).unwrap();
    for t in ["0.8", "0.85", "0.9", "0.95"] {
        let out = run(&["pairs", "-q", "-t", t, fixture!("mini/corpus.jsonl")]).ok();
        let table = parse_csv(&out.stdout);
        assert_eq!(table.header.join(","), PAIRS_HEADER);
        let threshold = f64_of(t);
        let mut seen = BTreeSet::new();
        for r in &table.rows {
            let j = f64_of(&r["jaccard"]);
            assert!(j >= threshold, "-t {t}: pair below threshold: {r:?}");
            assert!(pos(&r["doc_a"]) < pos(&r["doc_b"]), "doc_a first: {r:?}");
            assert!(
                seen.insert((r["doc_a"].clone(), r["doc_b"].clone())),
                "{r:?}"
            );
            let c = f64_of(&r["containment"]);
            assert!((j..=1.0).contains(&c), "{r:?}");
            if r["kind"] == "exact" {
                assert_eq!(r["jaccard"], "1.0000");
            } else {
                assert_eq!(r["kind"], "near-duplicate");
            }
        }
        // The exact copies are there at every threshold.
        for (a, b) in [("seed001", "seed001-resend"), ("seed002", "seed002-copy")] {
            let r = table
                .rows
                .iter()
                .find(|r| r["doc_a"] == a && r["doc_b"] == b)
                .unwrap_or_else(|| panic!("-t {t}: no exact pair {a},{b}:\n{}", out.stdout));
            assert_eq!(
                (r["jaccard"].as_str(), r["kind"].as_str()),
                ("1.0000", "exact")
            );
        }
        // Every cluster member appears in a pair with its representative, with the same
        // similarity.
        let clusters = run(&["cluster", "-q", "-t", t, fixture!("mini/corpus.jsonl")]).ok();
        for m in parse_csv(&clusters.stdout).rows {
            if m["is_representative"] == "true" {
                continue;
            }
            let (rep, doc) = (m["representative_id"].as_str(), m["doc_id"].as_str());
            let r = table
                .rows
                .iter()
                .find(|r| {
                    (r["doc_a"] == rep && r["doc_b"] == doc)
                        || (r["doc_a"] == doc && r["doc_b"] == rep)
                })
                .unwrap_or_else(|| panic!("-t {t}: cluster pair {rep},{doc} not in pairs"));
            assert_eq!(r["jaccard"], m["similarity"], "{rep},{doc}");
            assert_eq!(r["kind"], m["kind"], "{rep},{doc}");
        }
    }
    // At 0.8, nine pairs: the two exact ones, each variant with its original, the two
    // seed000 variants with each other and the seed002 copy with the boilerplate version.
    let out = run(&["pairs", "-q", fixture!("mini/corpus.jsonl")]).ok();
    let got: BTreeSet<(String, String)> = parse_csv(&out.stdout)
        .rows
        .iter()
        .map(|r| (r["doc_a"].clone(), r["doc_b"].clone()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("seed000", "seed000-trimmed"),
        ("seed000", "seed000-noad"),
        ("seed000-trimmed", "seed000-noad"),
        ("seed001", "seed001-resend"),
        ("seed002", "seed002-boilerplate"),
        ("seed002", "seed002-copy"),
        ("seed002-boilerplate", "seed002-copy"),
        ("seed003", "seed003-nofooter"),
        ("seed004", "seed004-reworded"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn pairs_no_verify_leaves_jaccard_empty() {
    let out = run(&["pairs", "-q", "--no-verify", fixture!("mini/corpus.jsonl")]).ok();
    let table = parse_csv(&out.stdout);
    assert_eq!(table.header.join(","), PAIRS_HEADER);
    let near: Vec<_> = table
        .rows
        .iter()
        .filter(|r| r["kind"] == "near-duplicate")
        .collect();
    assert!(!near.is_empty(), "{}", out.stdout);
    for r in near {
        assert_eq!(
            r["jaccard"], "",
            "no exact Jaccard without verification: {r:?}"
        );
        assert!(
            f64_of(&r["estimate"]) >= 0.8,
            "accepted on the estimate: {r:?}"
        );
        f64_of(&r["containment"]);
    }
    // Exact copies are known identical without verification.
    for r in table.rows.iter().filter(|r| r["kind"] == "exact") {
        assert_eq!(r["estimate"], "1.0000", "{r:?}");
    }
    // Without verification, exactly the verified run's pairs whose estimate reaches the
    // threshold are reported, with the same estimates.
    let verified = parse_csv(
        &run(&["pairs", "-q", fixture!("mini/corpus.jsonl")])
            .ok()
            .stdout,
    );
    let key = |r: &HashMap<String, String>| {
        (
            r["doc_a"].clone(),
            r["doc_b"].clone(),
            r["estimate"].clone(),
        )
    };
    let got: BTreeSet<_> = table.rows.iter().map(key).collect();
    let want: BTreeSet<_> = verified
        .rows
        .iter()
        .filter(|r| f64_of(&r["estimate"]) >= 0.8)
        .map(key)
        .collect();
    assert_eq!(got, want);
}

// ---------------------------------------------------------------------------------------
// 11. fingerprint
// ---------------------------------------------------------------------------------------

#[test]
fn fingerprint_writes_one_json_object_per_document() {
    for k in [16usize, 128] {
        let k_arg = k.to_string();
        let args = [
            "fingerprint",
            "-q",
            "--num-perm",
            &k_arg,
            fixture!("mini/corpus.jsonl"),
        ];
        let out = run(&args).ok();
        assert_same_text(
            "fingerprint second run",
            &out.stdout,
            &run(&args).ok().stdout,
        );
        let recs: Vec<serde_json::Value> = out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, mini_ids(), "one line per document, in input order");
        for r in &recs {
            let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["id", "tokens", "shingles", "signature"])
            );
            let sig = r["signature"].as_array().expect("signature array");
            assert_eq!(sig.len(), k, "{}", r["id"]);
            assert!(sig
                .iter()
                .all(|v| v.as_u64().is_some_and(|x| x <= u32::MAX as u64)));
            let (tokens, shingles) = (
                r["tokens"].as_u64().unwrap(),
                r["shingles"].as_u64().unwrap(),
            );
            assert_eq!(shingles, tokens - 4, "word:5 shingles of {}", r["id"]);
        }
        let by_id = |id: &str| recs.iter().find(|r| r["id"] == id).unwrap().clone();
        // Copies identical after normalisation have identical fingerprints.
        for (a, b) in [("seed001", "seed001-resend"), ("seed002", "seed002-copy")] {
            let (mut x, mut y) = (by_id(a), by_id(b));
            x["id"] = serde_json::Value::Null;
            y["id"] = serde_json::Value::Null;
            assert_eq!(x, y, "{a} vs {b}");
        }
        assert_ne!(by_id("seed002")["signature"], by_id("seed003")["signature"]);
    }
    // Empty documents: zero tokens and a null signature.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("short.jsonl");
    std::fs::write(&f, SHORT_DOCS).unwrap();
    let out = run(&["fingerprint", "-q", "--num-perm", "8", s(&f)]).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(
        lines[0],
        r#"{"id":"e1","tokens":0,"shingles":0,"signature":null}"#
    );
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let empty = v["id"].as_str().unwrap().starts_with('e');
        assert_eq!(v["signature"].is_null(), empty, "{l}");
        assert_eq!(v["tokens"] == 0, empty, "{l}");
        if !empty {
            assert_eq!(v["signature"].as_array().unwrap().len(), 8, "{l}");
            assert_eq!(
                v["shingles"], 1,
                "a text shorter than a shingle is one shingle: {l}"
            );
        }
    }
    // Another --seed gives other signatures.
    let a = run(&["fingerprint", "-q", "--seed", "1", fixture!("near")]).ok();
    let b = run(&["fingerprint", "-q", "--seed", "2", fixture!("near")]).ok();
    assert_ne!(a.stdout, b.stdout);
}

// ---------------------------------------------------------------------------------------
// 12. stdin
// ---------------------------------------------------------------------------------------

#[test]
fn stdin_dash_reads_jsonl_like_the_file() {
    let corpus = std::fs::read(fixture!("mini/corpus.jsonl")).unwrap();
    let out = run_full(&["cluster", "-q", "-"], &[], Some(&corpus)).ok();
    assert_same_text("cluster - < corpus.jsonl", MINI_CLUSTERS, &out.stdout);
    let from_file = run(&["dedup", "-q", fixture!("mini/corpus.jsonl")]).ok();
    let from_stdin = run_full(&["dedup", "-q", "-"], &[], Some(&corpus)).ok();
    assert_same_text("dedup -", &from_file.stdout, &from_stdin.stdout);
    // Errors on stdin name `<stdin>` and the line.
    let bad = std::fs::read(fixture!("bad/malformed.jsonl")).unwrap();
    let out = run_full(&["cluster", "-"], &[], Some(&bad)).fails();
    assert!(
        out.one_error_line().contains(" <stdin>:3: "),
        "{}",
        out.stderr
    );
    // Standard input can be read only once.
    let out = run_full(&["cluster", "-", "-"], &[], Some(&corpus)).fails();
    assert!(out.one_error_line().contains("only once"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------
// 13. similarity
// ---------------------------------------------------------------------------------------

#[test]
fn similarity_prints_estimate_jaccard_and_containment() {
    let out = run(&[
        "similarity",
        fixture!("near/seed002.txt"),
        fixture!("near/seed002-boilerplate.txt"),
    ])
    .ok();
    // The MinHash estimate is whatever `pairs` reports for this pair (its exact value
    // depends on the hash functions); the rest is fixed by the fixtures.
    let estimate = pairs_estimate("seed002", "seed002-boilerplate");
    assert_same_text(
        "similarity seed002 seed002-boilerplate",
        &format!(
            "\
estimate (MinHash)   {estimate}
jaccard (exact)      0.8726
containment A in B   0.9829
containment B in A   0.8861
verdict              near-duplicate (threshold 0.8)
rewrite score V      0.8777 (weighted Jaccard 0.8777, key-entity agreement 1.0000)
rewrite evidence     number conflict 0.0000, shared wording (frames) 1.0000
rewrite verdict      rewrite (threshold 0.1310 at 233 features)
"
        ),
        &out.stdout,
    );
    assert!((f64_of(&estimate) - 0.8726).abs() < 0.1, "{estimate}");
    let out = run(&[
        "similarity",
        fixture!("near/seed001.txt"),
        fixture!("near/seed002.txt"),
    ])
    .ok();
    assert!(out
        .stdout
        .contains("\nverdict              different (threshold 0.8)\n"));
}

/// The estimate column of `pairs` on fixtures/mini for one pair.
fn pairs_estimate(a: &str, b: &str) -> String {
    let out = run(&["pairs", "-q", fixture!("mini/corpus.jsonl")]).ok();
    let t = parse_csv(&out.stdout);
    let r = t
        .rows
        .iter()
        .find(|r| r["doc_a"] == a && r["doc_b"] == b)
        .unwrap_or_else(|| panic!("no pair {a},{b}"));
    r["estimate"].clone()
}

#[test]
fn similarity_json_has_all_keys() {
    let (a, b) = (
        fixture!("near/seed002.txt"),
        fixture!("near/seed002-boilerplate.txt"),
    );
    let out = run(&["similarity", "--json", a, b]).ok();
    assert_eq!(out.stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "a",
            "b",
            "estimate",
            "jaccard",
            "containment_a_in_b",
            "containment_b_in_a",
            "identical",
            "threshold",
            "verdict",
            "rewrite"
        ])
    );
    assert_eq!((v["a"].as_str(), v["b"].as_str()), (Some(a), Some(b)));
    let num = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} is a number"));
    assert!((num("jaccard") - 0.8726).abs() < 5e-5);
    let estimate = f64_of(&pairs_estimate("seed002", "seed002-boilerplate"));
    assert!((num("estimate") - estimate).abs() < 5e-5);
    assert!((num("containment_a_in_b") - 0.9829).abs() < 5e-5);
    assert!((num("containment_b_in_a") - 0.8861).abs() < 5e-5);
    assert_eq!(num("threshold"), 0.8);
    assert_eq!(v["identical"], false);
    assert_eq!(v["verdict"], "near-duplicate");
}

#[test]
fn similarity_with_corpus_looks_up_ids() {
    let out = run(&[
        "similarity",
        "--json",
        "--corpus",
        fixture!("mini/corpus.jsonl"),
        "seed002",
        "seed002-copy",
    ])
    .ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["verdict"], "exact");
    assert_eq!(v["identical"], true);
    assert_eq!(v["jaccard"], 1.0);
    // Any corpus format works.
    let out = run(&[
        "similarity",
        "--corpus",
        fixture!("mini/corpus.csv"),
        "seed001",
        "seed001-resend",
    ])
    .ok();
    assert!(
        out.stdout.contains("verdict              exact"),
        "{}",
        out.stdout
    );
    // An unknown id is an error naming the id.
    for (a, b) in [("seed002", "no-such-doc"), ("no-such-doc", "seed002")] {
        let out = run(&[
            "similarity",
            "--corpus",
            fixture!("mini/corpus.jsonl"),
            a,
            b,
        ])
        .fails();
        assert!(
            out.one_error_line().contains("\"no-such-doc\""),
            "{}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
    // So is a missing file.
    let out = run(&[
        "similarity",
        fixture!("near/seed002.txt"),
        "/no/such/file.txt",
    ])
    .fails();
    assert!(
        out.one_error_line().contains("/no/such/file.txt"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------
// 14. Option validation and help
// ---------------------------------------------------------------------------------------

/// Invalid options and a word their message must contain.
const BAD_OPTIONS: [(&[&str], &str); 7] = [
    (&["--threshold", "0"], "threshold"),
    (&["--threshold", "1.5"], "threshold"),
    (&["--threshold=-0.1"], "threshold"),
    (&["--num-perm", "0"], "num-perm"),
    (&["--bands", "50", "--rows", "5"], "exceeds num-perm 128"),
    (&["--shingle", "word:0"], "word:0"),
    (&["--normalize", "foo"], "foo"),
];

#[test]
fn invalid_options_exit_2_with_a_clear_message() {
    for sub in ["cluster", "pairs", "dedup", "fingerprint", "similarity"] {
        for (opts, word) in BAD_OPTIONS {
            let mut args = vec![sub];
            args.extend_from_slice(opts);
            if sub == "similarity" {
                args.extend([fixture!("near/seed000.txt"), fixture!("near/seed001.txt")]);
            } else {
                args.push(fixture!("near"));
            }
            // fingerprint and similarity take no LSH or threshold flags (similarity takes
            // --threshold): those are refused as unknown, which is also a clear message.
            let takes = match sub {
                "fingerprint" => {
                    !matches!(opts[0], "--bands") && !opts[0].starts_with("--threshold")
                }
                "similarity" => opts[0] != "--bands",
                _ => true,
            };
            let word = if takes { word } else { "unexpected argument" };
            let out = run(&args).fails();
            assert_eq!(out.stdout, "", "{args:?}");
            let first = out.stderr.lines().next().unwrap_or_default();
            assert!(
                first.contains("error:") && first.contains(word),
                "{args:?}: the first line of stderr should say what is wrong ({word}):\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn subcommands_refuse_flags_that_would_do_nothing_there() {
    let pair = [fixture!("near/seed000.txt"), fixture!("near/seed001.txt")];
    for flag in [
        "--linkage=connected",
        "--keep=longest",
        "--tier=all",
        "--no-verify",
    ] {
        let out = run(&["similarity", flag, pair[0], pair[1]]).fails();
        assert!(
            out.one_error_line().contains("unexpected argument"),
            "{flag}: {}",
            out.stderr
        );
        let out = run(&["fingerprint", flag, fixture!("near")]).fails();
        assert!(
            out.one_error_line().contains("unexpected argument"),
            "{flag}: {}",
            out.stderr
        );
    }
    // What they do use is still taken.
    run(&[
        "similarity",
        "--threshold",
        "0.5",
        "--keep-boilerplate",
        pair[0],
        pair[1],
    ])
    .ok();
    run(&["fingerprint", "-q", "--shingle", "char:9", fixture!("near")]).ok();
    // The time flags act only with --corpus; alone they are refused, naming what is missing.
    for flag in [
        "--rewrite-window=2d",
        "--time-field=published",
        "--time-column=t",
    ] {
        let out = run(&["similarity", flag, pair[0], pair[1]]).fails();
        assert!(
            out.one_error_line()
                .contains("required arguments were not provided: --corpus <INPUT>"),
            "{flag}: {}",
            out.stderr
        );
    }
    let out = run(&["similarity"]).fails();
    assert!(
        out.one_error_line().contains("not provided: <A>, <B>"),
        "{}",
        out.stderr
    );
}

#[test]
fn invalid_options_all_give_one_neardup_error_line() {
    for (opts, word) in BAD_OPTIONS {
        let mut args = vec!["cluster"];
        args.extend_from_slice(opts);
        args.push(fixture!("near"));
        let out = run(&args).fails();
        assert!(out.one_error_line().contains(word), "{}", out.stderr);
    }
}

#[test]
fn help_of_each_subcommand_describes_its_output_and_options() {
    let cases: [(&str, &[&str]); 5] = [
        (
            "cluster",
            &[
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
                "unique",
                "--all",
                "--threshold",
                "--keep",
                "--linkage",
                "--skip-invalid",
                "--output",
            ],
        ),
        (
            "pairs",
            &[
                "doc_a",
                "doc_b",
                "estimate",
                "jaccard",
                "containment",
                "kind",
                "--no-verify",
                "--bands",
                "--rows",
            ],
        ),
        (
            "dedup",
            &[
                "--removed",
                "doc_id",
                "duplicate_of",
                "byte for byte",
                "--keep",
            ],
        ),
        (
            "fingerprint",
            &["signature", "tokens", "shingles", "--num-perm", "--seed"],
        ),
        (
            "similarity",
            &["--corpus", "--json", "Jaccard", "containment", "<A>", "<B>"],
        ),
    ];
    for (sub, words) in cases {
        let out = run(&[sub, "--help"]).ok();
        for w in words {
            assert!(out.stdout.contains(w), "{sub} --help should mention {w}");
        }
    }
    let out = run(&["--help"]).ok();
    for sub in ["cluster", "pairs", "dedup", "fingerprint", "similarity"] {
        assert!(out.stdout.contains(sub), "--help lists {sub}");
    }
    assert!(out.stdout.contains("Exit status"));
    // No subcommand is a usage error.
    run(&[]).fails();
}

// ---------------------------------------------------------------------------------------
// 15. Broken pipe
// ---------------------------------------------------------------------------------------

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.jsonl");
    // 1500 stories, each sent twice: 3000 rows of cluster output, well over a pipe buffer.
    let mut rng = Rng(99);
    let mut corpus = String::new();
    for i in 0..1500 {
        let text = words(&mut rng, 12).join(" ");
        corpus += &jsonl_line(&format!("story-{i:05}"), &text);
        corpus.push('\n');
        corpus += &jsonl_line(&format!("story-{i:05}-again"), &text);
        corpus.push('\n');
    }
    std::fs::write(&f, corpus).unwrap();
    let full = run(&["cluster", "-q", s(&f)]).ok();
    assert!(full.stdout.len() > 2 * 65_536, "{}", full.stdout.len());

    for sub in ["cluster", "fingerprint"] {
        let mut child = Command::new(BIN)
            .args([sub, s(&f)])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before anything is written
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{sub}: stderr:\n{stderr}");
        assert!(!stderr.contains("error"), "{sub}: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------
// 16. two passes (the default of cluster and pairs) against every text in memory
// ---------------------------------------------------------------------------------------

/// Runs `args` (a `cluster` or `pairs` command) with and without `--in-memory` and asserts
/// byte-identical stdout and stderr.
#[track_caller]
fn assert_two_pass_matches_in_memory(args: &[&str], stdin: Option<&[u8]>) -> Outcome {
    let two_pass = run_full(args, &[], stdin).ok();
    let in_memory_args = [args, &["--in-memory"]].concat();
    let in_memory = run_full(&in_memory_args, &[], stdin).ok();
    assert_same_text(&two_pass.args, &in_memory.stdout, &two_pass.stdout);
    // Notes (skipped records) must match line for line; the summary has a timing.
    let notes = |o: &Outcome| -> Vec<String> {
        o.stderr
            .lines()
            .filter(|l| !l.contains(" documents, "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(notes(&two_pass), notes(&in_memory), "{}", two_pass.args);
    two_pass
}

#[test]
fn two_pass_output_is_byte_identical_to_in_memory_on_the_fixtures() {
    for input in [
        fixture!("near"),
        fixture!("mini/corpus.jsonl"),
        fixture!("mini/corpus.csv"),
        fixture!("mini/corpus.jsonl.gz"),
    ] {
        for sub in ["cluster", "pairs"] {
            for extra in [
                &[][..],
                &["--keep", "longest"],
                &["--keep", "shortest", "--linkage", "connected"],
                &["--no-verify"],
                &["-t", "0.6"],
            ] {
                let args = [&[sub, "-q", input][..], extra].concat();
                assert_two_pass_matches_in_memory(&args, None);
            }
        }
        assert_two_pass_matches_in_memory(&["cluster", "-q", "--all", input], None);
    }
    // The expected CSV of fixtures/near is what the default (two-pass) path writes.
    let out = run(&["cluster", "-q", fixture!("near")]).ok();
    assert_same_text("cluster fixtures/near", NEAR_CLUSTERS, &out.stdout);
}

#[test]
fn two_pass_handles_several_inputs_and_stdin_among_them() {
    let dir = tempfile::tempdir().unwrap();
    // Over 2 048 records in all, so both passes cross several read batches.
    let corpus = synthetic_corpus(1800, 17);
    let lines: Vec<&str> = corpus.lines().collect();
    let (one, two) = lines.split_at(lines.len() / 3);
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl.gz"));
    std::fs::write(&a, one.join("\n") + "\n").unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&b).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all((two.join("\n") + "\n").as_bytes()).unwrap();
    gz.finish().unwrap();
    let whole = dir.path().join("whole.jsonl");
    std::fs::write(&whole, &corpus).unwrap();

    for sub in ["cluster", "pairs"] {
        let split = assert_two_pass_matches_in_memory(&[sub, "-q", s(&a), s(&b)], None);
        let single = run(&[sub, "-q", s(&whole)]).ok();
        assert_same_text("one file against two", &single.stdout, &split.stdout);
        assert!(
            split.stdout.lines().count() > 1000,
            "{}",
            split.stdout.len()
        );
        // Standard input between two files, and a directory of .txt files after it.
        let piped = assert_two_pass_matches_in_memory(
            &[sub, "-q", s(&a), "-", fixture!("near")],
            Some((two.join("\n") + "\n").as_bytes()),
        );
        let files = run(&[sub, "-q", s(&a), s(&b), fixture!("near")]).ok();
        assert_same_text("stdin against the file", &files.stdout, &piped.stdout);
    }
}

#[test]
fn two_pass_skips_the_same_invalid_records_and_names_stdin_in_errors() {
    // Broken lines and repeated ids scattered over several read batches: the second pass
    // must find each document's record although skipped records sit between them.
    let corpus = synthetic_corpus(1500, 23);
    let mut mixed = String::new();
    for (i, line) in corpus.lines().enumerate() {
        mixed += line;
        mixed.push('\n');
        if i % 401 == 7 {
            mixed += "{\"id\": \"broken\n";
        }
        if i % 613 == 11 {
            mixed += &jsonl_line("b0", "a repeated id with other words entirely");
            mixed.push('\n');
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mixed.jsonl");
    std::fs::write(&f, &mixed).unwrap();
    for sub in ["cluster", "pairs"] {
        let out = assert_two_pass_matches_in_memory(&[sub, "--skip-invalid", s(&f)], None);
        assert!(out.stderr.contains("skipped: "), "{}", out.stderr);
        let piped = assert_two_pass_matches_in_memory(
            &[sub, "--skip-invalid", "-"],
            Some(mixed.as_bytes()),
        );
        assert_same_text("stdin", &out.stdout, &piped.stdout);
        // Skipped records on stdin are reported as `<stdin>:LINE`, not as the spooled copy.
        let first = piped
            .stderr
            .lines()
            .find(|l| l.contains("skipped: "))
            .unwrap();
        assert!(first.starts_with("neardup: skipped: <stdin>:"), "{first}");
    }
    // Without --skip-invalid, the first broken line is the error, named as on stdin.
    let out = run_full(&["pairs", "-"], &[], Some(mixed.as_bytes())).fails();
    let line = out.one_error_line();
    assert!(
        line.starts_with("neardup: error: <stdin>:9: invalid JSON"),
        "{line}"
    );
}

#[test]
fn rewrite_tier_and_in_memory_still_work_and_agree() {
    for tier in ["all", "rewrite"] {
        let a = run(&["cluster", "-q", "--tier", tier, fixture!("near")]).ok();
        let b = run(&[
            "cluster",
            "-q",
            "--tier",
            tier,
            "--in-memory",
            fixture!("near"),
        ])
        .ok();
        assert_same_text(tier, &a.stdout, &b.stdout);
    }
}

/// `--title-field` reads a headline field as the text's first line: two outlets' records of
/// one body under other headlines are exact copies without it, near-duplicates with it;
/// a headline of the wrong type is a one-line error naming the record.
#[test]
fn title_field_reads_the_headline_as_the_first_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = "Hog prices advanced 2.00 dlrs at the opening on steady demand from packers, private sources said. Top seen at 52.00 dlrs per cwt with receipts estimated at 2,500 head, unchanged from a week ago, and slaughter steady at most plants in the region.\nPackers were seen active early as cash bids firmed in the western Corn Belt, where country movement slowed after rains. Futures were called steady to higher on the firmer cash tone, and dealers expected light runs through the end of the week as farmers turned to field work.";
    let corpus = dir.path().join("hogs.jsonl");
    let mut lines = String::new();
    for (id, title) in [
        ("a", "Peoria hogs open up 2.00 dlrs"),
        ("b", "Hogs seen higher at Peoria"),
    ] {
        lines += &serde_json::json!({"id": id, "headline": title, "text": body}).to_string();
        lines.push('\n');
    }
    std::fs::write(&corpus, lines).expect("write");
    let kinds = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["cluster", "-q", "--tier", "near", s(&corpus)];
        args.extend_from_slice(extra);
        let out = run(&args).ok();
        out.stdout
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(7).expect("kind").to_string())
            .collect()
    };
    assert_eq!(kinds(&[]), ["exact", "exact"]);
    assert_eq!(
        kinds(&["--title-field", "headline"]),
        ["near-duplicate", "near-duplicate"]
    );

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\":\"a\",\"headline\":[1],\"text\":\"x\"}\n").expect("write");
    let out = run(&["cluster", "-q", "--title-field", "headline", s(&bad)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("bad.jsonl:1: invalid type: sequence"),
        "{}",
        out.stderr
    );
}
