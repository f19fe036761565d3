//! Writing a backup file: the snapshot's image and manifest streamed through the encryption to
//! `NAME.baomi-backup.partial` (created 0600, never following a link), fsynced, renamed, the
//! folder fsynced; the file's cached pages dropped and the file read back from the medium and
//! verified in full. A failure or a cancel removes what was written: no file that looks like a
//! backup is left behind.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::format::{CHUNK, Header, PayloadWriter};
use super::snapshot::Snapshot;
use super::verify::{KeySource, verify_file};
use super::{AuditHead, BackupError, ImageInfo, Manifest, Phase, Progress, hex};

/// Room kept free on the medium beyond the file itself.
const MARGIN: u64 = 1024 * 1024;
/// Plaintext fed to the encryption between two progress updates and cancel checks.
const STEP: usize = 16 * CHUNK;

/// A backup written and verified.
#[derive(Debug, Clone)]
pub struct Written {
    /// Where it is.
    pub path: PathBuf,
    /// The whole file's size and SHA-256 (hex).
    pub bytes: u64,
    pub sha256: String,
    /// What it holds.
    pub manifest: Manifest,
}

/// Test hooks: a write error after so many bytes (a medium that fills up or is pulled out).
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// After this many bytes, writes fail with this OS error code (28 ENOSPC, 5 EIO…).
    #[doc(hidden)]
    pub fail_after: Option<(u64, i32)>,
}

/// A file whose writes fail after a set number of bytes ([`WriteOptions::fail_after`]).
struct Faulty {
    file: File,
    written: u64,
    fail_after: Option<(u64, i32)>,
}

impl Write for Faulty {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some((after, code)) = self.fail_after
            && self.written + buf.len() as u64 > after
        {
            return Err(std::io::Error::from_raw_os_error(code));
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The name a backup gets: unit, date and time (office time), e.g.
/// `某某县委办公室-台账备份-20261128-093015.baomi-backup`.
pub fn file_name(unit_name: &str, local: chrono::NaiveDateTime) -> String {
    let unit: String = unit_name
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
        .take(40)
        .collect();
    let unit = unit.trim();
    let unit = if unit.is_empty() { "baomi" } else { unit };
    format!(
        "{unit}-台账备份-{}.{}",
        local.format("%Y%m%d-%H%M%S"),
        super::EXTENSION
    )
}

/// `folder/name`, or `folder/stem-2.baomi-backup` (-3, …) when a file of that name is there
/// already (two backups in the same second).
pub fn unique_path(folder: &Path, name: &str) -> PathBuf {
    let first = folder.join(name);
    if !first.exists() && !partial_path(&first).exists() {
        return first;
    }
    let suffix = format!(".{}", super::EXTENSION);
    let stem = name.strip_suffix(&suffix).unwrap_or(name);
    (2..)
        .map(|n| folder.join(format!("{stem}-{n}{suffix}")))
        .find(|p| !p.exists() && !partial_path(p).exists())
        .expect("some free name")
}

/// `path` with `.partial` after its name.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    path.with_file_name(name)
}

/// Free bytes for an unprivileged writer in the folder `dir`; a file system mounted read-only
/// is the error EROFS (named as such, not as a lack of space).
pub fn free_space(dir: &Path) -> std::io::Result<u64> {
    let st = rustix::fs::statvfs(dir)?;
    if st.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
        return Err(std::io::Error::from_raw_os_error(30));
    }
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Writes the snapshot to `dest` (a file path ending `.baomi-backup` that does not exist yet)
/// and verifies it read back. Runs on a worker thread; `progress` reports and cancels.
pub fn write_and_verify(
    snapshot: Snapshot,
    dest: &Path,
    progress: &Arc<Progress>,
    options: WriteOptions,
) -> Result<Written, BackupError> {
    if dest.exists() {
        return Err(BackupError::Write(std::io::Error::from(
            std::io::ErrorKind::AlreadyExists,
        )));
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let partial = partial_path(dest);
    let written = snapshot.with_image(progress, |origin, keys, facts, image| {
        let manifest = Manifest {
            format: 1,
            vault_id: hex(&origin.vault_id),
            unit_name: origin.unit_name.clone(),
            created_at: origin.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            schema_version: facts.schema_version,
            made_by: origin.made_by.clone(),
            tables: facts.tables.clone(),
            audit_head: AuditHead {
                seq: facts.audit_head.seq,
                hash: facts.audit_head.hash.clone(),
            },
            image: ImageInfo {
                bytes: image.len() as u64,
                sha256: hex(&Sha256::digest(image)),
            },
        };
        let manifest_json =
            serde_json::to_vec(&manifest).map_err(|_| BackupError::Internal("manifest"))?;
        let header = Header {
            vault_id: origin.vault_id,
            created_at: origin.at.timestamp(),
            schema_version: facts.schema_version,
            chunk_size: CHUNK as u32,
            payload_len: 4 + manifest_json.len() as u64 + image.len() as u64,
            salt: origin.salt,
            nonce_prefix: origin.nonce_prefix,
            app_version: manifest.app_version.clone(),
            key_file: origin.key_file.clone(),
        };
        let header_bytes = header.to_bytes();
        let need = header.file_len(header_bytes.len());
        let free = free_space(&dir).map_err(BackupError::Write)?;
        if free < need + MARGIN {
            return Err(BackupError::NoSpace {
                need: need + MARGIN,
                free,
                path: dir.clone(),
            });
        }
        let result = (|| -> Result<(), BackupError> {
            let file = create_private(&partial)?;
            let mut out = Faulty {
                file,
                written: 0,
                fail_after: options.fail_after,
            };
            progress.start(Phase::Write, need);
            out.write_all(&header_bytes).map_err(BackupError::Write)?;
            let mut w = PayloadWriter::new(out, &header, &header_bytes, &keys.payload);
            w.write(&(manifest_json.len() as u32).to_be_bytes())?;
            w.write(&manifest_json)?;
            let mut done = header_bytes.len() as u64 + manifest_json.len() as u64;
            for part in image.chunks(STEP) {
                progress.check()?;
                w.write(part)?;
                done += part.len() as u64;
                progress.set_done(done);
            }
            let out = w.finish()?;
            progress.check()?;
            out.file.sync_all().map_err(BackupError::Write)?;
            drop_cache(&out.file);
            drop(out);
            rename_no_replace(&partial, dest)?;
            File::open(&dir)
                .and_then(|d| d.sync_all())
                .map_err(BackupError::Write)?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        Ok(manifest)
    });
    let (manifest, keys) = written?;
    // Read back from the medium (its cached pages were dropped) and checked in full; a file
    // that does not verify is removed.
    let checked = verify_file(dest, KeySource::Keys(&keys), progress, false);
    let verified = match checked {
        Ok(v) if v.manifest == manifest => v,
        Ok(_) => {
            let _ = std::fs::remove_file(dest);
            return Err(BackupError::damaged(
                "读回的清单与写入的不同",
                "the manifest read back differs from the one written",
            ));
        }
        Err(e) => {
            let _ = std::fs::remove_file(dest);
            return Err(e);
        }
    };
    Ok(Written {
        path: dest.to_owned(),
        bytes: verified.file_len,
        sha256: verified.file_sha256,
        manifest,
    })
}

/// Renames `from` to `to` unless `to` exists (two backups in the same second, or a file the
/// user named): never over another file. File systems without `RENAME_NOREPLACE` get a check
/// and a plain rename.
fn rename_no_replace(from: &Path, to: &Path) -> Result<(), BackupError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            if to.exists() {
                return Err(BackupError::Write(std::io::ErrorKind::AlreadyExists.into()));
            }
            std::fs::rename(from, to).map_err(BackupError::Write)
        }
        Err(e) => Err(BackupError::Write(e.into())),
    }
}

/// Creates `path` for writing: new, 0600, never through a symlink, never over an existing file
/// (another backup's `.partial` being written, or one left by a crash: a new backup takes
/// another name, see [`unique_path`]).
fn create_private(path: &Path) -> Result<File, BackupError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(BackupError::Write)
}

/// Asks the kernel to forget the file's cached pages, so that reading it back reads the medium.
fn drop_cache(file: &File) {
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
}
