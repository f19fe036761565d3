//! `baomi add-user`: a new account with its own passphrase slot (custodian or administrator).

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, open_session};
use crate::domain::Role;
use crate::ledger::people::NewPerson;
use crate::ledger::users::{self, NewUser};

pub struct Args<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub department: &'a str,
    pub post: &'a str,
}

pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    args: &Args<'_>,
) -> Result<(), CliError> {
    let mut session = open_session(dir, input, acting)?;
    let new_pass = input.new_passphrase(&format!("{} 的初始口令：", args.login))?;
    let result = users::add_user(
        &mut session,
        &NewUser {
            login: args.login.to_owned(),
            person: NewPerson {
                name: args.name.to_owned(),
                department: args.department.to_owned(),
                post: args.post.to_owned(),
                ..Default::default()
            },
            role: args.role,
        },
        &new_pass,
    );
    drop(session.lock("add-user"));
    let id = result?;
    println!(
        "已新增用户 {}（{}，{}），编号 {}",
        args.login,
        args.name,
        args.role.label_zh(),
        id.0
    );
    Ok(())
}
