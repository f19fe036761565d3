//! User accounts (`users`): a login tied to a person, with one role (R3.3.2). Each active
//! account has a passphrase slot in the key file.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;

use super::people::{self, NewPerson, PersonId};
use super::{AuditAction, Event, LedgerError, Session, code_col};
use crate::domain::Role;
use crate::domain::passphrase::strength;
use crate::vault::Passphrase;

/// A user account's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct UserId(pub i64);

/// The signed-in user, kept in the session so later code can check the role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub login: String,
    pub person_id: PersonId,
    pub name: String,
    pub department: String,
    pub role: Role,
}

/// A user account as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRow {
    pub id: UserId,
    pub login: String,
    /// The person the account belongs to.
    pub person_id: PersonId,
    pub name: String,
    pub department: String,
    pub role: Role,
    pub active: bool,
}

/// A new account and the person it belongs to.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub person: NewPerson,
    pub role: Role,
}

const SELECT: &str = "SELECT u.id, u.login, u.person_id, p.name, p.department, u.role, u.active \
                      FROM users u JOIN people p ON p.id = u.person_id";

/// Logins: 1 to 32 characters of ASCII letters, digits, `.`, `_`, `-`, starting with a letter.
pub fn validate_login(login: &str) -> Result<(), LedgerError> {
    let ok = (1..=32).contains(&login.len())
        && login.starts_with(|c: char| c.is_ascii_alphabetic())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(LedgerError::Invalid(
            "登录名须以英文字母开头，只含字母、数字和 . _ -，最长 32 个字符".into(),
        ))
    }
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    login: &str,
    person: PersonId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<UserId, LedgerError> {
    validate_login(login)?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE login = ?1)",
        [login],
        |r| r.get(0),
    )?;
    if exists {
        return Err(LedgerError::Invalid(format!("登录名 {login} 已被使用")));
    }
    tx.execute(
        "INSERT INTO users (login, person_id, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![login, person.0, role.code(), now.to_rfc3339()],
    )?;
    Ok(UserId(tx.last_insert_rowid()))
}

/// The active account with this login.
pub(crate) fn current(conn: &Connection, login: &str) -> Result<Option<CurrentUser>, LedgerError> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE u.login = ?1 AND u.active = 1"),
            [login],
            |r| {
                Ok(CurrentUser {
                    id: UserId(r.get(0)?),
                    login: r.get(1)?,
                    person_id: PersonId(r.get(2)?),
                    name: r.get(3)?,
                    department: r.get(4)?,
                    role: code_col(r, 5, Role::from_code)?,
                })
            },
        )
        .optional()?)
}

/// Every account.
pub fn list(s: &Session) -> Result<Vec<UserRow>, LedgerError> {
    let mut stmt = s.conn().prepare(&format!("{SELECT} ORDER BY u.id"))?;
    let rows = stmt.query_map([], |r| {
        Ok(UserRow {
            id: UserId(r.get(0)?),
            login: r.get(1)?,
            person_id: PersonId(r.get(2)?),
            name: r.get(3)?,
            department: r.get(4)?,
            role: code_col(r, 5, Role::from_code)?,
            active: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Creates an account for a new person, with its own passphrase slot. Custodian or
/// administrator only (R3.3.2).
pub fn add_user(
    s: &mut Session,
    new: &NewUser,
    passphrase: &Passphrase,
) -> Result<UserId, LedgerError> {
    s.require("新增用户", &[Role::Custodian, Role::Admin])?;
    validate_login(&new.login)?;
    people::validate_name(&new.person.name)?;
    if !strength(passphrase.as_str()).acceptable() {
        return Err(LedgerError::Invalid("口令太短：至少 8 个字符".into()));
    }
    if s.vault.logins().iter().any(|l| l == &new.login) {
        return Err(LedgerError::Invalid(format!(
            "登录名 {} 已被使用",
            new.login
        )));
    }
    let created = s.write(|w| {
        let person = people::insert(w.tx, &new.person, w.now, w.today)?;
        let id = insert(w.tx, &new.login, person, new.role, w.now)?;
        Ok((
            id,
            Event::new(
                AuditAction::UserCreate,
                id.0,
                json!({"login": new.login, "name": new.person.name.trim(),
                               "role": new.role.code(), "person_id": person.0}),
            ),
        ))
    })?;
    // The row is committed first: a crash between the two leaves an account without a slot
    // (harmless, it cannot sign in), never a slot without an account.
    s.vault.set_passphrase(&s.ledger, &new.login, passphrase)?;
    Ok(created)
}

/// Deactivates an account and removes its passphrase slot: that passphrase stops opening the
/// vault. The person stays in the register (their history must remain readable).
pub fn deactivate_user(s: &mut Session, login: &str) -> Result<(), LedgerError> {
    s.require("停用用户", &[Role::Custodian, Role::Admin])?;
    if login == s.user.login {
        return Err(LedgerError::Invalid("不能停用自己正在使用的账户".into()));
    }
    let target = current(s.conn(), login)?.ok_or(LedgerError::UserInactive)?;
    s.vault.remove_user_slot(&s.ledger, login)?;
    s.write(|w| {
        w.tx.execute("UPDATE users SET active = 0 WHERE id = ?1", [target.id.0])?;
        Ok((
            (),
            Event::new(
                AuditAction::UserDeactivate,
                target.id.0,
                json!({"login": login}),
            ),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_plain_ascii_names() {
        assert!(validate_login("zhang.san").is_ok());
        assert!(validate_login("张三").is_err());
        assert!(validate_login("1abc").is_err());
        assert!(validate_login("").is_err());
    }
}
