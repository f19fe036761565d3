//! Appending events to the chain inside the caller's transaction.

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, KeyInit, Mac};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::Sha256;

use super::AuditError;
use crate::vault::SubKey;

/// `prev_hash` of the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// An event to append: what was done, to what, by whom, with details as JSON.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The acting user (`None` before any user exists, e.g. while a vault is being created).
    pub user_id: Option<i64>,
    /// Dotted action code, e.g. `user.create`, `session.unlock`.
    pub action: &'static str,
    /// The register touched, e.g. `users`.
    pub entity: &'static str,
    /// The row's id in that register.
    pub entity_id: String,
    /// Details; never a secret.
    pub detail: serde_json::Value,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail_json: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The chain's link for one event.
pub(super) fn link(key: &SubKey, prev_hash: &[u8], ev: &StoredEvent) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose()).expect("HMAC takes any key length");
    mac.update(prev_hash);
    let user = ev.user_id.map(|u| u.to_string()).unwrap_or_default();
    for field in [
        ev.seq.to_string().as_str(),
        &ev.at,
        &user,
        &ev.action,
        &ev.entity,
        &ev.entity_id,
        &ev.detail_json,
    ] {
        mac.update(&(field.len() as u32).to_be_bytes());
        mac.update(field.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

/// What an insider holding the master key can do (a test's attacker, never the app): set the
/// details of event `seq` to `detail_json` and recompute every link from there, past the
/// append-only triggers, so that the chain verifies again. Only the auditor's seals expose it.
#[cfg(any(test, feature = "test-support"))]
pub fn rewrite_consistently_for_tests(
    conn: &rusqlite::Connection,
    key: &SubKey,
    seq: i64,
    detail_json: &str,
) -> Result<(), AuditError> {
    conn.execute_batch("DROP TRIGGER IF EXISTS audit_events_no_update;")?;
    conn.execute(
        "UPDATE audit_events SET detail_json = ?1 WHERE seq = ?2",
        params![detail_json, seq],
    )?;
    let mut prev: Vec<u8> = if seq == 1 {
        GENESIS.to_vec()
    } else {
        conn.query_row(
            "SELECT hash FROM audit_events WHERE seq = ?1",
            [seq - 1],
            |r| r.get(0),
        )?
    };
    let events: Vec<StoredEvent> = {
        let mut stmt = conn.prepare(
            "SELECT seq, at, user_id, action, entity, entity_id, detail_json, prev_hash, hash              FROM audit_events WHERE seq >= ?1 ORDER BY seq",
        )?;
        stmt.query_map([seq], |r| {
            Ok(StoredEvent {
                seq: r.get(0)?,
                at: r.get(1)?,
                user_id: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                detail_json: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?
    };
    for ev in events {
        let hash = link(key, &prev, &ev).to_vec();
        conn.execute(
            "UPDATE audit_events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![prev, hash, ev.seq],
        )?;
        prev = hash;
    }
    Ok(())
}

/// Appends `ev` at time `at` inside `tx`; returns its sequence number.
pub fn append(
    tx: &Transaction<'_>,
    key: &SubKey,
    at: DateTime<Utc>,
    ev: NewEvent,
) -> Result<i64, AuditError> {
    let (prev_seq, prev_hash) = match head(tx)? {
        Some((seq, hash)) => (seq, hash),
        None => (0, GENESIS.to_vec()),
    };
    let mut stored = StoredEvent {
        seq: prev_seq + 1,
        at: at.to_rfc3339_opts(SecondsFormat::Micros, true),
        user_id: ev.user_id,
        action: ev.action.to_owned(),
        entity: ev.entity.to_owned(),
        entity_id: ev.entity_id,
        detail_json: ev.detail.to_string(),
        prev_hash,
        hash: Vec::new(),
    };
    stored.hash = link(key, &stored.prev_hash, &stored).to_vec();
    tx.execute(
        "INSERT INTO audit_events (seq, at, user_id, action, entity, entity_id, detail_json, \
         prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            stored.seq,
            stored.at,
            stored.user_id,
            stored.action,
            stored.entity,
            stored.entity_id,
            stored.detail_json,
            stored.prev_hash,
            stored.hash
        ],
    )?;
    Ok(stored.seq)
}

/// The last event's sequence number and hash, if any.
pub fn head(conn: &rusqlite::Connection) -> Result<Option<(i64, Vec<u8>)>, AuditError> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub(super) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        seq: r.get(0)?,
        at: r.get(1)?,
        user_id: r.get(2)?,
        action: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        detail_json: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

pub(super) const SELECT_EVENTS: &str = "SELECT seq, at, user_id, action, entity, entity_id, \
     detail_json, prev_hash, hash FROM audit_events";

/// The latest `limit` events, newest first (for the audit screen).
pub fn recent(conn: &rusqlite::Connection, limit: i64) -> Result<Vec<StoredEvent>, AuditError> {
    let mut stmt = conn.prepare(&format!("{SELECT_EVENTS} ORDER BY seq DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of `docs/format/audit-chain.md`.
    #[test]
    fn the_documented_test_vector() {
        let ev = StoredEvent {
            seq: 1,
            at: "2026-11-26T08:00:00.000000Z".into(),
            user_id: None,
            action: "vault.create".into(),
            entity: "users".into(),
            entity_id: "1".into(),
            detail_json: "{}".into(),
            prev_hash: GENESIS.to_vec(),
            hash: Vec::new(),
        };
        let hash = link(&SubKey::from_bytes([7; 32]), &GENESIS, &ev);
        assert_eq!(
            crate::backup::hex(&hash),
            "624c6cf9133fbb7094a7f2d22e248f5a1f36af4902eb4b6c066112d32a5e6563"
        );
    }
}
