//! Where backups go: the drives the system sees (removable ones first, with their free space)
//! behind a trait, so tests supply their own; and the backups already on a medium.

use std::path::{Path, PathBuf};

use super::format::Header;

/// A mounted drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drive {
    /// What the system calls it (`/dev/sdb1`, a label).
    pub name: String,
    /// Where it is mounted: the folder backups are written to.
    pub mount_point: PathBuf,
    /// A removable medium (USB stick, SD card, external disk).
    pub removable: bool,
    /// Mounted read-only.
    pub read_only: bool,
    /// Bytes free and in all.
    pub available: u64,
    pub total: u64,
    /// File system (`vfat`, `exfat`, `ext4`).
    pub file_system: String,
}

/// The drives a backup could go to.
pub trait Media: Send + Sync {
    /// Mounted drives, removable ones first.
    fn drives(&self) -> Vec<Drive>;
}

/// The system's drives, read with `sysinfo`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemMedia;

impl Media for SystemMedia {
    fn drives(&self) -> Vec<Drive> {
        let Ok(disks) = sysinfo::Disks::new_with_refreshed_list() else {
            return Vec::new();
        };
        let mut out: Vec<Drive> = disks
            .iter()
            .filter(|d| {
                // Pseudo and system mounts are no place for a backup.
                let fs = d.file_system().to_string_lossy();
                !matches!(fs.as_ref(), "overlay" | "tmpfs" | "devtmpfs" | "squashfs")
            })
            .map(|d| Drive {
                name: d.name().to_string_lossy().into_owned(),
                mount_point: d.mount_point().to_owned(),
                removable: d.is_removable(),
                read_only: d.is_read_only(),
                available: d.available_space(),
                total: d.total_space(),
                file_system: d.file_system().to_string_lossy().into_owned(),
            })
            .collect();
        sort(&mut out);
        out
    }
}

/// Drives supplied by a test (or a fixed list).
#[derive(Debug, Default, Clone)]
pub struct FixedMedia(pub Vec<Drive>);

impl Media for FixedMedia {
    fn drives(&self) -> Vec<Drive> {
        let mut out = self.0.clone();
        sort(&mut out);
        out
    }
}

fn sort(drives: &mut [Drive]) {
    drives.sort_by(|a, b| {
        b.removable
            .cmp(&a.removable)
            .then_with(|| a.mount_point.cmp(&b.mount_point))
    });
}

/// Whether `path` lies on a removable drive of `media` (the longest mount point that holds it).
pub fn is_on_removable(media: &dyn Media, path: &Path) -> bool {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    media
        .drives()
        .into_iter()
        .filter(|d| path.starts_with(&d.mount_point))
        .max_by_key(|d| d.mount_point.as_os_str().len())
        .is_some_and(|d| d.removable)
}

/// A backup file found in a folder, read as far as its header.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    pub bytes: u64,
    /// From the header: when the snapshot was taken, which vault.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub vault_id: Option<[u8; 16]>,
    /// The header's size check: the file is as long as its header says.
    pub complete: bool,
}

/// The backups (`*.baomi-backup`) directly in `dir`, newest first. A file whose header does not
/// read is listed with no date.
pub fn backups_in(dir: &Path) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let suffix = format!(".{}", super::EXTENSION);
    let mut out: Vec<Found> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(&suffix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let path = e.path();
            let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
            let header = std::fs::File::open(&path)
                .ok()
                .and_then(|mut f| Header::read(&mut f).ok());
            match header {
                Some((h, hb)) => Found {
                    created_at: chrono::DateTime::from_timestamp(h.created_at, 0),
                    vault_id: Some(h.vault_id),
                    complete: h.file_len(hb.len()) == bytes,
                    path,
                    bytes,
                },
                None => Found {
                    path,
                    bytes,
                    created_at: None,
                    vault_id: None,
                    complete: false,
                },
            }
        })
        .collect();
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.path.cmp(&b.path)));
    out
}
