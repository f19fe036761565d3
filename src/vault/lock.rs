//! `ledger.lock`: one running instance per vault.
//!
//! The instance holds an exclusive OS lock (`flock`) on the file for as long as it runs. The OS
//! drops the lock when the process ends, however it ends, so a file left behind by a crashed
//! process is stale by construction: the next instance takes the lock and says it recovered it.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::VaultError;

/// The held instance lock; released when dropped.
#[derive(Debug)]
pub struct InstanceLock {
    file: File,
    /// The same lock on the vault folder itself: deleting `ledger.lock` while an instance runs
    /// (the new file would be a new lock) does not let a second instance in.
    dir: File,
    /// What the previous holder wrote, when the lock was taken over from a process that died.
    recovered_from: Option<String>,
}

impl InstanceLock {
    /// Takes the lock on `path`, creating the file (0600) if needed. A symlink, a hard link or
    /// anything but a plain file is refused before anything is written: truncating it would
    /// empty another file (another vault's database).
    pub fn acquire(path: &Path) -> Result<Self, VaultError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let dir_lock = File::open(dir).map_err(|e| VaultError::io("打开文件夹", dir, e))?;
        match dir_lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(VaultError::InUse),
            Err(TryLockError::Error(e)) => return Err(VaultError::io("锁定", dir, e)),
        }
        let mut file = super::files::open_private(path, super::LOCK_FILE, true, false)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(VaultError::InUse),
            Err(TryLockError::Error(e)) => return Err(VaultError::io("锁定", path, e)),
        }
        let mut previous = String::new();
        // The old content is informational only: a failure to read it changes nothing.
        let _ = file.read_to_string(&mut previous);
        let previous = previous.trim().to_owned();
        // The pid is a note for people; the OS lock is what excludes a second instance. A full
        // disk must not stop the vault from opening (check and the read-only commands still
        // run), so a failure to write the note is ignored.
        let note = format!("pid {}\n", std::process::id());
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(note.as_bytes()))
            .and_then(|()| file.sync_all());
        Ok(Self {
            file,
            dir: dir_lock,
            recovered_from: (!previous.is_empty()).then_some(previous),
        })
    }

    /// `Some(previous holder)` when a stale lock of a crashed process was taken over.
    pub fn recovered_from(&self) -> Option<&str> {
        self.recovered_from.as_deref()
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        // A clean exit leaves an empty file: only a crash leaves a pid behind.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
        // Unlocked explicitly, not by closing: a child forked meanwhile by another thread (a
        // printer, a PDF tool) shares the open file until it execs, and would keep the lock.
        let _ = self.dir.unlock();
    }
}
