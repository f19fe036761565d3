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

/// A point of the chain already verified in this sitting: its sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub seq: i64,
    pub hash: [u8; 32],
}

/// Events between two progress reports.
pub const TICK: i64 = 10_000;

/// Recomputes every link in order.
pub fn verify(conn: &rusqlite::Connection, key: &SubKey) -> Result<ChainStatus, AuditError> {
    Ok(verify_from(conn, key, None, |_| true)?
        .expect("a verification that is never cancelled finishes"))
}

/// Recomputes the links after `from` (from the first event when `None`), checking first that
/// the event at `from` still has the hash verified then. `tick` is called every [`TICK`] events
/// with the count done so far; when it returns false the work stops (`Ok(None)`).
pub fn verify_from(
    conn: &rusqlite::Connection,
    key: &SubKey,
    from: Option<&Verified>,
    mut tick: impl FnMut(i64) -> bool,
) -> Result<Option<ChainStatus>, AuditError> {
    let (mut prev, mut expected_seq) = match from {
        None => (GENESIS, 1),
        Some(v) => {
            let now: Option<Vec<u8>> = rusqlite::OptionalExtension::optional(conn.query_row(
                "SELECT hash FROM audit_events WHERE seq = ?1",
                [v.seq],
                |r| r.get(0),
            ))?;
            if now.as_deref() != Some(v.hash.as_slice()) {
                return Ok(Some(ChainStatus::Broken {
                    first_bad_seq: v.seq,
                }));
            }
            (v.hash, v.seq + 1)
        }
    };
    let mut stmt = conn.prepare(&format!("{SELECT_EVENTS} WHERE seq >= ?1 ORDER BY seq"))?;
    let mut rows = stmt.query([expected_seq])?;
    let mut done = 0i64;
    while let Some(row) = rows.next()? {
        let ev = from_row(row)?;
        if ev.seq != expected_seq {
            return Ok(Some(ChainStatus::Broken {
                first_bad_seq: expected_seq,
            }));
        }
        let want = link(key, &prev, &ev);
        if ev.prev_hash != prev || ev.hash != want {
            return Ok(Some(ChainStatus::Broken {
                first_bad_seq: ev.seq,
            }));
        }
        prev = want;
        expected_seq += 1;
        done += 1;
        if done % TICK == 0 && !tick(done) {
            return Ok(None);
        }
    }
    Ok(Some(ChainStatus::Intact {
        events: expected_seq - 1,
        head: prev,
    }))
}
