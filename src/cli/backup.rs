//! `baomi backup`, `baomi verify-backup` and `baomi restore` (R3.3.1).

use std::path::Path;
use std::sync::Arc;

use super::secret_input::SecretInput;
use super::{CliError, open_session};
use crate::backup::media::{Media, SystemMedia, is_on_removable};
use crate::backup::verify::{KeySource, Secret, verify_file};
use crate::backup::{Manifest, Progress, size_text};
use crate::ledger::backups;

/// Writes a backup to `to` (a folder, or a file path ending `.baomi-backup`), reads it back and
/// verifies it, then records it in the ledger.
pub fn backup(
    dir: &Path,
    input: &mut SecretInput,
    acting: Option<&str>,
    to: &Path,
    allow_fixed: bool,
) -> Result<(), CliError> {
    let to = std::fs::canonicalize(to).unwrap_or_else(|_| to.to_owned());
    let to = to.as_path();
    // The medium is checked before unlocking (no passphrase asked for a refusal).
    let folder = if to.is_dir() {
        to.to_owned()
    } else {
        to.parent().unwrap_or(Path::new(".")).to_owned()
    };
    let removable = is_on_removable(&SystemMedia, &folder);
    if !removable && !allow_fixed {
        return Err(CliError(format!(
            "{} 不在移动存储设备上。备份应写入可带离本机的移动介质；如确要写在这里，请加 --allow-fixed-disk",
            folder.display()
        )));
    }
    let mut session = open_session(dir, input, acting)?;
    let result = (|| {
        let dest = if to.is_dir() {
            backups::destination(&session, to)?
        } else if to
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(crate::backup::EXTENSION))
        {
            to.to_owned()
        } else {
            return Err(CliError(format!(
                "--to 须为已存在的文件夹，或以 .{} 结尾的文件名：{}",
                crate::backup::EXTENSION,
                to.display()
            )));
        };
        session.refuse_output_in_vault(&dest)?;
        let progress = Arc::new(Progress::default());
        let snapshot = backups::prepare(&mut session)?;
        let written = crate::backup::export::write_and_verify(
            snapshot,
            &dest,
            &progress,
            crate::backup::export::WriteOptions::default(),
        )?;
        let record = backups::record(&mut session, &written, removable)?;
        Ok((written, record))
    })();
    drop(session.lock("backup"));
    let (written, _record) = result?;
    out!("已写入并读回校验：{}", written.path.display())?;
    out!(
        "大小 {}，SHA-256 {}",
        size_text(written.bytes),
        written.sha256
    )?;
    out!(
        "审计链头：第 {} 条 {}",
        written.manifest.audit_head.seq,
        written.manifest.audit_head.hash
    )?;
    out!("verified")
}

/// Reads the secret for a backup: a passphrase, or the recovery key (recognised by its form).
fn read_secret(input: &mut SecretInput, user: Option<&str>) -> Result<Secret, CliError> {
    let prompt = match user {
        Some(u) => format!("{u} 在备份时的口令："),
        None => "备份时有效的口令或恢复密钥：".to_owned(),
    };
    let text = input.current(&prompt)?;
    Ok(Secret::from_text(text.as_str(), user.map(str::to_owned)))
}

fn print_manifest(m: &Manifest, file: &Path, bytes: u64, sha256: &str) -> Result<(), CliError> {
    out!("备份文件：{}（{}）", file.display(), size_text(bytes))?;
    out!("单位：{}（台账库编号 {}）", m.unit_name, m.vault_id)?;
    out!("快照时间：{}；制作人：{}", m.created_at, m.made_by)?;
    out!("Baomi {}；数据结构版本 {}", m.app_version, m.schema_version)?;
    out!("审计链头：第 {} 条 {}", m.audit_head.seq, m.audit_head.hash)?;
    out!(
        "数据库映像：{}，SHA-256 {}",
        size_text(m.image.bytes),
        m.image.sha256
    )?;
    out!("各表行数：")?;
    for (table, rows) in &m.tables {
        out!("  {table} {rows}")?;
    }
    out!("文件 SHA-256：{sha256}")
}

/// Verifies a backup file with a secret valid when it was made; prints its manifest.
pub fn verify(
    input: &mut SecretInput,
    file: &Path,
    user: Option<&str>,
    json: bool,
) -> Result<(), CliError> {
    let secret = read_secret(input, user)?;
    let progress = Arc::new(Progress::default());
    let v = verify_file(file, KeySource::Secret(&secret), &progress, false)?;
    let latest = crate::vault::migrations::latest();
    if v.manifest.schema_version > latest {
        eprintln!(
            "注意：此备份由更新版本的 Baomi 制作（数据结构版本 {}，本程序支持到 {latest}），本程序不能恢复它",
            v.manifest.schema_version
        );
    }
    if json {
        let mut value = serde_json::to_value(&v.manifest)?;
        value["file_sha256"] = v.file_sha256.clone().into();
        value["file_bytes"] = v.file_len.into();
        value["verified"] = true.into();
        out!("{value}")?;
    } else {
        print_manifest(&v.manifest, file, v.file_len, &v.file_sha256)?;
    }
    out!("verified")
}

/// Restores a backup into `to` (verified first; an existing vault there only with `replace`,
/// moved aside first).
pub fn restore(
    input: &mut SecretInput,
    file: &Path,
    to: &Path,
    replace: bool,
    user: Option<&str>,
) -> Result<(), CliError> {
    if crate::backup::restore::holds_vault(to)? && !replace {
        return Err(CliError(format!(
            "{} 已有台账库，不会覆盖。如确要用备份替换它，请加 --replace（原台账库会先改名另存在旁边）",
            to.display()
        )));
    }
    let secret = read_secret(input, user)?;
    let progress = Arc::new(Progress::default());
    let out = backups::restore(
        file,
        &secret,
        to,
        replace,
        &crate::domain::SystemClock,
        &progress,
    )?;
    if let Some(aside) = &out.moved_aside {
        out!("原台账库已改名另存：{}", aside.display())?;
    }
    out!(
        "已从备份恢复到 {}（快照时间 {}，审计链头第 {} 条）",
        out.dir.display(),
        out.manifest.created_at,
        out.manifest.audit_head.seq
    )?;
    out!(
        "备份时有效的口令和恢复密钥可以打开它；请运行 baomi --vault {} check",
        out.dir.display()
    )
}

/// Lists the drives a backup could go to.
pub fn drives() -> Result<(), CliError> {
    for d in SystemMedia.drives() {
        out!(
            "{}\t{}\t{}\t可用 {} / 共 {}{}",
            d.mount_point.display(),
            if d.removable {
                "移动介质"
            } else {
                "固定磁盘"
            },
            d.file_system,
            size_text(d.available),
            size_text(d.total),
            if d.read_only { "（只读）" } else { "" }
        )?;
    }
    Ok(())
}
