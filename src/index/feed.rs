//! Feeding a stream of articles through an index, in batches with group commit.
//!
//! One thread reads raw records ([`crate::input::Reader`]) and hands them over a bounded
//! channel; the caller's thread takes whatever has arrived (at least one record, at most
//! [`FeedOptions::batch`]), parses and fingerprints the batch in parallel (rayon), decides
//! each article in input order (inserting new ones at once, so duplicates inside the stream
//! are caught), commits the batch to disk and only then hands the outcomes to the sink.
//! With records trickling in one at a time, each is answered at once; with a backlog, one
//! fsync covers many.

use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver};

use rayon::prelude::*;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::error::{IndexError, IndexResult};
use super::{source_hash, timestamp_of, Decision, Index, PrepareScratch, Prepared, Verdict};
use crate::input::{Document, Format, InputOptions, InputSpec, Item, Raw};

/// How articles are read and treated.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Field names; `keep_raw` is forced on when fields must be read from the raw record.
    pub input: InputOptions,
    /// Field whose value names the article's outlet; matches with the same value are not
    /// reported (`--ignore-same-source`).
    pub source_field: Option<String>,
    /// Skip bad records (handing them to the sink as [`Outcome::Skipped`]) instead of stopping.
    pub skip_invalid: bool,
    /// Add new articles to the index (else only to memory, for in-stream duplicates).
    pub add_new: bool,
    /// Most records per batch (one commit, one fsync). By default, 1024.
    pub batch: usize,
}

impl Default for FeedOptions {
    fn default() -> Self {
        FeedOptions {
            input: InputOptions::default(),
            source_field: None,
            skip_invalid: false,
            add_new: true,
            batch: 1024,
        }
    }
}

/// What happened to one record.
#[derive(Debug)]
pub enum Outcome {
    /// A verdict (already durable when the sink sees it).
    Decided {
        /// The article as read (with its raw record when kept).
        doc: Document,
        /// The verdict.
        decision: Decision,
    },
    /// A bad record stepped over (`skip_invalid`).
    Skipped(IndexError),
}

/// Counts over a whole feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedSummary {
    /// Records read.
    pub records: u64,
    /// New articles.
    pub new: u64,
    /// Exact copies.
    pub exact: u64,
    /// Near-duplicates.
    pub near: u64,
    /// Rewrites (with the rewrite tier).
    pub rewrite: u64,
    /// Records skipped.
    pub skipped: u64,
}

type Prep = IndexResult<(Document, Prepared)>;

/// Feeds every record of `inputs`, in order, through `index`; calls `sink` with each
/// batch's outcomes after the batch is committed. Stops at the first bad record unless
/// `skip_invalid` (the records before it are committed and handed to the sink first).
pub fn feed(
    index: &mut Index,
    inputs: &[InputSpec],
    options: &FeedOptions,
    mut sink: impl FnMut(&[Outcome]) -> IndexResult<()>,
) -> IndexResult<FeedSummary> {
    let time_field = index.params().time_field.clone();
    let needs_fields = time_field.is_some() || options.source_field.is_some();
    if needs_fields {
        if let Some(spec) = inputs.iter().find(|s| s.format != Format::Jsonl) {
            return Err(crate::Error::Config(format!(
                "{}: the time and source fields can only be read from JSONL input",
                spec.path.display()
            ))
            .into());
        }
    }
    let mut input = options.input.clone();
    input.keep_raw |= needs_fields;
    let fields = Fields {
        time: time_field,
        source: options.source_field.clone(),
    };
    let batch_max = options.batch.max(1);
    let mut summary = FeedSummary::default();
    std::thread::scope(|scope| -> IndexResult<()> {
        let (tx, rx) = sync_channel::<IndexResult<Item>>(batch_max);
        let input_ref = &input;
        scope.spawn(move || {
            for spec in inputs {
                let reader = match spec.open(input_ref) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Err(e.into()));
                        return;
                    }
                };
                for item in reader {
                    let stop = item.is_err();
                    if tx.send(item.map_err(Into::into)).is_err() || stop {
                        return;
                    }
                }
            }
        });
        let mut outcomes = Vec::new();
        let mut fatal = None;
        while let Some((items, error)) = next_batch(&rx, batch_max) {
            let shared: &Index = index;
            let prepared: Vec<Prep> = items
                .into_par_iter()
                .map_init(PrepareScratch::default, |scratch, item| {
                    prepare(shared, &input, &fields, item, scratch)
                })
                .collect();
            outcomes.clear();
            for p in prepared {
                summary.records += 1;
                match p.and_then(|(doc, p)| {
                    let decision = index.decide(&p)?;
                    // A rewrite is kept too: the story's next version may be closer to it
                    // than to the first one. A copy adds nothing its original lacks.
                    if matches!(decision.verdict, Verdict::New | Verdict::Rewrite) {
                        index.insert(&doc.id, &p)?;
                    }
                    Ok((doc, decision))
                }) {
                    Ok((doc, decision)) => {
                        match decision.verdict {
                            Verdict::New => summary.new += 1,
                            Verdict::Exact => summary.exact += 1,
                            Verdict::NearDuplicate => summary.near += 1,
                            Verdict::Rewrite => summary.rewrite += 1,
                        }
                        outcomes.push(Outcome::Decided { doc, decision });
                    }
                    Err(e) if options.skip_invalid && e.is_skippable() => {
                        summary.skipped += 1;
                        outcomes.push(Outcome::Skipped(e));
                    }
                    Err(e) => {
                        fatal = Some(e);
                        break;
                    }
                }
            }
            if options.add_new {
                index.commit()?;
            }
            sink(&outcomes)?;
            if let Some(e) = fatal.take().or(error) {
                return Err(e);
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

/// Waits for one record, then takes what else has already arrived, up to `max`. `None` at
/// the end of input; a read error ends the batch and is returned beside it.
fn next_batch(
    rx: &Receiver<IndexResult<Item>>,
    max: usize,
) -> Option<(Vec<Item>, Option<IndexError>)> {
    let mut items = Vec::new();
    let mut next = Some(rx.recv().ok()?);
    while let Some(received) = next {
        match received {
            Ok(item) => items.push(item),
            Err(e) => return Some((items, Some(e))),
        }
        next = if items.len() < max {
            // Empty or disconnected: the batch is what has arrived.
            rx.try_recv().ok()
        } else {
            None
        };
    }
    Some((items, None))
}

/// The extra fields to read from each JSON record.
struct Fields {
    time: Option<String>,
    source: Option<String>,
}

fn prepare(
    index: &Index,
    input: &InputOptions,
    fields: &Fields,
    item: Item,
    scratch: &mut PrepareScratch,
) -> Prep {
    let doc = input.parse(item)?;
    let (mut timestamp, mut source) = (None, None);
    if fields.time.is_some() || fields.source.is_some() {
        let Some(Raw::Line(line)) = &doc.raw else {
            return Err(
                crate::Error::Config("time and source fields need JSONL input".into()).into(),
            );
        };
        let values =
            extract(line, [fields.time.as_deref(), fields.source.as_deref()]).map_err(|e| {
                crate::Error::invalid(doc.location.clone(), format!("invalid JSON: {e}"))
            })?;
        if let Some(name) = &fields.time {
            let bad = |message: String| IndexError::Timestamp {
                location: doc.location.clone(),
                message,
            };
            timestamp = Some(match &values[0] {
                None => {
                    return Err(bad(format!(
                        "missing field {name:?} (the index's time field)"
                    )))
                }
                Some(v) => timestamp_of(v).map_err(|m| bad(format!("field {name:?}: {m}")))?,
            });
        }
        source = match &values[1] {
            Some(Value::String(s)) => Some(source_hash(s)),
            Some(Value::Null) | None => None,
            Some(other) => Some(source_hash(&other.to_string())),
        };
    }
    let mut p = index.prepare(&doc.text, scratch);
    p.timestamp = timestamp;
    p.source = source;
    Ok((doc, p))
}

/// The values of (up to) two top-level fields of a JSON object, skipping the rest cheaply.
fn extract(line: &[u8], names: [Option<&str>; 2]) -> Result<[Option<Value>; 2], serde_json::Error> {
    struct Seed<'n>([Option<&'n str>; 2]);
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = [Option<Value>; 2];
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = [Option<Value>; 2];
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = [None, None];
            let mut seen: HashMap<usize, ()> = HashMap::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match self.0.iter().position(|n| *n == Some(key.as_ref())) {
                    Some(i) if !seen.contains_key(&i) => {
                        out[i] = Some(map.next_value::<Value>()?);
                        seen.insert(i, ());
                        // The same name may be asked for twice (time and source).
                        if self.0[1 - i] == self.0[i] {
                            out[1 - i] = out[i].clone();
                            seen.insert(1 - i, ());
                        }
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let out = Seed(names).deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_named_fields_only() {
        let line = br#"{"id":"a","text":"x","published":"2024-01-01T00:00:00Z","src":{"n":1}}"#;
        let [t, s] = extract(line, [Some("published"), Some("src")]).unwrap();
        assert_eq!(t, Some(Value::String("2024-01-01T00:00:00Z".into())));
        assert_eq!(s, Some(serde_json::json!({"n": 1})));
        let [t, s] = extract(line, [Some("missing"), None]).unwrap();
        assert_eq!((t, s), (None, None));
        assert!(extract(b"{\"a\":", [None, None]).is_err());
    }
}
