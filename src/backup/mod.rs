//! Encrypted backups (R3.3.1): one file per backup, written to removable media, read back and
//! verified in full before it counts; restored into a new vault folder.
//!
//! The file (`docs/format/backup.md`): a header in the clear (vault id, time, versions, a copy
//! of the key file, the payload's salt and nonce prefix), then the payload under STREAM
//! (ChaCha20-Poly1305 in 64 KiB chunks) whose key is HKDF of the master key and the backup's
//! salt, so every passphrase and the recovery key of that day open it. The payload is a
//! manifest (JSON) and a plain SQLite image of the ledger: plaintext only ever in memory.
//!
//! This module works on connections and files, never on the UI or a session: the `ledger`
//! layer prepares a [`snapshot::Snapshot`] inside the session, a worker thread runs
//! [`export::write_and_verify`], and the session records the verified result.

pub mod export;
pub mod format;
pub mod media;
pub mod restore;
pub mod snapshot;
pub mod verify;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::domain::Message;
use crate::vault::{StorageProblem, VaultError};

/// The end of every backup file's name.
pub const EXTENSION: &str = "baomi-backup";
/// The end of a backup being written (removed if it fails; renamed once complete).
pub const PARTIAL_EXTENSION: &str = "baomi-backup.partial";

/// What a backup holds besides the image, inside the encrypted payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format (1).
    pub format: u16,
    /// The vault's id (32 hex digits).
    pub vault_id: String,
    /// The unit's name.
    pub unit_name: String,
    /// When the snapshot was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The version of Baomi that wrote it.
    pub app_version: String,
    /// The image's schema version (`PRAGMA user_version`).
    pub schema_version: u32,
    /// Who made it (login).
    pub made_by: String,
    /// Rows of every table of the image (FTS shadow tables included).
    pub tables: BTreeMap<String, i64>,
    /// The audit chain's head in the image.
    pub audit_head: AuditHead,
    /// The image's size and digest.
    pub image: ImageInfo,
}

/// The audit chain's last event: its sequence number and hash (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// The SQLite image's length and SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    pub bytes: u64,
    pub sha256: String,
}

/// Errors of making, verifying and restoring backups. Damage is said only of a file whose
/// bytes fail; a medium that is full, read-only or gone says so and never "damaged".
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}", .0.zh())]
    Damaged(Message),
    /// A request that cannot be carried out as asked (a target folder with other files…).
    #[error("{}", .0.zh())]
    Refused(Message),
    #[error("不是 Baomi 备份文件（开头不对）")]
    NotABackup,
    #[error("备份文件格式版本 {0} 不受支持，请使用更新版本的 Baomi")]
    UnsupportedVersion(u16),
    #[error("备份文件不完整（被截断），不能使用")]
    Truncated,
    #[error("备份文件第 {} 个数据块未通过校验（已损坏、被篡改或顺序被调换），不能使用", .index + 1)]
    ChunkFailed { index: u64 },
    #[error(
        "口令或恢复密钥打不开此备份（备份时有效的口令或恢复密钥才能打开；也可能备份的密钥部分已损坏）"
    )]
    WrongSecret,
    #[error("{}", read_text(.0))]
    Read(std::io::Error),
    #[error("{}", write_text(.0))]
    Write(std::io::Error),
    #[error(
        "空间不足：备份约需 {} ，目标处只剩 {} 。没有写入任何文件：{}",
        size_text(*.need), size_text(*.free), .path.display()
    )]
    NoSpace {
        need: u64,
        free: u64,
        path: std::path::PathBuf,
    },
    #[error("已取消：没有留下备份文件")]
    Cancelled,
    #[error(
        "目标文件夹已有台账库，不会覆盖：{}。如确要替换，须明确确认（原库会先改名另存）",
        .0.display()
    )]
    TargetHoldsVault(std::path::PathBuf),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("数据库操作失败：{}", crate::vault::sql_text(.0))]
    Sql(#[from] rusqlite::Error),
    #[error("备份程序内部错误：{0}")]
    Internal(&'static str),
}

impl BackupError {
    pub(crate) fn damaged(zh: &str, en: &str) -> Self {
        BackupError::Damaged(Message::new(
            format!("备份文件已损坏或被篡改：{zh}，不能使用"),
            format!("The backup is damaged or was altered: {en}; it cannot be used"),
        ))
    }

    pub(crate) fn damaged_header(zh: &str, en: &str) -> Self {
        BackupError::damaged(&format!("文件头{zh}"), &format!("header: {en}"))
    }

    /// Whether the file's bytes failed (as opposed to a secret, a medium or a cancel).
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            BackupError::Damaged(_) | BackupError::Truncated | BackupError::ChunkFailed { .. }
        )
    }

    /// The message in both languages (the English for the English interface).
    pub fn message(&self) -> Message {
        let en = match self {
            BackupError::Damaged(m) | BackupError::Refused(m) => return m.clone(),
            BackupError::NotABackup => "Not a Baomi backup (wrong beginning)".to_owned(),
            BackupError::UnsupportedVersion(v) => {
                format!("Backup format version {v} is not supported: use a newer Baomi")
            }
            BackupError::Truncated => "The backup is incomplete (truncated)".to_owned(),
            BackupError::ChunkFailed { index } => format!(
                "Chunk {} of the backup fails authentication (damaged, altered or reordered)",
                index + 1
            ),
            BackupError::WrongSecret => {
                "No passphrase or recovery key valid when the backup was made was given".to_owned()
            }
            BackupError::Read(e) => format!("Reading the backup failed: {}", problem_en(e)),
            BackupError::Write(e) => format!(
                "Writing the backup failed: {}. No backup file was left",
                problem_en(e)
            ),
            BackupError::NoSpace { need, free, path } => format!(
                "Not enough space: the backup needs about {}, {} is free. Nothing was written: {}",
                size_text(*need),
                size_text(*free),
                path.display()
            ),
            BackupError::Cancelled => "Cancelled: no backup file was left".to_owned(),
            BackupError::TargetHoldsVault(p) => format!(
                "The folder already holds a ledger and is not overwritten: {}",
                p.display()
            ),
            BackupError::Vault(_) | BackupError::Sql(_) | BackupError::Internal(_) => {
                return Message::from(self.to_string());
            }
        };
        Message::new(self.to_string(), en)
    }
}

fn problem_en(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => return "no such file or folder (medium removed?)".into(),
        std::io::ErrorKind::AlreadyExists => return "a file of that name exists".into(),
        std::io::ErrorKind::IsADirectory => return "a folder, not a backup file".into(),
        _ => {}
    }
    match StorageProblem::of(e) {
        StorageProblem::NoSpace => "the medium is full".into(),
        StorageProblem::PermissionDenied => "no permission".into(),
        StorageProblem::ReadOnly => "the medium is read-only (write protection?)".into(),
        StorageProblem::Device => "the medium was removed or has a fault".into(),
        StorageProblem::Other => e.to_string(),
    }
}

fn read_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => return "读取备份失败：找不到这个文件".into(),
        std::io::ErrorKind::IsADirectory => return "读取备份失败：这是文件夹，不是备份文件".into(),
        _ => {}
    }
    match StorageProblem::of(e) {
        StorageProblem::Device => {
            "读取备份失败：移动存储设备已拔出或有故障（不是备份损坏）。请重新插好后再试".into()
        }
        StorageProblem::PermissionDenied => "读取备份失败：没有读取权限".into(),
        _ => format!("读取备份失败：{e}"),
    }
}

fn write_text(e: &std::io::Error) -> String {
    let why = match (e.kind(), StorageProblem::of(e)) {
        (std::io::ErrorKind::NotFound, _) => "目标文件夹不存在，或存储设备已拔出".to_owned(),
        (std::io::ErrorKind::AlreadyExists, _) => {
            "同名文件已存在（另一个备份正在写入，或上次中断留下的），不会覆盖".to_owned()
        }
        (_, p) => match p {
            StorageProblem::NoSpace => "存储设备空间已满".to_owned(),
            StorageProblem::ReadOnly => "存储设备是只读的（是否打开了写保护？）".to_owned(),
            StorageProblem::Device => "存储设备已拔出或有故障".to_owned(),
            StorageProblem::PermissionDenied => "没有写入权限".to_owned(),
            StorageProblem::Other => e.to_string(),
        },
    };
    format!("写入备份失败：{why}。没有留下备份文件；台账本身未受影响")
}

/// `1.5 MiB`-style size for messages.
pub fn size_text(bytes: u64) -> String {
    const K: f64 = 1024.0;
    let b = bytes as f64;
    if b >= K * K * K {
        format!("{:.1} GiB", b / (K * K * K))
    } else if b >= K * K {
        format!("{:.1} MiB", b / (K * K))
    } else if b >= K {
        format!("{:.0} KiB", b / K)
    } else {
        format!("{bytes} B")
    }
}

/// The stage a long backup task is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Copying a consistent snapshot of the ledger into memory.
    Snapshot = 0,
    /// Encrypting and writing the file.
    Write = 1,
    /// Reading the file back from the medium and checking it.
    Verify = 2,
    /// Writing the restored ledger.
    Restore = 3,
}

impl Phase {
    /// The phase's name in the interface.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Phase::Snapshot => ("读取台账快照", "Taking a snapshot"),
            Phase::Write => ("加密写入", "Encrypting and writing"),
            Phase::Verify => ("读回校验", "Reading back and verifying"),
            Phase::Restore => ("写入恢复的台账库", "Writing the restored ledger"),
        }
    }
}

/// Shared between a worker and the window: the phase, bytes done of bytes in all, and the
/// cancel request (checked at every chunk).
#[derive(Debug, Default)]
pub struct Progress {
    phase: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
    cancel: AtomicBool,
}

impl Progress {
    /// Starts a phase of `total` bytes.
    pub fn start(&self, phase: Phase, total: u64) {
        self.phase.store(phase as u8, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    /// Sets the bytes done in the current phase.
    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// The phase, bytes done and bytes in all.
    pub fn get(&self) -> (Phase, u64, u64) {
        let phase = match self.phase.load(Ordering::Relaxed) {
            1 => Phase::Write,
            2 => Phase::Verify,
            3 => Phase::Restore,
            _ => Phase::Snapshot,
        };
        (
            phase,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Asks the worker to stop at its next chunk.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether a cancel was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub(crate) fn check(&self) -> Result<(), BackupError> {
        if self.is_cancelled() {
            Err(BackupError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
