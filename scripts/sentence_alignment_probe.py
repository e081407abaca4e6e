#!/usr/bin/env python3
"""Probe: do two articles share aligned sentences? (research for the rewrite tier; not used
by neardup)

A rewrite made sentence by sentence (a content farm's paraphrase, a machine translation)
keeps, for some of its sentences, a recognisable share of the source sentence's rare words;
another story on the same event shares the event's words spread over the text. For each
pair this prints, for every sentence of either article (at least four content words), the
best weighted Jaccard with a sentence of the other (content stems, idf over the corpus),
summarised as the share of sentences whose best match reaches CUT:

  python3 scripts/sentence_alignment_probe.py CORPUS.jsonl PAIRS.csv [--cut 0.25]

CORPUS is JSONL {"id", "text"} (the idf comes from it); PAIRS has columns id_a,id_b and
optionally more, copied to the output. Light stemming and the stopwords of the Rust tokeniser
(from scripts/rewrite_proto.py); an approximation of neardup's features, for deciding what to build.
"""

import argparse
import collections
import csv
import json
import math
import os
import re
import sys

# The reference prototype's stemmer and stopwords (those of the Rust tokeniser).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewrite_proto import STOP, stem  # noqa: E402

WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|\d[\d,.]*")


def content(text):
    return {s for s in (stem(w.lower()) for w in WORD.findall(text)) if s not in STOP}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("pairs")
    ap.add_argument("--cut", type=float, default=0.25)
    a = ap.parse_args()
    docs = {}
    with open(a.corpus, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    r = json.loads(line)
                    docs[str(r["id"])] = r["text"]
                except (ValueError, KeyError) as e:
                    sys.exit("%s:%d: not a record with id and text (%s)" % (a.corpus, n, e))
    df = collections.Counter()
    for t in docs.values():
        df.update(content(t))
    n_docs = len(docs)

    def idf(f):
        return math.log(n_docs / df[f]) if df[f] else math.log(n_docs)

    def sentences(i):
        parts = re.split(r"(?<=[.!?])\s+|\n+", docs[i])
        return [s for s in (content(p) for p in parts) if len(s) >= 4]

    def wj(x, y):
        u = sum(idf(f) for f in x | y)
        return sum(idf(f) for f in x & y) / u if u else 0.0

    w = csv.writer(sys.stdout)
    with open(a.pairs, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return
    extra = [k for k in rows[0] if k not in ("id_a", "id_b")]
    w.writerow(["id_a", "id_b"] + extra + ["sentences_a", "sentences_b", "aligned_share_min",
                                           "aligned_share_max", "best"])
    for r in rows:
        ia, ib = r["id_a"], r["id_b"]
        if ia not in docs or ib not in docs:
            sys.exit("%s: id %s not in the corpus" % (a.pairs, ia if ia not in docs else ib))
        sa, sb = sentences(ia), sentences(ib)
        if not sa or not sb:
            w.writerow([ia, ib] + [r[k] for k in extra] + [len(sa), len(sb), 0, 0, 0])
            continue
        best_a = [max(wj(s, t) for t in sb) for s in sa]
        best_b = [max(wj(t, s) for s in sa) for t in sb]
        share_a = sum(x >= a.cut for x in best_a) / len(sa)
        share_b = sum(x >= a.cut for x in best_b) / len(sb)
        w.writerow([ia, ib] + [r[k] for k in extra] + [len(sa), len(sb), "%.3f" % min(share_a, share_b),
                                                       "%.3f" % max(share_a, share_b), "%.3f" % max(best_a)])


if __name__ == "__main__":
    main()
