#!/usr/bin/env python3
"""Print a reproducible random sample of rewrite pairs with both texts, for hand judging.

Usage: python3 scripts/rewrite_sample.py CORPUS.jsonl PAIRS.csv [-n 30] [--seed 1] [--chars 300]
PAIRS.csv is `neardup pairs --tier all` output; only rows with kind=rewrite are sampled.
"""
import argparse, csv, json, random

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("corpus")
ap.add_argument("pairs")
ap.add_argument("-n", type=int, default=30)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--chars", type=int, default=300)
a = ap.parse_args()
text = {}
with open(a.corpus, encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        text[str(d["id"])] = d.get("text", "")
rows = [r for r in csv.DictReader(open(a.pairs, encoding="utf-8")) if r.get("kind") == "rewrite"]
print("%d rewrite pairs" % len(rows))
random.seed(a.seed)
for k, r in enumerate(random.sample(rows, min(a.n, len(rows))), 1):
    ia, ib = r["doc_a"], r["doc_b"]
    print("=" * 100)
    print("%d. %s  %s  V=%s" % (k, ia, ib, r.get("jaccard")))
    for i in (ia, ib):
        print("--- %s: %s" % (i, " ".join(text[i].split())[: a.chars]))
