//! The library's one error type.
//!
//! Every error that comes from input names where it happened (file and line or record), so
//! the binary can print it as a single line a user can act on. The binary adds nothing but
//! the `neardup:` prefix.

use std::fmt;
use std::path::PathBuf;

/// Where in the input something happened: a file (or `-` for stdin) and a 1-based line or
/// record number when one applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The input file, `-` for standard input.
    pub path: PathBuf,
    /// 1-based line (JSONL, CSV) number; `None` for whole-file inputs (a `.txt` document).
    pub line: Option<u64>,
}

impl Location {
    /// A location in `path` at 1-based `line`.
    pub fn line(path: impl Into<PathBuf>, line: u64) -> Self {
        Location {
            path: path.into(),
            line: Some(line),
        }
    }

    /// A whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `-` is standard input on the command line; in a message "-:3" reads as a typo.
        let path = if self.path.as_os_str() == "-" {
            std::path::Path::new("<stdin>").display()
        } else {
            self.path.display()
        };
        match self.line {
            Some(line) => write!(f, "{path}:{line}"),
            None => write!(f, "{path}"),
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A record could not be used: malformed JSON or CSV, a missing field, invalid UTF-8.
    #[error("{location}: {message}")]
    InvalidRecord {
        /// Where the record is.
        location: Location,
        /// What is wrong with it.
        message: String,
    },
    /// Two records share a document id.
    #[error("{second}: duplicate document id {id:?} (first seen at {first})")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Where it first appeared.
        first: Location,
        /// Where it appeared again.
        second: Location,
    },
    /// A parameter is out of its range or options contradict each other.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// An output cannot be written where asked.
    #[error("{path}: {message}")]
    Output {
        /// The output path.
        path: PathBuf,
        /// Why not.
        message: String,
    },
    /// A document id asked for is not in the corpus.
    #[error("document id {0:?} not found")]
    UnknownId(String),
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::InvalidRecord`] at `location`.
    pub fn invalid(location: Location, message: impl Into<String>) -> Self {
        Error::InvalidRecord {
            location,
            message: message.into(),
        }
    }

    /// True for errors caused by one record that `--skip-invalid` may step over.
    pub fn is_skippable(&self) -> bool {
        matches!(
            self,
            Error::InvalidRecord { .. } | Error::DuplicateId { .. }
        )
    }
}

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_and_line() {
        let e = Error::invalid(Location::line("a.jsonl", 3), "expected value");
        assert_eq!(e.to_string(), "a.jsonl:3: expected value");
        let e = Error::DuplicateId {
            id: "x".into(),
            first: Location::line("a.jsonl", 1),
            second: Location::line("b.jsonl", 4),
        };
        assert_eq!(
            e.to_string(),
            "b.jsonl:4: duplicate document id \"x\" (first seen at a.jsonl:1)"
        );
        assert!(e.is_skippable());
        assert!(!Error::Config("k".into()).is_skippable());
        let e = Error::invalid(Location::line("-", 2), "expected value");
        assert_eq!(e.to_string(), "<stdin>:2: expected value");
    }
}
