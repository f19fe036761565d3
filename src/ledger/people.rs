//! The people register (`people`): everyone the ledger names — staff, borrowers, approvers,
//! cabinet keepers — with department, post, phone, clearance category (R3.5.3) and the date of
//! the confidentiality pledge (R3.5.1). People are never deleted; they leave (`active = 0`).

use crate::domain::Permission;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::{AuditAction, Event, LedgerError, Session, code_col};
use crate::domain::person::Clearance;

/// A person's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PersonId(pub i64);

/// A person as entered in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPerson {
    pub name: String,
    pub department: String,
    pub post: String,
    pub phone: String,
    pub clearance: Clearance,
    /// R3.5.1: when the pledge was signed.
    pub pledge_signed_on: Option<NaiveDate>,
}

impl Default for NewPerson {
    fn default() -> Self {
        Self {
            name: String::new(),
            department: String::new(),
            post: String::new(),
            phone: String::new(),
            clearance: Clearance::None,
            pledge_signed_on: None,
        }
    }
}

/// A stored person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub department: String,
    pub post: String,
    pub phone: String,
    pub clearance: Clearance,
    pub pledge_signed_on: Option<NaiveDate>,
    pub active: bool,
}

const SELECT: &str =
    "SELECT id, name, department, post, phone, clearance, pledge_signed_on, active FROM people";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    let pledge: Option<String> = r.get(6)?;
    Ok(Person {
        id: PersonId(r.get(0)?),
        name: r.get(1)?,
        department: r.get(2)?,
        post: r.get(3)?,
        phone: r.get(4)?,
        clearance: code_col(r, 5, Clearance::from_code)?,
        pledge_signed_on: pledge.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        active: r.get(7)?,
    })
}

/// Names: 1 to 50 characters after trimming. Rare characters are welcome.
pub fn validate_name(name: &str) -> Result<(), LedgerError> {
    let n = name.trim().chars().count();
    if n == 0 {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "请填写姓名",
            "Write the name",
        )));
    }
    if n > 50 {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "姓名不能超过 50 个字",
            "A name has at most 50 characters",
        )));
    }
    Ok(())
}

fn validate(p: &NewPerson, today: NaiveDate) -> Result<(), LedgerError> {
    validate_name(&p.name)?;
    for (label, value, max) in [
        ("部门", &p.department, 50),
        ("职务", &p.post, 50),
        ("电话", &p.phone, 30),
    ] {
        if value.trim().chars().count() > max {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                format!("{label}不能超过 {max} 个字"),
                format!("{label}: at most {max} characters"),
            )));
        }
    }
    if p.pledge_signed_on.is_some_and(|d| d > today) {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "保密承诺书签订日期不能晚于今天",
            "The pledge cannot be signed after today",
        )));
    }
    Ok(())
}

fn detail(p: &NewPerson) -> serde_json::Value {
    json!({
        "name": p.name.trim(), "department": p.department.trim(), "post": p.post.trim(),
        "phone": p.phone.trim(), "clearance": p.clearance.code(),
        "pledge_signed_on": p.pledge_signed_on.map(|d| d.to_string()),
    })
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    p: &NewPerson,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<PersonId, LedgerError> {
    validate(p, today)?;
    tx.execute(
        "INSERT INTO people (name, department, post, created_at, phone, clearance, pledge_signed_on) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            p.name.trim(),
            p.department.trim(),
            p.post.trim(),
            now.to_rfc3339(),
            p.phone.trim(),
            p.clearance.code(),
            p.pledge_signed_on.map(|d| d.to_string())
        ],
    )?;
    Ok(PersonId(tx.last_insert_rowid()))
}

/// Adds a person to the register. Custodian or administrator; audited.
pub fn add(s: &mut Session, p: &NewPerson) -> Result<PersonId, LedgerError> {
    s.require("登记人员", Permission::People)?;
    s.write(|w| {
        let id = insert(w.tx, p, w.now, w.today)?;
        Ok((id, Event::new(AuditAction::PersonCreate, id.0, detail(p))))
    })
}

/// Edits a person; the event keeps the values before and after.
pub fn update(s: &mut Session, id: PersonId, p: &NewPerson) -> Result<(), LedgerError> {
    s.require("修改人员信息", Permission::People)?;
    let before = get(s, id)?;
    s.write(|w| {
        validate(p, w.today)?;
        w.tx.execute(
            "UPDATE people SET name = ?2, department = ?3, post = ?4, phone = ?5, clearance = ?6, \
             pledge_signed_on = ?7 WHERE id = ?1",
            params![
                id.0,
                p.name.trim(),
                p.department.trim(),
                p.post.trim(),
                p.phone.trim(),
                p.clearance.code(),
                p.pledge_signed_on.map(|d| d.to_string())
            ],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::PersonUpdate,
                id.0,
                json!({
                    "before": {
                        "name": before.name, "department": before.department, "post": before.post,
                        "phone": before.phone, "clearance": before.clearance.code(),
                        "pledge_signed_on": before.pledge_signed_on.map(|d| d.to_string()),
                    },
                    "after": detail(p),
                }),
            ),
        ))
    })
}

/// One person.
pub fn get(s: &Session, id: PersonId) -> Result<Person, LedgerError> {
    s.require("查看人员登记", Permission::ReadPeople)?;
    get_in(s.conn(), id)
}

/// One person, read on `conn` (inside a write's transaction).
pub(crate) fn get_in(conn: &rusqlite::Connection, id: PersonId) -> Result<Person, LedgerError> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id.0], from_row)
        .optional()?
        .ok_or_else(|| {
            LedgerError::Invalid(crate::domain::Message::from(format!(
                "人员名册中没有编号 {}",
                id.0
            )))
        })
}

/// Every person, by name.
pub fn list(s: &Session) -> Result<Vec<Person>, LedgerError> {
    s.require("查看人员登记", Permission::ReadPeople)?;
    let mut stmt = s.conn().prepare(&format!("{SELECT} ORDER BY name, id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
