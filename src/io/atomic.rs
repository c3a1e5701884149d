//! Atomic file output: write to a temporary file beside the target, then rename.
//!
//! A crash, a full disk or an error half-way leaves the previous file (or no
//! file) in place, never a truncated one. The temporary file lives in the same
//! directory so the rename stays on one filesystem, which POSIX makes atomic.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `path` atomically: `fill` writes the content into a buffered writer;
/// on success the content is flushed, synced and renamed over `path`. On any
/// error the temporary file is removed and `path` is untouched.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let tmp = temporary_path(path);
    let result = write_synced(&tmp, path, fill)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| Error::io(path, "replace", &e)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Like [`write_atomic`], but refuses to replace an existing file: the
/// complete temporary file is hard-linked to `path`, which fails if `path`
/// exists, so no other writer can be overwritten even in a race.
pub fn write_atomic_new<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let tmp = temporary_path(path);
    let result = write_synced(&tmp, path, fill).and_then(|()| {
        fs::hard_link(&tmp, path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::in_file(path, "the file already exists; pilot never overwrites it")
            } else {
                Error::io(path, "create", &e)
            }
        })
    });
    let _ = fs::remove_file(&tmp);
    result
}

/// Writes the complete content to `tmp` and syncs it to disk; errors name
/// `target`, the file the user asked for.
fn write_synced<F>(tmp: &Path, target: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let file = File::create(tmp).map_err(|e| Error::io(target, "create", &e))?;
    let mut writer = BufWriter::new(file);
    fill(&mut writer)?;
    writer.flush().map_err(|e| Error::io(target, "write", &e))?;
    let file = writer
        .into_inner()
        .map_err(|e| Error::io(target, "write", e.error()))?;
    file.sync_all().map_err(|e| Error::io(target, "write", &e))
}

/// `dir/.name.<pid>.tmp`: hidden, unique per process, same directory.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.csv");
        fs::write(&path, "old").unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"half").unwrap();
            Err(Error::input("boom"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn write_new_refuses_to_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("exp.toml");
        fs::write(&path, "mine").unwrap();
        let err = write_atomic_new(&path, |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "mine");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn successful_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, |w| {
            w.write_all(b"new")
                .map_err(|e| Error::io("out.txt", "write", &e))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    }
}
