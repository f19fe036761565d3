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
    #[error("数据库 ledger.db 已损坏或被篡改（{detail}），文件未做任何改动，请从备份恢复")]
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
    /// A login name that cannot be stored.
    #[error("登录名须为 1 到 64 个字节")]
    LoginInvalid,
    /// Removing the last passphrase slot would leave only the recovery key.
    #[error("不能删除最后一个用户的口令")]
    LastSlot,
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
    /// A file operation failed.
    #[error("{action}失败：{source}：{}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A database statement failed.
    #[error("数据库操作失败：{0}")]
    Sql(#[from] rusqlite::Error),
}

impl VaultError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        VaultError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}
