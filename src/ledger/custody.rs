//! The custody of every copy (R3.1.1: every copy has one state, one place, one holder at every
//! moment). [`change`] is the one path by which a copy's state changes: registration and
//! printing put new copies in a cabinet, borrowing lends and takes back, the outgoing flow
//! sends out, a destruction list destroys, and the custodian records by hand only what no flow
//! owns ([`move_copy`]: lost, found, returned to the sender, moved to another cabinet…).
//!
//! Inside the caller's IMMEDIATE transaction it re-reads the copy, refuses a copy that moved
//! since the caller looked, checks the transition and its owner against
//! [`CopyState::check_custody`], checks the cabinet (fit for the level, R3.1.1) or the holder,
//! updates the row `WHERE state = expected`, and appends the copy's history row. The caller
//! appends its own audit event in the same transaction.

use crate::domain::Permission;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::cabinets::{self, CabinetId};
use super::documents::{CopyId, DocumentId};
use super::people::PersonId;
use super::{AuditAction, Event, LedgerError, Session, Write, code_col};
use crate::domain::copy_state::{CopyState, CustodyFlow, OpenRecord};
use crate::domain::level::Level;

/// One change of a copy's custody, as a flow (or the custodian) states it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change<'a> {
    pub copy: CopyId,
    /// The state the caller saw; the change is refused if the copy is no longer in it.
    pub expected: CopyState,
    pub to: CopyState,
    /// The cabinet, when the copy goes (back) into one.
    pub cabinet: Option<CabinetId>,
    /// Who holds it, when it leaves the cabinet.
    pub holder: Option<PersonId>,
    /// Where it is (reading room, recipient unit…).
    pub place: &'a str,
    /// Why, as the copy's history shows it.
    pub note: &'a str,
    pub flow: CustodyFlow,
}

/// The copy as the change found it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Changed {
    pub document: DocumentId,
    pub copy_no: u32,
    pub level: Level,
    pub from: CopyState,
    /// The cabinet it was in before (for a check-out: where it goes back to).
    pub from_cabinet: Option<CabinetId>,
}

/// Records one change of custody inside the write's transaction (see the module doc).
pub(crate) fn change(w: &Write<'_>, c: &Change<'_>) -> Result<Changed, LedgerError> {
    let found =
        w.tx.query_row(
            "SELECT c.document_id, c.copy_no, c.state, c.cabinet_id, d.level FROM copies c \
             JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
            [c.copy.0],
            |r| {
                Ok(Changed {
                    document: DocumentId(r.get(0)?),
                    copy_no: r.get(1)?,
                    from: code_col(r, 2, CopyState::from_code)?,
                    from_cabinet: r.get::<_, Option<i64>>(3)?.map(CabinetId),
                    level: code_col(r, 4, Level::from_code)?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "没有编号为 copy-{} 的份号",
                c.copy.0
            )))
        })?;
    if found.from != c.expected {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "第{}份已变为“{}”（刚才显示为“{}”），未作改动；请刷新后再试",
                found.copy_no,
                found.from.label_zh(),
                c.expected.label_zh()
            ),
            format!(
                "Copy {} is now “{}” (it showed “{}”); nothing was done: refresh and try again",
                found.copy_no,
                found.from.label_en(),
                c.expected.label_en()
            ),
        )));
    }
    let borrow = open_borrow(w.tx, c.copy)?;
    if c.flow != CustodyFlow::Borrowing
        && let Some((form_no, state)) = &borrow
    {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "第{}份有未办结的借阅（{form_no}，{state}），须先在借阅中办结或撤销",
                found.copy_no
            ),
            format!(
                "Copy {} has a borrowing under way ({form_no}): finish or withdraw it under Borrowing first",
                found.copy_no
            ),
        )));
    }
    let open = open_record(w.tx, c.copy, found.from, borrow.is_some())?;
    if open == OpenRecord::Distribution && c.flow == CustodyFlow::Manual {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "第{}份已分发，回执尚未收回（R3.1.2）：请先在“发文”中登记回执或途中丢失，再登记收回或丢失",
                found.copy_no
            ),
            format!(
                "Copy {} was sent out and its receipt is not back (R3.1.2): record the receipt or the loss in transit under Outgoing first",
                found.copy_no
            ),
        )));
    }
    CopyState::check_custody(Some(found.from), c.to, c.flow, open)?;
    let cabinet = if c.to == CopyState::InCabinet {
        let id = c.cabinet.ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::new(
                "入柜须选择专柜",
                "Choose the cabinet to put it in",
            ))
        })?;
        if found.from == CopyState::InCabinet && found.from_cabinet == Some(id) {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "该份号已在此专柜中",
                "This copy is in that cabinet already",
            )));
        }
        fit_cabinet(w.tx, id, found.level)?;
        Some(id)
    } else {
        None
    };
    let leaves_custody = matches!(
        c.to,
        CopyState::Borrowed | CopyState::InMeeting | CopyState::SentOut
    );
    // Leaving custody for good or for a while: handed out, sent, returned to the sender.
    let goes_away = leaves_custody || c.to == CopyState::ReturnedToSender;
    // A hold keeps the copy where it is: not handed out, sent, returned or destroyed while it
    // is open.
    if goes_away || c.to == CopyState::Destroyed {
        let (zh, en) = match c.to {
            CopyState::Borrowed => ("借出", "handed out"),
            CopyState::SentOut => ("分发", "sent out"),
            CopyState::InMeeting => ("带出", "taken out"),
            CopyState::ReturnedToSender => ("退回", "returned to the sender"),
            _ => ("销毁", "destroyed"),
        };
        super::holds::refuse_if_held(w.tx, c.copy, found.copy_no, zh, en)?;
    }
    // A copy waiting on a destruction list stays in its cabinet until it is destroyed or taken
    // off the list.
    if goes_away && let Some(list) = super::destruction::open_list_of(w.tx, c.copy)? {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "第{}份已列入{list}，不能离柜：如仍需使用，请先将其移出销毁清单",
                found.copy_no
            ),
            format!(
                "Copy {} is on {list} and stays in its cabinet: take it off the list first if it is still needed",
                found.copy_no
            ),
        )));
    }
    if leaves_custody && c.holder.is_none() && c.place.trim().is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "份号离柜须写明持有人或去向",
            "A copy leaving its cabinet needs its holder or where it goes",
        )));
    }
    let holder = if cabinet.is_some() { None } else { c.holder };
    let place = if cabinet.is_some() {
        ""
    } else {
        c.place.trim()
    };
    let updated = w.tx.execute(
        "UPDATE copies SET state = ?3, cabinet_id = ?4, holder_person_id = ?5, place = ?6 \
         WHERE id = ?1 AND state = ?2",
        params![
            c.copy.0,
            found.from.code(),
            c.to.code(),
            cabinet.map(|k| k.0),
            holder.map(|p| p.0),
            place
        ],
    )?;
    if updated != 1 {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "第{}份的状态刚被改变，未作改动；请刷新后再试",
                found.copy_no
            ),
            format!(
                "Copy {} was just changed by someone else; nothing was done: refresh and try again",
                found.copy_no
            ),
        )));
    }
    insert_event(
        w,
        c.copy,
        Some(found.from),
        c.to,
        cabinet,
        holder,
        place,
        c.note,
    )?;
    Ok(found)
}

/// Puts a new copy (份号 `copy_no` of `document`) into `cabinet`: 收文登记 and 发文印制 only.
pub(crate) fn intake(
    w: &Write<'_>,
    document: DocumentId,
    copy_no: u32,
    cabinet: CabinetId,
    note: &str,
) -> Result<CopyId, LedgerError> {
    CopyState::check_custody(
        None,
        CopyState::InCabinet,
        CustodyFlow::Intake,
        OpenRecord::None,
    )?;
    w.tx.prepare_cached(
        "INSERT INTO copies (document_id, copy_no, state, cabinet_id) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        document.0,
        copy_no,
        CopyState::InCabinet.code(),
        cabinet.0
    ])?;
    let copy = CopyId(w.tx.last_insert_rowid());
    insert_event(
        w,
        copy,
        None,
        CopyState::InCabinet,
        Some(cabinet),
        None,
        "",
        note,
    )?;
    Ok(copy)
}

/// R3.1.1: a cabinet in use and designated for the level (and, for 绝密, kept by a named person
/// and locked), read inside the transaction.
pub(crate) fn fit_cabinet(
    conn: &rusqlite::Connection,
    id: CabinetId,
    level: Level,
) -> Result<(), LedgerError> {
    let cabinet = cabinets::get_in(conn, id)?;
    if cabinet.retired {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("专柜 {} 已停用", cabinet.code),
            format!("Cabinet {} is out of use", cabinet.code),
        )));
    }
    cabinet
        .rules()
        .may_hold(level)
        .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))
}

/// The borrowing of the copy not yet closed (requested, approved or out): its form number and
/// state in words.
pub(crate) fn open_borrow(
    conn: &rusqlite::Connection,
    copy: CopyId,
) -> Result<Option<(String, &'static str)>, LedgerError> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT form_no, state FROM borrows WHERE copy_id = ?1 \
             AND state IN ('requested', 'approved', 'out') LIMIT 1",
        )?
        .query_row([copy.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(form_no, state)| {
        let words = match state.as_str() {
            "requested" => "待审批",
            "approved" => "已批准待借出",
            _ => "借出中",
        };
        (form_no, words)
    }))
}

/// What is under way for the copy: a borrowing not closed, or (for a copy sent out) a
/// distribution whose receipt has not come back.
fn open_record(
    conn: &rusqlite::Connection,
    copy: CopyId,
    state: CopyState,
    borrow_open: bool,
) -> Result<OpenRecord, LedgerError> {
    if borrow_open {
        return Ok(OpenRecord::Borrow);
    }
    if state == CopyState::SentOut {
        let waiting: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM distributions WHERE copy_id = ?1 \
                 AND receipt_returned_on IS NULL)",
            )?
            .query_row([copy.0], |r| r.get(0))?;
        if waiting {
            return Ok(OpenRecord::Distribution);
        }
    }
    Ok(OpenRecord::None)
}

#[allow(clippy::too_many_arguments)]
fn insert_event(
    w: &Write<'_>,
    copy: CopyId,
    from: Option<CopyState>,
    to: CopyState,
    cabinet: Option<CabinetId>,
    holder: Option<PersonId>,
    place: &str,
    note: &str,
) -> Result<(), LedgerError> {
    w.tx.prepare_cached(
        "INSERT INTO copy_events (copy_id, at, user_id, from_state, to_state, cabinet_id, \
         holder_person_id, place, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        copy.0,
        w.at(),
        w.user.0,
        from.map(|s| s.code()),
        to.code(),
        cabinet.map(|k| k.0),
        holder.map(|p| p.0),
        place,
        note.trim()
    ])?;
    Ok(())
}

/// A change the custodian records by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyMove {
    /// The state the screen showed; refused if the copy has moved since.
    pub expected: CopyState,
    /// The new state: lost, found (back in a cabinet), returned to the sender, another cabinet,
    /// at a meeting. Lending, sending out and destroying are refused here: each
    /// has its own flow.
    pub to: CopyState,
    /// The cabinet, when the copy goes (back) into one.
    pub cabinet: Option<CabinetId>,
    /// Who holds it, when it leaves the cabinet.
    pub holder: Option<PersonId>,
    /// Where it is.
    pub place: String,
    /// Why (required: a change by hand must say why).
    pub note: String,
}

/// The states the custodian may record by hand from `from` while `open` is under way.
pub fn manual_targets(from: CopyState, open: OpenRecord) -> Vec<CopyState> {
    let mut out: Vec<CopyState> = Vec::new();
    if from == CopyState::InCabinet && open == OpenRecord::None {
        out.push(CopyState::InCabinet);
    }
    for &to in from.next_states() {
        if CopyState::check_custody(Some(from), to, CustodyFlow::Manual, open).is_ok()
            && !out.contains(&to)
        {
            out.push(to);
        }
    }
    out
}

/// What the custody form offers for a copy now: the states the custodian may record by hand
/// (empty while a borrowing or an unreceipted distribution holds the copy).
pub fn manual_targets_for(s: &Session, copy: CopyId) -> Result<Vec<CopyState>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let state: CopyState =
        s.conn()
            .query_row("SELECT state FROM copies WHERE id = ?1", [copy.0], |r| {
                code_col(r, 0, CopyState::from_code)
            })?;
    let borrow = open_borrow(s.conn(), copy)?.is_some();
    Ok(manual_targets(
        state,
        open_record(s.conn(), copy, state, borrow)?,
    ))
}

/// R3.1.1: records by hand a change no flow owns, with a required note. Custodian; one
/// transaction with the copy's history row and the audit event.
pub fn move_copy(s: &mut Session, copy: CopyId, mv: &CopyMove) -> Result<(), LedgerError> {
    s.require("变更份号去向", Permission::Custody)?;
    if mv.note.trim().is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "请写明变更原因",
            "Write the reason for the change",
        )));
    }
    s.write(|w| {
        let found = change(
            w,
            &Change {
                copy,
                expected: mv.expected,
                to: mv.to,
                cabinet: mv.cabinet,
                holder: mv.holder,
                place: &mv.place,
                note: &mv.note,
                flow: CustodyFlow::Manual,
            },
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::CopyMove,
                copy.0,
                json!({
                    "document_id": found.document.0, "copy_no": found.copy_no,
                    "from": found.from.code(), "to": mv.to.code(),
                    "cabinet_id": mv.cabinet.filter(|_| mv.to == CopyState::InCabinet).map(|c| c.0),
                    "holder_person_id": mv.holder.filter(|_| mv.to != CopyState::InCabinet).map(|p| p.0),
                    "place": mv.place.trim(), "note": mv.note.trim(),
                }),
            ),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_1_1_the_custody_form_offers_only_what_no_flow_owns() {
        use CopyState::*;
        let none = OpenRecord::None;
        assert_eq!(
            manual_targets(InCabinet, none),
            vec![InCabinet, InMeeting, ReturnedToSender, Lost]
        );
        assert_eq!(
            manual_targets(InCabinet, OpenRecord::Borrow),
            Vec::<CopyState>::new()
        );
        assert_eq!(
            manual_targets(Borrowed, OpenRecord::Borrow),
            Vec::<CopyState>::new()
        );
        assert_eq!(
            manual_targets(SentOut, OpenRecord::Distribution),
            Vec::<CopyState>::new()
        );
        // A receipt back: the copy may be recalled (清退) or reported lost.
        assert_eq!(manual_targets(SentOut, none), vec![InCabinet, Lost]);
        assert_eq!(manual_targets(Lost, none), vec![InCabinet]);
        assert_eq!(manual_targets(Declassified, none), vec![InCabinet]);
    }
}

/// A note the flows write into a copy's history (收文登记入柜, 借阅 借阅〔2026〕1号, 经机要渠道分发…)
/// in English, for the English interface: the flows' words translated, the data they quote
/// (form numbers, units, a user's note) kept. A note typed by a user is returned as it is.
pub fn note_en(note: &str) -> String {
    use crate::domain::outgoing::Channel;
    match note {
        "收文登记入柜" => return "registered into its cabinet".into(),
        "印制入柜" => return "printed into its cabinet".into(),
        _ => {}
    }
    if let Some(rest) = note.strip_prefix("归还 ") {
        return match rest.split_once("（页数不全：") {
            Some((form, missing)) => format!(
                "returned {form} (pages missing: {})",
                missing.trim_end_matches('）')
            ),
            None => format!("returned {rest}"),
        };
    }
    if let Some(rest) = note.strip_prefix("借阅 ") {
        return match rest.split_once(" 中丢失：") {
            Some((form, what)) => format!("lost while on loan {form}: {what}"),
            None => format!("lent {rest}"),
        };
    }
    if let Some(rest) = note.strip_prefix("分发途中丢失（")
        && let Some((unit, what)) = rest.split_once("）：")
    {
        return format!("lost in transit ({unit}): {what}");
    }
    if let Some(channel) = note
        .strip_prefix('经')
        .and_then(|r| r.strip_suffix("分发"))
        .and_then(|c| Channel::ALL.into_iter().find(|x| x.label_zh() == c))
    {
        return format!("sent by {}", channel.label_en());
    }
    note.to_owned()
}

#[cfg(test)]
mod note_tests {
    use super::note_en;

    #[test]
    fn the_flows_notes_read_in_english_and_a_users_note_stays() {
        assert_eq!(note_en("收文登记入柜"), "registered into its cabinet");
        assert_eq!(note_en("借阅 借阅〔2026〕1号"), "lent 借阅〔2026〕1号");
        assert_eq!(
            note_en("归还 借阅〔2026〕1号（页数不全：缺第3页）"),
            "returned 借阅〔2026〕1号 (pages missing: 缺第3页)"
        );
        assert_eq!(note_en("经机要渠道分发"), "sent by confidential mail");
        assert_eq!(
            note_en("分发途中丢失（某单位）：邮件未到"),
            "lost in transit (某单位): 邮件未到"
        );
        assert_eq!(note_en("清查时未找到"), "清查时未找到");
    }
}
