//! 发文 (R3.1.2): draft → 审核 → 签发 → 编号 → 登记 → 印制 → 分发, strictly in that order.
//! Each step records who did it (a person of the register), who recorded it and when; 编号
//! takes the year's next 文号 from the configured pattern inside the same transaction (no gaps,
//! no duplicates); 印制 creates the numbered copies in a cabinet fit for the level; 分发 sends
//! each copy by a channel its level allows, and the receipt (回执) is recorded when it returns.

use crate::domain::Permission;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::cabinets::CabinetId;
use super::documents::{self, CopyId, DocumentId, MAX_COPIES};
use super::people::{self, PersonId};
use super::{AuditAction, Event, LedgerError, Session, Write, code_col, custody, opt_code_col};
use crate::domain::copy_state::CopyState;
use crate::domain::copy_state::CustodyFlow;
use crate::domain::level::{Category, Level};
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::numbering::format_number;
use crate::domain::outgoing::{Channel, OutgoingStep};

/// The 拟稿 form.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingDraft {
    pub title: String,
    pub category: Category,
    pub level: Level,
    pub period: SecrecyPeriod,
    /// 成文日期 (may be corrected later with 修改登记).
    pub dated: NaiveDate,
    pub pages: u32,
    /// 拟稿人.
    pub drafter: PersonId,
    /// 主送/知悉范围.
    pub readers: String,
    pub remarks: String,
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    pub step: OutgoingStep,
    /// Who did it (reviewer, signer…), when the step names one.
    pub person: Option<PersonId>,
    pub at: String,
    pub user_id: i64,
    pub note: String,
}

/// The 分发 form for one copy.
#[derive(Debug, Clone, PartialEq)]
pub struct DistributionInput {
    /// 收件单位.
    pub recipient_unit: String,
    pub channel: Channel,
    /// The designated person who carries it (专人送达).
    pub carrier: Option<PersonId>,
    /// EMS or 机要 tracking number.
    pub tracking_no: String,
    pub sent_on: NaiveDate,
}

/// A copy sent out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub copy: CopyId,
    pub copy_no: u32,
    pub recipient_unit: String,
    pub channel: Channel,
    pub carrier: Option<PersonId>,
    pub tracking_no: String,
    pub sent_on: String,
    /// 回执 returned on.
    pub receipt_returned_on: Option<String>,
    /// Reported lost in transit on.
    pub lost_on: Option<String>,
}

/// The setting that holds the 文号 pattern.
pub const PATTERN_KEY: &str = "outgoing_pattern";

fn bad<T>(m: impl Into<crate::domain::Message>) -> Result<T, LedgerError> {
    Err(LedgerError::Invalid(m.into()))
}

fn active_person(s: &Session, id: PersonId, what: &str) -> Result<(), LedgerError> {
    let p = people::get(s, id)?;
    if !p.active {
        return bad(format!("{what}{}已离开，不能再记录", p.name));
    }
    Ok(())
}

/// 拟稿: a new outgoing document at its first step. Custodian; audited.
pub fn create_draft(s: &mut Session, d: &OutgoingDraft) -> Result<DocumentId, LedgerError> {
    s.require("发文拟稿", Permission::Outgoing)?;
    documents::validate_described(
        &documents::Described {
            title: &d.title,
            pages: d.pages,
            dated: d.dated,
            received_on: None,
            level: d.level,
            period: &d.period,
        },
        s.today(),
    )?;
    active_person(s, d.drafter, "拟稿人")?;
    let (kind, value) = d.period.to_parts();
    s.write(|w| {
        w.tx.execute(
            "INSERT INTO documents (direction, doc_no, title, category, level, period_kind, period_value, \
             dated, pages, readers, remarks, created_at, out_step, drafter_person_id) \
             VALUES ('outgoing', '', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'draft', ?11)",
            params![
                d.title.trim(),
                d.category.code(),
                d.level.code(),
                kind,
                value,
                d.dated.to_string(),
                d.pages,
                d.readers.trim(),
                d.remarks.trim(),
                w.at(),
                d.drafter.0
            ],
        )?;
        let id = DocumentId(w.tx.last_insert_rowid());
        insert_step(w, id, OutgoingStep::Draft, Some(d.drafter), "")?;
        Ok((
            id,
            Event::new(
                AuditAction::OutgoingDraft,
                id.0,
                json!({"title": d.title.trim(), "level": d.level.code(),
                       "marking": marking(d.level, &d.period), "drafter_person_id": d.drafter.0}),
            ),
        ))
    })
}

fn insert_step(
    w: &Write<'_>,
    id: DocumentId,
    step: OutgoingStep,
    person: Option<PersonId>,
    note: &str,
) -> Result<(), LedgerError> {
    w.tx.execute(
        "INSERT INTO outgoing_steps (document_id, step, person_id, at, user_id, note) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id.0,
            step.code(),
            person.map(|p| p.0),
            w.at(),
            w.user.0,
            note.trim()
        ],
    )?;
    Ok(())
}

/// The document's level and last step, read inside the transaction so that two attempts at
/// the same step cannot both pass.
fn current(tx: &Transaction<'_>, id: DocumentId) -> Result<(Level, OutgoingStep), LedgerError> {
    let row = tx
        .query_row(
            "SELECT level, out_step, voided_at IS NOT NULL FROM documents WHERE id = ?1",
            [id.0],
            |r| {
                Ok((
                    code_col(r, 0, Level::from_code)?,
                    opt_code_col(r, 1, OutgoingStep::from_code)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?;
    match row {
        None => bad(format!("台账中没有编号 {} 的文件", id.0)),
        Some((_, None, _)) => bad((
            "这不是发文，没有发文流程",
            "This is not an outgoing document: it has no outgoing flow",
        )),
        Some((_, _, true)) => bad(("该登记已作废", "This registration is voided")),
        Some((level, Some(step), false)) => Ok((level, step)),
    }
}

/// Records `step` as the next one (R3.1.2 order), with the person who did it.
fn advance(
    s: &mut Session,
    id: DocumentId,
    step: OutgoingStep,
    person: Option<PersonId>,
    note: &str,
    extra: impl FnOnce(&Write<'_>, Level) -> Result<serde_json::Value, LedgerError>,
) -> Result<(), LedgerError> {
    s.write(|w| {
        let (level, at) = current(w.tx, id)?;
        at.advance(step)
            .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
        let detail = extra(w, level)?;
        w.tx.execute(
            "UPDATE documents SET out_step = ?2 WHERE id = ?1",
            params![id.0, step.code()],
        )?;
        insert_step(w, id, step, person, note)?;
        Ok((
            (),
            Event::new(
                match step {
                    OutgoingStep::Draft => AuditAction::OutgoingDraft,
                    OutgoingStep::Reviewed => AuditAction::OutgoingReview,
                    OutgoingStep::Signed => AuditAction::OutgoingSign,
                    OutgoingStep::Numbered => AuditAction::OutgoingNumber,
                    OutgoingStep::Registered => AuditAction::OutgoingRegister,
                    OutgoingStep::Printed => AuditAction::OutgoingPrint,
                    OutgoingStep::Distributed => AuditAction::OutgoingDistribute,
                },
                id.0,
                json!({"step": step.code(), "person_id": person.map(|p| p.0),
                       "note": note.trim(), "detail": detail}),
            ),
        ))
    })
}

/// 审核 by `reviewer`.
pub fn review(
    s: &mut Session,
    id: DocumentId,
    reviewer: PersonId,
    note: &str,
) -> Result<(), LedgerError> {
    s.require("发文审核", Permission::Outgoing)?;
    active_person(s, reviewer, "审核人")?;
    advance(
        s,
        id,
        OutgoingStep::Reviewed,
        Some(reviewer),
        note,
        |_, _| Ok(json!(null)),
    )
}

/// 签发 by `signer`.
pub fn sign(
    s: &mut Session,
    id: DocumentId,
    signer: PersonId,
    note: &str,
) -> Result<(), LedgerError> {
    s.require("发文签发", Permission::Outgoing)?;
    active_person(s, signer, "签发人")?;
    advance(s, id, OutgoingStep::Signed, Some(signer), note, |_, _| {
        Ok(json!(null))
    })
}

/// The 文号 pattern in force.
pub fn pattern(s: &Session) -> Result<String, LedgerError> {
    Ok(super::settings::get_value(s, PATTERN_KEY)?
        .unwrap_or_else(|| crate::domain::numbering::DEFAULT_OUTGOING_PATTERN.to_owned()))
}

/// Sets the 文号 pattern (it must hold `{year}` and `{seq}`). Custodian or administrator;
/// audited. Numbers already given keep their text.
pub fn set_pattern(s: &mut Session, new: &str) -> Result<(), LedgerError> {
    s.require("修改文号格式", Permission::LedgerSettings)?;
    let new = new.trim();
    crate::domain::numbering::validate_pattern(new)
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
    let old = pattern(s)?;
    s.write(|w| {
        super::settings::put(w.tx, PATTERN_KEY, new)?;
        Ok((
            (),
            Event::new(
                AuditAction::SettingsUpdate,
                PATTERN_KEY,
                json!({"from": old, "to": new}),
            ),
        ))
    })
}

/// 编号: the year's next 文号 from the pattern, taken in the same transaction as the step.
/// Returns the number.
pub fn assign_number(s: &mut Session, id: DocumentId) -> Result<String, LedgerError> {
    s.require("发文编号", Permission::Outgoing)?;
    let pattern = pattern(s)?;
    crate::domain::numbering::validate_pattern(&pattern)
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
    let unit = super::settings::unit_name(s)?;
    let mut assigned = String::new();
    advance(s, id, OutgoingStep::Numbered, None, "", |w, _| {
        // The 文号 year is the office's year (R3.1.2 numbering), whatever the PC's time zone.
        let year = w.today.year();
        let seq = documents::next_seq(w.tx, "outgoing", year)?;
        assigned = format_number(&pattern, &unit, year, seq);
        w.tx.execute(
            "UPDATE documents SET doc_no = ?2 WHERE id = ?1",
            params![id.0, assigned],
        )?;
        Ok(json!({"doc_no": assigned}))
    })?;
    Ok(assigned)
}

/// 登记: the numbered document enters the ledger.
pub fn register(s: &mut Session, id: DocumentId, note: &str) -> Result<(), LedgerError> {
    s.require("发文登记", Permission::Outgoing)?;
    advance(s, id, OutgoingStep::Registered, None, note, |_, _| {
        Ok(json!(null))
    })
}

/// 印制: `count` copies, 份号 1 to `count`, into `cabinet` (R3.1.1: fit for the level).
pub fn print(
    s: &mut Session,
    id: DocumentId,
    count: u32,
    cabinet: CabinetId,
) -> Result<(), LedgerError> {
    s.require("发文印制", Permission::Outgoing)?;
    if count == 0 || count > MAX_COPIES {
        return bad(("印制份数须在 1 到 999 之间", "Print 1 to 999 copies"));
    }
    advance(s, id, OutgoingStep::Printed, None, "", |w, level| {
        custody::fit_cabinet(w.tx, cabinet, level)?;
        for n in 1..=count {
            custody::intake(w, id, n, cabinet, "印制入柜")?;
        }
        Ok(json!({"copies": count, "cabinet_id": cabinet.0}))
    })
}

/// 分发 of one copy (R3.1.2): the channel must fit the level; a designated person's delivery
/// names the person, mail names its tracking number. The first copy sent completes the 分发 step.
pub fn distribute(s: &mut Session, copy: CopyId, d: &DistributionInput) -> Result<(), LedgerError> {
    s.require("发文分发", Permission::Outgoing)?;
    if d.recipient_unit.trim().is_empty() {
        return bad(("请填写收件单位", "Write the recipient unit"));
    }
    match d.channel {
        Channel::DesignatedPerson if d.carrier.is_none() => {
            return bad((
                "专人送达须写明送达人",
                "Delivery by a designated person: name the person",
            ));
        }
        Channel::SealedEms | Channel::ConfidentialMail if d.tracking_no.trim().is_empty() => {
            return bad((
                format!("经{}分发须填写单号", d.channel.label_zh()),
                format!(
                    "Sending by {} needs its tracking number",
                    d.channel.label_en()
                ),
            ));
        }
        _ => {}
    }
    if let Some(p) = d.carrier {
        active_person(s, p, "送达人")?;
    }
    if d.sent_on > s.today() {
        return bad((
            "发出日期不能晚于今天",
            "The date sent cannot be after today",
        ));
    }
    s.write(|w| {
        let (doc, level) = w
            .tx
            .query_row(
                "SELECT c.document_id, d.level FROM copies c \
                 JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
                [copy.0],
                |r| Ok((DocumentId(r.get(0)?), code_col(r, 1, Level::from_code)?)),
            )
            .optional()?
            .ok_or_else(|| LedgerError::Invalid(crate::domain::Message::from(format!("没有编号 {} 的份号", copy.0))))?;
        d.channel
            .check(level)
            .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
        let (_, step) = current(w.tx, doc)?;
        match step {
            OutgoingStep::Printed => {
                w.tx.execute(
                    "UPDATE documents SET out_step = 'distributed' WHERE id = ?1",
                    [doc.0],
                )?;
                insert_step(w, doc, OutgoingStep::Distributed, None, "")?;
            }
            OutgoingStep::Distributed => {}
            other => {
                other
                    .advance(OutgoingStep::Distributed)
                    .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))?;
            }
        }
        let note = format!("经{}分发", d.channel.label_zh());
        let found = custody::change(
            w,
            &custody::Change {
                copy,
                expected: CopyState::InCabinet,
                to: CopyState::SentOut,
                cabinet: None,
                holder: d.carrier,
                place: &d.recipient_unit,
                note: &note,
                flow: CustodyFlow::Outgoing,
            },
        )?;
        w.tx.execute(
            "INSERT INTO distributions (copy_id, recipient_unit, channel, carrier_person_id, tracking_no, \
             sent_on, at, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                copy.0,
                d.recipient_unit.trim(),
                d.channel.code(),
                d.carrier.map(|p| p.0),
                d.tracking_no.trim(),
                d.sent_on.to_string(),
                w.at(),
                w.user.0
            ],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::OutgoingDistribute,
                copy.0,
                json!({"document_id": doc.0, "copy_no": found.copy_no,
                       "recipient_unit": d.recipient_unit.trim(), "channel": d.channel.code(),
                       "carrier_person_id": d.carrier.map(|p| p.0),
                       "tracking_no": d.tracking_no.trim(), "sent_on": d.sent_on.to_string()}),
            ),
        ))
    })
}

/// 回执: the recipient's receipt for a copy came back on `on`.
pub fn record_receipt(s: &mut Session, copy: CopyId, on: NaiveDate) -> Result<(), LedgerError> {
    s.require("登记回执", Permission::Outgoing)?;
    if on > s.today() {
        return bad((
            "回执日期不能晚于今天",
            "The receipt date cannot be after today",
        ));
    }
    s.write(|w| {
        let tx = w.tx;
        // The copy's latest sending: its receipt is what comes back.
        let sent: Option<(i64, String, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT id, sent_on, receipt_returned_on, lost_on FROM distributions \
                 WHERE copy_id = ?1 ORDER BY id DESC LIMIT 1",
                [copy.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let row = match sent {
            None => return bad(("该份号没有分发记录", "This copy has no distribution record")),
            Some((_, _, Some(_), _)) => {
                return bad((
                    "该份号的回执已登记",
                    "This copy's receipt is already recorded",
                ));
            }
            Some((_, _, None, Some(_))) => {
                return bad((
                    "该份号已登记为分发途中丢失",
                    "This copy is already recorded as lost in transit",
                ));
            }
            Some((_, sent_on, None, None)) if on.to_string() < sent_on => {
                return bad((
                    "回执日期不能早于发出日期",
                    "The receipt cannot come back before the date sent",
                ));
            }
            Some((id, ..)) => id,
        };
        tx.execute(
            "UPDATE distributions SET receipt_returned_on = ?2 WHERE id = ?1",
            params![row, on.to_string()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::OutgoingReceipt,
                copy.0,
                json!({"receipt_returned_on": on.to_string()}),
            ),
        ))
    })
}

/// 分发途中丢失: a copy sent out is reported lost before its receipt came back (R3.1.2; the
/// incident itself is followed up outside this record). The sending is closed as lost and the
/// copy becomes 丢失 with the note in its history. Custodian; audited.
pub fn report_lost_in_transit(
    s: &mut Session,
    copy: CopyId,
    on: NaiveDate,
    note: &str,
) -> Result<(), LedgerError> {
    s.require("登记分发途中丢失", Permission::Outgoing)?;
    if note.trim().is_empty() {
        return bad((
            "请写明丢失的经过（何时、何处、由谁报告）",
            "Write how it was lost (when, where, reported by whom)",
        ));
    }
    if on > s.today() {
        return bad((
            "丢失日期不能晚于今天",
            "The day of the loss cannot be after today",
        ));
    }
    s.write(|w| {
        let open: Option<(i64, String, String)> =
            w.tx.query_row(
                "SELECT id, sent_on, recipient_unit FROM distributions WHERE copy_id = ?1 \
                 AND receipt_returned_on IS NULL AND lost_on IS NULL",
                [copy.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((row, sent_on, unit)) = open else {
            return bad((
                "该份号没有等待回执的分发记录",
                "This copy has no distribution awaiting its receipt",
            ));
        };
        if on.to_string() < sent_on {
            return bad((
                "丢失日期不能早于发出日期",
                "It cannot be lost before it was sent",
            ));
        }
        let what = format!("分发途中丢失（{unit}）：{}", note.trim());
        custody::change(
            w,
            &custody::Change {
                copy,
                expected: CopyState::SentOut,
                to: CopyState::Lost,
                cabinet: None,
                holder: None,
                place: &unit,
                note: &what,
                flow: CustodyFlow::Outgoing,
            },
        )?;
        w.tx.execute(
            "UPDATE distributions SET lost_on = ?2, lost_note = ?3 WHERE id = ?1",
            params![row, on.to_string(), note.trim()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::OutgoingLost,
                copy.0,
                json!({"distribution_id": row, "lost_on": on.to_string(), "note": note.trim()}),
            ),
        ))
    })
}

/// The steps recorded for a document, in order.
pub fn steps(s: &Session, id: DocumentId) -> Result<Vec<StepRecord>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT step, person_id, at, user_id, note FROM outgoing_steps WHERE document_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(StepRecord {
            step: code_col(r, 0, OutgoingStep::from_code)?,
            person: r.get::<_, Option<i64>>(1)?.map(PersonId),
            at: r.get(2)?,
            user_id: r.get(3)?,
            note: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The copies of a document sent out, by 份号.
pub fn distributions(s: &Session, id: DocumentId) -> Result<Vec<Distribution>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT c.id, c.copy_no, x.recipient_unit, x.channel, x.carrier_person_id, x.tracking_no, \
         x.sent_on, x.receipt_returned_on, x.lost_on FROM distributions x \
         JOIN copies c ON c.id = x.copy_id WHERE c.document_id = ?1 ORDER BY c.copy_no, x.id",
    )?;
    let rows = stmt.query_map([id.0], |r| {
        Ok(Distribution {
            copy: CopyId(r.get(0)?),
            copy_no: r.get(1)?,
            recipient_unit: r.get(2)?,
            channel: code_col(r, 3, Channel::from_code)?,
            carrier: r.get::<_, Option<i64>>(4)?.map(PersonId),
            tracking_no: r.get(5)?,
            sent_on: r.get(6)?,
            receipt_returned_on: r.get(7)?,
            lost_on: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Every outgoing document, newest first.
pub fn list(s: &Session) -> Result<Vec<documents::Document>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare_cached(&format!(
        "{} WHERE direction = 'outgoing' ORDER BY id DESC",
        documents::SELECT_DOC
    ))?;
    let rows = stmt.query_map([], documents::doc_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Copies sent out whose receipt (回执) has not come back: how many, and the earliest day one of
/// them was sent.
pub fn receipts_outstanding(s: &Session) -> Result<(u32, Option<String>), LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    Ok(s.conn().query_row(
        "SELECT count(*), min(sent_on) FROM distributions WHERE receipt_returned_on IS NULL \
         AND lost_on IS NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
