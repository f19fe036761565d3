//! Use cases: the only place with SQL for the registers. Every write checks the acting user's
//! role and the domain rules, writes its rows and appends its audit event in one transaction
//! ([`Session::write`]); a copy's state changes only through [`custody`].
//!
//! Where each rule of the regulation lives: `docs/architecture.md`.

pub mod approval;
pub mod audit_action;
pub mod audit_log;
pub mod backups;
pub mod borrowing;
pub mod cabinets;
pub mod custody;
pub mod demo;
pub mod destruction;
pub mod documents;
pub mod export;
pub mod holds;
pub mod incidents;
pub mod outgoing;
pub mod people;
pub mod printing;
pub mod reports;
pub mod search;
pub mod secrecy;
mod session;
pub mod settings;
pub mod stats;
pub mod stocktake;
pub mod users;

/// What a folder holds (nothing, a ledger, the remains of an interrupted creation).
pub use crate::vault::FolderState;
/// The secrets a user types (passphrase, recovery key) and the cost of the key derivation of a
/// new ledger: the ledger's inputs, kept in types that zeroize on drop.
pub use crate::vault::{KdfChoice, Passphrase, RecoveryKey};
pub use audit_action::AuditAction;
pub(crate) use session::{Event, Write};
pub use session::{LockedLedger, Session, SetupInput};
pub use users::{CurrentUser, UserId};

use crate::audit::AuditError;
use crate::vault::VaultError;

/// Errors of the use cases. Each refused rule says why, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The passphrase (or recovery key) was refused, or its key slot is damaged: the two cannot
    /// be told apart.
    #[error("口令错误，或密钥文件已损坏")]
    WrongPassphrase,
    /// No account of that login can sign in.
    #[error("没有此用户的口令")]
    NoSuchUser,
    /// The ledger's files: missing, damaged, in use, a newer format, an I/O failure.
    #[error(transparent)]
    Vault(VaultError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("数据库操作失败：{}", crate::vault::sql_text(.0))]
    Sql(#[from] rusqlite::Error),
    /// The acting user's role may not do this (R3.3.2): `needed` are the roles that may, in
    /// this office's division of duties (empty: nobody signed in here may).
    #[error("权限不足：{action}需要{}角色（R3.3.2）", roles_zh(needed))]
    NotPermitted {
        action: &'static str,
        permission: crate::domain::Permission,
        needed: Vec<crate::domain::Role>,
    },
    /// Input that fails validation or a rule that refuses it; the message says what to fix,
    /// in both languages where it has been written.
    #[error("{0}")]
    Invalid(crate::domain::Message),
    /// A rule of the regulation refused it; the message names the clause.
    #[error("{0}")]
    Refused(#[from] crate::domain::DomainError),
    /// The account exists in the key file but not (or no longer) in the ledger.
    #[error("此账户已停用或不存在")]
    UserInactive,
    /// The account still has the passphrase someone else chose.
    #[error("请先修改初始口令：该口令由他人设置，修改之前此账户不能登记或审批任何事项")]
    MustChangePassphrase,
    /// The passphrase is older than the office allows (R3.3.1): the account may only change
    /// it.
    #[error(
        "口令已使用 {0} 天，超过规定期限（R3.3.1 定期更换）：请先修改口令，修改之前此账户不能登记或审批任何事项"
    )]
    PassphraseExpired(i64),
    /// Too many failed sign-ins for this login: the next try is refused without deriving
    /// anything until the delay has passed (kept in `ledger.attempts`, across restarts).
    #[error("{login} 已连续 {failures} 次登录失败，请 {seconds} 秒后再试")]
    SignInDelayed {
        login: String,
        failures: u32,
        seconds: i64,
    },
    /// The account's passphrase was refused.
    #[error("当前口令不正确")]
    WrongCurrentPassphrase,
}

/// Roles joined for a message: 保密员或系统管理员.
pub(crate) fn roles_zh(roles: &[crate::domain::Role]) -> String {
    roles
        .iter()
        .map(|r| r.label_zh())
        .collect::<Vec<_>>()
        .join("或")
}

impl LedgerError {
    /// Whether unlocking was refused because the write-ahead log is damaged: the user may then
    /// decide to open the ledger as far as it verifies ([`LockedLedger::accept_wal_damage`]).
    pub fn is_wal_damage(&self) -> bool {
        matches!(self, LedgerError::Vault(VaultError::WalDamaged(_)))
    }

    /// For the window: a damaged WAL described in Chinese and English, pointing to the
    /// decision on the login screen instead of the command line.
    pub fn wal_damage_text(&self) -> Option<(String, String)> {
        let LedgerError::Vault(VaultError::WalDamaged(d)) = self else {
            return None;
        };
        Some((
            d.text_zh("如决定放弃损坏点之后的事务，请用下方的按钮。"),
            d.text_en("To drop the transactions after the damage, use the button below."),
        ))
    }
}

impl From<VaultError> for LedgerError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::WrongPassphraseOrDamaged => LedgerError::WrongPassphrase,
            VaultError::NoSuchUser => LedgerError::NoSuchUser,
            VaultError::SignInDelayed {
                login,
                failures,
                seconds,
            } => LedgerError::SignInDelayed {
                login,
                failures,
                seconds,
            },
            other => LedgerError::Vault(other),
        }
    }
}

/// Reads a column holding a stored code (level, state, role…) and parses it. An unknown code is
/// reported as an error, never replaced by a guess.
pub(crate) fn code_col<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let code: String = r.get(idx)?;
    parse(&code).ok_or_else(|| unknown_code(idx, &code))
}

/// Like [`code_col`] for a column that may be NULL.
pub(crate) fn opt_code_col<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    match r.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(code) => parse(&code)
            .map(Some)
            .ok_or_else(|| unknown_code(idx, &code)),
    }
}

fn unknown_code(idx: usize, code: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unknown code {code}").into(),
    )
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
