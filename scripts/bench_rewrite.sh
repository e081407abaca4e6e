#!/usr/bin/env bash
# Rewrite-tier cost against the near-duplicate tier on Reuters-21578 + the five seeds.
#
#   scripts/bench_rewrite.sh [RUNS] [THREADS]     (defaults: 5 runs, 1 rayon thread)
#
# Runs `neardup cluster CORPUS --tier near` and `--tier all` RUNS times each, alternating,
# and prints the median wall time, user CPU time and peak RSS of each, the ratios
# all / near, and the load average before and after. With one rayon thread (the default)
# user time is the CPU cost and is the figure to compare on a loaded machine; pass 0 as
# THREADS to let rayon use every core (then wall time is the figure, and needs a quiet
# machine).
#
# The corpus ($CORPUS, default /tmp/rw_rs.jsonl) is made with
# `scripts/reuters_to_jsonl.py --with-seeds fixtures/seeds` when missing (Reuters-21578 in
# ../shared/data/reuters21578, research use only: the corpus stays outside the repository).
# For a per-stage CPU breakdown, run
#   RAYON_NUM_THREADS=1 ./target/release/examples/rewrite_stages "$CORPUS"
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
THREADS=${2:-1}
CORPUS=${CORPUS:-/tmp/rw_rs.jsonl}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --bin neardup --example rewrite_stages </dev/null
[ -s "$CORPUS" ] || python3 scripts/reuters_to_jsonl.py --with-seeds fixtures/seeds -o "$CORPUS"
B=./target/release/neardup
if [ "$THREADS" = 0 ]; then unset RAYON_NUM_THREADS; else export RAYON_NUM_THREADS=$THREADS; fi
echo "corpus: $CORPUS ($(wc -l < "$CORPUS") documents), rayon threads: ${RAYON_NUM_THREADS:-all}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$RUNS"); do
  for tier in near all; do
    /usr/bin/time -f "%e %U %M" -a -o "$WORK/$tier.txt" \
      "$B" cluster "$CORPUS" --tier "$tier" -q -o /dev/null
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
for tier in near all; do
  wall=$(cut -d' ' -f1 "$WORK/$tier.txt" | median)
  user=$(cut -d' ' -f2 "$WORK/$tier.txt" | median)
  rss=$(cut -d' ' -f3 "$WORK/$tier.txt" | median)
  echo "$tier $wall $user $rss" >> "$WORK/medians.txt"
  printf -- "--tier %-4s median of %d: wall %5.2f s, user %5.2f s, peak RSS %4d MB (runs, wall/user: %s)\n" \
    "$tier" "$RUNS" "$wall" "$user" $((${rss%.*} / 1024)) \
    "$(awk '{printf "%s/%s ", $1, $2}' "$WORK/$tier.txt")"
done
awk '{w[$1]=$2; u[$1]=$3} END{printf "ratio all / near: wall %.1f×, user %.1f×\n", w["all"]/w["near"], u["all"]/u["near"]}' "$WORK/medians.txt"
