//! Reading the audit trail for the 审计日志 screen (writes go through [`super::Session::write`]),
//! and the security auditor's seals of the chain.

use crate::domain::Permission;
use rusqlite::OptionalExtension;
use serde::Serialize;

use super::{AuditAction, Event, LedgerError, Session};
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
    s.require("查看审计日志", Permission::ReadAuditTrail)?;
    search(s, &AuditFilter::default(), limit)
}

/// The latest `limit` events that pass `f`, newest first.
pub fn search(s: &Session, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, LedgerError> {
    s.require("查看审计日志", Permission::ReadAuditTrail)?;
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
    s.require("查看审计日志", Permission::ReadAuditTrail)?;
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
    /// 2: made with the auditor's seal key; 1: made before seal keys (keyed by the passphrase).
    pub version: u8,
    /// The sealed head's sequence number.
    pub seq: i64,
    pub at: String,
    /// The auditor who sealed it, as the row says.
    pub login: String,
    /// The code the auditor notes on paper (the MAC's first 8 bytes).
    pub code: String,
}

/// What checking a seal found. Only [`SealCheck::Intact`] and [`SealCheck::OtherAuditor`] are
/// not failures ([`SealCheck::is_failure`]): there is no harmless wording for a row of one's own
/// that does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SealCheck {
    /// One's own seal, authentic, and the chain still has the sealed head.
    Intact,
    /// One's own seal, authentic, but the event it sealed is gone or has another hash: the
    /// chain was rewritten up to there.
    ChainRewritten,
    /// The row claims to be one's own (login, account or key id), or claims an auditor who does
    /// not exist, and does not authenticate under one's seal key: it was altered, whatever
    /// column was edited.
    SealAltered,
    /// One's own seal, authentic, but the seal it names as its predecessor is not among one's
    /// authentic seals (or a second series started): a seal before it was removed, altered or
    /// relabelled.
    SeriesBroken,
    /// A version 1 seal of one's own (made before seal keys) that does not authenticate under
    /// the current passphrase: made before a change of passphrase (compare the paper notes), or
    /// a version 2 seal rewritten to look old. Either way it proves nothing, and it fails: a
    /// harmless verdict here is what an insider would aim for.
    LegacyUnverifiable,
    /// Made by another security auditor (an account with that role and login): only they can
    /// check it; named and counted.
    OtherAuditor,
}

impl SealCheck {
    /// The finding in words.
    pub fn label_zh(self) -> &'static str {
        match self {
            SealCheck::Intact => "完好：审计链与封存时一致",
            SealCheck::ChainRewritten => "审计链已被改写：封存的事件不存在或已不同",
            SealCheck::SealAltered => "封存记录被篡改（无法用你的封存密钥验证）",
            SealCheck::SeriesBroken => "你此前的某次封存被删除、改动或冒名",
            SealCheck::LegacyUnverifiable => {
                "旧格式封存，无法用当前口令核验（更换口令之前所作？请与纸质记录比对；也可能被改动）"
            }
            SealCheck::OtherAuditor => "由其他审计员封存，须其本人核验",
        }
    }

    /// Whether the finding fails the check (`audit verify` and `check` exit 1).
    pub fn is_failure(self) -> bool {
        !matches!(self, SealCheck::Intact | SealCheck::OtherAuditor)
    }
}

/// What checking the seals found: each seal's finding, and whether seals of one's own are
/// missing: the auditor holds a seal key none of whose seals is left (a key is only ever made
/// with its first seal), or the verified audit trail records more seals by them than there are
/// rows naming them (rows deleted or relabelled, or the seal key removed with them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SealReport {
    pub checks: Vec<(Seal, SealCheck)>,
    pub own_seals_missing: bool,
    /// Seals the audit trail records as made by this auditor (`audit.seal` events).
    pub sealed_in_trail: usize,
    /// Seal rows that are this auditor's (authentic, or naming them).
    pub own_rows: usize,
}

impl SealReport {
    /// No finding fails.
    pub fn passed(&self) -> bool {
        !self.own_seals_missing && !self.checks.iter().any(|(_, c)| c.is_failure())
    }

    /// Why seals of one's own are missing, in words (`None`: none is).
    pub fn missing(&self) -> Option<crate::domain::Message> {
        if !self.own_seals_missing {
            return None;
        }
        Some(if self.own_rows < self.sealed_in_trail {
            crate::domain::Message::new(
                format!(
                    "审计日志记有你的 {} 次封存，封存记录中属于你的只有 {} 个：封存记录被删除或篡改（连同封存密钥一起移除也会如此）",
                    self.sealed_in_trail, self.own_rows
                ),
                format!(
                    "The audit trail records {} seals by you, the seal records hold {} of yours: seals were deleted or relabelled",
                    self.sealed_in_trail, self.own_rows
                ),
            )
        } else {
            crate::domain::Message::new(
                "你有封存密钥，却没有任何一个本人封存能用它验证：封存记录被删除或篡改（封存密钥只在第一次封存时生成）",
                "You hold a seal key but none of your seals verifies under it: they were removed or altered",
            )
        })
    }

    /// The finding for seal `id`.
    pub fn of(&self, id: i64) -> Option<SealCheck> {
        self.checks
            .iter()
            .find(|(s, _)| s.id == id)
            .map(|(_, c)| *c)
    }
}

/// One seal row with what its check needs.
struct SealRow {
    seal: Seal,
    user_id: i64,
    head_hash: Vec<u8>,
    /// Version 1: the row's Argon2id salt and parameters.
    legacy: Option<(Vec<u8>, crate::vault::KdfParams)>,
    key_id: Vec<u8>,
    prev_mac: Option<Vec<u8>>,
    mac: Vec<u8>,
}

const SELECT_SEALS: &str = "SELECT id, version, seq, head_hash, at, login, user_id, salt, \
     m_cost_kib, t_cost, p_cost, key_id, prev_mac, mac FROM audit_seals";

fn seal_rows(conn: &rusqlite::Connection) -> Result<Vec<SealRow>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT_SEALS} ORDER BY id DESC"))?;
    let rows = stmt.query_map([], |r| {
        let mac: Vec<u8> = r.get(13)?;
        let salt: Option<Vec<u8>> = r.get(7)?;
        let legacy = match salt {
            Some(salt) => Some((
                salt,
                crate::vault::KdfParams {
                    m_cost_kib: r.get(8)?,
                    t_cost: r.get(9)?,
                    p_cost: r.get(10)?,
                },
            )),
            None => None,
        };
        Ok(SealRow {
            seal: Seal {
                id: r.get(0)?,
                version: r.get(1)?,
                seq: r.get(2)?,
                at: r.get(4)?,
                login: r.get(5)?,
                code: crate::audit::seal::code(&mac),
            },
            user_id: r.get(6)?,
            head_hash: r.get(3)?,
            legacy,
            key_id: r.get(11)?,
            prev_mac: r.get(12)?,
            mac,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The seals, newest first.
pub fn seals(s: &Session) -> Result<Vec<Seal>, LedgerError> {
    s.require("查看审计日志", Permission::ReadAuditTrail)?;
    seals_on(s.conn())
}

/// How many seals the audit trail records as made by the account `user_id`.
fn seals_in_trail(conn: &rusqlite::Connection, user_id: i64) -> Result<usize, LedgerError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM audit_events WHERE action = 'audit.seal' AND user_id = ?1",
        [user_id],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// [`seals`] on an open database without a session (for `baomi check`).
pub fn seals_on(conn: &rusqlite::Connection) -> Result<Vec<Seal>, LedgerError> {
    Ok(seal_rows(conn)?.into_iter().map(|r| r.seal).collect())
}

/// The auditor's seal key, opened with their passphrase: `Ok(None)` when they have none yet
/// (the passphrase is then checked against their key slot). Argon2id work: off the UI thread.
fn own_seal_key(
    keys: &crate::vault::KeyFile,
    counter: &crate::vault::attempts::Counter,
    login: &str,
    passphrase: &Passphrase,
) -> Result<Option<SubKey>, LedgerError> {
    use crate::vault::VaultError;
    // Counted like a sign-in: a seal or a check is no way around the delay.
    let opened = counter.check(keys, login, || {
        match keys.unlock_seal_key(login, passphrase) {
            Ok(Some(key)) => Ok(Ok(Some(key))),
            Ok(None) => keys.verify_user(login, passphrase).map(|()| Ok(None)),
            Err(VaultError::WrongPassphraseOrDamaged) => {
                // The passphrase may be right and the seal key still wrapped by an earlier one
                // (a reset by the administrator or with the recovery key cannot rewrap it).
                keys.verify_user(login, passphrase).map(|()| Err(()))
            }
            Err(e) => Err(e),
        }
    });
    match opened {
        Ok(Ok(key)) => Ok(key),
        Ok(Err(())) => Err(LedgerError::Invalid(crate::domain::Message::new(
            "你的口令正确，却打不开你的封存密钥：或是你的口令曾被他人重置（封存密钥仍由以前的口令保护，请用以前的口令核验），或是密钥文件中的封存密钥被改动。两者都请报告，不要继续封存",
            "Your passphrase is right but does not open your seal key: either someone reset your passphrase (the seal key is still under the earlier one: check with that) or the seal key in the key file was altered. Report either; do not seal again",
        ))),
        Err(VaultError::WrongPassphraseOrDamaged | VaultError::NoSuchUser) => {
            Err(LedgerError::WrongCurrentPassphrase)
        }
        Err(e) => Err(e.into()),
    }
}

/// The key work of a seal, done off the UI thread: the auditor's seal key opened with their
/// passphrase, or — at their first seal — the passphrase checked and a new seal key made and
/// wrapped by it.
pub struct SealPrep {
    keys: crate::vault::KeyFile,
    counter: crate::vault::attempts::Counter,
    login: String,
    passphrase: Passphrase,
}

/// What [`SealPrep::run`] gives [`seal_with`].
pub struct SealKeyReady {
    key: SubKey,
    /// The new seal key's slot (the auditor's first seal), to be put in the key file.
    new_slot: Option<crate::vault::keyslots::Slot>,
    login: String,
}

impl SealPrep {
    /// The Argon2id work (a second or more).
    pub fn run(self) -> Result<SealKeyReady, LedgerError> {
        match own_seal_key(&self.keys, &self.counter, &self.login, &self.passphrase)? {
            Some(key) => Ok(SealKeyReady {
                key,
                new_slot: None,
                login: self.login,
            }),
            None => {
                let params = self
                    .keys
                    .user_params(&self.login)
                    .ok_or(LedgerError::UserInactive)?;
                let key = SubKey::random()?;
                let slot = self
                    .keys
                    .seal_slot(&self.login, &self.passphrase, &key, params)?;
                Ok(SealKeyReady {
                    key,
                    new_slot: Some(slot),
                    login: self.login,
                })
            }
        }
    }
}

/// Starts a seal by the signed-in security auditor: what the worker needs.
pub fn prepare_seal(s: &Session, passphrase: Passphrase) -> Result<SealPrep, LedgerError> {
    s.require("封存审计链", Permission::SealAuditTrail)?;
    Ok(SealPrep {
        keys: s.vault().key_file().clone(),
        counter: s.vault().attempts_counter(),
        login: s.user().login.clone(),
        passphrase,
    })
}

/// A check of every seal, done off the UI thread: a second connection, the key file, the
/// auditor's passphrase.
pub struct SealsCheck {
    conn: rusqlite::Connection,
    keys: crate::vault::KeyFile,
    counter: crate::vault::attempts::Counter,
    login: String,
    passphrase: Passphrase,
}

impl SealsCheck {
    /// The check (Argon2id work to open the seal key, then the rows).
    pub fn run(self) -> Result<SealReport, LedgerError> {
        check_seals_on(
            &self.conn,
            &self.keys,
            &self.counter,
            &self.login,
            &self.passphrase,
        )
    }
}

/// Starts a check of the seals by the signed-in security auditor. Refused on a session whose
/// database is held in exclusive mode (a nearly full disk): use [`check_seals`] then.
pub fn prepare_seals_check(s: &Session, passphrase: Passphrase) -> Result<SealsCheck, LedgerError> {
    s.require("核验审计链封存", Permission::SealAuditTrail)?;
    Ok(SealsCheck {
        conn: s.ledger.reader(s.vault.dir())?,
        keys: s.vault().key_file().clone(),
        counter: s.vault().attempts_counter(),
        login: s.user().login.clone(),
        passphrase,
    })
}

/// The MAC fields of a row.
fn sealed_of<'a>(r: &'a SealRow, vault_id: &'a str) -> crate::audit::seal::Sealed<'a> {
    crate::audit::seal::Sealed {
        vault_id,
        seq: r.seal.seq,
        head_hash: &r.head_hash,
        at: &r.seal.at,
        login: &r.seal.login,
        prev_mac: if r.seal.version == 2 {
            Some(r.prev_mac.as_deref().unwrap_or(&[]))
        } else {
            None
        },
    }
}

/// Seals the chain's current head with the signed-in auditor's seal key (made at their first
/// seal: random, wrapped by their passphrase in `ledger.keys`); the seal is itself an audit
/// event. Returns the seal (its code is for the auditor's paper notes). The window runs the key
/// work ([`prepare_seal`], [`SealPrep::run`]) on a worker and then [`seal_with`]; this does all
/// three in turn.
pub fn seal_chain(s: &mut Session, passphrase: &Passphrase) -> Result<Seal, LedgerError> {
    let ready = prepare_seal(s, Passphrase::new(passphrase.as_str().to_owned()))?.run()?;
    seal_with(s, ready)
}

/// Writes the seal with a key [`SealPrep::run`] made ready (no key derivation here).
pub fn seal_with(s: &mut Session, ready: SealKeyReady) -> Result<Seal, LedgerError> {
    s.require("封存审计链", Permission::SealAuditTrail)?;
    let SealKeyReady {
        key,
        new_slot,
        login,
    } = ready;
    if login != s.user().login {
        return Err(LedgerError::UserInactive);
    }
    let new_key = new_slot.is_some();
    let (seq, head_hash) = crate::audit::head(s.conn())?.ok_or_else(|| {
        LedgerError::Invalid(crate::domain::Message::new(
            "审计链为空，无可封存",
            "The audit chain is empty: nothing to seal",
        ))
    })?;
    let vault_id = s.vault().key_file().vault_id_hex();
    // The predecessor: the newest of this auditor's seals that authenticates under the key.
    let prev_mac: Vec<u8> = if new_key {
        Vec::new()
    } else {
        seal_rows(s.conn())?
            .into_iter()
            .filter(|r| r.seal.version == 2)
            .find(|r| crate::audit::seal::mac_matches(&key, &sealed_of(r, &vault_id), &r.mac))
            .map(|r| r.mac)
            .unwrap_or_default()
    };
    // A seal key is created together with its first seal: a key with no seal of its own that
    // still verifies, while the trail records seals by this auditor, means their seals were
    // removed or altered — starting a new series would hide it. (A key with no seal recorded
    // at all is what a crash between writing the key file and the commit leaves: the series
    // starts now.)
    if !new_key && prev_mac.is_empty() && seals_in_trail(s.conn(), s.user().id.0)? > 0 {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "你已有封存密钥，但找不到任何一个能用它验证的本人封存：封存记录被删除或篡改。请先运行核验（baomi audit verify）并报告，不要继续封存",
            "You have a seal key but none of your seals verifies under it: your seals were removed or altered. Run the check and report it; do not seal again",
        )));
    }
    let key_id = crate::audit::seal::key_id(&key);
    let insert = |w: &super::session::Write<'_>| -> Result<(Seal, Event), LedgerError> {
        let at = w.now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let mac = crate::audit::seal::seal_mac(
            &key,
            &crate::audit::seal::Sealed {
                vault_id: &vault_id,
                seq,
                head_hash: &head_hash,
                at: &at,
                login: &login,
                prev_mac: Some(&prev_mac),
            },
        );
        w.tx.execute(
            "INSERT INTO audit_seals (version, seq, head_hash, at, user_id, login, key_id, \
             prev_mac, mac) VALUES (2, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                seq,
                head_hash,
                at,
                w.user.0,
                login,
                key_id.as_slice(),
                prev_mac,
                mac.as_slice()
            ],
        )?;
        let seal = Seal {
            id: w.tx.last_insert_rowid(),
            version: 2,
            seq,
            at,
            login: login.clone(),
            code: crate::audit::seal::code(&mac),
        };
        let event = Event::new(
            AuditAction::AuditSeal,
            seal.id,
            serde_json::json!({"seq": seq, "seal_code": seal.code, "new_seal_key": new_key}),
        );
        Ok((seal, event))
    };
    match new_slot {
        Some(slot) => s.write_with_keys(insert, |vault, master| {
            vault.put_seal_slot_with(master, slot)
        }),
        None => s.write(insert),
    }
}

/// Checks every seal against the chain with the signed-in auditor's passphrase: their own seals
/// are authenticated and compared with the chain; others' are named as such.
pub fn check_seals(s: &Session, passphrase: &Passphrase) -> Result<SealReport, LedgerError> {
    s.require("核验审计链封存", Permission::SealAuditTrail)?;
    check_seals_on(
        s.conn(),
        s.vault().key_file(),
        &s.vault().attempts_counter(),
        &s.user().login,
        passphrase,
    )
}

/// [`check_seals`] on an open database without a session (for `baomi check`, which writes
/// nothing): `login` is a security auditor's.
///
/// Which rows are one's own is decided by the seal key first: a version 2 row that
/// authenticates under it is one's own whatever it says. A row that does not, but names one's
/// login, account or key id, is altered; a row naming a login that is not a security auditor's
/// account is altered too. Only a row naming another auditor's account is left to them.
pub fn check_seals_on(
    conn: &rusqlite::Connection,
    keys: &crate::vault::KeyFile,
    counter: &crate::vault::attempts::Counter,
    login: &str,
    passphrase: &Passphrase,
) -> Result<SealReport, LedgerError> {
    let key = own_seal_key(keys, counter, login, passphrase)?;
    let vault_id = keys.vault_id_hex();
    let my_id: Option<i64> = conn
        .query_row("SELECT id FROM users WHERE login = ?1", [login], |r| {
            r.get(0)
        })
        .optional()?;
    // Other auditors whose seals a row may name: active ones, and former ones for the seals
    // they made before they were deactivated (a row naming a former auditor after that is
    // altered, not someone else's).
    let auditors: Vec<(i64, String, Option<String>)> = {
        let mut stmt = conn.prepare(
            "SELECT u.id, u.login, CASE WHEN u.active = 1 THEN NULL ELSE \
             (SELECT COALESCE(max(e.at), '') FROM audit_events e \
              WHERE e.action = 'user.deactivate' AND e.entity_id = CAST(u.id AS TEXT)) END \
             FROM users u WHERE u.role = 'auditor'",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    // The seals the (verified) trail says this auditor made.
    let sealed_in_trail = match my_id {
        Some(id) => seals_in_trail(conn, id)?,
        None => 0,
    };
    let my_key_id = key.as_ref().map(crate::audit::seal::key_id);
    let head_still = |seq: i64, hash: &[u8]| -> Result<bool, LedgerError> {
        let now: Option<Vec<u8>> = conn
            .query_row(
                "SELECT hash FROM audit_events WHERE seq = ?1",
                [seq],
                |row| row.get(0),
            )
            .optional()?;
        Ok(now.as_deref() == Some(hash))
    };
    let rows = seal_rows(conn)?;
    // Version 1 keys: one derivation per distinct salt and parameters.
    let mut legacy_keys: Vec<(Vec<u8>, crate::vault::KdfParams, Option<SubKey>)> = Vec::new();
    let mut out: Vec<(Seal, SealCheck)> = Vec::with_capacity(rows.len());
    // MACs of one's own authentic version 2 seals, for the series check.
    let mut own_macs: Vec<Vec<u8>> = Vec::new();
    let mut own_rows = 0usize;
    for r in &rows {
        let authentic_v2 = r.seal.version == 2
            && key.as_ref().is_some_and(|k| {
                crate::audit::seal::mac_matches(k, &sealed_of(r, &vault_id), &r.mac)
            });
        let claims_me = r.seal.login == login
            || Some(r.user_id) == my_id
            || my_key_id.is_some_and(|id| id.as_slice() == r.key_id.as_slice());
        let verdict = if authentic_v2 {
            own_macs.push(r.mac.clone());
            if head_still(r.seal.seq, &r.head_hash)? {
                SealCheck::Intact
            } else {
                SealCheck::ChainRewritten
            }
        } else if claims_me {
            match (&r.legacy, r.seal.login == login) {
                (Some((salt, params)), true) => {
                    let known = legacy_keys
                        .iter()
                        .position(|(s, p, _)| s == salt && p == params);
                    let i = match known {
                        Some(i) => i,
                        None => {
                            // Out-of-bounds parameters derive nothing: such a row is altered.
                            let k = params.derive(passphrase, salt).ok();
                            legacy_keys.push((salt.clone(), *params, k));
                            legacy_keys.len() - 1
                        }
                    };
                    match &legacy_keys[i].2 {
                        Some(k)
                            if crate::audit::seal::mac_matches(
                                k,
                                &sealed_of(r, &vault_id),
                                &r.mac,
                            ) =>
                        {
                            if head_still(r.seal.seq, &r.head_hash)? {
                                SealCheck::Intact
                            } else {
                                SealCheck::ChainRewritten
                            }
                        }
                        Some(_) => SealCheck::LegacyUnverifiable,
                        None => SealCheck::SealAltered,
                    }
                }
                _ => SealCheck::SealAltered,
            }
        } else if auditors.iter().any(|(id, l, until)| {
            *l == r.seal.login
                && *id == r.user_id
                && until
                    .as_deref()
                    .is_none_or(|until| r.seal.at.as_str() < until)
        }) {
            SealCheck::OtherAuditor
        } else {
            SealCheck::SealAltered
        };
        if authentic_v2 || claims_me {
            own_rows += 1;
        }
        out.push((r.seal.clone(), verdict));
    }
    // The series: every authentic version 2 seal names an authentic predecessor, and only one
    // starts the series.
    let mut starts = 0;
    for (r, (_, verdict)) in rows.iter().zip(out.iter_mut()).rev() {
        let own_v2 = r.seal.version == 2
            && matches!(verdict, SealCheck::Intact | SealCheck::ChainRewritten)
            && own_macs.contains(&r.mac);
        if !own_v2 {
            continue;
        }
        let prev = r.prev_mac.as_deref().unwrap_or(&[]);
        let linked = if prev.is_empty() {
            starts += 1;
            starts == 1
        } else {
            own_macs.iter().any(|m| m.as_slice() == prev)
        };
        if !linked && *verdict == SealCheck::Intact {
            *verdict = SealCheck::SeriesBroken;
        }
    }
    // A seal key none of whose seals is left fails when the trail records seals by them; with
    // none recorded it is a first seal interrupted between the key file and the commit.
    let key_unused = key.is_some() && own_macs.is_empty() && sealed_in_trail > 0;
    Ok(SealReport {
        own_seals_missing: key_unused || own_rows < sealed_in_trail,
        checks: out,
        sealed_in_trail,
        own_rows,
    })
}

/// What [`export_trail`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrailExport {
    pub events: i64,
    pub seals: usize,
    /// The head exported, `seq:hex`.
    pub head: String,
}

fn hex_opt(b: Option<Vec<u8>>) -> serde_json::Value {
    match b {
        Some(b) => serde_json::Value::String(super::hex(&b)),
        None => serde_json::Value::Null,
    }
}

/// Writes the whole audit trail to `path` as one JSON document for an outside verifier: every
/// event with its chain fields (`prev_hash`, `hash`), the head, and every seal row with all its
/// columns (`docs/format/audit-chain.md` says how to check them). The security auditor only.
/// Written to a temporary name, synced and renamed (0600); audited once written.
pub fn export_trail(s: &mut Session, path: &std::path::Path) -> Result<TrailExport, LedgerError> {
    s.require("导出审计链", Permission::SealAuditTrail)?;
    s.refuse_output_in_vault(path)?;
    let vault_id = s.vault().key_file().vault_id_hex();
    let head = crate::audit::head(s.conn())?;
    let head_text = s.audit_head_hex()?;
    let by = s.user().login.clone();
    let at = s
        .clock()
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let seals: Vec<serde_json::Value> = {
        let mut stmt = s.conn().prepare(
            "SELECT id, version, seq, head_hash, at, user_id, login, salt, m_cost_kib, t_cost, \
             p_cost, key_id, prev_mac, mac FROM audit_seals ORDER BY id",
        )?;
        stmt.query_map([], |r| {
            Ok(serde_json::json!({
                "id": r.get::<_, i64>(0)?,
                "version": r.get::<_, i64>(1)?,
                "seq": r.get::<_, i64>(2)?,
                "head_hash": super::hex(&r.get::<_, Vec<u8>>(3)?),
                "at": r.get::<_, String>(4)?,
                "user_id": r.get::<_, i64>(5)?,
                "login": r.get::<_, String>(6)?,
                "salt": hex_opt(r.get(7)?),
                "m_cost_kib": r.get::<_, Option<i64>>(8)?,
                "t_cost": r.get::<_, Option<i64>>(9)?,
                "p_cost": r.get::<_, Option<i64>>(10)?,
                "key_id": super::hex(&r.get::<_, Vec<u8>>(11)?),
                "prev_mac": hex_opt(r.get(12)?),
                "mac": super::hex(&r.get::<_, Vec<u8>>(13)?),
            }))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut events = 0i64;
    let io =
        |e: std::io::Error| LedgerError::Vault(crate::vault::VaultError::io("导出审计链", path, e));
    let mut failure: Option<LedgerError> = None;
    crate::fsutil::write_atomic_with(path, |f| {
        let header = serde_json::json!({
            "format": "baomi audit trail export 1",
            "vault_id": vault_id,
            "exported_at": at,
            "exported_by": by,
            "head": head.as_ref().map(|(seq, h)| serde_json::json!({"seq": seq, "hash": super::hex(h)})),
        });
        // The header's fields, then the events streamed one by one, then the seals.
        let text = serde_json::to_string(&header).map_err(std::io::Error::other)?;
        f.write_all(&text.as_bytes()[..text.len() - 1])?;
        f.write_all(b",\"events\":[")?;
        let result = (|| -> Result<(), LedgerError> {
            let mut stmt = s.conn().prepare(
                "SELECT e.seq, e.at, e.user_id, u.login, e.action, e.entity, e.entity_id, \
                 e.detail_json, e.prev_hash, e.hash FROM audit_events e \
                 LEFT JOIN users u ON u.id = e.user_id ORDER BY e.seq",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let row = serde_json::json!({
                    "seq": r.get::<_, i64>(0)?,
                    "at": r.get::<_, String>(1)?,
                    "user_id": r.get::<_, Option<i64>>(2)?,
                    "login": r.get::<_, Option<String>>(3)?,
                    "action": r.get::<_, String>(4)?,
                    "entity": r.get::<_, String>(5)?,
                    "entity_id": r.get::<_, String>(6)?,
                    "detail_json": r.get::<_, String>(7)?,
                    "prev_hash": super::hex(&r.get::<_, Vec<u8>>(8)?),
                    "hash": super::hex(&r.get::<_, Vec<u8>>(9)?),
                });
                if events > 0 {
                    f.write_all(b",\n").map_err(io)?;
                }
                serde_json::to_writer(&mut *f, &row)
                    .map_err(|e| io(std::io::Error::other(e)))?;
                events += 1;
            }
            Ok(())
        })();
        if let Err(e) = result {
            failure = Some(e);
            return Err(std::io::Error::other("export failed"));
        }
        f.write_all(b"],\"seals\":")?;
        serde_json::to_writer(&mut *f, &seals).map_err(std::io::Error::other)?;
        f.write_all(b"}\n")
    })
    .map_err(|e| failure.take().unwrap_or_else(|| io(e)))?;
    let out = TrailExport {
        events,
        seals: seals.len(),
        head: head_text,
    };
    let detail = serde_json::json!({
        "file": path.display().to_string(), "events": events, "seals": out.seals, "head": out.head,
    });
    s.write(|_| Ok(((), Event::new(AuditAction::AuditExport, "", detail))))?;
    Ok(out)
}

/// A verification of the audit chain to run off the UI thread (the 工作台's check): a second
/// connection to the ledger, the chain's key, and where this sitting's last verification ended,
/// so that each check reads only the events added since.
pub struct ChainCheck {
    conn: rusqlite::Connection,
    key: SubKey,
    from: Option<crate::audit::Verified>,
    /// Events to verify.
    pub total: i64,
}

impl ChainCheck {
    /// Verifies; `tick` gets the events done every [`crate::audit::TICK`] and stops the work
    /// when it returns false (`Ok(None)`).
    pub fn run(
        self,
        tick: impl FnMut(i64) -> bool,
    ) -> Result<Option<crate::audit::ChainStatus>, LedgerError> {
        Ok(crate::audit::verify_from(
            &self.conn,
            &self.key,
            self.from.as_ref(),
            tick,
        )?)
    }
}

/// Prepares a check of the chain from where this sitting last verified it. Refused on a session
/// whose database is held in exclusive mode (a nearly full disk): check on the session then.
pub fn chain_check(s: &Session) -> Result<ChainCheck, LedgerError> {
    s.require("查看审计日志", Permission::ReadAuditTrail)?;
    let conn = s.ledger.reader(s.vault.dir())?;
    let head = crate::audit::head(&conn)?.map_or(0, |(seq, _)| seq);
    let from = s.verified.clone();
    Ok(ChainCheck {
        conn,
        key: s.ledger.audit_key_copy(),
        total: head - from.as_ref().map_or(0, |v| v.seq),
        from,
    })
}

/// Keeps what a check found intact as the point the next check starts from.
pub fn chain_checked(s: &mut Session, status: &crate::audit::ChainStatus) {
    if let crate::audit::ChainStatus::Intact { events, head } = status
        && *events > 0
    {
        s.verified = Some(crate::audit::Verified {
            seq: *events,
            hash: *head,
        });
    }
}
