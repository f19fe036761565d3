//! Restoring a backup into a vault folder: the backup is verified in full first; a folder that
//! holds a vault is never written over unless the caller says so, and then the old vault is
//! first moved aside under a dated name beside it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::verify::{KeySource, Secret, Verified, verify_file};
use super::{BackupError, Phase, Progress};
use crate::vault::{
    FolderState, InstanceLock, LOCK_FILE, OpenLedger, SlotOwner, Vault, VaultError,
};

/// A restored vault, unlocked with the master key of the backup (its checks passed).
pub struct Restored {
    pub vault: Vault,
    pub ledger: OpenLedger,
    /// Whose secret opened the backup.
    pub opened_by: SlotOwner,
    /// Where an existing vault in the target folder was moved.
    pub moved_aside: Option<PathBuf>,
    /// The backup's manifest and file facts.
    pub verified: Verified,
}

/// Whether `dir` holds a vault (or the remains of one) that a restore would replace.
pub fn holds_vault(dir: &Path) -> Result<bool, BackupError> {
    match Vault::probe(dir) {
        Ok(FolderState::Absent | FolderState::Empty | FolderState::InterruptedCreation) => {
            Ok(false)
        }
        Ok(FolderState::Vault) | Err(VaultError::Missing { .. }) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// The name an existing vault folder is moved to before a restore replaces it:
/// `vault.replaced-20261128-013015Z` beside it (UTC, like the folders of copies kept aside).
pub fn aside_path(dir: &Path, now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_owned();
    name.push(format!(".replaced-{}", now.format("%Y%m%d-%H%M%SZ")));
    dir.with_file_name(name)
}

/// Verifies the backup at `file` with `secret`, then restores it into `target`. With `replace`
/// an existing vault there is moved aside first (it must not be open anywhere); without it the
/// restore is refused. The restored vault is opened, checked and handed back unlocked.
pub fn restore(
    file: &Path,
    secret: &Secret,
    target: &Path,
    replace: bool,
    now: chrono::DateTime<chrono::Utc>,
    progress: &Arc<Progress>,
) -> Result<Restored, BackupError> {
    let target_has_vault = holds_vault(target)?;
    if target_has_vault && !replace {
        return Err(BackupError::TargetHoldsVault(target.to_owned()));
    }
    let mut verified = verify_file(file, KeySource::Secret(secret), progress, true)?;
    progress.check()?;
    let moved_aside = if target_has_vault {
        // Not while another instance has it open: its lock is taken for the move.
        let lock = InstanceLock::acquire(&target.join(LOCK_FILE))?;
        let aside = aside_path(target, now);
        std::fs::rename(target, &aside)
            .map_err(|e| VaultError::io("把原台账库改名另存", target, e))?;
        drop(lock);
        Some(aside)
    } else {
        None
    };
    let master = verified
        .master
        .take()
        .ok_or(BackupError::Internal("no master key"))?;
    let opened_by = verified
        .opened_by
        .clone()
        .ok_or(BackupError::Internal("no slot owner"))?;
    let mut image = verified
        .image
        .take()
        .ok_or(BackupError::Internal("no image"))?;
    progress.start(Phase::Restore, verified.manifest.image.bytes);
    let data = image.serialize("main")?;
    let vault = Vault::restore_from_image(
        target,
        &verified.header.key_file,
        &master,
        &mut &data[..],
        data.len(),
        verified.manifest.schema_version,
    )?;
    drop(data);
    drop(image);
    progress.set_done(verified.manifest.image.bytes);
    let ledger = vault.unlock_with_master(master, opened_by.clone())?;
    // The restored ledger against the backup's manifest: the same checks as the image's.
    let report = ledger.integrity_check()?;
    if !report.is_ok() {
        return Err(BackupError::damaged(
            "恢复后的台账库未通过完整性检查",
            "the restored ledger fails its integrity check",
        ));
    }
    super::verify::check_image(ledger.conn(), &verified.manifest, ledger.audit_key())?;
    Ok(Restored {
        vault,
        ledger,
        opened_by,
        moved_aside,
        verified,
    })
}
