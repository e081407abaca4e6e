//! The errors of the index boundary: each one line, naming the file and the offset (or the
//! input line) and, for damage, how to recover.

use std::path::PathBuf;

use crate::error::Location;

/// Everything that can go wrong opening, reading or writing an index, or feeding it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// Reading or writing an index file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the writer lock.
    #[error("index {dir} is locked by pid {pid} (another writer is using it; pass --read-only to read beside it)")]
    Locked {
        /// The index directory.
        dir: PathBuf,
        /// The process holding the lock, as it recorded itself (`?` if unknown).
        pid: String,
    },
    /// There is no index in the directory.
    #[error("{dir}: no index here (create one with `neardup index build` or with `neardup filter` without --read-only)")]
    NotFound {
        /// The directory.
        dir: PathBuf,
    },
    /// A file of the index is damaged: a bad checksum, a truncated record, a wrong header.
    #[error("{path}: {what} at offset {offset}; {recovery}")]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Byte offset of the damage.
        offset: u64,
        /// What is wrong.
        what: String,
        /// What the user can do about it.
        recovery: String,
    },
    /// The index was built with other parameters than those asked for.
    #[error("index {dir} was built with {option} {built}, not {asked}; run with the index's parameters (or omit the option) or build a new index")]
    Incompatible {
        /// The index directory.
        dir: PathBuf,
        /// The option, as spelled on the command line (`--threshold`).
        option: &'static str,
        /// The index's value.
        built: String,
        /// The requested value.
        asked: String,
    },
    /// A record's timestamp is missing or cannot be read.
    #[error("{location}: {message}")]
    Timestamp {
        /// Where the record is.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// Reading an input or a parameter failed (the library's own error).
    #[error(transparent)]
    Input(#[from] crate::Error),
}

impl IndexError {
    /// An [`IndexError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IndexError::Io {
            path: path.into(),
            source,
        }
    }

    /// True for errors caused by one input record, which `--skip-invalid` may step over.
    pub fn is_skippable(&self) -> bool {
        match self {
            IndexError::Timestamp { .. } => true,
            IndexError::Input(e) => e.is_skippable(),
            _ => false,
        }
    }
}

/// The result type of the index.
pub type IndexResult<T> = std::result::Result<T, IndexError>;
