//! The writer lock: one process at a time may add to an index.
//!
//! The lock is an advisory exclusive lock (`flock`, via [`File::try_lock`]) on the `LOCK`
//! file, which also records the holder's pid for the error message. The operating system
//! drops the lock when the holder exits, however it exits (`kill -9` included), so a crash
//! never leaves a stale lock behind. Readers (`--read-only`) take no lock: they read the
//! records that were complete when they opened the index.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::error::{IndexError, IndexResult};

/// Name of the lock file inside the index directory.
pub const LOCK_FILE: &str = "LOCK";

/// A held writer lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Takes the writer lock of the index in `dir`, or says which pid holds it.
    pub fn acquire(dir: &Path) -> IndexResult<Self> {
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| IndexError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(IndexError::Locked {
                    dir: dir.to_path_buf(),
                    pid: if pid.is_empty() {
                        "?".into()
                    } else {
                        pid.into()
                    },
                });
            }
            Err(TryLockError::Error(e)) => return Err(IndexError::io(&path, e)),
        }
        let record = |f: &mut File| -> std::io::Result<()> {
            f.set_len(0)?;
            f.rewind()?;
            writeln!(f, "{}", std::process::id())
        };
        record(&mut file).map_err(|e| IndexError::io(&path, e))?;
        Ok(WriterLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_writer_is_told_the_pid() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriterLock::acquire(dir.path()).unwrap();
        let err = WriterLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("locked by pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        assert!(WriterLock::acquire(dir.path()).is_ok());
    }
}
