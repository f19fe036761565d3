//! A locked ledger (the vault folder opened, nobody signed in) and a session (unlocked, one
//! acting user). The session is the only way to the database: reads borrow its connection
//! inside this crate, and every write runs through [`Session::write`], which opens one
//! IMMEDIATE transaction, hands the use case a [`Write`] (transaction, time, office date, acting
//! user), appends the use case's audit [`Event`] for the acting user, and commits.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Transaction, TransactionBehavior};
use serde_json::json;

use super::audit_action::AuditAction;
use super::users::{self, CurrentUser, UserId};
use super::{LedgerError, people, settings};
use crate::audit::{self, ChainStatus, NewEvent};
use crate::domain::{Clock, Duties, OfficeZone, Permission, Role};
use crate::vault::attempts;
use crate::vault::{
    IntegrityReport, KdfChoice, OpenLedger, Passphrase, RecoveryKey, SlotOwner, Vault, VaultError,
};

/// What the setup wizard (or `baomi init`) asks for.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    /// The unit's name, shown in the top bar and on every form.
    pub unit_name: String,
    /// The first user's login.
    pub login: String,
    /// The first user's full name.
    pub name: String,
    pub department: String,
    pub post: String,
    /// The office's time zone (default Beijing time).
    pub zone: OfficeZone,
    /// A demo vault (`init --demo`): only such a vault takes synthetic data.
    pub demo: bool,
}

/// An audit event as a use case states it; the session adds the acting user and the time.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub action: AuditAction,
    pub entity_id: String,
    pub detail: serde_json::Value,
}

impl Event {
    /// The event `action` on the row `entity_id` of the action's register.
    pub(crate) fn new(
        action: AuditAction,
        entity_id: impl ToString,
        detail: serde_json::Value,
    ) -> Self {
        Event {
            action,
            entity_id: entity_id.to_string(),
            detail,
        }
    }

    fn by(self, user: Option<UserId>) -> NewEvent {
        NewEvent {
            user_id: user.map(|u| u.0),
            action: self.action.code(),
            entity: self.action.entity(),
            entity_id: self.entity_id,
            detail: self.detail,
        }
    }
}

/// Appends `event` for `user` inside `tx` outside any session (a restored ledger records its
/// restore before anyone signs in; `None`: opened with the recovery key).
pub(crate) fn append_event(
    tx: &Transaction<'_>,
    key: &crate::vault::SubKey,
    now: DateTime<Utc>,
    event: Event,
    user: Option<UserId>,
) -> Result<i64, crate::audit::AuditError> {
    audit::append(tx, key, now, event.by(user))
}

/// What a write sees: its transaction, the time, the office's date and the acting user.
pub(crate) struct Write<'t> {
    pub tx: &'t Transaction<'t>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub user: UserId,
}

impl Write<'_> {
    /// `now` as stored (RFC 3339).
    pub fn at(&self) -> String {
        self.now.to_rfc3339()
    }
}

/// The vault folder, opened (this is the one instance using it) but locked: the login screen
/// holds it, lists the logins, and unlocks it into a [`Session`].
pub struct LockedLedger {
    vault: Vault,
}

impl std::fmt::Debug for LockedLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockedLedger")
            .field("dir", &self.vault.dir())
            .finish()
    }
}

impl LockedLedger {
    /// What `dir` holds: nothing, a ledger, the remains of an interrupted creation. A folder
    /// that cannot be read, or that holds a ledger's database without its key file, is an
    /// error: the app never offers to create a ledger there.
    pub fn probe(dir: &Path) -> Result<crate::vault::FolderState, LedgerError> {
        Ok(Vault::probe(dir)?)
    }

    /// Opens the ledger in `dir`, locked.
    pub fn open(dir: &Path) -> Result<LockedLedger, LedgerError> {
        Ok(LockedLedger {
            vault: Vault::open(dir)?,
        })
    }

    /// Opens the ledger in `dir` without taking the instance lock, so that a test can race
    /// two writers on one file. Never reachable from the app.
    #[cfg(any(test, feature = "test-support"))]
    pub fn open_second_for_tests(dir: &Path) -> Result<LockedLedger, LedgerError> {
        Ok(LockedLedger {
            vault: Vault::open_without_instance_lock(dir)?,
        })
    }

    /// The ledger's folder.
    pub fn dir(&self) -> &Path {
        self.vault.dir()
    }

    /// The logins that can sign in (the login screen's picker).
    pub fn logins(&self) -> Vec<String> {
        self.vault.logins()
    }

    /// Whether opening found the lock of a process that had crashed.
    pub fn recovered_stale_lock(&self) -> bool {
        self.vault.recovered_stale_lock().is_some()
    }

    #[allow(clippy::result_large_err)]
    /// Unlocks with `login`'s passphrase. On failure the locked ledger is handed back with the
    /// error, so the login screen can try again.
    pub fn unlock(
        mut self,
        login: &str,
        passphrase: &Passphrase,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, (LockedLedger, LedgerError)> {
        // What the audit trail is to receive, as it was before this try.
        let found = match attempts::read(self.vault.dir()) {
            Ok(f) => f,
            Err(e) => return Err((self, e.into())),
        };
        // The vault counts the try (the delay, a failure) by the session's clock.
        self.vault.set_clock(clock.clone());
        match self.vault.unlock(login, passphrase) {
            Ok(ledger) => {
                let mut s = Session::start(self.vault, ledger, login, clock)?;
                // Best effort: a failure to record them leaves them in the file for the next
                // unlock.
                let _ = s.record_attempts(&found);
                Ok(s)
            }
            Err(e) => Err((self, e.into())),
        }
    }

    /// Seconds `login` must still wait before the next try, and its consecutive failures
    /// (`ledger.attempts`; the login screen's countdown).
    pub fn sign_in_wait(&self, login: &str, now: DateTime<Utc>) -> Option<(i64, u32)> {
        let known = self.vault.key_file().has_user(login);
        attempts::read(self.vault.dir())
            .ok()?
            .attempts()
            .wait(attempts::entry_for(login, known), now)
    }

    /// After a WAL damage report, the user's decision to open the ledger as far as it verifies:
    /// the files are copied aside, the WAL cut after its last intact commit; then unlocks and
    /// records the decision in the audit trail (what was found, where the copies are).
    #[allow(clippy::result_large_err)]
    pub fn accept_wal_damage(
        mut self,
        login: &str,
        passphrase: &Passphrase,
        clock: Arc<dyn Clock>,
    ) -> Result<(Session, crate::vault::WalDamage, std::path::PathBuf), (LockedLedger, LedgerError)>
    {
        self.vault.set_clock(clock.clone());
        let (damage, kept) = match self.vault.accept_wal_damage(login, passphrase) {
            Ok(found) => found,
            Err(e) => return Err((self, e.into())),
        };
        let mut s = self.unlock(login, passphrase, clock)?;
        let uid = s.user.id;
        let detail = json!({
            "first_bad_frame": damage.first_bad_frame.map(|n| n + 1),
            "what": damage.what.0,
            "commits_before": damage.commits_before,
            "commits_dropped": damage.commits_after,
            "copies": kept.display().to_string(),
        });
        if let Err(e) =
            s.write(|_| Ok(((), Event::new(AuditAction::WalDamageAccept, uid.0, detail))))
        {
            return Err((s.lock("error"), e));
        }
        Ok((s, damage, kept))
    }

    #[allow(clippy::result_large_err)]
    /// Unlocks with the recovery key, sets a new passphrase for `login`, starts a session.
    pub fn unlock_with_recovery(
        mut self,
        recovery: &RecoveryKey,
        login: &str,
        new_passphrase: &Passphrase,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, (LockedLedger, LedgerError)> {
        if let Err(e) = users::passphrase_rules(login, new_passphrase) {
            return Err((self, e));
        }
        match self
            .vault
            .unlock_with_recovery(recovery, login, new_passphrase)
        {
            Ok(ledger) => {
                let mut s = Session::start(self.vault, ledger, login, clock)?;
                let uid = s.user.id;
                // The new passphrase was just chosen: it starts a new period.
                s.user.passphrase_expired = None;
                match s.write(|w| {
                    w.tx.execute(
                        "UPDATE users SET passphrase_changed_at = ?2 WHERE id = ?1",
                        rusqlite::params![uid.0, w.at()],
                    )?;
                    Ok((
                        (),
                        Event::new(
                            AuditAction::PassphraseResetWithRecoveryKey,
                            uid.0,
                            json!({}),
                        ),
                    ))
                }) {
                    Ok(()) => Ok(s),
                    Err(e) => Err((s.lock("error"), e)),
                }
            }
            Err(e) => Err((self, e.into())),
        }
    }
}

/// An unlocked ledger and the user acting on it.
///
/// Unlocking hands the [`LockedLedger`] back with the error so the login screen can try again;
/// that error is large, but it is returned once per typed passphrase, hence the
/// `result_large_err` allowances.
pub struct Session {
    pub(super) vault: Vault,
    pub(super) ledger: OpenLedger,
    pub(super) user: CurrentUser,
    clock: Arc<dyn Clock>,
    zone: OfficeZone,
    /// The disk was full at unlock: reading only (see [`Session::is_read_only_for_full_disk`]).
    disk_full: bool,
    /// How the office divides the duties (read at unlock; changed through settings).
    duties: Duties,
    /// How far this sitting has verified the audit chain (a check resumes from there).
    pub(super) verified: Option<crate::audit::Verified>,
}

/// Whether an error is SQLite's "database or disk is full".
fn is_disk_full(e: &LedgerError) -> bool {
    let sql = match e {
        LedgerError::Sql(e) => e,
        LedgerError::Audit(crate::audit::AuditError::Sql(e)) => e,
        _ => return false,
    };
    sql.sqlite_error()
        .is_some_and(|f| f.code == rusqlite::ErrorCode::DiskFull)
}

impl Session {
    /// Creates a vault in `dir` whose first user is the custodian (保密员).
    pub fn create(
        dir: &Path,
        input: &SetupInput,
        passphrase: &Passphrase,
        kdf: KdfChoice,
        clock: Arc<dyn Clock>,
    ) -> Result<(Session, RecoveryKey), LedgerError> {
        let unit = input.unit_name.trim();
        if unit.is_empty() {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "请填写单位名称",
                "Write the unit's name",
            )));
        }
        users::validate_login(&input.login)?;
        users::passphrase_rules(&input.login, passphrase)?;
        people::validate_name(&input.name)?;
        let now = clock.now();
        // The first transaction runs inside the creation, before the key file is written: a
        // crash leaves either the remains of an interrupted creation or a vault whose first
        // user can sign in, never a vault nobody can open.
        let (vault, ledger, recovery, ()) = Vault::create_with(
            dir,
            &input.login,
            passphrase,
            kdf,
            |ledger| {
                let (conn, key) = ledger.conn_and_audit_key();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                settings::put(&tx, settings::UNIT_NAME, unit)?;
                settings::put(&tx, settings::CREATED_AT, &now.to_rfc3339())?;
                settings::put(&tx, settings::OFFICE_ZONE, &input.zone.code())?;
                if input.demo {
                    settings::put(&tx, settings::DEMO_VAULT, "1")?;
                }
                let person = people::insert(
                    &tx,
                    &people::NewPerson {
                        name: input.name.trim().to_owned(),
                        department: input.department.trim().to_owned(),
                        post: input.post.trim().to_owned(),
                        ..Default::default()
                    },
                    now,
                    input.zone.date_of(now),
                )?;
                let user_id = users::insert(&tx, &input.login, person, Role::Custodian, now)?;
                let event = Event::new(
                    AuditAction::VaultCreate,
                    user_id.0,
                    json!({"unit": unit, "login": input.login, "role": Role::Custodian.code(),
                           "person_id": person.0, "office_zone": input.zone.code(), "demo": input.demo}),
                );
                audit::append(&tx, key, now, event.by(Some(user_id)))?;
                tx.commit()?;
                Ok::<(), LedgerError>(())
            },
        )?;
        let user = users::current(ledger.conn(), &input.login)?.ok_or(LedgerError::UserInactive)?;
        Ok((
            Session {
                vault,
                ledger,
                user,
                clock,
                zone: input.zone,
                disk_full: false,
                duties: Duties::default(),
                verified: None,
            },
            recovery,
        ))
    }

    #[allow(clippy::result_large_err)]
    fn start(
        mut vault: Vault,
        ledger: OpenLedger,
        login: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, (LockedLedger, LedgerError)> {
        vault.set_clock(clock.clone());
        let back = |vault, e| Err((LockedLedger { vault }, e));
        let user = match users::current(ledger.conn(), login) {
            Ok(Some(u)) => u,
            Ok(None) => return back(vault, LedgerError::UserInactive),
            Err(e) => return back(vault, e),
        };
        let zone = match settings::office_zone_of(ledger.conn()) {
            Ok(z) => z,
            Err(e) => return back(vault, e),
        };
        let duties = match settings::duties_of(ledger.conn()) {
            Ok(d) => d,
            Err(e) => return back(vault, e),
        };
        // R3.3.1: a passphrase past the office's limit must be changed before anything else.
        let mut user = user;
        if !user.must_change_passphrase {
            let expired = settings::passphrase_max_days_of(ledger.conn()).and_then(|max| {
                users::passphrase_age_past(ledger.conn(), user.id, zone, clock.now(), max)
            });
            match expired {
                Ok(days) => user.passphrase_expired = days,
                Err(e) => return back(vault, e),
            }
        }
        let mut session = Session {
            vault,
            ledger,
            user,
            clock,
            zone,
            disk_full: false,
            duties,
            verified: None,
        };
        let how = match session.ledger.opened_by {
            SlotOwner::Recovery => "recovery_key",
            // A seal key slot never opens the master key.
            SlotOwner::User(_) | SlotOwner::SealKey(_) => "passphrase",
        };
        let uid = session.user.id;
        match session.write(|_| {
            Ok((
                (),
                Event::new(AuditAction::SessionUnlock, uid.0, json!({ "with": how })),
            ))
        }) {
            Ok(()) => {}
            // A full disk leaves the ledger readable: the session opens for reading only, and
            // every write says why it is refused (the lock event is not written either).
            Err(e) if is_disk_full(&e) => {
                session.disk_full = true;
                return Ok(session);
            }
            Err(e) => return back(session.vault, e),
        }
        // Best effort: retried at the next unlock if the disk refuses it now.
        let _ = session.remove_orphan_slots();
        Ok(session)
    }

    /// Removes passphrase slots that have no account: the remains of an account creation
    /// interrupted between writing the key file and committing the account's row. The slot
    /// opened the master key with a passphrase nobody may use; removing it is audited.
    fn remove_orphan_slots(&mut self) -> Result<(), LedgerError> {
        let accounts: Vec<String> = {
            let mut stmt = self.ledger.conn().prepare("SELECT login FROM users")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let orphans: Vec<String> = self
            .vault
            .logins()
            .into_iter()
            .filter(|l| !accounts.contains(l))
            .collect();
        if orphans.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let uid = self.user.id;
        let (conn, key, master) = self.ledger.conn_audit_and_master();
        self.vault.remove_slots_with(master, &orphans)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let event = Event::new(
            AuditAction::OrphanSlotRemove,
            uid.0,
            json!({ "logins": orphans }),
        );
        audit::append(&tx, key, now, event.by(Some(uid)))?;
        tx.commit()?;
        Ok(())
    }

    /// Refuses to save an export or a PDF inside the ledger's own folder: a file named
    /// `ledger.db` or `ledger.keys` there would replace the ledger (even the recovery key could
    /// not bring it back), and the folder is no place for plaintext copies anyway.
    pub(crate) fn refuse_output_in_vault(&self, path: &Path) -> Result<(), LedgerError> {
        let canonical = |p: &Path| std::fs::canonicalize(p).ok();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let (Some(vault), Some(target)) = (canonical(self.vault.dir()), canonical(&parent)) else {
            return Ok(());
        };
        if target.starts_with(&vault) {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                format!(
                    "不能保存到台账库文件夹中（会覆盖台账文件，且明文副本不应放在那里）：{}",
                    path.display()
                ),
                format!(
                    "Cannot save into the ledger's own folder (it could replace the ledger, and plaintext copies do not belong there): {}",
                    path.display()
                ),
            )));
        }
        Ok(())
    }

    /// An account on a passphrase someone else chose, or past the office's limit, writes nothing
    /// but the change of that passphrase (and its own sign-in and lock).
    fn refuse_until_passphrase_changed(&self) -> Result<(), LedgerError> {
        if self.user.must_change_passphrase {
            return Err(LedgerError::MustChangePassphrase);
        }
        if let Some(days) = self.user.passphrase_expired {
            return Err(LedgerError::PassphraseExpired(days));
        }
        Ok(())
    }

    /// A session opened on a full disk writes nothing: every write says why, as SQLite would.
    fn refuse_if_disk_full(&self) -> Result<(), LedgerError> {
        if self.disk_full {
            return Err(LedgerError::Sql(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                None,
            )));
        }
        Ok(())
    }

    /// Whether the disk was full when this session started: it reads, it does not write.
    pub fn is_read_only_for_full_disk(&self) -> bool {
        self.disk_full
    }

    /// Locks: records the event, closes the database, zeroizes the keys; the folder stays open
    /// (the instance lock is kept) for the login screen.
    pub fn lock(mut self, reason: &'static str) -> LockedLedger {
        let uid = self.user.id;
        // Locking must happen even if the event cannot be written (e.g. a full disk).
        let _ = self.write(|_| {
            Ok((
                (),
                Event::new(AuditAction::SessionLock, uid.0, json!({ "reason": reason })),
            ))
        });
        let Session { vault, ledger, .. } = self;
        let _ = ledger.close();
        LockedLedger { vault }
    }

    /// The acting user.
    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    /// The ledger's folder.
    pub fn dir(&self) -> &Path {
        self.vault.dir()
    }

    pub(crate) fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The office's date today (in the office's time zone, whatever the PC's `TZ`).
    pub fn today(&self) -> NaiveDate {
        self.zone.date_of(self.clock.now())
    }

    /// The office's time zone.
    pub fn zone(&self) -> OfficeZone {
        self.zone
    }

    pub(super) fn set_zone(&mut self, zone: OfficeZone) {
        self.zone = zone;
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Read access for queries of the `ledger` modules.
    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        self.ledger.conn()
    }

    /// Runs one write: `f` writes rows inside one IMMEDIATE transaction (so what it reads there
    /// cannot change before it commits) and returns its audit event; the event is appended for
    /// the acting user and everything commits together, or nothing does.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Write<'_>) -> Result<(T, Event), LedgerError>,
    ) -> Result<T, LedgerError> {
        self.write_many(|w| {
            let (out, event) = f(w)?;
            Ok((out, vec![event]))
        })
    }

    /// Like [`Session::write`], with a change of the key file made inside the transaction,
    /// after the rows and the event are written and before the commit: a failure of either
    /// leaves neither (a failed commit puts the previous key file back). Only a crash between
    /// the key file's rename and the commit can leave a slot without its account; the next
    /// unlock removes such slots ([`Session::start`]).
    pub(crate) fn write_with_keys<T>(
        &mut self,
        f: impl FnOnce(&Write<'_>) -> Result<(T, Event), LedgerError>,
        keys: impl FnOnce(&mut Vault, &crate::vault::MasterKey) -> Result<(), crate::vault::VaultError>,
    ) -> Result<T, LedgerError> {
        self.refuse_if_disk_full()?;
        let now = self.clock.now();
        let today = self.zone.date_of(now);
        let user = self.user.id;
        self.refuse_until_passphrase_changed()?;
        let (conn, key, master) = self.ledger.conn_audit_and_master();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Write {
            tx: &tx,
            now,
            today,
            user,
        };
        let (out, event) = f(&w)?;
        audit::append(&tx, key, now, event.by(Some(user)))?;
        let before = self.vault.key_file().clone();
        keys(&mut self.vault, master)?;
        crate::process::crash_point("keys-written-before-commit");
        if let Err(e) = tx.commit() {
            let _ = self.vault.restore_key_file(before, master);
            return Err(e.into());
        }
        Ok(out)
    }

    /// Like [`Session::write`] for a batch: one event per record; all commit together, or
    /// nothing does.
    pub(crate) fn write_many<T>(
        &mut self,
        f: impl FnOnce(&Write<'_>) -> Result<(T, Vec<Event>), LedgerError>,
    ) -> Result<T, LedgerError> {
        self.refuse_if_disk_full()?;
        let now = self.clock.now();
        let today = self.zone.date_of(now);
        let user = self.user.id;
        let until_changed = self.refuse_until_passphrase_changed().err();
        let (conn, key) = self.ledger.conn_and_audit_key();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Write {
            tx: &tx,
            now,
            today,
            user,
        };
        let (out, events) = f(&w)?;
        // An account still on a passphrase someone else chose writes nothing but the change of
        // that passphrase and its own sign-in and lock (the transaction rolls back on return).
        if let Some(refusal) = until_changed
            && events.iter().any(|e| {
                !matches!(
                    e.action,
                    AuditAction::SessionUnlock
                        | AuditAction::SessionLock
                        | AuditAction::LoginFailed
                        | AuditAction::AttemptsFileReset
                        | AuditAction::PassphraseChange
                        | AuditAction::PassphraseResetWithRecoveryKey
                )
            })
        {
            return Err(refusal);
        }
        for event in events {
            audit::append(&tx, key, now, event.by(Some(user)))?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// Fails unless the permission matrix gives the acting user's role `permission` in this
    /// office ([`crate::domain::permission`]); `action` names what was asked in the refusal.
    pub fn require(&self, action: &'static str, permission: Permission) -> Result<(), LedgerError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(LedgerError::NotPermitted {
                action,
                permission,
                needed: crate::domain::permission::who_may(permission, self.duties),
            })
        }
    }

    /// Whether the acting user may do `permission` (the GUI hides what this refuses).
    pub fn may(&self, permission: Permission) -> bool {
        crate::domain::permission::allows(self.user.role, permission, self.duties)
    }

    /// How this office divides the duties.
    pub fn duties(&self) -> Duties {
        self.duties
    }

    pub(super) fn set_duties(&mut self, duties: Duties) {
        self.duties = duties;
    }

    /// Changes the acting user's own passphrase (checks the current one). Only the key file's
    /// slot changes; the event is recorded.
    pub fn change_own_passphrase(
        &mut self,
        current: &Passphrase,
        new: &Passphrase,
    ) -> Result<(), LedgerError> {
        let login = self.user.login.clone();
        users::passphrase_rules(&login, new)?;
        if new.as_str() == current.as_str() {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "新口令不能与当前口令相同",
                "The new passphrase must differ from the current one",
            )));
        }
        match self.vault.change_passphrase(&login, current, new) {
            Ok(()) => {}
            Err(VaultError::WrongPassphraseOrDamaged) => {
                return Err(LedgerError::WrongCurrentPassphrase);
            }
            Err(e) => return Err(e.into()),
        }
        let uid = self.user.id;
        let was_one_time = self.user.must_change_passphrase;
        let expired = self.user.passphrase_expired;
        self.write(|w| {
            w.tx.execute(
                "UPDATE users SET must_change_passphrase = 0, passphrase_changed_at = ?2 \
                 WHERE id = ?1",
                rusqlite::params![uid.0, w.at()],
            )?;
            Ok((
                (),
                Event::new(
                    AuditAction::PassphraseChange,
                    uid.0,
                    json!({ "replaced_one_time": was_one_time, "expired_after_days": expired }),
                ),
            ))
        })?;
        self.user.must_change_passphrase = false;
        self.user.passphrase_expired = None;
        Ok(())
    }

    /// After an unlock: the failed sign-ins `found` in `ledger.attempts` go into the audit trail
    /// (one event listing them), a file deleted or rolled back since the database last saw it
    /// is recorded as such, and the file is emptied of what was recorded.
    fn record_attempts(&mut self, found: &attempts::Found) -> Result<(), LedgerError> {
        let seen: u64 = settings::get(self.ledger.conn(), settings::ATTEMPTS_GENERATION)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let read = found.attempts();
        let reset = match found {
            attempts::Found::Absent => (seen > 0).then_some("deleted"),
            attempts::Found::Unreadable => Some("unreadable"),
            attempts::Found::Read(a) => (a.generation < seen).then_some("rolled_back"),
        };
        let list = read.unrecorded();
        let unlisted = read.unlisted();
        if reset.is_none() && list.is_empty() && unlisted == 0 && seen == read.generation {
            return Ok(());
        }
        let login = self.user.login.clone();
        let written = attempts::after_unlock(self.vault.dir(), &login, &read, seen)?;
        let uid = self.user.id;
        let mut events = Vec::new();
        if let Some(how) = reset {
            events.push(Event::new(
                AuditAction::AttemptsFileReset,
                uid.0,
                json!({"how": how, "generation_seen": seen, "generation_found": read.generation}),
            ));
        }
        if !list.is_empty() || unlisted > 0 {
            let shown: Vec<_> = list
                .iter()
                .map(|(login, at)| json!({"login": login, "at": at}))
                .collect();
            events.push(Event::new(
                AuditAction::LoginFailed,
                uid.0,
                json!({ "count": list.len() as u64 + unlisted, "attempts": shown,
                        "unlisted": unlisted }),
            ));
        }
        let generation = written.generation.to_string();
        self.write_many(|w| {
            settings::put(w.tx, settings::ATTEMPTS_GENERATION, &generation)?;
            Ok(((), events))
        })
    }

    /// Replaces the recovery key; returns the new one to show once.
    pub fn rotate_recovery_key(&mut self) -> Result<RecoveryKey, LedgerError> {
        self.require("更换恢复密钥", Permission::RecoveryKey)?;
        let key = self.vault.rotate_recovery_key(&self.ledger)?;
        self.write(|w| {
            // The old recovery key still opens earlier copies of the key file.
            users::mark_rekey_due(w, "recovery")?;
            Ok((
                (),
                Event::new(AuditAction::RecoveryKeyRotate, "", json!({})),
            ))
        })?;
        Ok(key)
    }

    /// How long the sign-in's key derivation took (the start-up bench: the time after it).
    pub fn unlock_kdf_time(&self) -> std::time::Duration {
        self.ledger.timing.kdf
    }

    /// Verifies the audit chain. Open to every role on purpose: whether the trail is intact is
    /// not a secret (the 工作台 shows it to everyone; `docs/security.md`, permission matrix).
    pub fn verify_audit(&self) -> Result<ChainStatus, LedgerError> {
        Ok(audit::verify(self.ledger.conn(), self.ledger.audit_key())?)
    }

    /// Verifies the audit chain, calling `tick` with the events done every
    /// [`crate::audit::TICK`] (the command line's progress).
    pub fn verify_audit_with(&self, tick: impl FnMut(i64)) -> Result<ChainStatus, LedgerError> {
        let mut tick = tick;
        Ok(
            audit::verify_from(self.ledger.conn(), self.ledger.audit_key(), None, |n| {
                tick(n);
                true
            })?
            .expect("never cancelled"),
        )
    }

    /// The audit chain's head as `seq:hex` (printed on forms, stored in backups).
    pub fn audit_head_hex(&self) -> Result<String, LedgerError> {
        Ok(audit::head(self.ledger.conn())?
            .map(|(seq, h)| format!("{seq}:{}", super::hex(&h)))
            .unwrap_or_else(|| "0:".into()))
    }

    /// Page HMACs and b-tree structure.
    pub fn integrity_check(&self) -> Result<IntegrityReport, LedgerError> {
        Ok(self.ledger.integrity_check()?)
    }

    /// The raw connection, for tests that simulate damage or an insider with the key, and for
    /// the benchmarks. Not part of the app's API: only built with the `test-support` feature.
    #[cfg(any(test, feature = "test-support"))]
    pub fn raw_connection_for_tests(&mut self) -> &mut rusqlite::Connection {
        self.ledger.conn_mut()
    }

    /// An insider with the master key removes `login`'s seal key slot from `ledger.keys`.
    #[cfg(any(test, feature = "test-support"))]
    pub fn remove_seal_slot_for_tests(&mut self, login: &str) -> Result<(), LedgerError> {
        self.vault.remove_seal_slot_for_tests(&self.ledger, login)?;
        Ok(())
    }

    /// Appends `n` small events (a benchmark's long audit trail), 10 000 per transaction.
    #[cfg(any(test, feature = "test-support"))]
    pub fn append_events_for_bench(&mut self, n: usize) -> Result<(), LedgerError> {
        let uid = self.user.id;
        let mut left = n;
        while left > 0 {
            let batch = left.min(10_000);
            self.write_many(|_| {
                Ok((
                    (),
                    (0..batch)
                        .map(|i| {
                            Event::new(
                                AuditAction::SessionUnlock,
                                uid.0,
                                json!({ "with": "passphrase", "bench": i }),
                            )
                        })
                        .collect(),
                ))
            })?;
            left -= batch;
        }
        Ok(())
    }

    /// An insider with the master key: sets event `seq`'s details and recomputes the chain
    /// from there so that it verifies (see [`crate::audit::rewrite_consistently_for_tests`]).
    #[cfg(any(test, feature = "test-support"))]
    pub fn rewrite_chain_for_tests(
        &mut self,
        seq: i64,
        detail_json: &str,
    ) -> Result<(), LedgerError> {
        let key = self.ledger.audit_key_copy();
        crate::audit::rewrite_consistently_for_tests(self.ledger.conn(), &key, seq, detail_json)?;
        Ok(())
    }
}
