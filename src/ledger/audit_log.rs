//! Reading the audit trail for the 审计日志 screen (writes go through [`super::Session::write`]),
//! and the security auditor's seals of the chain.

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::{AuditAction, Event, LedgerError, Session};
use crate::domain::role::Role;
use crate::vault::{Passphrase, SubKey};

/// One event as listed, with the acting user's login.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub login: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail_json: String,
}

/// Which events to list; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Action code, e.g. `borrow.approve`.
    pub action: Option<String>,
    /// The acting user's login.
    pub login: Option<String>,
    /// Events on or after this office day.
    pub from: Option<chrono::NaiveDate>,
    /// Events on or before this office day.
    pub to: Option<chrono::NaiveDate>,
    /// Substring of the details or the object's id, taken literally.
    pub text: String,
}

/// The latest `limit` events, newest first.
pub fn recent(s: &Session, limit: i64) -> Result<Vec<AuditRow>, LedgerError> {
    search(s, &AuditFilter::default(), limit)
}

/// The latest `limit` events that pass `f`, newest first.
pub fn search(s: &Session, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, LedgerError> {
    let text = f.text.trim();
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // Day bounds as timestamps: `at` is RFC 3339 UTC text, so text order is time order.
    let zone = s.zone();
    let from = f.from.map(|d| day_start_text(zone, d));
    let to =
        f.to.and_then(|d| d.succ_opt())
            .map(|d| day_start_text(zone, d));
    let mut stmt = s.conn().prepare_cached(
        "SELECT e.seq, e.at, coalesce(u.login, ''), e.action, e.entity, e.entity_id, e.detail_json \
         FROM audit_events e LEFT JOIN users u ON u.id = e.user_id \
         WHERE (?1 IS NULL OR e.action = ?1) AND (?2 IS NULL OR u.login = ?2) \
           AND (?3 IS NULL OR e.at >= ?3) AND (?4 IS NULL OR e.at < ?4) \
           AND (?5 = '' OR e.detail_json LIKE ?6 ESCAPE '\\' OR e.entity_id LIKE ?6 ESCAPE '\\') \
         ORDER BY e.seq DESC LIMIT ?7",
    )?;
    let rows = stmt.query_map(
        rusqlite::params![f.action, f.login, from, to, text, pattern, limit],
        |r| {
            Ok(AuditRow {
                seq: r.get(0)?,
                at: r.get(1)?,
                login: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                detail_json: r.get(6)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The start of an office day as the trail writes times (RFC 3339, UTC, microseconds).
fn day_start_text(zone: crate::domain::OfficeZone, day: chrono::NaiveDate) -> String {
    zone.day_start(day)
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The action codes the trail holds, for the filter's choices.
pub fn actions(s: &Session) -> Result<Vec<String>, LedgerError> {
    let mut stmt = s
        .conn()
        .prepare_cached("SELECT DISTINCT action FROM audit_events ORDER BY action")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A seal of the audit chain, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seal {
    pub id: i64,
    /// The sealed head's sequence number.
    pub seq: i64,
    pub at: String,
    /// The auditor who sealed it.
    pub login: String,
    /// The code the auditor notes on paper (the MAC's first 8 bytes).
    pub code: String,
}

/// What checking a seal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SealCheck {
    /// The seal is authentic and the chain still has the sealed head.
    Intact,
    /// The seal is authentic but the event it sealed is gone or has another hash: the chain was
    /// rewritten up to there.
    ChainRewritten,
    /// The seal row does not authenticate under the auditor's key: it was altered.
    SealAltered,
    /// Made under another passphrase (the auditor's earlier one): cannot be checked with this one.
    OtherKey,
    /// Made by another auditor: only they can check it.
    OtherAuditor,
}

impl SealCheck {
    /// The finding in words.
    pub fn label_zh(self) -> &'static str {
        match self {
            SealCheck::Intact => "完好：审计链与封存时一致",
            SealCheck::ChainRewritten => "审计链已被改写：封存的事件不存在或已不同",
            SealCheck::SealAltered => "封存记录被篡改",
            SealCheck::OtherKey => "封存时使用的是另一口令，无法用当前口令核验",
            SealCheck::OtherAuditor => "由其他审计员封存，须其本人核验",
        }
    }
}

/// One seal row with what its check needs.
struct SealRow {
    seal: Seal,
    head_hash: Vec<u8>,
    salt: Vec<u8>,
    params: crate::vault::KdfParams,
    key_id: Vec<u8>,
    mac: Vec<u8>,
}

const SELECT_SEALS: &str = "SELECT id, seq, head_hash, at, login, salt, m_cost_kib, t_cost, \
     p_cost, key_id, mac FROM audit_seals";

fn seal_rows(conn: &rusqlite::Connection) -> Result<Vec<SealRow>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_SEALS} ORDER BY id DESC"))?;
    let rows = stmt.query_map([], |r| {
        let mac: Vec<u8> = r.get(10)?;
        Ok(SealRow {
            seal: Seal {
                id: r.get(0)?,
                seq: r.get(1)?,
                at: r.get(3)?,
                login: r.get(4)?,
                code: crate::audit::seal::code(&mac),
            },
            head_hash: r.get(2)?,
            salt: r.get(5)?,
            params: crate::vault::KdfParams {
                m_cost_kib: r.get(6)?,
                t_cost: r.get(7)?,
                p_cost: r.get(8)?,
            },
            key_id: r.get(9)?,
            mac,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The seals, newest first.
pub fn seals(s: &Session) -> Result<Vec<Seal>, LedgerError> {
    seals_on(s.conn())
}

/// [`seals`] on an open database without a session (for `baomi check`).
pub fn seals_on(conn: &rusqlite::Connection) -> Result<Vec<Seal>, LedgerError> {
    Ok(seal_rows(conn)?.into_iter().map(|r| r.seal).collect())
}

/// Checks the signed-in auditor's passphrase against their own key slot.
fn auditor_passphrase(s: &Session, passphrase: &Passphrase) -> Result<(), LedgerError> {
    s.require("封存审计链", &[Role::Auditor])?;
    s.vault()
        .verify_passphrase(&s.user().login, passphrase)
        .map_err(|_| LedgerError::WrongCurrentPassphrase)
}

/// The seal key: Argon2id of the passphrase with a seal's salt and parameters.
fn seal_key(
    passphrase: &Passphrase,
    salt: &[u8],
    params: crate::vault::KdfParams,
) -> Result<SubKey, LedgerError> {
    Ok(params.derive(passphrase, salt)?)
}

/// Seals the chain's current head with a key from the signed-in auditor's passphrase; the seal
/// is itself an audit event. Returns the seal (its code is for the auditor's paper notes).
pub fn seal_chain(s: &mut Session, passphrase: &Passphrase) -> Result<Seal, LedgerError> {
    auditor_passphrase(s, passphrase)?;
    let login = s.user().login.clone();
    let (seq, head_hash) = crate::audit::head(s.conn())?.ok_or_else(|| {
        LedgerError::Invalid(crate::domain::Message::new(
            "审计链为空，无可封存",
            "The audit chain is empty: nothing to seal",
        ))
    })?;
    // The auditor's earlier salt and parameters when the passphrase is the same (one key for all
    // of their seals keeps a check to one derivation); otherwise a fresh salt and the
    // parameters of the auditor's key slot.
    let previous = seal_rows(s.conn())?
        .into_iter()
        .find(|r| r.seal.login == login);
    let mut reuse = None;
    if let Some(p) = previous {
        let key = seal_key(passphrase, &p.salt, p.params)?;
        if crate::audit::seal::key_id(&key).as_slice() == p.key_id.as_slice() {
            reuse = Some((p.salt, p.params, key));
        }
    }
    let (salt, params, key) = match reuse {
        Some(r) => r,
        None => {
            let params = s
                .vault()
                .key_file()
                .slots
                .iter()
                .find(|slot| slot.owner == crate::vault::SlotOwner::User(login.clone()))
                .and_then(|slot| slot.kdf)
                .ok_or(LedgerError::UserInactive)?;
            let mut salt = vec![0u8; 16];
            getrandom::fill(&mut salt).map_err(|_| {
                LedgerError::Invalid(crate::domain::Message::new(
                    "无法取得随机数",
                    "No random numbers could be obtained",
                ))
            })?;
            let key = seal_key(passphrase, &salt, params)?;
            (salt, params, key)
        }
    };
    let vault_id = s.vault().key_file().vault_id_hex();
    s.write(|w| {
        let tx = w.tx;
        let uid = w.user.0;
        let at = w.now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let mac = crate::audit::seal::seal_mac(
            &key,
            &crate::audit::seal::Sealed {
                vault_id: &vault_id,
                seq,
                head_hash: &head_hash,
                at: &at,
                login: &login,
            },
        );
        tx.execute(
            "INSERT INTO audit_seals (seq, head_hash, at, user_id, login, salt, m_cost_kib, \
             t_cost, p_cost, key_id, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                seq,
                head_hash,
                at,
                uid,
                login,
                salt,
                params.m_cost_kib,
                params.t_cost,
                params.p_cost,
                crate::audit::seal::key_id(&key).as_slice(),
                mac.as_slice()
            ],
        )?;
        let seal = Seal {
            id: tx.last_insert_rowid(),
            seq,
            at,
            login: login.clone(),
            code: crate::audit::seal::code(&mac),
        };
        let event = Event::new(
            AuditAction::AuditSeal,
            seal.id,
            serde_json::json!({"seq": seq, "seal_code": seal.code}),
        );
        Ok((seal, event))
    })
}

/// Checks every seal against the chain with the signed-in auditor's passphrase: their own seals
/// are authenticated and compared with the chain; others' are listed as such.
pub fn check_seals(
    s: &Session,
    passphrase: &Passphrase,
) -> Result<Vec<(Seal, SealCheck)>, LedgerError> {
    auditor_passphrase(s, passphrase)?;
    check_seals_on(s.conn(), s.vault(), &s.user().login, passphrase)
}

/// [`check_seals`] on an open database without a session (for `baomi check`, which writes
/// nothing): `login` is an auditor whose passphrase the caller has already checked.
pub fn check_seals_on(
    conn: &rusqlite::Connection,
    vault: &crate::vault::Vault,
    login: &str,
    passphrase: &Passphrase,
) -> Result<Vec<(Seal, SealCheck)>, LedgerError> {
    let vault_id = vault.key_file().vault_id_hex();
    // One derivation per distinct salt and parameters.
    let mut keys: Vec<(Vec<u8>, crate::vault::KdfParams, SubKey)> = Vec::new();
    let mut out = Vec::new();
    for r in seal_rows(conn)? {
        if r.seal.login != login {
            out.push((r.seal, SealCheck::OtherAuditor));
            continue;
        }
        let known = keys
            .iter()
            .position(|(salt, params, _)| *salt == r.salt && *params == r.params);
        let i = match known {
            Some(i) => i,
            None => {
                // A damaged row may carry out-of-bounds parameters: that is an altered seal.
                let Ok(key) = seal_key(passphrase, &r.salt, r.params) else {
                    out.push((r.seal, SealCheck::SealAltered));
                    continue;
                };
                keys.push((r.salt.clone(), r.params, key));
                keys.len() - 1
            }
        };
        let key = &keys[i].2;
        let sealed = crate::audit::seal::Sealed {
            vault_id: &vault_id,
            seq: r.seal.seq,
            head_hash: &r.head_hash,
            at: &r.seal.at,
            login: &r.seal.login,
        };
        let verdict = if crate::audit::seal::key_id(key).as_slice() != r.key_id.as_slice() {
            SealCheck::OtherKey
        } else if !crate::audit::seal::mac_matches(key, &sealed, &r.mac) {
            SealCheck::SealAltered
        } else {
            let now: Option<Vec<u8>> = conn
                .query_row(
                    "SELECT hash FROM audit_events WHERE seq = ?1",
                    [r.seal.seq],
                    |row| row.get(0),
                )
                .optional()?;
            if now.as_deref() == Some(r.head_hash.as_slice()) {
                SealCheck::Intact
            } else {
                SealCheck::ChainRewritten
            }
        };
        out.push((r.seal, verdict));
    }
    Ok(out)
}
