#!/usr/bin/env python3
"""Do the five seed rewrites stay one cluster, and take no other article, in corpora of
every size? Mixes fixtures/seeds, fixtures/same-topic and fixtures/same-story into random
samples of Reuters-21578 (N documents each, several draws per N, shuffled) and runs
`neardup cluster --tier all` on each.

Usage:
  python3 scripts/reuters_to_jsonl.py -o reuters.jsonl
  python3 scripts/seed_robustness.py reuters.jsonl [--sizes 0,100,500,2000] [--draws 5]
      [--variants K] [--bin target/release/neardup]

--variants K adds, for each same-topic/same-story article, K trimmed copies (each paragraph
kept with probability 0.7): a topical collection in which every other story on the seeds'
subject was carried by several outlets, so the subject's own words are common in it.

Prints, per N and draw, how many seeds share the seeds' largest cluster and how many other
documents are in it; exits 1 if any draw is not exactly the five seeds.
"""
import argparse, collections, csv, io, json, os, random, subprocess, sys, tempfile

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("reuters", help="JSONL from scripts/reuters_to_jsonl.py (without --with-seeds)")
ap.add_argument("--sizes", default="0,100,500,2000")
ap.add_argument("--draws", type=int, default=5)
ap.add_argument("--variants", type=int, default=0)
ap.add_argument("--bin", default="target/release/neardup")
a = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def records(folder, prefix):
    d = os.path.join(root, "fixtures", folder)
    return [json.dumps({"id": prefix + f[:-4], "text": open(os.path.join(d, f), encoding="utf-8").read()}) + "\n"
            for f in sorted(os.listdir(d)) if f.endswith(".txt")]


seeds = records("seeds", "seed-")
others = records("same-topic", "topic-") + records("same-story", "story-")
trim = random.Random(1)
variants = []
for line in others:
    d = json.loads(line)
    paras = [p for p in d["text"].split("\n") if p.strip()]
    for k in range(a.variants):
        kept = [p for p in paras if trim.random() > 0.3] or paras
        variants.append(json.dumps({"id": "%s-v%d" % (d["id"], k), "text": "\n".join(kept)}) + "\n")
others += variants
reuters = [l for l in open(a.reuters, encoding="utf-8") if not json.loads(l)["id"].startswith("seed-")]
bad = 0
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "corpus.jsonl")
    for n in [int(x) for x in a.sizes.split(",")]:
        results = []
        for draw in range(a.draws):
            rnd = random.Random(n * 100 + draw)
            docs = rnd.sample(reuters, n) + others + seeds
            rnd.shuffle(docs)
            open(path, "w", encoding="utf-8").writelines(docs)
            out = subprocess.run([a.bin, "cluster", "-q", "--tier", "all", path],
                                 capture_output=True, text=True, check=True).stdout
            cluster = {r["doc_id"]: r["cluster_id"] for r in csv.DictReader(io.StringIO(out))}
            ids = [cluster.get(json.loads(s)["id"]) for s in seeds]
            top = collections.Counter(c for c in ids if c).most_common(1)
            held = top[0][1] if top else 0
            extra = sum(1 for d, c in cluster.items() if top and c == top[0][0] and not d.startswith("seed-"))
            results.append("%d seeds + %d others" % (held, extra))
            bad += (held, extra) != (5, 0)
        print("N = %5d Reuters documents + %d same-topic/same-story + 5 seeds: %s"
              % (n, len(others), "; ".join(results)), flush=True)
sys.exit(1 if bad else 0)
