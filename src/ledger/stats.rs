//! Row counts of every register (the CLI's `stats`, and later the 工作台 counters).

use super::{LedgerError, Session};

/// The registers counted, as (name, table).
const REGISTERS: &[(&str, &str)] = &[
    ("documents", "documents"),
    ("copies", "copies"),
    ("copy_events", "copy_events"),
    ("document_revisions", "document_revisions"),
    ("outgoing_steps", "outgoing_steps"),
    ("distributions", "distributions"),
    ("borrows", "borrows"),
    ("people", "people"),
    ("cabinets", "cabinets"),
    ("users", "users"),
    ("audit_events", "audit_events"),
];

/// (register, rows) for each register.
pub fn counts(s: &Session) -> Result<Vec<(&'static str, i64)>, LedgerError> {
    s.require("查看台账", crate::domain::Permission::ReadLedger)?;
    REGISTERS
        .iter()
        .map(|(name, table)| {
            let n: i64 = s
                .conn()
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok((*name, n))
        })
        .collect()
}

/// The number of documents registered (the 工作台's figure; [`counts`] also counts the audit
/// trail, which at a million events takes a quarter of a second).
pub fn documents(s: &Session) -> Result<i64, LedgerError> {
    s.require("查看台账", crate::domain::Permission::ReadLedger)?;
    Ok(s.conn()
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?)
}

/// How far a new ledger is from daily use: the first-run checklist of the 工作台.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GettingStarted {
    /// A cabinet is registered (copies need one, R3.1.1).
    pub cabinets: bool,
    /// Someone besides the signed-in custodian is in 人员 (borrowers, approvers).
    pub people: bool,
    /// The 党办负责人 has an account whose passphrase they chose (机密 and 绝密 approvals).
    pub head_account: bool,
    /// The signed-in custodian's own record is complete (clearance and pledge, R3.5.1).
    pub own_record: bool,
    /// A document is registered.
    pub documents: bool,
}

impl GettingStarted {
    /// Whether every step is done.
    pub fn done(&self) -> bool {
        self.cabinets && self.people && self.head_account && self.own_record && self.documents
    }
}

/// The first-run checklist's state.
pub fn getting_started(s: &Session) -> Result<GettingStarted, LedgerError> {
    let exists = |sql: &str, p: i64| -> Result<bool, LedgerError> {
        Ok(s.conn().query_row(sql, [p], |r| r.get(0))?)
    };
    let me = s.user().person_id.0;
    Ok(GettingStarted {
        cabinets: exists(
            "SELECT EXISTS (SELECT 1 FROM cabinets WHERE retired = 0 AND ?1 = ?1)",
            0,
        )?,
        people: exists(
            "SELECT EXISTS (SELECT 1 FROM people WHERE id != ?1 AND active = 1)",
            me,
        )?,
        head_account: exists(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'head' AND active = 1 \
             AND must_change_passphrase = 0 AND ?1 = ?1)",
            0,
        )?,
        own_record: exists(
            "SELECT EXISTS (SELECT 1 FROM people WHERE id = ?1 AND clearance != 'none' \
             AND pledge_signed_on IS NOT NULL)",
            me,
        )?,
        documents: exists("SELECT EXISTS (SELECT 1 FROM documents WHERE ?1 = ?1)", 0)?,
    })
}
