//! `baomi passwd`: change a passphrase. Only that user's key slot is rewritten.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::ledger::LockedLedger;

pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    user: Option<&str>,
) -> Result<(), CliError> {
    if !input.is_tty() && !input.has_file() {
        return Err(CliError(
            "非终端下修改口令：用 --passphrase-file 提供当前口令，标准输入第一行为新口令".into(),
        ));
    }
    let locked = LockedLedger::open(dir)?;
    let login = match user {
        Some(u) => u.to_owned(),
        None => acting_login(locked.logins(), acting)?,
    };
    let current = input.current(&format!("{login} 的当前口令："))?;
    let new = input.new_passphrase("新口令：")?;
    let mut session = locked
        .unlock(
            &login,
            &current,
            std::sync::Arc::new(crate::domain::SystemClock),
        )
        .map_err(|(_, e)| e)?;
    session.change_own_passphrase(&current, &new)?;
    drop(session.lock("passwd"));
    out!("已修改 {login} 的口令（数据库未改动，只重写了该用户的密钥槽）")?;
    Ok(())
}

/// `baomi rotate-recovery-key`: a new recovery key, shown once; the old one stops working.
pub fn rotate_recovery_key(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
) -> Result<(), CliError> {
    let mut session = super::open_session(dir, input, acting)?;
    let result = session.rotate_recovery_key();
    drop(session.lock("rotate-recovery-key"));
    let key = result?;
    out!("新的恢复密钥（只显示这一次，请抄写并存放在保密柜中；旧的恢复密钥已失效）：")?;
    out!("{}", key.to_display_string().as_str())
}
