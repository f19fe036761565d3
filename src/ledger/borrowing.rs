//! 借阅 (R3.1.3): the request (《文件借阅申请表》, numbered per year without gaps), its approval
//! by the person the policy names — signing in on the same PC with their own passphrase, or
//! recorded from a paper form — or its rejection; check-out with a due date in working days;
//! renewals within the policy; the return, with who received it and whether the pages are
//! complete. The copy's custody follows each step (R3.1.1) and every step is audited.

use crate::domain::Permission;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::cabinets::CabinetId;
use super::documents::{CopyId, DocumentId, next_seq};
use super::people::{self, PersonId};
use super::{AuditAction, Event, LedgerError, Session, Write, code_col, custody};
use crate::domain::Role;
use crate::domain::borrow_policy::{
    Approver, BorrowPolicy, RequestFacts, check_approver, check_borrower, check_request,
};
use crate::domain::calendar::{Calendar, YearCalendar};
use crate::domain::copy_state::CopyState;
use crate::domain::copy_state::CustodyFlow;
use crate::domain::level::Level;
use crate::domain::marking::{SecrecyPeriod, marking};

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
    /// 借阅中丢失: the copy was lost while on loan (reported, the loan closed).
    Lost,
}

impl crate::domain::Label for BorrowState {
    fn label_zh(self) -> &'static str {
        BorrowState::label_zh(self)
    }
    fn label_en(self) -> &'static str {
        BorrowState::label_en(self)
    }
}

impl BorrowState {
    const ALL: [BorrowState; 7] = [
        BorrowState::Requested,
        BorrowState::Approved,
        BorrowState::Rejected,
        BorrowState::Out,
        BorrowState::Returned,
        BorrowState::Cancelled,
        BorrowState::Lost,
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
            BorrowState::Lost => "lost",
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
            BorrowState::Lost => "借阅中丢失",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            BorrowState::Requested => "awaiting approval",
            BorrowState::Approved => "approved",
            BorrowState::Rejected => "not approved",
            BorrowState::Out => "on loan",
            BorrowState::Returned => "returned",
            BorrowState::Cancelled => "withdrawn",
            BorrowState::Lost => "lost while on loan",
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
    /// 绝密 ("一般不予借阅"): why the work truly needs it; required.
    pub justification: String,
    /// The 党办负责人's reason to lend although the borrower has an overdue item.
    pub overdue_override: Option<String>,
}

pub use super::approval::Decider;
use super::approval::{Decision, decider};

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
    /// 绝密: why the work truly needs it.
    pub justification: String,
    /// The cabinet the copy came from (and goes back to), once handed out.
    pub cabinet: Option<CabinetId>,
}

/// The setting holding the policy (JSON).
pub const POLICY_KEY: &str = "borrow_policy";
/// The form-number pattern.
pub const FORM_PATTERN: &str = "借阅〔{year}〕{seq}号";

fn bad<T>(m: impl Into<crate::domain::Message>) -> Result<T, LedgerError> {
    Err(LedgerError::Invalid(m.into()))
}

/// The policy in force (the regulation's defaults until the custodian changes it).
pub fn policy(s: &Session) -> Result<BorrowPolicy, LedgerError> {
    policy_in(s.conn())
}

fn policy_in(conn: &rusqlite::Connection) -> Result<BorrowPolicy, LedgerError> {
    match super::settings::get(conn, POLICY_KEY)? {
        None => Ok(BorrowPolicy::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "借阅规定无法读取：{e}"
            )))
        }),
    }
}

/// Sets the policy after checking it against R3.1.3. Custodian; audited with old and new.
pub fn set_policy(s: &mut Session, new: &BorrowPolicy) -> Result<(), LedgerError> {
    s.require("修改借阅规定", Permission::LedgerSettings)?;
    new.validate()
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
    let old = policy(s)?;
    let text = serde_json::to_string(new)
        .map_err(|e| LedgerError::Invalid(crate::domain::Message::from(e.to_string())))?;
    s.write(|w| {
        super::settings::put(w.tx, POLICY_KEY, &text)?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                POLICY_KEY,
                json!({"from": old, "to": new}),
            ),
        ))
    })
}

/// The working-day calendar: the shipped years, with the years entered in the app on top.
pub fn calendar(s: &Session) -> Result<Calendar, LedgerError> {
    calendar_in(s.conn())
}

fn calendar_in(conn: &rusqlite::Connection) -> Result<Calendar, LedgerError> {
    let mut c = Calendar::builtin();
    let mut stmt = conn.prepare_cached("SELECT source FROM calendar_years ORDER BY year")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    for text in rows {
        let y = YearCalendar::parse(&text?)
            .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
        c.set_year(y);
    }
    Ok(c)
}

/// Adds or replaces a year of the calendar (text in the shipped files' format). Custodian;
/// audited. Returns the year.
pub fn set_calendar_year(s: &mut Session, text: &str) -> Result<i32, LedgerError> {
    s.require("修改工作日历", Permission::Calendar)?;
    let y = YearCalendar::parse(text)
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
    s.write(|w| {
        w.tx.execute(
            "INSERT INTO calendar_years (year, source, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (year) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at",
            params![y.year, text, w.at()],
        )?;
        Ok((
            y.year,
            Event::new(
                AuditAction::CalendarSetYear,
                y.year,
                json!({"rest_days": y.rest.len(), "work_days": y.work.len()}),
            ),
        ))
    })
}

/// Whether `person` has a borrowing out past its due date today (the request then needs the
/// 党办负责人's written reason).
pub fn has_overdue_loan(s: &Session, person: PersonId) -> Result<bool, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    has_overdue(s.conn(), person, s.today())
}

/// Whether the person has a borrowing out past its due date (as of `today`).
fn has_overdue(
    conn: &rusqlite::Connection,
    person: PersonId,
    today: NaiveDate,
) -> Result<bool, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM borrows WHERE borrower_person_id = ?1 AND state = 'out' \
             AND due_on < ?2)",
        )?
        .query_row(params![person.0, today.to_string()], |r| r.get(0))?)
}

/// The borrowing's state and the number of renewals, read inside the write's transaction; the
/// step is refused unless the borrowing is in one of `allowed`.
fn state_in(
    w: &Write<'_>,
    id: BorrowId,
    allowed: &[BorrowState],
    what: &str,
) -> Result<BorrowState, LedgerError> {
    let state =
        w.tx.query_row("SELECT state FROM borrows WHERE id = ?1", [id.0], |r| {
            code_col(r, 0, BorrowState::from_code)
        })
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "没有编号 {} 的借阅",
                id.0
            )))
        })?;
    if allowed.contains(&state) {
        Ok(state)
    } else {
        bad((
            format!("该借阅当前为“{}”，不能{what}", state.label_zh()),
            format!("This borrowing is “{}” now", state.label_en()),
        ))
    }
}

/// 借阅申请: checks the request against the policy and the registers, then records it under
/// the year's next form number. Custodian; audited. The checks read inside the transaction.
pub fn request(s: &mut Session, r: &BorrowRequest) -> Result<BorrowId, LedgerError> {
    s.require("登记借阅申请", Permission::Borrowing)?;
    if r.reason.trim().is_empty() {
        return bad(("请填写借阅事由", "Write the reason for borrowing"));
    }
    s.write(|w| {
        let (state, level, voided) = w
            .tx
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
            .ok_or_else(|| LedgerError::Invalid(crate::domain::Message::from(format!("没有编号 {} 的份号", r.copy.0))))?;
        if voided {
            return bad(("该文件的登记已作废", "This document's registration is voided"));
        }
        let pending: bool = w.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM borrows WHERE copy_id = ?1 \
             AND state IN ('requested', 'approved', 'out'))",
            [r.copy.0],
            |row| row.get(0),
        )?;
        if pending {
            return bad(("该份号已有未办结的借阅申请", "This copy already has a borrowing under way"));
        }
        let borrower = people::get_in(w.tx, r.borrower)?;
        let policy = policy_in(w.tx)?;
        let days = if policy.for_level(level).on_site_only {
            0
        } else {
            r.days
        };
        let overdue = has_overdue(w.tx, r.borrower, w.today)?;
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
                justification: &r.justification,
                has_overdue: overdue,
                overdue_override: r.overdue_override.as_deref(),
            },
        )
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
        let override_reason = r
            .overdue_override
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty() && overdue);
        let year = w.today.year();
        let seq = next_seq(w.tx, "borrow", year)?;
        let form_no = crate::domain::numbering::format_number(FORM_PATTERN, "", year, seq);
        let inserted = w.tx.execute(
            "INSERT INTO borrows (form_no, copy_id, borrower_person_id, reason, requested_days, place, \
             overdue_override, state, requested_at, requested_by, justification) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'requested', ?8, ?9, ?10)",
            params![
                form_no,
                r.copy.0,
                r.borrower.0,
                r.reason.trim(),
                days,
                r.place.trim(),
                override_reason,
                w.at(),
                w.user.0,
                r.justification.trim()
            ],
        );
        if let Err(e) = inserted {
            return Err(one_open_borrow(e));
        }
        let id = BorrowId(w.tx.last_insert_rowid());
        Ok((
            id,
            Event::new(
                AuditAction::BorrowRequest,
                id.0,
                json!({"form_no": form_no, "copy_id": r.copy.0, "borrower_person_id": r.borrower.0,
                       "reason": r.reason.trim(), "days": days, "place": r.place.trim(),
                       "justification": r.justification.trim(),
                       "overdue_override": override_reason}),
            ),
        ))
    })
}

/// The unique index `borrows_one_open_per_copy` refused a second open borrowing of a copy.
fn one_open_borrow(e: rusqlite::Error) -> LedgerError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            LedgerError::Invalid(crate::domain::Message::new(
                "该份号已有未办结的借阅申请",
                "This copy already has a borrowing under way",
            ))
        }
        _ => e.into(),
    }
}

/// R3.1.3: whether the decision's person may approve `b` (read inside the transaction).
fn check_decider(w: &Write<'_>, b: &Borrow, d: &Decision) -> Result<(), LedgerError> {
    approver_refusal(w.tx, &policy_in(w.tx)?, b, d.person, d.role)
}

/// R3.1.3: why `person` in `role` may not approve `b`, if they may not. A request made despite
/// an overdue item is the 党办负责人's to decide, whatever the level (R1.3.3: the head answers
/// for the exception). The one rule behind the approval and the approver pickers.
fn approver_refusal(
    conn: &rusqlite::Connection,
    policy: &BorrowPolicy,
    b: &Borrow,
    person: PersonId,
    role: Role,
) -> Result<(), LedgerError> {
    let borrower = people::get_in(conn, b.borrower)?;
    let approver = people::get_in(conn, person)?;
    if !approver.active {
        return bad((
            format!("审批人{}已离岗", approver.name),
            format!("Approver {} has left their post", approver.name),
        ));
    }
    if b.overdue_override.is_some() {
        if person == b.borrower {
            return bad((
                "不能审批自己的借阅申请",
                "No one approves their own request",
            ));
        }
        if role != Role::Head {
            return bad((
                "借阅人有逾期未还的文件，只有党办负责人可以批准",
                "The borrower has an overdue item: only the office head may approve",
            ));
        }
        return Ok(());
    }
    let same_department =
        !borrower.department.trim().is_empty() && approver.department == borrower.department;
    check_approver(policy, b.level, role, person == b.borrower, same_department)
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))
}

/// Who may decide a borrowing now (its request, or the renewal of a loan), by the rule
/// approvals are checked with.
#[derive(Debug, Clone)]
pub struct Approvers {
    /// Active accounts the rule accepts for this borrowing (on paper, any of them; signed in
    /// here, only those whose owner has replaced the one-time passphrase).
    pub eligible: Vec<super::users::UserRow>,
    /// When `eligible` is empty: why, and what to do.
    pub none_reason: Option<crate::domain::Message>,
}

impl Approvers {
    /// Those who may confirm here with their own passphrase.
    pub fn signing_in(&self) -> impl Iterator<Item = &super::users::UserRow> {
        self.eligible.iter().filter(|u| !u.must_change_passphrase)
    }

    /// Why nobody can confirm here although someone may approve on paper (their account still
    /// has its one-time passphrase).
    pub fn why_none_signs_in(&self) -> Option<crate::domain::Message> {
        if self.eligible.is_empty() || self.signing_in().next().is_some() {
            return None;
        }
        let names: Vec<&str> = self.eligible.iter().map(|u| u.name.as_str()).collect();
        Some(crate::domain::Message::new(
            format!(
                "{}尚未修改开通账户时的一次性口令：请本人先登录一次并修改口令，再在本机审批；或登记纸质审批",
                names.join("、")
            ),
            format!(
                "{} still has the one-time passphrase: sign in once and change it to approve here, or record a paper approval",
                names.join(", ")
            ),
        ))
    }
}

/// The accounts that may approve borrowing `id` (R3.1.3, the unit's policy): the pickers offer
/// only these, and say why when there is nobody.
pub fn approvers_for(s: &Session, id: BorrowId) -> Result<Approvers, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let b = get(s, id)?;
    let policy = policy_in(s.conn())?;
    let mut eligible = Vec::new();
    for u in super::users::list(s)?.into_iter().filter(|u| u.active) {
        if approver_refusal(s.conn(), &policy, &b, u.person_id, u.role).is_ok() {
            eligible.push(u);
        }
    }
    let none_reason = eligible.is_empty().then(|| {
        let (zh, en) = if b.overdue_override.is_some() {
            ("党办负责人".to_owned(), "office head".to_owned())
        } else {
            let a = policy.for_level(b.level).approver;
            let (mut zh, mut en) = (a.label_zh().to_owned(), a.label_en().to_owned());
            if a == Approver::DeptHead {
                zh = format!("借阅人所在部门（{}）的{zh}", b.borrower_department);
                en = format!("{en} of the borrower's department ({})", b.borrower_department);
                if policy.head_may_approve_mimi {
                    zh.push_str("或党办负责人");
                    en.push_str(" or the office head");
                }
            }
            (zh, en)
        };
        crate::domain::Message::new(
            format!("没有可以审批的账户：此申请须由{zh}审批。请在“设置 → 用户”中为其开通账户"),
            format!(
                "No account may approve this: it needs the {en}. Open an account for them in Settings → Accounts"
            ),
        )
    });
    Ok(Approvers {
        eligible,
        none_reason,
    })
}

/// Who may borrow a copy of `level` (R3.1.3, R3.5.1, R3.5.3): in post, pledge signed,
/// clearance enough. The refused ones come with the reason.
#[derive(Debug, Clone)]
pub struct Borrowers {
    pub eligible: Vec<people::Person>,
    pub refused: Vec<(people::Person, crate::domain::Message)>,
}

/// The people who may borrow a copy of `level`, by the rule requests are checked with.
pub fn borrowers_for(s: &Session, level: Level) -> Result<Borrowers, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut out = Borrowers {
        eligible: Vec::new(),
        refused: Vec::new(),
    };
    for p in people::list(s)?.into_iter().filter(|p| p.active) {
        match check_borrower(level, p.clearance, p.pledge_signed_on, p.active) {
            Ok(()) => out.eligible.push(p),
            Err(e) => out.refused.push((p, crate::domain::Explain::message(&e))),
        }
    }
    Ok(out)
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
        return bad(("请填写不批准的理由", "Write the reason for refusing"));
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
    s.require("登记借阅审批", Permission::Borrowing)?;
    let decision = decider(s, d)?;
    s.write(|w| {
        state_in(w, id, &[BorrowState::Requested], "再审批")?;
        let b = get_in(w.tx, id)?;
        check_decider(w, &b, &decision)?;
        let state = if approve {
            BorrowState::Approved
        } else {
            BorrowState::Rejected
        };
        let changed = w.tx.execute(
            "UPDATE borrows SET state = ?2, approver_person_id = ?3, approval_kind = ?4, approval_ref = ?5, \
             decided_at = ?6, decision_note = ?7 WHERE id = ?1 AND state = 'requested'",
            params![id.0, state.code(), decision.person.0, decision.kind, decision.reference, w.at(),
                    note.trim()],
        )?;
        if changed != 1 {
            return bad(("该申请刚被处理过，未作改动；请刷新后再试", "This request was just decided by someone else; nothing was done: refresh and try again"));
        }
        Ok((
            (),
            Event::new(
                if approve {
                    AuditAction::BorrowApprove
                } else {
                    AuditAction::BorrowReject
                },
                id.0,
                json!({"approver_person_id": decision.person.0, "role": decision.role.code(),
                       "kind": decision.kind, "reference": decision.reference, "note": note.trim()}),
            ),
        ))
    })
}

/// R3.1.3, R3.5.1, R3.5.3 again at check-out, inside the transaction: the request's rules on
/// today's facts (the copy itself is checked by the custody change).
fn recheck_borrower(w: &Write<'_>, b: &Borrow) -> Result<(), LedgerError> {
    let borrower = people::get_in(w.tx, b.borrower)?;
    let overdue = has_overdue(w.tx, b.borrower, w.today)?;
    check_request(
        &policy_in(w.tx)?,
        &RequestFacts {
            level: b.level,
            copy_state: CopyState::InCabinet,
            borrower_clearance: borrower.clearance,
            borrower_pledge: borrower.pledge_signed_on,
            borrower_active: borrower.active,
            requested_days: b.requested_days,
            place: &b.place,
            justification: &b.justification,
            has_overdue: overdue,
            overdue_override: b.overdue_override.as_deref(),
        },
    )
    .map_err(|e| {
        LedgerError::Invalid(crate::domain::Message::new(
            format!("现在不能借出：{e}"),
            format!("Cannot hand out now: {}", crate::domain::Explain::en(&e)),
        ))
    })
}

/// 借出: hands the approved copy to the borrower; the due date is the requested number of
/// working days after today (绝密: today, read at the named place). Returns the due date.
pub fn check_out(s: &mut Session, id: BorrowId) -> Result<NaiveDate, LedgerError> {
    s.require("借出", Permission::Borrowing)?;
    s.write(|w| {
        state_in(w, id, &[BorrowState::Approved], "借出")?;
        let b = get_in(w.tx, id)?;
        // The facts may have changed since the request: the borrower left, lost a clearance,
        // let another loan run overdue, or the unit stopped lending the level.
        recheck_borrower(w, &b)?;
        let due = calendar_in(w.tx)?.due_date(w.today, b.requested_days).date;
        let place = if b.place.is_empty() {
            b.borrower_department.clone()
        } else {
            b.place.clone()
        };
        let note = format!("借阅 {}", b.form_no);
        let found = custody::change(
            w,
            &custody::Change {
                copy: b.copy,
                expected: CopyState::InCabinet,
                to: CopyState::Borrowed,
                cabinet: None,
                holder: Some(b.borrower),
                place: &place,
                note: &note,
                flow: CustodyFlow::Borrowing,
            },
        )?;
        w.tx.execute(
            "UPDATE borrows SET state = 'out', out_at = ?2, due_on = ?3, cabinet_id = ?4 \
             WHERE id = ?1 AND state = 'approved'",
            params![
                id.0,
                w.at(),
                due.to_string(),
                found.from_cabinet.map(|c| c.0)
            ],
        )?;
        Ok((
            due,
            Event::new(
                AuditAction::BorrowCheckOut,
                id.0,
                json!({"copy_id": b.copy.0, "due_on": due.to_string(), "place": place}),
            ),
        ))
    })
}

/// A renewal as recorded: its own approval (R3.1.3: the period is part of what is approved).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Renewal {
    /// 1 for the first renewal.
    pub n: u32,
    pub days: u32,
    pub from_due: String,
    pub to_due: String,
    pub approver: PersonId,
    pub approver_name: String,
    /// `signed_in` or `paper`.
    pub approval_kind: String,
    pub approval_ref: String,
    pub at: String,
}

/// 续借 (R3.1.3): a new approval by the same rule as the first — the approver the policy names
/// for the level, signed in here or from a paper form, never the borrower — within the
/// policy's renewals and period; the new due date counts from the old one. Returns it.
pub fn renew(
    s: &mut Session,
    id: BorrowId,
    days: u32,
    d: &Decider<'_>,
) -> Result<NaiveDate, LedgerError> {
    s.require("续借", Permission::Borrowing)?;
    let decision = decider(s, d)?;
    s.write(|w| {
        state_in(w, id, &[BorrowState::Out], "续借")?;
        let b = get_in(w.tx, id)?;
        let pol = policy_in(w.tx)?;
        let p = pol.for_level(b.level);
        if p.on_site_only || b.renewals >= p.renewals {
            return bad((format!("{}文件最多续借 {} 次（本单位借阅规定）",
                b.level.label_zh(),
                p.renewals
            ), format!("{} documents are renewed at most {} times (the unit's policy)",
                b.level.label_en(),
                p.renewals
            )));
        }
        if days == 0 || days > p.max_working_days {
            return bad((format!("续借期限须在 1 到 {} 个工作日之间",
                p.max_working_days
            ), format!("A renewal is 1 to {} working days",
                p.max_working_days
            )));
        }
        check_decider(w, &b, &decision)?;
        let old = b.due_on.unwrap_or(w.today);
        if old < w.today {
            return bad((format!("该借阅已于 {old} 到期，逾期不能续借；请先办理归还"
            ), format!("This loan was due on {old}: an overdue loan cannot be renewed; record the return first"
            )));
        }
        if !people::get_in(w.tx, b.borrower)?.active {
            return bad(("借阅人已离岗，不能续借；请办理归还", "The borrower has left their post: no renewal, record the return"));
        }
        let due = calendar_in(w.tx)?.due_date(old, days).date;
        let n = b.renewals + 1;
        let changed = w.tx.execute(
            "UPDATE borrows SET due_on = ?2, renewals = ?3 WHERE id = ?1 AND state = 'out' \
             AND renewals = ?4",
            params![id.0, due.to_string(), n, b.renewals],
        )?;
        if changed != 1 {
            return bad(("该借阅刚被改动过，未作改动；请刷新后再试", "This borrowing was just changed by someone else; nothing was done: refresh and try again"));
        }
        w.tx.execute(
            "INSERT INTO borrow_renewals (borrow_id, n, days, from_due, to_due, approver_person_id, \
             approval_kind, approval_ref, at, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![id.0, n, days, old.to_string(), due.to_string(), decision.person.0,
                    decision.kind, decision.reference, w.at(), w.user.0],
        )?;
        Ok((
            due,
            Event::new(
                AuditAction::BorrowRenew,
                id.0,
                json!({"from": old.to_string(), "to": due.to_string(), "days": days, "n": n,
                       "approver_person_id": decision.person.0, "role": decision.role.code(),
                       "kind": decision.kind, "reference": decision.reference}),
            ),
        ))
    })
}

/// The renewals of a borrowing, in order.
pub fn renewals(s: &Session, id: BorrowId) -> Result<Vec<Renewal>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT r.n, r.days, r.from_due, r.to_due, r.approver_person_id, p.name, r.approval_kind, \
         r.approval_ref, r.at FROM borrow_renewals r JOIN people p ON p.id = r.approver_person_id \
         WHERE r.borrow_id = ?1 ORDER BY r.n",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(Renewal {
            n: r.get(0)?,
            days: r.get(1)?,
            from_due: r.get(2)?,
            to_due: r.get(3)?,
            approver: PersonId(r.get(4)?),
            approver_name: r.get(5)?,
            approval_kind: r.get(6)?,
            approval_ref: r.get(7)?,
            at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// 归还: the copy goes back to the cabinet it came from, or to `into` (another cabinet fit for
/// the level, e.g. when the first one was retired or the document's level was raised); who
/// received it, and whether the pages are complete (a mismatch is kept as a note to follow up).
pub fn return_copy(
    s: &mut Session,
    id: BorrowId,
    received_by: PersonId,
    pages_complete: bool,
    note: &str,
    into: Option<CabinetId>,
) -> Result<(), LedgerError> {
    s.require("归还", Permission::Borrowing)?;
    if !pages_complete && note.trim().is_empty() {
        return bad((
            "页数不全时请写明情况，以便跟进",
            "Pages are missing: write what is missing so it can be followed up",
        ));
    }
    s.write(|w| {
        state_in(w, id, &[BorrowState::Out], "归还")?;
        people::get_in(w.tx, received_by)?;
        let b = get_in(w.tx, id)?;
        let cabinet: Option<i64> = w.tx.query_row(
            "SELECT cabinet_id FROM borrows WHERE id = ?1",
            [id.0],
            |r| r.get(0),
        )?;
        let cabinet = match (into, cabinet) {
            (Some(c), _) => c,
            (None, Some(c)) => CabinetId(c),
            (None, None) => {
                return bad((
                    "借出时未记录专柜，请选择归还入哪个专柜",
                    "No cabinet was recorded at hand-out: choose the cabinet it returns to",
                ));
            }
        };
        let what = if pages_complete {
            format!("归还 {}", b.form_no)
        } else {
            format!("归还 {}（页数不全：{}）", b.form_no, note.trim())
        };
        custody::change(
            w,
            &custody::Change {
                copy: b.copy,
                expected: CopyState::Borrowed,
                to: CopyState::InCabinet,
                cabinet: Some(cabinet),
                holder: None,
                place: "",
                note: &what,
                flow: CustodyFlow::Borrowing,
            },
        )?;
        w.tx.execute(
            "UPDATE borrows SET state = 'returned', returned_at = ?2, received_by_person_id = ?3, \
             pages_complete = ?4, return_note = ?5 WHERE id = ?1 AND state = 'out'",
            params![id.0, w.at(), received_by.0, pages_complete, note.trim()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::BorrowReturn,
                id.0,
                json!({"received_by_person_id": received_by.0, "pages_complete": pages_complete,
                       "note": note.trim()}),
            ),
        ))
    })
}

/// 借阅中丢失: the borrower (or the custodian) reports the copy on loan lost. The loan ends
/// lost, the copy becomes 丢失 with the note in its history; it can be recorded as found later
/// (back into a cabinet, by hand). Custodian; audited.
pub fn report_lost(s: &mut Session, id: BorrowId, note: &str) -> Result<(), LedgerError> {
    s.require("登记借阅中丢失", Permission::Borrowing)?;
    if note.trim().is_empty() {
        return bad((
            "请写明丢失的经过（何时、何处、由谁报告）",
            "Write how it was lost (when, where, reported by whom)",
        ));
    }
    s.write(|w| {
        state_in(w, id, &[BorrowState::Out], "登记丢失")?;
        let b = get_in(w.tx, id)?;
        let what = format!("借阅 {} 中丢失：{}", b.form_no, note.trim());
        custody::change(
            w,
            &custody::Change {
                copy: b.copy,
                expected: CopyState::Borrowed,
                to: CopyState::Lost,
                cabinet: None,
                holder: Some(b.borrower),
                place: &b.place,
                note: &what,
                flow: CustodyFlow::Borrowing,
            },
        )?;
        w.tx.execute(
            "UPDATE borrows SET state = 'lost', returned_at = ?2, return_note = ?3 \
             WHERE id = ?1 AND state = 'out'",
            params![id.0, w.at(), note.trim()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::BorrowLost,
                id.0,
                json!({"copy_id": b.copy.0, "note": note.trim()}),
            ),
        ))
    })
}

/// The due date the form shows: the real one once handed out, else what it would be if handed
/// out today.
pub fn due_text(s: &Session, b: &Borrow) -> Result<String, LedgerError> {
    Ok(match b.due_on {
        Some(d) => d.to_string(),
        None => {
            let due = calendar(s)?.due_date(s.today(), b.requested_days).date;
            format!("{due}（如今日借出）")
        }
    })
}

/// Withdraws a request not yet handed out.
pub fn cancel(s: &mut Session, id: BorrowId, reason: &str) -> Result<(), LedgerError> {
    s.require("撤销借阅申请", Permission::Borrowing)?;
    if reason.trim().is_empty() {
        return bad(("请填写撤销原因", "Write the reason for withdrawing"));
    }
    s.write(|w| {
        let n = w.tx.execute(
            "UPDATE borrows SET state = 'cancelled', decision_note = ?2 WHERE id = ?1 \
             AND state IN ('requested', 'approved')",
            params![id.0, reason.trim()],
        )?;
        if n == 0 {
            return bad(("只有待审批或已批准未借出的申请可以撤销", "Only a request awaiting approval, or approved and not handed out, can be withdrawn"));
        }
        Ok((
            (),
            Event::new(
                AuditAction::BorrowCancel,
                id.0,
                json!({"reason": reason.trim()}),
            ),
        ))
    })
}

const SELECT: &str = "SELECT b.id, b.form_no, b.copy_id, c.copy_no, d.id, d.title, d.doc_no, d.level, \
    d.period_kind, d.period_value, b.borrower_person_id, p.name, p.department, b.reason, b.requested_days, \
    b.place, b.overdue_override, b.state, b.requested_at, b.approver_person_id, coalesce(a.name, ''), \
    b.approval_kind, b.approval_ref, b.decided_at, b.decision_note, b.out_at, b.due_on, b.renewals, \
    b.returned_at, b.received_by_person_id, b.pages_complete, b.return_note, b.justification, \
    b.cabinet_id \
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
        justification: r.get(32)?,
        cabinet: r.get::<_, Option<i64>>(33)?.map(CabinetId),
    })
}

/// One borrowing.
pub fn get(s: &Session, id: BorrowId) -> Result<Borrow, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    get_in(s.conn(), id)
}

fn get_in(conn: &rusqlite::Connection, id: BorrowId) -> Result<Borrow, LedgerError> {
    conn.query_row(&format!("{SELECT} WHERE b.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "没有编号 {} 的借阅",
                id.0
            )))
        })
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
    s.require("查看台账", Permission::ReadLedger)?;
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
    s.require("查看台账", Permission::ReadLedger)?;
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
    s.require("查看台账", Permission::ReadLedger)?;
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
