//! `baomi check`: unlock, then verify page HMACs, structure, the audit chain and, when the acting
//! user is a security auditor, the auditor's seals of the chain. Read-only.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::audit::{self, ChainStatus};
use crate::domain::role::Role;
use crate::ledger::audit_log::{self, SealCheck};
use crate::ledger::hex;
use crate::vault::Vault;

pub fn run(dir: &Path, input: &mut SecretInput, acting: Option<&str>) -> Result<(), CliError> {
    let vault = Vault::open(dir)?;
    let login = acting_login(vault.logins(), acting)?;
    let passphrase = input.current(&format!("{login} 的口令："))?;
    let ledger = vault.unlock(&login, &passphrase)?;
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
    // The auditor's seals: checked when the acting user is a security auditor.
    let auditor = crate::ledger::users::current(ledger.conn(), &login)
        .ok()
        .flatten()
        .is_some_and(|u| u.role == Role::Auditor);
    if auditor {
        let found = audit_log::check_seals_on(ledger.conn(), &vault, &login, &passphrase)?;
        let zone = crate::ledger::settings::office_zone_of(ledger.conn()).unwrap_or_default();
        println!("审计链封存：{} 个", found.len());
        for (seal, verdict) in &found {
            if matches!(verdict, SealCheck::ChainRewritten | SealCheck::SealAltered) {
                ok = false;
            }
            println!(
                "  第 {} 条 · {} · {} · 凭证码 {}：{}",
                seal.seq,
                zone.time_text(&seal.at),
                seal.login,
                seal.code,
                verdict.label_zh()
            );
        }
    } else {
        let n = audit_log::seals_on(ledger.conn())?.len();
        println!("审计链封存：{n} 个（由安全审计员以 --as 本人登录名 运行 check 核验）");
    }
    drop(passphrase);
    if ok {
        Ok(())
    } else {
        Err(CliError("检查未通过".into()))
    }
}
