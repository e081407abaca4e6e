#!/usr/bin/env python3
"""The seeds among real news on their subject: does the seed cluster stay exact?

The acceptance test mixes the five seeds into all of Reuters-21578 and real news the tool
has not seen, same-topic articles among them. This script runs that test on news texts you
collected (they are third parties' text: keep them outside the repository;
docs/real-news-sources.tsv lists the addresses of the ones measured in the README):

  python3 scripts/real_news_mix.py reuters.jsonl NEWS.jsonl [NEWS2.jsonl ...]

NEWS files are JSONL records {"id": ..., "text": ...}. An id starting with `rw-` marks a
genuine rewrite of the seeds' story (it should join them); every other article should not.
Three mixes are clustered with `neardup cluster --tier all` (default settings):

  full     seeds + news + Reuters-21578
  no-rw    the same without the `rw-` articles (the acceptance test's setting)
  small    seeds + news, no Reuters

For each it prints how many seeds the largest seed cluster holds, the seeds elsewhere, the
`rw-` articles that joined, and every other article in a seed cluster (an intruder) with its
similarity. Exit status 1 when any mix splits the seeds or lets an intruder in.
"""

import argparse
import collections
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seeds():
    d = os.path.join(root, "fixtures", "seeds")
    return [{"id": "seed-" + f[:-4], "text": open(os.path.join(d, f), encoding="utf-8").read()}
            for f in sorted(os.listdir(d)) if f.endswith(".txt")]


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                out.append({"id": str(rec["id"]), "text": rec["text"]})
            except (ValueError, KeyError) as e:
                sys.exit("%s:%d: not a record with id and text (%s)" % (path, n, e))
    return out


def run(binary, docs, tmp):
    path = os.path.join(tmp, "mix.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    out = subprocess.run([binary, "cluster", "-q", "--tier", "all", path],
                         capture_output=True, text=True, check=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def report(name, rows, seed_ids):
    cluster = {r["doc_id"]: r["cluster_id"] for r in rows}
    counts = collections.Counter(cluster[s] for s in seed_ids if s in cluster)
    homes = set(counts)
    held = counts.most_common(1)[0][1] if counts else 0
    alone = [s for s in seed_ids if s not in cluster]
    joined_rw = sorted(r["doc_id"] for r in rows
                       if r["cluster_id"] in homes and r["doc_id"].startswith("rw-"))
    intruders = sorted((r["doc_id"], r["similarity"]) for r in rows
                       if r["cluster_id"] in homes and r["doc_id"] not in seed_ids
                       and not r["doc_id"].startswith("rw-"))
    print("%-6s seeds held together: %d of 5 (%d seed clusters; in none: %s)"
          % (name, held, len(homes), ", ".join(alone) or "-"))
    print("       rw- joined: %s" % (", ".join(joined_rw) or "-"))
    print("       intruders: %s" % (", ".join("%s (%s)" % x for x in intruders) or "-"))
    return held == 5 and len(homes) == 1 and not intruders


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reuters", help="JSONL from scripts/reuters_to_jsonl.py (without --with-seeds)")
    ap.add_argument("news", nargs="+", help="JSONL files of real news texts")
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "neardup"))
    a = ap.parse_args()
    s = seeds()
    seed_ids = [d["id"] for d in s]
    news = [d for path in a.news for d in read_jsonl(path)]
    reuters = [d for d in read_jsonl(a.reuters) if not d["id"].startswith("seed-")]
    no_rw = [d for d in news if not d["id"].startswith("rw-")]
    print("%d news articles (%d marked rw-), %d Reuters-21578 documents"
          % (len(news), len(news) - len(no_rw), len(reuters)))
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, docs in [("full", s + news + reuters), ("no-rw", s + no_rw + reuters),
                           ("small", s + news)]:
            ok &= report(name, run(a.bin, docs, tmp), seed_ids)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
