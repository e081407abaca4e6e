#!/usr/bin/env python3
"""Exact word-shingle Jaccard similarity of text files (reference oracle).

This is the tiny, dependency-free oracle used to check the near-duplicate
fixtures under fixtures/. It deliberately uses the simplest possible
definition so that its numbers can be recomputed by hand:

  1. decode the file as UTF-8;
  2. Unicode NFKC normalisation, then lowercase (str.lower);
  3. tokens = maximal runs of characters for which str.isalnum() is true
     (everything else -- spaces, punctuation, symbols -- separates tokens);
  4. shingles = the set of all runs of K consecutive tokens (K = 5 by
     default); a document with 1..K-1 tokens has the single shingle made of
     all its tokens, an empty document has no shingles;
  5. Jaccard = |A & B| / |A | B|; it is defined as 0.0 when either set is
     empty, so empty documents never count as duplicates of each other.

With two files it prints the Jaccard as a single number. With more than two
files it prints one tab-separated line per pair:
    <jaccard>\t<file a>\t<file b>

Examples:
    scripts/shingle_jaccard.py fixtures/near/seed000.txt fixtures/near/seed000-trimmed.txt
    scripts/shingle_jaccard.py fixtures/near/seed00?.txt
"""

import argparse
import itertools
import sys
import unicodedata


def tokens(text):
    """Return the normalised tokens of `text` (NFKC, lowercase, isalnum runs)."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    current = []
    for ch in text:
        if ch.isalnum():
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def shingles(toks, k):
    """Return the set of k-token shingles (tuples) of the token list."""
    if not toks:
        return set()
    if len(toks) < k:
        return {tuple(toks)}
    return {tuple(toks[i:i + k]) for i in range(len(toks) - k + 1)}


def jaccard(a, b):
    """Jaccard of two sets; 0.0 if either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def file_shingles(path, k):
    with open(path, encoding="utf-8") as f:
        return shingles(tokens(f.read()), k)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Normalisation: NFKC, lowercase, tokens = runs of str.isalnum() chars.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="two or more UTF-8 text files")
    parser.add_argument("-k", type=int, default=5,
                        help="shingle length in tokens (default: 5)")
    args = parser.parse_args(argv)
    if len(args.files) < 2:
        parser.error("need at least two files")
    if args.k < 1:
        parser.error("-k must be >= 1")

    sets = {}
    for path in args.files:
        try:
            sets[path] = file_shingles(path, args.k)
        except (OSError, UnicodeDecodeError) as e:
            print(f"shingle_jaccard: {path}: {e}", file=sys.stderr)
            return 2

    if len(args.files) == 2:
        a, b = args.files
        print(f"{jaccard(sets[a], sets[b]):.4f}")
    else:
        for a, b in itertools.combinations(args.files, 2):
            print(f"{jaccard(sets[a], sets[b]):.4f}\t{a}\t{b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
