//! Destruction lists (销毁清单, R3.2.4 and the national practice for classified carriers): the
//! custodian drafts a numbered list (销毁〔2026〕N号) of copies in their cabinets, each with its
//! reason; the 党办负责人 approves it (signed in on this PC, or a recorded paper approval); it is
//! executed on a date, by a method, at a place, by a person who destroys with at least one
//! different supervising person (监销人) present. Only execution moves the copies to 已销毁, each
//! through the one custody path, in one transaction with the list's record and its audit event.
//! The rules themselves are [`crate::domain::destruction`].

use crate::domain::Permission;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::approval::{Decider, decider};
use super::documents::{CopyId, DocumentId, next_seq};
use super::people::{self, PersonId};
use super::{AuditAction, Event, LedgerError, Session, Write, code_col, custody, holds};
use crate::domain::copy_state::{CopyState, CustodyFlow};
use crate::domain::destruction::{
    ExecutionFacts, ItemFacts, Method, Present, check_execution, check_item, check_present,
};
use crate::domain::level::Level;
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::{Message, Role};

/// A list's id (`destruction-N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DestructionId(pub i64);

/// Where a list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ListState {
    /// 拟定中: items may be added and taken off.
    Draft,
    /// 已批准: waiting to be executed; items may only be taken off.
    Approved,
    /// 已销毁: executed; never changed again.
    Executed,
    /// 已撤销.
    Cancelled,
}

impl ListState {
    pub const ALL: [ListState; 4] = [
        ListState::Draft,
        ListState::Approved,
        ListState::Executed,
        ListState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ListState::Draft => "draft",
            ListState::Approved => "approved",
            ListState::Executed => "executed",
            ListState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(s: &str) -> Option<ListState> {
        ListState::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ListState::Draft => "待审批",
            ListState::Approved => "已批准待销毁",
            ListState::Executed => "已销毁",
            ListState::Cancelled => "已撤销",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ListState::Draft => "awaiting approval",
            ListState::Approved => "approved, to destroy",
            ListState::Executed => "destroyed",
            ListState::Cancelled => "cancelled",
        }
    }

    /// Whether the list still holds its copies (draft or approved).
    pub fn is_open(self) -> bool {
        matches!(self, ListState::Draft | ListState::Approved)
    }
}

/// One copy on a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub copy: CopyId,
    pub copy_no: u32,
    pub document: DocumentId,
    pub title: String,
    /// 收文编号 or 文号.
    pub number: String,
    pub level: Level,
    pub marking: String,
    pub reason: String,
    /// The copy's state now.
    pub state: CopyState,
    /// Its cabinet's code while in a cabinet.
    pub cabinet: String,
}

/// A list with its items and people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Destruction {
    pub id: DestructionId,
    pub list_no: String,
    pub state: ListState,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
    pub approver: Option<PersonId>,
    pub approver_name: String,
    /// `signed_in` or `paper`.
    pub approval_kind: Option<String>,
    pub approval_ref: String,
    pub approval_note: String,
    pub approved_at: Option<String>,
    pub executed_on: Option<String>,
    pub method: Option<Method>,
    pub method_detail: String,
    pub receipt_no: String,
    pub place: String,
    pub destroyer: Option<PersonId>,
    pub destroyer_name: String,
    pub supervisors: Vec<(PersonId, String)>,
    pub executed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub cancel_reason: String,
    pub items: Vec<Item>,
}

/// What an execution records.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// The day it was done (not after today, not before the approval).
    pub on: NaiveDate,
    pub method: Method,
    /// The shredder's model, or the destruction unit's name.
    pub detail: String,
    /// The destruction unit's receipt number.
    pub receipt_no: String,
    pub place: String,
    /// 销毁人.
    pub destroyer: PersonId,
    /// 监销人 (at least one, none the destroyer).
    pub supervisors: Vec<PersonId>,
}

/// The list's number pattern.
pub const LIST_PATTERN: &str = "销毁〔{year}〕{seq}号";

fn bad<T>(m: impl Into<Message>) -> Result<T, LedgerError> {
    Err(LedgerError::Invalid(m.into()))
}

/// The open list (draft or approved) that holds `copy`, by its number.
pub(crate) fn open_list_of(
    conn: &rusqlite::Connection,
    copy: CopyId,
) -> Result<Option<String>, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT d.list_no FROM destruction_items i JOIN destructions d \
             ON d.id = i.destruction_id WHERE i.copy_id = ?1 AND i.removed_at IS NULL \
             AND d.state IN ('draft', 'approved') LIMIT 1",
        )?
        .query_row([copy.0], |r| r.get(0))
        .optional()?)
}

/// The facts the rule of [`check_item`] needs, read in `conn` (inside the write's transaction);
/// `list` is the list the copy is checked for (its own membership is not "another list").
fn check_copy(
    conn: &rusqlite::Connection,
    copy: CopyId,
    list: Option<&str>,
) -> Result<(u32, DocumentId), LedgerError> {
    let (copy_no, document, state, voided): (u32, i64, CopyState, bool) = conn
        .prepare_cached(
            "SELECT c.copy_no, c.document_id, c.state, d.voided_at IS NOT NULL FROM copies c \
             JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
        )?
        .query_row([copy.0], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                code_col(r, 2, CopyState::from_code)?,
                r.get(3)?,
            ))
        })
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(Message::new(
                format!("台账中没有 copy-{} 这个份号", copy.0),
                format!("No copy-{} in the ledger", copy.0),
            ))
        })?;
    if voided {
        return Err(LedgerError::Invalid(Message::new(
            format!("第{copy_no}份所属的登记已作废，不列入销毁清单"),
            format!("Copy {copy_no} belongs to a voided registration: it does not go on a list"),
        )));
    }
    let borrow = custody::open_borrow(conn, copy)?.map(|(form, _)| form);
    let open_distribution: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM distributions WHERE copy_id = ?1 \
             AND receipt_returned_on IS NULL AND lost_on IS NULL)",
        )?
        .query_row([copy.0], |r| r.get(0))?;
    let hold = holds::open_for_copy(conn, copy)?.map(|(_, reason)| reason);
    let other = open_list_of(conn, copy)?.filter(|l| Some(l.as_str()) != list);
    check_item(&ItemFacts {
        copy_no,
        state,
        open_borrow: borrow.as_deref(),
        open_distribution,
        hold: hold.as_deref(),
        other_list: other.as_deref(),
    })
    .map_err(LedgerError::Invalid)?;
    Ok((copy_no, DocumentId(document)))
}

/// The list's number and state, read inside the transaction; refused unless in `allowed`.
fn state_in(
    w: &Write<'_>,
    id: DestructionId,
    allowed: &[ListState],
    doing: &str,
) -> Result<(String, ListState), LedgerError> {
    let (list_no, state): (String, ListState) =
        w.tx.query_row(
            "SELECT list_no, state FROM destructions WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, code_col(r, 1, ListState::from_code)?)),
        )
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(Message::from(format!(
                "没有 destruction-{} 这份销毁清单",
                id.0
            )))
        })?;
    if !allowed.contains(&state) {
        return bad((
            format!("{list_no}{}，不能{doing}", state.label_zh()),
            format!("{list_no} is {}: it cannot be {doing}", state.label_en()),
        ));
    }
    Ok((list_no, state))
}

/// 新建销毁清单: a numbered draft list. Custodian.
pub fn create(s: &mut Session, note: &str) -> Result<DestructionId, LedgerError> {
    s.require("新建销毁清单", Permission::Destruction)?;
    s.write(|w| {
        let year = w.today.year();
        let seq = next_seq(w.tx, "destruction", year)?;
        let list_no = LIST_PATTERN
            .replace("{year}", &year.to_string())
            .replace("{seq}", &seq.to_string());
        w.tx.execute(
            "INSERT INTO destructions (list_no, state, note, created_at, created_by) \
             VALUES (?1, 'draft', ?2, ?3, ?4)",
            params![list_no, note.trim(), w.at(), w.user.0],
        )?;
        let id = DestructionId(w.tx.last_insert_rowid());
        Ok((
            id,
            Event::new(
                AuditAction::DestructionCreate,
                id.0,
                json!({"list_no": list_no, "note": note.trim()}),
            ),
        ))
    })
}

/// 列入销毁清单: puts a copy on a draft list with its reason. Refused for a copy not in its
/// cabinet, on loan, held, in an open distribution, or on another open list (R3.2.4).
pub fn add_item(
    s: &mut Session,
    id: DestructionId,
    copy: CopyId,
    reason: &str,
) -> Result<(), LedgerError> {
    s.require("列入销毁清单", Permission::Destruction)?;
    if reason.trim().is_empty() {
        return bad(("请写明销毁原因", "Write the reason for destroying it"));
    }
    s.write(|w| {
        let (list_no, _) = state_in(w, id, &[ListState::Draft], "再添加份号")?;
        let (copy_no, document) = check_copy(w.tx, copy, Some(&list_no))?;
        let already: bool = w.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM destruction_items WHERE destruction_id = ?1 \
             AND copy_id = ?2 AND removed_at IS NULL)",
            params![id.0, copy.0],
            |r| r.get(0),
        )?;
        if already {
            return bad((
                format!("第{copy_no}份已在本清单中"),
                format!("Copy {copy_no} is on this list already"),
            ));
        }
        w.tx.execute(
            "INSERT INTO destruction_items (destruction_id, copy_id, reason, added_at, added_by) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.0, copy.0, reason.trim(), w.at(), w.user.0],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::DestructionAddItem,
                id.0,
                json!({"list_no": list_no, "copy_id": copy.0, "document_id": document.0,
                       "copy_no": copy_no, "reason": reason.trim()}),
            ),
        ))
    })
}

/// 移出销毁清单: takes a copy off a list not yet executed, with a reason (the row stays).
pub fn remove_item(
    s: &mut Session,
    id: DestructionId,
    copy: CopyId,
    reason: &str,
) -> Result<(), LedgerError> {
    s.require("移出销毁清单", Permission::Destruction)?;
    if reason.trim().is_empty() {
        return bad(("请写明移出的原因", "Write why it is taken off the list"));
    }
    s.write(|w| {
        let (list_no, _) = state_in(w, id, &[ListState::Draft, ListState::Approved], "移出份号")?;
        let n = w.tx.execute(
            "UPDATE destruction_items SET removed_at = ?3, removed_by = ?4, remove_reason = ?5 \
             WHERE destruction_id = ?1 AND copy_id = ?2 AND removed_at IS NULL",
            params![id.0, copy.0, w.at(), w.user.0, reason.trim()],
        )?;
        if n != 1 {
            return bad(("该份号不在本清单中", "That copy is not on this list"));
        }
        let (copy_no, document, title): (u32, i64, String) = w.tx.query_row(
            "SELECT c.copy_no, c.document_id, d.title FROM copies c \
             JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
            [copy.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::DestructionRemoveItem,
                id.0,
                json!({"list_no": list_no, "copy_id": copy.0, "document_id": document,
                       "title": title, "copy_no": copy_no, "reason": reason.trim()}),
            ),
        ))
    })
}

/// The copies on a list now (not taken off).
fn item_ids(conn: &rusqlite::Connection, id: DestructionId) -> Result<Vec<CopyId>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT copy_id FROM destruction_items WHERE destruction_id = ?1 AND removed_at IS NULL \
         ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| Ok(CopyId(r.get(0)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Every item checked again inside the transaction; all refusals named together.
fn recheck_items(w: &Write<'_>, id: DestructionId, list_no: &str) -> Result<usize, LedgerError> {
    let items = item_ids(w.tx, id)?;
    if items.is_empty() {
        return bad((
            format!("{list_no}没有任何份号"),
            format!("{list_no} has no copies on it"),
        ));
    }
    let mut refusals: Vec<Message> = Vec::new();
    for copy in &items {
        match check_copy(w.tx, *copy, Some(list_no)) {
            Ok(_) => {}
            Err(LedgerError::Invalid(m)) => refusals.push(m),
            Err(e) => return Err(e),
        }
    }
    if !refusals.is_empty() {
        let zh: Vec<&str> = refusals.iter().map(|m| m.zh()).collect();
        let en: Vec<&str> = refusals.iter().map(|m| m.en()).collect();
        return bad((
            format!(
                "{list_no}中有份号现在不能销毁：{}。请将其移出清单后再办理",
                zh.join("；")
            ),
            format!(
                "Some copies on {list_no} cannot be destroyed now: {}. Take them off the list first",
                en.join("; ")
            ),
        ));
    }
    Ok(items.len())
}

/// 批准销毁清单: the 党办负责人 approves, signed in here with their own passphrase or on paper.
/// Every item is checked again.
pub fn approve(
    s: &mut Session,
    id: DestructionId,
    d: &Decider<'_>,
    note: &str,
) -> Result<(), LedgerError> {
    s.require("登记销毁审批", Permission::Destruction)?;
    let decision = decider(s, d)?;
    if decision.role != Role::Head {
        return bad((
            "销毁清单须由党办负责人审批",
            "A destruction list is approved by the office head",
        ));
    }
    let approver = people::get(s, decision.person)?;
    if !approver.active {
        return bad((
            format!("{}已不在岗，不能审批", approver.name),
            format!("{} is no longer in post and cannot approve", approver.name),
        ));
    }
    s.write(|w| {
        let (list_no, _) = state_in(w, id, &[ListState::Draft], "审批")?;
        let count = recheck_items(w, id, &list_no)?;
        w.tx.execute(
            "UPDATE destructions SET state = 'approved', approver_person_id = ?2, \
             approval_kind = ?3, approval_ref = ?4, approval_note = ?5, approved_at = ?6 \
             WHERE id = ?1 AND state = 'draft'",
            params![
                id.0,
                decision.person.0,
                decision.kind,
                decision.reference,
                note.trim(),
                w.at()
            ],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::DestructionApprove,
                id.0,
                json!({"list_no": list_no, "approver_person_id": decision.person.0,
                       "kind": decision.kind, "reference": decision.reference,
                       "copies": count, "note": note.trim()}),
            ),
        ))
    })
}

/// 执行销毁: records the execution and moves every copy on the list to 已销毁 (R3.2.4: two
/// people present, the method's details, the place). All or nothing.
pub fn execute(s: &mut Session, id: DestructionId, e: &Execution) -> Result<(), LedgerError> {
    s.require("执行销毁", Permission::Destruction)?;
    check_execution(&ExecutionFacts {
        method: e.method,
        detail: &e.detail,
        receipt_no: &e.receipt_no,
        place: &e.place,
    })
    .map_err(LedgerError::Invalid)?;
    if e.on > s.today() {
        return bad(("销毁日期不能晚于今天", "The date cannot be after today"));
    }
    let zone = s.zone();
    let mut supervisors = e.supervisors.clone();
    supervisors.sort_by_key(|p| p.0);
    supervisors.dedup();
    for p in std::iter::once(&e.destroyer).chain(&supervisors) {
        let person = people::get(s, *p)?;
        if !person.active {
            return bad((
                format!("{}已不在岗", person.name),
                format!("{} is no longer in post", person.name),
            ));
        }
    }
    s.write(|w| {
        let (list_no, _) = state_in(w, id, &[ListState::Approved], "执行销毁")?;
        let (approver, approved_at): (i64, String) = w.tx.query_row(
            "SELECT approver_person_id, approved_at FROM destructions WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        check_present(&Present {
            approver,
            destroyer: e.destroyer.0,
            supervisors: supervisors.iter().map(|p| p.0).collect(),
        })
        .map_err(LedgerError::Invalid)?;
        let approved_on = chrono::DateTime::parse_from_rfc3339(&approved_at)
            .map(|t| zone.date_of(t.with_timezone(&chrono::Utc)))
            .unwrap_or(w.today);
        if e.on < approved_on {
            return bad((
                format!("销毁日期不能早于批准日期（{approved_on}）"),
                format!("The date cannot be before the approval ({approved_on})"),
            ));
        }
        let count = recheck_items(w, id, &list_no)?;
        for copy in item_ids(w.tx, id)? {
            let state: CopyState =
                w.tx.query_row("SELECT state FROM copies WHERE id = ?1", [copy.0], |r| {
                    code_col(r, 0, CopyState::from_code)
                })?;
            custody::change(
                w,
                &custody::Change {
                    copy,
                    expected: state,
                    to: CopyState::Destroyed,
                    cabinet: None,
                    holder: None,
                    place: &e.place,
                    note: &list_no,
                    flow: CustodyFlow::Destruction,
                },
            )?;
        }
        // Recorded while the list is still approved (the table takes supervisors only then).
        for p in &supervisors {
            w.tx.execute(
                "INSERT INTO destruction_supervisors (destruction_id, person_id) VALUES (?1, ?2)",
                params![id.0, p.0],
            )?;
        }
        w.tx.execute(
            "UPDATE destructions SET state = 'executed', executed_on = ?2, method = ?3, \
             method_detail = ?4, receipt_no = ?5, place = ?6, destroyer_person_id = ?7, \
             executed_at = ?8, executed_by = ?9 WHERE id = ?1 AND state = 'approved'",
            params![
                id.0,
                e.on.to_string(),
                e.method.code(),
                e.detail.trim(),
                e.receipt_no.trim(),
                e.place.trim(),
                e.destroyer.0,
                w.at(),
                w.user.0
            ],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::DestructionExecute,
                id.0,
                json!({"list_no": list_no, "on": e.on.to_string(), "method": e.method.code(),
                       "detail": e.detail.trim(), "unit_receipt_no": e.receipt_no.trim(),
                       "place": e.place.trim(), "destroyer_person_id": e.destroyer.0,
                       "supervisor_person_ids": supervisors.iter().map(|p| p.0).collect::<Vec<_>>(),
                       "copies": count}),
            ),
        ))
    })
}

/// 撤销: a list not executed is cancelled with a reason; its copies are free again.
pub fn cancel(s: &mut Session, id: DestructionId, reason: &str) -> Result<(), LedgerError> {
    s.require("撤销销毁清单", Permission::Destruction)?;
    if reason.trim().is_empty() {
        return bad(("请写明撤销的原因", "Write why the list is cancelled"));
    }
    s.write(|w| {
        let (list_no, _) = state_in(w, id, &[ListState::Draft, ListState::Approved], "撤销")?;
        w.tx.execute(
            "UPDATE destructions SET state = 'cancelled', cancelled_at = ?2, cancel_reason = ?3 \
             WHERE id = ?1",
            params![id.0, w.at(), reason.trim()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::DestructionCancel,
                id.0,
                json!({"list_no": list_no, "reason": reason.trim()}),
            ),
        ))
    })
}

const SELECT: &str = "SELECT d.id, d.list_no, d.state, d.note, d.created_at, u.login, \
     d.approver_person_id, coalesce(ap.name, ''), d.approval_kind, d.approval_ref, \
     d.approval_note, d.approved_at, d.executed_on, d.method, d.method_detail, d.receipt_no, \
     d.place, d.destroyer_person_id, coalesce(dp.name, ''), d.executed_at, d.cancelled_at, \
     d.cancel_reason FROM destructions d JOIN users u ON u.id = d.created_by \
     LEFT JOIN people ap ON ap.id = d.approver_person_id \
     LEFT JOIN people dp ON dp.id = d.destroyer_person_id";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Destruction> {
    Ok(Destruction {
        id: DestructionId(r.get(0)?),
        list_no: r.get(1)?,
        state: code_col(r, 2, ListState::from_code)?,
        note: r.get(3)?,
        created_at: r.get(4)?,
        created_by: r.get(5)?,
        approver: r.get::<_, Option<i64>>(6)?.map(PersonId),
        approver_name: r.get(7)?,
        approval_kind: r.get(8)?,
        approval_ref: r.get(9)?,
        approval_note: r.get(10)?,
        approved_at: r.get(11)?,
        executed_on: r.get(12)?,
        method: super::opt_code_col(r, 13, Method::from_code)?,
        method_detail: r.get(14)?,
        receipt_no: r.get(15)?,
        place: r.get(16)?,
        destroyer: r.get::<_, Option<i64>>(17)?.map(PersonId),
        destroyer_name: r.get(18)?,
        supervisors: Vec::new(),
        executed_at: r.get(19)?,
        cancelled_at: r.get(20)?,
        cancel_reason: r.get(21)?,
        items: Vec::new(),
    })
}

fn items_of(conn: &rusqlite::Connection, id: DestructionId) -> Result<Vec<Item>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.copy_no, d.id, d.title, coalesce(d.receipt_no, d.doc_no), d.level, \
         d.period_kind, d.period_value, i.reason, c.state, coalesce(k.code, ''), d.declassified_on \
         FROM destruction_items i JOIN copies c ON c.id = i.copy_id \
         JOIN documents d ON d.id = c.document_id LEFT JOIN cabinets k ON k.id = c.cabinet_id \
         WHERE i.destruction_id = ?1 AND i.removed_at IS NULL ORDER BY i.id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        let level = code_col(r, 5, Level::from_code)?;
        let value: String = r.get(7)?;
        let period = code_col(r, 6, |k| SecrecyPeriod::from_parts(k, &value))?;
        let mut m = marking(level, &period);
        if r.get::<_, Option<String>>(11)?.is_some() {
            m = format!("已解密（原{m}）");
        }
        Ok(Item {
            copy: CopyId(r.get(0)?),
            copy_no: r.get(1)?,
            document: DocumentId(r.get(2)?),
            title: r.get(3)?,
            number: r.get(4)?,
            level,
            marking: m,
            reason: r.get(8)?,
            state: code_col(r, 9, CopyState::from_code)?,
            cabinet: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// One list with its items and people.
pub fn get(s: &Session, id: DestructionId) -> Result<Destruction, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut d = s
        .conn()
        .query_row(&format!("{SELECT} WHERE d.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(Message::from(format!(
                "没有 destruction-{} 这份销毁清单",
                id.0
            )))
        })?;
    d.items = items_of(s.conn(), id)?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT p.id, p.name FROM destruction_supervisors x JOIN people p ON p.id = x.person_id \
         WHERE x.destruction_id = ?1 ORDER BY p.id",
    )?;
    d.supervisors = stmt
        .query_map([id.0], |r| Ok((PersonId(r.get(0)?), r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(d)
}

/// Every list, newest first, with its item count (items themselves left empty).
pub fn list(s: &Session) -> Result<Vec<(Destruction, usize)>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(&format!("{SELECT} ORDER BY d.id DESC"))?;
    let rows = stmt.query_map([], from_row)?;
    let mut out = Vec::new();
    for d in rows {
        let d = d?;
        let n: i64 = s.conn().query_row(
            "SELECT count(*) FROM destruction_items WHERE destruction_id = ?1 AND removed_at IS NULL",
            [d.id.0],
            |r| r.get(0),
        )?;
        out.push((d, n as usize));
    }
    Ok(out)
}

/// The lists waiting: (drafts awaiting approval, approved lists awaiting execution).
pub fn pending(s: &Session) -> Result<(u32, u32), LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    Ok(s.conn().query_row(
        "SELECT coalesce(sum(state = 'draft'), 0), coalesce(sum(state = 'approved'), 0) \
         FROM destructions",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Copies in their cabinets that could go on a list now: of declassified documents, or whose
/// secrecy period has ended; not held and on no open list. For the list screen's suggestions.
pub fn candidates(s: &Session) -> Result<Vec<(CopyId, String)>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let today = s.today();
    let mut stmt = s.conn().prepare(
        "SELECT c.id, c.copy_no, d.title, d.level, d.period_kind, d.period_value, d.dated, \
         d.declassified_on FROM copies c JOIN documents d ON d.id = c.document_id \
         WHERE c.state IN ('in_cabinet', 'declassified') AND d.voided_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM destruction_items i JOIN destructions x \
             ON x.id = i.destruction_id WHERE i.copy_id = c.id AND i.removed_at IS NULL \
             AND x.state IN ('draft', 'approved')) \
         AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.lifted_at IS NULL \
             AND (h.copy_id = c.id OR h.document_id = d.id)) \
         AND NOT EXISTS (SELECT 1 FROM borrows b WHERE b.copy_id = c.id \
             AND b.state IN ('requested', 'approved', 'out')) \
         ORDER BY d.id, c.copy_no",
    )?;
    let rows = stmt.query_map([], |r| {
        let level = code_col(r, 3, Level::from_code)?;
        let value: String = r.get(5)?;
        let period = code_col(r, 4, |k| SecrecyPeriod::from_parts(k, &value))?;
        let dated: String = r.get(6)?;
        let declassified: Option<String> = r.get(7)?;
        let ended = NaiveDate::parse_from_str(&dated, "%Y-%m-%d")
            .ok()
            .and_then(|d| period.ends_on(level, d))
            .is_some_and(|end| end <= today);
        let why = if declassified.is_some() {
            Some("已解密且无保存价值")
        } else if ended && level.is_state_secret() {
            Some("超过保密期限且无保存价值")
        } else {
            None
        };
        Ok(why.map(|w| {
            (
                CopyId(r.get(0).unwrap_or_default()),
                format!(
                    "《{}》第{}份：{w}",
                    r.get::<_, String>(2).unwrap_or_default(),
                    r.get::<_, u32>(1).unwrap_or_default()
                ),
            )
        }))
    })?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(x) = r? {
            out.push(x);
        }
    }
    Ok(out)
}
