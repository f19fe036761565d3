//! Restoring a backup into a vault folder, all or nothing: the backup is verified in full
//! first; the vault is rebuilt in a hidden folder beside the target, opened and checked there;
//! only then is it moved into place. A folder that holds a vault is replaced only when the
//! caller says so, and then the old vault is moved aside under a dated name beside it just
//! before (and moved back if the last step fails). A failure leaves the target as it was.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::verify::{KeySource, Secret, Verified, verify_file};
use super::{BackupError, Phase, Progress};
use crate::domain::Message;
use crate::vault::{
    FolderState, InstanceLock, LOCK_FILE, OpenLedger, SlotOwner, Vault, VaultError,
};

/// Room kept free beyond the restored database (its WAL, the key file).
const MARGIN: u64 = 4 * 1024 * 1024;

/// A restored vault in its staging folder, unlocked with the master key of the backup (its
/// checks passed). [`put_in_place`] moves it to the target; [`discard`] removes it.
pub struct Restored {
    pub vault: Vault,
    pub ledger: OpenLedger,
    /// Whose secret opened the backup.
    pub opened_by: SlotOwner,
    /// The backup's manifest and file facts.
    pub verified: Verified,
    /// Where it goes.
    pub placement: Placement,
}

/// Where a restored vault goes, and what is there now.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The hidden folder it was built in, beside the target.
    pub staging: PathBuf,
    /// The target folder (resolved: a link to a folder is followed).
    pub target: PathBuf,
    /// The target holds a vault that is to be moved aside.
    pub replaces_vault: bool,
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

fn refused(zh: String, en: String) -> BackupError {
    BackupError::Refused(Message::new(zh, en))
}

/// The target resolved (a link followed, the parent made), and whether it holds a vault. A
/// folder with other files in it, or a path SQLite cannot name (not UTF-8), is refused.
fn resolve_target(target: &Path) -> Result<(PathBuf, bool), BackupError> {
    if target.to_str().is_none() {
        return Err(refused(
            format!(
                "路径中有无法识别的字符，请换一个文件夹：{}",
                target.display()
            ),
            format!(
                "The path has characters that cannot be read: {}",
                target.display()
            ),
        ));
    }
    let name = target.file_name().ok_or_else(|| {
        refused(
            format!("请给出要恢复到的文件夹：{}", target.display()),
            format!("Give the folder to restore into: {}", target.display()),
        )
    })?;
    let resolved = match std::fs::canonicalize(target) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&parent)
                .map_err(|e| VaultError::io("创建上级文件夹", &parent, e))?;
            std::fs::canonicalize(&parent)
                .map_err(|e| VaultError::io("打开上级文件夹", &parent, e))?
                .join(name)
        }
        Err(e) => return Err(VaultError::io("打开目标文件夹", target, e).into()),
    };
    if resolved.exists() && !resolved.is_dir() {
        return Err(refused(
            format!("目标不是文件夹：{}", resolved.display()),
            format!("The target is not a folder: {}", resolved.display()),
        ));
    }
    let has_vault = holds_vault(&resolved)?;
    if !has_vault
        && resolved.is_dir()
        && std::fs::read_dir(&resolved)
            .map_err(|e| VaultError::io("读取目标文件夹", &resolved, e))?
            .next()
            .is_some()
    {
        return Err(refused(
            format!(
                "目标文件夹中已有其他文件，不在这里恢复。请选一个新的或空的文件夹：{}",
                resolved.display()
            ),
            format!(
                "The folder holds other files: restore into a new or empty folder: {}",
                resolved.display()
            ),
        ));
    }
    Ok((resolved, has_vault))
}

/// The staging folder of a restore into `target`: hidden, beside it, named by this process.
fn staging_path(target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.restoring-{}", std::process::id()))
}

/// Removes the staging folders of restores into `target` whose process is gone (killed).
fn remove_stale_staging(target: &Path) {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}.restoring-");
    let Some(parent) = target.parent() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = file.strip_prefix(&prefix)
            && let Ok(pid) = pid.parse::<u32>()
            && pid != std::process::id()
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Verifies the backup at `file` with `secret`, then rebuilds it beside `target` and checks
/// it there. Without `replace`, a target that holds a vault is refused before anything else.
/// The vault is not in place yet: see [`put_in_place`].
pub fn restore(
    file: &Path,
    secret: &Secret,
    target: &Path,
    replace: bool,
    progress: &Arc<Progress>,
) -> Result<Restored, BackupError> {
    let (target, replaces_vault) = resolve_target(target)?;
    if replaces_vault && !replace {
        return Err(BackupError::TargetHoldsVault(target));
    }
    if replaces_vault {
        // Refused now, not after the work, when Baomi has that vault open.
        drop(InstanceLock::acquire(&target.join(LOCK_FILE))?);
    }
    let mut verified = verify_file(file, KeySource::Secret(secret), progress, true)?;
    progress.check()?;
    let latest = crate::vault::migrations::latest();
    if verified.manifest.schema_version > latest {
        return Err(VaultError::NewerSchema {
            found: verified.manifest.schema_version,
            supported: latest,
        }
        .into());
    }
    let parent = target.parent().unwrap_or(Path::new("/")).to_path_buf();
    let need = verified.manifest.image.bytes + verified.manifest.image.bytes / 8 + MARGIN;
    let free = super::export::free_space(&parent)
        .map_err(|e| VaultError::io("读取剩余空间", &parent, e))?;
    if free < need {
        return Err(BackupError::NoSpace {
            need,
            free,
            path: parent,
        });
    }
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
    remove_stale_staging(&target);
    let staging = staging_path(&target);
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    progress.start(Phase::Restore, verified.manifest.image.bytes);
    let built = (|| {
        let data = image.serialize("main")?;
        let vault = Vault::restore_from_image(
            &staging,
            &verified.header.key_file,
            &master,
            &mut &data[..],
            data.len(),
            verified.manifest.schema_version,
        )?;
        drop(data);
        progress.set_done(verified.manifest.image.bytes);
        let ledger = vault.unlock_with_master(master, opened_by.clone())?;
        // The restored ledger against the backup's manifest: the same checks as the image's
        // (a backup of an older schema was upgraded on opening: its checks are the image's).
        let report = ledger.integrity_check()?;
        if !report.is_ok() {
            return Err(BackupError::damaged(
                "恢复后的台账库未通过完整性检查",
                "the restored ledger fails its integrity check",
            ));
        }
        if verified.manifest.schema_version == latest {
            super::verify::check_image(ledger.conn(), &verified.manifest, ledger.audit_key())?;
        }
        Ok((vault, ledger))
    })();
    drop(image);
    let (vault, ledger) = match built {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    Ok(Restored {
        vault,
        ledger,
        opened_by,
        verified,
        placement: Placement {
            staging,
            target,
            replaces_vault,
        },
    })
}

/// Moves a restored vault (closed) from its staging folder into place. A vault in the target
/// is first moved aside (under its instance lock: refused while it is open) and moved back if
/// the last rename fails. Returns where the old vault went.
pub fn put_in_place(
    p: &Placement,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<PathBuf>, BackupError> {
    let result = (|| {
        if !p.replaces_vault {
            // An empty folder is replaced by the rename itself.
            std::fs::rename(&p.staging, &p.target)
                .map_err(|e| VaultError::io("把恢复的台账库移入目标文件夹", &p.target, e))?;
            return Ok(None);
        }
        let lock = InstanceLock::acquire(&p.target.join(LOCK_FILE))?;
        let aside = aside_path(&p.target, now);
        std::fs::rename(&p.target, &aside)
            .map_err(|e| VaultError::io("把原台账库改名另存", &p.target, e))?;
        drop(lock);
        if let Err(e) = std::fs::rename(&p.staging, &p.target) {
            let _ = std::fs::rename(&aside, &p.target);
            return Err(VaultError::io("把恢复的台账库移入目标文件夹", &p.target, e).into());
        }
        Ok(Some(aside))
    })();
    if result.is_err() {
        discard(p);
    }
    result
}

/// Removes a restored vault that will not be put in place.
pub fn discard(p: &Placement) {
    let _ = std::fs::remove_dir_all(&p.staging);
}
