#!/usr/bin/env python3
"""Side-by-side benchmark of neardup against datasketch, rensa and gaoya.

Driven by bench/compare (which creates the venv, builds neardup and makes the corpora):

    compare.py table  --neardup BIN [--inprocess BIN] --corpus C.jsonl [--truth T.csv] --label L
                      --runs R --work DIR
    compare.py peer   TOOL MODE C.jsonl OUT.json [PAIRS.csv]      (one measured process)
    compare.py plot   --work DIR --out PNG        (time against corpus size, from raw.json files)

Every tool sees the same shingles: NFKC, lower case, tokens = runs of letters and digits
(neardup's `--normalize all`), word 5-grams (a document of fewer than 5 tokens is one shingle of
all its tokens), k = 128 MinHash values, threshold 0.8 and the same LSH banding as neardup
(18 bands x 7 rows, see README). Each peer runs in its own process under /usr/bin/time -v so
that peak RSS is that tool's alone.
"""

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import unicodedata

K = 128
THRESHOLD = 0.8
INPROC = "neardup in-process"
INPROC1 = "neardup in-process, 1 thread"
BANDS, ROWS = 18, 7  # what neardup derives for t = 0.8, k = 128 (`neardup pairs -v`)
SHINGLE = 5
RENSA_BANDS = 16
TOKEN_RE = re.compile(r"[^\W_]+")  # runs of letters and digits (Unicode), like neardup's punct folding


# ---------------------------------------------------------------------------------------------
# shared: corpus, tokenisation, shingles


def records(path):
    """(id, text) of every record of a JSONL corpus, blank lines skipped."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            yield str(rec["id"]), rec.get("text") or ""


def load(path):
    ids, texts = [], []
    for doc_id, text in records(path):
        ids.append(doc_id)
        texts.append(text)
    return ids, texts


def tokens(text):
    return TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


def shingles_of_tokens(tok):
    if len(tok) < SHINGLE:
        return [" ".join(tok)] if tok else []
    return [" ".join(tok[i:i + SHINGLE]) for i in range(len(tok) - SHINGLE + 1)]


def shingles(text):
    return shingles_of_tokens(tokens(text))


# ---------------------------------------------------------------------------------------------
# peers: one measured process each


def write_pairs(path, ids, pairs):
    with open(path, "w") as f:
        f.write("doc_a,doc_b\n")
        for a, b in sorted(pairs):
            f.write(f"{ids[a]},{ids[b]}\n")


BATCH = 4096  # documents per batch call: large enough for each library's batch/parallel path


class Clock:
    """Accumulates the measured phases; JSON reading and parsing are never inside one."""

    def __init__(self):
        self.t = {}

    def time(self, phase, fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        self.t[phase] = self.t.get(phase, 0.0) + time.perf_counter() - t0
        return out


def batches(path, ids):
    """Stream the corpus in batches of texts (a peer never holds every shingle list at once,
    like neardup, which streams too); appends each id to ids."""
    texts = []
    for doc_id, text in records(path):
        ids.append(doc_id)
        texts.append(text)
        if len(texts) == BATCH:
            yield len(ids) - len(texts), texts
            texts = []
    if texts:
        yield len(ids) - len(texts), texts


def peer_datasketch(mode, path, ids, clock):
    from datasketch import MinHash, MinHashLSH
    keep, mhs = [], []
    for first, texts in batches(path, ids):
        sets = clock.time("tokenise", lambda: [[s.encode("utf-8") for s in shingles(t)]
                                               for t in texts])
        idx = [j for j, x in enumerate(sets) if x]
        keep += [first + j for j in idx]
        mhs += clock.time("sketch", lambda: MinHash.bulk([sets[j] for j in idx], num_perm=K,
                                                         seed=1))  # documented bulk path
    if mode == "fp":
        return None

    def index_query():
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=K, params=(BANDS, ROWS))
        with lsh.insertion_session() as session:
            for j, m in enumerate(mhs):
                session.insert(j, m, check_duplication=False)
        pairs = set()
        for j, m in enumerate(mhs):
            for c in lsh.query(m):
                if c != j and m.jaccard(mhs[c]) >= THRESHOLD:
                    pairs.add((keep[min(c, j)], keep[max(c, j)]))
        return pairs
    return clock.time("index_query", index_query)


def peer_rensa(mode, path, ids, clock):
    from rensa import RMinHash, RMinHashLSH
    keep, mhs = [], []
    for first, texts in batches(path, ids):
        sets = clock.time("tokenise", lambda: [shingles(t) for t in texts])
        idx = [j for j, x in enumerate(sets) if x]
        keep += [first + j for j in idx]
        sets = [sets[j] for j in idx]
        if mode == "fp":
            # fastest documented full-set bulk API: a contiguous digest matrix per batch
            mat = clock.time("sketch", RMinHash.digest_matrix_from_token_sets, sets, K, 42)
            assert mat.len() == len(sets)
        else:
            mhs += clock.time("sketch", RMinHash.from_token_sets, sets, K, 42)
    if mode == "fp":
        return None

    def index_query():
        # RMinHashLSH needs num_perm divisible by the band count: 16 x 8, the divisor of 128
        # closest to neardup's 18 x 7 (P(candidate) 0.994 at J = 0.85, 0.94 at 0.8).
        lsh = RMinHashLSH(THRESHOLD, K, RENSA_BANDS)
        lsh.insert_many(mhs)
        pairs = set()
        for j, cs in enumerate(lsh.query_all(mhs)):
            m = mhs[j]
            for c in cs:
                if c > j and m.jaccard(mhs[c]) >= THRESHOLD:
                    pairs.add((keep[j], keep[c]))
        return pairs
    return clock.time("index_query", index_query)


def peer_gaoya(mode, path, ids, clock, raw=False):
    from gaoya.minhash import MinHashStringIndex
    # raw=False: gaoya is given the text normalised in Python exactly like neardup (NFKC,
    # lower case, tokens joined by single spaces), so its word 5-grams are neardup's shingles
    # also for text that NFKC changes; the Python normalisation is charged to it.
    # raw=True: it gets the raw text and lower-cases it itself: its native path. Its `word`
    # analyzer splits on non-alphanumeric characters, so for NFKC-stable text (all of the
    # benchmark corpora) its tokens are exactly neardup's.
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=THRESHOLD, num_bands=BANDS,
                               band_size=ROWS, analyzer="word", lowercase=raw,
                               ngram_range=(SHINGLE, SHINGLE), id_container="smallvec")

    def prepare(texts):
        norm = texts if raw else [" ".join(tokens(t)) for t in texts]
        # gaoya makes no shingle from a text of fewer than 5 tokens: such texts are left out
        # (none in the generated corpora)
        idx = [j for j, x in enumerate(norm) if len(TOKEN_RE.findall(x, 0, 200)) >= SHINGLE
               or len(TOKEN_RE.findall(x)) >= SHINGLE]
        return idx, [norm[j] for j in idx]
    for first, texts in batches(path, ids):
        idx, docs = clock.time("tokenise", prepare, texts)
        # shingles + MinHash + insert, multi-threaded
        clock.time("sketch", index.par_bulk_insert_docs, [first + j for j in idx], docs)
    if mode == "fp":
        return None
    pairs = set()
    for first, texts in batches(path, []):
        idx, docs = clock.time("index_query", prepare, texts)
        found = clock.time("index_query", index.par_bulk_query, docs)  # filtered by estimate
        for j, cs in zip(idx, found):
            for c in cs:
                if c != first + j:
                    pairs.add((min(c, first + j), max(c, first + j)))
    return pairs


def cmd_peer(a):
    ids = []
    clock = Clock()
    fn = {"datasketch": peer_datasketch, "rensa": peer_rensa,
          "gaoya": lambda *x: peer_gaoya(*x, raw=True), "gaoya-nfkc": peer_gaoya}[a.tool]
    pairs = fn(a.mode, a.corpus, ids, clock)
    t = clock.t
    res = {"tool": a.tool, "mode": a.mode, "docs": len(ids), "tokenise_s": t["tokenise"],
           "sketch_s": t["sketch"], "fingerprint_s": t["tokenise"] + t["sketch"]}
    if pairs is not None:
        res["index_query_s"] = t["index_query"]
        res["e2e_s"] = res["fingerprint_s"] + t["index_query"]
        res["pairs"] = len(pairs)
        if a.pairs:
            write_pairs(a.pairs, ids, pairs)
    with open(a.out, "w") as f:
        json.dump(res, f)


# ---------------------------------------------------------------------------------------------
# orchestration


def timed(cmd, work, tag, stdout=subprocess.DEVNULL):
    """Run cmd under /usr/bin/time -v; return (wall seconds, peak RSS bytes)."""
    tfile = os.path.join(work, f"time-{tag}.txt")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", tfile] + cmd, stdout=stdout,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    rss = 0
    with open(tfile) as f:
        for line in f:
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1]) * 1024
    return wall, rss


def read_pairs(path, ids_index):
    pairs = set()
    with open(path) as f:
        next(f, None)
        for line in f:
            a, b = line.rstrip("\n").split(",")[:2]
            i, j = ids_index[a], ids_index[b]
            pairs.add((min(i, j), max(i, j)))
    return pairs


class Exact:
    """Exact Jaccard of the shared shingle definition, cached per document."""

    def __init__(self, texts):
        import numpy as np
        self.np = np
        self.texts = texts
        self.cache = {}

    def arr(self, i):
        a = self.cache.get(i)
        if a is None:
            a = self.np.unique(self.np.fromiter((hash(s) for s in shingles(self.texts[i])),
                                                dtype=self.np.int64))
            self.cache[i] = a
        return a

    def jaccard(self, i, j):
        a, b = self.arr(i), self.arr(j)
        if len(a) == 0 or len(b) == 0:
            return 0.0
        inter = len(self.np.intersect1d(a, b, assume_unique=True))
        return inter / (len(a) + len(b) - inter)

    def all_pairs(self, sample):
        """Exact Jaccard of every pair of the sample (sparse X·Xᵀ), as {(i, j): J} for J > 0."""
        np = self.np
        from scipy import sparse
        arrs = [self.arr(i) for i in sample]
        allh = np.concatenate(arrs) if arrs else np.zeros(0, np.int64)
        uniq, col = np.unique(allh, return_inverse=True)
        rows = np.repeat(np.arange(len(sample)), [len(a) for a in arrs])
        x = sparse.csr_matrix((np.ones(len(allh), np.int32), (rows, col)),
                              shape=(len(sample), len(uniq)))
        inter = (x @ x.T).tocoo()
        sizes = np.array([len(a) for a in arrs])
        out = {}
        for r, c, v in zip(inter.row, inter.col, inter.data):
            if r < c:
                i, j = sample[r], sample[c]
                out[(min(i, j), max(i, j))] = v / (sizes[r] + sizes[c] - v)
        return out


def planted_pairs(truth, ids_index):
    clusters = {}
    with open(truth) as f:
        next(f, None)
        for line in f:
            d, c = line.strip().split(",")
            clusters.setdefault(c, []).append(ids_index[d])
    pairs = set()
    for members in clusters.values():
        members.sort()
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pairs.add((members[x], members[y]))
    return pairs


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def cmd_table(a):
    work = a.work
    os.makedirs(work, exist_ok=True)
    ids, texts = load(a.corpus)
    n = len(ids)
    ids_index = {d: i for i, d in enumerate(ids)}
    py = sys.executable
    me = os.path.abspath(__file__)
    nd_opts = ["--threshold", str(THRESHOLD), "--shingle", f"word:{SHINGLE}", "--normalize",
               "all", "--num-perm", str(K), "-q"]
    tools = [t for t in ["datasketch", "rensa", "gaoya"] if t not in a.skip]
    avail = {}
    for t in tools:
        p = subprocess.run([py, "-c", f"import {t}"], capture_output=True, text=True)
        avail[t] = p.returncode == 0
        if not avail[t]:
            print(f"compare: {t} is not installed, skipped: {p.stderr.strip()[-300:]}",
                  file=sys.stderr)
    tools = [t for t in tools if avail[t]]
    extrapolated = None
    if "datasketch" in tools and a.extrapolate_from and os.path.exists(a.extrapolate_from):
        # The rule: extrapolate datasketch from its smaller run (linearly in documents:
        # MinHash and LSH work are per document) when it would run past the budget.
        ref = json.load(open(a.extrapolate_from))
        dm = ref["measurements"].get("datasketch")
        if dm and ref["docs"] < n:
            scale = n / ref["docs"]
            est = med(dm["e2e"]) * scale
            if est > a.budget:
                extrapolated = {"fp": [med(dm["fp"]) * scale], "e2e": [est],
                                "rss": [None], "from": ref["docs"]}
                tools.remove("datasketch")
                print(f"compare: datasketch would take ~{est:.0f} s > {a.budget:.0f} s: "
                      f"extrapolated from {ref['docs']} documents", file=sys.stderr)
    if "gaoya" in tools and "gaoya-nfkc" not in a.skip:
        tools.append("gaoya-nfkc")

    m = {}  # (row) -> dict of lists

    def add(row, **kw):
        d = m.setdefault(row, {})
        for k, v in kw.items():
            d.setdefault(k, []).append(v)

    pairs_files = {}
    load_before = os.getloadavg()
    for run in range(a.runs):
        # neardup: CLI on the JSONL file; wall time of the process (reads and parses JSON,
        # writes the output too).
        # -o /dev/null: a device is written in place (stdout would be spooled so that a
        # failed run writes nothing, which is not what this figure measures).
        w, r = timed([a.neardup, "fingerprint", a.corpus, "-o", "/dev/null"] + nd_opts[2:], work, "nd-fp")
        add("neardup", fp=w, fp_rss=r)
        pf = os.path.join(work, "pairs-neardup.csv")
        # --tier near: the peers find near-duplicates only (`pairs` defaults to all tiers).
        w, r = timed([a.neardup, "pairs", a.corpus, "-o", pf, "--tier", "near"] + nd_opts, work, "nd-e2e")
        add("neardup", e2e=w, rss=r)
        pairs_files["neardup"] = pf
        if a.inprocess:
            # neardup measured like the peers: texts read into memory first (untimed), then
            # the library's Fingerprinter on every core / on one thread, signatures kept
            # (examples/fingerprint_throughput.rs).
            out = os.path.join(work, "res-neardup-inprocess.json")
            timed([a.inprocess, a.corpus, out], work, "nd-inprocess")
            res = json.load(open(out))
            add(INPROC, fp=res["parallel_s"], threads=res["threads"])
            add(INPROC1, fp=res["single_s"])
        for t in tools:
            if t in a.once and run > 0:
                continue
            modes = ["fp", "e2e"] if t == "rensa" else ["e2e"]
            for mode in modes:
                out = os.path.join(work, f"res-{t}-{mode}.json")
                pf = os.path.join(work, f"pairs-{t}.csv")
                cmd = [py, me, "peer", t, mode, a.corpus, out] + ([pf] if mode == "e2e" else [])
                try:
                    w, r = timed(cmd, work, f"{t}-{mode}")
                except RuntimeError as e:
                    print(f"compare: {t} {mode} failed: {e}", file=sys.stderr)
                    continue
                res = json.load(open(out))
                if t == "rensa" and mode == "fp":
                    add("rensa (pre-tokenised)", fp=res["sketch_s"], rss=None)
                    add("rensa", fp=res["fingerprint_s"], tok=res["tokenise_s"])
                    continue
                if t != "rensa":
                    add(t, fp=res["fingerprint_s"], tok=res["tokenise_s"])
                add(t, e2e=res["e2e_s"], iq=res["index_query_s"], rss=r)
                pairs_files[t] = pf
        print(f"compare: run {run + 1}/{a.runs} done", file=sys.stderr)
    load_after = os.getloadavg()
    if extrapolated:
        m["datasketch (extrapolated)"] = extrapolated

    # accuracy --------------------------------------------------------------------------------
    ex = Exact(texts)
    rnd = random.Random(a.seed)
    sample = sorted(rnd.sample(range(n), min(a.sample, n)))
    universe = ex.all_pairs(sample)  # J > 0 only; all other sample pairs have J = 0
    planted = planted_pairs(a.truth, ids_index) if a.truth else set()
    for p in planted:
        if p not in universe:
            universe[p] = ex.jaccard(*p)
    # Pool: every pair any tool reported is added with its exact Jaccard, so a true pair found
    # by one tool and missed by another counts against the other's recall even outside the
    # sample (the usual pooling of IR evaluation; precision is computed on all reported pairs).
    reported = {t: read_pairs(pf, ids_index) for t, pf in pairs_files.items()}
    for rep in reported.values():
        for p in rep:
            if p not in universe:
                universe[p] = ex.jaccard(*p)
    pos80 = {p for p, j in universe.items() if j >= THRESHOLD}
    pos85 = {p for p, j in universe.items() if j >= 0.85}
    acc = {}
    for t, rep in reported.items():
        below = 0
        for p in rep:
            if ex.jaccard(*p) < THRESHOLD - 1e-9:
                below += 1
        d = {"reported": len(rep), "below": below,
             "prec": (len(rep) - below) / len(rep) if rep else None,
             "rec80": len(rep & pos80) / len(pos80) if pos80 else None,
             "rec85": len(rep & pos85) / len(pos85) if pos85 else None}
        if planted:
            hit = len(rep & planted)
            d["prec_pl"] = hit / len(rep) if rep else None
            d["rec_pl"] = hit / len(planted)
        acc[t] = d
    acc["rensa (pre-tokenised)"] = acc.get("rensa")

    # table -----------------------------------------------------------------------------------
    def f(x, fmt):
        return "–" if x is None else format(x, fmt)

    nd = m["neardup"]
    nd_fp, nd_e2e, nd_rss = med(nd["fp"]), med(nd["e2e"]), max(nd["rss"])
    ip_fp = med(m.get(INPROC, {}).get("fp", []))
    if "gaoya-nfkc" in m:
        m["gaoya (Python NFKC)"] = m.pop("gaoya-nfkc")
        acc["gaoya (Python NFKC)"] = acc.get("gaoya-nfkc")
    rows = ["neardup"] + [r for r in [INPROC, INPROC1, "datasketch", "datasketch (extrapolated)", "rensa",
                                      "rensa (pre-tokenised)", "gaoya", "gaoya (Python NFKC)"]
                          if r in m]
    given = {
        "neardup": "JSONL file → CLI (`fingerprint` / `pairs`, verified): whole process, "
                   "start-up, JSON parsing and output included",
        INPROC: "texts already in memory (read untimed), library `Fingerprinter` on every core "
                "(rayon), signatures kept (examples/fingerprint_throughput.rs)",
        INPROC1: "as above on one thread",
        "datasketch": "shingles as bytes (Python); `MinHash.bulk`, `MinHashLSH` + estimate ≥ 0.8",
        "rensa": "shingle lists (Python tokenisation charged); `digest_matrix_from_token_sets` / "
                 f"`from_token_sets` + `RMinHashLSH` ({RENSA_BANDS} bands) + estimate ≥ 0.8",
        "rensa (pre-tokenised)": "shingle lists, tokenisation not charged",
        "datasketch (extrapolated)": "as datasketch",
        "gaoya": "raw text; gaoya's Rust `word` analyzer with `lowercase=True` (it splits on "
                 "non-alphanumerics, so its tokens are neardup's except for NFKC); "
                 "`par_bulk_insert_docs` (sketch + insert) / `par_bulk_query`",
        "gaoya (Python NFKC)": "text normalised in Python exactly like neardup (NFKC, lower, "
                               "tokens joined by spaces; charged), then as above",
    }
    lines = []
    lines.append(f"**{a.label}**: {n} documents, {a.runs} run(s) per figure (median"
                 f"{'; ' + ', '.join(a.once) + ' once' if a.once else ''}), "
                 f"accuracy on all pairs of a {len(sample)}-document sample"
                 f"{', all planted pairs' if planted else ''} and every pair any tool reported: "
                 f"{len(pos85)} pairs with J ≥ 0.85, {len(pos80)} with J ≥ 0.8"
                 f"{f', {len(planted)} planted pairs' if planted else ''}.")
    lines.append("")
    hdr = ("| tool | fingerprint docs/s | neardup × | in-process × | end to end s | neardup × | "
           "peak RSS MB | RSS / neardup | recall J≥0.85 | recall J≥0.8 | precision (J≥0.8) | "
           "pairs < 0.8 |")
    sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    if planted:
        hdr += " planted recall | planted precision |"
        sep += "---:|---:|"
    lines += [hdr, sep]
    for r in rows:
        d = m[r]
        fp = med(d.get("fp", []))
        e2e = med(d.get("e2e", []))
        rss = [x for x in d.get("rss", []) if x]
        rss = max(rss) if rss else None
        fps = n / fp if fp else None
        ac = acc.get(r) or {}
        cells = [f"{r}",
                 f(fps, ",.0f"), f(fp / nd_fp if fp else None, ".1f"),
                 f(fp / ip_fp if fp and ip_fp else None, ".1f"),
                 f(e2e, ".2f"), f(e2e / nd_e2e if e2e else None, ".1f"),
                 f(rss / 1e6 if rss else None, ",.0f"), f(rss / nd_rss if rss else None, ".1f"),
                 f(ac.get("rec85"), ".4f"), f(ac.get("rec80"), ".4f"), f(ac.get("prec"), ".4f"),
                 f(ac.get("below"), "d")]
        if planted:
            cells += [f(ac.get("rec_pl"), ".4f"), f(ac.get("prec_pl"), ".4f")]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if extrapolated:
        lines.append(f"datasketch (extrapolated): not run; its {extrapolated['from']}-document "
                     f"figures of {a.extrapolate_from} scaled linearly to {n} documents "
                     f"(it would run past {a.budget:.0f} s); no RSS or accuracy figures.")
    lines.append("Given to each tool: " + "; ".join(f"{r}: {given[r]}" for r in rows) + ".")
    if ip_fp:
        lines.append(f"Fingerprinting ratios: *neardup ×* is the tool's time over the neardup CLI's "
                     f"(whole process), *in-process ×* over neardup in-process on "
                     f"{m[INPROC]['threads'][0]} threads ({n / ip_fp:,.0f} docs/s), the like-for-"
                     f"like comparison with the peers' in-process clocks.")
    tok = med(m.get("rensa", {}).get("tok", []))
    if tok:
        lines.append(f"Python tokenisation alone (NFKC, lower case, 5-gram strings): "
                     f"{n / tok:,.0f} docs/s.")
    lines.append(f"neardup fingerprint RSS {max(nd['fp_rss']) / 1e6:,.0f} MB. "
                 f"Load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after.")
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(work, "table.md"), "w") as fo:
        fo.write(text + "\n")
    with open(os.path.join(work, "raw.json"), "w") as fo:
        json.dump({"measurements": m, "accuracy": acc, "docs": n, "label": a.label}, fo,
                  indent=1, default=str)


def cmd_plot(a):
    """Time against corpus size per tool, log-log: fingerprinting and end to end, from the
    raw.json of every generated-corpus table in the work directory."""
    import glob
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    series = {}  # (panel, row) -> [(docs, seconds)]
    runs = sorted(glob.glob(os.path.join(a.work, "run-Generated-corpus-*", "raw.json")))
    for path in runs:
        raw = json.load(open(path))
        n = raw["docs"]
        for row, d in raw["measurements"].items():
            for panel, key in (("fingerprint", "fp"), ("end to end", "e2e")):
                t = med(d.get(key, []))
                if t:
                    series.setdefault((panel, row), []).append((n, t, "extrapolated" in row))
    if not series:
        sys.exit(f"compare.py plot: no {a.work}/run-Generated-corpus-*/raw.json to plot")
    order = sorted({r for (_, r) in series}, key=lambda r: (not r.startswith("neardup"), r))
    colour = {r: f"C{i % 10}" for i, r in enumerate(order)}  # one colour per tool, both panels
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, panel in zip(axes, ("fingerprint", "end to end")):
        rows = [r for r in order if (panel, r) in series]
        for row in rows:
            pts = sorted(series[(panel, row)])
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            style = "--" if "extrapolated" in row or "1 thread" in row else "-"
            ax.plot(xs, ys, style, marker="o", label=row, color=colour[row])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("documents (generated corpus, ~3 KB each)")
        ax.set_ylabel("seconds (median)")
        ax.set_title(f"{panel} time" + (" (neardup: whole CLI process)" if panel ==
                                        "end to end" else ""))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("neardup, datasketch, rensa and gaoya: time against corpus size "
                 "(bench/compare; k = 128, word 5-grams, threshold 0.8)")
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(f"compare.py plot: {a.out} ({len(runs)} corpus sizes)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("peer")
    p.add_argument("tool", choices=["datasketch", "rensa", "gaoya", "gaoya-nfkc"])
    p.add_argument("mode", choices=["fp", "e2e"])
    p.add_argument("corpus")
    p.add_argument("out")
    p.add_argument("pairs", nargs="?")
    t = sub.add_parser("table")
    t.add_argument("--neardup", required=True)
    t.add_argument("--inprocess", help="examples/fingerprint_throughput binary")
    t.add_argument("--corpus", required=True)
    t.add_argument("--truth")
    t.add_argument("--label", required=True)
    t.add_argument("--runs", type=int, default=3)
    t.add_argument("--work", required=True)
    t.add_argument("--sample", type=int, default=2000)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--skip", nargs="*", default=[])
    t.add_argument("--once", nargs="*", default=[], help="tools measured in one run only")
    t.add_argument("--extrapolate-from", help="raw.json of a smaller run of this harness")
    t.add_argument("--budget", type=float, default=3600,
                   help="seconds past which datasketch is extrapolated instead of run")
    pl = sub.add_parser("plot")
    pl.add_argument("--work", required=True, help="bench/compare's work directory")
    pl.add_argument("--out", required=True, help="PNG to write")
    a = ap.parse_args()
    if a.cmd == "peer":
        cmd_peer(a)
    elif a.cmd == "plot":
        cmd_plot(a)
    else:
        cmd_table(a)


if __name__ == "__main__":
    main()
