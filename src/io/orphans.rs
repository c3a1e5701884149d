//! Removing the temporary files of atomic writes whose writer died.
//!
//! [`super::atomic`] writes `dir/.NAME.PID.tmp` and renames it over `NAME`.
//! A process killed mid-write never renames or removes it, and as a hidden
//! file nobody else will either, so the next atomic write of `NAME` does.
//! It removes only temporaries it can show are abandoned: deleting a live
//! writer's file would make that writer fail.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::atomic::{target_name, temporary_pid};

/// How long a temporary whose process is not running must have been left
/// untouched. `/proc` only shows this machine's PID namespace: a writer in
/// another container or on another host sharing the directory looks dead
/// here. A live writer touches its file at least every buffer of output,
/// so an hour of silence means it is gone.
const DEAD_GRACE: Duration = Duration::from_secs(60 * 60);

/// How long a temporary must have been left untouched where nothing tells
/// whether its process runs (no `/proc`). An atomic write takes seconds;
/// a day is far beyond any pilot run, and PID reuse cannot fool an age.
const UNKNOWN_GRACE: Duration = Duration::from_secs(24 * 60 * 60);

/// Removes abandoned temporaries of `target` from its directory. Best
/// effort: a directory that cannot be listed or a file that cannot be
/// removed (perhaps another run removed it first) is left alone, because
/// clean-up must never fail the write it precedes.
pub(super) fn remove_orphans(target: &Path) {
    let name = target_name(target);
    let Ok(entries) = fs::read_dir(directory_of(target)) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Some(pid) = temporary_pid(&name, &entry.file_name().to_string_lossy()) else {
            continue;
        };
        // Our own temporary is about to be rewritten anyway.
        if pid == std::process::id() {
            continue;
        }
        // Not following links: only a plain file we made is removed.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok());
        if abandoned(running(pid), age) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The directory `target` is in; a bare file name is in the current one.
fn directory_of(target: &Path) -> &Path {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Whether a temporary is abandoned, given whether its process runs
/// (`None`: cannot tell) and how long ago it was last written (`None`:
/// unknown, or in the future).
fn abandoned(running: Option<bool>, age: Option<Duration>) -> bool {
    let Some(age) = age else {
        return false;
    };
    match running {
        Some(true) => false,
        Some(false) => age >= DEAD_GRACE,
        None => age >= UNKNOWN_GRACE,
    }
}

/// Whether process `pid` runs, from `/proc/PID`; `None` where there is no
/// `/proc` to ask (not Linux, or not mounted), which `/proc/self` shows.
fn running(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    const HOUR: Duration = Duration::from_secs(60 * 60);

    /// A process id no system hands out: Linux caps them at 2^22.
    const IMPOSSIBLE_PID: u32 = u32::MAX;

    /// Creates `dir/name` last modified `age` ago.
    fn file_aged(dir: &Path, name: &str, age: Duration) -> std::path::PathBuf {
        let path = dir.join(name);
        let file = File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    }

    #[test]
    fn abandoned_needs_a_dead_or_unknown_process_and_enough_age() {
        let cases = [
            (Some(true), Some(HOUR * 24 * 365), false),
            (Some(false), Some(HOUR * 2), true),
            (Some(false), Some(HOUR / 2), false),
            (None, Some(HOUR * 2), false),
            (None, Some(HOUR * 25), true),
            (Some(false), None, false),
            (None, None, false),
        ];
        for (running, age, expected) in cases {
            assert_eq!(abandoned(running, age), expected, "{running:?} {age:?}");
        }
    }

    #[test]
    fn an_old_temporary_of_a_dead_process_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ledger.csv");
        let name = format!(".ledger.csv.{IMPOSSIBLE_PID}.tmp");
        let stale = file_aged(dir.path(), &name, HOUR * 48);
        remove_orphans(&target);
        assert!(!stale.exists());
    }

    #[test]
    fn a_fresh_temporary_of_a_dead_process_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ledger.csv");
        let name = format!(".ledger.csv.{IMPOSSIBLE_PID}.tmp");
        let fresh = file_aged(dir.path(), &name, Duration::from_secs(60));
        remove_orphans(&target);
        assert!(fresh.exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_temporary_of_a_live_process_is_kept_however_old() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ledger.csv");
        // The test runner's parent is alive while the test runs.
        let live = std::os::unix::process::parent_id();
        let name = format!(".ledger.csv.{live}.tmp");
        let kept = file_aged(dir.path(), &name, HOUR * 48);
        remove_orphans(&target);
        assert!(kept.exists());
    }

    #[test]
    fn other_files_are_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ledger.csv");
        let others = [
            format!(".ledger.csv.bak.{IMPOSSIBLE_PID}.tmp"),
            format!(".other.csv.{IMPOSSIBLE_PID}.tmp"),
            ".ledger.csv.tmp".to_string(),
            "ledger.csv".to_string(),
        ];
        for name in &others {
            file_aged(dir.path(), name, HOUR * 48);
        }
        // A directory named like a temporary is not one pilot made.
        let dir_name = format!(".ledger.csv.{}.tmp", IMPOSSIBLE_PID - 1);
        std::fs::create_dir(dir.path().join(&dir_name)).unwrap();
        remove_orphans(&target);
        for name in others.iter().chain([&dir_name]) {
            assert!(dir.path().join(name).exists(), "{name} was removed");
        }
    }

    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("out.csv")), Path::new("."));
        assert_eq!(directory_of(Path::new("runs/out.csv")), Path::new("runs"));
        assert_eq!(directory_of(Path::new("/out.csv")), Path::new("/"));
    }
}
