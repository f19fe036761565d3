//! `baomi init`: create a vault whose first user is the custodian.

use std::path::Path;
use std::sync::Arc;

use super::CliError;
use super::secret_input::SecretInput;
use crate::domain::SystemClock;
use crate::ledger::{Session, SetupInput};
use crate::vault::KdfChoice;

#[allow(clippy::too_many_arguments)]
pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    unit: &str,
    login: &str,
    name: &str,
    department: &str,
    post: &str,
) -> Result<(), CliError> {
    let passphrase = if input.has_file() {
        let p = input.current("")?;
        if !crate::domain::passphrase::strength(p.as_str()).acceptable() {
            return Err(CliError("口令太短：至少 8 个字符".into()));
        }
        p
    } else {
        input.new_passphrase("新口令：")?
    };
    let setup = SetupInput {
        unit_name: unit.to_owned(),
        login: login.to_owned(),
        name: name.to_owned(),
        department: department.to_owned(),
        post: post.to_owned(),
    };
    let (session, recovery) = Session::create(
        dir,
        &setup,
        &passphrase,
        KdfChoice::Calibrate,
        Arc::new(SystemClock),
    )?;
    drop(session.lock("init"));
    println!("已创建保密台账库：{}", dir.display());
    println!("恢复密钥（只显示这一次，请抄写并存放在保密柜中）：");
    println!("{}", recovery.to_display_string().as_str());
    Ok(())
}
