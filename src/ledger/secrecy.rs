//! The declassification review (解密审查) and every change of a document's level or period. The
//! review lists the documents whose period ends within the window (a setting, 30 days by
//! default) or has ended; a decision — 解密, 延长, 变更密级 — or a correction of the registration
//! (修改登记) goes through [`apply`]: the rules of [`crate::domain::secrecy`], the copies checked
//! against the new level (no open borrowing approved under the old one; every copy in a cabinet
//! fit for the new level, or moved into one in the same transaction, R3.1.1), the document row
//! updated, the decision kept in `secrecy_decisions`, the event audited.

use crate::domain::Permission;
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

use super::cabinets::CabinetId;
use super::documents::{CopyId, DocumentId};
use super::{AuditAction, Event, LedgerError, Session, Write, code_col, custody, settings};
use crate::domain::Message;
use crate::domain::copy_state::{CopyState, CustodyFlow};
use crate::domain::level::Level;
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::secrecy::{DecisionKind, Proposal, Secret, check, due as due_rule};

/// The window setting (days before the end of a period when a document is listed).
pub const WINDOW_DAYS: &str = "declassification_window_days";
/// Default of [`WINDOW_DAYS`].
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

/// A decision as the reviewer states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub kind: DecisionKind,
    /// The level after the decision (unchanged for 解密 and 延长).
    pub level: Level,
    /// The period after the decision (unchanged for 解密).
    pub period: SecrecyPeriod,
    /// The decision's date (not after today).
    pub decided_on: NaiveDate,
    /// Who decided: the 定密责任人 or the unit that classified it.
    pub decided_by: String,
    /// On whose authority: the notice, its 文号.
    pub authority: String,
    pub reason: String,
    /// For a change of level: the cabinet for the copies whose cabinet does not fit the new
    /// level.
    pub move_to: Option<CabinetId>,
}

/// A document the review lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueItem {
    pub document: DocumentId,
    pub title: String,
    /// 收文编号 or 文号.
    pub number: String,
    pub level: Level,
    pub marking: String,
    pub ends_on: NaiveDate,
    /// Negative once ended.
    pub days_left: i64,
}

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub kind: DecisionKind,
    pub from_marking: String,
    pub to_marking: String,
    pub decided_on: String,
    pub decided_by: String,
    pub authority: String,
    pub reason: String,
    pub at: String,
    pub login: String,
}

/// The review's window in days.
pub fn window_days(s: &Session) -> Result<u32, LedgerError> {
    settings::days(s, WINDOW_DAYS, DEFAULT_WINDOW_DAYS)
}

/// Sets the window (1 to 366 days). The ledger's settings (the custodian's); audited.
pub fn set_window_days(s: &mut Session, days: u32) -> Result<(), LedgerError> {
    settings::set_days(
        s,
        WINDOW_DAYS,
        days,
        1..=366,
        ("解密审查提前天数", "The review window"),
        DEFAULT_WINDOW_DAYS,
    )
}

/// The documents to review today: still secret, not voided, with a period that ends within the
/// window or has ended; soonest first.
pub fn due(s: &Session) -> Result<Vec<DueItem>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let today = s.today();
    let window = window_days(s)?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT id, title, coalesce(receipt_no, doc_no), level, period_kind, period_value, dated \
         FROM documents WHERE voided_at IS NULL AND declassified_on IS NULL \
         AND level <> 'neibu' AND period_kind NOT IN ('condition', 'long_term') \
         AND (out_step IS NULL OR out_step IN ('registered', 'printed', 'distributed'))",
    )?;
    let rows = stmt.query_map([], |r| {
        let level = code_col(r, 3, Level::from_code)?;
        let value: String = r.get(5)?;
        let period = code_col(r, 4, |k| SecrecyPeriod::from_parts(k, &value))?;
        let dated: String = r.get(6)?;
        Ok((
            DocumentId(r.get(0)?),
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            level,
            period,
            NaiveDate::parse_from_str(&dated, "%Y-%m-%d").ok(),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (document, title, number, level, period, dated) = row?;
        let Some(dated) = dated else { continue };
        let secret = Secret {
            level,
            period: period.clone(),
            dated,
            declassified: false,
        };
        if let Some(d) = due_rule(&secret, today, window) {
            out.push(DueItem {
                document,
                title,
                number,
                level,
                marking: marking(level, &period),
                ends_on: d.ends_on,
                days_left: d.days_left,
            });
        }
    }
    out.sort_by_key(|d| (d.days_left, d.document.0));
    Ok(out)
}

/// Records a decision of the review (or an ad-hoc change of level) for `document`. Custodian
/// (who records what the person in charge decided; the decider and authority are stated).
pub fn decide(s: &mut Session, document: DocumentId, d: &Decision) -> Result<(), LedgerError> {
    s.require("登记解密审查决定", Permission::SecrecyReview)?;
    if d.kind == DecisionKind::Correction {
        return Err(LedgerError::Invalid(Message::new(
            "登记错误请在“修改登记”中更正",
            "Correct a wrong registration with “Edit registration”",
        )));
    }
    if d.decided_by.trim().is_empty() || d.authority.trim().is_empty() {
        return Err(LedgerError::Invalid(Message::new(
            "请写明决定人（定密责任人或原定密单位）和依据（通知、文号）",
            "Write who decided (the classifying person or unit) and on what authority (notice, number)",
        )));
    }
    if d.decided_on > s.today() {
        return Err(LedgerError::Invalid(Message::new(
            "决定日期不能晚于今天",
            "The decision's date cannot be after today",
        )));
    }
    s.write(|w| {
        let detail = apply(w, document, d)?;
        Ok((
            (),
            Event::new(AuditAction::SecrecyDecide, document.0, detail),
        ))
    })
}

/// Applies a decision inside the caller's transaction and returns the audit detail (the caller
/// appends its own event: [`decide`], or the registration's edit for a correction).
pub(crate) fn apply(
    w: &Write<'_>,
    document: DocumentId,
    d: &Decision,
) -> Result<serde_json::Value, LedgerError> {
    let (title, level, kind, value, dated, declassified, voided): (
        String,
        Level,
        String,
        String,
        String,
        bool,
        bool,
    ) = w.tx.query_row(
        "SELECT title, level, period_kind, period_value, dated, declassified_on IS NOT NULL, \
         voided_at IS NOT NULL FROM documents WHERE id = ?1",
        [document.0],
        |r| {
            Ok((
                r.get(0)?,
                code_col(r, 1, Level::from_code)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    if voided {
        return Err(LedgerError::Invalid(Message::new(
            "已作废的登记不作密级变更",
            "A voided registration is not reclassified",
        )));
    }
    let period = SecrecyPeriod::from_parts(&kind, &value).unwrap_or(SecrecyPeriod::Unspecified);
    let dated = NaiveDate::parse_from_str(&dated, "%Y-%m-%d").unwrap_or(d.decided_on);
    let now = Secret {
        level,
        period: period.clone(),
        dated,
        declassified,
    };
    let (to_level, to_period) = match d.kind {
        DecisionKind::Declassify => (level, period.clone()),
        _ => (d.level, d.period.clone()),
    };
    check(
        &now,
        &Proposal {
            kind: d.kind,
            level: to_level,
            period: to_period.clone(),
        },
    )
    .map_err(LedgerError::Invalid)?;
    let from_marking = marking(level, &period);
    let mut to_marking = marking(to_level, &to_period);
    let mut moved: Vec<u32> = Vec::new();
    if to_level != level {
        // A correction only fixes what was always true; a new level is decided while no
        // borrowing approved under the old one is under way (a copy out comes back into a
        // cabinet fit for the new level: the return asks for one).
        if d.kind == DecisionKind::ChangeLevel {
            refuse_open_borrowings(w, document)?;
        }
        w.tx.execute(
            "UPDATE documents SET level = ?2 WHERE id = ?1",
            params![document.0, to_level.code()],
        )?;
        moved = fit_copies(w, document, to_level, d.move_to)?;
    }
    let (to_kind, to_value) = to_period.to_parts();
    w.tx.execute(
        "UPDATE documents SET period_kind = ?2, period_value = ?3 WHERE id = ?1",
        params![document.0, to_kind, to_value],
    )?;
    if d.kind == DecisionKind::Declassify {
        w.tx.execute(
            "UPDATE documents SET declassified_on = ?2 WHERE id = ?1",
            params![document.0, d.decided_on.to_string()],
        )?;
        to_marking = format!("已解密（原{from_marking}）");
    }
    let (from_kind, from_value) = period.to_parts();
    w.tx.execute(
        "INSERT INTO secrecy_decisions (document_id, kind, from_level, from_period_kind, \
         from_period_value, to_level, to_period_kind, to_period_value, decided_on, decided_by, \
         authority, reason, at, user_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            document.0,
            d.kind.code(),
            level.code(),
            from_kind,
            from_value,
            to_level.code(),
            to_kind,
            to_value,
            d.decided_on.to_string(),
            d.decided_by.trim(),
            d.authority.trim(),
            d.reason.trim(),
            w.at(),
            w.user.0
        ],
    )?;
    Ok(json!({
        "kind": d.kind.code(), "title": title, "from": from_marking, "to": to_marking,
        "decided_on": d.decided_on.to_string(), "decided_by": d.decided_by.trim(),
        "authority": d.authority.trim(), "reason": d.reason.trim(),
        "moved_copies": moved,
    }))
}

/// A change of level is refused while a borrowing approved under the old level is under way.
fn refuse_open_borrowings(w: &Write<'_>, document: DocumentId) -> Result<(), LedgerError> {
    let open: Option<(u32, String)> = rusqlite::OptionalExtension::optional(w.tx.query_row(
        "SELECT c.copy_no, b.form_no FROM borrows b JOIN copies c ON c.id = b.copy_id \
         WHERE c.document_id = ?1 AND b.state IN ('requested', 'approved', 'out') LIMIT 1",
        [document.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?;
    if let Some((n, form)) = open {
        return Err(LedgerError::Invalid(Message::new(
            format!("第{n}份有未办结的借阅（{form}），按原密级审批：请先办结或撤销，再变更密级"),
            format!(
                "Copy {n} has a borrowing under way ({form}) approved under the old level: finish or withdraw it before changing the level"
            ),
        )));
    }
    Ok(())
}

/// R3.1.1 for the new level: every copy in a cabinet not fit for it moves to `move_to` (checked
/// by the custody path), or the change is refused naming them. Returns the copies moved.
fn fit_copies(
    w: &Write<'_>,
    document: DocumentId,
    level: Level,
    move_to: Option<CabinetId>,
) -> Result<Vec<u32>, LedgerError> {
    let copies: Vec<(CopyId, u32, Option<i64>)> = {
        let mut stmt = w.tx.prepare(
            "SELECT id, copy_no, cabinet_id FROM copies WHERE document_id = ?1 \
             AND state = 'in_cabinet' ORDER BY copy_no",
        )?;
        let rows = stmt.query_map([document.0], |r| {
            Ok((CopyId(r.get(0)?), r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    let mut misfit: Vec<(CopyId, u32, String)> = Vec::new();
    for (copy, n, cabinet) in copies {
        let Some(cabinet) = cabinet else { continue };
        if let Err(LedgerError::Invalid(m)) = custody::fit_cabinet(w.tx, CabinetId(cabinet), level)
        {
            misfit.push((copy, n, m.zh().to_owned()));
        }
    }
    if misfit.is_empty() {
        return Ok(Vec::new());
    }
    let Some(to) = move_to else {
        let list: Vec<String> = misfit
            .iter()
            .map(|(_, n, why)| format!("第{n}份（{why}）"))
            .collect();
        return Err(LedgerError::Invalid(Message::new(
            format!(
                "新密级下这些份号所在的专柜不合规定：{}。请选择一个符合新密级的专柜，变更时一并移入",
                list.join("；")
            ),
            format!(
                "Under the new level these copies sit in a cabinet not designated for it: {}. Choose a cabinet fit for the new level to move them into",
                list.join("; ")
            ),
        )));
    };
    let note = format!("变更密级为{}，移入合规专柜", level.label_zh());
    let mut moved = Vec::new();
    for (copy, n, _) in misfit {
        custody::change(
            w,
            &custody::Change {
                copy,
                expected: CopyState::InCabinet,
                to: CopyState::InCabinet,
                cabinet: Some(to),
                holder: None,
                place: "",
                note: &note,
                flow: CustodyFlow::Manual,
            },
        )?;
        moved.push(n);
    }
    Ok(moved)
}

/// The decisions recorded for a document, oldest first.
pub fn history(s: &Session, document: DocumentId) -> Result<Vec<Record>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(
        "SELECT x.kind, x.from_level, x.from_period_kind, x.from_period_value, x.to_level, \
         x.to_period_kind, x.to_period_value, x.decided_on, x.decided_by, x.authority, x.reason, \
         x.at, u.login FROM secrecy_decisions x JOIN users u ON u.id = x.user_id \
         WHERE x.document_id = ?1 ORDER BY x.id",
    )?;
    let rows = stmt.query_map([document.0], |r| {
        let mark = |l: usize, k: usize, v: usize| -> rusqlite::Result<String> {
            let level = code_col(r, l, Level::from_code)?;
            let value: String = r.get(v)?;
            let period = code_col(r, k, |kind| SecrecyPeriod::from_parts(kind, &value))?;
            Ok(marking(level, &period))
        };
        let kind = code_col(r, 0, DecisionKind::from_code)?;
        let from_marking = mark(1, 2, 3)?;
        let to_marking = if kind == DecisionKind::Declassify {
            format!("已解密（原{from_marking}）")
        } else {
            mark(4, 5, 6)?
        };
        Ok(Record {
            kind,
            from_marking,
            to_marking,
            decided_on: r.get(7)?,
            decided_by: r.get(8)?,
            authority: r.get(9)?,
            reason: r.get(10)?,
            at: r.get(11)?,
            login: r.get(12)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
