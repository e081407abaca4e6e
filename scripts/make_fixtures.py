#!/usr/bin/env python3
"""Generate fixtures/bad/ and fixtures/mini/, and check all fixtures.

fixtures/seeds/ and fixtures/near/ are hand-made files (copies of
../shared/seeds and hand-edited variants); this script never writes them.
It writes, deterministically (same bytes on every run):

  fixtures/bad/   small malformed inputs for error tests, and README.md
                  saying what is wrong in each and at which line;
  fixtures/mini/  corpus.jsonl, corpus.csv, corpus.jsonl.gz (gzip with
                  mtime 0 and no file name) and expected_clusters.csv,
                  built from the .txt files of fixtures/near/ plus one
                  verbatim re-send of seed001 under another id.

With --check it writes nothing and instead verifies that the files on disk
are what it would generate, that fixtures/seeds/ matches ../shared/seeds/
byte for byte (when that directory exists), and that every expected
cluster member has word-5-shingle Jaccard >= 0.85 with its cluster's
original while documents of different clusters stay below 0.1 (the measure
of scripts/shingle_jaccard.py). Exit status 1 if anything is off.
"""

import argparse
import csv
import gzip
import io
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shingle_jaccard import jaccard, shingles, tokens  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"
SHARED_SEEDS = ROOT / ".." / "shared" / "seeds"
NEAR_MIN = 0.85
APART_MAX = 0.1

# Records of the mini corpus, in output order: (id, file in fixtures/near, source, url).
# Originals come first so that a "first seen" representative equals cluster_id.
# Sources and URLs are invented; the domains are reserved (RFC 2606).
MINI = [
    ("seed000", "seed000", "frontline-report", "https://frontline-report.example.com/world/isis-k-claims-moscow-attack"),
    ("seed001", "seed001", "daily-ledger", "https://daily-ledger.example.org/2024/03/moscow-attack-facts"),
    ("seed002", "seed002", "media-group", "https://media-group.example.net/world/isis-k-suspects-trial"),
    ("seed003", "seed003", "news-mirror", "https://news-mirror.example.com/isis-k-resurgence"),
    ("seed004", "seed004", "security-brief", "https://security-brief.example.org/analysis/isis-k-central-asia"),
    ("seed000-trimmed", "seed000-trimmed", "aggregator", "https://aggregator.example.com/a/100231"),
    ("seed000-noad", "seed000-noad", "frontline-report", "https://frontline-report.example.com/amp/world/isis-k-claims-moscow-attack"),
    ("seed001-resend", "seed001", "daily-ledger", "https://daily-ledger.example.org/2024/03/moscow-attack-facts?update=1"),
    ("seed002-boilerplate", "seed002-boilerplate", "repost-hub", "https://repost-hub.example.net/p/88412"),
    ("seed002-copy", "seed002-copy", "mailing-list", "https://lists.example.org/archive/2024-03/0042"),
    ("seed003-nofooter", "seed003-nofooter", "aggregator", "https://aggregator.example.com/a/100318"),
    ("seed004-reworded", "seed004-reworded", "security-brief", "https://security-brief.example.org/analysis/isis-k-central-asia-v2"),
]

# Every bad file: name -> (bytes, README line). Sentences are invented.


def _jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")


BAD = {
    "malformed.jsonl": (
        _jsonl([{"id": "p1", "text": "The city council approved a new budget for road repairs on Tuesday."},
                {"id": "p2", "text": "Heavy rain forced the closure of two schools in the valley district."}])
        + b'{"id": "p3", "text": "Shares in the regional airline fell after it cut its summer schedule."\n'
        + _jsonl([{"id": "p4", "text": "The port authority said container traffic rose for a third month."}]),
        "line 3 is not valid JSON (the object is truncated: closing `}` missing).",
    ),
    "missing_text.jsonl": (
        _jsonl([{"id": "m1", "text": "A new ferry route between the two islands will open in June."},
                {"id": "m2", "title": "Harbour reopens", "body": "The harbour reopened to fishing boats after storm repairs."},
                {"id": "m3", "text": "The national library is digitising its collection of old maps."}]),
        'line 2 has no "text" field (it has "title" and "body" instead).',
    ),
    "duplicate_id.jsonl": (
        _jsonl([{"id": "d1", "text": "Farmers expect a smaller wheat harvest after a dry spring."},
                {"id": "d2", "text": "The central bank kept its main interest rate unchanged."},
                {"id": "d3", "text": "A power cut left several thousand homes without electricity overnight."},
                {"id": "d1", "text": "Officials said the bridge will stay closed until the inspection ends."},
                {"id": "d5", "text": "The tennis final was postponed because of strong winds."}]),
        'line 4 repeats the id "d1" of line 1 (with a different text).',
    ),
    "invalid_utf8.jsonl": (
        _jsonl([{"id": "u1", "text": "The regional hospital opened a new emergency wing on Friday."}])
        + b'{"id": "u2", "text": "The caf\xe9 on the main square reopened after a fire in\xff\xfe the kitchen."}\n'
        + _jsonl([{"id": "u3", "text": "Bus fares will rise by five percent from next month."}]),
        "line 2 contains invalid UTF-8: byte 0xE9 (a Latin-1 `é`) at `caf`, and bytes 0xFF 0xFE.",
    ),
    "bad_row.csv": (
        b"id,text\n"
        b'c1,"Firefighters contained a grass fire near the motorway, officials said."\n'
        b"c2,The museum will extend its opening hours during the summer.\n"
        b"c3,Retail sales rose 2% in May, the statistics office said.\n"
        b'c4,"Train services between the two cities resumed on Monday."\n',
        "row 3 (file line 4, id c3) has 3 fields instead of 2: an unquoted comma in the text.",
    ),
    "missing_column.csv": (
        b"id,body\n"
        b"x1,The town hall will host a job fair for young people next week.\n"
        b"x2,Police closed the coastal road after a landslide on Sunday.\n",
        'line 1, the header, has no `text` column (it is `id,body`).',
    ),
}


def bad_files():
    readme = ["# fixtures/bad", "",
              "Malformed inputs for error tests, generated by `scripts/make_fixtures.py`.",
              "Line numbers are 1-based file lines; all other lines are valid.", ""]
    files = {}
    for name, (data, what) in BAD.items():
        files[name] = data
        readme.append(f"- `{name}`: {what}")
    files["README.md"] = ("\n".join(readme) + "\n").encode("utf-8")
    return files


def mini_files():
    near = FIX / "near"
    recs = []
    for doc_id, stem, source, url in MINI:
        text = (near / f"{stem}.txt").read_text(encoding="utf-8")
        recs.append({"id": doc_id, "source": source, "text": text, "url": url})
    jsonl = _jsonl_utf8(recs)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "source", "text"])
    for r in recs:
        w.writerow([r["id"], r["source"], r["text"]])
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0) as f:
        f.write(jsonl)
    # Every mini record belongs to the cluster of the seed it was made from.
    rows = sorted(((doc_id.split("-")[0], doc_id) for doc_id, _, _, _ in MINI))
    clusters = "doc_id,cluster_id\n" + "".join(f"{d},{c}\n" for c, d in rows)
    return {
        "corpus.jsonl": jsonl,
        "corpus.csv": buf.getvalue().encode("utf-8"),
        "corpus.jsonl.gz": gz.getvalue(),
        "expected_clusters.csv": clusters.encode("utf-8"),
    }


def _jsonl_utf8(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def read_clusters(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["doc_id", "cluster_id"], f"{path}: bad header {rows[0]}"
    return {doc: cluster for doc, cluster in rows[1:]}


def check_similarity(label, texts, clusters, problems):
    """texts: doc_id -> text; clusters: doc_id -> cluster_id (clustered docs only)."""
    sets = {d: shingles(tokens(t), 5) for d, t in texts.items()}
    for doc, cluster in clusters.items():
        if doc not in texts or cluster not in texts:
            problems.append(f"{label}: {doc} or {cluster} missing")
            continue
        if clusters.get(cluster) != cluster:
            problems.append(f"{label}: cluster id {cluster} is not itself listed in its cluster")
        if doc != cluster:
            j = jaccard(sets[doc], sets[cluster])
            if j < NEAR_MIN:
                problems.append(f"{label}: J({doc}, {cluster}) = {j:.4f} < {NEAR_MIN}")
    for a, b in itertools.combinations(sorted(texts), 2):
        ca, cb = clusters.get(a, a), clusters.get(b, b)
        if ca != cb:
            j = jaccard(sets[a], sets[b])
            if j >= APART_MAX:
                problems.append(f"{label}: J({a}, {b}) = {j:.4f} >= {APART_MAX} across clusters")
    sizes = {}
    for cluster in clusters.values():
        sizes[cluster] = sizes.get(cluster, 0) + 1
    for cluster, n in sizes.items():
        if n < 2:
            problems.append(f"{label}: cluster {cluster} has only {n} member")


def check(problems):
    # Generated files are up to date.
    for sub, files in (("bad", bad_files()), ("mini", mini_files())):
        for name, data in files.items():
            path = FIX / sub / name
            if not path.exists() or path.read_bytes() != data:
                problems.append(f"{path.relative_to(ROOT)} differs from generated; rerun the script")
    # Seeds are byte-exact copies.
    if SHARED_SEEDS.is_dir():
        ours = sorted(p.name for p in (FIX / "seeds").glob("*.txt"))
        theirs = sorted(p.name for p in SHARED_SEEDS.glob("*.txt"))
        if ours != theirs:
            problems.append(f"fixtures/seeds names {ours} != {theirs}")
        for name in theirs:
            if (FIX / "seeds" / name).read_bytes() != (SHARED_SEEDS / name).read_bytes():
                problems.append(f"fixtures/seeds/{name} differs from ../shared/seeds")
    # near/seedNNN.txt are the originals, unchanged.
    for seed in sorted((FIX / "seeds").glob("*.txt")):
        copy = FIX / "near" / f"seed{seed.name[:3]}.txt"
        if not copy.exists() or copy.read_bytes() != seed.read_bytes():
            problems.append(f"{copy.relative_to(ROOT)} is not a copy of fixtures/seeds/{seed.name}")
    # Near-duplicate structure of near/ and mini/.
    near = {p.stem: p.read_text(encoding="utf-8") for p in (FIX / "near").glob("*.txt")}
    check_similarity("near", near, read_clusters(FIX / "near" / "expected_clusters.csv"), problems)
    mini = {}
    with open(FIX / "mini" / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            mini[rec["id"]] = rec["text"]
    check_similarity("mini", mini, read_clusters(FIX / "mini" / "expected_clusters.csv"), problems)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; verify the fixtures and exit 1 on any problem")
    args = parser.parse_args(argv)
    if args.check:
        problems = []
        check(problems)
        for p in problems:
            print(f"make_fixtures: {p}", file=sys.stderr)
        print(f"make_fixtures: {'FAILED' if problems else 'ok'}", file=sys.stderr)
        return 1 if problems else 0
    for sub, files in (("bad", bad_files()), ("mini", mini_files())):
        (FIX / sub).mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (FIX / sub / name).write_bytes(data)
            print(f"wrote fixtures/{sub}/{name} ({len(data)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
