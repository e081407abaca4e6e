//! The persistent index and `filter`, end to end through the real binary: verdicts, `--emit
//! new`, the writer lock, time windows and compaction, incompatible parameters, same-source
//! matches, and what survives `kill -9` and damaged files.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_neardup");

/// A run's exit code, stdout and stderr.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn neardup(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn neardup");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(data.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer thread");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn ok(args: &[&str], stdin: &str) -> Run {
    let r = neardup(args, stdin);
    assert_eq!(r.code, 0, "neardup {args:?} failed:\n{}", r.stderr);
    r
}

#[track_caller]
fn fails(args: &[&str], stdin: &str) -> String {
    let r = neardup(args, stdin);
    assert_eq!(
        r.code, 2,
        "neardup {args:?} should fail:\n{}\n{}",
        r.stdout, r.stderr
    );
    let err = r.stderr.trim_end();
    assert!(
        err.lines()
            .last()
            .unwrap_or("")
            .starts_with("neardup: error: "),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err.to_string()
}

/// A small deterministic generator (64-bit LCG), enough for test data and kill points.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A distinct article of `words` random words.
fn article(rng: &mut Lcg, words: usize) -> String {
    (0..words)
        .map(|_| format!("w{}", rng.below(5000)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn line(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "text": text}).to_string() + "\n"
}

fn verdicts(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("verdict line is JSON"))
        .collect()
}

/// `index stats --json` of `index`, parsed.
fn stats_json(index: &str) -> serde_json::Value {
    let r = ok(&["index", "stats", "--index", index, "--json"], "");
    serde_json::from_str(&r.stdout).unwrap()
}

fn idx(dir: &Path) -> String {
    dir.join("idx").to_string_lossy().into_owned()
}

#[test]
fn filter_reports_new_exact_and_near_duplicates_including_within_the_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let mut rng = Lcg(1);
    let a = article(&mut rng, 200);
    let b = article(&mut rng, 200);
    let near = format!("{a} plus a short tail");
    let input = line("a", &a)
        + &line("b", &b)
        + &line("a-copy", &a.to_uppercase())
        + &line("a-near", &near);
    let r = ok(&["filter", "--index", &index], &input);
    let v = verdicts(&r.stdout);
    assert_eq!(v.len(), 4);
    assert_eq!(
        v[0],
        serde_json::json!({"id":"a","verdict":"new","match":null,"score":null})
    );
    assert_eq!(v[1]["verdict"], "new");
    assert_eq!(
        v[2],
        serde_json::json!({"id":"a-copy","verdict":"exact","match":"a","score":1.0})
    );
    assert_eq!(v[3]["verdict"], "near-duplicate");
    assert_eq!(v[3]["match"], "a");
    assert!(v[3]["score"].as_f64().unwrap() >= 0.8);
    // A second run sees what the first added; read-only adds nothing.
    let r = ok(
        &["filter", "--index", &index, "--read-only"],
        &line("b2", &b),
    );
    assert_eq!(verdicts(&r.stdout)[0]["match"], "b");
    let c = article(&mut rng, 50);
    ok(
        &["filter", "--index", &index, "--read-only"],
        &line("c", &c),
    );
    let r = ok(
        &["filter", "--index", &index, "--read-only"],
        &line("c", &c),
    );
    assert_eq!(verdicts(&r.stdout)[0]["verdict"], "new");
    let stats = stats_json(&index);
    assert_eq!(stats["docs"], 2);
    assert_eq!(stats["params"]["bands"], 18);
}

#[test]
fn emit_new_passes_records_through_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let rejects = tmp.path().join("rejects.jsonl");
    let mut rng = Lcg(2);
    let a = article(&mut rng, 100);
    let b = article(&mut rng, 100);
    // Odd spacing, key order, escapes and extra fields must survive untouched.
    let first =
        format!("{{ \"text\" : \"{a}\",\"id\":\"a\",  \"extra\":[1, 2.50, \"\\u00e9\"] }}\n");
    let second = format!("{{\"id\":\"a2\",\"text\":\"{a}\"}}\n");
    let third = format!("{{\"id\":\"b\",\"text\":\"{b}\",\"n\":1e3}}\n");
    let input = format!("{first}{second}{third}");
    let r = ok(
        &[
            "filter",
            "--index",
            &index,
            "--emit",
            "new",
            "--rejects",
            rejects.to_str().unwrap(),
        ],
        &input,
    );
    assert_eq!(r.stdout, format!("{first}{third}"));
    let rej = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        rej,
        "{\"id\":\"a2\",\"verdict\":\"exact\",\"match\":\"a\",\"score\":1.0}\n"
    );
}

#[test]
fn build_then_filter_and_incompatible_parameters_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/near");
    ok(
        &[
            "index",
            "build",
            corpus,
            "--index",
            &index,
            "--threshold",
            "0.85",
        ],
        "",
    );
    let stats = ok(&["index", "stats", "--index", &index], "").stdout;
    assert!(
        stats.contains("documents    5 (5 live, 0 expired)"),
        "{stats}"
    );
    assert!(stats.contains("threshold    0.85"), "{stats}");
    let err = fails(&["filter", "--index", &index, "--threshold", "0.8"], "");
    assert!(
        err.contains("was built with --threshold 0.85, not 0.8"),
        "{err}"
    );
    let err = fails(&["filter", "--index", &index, "--shingle", "char:5"], "");
    assert!(err.contains("--shingle word:5, not char:5"), "{err}");
    let err = fails(
        &[
            "filter",
            "--index",
            &index,
            "--read-only",
            "--num-perm",
            "64",
        ],
        "",
    );
    assert!(err.contains("--num-perm 128, not 64"), "{err}");
    let text = std::fs::read_to_string(format!("{corpus}/seed001.txt")).unwrap();
    let r = ok(
        &["filter", "--index", &index, "--threshold", "0.85"],
        &line("x", &text),
    );
    assert_eq!(verdicts(&r.stdout)[0]["match"], "seed001");
    let missing = tmp.path().join("nothing").to_string_lossy().into_owned();
    let err = fails(&["filter", "--index", &missing, "--read-only"], "");
    assert!(err.contains("no index here"), "{err}");
}

#[test]
fn a_second_writer_is_refused_while_readers_run_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let mut rng = Lcg(3);
    let a = article(&mut rng, 60);
    let mut writer = spawn_filter(&index);
    let mut stdin = writer.stdin.take().unwrap();
    let mut out = BufReader::new(writer.stdout.take().unwrap());
    stdin.write_all(line("a", &a).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("\"new\""), "{first}");
    let err = fails(&["filter", "--index", &index], "");
    assert!(
        err.contains(&format!("is locked by pid {}", writer.id())),
        "{err}"
    );
    let err = fails(&["index", "compact", "--index", &index], "");
    assert!(err.contains("is locked by pid"), "{err}");
    let r = ok(
        &["filter", "--index", &index, "--read-only"],
        &line("a2", &a),
    );
    assert_eq!(verdicts(&r.stdout)[0]["match"], "a");
    drop(stdin);
    assert!(writer.wait().unwrap().success());
    ok(&["filter", "--index", &index], "");
}

fn spawn_filter(index: &str) -> Child {
    Command::new(BIN)
        .args(["filter", "--index", index, "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn filter")
}

/// Kills a writing filter at random points, 60 times, and checks after every kill that each
/// article whose verdict was printed is in the index (a read-only filter calls it an exact
/// copy of itself), and that the index still takes writes.
#[test]
fn kill_9_at_random_points_loses_no_acknowledged_article() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let mut rng = Lcg(4);
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let mut next_id = 0;
    for kill in 0..60 {
        let mut child = spawn_filter(&index);
        let mut stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let sent: Vec<(String, String)> = (0..1 + rng.below(200))
            .map(|_| {
                next_id += 1;
                let words = 20 + rng.below(40) as usize;
                (format!("k{next_id}"), article(&mut rng, words))
            })
            .collect();
        let want = rng.below(sent.len() as u64 + 1) as usize;
        let feeder = {
            let records: String = sent.iter().map(|(id, t)| line(id, t)).collect();
            let split = rng.below(records.len() as u64) as usize;
            std::thread::spawn(move || {
                // Two writes, the second possibly cut mid-record by the kill.
                let _ = stdin.write_all(&records.as_bytes()[..split]);
                let _ = stdin.flush();
                let _ = stdin.write_all(&records.as_bytes()[split..]);
                let _ = stdin.flush();
                stdin
            })
        };
        let mut reader = BufReader::new(stdout);
        let mut got = Vec::new();
        let mut l = String::new();
        while got.len() < want {
            l.clear();
            if reader.read_line(&mut l).unwrap_or(0) == 0 {
                break;
            }
            got.push(l.clone());
        }
        if kill % 3 == 0 {
            std::thread::sleep(std::time::Duration::from_micros(rng.below(3000)));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let _ = feeder.join();
        // Whatever else the pipe held was also printed, hence acknowledged.
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut reader, &mut rest);
        got.extend(rest.lines().map(|s| format!("{s}\n")));
        for v in got
            .iter()
            .map(|l| serde_json::from_str::<serde_json::Value>(l))
        {
            let v = v.expect("a printed verdict is a whole JSON line");
            assert_eq!(v["verdict"], "new", "{v}");
            let id = v["id"].as_str().unwrap();
            let (_, text) = sent.iter().find(|(i, _)| i == id).unwrap();
            acknowledged.push((id.to_string(), text.clone()));
        }
        let check: String = acknowledged.iter().map(|(id, t)| line(id, t)).collect();
        let r = ok(
            &["filter", "--index", &index, "--read-only", "--quiet"],
            &check,
        );
        for (v, (id, _)) in verdicts(&r.stdout).iter().zip(&acknowledged) {
            assert_eq!(v["verdict"], "exact", "kill {kill}: {id} lost: {v}");
            assert_eq!(v["match"], id.as_str(), "kill {kill}");
        }
    }
    assert!(acknowledged.len() > 50, "{}", acknowledged.len());
    // The writer recovers every torn tail and the index stays consistent.
    let stats = stats_json(&index);
    assert!(stats["docs"].as_u64().unwrap() >= acknowledged.len() as u64);
}

/// An index of 20 articles; returns them.
fn small_index(index: &str) -> Vec<(String, String)> {
    let mut rng = Lcg(5);
    let docs: Vec<(String, String)> = (0..20)
        .map(|i| (format!("d{i}"), article(&mut rng, 80)))
        .collect();
    let input: String = docs.iter().map(|(id, t)| line(id, t)).collect();
    ok(&["filter", "--index", index, "--quiet"], &input);
    docs
}

#[test]
fn truncated_logs_lose_only_the_torn_tail_and_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let docs = small_index(&index);
    let log = Path::new(&index).join("log.0");
    let full = std::fs::read(&log).unwrap();
    // Record boundaries: 8-byte magic, then `u32 length | u32 crc | payload` records.
    let mut boundaries = vec![8usize];
    while *boundaries.last().unwrap() < full.len() {
        let at = *boundaries.last().unwrap();
        let len = u32::from_le_bytes(full[at..at + 4].try_into().unwrap()) as usize;
        boundaries.push(at + 8 + len);
    }
    assert_eq!(boundaries.len(), docs.len() + 1);
    let mut rng = Lcg(6);
    for round in 0..12 {
        let cut = if round == 0 {
            boundaries[5]
        } else {
            9 + rng.below(full.len() as u64 - 9) as usize
        };
        std::fs::write(&log, &full[..cut]).unwrap();
        let r = ok(&["index", "stats", "--index", &index, "--json"], "");
        let stats: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let kept = stats["docs"].as_u64().unwrap() as usize;
        assert_eq!(kept, boundaries.iter().filter(|&&b| b <= cut).count() - 1);
        let torn = !boundaries.contains(&cut);
        assert_eq!(
            r.stderr.contains("unfinished write at offset"),
            torn,
            "{}",
            r.stderr
        );
        // The kept prefix is intact: a read-only check finds exactly those.
        let check: String = docs.iter().map(|(id, t)| line(id, t)).collect();
        let r = ok(
            &["filter", "--index", &index, "--read-only", "--quiet"],
            &check,
        );
        let v = verdicts(&r.stdout);
        for (i, v) in v.iter().enumerate() {
            let want = if i < kept { "exact" } else { "new" };
            assert_eq!(v["verdict"], want, "cut {cut}, doc {i}");
        }
    }
    // A writer cuts the torn tail off and appends after it.
    let r = ok(
        &["filter", "--index", &index],
        &line("z", "a fresh article of several words here"),
    );
    assert!(
        r.stderr.contains("cut off an unfinished write"),
        "{}",
        r.stderr
    );
    let r = ok(&["index", "stats", "--index", &index], "");
    assert!(!r.stderr.contains("unfinished"), "{}", r.stderr);
    // A log cut inside its header is not an index log at all.
    std::fs::write(&log, &full[..4]).unwrap();
    let err = fails(&["index", "stats", "--index", &index], "");
    assert!(
        err.contains("log.0: not a neardup record log (bad header) at offset 0"),
        "{err}"
    );
}

#[test]
fn flipped_bytes_are_reported_with_the_way_to_recover() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let docs = small_index(&index);
    let dir = Path::new(&index);
    let log = dir.join("log.0");
    let original = std::fs::read(&log).unwrap();
    let original_sets = std::fs::read(dir.join("sets.0")).unwrap();
    let mut rng = Lcg(7);
    // A flip anywhere before the last record is damage, never silently accepted.
    let last_record_start = original.len() - 800;
    for _ in 0..20 {
        let mut bytes = original.clone();
        let at = 8 + rng.below((last_record_start - 8) as u64) as usize;
        bytes[at] ^= 1 << rng.below(8);
        std::fs::write(&log, &bytes).unwrap();
        let err = fails(&["filter", "--index", &index], "");
        assert!(err.contains("log.0:") && err.contains("at offset"), "{err}");
        assert!(err.contains("compact --drop-damaged"), "{err}");
    }
    // Recovery keeps the articles before the damage.
    let r = ok(
        &["index", "compact", "--index", &index, "--drop-damaged"],
        "",
    );
    assert!(r.stderr.contains("kept"), "{}", r.stderr);
    let stats = stats_json(&index);
    assert!(stats["docs"].as_u64().unwrap() < docs.len() as u64);
    assert_eq!(stats["params"]["generation"], 1);
    assert!(!dir.join("log.0").exists());

    // A damaged shingle set is caught when a candidate is verified.
    std::fs::write(&log, &original).unwrap();
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    meta["generation"] = 0.into();
    std::fs::write(dir.join("index.json"), meta.to_string()).unwrap();
    let sets = dir.join("sets.0");
    let mut bytes = original_sets.clone();
    let n = bytes.len();
    for b in &mut bytes[8..n] {
        *b ^= 0x55;
    }
    std::fs::write(&sets, &bytes).unwrap();
    let (id, text) = &docs[3];
    let near = format!("{text} with a new ending");
    let err = fails(
        &["filter", "--index", &index, "--read-only"],
        &line("q", &near),
    );
    assert!(
        err.contains("sets.0: shingle set checksum mismatch at offset"),
        "{err}"
    );
    assert!(err.contains("compact --drop-damaged"), "{err}");
    // An exact copy needs no set and is still answered.
    let r = ok(
        &["filter", "--index", &index, "--read-only"],
        &line("q", text),
    );
    assert_eq!(verdicts(&r.stdout)[0]["match"], id.as_str());

    std::fs::write(dir.join("index.json"), "{\"format\": 1, \"shin").unwrap();
    let err = fails(&["index", "stats", "--index", &index], "");
    assert!(
        err.contains("index.json: not a valid parameter file"),
        "{err}"
    );
}

#[test]
fn window_expires_old_articles_and_compact_reclaims_them() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let mut rng = Lcg(8);
    let a = article(&mut rng, 80);
    let b = article(&mut rng, 80);
    let rec = |id: &str, text: &str, t: &str| {
        serde_json::json!({"id": id, "text": text, "published": t}).to_string() + "\n"
    };
    let args = [
        "filter",
        "--index",
        &index,
        "--time-field",
        "published",
        "--window",
        "72h",
    ];
    let input = rec("a", &a, "2024-03-01T00:00:00Z")
        + &rec("a-2d", &a, "2024-03-03T00:00:00+00:00")
        + &rec("b", &b, "1709596800") // 2024-03-05T00:00:00Z
        + &rec("a-late", &a, "2024-03-05T00:00:01Z");
    let v = verdicts(&ok(&args, &input).stdout);
    let got: Vec<&str> = v.iter().map(|v| v["verdict"].as_str().unwrap()).collect();
    // a-late is more than 72h after a, which has expired: new again.
    assert_eq!(got, ["new", "exact", "new", "new"]);
    let stats = ok(&["index", "stats", "--index", &index], "").stdout;
    assert!(
        stats.contains("documents    3 (2 live, 1 expired)"),
        "{stats}"
    );
    assert!(
        stats.contains("oldest       2024-03-01T00:00:00Z"),
        "{stats}"
    );
    assert!(
        stats.contains("newest       2024-03-05T00:00:01Z"),
        "{stats}"
    );
    assert!(
        stats.contains("window       3d on field \"published\""),
        "{stats}"
    );
    ok(&["index", "compact", "--index", &index], "");
    let stats = ok(&["index", "stats", "--index", &index], "").stdout;
    assert!(
        stats.contains("documents    2 (2 live, 0 expired)"),
        "{stats}"
    );
    // The window is the index's; a different one is refused, none means the index's.
    let err = fails(
        &[
            "filter",
            "--index",
            &index,
            "--time-field",
            "published",
            "--window",
            "1d",
        ],
        "",
    );
    assert!(err.contains("--window 3d, not 1d"), "{err}");
    // Missing and bad timestamps name the line; --skip-invalid steps over them.
    let bad = rec("c", "some text", "2024-03-05T00:00:00Z")
        + &line("d", "no time at all")
        + &rec("e", "more text", "yesterday");
    let err = fails(&["filter", "--index", &index, "--read-only"], &bad);
    assert!(
        err.contains("<stdin>:2: missing field \"published\""),
        "{err}"
    );
    let r = ok(
        &["filter", "--index", &index, "--read-only", "--skip-invalid"],
        &bad,
    );
    assert_eq!(verdicts(&r.stdout).len(), 1);
    assert!(
        r.stderr
            .contains("<stdin>:3: field \"published\": timestamp \"yesterday\""),
        "{}",
        r.stderr
    );
}

#[test]
fn same_source_matches_are_ignored_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let mut rng = Lcg(9);
    let a = article(&mut rng, 80);
    let rec = |id: &str, site: &str| {
        serde_json::json!({"id": id, "text": a, "site": site}).to_string() + "\n"
    };
    let input = rec("a", "x.com") + &rec("a-update", "x.com") + &rec("a-syndicated", "y.com");
    let v = verdicts(
        &ok(
            &["filter", "--index", &index, "--ignore-same-source", "site"],
            &input,
        )
        .stdout,
    );
    let got: Vec<(&str, &str)> = v
        .iter()
        .map(|v| {
            (
                v["verdict"].as_str().unwrap(),
                v["match"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(got, [("new", "-"), ("new", "-"), ("exact", "a")]);
    // Without the flag the same outlet's copy is a duplicate.
    let v = verdicts(
        &ok(
            &["filter", "--index", &index, "--read-only"],
            &rec("again", "x.com"),
        )
        .stdout,
    );
    assert_eq!(v[0]["match"], "a");
}

/// The texts of a fixture folder as JSONL lines, in file-name order, ids the file stems.
fn fixture_lines(folder: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(folder);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy();
            line(&id[..id.len().min(3)], &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

fn kinds(stdout: &str) -> Vec<String> {
    verdicts(stdout)
        .iter()
        .map(|v| v["verdict"].as_str().unwrap().to_string())
        .collect()
}

/// An index made with `--tier all` finds the seed rewrites of one story one run after
/// another, keeps articles on the same subjects apart, survives compaction and a torn
/// write, and is not opened as a near-duplicate index.
#[test]
fn an_index_with_the_rewrite_tier_finds_rewrites_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let seeds = fixture_lines("seeds");
    // A near-duplicate index sees five unrelated articles.
    let near = idx(&tmp.path().join("near"));
    let r = ok(&["filter", "--index", &near, "--quiet"], &seeds.concat());
    assert_eq!(kinds(&r.stdout), ["new"; 5]);

    let r = ok(
        &["filter", "--index", &index, "--tier", "all", "--quiet"],
        &seeds[..3].concat(),
    );
    // The seeds share almost no wording: a rewrite verdict needs another stored version
    // close to both (corroboration), which the second does not have yet.
    assert_eq!(kinds(&r.stdout), ["new", "new", "rewrite"]);
    // Another run: the index remembers them.
    let r = ok(&["filter", "--index", &index], &seeds[3..].concat());
    let v = verdicts(&r.stdout);
    assert_eq!(kinds(&r.stdout), ["rewrite", "rewrite"], "{}", r.stdout);
    for x in &v {
        assert!(["000", "001", "002", "003"].contains(&x["match"].as_str().unwrap()));
        assert!(x["score"].as_f64().unwrap() > 0.1, "{x}");
    }
    assert!(r.stderr.contains("2 rewrite"), "{}", r.stderr);
    // Nineteen articles on the same subjects, other stories: all new.
    let others = [fixture_lines("same-topic"), fixture_lines("same-story")].concat();
    let others: Vec<String> = others
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["id"] = format!("other{i}").into();
            v.to_string() + "\n"
        })
        .collect();
    let r = ok(&["filter", "--index", &index, "--quiet"], &others.concat());
    assert_eq!(kinds(&r.stdout), vec!["new"; others.len()], "{}", r.stdout);
    let stats = stats_json(&index);
    assert_eq!(stats["params"]["rewrite"], true, "{stats}");
    assert_eq!(stats["params"]["format"], 4, "{stats}");
    let err = fails(&["filter", "--index", &index, "--tier", "near"], "");
    assert!(err.contains("--tier"), "{err}");

    // Compaction keeps every article and its profile.
    ok(&["index", "compact", "--index", &index], "");
    let trimmed = {
        let mut v: serde_json::Value = serde_json::from_str(&seeds[4]).unwrap();
        let text = v["text"].as_str().unwrap().to_string();
        let half: String = text
            .lines()
            .take(text.lines().count() * 2 / 3)
            .collect::<Vec<_>>()
            .join("\n");
        v["id"] = "004-trimmed".into();
        v["text"] = half.into();
        v.to_string() + "\n"
    };
    let r = ok(
        &["filter", "--index", &index, "--read-only", "--quiet"],
        &(seeds.concat() + &trimmed),
    );
    let k = kinds(&r.stdout);
    assert_eq!(k[..5], ["exact"; 5]);
    assert_ne!(k[5], "new", "{}", r.stdout);

    // A write torn inside the last article's profile loses that article only.
    let sets = Path::new(&index).join("sets.1");
    let len = std::fs::metadata(&sets).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&sets).unwrap();
    f.set_len(len - 10).unwrap();
    let r = ok(&["index", "stats", "--index", &index, "--json"], "");
    assert!(r.stderr.contains("unfinished write"), "{}", r.stderr);
    let stats: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(stats["docs"], 5 + others.len() as u64 - 1, "{stats}");
}

/// A damaged rewrite fingerprint is found when its article is a candidate, and
/// `compact --drop-damaged` drops that article, as for a damaged shingle set; `index stats`
/// opens the index without reading fingerprints.
#[test]
fn a_damaged_fingerprint_is_dropped_by_compact() {
    let tmp = tempfile::tempdir().unwrap();
    let index = idx(tmp.path());
    let seeds = fixture_lines("seeds");
    ok(
        &["filter", "--index", &index, "--tier", "all", "--quiet"],
        &seeds[..2].concat(),
    );
    // Flip a byte in the middle of the last article's fingerprint (the end of sets.0).
    let sets = Path::new(&index).join("sets.0");
    let mut bytes = std::fs::read(&sets).unwrap();
    let at = bytes.len() - 500;
    bytes[at] ^= 0x40;
    std::fs::write(&sets, &bytes).unwrap();
    let r = ok(&["index", "stats", "--index", &index], "");
    assert!(r.stdout.contains("tier         all"), "{}", r.stdout);
    let err = fails(
        &["filter", "--index", &index, "--read-only"],
        &seeds[2..].concat(),
    );
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(err.contains("--drop-damaged"), "{err}");
    let r = ok(
        &["index", "compact", "--index", &index, "--drop-damaged"],
        "",
    );
    assert!(r.stderr.contains("1 with damaged"), "{}", r.stderr);
    // The index works again: seed 000 kept, 001 dropped. 002 against 000 alone is a weak
    // verdict without witnesses (new); 004 has 002 and 003 to vouch for it.
    let stats = stats_json(&index);
    assert_eq!(stats["docs"], 1, "{stats}");
    let r = ok(
        &["filter", "--index", &index, "--quiet"],
        &seeds[2..].concat(),
    );
    assert_eq!(kinds(&r.stdout), ["new", "new", "rewrite"], "{}", r.stdout);
}
