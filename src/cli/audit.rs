//! `baomi audit seal|verify|export`: the security auditor's work on the audit trail from the
//! command line. The passphrase is read once: it unlocks the ledger and opens the auditor's
//! seal key.

use std::path::Path;

use super::secret_input::SecretInput;
use super::{CliError, acting_login};
use crate::audit::ChainStatus;
use crate::domain::OfficeZone;
use crate::ledger::audit_log::{self, SealCheck, SealReport};
use crate::ledger::hex;
use crate::vault::Passphrase;

/// What `audit` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuditCommand {
    /// 封存审计链当前的链头（安全审计员；凭证码请抄在纸质记录上）
    Seal,
    /// 核验审计链与本人的全部封存；任何一项未通过则退出码为 1
    Verify {
        /// 纸质记录上最近一次封存的凭证码（如 1A2B-3C4D-5E6F-7A8B）：本人须有一个完好的封存带此码
        #[arg(long, value_name = "凭证码")]
        expect: Option<String>,
    },
    /// 导出完整审计链（含链头与全部封存）为 JSON 文件，供外部核验（仅安全审计员）
    Export {
        /// The file to write (created 0600; an existing one is replaced).
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

pub fn run(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    command: &AuditCommand,
) -> Result<(), CliError> {
    let locked = crate::ledger::LockedLedger::open(dir)?;
    let login = acting_login(locked.logins(), acting)?;
    let passphrase = input.current(&format!("{login} 的口令："))?;
    let mut s = locked
        .unlock(
            &login,
            &passphrase,
            std::sync::Arc::new(crate::domain::SystemClock),
        )
        .map_err(|(_, e)| CliError(e.to_string()))?;
    let result = match command {
        AuditCommand::Seal => seal(&mut s, &passphrase),
        AuditCommand::Verify { expect } => verify(&s, &passphrase, expect.as_deref()),
        AuditCommand::Export { out } => export(&mut s, out),
    };
    drop(passphrase);
    drop(s.lock("cli"));
    result
}

fn seal(s: &mut crate::ledger::Session, passphrase: &Passphrase) -> Result<(), CliError> {
    let seal = audit_log::seal_chain(s, passphrase)?;
    out!(
        "已封存：第 {} 条事件，{}，凭证码 {}（请抄在纸质记录上，核验时比对）",
        seal.seq,
        s.zone().time_text(&seal.at),
        seal.code
    )
}

/// A seal code as noted on paper, compared without case, dashes or spaces.
fn code_key(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn verify(
    s: &crate::ledger::Session,
    passphrase: &Passphrase,
    expect: Option<&str>,
) -> Result<(), CliError> {
    if let Some(code) = expect
        && code_key(code).len() != 16
    {
        return Err(CliError(format!(
            "凭证码“{code}”不是 16 位十六进制数字（形如 1A2B-3C4D-5E6F-7A8B）"
        )));
    }
    // The seals first: they need the auditor's passphrase and refuse anyone else.
    let found = audit_log::check_seals(s, passphrase)?;
    let mut ok = true;
    let total = crate::audit::head(s.conn())?.map_or(0, |(seq, _)| seq);
    match s.verify_audit_with(progress(total))? {
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
    if !print_seal_checks(&found, s.zone(), &s.user().login)? {
        ok = false;
    }
    if let Some(code) = expect {
        // Whoever holds the master key can delete every seal of an auditor together with the
        // seal key and rewrite the trail: only the code on paper shows the seal was there.
        let wanted = code_key(code);
        let kept = found
            .checks
            .iter()
            .any(|(seal, verdict)| *verdict == SealCheck::Intact && code_key(&seal.code) == wanted);
        if kept {
            out!("纸质记录上的封存 {code}：在，且完好")?;
        } else {
            ok = false;
            out!(
                "纸质记录上的封存 {code}：找不到完好的本人封存带此码（封存被删除、篡改，或台账库被换成了更早的副本）"
            )?;
        }
    }
    if ok {
        out!("核验通过")
    } else {
        Err(CliError("核验未通过".into()))
    }
}

fn export(s: &mut crate::ledger::Session, out: &Path) -> Result<(), CliError> {
    let done = audit_log::export_trail(s, out)?;
    out!(
        "已导出审计链：{} 条事件，{} 个封存，链头 {}：{}",
        done.events,
        done.seals,
        done.head,
        out.display()
    )
}

/// Progress of a long verification on standard error (the result goes to standard output):
/// every 100 000 events, for chains of 200 000 or more.
pub(super) fn progress(total: i64) -> impl FnMut(i64) {
    move |done| {
        if total >= 200_000 && done % 100_000 == 0 {
            eprintln!("审计链：已核验 {done} / {total} 条");
        }
    }
}

/// Prints each seal's finding, a summary of other auditors' seals and the auditor's latest own
/// seal (to compare with their paper notes). Returns whether none failed.
pub(super) fn print_seal_checks(
    report: &SealReport,
    zone: OfficeZone,
    login: &str,
) -> Result<bool, CliError> {
    let found = &report.checks;
    let failures = found.iter().filter(|(_, v)| v.is_failure()).count();
    let own = found
        .iter()
        .filter(|(_, v)| !matches!(v, SealCheck::OtherAuditor))
        .count();
    out!("审计链封存：共 {} 个，其中本人 {own} 个", found.len())?;
    for (seal, verdict) in found
        .iter()
        .filter(|(_, v)| !matches!(v, SealCheck::OtherAuditor))
    {
        out!(
            "  封存 #{} · 第 {} 条 · {} · {} · 凭证码 {}：{}",
            seal.id,
            seal.seq,
            zone.time_text(&seal.at),
            seal.login,
            seal.code,
            verdict.label_zh()
        )?;
    }
    let mut others: Vec<(&str, usize)> = Vec::new();
    for (seal, _) in found
        .iter()
        .filter(|(_, v)| matches!(v, SealCheck::OtherAuditor))
    {
        match others.iter_mut().find(|(l, _)| *l == seal.login) {
            Some((_, n)) => *n += 1,
            None => others.push((&seal.login, 1)),
        }
    }
    for (other, n) in &others {
        out!("  其他审计员 {other} 的封存 {n} 个：须其本人核验")?;
    }
    if let Some((latest, _)) = found
        .iter()
        .find(|(s, v)| *v == SealCheck::Intact && s.login == login)
    {
        out!(
            "本人最近一次完好的封存：#{} · {} · 凭证码 {}（请与纸质记录比对：若纸上有更晚的封存，说明其后的封存被删除）",
            latest.id,
            zone.time_text(&latest.at),
            latest.code
        )?;
    } else if own == 0 && !report.own_seals_missing {
        out!("本人尚无封存")?;
    }
    if let Some(missing) = report.missing() {
        out!("{}", missing.zh())?;
    }
    if failures > 0 {
        out!("封存核验：{failures} 个未通过")?;
    }
    Ok(report.passed())
}
