//! User accounts (`users`): a login tied to a person, with one role (R3.3.2). Each active
//! account has a passphrase slot in the key file.

use crate::domain::Permission;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroize;

use super::people::{self, NewPerson, PersonId};
use super::{AuditAction, Event, LedgerError, Session, code_col};
use crate::domain::Role;
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
    /// The passphrase was chosen by someone else and not yet changed by its owner: the account
    /// may only change it (no write, no approval).
    pub must_change_passphrase: bool,
    /// Days since the owner last set the passphrase, when that is past the office's limit
    /// (R3.3.1, changed regularly): the account may only change it, as above.
    pub passphrase_expired: Option<i64>,
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
    /// Still on the passphrase someone else chose.
    pub must_change_passphrase: bool,
}

/// A new account and the person it belongs to.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub person: NewPerson,
    pub role: Role,
}

/// A new account for a person already in the register.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub person: PersonId,
    pub login: String,
    pub role: Role,
}

/// The roles an account may be opened with, in the order the form offers them.
pub const ROLES: [Role; 5] = [
    Role::Head,
    Role::DeptHead,
    Role::Custodian,
    Role::Auditor,
    Role::Admin,
];

const SELECT: &str = "SELECT u.id, u.login, u.person_id, p.name, p.department, u.role, u.active, \
                      u.must_change_passphrase FROM users u JOIN people p ON p.id = u.person_id";

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
        Err(LedgerError::Invalid(crate::domain::Message::new(
            "登录名须以英文字母开头，只含字母、数字和 . _ -，最长 32 个字符",
            "A login starts with a letter and holds letters, digits and . _ - only, at most 32 characters",
        )))
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
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("登录名 {login} 已被使用"),
            format!("Login {login} is taken"),
        )));
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
                    must_change_passphrase: r.get(7)?,
                    passphrase_expired: None,
                })
            },
        )
        .optional()?)
}

/// The passphrase rules (R3.3.1) for a new passphrase of `login`: long, not holding the login,
/// not easy to guess ([`crate::domain::passphrase`]).
pub(crate) fn passphrase_rules(login: &str, passphrase: &Passphrase) -> Result<(), LedgerError> {
    crate::domain::passphrase::check(passphrase.as_str(), login)
        .map_err(|p| LedgerError::Invalid(crate::domain::Message::new(p.to_string(), p.en())))
}

/// Days since `user` last set their passphrase (its creation or the upgrade that added the
/// record, when never), if that is more than `max_days` (0: no limit).
pub(crate) fn passphrase_age_past(
    conn: &Connection,
    user: UserId,
    zone: crate::domain::OfficeZone,
    now: DateTime<Utc>,
    max_days: u32,
) -> Result<Option<i64>, LedgerError> {
    if max_days == 0 {
        return Ok(None);
    }
    let since: String = conn.query_row(
        "SELECT coalesce(passphrase_changed_at, created_at) FROM users WHERE id = ?1",
        [user.0],
        |r| r.get(0),
    )?;
    let Ok(since) = DateTime::parse_from_rfc3339(&since) else {
        return Ok(None);
    };
    let days = (zone.date_of(now) - zone.date_of(since.with_timezone(&Utc))).num_days();
    Ok((days > i64::from(max_days)).then_some(days))
}

/// Every account.
pub fn list(s: &Session) -> Result<Vec<UserRow>, LedgerError> {
    s.require("查看用户账户", Permission::ReadAccounts)?;
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
            must_change_passphrase: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Creates an account for a new person, with its own passphrase slot (the CLI's `add-user`).
/// Refused when the register already has an active person of that name in that department:
/// the account is then opened for that person ([`add_account`]), never for a duplicate.
/// Custodian or administrator only (R3.3.2). The owner must change the passphrase at first
/// sign-in.
pub fn add_user(
    s: &mut Session,
    new: &NewUser,
    passphrase: &Passphrase,
) -> Result<UserId, LedgerError> {
    s.require("新增用户", Permission::Accounts)?;
    people::validate_name(&new.person.name)?;
    let name = new.person.name.trim();
    let department = new.person.department.trim();
    if let Some(p) = people::list(s)?
        .into_iter()
        .find(|p| p.active && p.name == name && p.department.trim() == department)
    {
        return Err(LedgerError::Invalid(crate::domain::Message::from(format!(
            "人员登记中已有{name}（{}，编号 {}）：请为其开通账户（add-user --person {}），不要重复登记",
            if department.is_empty() {
                "未填部门"
            } else {
                department
            },
            p.id.0,
            p.id.0
        ))));
    }
    create(s, Owner::New(&new.person), &new.login, new.role, passphrase)
}

/// Opens an account for a person already in the register, with the passphrase typed by the
/// custodian (the CLI). The owner must change it at first sign-in.
pub fn add_account(
    s: &mut Session,
    new: &NewAccount,
    passphrase: &Passphrase,
) -> Result<UserId, LedgerError> {
    s.require("开通账户", Permission::Accounts)?;
    create(
        s,
        Owner::Existing(new.person),
        &new.login,
        new.role,
        passphrase,
    )
}

/// Opens an account for a person already in the register with a one-time passphrase, returned
/// to be shown once and handed to the person, who must change it at first sign-in (the GUI).
pub fn open_account(
    s: &mut Session,
    new: &NewAccount,
) -> Result<(UserId, Passphrase), LedgerError> {
    s.require("开通账户", Permission::Accounts)?;
    let once = one_time_passphrase()?;
    let id = create(s, Owner::Existing(new.person), &new.login, new.role, &once)?;
    Ok((id, once))
}

/// Whose account is created.
enum Owner<'a> {
    New(&'a NewPerson),
    Existing(PersonId),
}

fn create(
    s: &mut Session,
    owner: Owner<'_>,
    login: &str,
    role: Role,
    passphrase: &Passphrase,
) -> Result<UserId, LedgerError> {
    validate_login(login)?;
    passphrase_rules(login, passphrase)?;
    if s.vault.key_file().has_user(login) {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("登录名 {login} 已被使用"),
            format!("Login {login} is taken"),
        )));
    }
    let created = s.write_with_keys(
        |w| {
            let person = match owner {
                Owner::New(p) => people::insert(w.tx, p, w.now, w.today)?,
                Owner::Existing(id) => {
                    let p = people::get_in(w.tx, id)?;
                    if !p.active {
                        return Err(LedgerError::Invalid(crate::domain::Message::new(
                            format!("{}已离岗，不能开通账户", p.name),
                            format!("{} has left their post: no account can be opened", p.name),
                        )));
                    }
                    let has: Option<String> =
                        w.tx.query_row(
                            "SELECT login FROM users WHERE person_id = ?1 AND active = 1",
                            [id.0],
                            |r| r.get(0),
                        )
                        .optional()?;
                    if let Some(l) = has {
                        return Err(LedgerError::Invalid(crate::domain::Message::new(
                            format!("{}已有账户（登录名 {l}）；一人只能有一个在用账户", p.name),
                            format!(
                                "{} has an account already (login {l}); one person, one account",
                                p.name
                            ),
                        )));
                    }
                    id
                }
            };
            let id = insert(w.tx, login, person, role, w.now)?;
            w.tx.execute(
                "UPDATE users SET must_change_passphrase = 1 WHERE id = ?1",
                [id.0],
            )?;
            let name = people::get_in(w.tx, person)?.name;
            Ok((
                id,
                Event::new(
                    AuditAction::UserCreate,
                    id.0,
                    json!({"login": login, "name": name, "role": role.code(),
                       "person_id": person.0, "must_change_passphrase": true}),
                ),
            ))
        },
        |vault, master| vault.set_passphrase_with(master, login, passphrase),
    )?;
    Ok(created)
}

/// Marks `login`'s passphrase as changed by its owner, without the sign-in that does it in the
/// app: tests that need a ready approver use it; one test walks the real first sign-in.
#[cfg(any(test, feature = "test-support"))]
pub fn owner_changed_passphrase_for_tests(s: &mut Session, login: &str) -> Result<(), LedgerError> {
    s.ledger.conn().execute(
        "UPDATE users SET must_change_passphrase = 0 WHERE login = ?1",
        [login],
    )?;
    Ok(())
}

/// Characters of a one-time passphrase: no 0/O, 1/I/L, which are misread when copied by hand.
const ONE_TIME_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A one-time passphrase: four groups of four characters (about 79 bits), read aloud or
/// copied by hand, e.g. `K7QM-3XWD-P9RA-TN4H`.
fn one_time_passphrase() -> Result<Passphrase, LedgerError> {
    let mut text = String::with_capacity(19);
    let mut byte = [0u8; 1];
    while text.len() < 19 {
        if text.len() % 5 == 4 {
            text.push('-');
            continue;
        }
        getrandom::fill(&mut byte).map_err(|_| crate::vault::VaultError::Random)?;
        // Rejection sampling: 31 symbols, take bytes below 248 (8 × 31) so each is equally
        // likely.
        if byte[0] < 248 {
            text.push(char::from(
                ONE_TIME_ALPHABET[usize::from(byte[0]) % ONE_TIME_ALPHABET.len()],
            ));
        }
    }
    byte.zeroize();
    Ok(Passphrase::new(text))
}

/// Deactivates an account and removes its passphrase slot: that passphrase no longer opens the
/// current key file. The person stays in the register (their history must remain readable).
/// A copy of the earlier key file still opens the database with that passphrase until the vault
/// is rekeyed ([`rekey`]): the account list says so from now on.
pub fn deactivate_user(s: &mut Session, login: &str) -> Result<(), LedgerError> {
    s.require("停用用户", Permission::Accounts)?;
    if login == s.user.login {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "不能停用自己正在使用的账户",
            "You cannot deactivate the account you are signed in with",
        )));
    }
    let target = current(s.conn(), login)?.ok_or(LedgerError::UserInactive)?;
    s.vault.remove_user_slot(&s.ledger, login)?;
    s.write(|w| {
        w.tx.execute("UPDATE users SET active = 0 WHERE id = ?1", [target.id.0])?;
        mark_rekey_due(w, &format!("user:{login}"))?;
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

/// Changes the role of an active account (R3.3.2). Accounts (the administrator, or the
/// custodian holding those duties); audited with the old and new role. Nobody changes their own
/// role; the last active custodian keeps theirs (the ledger needs one); an account whose owner
/// has not yet set their own passphrase cannot become a security auditor (their seal key would
/// be wrapped by a passphrase someone else knows).
pub fn change_role(s: &mut Session, login: &str, role: Role) -> Result<(), LedgerError> {
    s.require("变更用户角色", Permission::Accounts)?;
    if login == s.user.login {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            "不能变更自己的角色",
            "Nobody changes their own role",
        )));
    }
    let target = current(s.conn(), login)?.ok_or(LedgerError::UserInactive)?;
    if target.role == role {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!("{}已是{}", target.name, role.label_zh()),
            format!("{} is {} already", target.name, role.label_en()),
        )));
    }
    if target.role == Role::Custodian {
        let custodians: i64 = s.conn().query_row(
            "SELECT count(*) FROM users WHERE role = 'custodian' AND active = 1",
            [],
            |r| r.get(0),
        )?;
        if custodians <= 1 {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                format!(
                    "{}是唯一的在用保密员：请先为接任者开通保密员账户",
                    target.name
                ),
                format!(
                    "{} is the only active custodian: open a custodian account for the successor first",
                    target.name
                ),
            )));
        }
    }
    if role == Role::Auditor && target.must_change_passphrase {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "{}还在使用他人设置的一次性口令：本人修改口令之后才能成为安全审计员",
                target.name
            ),
            format!(
                "{} still has a one-time passphrase: they must set their own before becoming a security auditor",
                target.name
            ),
        )));
    }
    s.write(|w| {
        w.tx.execute(
            "UPDATE users SET role = ?2 WHERE id = ?1",
            params![target.id.0, role.code()],
        )?;
        Ok((
            (),
            Event::new(
                AuditAction::UserRoleChange,
                target.id.0,
                json!({"login": login, "from": target.role.code(), "to": role.code()}),
            ),
        ))
    })
}

/// Settings key: why and since when a rekey is due (JSON), absent when none is.
const REKEY_DUE: &str = "rekey_due";

/// Why a rekey is due: the accounts deactivated and recovery keys replaced since the last one.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Default)]
pub struct RekeyDue {
    /// When the first reason arose (RFC 3339).
    pub since: String,
    /// `user:LOGIN` for a deactivated account, `recovery` for a replaced recovery key,
    /// [`REKEY_UNCONFIRMED`] for a rekey whose new secrets nobody confirmed writing down (it
    /// did not finish, or the window closed before they were noted).
    pub reasons: Vec<String>,
}

impl RekeyDue {
    /// Each reason in words (the accounts list and the 工作台 say the same).
    pub fn why(&self) -> Vec<crate::domain::Message> {
        self.reasons
            .iter()
            .map(|r| match r.strip_prefix("user:") {
                Some(l) => crate::domain::Message::new(
                    format!("停用了账户 {l}"),
                    format!("account {l} deactivated"),
                ),
                None if r == REKEY_UNCONFIRMED => crate::domain::Message::new(
                    "上次重新加密未完成，或其新恢复密钥与一次性口令未确认抄写（请再做一次，换成新的）",
                    "the last rekey did not finish, or its new recovery key and one-time passphrases were not confirmed written down (do it again for fresh ones)",
                ),
                None => crate::domain::Message::new("更换了恢复密钥", "recovery key replaced"),
            })
            .collect()
    }
}

/// The reason a rekey stays due from its start until the new recovery key and one-time
/// passphrases are confirmed written down ([`rekey_noted`]): a crash or a power cut between
/// the swap and that moment leaves the vault under keys nobody knows but the signed-in users'
/// passphrases, and the rekey is offered again for fresh ones.
pub const REKEY_UNCONFIRMED: &str = "unconfirmed";

/// The new recovery key and one-time passphrases of the last rekey were written down: the
/// rekey is no longer due for that reason (audited).
pub fn rekey_noted(s: &mut Session) -> Result<(), LedgerError> {
    s.require("确认已抄写新密钥", Permission::Accounts)?;
    let uid = s.user.id;
    s.write(|w| {
        let due: Option<RekeyDue> =
            super::settings::get(w.tx, REKEY_DUE)?.and_then(|t| serde_json::from_str(&t).ok());
        if let Some(mut due) = due {
            due.reasons.retain(|r| r != REKEY_UNCONFIRMED);
            if due.reasons.is_empty() {
                w.tx.execute("DELETE FROM settings WHERE key = ?1", [REKEY_DUE])?;
            } else {
                let text = serde_json::to_string(&due).expect("RekeyDue serializes");
                super::settings::put(w.tx, REKEY_DUE, &text)?;
            }
        }
        Ok((
            (),
            Event::new(AuditAction::VaultRekeyNoted, uid.0, json!({})),
        ))
    })
}

/// Whether a rekey is due, and why.
pub fn rekey_due(s: &Session) -> Result<Option<RekeyDue>, LedgerError> {
    Ok(super::settings::get(s.conn(), REKEY_DUE)?.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Adds `reason` to the rekey that is due (inside a write).
pub(crate) fn mark_rekey_due(
    w: &super::session::Write<'_>,
    reason: &str,
) -> Result<(), LedgerError> {
    let mut due: RekeyDue = super::settings::get(w.tx, REKEY_DUE)?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| RekeyDue {
            since: w.at(),
            reasons: Vec::new(),
        });
    if !due.reasons.iter().any(|r| r == reason) {
        due.reasons.push(reason.to_owned());
    }
    let text = serde_json::to_string(&due).expect("RekeyDue serializes");
    super::settings::put(w.tx, REKEY_DUE, &text)
}

/// How an account's slot is wrapped again by a rekey.
pub enum RekeyHow {
    /// Its owner typed their passphrase in this sitting.
    Typed(Passphrase),
    /// A one-time passphrase (shown once) that the owner must change at their next sign-in.
    OneTime,
}

/// What a rekey hands over, to show once: the new recovery key and each one-time passphrase.
pub struct Rekeyed {
    pub recovery: crate::vault::RecoveryKey,
    pub one_time: Vec<(String, Passphrase)>,
}

/// Rekeys the vault (R3.3.2; `docs/security.md`, "Removed users and old key files"): a new
/// master key, the database re-encrypted under it, a new recovery key, and every active account
/// wrapped again — with the passphrase its owner types in this sitting, or with a one-time
/// passphrase they must change at their next sign-in. A copy of an earlier `ledger.keys` (a
/// removed user's, a replaced recovery key's) then opens nothing written after. The audit chain
/// and the auditors' seals go on unchanged. Accounts (the administrator, or the custodian holding
/// those duties); audited before and after.
pub fn rekey(s: &mut Session, accounts: Vec<(String, RekeyHow)>) -> Result<Rekeyed, LedgerError> {
    let ready = prepare_rekey(s, accounts)?.run()?;
    finish_rekey(s, ready)
}

/// Checks a rekey's choices (every active account named, auditors typing theirs) and makes
/// the one-time passphrases; the key work is [`RekeyPrep::run`], off the UI thread.
pub fn prepare_rekey(
    s: &Session,
    accounts: Vec<(String, RekeyHow)>,
) -> Result<RekeyPrep, LedgerError> {
    s.require("重新加密台账", Permission::Accounts)?;
    let active: Vec<UserRow> = list(s)?.into_iter().filter(|u| u.active).collect();
    for (login, _) in &accounts {
        if !active.iter().any(|u| &u.login == login) {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                format!("{login} 不是在用账户"),
                format!("{login} is not an active account"),
            )));
        }
    }
    if let Some(u) = active
        .iter()
        .find(|u| !accounts.iter().any(|(l, _)| *l == u.login))
    {
        return Err(LedgerError::Invalid(crate::domain::Message::new(
            format!(
                "{}（{}）的口令如何处理尚未选择：本人输入，或发一次性口令",
                u.name, u.login
            ),
            format!(
                "Choose for {} ({}): typed by its owner, or a one-time passphrase",
                u.name, u.login
            ),
        )));
    }
    // An auditor's seal key is wrapped by their own passphrase: a one-time passphrase could
    // never open it again, and their seals would be lost to them.
    for (login, how) in &accounts {
        if matches!(how, RekeyHow::OneTime) && s.vault.key_file().has_seal_key(login) {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                format!("{login} 持有封存密钥（安全审计员）：须本人在场输入口令，不能发一次性口令"),
                format!(
                    "{login} holds a seal key (security auditor): they must type their passphrase; a one-time passphrase would lose it"
                ),
            )));
        }
    }
    let mut wraps = Vec::with_capacity(accounts.len());
    let mut one_time = Vec::new();
    for (login, how) in accounts {
        match how {
            RekeyHow::Typed(p) => wraps.push((login, crate::vault::rekey::Rewrap::Typed(p))),
            RekeyHow::OneTime => {
                let p = one_time_passphrase()?;
                let copy = Passphrase::new(p.as_str().to_owned());
                one_time.push((login.clone(), copy));
                wraps.push((login, crate::vault::rekey::Rewrap::OneTime(p)));
            }
        }
    }
    Ok(RekeyPrep {
        keys: s.vault.key_file().clone(),
        counter: s.vault.attempts_counter(),
        wraps,
        one_time,
    })
}

/// A rekey's key work, to run off the UI thread ([`RekeyPrep::run`]): every typed passphrase
/// checked, every slot wrapped again under a new master key.
pub struct RekeyPrep {
    keys: crate::vault::KeyFile,
    counter: crate::vault::attempts::Counter,
    wraps: Vec<(String, crate::vault::rekey::Rewrap)>,
    one_time: Vec<(String, Passphrase)>,
}

/// What [`RekeyPrep::run`] gives [`finish_rekey`].
pub struct RekeyReady {
    prepared: crate::vault::rekey::PreparedKeys,
    typed: Vec<String>,
    one_time: Vec<(String, Passphrase)>,
}

impl RekeyPrep {
    /// The Argon2id work: one derivation per typed passphrase to check it and one per account
    /// to wrap the new master key.
    pub fn run(self) -> Result<RekeyReady, LedgerError> {
        for (login, how) in &self.wraps {
            // Each typed passphrase counts like a sign-in of its owner.
            if let crate::vault::rekey::Rewrap::Typed(p) = how {
                match self
                    .counter
                    .check(&self.keys, login, || self.keys.verify_user(login, p))
                {
                    Ok(()) => {}
                    Err(e @ crate::vault::VaultError::SignInDelayed { .. }) => {
                        return Err(e.into());
                    }
                    Err(_) => {
                        return Err(LedgerError::Invalid(crate::domain::Message::new(
                            format!("{login} 输入的口令不正确"),
                            format!("The passphrase typed for {login} is wrong"),
                        )));
                    }
                }
            }
        }
        let prepared = crate::vault::rekey::prepare(&self.keys, &self.wraps)?;
        let typed = self
            .wraps
            .iter()
            .filter(|(_, h)| matches!(h, crate::vault::rekey::Rewrap::Typed(_)))
            .map(|(l, _)| l.clone())
            .collect();
        Ok(RekeyReady {
            prepared,
            typed,
            one_time: self.one_time,
        })
    }
}

/// Rekeys with the key work done: the database exported under the new master key and the files
/// swapped (no key derivation here), audited before and after. See [`rekey`].
pub fn finish_rekey(s: &mut Session, ready: RekeyReady) -> Result<Rekeyed, LedgerError> {
    s.require("重新加密台账", Permission::Accounts)?;
    let RekeyReady {
        prepared,
        typed,
        one_time,
    } = ready;
    let once: Vec<String> = one_time.iter().map(|(l, _)| l.clone()).collect();
    let due = rekey_due(s)?;
    let uid = s.user.id;
    let chain_key = super::hex(s.ledger.audit_key().expose());
    let detail = serde_json::json!({"typed": typed, "one_time": once,
        "reasons": due.as_ref().map(|d| d.reasons.clone()).unwrap_or_default()});
    // The chain keeps its key: stored in the database before the master key changes.
    s.write(|w| {
        w.tx.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES ('audit_chain_key', ?1)",
            [&chain_key],
        )?;
        // Due until the new secrets are confirmed noted (copied into the new database).
        mark_rekey_due(w, REKEY_UNCONFIRMED)?;
        Ok((
            (),
            Event::new(AuditAction::VaultRekeyStart, uid.0, detail.clone()),
        ))
    })?;
    let recovery = match s.vault.rekey_prepared(&mut s.ledger, prepared) {
        Ok(r) => r,
        Err(crate::vault::VaultError::Damaged) => {
            return Err(LedgerError::Invalid(crate::domain::Message::new(
                "准备期间账户有变化（开通或停用了账户）：请重新打开“重新加密台账”",
                "The accounts changed while the rekey was prepared: open it again",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    s.write(|w| {
        for login in &once {
            w.tx.execute(
                "UPDATE users SET must_change_passphrase = 1 WHERE login = ?1",
                [login],
            )?;
        }
        // The reasons are answered; only the noting of the new secrets is left.
        let left = RekeyDue {
            since: w.at(),
            reasons: vec![REKEY_UNCONFIRMED.to_owned()],
        };
        let text = serde_json::to_string(&left).expect("RekeyDue serializes");
        super::settings::put(w.tx, REKEY_DUE, &text)?;
        Ok(((), Event::new(AuditAction::VaultRekey, uid.0, detail)))
    })?;
    if once.contains(&s.user.login) {
        s.user.must_change_passphrase = true;
    }
    Ok(Rekeyed { recovery, one_time })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passphrases_are_four_groups_without_look_alikes() {
        let a = one_time_passphrase().unwrap();
        let b = one_time_passphrase().unwrap();
        assert_ne!(a.as_str(), b.as_str());
        let groups: Vec<&str> = a.as_str().split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(groups.iter().all(|g| g.len() == 4));
        assert!(!a.as_str().contains(['0', 'O', '1', 'I', 'L']));
        assert!(crate::domain::passphrase::check(a.as_str(), "zhang").is_ok());
    }

    #[test]
    fn logins_are_plain_ascii_names() {
        assert!(validate_login("zhang.san").is_ok());
        assert!(validate_login("张三").is_err());
        assert!(validate_login("1abc").is_err());
        assert!(validate_login("").is_err());
    }
}
