//! `baomi check`: the write-ahead log first (before SQLite reads it), then unlock, verify page
//! HMACs, structure, the audit chain and, when the acting user is a security auditor (or holds
//! a seal key, or a seal names them), the auditor's seals of the chain. It never migrates (an
//! old schema is reported as needing an upgrade) and changes nothing but the leftovers of
//! interrupted writes, which it names.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::audit::{self, ChainStatus};
use crate::domain::role::Role;
use crate::ledger::audit_log;
use crate::ledger::hex;
use crate::vault::{Vault, VaultError, WalState, migrations};

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
    let leftovers = vault.cleaned_leftovers();
    if !leftovers.is_empty() {
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
        out!(
            "页面校验 cipher_integrity_check：失败，{} 处未通过 HMAC 校验（页面已损坏或被篡改）",
            report.cipher.len()
        )?;
        for line in report.cipher.iter().take(5) {
            out!("  {line}")?;
        }
        if report.cipher.len() > 5 {
            out!("  ……另有 {} 处", report.cipher.len() - 5)?;
        }
    }
    // SQLite's structure report puts several lines into one row; one finding per line here.
    let structure: Vec<&str> = report
        .structure
        .iter()
        .flat_map(|l| l.lines())
        .filter(|l| !l.starts_with("*** in database"))
        .collect();
    if structure.is_empty() {
        out!("结构校验 integrity_check：通过")?;
    } else if !report.cipher.is_empty() {
        // Every page that does not authenticate makes the b-tree checks fail in turn: those
        // findings are consequences, not news.
        out!(
            "结构校验 integrity_check：无法可靠完成（上述页面无法解密，另有 {} 条由此引起的结构错误）",
            structure.len()
        )?;
    } else {
        ok = false;
        out!("结构校验 integrity_check：失败，{} 条", structure.len())?;
        for line in structure.iter().take(10) {
            out!("  {line}")?;
        }
        if structure.len() > 10 {
            out!("  ……另有 {} 条", structure.len() - 10)?;
        }
    }
    let total = audit::head(ledger.conn())
        .ok()
        .flatten()
        .map_or(0, |(seq, _)| seq);
    let verified = audit::verify_from(ledger.conn(), ledger.audit_key(), None, |n| {
        super::audit::progress(total)(n);
        true
    })
    .map(|s| s.expect("never cancelled"));
    match verified {
        Ok(ChainStatus::Intact { events, head }) => {
            out!(
                "审计链：完整（{events} 条事件，链头 {events}：{}）",
                hex(&head)
            )?;
        }
        Ok(ChainStatus::Broken { first_bad_seq }) => {
            ok = false;
            out!("审计链：断裂，自第 {first_bad_seq} 条事件起无法验证")?;
        }
        Err(_) if !report.cipher.is_empty() => {
            ok = false;
            out!("审计链：无法读完（其中有页面未通过校验）")?;
        }
        Err(e) => {
            ok = false;
            out!("审计链：无法读完（{e}）")?;
        }
    }
    // The auditor's seals: checked whenever the acting user has anything to do with seals — a
    // seal key, an auditor's account, or a seal row naming them — whatever the (unauthenticated)
    // role column says now: an insider who rewrote the chain could change that column too.
    let seals = audit_log::seals_on(ledger.conn());
    let names_me = seals
        .as_ref()
        .is_ok_and(|all| all.iter().any(|s| s.login == login));
    let auditor = vault.key_file().has_seal_key(&login)
        || names_me
        || crate::ledger::users::current(ledger.conn(), &login)
            .ok()
            .flatten()
            .is_some_and(|u| u.role == Role::Auditor);
    if auditor && schema == latest {
        match audit_log::check_seals_on(
            ledger.conn(),
            vault.key_file(),
            &vault.attempts_counter(),
            &login,
            &passphrase,
        ) {
            Ok(found) => {
                let zone =
                    crate::ledger::settings::office_zone_of(ledger.conn()).unwrap_or_default();
                if !super::audit::print_seal_checks(&found, zone, &login)? {
                    ok = false;
                }
            }
            Err(e) => {
                ok = false;
                out!("审计链封存：无法核验（{e}）")?;
            }
        }
    } else if auditor {
        // Seals that cannot be checked are not a pass for the auditor.
        ok = false;
        out!(
            "审计链封存：数据结构为旧版本，无法核验你的封存（正常登录一次即先备份再升级，然后再运行 check）"
        )?;
    } else if schema < latest {
        out!("审计链封存：升级数据结构后核验")?;
    } else {
        match seals {
            Ok(seals) => out!(
                "审计链封存：{} 个（由安全审计员以 --as 本人登录名 运行 check 核验）",
                seals.len()
            )?,
            Err(_) if !report.cipher.is_empty() => {
                out!("审计链封存：无法读取（其中有页面未通过校验）")?
            }
            Err(e) => out!("审计链封存：无法读取（{e}）")?,
        }
    }
    drop(passphrase);
    if ok {
        Ok(())
    } else if !report.cipher.is_empty() {
        Err(CliError(
            "检查未通过：数据库有页面损坏或被篡改。文件未做任何改动；请先把整个台账库文件夹另存一份，再从备份恢复".into(),
        ))
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
    let (session, damage, kept) = locked
        .accept_wal_damage(
            &login,
            &passphrase,
            std::sync::Arc::new(crate::domain::SystemClock),
        )
        .map_err(|(_, e)| e)?;
    drop(session.lock("cli"));
    out!(
        "已按你的决定处理：预写日志截到最后一个完好的事务（保留 {} 个，放弃损坏点之后的 {} 个）。",
        damage.commits_before,
        damage.commits_after
    )?;
    out!("损坏前的数据库和日志原样保存在：{}", kept.display())?;
    out!("此决定已记入审计日志。建议现在运行 baomi check。")
}
