#!/usr/bin/env python3
"""Build data/background_en.tsv: the background word-frequency table of the rewrite tier.

Writes the N most frequent English words of wordfreq (https://github.com/rspeer/wordfreq)
with their Zipf frequency (log10 of occurrences per billion words), one `word<TAB>zipf` per
line, after a `#` header that carries the attribution the data licence requires.

wordfreq's data is licensed CC BY-SA 4.0 (its code Apache-2.0); the generated table is
therefore CC BY-SA 4.0 too. Requires `pip install wordfreq` (tested with wordfreq 3.x).

Usage: python3 scripts/build_background.py [-n 50000] [-o data/background_en.tsv]
"""

import argparse
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=50000, help="number of words (default 50000)")
    ap.add_argument("-o", "--output", default="data/background_en.tsv")
    args = ap.parse_args()
    import wordfreq
    from importlib.metadata import version
    words = wordfreq.top_n_list("en", args.n)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Background English word frequencies for neardup's rewrite tier.\n")
        f.write("# Derived from wordfreq %s by Robyn Speer et al. (https://github.com/rspeer/wordfreq),\n"
                % version("wordfreq"))
        f.write("# data licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/);\n")
        f.write("# this table is distributed under the same licence. Columns: word, Zipf frequency\n")
        f.write("# (log10 occurrences per 1e9 words). Top %d words of wordfreq.top_n_list('en').\n" % args.n)
        f.write("# Regenerate: python3 scripts/build_background.py -n %d -o %s\n" % (args.n, args.output))
        for w in words:
            f.write("%s\t%.2f\n" % (w, wordfreq.zipf_frequency(w, "en")))
    print("wrote %d words to %s" % (len(words), args.output), file=sys.stderr)


if __name__ == "__main__":
    main()
