//! Backups from the ledger's side (R3.3.1): a snapshot prepared inside the session (the moment
//! is fixed there, the copy runs on a worker), the record of each verified backup, the
//! reminder when the last one is too old, and restoring into a vault folder (audited in the
//! restored ledger).

use crate::domain::Permission;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::OptionalExtension;
use serde_json::json;

use super::{AuditAction, Event, LedgerError, Session, settings};
use crate::backup::export::Written;
use crate::backup::snapshot::{BackupKeys, Origin, Snapshot};
use crate::backup::verify::Secret;
use crate::backup::{BackupError, Progress};
use crate::domain::Message;
use crate::vault::SlotOwner;

/// Days after which the last verified backup is overdue (setting).
pub const REMINDER_DAYS: &str = "backup_reminder_days";
/// Default of [`REMINDER_DAYS`]: a week.
pub const DEFAULT_REMINDER_DAYS: u32 = 7;
/// Who may make backups.
/// Whether the signed-in user may make backups (the reminder is theirs).
pub fn may_back_up(s: &Session) -> bool {
    s.may(Permission::Backup)
}

/// A verified backup as recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRecord {
    pub id: i64,
    /// When it was verified, and when its snapshot was taken (RFC 3339).
    pub at: String,
    pub created_at: String,
    /// Who made it (name, login).
    pub by: String,
    pub file_name: String,
    pub folder: String,
    pub removable: bool,
    pub bytes: u64,
    pub sha256: String,
    pub audit_seq: i64,
    pub audit_hash: String,
}

/// The last verified backup and whether another is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupStatus {
    pub last: Option<BackupRecord>,
    /// Whole days since the last one (by the office's date).
    pub age_days: Option<i64>,
    /// The setting.
    pub reminder_days: u32,
    /// Never backed up, or older than the setting.
    pub due: bool,
}

fn random<const N: usize>() -> Result<[u8; N], LedgerError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|_| {
        LedgerError::Invalid(Message::new(
            "无法取得随机数",
            "No random numbers could be obtained",
        ))
    })?;
    Ok(out)
}

/// Fixes a snapshot of the ledger as it is now, on a second connection, for a worker to copy,
/// encrypt and write ([`crate::backup::export::write_and_verify`]). Custodian or administrator.
pub fn prepare(s: &mut Session) -> Result<Snapshot, LedgerError> {
    s.require("备份台账", Permission::Backup)?;
    let salt = random()?;
    let nonce_prefix = random()?;
    let origin = Origin {
        vault_id: s.vault.key_file().vault_id,
        key_file: s.ledger.key_file_bytes(s.vault.key_file()),
        unit_name: settings::unit_name(s)?,
        made_by: s.user().login.clone(),
        at: s.clock().now(),
        salt,
        nonce_prefix,
    };
    let keys = BackupKeys {
        payload: s.ledger.backup_key(&salt),
        audit: s.ledger.audit_key_copy(),
    };
    // A session opened on a nearly full disk holds the database in exclusive locking mode: no
    // second connection can read it, so the copy is made here, on the session's connection.
    let mode: String = s
        .conn()
        .query_row("PRAGMA locking_mode", [], |r| r.get(0))?;
    if mode.eq_ignore_ascii_case("exclusive") {
        return Snapshot::copy_now(s.ledger.conn_mut_for_backup(), origin, keys)
            .map_err(backup_error);
    }
    let conn = s.ledger.reader(s.vault.dir())?;
    Snapshot::begin(conn, origin, keys).map_err(backup_error)
}

/// This ledger's vault id (a backup's header names it).
pub fn vault_id(s: &Session) -> [u8; 16] {
    s.vault.key_file().vault_id
}

/// The keys that verify the backup at `path`, when its header says it is a backup of this
/// ledger (`None` for another ledger's, or a file whose header does not read).
pub fn keys_for(s: &Session, path: &Path) -> Option<BackupKeys> {
    let mut f = std::fs::File::open(path).ok()?;
    let (header, _) = crate::backup::format::Header::read(&mut f).ok()?;
    (header.vault_id == s.vault.key_file().vault_id).then(|| BackupKeys {
        payload: s.ledger.backup_key(&header.salt),
        audit: s.ledger.audit_key_copy(),
    })
}

/// The file name a backup made now gets (unit, office date and time).
pub fn file_name(s: &Session) -> Result<String, LedgerError> {
    let local = s.zone().local(s.clock().now()).naive_local();
    Ok(crate::backup::export::file_name(
        &settings::unit_name(s)?,
        local,
    ))
}

/// Where a backup made now into `folder` goes: its name, made unique in that folder.
pub fn destination(s: &Session, folder: &Path) -> Result<PathBuf, LedgerError> {
    Ok(crate::backup::export::unique_path(folder, &file_name(s)?))
}

/// Records a backup that was written and verified; audited.
pub fn record(
    s: &mut Session,
    written: &Written,
    removable: bool,
) -> Result<BackupRecord, LedgerError> {
    s.require("备份台账", Permission::Backup)?;
    let file_name = written
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = written
        .path
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let m = &written.manifest;
    let id = s.write(|w| {
        w.tx.execute(
            "INSERT INTO backups (at, created_at, user_id, file_name, folder, removable, bytes, \
             sha256, audit_seq, audit_hash, schema_version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                w.at(),
                m.created_at,
                w.user.0,
                file_name,
                folder,
                removable,
                written.bytes as i64,
                written.sha256,
                m.audit_head.seq,
                m.audit_head.hash,
                m.schema_version,
            ],
        )?;
        let id = w.tx.last_insert_rowid();
        let event = Event::new(
            AuditAction::BackupCreate,
            id,
            json!({
                "file": file_name,
                "folder": folder,
                "removable": removable,
                "bytes": written.bytes,
                "sha256": written.sha256,
                "audit_seq": m.audit_head.seq,
                "audit_hash": m.audit_head.hash,
                "verified": true,
            }),
        );
        Ok((id, event))
    })?;
    list(s)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(LedgerError::Invalid(Message::new(
            "备份记录未找到",
            "Backup record not found",
        )))
}

/// Every recorded backup, newest first.
pub fn list(s: &Session) -> Result<Vec<BackupRecord>, LedgerError> {
    let mut stmt = s.conn().prepare(
        "SELECT b.id, b.at, b.created_at, coalesce(p.name || '（' || u.login || '）', u.login), \
         b.file_name, b.folder, b.removable, b.bytes, b.sha256, b.audit_seq, b.audit_hash \
         FROM backups b JOIN users u ON u.id = b.user_id LEFT JOIN people p ON p.id = u.person_id \
         ORDER BY b.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(BackupRecord {
            id: r.get(0)?,
            at: r.get(1)?,
            created_at: r.get(2)?,
            by: r.get(3)?,
            file_name: r.get(4)?,
            folder: r.get(5)?,
            removable: r.get(6)?,
            bytes: r.get::<_, i64>(7)? as u64,
            sha256: r.get(8)?,
            audit_seq: r.get(9)?,
            audit_hash: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Days after which a backup is due.
pub fn reminder_days(s: &Session) -> Result<u32, LedgerError> {
    Ok(settings::get_value(s, REMINDER_DAYS)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_REMINDER_DAYS))
}

/// Sets the reminder (1 to 90 days). Custodian or administrator; audited.
pub fn set_reminder_days(s: &mut Session, days: u32) -> Result<(), LedgerError> {
    s.require("修改备份提醒", Permission::Backup)?;
    if !(1..=90).contains(&days) {
        return Err(LedgerError::Invalid(Message::new(
            "备份提醒天数须在 1 到 90 之间",
            "The backup reminder must be 1 to 90 days",
        )));
    }
    let old = reminder_days(s)?;
    s.write(|w| {
        settings::put(w.tx, REMINDER_DAYS, &days.to_string())?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                REMINDER_DAYS,
                json!({ "key": REMINDER_DAYS, "old": old, "new": days }),
            ),
        ))
    })
}

/// The last verified backup, its age and whether another is due.
pub fn status(s: &Session) -> Result<BackupStatus, LedgerError> {
    let last = list(s)?.into_iter().next();
    let reminder_days = reminder_days(s)?;
    let age_days = last.as_ref().and_then(|r| {
        chrono::DateTime::parse_from_rfc3339(&r.at)
            .ok()
            .map(|at| (s.today() - s.zone().date_of(at.to_utc())).num_days())
    });
    let due = age_days.is_none_or(|d| d >= i64::from(reminder_days));
    Ok(BackupStatus {
        last,
        age_days,
        reminder_days,
        due,
    })
}

/// A restore that succeeded.
#[derive(Debug, Clone)]
pub struct RestoreOutcome {
    /// The restored vault's folder.
    pub dir: PathBuf,
    /// Where the vault that was there went.
    pub moved_aside: Option<PathBuf>,
    /// The backup's manifest.
    pub manifest: crate::backup::Manifest,
    /// Whose secret opened it (a login, or `None` for the recovery key).
    pub opened_by: Option<String>,
}

/// Verifies the backup `file` and restores it into `target` (see
/// [`crate::backup::restore::restore`]), then records the restore in the restored ledger's
/// audit trail and closes it. Runs on a worker thread in the window.
pub fn restore(
    file: &Path,
    secret: &Secret,
    target: &Path,
    replace: bool,
    clock: &dyn crate::domain::Clock,
    progress: &Arc<Progress>,
) -> Result<RestoreOutcome, BackupError> {
    let now = clock.now();
    let mut restored = crate::backup::restore::restore(file, secret, target, replace, progress)?;
    let placement = restored.placement.clone();
    let login = match &restored.opened_by {
        SlotOwner::User(l) => Some(l.clone()),
        // A seal key slot never opens the master key.
        SlotOwner::Recovery | SlotOwner::SealKey(_) => None,
    };
    let m = restored.verified.manifest.clone();
    let aside = placement
        .replaces_vault
        .then(|| crate::backup::restore::aside_path(&placement.target, now));
    let recorded = record_restore(&mut restored, file, login.as_deref(), aside.as_deref(), now);
    let crate::backup::restore::Restored { vault, ledger, .. } = restored;
    let closed = recorded.and_then(|()| ledger.close().map_err(BackupError::from));
    drop(vault);
    if let Err(e) = closed {
        crate::backup::restore::discard(&placement);
        return Err(e);
    }
    let moved_aside = crate::backup::restore::put_in_place(&placement, now)?;
    Ok(RestoreOutcome {
        dir: placement.target,
        moved_aside,
        manifest: m,
        opened_by: login,
    })
}

/// In the restored ledger, before it is put in place: the backup it came from goes into
/// `backups` (its own record was written after its snapshot, so the reminder does not say
/// 尚未备份), and the restore into the audit trail.
fn record_restore(
    restored: &mut crate::backup::restore::Restored,
    file: &Path,
    login: Option<&str>,
    aside: Option<&Path>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), BackupError> {
    let m = restored.verified.manifest.clone();
    let file_sha256 = restored.verified.file_sha256.clone();
    let file_len = restored.verified.file_len;
    let (conn, key) = restored.ledger.conn_and_audit_key();
    let tx = conn.transaction()?;
    let user_id: Option<i64> = match login {
        Some(l) => tx
            .query_row(
                "SELECT id FROM users WHERE login = ?1 AND active = 1",
                [l],
                |r| r.get(0),
            )
            .optional()?,
        None => None,
    };
    let made_by: Option<i64> = tx
        .query_row("SELECT id FROM users WHERE login = ?1", [&m.made_by], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(by) = made_by.or(user_id) {
        let folder = file.parent().map(|p| {
            std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.to_owned())
                .display()
                .to_string()
        });
        tx.execute(
            "INSERT INTO backups (at, created_at, user_id, file_name, folder, removable, \
             bytes, sha256, audit_seq, audit_hash, schema_version) \
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                m.created_at,
                by,
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                folder.unwrap_or_default(),
                crate::backup::media::is_on_removable(&crate::backup::media::SystemMedia, file),
                file_len as i64,
                file_sha256,
                m.audit_head.seq,
                m.audit_head.hash,
                m.schema_version,
            ],
        )?;
    }
    // A restored vault starts without `ledger.attempts`: that is not a file deleted.
    tx.execute(
        "DELETE FROM settings WHERE key = ?1",
        [super::settings::ATTEMPTS_GENERATION],
    )?;
    let event = Event::new(
        AuditAction::BackupRestore,
        "",
        json!({
            "file": file.file_name().map(|n| n.to_string_lossy().into_owned()),
            "backup_created_at": m.created_at,
            "backup_sha256": file_sha256,
            "audit_seq": m.audit_head.seq,
            "audit_hash": m.audit_head.hash,
            "opened_with": login.unwrap_or("recovery key"),
            "moved_aside": aside.map(|p| p.display().to_string()),
        }),
    );
    super::session::append_event(&tx, key, now, event, user_id.map(super::UserId))
        .map_err(|crate::audit::AuditError::Sql(e)| BackupError::Sql(e))?;
    tx.commit()?;
    Ok(())
}

/// A backup error as the ledger reports it.
pub fn backup_error(e: BackupError) -> LedgerError {
    match e {
        BackupError::Vault(v) => v.into(),
        BackupError::Sql(s) => LedgerError::Sql(s),
        other => LedgerError::Invalid(other.message()),
    }
}
