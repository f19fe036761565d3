//! Incidents (泄密/丢失事件, R5.1: leaks and losses are pursued): what happened and when, the
//! copies involved (recorded as lost through the custody path where so), the people involved,
//! the measures taken, to whom and when it was reported, and the outcome. Opened by hand or in
//! one click from a stock-taking's missing copy or a loan lost; completed as it develops; a
//! closed incident is never changed.

use crate::domain::Permission;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::borrowing::BorrowId;
use super::documents::{CopyId, next_seq};
use super::people::PersonId;
use super::stocktake::StocktakeId;
use super::{AuditAction, Event, LedgerError, Session, code_col, custody};
use crate::domain::Message;
use crate::domain::copy_state::{CopyState, CustodyFlow};

/// An incident's id (`incident-N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct IncidentId(pub i64);

/// What kind of incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// 丢失: a carrier cannot be found.
    Loss,
    /// 泄密: secret information reached someone not entitled to it.
    Leak,
    /// 其他违规.
    Other,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Loss, Kind::Leak, Kind::Other];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Loss => "loss",
            Kind::Leak => "leak",
            Kind::Other => "other",
        }
    }

    pub fn from_code(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Loss => "丢失",
            Kind::Leak => "泄密",
            Kind::Other => "其他违规",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Kind::Loss => "loss",
            Kind::Leak => "leak",
            Kind::Other => "other breach",
        }
    }
}

/// A new incident.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIncident {
    pub kind: Kind,
    pub occurred_on: NaiveDate,
    pub discovered_on: NaiveDate,
    pub description: String,
    /// The copies involved, and whether each is to be recorded as lost now.
    pub copies: Vec<(CopyId, bool)>,
    pub people: Vec<PersonId>,
    /// People involved who are not in the register.
    pub people_note: String,
    pub measures: String,
    pub stocktake: Option<StocktakeId>,
    pub borrow: Option<BorrowId>,
}

/// What is completed as the incident develops.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    pub measures: String,
    pub reported_to: String,
    pub reported_on: Option<NaiveDate>,
    pub outcome: String,
}

/// An incident as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: IncidentId,
    pub incident_no: String,
    pub kind: Kind,
    pub occurred_on: String,
    pub discovered_on: String,
    pub description: String,
    pub people_note: String,
    pub measures: String,
    pub reported_to: String,
    pub reported_on: Option<String>,
    pub outcome: String,
    pub closed: bool,
    pub closed_on: Option<String>,
    pub stocktake: Option<String>,
    pub borrow: Option<String>,
    pub created_at: String,
    pub created_by: String,
    /// (copy, 《title》第n份, recorded lost by it).
    pub copies: Vec<(CopyId, String, bool)>,
    pub people: Vec<(PersonId, String)>,
}

/// The number pattern.
pub const PATTERN: &str = "事件〔{year}〕{seq}号";

fn bad<T>(m: impl Into<Message>) -> Result<T, LedgerError> {
    Err(LedgerError::Invalid(m.into()))
}

/// Records an incident; copies marked lost move to 丢失 through the custody path (refused for a
/// copy a flow holds: a loan is reported lost under 借阅, a sending under 发文).
pub fn open(s: &mut Session, n: &NewIncident) -> Result<IncidentId, LedgerError> {
    s.require("登记泄密/丢失事件", Permission::Incidents)?;
    if n.description.trim().is_empty() {
        return bad(("请写明发生了什么", "Describe what happened"));
    }
    if n.occurred_on > n.discovered_on || n.discovered_on > s.today() {
        return bad((
            "发生日期不能晚于发现日期，发现日期不能晚于今天",
            "It cannot have happened after it was found, nor been found after today",
        ));
    }
    let mut copies: Vec<(CopyId, bool)> = Vec::new();
    for (c, lost) in &n.copies {
        match copies.iter_mut().find(|(x, _)| x == c) {
            Some(entry) => entry.1 |= *lost,
            None => copies.push((*c, *lost)),
        }
    }
    s.write(|w| {
        let year = w.today.year();
        let seq = next_seq(w.tx, "incident", year)?;
        let no = PATTERN
            .replace("{year}", &year.to_string())
            .replace("{seq}", &seq.to_string());
        w.tx.execute(
            "INSERT INTO incidents (incident_no, kind, occurred_on, discovered_on, description, \
             people_note, measures, state, stocktake_id, borrow_id, created_at, created_by, \
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?9, ?10, ?11, ?10)",
            params![
                no,
                n.kind.code(),
                n.occurred_on.to_string(),
                n.discovered_on.to_string(),
                n.description.trim(),
                n.people_note.trim(),
                n.measures.trim(),
                n.stocktake.map(|x| x.0),
                n.borrow.map(|x| x.0),
                w.at(),
                w.user.0
            ],
        )?;
        let id = IncidentId(w.tx.last_insert_rowid());
        let note = format!("{no}：{}", n.description.trim());
        let mut marked: Vec<i64> = Vec::new();
        for (copy, lost) in &copies {
            let state: CopyState = w
                .tx
                .query_row("SELECT state FROM copies WHERE id = ?1", [copy.0], |r| {
                    code_col(r, 0, CopyState::from_code)
                })
                .optional()?
                .ok_or_else(|| {
                    LedgerError::Invalid(Message::from(format!("台账中没有 copy-{}", copy.0)))
                })?;
            let mark_lost = *lost && state != CopyState::Lost;
            if mark_lost {
                custody::change(
                    w,
                    &custody::Change {
                        copy: *copy,
                        expected: state,
                        to: CopyState::Lost,
                        cabinet: None,
                        holder: None,
                        place: "",
                        note: &note,
                        flow: CustodyFlow::Manual,
                    },
                )?;
            }
            if mark_lost {
                marked.push(copy.0);
            }
            w.tx.execute(
                "INSERT INTO incident_copies (incident_id, copy_id, marked_lost) VALUES (?1, ?2, ?3)",
                params![id.0, copy.0, mark_lost],
            )?;
        }
        for p in &n.people {
            w.tx.execute(
                "INSERT OR IGNORE INTO incident_people (incident_id, person_id) VALUES (?1, ?2)",
                params![id.0, p.0],
            )?;
        }
        Ok((
            id,
            Event::new(
                AuditAction::IncidentOpen,
                id.0,
                json!({"incident_no": no, "kind": n.kind.code(),
                       "occurred_on": n.occurred_on.to_string(),
                       "description": n.description.trim(),
                       "copy_ids": copies.iter().map(|(c, _)| c.0).collect::<Vec<_>>(),
                       "lost_copy_ids": marked,
                       "people_person_ids": n.people.iter().map(|p| p.0).collect::<Vec<_>>(),
                       "stocktake_id": n.stocktake.map(|x| x.0),
                       "borrow_id": n.borrow.map(|x| x.0)}),
            ),
        ))
    })
}

/// Completes an open incident (measures, report, outcome so far). With `close`, the outcome is
/// required and the incident is closed for good.
pub fn update(
    s: &mut Session,
    id: IncidentId,
    p: &Progress,
    close: bool,
) -> Result<(), LedgerError> {
    s.require("补充事件处理情况", Permission::Incidents)?;
    if close && p.outcome.trim().is_empty() {
        return bad(("办结须写明处理结果", "Closing needs the outcome"));
    }
    if p.reported_on.is_some_and(|d| d > s.today()) {
        return bad((
            "报告日期不能晚于今天",
            "The report date cannot be after today",
        ));
    }
    let told = !p.reported_to.trim().is_empty();
    if p.reported_on.is_some() != told {
        return bad((
            "报告对象和报告日期须一并填写",
            "Write both to whom and when it was reported",
        ));
    }
    s.write(|w| {
        let (no, state): (String, String) =
            w.tx.query_row(
                "SELECT incident_no, state FROM incidents WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| {
                LedgerError::Invalid(Message::from(format!("没有 incident-{}", id.0)))
            })?;
        if state == "closed" {
            return bad((
                format!("{no}已办结，不能再修改"),
                format!("{no} is closed and cannot be changed"),
            ));
        }
        w.tx.execute(
            "UPDATE incidents SET measures = ?2, reported_to = ?3, reported_on = ?4, outcome = ?5, \
             updated_at = ?6, state = ?7, closed_on = ?8 WHERE id = ?1",
            params![
                id.0,
                p.measures.trim(),
                p.reported_to.trim(),
                p.reported_on.map(|d| d.to_string()),
                p.outcome.trim(),
                w.at(),
                if close { "closed" } else { "open" },
                close.then(|| w.today.to_string())
            ],
        )?;
        Ok((
            (),
            Event::new(
                if close {
                    AuditAction::IncidentClose
                } else {
                    AuditAction::IncidentUpdate
                },
                id.0,
                json!({"incident_no": no, "measures": p.measures.trim(),
                       "reported_to": p.reported_to.trim(),
                       "reported_on": p.reported_on.map(|d| d.to_string()),
                       "outcome": p.outcome.trim()}),
            ),
        ))
    })
}

const SELECT: &str = "SELECT i.id, i.incident_no, i.kind, i.occurred_on, i.discovered_on, \
     i.description, i.people_note, i.measures, i.reported_to, i.reported_on, i.outcome, \
     i.state = 'closed', i.closed_on, t.round_no, b.form_no, i.created_at, u.login \
     FROM incidents i JOIN users u ON u.id = i.created_by \
     LEFT JOIN stocktakes t ON t.id = i.stocktake_id LEFT JOIN borrows b ON b.id = i.borrow_id";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        id: IncidentId(r.get(0)?),
        incident_no: r.get(1)?,
        kind: code_col(r, 2, Kind::from_code)?,
        occurred_on: r.get(3)?,
        discovered_on: r.get(4)?,
        description: r.get(5)?,
        people_note: r.get(6)?,
        measures: r.get(7)?,
        reported_to: r.get(8)?,
        reported_on: r.get(9)?,
        outcome: r.get(10)?,
        closed: r.get(11)?,
        closed_on: r.get(12)?,
        stocktake: r.get(13)?,
        borrow: r.get(14)?,
        created_at: r.get(15)?,
        created_by: r.get(16)?,
        copies: Vec::new(),
        people: Vec::new(),
    })
}

/// One incident with its copies and people.
pub fn get(s: &Session, id: IncidentId) -> Result<Incident, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut i = s
        .conn()
        .query_row(&format!("{SELECT} WHERE i.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| LedgerError::Invalid(Message::from(format!("没有 incident-{}", id.0))))?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT c.id, d.title, c.copy_no, x.marked_lost FROM incident_copies x \
         JOIN copies c ON c.id = x.copy_id JOIN documents d ON d.id = c.document_id \
         WHERE x.incident_id = ?1 ORDER BY c.id",
    )?;
    i.copies = stmt
        .query_map([id.0], |r| {
            Ok((
                CopyId(r.get(0)?),
                format!("《{}》第{}份", r.get::<_, String>(1)?, r.get::<_, u32>(2)?),
                r.get(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = s.conn().prepare_cached(
        "SELECT p.id, p.name FROM incident_people x JOIN people p ON p.id = x.person_id \
         WHERE x.incident_id = ?1 ORDER BY p.id",
    )?;
    i.people = stmt
        .query_map([id.0], |r| Ok((PersonId(r.get(0)?), r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(i)
}

/// Every incident, newest first (copies and people left empty).
pub fn list(s: &Session) -> Result<Vec<Incident>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(&format!("{SELECT} ORDER BY i.id DESC"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The incidents still open.
pub fn open_count(s: &Session) -> Result<u32, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    Ok(s.conn().query_row(
        "SELECT count(*) FROM incidents WHERE state = 'open'",
        [],
        |r| r.get(0),
    )?)
}

/// Each copy involved in an incident, with the incident's number (the newest when several).
pub fn by_copy(s: &Session) -> Result<std::collections::HashMap<CopyId, String>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(
        "SELECT x.copy_id, i.incident_no FROM incident_copies x \
         JOIN incidents i ON i.id = x.incident_id ORDER BY i.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((CopyId(r.get(0)?), r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
