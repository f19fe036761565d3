//! Numbered, append-only schema migrations, applied in one transaction at unlock.
//!
//! `PRAGMA user_version` holds the number of the last applied migration. A database whose
//! version is higher than this build knows was written by a newer Baomi and is refused untouched.

use rusqlite::Connection;

use super::VaultError;

/// The migrations, in order; migration `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("0001_foundation.sql"),
    include_str!("0002_people_cabinets.sql"),
    include_str!("0003_documents.sql"),
    include_str!("0004_search_revisions_outgoing.sql"),
    include_str!("0005_borrowing.sql"),
    include_str!("0006_audit_seals.sql"),
    include_str!("0007_custody_renewals.sql"),
];

/// The schema version this build writes.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// The database's schema version.
pub fn current(conn: &Connection) -> Result<u32, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))?)
}

/// Brings the schema up to [`latest`]; refuses a newer one. Returns the version found.
pub fn apply(conn: &mut Connection) -> Result<u32, VaultError> {
    apply_up_to(conn, latest())
}

/// Applies migrations up to `target` (tests use it to freeze an old schema).
pub fn apply_up_to(conn: &mut Connection, target: u32) -> Result<u32, VaultError> {
    let found = current(conn)?;
    if found > latest() {
        return Err(VaultError::NewerSchema {
            found,
            supported: latest(),
        });
    }
    if found >= target {
        return Ok(found);
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
    }
    tx.commit()?;
    Ok(found)
}
