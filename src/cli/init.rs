//! `baomi init`: create a vault whose first user is the custodian.

use std::path::Path;
use std::sync::Arc;

use super::CliError;
use super::secret_input::SecretInput;
use crate::domain::SystemClock;
use crate::ledger::KdfChoice;
use crate::ledger::{Session, SetupInput};

pub fn run(dir: &Path, input: &mut SecretInput, setup: &SetupInput) -> Result<(), CliError> {
    let passphrase = if input.has_file() {
        let p = input.current("")?;
        crate::domain::passphrase::check(p.as_str(), &setup.login)
            .map_err(|e| CliError(e.to_string()))?;
        p
    } else {
        input.new_passphrase("新口令：")?
    };
    let (session, recovery) = Session::create(
        dir,
        setup,
        &passphrase,
        KdfChoice::Calibrate,
        Arc::new(SystemClock),
    )?;
    drop(session.lock("init"));
    let kind = if setup.demo {
        "演示库"
    } else {
        "保密台账库"
    };
    out!(
        "已创建{kind}：{}（办公时区 {}）",
        dir.display(),
        setup.zone.label_zh()
    )?;
    out!("恢复密钥（只显示这一次，请抄写并存放在保密柜中）：")?;
    out!("{}", recovery.to_display_string().as_str())?;
    Ok(())
}
