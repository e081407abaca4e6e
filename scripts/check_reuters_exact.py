#!/usr/bin/env python3
"""Check that every exact duplicate in a JSONL corpus lands in a kind=exact cluster.

Usage: scripts/check_reuters_exact.py CORPUS.jsonl CLUSTERS.csv

Groups the corpus by identical text (white space collapsed), then checks, for every group of
two or more, that all its documents are in one cluster of the clusters CSV written by
`neardup cluster` and that each of them has kind `exact` relative to the cluster's
representative, or (when the representative is a different text) that they are all in the
same cluster. Prints a summary; exits 1 on any violation.
"""
import csv
import json
import sys
from collections import defaultdict


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    corpus, clusters = sys.argv[1], sys.argv[2]
    by_text = defaultdict(list)
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            by_text[" ".join(rec["text"].split())].append(rec["id"])
    groups = [ids for ids in by_text.values() if len(ids) > 1]
    rows = {}
    with open(clusters, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["doc_id"]] = row
    bad = 0
    exact_rows = 0
    for ids in groups:
        found = [rows.get(i) for i in ids]
        if any(r is None for r in found):
            print("not clustered:", ids)
            bad += 1
            continue
        if len({r["cluster_id"] for r in found}) != 1:
            print("split over clusters:", ids)
            bad += 1
            continue
        rep = found[0]["representative_id"]
        if rep in ids:
            if any(r["kind"] != "exact" for r in found):
                print("kind is not exact:", ids, [r["kind"] for r in found])
                bad += 1
                continue
            exact_rows += len(ids)
    docs = sum(len(g) for g in groups)
    print(f"{len(groups)} exact-duplicate groups ({docs} docs); {bad} violations; "
          f"{exact_rows} docs in groups led by one of their own, all kind=exact")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
