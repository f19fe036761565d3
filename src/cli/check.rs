//! `baomi check`: the write-ahead log first (before SQLite reads it), then unlock, verify page
//! HMACs, structure, the audit chain and, when the acting user is a security auditor, the
//! auditor's seals of the chain. It never migrates (an old schema is reported as needing an
//! upgrade) and changes nothing but the leftovers of interrupted writes, which it names.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::audit::{self, ChainStatus};
use crate::domain::role::Role;
use crate::ledger::audit_log::{self, SealCheck};
use crate::ledger::hex;
use crate::vault::{Vault, VaultError, WalState, files, migrations};

pub fn run(dir: &Path, input: &mut SecretInput, acting: Option<&str>) -> Result<(), CliError> {
    let vault = Vault::open(dir)?;
    let login = acting_login(vault.logins(), acting)?;
    let passphrase = input.current(&format!("{login} 的口令："))?;
    let mut ok = true;
    let wal = vault.wal_state()?;
    if matches!(wal, WalState::Damaged(_)) {
        ok = false;
    }
    let (ledger, schema) = match vault.unlock_for_check(&login, &passphrase) {
        Ok(opened) => opened,
        Err(VaultError::WalDamaged(damage)) => {
            out!("{damage}")?;
            return Err(CliError("检查未通过".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let slots = vault.key_file().slots.len();
    out!("密钥文件 ledger.keys：通过（{slots} 个密钥槽，MAC 正确）")?;
    out!("{}", wal.summary_zh())?;
    let latest = migrations::latest();
    if schema < latest {
        out!(
            "数据结构：版本 {schema}，需要升级到 {latest}（检查不做升级，以下各项按文件现状核验；正常解锁一次即先备份再升级）"
        )?;
    } else {
        out!("数据结构：版本 {schema}（最新）")?;
    }
    let leftovers = files::leftover_temp_files(dir)?;
    if !leftovers.is_empty() {
        files::remove_leftovers(dir, &leftovers)?;
        out!(
            "中断的写入留下的临时文件：{}（已清除；密钥文件本身完好）",
            leftovers.join("、")
        )?;
    }
    let report = ledger.integrity_check()?;
    if report.cipher.is_empty() {
        out!("页面校验 cipher_integrity_check：通过")?;
    } else {
        ok = false;
        out!("页面校验 cipher_integrity_check：失败")?;
        for line in report.cipher.iter().take(20) {
            out!("  {line}")?;
        }
    }
    if report.structure.is_empty() {
        out!("结构校验 integrity_check：通过")?;
    } else {
        ok = false;
        out!("结构校验 integrity_check：失败")?;
        for line in report.structure.iter().take(20) {
            out!("  {line}")?;
        }
    }
    match audit::verify(ledger.conn(), ledger.audit_key())? {
        ChainStatus::Intact { events, head } => {
            out!(
                "审计链：完整（{events} 条事件，链头 {events}：{}）",
                hex(&head)
            )?;
        }
        ChainStatus::Broken { first_bad_seq } => {
            ok = false;
            out!("审计链：断裂，自第 {first_bad_seq} 条事件起无法验证")?;
        }
    }
    // The auditor's seals: checked when the acting user is a security auditor.
    let auditor = crate::ledger::users::current(ledger.conn(), &login)
        .ok()
        .flatten()
        .is_some_and(|u| u.role == Role::Auditor);
    if auditor && schema == latest {
        let found = audit_log::check_seals_on(ledger.conn(), &vault, &login, &passphrase)?;
        let zone = crate::ledger::settings::office_zone_of(ledger.conn()).unwrap_or_default();
        out!("审计链封存：{} 个", found.len())?;
        for (seal, verdict) in &found {
            if matches!(verdict, SealCheck::ChainRewritten | SealCheck::SealAltered) {
                ok = false;
            }
            out!(
                "  第 {} 条 · {} · {} · 凭证码 {}：{}",
                seal.seq,
                zone.time_text(&seal.at),
                seal.login,
                seal.code,
                verdict.label_zh()
            )?;
        }
    } else if schema < latest {
        out!("审计链封存：升级数据结构后核验")?;
    } else {
        let n = audit_log::seals_on(ledger.conn())?.len();
        out!("审计链封存：{n} 个（由安全审计员以 --as 本人登录名 运行 check 核验）")?;
    }
    drop(passphrase);
    if ok {
        Ok(())
    } else {
        Err(CliError("检查未通过".into()))
    }
}

/// `baomi accept-wal-damage`: the user's decision after `check` (or unlocking) reported a
/// damaged WAL. The copies are kept; the ledger opens with what verifies.
pub fn accept_wal_damage(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
) -> Result<(), CliError> {
    let locked = crate::ledger::LockedLedger::open(dir)?;
    let login = acting_login(locked.logins(), acting)?;
    let passphrase = input.current(&format!("{login} 的口令："))?;
    let (session, damage, kept) = locked.accept_wal_damage(
        &login,
        &passphrase,
        std::sync::Arc::new(crate::domain::SystemClock),
    )?;
    drop(session.lock("cli"));
    out!(
        "已按你的决定处理：预写日志截到最后一个完好的事务（保留 {} 个，放弃损坏点之后的 {} 个）。",
        damage.commits_before,
        damage.commits_after
    )?;
    out!("损坏前的数据库和日志原样保存在：{}", kept.display())?;
    out!("此决定已记入审计日志。建议现在运行 baomi check。")
}
