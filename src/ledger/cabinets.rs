//! The cabinet register (`cabinets`, 专柜): code, location, highest level, responsible person,
//! locked. R3.1.1 专人专柜 and R3.4.2 locked cabinets are checked by `domain::cabinet`.

use crate::domain::Permission;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::people::PersonId;
use super::{AuditAction, Event, LedgerError, Session, code_col};
use crate::domain::cabinet::CabinetRules;
use crate::domain::level::Level;

/// A cabinet's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CabinetId(pub i64);

/// A cabinet as entered in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct CabinetInput {
    /// Short code painted on the cabinet, e.g. `JM-01`.
    pub code: String,
    /// Where it stands.
    pub location: String,
    /// The highest level it is designated for.
    pub max_level: Level,
    /// The person responsible for it (required for 绝密, R3.1.1).
    pub responsible: Option<PersonId>,
    /// Whether it locks (R3.4.2).
    pub locked: bool,
}

/// A stored cabinet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cabinet {
    pub id: CabinetId,
    pub code: String,
    pub location: String,
    pub max_level: Level,
    pub responsible: Option<PersonId>,
    /// The responsible person's name, for display.
    pub responsible_name: Option<String>,
    pub locked: bool,
    pub retired: bool,
}

impl Cabinet {
    /// The facts the domain rules need.
    pub fn rules(&self) -> CabinetRules {
        CabinetRules {
            max_level: self.max_level,
            has_responsible_person: self.responsible.is_some(),
            locked: self.locked,
        }
    }
}

const SELECT: &str = "SELECT c.id, c.code, c.location, c.max_level, c.responsible_person_id, p.name, \
                      c.locked, c.retired FROM cabinets c LEFT JOIN people p ON p.id = c.responsible_person_id";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Cabinet> {
    Ok(Cabinet {
        id: CabinetId(r.get(0)?),
        code: r.get(1)?,
        location: r.get(2)?,
        max_level: code_col(r, 3, Level::from_code)?,
        responsible: r.get::<_, Option<i64>>(4)?.map(PersonId),
        responsible_name: r.get(5)?,
        locked: r.get(6)?,
        retired: r.get(7)?,
    })
}

fn validate(
    tx: &Transaction<'_>,
    input: &CabinetInput,
    this: Option<CabinetId>,
) -> Result<(), LedgerError> {
    let code = input.code.trim();
    if code.is_empty() {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "请填写专柜编号",
            "Write the cabinet's code",
        )));
    }
    if code.chars().count() > 32 {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "专柜编号不能超过 32 个字符",
            "A cabinet code has at most 32 characters",
        )));
    }
    let taken: Option<i64> = tx
        .query_row("SELECT id FROM cabinets WHERE code = ?1", [code], |r| {
            r.get(0)
        })
        .optional()?;
    if taken.is_some_and(|id| Some(CabinetId(id)) != this) {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("专柜编号 {code} 已存在"),
            format!("Cabinet code {code} exists already"),
        )));
    }
    if let Some(p) = input.responsible {
        let exists: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM people WHERE id = ?1 AND active = 1)",
            [p.0],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "所选负责人不在人员名册中",
                "The person chosen is not in the register of people",
            )));
        }
    }
    CabinetRules {
        max_level: input.max_level,
        has_responsible_person: input.responsible.is_some(),
        locked: input.locked,
    }
    .validate_designation()
    .map_err(|e| LedgerError::Invalid(crate::domain::Explain::message(&e)))
}

fn detail(input: &CabinetInput) -> serde_json::Value {
    json!({
        "code": input.code.trim(),
        "location": input.location.trim(),
        "max_level": input.max_level.code(),
        "responsible_person_id": input.responsible.map(|p| p.0),
        "locked": input.locked,
    })
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    input: &CabinetInput,
    now: DateTime<Utc>,
) -> Result<CabinetId, LedgerError> {
    validate(tx, input, None)?;
    tx.execute(
        "INSERT INTO cabinets (code, location, max_level, responsible_person_id, locked, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            input.code.trim(),
            input.location.trim(),
            input.max_level.code(),
            input.responsible.map(|p| p.0),
            input.locked,
            now.to_rfc3339()
        ],
    )?;
    Ok(CabinetId(tx.last_insert_rowid()))
}

/// Registers a cabinet. Custodian or administrator; audited.
pub fn create(s: &mut Session, input: &CabinetInput) -> Result<CabinetId, LedgerError> {
    s.require("登记专柜", Permission::Cabinets)?;
    s.write(|w| {
        let id = insert(w.tx, input, w.now)?;
        Ok((
            id,
            Event::new(AuditAction::CabinetCreate, id.0, detail(input)),
        ))
    })
}

/// Changes a cabinet; the event keeps the values before and after.
pub fn update(s: &mut Session, id: CabinetId, input: &CabinetInput) -> Result<(), LedgerError> {
    s.require("修改专柜", Permission::Cabinets)?;
    let before = get(s, id)?;
    s.write(|w| {
        validate(w.tx, input, Some(id))?;
        // R3.1.1: every copy in the cabinet must still be fit for it under the new rules.
        let rules = CabinetRules {
            max_level: input.max_level,
            has_responsible_person: input.responsible.is_some(),
            locked: input.locked,
        };
        let mut stmt = w.tx.prepare(
            "SELECT DISTINCT d.level FROM copies c JOIN documents d ON d.id = c.document_id \
             WHERE c.cabinet_id = ?1 AND c.state = 'in_cabinet'",
        )?;
        let levels = stmt
            .query_map([id.0], |r| code_col(r, 0, Level::from_code))?
            .collect::<Result<Vec<_>, _>>()?;
        for level in levels {
            rules.may_hold(level).map_err(|e| {
                LedgerError::Invalid(crate::domain::Message::new(format!("柜中有{}文件，改后不能再存放：{e}；请先把这些份号移到其他专柜",
                    level.label_zh()
                ), format!("The cabinet holds {} documents it could no longer hold: {}; move those copies to another cabinet first",
                    level.label_en(),
                    crate::domain::Explain::en(&e)
                )))
            })?;
        }
        w.tx.execute(
            "UPDATE cabinets SET code = ?2, location = ?3, max_level = ?4, responsible_person_id = ?5, \
             locked = ?6 WHERE id = ?1",
            params![
                id.0,
                input.code.trim(),
                input.location.trim(),
                input.max_level.code(),
                input.responsible.map(|p| p.0),
                input.locked
            ],
        )?;
        Ok((
            (),
            Event::new(AuditAction::CabinetUpdate, id.0, json!({
                    "before": {
                        "code": before.code, "location": before.location,
                        "max_level": before.max_level.code(),
                        "responsible_person_id": before.responsible.map(|p| p.0),
                        "locked": before.locked,
                    },
                    "after": detail(input),
                }),
            ),
        ))
    })
}

/// One cabinet.
pub fn get(s: &Session, id: CabinetId) -> Result<Cabinet, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    get_in(s.conn(), id)
}

/// One cabinet, read on `conn` (inside a write's transaction).
pub(crate) fn get_in(conn: &rusqlite::Connection, id: CabinetId) -> Result<Cabinet, LedgerError> {
    conn.query_row(&format!("{SELECT} WHERE c.id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "没有编号为 {} 的专柜",
                id.0
            )))
        })
}

/// Every cabinet, by code.
pub fn list(s: &Session) -> Result<Vec<Cabinet>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(&format!("{SELECT} ORDER BY c.code"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The copies in a cabinet now, by document and 份号.
pub fn copies_in(s: &Session, id: CabinetId) -> Result<Vec<super::documents::CopyId>, LedgerError> {
    s.require("查看台账", Permission::ReadLedger)?;
    let mut stmt = s.conn().prepare(
        "SELECT id FROM copies WHERE state = 'in_cabinet' AND cabinet_id = ?1 \
         ORDER BY document_id, copy_no",
    )?;
    let rows = stmt.query_map([id.0], |r| Ok(super::documents::CopyId(r.get(0)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
