//! Errors of the vault layer. Messages are Chinese (the users' language), carry no secret, and
//! put file paths last.

use std::path::{Path, PathBuf};

/// Everything that can go wrong with the files of a vault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The folder holds no `ledger.keys`, or the file is not a Baomi key file.
    #[error("此文件夹不是保密台账库（缺少或无法识别 ledger.keys）")]
    NotAVault,
    /// A file the vault needs is missing.
    #[error("保密台账库不完整：缺少 {file}。文件未做任何改动，请从备份恢复")]
    Missing { file: &'static str },
    /// `init` was interrupted before the key file was written: the folder holds the beginnings
    /// of a vault that nobody can open. Creating the vault again clears them.
    #[error(
        "上次在此文件夹创建台账库时被中断（尚未生成密钥文件，没有任何人能打开它）。请重新创建：未完成的文件会被清除"
    )]
    InterruptedCreation,
    /// `ledger.db` is empty or holds no ledger schema: never treated as a new database.
    #[error(
        "数据库 ledger.db 是空文件或没有台账的数据结构（可能被清空或替换）。文件未做任何改动，不会被重建；若数据确实丢失，请从备份恢复"
    )]
    DatabaseEmpty,
    /// `ledger.db` decrypts but names another vault than `ledger.keys`.
    #[error(
        "数据库 ledger.db 与密钥文件 ledger.keys 不属于同一个台账库（库编号不同：{found}）。文件未做任何改动"
    )]
    NotThisVault { found: String },
    /// A file of the vault is a symlink, a hard link to another file or not a regular file:
    /// writing it could change a file elsewhere.
    #[error("{file} 不是本文件夹中的普通文件（{why}），为防止借它改写其他文件，拒绝打开：{}", path.display())]
    UnsafeFile {
        file: &'static str,
        why: &'static str,
        path: PathBuf,
    },
    /// The write-ahead log holds committed transactions after a damaged frame: opening would
    /// silently drop them. Both files were copied aside and left as they are.
    #[error("{0}")]
    WalDamaged(Box<crate::vault::wal::WalDamage>),
    /// `accept-wal-damage` on a WAL that is not damaged.
    #[error("预写日志 ledger.db-wal 完好（或不存在），无需处理")]
    WalNotDamaged,
    /// The schema is older than this build and a read-only command will not upgrade it.
    #[error(
        "数据库的数据结构版本为 {found}，本程序为 {latest}：需要升级。检查不做升级；请用 Baomi 正常解锁一次（解锁时会先备份再升级）"
    )]
    NeedsUpgrade { found: u32, latest: u32 },
    /// The key file was written by an unknown format version.
    #[error("密钥文件版本 {0} 不受支持，请使用更新版本的 Baomi")]
    KeyFileVersion(u16),
    /// Any AEAD failure: the secret is wrong or the slot is damaged; the two cannot be told apart.
    #[error("口令错误，或密钥文件已损坏")]
    WrongPassphraseOrDamaged,
    /// The key file's structure or MAC is wrong.
    #[error("密钥文件 ledger.keys 已损坏或被篡改，文件未做任何改动，请从备份恢复")]
    Damaged,
    /// The database does not decrypt or fails its integrity checks.
    #[error(
        "数据库 ledger.db 已损坏、被篡改，或不是此台账库的数据库（{detail}）。文件未做任何改动；请先把整个台账库文件夹另存一份，再从备份恢复"
    )]
    DatabaseDamaged { detail: String },
    /// The database schema is newer than this build.
    #[error(
        "此台账库由更新版本的 Baomi 写入（数据结构版本 {found}，本程序支持到 {supported}），请升级 Baomi"
    )]
    NewerSchema { found: u32, supported: u32 },
    /// Another instance holds `ledger.lock`.
    #[error("该台账库已在另一个 Baomi 实例中打开；同一时间只能打开一个")]
    InUse,
    /// `create` found an existing vault or other files.
    #[error("此文件夹已有保密台账库或其他文件，不会覆盖：{}", path.display())]
    AlreadyExists { path: PathBuf },
    /// No passphrase slot for this login.
    #[error("没有此用户的口令")]
    NoSuchUser,
    /// Too many wrong passphrases for this login: no key work until the delay has passed
    /// (`ledger.attempts`).
    #[error("{login} 已连续 {failures} 次登录失败，请 {seconds} 秒后再试")]
    SignInDelayed {
        login: String,
        failures: u32,
        seconds: i64,
    },
    /// A login name that cannot be stored.
    #[error("登录名须为 1 到 64 个字节")]
    LoginInvalid,
    /// Removing the last passphrase slot would leave only the recovery key.
    #[error("不能删除最后一个用户的口令")]
    LastSlot,
    /// The key file holds the most slots it may ([`crate::vault::keyslots::MAX_SLOTS`]).
    #[error("密钥文件的密钥槽已达上限（256 个），请先停用不再使用的账户")]
    TooManySlots,
    /// The recovery key text does not parse.
    #[error("恢复密钥格式不对：应为 13 组、每组 4 个字母或数字（共 52 个）")]
    RecoveryKeyFormat,
    /// SQLCipher (and the OpenSSL under it) could not be initialized or refused a key; the
    /// database file was not read. Never reported as damage: restoring a backup would not help.
    #[error(
        "加密库 SQLCipher 无法使用（SQLite 代码 {code}），数据库文件未被读取或改动；请关闭后重新打开 Baomi"
    )]
    CryptoUnavailable { code: i32 },
    /// The OS random source failed.
    #[error("无法从操作系统取得随机数")]
    Random,
    /// An operation needs an unlocked vault.
    #[error("台账库已锁定")]
    Locked,
    /// A file operation failed: no space, no permission, a read-only disk, a device error…
    /// Never worded as damage, never advising to restore a backup.
    #[error("{}", io_text(action, path, source))]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A database statement failed.
    #[error("数据库操作失败：{}", sql_text(.0))]
    Sql(#[from] rusqlite::Error),
}

/// What kind of storage failure an I/O error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageProblem {
    NoSpace,
    PermissionDenied,
    ReadOnly,
    /// The device reported an error or is gone (EIO, ENXIO, ENODEV…).
    Device,
    Other,
}

impl StorageProblem {
    /// Classifies an I/O error by its OS error code, then its kind.
    pub fn of(e: &std::io::Error) -> Self {
        use std::io::ErrorKind;
        // Linux errno values: ENOSPC 28, EDQUOT 122, EACCES 13, EPERM 1, EROFS 30, EIO 5,
        // ENXIO 6, ENODEV 19, ENOTCONN 107, ESHUTDOWN 108, ENOMEDIUM 123.
        match e.raw_os_error() {
            Some(28 | 122) => return StorageProblem::NoSpace,
            Some(13 | 1) => return StorageProblem::PermissionDenied,
            Some(30) => return StorageProblem::ReadOnly,
            Some(5 | 6 | 19 | 107 | 108 | 123) => return StorageProblem::Device,
            _ => {}
        }
        match e.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => StorageProblem::NoSpace,
            ErrorKind::PermissionDenied => StorageProblem::PermissionDenied,
            ErrorKind::ReadOnlyFilesystem => StorageProblem::ReadOnly,
            _ => StorageProblem::Other,
        }
    }
}

/// An SQLite error in one line a custodian can act on: damage says so and points to the check,
/// a full disk says so, and the text of a statement is never included (a search of 32 000
/// words once produced a 6 MB message holding the whole SQL).
pub fn sql_text(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    if let Some(f) = e.sqlite_error() {
        match f.code {
            C::DatabaseCorrupt | C::NotADatabase => {
                return "数据库页面未通过校验（已损坏或被篡改）。请停止写入并运行完整性检查（baomi check）".into();
            }
            C::DiskFull => {
                return "磁盘空间不足，本次操作没有写入。请腾出磁盘空间后重试（不需要从备份恢复）"
                    .into();
            }
            C::ReadOnly => return "磁盘或文件是只读的，本次操作没有写入".into(),
            C::SystemIoFailure => {
                return "读写磁盘出错，本次操作没有写入。请检查磁盘或移动存储设备".into();
            }
            _ => {}
        }
    }
    let text = match e {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    };
    const MAX: usize = 300;
    if text.len() > MAX {
        let mut cut = MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}…", &text[..cut])
    } else {
        text
    }
}

fn io_text(action: &str, path: &Path, e: &std::io::Error) -> String {
    let path = path.display();
    match StorageProblem::of(e) {
        StorageProblem::NoSpace => format!(
            "{action}失败：磁盘空间不足。台账库文件未做任何改动，不需要从备份恢复；请腾出磁盘空间后重试：{path}"
        ),
        StorageProblem::PermissionDenied => format!(
            "{action}失败：没有读写权限。请以创建此台账库的系统用户运行 Baomi，或请管理员检查文件夹权限；文件未做任何改动，不需要从备份恢复：{path}"
        ),
        StorageProblem::ReadOnly => format!(
            "{action}失败：所在磁盘是只读的（移动存储设备是否打开了写保护？）。文件未做任何改动，不需要从备份恢复：{path}"
        ),
        StorageProblem::Device => format!(
            "{action}失败：读写磁盘出错（{e}），磁盘或移动存储设备可能已断开或有故障。请检查设备后重试；不要用备份覆盖现有文件：{path}"
        ),
        StorageProblem::Other => format!("{action}失败：{e}：{path}"),
    }
}

impl VaultError {
    /// The storage problem behind this error, if it is an I/O failure.
    pub fn storage_problem(&self) -> Option<StorageProblem> {
        match self {
            VaultError::Io { source, .. } => Some(StorageProblem::of(source)),
            _ => None,
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        VaultError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}
