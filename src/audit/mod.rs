//! The tamper-evident audit trail: an append-only table of events, each hash-chained to the one
//! before with HMAC-SHA256 under a key derived from the master key.
//!
//! `hash = HMAC(audit_key, prev_hash ‖ len‖seq ‖ len‖at ‖ len‖user_id ‖ len‖action ‖ len‖entity
//! ‖ len‖entity_id ‖ len‖detail_json)`, every `len` a big-endian u32 of the UTF-8 bytes that
//! follow. The first event's `prev_hash` is 32 zero bytes. Triggers refuse UPDATE and DELETE.

mod chain;
pub mod seal;
mod verify;

#[cfg(any(test, feature = "test-support"))]
pub use chain::rewrite_consistently_for_tests;
pub use chain::{GENESIS, NewEvent, StoredEvent, append, head, recent};
pub use verify::{ChainStatus, TICK, Verified, verify, verify_from};

/// Errors of the audit layer.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A statement failed.
    #[error("审计日志操作失败：{}", crate::vault::sql_text(.0))]
    Sql(#[from] rusqlite::Error),
}
