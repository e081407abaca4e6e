//! What the research examples share: a corpus read at the rewrite tier's defaults.

use neardup::config::{Config, Tier};
use neardup::input::{InputOptions, InputSpec};
use neardup::pipeline::{read_corpus, OnInvalid};
use neardup::Corpus;

/// The default configuration with both tiers on, and the corpus at `path` (any input
/// format) read under it with the `date` field or column as the CLI reads it, so that
/// `analyze` applies the rewrite window as `cluster` does; a bad record is an error.
pub fn read_all_tiers(path: &str) -> anyhow::Result<(Config, Corpus)> {
    let config = Config {
        tier: Tier::All,
        ..Config::default()
    };
    let spec = InputSpec::detect(path, None)?;
    let corpus = read_corpus(
        &[spec],
        &InputOptions {
            date_field: "date".into(),
            date_column: "date".into(),
            ..InputOptions::default()
        },
        &config,
        OnInvalid::Fail,
        &(),
    )?;
    Ok((config, corpus))
}
