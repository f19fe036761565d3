//! Unit-wide settings (`settings` table): unit name, auto-lock minutes, …

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

use super::{AuditAction, Event, LedgerError, Session};
use crate::domain::{Duties, OfficeZone, Permission};

/// The unit's name (shown in the top bar and on forms).
pub const UNIT_NAME: &str = "unit_name";
/// The vault id (same as in the key file).
pub const VAULT_ID: &str = "vault_id";
/// When the vault was created (RFC 3339).
pub const CREATED_AT: &str = "created_at";
/// Minutes of inactivity before the app locks itself.
pub const AUTO_LOCK_MINUTES: &str = "auto_lock_minutes";

/// The office's UTC offset, e.g. `+08:00` ([`OfficeZone`]).
pub const OFFICE_ZONE: &str = "office_zone";
/// Present (`1`) in a vault made with `init --demo`: only such a vault takes synthetic data.
pub const DEMO_VAULT: &str = "demo_vault";
/// The generation of `ledger.attempts` the database saw last (a file deleted or put back to
/// an older copy is then noticed).
pub const ATTEMPTS_GENERATION: &str = "attempts_generation";
/// Days a passphrase may be used before its owner must change it at sign-in (R3.3.1); `0`: no
/// limit.
pub const PASSPHRASE_MAX_DAYS: &str = "passphrase_max_days";
/// Default for [`PASSPHRASE_MAX_DAYS`]: one quarter.
pub const DEFAULT_PASSPHRASE_MAX_DAYS: u32 = 90;

/// `1`: the custodian also holds the administrator's duties (a small office); `0`: an
/// administrator account does. Unset: `1` (a new vault's only account is its custodian).
pub const CUSTODIAN_ADMINISTERS: &str = "custodian_administers";

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

pub(crate) fn get(conn: &Connection, key: &str) -> Result<Option<String>, LedgerError> {
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

/// Sets the auto-lock delay (1 to 60 minutes). System settings ([`Permission::SystemSettings`]);
/// audited.
pub fn set_auto_lock_minutes(s: &mut Session, minutes: u32) -> Result<(), LedgerError> {
    s.require("修改自动锁定时间", Permission::SystemSettings)?;
    if !(1..=60).contains(&minutes) {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "自动锁定时间须在 1 到 60 分钟之间",
            "Auto-lock is 1 to 60 minutes",
        )));
    }
    let old = auto_lock_minutes(s)?;
    s.write(|w| {
        put(w.tx, AUTO_LOCK_MINUTES, &minutes.to_string())?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                AUTO_LOCK_MINUTES,
                json!({"from": old, "to": minutes}),
            ),
        ))
    })
}

/// The office's time zone as stored (a vault made before the setting existed is in Beijing
/// time). A stored value that does not parse is reported, never replaced by a guess.
pub(crate) fn office_zone_of(conn: &Connection) -> Result<OfficeZone, LedgerError> {
    match get(conn, OFFICE_ZONE)? {
        None => Ok(OfficeZone::default()),
        Some(text) => OfficeZone::parse(&text).map_err(|_| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "办公时区设置“{text}”无法读取"
            )))
        }),
    }
}

/// Sets the office's time zone. System settings; audited with old and new. Dates
/// already stored keep their text; the session uses the new zone at once.
pub fn set_office_zone(s: &mut Session, zone: OfficeZone) -> Result<(), LedgerError> {
    s.require("修改办公时区", Permission::SystemSettings)?;
    let old = office_zone_of(s.conn())?;
    if old == zone {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "办公时区没有变化",
            "The office time zone is unchanged",
        )));
    }
    s.write(|w| {
        put(w.tx, OFFICE_ZONE, &zone.code())?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                OFFICE_ZONE,
                json!({"from": old.code(), "to": zone.code()}),
            ),
        ))
    })?;
    s.set_zone(zone);
    Ok(())
}

/// Whether the vault was made as a demo vault (`init --demo`).
pub fn is_demo(s: &Session) -> Result<bool, LedgerError> {
    Ok(get(s.conn(), DEMO_VAULT)?.as_deref() == Some("1"))
}

/// A setting counted in days, or `default` when unset.
pub(crate) fn days(s: &Session, key: &str, default: u32) -> Result<u32, LedgerError> {
    Ok(get(s.conn(), key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(default))
}

/// Sets a setting counted in days within `range`; `what` names it in both languages. Audited
/// with the old and new values.
pub(crate) fn set_days(
    s: &mut Session,
    key: &'static str,
    days_new: u32,
    range: std::ops::RangeInclusive<u32>,
    what: (&'static str, &'static str),
    default: u32,
) -> Result<(), LedgerError> {
    s.require(what.0, Permission::LedgerSettings)?;
    if !range.contains(&days_new) {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("{}须在 {} 到 {} 天之间", what.0, range.start(), range.end()),
            format!(
                "{} must be {} to {} days",
                what.1,
                range.start(),
                range.end()
            ),
        )));
    }
    let old = days(s, key, default)?;
    s.write(|w| {
        put(w.tx, key, &days_new.to_string())?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                key,
                json!({ "key": key, "old": old, "new": days_new }),
            ),
        ))
    })
}

/// How the office divides the duties, as stored.
pub(crate) fn duties_of(conn: &Connection) -> Result<Duties, LedgerError> {
    Ok(match get(conn, CUSTODIAN_ADMINISTERS)?.as_deref() {
        Some("0") => Duties {
            custodian_administers: false,
        },
        _ => Duties::default(),
    })
}

/// Gives the administrator's duties to the custodian as well (a small office), or leaves them to
/// the administrator alone. Refused while no active administrator account exists (nobody could
/// then open an account or change a setting). Never touches the auditor's duties. Audited.
pub fn set_custodian_administers(s: &mut Session, on: bool) -> Result<(), LedgerError> {
    s.require("修改三员设置", Permission::SystemSettings)?;
    let old = s.duties();
    if old.custodian_administers == on {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "三员设置没有变化",
            "The division of duties is unchanged",
        )));
    }
    if !on {
        let admins: i64 = s.conn().query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 \
             AND must_change_passphrase = 0",
            [],
            |r| r.get(0),
        )?;
        if admins == 0 {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "还没有可用的系统管理员账户（已启用且已修改初始口令）：请先开通系统管理员账户，再把管理职责从保密员移交",
                "There is no usable administrator account yet (active, one-time passphrase changed): open one before taking the duties from the custodian",
            )));
        }
    }
    s.write(|w| {
        put(w.tx, CUSTODIAN_ADMINISTERS, if on { "1" } else { "0" })?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                CUSTODIAN_ADMINISTERS,
                json!({"from": old.custodian_administers, "to": on}),
            ),
        ))
    })?;
    s.set_duties(Duties {
        custodian_administers: on,
    });
    Ok(())
}

/// Days a passphrase may be used ([`PASSPHRASE_MAX_DAYS`]).
pub(crate) fn passphrase_max_days_of(conn: &Connection) -> Result<u32, LedgerError> {
    Ok(get(conn, PASSPHRASE_MAX_DAYS)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_PASSPHRASE_MAX_DAYS))
}

/// Days a passphrase may be used before its owner must change it.
pub fn passphrase_max_days(s: &Session) -> Result<u32, LedgerError> {
    passphrase_max_days_of(s.conn())
}

/// Sets how long a passphrase may be used: 30 to 365 days, or 0 for no limit (not advised).
/// System settings; audited.
pub fn set_passphrase_max_days(s: &mut Session, days: u32) -> Result<(), LedgerError> {
    s.require("修改口令有效期", Permission::SystemSettings)?;
    if days != 0 && !(30..=365).contains(&days) {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "口令有效期须在 30 到 365 天之间（0 表示不限，不建议）",
            "A passphrase lasts 30 to 365 days (0: no limit, not advised)",
        )));
    }
    let old = passphrase_max_days(s)?;
    s.write(|w| {
        put(w.tx, PASSPHRASE_MAX_DAYS, &days.to_string())?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                PASSPHRASE_MAX_DAYS,
                json!({"from": old, "to": days}),
            ),
        ))
    })
}
