//! The document ledger (台账): incoming registration (收文登记, R3.1.1) with receipt numbers
//! that have no gaps and no duplicates, numbered copies (份号), and the custody of every copy.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::cabinets::{self, CabinetId};
use super::people::PersonId;
use super::{LedgerError, Session, code_col, opt_code_col};
use crate::audit::NewEvent;
use crate::domain::Role;
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::numbering::{DEFAULT_RECEIPT_PATTERN, format_number};

/// A document's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DocumentId(pub i64);

/// A copy's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CopyId(pub i64);

/// Most copies one registration may create.
pub const MAX_COPIES: u32 = 999;

/// The 收文登记 form.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingInput {
    /// 收文日期.
    pub received_on: NaiveDate,
    /// 签收人 (R3.1.1: a designated person signs for it).
    pub signed_for_by: PersonId,
    /// 来文单位.
    pub issuing_unit: String,
    /// The original 文号.
    pub doc_no: String,
    /// 标题.
    pub title: String,
    /// R2.1 category.
    pub category: Category,
    /// R2.2 level.
    pub level: Level,
    /// Secrecy period.
    pub period: SecrecyPeriod,
    /// 成文日期.
    pub dated: NaiveDate,
    /// 页数.
    pub pages: u32,
    /// 附件数.
    pub attachments: u32,
    /// The copy numbers (份号) received, e.g. 1, 2, 3 or 5, 6.
    pub copy_numbers: Vec<u32>,
    /// Where the copies go (R3.1.1 stored by level).
    pub cabinet: CabinetId,
    /// 知悉范围.
    pub readers: String,
    /// 备注.
    pub remarks: String,
}

/// A registered document as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub id: DocumentId,
    pub receipt_no: Option<String>,
    pub doc_no: String,
    pub title: String,
    pub issuing_unit: String,
    pub level: Level,
    /// The marking text, e.g. `机密★10年`.
    pub marking: String,
    pub dated: String,
    pub pages: u32,
    pub voided: bool,
}

/// A copy and where it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Copy {
    pub id: CopyId,
    pub document: DocumentId,
    /// 份号.
    pub copy_no: u32,
    pub state: CopyState,
    pub cabinet: Option<CabinetId>,
    pub holder: Option<PersonId>,
    pub place: String,
}

/// One step of a copy's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyEvent {
    pub at: String,
    pub from: Option<CopyState>,
    pub to: CopyState,
    pub cabinet: Option<CabinetId>,
    pub holder: Option<PersonId>,
    pub place: String,
    pub note: String,
}

/// Takes the next number of the sequence `name` for `year` inside `tx`. Committed with the row
/// that uses it, or rolled back with it: no gaps, no duplicates, also after a crash.
pub(crate) fn next_seq(tx: &Transaction<'_>, name: &str, year: i32) -> Result<u32, LedgerError> {
    Ok(tx.query_row(
        "INSERT INTO sequences (name, year, last) VALUES (?1, ?2, 1) \
         ON CONFLICT (name, year) DO UPDATE SET last = last + 1 RETURNING last",
        params![name, year],
        |r| r.get(0),
    )?)
}

fn validate(input: &IncomingInput, today: NaiveDate) -> Result<(), LedgerError> {
    let bad = |m: &str| Err(LedgerError::Invalid(m.to_owned()));
    if input.title.trim().is_empty() {
        return bad("请填写文件标题");
    }
    if input.title.trim().chars().count() > 200 {
        return bad("标题不能超过 200 个字");
    }
    if input.pages == 0 {
        return bad("页数须大于零");
    }
    if input.received_on > today {
        return bad("收文日期不能晚于今天");
    }
    if input.dated > input.received_on {
        return bad("成文日期不能晚于收文日期");
    }
    if input.copy_numbers.is_empty() {
        return bad("请填写份号（至少一份）");
    }
    if input.copy_numbers.len() > MAX_COPIES as usize {
        return bad("一次登记不能超过 999 份");
    }
    let mut sorted = input.copy_numbers.clone();
    sorted.sort_unstable();
    if sorted[0] == 0 {
        return bad("份号从 1 开始");
    }
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return bad("份号不能重复");
    }
    input
        .period
        .validate(input.level, input.dated)
        .map_err(|e| LedgerError::Invalid(e.to_string()))
}

/// One custody change of a copy, as written to `copy_events`.
struct CustodyChange<'a> {
    from: Option<CopyState>,
    to: CopyState,
    cabinet: Option<CabinetId>,
    note: &'a str,
}

fn insert_copy_event(
    tx: &Transaction<'_>,
    copy: CopyId,
    at: DateTime<Utc>,
    user: i64,
    change: &CustodyChange<'_>,
) -> Result<(), LedgerError> {
    tx.execute(
        "INSERT INTO copy_events (copy_id, at, user_id, from_state, to_state, cabinet_id, note) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            copy.0,
            at.to_rfc3339(),
            user,
            change.from.map(|s| s.code()),
            change.to.code(),
            change.cabinet.map(|c| c.0),
            change.note
        ],
    )?;
    Ok(())
}

/// Checks what can be checked before the transaction: role, cabinet fit for the level.
fn precheck(s: &Session, input: &IncomingInput) -> Result<(), LedgerError> {
    let cabinet = cabinets::get(s, input.cabinet)?;
    if cabinet.retired {
        return Err(LedgerError::Invalid("该专柜已停用".into()));
    }
    cabinet
        .rules()
        .may_hold(input.level)
        .map_err(|e| LedgerError::Invalid(e.to_string()))
}

/// Writes one registration inside `tx`: number, document, copies, custody rows; returns the
/// document and its audit event.
fn insert_incoming(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    uid: i64,
    unit: &str,
    input: &IncomingInput,
) -> Result<(DocumentId, NewEvent), LedgerError> {
    validate(input, now.date_naive())?;
    let year = input.received_on.year();
    let seq = next_seq(tx, "receipt", year)?;
    let receipt_no = format_number(DEFAULT_RECEIPT_PATTERN, unit, year, seq);
    let (kind, value) = input.period.to_parts();
    tx.prepare_cached(
        "INSERT INTO documents (direction, receipt_no, doc_no, title, issuing_unit, category, level, \
         period_kind, period_value, dated, received_on, signed_for_by, pages, attachments, readers, \
         remarks, created_at) VALUES ('incoming', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
         ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        receipt_no,
        input.doc_no.trim(),
        input.title.trim(),
        input.issuing_unit.trim(),
        input.category.code(),
        input.level.code(),
        kind,
        value,
        input.dated.to_string(),
        input.received_on.to_string(),
        input.signed_for_by.0,
        input.pages,
        input.attachments,
        input.readers.trim(),
        input.remarks.trim(),
        now.to_rfc3339()
    ])?;
    let doc = DocumentId(tx.last_insert_rowid());
    let mut numbers = input.copy_numbers.clone();
    numbers.sort_unstable();
    for n in &numbers {
        tx.prepare_cached(
            "INSERT INTO copies (document_id, copy_no, state, cabinet_id) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            doc.0,
            n,
            CopyState::InCabinet.code(),
            input.cabinet.0
        ])?;
        let copy = CopyId(tx.last_insert_rowid());
        insert_copy_event(
            tx,
            copy,
            now,
            uid,
            &CustodyChange {
                from: None,
                to: CopyState::InCabinet,
                cabinet: Some(input.cabinet),
                note: "收文登记入柜",
            },
        )?;
    }
    let event = NewEvent {
        user_id: Some(uid),
        action: "document.register",
        entity: "documents",
        entity_id: doc.0.to_string(),
        detail: json!({
            "receipt_no": receipt_no, "doc_no": input.doc_no.trim(), "title": input.title.trim(),
            "level": input.level.code(), "marking": marking(input.level, &input.period),
            "copies": numbers, "cabinet_id": input.cabinet.0,
        }),
    };
    Ok((doc, event))
}

/// 收文登记 (R3.1.1): registers an incoming document and its copies into a cabinet fit for the
/// level, under the next receipt number of the year. Custodian only; one transaction, audited.
pub fn register_incoming(
    s: &mut Session,
    input: &IncomingInput,
) -> Result<DocumentId, LedgerError> {
    s.require("收文登记", &[Role::Custodian])?;
    precheck(s, input)?;
    let uid = s.user().id.0;
    let unit = super::settings::unit_name(s)?;
    s.write(|tx, now| insert_incoming(tx, now, uid, &unit, input))
}

/// Registers several documents in one transaction (each with its own audit event): all or none.
pub fn register_incoming_batch(
    s: &mut Session,
    inputs: &[IncomingInput],
) -> Result<Vec<DocumentId>, LedgerError> {
    s.require("收文登记", &[Role::Custodian])?;
    // Each (cabinet, level) pair is checked once, not once per document.
    let mut checked = std::collections::HashSet::new();
    for input in inputs {
        if checked.insert((input.cabinet, input.level)) {
            precheck(s, input)?;
        }
    }
    let uid = s.user().id.0;
    let unit = super::settings::unit_name(s)?;
    s.write_many(|tx, now| {
        let mut ids = Vec::with_capacity(inputs.len());
        let mut events = Vec::with_capacity(inputs.len());
        for input in inputs {
            let (id, ev) = insert_incoming(tx, now, uid, &unit, input)?;
            ids.push(id);
            events.push(ev);
        }
        Ok((ids, events))
    })
}

/// Where a copy goes in a custody change.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyMove {
    /// The new state (checked against the copy state machine, R3.1.1).
    pub to: CopyState,
    /// The cabinet, when the copy goes (back) into one.
    pub cabinet: Option<CabinetId>,
    /// Who holds it, when it leaves the cabinet.
    pub holder: Option<PersonId>,
    /// Where it is (meeting room, recipient unit…).
    pub place: String,
    /// Why.
    pub note: String,
}

/// R3.1.1: moves a copy to a new state, place and holder — only along a legal transition, into
/// a cabinet fit for the level, with a holder whenever it leaves the cabinet. One transaction:
/// the copy row, its history row and the audit event.
pub fn move_copy(s: &mut Session, copy: CopyId, mv: &CopyMove) -> Result<(), LedgerError> {
    s.require("变更份号去向", &[Role::Custodian])?;
    let (from, level) = s
        .conn()
        .query_row(
            "SELECT c.state, d.level FROM copies c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
            [copy.0],
            |r| Ok((code_col(r, 0, CopyState::from_code)?, code_col(r, 1, Level::from_code)?)),
        )
        .optional()?
        .ok_or_else(|| LedgerError::Invalid(format!("没有编号 {} 的份号", copy.0)))?;
    from.transition(mv.to)
        .map_err(|e| LedgerError::Invalid(e.to_string()))?;
    let cabinet = match (mv.to, mv.cabinet) {
        (CopyState::InCabinet, None) => return Err(LedgerError::Invalid("入柜须选择专柜".into())),
        (CopyState::InCabinet, Some(c)) => {
            cabinets::get(s, c)?
                .rules()
                .may_hold(level)
                .map_err(|e| LedgerError::Invalid(e.to_string()))?;
            Some(c)
        }
        (_, _) => None,
    };
    let leaves_custody = matches!(
        mv.to,
        CopyState::Borrowed | CopyState::InMeeting | CopyState::SentOut
    );
    if leaves_custody && mv.holder.is_none() && mv.place.trim().is_empty() {
        return Err(LedgerError::Invalid("份号离柜须写明持有人或去向".into()));
    }
    let holder = if cabinet.is_some() { None } else { mv.holder };
    let uid = s.user().id.0;
    s.write(|tx, now| {
        tx.execute(
            "UPDATE copies SET state = ?2, cabinet_id = ?3, holder_person_id = ?4, place = ?5 WHERE id = ?1",
            params![copy.0, mv.to.code(), cabinet.map(|c| c.0), holder.map(|p| p.0), mv.place.trim()],
        )?;
        tx.execute(
            "INSERT INTO copy_events (copy_id, at, user_id, from_state, to_state, cabinet_id, holder_person_id, \
             place, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                copy.0,
                now.to_rfc3339(),
                uid,
                from.code(),
                mv.to.code(),
                cabinet.map(|c| c.0),
                holder.map(|p| p.0),
                mv.place.trim(),
                mv.note.trim()
            ],
        )?;
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "copy.move",
                entity: "copies",
                entity_id: copy.0.to_string(),
                detail: json!({
                    "from": from.code(), "to": mv.to.code(), "cabinet_id": cabinet.map(|c| c.0),
                    "holder_person_id": holder.map(|p| p.0), "place": mv.place.trim(), "note": mv.note.trim(),
                }),
            },
        ))
    })
}

/// Voids a wrong entry with a reason; it stays visible, marked void, with its history.
pub fn void(s: &mut Session, id: DocumentId, reason: &str) -> Result<(), LedgerError> {
    s.require("作废登记", &[Role::Custodian])?;
    if reason.trim().is_empty() {
        return Err(LedgerError::Invalid("请填写作废原因".into()));
    }
    let uid = s.user().id.0;
    s.write(|tx, now| {
        let changed = tx.execute(
            "UPDATE documents SET voided_at = ?2, void_reason = ?3 WHERE id = ?1 AND voided_at IS NULL",
            params![id.0, now.to_rfc3339(), reason.trim()],
        )?;
        if changed == 0 {
            return Err(LedgerError::Invalid("该登记不存在或已作废".into()));
        }
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "document.void",
                entity: "documents",
                entity_id: id.0.to_string(),
                detail: json!({ "reason": reason.trim() }),
            },
        ))
    })
}

const SELECT_DOC: &str = "SELECT id, receipt_no, doc_no, title, issuing_unit, level, period_kind, period_value, \
                          dated, pages, voided_at IS NOT NULL FROM documents";

fn doc_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Document> {
    let level = code_col(r, 5, Level::from_code)?;
    let value: String = r.get(7)?;
    let period = code_col(r, 6, |kind| SecrecyPeriod::from_parts(kind, &value))?;
    Ok(Document {
        id: DocumentId(r.get(0)?),
        receipt_no: r.get(1)?,
        doc_no: r.get(2)?,
        title: r.get(3)?,
        issuing_unit: r.get(4)?,
        level,
        marking: marking(level, &period),
        dated: r.get(8)?,
        pages: r.get(9)?,
        voided: r.get(10)?,
    })
}

/// One document.
pub fn get(s: &Session, id: DocumentId) -> Result<Document, LedgerError> {
    s.conn()
        .query_row(&format!("{SELECT_DOC} WHERE id = ?1"), [id.0], doc_from_row)
        .optional()?
        .ok_or_else(|| LedgerError::Invalid(format!("台账中没有编号 {} 的文件", id.0)))
}

/// Every document, newest first.
pub fn list(s: &Session) -> Result<Vec<Document>, LedgerError> {
    let mut stmt = s
        .conn()
        .prepare(&format!("{SELECT_DOC} ORDER BY id DESC"))?;
    let rows = stmt.query_map([], doc_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Documents whose title, 文号, receipt number, issuing unit or remarks contain `text`
/// (substring, any length), newest first. An empty query lists everything.
/// (The FTS5 trigram index and ranking come with the search part of the ledger issue.)
pub fn search(s: &Session, text: &str, limit: i64) -> Result<Vec<Document>, LedgerError> {
    let text = text.trim();
    if text.is_empty() {
        let mut stmt = s
            .conn()
            .prepare(&format!("{SELECT_DOC} ORDER BY id DESC LIMIT ?1"))?;
        let rows = stmt.query_map([limit], doc_from_row)?;
        return Ok(rows.collect::<Result<Vec<_>, _>>()?);
    }
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let mut stmt = s.conn().prepare(&format!(
        "{SELECT_DOC} WHERE title LIKE ?1 ESCAPE '\\' OR doc_no LIKE ?1 ESCAPE '\\' \
         OR coalesce(receipt_no, '') LIKE ?1 ESCAPE '\\' OR issuing_unit LIKE ?1 ESCAPE '\\' \
         OR remarks LIKE ?1 ESCAPE '\\' ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![pattern, limit], doc_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The copies of a document, by 份号.
pub fn copies(s: &Session, id: DocumentId) -> Result<Vec<Copy>, LedgerError> {
    let mut stmt = s.conn().prepare(
        "SELECT id, document_id, copy_no, state, cabinet_id, holder_person_id, place FROM copies \
         WHERE document_id = ?1 ORDER BY copy_no",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(Copy {
            id: CopyId(r.get(0)?),
            document: DocumentId(r.get(1)?),
            copy_no: r.get(2)?,
            state: code_col(r, 3, CopyState::from_code)?,
            cabinet: r.get::<_, Option<i64>>(4)?.map(CabinetId),
            holder: r.get::<_, Option<i64>>(5)?.map(PersonId),
            place: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A copy's full history, oldest first ("where has copy 3 been?").
pub fn copy_history(s: &Session, id: CopyId) -> Result<Vec<CopyEvent>, LedgerError> {
    let mut stmt = s.conn().prepare(
        "SELECT at, from_state, to_state, cabinet_id, holder_person_id, place, note FROM copy_events \
         WHERE copy_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(CopyEvent {
            at: r.get(0)?,
            from: opt_code_col(r, 1, CopyState::from_code)?,
            to: code_col(r, 2, CopyState::from_code)?,
            cabinet: r.get::<_, Option<i64>>(3)?.map(CabinetId),
            holder: r.get::<_, Option<i64>>(4)?.map(PersonId),
            place: r.get(5)?,
            note: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
