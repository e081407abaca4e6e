//! Boilerplate: units that must neither drive nor block a rewrite match.
//!
//! Two detectors, both switched off by `--keep-boilerplate`:
//!
//! 1. **Repeated lines** (corpus level): a unit whose normalised text
//!    ([`super::features::unit_key`]) has at least three words and occurs in at least
//!    [`super::RewriteParams::min_repeat_docs`] documents is site chrome ("Source link",
//!    "Join … for free", share and newsletter prompts, author bios): it is dropped. The idea
//!    is the template detection of Bar-Yossef & Rajagopalan (WWW 2002) at line granularity.
//! 2. **Off-topic lines** (per document, documents of four or more units): a unit of at least
//!    four tokens whose idf-weighted containment in the rest of its own document is below
//!    [`super::RewriteParams::off_topic_coherence`] shares no rare term with the story: a
//!    product ad pasted into the article, an unrelated "See also" link. It is dropped.
//!
//! Both only ever remove units; what remains is weighted as usual. A chrome line carries
//! little idf weight anyway; the detectors matter most for ads and bios, whose rare terms
//! would otherwise enter a document's top features.

use super::features::HashMap64;
use super::{DocUnits, Stats};

/// Number of documents (or families of near-duplicate documents) each normalised unit (of
/// three or more words) occurs in.
#[derive(Debug, Default)]
pub struct RepeatedLines {
    docs_per_unit: HashMap64<u32>,
}

impl RepeatedLines {
    /// Adds one document's units (each distinct unit counts once per document).
    pub fn add(&mut self, doc: &DocUnits) {
        self.add_family(std::iter::once(doc));
    }

    /// Adds the units of a family of documents that are copies or near-duplicates of each
    /// other: each distinct unit counts once for the family. A wire story carried
    /// verbatim by three outlets has lines in three documents, but they are the story,
    /// not site chrome.
    pub fn add_family<'a>(&mut self, docs: impl IntoIterator<Item = &'a DocUnits>) {
        let mut keys: Vec<u64> = docs
            .into_iter()
            .flat_map(|d| d.units.iter())
            .filter(|u| u.words >= 3)
            .map(|u| u.key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            *self.docs_per_unit.entry(k).or_insert(0) += 1;
        }
    }

    /// Merges counts gathered over another part of the corpus.
    pub fn merge(mut self, other: RepeatedLines) -> Self {
        for (k, c) in other.docs_per_unit {
            *self.docs_per_unit.entry(k).or_insert(0) += c;
        }
        self
    }

    /// Marks the units of `doc` that occur in `min_docs` or more documents as dropped;
    /// returns how many were dropped.
    pub fn drop_repeated(&self, doc: &mut DocUnits, min_docs: u32) -> usize {
        let mut dropped = 0;
        for u in &mut doc.units {
            if u.keep
                && u.words >= 3
                && self.docs_per_unit.get(&u.key).copied().unwrap_or(0) >= min_docs
            {
                u.keep = false;
                dropped += 1;
            }
        }
        dropped
    }
}

/// What dropping a document's off-topic units took from it: what the corpus statistics
/// must forget ([`Stats::forget`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OffTopic {
    /// Units dropped.
    pub units: usize,
    /// Tokens in the dropped units.
    pub tokens: usize,
    /// Features that only the dropped units had, sorted.
    pub lost: Vec<u64>,
}

/// The places of `doc`'s kept units, when there are four or more: fewer are too few to
/// tell an off-topic one from the rest.
fn kept_units(doc: &DocUnits) -> Option<Vec<usize>> {
    let kept: Vec<usize> = (0..doc.units.len())
        .filter(|&i| doc.units[i].keep)
        .collect();
    (kept.len() >= 4).then_some(kept)
}

/// Drops the kept units of `doc` (when it has four or more) of at least `min_tokens`
/// tokens whose idf-weighted share of distinct features also found elsewhere in the
/// document is below `coherence`. Returns what was dropped.
pub fn drop_off_topic(
    doc: &mut DocUnits,
    stats: &Stats,
    coherence: f64,
    min_tokens: usize,
) -> OffTopic {
    let Some(kept) = kept_units(doc) else {
        // No order by feature: an older one would only be checked and dropped.
        doc.by_feature.clear();
        return OffTopic::default();
    };
    // Every kept token as (feature, its index, its unit's place in `kept`), sorted by
    // feature once for the whole document: a run of equal features gives the feature's
    // count in the document, and the idf is looked up once per run (the corpus-wide table
    // is the vocabulary, and every lookup a cache miss). One sort per document instead of
    // a sort per unit and a map of the document's counts. Each unit's sums below still
    // add its distinct features' weights in increasing feature order, as a sort of the
    // unit's own features did, so every sum is the same to the last bit. A feature's
    // background is a function of the feature, so any of its tokens gives it.
    //
    // Each token is kept as its index in `doc.tokens` rather than with its background
    // (read once per run): the order is left in `doc.by_feature` for `Profile::build`.
    let mut occ: Vec<(u64, u32, u32)> =
        Vec::with_capacity(kept.iter().map(|&i| doc.units[i].len()).sum());
    for (k, &i) in kept.iter().enumerate() {
        // `kept` indexes units and the second field tokens, more than 2^32 of which a
        // document could not hold (a token is 16 bytes).
        let k = k as u32;
        let range = doc.units[i].tokens.clone();
        occ.extend(
            doc.tokens[range.clone()]
                .iter()
                .zip(range)
                .map(|(t, j)| (t.feature, j as u32, k)),
        );
    }
    crate::hash::sort_by_hash(&mut occ, |x| x.0);
    doc.by_feature.clear();
    doc.by_feature.extend(occ.iter().map(|x| x.1));
    let tested: Vec<bool> = kept
        .iter()
        .map(|&i| doc.units[i].len() >= min_tokens)
        .collect();
    // Per unit: the idf-weighted sum of its distinct features (`den`) and of those also
    // found elsewhere in the document (`num`); `local` counts a run's tokens per unit.
    let (mut num, mut den) = (vec![0.0f64; kept.len()], vec![0.0f64; kept.len()]);
    let mut local = vec![0u32; kept.len()];
    for run in occ.chunk_by(|a, b| a.0 == b.0) {
        let (f, j, _) = run[0];
        let w = stats.idf(f, doc.tokens[j as usize].background);
        for x in run {
            local[x.2 as usize] += 1;
        }
        for x in run {
            let k = x.2 as usize;
            if local[k] == 0 {
                continue;
            }
            if tested[k] {
                den[k] += w;
                if run.len() > local[k] as usize {
                    num[k] += w;
                }
            }
            local[k] = 0;
        }
    }
    let mut dropped = vec![false; kept.len()];
    let mut out = OffTopic::default();
    for (k, &i) in kept.iter().enumerate() {
        if tested[k] && den[k] > 0.0 && num[k] / den[k] < coherence {
            dropped[k] = true;
            let unit = &mut doc.units[i];
            unit.keep = false;
            out.units += 1;
            out.tokens += unit.len();
        }
    }
    // A feature is lost to the document when all its kept tokens were in dropped units;
    // the runs come in increasing feature order, so the list is sorted.
    if out.units > 0 {
        for run in occ.chunk_by(|a, b| a.0 == b.0) {
            if run.iter().all(|x| dropped[x.2 as usize]) {
                out.lost.push(run[0].0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::background::Background;
    use crate::rewrite::RewriteParams;

    /// The first implementation: each unit's features sorted on their own, the
    /// document's counts in a map.
    fn drop_off_topic_by_units(
        doc: &mut DocUnits,
        stats: &Stats,
        coherence: f64,
        min_tokens: usize,
    ) -> OffTopic {
        let Some(kept) = kept_units(doc) else {
            return OffTopic::default();
        };
        // Each feature's count in the document and its idf: the idf is looked up in the
        // corpus-wide table once per distinct feature here, not once per unit that has it
        // (that table is the corpus vocabulary, and every lookup a cache miss). A feature's
        // background probability is a function of the feature, so any token gives it. Sized
        // for every kept token up front: growing the map rehashed it several times a document.
        let mut full: HashMap64<(u32, f64)> = HashMap64::with_capacity_and_hasher(
            kept.iter().map(|&i| doc.units[i].len()).sum(),
            Default::default(),
        );
        for &i in &kept {
            for t in doc.unit_tokens(&doc.units[i]) {
                full.entry(t.feature)
                    .or_insert_with(|| (0, stats.idf(t.feature, t.background)))
                    .0 += 1;
            }
        }
        let mut drop = Vec::new();
        let mut own: Vec<(u64, Background)> = Vec::new();
        for &i in &kept {
            let unit = doc.unit_tokens(&doc.units[i]);
            if unit.len() < min_tokens {
                continue;
            }
            own.clear();
            own.extend(unit.iter().map(|t| (t.feature, t.background)));
            own.sort_unstable_by_key(|x| x.0);
            let (mut num, mut den) = (0.0, 0.0);
            for run in own.chunk_by(|a, b| a.0 == b.0) {
                let (f, bg) = run[0];
                // Every kept unit's features are in `full`; the fallback only keeps this total.
                let (count, w) = full
                    .get(&f)
                    .copied()
                    .unwrap_or_else(|| (0, stats.idf(f, bg)));
                den += w;
                if count as usize > run.len() {
                    num += w;
                }
            }
            if den > 0.0 && num / den < coherence {
                drop.push(i);
            }
        }
        // A feature is lost to the document when its count over the kept units falls to zero.
        let mut out = OffTopic {
            units: drop.len(),
            ..OffTopic::default()
        };
        for &i in &drop {
            let unit = &mut doc.units[i];
            unit.keep = false;
            out.tokens += unit.len();
            for t in &doc.tokens[unit.tokens.clone()] {
                if let Some(e) = full.get_mut(&t.feature) {
                    e.0 -= 1;
                    if e.0 == 0 {
                        out.lost.push(t.feature);
                    }
                }
            }
        }
        out.lost.sort_unstable();
        out
    }

    #[test]
    fn one_sort_per_document_drops_what_a_sort_per_unit_drops() {
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds");
        let mut texts: Vec<String> = std::fs::read_dir(seeds)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        assert!(texts.len() > 3, "the seed fixtures were read");
        // Each seed with lines of the others pasted in: units that do and do not belong.
        let n = texts.len();
        for i in 0..n {
            let other: Vec<&str> = texts[(i + 1) % n].lines().take(3).collect();
            let mixed = format!("{}\n{}", texts[i], other.join("\n"));
            texts.push(mixed);
        }
        let docs: Vec<DocUnits> = texts.iter().map(|t| DocUnits::parse(t)).collect();
        let counts: Vec<_> = docs.iter().map(DocUnits::term_counts).collect();
        let stats = Stats::new(&counts, &RewriteParams::default());
        for coherence in [0.0, 0.1, 0.3, 0.6, 1.0] {
            for min_tokens in [1, 4, 10] {
                for d in &docs {
                    let (mut a, mut b) = (d.clone(), d.clone());
                    let got = drop_off_topic(&mut a, &stats, coherence, min_tokens);
                    let want = drop_off_topic_by_units(&mut b, &stats, coherence, min_tokens);
                    assert_eq!(got, want);
                    let keeps = |d: &DocUnits| d.units.iter().map(|u| u.keep).collect::<Vec<_>>();
                    assert_eq!(keeps(&a), keeps(&b));
                }
            }
        }
    }

    #[test]
    fn a_line_in_three_documents_is_dropped() {
        let texts = [
            "Story one about cocoa.\nShare this article on Facebook",
            "Story two about wheat.\nShare this article on Facebook",
            "Story three about tin.\nshare THIS article on facebook!",
            "Story four about rubber.\nShare this",
        ];
        let mut docs: Vec<DocUnits> = texts.iter().map(|t| DocUnits::parse(t)).collect();
        let mut rep = RepeatedLines::default();
        for d in &docs {
            rep.add(d);
        }
        let dropped: Vec<usize> = docs.iter_mut().map(|d| rep.drop_repeated(d, 3)).collect();
        assert_eq!(dropped, [1, 1, 1, 0]);
    }

    #[test]
    fn an_unrelated_ad_line_is_dropped() {
        // Lines longer than 80 characters: one unit per line (not hard-wrapped text).
        let text = "Gunmen attacked the Crocus concert hall near Moscow on Friday evening, witnesses told reporters.\n\
                    The Crocus attack killed 137 people, Moscow officials said after the fire was put out overnight.\n\
                    Best Rated Air Fryer 2024 - 6 Quart Digital Nonstick Basket, Dishwasher Safe, Free Shipping\n\
                    Investigators in Moscow questioned four suspects over the Crocus attack on Sunday in court.\n\
                    Islamic State claimed the concert hall attack in a statement posted online, officials said.";
        let mut doc = DocUnits::parse(text);
        let params = RewriteParams::default();
        let stats = Stats::new(std::slice::from_ref(&doc.term_counts()), &params);
        let before = doc.term_counts();
        let dropped = drop_off_topic(&mut doc, &stats, 0.10, 4);
        assert_eq!(dropped.units, 1);
        assert!(!doc.units[2].keep);
        // What it reports lost is what a recount loses.
        let after = doc.term_counts();
        assert_eq!(dropped.tokens, before.tokens - after.tokens);
        let mut lost: Vec<u64> = before.terms.iter().map(|t| t.0).collect();
        lost.retain(|f| after.terms.binary_search_by_key(f, |t| t.0).is_err());
        assert!(!lost.is_empty());
        assert_eq!(dropped.lost, lost);
    }
}
