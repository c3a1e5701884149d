//! The per-experiment lock: one run at a time reads and rewrites an
//! experiment's ledger, design record, history and saved report.
//!
//! Without it two runs that meet lose work: `pilot assign` A reads the
//! ledger, B adds customers and renames its ledger in place, A renames its
//! own over B's and B's customers are gone (and, re-added later, may land in
//! the other arm of a stratified design); two `analyze` runs each rewrite
//! the history with their own look only.
//!
//! The lock is an advisory, exclusive OS file lock (`flock` on Unix) on
//! `.<experiment file name>.lock` beside the experiment file. The operating
//! system releases it when the process exits, however it exits (even
//! `kill -9`), so a crash never leaves the experiment locked. The holder
//! writes who it is (process id, command, start time) into the file, so a
//! run that finds the lock taken can say who holds it; it waits for up to
//! `wait` and then gives up with that message.
//!
//! The holder removes the lock file when it is done, so a finished run
//! leaves nothing behind. A run that was waiting may then hold the lock of
//! a file no longer in the folder while a newcomer creates and locks a new
//! one; so after taking the lock a run checks that the file it locked is
//! still the one at the path, and starts over if not.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How often a waiting run tries the lock again.
const RETRY: Duration = Duration::from_millis(50);

/// The lock of one experiment, held until dropped (or the process ends).
#[derive(Debug)]
pub struct ExperimentLock {
    /// The open lock file; the OS lock lives as long as it is open.
    _file: File,
    /// Where it is, to remove it when done.
    path: PathBuf,
}

impl Drop for ExperimentLock {
    fn drop(&mut self) {
        // Removed while still locked: a run waiting on this file notices
        // that it is gone and locks a fresh one (see the module docs).
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lock file of `experiment`: `.<file name>.lock` in its directory.
pub fn lock_path(experiment: &Path) -> PathBuf {
    // From the name's raw bytes, so that names that are not UTF-8 keep
    // locks of their own.
    let mut name = std::ffi::OsString::from(".");
    name.push(experiment.file_name().unwrap_or("experiment".as_ref()));
    name.push(".lock");
    experiment.with_file_name(name)
}

/// Takes the lock of `experiment` for `command` (what the holder's message
/// says it runs, e.g. "pilot assign"), started at `now` (RFC 3339). When
/// another run holds it, `waiting` is called once with the holder's
/// description and the lock is retried until `wait` has passed; then the
/// error names the holder and what to do.
pub fn lock_experiment(
    experiment: &Path,
    command: &str,
    now: &str,
    wait: Duration,
    waiting: &mut dyn FnMut(&str),
) -> Result<ExperimentLock> {
    let path = lock_path(experiment);
    let start = Instant::now();
    let mut told = false;
    let mut file = open(&path)?;
    loop {
        match file.try_lock() {
            Ok(()) if still_at(&file, &path) => break,
            Ok(()) => file = open(&path)?,
            Err(TryLockError::WouldBlock) => {
                let holder = holder(&mut file);
                if start.elapsed() >= wait {
                    return Err(Error::in_file(
                        experiment,
                        format!(
                            "another run is working on this experiment ({holder}) and did not \
                             finish within {} s",
                            wait.as_secs()
                        ),
                    )
                    .with_note(
                        "wait for it to finish and run again, or give it longer with --wait \
                         SECONDS; if no such run exists, the lock is free again as soon as its \
                         process has ended",
                    )
                    .conflict());
                }
                if !told {
                    waiting(&holder);
                    told = true;
                }
                std::thread::sleep(RETRY);
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::io(&path, "lock", &e));
            }
        }
    }
    // Who holds it, for runs that find it taken. Best effort: the lock
    // itself is what protects the files, not this note.
    let note = format!("process {}, {command}, since {now}", std::process::id());
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(note.as_bytes()));
    Ok(ExperimentLock { _file: file, path })
}

/// Opens (creating if need be) the lock file.
fn open(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(path, "open the lock file", &e))
}

/// Whether `file` is still the file at `path` (not removed by the run that
/// held it before, nor replaced by a newer one).
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// The holder's note in the lock file, or a plain description without one.
fn holder(file: &mut File) -> String {
    let mut note = String::new();
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.take(200).read_to_string(&mut note));
    // Printed to the terminal: through the one sanitizer.
    let note = crate::sanitize::terminal_line(&note).trim().to_string();
    if read.is_err() || note.is_empty() {
        "a pilot run that has not said who it is yet".to_string()
    } else {
        note
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let exp = dir.path().join("sms.toml");
        let first = lock_experiment(
            &exp,
            "pilot assign",
            "2026-12-04T10:00:00Z",
            Duration::ZERO,
            &mut |_| {},
        )
        .unwrap();
        let mut told = Vec::new();
        let err = lock_experiment(
            &exp,
            "pilot analyze",
            "2026-12-04T10:00:01Z",
            Duration::from_millis(120),
            &mut |h| told.push(h.to_string()),
        )
        .unwrap_err()
        .to_string();
        let pid = std::process::id();
        let holder = format!("process {pid}, pilot assign, since 2026-12-04T10:00:00Z");
        assert_eq!(told, std::slice::from_ref(&holder));
        assert!(err.contains(&holder), "{err}");
        assert!(err.contains("sms.toml"), "{err}");
        drop(first);
        // Released: the next run gets it at once.
        lock_experiment(&exp, "pilot analyze", "now", Duration::ZERO, &mut |_| {
            panic!("should not wait")
        })
        .unwrap();
        assert!(lock_path(&exp).ends_with(".sms.toml.lock"));
    }
}
