//! End-to-end tests of the rewrite tier (`--tier all|rewrite`): the seed rewrites cluster,
//! boilerplate does not move scores, templated reports about different events do not match.

use neardup::pipeline::rewrite_profiles;
use neardup::rewrite::score::score;
use neardup::rewrite::RewriteParams;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_neardup");
const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds");

fn neardup(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("cannot start neardup");
    assert!(
        out.status.success(),
        "neardup {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// CSV rows (no quoted fields in these outputs) as column → value maps.
fn rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Writes `text` to `dir/name`; returns the path.
fn write_text(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("path").to_string()
}

/// The `rewrite` object of `neardup similarity --json A B`.
fn rewrite_json(a: &str, b: &str) -> serde_json::Value {
    let json: serde_json::Value =
        serde_json::from_str(&neardup(&["similarity", "--json", a, b])).expect("JSON");
    json["rewrite"].clone()
}

#[test]
fn seeds_form_one_rewrite_cluster_with_tier_all() {
    let out = rows(&neardup(&["cluster", "-q", "--tier", "all", SEEDS]));
    assert_eq!(out.len(), 5, "{out:?}");
    assert!(out
        .iter()
        .all(|r| r["cluster_id"] == "1" && r["cluster_size"] == "5" && r["kind"] == "rewrite"));
    let reps: Vec<&str> = out
        .iter()
        .filter(|r| r["is_representative"] == "true")
        .map(|r| r["doc_id"].as_str())
        .collect();
    assert_eq!(reps.len(), 1);
    // Every member is verified against the representative: its score is at or above the
    // lowest threshold.
    for r in &out {
        let v: f64 = r["similarity"].parse().expect("score");
        assert!(v >= 0.12, "{r:?}");
    }
    // --tier near sees five unrelated documents.
    assert_eq!(
        neardup(&["cluster", "-q", "--tier", "near", SEEDS])
            .lines()
            .count(),
        1
    );
}

/// At default settings `cluster` and `pairs` report rewrites too; `dedup`, which deletes,
/// keeps to copies and near-duplicates unless `--tier all` is given.
#[test]
fn defaults_report_rewrites_and_dedup_deletes_only_near_duplicates() {
    let out = rows(&neardup(&["cluster", "-q", SEEDS]));
    assert_eq!(out.len(), 5, "{out:?}");
    assert!(out
        .iter()
        .all(|r| r["cluster_size"] == "5" && r["kind"] == "rewrite"));
    let pairs = rows(&neardup(&["pairs", "-q", SEEDS]));
    assert!(!pairs.is_empty() && pairs.iter().all(|r| r["kind"] == "rewrite"));
    let dir = tempfile::tempdir().expect("tempdir");
    let jsonl = dir.path().join("seeds.jsonl");
    let mut records = String::new();
    for entry in std::fs::read_dir(SEEDS).expect("seeds") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("seed");
        let id = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        records.push_str(&serde_json::json!({ "id": id, "text": text }).to_string());
        records.push('\n');
    }
    std::fs::write(&jsonl, records).expect("write");
    let jsonl = jsonl.to_str().expect("path");
    assert_eq!(neardup(&["dedup", "-q", jsonl]).lines().count(), 5);
    assert_eq!(
        neardup(&["dedup", "-q", "--tier", "all", jsonl])
            .lines()
            .count(),
        1
    );
}

/// A story carried verbatim by several outlets: its lines are in three or more documents,
/// but they are the story, not site chrome. The copies and the other seeds make one
/// cluster (counting documents, the repeated-line detector took every line of seed 002
/// and its copies, which then matched nothing).
#[test]
fn a_story_copied_verbatim_by_three_outlets_still_matches_its_rewrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(SEEDS).expect("seeds") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let story = std::fs::read_to_string(format!("{SEEDS}/002_5e4357a207b9d053.txt")).expect("seed");
    for outlet in ["outlet-a", "outlet-b", "outlet-c"] {
        write_text(dir.path(), &format!("{outlet}.txt"), &story);
    }
    let path = dir.path().to_str().expect("path");
    let out = rows(&neardup(&["cluster", "-q", path]));
    assert_eq!(out.len(), 8, "{out:?}");
    assert!(out.iter().all(|r| r["cluster_size"] == "8"), "{out:?}");
    // The copies are reported apart from the rewrites: each names the seed it copies.
    for r in &out {
        let copy = (
            r["copy_of"].as_str(),
            r["copy_kind"].as_str(),
            r["copy_similarity"].as_str(),
        );
        if r["doc_id"].starts_with("outlet-") {
            assert_eq!(copy, ("002_5e4357a207b9d053", "exact", "1.0000"), "{r:?}");
        } else {
            assert_eq!(copy, ("", "", ""), "{r:?}");
        }
    }
    // Near-duplicate copies (each outlet adds its own line) under --tier rewrite, which
    // reports no near-duplicates but counts them once all the same.
    for outlet in ["outlet-a", "outlet-b", "outlet-c"] {
        let text =
            format!("{story}\nThis story first appeared on {outlet}, reprinted with permission.\n");
        write_text(dir.path(), &format!("{outlet}.txt"), &text);
    }
    let out = rows(&neardup(&["cluster", "-q", "--tier", "rewrite", path]));
    assert_eq!(out.len(), 8, "{out:?}");
    assert!(out.iter().all(|r| r["cluster_size"] == "8"), "{out:?}");
    // At the default tier they are near-duplicates of the seed, inside the rewrite cluster.
    let out = rows(&neardup(&["cluster", "-q", path]));
    assert_eq!(out.len(), 8, "{out:?}");
    for r in out.iter().filter(|r| r["doc_id"].starts_with("outlet-")) {
        assert_eq!(r["kind"], "rewrite", "{r:?}");
        assert_eq!(r["copy_of"], "002_5e4357a207b9d053", "{r:?}");
        assert_eq!(r["copy_kind"], "near-duplicate", "{r:?}");
    }
}

/// The seeds among articles on their topics about other events (`fixtures/same-topic`) and
/// follow-ups on the same attack (`fixtures/same-story`): one rewrite cluster of exactly
/// the five seeds, and no rewrite pair with any of the others. In this small corpus (24
/// documents) the follow-ups lower the idf of the attack's own words: eight seed pairs
/// verify, the other two score 0.72–0.90 θ; no other article comes within 0.40 θ of a seed.
#[test]
fn same_topic_articles_about_other_events_stay_out_of_the_seed_cluster() {
    let dir = tempfile::tempdir().expect("tempdir");
    let same_topic = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/same-topic");
    let same_story = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/same-story");
    let mut others = Vec::new();
    for src in [SEEDS, same_topic, same_story] {
        for entry in std::fs::read_dir(src).expect("fixture dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name").to_owned();
            std::fs::copy(&path, dir.path().join(&name)).expect("copy");
            if src != SEEDS {
                others.push(
                    path.file_stem()
                        .expect("stem")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    assert_eq!(others.len(), 19);
    let mix = dir.path().to_str().expect("path");
    let clusters = rows(&neardup(&["cluster", "-q", "--tier", "all", mix]));
    let members: Vec<&str> = clusters.iter().map(|r| r["doc_id"].as_str()).collect();
    assert_eq!(clusters.len(), 5, "{clusters:?}");
    assert!(
        members.iter().all(|m| !others.iter().any(|o| o == m)),
        "{members:?}"
    );
    assert!(clusters
        .iter()
        .all(|r| r["cluster_size"] == "5" && r["kind"] == "rewrite"));
    let pairs = rows(&neardup(&["pairs", "-q", "--tier", "all", mix]));
    assert!(!pairs.is_empty());
    for row in &pairs {
        let (a, b) = (&row["doc_a"], &row["doc_b"]);
        assert!(!others.iter().any(|o| o == a || o == b), "{row:?}");
    }
}

/// V of every seed pair, scored over the corpus `texts` (as `pairs` scores a candidate),
/// with the boilerplate detector on or off. Scored directly rather than read from `pairs`:
/// which pairs LSH proposes is random (a pair at the LSH floor is a candidate with
/// probability 0.7), and this test is about the scores.
fn seed_scores(texts: &[String], boilerplate: bool) -> Vec<(usize, usize, f64, bool)> {
    let params = RewriteParams {
        boilerplate,
        ..RewriteParams::default()
    };
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let profiles = rewrite_profiles(&refs, &params);
    let mut out = Vec::new();
    for a in 0..profiles.len() {
        for b in a + 1..profiles.len() {
            let s = score(&profiles[a], &profiles[b], &params);
            out.push((a, b, s.score, s.is_rewrite()));
        }
    }
    out
}

const CHROME: [&str; 5] = [
    "Join Fox News to access this content",
    "Plus, you’ll get special access to featured articles and other premium content through your account – for free.",
    "Please enter a valid email address.",
    "Click here to get the Fox News app",
    "Subscribe to our newsletter for the latest headlines delivered to your inbox every morning",
];
const AD: &str = "Best Rated Air Fryer 2024 - 6 Quart Digital Nonstick Basket, Dishwasher Safe, Free Shipping on Orders Over $35";

/// Three seeds get site chrome at the end and a product ad after their third line; with the
/// detector on, no seed pair's score moves by more than 0.02 and no verdict changes; with it
/// off (--keep-boilerplate) some pair moves by more than 0.05 (measured: 0.0145 vs 0.130;
/// 0.0013 vs 0.029 before small corpora leaned harder on the background statistics, which
/// makes a five-document corpus's idf follow its mean length, and the padding changes that
/// a little: seed 003's own chrome, alone in the clean corpus, is dropped as repeated once
/// two more seeds carry it). The padded seeds still form one cluster.
#[test]
fn boilerplate_and_ads_barely_move_scores_with_the_detector_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let padded_dir = dir.path().join("padded");
    std::fs::create_dir_all(&padded_dir).expect("mkdir");
    let mut names: Vec<_> = std::fs::read_dir(SEEDS)
        .expect("seeds")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    let (mut clean, mut padded) = (Vec::new(), Vec::new());
    for (i, name) in names.iter().enumerate() {
        let text = std::fs::read_to_string(Path::new(SEEDS).join(name)).expect("seed");
        let mut lines: Vec<&str> = text.trim_end().split('\n').collect();
        if [0, 2, 3].contains(&i) {
            lines.insert(3.min(lines.len()), AD);
            lines.extend(CHROME);
        }
        let padded_text = lines.join("\n") + "\n";
        std::fs::write(padded_dir.join(name), &padded_text).expect("write");
        clean.push(text);
        padded.push(padded_text);
    }
    let base = seed_scores(&clean, true);
    let on = seed_scores(&padded, true);
    let off = seed_scores(&padded, false);
    // Every pair but 000–002 and 000–003 (V below θ) is a rewrite, before and after
    // padding.
    let verdicts = |s: &[(usize, usize, f64, bool)]| s.iter().filter(|x| x.3).count();
    assert_eq!(verdicts(&base), 10 - 2, "{base:?}");
    assert_eq!(verdicts(&on), 10 - 2, "{on:?}");
    let each = |s: &[(usize, usize, f64, bool)]| s.iter().map(|x| x.3).collect::<Vec<_>>();
    assert_eq!(each(&base), each(&on));
    let moved = |other: &[(usize, usize, f64, bool)]| {
        base.iter()
            .zip(other)
            .filter(|(b, _)| b.3)
            .map(|(b, o)| (b.2 - o.2).abs())
            .fold(0.0f64, f64::max)
    };
    let (on_moved, off_moved) = (moved(&on), moved(&off));
    assert!(on_moved <= 0.02, "detector on: max move {on_moved}");
    assert!(off_moved > 0.05, "detector off: max move {off_moved}");
    // End to end: the padded seeds are still one rewrite cluster of five.
    let clusters = rows(&neardup(&[
        "cluster",
        "-q",
        "--tier",
        "all",
        padded_dir.to_str().expect("UTF-8 path"),
    ]));
    assert_eq!(clusters.len(), 5, "{clusters:?}");
    assert!(clusters
        .iter()
        .all(|r| r["cluster_id"] == clusters[0]["cluster_id"] && r["kind"] == "rewrite"));
}

/// Two earnings notes from one template, differing only in company names and numbers, are
/// different stories: their key entities disagree. (Measured V 0.304 against θ 0.31: the
/// penalty is weak for short texts, see docs/rewrite.md.)
#[test]
fn templated_reports_with_other_numbers_and_companies_are_not_rewrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "Acme Corp said first quarter net profit rose to 12.5 mln dlrs, or 1.10 dlrs a share, from 10.1 mln dlrs, or 89 cts a share, a year earlier. Revenues rose to 150.3 mln dlrs from 131.7 mln dlrs, Acme said.\n").expect("write");
    std::fs::write(&b, "Bolt Industries said first quarter net profit rose to 45.2 mln dlrs, or 2.35 dlrs a share, from 39.8 mln dlrs, or 2.07 dlrs a share, a year earlier. Revenues rose to 612.9 mln dlrs from 575.4 mln dlrs, Bolt said.\n").expect("write");
    let (a, b) = (a.to_str().expect("path"), b.to_str().expect("path"));
    let json: serde_json::Value =
        serde_json::from_str(&neardup(&["similarity", "--json", a, b])).expect("JSON");
    assert_eq!(json["rewrite"]["verdict"], "different", "{json}");
    assert_eq!(json["rewrite"]["key_agreement"].as_f64(), Some(0.0));
    let dir_s = dir.path().to_str().expect("path");
    assert_eq!(
        neardup(&["pairs", "-q", "--tier", "all", dir_s])
            .lines()
            .count(),
        1
    );
}

/// Two price notes cut from one template with other figures, and two tender notes dated to
/// other months, are other events; a rewrite of the first note with its figures is not.
#[test]
fn template_notes_with_other_figures_or_months_are_not_rewrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| write_text(dir.path(), name, text);
    let cut = write("cut.txt", "Northfield Consolidated Copper Co, a subsidiary of Northfield Resources Corp, said it is lowering its base price for full-plate copper cathodes one-half cent to 66.50 cents a lb, effective immediately.\n");
    let later = write("later.txt", "Northfield Consolidated Copper Co, a subsidiary of Northfield Resources Corp, said it is lowering its base price for full-plate copper cathodes by 0.50 cent to 74.0 cents a lb, effective immediately.\n");
    let rewrite = write("rewrite.txt", "Northfield Resources Corp's copper arm, Northfield Consolidated Copper, has cut what it charges for full-plate cathodes by half a cent, to 66.50 cents per pound, with immediate effect.\n");
    let march = write("march.txt", "Pakistan's state trading corporation is seeking 6,000 tonnes of refined bleached deodorised palm oil for March shipment in a tender closing on Tuesday, European traders said. Offers must remain valid for 48 hours.\n");
    let may = write("may.txt", "Pakistan's state trading corporation is seeking 6,000 tonnes of refined bleached deodorised palm oil for May shipment in a tender closing on Thursday, European traders said. Offers must remain valid for 48 hours.\n");
    let r = rewrite_json(&cut, &later);
    assert_eq!(r["verdict"], "different", "{r}");
    assert!(r["frames"].as_f64().is_some_and(|f| f > 0.6), "{r}");
    let r = rewrite_json(&cut, &rewrite);
    assert_eq!(r["verdict"], "rewrite", "{r}");
    assert!(r["frames"].as_f64().is_some_and(|f| f < 0.3), "{r}");
    let r = rewrite_json(&march, &may);
    assert_eq!(r["month_conflict"], true, "{r}");
    assert_eq!(r["verdict"], "different", "{r}");
    // The same texts, month conflict switched off by a wording that names no month.
    let undated = write("undated.txt", "Pakistan's state trading corporation is seeking 6,000 tonnes of refined bleached deodorised palm oil for prompt shipment in a tender closing on Thursday, European traders said. Offers must remain valid for 48 hours.\n");
    let r = rewrite_json(&march, &undated);
    assert_eq!(r["month_conflict"], false, "{r}");
    assert_eq!(r["verdict"], "rewrite", "{r}");
    let dir_s = dir.path().to_str().expect("path");
    let pairs = neardup(&["pairs", "-q", "--tier", "all", dir_s]);
    for row in rows(&pairs) {
        let pair = (row["doc_a"].as_str(), row["doc_b"].as_str());
        assert!(
            !matches!(
                pair,
                ("cut", "later") | ("later", "cut") | ("march", "may") | ("may", "march")
            ),
            "{pairs}"
        );
    }
}

/// One spread table at 1000 and at 1100 hrs CDT (a few figures moved) are two reports:
/// their leads name times in one zone an hour apart. A quarter of an hour apart they are
/// one. In a corpus where the timed header lines recur (and are dropped as boilerplate)
/// the times still tell the tables apart.
#[test]
fn short_reports_timed_to_other_hours_are_not_rewrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = |hour: &str, rows: [&str; 5]| {
        format!(
            "{hour} hrs cdt\n MONTHS   LAST          DIFFERENCE\n{}\n",
            rows.map(|r| format!(" {r}")).join("\n")
        )
    };
    let early = [
        "May/Jul  1      under  1      under",
        "Jul/Aug  even          even",
        "Sep/Nov  1-1/2  under  2-1/2  under",
        "May/Nov  2-1/2   over  2-1/4   over",
        "Nov/Jan  6-3/4  under  6-3/4  under",
    ];
    let late = [
        "May/Jul  1-1/4  under  1-1/2  under",
        "Jul/Aug  even          even",
        "Sep/Nov  2      under  2-1/4  under",
        "May/Nov  2-1/4   over  1       over",
        "Nov/Jan  6-3/4  under  7      under",
    ];
    let write = |name: &str, text: &str| write_text(dir.path(), name, text);
    let ten = write("ten.txt", &table("1000", early));
    let eleven = write("eleven.txt", &table("1100", late));
    let quarter = write("quarter.txt", &table("1015", late));
    let r = rewrite_json(&ten, &eleven);
    assert_eq!(r["clock_conflict"], true, "{r}");
    assert_eq!(r["verdict"], "different", "{r}");
    let r = rewrite_json(&ten, &quarter);
    assert_eq!(r["clock_conflict"], false, "{r}");
    assert_eq!(r["verdict"], "rewrite", "{r}");
    std::fs::remove_file(&quarter).expect("remove");
    // Other desks' tables at the same two hours: the header lines recur, and are dropped
    // as boilerplate (without the times, ten and eleven are reported as a rewrite here).
    for (i, crop) in ["WHEAT", "CORN", "OATS", "MEAL"].iter().enumerate() {
        for hour in ["1000", "1100"] {
            let rows = [
                format!("{crop} Mar/May  {i}-1/4  under  {i}-1/2  under"),
                format!("{crop} May/Jul  {i}      over   {i}-3/4  over"),
                format!("{crop} Jul/Sep  no quote      {i}-1/8  under"),
                "Sep/Dec  even          even".to_string(),
                format!("{crop} Dec/Mar  {i}-5/8  under  no quote"),
            ];
            write(
                &format!("{}-{hour}.txt", crop.to_lowercase()),
                &table(hour, rows.each_ref().map(String::as_str)),
            );
        }
    }
    let dir_s = dir.path().to_str().expect("path");
    let pairs = neardup(&["pairs", "-q", "--tier", "rewrite", dir_s]);
    let found = rows(&pairs)
        .iter()
        .map(|r| (r["doc_a"].clone(), r["doc_b"].clone()))
        .collect::<Vec<_>>();
    for (a, b) in [("eleven", "ten"), ("corn-1000", "corn-1100")] {
        assert!(
            !found
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a)),
            "{pairs}"
        );
    }
}

/// A market's midsession report and its closing report repeat each other's paragraphs and
/// most figures, are long, and name no clock time: the sessions their leads name tell
/// them apart. Without the session words the two are reported as a rewrite; a rewrite of
/// the midsession report still is one.
#[test]
fn a_market_s_midsession_and_closing_reports_are_not_rewrites() {
    let tail = "Cash canola in Saskatoon was steady at 18 dollars under November despite light farmer deliveries of 2,150 tonnes. Feed barley was unchanged at 141 dollars and flaxseed at 388 dollars.\nRye quotes were steady with Thunder Bay rye at 122 dollars and Vancouver feed wheat at 176 to 179 dollars.\n";
    let mid = format!("Winnipeg canola futures traded one to three dollars higher at midsession as crusher buying and a firmer soyoil market lent support, dealers said. November stood 2.40 dollars higher at 512.60 dollars a tonne.\n{tail}");
    let close = |verb: &str, again: &str| {
        format!("Winnipeg canola futures {verb} unchanged to three dollars higher as crusher pricing and a firmer soyoil market lent support to a quiet market, dealers said. November {again} 2.40 dollars higher at 512.80 dollars a tonne.\n{tail}")
    };
    let retold = "Crusher buying and strength in soyoil pushed Winnipeg canola futures up by one to three dollars by midsession, according to dealers, with November at 512.60 dollars a tonne, a gain of 2.40 dollars.\nIn Saskatoon, cash canola held at 18 dollars under November as farmers delivered only 2,150 tonnes. Flaxseed was unchanged at 388 dollars and feed barley at 141 dollars.\nThunder Bay rye was steady at 122 dollars, and Vancouver feed wheat was quoted at 176 to 179 dollars.\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| write_text(dir.path(), name, text);
    let mid = write("mid.txt", &mid);
    for (name, text, conflict, verdict) in [
        ("close.txt", close("closed", "closed"), true, "different"),
        ("plain.txt", close("traded", "stood"), false, "rewrite"),
        ("retold.txt", retold.to_string(), false, "rewrite"),
    ] {
        let r = rewrite_json(&mid, &write(name, &text));
        assert_eq!(r["clock_conflict"], conflict, "{name}: {r}");
        assert_eq!(r["verdict"], verdict, "{name}: {r}");
    }
}

/// Ten banks' prime-rate notes, one of them sent twice in other words: the notes' wording
/// recurs across the corpus, so only the bank's own two versions are a rewrite pair (the
/// build before template wording paired every two banks' notes), and `similarity
/// --corpus` says why.
#[test]
fn rate_notes_of_other_banks_are_not_rewrites() {
    let banks = [
        ("Harbor National Bank", "it has raised"),
        ("Lakeshore Bancorp", "its Lakeshore Trust Co unit raised"),
        ("Granite State Bank", "it raised"),
        ("Pioneer Valley Bancorp", "its Pioneer Valley Bank raised"),
        ("Midland Farmers Bank", "it has raised"),
        ("Cascade Savings Bank", "it raised"),
        ("Bluewater Financial Corp", "its Bluewater Bank N.A. raised"),
        ("Redwood Commercial Bank", "it has raised"),
        ("Summit Trust Co", "it raised"),
        ("Keystone Union Bank", "it has raised"),
    ];
    let effective = ["immediately", "today", "tomorrow"];
    let mut corpus = String::new();
    for (i, (bank, raised)) in banks.iter().enumerate() {
        let text = format!(
            "{bank} said {raised} its prime rate to 7-3/4 pct from 7-1/2 pct, effective {}.\n",
            effective[i % 3]
        );
        corpus += &serde_json::json!({"id": format!("note-{i}"), "text": text}).to_string();
        corpus.push('\n');
    }
    let again = "Harbor National Bank has lifted its prime lending rate to 7-3/4 pct from 7-1/2 pct, the bank said, effective immediately.\n";
    corpus += &serde_json::json!({"id": "note-0-again", "text": again}).to_string();
    corpus.push('\n');
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_text(dir.path(), "notes.jsonl", &corpus);
    let pairs = rows(&neardup(&["pairs", "-q", "--tier", "rewrite", &path]));
    let found: Vec<(&str, &str)> = pairs
        .iter()
        .map(|r| (r["doc_a"].as_str(), r["doc_b"].as_str()))
        .collect();
    assert_eq!(found, [("note-0", "note-0-again")]);
    let json = |a: &str, b: &str| -> serde_json::Value {
        let out = neardup(&["similarity", "--json", "--corpus", &path, a, b]);
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON")["rewrite"].clone()
    };
    let r = json("note-0", "note-4");
    assert_eq!(r["template_worded"], true, "{r}");
    assert_eq!(r["verdict"], "different", "{r}");
    let r = json("note-0", "note-0-again");
    assert_eq!(r["verdict"], "rewrite", "{r}");
}

/// A takeover bid and a rewrite of it with the offer raised and the stock higher: the
/// same story told two hours later, a later development told a day later (figures that
/// conflict, half a day or more apart).
#[test]
fn conflicting_figures_a_day_apart_are_a_later_development() {
    let bid = "Harlow Instruments Inc said it offered 42 dlrs a share in cash for all of the 8.5 mln outstanding shares of Brixton Controls Corp, valuing the maker of industrial valves at about 357 mln dlrs.\nHarlow said the tender offer would expire on April 30 unless extended, and that it was conditioned on at least 51 pct of Brixton's shares being tendered.\nBrixton's board has not commented on the offer, Harlow said. Brixton shares closed at 36-1/2 on the New York Stock Exchange yesterday.\nHarlow, based in Cleveland, said the acquisition would be financed by bank loans arranged by Chemical Bank and from its own funds.\n";
    let raised = "Cleveland-based Harlow Instruments Inc has raised its bid for Brixton Controls Corp, the industrial valve maker, to 46 dlrs per share in cash, or roughly 391 mln dlrs for the 8.5 mln shares outstanding.\nThe offer still runs until April 30 and still needs 51 pct of Brixton's stock to be tendered, according to Harlow.\nBrixton's directors have yet to respond. The stock ended at 44-3/4 on the New York Stock Exchange.\nChemical Bank has arranged loans which, with Harlow's own cash, will pay for the purchase.\n";
    let dir = tempfile::tempdir().expect("tempdir");
    for (hours, rewrite) in [(2, true), (29, false)] {
        let corpus = dir.path().join(format!("bid-{hours}.jsonl"));
        let record = |id: &str, time: &str, text: &str| {
            serde_json::json!({"id": id, "date": time, "text": text}).to_string()
        };
        let later = format!(
            "1987-04-{:02}T{:02}:00:00Z",
            1 + (10 + hours) / 24,
            (10 + hours) % 24
        );
        std::fs::write(
            &corpus,
            format!(
                "{}\n{}\n",
                record("bid", "1987-04-01T10:00:00Z", bid),
                record("raised", &later, raised)
            ),
        )
        .expect("write");
        let corpus = corpus.to_str().expect("path");
        // Without witnesses: the pair's verdict alone, as a corpus of two cannot vouch.
        let json: serde_json::Value = serde_json::from_str(&neardup(&[
            "similarity",
            "--json",
            "--rewrite-witnesses",
            "0",
            "--corpus",
            corpus,
            "bid",
            "raised",
        ]))
        .expect("JSON");
        let r = &json["rewrite"];
        assert!(
            r["number_conflict"].as_f64().is_some_and(|c| c >= 0.3),
            "{r}"
        );
        assert!(r["score"].as_f64() >= r["threshold"].as_f64(), "{r}");
        assert_eq!(r["later_development"], !rewrite, "{r}");
        assert_eq!(
            r["verdict"],
            if rewrite { "rewrite" } else { "different" },
            "{r}"
        );
        let pairs = neardup(&[
            "pairs",
            "-q",
            "--tier",
            "rewrite",
            "--rewrite-witnesses",
            "0",
            corpus,
        ]);
        assert_eq!(pairs.contains("bid,raised,"), rewrite, "{pairs}");
    }
}

#[test]
fn similarity_in_a_corpus_gives_the_score_pairs_reports() {
    // Every rewrite pair `pairs` reports among the seeds: `similarity --corpus` gives the
    // same score (weighted by the corpus, not by the two texts alone).
    let pairs = neardup(&["pairs", "-q", "--tier", "all", SEEDS]);
    let reported = rows(&pairs);
    assert!(reported.len() >= 3, "{pairs}");
    for row in &reported {
        let (a, b) = (row["doc_a"].as_str(), row["doc_b"].as_str());
        let json: serde_json::Value =
            serde_json::from_str(&neardup(&["similarity", "--json", "--corpus", SEEDS, a, b]))
                .expect("JSON");
        let score = json["rewrite"]["score"].as_f64().expect("score");
        assert_eq!(format!("{score:.4}"), row["jaccard"], "{a} {b}: {json}");
        assert_eq!(json["rewrite"]["verdict"], "rewrite", "{json}");
        // The seeds share almost no wording: each verdict is weak and stands on the
        // other seeds that come close to both.
        assert_eq!(json["rewrite"]["weak"], true, "{json}");
        assert!(
            json["rewrite"]["witnesses"]
                .as_u64()
                .is_some_and(|w| w >= 2),
            "{json}"
        );
    }
    // Two files alone are weighted by the background: another score.
    let (a, b) = (&reported[0]["doc_a"], &reported[0]["doc_b"]);
    let file = |id: &str| {
        std::fs::read_dir(SEEDS)
            .expect("seeds")
            .map(|e| e.expect("entry").path())
            .find(|p| p.file_stem().is_some_and(|s| s == id))
            .expect("seed file")
    };
    let (fa, fb) = (file(a), file(b));
    let alone: serde_json::Value = serde_json::from_str(&neardup(&[
        "similarity",
        "--json",
        fa.to_str().expect("path"),
        fb.to_str().expect("path"),
    ]))
    .expect("JSON");
    // Alone, nothing can vouch for a weak verdict.
    assert_eq!(alone["rewrite"]["verdict"], "weak", "{alone}");
    assert_eq!(
        alone["rewrite"]["witnesses"],
        serde_json::Value::Null,
        "{alone}"
    );
    let alone = alone["rewrite"]["score"].as_f64().expect("score");
    assert_ne!(format!("{alone:.4}"), reported[0]["jaccard"]);
}

/// Corroboration: rewrites of one story that share almost no wording (the seeds) stand
/// because the other versions come close to both; two of them alone are no pair, unless
/// `--rewrite-witnesses 0` asks for weak pairs alone too.
#[test]
fn a_weak_rewrite_needs_other_stories_to_vouch_for_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = |name: &str| std::fs::read_to_string(format!("{SEEDS}/{name}.txt")).expect("seed");
    let (a, b) = ("001_9716e52682f1baaa", "004_1012adb8faca7bcf");
    write_text(dir.path(), &format!("{a}.txt"), &seed(a));
    write_text(dir.path(), &format!("{b}.txt"), &seed(b));
    let two = dir.path().to_str().expect("path");
    let pairs = neardup(&["pairs", "-q", "--tier", "rewrite", two]);
    assert!(rows(&pairs).is_empty(), "{pairs}");
    let out = neardup(&["cluster", "-q", two]);
    assert!(clustered(&out).is_empty(), "{out}");
    let sim = neardup(&["similarity", "--corpus", two, a, b]);
    assert!(
        sim.contains("0 other stories close to both (needs 2)")
            && sim.contains("rewrite verdict      weak ("),
        "{sim}"
    );
    // Asked for, the weak pair is reported alone.
    let pairs = neardup(&[
        "pairs",
        "-q",
        "--tier",
        "rewrite",
        "--rewrite-witnesses",
        "0",
        two,
    ]);
    let found: Vec<(String, String)> = rows(&pairs)
        .into_iter()
        .map(|r| (r["doc_a"].clone(), r["doc_b"].clone()))
        .collect();
    assert_eq!(found, [(a.to_string(), b.to_string())], "{pairs}");
    // Among all five seeds the pair stands, with the other three as its witnesses.
    let pairs = neardup(&["pairs", "-q", "--tier", "rewrite", SEEDS]);
    assert!(
        rows(&pairs)
            .iter()
            .any(|r| (r["doc_a"].as_str(), r["doc_b"].as_str()) == (a, b)),
        "{pairs}"
    );
}

/// Records every stage and progress notice of a run.
#[derive(Default)]
struct Notices(std::sync::Mutex<Vec<(String, usize, usize)>>);

impl neardup::pipeline::Observer for Notices {
    fn stage(&self, name: &str) {
        self.0.lock().expect("lock").push((name.to_string(), 0, 0));
    }

    fn progress(&self, done: usize, total: usize) {
        self.0
            .lock()
            .expect("lock")
            .push((String::new(), done, total));
    }
}

#[test]
fn the_rewrite_candidate_stage_reports_its_progress_band_by_band() {
    use neardup::config::{Config, Tier};
    use neardup::input::{InputOptions, InputSpec};
    use neardup::pipeline::{analyze, read_corpus, OnInvalid};
    let config = Config {
        tier: Tier::All,
        ..Config::default()
    };
    let inputs = [InputSpec::detect(Path::new(SEEDS), None).expect("seeds")];
    let corpus = read_corpus(
        &inputs,
        &InputOptions::default(),
        &config,
        OnInvalid::Fail,
        &(),
    )
    .expect("read");
    let notices = Notices::default();
    analyze(&corpus, &config, &notices).expect("analyze");
    let notices = notices.0.into_inner().expect("lock");
    let at = notices
        .iter()
        .position(|n| n.0 == "rewrite candidates")
        .expect("candidate stage");
    let steps: Vec<(usize, usize)> = notices[at + 1..]
        .iter()
        .take_while(|n| n.0.is_empty())
        .map(|n| (n.1, n.2))
        .collect();
    let bands = config
        .rewrite
        .lsh_params_for(corpus.docs.len())
        .expect("lsh")
        .bands;
    // One notice per band, counting up to the number of bands (bands finish on several
    // threads, so two notices may arrive out of order).
    assert!(steps.iter().all(|&(_, t)| t == bands), "{steps:?}");
    let mut done: Vec<usize> = steps.iter().map(|s| s.0).collect();
    done.sort_unstable();
    assert_eq!(done, (1..=bands).collect::<Vec<_>>(), "{steps:?}");
}

#[test]
fn a_sentence_that_adds_a_clause_is_no_paraphrase() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| write_text(dir.path(), name, text);
    let report = write("report.txt", "Shares of Northfield Copper fell 5 percent on Tuesday after the miner cut its output forecast.\n");
    let more = write("more.txt", "Shares of Northfield Copper fell 5 percent on Tuesday after the miner cut its output forecast, and its chief executive resigned amid an emissions inquiry.\n");
    let paraphrase = write("paraphrase.txt", "Northfield Copper shares dropped 5 percent on Tuesday once the miner lowered its output forecast.\n");
    // The longer sentence holds all of the shorter one: V is high, but the shorter one
    // holds little of the longer one's content.
    let r = rewrite_json(&report, &more);
    assert!(r["score"].as_f64().is_some_and(|v| v > 0.5), "{r}");
    assert!(r["short_score"].as_f64().is_some_and(|s| s < 0.45), "{r}");
    assert_eq!(r["verdict"], "different", "{r}");
    let r = rewrite_json(&report, &paraphrase);
    assert!(r["short_score"].as_f64().is_some_and(|s| s > 0.6), "{r}");
    assert_eq!(r["verdict"], "rewrite", "{r}");
}

/// The seeds as JSONL records with publication dates (`dates[i]` for seed `i`, in name
/// order; `None`: no date field), plus `extra` records; returns the file's path.
fn dated_seeds(dir: &Path, dates: &[Option<&str>], extra: &[serde_json::Value]) -> String {
    let mut paths: Vec<_> = std::fs::read_dir(SEEDS)
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let mut records = String::new();
    for (path, date) in paths.iter().zip(dates) {
        let id = path.file_stem().expect("stem").to_string_lossy()[..3].to_string();
        let text = std::fs::read_to_string(path).expect("seed");
        let mut record = serde_json::json!({ "id": id, "text": text });
        if let Some(d) = date {
            record["date"] = serde_json::json!(d);
        }
        records.push_str(&record.to_string());
        records.push('\n');
    }
    for r in extra {
        records.push_str(&r.to_string());
        records.push('\n');
    }
    let path = dir.join("seeds.jsonl");
    std::fs::write(&path, records).expect("write");
    path.to_str().expect("path").to_string()
}

/// Sorted ids of the documents `cluster` puts in clusters of `kind` rows.
fn clustered(csv: &str) -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> = rows(csv)
        .into_iter()
        .map(|r| (r["cluster_id"].clone(), r["doc_id"].clone()))
        .collect();
    ids.sort();
    ids
}

/// `cluster` of the seeds dated `week` is one cluster of all five.
fn assert_one_cluster_of_five(dir: &Path, week: &[Option<&str>; 5]) {
    let path = dated_seeds(dir, week, &[]);
    let all = ["000", "001", "002", "003", "004"].map(|s| ("1".to_string(), s.to_string()));
    assert_eq!(
        clustered(&neardup(&["cluster", "-q", &path])),
        all,
        "{week:?}"
    );
}

/// Publication dates: rewrites of a wire story appear within days, so a seed dated two
/// months after the others is no rewrite of them, while exact copies published later stay
/// copies. A window that covers the gap, or ignoring dates, brings the seed back.
/// Content-farm rewrites of a story come out over days, as a running story's reports do:
/// the seeds, every one dated, half a day apart or spread over three days, stay one
/// cluster. (A rule that took corroboration only from a pair's own half day split them.)
#[test]
fn seeds_published_over_days_stay_one_cluster() {
    let dir = tempfile::tempdir().expect("tempdir");
    for dates in [
        [
            "2024-03-24T09:00:00Z",
            "2024-03-24T21:00:00Z",
            "2024-03-25T09:00:00Z",
            "2024-03-25T21:00:00Z",
            "2024-03-26T09:00:00Z",
        ],
        [
            "2024-03-24T09:00:00Z",
            "2024-03-25T09:00:00Z",
            "2024-03-26T09:00:00Z",
            "2024-03-25T09:00:00Z",
            "2024-03-24T09:00:00Z",
        ],
    ] {
        assert_one_cluster_of_five(dir.path(), &dates.map(Some));
    }
}

#[test]
fn a_rewrite_window_keeps_articles_published_months_apart_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let week = [
        Some("2024-03-24T09:00:00Z"),
        Some("Mon, 25 Mar 2024 14:30:00 +0000"),
        Some("2024-03-26"),
        None,
        Some("2024-03-25 08:00"),
    ];
    assert_one_cluster_of_five(dir.path(), &week);

    // Seed 004 two months later; an exact copy of seed 002 published months earlier (a
    // group of copies spans its members' dates: this one does not reach May).
    let mut later = week;
    later[4] = Some("2024-05-24");
    let copy = std::fs::read_to_string(format!("{SEEDS}/002_5e4357a207b9d053.txt")).expect("seed");
    let extra = [serde_json::json!({"id": "002-copy", "text": copy, "date": "2023-12-01"})];
    let path = dated_seeds(dir.path(), &later, &extra);
    let out = neardup(&["cluster", "-q", &path]);
    let ids: Vec<String> = clustered(&out).into_iter().map(|(_, d)| d).collect();
    assert_eq!(ids, ["000", "001", "002", "002-copy", "003"], "{out}");
    let copy_row = rows(&out)
        .into_iter()
        .find(|r| r["doc_id"] == "002-copy")
        .expect("copy");
    assert_eq!(
        (copy_row["copy_of"].as_str(), copy_row["copy_kind"].as_str()),
        ("002", "exact")
    );
    // 004 pairs only with the seed that has no date (003), which is compared with every
    // other whatever their dates; the cluster takes 003 with the rest.
    // The pairs `pairs` reports with seed 004, as "a-b".
    let pairs_with_004_at = |path: &str, window: &str| -> Vec<String> {
        rows(&neardup(&["pairs", "-q", "--rewrite-window", window, path]))
            .into_iter()
            .filter(|r| r["doc_a"] == "004" || r["doc_b"] == "004")
            .map(|r| format!("{}-{}", r["doc_a"], r["doc_b"]))
            .collect()
    };
    let pairs_with_004 = |path: &str| pairs_with_004_at(path, "3d");
    // The pair shares little wording, and no third story published near 004 vouches
    // for it (`weak_witnesses`), so `pairs` does not report it.
    assert_eq!(pairs_with_004(&path), Vec::<String>::new());
    for wider in [
        &["cluster", "-q", "--rewrite-window", "90d", &path][..],
        &["cluster", "-q", "--time-field", "", &path][..],
    ] {
        let ids: Vec<String> = clustered(&neardup(wider))
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        assert_eq!(
            ids,
            ["000", "001", "002", "002-copy", "003", "004"],
            "{wider:?}"
        );
    }

    // A copy of seed 002 carried again the day after 004: the story was out then, so 004
    // joins as its rewrite; `pairs` names the copy, not 002 itself, two months earlier.
    let extra = [serde_json::json!({"id": "002-copy", "text": copy, "date": "2024-05-25"})];
    let path2 = dated_seeds(dir.path(), &later, &extra);
    let out = neardup(&["cluster", "-q", &path2]);
    let ids: Vec<String> = clustered(&out).into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        ids,
        ["000", "001", "002", "002-copy", "003", "004"],
        "{out}"
    );
    // Each of its two pairs has one witness (the other), below `weak_witnesses`: 004
    // joins by cluster support, and `pairs` lists no weak pair of it.
    assert_eq!(pairs_with_004(&path2), Vec::<String>::new());
    // With a window that spans the two months the other seeds vouch for them again.
    let wide = pairs_with_004_at(&path2, "90d");
    assert!(wide.contains(&"003-004".to_string()), "{wide:?}");
    let path = dated_seeds(dir.path(), &later, &[]);

    // `similarity --corpus` says why the pair is no rewrite.
    let sim = neardup(&["similarity", "--corpus", &path, "001", "004"]);
    assert!(
        sim.contains("published 59.40 days apart (outside the 3d window)"),
        "{sim}"
    );
    assert!(sim.contains("rewrite verdict      different ("), "{sim}");
    let json: serde_json::Value = serde_json::from_str(&neardup(&[
        "similarity",
        "--json",
        "--corpus",
        &path,
        "001",
        "000",
    ]))
    .expect("json");
    assert_eq!(json["rewrite"]["window_days"], 3.0);
    assert!(json["rewrite"]["days_apart"]
        .as_f64()
        .is_some_and(|d| (d - 1.229).abs() < 0.01));
}

/// A date that is not one stops the rewrite tier with the record's place and the value;
/// the near-duplicate tier, which does not use dates, does not read them.
#[test]
fn a_bad_date_is_an_error_naming_the_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dated_seeds(
        dir.path(),
        &[Some("2024-03-24"), Some("the 25th"), None, None, None],
        &[],
    );
    let out = Command::new(BIN)
        .args(["cluster", "-q", &path])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{path}:2: field \"date\": \"the 25th\" is not a time"
        )),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    neardup(&["cluster", "-q", "--tier", "near", &path]);
    neardup(&["cluster", "-q", "--time-field", "", &path]);

    // A numeric date whose day and month could come in either order is not guessed.
    let path = dated_seeds(
        dir.path(),
        &[Some("03/04/2024"), None, None, None, None],
        &[],
    );
    let out = Command::new(BIN)
        .args(["cluster", "-q", &path])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{path}:1: field \"date\": \"03/04/2024\" is not a time: numeric dates with '/' \
             are not read, their day and month order differs between countries"
        )),
        "{err}"
    );
}

/// Dates as news sites and JSON exports write them (a 12-hour clock, Unix milliseconds,
/// the day first with points) window the seeds as their ISO forms do.
#[test]
fn dates_in_the_forms_news_sites_write_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let week = [
        Some("March 24, 2024, 9:00 AM"),
        Some("1711377000000"),
        Some("26.03.2024"),
        None,
        Some("2024/3/25 8:00"),
    ];
    assert_one_cluster_of_five(dir.path(), &week);
    let mut later = week;
    later[4] = Some("May 24, 2024 at 6:05 p.m. EDT");
    let path = dated_seeds(dir.path(), &later, &[]);
    let ids: Vec<String> = clustered(&neardup(&["cluster", "-q", &path]))
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    assert_eq!(ids, ["000", "001", "002", "003"]);
}

/// A running story (`fixtures/running-story`, written for this test): a dock strike
/// reported over five days (the vote, the mediator's call, the talks' collapse, the
/// government's threat), each report and an outlet's rewrite of it published hours
/// later. Every report repeats the parties, the port and the issue, and shares no figure
/// with the others: without dates they verify with each other. With dates, a report at the
/// centre of such a story (three or more partners) and a report of another day are the
/// story's next development (`RewriteParams::running_partners`), and no pair of two days
/// is left. Each report's own rewrite stays its pair, but for the vote's: a weak pair (little
/// shared wording) with one witness, where corroboration asks for two.
#[test]
fn a_running_story_s_reports_of_other_days_are_not_rewrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dates = [
        ("1-vote", "2025-05-05T10:00:00Z"),
        ("1-vote-rewrite", "2025-05-05T14:30:00Z"),
        ("2-talks-called", "2025-05-07T09:00:00Z"),
        ("2-talks-called-rewrite", "2025-05-07T12:15:00Z"),
        ("3-talks-collapse", "2025-05-08T22:00:00Z"),
        ("3-talks-collapse-rewrite", "2025-05-09T06:40:00Z"),
        ("4-government", "2025-05-10T11:00:00Z"),
        ("4-government-rewrite", "2025-05-10T16:05:00Z"),
    ];
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/running-story");
    let mut records = String::new();
    for (id, date) in dates {
        let text = std::fs::read_to_string(format!("{fixtures}/{id}.txt")).expect("fixture");
        records.push_str(&serde_json::json!({ "id": id, "text": text, "date": date }).to_string());
        records.push('\n');
    }
    let path = dir.path().join("strike.jsonl");
    std::fs::write(&path, records).expect("write");
    let path = path.to_str().expect("path");
    let pairs_of = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["pairs", "-q", "--tier", "rewrite"];
        all.extend_from_slice(args);
        all.push(path);
        rows(&neardup(&all))
            .into_iter()
            .map(|r| format!("{} {}", r["doc_a"], r["doc_b"]))
            .collect()
    };
    assert_eq!(
        pairs_of(&[]),
        [
            "2-talks-called 2-talks-called-rewrite",
            "3-talks-collapse 3-talks-collapse-rewrite",
            "4-government 4-government-rewrite",
        ]
    );
    let undated = pairs_of(&["--time-field", ""]);
    assert!(
        undated.contains(&"3-talks-collapse 4-government".to_string()) && undated.len() > 10,
        "{undated:?}"
    );
    // The talks' collapse and the government's threat stay apart in `cluster` too.
    let out = neardup(&["cluster", "-q", path]);
    let cluster_of = |doc: &str| {
        rows(&out)
            .into_iter()
            .find(|r| r["doc_id"] == doc)
            .map(|r| r["cluster_id"].clone())
    };
    for id in ["3-talks-collapse", "4-government"] {
        assert!(cluster_of(id).is_some(), "{id} in no cluster: {out}");
        assert_eq!(
            cluster_of(id),
            cluster_of(&format!("{id}-rewrite")),
            "{out}"
        );
    }
    assert_ne!(
        cluster_of("3-talks-collapse"),
        cluster_of("4-government"),
        "{out}"
    );
    assert_ne!(
        cluster_of("2-talks-called"),
        cluster_of("3-talks-collapse"),
        "{out}"
    );
    // `similarity --corpus` says why.
    let verdict = |a: &str, b: &str| {
        let out = neardup(&["similarity", "--json", "--corpus", path, a, b]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let rw = &v["rewrite"];
        (rw["verdict"].clone(), rw["running_development"].clone())
    };
    assert_eq!(
        verdict("3-talks-collapse", "4-government"),
        (serde_json::json!("different"), serde_json::json!(true))
    );
    assert_eq!(
        verdict("3-talks-collapse", "3-talks-collapse-rewrite"),
        (serde_json::json!("rewrite"), serde_json::json!(false))
    );
}
