//! Reading the audit trail for the 审计日志 screen (writes go through [`super::Session::write`]).

use serde::Serialize;

use super::{LedgerError, Session};

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

/// The latest `limit` events, newest first.
pub fn recent(s: &Session, limit: i64) -> Result<Vec<AuditRow>, LedgerError> {
    let mut stmt = s.conn().prepare(
        "SELECT e.seq, e.at, coalesce(u.login, ''), e.action, e.entity, e.entity_id, e.detail_json \
         FROM audit_events e LEFT JOIN users u ON u.id = e.user_id ORDER BY e.seq DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            login: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            detail_json: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
