#!/usr/bin/env python3
"""Prototype of the neardup "rewrite tier": do two texts tell the same story in other words?

Research prototype (not production code). Recipe, in order:

  1. units: a document is split into units (paragraph lines). Hard-wrapped text (most lines
     50..80 chars) is split at blank lines / indented lines instead of every newline.
  2. boilerplate: (a) corpus-level: a unit whose normalised text occurs in >= R_REP documents
     of the corpus is dropped; (b) per-document: a unit with >= OFF_MIN_TOK content tokens whose
     weighted containment in the rest of its document is < OFF_COH is dropped (off-topic ad /
     "See also" link). Only applied to documents with >= 4 units.
  3. tokens: words [A-Za-z][A-Za-z0-9]*(['-][A-Za-z0-9]+)*, numbers \\$?\\d+([.,]\\d+)*;
     lowercase; possessive 's removed; hyphenated word split into parts unless a part has
     <= 2 chars (ISIS-K stays one token); stopwords (function-word list STOP) dropped;
     light suffix stemmer stem().
  4. features: unigram "w:stem"; number "#value" (2,200 -> 2200; "2.5 billion" -> 2500000000).
  5. weight of feature t in doc d: (1 + ln tf) * idf(t) * class multiplier, with
        idf(t) = ln((N + N0) / (df(t) + N0 * pbg(t) + 1)),  pbg(t) = 1 - exp(-L * f_bg(t))
     f_bg = background per-token probability (wordfreq table, summed over surface forms of a
     stem; OOV floor), L = mean tokens per document of the corpus (clamped), N0 pseudo-docs.
  6. core (sketchable) score: weighted Jaccard J = sum min / sum max. Weighted containment
     C = sum min / min(sum A, sum B) = J (|A|+|B|) / ((1+J) min(|A|,|B|)) is derivable from J.
  7. verification score V = mix(J, C) * (1 - LAM_NUM * D_num) * (1 - LAM_NAME * D_name)
     where D_class = min(onlyA, onlyB) / (min(onlyA, onlyB) + shared) over that class' weights.
  8. verdict: V >= theta(n), theta(n) = max(TH_MIN, TH_A / sqrt(n)); n = number of features
     of the smaller document.

Run `python3 scripts/rewrite_proto.py --help`.
"""

import argparse
import collections
import glob
import gzip
import json
import math
import os
import random
import re
import sys

# ----------------------------------------------------------------------------- parameters
P = dict(
    N0=200.0,        # pseudo-documents of background evidence
    L_MIN=20.0, L_MAX=600.0,  # clamp for corpus mean doc length used in pbg
    F_OOV_ZIPF=1.5,  # Zipf value assumed for words not in the background table
    NUM_MULT=1.0,    # class multiplier for numbers
    BIGRAM=0.0,      # class multiplier for content-word bigrams (0 = off)
    MIX_C=0.0,       # V base = (1-MIX_C)*J + MIX_C*C
    LAM_NUM=0.0, LAM_NAME=0.0,
    TH_MIN=0.12, TH_A=2.0, TH_MAX=0.31,
    R_REP=3,         # corpus repeated-unit threshold (documents)
    OFF_COH=0.10, OFF_MIN_TOK=4,
    BOILER=1,        # 1 = boilerplate filters on
    KEEPSTOP=1,      # 1 = stopwords stay in the vector (their idf makes them light)
    K=30,            # sketch keeps each document's top-K features by weight
    KEY_M=3,         # key entities per document (top-M name/number features)
    LAM_KEY=1.0,     # penalty for lead key entities of one document missing from the other
    LEAD_TOK=50,     # lead = first LEAD_TOK tokens (title + first sentences) of kept units
    N_KEY=80,        # penalty ramps in with size: lam = LAM_KEY * min(1, n / N_KEY)
)

CALENDAR = set("monday tuesday wednesday thursday friday saturday sunday january february march "
               "april may june july august september october november december today".split())

BG_PATH = "/tmp/bg_en_top50k.tsv"

STOP = set("""
a about above after again against all almost along already also although always am among an and
another any anyone anything are aren around as at be became because become been before being
below between both but by can cannot could couldn did didn do does doesn doing don done down
during each either else enough etc even ever every few for from further had hadn has hasn have
haven having he her here hers herself him himself his how however i if in into is isn it its
itself just least less let like made make many may me might mine more most much must my myself
neither no nor not now of off often on once one only onto or other others otherwise our ours
ourselves out over own per perhaps quite rather really said same say says shall she should
shouldn since so some still such than that the their theirs them themselves then there these
they this those though through thus to too toward towards under until up upon us very via was
wasn we were weren what whatever when whenever where whereas wherever whether which while who
whoever whom whose why will with within without won would wouldn yet you your yours yourself
yourselves also s t ll ve re d m mr mrs ms
""".split())

MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9, "bln": 1e9, "trillion": 1e12}

TOK_RE = re.compile(r"\$?\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?|[A-Za-z][A-Za-z0-9]*(?:['’\-][A-Za-z0-9]+)*")


def stem(w):
    """Light suffix stripping (S-stemmer + -ing/-ed/-ly), deterministic and easy to port."""
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


# ----------------------------------------------------------------------------- background
_BG = None


def build_bg(path=BG_PATH, n=50000):
    import wordfreq
    with open(path, "w") as f:
        for w in wordfreq.top_n_list("en", n):
            f.write("%s\t%.2f\n" % (w, wordfreq.zipf_frequency(w, "en")))


def bg():
    """stem -> background per-token probability (sum over surface forms in the table)."""
    global _BG
    if _BG is None:
        if not os.path.exists(BG_PATH):
            build_bg()
        _BG = collections.defaultdict(float)
        for line in open(BG_PATH):
            w, z = line.rstrip("\n").split("\t")
            if not re.fullmatch(r"[a-z][a-z0-9'\-]*", w):
                continue
            w = re.sub(r"['’]s$", "", w)
            _BG["w:" + stem(w)] += 10 ** (float(z) - 9)
    return _BG


def f_bg(feat):
    if feat.startswith("#"):
        v = feat[1:]
        if len(v) == 1:
            z = 5.5
        elif re.fullmatch(r"(19|20)\d\d", v):
            z = 4.5
        elif len(v) == 2:
            z = 4.5
        else:
            z = 3.0
        return 10 ** (z - 9)
    if feat.startswith("b:"):
        a, b = feat[2:].split("|")
        return min(f_bg("w:" + a), f_bg("w:" + b)) * 0.01
    return bg().get(feat, 10 ** (P["F_OOV_ZIPF"] - 9))


# ----------------------------------------------------------------------------- units & tokens
def split_units(text):
    lines = text.split("\n")
    nonblank = [l for l in lines if l.strip()]
    wrapped = len(nonblank) >= 4 and sum(45 <= len(l) <= 80 for l in nonblank) >= 0.6 * len(nonblank)
    if wrapped:
        parts = re.split(r"\n\s*\n|\n(?=[ \t])", text)
    else:
        parts = lines
    return [p.strip() for p in parts if p.strip()]


def norm_unit(u):
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", u.lower())).strip()


def tokens(text):
    """-> list of (kind, value, is_cap_nonsentence_initial). kind in {'w','#'}; stopwords dropped."""
    out = []
    toks = list(TOK_RE.finditer(text))
    for i, m in enumerate(toks):
        s = m.group(0)
        if s[0].isdigit() or s[0] == "$":
            v = re.sub(r"(st|nd|rd|th|s)$", "", s.lstrip("$"))
            v = v.rstrip(".,")
            if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", v):
                v = v.replace(",", "")
            v = v.replace(",", ".")
            try:
                x = float(v)
            except ValueError:
                continue
            if i + 1 < len(toks) and toks[i + 1].group(0).lower() in MULT:
                x *= MULT[toks[i + 1].group(0).lower()]
            out.append(("#", ("%d" % x) if x == int(x) else ("%g" % x), False))
            continue
        lw = s.lower().replace("’", "'")
        lw = re.sub(r"'s$", "", lw)
        lw = lw.replace("'", "")
        start = m.start()
        j = start - 1
        while j >= 0 and text[j] in " \t\"“‘'(":
            j -= 1
        initial = j < 0 or text[j] in ".!?\n:;"
        cap = s[0].isupper() and not initial
        parts = lw.split("-")
        if len(parts) > 1 and min(len(p) for p in parts) >= 3:
            pieces = parts
        else:
            pieces = [lw] + ([q for q in parts if len(q) >= 3] if len(parts) > 1 else [])
        for p in pieces:
            if p in MULT or (p in STOP and not P["KEEPSTOP"]):
                continue
            if p in STOP:
                out.append(("w", p, False))
                continue
            out.append(("w", stem(p), cap))
    return out


# ----------------------------------------------------------------------------- documents
class Doc:
    __slots__ = ("id", "text", "units", "utoks", "keep", "tf", "names", "ntok", "vec", "tot", "sk", "key")

    def __init__(self, id_, text):
        self.id = id_
        self.text = text
        self.units = split_units(text)
        self.utoks = [tokens(u) for u in self.units]
        self.keep = [True] * len(self.units)

    def build_tf(self):
        tf = collections.Counter()
        names = set()
        n = 0
        for u, toks, k in zip(self.units, self.utoks, self.keep):
            if not k:
                continue
            prev = None
            for kind, v, cap in toks:
                f = ("#" if kind == "#" else "w:") + v
                tf[f] += 1
                n += 1
                if cap:
                    names.add(f)
                if P["BIGRAM"] > 0 and kind == "w":
                    if prev is not None:
                        tf["b:%s|%s" % (prev, v)] += 1
                    prev = v
                else:
                    prev = None
        self.tf = tf
        self.names = names
        self.ntok = n


class Corpus:
    def __init__(self, docs, boiler=None):
        self.docs = docs
        boiler = P["BOILER"] if boiler is None else boiler
        self.rep_units = set()
        if boiler:
            cnt = collections.Counter()
            for d in docs:
                for u in set(norm_unit(u) for u in d.units):
                    if len(u.split()) >= 3:
                        cnt[u] += 1
            self.rep_units = {u for u, c in cnt.items() if c >= P["R_REP"]}
            for d in docs:
                d.keep = [norm_unit(u) not in self.rep_units for u in d.units]
        for d in docs:
            d.build_tf()
        self.stats()
        if boiler:
            for d in docs:
                self.offtopic(d)
                d.build_tf()
            self.stats()
        for d in docs:
            self.weigh(d)

    def stats(self):
        self.N = len(self.docs)
        self.df = collections.Counter()
        tot = 0
        for d in self.docs:
            self.df.update(d.tf.keys())
            tot += d.ntok
        self.L = min(P["L_MAX"], max(P["L_MIN"], tot / max(1, self.N)))
        self._idf = {}

    def idf(self, f):
        v = self._idf.get(f)
        if v is None:
            pbg = 1 - math.exp(-self.L * f_bg(f))
            v = math.log((self.N + P["N0"]) / (self.df.get(f, 0) + P["N0"] * pbg + 1))
            v = max(v, 0.0)
            self._idf[f] = v
        return v

    def wvec(self, tf):
        out = {}
        for f, c in tf.items():
            w = (1 + math.log(c)) * self.idf(f)
            if f[0] == "#":
                w *= P["NUM_MULT"]
            elif f[0] == "b":
                w *= P["BIGRAM"]
            if w > 0:
                out[f] = w
        return out

    def weigh(self, d):
        d.vec = self.wvec(d.tf)
        d.tot = sum(d.vec.values())
        top = sorted(d.vec.items(), key=lambda x: (-x[1], x[0]))
        d.sk = dict(top[:int(P["K"])])
        lead = []
        n = 0
        for toks, k in zip(d.utoks, d.keep):
            if not k:
                continue
            for kind, v, cap in toks:
                n += 1
                f = ("#" if kind == "#" else "w:") + v
                if n <= P["LEAD_TOK"] and ((kind == "#" and len(v) > 2) or cap) and v not in CALENDAR:
                    lead.append(f)
        # rank by prominence in the doc x background rarity (not corpus idf: in a tiny corpus
        # the shared story entities have the LOWEST corpus idf)
        lead = sorted(set(lead), key=lambda f: (-self.keyw(f, d.tf[f]), f))
        d.key = [(f, self.keyw(f, d.tf[f])) for f in lead[:int(P["KEY_M"])]]

    def keyw(self, f, tf):
        pbg = 1 - math.exp(-self.L * f_bg(f))
        return (1 + math.log(max(1, tf))) * -math.log(max(pbg, 1e-9))

    def offtopic(self, d):
        """Drop units with >= OFF_MIN_TOK content tokens whose weighted containment in the
        rest of the document is < OFF_COH."""
        idx = [i for i, k in enumerate(d.keep) if k]
        if len(idx) < 4:
            return
        full = collections.Counter()
        for i in idx:
            full.update(("#" if k == "#" else "w:") + v for k, v, _ in d.utoks[i])
        for i in idx:
            own = collections.Counter(("#" if k == "#" else "w:") + v for k, v, _ in d.utoks[i])
            if sum(own.values()) < P["OFF_MIN_TOK"]:
                continue
            num = den = 0.0
            for f, c in own.items():
                w = self.idf(f)
                den += w
                if full[f] - c > 0:
                    num += w
            if den > 0 and num / den < P["OFF_COH"]:
                d.keep[i] = False


# ----------------------------------------------------------------------------- scoring
def wjacc(a, b):
    if len(a) > len(b):
        a, b = b, a
    smin = 0.0
    for f, w in a.items():
        x = b.get(f)
        if x is not None:
            smin += min(w, x)
    ta, tb = sum(a.values()), sum(b.values())
    smax = ta + tb - smin
    return (smin / smax if smax > 0 else 0.0), smin, ta, tb


def disagreement(a, b, sel):
    only_a = sum(w for f, w in a.items() if sel(f) and f not in b)
    only_b = sum(w for f, w in b.items() if sel(f) and f not in a)
    shared = sum(min(w, b[f]) for f, w in a.items() if sel(f) and f in b)
    m = min(only_a, only_b)
    return m / (m + shared) if m > 0 else 0.0


def key_agree(da, db):
    """Weight fraction of each doc's key entities (top-M names/numbers) present in the other
    doc; min over the two directions. 1.0 when a doc has no key entities."""
    out = 1.0
    for x, y in ((da, db), (db, da)):
        tot = sum(w for _, w in x.key)
        if tot > 0:
            out = min(out, sum(w for f, w in x.key if f in y.vec) / tot)
    return out


def score(da, db):
    """-> dict(J = sketchable top-K weighted Jaccard, Jfull, C, KA, V, n, theta, same)"""
    J, smin, ta, tb = wjacc(da.sk, db.sk)
    Jf, sminf, taf, tbf = wjacc(da.vec, db.vec)
    C = sminf / min(taf, tbf) if min(taf, tbf) > 0 else 0.0
    base = (1 - P["MIX_C"]) * J + P["MIX_C"] * C
    a, b = da.vec, db.vec
    dn = disagreement(a, b, lambda f: f[0] == "#")
    names = da.names | db.names
    dm = disagreement(a, b, lambda f: f in names)
    ka = key_agree(da, db)
    n = max(1, min(len(a), len(b)))
    lam = P["LAM_KEY"] * min(1.0, n / P["N_KEY"])
    V = base * (1 - P["LAM_NUM"] * dn) * (1 - P["LAM_NAME"] * dm) * (1 - lam * (1 - ka))
    th = min(P["TH_MAX"], max(P["TH_MIN"], P["TH_A"] / math.sqrt(n)))
    return dict(J=J, Jf=Jf, C=C, KA=ka, V=V, Dn=dn, Dm=dm, n=n, theta=th, same=V >= th)


# ----------------------------------------------------------------------------- data loading
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared")


def load_seeds(pattern=os.path.join(SHARED, "seeds", "*.txt")):
    return [Doc(os.path.basename(p)[:3], open(p, encoding="utf-8").read()) for p in sorted(glob.glob(pattern))]


def load_reuters(path="/tmp/reuters.jsonl"):
    out = []
    for line in open(path):
        r = json.loads(line)
        t = (r.get("title") or "").strip()
        out.append(Doc(r["id"], (t + "\n" if t else "") + r["text"]))
    return out


def load_msrp(path=os.path.join(SHARED, "data", "msrp", "msr_paraphrase_train.txt")):
    rows = []
    with open(path, encoding="utf-8-sig") as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 5:
                rows.append((int(p[0]), p[1], p[2], p[3], p[4]))
    return rows


# ----------------------------------------------------------------------------- candidates
def candidates(docs, min_cos=0.08, topk=30):
    """All-pairs cosine (scipy sparse, blocked) as a stand-in for weighted-MinHash LSH in the
    prototype: returns pairs (i, j), i < j, with cosine >= min_cos among each doc's topk."""
    import numpy as np
    import scipy.sparse as sp
    vocab = {}
    rows, cols, vals = [], [], []
    for i, d in enumerate(docs):
        nrm = math.sqrt(sum(w * w for w in d.vec.values())) or 1.0
        for f, w in d.vec.items():
            rows.append(i)
            cols.append(vocab.setdefault(f, len(vocab)))
            vals.append(w / nrm)
    X = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))
    XT = X.T.tocsc()
    pairs = set()
    B = 1000
    for s in range(0, len(docs), B):
        S = (X[s:s + B] @ XT).toarray()
        for r in range(S.shape[0]):
            i = s + r
            S[r, i] = 0
            row = S[r]
            idx = np.argpartition(-row, topk)[:topk]
            for j in idx:
                if row[j] >= min_cos:
                    pairs.add((min(i, int(j)), max(i, int(j))))
    return sorted(pairs)


def star_clusters(n, edges):
    """Each cluster = a representative + members verified directly against it (no chaining).
    Representatives chosen greedily by verified degree (desc), ties by index."""
    adj = collections.defaultdict(set)
    for i, j in edges:
        adj[i].add(j)
        adj[j].add(i)
    order = sorted(adj, key=lambda i: (-len(adj[i]), i))
    assigned = {}
    clusters = []
    for r in order:
        if r in assigned:
            continue
        mem = [r] + sorted(j for j in adj[r] if j not in assigned)
        if len(mem) < 2:
            continue
        for m in mem:
            assigned[m] = len(clusters)
        clusters.append(mem)
    return clusters


def components(n, edges):
    par = list(range(n))

    def find(x):
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x
    for i, j in edges:
        par[find(i)] = find(j)
    c = collections.Counter(find(i) for i in set(x for e in edges for x in e))
    return sorted(c.values(), reverse=True)


# ----------------------------------------------------------------------------- experiments
def matrix(docs, key="V"):
    return [[score(a, b)[key] for b in docs] for a in docs]


def show_matrix(ids, m):
    print("      " + " ".join("%6s" % i for i in ids))
    for i, row in zip(ids, m):
        print("%6s " % i + " ".join("%6.3f" % x for x in row))


def cmd_seeds(args):
    docs = load_seeds()
    Corpus(docs)
    for key in ("J", "V"):
        print("seed %s matrix (5-doc corpus):" % key)
        show_matrix([d.id for d in docs], matrix(docs, key))
    n = len(docs)
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if score(docs[i], docs[j])["same"]]
    print("verified edges:", [(docs[i].id, docs[j].id) for i, j in edges])
    print("star clusters:", [[docs[x].id for x in c] for c in star_clusters(n, edges)])


def cmd_msrp(args):
    rows = load_msrp()
    sent = {}
    for q, i1, i2, s1, s2 in rows:
        sent[i1], sent[i2] = s1, s2
    y = [r[0] for r in rows]
    for mode in ("corpus", "pair-only"):
        out = []
        if mode == "corpus":
            docs = {k: Doc(k, v) for k, v in sent.items()}
            Corpus(list(docs.values()))
            S = [score(docs[r[1]], docs[r[2]]) for r in rows]
        else:
            S = []
            for r in rows:
                a, b = Doc(r[1], r[3]), Doc(r[2], r[4])
                Corpus([a, b])
                S.append(score(a, b))
        for label, pred in [("verdict", [s["same"] for s in S])] + [
                ("V>=%.2f" % t, [s["V"] >= t for s in S]) for t in (0.2, 0.25, 0.28, 0.31, 0.34, 0.37, 0.4, 0.45)]:
            tp = sum(p and l == 1 for p, l in zip(pred, y))
            acc = sum(p == (l == 1) for p, l in zip(pred, y)) / len(y)
            f1 = 2 * tp / (sum(pred) + sum(l == 1 for l in y))
            out.append("%s acc %.3f F1 %.3f" % (label, acc, f1))
        print("MSRP train (%s idf):" % mode)
        print("  " + "\n  ".join(out))
        js = sorted(s["J"] for s, l in zip(S, y) if l == 1)
        print("  sketch score J of positives: p1 %.3f p5 %.3f p10 %.3f p25 %.3f median %.3f" % tuple(
            js[int(q * (len(js) - 1))] for q in (0.01, 0.05, 0.1, 0.25, 0.5)))


def cmd_reuters(args):
    import pickle
    docs = load_reuters() + load_seeds()
    Corpus(docs)
    pairs = candidates(docs, min_cos=0.1, topk=20)
    res = [(i, j, score(docs[i], docs[j])) for i, j in pairs]
    edges = [(i, j) for i, j, s in res if s["same"]]
    cl = star_clusters(len(docs), edges)
    sz = collections.Counter(len(c) for c in cl)
    print("candidates %d, verified edges %d, clusters %d, docs clustered %d" % (
        len(pairs), len(edges), len(cl), sum(len(c) for c in cl)))
    print("cluster sizes:", sorted(sz.items()))
    print("largest connected components (chaining if single-linkage):", components(len(docs), edges)[:5])
    seeds = {i for i, d in enumerate(docs) if not d.id.startswith("reuters")}
    print("clusters with a seed:", [[docs[x].id for x in c] for c in cl if seeds & set(c)])
    sv = sorted(((s["V"], docs[i].id, docs[j].id) for i, j, s in res if (i in seeds) != (j in seeds)), reverse=True)[:5]
    print("best seed-vs-reuters V:", sv)
    with open(args.dump, "wb") as f:
        pickle.dump(([d.id for d in docs], res, cl), f)


def cmd_boiler(args):
    chrome = ["Join Fox News to access this content",
              "Plus, you’ll get special access to featured articles and other premium content through your account – for free.",
              "Please enter a valid email address.",
              "Click here to get the Fox News app",
              "Leave a Reply",
              "Your email address will not be published. Required fields are marked *",
              "Subscribe to our newsletter for the latest headlines delivered to your inbox every morning"]
    ads = ["Sig P320FS OWB Holster - USA Made - Fits Sig 320FS, X5, X5 Legion, and M17 - Signature OWB Holster by Blade-Tech Holsters, Outside Waistband Open Carr",
           "Best Rated Air Fryer 2024 - 6 Quart Digital Nonstick Basket, Dishwasher Safe, Free Shipping on Orders Over $35",
           "See also  Mortgage rates fall for third straight week as housing market cools"]
    rs = [d for d in load_reuters()[:200] if len(d.text) > 600][:20]
    for boiler in (0, 1):
        for extra in (0, 1):
            docs = load_seeds()
            if extra:  # chrome + ads into seeds 000 and 004, chrome also into 10 Reuters docs (same "site")
                for d in (docs[0], docs[4]):
                    u = d.text.split("\n")
                    d.__init__(d.id, "\n".join(u[:3] + ads[1:2] + u[3:] + chrome + ads[2:]))
            rr = [Doc(d.id, d.text + ("\n" + "\n".join(chrome) if extra and k < 10 else "")) for k, d in enumerate(rs)]
            c = Corpus(docs + rr, boiler=boiler)
            m = matrix(docs)
            off = [m[i][j] for i in range(5) for j in range(i + 1, 5)]
            mx = max(score(s, r)["V"] for s in docs for r in rr)
            mxr = max(score(a, b)["V"] for a in rr for b in rr if a is not b)
            print("boiler=%d extra_chrome_ads=%d: seed V min %.3f mean %.3f  | 000-003 %.3f | max seed-vs-reuters %.3f | max reuters-reuters %.3f | dropped units: %d (repeated %d)" % (
                boiler, extra, min(off), sum(off) / len(off), m[0][3], mx, mxr,
                sum(k is False for d in docs + rr for k in d.keep), len(c.rep_units)))
            if boiler and args.verbose:
                for d in docs:
                    for u, k in zip(d.units, d.keep):
                        if not k:
                            print("   %s dropped: %s" % (d.id, u[:80]))


def cmd_topic(args):
    """Seed halves vs same-topic Reuters stories (Afghanistan / Soviet / Iran / attacks)."""
    seeds = load_seeds()
    halves = []
    for d in seeds:
        u = [x for x in d.text.split("\n") if x.strip()]
        h = len(u) // 2
        halves += [Doc(d.id + "a", "\n".join(u[:h])), Doc(d.id + "b", "\n".join(u[h:]))]
    reu = load_reuters()
    pat = re.compile(r"afghan|soviet|moscow|kremlin|iran|terror|guerrilla|bomb|attack|islamic|gunmen", re.I)
    topical = [d for d in reu if len(pat.findall(d.text)) >= 3]
    Corpus(reu + seeds + halves)
    best = sorted(((score(h, r)["V"], h.id, r.id, r.text.split("\n")[0][:60]) for h in halves + seeds for r in topical), reverse=True)
    print("same-topic Reuters docs: %d; top seed/half-vs-Reuters V:" % len(topical))
    for b in best[:8]:
        print("  %.3f %s %s %s" % b)
    own = [score(h, s)["V"] for h in halves for s in seeds if s.id != h.id[:3]]
    sp = [score(a, b)["V"] for i, a in enumerate(seeds) for b in seeds[i + 1:]]
    print("seed-vs-seed V min %.3f; half-vs-other-seed V min %.3f median %.3f; max vs topical Reuters %.3f" % (
        min(sp), min(own), sorted(own)[len(own) // 2], best[0][0]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["seeds", "msrp", "reuters", "boiler", "topic", "build-bg"])
    ap.add_argument("--set", action="append", default=[], help="override parameter, e.g. --set TH_A=2.0")
    ap.add_argument("--dump", default="/tmp/rewrite_reuters.pkl")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    for kv in args.set:
        k, v = kv.split("=")
        P[k] = float(v)
    if args.cmd == "build-bg":
        build_bg()
    else:
        globals()["cmd_" + args.cmd](args)


if __name__ == "__main__":
    main()
