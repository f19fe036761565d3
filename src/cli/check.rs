//! `baomi check`: unlock, then verify page HMACs, structure and the audit chain. Read-only.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::audit::{self, ChainStatus};
use crate::ledger::hex;
use crate::vault::Vault;

pub fn run(dir: &Path, input: &mut SecretInput, acting: Option<&str>) -> Result<(), CliError> {
    let vault = Vault::open(dir)?;
    let login = acting_login(&vault, acting)?;
    let passphrase = input.current(&format!("{login} 的口令："))?;
    let ledger = vault.unlock(&login, &passphrase)?;
    drop(passphrase);
    let slots = vault.key_file().slots.len();
    println!("密钥文件 ledger.keys：通过（{slots} 个密钥槽，MAC 正确）");
    let report = ledger.integrity_check()?;
    let mut ok = true;
    if report.cipher.is_empty() {
        println!("页面校验 cipher_integrity_check：通过");
    } else {
        ok = false;
        println!("页面校验 cipher_integrity_check：失败");
        for line in report.cipher.iter().take(20) {
            println!("  {line}");
        }
    }
    if report.structure.is_empty() {
        println!("结构校验 integrity_check：通过");
    } else {
        ok = false;
        println!("结构校验 integrity_check：失败");
        for line in report.structure.iter().take(20) {
            println!("  {line}");
        }
    }
    match audit::verify(ledger.conn(), ledger.audit_key())? {
        ChainStatus::Intact { events, head } => {
            println!(
                "审计链：完整（{events} 条事件，链头 {events}：{}）",
                hex(&head)
            );
        }
        ChainStatus::Broken { first_bad_seq } => {
            ok = false;
            println!("审计链：断裂，自第 {first_bad_seq} 条事件起无法验证");
        }
    }
    if ok {
        Ok(())
    } else {
        Err(CliError("检查未通过".into()))
    }
}
