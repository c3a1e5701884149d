//! Atomic file output: write to a temporary file beside the target, then rename.
//!
//! A crash, a full disk or an error half-way leaves the previous file (or no
//! file) in place, never a truncated one. The temporary file lives in the same
//! directory so the rename stays on one filesystem, which POSIX makes atomic.
//! A process killed mid-write cannot remove its temporary file, so each write
//! first clears what dead writers of the same target left (see
//! `io::orphans`).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::orphans::remove_orphans;
use crate::error::{Error, Result};

/// Writes `path` atomically: `fill` writes the content into a buffered writer;
/// on success the content is flushed, synced and renamed over `path`. On any
/// error the temporary file is removed and `path` is untouched.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    remove_orphans(path);
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
    remove_orphans(path);
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
    path.with_file_name(temporary_name(&target_name(path), std::process::id()))
}

/// The target's file name as temporary names spell it.
pub(super) fn target_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string())
}

/// The temporary file name that process `pid` writes `target` through.
fn temporary_name(target: &str, pid: u32) -> String {
    format!(".{target}.{pid}.tmp")
}

/// The process id in `file` if it is a temporary of `target` as
/// [`temporary_name`] makes them; `None` for anything else, including the
/// temporaries of other targets whose names start like this one's.
pub(super) fn temporary_pid(target: &str, file: &str) -> Option<u32> {
    let pid = file
        .strip_prefix('.')?
        .strip_prefix(target)?
        .strip_prefix('.')?
        .strip_suffix(".tmp")?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
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
    fn a_write_removes_what_a_killed_writer_left_of_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        // Left by a process that no longer runs (no system hands out this
        // PID), two days ago; and a neighbour's, which must stay.
        let orphan = dir.path().join(temporary_name("report.html", u32::MAX));
        let neighbour = dir.path().join(temporary_name("other.html", u32::MAX));
        let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(48 * 3600);
        for file in [&orphan, &neighbour] {
            File::create(file)
                .unwrap()
                .set_modified(two_days_ago)
                .unwrap();
        }
        write_atomic(&path, |w| {
            w.write_all(b"<html>")
                .map_err(|e| Error::io("report.html", "write", &e))
        })
        .unwrap();
        assert!(!orphan.exists());
        assert!(neighbour.exists());
        assert_eq!(fs::read_to_string(&path).unwrap(), "<html>");
    }

    #[test]
    fn temporary_names_parse_back_to_their_pid() {
        let name = temporary_name("ledger.csv", 4242);
        assert_eq!(name, ".ledger.csv.4242.tmp");
        assert_eq!(temporary_pid("ledger.csv", &name), Some(4242));
        // Another target whose name extends this one's is not ours.
        assert_eq!(
            temporary_pid("ledger", &temporary_name("ledger.csv", 7)),
            None
        );
        for other in [
            "ledger.csv",
            ".ledger.csv.tmp",
            ".ledger.csv..tmp",
            ".ledger.csv.+12.tmp",
            ".ledger.csv.12.tmp.bak",
            ".ledger.csv.99999999999.tmp",
        ] {
            assert_eq!(temporary_pid("ledger.csv", other), None, "{other}");
        }
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
