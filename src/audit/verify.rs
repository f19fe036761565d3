//! Verifying the chain from the first event to the head.

use super::AuditError;
use super::chain::{GENESIS, SELECT_EVENTS, from_row, link};
use crate::vault::SubKey;

/// Outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStatus {
    /// Every link holds. `head` is the last hash (32 zero bytes for an empty chain).
    Intact { events: i64, head: [u8; 32] },
    /// The first sequence number whose link does not hold (or that is missing).
    Broken { first_bad_seq: i64 },
}

impl ChainStatus {
    /// Whether the chain is intact.
    pub fn is_intact(&self) -> bool {
        matches!(self, ChainStatus::Intact { .. })
    }
}

/// Recomputes every link in order.
pub fn verify(conn: &rusqlite::Connection, key: &SubKey) -> Result<ChainStatus, AuditError> {
    let mut stmt = conn.prepare(&format!("{SELECT_EVENTS} ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS;
    let mut expected_seq = 1;
    while let Some(row) = rows.next()? {
        let ev = from_row(row)?;
        if ev.seq != expected_seq {
            return Ok(ChainStatus::Broken {
                first_bad_seq: expected_seq,
            });
        }
        let want = link(key, &prev, &ev);
        if ev.prev_hash != prev || ev.hash != want {
            return Ok(ChainStatus::Broken {
                first_bad_seq: ev.seq,
            });
        }
        prev = want;
        expected_seq += 1;
    }
    Ok(ChainStatus::Intact {
        events: expected_seq - 1,
        head: prev,
    })
}
