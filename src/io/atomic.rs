//! Atomic file output: write to a temporary file beside the target, then rename.
//!
//! A crash, a full disk or an error half-way leaves the previous file (or no
//! file) in place, never a truncated one. The temporary file lives in the same
//! directory so the rename stays on one filesystem, which POSIX makes atomic.
//! A process killed mid-write cannot remove its temporary file, so each write
//! first clears what dead writers of the same target left (see
//! `io::orphans`).
//!
//! A path that is a symbolic link is written through: the link's target is
//! replaced (and the link stays), so a ledger shared by a link keeps being
//! updated. The replaced file's permissions carry over (a private 600
//! ledger stays private); a read-only file and anything that is not a
//! regular file (a device, a pipe, a directory) are refused rather than
//! replaced. After the rename the directory itself is synced, so the new
//! name survives a power loss.

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
    stage(path, fill)?.commit()
}

/// A file written completely and synced beside its target, not yet in
/// place: [`Staged::commit`] renames it over the target; dropped
/// uncommitted, it is removed. Staging several files first and committing
/// them together writes all of them or none when the disk fills up.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    shown: PathBuf,
    committed: bool,
}

/// Writes what `fill` writes for `path` to a synced temporary file beside
/// it (see [`write_atomic`] for links, permissions and refusals).
pub fn stage<F>(path: &Path, fill: F) -> Result<Staged>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let target = resolve_target(path)?;
    let replaced = existing_permissions(path, &target)?;
    remove_orphans(&target);
    let staged = Staged {
        tmp: temporary_path(&target),
        target,
        shown: path.to_path_buf(),
        committed: false,
    };
    write_synced(&staged.tmp, path, fill)?;
    if let Some(permissions) = replaced {
        fs::set_permissions(&staged.tmp, permissions).map_err(|e| Error::io(path, "write", &e))?;
    }
    Ok(staged)
}

impl Staged {
    /// Renames the file into place and syncs its folder.
    pub fn commit(mut self) -> Result<()> {
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.shown, "replace", &e))?;
        self.committed = true;
        sync_directory(&self.target, &self.shown)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The file a write to `path` replaces: `path` itself, or for a symbolic
/// link the file it points to (followed to the end of a chain).
fn resolve_target(path: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path).map_err(|e| {
            Error::io(path, "follow the link", &e).with_note(
                "the file is a symbolic link whose target cannot be reached; point the link at \
                 an existing file or replace it with a regular file",
            )
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// The permissions of the regular file `target` that a write replaces,
/// `None` when there is none yet; an error for a read-only file or one
/// that is not a regular file (errors name `shown`, the user's path).
fn existing_permissions(shown: &Path, target: &Path) -> Result<Option<fs::Permissions>> {
    let metadata = match fs::metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(shown, "read", &e)),
    };
    if !metadata.is_file() {
        return Err(Error::in_file(
            shown,
            "is not a regular file (a folder, device or pipe); pilot writes only regular files",
        )
        .with_note("choose the path of a file to write"));
    }
    if metadata.permissions().readonly() {
        return Err(Error::in_file(
            shown,
            "is read-only; pilot does not replace a file its owner protected",
        )
        .with_note("make it writable (chmod u+w) if it should be updated, or write elsewhere"));
    }
    Ok(Some(metadata.permissions()))
}

/// Syncs the directory holding `target`, so that a rename into it is on
/// disk (a file's own sync does not cover its name). Unix only: elsewhere
/// a directory cannot be opened for syncing.
fn sync_directory(target: &Path, shown: &Path) -> Result<()> {
    sync_parent(target).map_err(|e| Error::io(shown, "write", &e))
}

/// [`sync_directory`] without naming a file in its error.
fn sync_parent(target: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = target;
    Ok(())
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

/// Copies `from` to the new file `to` and syncs both the copy and its
/// directory: a backup is created, never overwritten (`AlreadyExists` when
/// `to` exists, so that the caller picks another name), and is on disk
/// before the file it keeps is replaced.
pub fn copy_to_new(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = File::open(from)?;
    let mut copy = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    let copied = std::io::copy(&mut source, &mut copy)
        .and_then(|_| copy.sync_all())
        .and_then(|()| sync_parent(to));
    if copied.is_err() {
        let _ = fs::remove_file(to);
    }
    copied
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

    fn write_text(path: &Path, text: &str) -> Result<()> {
        write_atomic(path, |w| {
            w.write_all(text.as_bytes())
                .map_err(|e| Error::io("test", "write", &e))
        })
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        fs::create_dir(&shared).unwrap();
        let target = shared.join("ledger.csv");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("ledger.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_text(&link, "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // No temporary file is left beside the link or the target.
        assert_eq!(fs::read_dir(&shared).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn read_only_files_and_non_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("report.html");
        fs::write(&locked, "keep").unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_text(&locked, "new").unwrap_err().to_string();
        assert!(err.contains("is read-only"), "{err}");
        assert_eq!(fs::read_to_string(&locked).unwrap(), "keep");
        let folder = dir.path().join("folder");
        fs::create_dir(&folder).unwrap();
        let err = write_text(&folder, "new").unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let err = write_text(Path::new("/dev/null"), "new")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("missing"), &dangling).unwrap();
        let err = write_text(&dangling, "new").unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }

    #[test]
    fn a_backup_never_overwrites_one_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("ledger.csv");
        let backup = dir.path().join("ledger.backup.csv");
        fs::write(&ledger, "rows").unwrap();
        fs::write(&backup, "older backup").unwrap();
        let err = copy_to_new(&ledger, &backup).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&backup).unwrap(), "older backup");
        let fresh = dir.path().join("ledger.backup-2.csv");
        copy_to_new(&ledger, &fresh).unwrap();
        assert_eq!(fs::read_to_string(&fresh).unwrap(), "rows");
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
