#!/usr/bin/env bash
# End-to-end scale benchmark: `neardup cluster --tier near` on N generated ~3 KB articles.
#
#   scripts/bench_scale.sh [N] [RUNS]      (defaults: 1000000 docs, 3 runs)
#   TIER=all scripts/bench_scale.sh N      (the rewrite tier too: `cluster`'s own default)
#
# Converts Reuters-21578 from ../shared (research licence: read, never committed), makes the
# corpus with examples/make_corpus.rs under $WORK (default /tmp/neardup-bench), then runs
# `neardup cluster --tier $TIER` RUNS times and prints the median wall time, peak RSS, input size and the
# machine. Accuracy against the planted truth is printed with `neardup eval`.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
RUNS=${2:-3}
WORK=${WORK:-/tmp/neardup-bench}
TIER=${TIER:-near}
mkdir -p "$WORK"
cargo build --release --quiet --bin neardup --example make_corpus
[ -s "$WORK/reuters.jsonl" ] || python3 scripts/reuters_to_jsonl.py -o "$WORK/reuters.jsonl" 2>/dev/null
CORPUS="$WORK/corpus-$N.jsonl"
TRUTH="$WORK/truth-$N.csv"
[ -s "$TRUTH" ] || ./target/release/examples/make_corpus "$WORK/reuters.jsonl" "$N" "$CORPUS" "$TRUTH"
times=()
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
    ./target/release/neardup cluster "$CORPUS" --tier "$TIER" -q -o "$WORK/clusters-$N.csv"
  times+=("$(cat "$WORK/time.txt")")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$RUNS" -v size="$(stat -c %s "$CORPUS")" -v docs="$N" '
  { t[NR]=$1; m[NR]=$2 }
  END { med=t[int((n+1)/2)]; maxm=0; for(i=1;i<=n;i++) if(m[i]>maxm) maxm=m[i];
        printf "docs %d, input %.2f GB, median wall %.2f s of %d runs (%s), peak RSS %.2f GB (%.2f× input)\n",
          docs, size/1e9, med, n, "all: " t[1] (n>1?", " t[2]:"") (n>2?", " t[3]:""), maxm*1024/1e9, maxm*1024/size }'
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB"
./target/release/neardup eval "$WORK/clusters-$N.csv" --truth "$TRUTH" | sed 's/^/planted truth: /'
