#!/usr/bin/env bash
# Pre-ingest filter benchmark: index a corpus of N articles but the last M, open the index,
# then filter the last M.
#
#   scripts/bench_filter.sh [N] [M]     (defaults: 1000000 articles, the last 20000 filtered)
#   TIER=all scripts/bench_filter.sh …  (the index made with the rewrite tier; default near)
#
# Uses the corpus of scripts/bench_scale.sh (made if missing, under $WORK, default
# /tmp/neardup-bench): the first N − M documents are indexed with `neardup index build`,
# the last M are piped through `neardup filter` at the default durability (--sync always).
# Prints wall time and peak RSS of each step, index size on disk, and the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
M=${2:-20000}
TIER=${TIER:-near}
WORK=${WORK:-/tmp/neardup-bench}
mkdir -p "$WORK"
cargo build --release --quiet --bin neardup --example make_corpus
[ -s "$WORK/reuters.jsonl" ] || python3 scripts/reuters_to_jsonl.py -o "$WORK/reuters.jsonl" 2>/dev/null
CORPUS="$WORK/corpus-$N.jsonl"
[ -s "$CORPUS" ] || ./target/release/examples/make_corpus "$WORK/reuters.jsonl" "$N" "$CORPUS" "$WORK/truth-$N.csv"
INDEXED=$((N - M))
head -n "$INDEXED" "$CORPUS" > "$WORK/index-part.jsonl"
tail -n "$M" "$CORPUS" > "$WORK/filter-part.jsonl"
IDX="$WORK/idx-$N"
rm -rf "$IDX"
B=./target/release/neardup
measure() { /usr/bin/time -f "%e %M" -o "$WORK/t.txt" "$@"; read -r secs kb < "$WORK/t.txt"; }
measure $B index build "$WORK/index-part.jsonl" --index "$IDX" --tier "$TIER" -q
echo "index build: $INDEXED articles in ${secs} s ($(awk -v n="$INDEXED" -v s="$secs" 'BEGIN{printf "%.0f", n/s}') articles/s), peak RSS $((kb / 1024)) MB"
echo "index on disk: $(du -sh "$IDX" | cut -f1)"
DOCS=$($B index stats --index "$IDX" --json | sed 's/^{"docs":\([0-9]*\).*/\1/')
echo "indexed: $DOCS articles (the rest were duplicates)"
for _ in 1 2 3; do measure $B index stats --index "$IDX" > /dev/null; echo "open (index stats): ${secs} s, peak RSS $((kb / 1024)) MB ($(awk -v k="$kb" -v n="$DOCS" 'BEGIN{printf "%.0f", k*1024/n}') bytes per indexed article)"; done
open_secs=$secs
measure sh -c "$B filter --index '$IDX' -q < '$WORK/filter-part.jsonl' > '$WORK/verdicts.jsonl'"
echo "filter: $M articles in ${secs} s including open ($(awk -v n="$M" -v s="$secs" 'BEGIN{printf "%.0f", n/s}') articles/s; ≈ $(awk -v n="$M" -v s="$secs" -v o="$open_secs" 'BEGIN{printf "%.0f", n/(s-o)}') articles/s after an open of ${open_secs} s), peak RSS $((kb / 1024)) MB"
echo "verdicts: $(cut -d, -f2 "$WORK/verdicts.jsonl" | sort | uniq -c | tr '\n' ' ')"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
