//! 借阅 (R3.1.3): the request (《文件借阅申请表》, numbered per year without gaps), its approval
//! by the person the policy names — signing in on the same PC with their own passphrase, or
//! recorded from a paper form — or its rejection; check-out with a due date in working days;
//! renewals within the policy; the return, with who received it and whether the pages are
//! complete. The copy's custody follows each step (R3.1.1) and every step is audited.

use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::cabinets::{self, CabinetId};
use super::documents::{CopyId, DocumentId, next_seq};
use super::people::{self, PersonId};
use super::{LedgerError, Session, code_col};
use crate::audit::NewEvent;
use crate::domain::Role;
use crate::domain::borrow_policy::{BorrowPolicy, RequestFacts, check_approver, check_request};
use crate::domain::calendar::{Calendar, YearCalendar};
use crate::domain::copy_state::CopyState;
use crate::domain::level::Level;
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::vault::Passphrase;

/// A borrowing's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct BorrowId(pub i64);

/// Where a borrowing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BorrowState {
    /// 待审批.
    Requested,
    /// 已批准, not yet handed out.
    Approved,
    /// 未批准.
    Rejected,
    /// 借出.
    Out,
    /// 已归还.
    Returned,
    /// 已撤销.
    Cancelled,
}

impl BorrowState {
    const ALL: [BorrowState; 6] = [
        BorrowState::Requested,
        BorrowState::Approved,
        BorrowState::Rejected,
        BorrowState::Out,
        BorrowState::Returned,
        BorrowState::Cancelled,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            BorrowState::Requested => "requested",
            BorrowState::Approved => "approved",
            BorrowState::Rejected => "rejected",
            BorrowState::Out => "out",
            BorrowState::Returned => "returned",
            BorrowState::Cancelled => "cancelled",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<BorrowState> {
        BorrowState::ALL.into_iter().find(|b| b.code() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            BorrowState::Requested => "待审批",
            BorrowState::Approved => "已批准",
            BorrowState::Rejected => "未批准",
            BorrowState::Out => "借出",
            BorrowState::Returned => "已归还",
            BorrowState::Cancelled => "已撤销",
        }
    }
}

/// The request, as the 《文件借阅申请表》 asks it.
#[derive(Debug, Clone, PartialEq)]
pub struct BorrowRequest {
    pub copy: CopyId,
    pub borrower: PersonId,
    /// 借阅事由.
    pub reason: String,
    /// Working days asked for (0 for 绝密: the same day).
    pub days: u32,
    /// 绝密: the designated place of reading.
    pub place: String,
    /// The 党办负责人's reason to lend although the borrower has an overdue item.
    pub overdue_override: Option<String>,
}

/// Who approves (or rejects).
pub enum Decider<'a> {
    /// The approver signs in on this PC with their own passphrase (second-person check).
    SignedIn {
        login: &'a str,
        passphrase: &'a Passphrase,
    },
    /// The custodian records a paper approval: who, and the paper form's number.
    Paper {
        person: PersonId,
        reference: &'a str,
    },
}

/// A borrowing with what the screens and the form show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Borrow {
    pub id: BorrowId,
    pub form_no: String,
    pub copy: CopyId,
    pub copy_no: u32,
    pub document: DocumentId,
    pub title: String,
    pub doc_no: String,
    pub level: Level,
    pub marking: String,
    pub borrower: PersonId,
    pub borrower_name: String,
    pub borrower_department: String,
    pub reason: String,
    pub requested_days: u32,
    pub place: String,
    pub overdue_override: Option<String>,
    pub state: BorrowState,
    pub requested_at: String,
    pub approver: Option<PersonId>,
    pub approver_name: String,
    /// `signed_in` or `paper`.
    pub approval_kind: Option<String>,
    pub approval_ref: String,
    pub decided_at: Option<String>,
    pub decision_note: String,
    pub out_at: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub renewals: u32,
    pub returned_at: Option<String>,
    pub received_by: Option<PersonId>,
    pub pages_complete: Option<bool>,
    pub return_note: String,
}

/// The setting holding the policy (JSON).
pub const POLICY_KEY: &str = "borrow_policy";
/// The form-number pattern.
pub const FORM_PATTERN: &str = "借阅〔{year}〕{seq}号";

fn bad<T>(m: impl Into<String>) -> Result<T, LedgerError> {
    Err(LedgerError::Invalid(m.into()))
}

/// The policy in force (the regulation's defaults until the custodian changes it).
pub fn policy(s: &Session) -> Result<BorrowPolicy, LedgerError> {
    match super::settings::get_value(s, POLICY_KEY)? {
        None => Ok(BorrowPolicy::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| LedgerError::Invalid(format!("借阅规定无法读取：{e}"))),
    }
}

/// Sets the policy after checking it against R3.1.3. Custodian; audited with old and new.
pub fn set_policy(s: &mut Session, new: &BorrowPolicy) -> Result<(), LedgerError> {
    s.require("修改借阅规定", &[Role::Custodian])?;
    new.validate()
        .map_err(|e| LedgerError::Invalid(e.to_string()))?;
    let old = policy(s)?;
    let uid = s.user().id.0;
    let text = serde_json::to_string(new).map_err(|e| LedgerError::Invalid(e.to_string()))?;
    s.write(|tx, _| {
        super::settings::put(tx, POLICY_KEY, &text)?;
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "settings.update",
                entity: "settings",
                entity_id: POLICY_KEY.into(),
                detail: json!({"from": old, "to": new}),
            },
        ))
    })
}

/// The working-day calendar: the shipped years, with the years entered in the app on top.
pub fn calendar(s: &Session) -> Result<Calendar, LedgerError> {
    let mut c = Calendar::builtin();
    let mut stmt = s
        .conn()
        .prepare_cached("SELECT source FROM calendar_years ORDER BY year")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for text in rows {
        let y = YearCalendar::parse(&text?).map_err(|e| LedgerError::Invalid(e.to_string()))?;
        c.set_year(y);
    }
    Ok(c)
}

/// Adds or replaces a year of the calendar (text in the shipped files' format). Custodian;
/// audited. Returns the year.
pub fn set_calendar_year(s: &mut Session, text: &str) -> Result<i32, LedgerError> {
    s.require("修改工作日历", &[Role::Custodian])?;
    let y = YearCalendar::parse(text).map_err(|e| LedgerError::Invalid(e.to_string()))?;
    let uid = s.user().id.0;
    s.write(|tx, now| {
        tx.execute(
            "INSERT INTO calendar_years (year, source, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (year) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at",
            params![y.year, text, now.to_rfc3339()],
        )?;
        Ok((
            y.year,
            NewEvent {
                user_id: Some(uid),
                action: "calendar.set_year",
                entity: "calendar_years",
                entity_id: y.year.to_string(),
                detail: json!({"rest_days": y.rest.len(), "work_days": y.work.len()}),
            },
        ))
    })
}

/// Whether the person has a borrowing out past its due date (as of `today`).
fn has_overdue(s: &Session, person: PersonId, today: NaiveDate) -> Result<bool, LedgerError> {
    Ok(s.conn()
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM borrows WHERE borrower_person_id = ?1 AND state = 'out' \
             AND due_on < ?2)",
        )?
        .query_row(params![person.0, today.to_string()], |r| r.get(0))?)
}

/// 借阅申请: checks the request against the policy and the registers, then records it under
/// the year's next form number. Custodian; audited.
pub fn request(s: &mut Session, r: &BorrowRequest) -> Result<BorrowId, LedgerError> {
    s.require("登记借阅申请", &[Role::Custodian])?;
    if r.reason.trim().is_empty() {
        return bad("请填写借阅事由");
    }
    let (state, level, voided) = s
        .conn()
        .query_row(
            "SELECT c.state, d.level, d.voided_at IS NOT NULL FROM copies c \
             JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
            [r.copy.0],
            |row| {
                Ok((
                    code_col(row, 0, CopyState::from_code)?,
                    code_col(row, 1, Level::from_code)?,
                    row.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| LedgerError::Invalid(format!("没有编号 {} 的份号", r.copy.0)))?;
    if voided {
        return bad("该文件的登记已作废");
    }
    let pending: bool = s.conn().query_row(
        "SELECT EXISTS (SELECT 1 FROM borrows WHERE copy_id = ?1 AND state IN ('requested', 'approved'))",
        [r.copy.0],
        |row| row.get(0),
    )?;
    if pending {
        return bad("该份号已有待办的借阅申请");
    }
    let borrower = people::get(s, r.borrower)?;
    let today = s.today();
    let policy = policy(s)?;
    let days = if policy.for_level(level).on_site_only {
        0
    } else {
        r.days
    };
    let overdue = has_overdue(s, r.borrower, today)?;
    check_request(
        &policy,
        &RequestFacts {
            level,
            copy_state: state,
            borrower_clearance: borrower.clearance,
            borrower_pledge: borrower.pledge_signed_on,
            borrower_active: borrower.active,
            requested_days: days,
            place: &r.place,
            has_overdue: overdue,
            overdue_override: r.overdue_override.as_deref(),
        },
    )
    .map_err(|e| LedgerError::Invalid(e.to_string()))?;
    let override_reason = r
        .overdue_override
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty() && overdue);
    let uid = s.user().id.0;
    s.write(|tx, now| {
        let seq = next_seq(tx, "borrow", today.year())?;
        let form_no = crate::domain::numbering::format_number(FORM_PATTERN, "", today.year(), seq);
        tx.execute(
            "INSERT INTO borrows (form_no, copy_id, borrower_person_id, reason, requested_days, place, \
             overdue_override, state, requested_at, requested_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'requested', ?8, ?9)",
            params![
                form_no,
                r.copy.0,
                r.borrower.0,
                r.reason.trim(),
                days,
                r.place.trim(),
                override_reason,
                now.to_rfc3339(),
                uid
            ],
        )?;
        let id = BorrowId(tx.last_insert_rowid());
        Ok((
            id,
            NewEvent {
                user_id: Some(uid),
                action: "borrow.request",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"form_no": form_no, "copy_id": r.copy.0, "borrower_person_id": r.borrower.0,
                               "reason": r.reason.trim(), "days": days, "place": r.place.trim(),
                               "overdue_override": override_reason}),
            },
        ))
    })
}

/// The person and role behind a decision; the passphrase is checked for a signed-in approver.
fn decider(
    s: &Session,
    d: &Decider<'_>,
) -> Result<(PersonId, Role, &'static str, String), LedgerError> {
    match d {
        Decider::SignedIn { login, passphrase } => {
            let user = super::users::current(s.conn(), login)?.ok_or(LedgerError::UserInactive)?;
            s.vault()
                .verify_passphrase(login, passphrase)
                .map_err(|_| LedgerError::Invalid("审批人口令不正确".into()))?;
            Ok((user.person_id, user.role, "signed_in", String::new()))
        }
        Decider::Paper { person, reference } => {
            if reference.trim().is_empty() {
                return bad("请填写纸质审批单的编号");
            }
            let role: Option<String> = s
                .conn()
                .query_row(
                    "SELECT role FROM users WHERE person_id = ?1 AND active = 1 \
                     ORDER BY CASE role WHEN 'head' THEN 0 WHEN 'dept_head' THEN 1 ELSE 2 END LIMIT 1",
                    [person.0],
                    |r| r.get(0),
                )
                .optional()?;
            let role = role.and_then(|r| Role::from_code(&r)).ok_or_else(|| {
                LedgerError::Invalid("审批人须有本系统账户，以便核对其职务".into())
            })?;
            Ok((*person, role, "paper", reference.trim().to_owned()))
        }
    }
}

/// Approves a request (R3.1.3): the approver the policy names for the level — the 党办负责人 for
/// an overdue override — never the borrower. Audited, with how it was given.
pub fn approve(
    s: &mut Session,
    id: BorrowId,
    d: &Decider<'_>,
    note: &str,
) -> Result<(), LedgerError> {
    decide(s, id, d, note, true)
}

/// Rejects a request with a reason. The same person could have approved it.
pub fn reject(
    s: &mut Session,
    id: BorrowId,
    d: &Decider<'_>,
    reason: &str,
) -> Result<(), LedgerError> {
    if reason.trim().is_empty() {
        return bad("请填写不批准的理由");
    }
    decide(s, id, d, reason, false)
}

fn decide(
    s: &mut Session,
    id: BorrowId,
    d: &Decider<'_>,
    note: &str,
    approve: bool,
) -> Result<(), LedgerError> {
    s.require("登记借阅审批", &[Role::Custodian])?;
    let b = get(s, id)?;
    if b.state != BorrowState::Requested {
        return bad(format!("该申请{}，不能再审批", b.state.label_zh()));
    }
    let (person, role, kind, reference) = decider(s, d)?;
    let borrower = people::get(s, b.borrower)?;
    let approver = people::get(s, person)?;
    check_approver(
        &policy(s)?,
        b.level,
        role,
        person == b.borrower,
        approver.department == borrower.department,
    )
    .map_err(|e| LedgerError::Invalid(e.to_string()))?;
    if approve && b.overdue_override.is_some() && role != Role::Head {
        return bad("借阅人有逾期未还的文件，只有党办负责人可以批准");
    }
    let uid = s.user().id.0;
    let state = if approve {
        BorrowState::Approved
    } else {
        BorrowState::Rejected
    };
    s.write(|tx, now| {
        tx.execute(
            "UPDATE borrows SET state = ?2, approver_person_id = ?3, approval_kind = ?4, approval_ref = ?5, \
             decided_at = ?6, decision_note = ?7 WHERE id = ?1 AND state = 'requested'",
            params![id.0, state.code(), person.0, kind, reference, now.to_rfc3339(), note.trim()],
        )?;
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: if approve { "borrow.approve" } else { "borrow.reject" },
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"approver_person_id": person.0, "role": role.code(), "kind": kind,
                               "reference": reference, "note": note.trim()}),
            },
        ))
    })
}

/// A custody change of the borrowed copy.
struct CopyChange<'a> {
    copy: CopyId,
    from: CopyState,
    to: CopyState,
    cabinet: Option<CabinetId>,
    holder: Option<PersonId>,
    place: &'a str,
    note: &'a str,
}

fn set_copy(
    tx: &Transaction<'_>,
    c: &CopyChange<'_>,
    at: &str,
    uid: i64,
) -> Result<(), LedgerError> {
    tx.execute(
        "UPDATE copies SET state = ?2, cabinet_id = ?3, holder_person_id = ?4, place = ?5 WHERE id = ?1",
        params![c.copy.0, c.to.code(), c.cabinet.map(|k| k.0), c.holder.map(|p| p.0), c.place],
    )?;
    tx.execute(
        "INSERT INTO copy_events (copy_id, at, user_id, from_state, to_state, cabinet_id, holder_person_id, \
         place, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            c.copy.0,
            at,
            uid,
            c.from.code(),
            c.to.code(),
            c.cabinet.map(|k| k.0),
            c.holder.map(|p| p.0),
            c.place,
            c.note
        ],
    )?;
    Ok(())
}

/// 借出: hands the approved copy to the borrower; the due date is the requested number of
/// working days after today (绝密: today, read at the named place). Returns the due date.
pub fn check_out(s: &mut Session, id: BorrowId) -> Result<NaiveDate, LedgerError> {
    s.require("借出", &[Role::Custodian])?;
    let b = get(s, id)?;
    if b.state != BorrowState::Approved {
        return bad(format!("该申请{}，不能借出", b.state.label_zh()));
    }
    let (state, cabinet): (CopyState, Option<i64>) = s.conn().query_row(
        "SELECT state, cabinet_id FROM copies WHERE id = ?1",
        [b.copy.0],
        |r| Ok((code_col(r, 0, CopyState::from_code)?, r.get(1)?)),
    )?;
    state
        .transition(CopyState::Borrowed)
        .map_err(|e| LedgerError::Invalid(e.to_string()))?;
    let today = s.today();
    let due = calendar(s)?.due_date(today, b.requested_days).date;
    let place = if b.place.is_empty() {
        b.borrower_department.clone()
    } else {
        b.place.clone()
    };
    let uid = s.user().id.0;
    s.write(|tx, now| {
        let at = now.to_rfc3339();
        tx.execute(
            "UPDATE borrows SET state = 'out', out_at = ?2, due_on = ?3, cabinet_id = ?4 WHERE id = ?1",
            params![id.0, at, due.to_string(), cabinet],
        )?;
        set_copy(
            tx,
            &CopyChange {
                copy: b.copy,
                from: state,
                to: CopyState::Borrowed,
                cabinet: None,
                holder: Some(b.borrower),
                place: &place,
                note: &format!("借阅 {}", b.form_no),
            },
            &at,
            uid,
        )?;
        Ok((
            due,
            NewEvent {
                user_id: Some(uid),
                action: "borrow.check_out",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"copy_id": b.copy.0, "due_on": due.to_string(), "place": place}),
            },
        ))
    })
}

/// 续借: within the policy's renewals and period; the new due date counts from the old one.
pub fn renew(s: &mut Session, id: BorrowId, days: u32) -> Result<NaiveDate, LedgerError> {
    s.require("续借", &[Role::Custodian])?;
    let b = get(s, id)?;
    if b.state != BorrowState::Out {
        return bad("只有借出中的文件可以续借");
    }
    let pol = policy(s)?;
    let p = pol.for_level(b.level);
    if p.on_site_only || b.renewals >= p.renewals {
        return bad(format!(
            "{}文件最多续借 {} 次（本单位借阅规定）",
            b.level.label_zh(),
            p.renewals
        ));
    }
    if days == 0 || days > p.max_working_days {
        return bad(format!(
            "续借期限须在 1 到 {} 个工作日之间",
            p.max_working_days
        ));
    }
    let old = b.due_on.unwrap_or_else(|| s.today());
    let due = calendar(s)?.due_date(old, days).date;
    let uid = s.user().id.0;
    s.write(|tx, _| {
        tx.execute(
            "UPDATE borrows SET due_on = ?2, renewals = renewals + 1 WHERE id = ?1",
            params![id.0, due.to_string()],
        )?;
        Ok((
            due,
            NewEvent {
                user_id: Some(uid),
                action: "borrow.renew",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"from": old.to_string(), "to": due.to_string(), "days": days}),
            },
        ))
    })
}

/// 归还: the copy goes back to its cabinet; who received it, and whether the pages are complete
/// (a mismatch is kept as a note to follow up).
pub fn return_copy(
    s: &mut Session,
    id: BorrowId,
    received_by: PersonId,
    pages_complete: bool,
    note: &str,
) -> Result<(), LedgerError> {
    s.require("归还", &[Role::Custodian])?;
    let b = get(s, id)?;
    if b.state != BorrowState::Out {
        return bad("该借阅不在借出状态");
    }
    if !pages_complete && note.trim().is_empty() {
        return bad("页数不全时请写明情况，以便跟进");
    }
    people::get(s, received_by)?;
    let cabinet: Option<i64> = s.conn().query_row(
        "SELECT cabinet_id FROM borrows WHERE id = ?1",
        [id.0],
        |r| r.get(0),
    )?;
    let cabinet =
        CabinetId(cabinet.ok_or_else(|| LedgerError::Invalid("借出时未记录专柜".into()))?);
    cabinets::get(s, cabinet)?
        .rules()
        .may_hold(b.level)
        .map_err(|e| LedgerError::Invalid(e.to_string()))?;
    let uid = s.user().id.0;
    s.write(|tx, now| {
        let at = now.to_rfc3339();
        tx.execute(
            "UPDATE borrows SET state = 'returned', returned_at = ?2, received_by_person_id = ?3, \
             pages_complete = ?4, return_note = ?5 WHERE id = ?1",
            params![id.0, at, received_by.0, pages_complete, note.trim()],
        )?;
        let what = if pages_complete {
            format!("归还 {}", b.form_no)
        } else {
            format!("归还 {}（页数不全：{}）", b.form_no, note.trim())
        };
        set_copy(
            tx,
            &CopyChange {
                copy: b.copy,
                from: CopyState::Borrowed,
                to: CopyState::InCabinet,
                cabinet: Some(cabinet),
                holder: None,
                place: "",
                note: &what,
            },
            &at,
            uid,
        )?;
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "borrow.return",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"received_by_person_id": received_by.0, "pages_complete": pages_complete,
                               "note": note.trim()}),
            },
        ))
    })
}

/// What the printed 《文件借阅申请表》 needs besides the borrowing: unit, who prints and when, the
/// audit chain head, and the due date (the real one once handed out, else what it would be if
/// handed out today).
pub struct FormFacts {
    pub unit: String,
    pub printed_by: String,
    pub printed_at: String,
    pub audit_head: String,
    pub due_text: String,
}

/// Collects [`FormFacts`] and records the printing in the audit trail (what was printed, by
/// whom, where to). Returns the borrowing and the facts.
pub fn form_facts(
    s: &mut Session,
    id: BorrowId,
    target: &str,
) -> Result<(Borrow, FormFacts), LedgerError> {
    s.require("打印借阅申请表", &[Role::Custodian])?;
    let b = get(s, id)?;
    let due_text = match b.due_on {
        Some(d) => d.to_string(),
        None => {
            let due = calendar(s)?.due_date(s.today(), b.requested_days).date;
            format!("{due}（如今日借出）")
        }
    };
    let uid = s.user().id.0;
    s.write(|_, _| {
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "print.borrow_form",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"form_no": b.form_no, "target": target}),
            },
        ))
    })?;
    let facts = FormFacts {
        unit: super::settings::unit_name(s)?,
        printed_by: s.user().name.clone(),
        printed_at: s
            .clock()
            .now()
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        audit_head: s.audit_head_hex()?,
        due_text,
    };
    Ok((b, facts))
}

/// Demo data only (`baomi demo`): moves a loan's check-out back by `days` calendar days and
/// recomputes its due date, so a demo vault shows overdue items. Audited as such.
pub fn demo_backdate(s: &mut Session, id: BorrowId, days: i64) -> Result<(), LedgerError> {
    s.require("生成演示数据", &[Role::Custodian])?;
    let b = get(s, id)?;
    if b.state != BorrowState::Out {
        return bad("只有借出中的演示借阅可以回溯日期");
    }
    let out = s.today() - chrono::Duration::days(days);
    let due = calendar(s)?.due_date(out, b.requested_days).date;
    let uid = s.user().id.0;
    s.write(|tx, _| {
        tx.execute(
            "UPDATE borrows SET due_on = ?2, out_at = ?3 WHERE id = ?1",
            params![id.0, due.to_string(), format!("{out}T09:00:00+08:00")],
        )?;
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "borrow.demo_backdate",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"out_on": out.to_string(), "due_on": due.to_string()}),
            },
        ))
    })
}

/// Withdraws a request not yet handed out.
pub fn cancel(s: &mut Session, id: BorrowId, reason: &str) -> Result<(), LedgerError> {
    s.require("撤销借阅申请", &[Role::Custodian])?;
    if reason.trim().is_empty() {
        return bad("请填写撤销原因");
    }
    let uid = s.user().id.0;
    s.write(|tx, _| {
        let n = tx.execute(
            "UPDATE borrows SET state = 'cancelled', decision_note = ?2 WHERE id = ?1 \
             AND state IN ('requested', 'approved')",
            params![id.0, reason.trim()],
        )?;
        if n == 0 {
            return bad("只有待审批或已批准未借出的申请可以撤销");
        }
        Ok((
            (),
            NewEvent {
                user_id: Some(uid),
                action: "borrow.cancel",
                entity: "borrows",
                entity_id: id.0.to_string(),
                detail: json!({"reason": reason.trim()}),
            },
        ))
    })
}

const SELECT: &str = "SELECT b.id, b.form_no, b.copy_id, c.copy_no, d.id, d.title, d.doc_no, d.level, \
    d.period_kind, d.period_value, b.borrower_person_id, p.name, p.department, b.reason, b.requested_days, \
    b.place, b.overdue_override, b.state, b.requested_at, b.approver_person_id, coalesce(a.name, ''), \
    b.approval_kind, b.approval_ref, b.decided_at, b.decision_note, b.out_at, b.due_on, b.renewals, \
    b.returned_at, b.received_by_person_id, b.pages_complete, b.return_note \
    FROM borrows b JOIN copies c ON c.id = b.copy_id JOIN documents d ON d.id = c.document_id \
    JOIN people p ON p.id = b.borrower_person_id LEFT JOIN people a ON a.id = b.approver_person_id";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Borrow> {
    let level = code_col(r, 7, Level::from_code)?;
    let value: String = r.get(9)?;
    let period = code_col(r, 8, |k| SecrecyPeriod::from_parts(k, &value))?;
    let due: Option<String> = r.get(26)?;
    Ok(Borrow {
        id: BorrowId(r.get(0)?),
        form_no: r.get(1)?,
        copy: CopyId(r.get(2)?),
        copy_no: r.get(3)?,
        document: DocumentId(r.get(4)?),
        title: r.get(5)?,
        doc_no: r.get(6)?,
        level,
        marking: marking(level, &period),
        borrower: PersonId(r.get(10)?),
        borrower_name: r.get(11)?,
        borrower_department: r.get(12)?,
        reason: r.get(13)?,
        requested_days: r.get(14)?,
        place: r.get(15)?,
        overdue_override: r.get(16)?,
        state: code_col(r, 17, BorrowState::from_code)?,
        requested_at: r.get(18)?,
        approver: r.get::<_, Option<i64>>(19)?.map(PersonId),
        approver_name: r.get(20)?,
        approval_kind: r.get(21)?,
        approval_ref: r.get(22)?,
        decided_at: r.get(23)?,
        decision_note: r.get(24)?,
        out_at: r.get(25)?,
        due_on: due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        renewals: r.get(27)?,
        returned_at: r.get(28)?,
        received_by: r.get::<_, Option<i64>>(29)?.map(PersonId),
        pages_complete: r.get(30)?,
        return_note: r.get(31)?,
    })
}

/// One borrowing.
pub fn get(s: &Session, id: BorrowId) -> Result<Borrow, LedgerError> {
    s.conn()
        .query_row(&format!("{SELECT} WHERE b.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| LedgerError::Invalid(format!("没有编号 {} 的借阅", id.0)))
}

/// Which borrowings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// 待审批 and 已批准 (not yet handed out).
    Pending,
    /// 借出, soonest due first.
    Out,
    /// Out past the due date.
    Overdue,
    /// Everything, newest first.
    All,
}

/// Borrowings, as `which` says.
pub fn list(s: &Session, which: Which) -> Result<Vec<Borrow>, LedgerError> {
    let today = s.today().to_string();
    let (filter, order) = match which {
        Which::Pending => ("b.state IN ('requested', 'approved')", "b.id"),
        Which::Out => ("b.state = 'out'", "b.due_on, b.id"),
        Which::Overdue => ("b.state = 'out' AND b.due_on < ?1", "b.due_on, b.id"),
        Which::All => ("?1 IS NOT NULL", "b.id DESC"),
    };
    let sql = format!("{SELECT} WHERE {filter} ORDER BY {order}");
    let mut stmt = s.conn().prepare_cached(&sql)?;
    let rows = if sql.contains("?1") {
        stmt.query_map([today], from_row)?
            .collect::<Result<Vec<_>, _>>()?
    } else {
        stmt.query_map([], from_row)?
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(rows)
}

/// The borrowing of a copy still under way (requested, approved or out), if any.
pub fn active_for_copy(s: &Session, copy: CopyId) -> Result<Option<Borrow>, LedgerError> {
    Ok(s.conn()
        .query_row(
            &format!(
                "{SELECT} WHERE b.copy_id = ?1 AND b.state IN ('requested', 'approved', 'out') \
                 ORDER BY b.id DESC LIMIT 1"
            ),
            [copy.0],
            from_row,
        )
        .optional()?)
}

/// Counters for the 工作台: waiting for approval, out, overdue.
pub fn counts(s: &Session) -> Result<(u32, u32, u32), LedgerError> {
    Ok(s.conn().query_row(
        "SELECT count(*) FILTER (WHERE state IN ('requested', 'approved')), \
         count(*) FILTER (WHERE state = 'out'), \
         count(*) FILTER (WHERE state = 'out' AND due_on < ?1) FROM borrows",
        [s.today().to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// Working days a borrowing is overdue as of today (0 when not overdue).
pub fn overdue_days(cal: &Calendar, b: &Borrow, today: NaiveDate) -> u32 {
    match (b.state, b.due_on) {
        (BorrowState::Out, Some(due)) if due < today => cal.working_days_overdue(due, today),
        _ => 0,
    }
}
