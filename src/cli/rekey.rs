//! `baomi rekey`: a new master key and recovery key after an account was deactivated or the
//! recovery key replaced (`docs/security.md`, "Removed users and old key files"). The acting
//! user's slot is wrapped with the passphrase they sign in with; each `--typed LOGIN` reads that
//! person's passphrase (a prompt, or the next line of standard input); every other active account
//! gets a one-time passphrase, printed once, to be changed at its next sign-in.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::ledger::users::{self, RekeyHow};

pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    typed: &[String],
) -> Result<(), CliError> {
    let locked = crate::ledger::LockedLedger::open(dir)?;
    let login = acting_login(locked.logins(), acting)?;
    let own = input.current(&format!("{login} 的口令："))?;
    let mut accounts = vec![(
        login.clone(),
        RekeyHow::Typed(crate::ledger::Passphrase::new(own.as_str().to_owned())),
    )];
    for other in typed.iter().filter(|l| **l != login) {
        let p = input.current(&format!("{other} 本人输入口令："))?;
        accounts.push((other.clone(), RekeyHow::Typed(p)));
    }
    let mut s = locked
        .unlock(
            &login,
            &own,
            std::sync::Arc::new(crate::domain::SystemClock),
        )
        .map_err(|(_, e)| CliError(e.to_string()))?;
    drop(own);
    let listed = match users::list(&s) {
        Ok(l) => l,
        Err(e) => {
            drop(s.lock("cli"));
            return Err(e.into());
        }
    };
    for u in listed.iter().filter(|u| u.active) {
        if !accounts.iter().any(|(l, _)| *l == u.login) {
            accounts.push((u.login.clone(), RekeyHow::OneTime));
        }
    }
    let done = match users::rekey(&mut s, accounts) {
        Ok(done) => done,
        Err(e) => {
            drop(s.lock("rekey"));
            return Err(e.into());
        }
    };
    // Shown, then noted: a rekey whose secrets did not reach the terminal stays due.
    let shown = (|| {
        out!(
            "已重新加密台账：新的主密钥，所有在用账户已重新包装；旧的密钥文件（含已停用用户的）打不开此后的台账"
        )?;
        for (l, p) in &done.one_time {
            out!(
                "{l} 的一次性口令（只显示这一次，交给本人，首次登录时须修改）：{}",
                p.as_str()
            )?;
        }
        out!("新的恢复密钥（只显示这一次，请抄写并存放在保密柜中；旧的恢复密钥已失效）：")?;
        out!("{}", done.recovery.to_display_string().as_str())
    })();
    let noted = shown.and_then(|()| users::rekey_noted(&mut s).map_err(CliError::from));
    drop(s.lock("rekey"));
    noted
}
