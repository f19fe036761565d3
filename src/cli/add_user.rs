//! `baomi add-user`: an account with its own passphrase slot (custodian or administrator), for
//! a person already in the register (`--person N`) or a new one. The owner must change the
//! passphrase typed here at first sign-in.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, open_session};
use crate::domain::Role;
use crate::ledger::people::{NewPerson, PersonId};
use crate::ledger::users::{self, NewAccount, NewUser};

/// Whose account it is.
pub enum Who<'a> {
    /// A person of the register, by number.
    Person(i64),
    /// A person to add to the register.
    New {
        name: &'a str,
        department: &'a str,
        post: &'a str,
    },
}

pub struct Args<'a> {
    pub login: &'a str,
    pub who: Who<'a>,
    pub role: Role,
}

pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    args: &Args<'_>,
) -> Result<(), CliError> {
    let mut session = open_session(dir, input, acting)?;
    let new_pass = input.new_passphrase(&format!("{} 的初始口令：", args.login))?;
    let result = match args.who {
        Who::Person(id) => users::add_account(
            &mut session,
            &NewAccount {
                person: PersonId(id),
                login: args.login.to_owned(),
                role: args.role,
            },
            &new_pass,
        ),
        Who::New {
            name,
            department,
            post,
        } => users::add_user(
            &mut session,
            &NewUser {
                login: args.login.to_owned(),
                person: NewPerson {
                    name: name.to_owned(),
                    department: department.to_owned(),
                    post: post.to_owned(),
                    ..Default::default()
                },
                role: args.role,
            },
            &new_pass,
        ),
    };
    let name = result
        .as_ref()
        .ok()
        .and_then(|id| {
            users::list(&session)
                .ok()?
                .into_iter()
                .find(|u| u.id == *id)
        })
        .map(|u| u.name)
        .unwrap_or_default();
    drop(session.lock("add-user"));
    let id = result?;
    out!(
        "已新增用户 {}（{}，{}），编号 {}。首次登录时须修改此初始口令",
        args.login,
        name,
        args.role.label_zh(),
        id.0
    )?;
    Ok(())
}
