#!/usr/bin/env python3
"""Evaluate neardup's default verdicts on MSRP (Microsoft Research Paraphrase Corpus).

Turns an MSRP split (e.g. ../shared/data/msrp/msr_paraphrase_train.txt: Quality, #1 ID,
#2 ID, #1 String, #2 String) into
  * a JSONL corpus of every sentence, {"id": <sentence id>, "text": <sentence>}, and
  * a labels CSV id_a,id_b,label (1 = paraphrase),
runs `neardup pairs` on the corpus at default settings and `neardup eval` of the pairs it
reports against the labels: a labelled pair counts as "same" exactly when `pairs` reports it.

Usage: python3 scripts/msrp_eval.py [--msrp FILE] [--bin target/release/neardup] [--work DIR]
                                    [--sample N --seed S]
--sample N evaluates N pairs drawn at random (seed S) as a corpus of their own sentences:
how far a split of the held-out test split's size (1 725 pairs) may land from the whole
training file.
The data is not redistributable: outputs go to --work (default /tmp/msrp), never the repo.
"""

import argparse
import json
import os
import random
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--msrp",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "msrp", "msr_paraphrase_train.txt"),
    )
    ap.add_argument("--bin", default="target/release/neardup")
    ap.add_argument("--work", default="/tmp/msrp")
    ap.add_argument("--sample", type=int, default=0, help="evaluate N pairs drawn at random")
    ap.add_argument("--seed", type=int, default=1, help="seed of --sample")
    ap.add_argument("extra", nargs="*", help="extra arguments for `neardup pairs`")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    corpus = os.path.join(args.work, "corpus.jsonl")
    labels = os.path.join(args.work, "labels.csv")
    pairs = os.path.join(args.work, "pairs.csv")
    sentences = {}
    n = 0
    with open(args.msrp, encoding="utf-8-sig") as f:
        next(f)
        rows = f.readlines()
    if args.sample:
        rows = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))
    with open(labels, "w", encoding="utf-8") as lab:
        lab.write("id_a,id_b,label\n")
        for line in rows:
            p = line.rstrip("\n").split("\t")
            if len(p) != 5:
                continue
            q, i1, i2, s1, s2 = p
            sentences.setdefault(i1, s1)
            sentences.setdefault(i2, s2)
            lab.write("%s,%s,%s\n" % (i1, i2, q))
            n += 1
    with open(corpus, "w", encoding="utf-8") as out:
        for i, s in sentences.items():
            out.write(json.dumps({"id": i, "text": s}, ensure_ascii=False) + "\n")
    print("%d labelled pairs, %d sentences" % (n, len(sentences)), file=sys.stderr)
    subprocess.run([args.bin, "pairs", "-q", corpus, "-o", pairs] + args.extra, check=True)
    subprocess.run([args.bin, "eval", pairs, "--labels", labels], check=True)


if __name__ == "__main__":
    main()
