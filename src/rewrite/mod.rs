//! Rewrite tier: documents that tell the same story in different words.
//!
//! Content farms and machine translation rewrite wire stories sentence by sentence, so word
//! shingles share almost nothing (the five seed rewrites: 5-shingle Jaccard ≤ 0.009). What
//! rewrites keep are the story's rare content terms, names, numbers and quotations. The
//! tier, ported from the measured prototype `scripts/rewrite_proto.py`
//! (`docs/rewrite-research.md`):
//!
//! | step | module | what |
//! |---|---|---|
//! | features | [`features`] | units (lines / paragraphs), words, light stems, numbers, names |
//! | boilerplate | [`boilerplate`] | drop units repeated across the corpus and off-topic units |
//! | dating | [`clock`], [`features::month_of`] | the clock times, market sessions and months a lead names |
//! | weights | [`Stats`], [`Profile`] | `(1 + ln tf) · idf`, idf smoothed by the [`background`] table |
//! | template wording | [`mark_template_frames`] | wording (frames) found in many documents of the corpus |
//! | sketch | [`sketch`] | weighted MinHash (P-MinHash) of the top-30 features; LSH with r = 2 |
//! | gate | [`CandidateGate`] | drop candidates whose `J` is below `θ(n)`: they cannot verify |
//! | storage | [`codec`] | a profile's stored form, for an index that scores articles it no longer has |
//! | verify | [`score`] | `V = J · (1 − λ(1 − KA))`, gated by shared rare content and number conflicts, against `θ(n)` |
//!
//! Every stage works on one document (or merges counts); [`crate::pipeline`] runs them over
//! a corpus in parallel.
//!
//! ```
//! use neardup::pipeline::rewrite_profiles;
//! use neardup::rewrite::{score::score, RewriteParams};
//! let p = RewriteParams::default();
//! let profiles = rewrite_profiles(&[
//!     "Gunmen killed 137 people at the Crocus City Hall concert venue near Moscow.",
//!     "At least 137 were killed when attackers stormed Crocus City Hall outside Moscow.",
//!     "Cocoa prices rose in Bahia as the harvest was delayed by rain.",
//! ], &p);
//! assert!(score(&profiles[0], &profiles[1], &p).is_rewrite());
//! assert!(!score(&profiles[0], &profiles[2], &p).is_rewrite());
//! ```

pub mod background;
pub mod boilerplate;
pub mod clock;
pub mod codec;
pub mod features;
pub mod score;
pub mod sketch;

use crate::error::{Error, Result};
use crate::lsh::LshParams;
use background::Background;
use features::{HashMap64, Token};

/// Parameters of the rewrite tier; every default is the measured prototype's.
#[derive(Debug, Clone, PartialEq)]
pub struct RewriteParams {
    /// Drop repeated and off-topic units before weighting. By default, on
    /// (`--keep-boilerplate` turns it off).
    pub boilerplate: bool,
    /// A unit of three or more words found in this many documents is boilerplate. By
    /// default, 3.
    pub min_repeat_docs: u32,
    /// A unit whose idf-weighted containment in the rest of its document is below this is
    /// off-topic. By default, 0.10.
    pub off_topic_coherence: f64,
    /// Only units of at least this many tokens can be off-topic. By default, 4.
    pub off_topic_min_tokens: usize,
    /// Pseudo-documents of background evidence in the idf of a large corpus. By default,
    /// 200.
    pub pseudo_docs: f64,
    /// Pseudo-documents of background evidence in the idf of a small corpus of `N`
    /// documents: the background counts as `max(pseudo_docs, pseudo_docs_small − N)`
    /// documents. A small collection is usually gathered on one subject, so its document
    /// frequencies measure the subject, not how rare a word is in news: in forty articles
    /// about one attack, "Moscow" and "concert hall" are in nearly all, and the rewrites of
    /// one story, whose shared words are the subject's, would score as strangers. By
    /// default, 1 000 (from 800 documents on, `pseudo_docs`).
    pub pseudo_docs_small: f64,
    /// Features per document that are sketched and compared (`J`). By default, 30.
    pub top_features: usize,
    /// Key entities per document. By default, 3.
    pub key_entities: usize,
    /// Key entities come from the first this-many tokens. By default, 50.
    pub lead_tokens: usize,
    /// Weight of the key-entity penalty. By default, 1.
    pub key_penalty: f64,
    /// The key-entity penalty reaches full strength at this many features. By default, 80.
    pub key_ramp: usize,
    /// `θ(n) = min(threshold_max, max(threshold_min, threshold_scale / √n))`. By default,
    /// 0.12.
    pub threshold_min: f64,
    /// See `threshold_min`. By default, 0.31.
    pub threshold_max: f64,
    /// See `threshold_min`. By default, 2.
    pub threshold_scale: f64,
    /// Weighted MinHash sketch size. By default, 128.
    pub sketch_size: usize,
    /// The lowest similarity of true rewrites LSH is designed for: the least similar seed
    /// pair has weighted Jaccard 0.138, and the sketch's collision probability `J_P` is
    /// never below it (see [`sketch`]). By default, 0.138.
    pub lsh_floor: f64,
    /// Probability that a pair at `lsh_floor` becomes a candidate in a corpus larger than
    /// `lsh_small_corpus`. By default, 0.7: with k = 128 this gives 64 bands of 2 rows.
    pub lsh_recall: f64,
    /// A corpus of at most this many documents with a sketch (exact copies count once) is
    /// banded with one row per band: every pair that shares a sketch value is a candidate,
    /// so a rewrite is missed only when its sketches share nothing. The candidates are at
    /// most all pairs: at 5 000 Reuters-21578 documents 2.1 M instead of 0.15 M, 0.4 s
    /// more CPU; on text that repeats one small vocabulary (generated word salad) several
    /// seconds. Rewrites of one story score near their threshold, and in a small corpus on
    /// their topic two rows per band missed a quarter of them. By default, 5 000.
    pub lsh_small_corpus: usize,
    /// Weight `μ` of the template penalty `1 − μ · g(T) · D` (see [`score::score`]). By
    /// default, 1.
    pub template_penalty: f64,
    /// Template share `T` from which the penalty ramps in: `g(T) = (T − T₀)/(1 − T₀)`
    /// clamped to [0, 1]. By default, 0.9 (at least 90% of the shared weight is template
    /// vocabulary).
    pub template_onset: f64,
    /// A feature is *template vocabulary* when its corpus document frequency is at least
    /// `max(common_min_docs, common_share · N)`. By default, 50.
    pub common_min_docs: u32,
    /// See `common_min_docs`. By default, 0.005 (0.5% of the documents).
    pub common_share: f64,
    /// Gain `γ` of the number-conflict penalty `1 − g'(T') · min(1, γ · C)` (see
    /// [`score::score`]). By default, 2.
    pub conflict_gain: f64,
    /// Content template share `T'` from which the number-conflict penalty ramps in:
    /// `g'(T') = (T' − T'₀)/(1 − T'₀)` clamped to [0, 1]. By default, 0.5.
    pub conflict_onset: f64,
    /// A document is a *template instance* when at least this share of its tokens was
    /// dropped as boilerplate (lines repeated across the corpus: dividend notes, quote
    /// tables). By default, 0.1.
    pub templated_share: f64,
    /// A document mostly made of repeated lines (at least this share of its tokens dropped
    /// as boilerplate: quote tables, rainfall tables, fund notes) counts its pairs' number
    /// conflicts in full (see [`score::conflict_weight`]); two such documents are never
    /// rewrites of each other ([`score::has_story_evidence`]). Higher than
    /// `templated_share` because news pages carry repeated chrome and ads too. By default,
    /// 0.5.
    pub template_instance_share: f64,
    /// A pair with a template instance must share at least this many rare content features
    /// (words or names that are neither numbers nor template vocabulary). By default, 2.
    pub templated_min_content: usize,
    /// A frame (token 4-gram, numbers masked, [`Frames`]) found in the frame sketches of at
    /// least this many documents of the corpus is *template wording*, counting each family
    /// of copies once ([`mark_template_frames`]). A pair whose shared frames are mostly
    /// template wording is two instances of one template unless its key entities agree
    /// ([`score::template_worded`], [`score::key_penalty`]). 0 turns this off. By default, 7.
    pub template_frame_docs: usize,
    /// See `template_frame_docs`: how many shared frames must be template wording, and at
    /// least which share of the shared frames they must be. By default, 5 and 0.5.
    pub template_frames: usize,
    /// See `template_frames`.
    pub template_frame_share: f64,
    /// Frame containment (shared wording with figures masked, [`Frames::containment`]) from
    /// which a pair's number conflict starts to count whatever its vocabulary: two reports
    /// cut from one template with other figures are other events. By default, 0.3.
    pub frame_onset: f64,
    /// Frame containment at which the number conflict counts in full. By default, 0.6.
    pub frame_full: f64,
    /// The frame rule ramps in with length: `h(F)` counts `min(1, n / frame_ramp)`, `n`
    /// the smaller document's feature count. By default, 40.
    pub frame_ramp: usize,
    /// Weight of the month conflict: both leads name months and none in common. By
    /// default, 1 (such a pair is no rewrite).
    pub month_penalty: f64,
    /// Weight of the clock conflict ([`score::clock_conflict`]): both leads name clock
    /// times in a zone they share, none within half an hour of the other's, and the
    /// smaller document has at most `clock_features` features (one short report's
    /// template at two hours). By default, 1.
    pub clock_penalty: f64,
    /// The longest document (in features) whose clock times can conflict. By default, 40.
    pub clock_features: usize,
    /// The short-text rule: when both documents have at most `top_features` features (a
    /// sentence or two), a rewrite also needs
    /// `min(a_in_b, b_in_a) − short_frame_weight · F ≥ short_containment` (see
    /// [`score::is_short_pair`]); 0 turns the rule off. By default, 0.45.
    pub short_containment: f64,
    /// See `short_containment`. By default, 0.2.
    pub short_frame_weight: f64,
    /// Two short texts that restate each other (the short-text rule holds) are rewrites
    /// without reaching `θ(n)` when they show no disagreement: the key-entity, template,
    /// figure and month factors leave at least this share of `J`
    /// (`V ≥ short_story_agreement · J`). By default, 0.8.
    pub short_story_agreement: f64,
    /// Cluster support: a document left out of every rewrite cluster joins the cluster
    /// to at least half of whose units (and at least two) it comes this close,
    /// `V ≥ cluster_support · θ` (see [`crate::cluster::merge_rewrites`]); 0 turns it
    /// off. Candidates are scored down to this share of their threshold. By default,
    /// 0.8.
    pub cluster_support: f64,
    /// Two documents whose publication dates ([`crate::Document::date`]) lie more than
    /// this many days apart are no rewrites of each other (nor support a cluster): a
    /// wire story is rewritten within days, while reports on one running story further
    /// apart tell other developments. Documents without a date are compared with every
    /// other. A document with exact copies spans its copies' dates. By default, 3.
    pub window_days: f64,
    /// Two documents published at least this many days apart (nearest times of their
    /// exact-copy groups) that share figures and give others differently (number conflict
    /// at least `development_conflict`) tell of a later development, not one story: a
    /// takeover fight's next statement, a row's next turn. Their verdict only supports a
    /// cluster ([`score::later_development`]). By default, 0.5 (infinite: never).
    pub development_days: f64,
    /// See `development_days`. By default, 0.3.
    pub development_conflict: f64,
    /// A running story: a pair published at least `development_days` apart that shares no
    /// figures and scores below `weak_margin · θ`, one of whose documents verifies with at
    /// least this many other reports (near-duplicate families other than its own, counted
    /// before corroboration), tells of the story's next development, not a rewrite:
    /// its verdict only supports a cluster ([`score::running_development`]). A row, a
    /// strike or a negotiation is reported day after day, and every report repeats its
    /// names and places; a wire story's rewrites keep its figures, or come within hours.
    /// 0 turns it off. By default, 3.
    pub running_partners: usize,
    /// Corroboration: a rewrite verdict resting on weak evidence
    /// ([`score::RewriteScore::is_weak`]: two documents longer than `top_features`, sharing
    /// less than `weak_frames` of their wording and scoring below `weak_margin · θ`) counts
    /// only when at least this many other stories (near-duplicate families) come within
    /// the support floor of both documents; otherwise the pair only supports a cluster.
    /// On Reuters-21578 such pairs, alone, were about as often other developments of a
    /// running story, or a reply of another party, as rewrites (35 of the 64 judged pairs
    /// this takes out), while the rewrites of one wire story come in groups whose
    /// members vouch for each other. 0 turns
    /// corroboration off. By default, 2.
    pub weak_witnesses: usize,
    /// See `weak_witnesses`: frame containment ([`Frames::containment`]) below which a
    /// pair shares little wording: less than half. By default, 0.5 (at 0.3 a second fresh
    /// sample of Reuters-21578 pairs held four other stories with 0.39–0.47: a reply, a
    /// later filing, comments on a report).
    pub weak_frames: f64,
    /// See `weak_witnesses`: a pair scoring below this many times its threshold is weak
    /// (when it also shares little wording). By default, 2.
    pub weak_margin: f64,
}

impl Default for RewriteParams {
    fn default() -> Self {
        RewriteParams {
            boilerplate: true,
            min_repeat_docs: 3,
            off_topic_coherence: 0.10,
            off_topic_min_tokens: 4,
            pseudo_docs: 200.0,
            pseudo_docs_small: 1000.0,
            top_features: 30,
            key_entities: 3,
            lead_tokens: 50,
            key_penalty: 1.0,
            key_ramp: 80,
            threshold_min: 0.12,
            threshold_max: 0.31,
            threshold_scale: 2.0,
            sketch_size: 128,
            lsh_floor: 0.138,
            lsh_recall: 0.7,
            lsh_small_corpus: 5_000,
            template_penalty: 1.0,
            template_onset: 0.9,
            common_min_docs: 50,
            common_share: 0.005,
            conflict_gain: 2.0,
            conflict_onset: 0.5,
            templated_share: 0.1,
            template_instance_share: 0.5,
            templated_min_content: 2,
            template_frame_docs: 7,
            template_frames: 5,
            template_frame_share: 0.5,
            frame_onset: 0.3,
            frame_full: 0.6,
            frame_ramp: 40,
            month_penalty: 1.0,
            clock_penalty: 1.0,
            clock_features: 40,
            short_containment: 0.45,
            short_frame_weight: 0.2,
            short_story_agreement: 0.8,
            cluster_support: 0.8,
            window_days: 3.0,
            development_days: 0.5,
            development_conflict: 0.3,
            running_partners: 3,
            weak_witnesses: 2,
            weak_frames: 0.5,
            weak_margin: 2.0,
        }
    }
}

impl RewriteParams {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Config(m));
        if !(0.0..=1.0).contains(&self.threshold_min)
            || !(0.0..=1.0).contains(&self.threshold_max)
            || self.threshold_min > self.threshold_max
        {
            return bad(format!(
                "rewrite thresholds must satisfy 0 ≤ min ≤ max ≤ 1, got {} and {}",
                self.threshold_min, self.threshold_max
            ));
        }
        if !(0.0..1.0).contains(&self.template_onset)
            || !(0.0..=1.0).contains(&self.template_penalty)
            || !(0.0..1.0).contains(&self.conflict_onset)
            || self.conflict_gain.is_nan()
            || self.conflict_gain < 0.0
            || !(0.0..=1.0).contains(&self.templated_share)
            || !(0.0..=1.0).contains(&self.template_instance_share)
            || !(0.0..=1.0).contains(&self.template_frame_share)
            || !(0.0..=1.0).contains(&self.month_penalty)
            || !(0.0..=1.0).contains(&self.clock_penalty)
            || !(0.0..1.0).contains(&self.short_containment)
            || !(self.short_frame_weight >= 0.0 && self.short_frame_weight.is_finite())
            || !(0.0..=1.0).contains(&self.short_story_agreement)
            || !(0.0..=1.0).contains(&self.cluster_support)
            || !(0.0 < self.frame_full && self.frame_onset < self.frame_full)
            || !(0.0..=1.0).contains(&self.weak_frames)
            || !(self.weak_margin >= 1.0 && self.weak_margin.is_finite())
        {
            return bad(
                "rewrite template and conflict onsets and short containment must be in [0, 1), \
                 template penalty, month penalty, templated share, template frame share, short \
                 story agreement and cluster support in [0, 1], conflict gain and short frame weight ≥ 0, frame onset below frame \
                 full, weak frames in [0, 1], weak margin finite and ≥ 1"
                    .into(),
            );
        }
        if !(self.pseudo_docs >= 0.0
            && self.pseudo_docs.is_finite()
            && self.pseudo_docs_small >= 0.0
            && self.pseudo_docs_small.is_finite())
        {
            return bad(format!(
                "rewrite pseudo-documents must be finite and ≥ 0, got {} and {}",
                self.pseudo_docs, self.pseudo_docs_small
            ));
        }
        if !(self.development_days >= 0.0 && (0.0..=1.0).contains(&self.development_conflict)) {
            return bad(format!(
                "rewrite development days must be ≥ 0 and its conflict in [0, 1], got {} and {}",
                self.development_days, self.development_conflict
            ));
        }
        if !(self.window_days > 0.0 && self.window_days.is_finite()) {
            return bad(format!(
                "the rewrite window must be a positive number of days, got {}",
                self.window_days
            ));
        }
        if self.top_features == 0
            || self.key_ramp == 0
            || self.frame_ramp == 0
            || self.min_repeat_docs < 2
        {
            return bad(
                "rewrite top features, key ramp and frame ramp must be ≥ 1, repeat docs ≥ 2".into(),
            );
        }
        let floor_ok = self.lsh_floor > 0.0 && self.lsh_floor <= 1.0;
        let recall_ok = self.lsh_recall > 0.0 && self.lsh_recall < 1.0;
        if !(floor_ok && recall_ok) {
            return bad("rewrite LSH floor must be in (0, 1] and recall in (0, 1)".into());
        }
        sketch::WeightedMinHasher::new(self.sketch_size, 0)?;
        Ok(())
    }

    /// The share of its threshold down to which a candidate pair is scored: a pair with
    /// `V ≥ support_floor · threshold` supports a cluster ([`score::RewriteScore::supports`]).
    /// `cluster_support`, or 1 when that is off.
    pub fn support_floor(&self) -> f64 {
        if self.cluster_support > 0.0 {
            self.cluster_support
        } else {
            1.0
        }
    }

    /// LSH bands and rows for the sketches of a corpus of `docs` documents: one row per
    /// band up to `lsh_small_corpus` documents, else [`Self::lsh_params`].
    pub fn lsh_params_for(&self, docs: usize) -> Result<LshParams> {
        if docs <= self.lsh_small_corpus {
            LshParams::new(self.sketch_size, 1, self.sketch_size)
        } else {
            self.lsh_params()
        }
    }

    /// LSH bands and rows for the sketches of a large corpus: the most rows per band
    /// (fewest random candidates) with `b = ⌊k / r⌋` that still make a pair at `lsh_floor`
    /// a candidate with probability `lsh_recall`. At the defaults, 64 bands of 2 rows.
    pub fn lsh_params(&self) -> Result<LshParams> {
        let k = self.sketch_size;
        let mut best = LshParams::new(k, 1, k)?;
        for rows in 1..=k {
            let p = LshParams::new(k / rows, rows, k)?;
            if p.probability(self.lsh_floor) >= self.lsh_recall {
                best = p;
            } else {
                break;
            }
        }
        Ok(best)
    }
}

/// One unit (line or paragraph) of a document and its features.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Hash of the normalised unit text.
    pub key: u64,
    /// Words in the normalised unit.
    pub words: usize,
    /// Its features in text order: the range of [`DocUnits::tokens`] they occupy.
    pub tokens: std::ops::Range<usize>,
    /// False once a boilerplate detector dropped the unit.
    pub keep: bool,
}

impl Unit {
    /// Number of features in the unit.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the unit has no feature.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

thread_local! {
    /// This thread's working memory for [`DocUnits::parse`]: the unit key buffer and the
    /// tokeniser's scratch.
    static PARSE_SCRATCH: std::cell::RefCell<(Vec<u8>, features::TokenScratch)> =
        std::cell::RefCell::default();
}

/// A document split into units and tokenised.
#[derive(Debug, Clone, Default)]
pub struct DocUnits {
    /// Units in text order.
    pub units: Vec<Unit>,
    /// The features of every unit, in text order; each unit holds its range. One array per
    /// document rather than one per unit: most units are a line of a dozen tokens, and
    /// their allocations and frees were a large part of the tokeniser's time.
    pub tokens: Vec<Token>,
    /// Indexes into `tokens` of the tokens of the units kept when
    /// [`boilerplate::drop_off_topic`] last ran, ordered by feature (empty when it did not
    /// sort them). That test sorts a document's tokens by feature; [`Profile::build`] sorts
    /// the kept ones again, and instead walks this order, skipping tokens of units dropped
    /// since. Four bytes a token, held until the profile is built.
    pub by_feature: Vec<u32>,
    /// The clock times named in the units the first [`clock::LEAD_TOKENS`] tokens overlap,
    /// kept or not: a report's dated header line recurs across the corpus, so it is
    /// dropped as boilerplate, yet it is what dates the report.
    pub clocks: clock::ClockTimes,
}

impl DocUnits {
    /// Splits and tokenises a text.
    pub fn parse(text: &str) -> Self {
        // Working memory reused across the documents a thread parses: fresh buffers for
        // each document grew several times over its units (a tenth of the tokeniser's
        // time in realloc).
        PARSE_SCRATCH.with(|s| {
            let (norm, scratch) = &mut *s.borrow_mut();
            Self::parse_with(text, norm, scratch)
        })
    }

    /// [`Self::parse`] with reusable working memory.
    fn parse_with(text: &str, norm: &mut Vec<u8>, scratch: &mut features::TokenScratch) -> Self {
        // Room for a token every 4 bytes: news text has one every 6 (Reuters), so the
        // vector is not regrown; `shrink_to_fit` below returns the rest.
        let mut tokens = Vec::with_capacity(text.len() / 4 + 8);
        let mut clocks = clock::ClockTimes::NONE;
        let units = features::split_units(text)
            .into_iter()
            .map(|u| {
                let (key, words) = features::unit_key_with(u, norm);
                let start = tokens.len();
                features::tokens_into(u, &mut tokens, scratch);
                // Only the lead, and only units with a zone, `hrs` or a session word among
                // their tokens, are read for times: reading every unit cost a fiftieth of
                // the tier.
                if start < clock::LEAD_TOKENS && clock::may_name_time(&tokens[start..]) {
                    clocks |= clock::lead_clock_times(u);
                }
                Unit {
                    key,
                    words,
                    tokens: start..tokens.len(),
                    keep: true,
                }
            })
            .collect();
        // Every document's tokens stay in memory until the profiles are built; a vector
        // grown by doubling holds up to twice its length (in place with glibc, so cheap).
        tokens.shrink_to_fit();
        DocUnits {
            units,
            tokens,
            by_feature: Vec::new(),
            clocks,
        }
    }

    /// The features of one unit, in text order.
    pub fn unit_tokens(&self, unit: &Unit) -> &[Token] {
        &self.tokens[unit.tokens.clone()]
    }

    /// The features of the kept units, in text order.
    pub fn kept_tokens(&self) -> impl Iterator<Item = &Token> + '_ {
        self.units
            .iter()
            .filter(|u| u.keep)
            .flat_map(|u| &self.tokens[u.tokens.clone()])
    }

    /// Feature counts over the kept units.
    pub fn term_counts(&self) -> TermCounts {
        // Sized up front: a flattening collect cannot know its length and would regrow.
        let kept = || self.units.iter().filter(|u| u.keep);
        let mut all: Vec<(u64, Background)> = Vec::with_capacity(kept().map(Unit::len).sum());
        // Unit by unit: a flattening iterator costs more than the copy.
        for u in kept() {
            all.extend(
                self.unit_tokens(u)
                    .iter()
                    .map(|t| (t.feature, t.background)),
            );
        }
        let tokens = all.len();
        crate::hash::sort_by_hash(&mut all, |x| x.0);
        let mut terms = Vec::with_capacity(all.chunk_by(|a, b| a.0 == b.0).count());
        terms.extend(
            all.chunk_by(|a, b| a.0 == b.0)
                .map(|run| (run[0].0, run.len() as u32, run[0].1)),
        );
        TermCounts { terms, tokens }
    }
}

/// A document's feature counts.
#[derive(Debug, Clone, Default)]
pub struct TermCounts {
    /// (feature, tf, background probability as a handle), sorted by feature.
    pub terms: Vec<(u64, u32, Background)>,
    /// Number of kept tokens.
    pub tokens: usize,
}

/// A feature's document frequency, with its idf precomputed for the background probability
/// it was counted with: the idf is asked for once per feature occurrence in every profile
/// and off-topic test, and costs an `exp` and an `ln`.
#[derive(Debug, Clone, Copy)]
struct DfEntry {
    df: u32,
    background: Background,
    idf: f64,
}

/// Document frequencies gathered over a corpus, or a part of one, before they become
/// [`Stats`]: parts gathered in parallel are merged, and no document's term counts need
/// to be kept once added.
#[derive(Debug, Clone, Default)]
pub struct DocFrequencies {
    df: HashMap64<DfEntry>,
    docs: usize,
    tokens: usize,
}

impl DocFrequencies {
    /// Adds one document's term counts.
    pub fn add(&mut self, c: &TermCounts) {
        self.docs += 1;
        self.tokens += c.tokens;
        for &(f, _, bg) in &c.terms {
            self.df
                .entry(f)
                .or_insert(DfEntry {
                    df: 0,
                    background: bg,
                    idf: 0.0,
                })
                .df += 1;
        }
    }

    /// Adds one document's kept units: what [`Self::add`] of its [`DocUnits::term_counts`]
    /// adds, without counting its terms. Document frequencies need each distinct feature
    /// once, not its count nor an order, so a table of the features seen in this document
    /// replaces the sort that counting takes (`seen` is reused across documents).
    pub fn add_kept(&mut self, doc: &DocUnits, seen: &mut SeenFeatures) {
        self.docs += 1;
        let kept = || doc.units.iter().filter(|u| u.keep);
        let tokens: usize = kept().map(Unit::len).sum();
        self.tokens += tokens;
        seen.start(tokens);
        for u in kept() {
            for t in doc.unit_tokens(u) {
                if seen.insert(t.feature) {
                    self.df
                        .entry(t.feature)
                        .or_insert(DfEntry {
                            df: 0,
                            background: t.background,
                            idf: 0.0,
                        })
                        .df += 1;
                }
            }
        }
    }

    /// Merges frequencies gathered over another part of the corpus.
    pub fn merge(mut self, other: DocFrequencies) -> Self {
        if self.df.len() < other.df.len() {
            return other.merge(self);
        }
        self.docs += other.docs;
        self.tokens += other.tokens;
        for (f, e) in other.df {
            // A feature's background handle is a function of the feature: both agree.
            self.df.entry(f).or_insert(DfEntry { df: 0, ..e }).df += e.df;
        }
        self
    }
}

/// The distinct features of one document, for [`DocFrequencies::add_kept`]: an open-
/// addressing set of feature hashes (their top bits index it) whose slots are stamped with
/// the document they were filled for, so starting the next document clears nothing.
#[derive(Debug, Clone, Default)]
pub struct SeenFeatures {
    /// (feature, stamp); a slot whose stamp is not `stamp` is empty.
    slots: Vec<(u64, u32)>,
    stamp: u32,
    /// `64 − log2(slots.len())`.
    shift: u32,
}

impl SeenFeatures {
    /// Empties the set for a document of at most `tokens` features.
    fn start(&mut self, tokens: usize) {
        // At most half full: probes stay short.
        let want = (2 * tokens).next_power_of_two().max(64);
        if self.slots.len() < want || self.stamp == u32::MAX {
            self.slots = vec![(0, 0); want];
            self.shift = 64 - want.trailing_zeros();
            self.stamp = 0;
        }
        self.stamp += 1;
    }

    /// Adds a feature; whether it was new.
    fn insert(&mut self, feature: u64) -> bool {
        let mask = self.slots.len() - 1;
        let mut i = (feature >> self.shift) as usize;
        loop {
            let slot = &mut self.slots[i];
            if slot.1 != self.stamp {
                *slot = (feature, self.stamp);
                return true;
            }
            if slot.0 == feature {
                return false;
            }
            i = (i + 1) & mask;
        }
    }
}

/// What the size of a corpus fixes in its idf: `max(0, ln((N + N0) / (df + N0 · p_bg + 1)))`
/// with `p_bg = 1 − exp(−L · bg)`. [`Stats`] adds each feature's document frequency; an
/// index that keeps its own frequencies asks this directly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorpusSize {
    /// Documents `N`.
    pub docs: usize,
    /// Mean tokens per document `L`, clamped to 20–600: the expected document length that
    /// turns a background token probability into a document probability.
    pub mean_len: f64,
    /// Pseudo-documents of background evidence `N0` ([`RewriteParams::pseudo_docs_small`]).
    pub pseudo_docs: f64,
    /// Document frequency from which a feature is template vocabulary.
    pub common_df: u32,
}

impl CorpusSize {
    /// The size of a corpus of `docs` documents and `tokens` kept tokens.
    pub fn new(docs: usize, tokens: usize, params: &RewriteParams) -> Self {
        CorpusSize {
            docs,
            mean_len: (tokens as f64 / docs.max(1) as f64).clamp(20.0, 600.0),
            pseudo_docs: params
                .pseudo_docs
                .max(params.pseudo_docs_small - docs as f64),
            common_df: params
                .common_min_docs
                .max((params.common_share * docs as f64).ceil() as u32),
        }
    }

    /// Probability that a document of mean length holds a feature of background
    /// probability `bg`: `1 − exp(−L · bg)`.
    pub fn background_df(&self, bg: f64) -> f64 {
        1.0 - (-self.mean_len * bg).exp()
    }

    /// The idf of a feature found in `df` documents whose background probability is `bg`.
    pub fn idf(&self, df: u32, bg: f64) -> f64 {
        let df = df as f64;
        let n0 = self.pseudo_docs;
        ((self.docs as f64 + n0) / (df + n0 * self.background_df(bg) + 1.0))
            .ln()
            .max(0.0)
    }
}

/// Corpus statistics behind the idf.
#[derive(Debug, Clone)]
pub struct Stats {
    size: CorpusSize,
    /// Kept tokens in the corpus.
    tokens: usize,
    df: HashMap64<DfEntry>,
}

impl Stats {
    /// Document frequencies and mean length of a corpus.
    pub fn new(counts: &[TermCounts], params: &RewriteParams) -> Self {
        let mut df = DocFrequencies::default();
        for c in counts {
            df.add(c);
        }
        Self::from_frequencies(df, params)
    }

    /// The statistics of the corpus whose frequencies were gathered.
    pub fn from_frequencies(freq: DocFrequencies, params: &RewriteParams) -> Self {
        let mut stats = Stats {
            size: CorpusSize::new(freq.docs, freq.tokens, params),
            tokens: freq.tokens,
            df: freq.df,
        };
        stats.refresh();
        stats
    }

    /// Takes units dropped after the statistics were gathered out of them: `lost` holds,
    /// for each document that lost units, the features none of its kept units still has,
    /// and `tokens` is the number of tokens dropped in all. The result is what
    /// [`Self::new`] gives for the recounted corpus, without recounting it. Give it only
    /// what [`boilerplate::drop_off_topic`] reported for the documents these statistics
    /// were gathered over: a feature it does not know is skipped, and more tokens than it
    /// counted leave none.
    pub fn forget<'a>(&mut self, lost: impl IntoIterator<Item = &'a [u64]>, tokens: usize) {
        for features in lost {
            for f in features {
                if let Some(e) = self.df.get_mut(f) {
                    e.df -= 1;
                    if e.df == 0 {
                        self.df.remove(f);
                    }
                }
            }
        }
        debug_assert!(
            tokens <= self.tokens,
            "forgetting more tokens than were counted"
        );
        self.tokens = self.tokens.saturating_sub(tokens);
        self.refresh();
    }

    /// Mean length and every cached idf from the counts.
    fn refresh(&mut self) {
        self.size.mean_len = (self.tokens as f64 / self.size.docs.max(1) as f64).clamp(20.0, 600.0);
        let mut df = std::mem::take(&mut self.df);
        for e in df.values_mut() {
            e.idf = self.idf_of(e.df, e.background.probability());
        }
        self.df = df;
    }

    /// Probability that a document of mean length holds a feature of background
    /// probability `bg`: `1 − exp(−L · bg)`.
    pub fn background_df(&self, bg: f64) -> f64 {
        self.size.background_df(bg)
    }

    /// The corpus's size.
    pub fn size(&self) -> CorpusSize {
        self.size
    }

    /// Whether a feature is template vocabulary: found in at least
    /// `max(common_min_docs, common_share · N)` documents of the corpus.
    pub fn is_common(&self, feature: u64) -> bool {
        self.df
            .get(&feature)
            .is_some_and(|e| e.df >= self.size.common_df)
    }

    /// `max(0, ln((N + N0) / (df + N0 · p_bg + 1)))`: corpus idf for large corpora,
    /// background idf for small ones.
    pub fn idf(&self, feature: u64, bg: Background) -> f64 {
        self.idf_and_common(feature, bg).0
    }

    /// [`Self::idf`] and [`Self::is_common`] of a feature in one lookup.
    fn idf_and_common(&self, feature: u64, bg: Background) -> (f64, bool) {
        match self.df.get(&feature) {
            // A feature's background probability is a function of the feature, so the
            // precomputed value is the one asked for; the comparison keeps the result exact
            // for any other caller.
            Some(e) if e.background == bg => (e.idf, e.df >= self.size.common_df),
            Some(e) => (
                self.idf_of(e.df, bg.probability()),
                e.df >= self.size.common_df,
            ),
            None => (self.idf_of(0, bg.probability()), false),
        }
    }

    /// The idf formula of [`Self::idf`] for a document frequency.
    fn idf_of(&self, df: u32, bg: f64) -> f64 {
        self.size.idf(df, bg)
    }
}

/// What verification needs of a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Every feature of positive weight, sorted by feature.
    pub features: Vec<(u64, f64)>,
    /// The top features by weight (sketched and compared), sorted by feature.
    pub top: Vec<(u64, f64)>,
    /// Key entities and their weights, strongest first.
    pub keys: Vec<(u64, f64)>,
    /// What each feature is, one byte per entry of `features`: [`Profile::SLOT`] (a number
    /// or a name), [`Profile::NUMBER`] (always a slot too) and [`Profile::COMMON`] (template
    /// vocabulary, frequent in the corpus: [`Stats::is_common`]). A byte beside each
    /// feature instead of three sorted lists: profiles are kept for every document, and a
    /// pair's merge reads the kinds of the features it walks instead of searching lists.
    pub kinds: Vec<u8>,
    /// Share of the document's tokens in units dropped as boilerplate.
    pub dropped_share: f64,
    /// The months named in the lead (the first `lead_tokens` kept tokens), bit `m` for
    /// month `m` (see [`features::month_of`]).
    pub months: u16,
    /// The clock times its lead names ([`DocUnits::clocks`]).
    pub clocks: clock::ClockTimes,
    /// The document's wording with its figures left out: a bottom-k sketch of the hashes
    /// of its kept token 4-grams with every number replaced by one placeholder (see
    /// [`Frames`]). Two instances of one template share it whatever their figures.
    pub frames: Frames,
}

/// A bottom-k sketch of a document's *frames*: token 4-grams with numbers masked.
///
/// Two reports cut from one template (a rate note, a price change, a tender) share their
/// wording and differ in their figures; two rewrites of one story share their figures and
/// differ in their wording. [`Frames::containment`] measures the first: how much of the
/// shorter document's wording the other repeats. The sketch keeps the `FRAME_SKETCH`
/// smallest distinct hashes, so documents with fewer frames than that are compared
/// exactly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frames {
    /// The smallest distinct frame hashes, ascending.
    pub sketch: Vec<u64>,
    /// Number of distinct frames in the document.
    pub count: usize,
    /// Bit `i` set when `sketch[i]` is template wording of the corpus
    /// ([`mark_template_frames`]); 0 for a document compared alone or stored in an index.
    pub common: u64,
}

/// Marks the template wording of a corpus in its profiles' frame sketches
/// ([`Frames::common`]): the frames found in the sketches of at least
/// [`RewriteParams::template_frame_docs`] documents, each family of copies (`families`, for
/// each document the lowest index of its family; `None`: every document its own) counted
/// once, as repeated lines are. A rate note's wording ("said it raised its prime rate to
/// … pct from … pct, effective") recurs in every bank's note; a story's wording is found
/// in its copies and in few rewrites.
///
/// Counted over the sketches, not every frame: a document keeps its
/// [`FRAME_SKETCH`] smallest frame hashes, so short notes (the templates this is for) are
/// counted whole, and a frame two documents' sketches share has a small hash, so it is in
/// the sketch of most other documents that hold it. One radix sort of all the sketches'
/// hashes (about 900 000 on Reuters-21578, 40 M instructions); nothing is kept but a bit
/// per sketch entry.
///
/// # Panics
/// If `families` is not one entry per profile.
pub fn mark_template_frames(profiles: &mut [Profile], families: Option<&[u32]>, p: &RewriteParams) {
    if let Some(f) = families {
        assert_eq!(f.len(), profiles.len(), "one family per profile");
    }
    profiles.iter_mut().for_each(|x| x.frames.common = 0);
    if p.template_frame_docs == 0 {
        return;
    }
    let mut all: Vec<u64> =
        Vec::with_capacity(profiles.iter().map(|x| x.frames.sketch.len()).sum());
    match families {
        None => profiles
            .iter()
            .for_each(|x| all.extend_from_slice(&x.frames.sketch)),
        Some(f) => {
            // Each family's distinct frames: a sketch is sorted and distinct already, so
            // only families of several members are merged.
            let mut members: Vec<u32> = (0..profiles.len() as u32).collect();
            members.sort_unstable_by_key(|&d| (f[d as usize], d));
            for family in members.chunk_by(|&x, &y| f[x as usize] == f[y as usize]) {
                let start = all.len();
                for &d in family {
                    all.extend_from_slice(&profiles[d as usize].frames.sketch);
                }
                if family.len() > 1 {
                    let mut own = all.split_off(start);
                    own.sort_unstable();
                    own.dedup();
                    all.extend_from_slice(&own);
                }
            }
        }
    }
    crate::hash::sort_by_hash(&mut all, |&h| h);
    let common: Vec<u64> = all
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() >= p.template_frame_docs)
        .map(|run| run[0])
        .collect();
    drop(all);
    if common.is_empty() {
        return;
    }
    // A bit per top-20-bit prefix of the common hashes: most frames of a document are not
    // template wording, and are passed over without a search.
    let mut prefixes = vec![0u64; 1 << 14];
    for &h in &common {
        prefixes[(h >> 50) as usize] |= 1 << (h >> 44 & 63);
    }
    use rayon::prelude::*;
    profiles.par_iter_mut().for_each(|x| {
        x.frames.common = x
            .frames
            .sketch
            .iter()
            .take(FRAME_SKETCH)
            .enumerate()
            .filter(|&(_, &h)| {
                prefixes[(h >> 50) as usize] >> (h >> 44 & 63) & 1 == 1
                    && common.binary_search(&h).is_ok()
            })
            .fold(0, |m, (i, _)| m | 1 << i);
    });
}

/// Size of the frame sketch: the containment estimate's standard error is about
/// `√(J(1 − J)/64) ≤ 0.063`; memory 512 bytes a document.
pub const FRAME_SKETCH: usize = 64;
// [`Frames::common`] has a bit per sketch entry.
const _: () = assert!(FRAME_SKETCH <= 64);

/// Tokens per frame.
const FRAME_LEN: usize = 4;

/// The last [`FRAME_LEN`] tokens of a sequence, hashed into a frame once there are that
/// many.
#[derive(Debug, Default)]
struct FrameWindow {
    window: [u64; FRAME_LEN],
    seen: usize,
}

impl FrameWindow {
    /// Adds the next token; returns the hash of the frame it ends, if it ends one.
    fn push(&mut self, t: &features::Token) -> Option<u64> {
        // The placeholder for every number: an odd constant no feature hash is likely to be.
        const NUMBER: u64 = 0x9E37_79B9_7F4A_7C15;
        let window = &mut self.window;
        window.rotate_left(1);
        window[FRAME_LEN - 1] = if t.number { NUMBER } else { t.feature };
        self.seen += 1;
        (self.seen >= FRAME_LEN).then(|| {
            window.iter().fold(0x2545_F491_4F6C_DD1D_u64, |acc, &x| {
                crate::hash::fold_mul(acc ^ x, 0xA076_1D64_78BD_642F)
            })
        })
    }
}

impl Frames {
    /// The frames of a token sequence (features in text order; numbers masked).
    pub fn of<'a>(tokens: impl Iterator<Item = &'a features::Token>) -> Self {
        let mut window = FrameWindow::default();
        let mut all: Vec<u64> = Vec::with_capacity(tokens.size_hint().0);
        all.extend(tokens.filter_map(|t| window.push(t)));
        Frames::from_hashes(all)
    }

    /// The sketch of a set of frame hashes (any order, repeats allowed).
    pub fn from_hashes(mut hashes: Vec<u64>) -> Self {
        crate::hash::sort_by_hash(&mut hashes, |&h| h);
        hashes.dedup();
        let count = hashes.len();
        hashes.truncate(FRAME_SKETCH);
        // Kept for every document: without this, each would keep room for all its frames.
        hashes.shrink_to_fit();
        Frames {
            sketch: hashes,
            count,
            common: 0,
        }
    }

    /// Estimated share of the smaller frame set found in the other, in [0, 1] (0 when
    /// either document has no frame): Jaccard `J` from the bottom-k sketch of the union,
    /// then `|A ∩ B| = J (|A| + |B|) / (1 + J)` over `min(|A|, |B|)`; exact when both
    /// documents have at most [`FRAME_SKETCH`] frames.
    pub fn containment(&self, other: &Frames) -> f64 {
        let (a, b) = (&self.sketch, &other.sketch);
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        if a.len() == self.count && b.len() == other.count {
            // Both sets are whole: count the intersection.
            let (mut i, mut j, mut both) = (0, 0, 0usize);
            while i < a.len() && j < b.len() {
                both += usize::from(a[i] == b[j]);
                let (x, y) = (a[i], b[j]);
                i += usize::from(x <= y);
                j += usize::from(y <= x);
            }
            return both as f64 / a.len().min(b.len()) as f64;
        }
        let (mut i, mut j, mut taken, mut both) = (0, 0, 0usize, 0usize);
        while taken < FRAME_SKETCH && (i < a.len() || j < b.len()) {
            let x = a.get(i).copied().unwrap_or(u64::MAX);
            let y = b.get(j).copied().unwrap_or(u64::MAX);
            if i < a.len() && j < b.len() && x == y {
                both += 1;
                i += 1;
                j += 1;
            } else if j >= b.len() || (i < a.len() && x < y) {
                i += 1;
            } else {
                j += 1;
            }
            taken += 1;
        }
        // The k smallest of A ∪ B are each among the k smallest of A or of B, and one of
        // them is in A exactly when it is in A's sketch: the merge sees the union's
        // bottom-k and which of it both share.
        let jac = both as f64 / taken as f64;
        let (na, nb) = (self.count as f64, other.count as f64);
        (jac * (na + nb) / ((1.0 + jac) * na.min(nb))).min(1.0)
    }
}

impl Profile {
    /// Kind bit: a slot feature, a number or a name (see [`Profile::kinds`]).
    pub const SLOT: u8 = 1;
    /// Kind bit: a number (see [`Profile::kinds`]).
    pub const NUMBER: u8 = 2;
    /// Kind bit: template vocabulary (see [`Profile::kinds`]).
    pub const COMMON: u8 = 4;

    /// Marks the listed features with a kind bit (features not in the profile are skipped).
    pub fn mark(&mut self, features: &[u64], kind: u8) {
        self.kinds.resize(self.features.len(), 0);
        for f in features {
            if let Ok(i) = self.features.binary_search_by_key(f, |x| x.0) {
                self.kinds[i] |= kind;
            }
        }
    }

    /// Weights a document's features against corpus statistics. Counts the document's
    /// terms itself: no caller keeps them (they are the largest thing a corpus would hold).
    pub fn build(doc: &DocUnits, stats: &Stats, p: &RewriteParams) -> Self {
        // The kept tokens, each as (feature, background, its SLOT and NUMBER kind bits),
        // sorted by feature for the term counts, and the frames, in one pass unit by unit
        // (a flattening iterator costs more than the work). Sorted by feature, a run of
        // equal features is one term: its length the tf, the union of its bits the term's
        // slot and number kinds (what marking the sorted lists of slot and number features
        // gave).
        let kept_len: usize = doc.units.iter().filter(|u| u.keep).map(Unit::len).sum();
        let kind_of =
            |t: &Token| (u8::from(t.slot) * Self::SLOT) | (u8::from(t.number) * Self::NUMBER);
        let mut all: Vec<(u64, Background, u8)> = Vec::with_capacity(kept_len);
        let mut window = FrameWindow::default();
        let mut frame_hashes = Vec::with_capacity(kept_len.saturating_sub(FRAME_LEN - 1));
        // The off-topic test's order by feature, when it covers every kept token: the
        // tokens of units dropped since are skipped (a mark per token says which are
        // kept), and a unit kept since that it did not see leaves a token short, which
        // sends the document to the sort. Equal features may come in any order, as with
        // the sort: a run's length and the union of its bits do not depend on it.
        if !doc.by_feature.is_empty() {
            let mut kept = vec![false; doc.tokens.len()];
            for u in doc.units.iter().filter(|u| u.keep) {
                kept[u.tokens.clone()].fill(true);
            }
            all.extend(doc.by_feature.iter().filter_map(|&i| {
                let i = i as usize;
                kept.get(i).copied().unwrap_or(false).then(|| {
                    let t = &doc.tokens[i];
                    (t.feature, t.background, kind_of(t))
                })
            }));
            if all.len() != kept_len {
                all.clear();
            }
        }
        let sorted = !all.is_empty() || kept_len == 0;
        for u in doc.units.iter().filter(|u| u.keep) {
            for t in doc.unit_tokens(u) {
                frame_hashes.extend(window.push(t));
                if !sorted {
                    all.push((t.feature, t.background, kind_of(t)));
                }
            }
        }
        if !sorted {
            crate::hash::sort_by_hash(&mut all, |x| x.0);
        }
        let frames = Frames::from_hashes(frame_hashes);
        // One df lookup per term for both its idf and whether it is template vocabulary:
        // the df table is the size of the corpus vocabulary and each lookup a cache miss.
        let terms = all.chunk_by(|a, b| a.0 == b.0).count();
        let mut features: Vec<(u64, f64)> = Vec::with_capacity(terms);
        let mut kinds: Vec<u8> = Vec::with_capacity(terms);
        for run in all.chunk_by(|a, b| a.0 == b.0) {
            let (f, bg, _) = run[0];
            // A document's tf fits: it has fewer tokens than 2^32 (see `term_counts`).
            let (idf, is_common) = stats.idf_and_common(f, bg);
            let w = term_weight(run.len() as u32, idf);
            if w > 0.0 {
                features.push((f, w));
                let slot_number = run.iter().fold(0, |k, x| k | x.2);
                kinds.push(slot_number | if is_common { Self::COMMON } else { 0 });
            }
        }
        // Kept for every document: sized for all its terms, of which some weigh nothing.
        features.shrink_to_fit();
        kinds.shrink_to_fit();
        let by_weight = top_features(&features, p.top_features);

        // A term's tf: the length of its run (every lead token is a kept token, so found).
        let tf_of =
            |f: u64| (all.partition_point(|x| x.0 <= f) - all.partition_point(|x| x.0 < f)) as u32;
        // One pass over the lead: the months it names, and its key-entity candidates.
        let mut months = 0u16;
        let mut lead: Vec<(u64, f64)> = doc
            .kept_tokens()
            .take(p.lead_tokens)
            .inspect(|t| months |= u16::from(t.month > 0) << t.month)
            .filter(|t| t.key)
            .map(|t| {
                let rarity = -stats
                    .background_df(t.background.probability())
                    .max(1e-9)
                    .ln();
                (
                    t.feature,
                    (1.0 + (tf_of(t.feature).max(1) as f64).ln()) * rarity,
                )
            })
            .collect();
        lead.sort_unstable_by_key(|x| x.0);
        lead.dedup_by_key(|x| x.0);
        lead.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        lead.truncate(p.key_entities);
        let all_tokens = doc.tokens.len();
        let dropped_tokens: usize = doc.units.iter().filter(|u| !u.keep).map(Unit::len).sum();
        Profile {
            dropped_share: dropped_tokens as f64 / all_tokens.max(1) as f64,
            features,
            top: by_weight,
            keys: lead,
            kinds,
            months,
            clocks: doc.clocks,
            frames,
        }
    }
}

/// A feature's weight in a document, `(1 + ln tf) · idf`.
fn term_weight(tf: u32, idf: f64) -> f64 {
    // Most terms occur once, and `1 + ln 1` is exactly 1: no `ln` call for them.
    if tf == 1 {
        idf
    } else {
        (1.0 + (tf as f64).ln()) * idf
    }
}

/// A key whose increasing order is the order of `(feature, weight)` by decreasing weight
/// (`f64::total_cmp`), then increasing feature: the weight's bits made an integer
/// ordered as `total_cmp` orders the weights, inverted, above the feature. One integer
/// comparison instead of two float and integer ones; [`from_heaviest_first_key`]
/// inverts it exactly.
pub(crate) fn heaviest_first_key((f, w): (u64, f64)) -> u128 {
    let bits = w.to_bits();
    // `total_cmp`'s transform (negative weights count down), then the sign bit flipped
    // so that the signed order becomes the unsigned one.
    let ordered = (bits ^ (((bits as i64 >> 63) as u64) >> 1)) ^ (1 << 63);
    (u128::from(!ordered) << 64) | u128::from(f)
}

/// The `(feature, weight)` of a [`heaviest_first_key`].
pub(crate) fn from_heaviest_first_key(key: u128) -> (u64, f64) {
    let ordered = !((key >> 64) as u64) ^ (1 << 63);
    // The transform flips the low 63 bits of negative weights and keeps the sign: its
    // own inverse.
    let bits = ordered ^ (((ordered as i64 >> 63) as u64) >> 1);
    (key as u64, f64::from_bits(bits))
}

/// The `n` heaviest of a document's features (ties: the smaller feature), sorted by
/// feature: what a profile sketches and compares.
pub fn top_features(features: &[(u64, f64)], n: usize) -> Vec<(u64, f64)> {
    // Heaviest first, ties by feature ([`heaviest_first_key`]): a total order (features
    // are distinct), so selecting the top ones before sorting them gives the same set as
    // a full sort.
    let mut by_weight = if features.len() > n {
        // The top `n` are the features heavier than the (n + 1)-th heaviest. Taken from
        // `features` in its own order rather than sorted after the selection: a profile's
        // features are sorted already, and the sort below then only checks that. Selected
        // as integer keys: comparing two was a third of the selection.
        let mut keys: Vec<u128> = features.iter().map(|&x| heaviest_first_key(x)).collect();
        let (_, &mut pivot, _) = keys.select_nth_unstable(n);
        let mut top = Vec::with_capacity(n);
        top.extend(features.iter().filter(|&&x| heaviest_first_key(x) < pivot));
        top
    } else {
        features.to_vec()
    };
    by_weight.sort_unstable_by_key(|x| x.0);
    by_weight
}

/// What an index keeps of a document for the rewrite tier, weighted only when it is
/// compared: its term counts (weighted then by the index's document frequencies) and the
/// parts of its [`Profile`] that do not depend on them. The pre-ingest filter stores one
/// per article ([`codec`]) and, for a candidate pair, weights both with the statistics of
/// the index and the new article, as `cluster` would weight them in that corpus.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fingerprint {
    /// (feature, tf, background probability, kind bits [`Profile::SLOT`] and
    /// [`Profile::NUMBER`]) of every feature of the kept units, sorted by feature.
    pub terms: Vec<(u64, u32, f64, u8)>,
    /// Kept tokens.
    pub tokens: u32,
    /// [`Profile::keys`].
    pub keys: Vec<(u64, f64)>,
    /// [`Profile::months`].
    pub months: u16,
    /// [`Profile::clocks`].
    pub clocks: clock::ClockTimes,
    /// [`Profile::frames`].
    pub frames: Frames,
    /// [`Profile::dropped_share`].
    pub dropped_share: f64,
}

impl Fingerprint {
    /// The fingerprint of a document whose profile under some statistics is `profile`
    /// (its key entities, months, frames and dropped share are kept as they are).
    pub fn of(doc: &DocUnits, profile: &Profile) -> Self {
        let counts = doc.term_counts();
        let mut kind: HashMap64<u8> = HashMap64::default();
        for t in doc.kept_tokens() {
            let bits = if t.number {
                Profile::SLOT | Profile::NUMBER
            } else if t.slot {
                Profile::SLOT
            } else {
                0
            };
            *kind.entry(t.feature).or_insert(0) |= bits;
        }
        Fingerprint {
            terms: counts
                .terms
                .iter()
                .map(|&(f, tf, bg)| {
                    let bits = kind.get(&f).copied().unwrap_or(0);
                    (f, tf, bg.probability(), bits)
                })
                .collect(),
            tokens: counts.tokens as u32,
            keys: profile.keys.clone(),
            months: profile.months,
            clocks: profile.clocks,
            frames: profile.frames.clone(),
            dropped_share: profile.dropped_share,
        }
    }

    /// The profile under a corpus of `size` in which a feature is in `df(f)` documents,
    /// weighted as [`Profile::build`] weights.
    pub fn profile(
        &self,
        size: &CorpusSize,
        df: impl Fn(u64) -> u32,
        p: &RewriteParams,
    ) -> Profile {
        let (mut features, mut kinds) = (Vec::new(), Vec::new());
        for &(f, tf, bg, bits) in &self.terms {
            let d = df(f);
            let w = term_weight(tf, size.idf(d, bg));
            if w > 0.0 {
                features.push((f, w));
                let common = if d >= size.common_df {
                    Profile::COMMON
                } else {
                    0
                };
                kinds.push(bits | common);
            }
        }
        Profile {
            top: top_features(&features, p.top_features),
            features,
            kinds,
            keys: self.keys.clone(),
            months: self.months,
            clocks: self.clocks,
            frames: self.frames.clone(),
            dropped_share: self.dropped_share,
        }
    }
}

/// The top features of every profile in flat arrays, to reject LSH candidates that cannot
/// verify before [`score::score_candidate`] looks at them.
///
/// A rewrite needs `V ≥ θ(n)` (a pair that supports a cluster `V ≥ f · θ(n)`, `f` the
/// [`RewriteParams::support_floor`]; the gate uses that), and `V` is the top-feature
/// Jaccard `J` times factors in [0, 1], so a pair with `J < f · θ(n)` never verifies nor
/// supports; `θ(n) ≥ θ_min` covers the gate of `score_candidate`. Two short texts may verify below `θ(n)`, but need
/// `J ≥ c / (2 − c)` for the short-text rule's `S ≥ c` ([`score::gate_threshold`]).
/// On Reuters-21578, 1.48 M candidates hold 239 k pairs with `J ≥ θ_min` but only 28 k
/// with `J ≥ θ(n)`. `J` is computed as [`score::overlap`] computes it (same sums in the
/// same order, bit for bit), from contiguous rows instead of one allocation per profile,
/// with a merge whose steps are selects rather than unpredictable branches.
#[derive(Debug, Clone, Default)]
pub struct CandidateGate {
    /// Profile `i`'s top features are `features[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    features: Vec<u64>,
    weights: Vec<f64>,
    /// Σ of each profile's top weights, summed in feature order as `score::overlap` does.
    totals: Vec<f64>,
    /// [`score::gate_threshold`] of each profile (`θ(n)` of its feature count times the
    /// support floor, lower for a short profile): the pair's is the larger of its two (`θ`
    /// falls with `n` and `n` is the smaller count).
    thresholds: Vec<f64>,
    /// A 512-bit Bloom filter of each profile's top features (one bit per feature, at
    /// [`bloom_bit`]).
    blooms: Vec<[u64; BLOOM_WORDS]>,
    /// Each profile's top features heaviest first, as ([`bloom_bit`], weight), in the rows
    /// of `offsets`.
    heavy: Vec<(u16, f64)>,
    /// `rest[offsets[i] + i + k]`: the weight of profile `i`'s top features from the
    /// `k`-th heaviest on (`len + 1` entries per profile, the last 0).
    rest: Vec<f64>,
}

/// Words of a [`CandidateGate`] Bloom filter: 512 bits, one cache line. With 30 top
/// features a feature the other document lacks still hits with probability about 6 %.
const BLOOM_WORDS: usize = 8;

/// The Bloom filter bit of a feature. Feature hashes are mixed first so that any feature
/// values (the property tests use small integers) spread over the filter.
fn bloom_bit(feature: u64) -> u16 {
    (feature.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - 9)) as u16
}

impl CandidateGate {
    /// The gate of a corpus's profiles under `p`.
    pub fn new(profiles: &[Profile], p: &RewriteParams) -> Self {
        let len: usize = profiles.iter().map(|x| x.top.len()).sum();
        let mut g = CandidateGate {
            offsets: Vec::with_capacity(profiles.len() + 1),
            features: Vec::with_capacity(len),
            weights: Vec::with_capacity(len),
            totals: Vec::with_capacity(profiles.len()),
            thresholds: Vec::with_capacity(profiles.len()),
            blooms: Vec::with_capacity(profiles.len()),
            heavy: Vec::with_capacity(len),
            rest: Vec::with_capacity(len + profiles.len()),
        };
        g.offsets.push(0);
        // J bounds V for every parameter value: each factor after J is at most 1
        // (`score::key_penalty` clamps the key penalty to [0, 1]).
        for x in profiles {
            g.features.extend(x.top.iter().map(|t| t.0));
            g.weights.extend(x.top.iter().map(|t| t.1));
            g.offsets.push(g.features.len());
            g.totals.push(x.top.iter().map(|t| t.1).sum());
            g.thresholds.push(score::gate_threshold(x, p));
            let mut bloom = [0u64; BLOOM_WORDS];
            let start = g.heavy.len();
            for t in &x.top {
                let bit = bloom_bit(t.0);
                bloom[usize::from(bit >> 6)] |= 1 << (bit & 63);
                g.heavy.push((bit, t.1));
            }
            g.blooms.push(bloom);
            let heavy = &mut g.heavy[start..];
            heavy.sort_unstable_by(|p, q| q.1.total_cmp(&p.1));
            let from = g.rest.len();
            let mut rest = 0.0;
            g.rest.push(rest);
            for h in heavy.iter().rev() {
                rest += h.1;
                g.rest.push(rest);
            }
            g.rest[from..].reverse();
        }
        g
    }

    /// Whether the Bloom filters prove `J < θ` for the pair, without the merge.
    ///
    /// The shared weight `s = Σ min(w_a, w_b)` is at most the weight of `a`'s top features
    /// that hit `b`'s filter (every shared feature hits). Walking `a`'s features heaviest
    /// first, `s ≤ hits so far + weight not yet tested`; `J = s / (T_a + T_b − s) < θ`
    /// exactly when `s < θ (T_a + T_b) / (1 + θ)`, so the walk stops as soon as the bound
    /// falls below that. Most LSH candidates share almost nothing, and their heaviest
    /// features miss at once. The bound is a real-number one, so it is compared with a
    /// relative margin far above floating-point rounding: no pair `J ≥ θ` is rejected.
    fn bloom_rejects(&self, a: usize, b: usize, theta: f64) -> bool {
        let (lo, hi) = (self.offsets[a], self.offsets[a + 1]);
        let need = theta * (self.totals[a] + self.totals[b]) / (1.0 + theta) * (1.0 - 1e-9);
        let bloom = &self.blooms[b];
        let rest = &self.rest[lo + a..=hi + a];
        let mut hits = 0.0;
        for (k, &(bit, w)) in self.heavy[lo..hi].iter().enumerate() {
            if hits + rest[k] < need {
                return true;
            }
            if (bloom[usize::from(bit >> 6)] >> (bit & 63)) & 1 == 1 {
                hits += w;
            }
        }
        hits < need
    }

    /// The weighted Jaccard of the top features of profiles `a` and `b`, bit for bit as
    /// [`score::score`] computes it; `None` when both are empty.
    pub fn jaccard(&self, a: usize, b: usize) -> Option<f64> {
        let (fa, fb) = (
            &self.features[self.offsets[a]..self.offsets[a + 1]],
            &self.features[self.offsets[b]..self.offsets[b + 1]],
        );
        let (wa, wb) = (
            &self.weights[self.offsets[a]..self.offsets[a + 1]],
            &self.weights[self.offsets[b]..self.offsets[b + 1]],
        );
        let (mut i, mut j, mut smin) = (0, 0, 0.0);
        while i < fa.len() && j < fb.len() {
            let (x, y) = (fa[i], fb[j]);
            // Adding +0.0 to a sum of positive weights leaves it unchanged, so the shared
            // minima are summed exactly as the branching merge sums them.
            smin += if x == y { wa[i].min(wb[j]) } else { 0.0 };
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        let smax = self.totals[a] + self.totals[b] - smin;
        (smax > 0.0).then(|| smin / smax)
    }

    /// False when the pair of profiles `a` and `b` cannot be a rewrite (see the type
    /// documentation); true when it may be and must be scored.
    pub fn may_verify(&self, a: usize, b: usize) -> bool {
        let theta = self.thresholds[a].max(self.thresholds[b]);
        if self.bloom_rejects(a, b, theta) {
            return false;
        }
        self.jaccard(a, b).is_some_and(|j| j >= theta)
    }
}

#[cfg(test)]
mod tests {
    /// A frame is template wording when the sketches of `template_frame_docs` documents
    /// hold it, a family of copies counting once.
    #[test]
    fn template_frames_are_counted_once_per_family() {
        let p = RewriteParams::default();
        let note = |b: &str| {
            format!("{b} said it has raised its prime rate to 7-3/4 pct from 7-1/2 pct, effective immediately.")
        };
        let banks: Vec<String> = [
            "Harbor",
            "Lakeshore",
            "Granite",
            "Pioneer",
            "Midland",
            "Cascade",
            "Bluewater",
        ]
        .iter()
        .map(|b| note(&format!("{b} Bank")))
        .collect();
        let refs: Vec<&str> = banks.iter().map(String::as_str).collect();
        let profiles = crate::pipeline::rewrite_profiles(&refs, &p);
        assert!(profiles.iter().all(|x| x.frames.common != 0));
        // The same seven as one family of copies: nothing recurs across the corpus.
        let mut again = profiles.clone();
        mark_template_frames(&mut again, Some(&[0; 7]), &p);
        assert!(again.iter().all(|x| x.frames.common == 0));
        // Six banks are too few.
        let six = crate::pipeline::rewrite_profiles(&refs[..6], &p);
        assert!(six.iter().all(|x| x.frames.common == 0));
        // Every document its own family is no families at all; off clears old marks.
        let mut own = profiles.clone();
        mark_template_frames(&mut own, Some(&[0, 1, 2, 3, 4, 5, 6]), &p);
        assert_eq!(own, profiles);
        let off = RewriteParams {
            template_frame_docs: 0,
            ..RewriteParams::default()
        };
        mark_template_frames(&mut own, None, &off);
        assert!(own.iter().all(|x| x.frames.common == 0));
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn heaviest_first_keys_order_as_total_cmp_and_invert() {
        let ws = [
            0.0,
            -0.0,
            1.0,
            1.5,
            -2.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE,
            1e-300,
        ];
        let fs = [0u64, 1, 7, u64::MAX];
        let items: Vec<(u64, f64)> = ws
            .iter()
            .flat_map(|&w| fs.iter().map(move |&f| (f, w)))
            .collect();
        for &a in &items {
            let back = from_heaviest_first_key(heaviest_first_key(a));
            assert_eq!((back.0, back.1.to_bits()), (a.0, a.1.to_bits()));
            for &b in &items {
                let want = b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
                assert_eq!(heaviest_first_key(a).cmp(&heaviest_first_key(b)), want);
            }
        }
    }

    #[test]
    fn frequencies_of_kept_units_equal_those_of_term_counts() {
        let texts = [
            "Gunmen attacked the Crocus hall.\nShare this article\nThe attack killed 137.",
            "Share this article\nCocoa prices rose in Bahia; cocoa, cocoa and more cocoa.",
            "",
            "One line only, with 2,200 dlrs and May 5 and the the the.",
        ];
        let mut docs: Vec<DocUnits> = texts.iter().map(|t| DocUnits::parse(t)).collect();
        docs[0].units[1].keep = false;
        docs[1].units[0].keep = false;
        let (mut by_counts, mut by_kept) = (DocFrequencies::default(), DocFrequencies::default());
        // One table for every document: its stamps must empty it between them.
        let mut seen = SeenFeatures::default();
        for d in &docs {
            by_counts.add(&d.term_counts());
            by_kept.add_kept(d, &mut seen);
        }
        assert_eq!(
            (by_kept.docs, by_kept.tokens),
            (by_counts.docs, by_counts.tokens)
        );
        let table = |f: &DocFrequencies| {
            let mut v: Vec<(u64, u32, Background)> =
                f.df.iter().map(|(&k, e)| (k, e.df, e.background)).collect();
            v.sort_unstable_by_key(|x| x.0);
            v
        };
        assert_eq!(table(&by_kept), table(&by_counts));
    }

    #[test]
    fn default_lsh_is_64_bands_of_2_rows() {
        let p = RewriteParams::default();
        assert!(p.validate().is_ok());
        assert_eq!(p.lsh_params().unwrap(), LshParams { bands: 64, rows: 2 });
        // A small corpus is banded one row per band: near-exhaustive candidates.
        assert_eq!(
            p.lsh_params_for(5_000).unwrap(),
            LshParams {
                bands: 128,
                rows: 1
            }
        );
        assert_eq!(p.lsh_params_for(5_001).unwrap(), p.lsh_params().unwrap());
    }

    #[test]
    fn bad_parameters_are_rejected() {
        for bad in [
            RewriteParams {
                threshold_min: 0.5,
                threshold_max: 0.3,
                ..RewriteParams::default()
            },
            RewriteParams {
                sketch_size: 0,
                ..RewriteParams::default()
            },
            RewriteParams {
                pseudo_docs_small: f64::NAN,
                ..RewriteParams::default()
            },
            RewriteParams {
                pseudo_docs: -1.0,
                ..RewriteParams::default()
            },
            RewriteParams {
                window_days: 0.0,
                ..RewriteParams::default()
            },
            RewriteParams {
                short_containment: 1.0,
                ..RewriteParams::default()
            },
            RewriteParams {
                short_frame_weight: -0.1,
                ..RewriteParams::default()
            },
            RewriteParams {
                short_story_agreement: 1.5,
                ..RewriteParams::default()
            },
            RewriteParams {
                lsh_recall: 1.0,
                ..RewriteParams::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cached_idf_equals_the_formula() {
        let (bg, other) = (Background::NUMBER_3, Background::NUMBER_1);
        let doc = |terms: Vec<(u64, u32, Background)>| TermCounts { terms, tokens: 50 };
        let counts = [
            doc(vec![(1, 2, bg), (2, 1, bg)]),
            doc(vec![(1, 1, bg)]),
            doc(vec![]),
        ];
        let s = Stats::new(&counts, &RewriteParams::default());
        // Cached for the probability a feature was counted with, computed otherwise.
        let (p, q) = (bg.probability(), other.probability());
        assert_eq!(s.idf(1, bg).to_bits(), s.idf_of(2, p).to_bits());
        assert_eq!(s.idf(2, bg).to_bits(), s.idf_of(1, p).to_bits());
        assert_eq!(s.idf(1, other).to_bits(), s.idf_of(2, q).to_bits());
        assert_eq!(s.idf(9, bg).to_bits(), s.idf_of(0, p).to_bits());
        assert!(s.idf(1, bg) < s.idf(2, bg));
    }

    /// A profile of `n` features of which the first `top` are its top features.
    fn gate_profile(feats: &[(u64, f64)], top: usize, keys: usize, slots: &[u64]) -> Profile {
        let mut features = feats.to_vec();
        features.sort_unstable_by_key(|x| x.0);
        features.dedup_by_key(|x| x.0);
        let mut by_weight = features.clone();
        by_weight.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let keys = by_weight[..keys.min(by_weight.len())].to_vec();
        by_weight.truncate(top);
        by_weight.sort_unstable_by_key(|x| x.0);
        let mut p = Profile {
            features,
            top: by_weight,
            keys,
            ..Profile::default()
        };
        p.mark(slots, Profile::SLOT);
        let even: Vec<u64> = slots.iter().copied().filter(|s| s % 2 == 0).collect();
        p.mark(&even, Profile::NUMBER);
        p
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The gate's Jaccard is the scorer's bit for bit, and a pair it rejects is never
        /// a rewrite, nor supports a cluster: if a verification rule ever lifts `V` above
        /// `J`, this fails.
        #[test]
        fn the_candidate_gate_rejects_no_rewrite(
            a in proptest::collection::vec((0u64..40, 0.01f64..5.0), 0..45),
            b in proptest::collection::vec((0u64..40, 0.01f64..5.0), 0..45),
            slots in proptest::collection::vec(0u64..40, 0..10),
            top in 1usize..35,
            keys in 0usize..4,
            dropped in (0.0f64..1.0, 0.0f64..1.0),
            months in (0u16..4, 0u16..4),
            short in prop_oneof![Just(0.0f64), 0.05f64..0.9],
            agreement in 0.0f64..=1.0,
            thresholds in (0.0f64..0.3, 0.0f64..0.5, 0.5f64..4.0),
            support in prop_oneof![Just(0.0f64), 0.3f64..=1.0],
        ) {
            // Any valid parameters: the gate and the early bounds must hold for all of them.
            let p = RewriteParams {
                top_features: top,
                short_containment: short,
                short_story_agreement: agreement,
                threshold_min: thresholds.0,
                threshold_max: (thresholds.0 + thresholds.1).min(1.0),
                threshold_scale: thresholds.2,
                cluster_support: support,
                ..RewriteParams::default()
            };
            prop_assert!(p.validate().is_ok());
            let floor = p.support_floor();
            let mut x = gate_profile(&a, top, keys, &slots);
            let mut y = gate_profile(&b, top, keys, &slots);
            x.dropped_share = dropped.0;
            y.dropped_share = dropped.1;
            // Bits 1 and 2: March and April (0: no month in the lead).
            x.months = months.0 << 1;
            y.months = months.1 << 1;
            let gate = CandidateGate::new(&[x.clone(), y.clone()], &p);
            let s = score::score(&x, &y, &p);
            match gate.jaccard(0, 1) {
                Some(j) => prop_assert_eq!(j.to_bits(), s.jaccard.to_bits()),
                None => prop_assert_eq!(s.jaccard, 0.0),
            }
            // The Bloom filter rejects only pairs the merge rejects, at any threshold.
            if let Some(j) = gate.jaccard(0, 1) {
                for theta in [j * 0.999, j, j * 1.001, 0.12, 0.31] {
                    if gate.bloom_rejects(0, 1, theta) || gate.bloom_rejects(1, 0, theta) {
                        prop_assert!(j < theta, "J {} θ {}", j, theta);
                    }
                }
            }
            if !gate.may_verify(0, 1) {
                prop_assert!(!s.is_rewrite() && !s.supports(floor), "{:?}", s);
                prop_assert!(score::score_candidate(&x, &y, &p).is_none_or(|s| !s.supports(floor)));
            }
            prop_assert_eq!(gate.may_verify(0, 1), gate.may_verify(1, 0));
            // The candidate scorer's early bound rejects only pairs that do not verify
            // (nor support), and scores the others as the full scorer does.
            match score::score_candidate(&x, &y, &p) {
                Some(c) => prop_assert_eq!(c, s),
                None => prop_assert!(!s.is_rewrite() && !s.supports(floor), "{:?}", s),
            }
        }
    }

    #[test]
    fn the_gate_passes_the_seed_rewrites() {
        let texts: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds"))
                .map(|d| {
                    let mut paths: Vec<_> = d.flatten().map(|e| e.path()).collect();
                    paths.sort();
                    paths
                        .iter()
                        .filter_map(|p| std::fs::read_to_string(p).ok())
                        .collect()
                })
                .unwrap_or_default();
        assert_eq!(texts.len(), 5);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let p = RewriteParams::default();
        let profiles = crate::pipeline::rewrite_profiles(&refs, &p);
        let gate = CandidateGate::new(&profiles, &p);
        let mut rewrites = 0;
        for i in 0..5 {
            for j in i + 1..5 {
                let s = score::score(&profiles[i], &profiles[j], &p);
                if s.is_rewrite() {
                    rewrites += 1;
                    assert!(gate.may_verify(i, j), "{i} {j}");
                }
                assert_eq!(
                    gate.jaccard(i, j).map(f64::to_bits),
                    Some(s.jaccard.to_bits())
                );
            }
        }
        assert!(rewrites > 0);
    }

    #[test]
    fn frames_mask_figures_and_ignore_repeats() {
        let frames = |t: &str| Frames::of(features::tokens(t).iter());
        let a = frames("Acme said it is lowering its base price one cent to 66.50 cents a lb");
        let b = frames("Acme said it is lowering its base price one cent to 74.0 cents a lb");
        let c = frames("Cathode prices at Acme drop by a cent to 66.50 cents per pound today");
        assert_eq!(a.sketch, b.sketch);
        assert_eq!(a.containment(&b), 1.0);
        // One phrase in common ("cent to # cents") of eleven frames.
        assert!((a.containment(&c) - 1.0 / 11.0).abs() < 1e-12);
        assert_eq!(a.containment(&Frames::default()), 0.0);
        // Fewer than four tokens: no frame at all.
        assert_eq!(frames("Acme said").count, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Frame containment is exact while both sets fit the sketch, and within about four
        /// standard errors of the truth beyond.
        #[test]
        fn frame_containment_estimates_the_share_of_the_smaller_set(
            shared in 0usize..300,
            only_a in 0usize..300,
            only_b in 0usize..300,
            seed in any::<u64>(),
        ) {
            let h = |i: usize, tag: u64| crate::hash::mix64(seed ^ (tag << 40) ^ i as u64);
            let a: Vec<u64> = (0..shared).map(|i| h(i, 1)).chain((0..only_a).map(|i| h(i, 2))).collect();
            let b: Vec<u64> = (0..shared).map(|i| h(i, 1)).chain((0..only_b).map(|i| h(i, 3))).collect();
            let (fa, fb) = (Frames::from_hashes(a), Frames::from_hashes(b));
            let got = fa.containment(&fb);
            prop_assert_eq!(got.to_bits(), fb.containment(&fa).to_bits());
            let smaller = (shared + only_a).min(shared + only_b);
            if smaller == 0 {
                prop_assert_eq!(got, 0.0);
            } else {
                let truth = shared as f64 / smaller as f64;
                if shared + only_a.max(only_b) <= FRAME_SKETCH {
                    prop_assert!((got - truth).abs() < 1e-9, "{} vs {}", got, truth);
                } else {
                    let union = (shared + only_a + only_b) as f64;
                    let j = shared as f64 / union;
                    // The containment is J · (|A| + |B|) / ((1 + J) · min): its error is the
                    // J error scaled by that factor.
                    let scale = union * 2.0 / smaller as f64;
                    let se = (j * (1.0 - j) / FRAME_SKETCH as f64).sqrt().max(0.01) * scale;
                    prop_assert!((got - truth).abs() <= 4.0 * se, "{} vs {} (se {})", got, truth, se);
                }
            }
        }
    }

    /// Every cached idf, the mean length and the common-vocabulary flags of two statistics.
    fn assert_same_stats(a: &Stats, b: &Stats) {
        assert_eq!((a.size.docs, a.tokens), (b.size.docs, b.tokens));
        assert_eq!(a.size.mean_len.to_bits(), b.size.mean_len.to_bits());
        assert_eq!(a.df.len(), b.df.len());
        for (f, e) in &a.df {
            let o = &b.df[f];
            assert_eq!(
                (e.df, e.background, e.idf.to_bits()),
                (o.df, o.background, o.idf.to_bits())
            );
        }
    }

    #[test]
    fn forgetting_off_topic_units_equals_recounting() {
        // The seed articles, one with a product ad pasted in: the ad line is dropped.
        let ad = "Best Rated Air Fryer 2024 - 6 Quart Digital Nonstick Basket, Dishwasher Safe, Free Shipping Today";
        let seeds: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds"))
                .expect("fixtures/seeds")
                .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("seed text"))
                .collect();
        let mut texts = seeds.clone();
        texts[1] = seeds[1].replacen('\n', &format!("\n{ad}\n"), 1);
        let params = RewriteParams::default();
        let mut docs: Vec<DocUnits> = texts.iter().map(|t| DocUnits::parse(t)).collect();
        let mut freq = DocFrequencies::default();
        for d in &docs {
            freq.add(&d.term_counts());
        }
        let mut stats = Stats::from_frequencies(freq, &params);
        let dropped: Vec<boilerplate::OffTopic> = docs
            .iter_mut()
            .map(|d| {
                boilerplate::drop_off_topic(
                    d,
                    &stats,
                    params.off_topic_coherence,
                    params.off_topic_min_tokens,
                )
            })
            .collect();
        assert!(dropped[1].units >= 1, "{:?}", dropped[1]);
        let tokens = dropped.iter().map(|o| o.tokens).sum();
        stats.forget(dropped.iter().map(|o| o.lost.as_slice()), tokens);
        let recounted: Vec<TermCounts> = docs.iter().map(DocUnits::term_counts).collect();
        assert_same_stats(&stats, &Stats::new(&recounted, &params));
        // Frequencies gathered in two parts and merged are the whole corpus's.
        let (mut x, mut y) = (DocFrequencies::default(), DocFrequencies::default());
        for (i, c) in recounted.iter().enumerate() {
            if i % 2 == 0 {
                x.add(c)
            } else {
                y.add(c)
            }
        }
        assert_same_stats(
            &Stats::from_frequencies(y.merge(x), &params),
            &Stats::new(&recounted, &params),
        );
    }

    #[test]
    fn small_corpora_lean_on_the_background() {
        let counts = [TermCounts::default(), TermCounts::default()];
        let s = Stats::new(&counts, &RewriteParams::default());
        let common = background::word_background("the");
        let rare = background::word_background("crocus");
        assert!(s.idf(1, rare) > 3.0 * s.idf(2, common).max(0.01));
        // The background's weight falls with the corpus, to `pseudo_docs` from 800 documents.
        let p = RewriteParams::default();
        let stats_of = |docs: usize| {
            let f = DocFrequencies {
                docs,
                ..DocFrequencies::default()
            };
            Stats::from_frequencies(f, &p)
        };
        assert_eq!(stats_of(2).size.pseudo_docs, 998.0);
        assert_eq!(stats_of(300).size.pseudo_docs, 700.0);
        assert_eq!(stats_of(800).size.pseudo_docs, 200.0);
        assert_eq!(stats_of(19_000).size.pseudo_docs, 200.0);
    }

    /// A subject word in nearly every document of a small collection keeps a weight that a
    /// story's own words can build on; with the large-corpus prior it was worth little.
    #[test]
    fn a_small_collection_on_one_subject_does_not_erase_the_subject() {
        let moscow = features::word_hash("moscow");
        let bg = background::word_background("moscow");
        let mut counts = vec![TermCounts::default(); 40];
        for c in counts.iter_mut().take(38) {
            *c = TermCounts {
                terms: vec![(moscow, 1, bg)],
                tokens: 1,
            };
        }
        let small = Stats::new(&counts, &RewriteParams::default());
        let flat = Stats::new(
            &counts,
            &RewriteParams {
                pseudo_docs_small: 0.0,
                ..RewriteParams::default()
            },
        );
        let (with, without) = (small.idf(moscow, bg), flat.idf(moscow, bg));
        assert!(with > 1.5 * without, "{with} vs {without}");
    }
}
