#!/usr/bin/env python3
"""Convert Reuters-21578 SGML files into JSONL for neardup.

Reads every reut2-*.sgm file of the Reuters-21578, Distribution 1.0 collection
(in file-name order, then document order) and writes one JSON object per line
for each <REUTERS> element that has a <BODY>:

    {"id": "reuters-<NEWID>", "title": ..., "date": ..., "text": ...}

The collection is licensed for research use only: write the output outside the
repository (e.g. /tmp/reuters.jsonl) and never commit it.

Cleaning, kept deliberately small so that the duplicates in the collection
survive for the detector to find:
  * files are decoded as latin-1 (they are not valid UTF-8 everywhere);
  * the SGML entities &lt; &gt; &amp; and &#N; are unescaped;
  * control characters other than newline and tab (the wire's &#2; &#3; &#5;
    &#127; ... transmission codes) are removed;
  * text: a final line consisting only of the wire signature ("Reuter",
    "REUTER", "reuter", "REUTERS", optionally followed by "..." or a literal
    "^M") is removed, then leading/trailing whitespace; inner newlines and
    indentation are kept;
  * title: whitespace collapsed to single spaces; a missing title is written as "".
  * date: cut at the first control character (some carry teletype junk after it)
    and at a "#" comment, then written in ISO 8601 ("26-FEB-1987 15:01:01.79" ->
    "1987-02-26T15:01:01.79"; neardup's rewrite tier reads it from the "date"
    field). A time that is not one (one record has "605:12:19") is left out, so
    only the day is kept; a date that cannot be read at all is written as "".

With --with-seeds DIR each DIR/*.txt (sorted by name, read as UTF-8) is
appended as {"id": "seed-<stem>", "title": <first line>, "text": <whole file>}.

Statistics go to stderr: the number of bodies (19043 for the full collection),
how many signatures were stripped, and the exact-duplicate groups (records
whose text is identical after collapsing whitespace).
"""

import argparse
import collections
import itertools
import json
import os
import re
import sys
from pathlib import Path

EXPECTED_BODIES = 19043
EXPECTED_FILES = 22

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REUTERS = REPO_ROOT / ".." / "shared" / "data" / "reuters21578"

DOC_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
NEWID_RE = re.compile(r'\bNEWID="(\d+)"')
BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)
TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
DATE_RE = re.compile(r"<DATE>(.*?)</DATE>", re.S)
ENTITY_RE = re.compile(r"&(?:#(\d+)|lt|gt|amp);")
# Every C0 control except \t and \n, plus DEL and the C1 range.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A last line that is nothing but the wire signature.
SIGNATURE_RE = re.compile(r"\n[ \t]*reuters?[ \t]*(?:\.\.\.)?[ \t]*(?:\^M)?[ \t]*\Z",
                          re.I)


def unescape(s):
    """Replace the four kinds of entity used by the collection."""
    def repl(m):
        if m.group(1) is not None:
            return chr(int(m.group(1)))
        return {"&lt;": "<", "&gt;": ">", "&amp;": "&"}[m.group(0)]
    return ENTITY_RE.sub(repl, s)


def clean_inline(s):
    """Unescape, drop control characters, collapse whitespace (titles)."""
    return " ".join(CONTROL_RE.sub("", unescape(s)).split())


MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
DATE_PARTS_RE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})(?:\s+(\S+))?")
TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d+)?")


def clean_date(s):
    """The <DATE> text in ISO 8601, or "" when it is not a date."""
    s = unescape(s)
    m = CONTROL_RE.search(s)
    if m:
        s = s[:m.start()]
    s = " ".join(s.split("#", 1)[0].split())
    m = DATE_PARTS_RE.fullmatch(s)
    if m is None or m.group(2).upper() not in MONTHS:
        return ""
    iso = "%s-%02d-%02d" % (m.group(3), MONTHS[m.group(2).upper()], int(m.group(1)))
    if m.group(4) and TIME_RE.fullmatch(m.group(4)):
        iso += "T" + m.group(4)
    return iso


def clean_body(s):
    """Return (text, signature_stripped)."""
    text = CONTROL_RE.sub("", unescape(s)).rstrip()
    stripped_text, n = SIGNATURE_RE.subn("", "\n" + text)
    if n:
        text = stripped_text[1:]
    return text.strip(), bool(n)


def reuters_records(reuters_dir, stats):
    files = sorted(Path(reuters_dir).glob("reut2-*.sgm"))
    if not files:
        raise SystemExit(f"reuters_to_jsonl: no reut2-*.sgm files in {reuters_dir}")
    stats["files"] = len(files)
    for path in files:
        raw = path.read_text(encoding="latin-1")
        for m in DOC_RE.finditer(raw):
            attrs, inner = m.group(1), m.group(2)
            stats["elements"] += 1
            body = BODY_RE.search(inner)
            if body is None:
                continue
            newid = NEWID_RE.search(attrs)
            if newid is None:
                raise SystemExit(f"reuters_to_jsonl: {path.name}: <REUTERS> without NEWID")
            title = TITLE_RE.search(inner)
            date = DATE_RE.search(inner)
            text, sig = clean_body(body.group(1))
            stats["bodies"] += 1
            stats["signatures_stripped"] += sig
            if not text:
                stats["empty_texts"] += 1
            yield {
                "id": f"reuters-{newid.group(1)}",
                "title": clean_inline(title.group(1)) if title else "",
                "date": clean_date(date.group(1)) if date else "",
                "text": text,
            }


def seed_records(seeds_dir):
    files = sorted(Path(seeds_dir).glob("*.txt"))
    if not files:
        raise SystemExit(f"reuters_to_jsonl: no *.txt files in {seeds_dir}")
    for path in files:
        text = path.read_text(encoding="utf-8")
        yield {
            "id": f"seed-{path.stem}",
            "title": text.split("\n", 1)[0].strip(),
            "text": text,
        }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Output is deterministic: file order, then document order, then seeds.",
    )
    parser.add_argument("--reuters", metavar="DIR", default=str(DEFAULT_REUTERS),
                        help="directory holding reut2-*.sgm "
                             "(default: ../shared/data/reuters21578 relative to the repo root)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write JSONL to FILE instead of stdout")
    parser.add_argument("--with-seeds", metavar="DIR",
                        help="append every DIR/*.txt as a seed-<stem> record")
    args = parser.parse_args(argv)

    stats = collections.Counter()
    groups = collections.defaultdict(list)
    ids = set()
    out = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    try:
        records = reuters_records(args.reuters, stats)
        if args.with_seeds:
            records = itertools.chain(records, seed_records(args.with_seeds))
        for rec in records:
            if rec["id"] in ids:
                raise SystemExit(f"reuters_to_jsonl: duplicate id {rec['id']}")
            ids.add(rec["id"])
            stats["records"] += 1
            groups[" ".join(rec["text"].split())].append(rec["id"])
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    except BrokenPipeError:
        # Reader went away (e.g. `| head`): not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if args.output:
            out.close()

    err = sys.stderr
    print(f"reuters_to_jsonl: {stats['files']} files, {stats['elements']} <REUTERS> elements, "
          f"{stats['bodies']} with <BODY>", file=err)
    if stats["files"] == EXPECTED_FILES and stats["bodies"] != EXPECTED_BODIES:
        print(f"reuters_to_jsonl: WARNING: expected {EXPECTED_BODIES} bodies", file=err)
    print(f"reuters_to_jsonl: signature line stripped from {stats['signatures_stripped']} "
          f"bodies; {stats['empty_texts']} empty texts", file=err)
    dup = sorted((v for v in groups.values() if len(v) > 1), key=lambda v: (-len(v), v[0]))
    print(f"reuters_to_jsonl: {stats['records']} records written; "
          f"{len(dup)} exact-duplicate groups (whitespace-collapsed text) "
          f"holding {sum(len(v) for v in dup)} records "
          f"({sum(len(v) - 1 for v in dup)} redundant)", file=err)
    if dup:
        sizes = collections.Counter(len(v) for v in dup)
        print("reuters_to_jsonl: group sizes: "
              + ", ".join(f"{n}x{s}" for s, n in sorted(sizes.items())), file=err)
        for v in dup[:3]:
            more = f" ... (+{len(v) - 5})" if len(v) > 5 else ""
            print(f"reuters_to_jsonl:   largest: {' '.join(v[:5])}{more}", file=err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
