//! Holds (冻结): a document or one copy kept as it is — for an inspection, an incident, a dispute —
//! until the hold is lifted. While a hold is open the copy is not handed out (borrowing), not
//! sent (outgoing), not put on or destroyed by a destruction list. Placing and lifting are
//! audited; a hold is lifted once, with a reason, and never removed.

use crate::domain::Permission;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::documents::{CopyId, DocumentId};
use super::{AuditAction, Event, LedgerError, Session};
use crate::domain::Message;

/// A hold's id (`hold-N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct HoldId(pub i64);

/// What a hold is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HoldTarget {
    /// The document and every copy of it.
    Document(DocumentId),
    /// One copy.
    Copy(CopyId),
}

/// A hold as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hold {
    pub id: HoldId,
    pub target: HoldTarget,
    /// The document's title and, for a copy, its 份号, to name it.
    pub document: DocumentId,
    pub title: String,
    pub copy_no: Option<u32>,
    pub reason: String,
    pub placed_at: String,
    pub placed_by: String,
    pub lifted_at: Option<String>,
    pub lifted_by: Option<String>,
    pub lift_reason: String,
}

impl Hold {
    /// What it holds, in words: `《标题》第2份` or `《标题》（全部份号）`.
    pub fn what(&self) -> String {
        match self.copy_no {
            Some(n) => format!("《{}》第{n}份", self.title),
            None => format!("《{}》（全部份号）", self.title),
        }
    }
}

/// The open hold on `copy` or its document, if any: its id and reason (read inside a write's
/// transaction by every flow that hands out, sends or destroys).
pub(crate) fn open_for_copy(
    conn: &rusqlite::Connection,
    copy: CopyId,
) -> Result<Option<(HoldId, String)>, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT h.id, h.reason FROM holds h WHERE h.lifted_at IS NULL AND (h.copy_id = ?1 \
             OR h.document_id = (SELECT document_id FROM copies WHERE id = ?1)) \
             ORDER BY h.id LIMIT 1",
        )?
        .query_row([copy.0], |r| Ok((HoldId(r.get(0)?), r.get(1)?)))
        .optional()?)
}

/// Refuses `what` (借出, 分发…) for a copy under an open hold.
pub(crate) fn refuse_if_held(
    conn: &rusqlite::Connection,
    copy: CopyId,
    copy_no: u32,
    what_zh: &str,
    what_en: &str,
) -> Result<(), LedgerError> {
    if let Some((id, reason)) = open_for_copy(conn, copy)? {
        return Err(LedgerError::Invalid(Message::new(
            format!(
                "第{copy_no}份已被冻结（hold-{}：{reason}），解除冻结前不能{what_zh}",
                id.0
            ),
            format!(
                "Copy {copy_no} is on hold (hold-{}: {reason}): it cannot be {what_en} until the hold is lifted",
                id.0
            ),
        )));
    }
    Ok(())
}

/// Places a hold. Custodian or head; the reason is required. A second open hold on the same
/// thing is refused (lift the first, or keep it).
pub fn place(s: &mut Session, target: HoldTarget, reason: &str) -> Result<HoldId, LedgerError> {
    s.require("冻结", Permission::Holds)?;
    if reason.trim().is_empty() {
        return Err(LedgerError::Invalid(Message::new(
            "请写明冻结的原因",
            "Write the reason for the hold",
        )));
    }
    s.write(|w| {
        let (document, copy) = match target {
            HoldTarget::Document(d) => (Some(d.0), None),
            HoldTarget::Copy(c) => (None, Some(c.0)),
        };
        let (title, copy_no): (String, Option<u32>) = match target {
            HoldTarget::Document(d) => {
                w.tx.query_row("SELECT title FROM documents WHERE id = ?1", [d.0], |r| {
                    Ok((r.get(0)?, None))
                })
                .optional()?
            }
            HoldTarget::Copy(c) => {
                w.tx.query_row(
                    "SELECT d.title, c.copy_no FROM copies c JOIN documents d \
                     ON d.id = c.document_id WHERE c.id = ?1",
                    [c.0],
                    |r| Ok((r.get(0)?, Some(r.get(1)?))),
                )
                .optional()?
            }
        }
        .ok_or_else(|| {
            LedgerError::Invalid(Message::new(
                "台账中没有这份文件或份号",
                "No such document or copy in the ledger",
            ))
        })?;
        let already: bool = w.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM holds WHERE lifted_at IS NULL \
             AND document_id IS ?1 AND copy_id IS ?2)",
            params![document, copy],
            |r| r.get(0),
        )?;
        if already {
            return Err(LedgerError::Invalid(Message::new(
                "已有一项未解除的冻结",
                "It is on hold already",
            )));
        }
        w.tx.execute(
            "INSERT INTO holds (document_id, copy_id, reason, placed_at, placed_by) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![document, copy, reason.trim(), w.at(), w.user.0],
        )?;
        let id = HoldId(w.tx.last_insert_rowid());
        Ok((
            id,
            Event::new(
                AuditAction::HoldPlace,
                id.0,
                json!({"document_id": document, "copy_id": copy, "title": title,
                       "copy_no": copy_no, "reason": reason.trim()}),
            ),
        ))
    })
}

/// Lifts an open hold, with a reason. Custodian or head.
pub fn lift(s: &mut Session, id: HoldId, reason: &str) -> Result<(), LedgerError> {
    s.require("解除冻结", Permission::Holds)?;
    if reason.trim().is_empty() {
        return Err(LedgerError::Invalid(Message::new(
            "请写明解除冻结的原因",
            "Write why the hold is lifted",
        )));
    }
    let hold = get(s, id)?;
    s.write(|w| {
        let n = w.tx.execute(
            "UPDATE holds SET lifted_at = ?2, lifted_by = ?3, lift_reason = ?4 \
             WHERE id = ?1 AND lifted_at IS NULL",
            params![id.0, w.at(), w.user.0, reason.trim()],
        )?;
        if n != 1 {
            return Err(LedgerError::Invalid(Message::new(
                "该冻结已解除",
                "This hold was lifted already",
            )));
        }
        Ok((
            (),
            Event::new(
                AuditAction::HoldLift,
                id.0,
                json!({"document_id": hold.document.0, "title": hold.title,
                       "copy_no": hold.copy_no, "reason": reason.trim()}),
            ),
        ))
    })
}

const SELECT: &str = "SELECT h.id, h.document_id, h.copy_id, coalesce(h.document_id, c.document_id), \
     d.title, c.copy_no, h.reason, h.placed_at, pu.login, h.lifted_at, lu.login, h.lift_reason \
     FROM holds h LEFT JOIN copies c ON c.id = h.copy_id \
     JOIN documents d ON d.id = coalesce(h.document_id, c.document_id) \
     JOIN users pu ON pu.id = h.placed_by LEFT JOIN users lu ON lu.id = h.lifted_by";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Hold> {
    let target = match (r.get::<_, Option<i64>>(1)?, r.get::<_, Option<i64>>(2)?) {
        (Some(d), _) => HoldTarget::Document(DocumentId(d)),
        (None, Some(c)) => HoldTarget::Copy(CopyId(c)),
        (None, None) => HoldTarget::Document(DocumentId(r.get(3)?)),
    };
    Ok(Hold {
        id: HoldId(r.get(0)?),
        target,
        document: DocumentId(r.get(3)?),
        title: r.get(4)?,
        copy_no: r.get(5)?,
        reason: r.get(6)?,
        placed_at: r.get(7)?,
        placed_by: r.get(8)?,
        lifted_at: r.get(9)?,
        lifted_by: r.get(10)?,
        lift_reason: r.get(11)?,
    })
}

/// One hold.
pub fn get(s: &Session, id: HoldId) -> Result<Hold, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    s.conn()
        .query_row(&format!("{SELECT} WHERE h.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| LedgerError::Invalid(Message::from(format!("没有 hold-{} 这项冻结", id.0))))
}

/// Holds, newest first; `open_only` leaves out the lifted ones.
pub fn list(s: &Session, open_only: bool) -> Result<Vec<Hold>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(&format!(
        "{SELECT} WHERE (?1 = 0 OR h.lifted_at IS NULL) ORDER BY h.id DESC"
    ))?;
    let rows = stmt.query_map([open_only], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The open holds on a document or any of its copies (the document's detail view).
pub fn open_for_document(s: &Session, document: DocumentId) -> Result<Vec<Hold>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(&format!(
        "{SELECT} WHERE h.lifted_at IS NULL AND coalesce(h.document_id, c.document_id) = ?1 \
         ORDER BY h.id"
    ))?;
    let rows = stmt.query_map([document.0], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
