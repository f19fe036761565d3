//! Use cases: the only place with SQL for the registers. Every write checks the acting user's
//! role and the domain rules, writes its rows and appends its audit event in one transaction.

pub mod audit_log;
pub mod borrowing;
pub mod cabinets;
pub mod documents;
pub mod outgoing;
pub mod people;
pub mod search;
pub mod settings;
pub mod stats;
pub mod users;

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Transaction, TransactionBehavior};
use serde_json::json;

use crate::audit::{self, AuditError, ChainStatus, NewEvent};
use crate::domain::{Clock, Role};
use crate::vault::{
    IntegrityReport, KdfChoice, OpenLedger, Passphrase, RecoveryKey, SlotOwner, Vault, VaultError,
};

pub use users::{CurrentUser, UserId};

/// Errors of the use cases. Each refused rule says why, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("数据库操作失败：{0}")]
    Sql(#[from] rusqlite::Error),
    /// The acting user's role may not do this (R3.3.2).
    #[error("权限不足：{action}需要{needed}角色（R3.3.2）")]
    NotPermitted {
        action: &'static str,
        needed: &'static str,
    },
    /// Input that fails validation; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The account exists in the key file but not (or no longer) in the ledger.
    #[error("此账户已停用或不存在")]
    UserInactive,
    /// The account's passphrase was refused.
    #[error("当前口令不正确")]
    WrongCurrentPassphrase,
}

/// What the setup wizard (or `baomi init`) asks for.
#[derive(Debug, Clone)]
pub struct SetupInput {
    /// The unit's name, shown in the top bar and on every form.
    pub unit_name: String,
    /// The first user's login.
    pub login: String,
    /// The first user's full name.
    pub name: String,
    pub department: String,
    pub post: String,
}

/// An unlocked ledger and the user acting on it.
///
/// Unlocking hands the [`Vault`] back with the error so the login screen can try again; that
/// error is large, but it is returned once per typed passphrase, hence the `result_large_err`
/// allowances below.
pub struct Session {
    vault: Vault,
    ledger: OpenLedger,
    user: CurrentUser,
    clock: Arc<dyn Clock>,
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
            return Err(LedgerError::Invalid("请填写单位名称".into()));
        }
        users::validate_login(&input.login)?;
        people::validate_name(&input.name)?;
        let (vault, mut ledger, recovery) = Vault::create(dir, &input.login, passphrase, kdf)?;
        let now = clock.now();
        let key_file_id = vault.key_file().vault_id_hex();
        let (conn, key) = ledger.conn_and_audit_key();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        settings::put(&tx, settings::UNIT_NAME, unit)?;
        settings::put(&tx, settings::VAULT_ID, &key_file_id)?;
        settings::put(&tx, settings::CREATED_AT, &now.to_rfc3339())?;
        let person = people::insert(
            &tx,
            &people::NewPerson {
                name: input.name.trim().to_owned(),
                department: input.department.trim().to_owned(),
                post: input.post.trim().to_owned(),
                ..Default::default()
            },
            now,
        )?;
        let user_id = users::insert(&tx, &input.login, person, Role::Custodian, now)?;
        audit::append(
            &tx,
            key,
            now,
            NewEvent {
                user_id: Some(user_id.0),
                action: "vault.create",
                entity: "users",
                entity_id: user_id.0.to_string(),
                detail: json!({"unit": unit, "login": input.login, "role": Role::Custodian.code(),
                               "person_id": person.0}),
            },
        )?;
        tx.commit()?;
        let user = users::current(ledger.conn(), &input.login)?.ok_or(LedgerError::UserInactive)?;
        Ok((
            Session {
                vault,
                ledger,
                user,
                clock,
            },
            recovery,
        ))
    }

    #[allow(clippy::result_large_err)]
    /// Starts a session on a ledger unlocked by `vault`. On failure the vault is handed back.
    pub fn start(
        vault: Vault,
        ledger: OpenLedger,
        login: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, (Vault, LedgerError)> {
        let user = match users::current(ledger.conn(), login) {
            Ok(Some(u)) => u,
            Ok(None) => return Err((vault, LedgerError::UserInactive)),
            Err(e) => return Err((vault, e)),
        };
        let mut session = Session {
            vault,
            ledger,
            user,
            clock,
        };
        let how = match session.ledger.opened_by {
            SlotOwner::User(_) => "passphrase",
            SlotOwner::Recovery => "recovery_key",
        };
        let uid = session.user.id.0;
        if let Err(e) = session.write(|_tx, _now| {
            Ok((
                (),
                NewEvent {
                    user_id: Some(uid),
                    action: "session.unlock",
                    entity: "users",
                    entity_id: uid.to_string(),
                    detail: json!({ "with": how }),
                },
            ))
        }) {
            return Err((session.vault, e));
        }
        Ok(session)
    }

    #[allow(clippy::result_large_err)]
    /// Unlocks `vault` with a passphrase and starts a session. On failure the vault is handed
    /// back so the login screen can try again.
    pub fn unlock(
        vault: Vault,
        login: &str,
        passphrase: &Passphrase,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, (Vault, LedgerError)> {
        match vault.unlock(login, passphrase) {
            Ok(ledger) => Session::start(vault, ledger, login, clock),
            Err(e) => Err((vault, e.into())),
        }
    }

    #[allow(clippy::result_large_err)]
    /// Unlocks with the recovery key, sets a new passphrase for `login`, starts a session.
    pub fn unlock_with_recovery(
        mut vault: Vault,
        recovery: &RecoveryKey,
        login: &str,
        new_passphrase: &Passphrase,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, (Vault, LedgerError)> {
        match vault.unlock_with_recovery(recovery, login, new_passphrase) {
            Ok(ledger) => {
                let mut s = Session::start(vault, ledger, login, clock)?;
                let uid = s.user.id.0;
                let recorded = s.write(|_, _| {
                    Ok((
                        (),
                        NewEvent {
                            user_id: Some(uid),
                            action: "passphrase.reset_with_recovery_key",
                            entity: "users",
                            entity_id: uid.to_string(),
                            detail: json!({}),
                        },
                    ))
                });
                match recorded {
                    Ok(()) => Ok(s),
                    Err(e) => Err((s.lock("error"), e)),
                }
            }
            Err(e) => Err((vault, e.into())),
        }
    }

    /// Locks: records the event, closes the database, zeroizes the keys; the vault stays open
    /// (the instance lock is kept) for the login screen.
    pub fn lock(mut self, reason: &'static str) -> Vault {
        let uid = self.user.id.0;
        // Locking must happen even if the event cannot be written (e.g. a full disk).
        let _ = self.write(|_, _| {
            Ok((
                (),
                NewEvent {
                    user_id: Some(uid),
                    action: "session.lock",
                    entity: "users",
                    entity_id: uid.to_string(),
                    detail: json!({ "reason": reason }),
                },
            ))
        });
        let Session { vault, ledger, .. } = self;
        let _ = ledger.close();
        vault
    }

    /// The acting user.
    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    /// The vault folder.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Today's date where the office is (local time of this PC).
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.now().with_timezone(&chrono::Local).date_naive()
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Read access for queries of the `ledger` modules.
    pub(crate) fn conn(&self) -> &rusqlite::Connection {
        self.ledger.conn()
    }

    /// Runs one write: `f` writes rows inside the transaction and returns the audit event; the
    /// event is appended and everything commits together, or nothing does.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(
            &Transaction<'_>,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<(T, NewEvent), LedgerError>,
    ) -> Result<T, LedgerError> {
        let now = self.clock.now();
        let (conn, key) = split(&mut self.ledger);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (out, event) = f(&tx, now)?;
        audit::append(&tx, key, now, event)?;
        tx.commit()?;
        Ok(out)
    }

    /// Like [`Session::write`] for a batch: `f` writes several records and returns one event
    /// per record; all commit together, or nothing does.
    pub fn write_many<T>(
        &mut self,
        f: impl FnOnce(
            &Transaction<'_>,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<(T, Vec<NewEvent>), LedgerError>,
    ) -> Result<T, LedgerError> {
        let now = self.clock.now();
        let (conn, key) = split(&mut self.ledger);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (out, events) = f(&tx, now)?;
        for event in events {
            audit::append(&tx, key, now, event)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// Fails unless the acting user has one of `roles`.
    pub fn require(&self, action: &'static str, roles: &[Role]) -> Result<(), LedgerError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(LedgerError::NotPermitted {
                action,
                needed: roles.first().map(|r| r.label_zh()).unwrap_or(""),
            })
        }
    }

    /// Changes the acting user's own passphrase (checks the current one). Only the key file's
    /// slot changes; the event is recorded.
    pub fn change_own_passphrase(
        &mut self,
        current: &Passphrase,
        new: &Passphrase,
    ) -> Result<(), LedgerError> {
        if !crate::domain::passphrase::strength(new.as_str()).acceptable() {
            return Err(LedgerError::Invalid("新口令太短：至少 8 个字符".into()));
        }
        let login = self.user.login.clone();
        match self.vault.change_passphrase(&login, current, new) {
            Ok(()) => {}
            Err(VaultError::WrongPassphraseOrDamaged) => {
                return Err(LedgerError::WrongCurrentPassphrase);
            }
            Err(e) => return Err(e.into()),
        }
        let uid = self.user.id.0;
        self.write(|_, _| {
            Ok((
                (),
                NewEvent {
                    user_id: Some(uid),
                    action: "passphrase.change",
                    entity: "users",
                    entity_id: uid.to_string(),
                    detail: json!({}),
                },
            ))
        })
    }

    /// Records failed sign-in attempts made on this PC since the last successful unlock (they
    /// cannot be written while the ledger is locked, so the next unlock writes them).
    pub fn record_failed_logins(
        &mut self,
        attempts: &[(String, String)],
    ) -> Result<(), LedgerError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let uid = self.user.id.0;
        let list: Vec<_> = attempts
            .iter()
            .map(|(login, at)| json!({"login": login, "at": at}))
            .collect();
        self.write(|_, _| {
            Ok((
                (),
                NewEvent {
                    user_id: Some(uid),
                    action: "login.failed",
                    entity: "users",
                    entity_id: uid.to_string(),
                    detail: json!({ "count": attempts.len(), "attempts": list }),
                },
            ))
        })
    }

    /// Replaces the recovery key; returns the new one to show once.
    pub fn rotate_recovery_key(&mut self) -> Result<RecoveryKey, LedgerError> {
        self.require("更换恢复密钥", &[Role::Custodian, Role::Admin])?;
        let key = self.vault.rotate_recovery_key(&self.ledger)?;
        let uid = self.user.id.0;
        self.write(|_, _| {
            Ok((
                (),
                NewEvent {
                    user_id: Some(uid),
                    action: "recovery_key.rotate",
                    entity: "vault",
                    entity_id: String::new(),
                    detail: json!({}),
                },
            ))
        })?;
        Ok(key)
    }

    /// Verifies the audit chain.
    pub fn verify_audit(&self) -> Result<ChainStatus, LedgerError> {
        Ok(audit::verify(self.ledger.conn(), self.ledger.audit_key())?)
    }

    /// The audit chain's head as hex (printed on forms, stored in backups).
    pub fn audit_head_hex(&self) -> Result<String, LedgerError> {
        Ok(audit::head(self.ledger.conn())?
            .map(|(seq, h)| format!("{seq}:{}", hex(&h)))
            .unwrap_or_else(|| "0:".into()))
    }

    /// Page HMACs and b-tree structure.
    pub fn integrity_check(&self) -> Result<IntegrityReport, LedgerError> {
        Ok(self.ledger.integrity_check()?)
    }

    /// Escape hatch for tests that simulate damage and for the benchmark. Never used by the app.
    #[doc(hidden)]
    pub fn raw_connection_for_tests(&mut self) -> &mut rusqlite::Connection {
        self.ledger.conn_mut()
    }
}

fn split(ledger: &mut OpenLedger) -> (&mut rusqlite::Connection, &crate::vault::SubKey) {
    ledger.conn_and_audit_key()
}

/// Reads a column holding a stored code (level, state, role…) and parses it. An unknown code is
/// reported as an error, never replaced by a guess.
pub(crate) fn code_col<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let code: String = r.get(idx)?;
    parse(&code).ok_or_else(|| unknown_code(idx, &code))
}

/// Like [`code_col`] for a column that may be NULL.
pub(crate) fn opt_code_col<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    match r.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(code) => parse(&code)
            .map(Some)
            .ok_or_else(|| unknown_code(idx, &code)),
    }
}

fn unknown_code(idx: usize, code: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unknown code {code}").into(),
    )
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
