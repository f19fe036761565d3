//! The people register (`people`): everyone the ledger names. Minimal for now: name,
//! department, post. The document-ledger issue extends it (clearance, pledge, …).

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;

use super::{LedgerError, Session};

/// A person's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PersonId(pub i64);

/// A person to register.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub name: String,
    pub department: String,
    pub post: String,
}

/// A stored person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub department: String,
    pub post: String,
}

const SELECT: &str = "SELECT id, name, department, post FROM people";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: PersonId(r.get(0)?),
        name: r.get(1)?,
        department: r.get(2)?,
        post: r.get(3)?,
    })
}

/// Names: 1 to 50 characters after trimming. Rare characters are welcome.
pub fn validate_name(name: &str) -> Result<(), LedgerError> {
    let n = name.trim().chars().count();
    if n == 0 {
        return Err(LedgerError::Invalid("请填写姓名".into()));
    }
    if n > 50 {
        return Err(LedgerError::Invalid("姓名不能超过 50 个字".into()));
    }
    Ok(())
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    p: &NewPerson,
    now: DateTime<Utc>,
) -> Result<PersonId, LedgerError> {
    validate_name(&p.name)?;
    tx.execute(
        "INSERT INTO people (name, department, post, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            p.name.trim(),
            p.department.trim(),
            p.post.trim(),
            now.to_rfc3339()
        ],
    )?;
    Ok(PersonId(tx.last_insert_rowid()))
}

/// Every person, by name.
pub fn list(s: &Session) -> Result<Vec<Person>, LedgerError> {
    let mut stmt = s.conn().prepare(&format!("{SELECT} ORDER BY name, id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
