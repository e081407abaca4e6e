//! Progress on stderr: a live counter when stderr is a terminal, one summary line at the end.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{HumanCount, ProgressBar, ProgressState, ProgressStyle};
use neardup::pipeline::Observer;
use neardup::Error;
use std::fmt;

/// Shows progress and notes on stderr unless quiet.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// The current stage's name, for its step counts.
    stage: Mutex<String>,
}

impl Progress {
    /// A live bar only when stderr is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {human_pos} docs ({rate}) {msg}")
                    .map(|style| {
                        // indicatif's `{per_sec}` prints four decimals ("6,067.8708/s").
                        style.with_key("rate", |state: &ProgressState, w: &mut dyn fmt::Write| {
                            let _ = write!(w, "{}/s", HumanCount(state.per_sec().round() as u64));
                        })
                    })
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar.set_message("reading");
            bar
        });
        Progress {
            bar,
            quiet,
            stage: Mutex::new(String::new()),
        }
    }

    /// A line on stderr that does not garble the bar. Printed even when quiet: notes are
    /// about the data (skipped records), not progress.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("neardup: {line}")),
            None => eprintln!("neardup: {line}"),
        }
    }

    /// Clears the bar and prints the summary (unless quiet).
    pub fn finish(&self, summary: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("neardup: {summary}");
        }
    }
}

impl Observer for Progress {
    fn read(&self, docs: usize, _bytes: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(docs as u64);
        }
    }

    fn skipped(&self, error: &Error) {
        self.note(&format!("skipped: {error}"));
    }

    fn stage(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
            if let Ok(mut stage) = self.stage.lock() {
                *stage = name.to_string();
            }
        }
    }

    fn progress(&self, done: usize, total: usize) {
        if let (Some(bar), Ok(stage)) = (&self.bar, self.stage.lock()) {
            bar.set_message(format!("{stage} {done}/{total}"));
        }
    }
}
