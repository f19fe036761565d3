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

/// Which events to list; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Action code, e.g. `borrow.approve`.
    pub action: Option<String>,
    /// The acting user's login.
    pub login: Option<String>,
    /// Events on or after this local day.
    pub from: Option<chrono::NaiveDate>,
    /// Events on or before this local day.
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
    let from = f.from.map(local_midnight_utc);
    let to = f.to.and_then(|d| d.succ_opt()).map(local_midnight_utc);
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

/// The start of a local day as the trail writes times (RFC 3339, UTC, microseconds).
fn local_midnight_utc(day: chrono::NaiveDate) -> String {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let at = chrono::Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| midnight.and_utc());
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The action codes the trail holds, for the filter's choices.
pub fn actions(s: &Session) -> Result<Vec<String>, LedgerError> {
    let mut stmt = s
        .conn()
        .prepare_cached("SELECT DISTINCT action FROM audit_events ORDER BY action")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
