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
