//! Unit-wide settings (`settings` table): unit name, auto-lock minutes, …

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

use super::{LedgerError, Session};
use crate::audit::NewEvent;
use crate::domain::Role;

/// The unit's name (shown in the top bar and on forms).
pub const UNIT_NAME: &str = "unit_name";
/// The vault id (same as in the key file).
pub const VAULT_ID: &str = "vault_id";
/// When the vault was created (RFC 3339).
pub const CREATED_AT: &str = "created_at";
/// Minutes of inactivity before the app locks itself.
pub const AUTO_LOCK_MINUTES: &str = "auto_lock_minutes";

/// Default for [`AUTO_LOCK_MINUTES`].
pub const DEFAULT_AUTO_LOCK_MINUTES: u32 = 5;

pub(crate) fn put(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), LedgerError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn get(conn: &Connection, key: &str) -> Result<Option<String>, LedgerError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// A setting's stored value.
pub(crate) fn get_value(s: &Session, key: &str) -> Result<Option<String>, LedgerError> {
    get(s.conn(), key)
}

/// The unit's name.
pub fn unit_name(s: &Session) -> Result<String, LedgerError> {
    Ok(get(s.conn(), UNIT_NAME)?.unwrap_or_default())
}

/// Minutes of inactivity before auto-lock.
pub fn auto_lock_minutes(s: &Session) -> Result<u32, LedgerError> {
    Ok(get(s.conn(), AUTO_LOCK_MINUTES)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_AUTO_LOCK_MINUTES))
}

/// Sets the auto-lock delay (1 to 60 minutes). Custodian or administrator; audited.
pub fn set_auto_lock_minutes(s: &mut Session, minutes: u32) -> Result<(), LedgerError> {
    s.require("修改自动锁定时间", &[Role::Custodian, Role::Admin])?;
    if !(1..=60).contains(&minutes) {
        return Err(LedgerError::Invalid(
            "自动锁定时间须在 1 到 60 分钟之间".into(),
        ));
    }
    let old = auto_lock_minutes(s)?;
    let uid = s.user().id.0;
    s.write(|tx, _| {
        put(tx, AUTO_LOCK_MINUTES, &minutes.to_string())?;
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "settings.update",
                entity: "settings",
                entity_id: AUTO_LOCK_MINUTES.into(),
                detail: json!({"from": old, "to": minutes}),
            },
        ))
    })
}
