//! A consistent snapshot of the ledger taken on a second connection while the app goes on
//! writing on its own: a read transaction fixes the moment, then `sqlcipher_export` copies the
//! database into an in-memory plain SQLite database (SQLite's `memdb`, serialized in place) (SQLCipher refuses the backup API between
//! an encrypted and a plain database, "backup is not supported with encrypted databases"; its
//! export is the same row-by-row copy VACUUM makes). Nothing is written to any disk.

use std::collections::BTreeMap;
use std::sync::Arc;

use rusqlite::Connection;

use super::{AuditHead, BackupError, Progress};
use crate::vault::SubKey;

/// The keys a backup needs, derived from the master key on the session's thread: the
/// payload's (with the backup's salt) and the audit chain's (to verify the image).
pub struct BackupKeys {
    pub(crate) payload: SubKey,
    pub(crate) audit: SubKey,
}

/// What the session knows when the snapshot is fixed.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The vault's id.
    pub vault_id: [u8; 16],
    /// The key file as it is now (its bytes, MAC included).
    pub key_file: Vec<u8>,
    /// The unit's name.
    pub unit_name: String,
    /// Who makes the backup (login).
    pub made_by: String,
    /// When (the session's clock).
    pub at: chrono::DateTime<chrono::Utc>,
    /// The backup's salt and STREAM nonce prefix (random).
    pub salt: [u8; super::format::SALT_LEN],
    pub nonce_prefix: [u8; super::format::NONCE_PREFIX_LEN],
}

/// A second connection with its read transaction open: the ledger as it was when
/// [`Snapshot::begin`] returned, whatever the session writes afterwards. Sent to a worker.
pub struct Snapshot {
    conn: Connection,
    /// Already copied (see [`Snapshot::copy_now`]): the image is `main` of `conn`.
    copied: Option<ImageFacts>,
    pub(crate) origin: Origin,
    pub(crate) keys: BackupKeys,
}

/// The copied image's facts, read inside the snapshot's transaction.
#[derive(Debug, Clone)]
pub struct ImageFacts {
    pub schema_version: u32,
    pub tables: BTreeMap<String, i64>,
    pub audit_head: AuditHead,
}

/// The in-memory database the snapshot is copied into: SQLite's `memdb`, so the image is
/// serialized in place, not copied (the copy once doubled the memory a backup takes).
const ATTACH_SNAP: &str = "ATTACH DATABASE 'file:baomi-snapshot?vfs=memdb' AS snap KEY '';";

impl Snapshot {
    /// Fixes the snapshot on `conn` (a second connection to the session's database): attaches
    /// the in-memory target, opens a read transaction and reads, so the moment is now.
    pub fn begin(conn: Connection, origin: Origin, keys: BackupKeys) -> Result<Self, BackupError> {
        conn.execute_batch(&format!(
            "{ATTACH_SNAP} BEGIN; SELECT count(*) FROM main.sqlite_schema;"
        ))?;
        Ok(Snapshot {
            conn,
            copied: None,
            origin,
            keys,
        })
    }

    /// The copy made at once on the session's own connection, when no second connection can
    /// read the database (a session opened on a nearly full disk holds it in exclusive locking
    /// mode). The image moves into a plain in-memory connection of its own; the worker then
    /// only encrypts and verifies it.
    pub fn copy_now(
        session_conn: &mut Connection,
        origin: Origin,
        keys: BackupKeys,
    ) -> Result<Self, BackupError> {
        session_conn.execute_batch(ATTACH_SNAP)?;
        let copied = (|| -> Result<(Connection, ImageFacts), BackupError> {
            let facts = export_into_snap(session_conn)?;
            let data = session_conn.serialize("snap")?;
            let mut own = Connection::open_in_memory()?;
            own.execute_batch("PRAGMA temp_store = MEMORY;")?;
            own.deserialize_read_exact("main", &data[..], data.len(), false)?;
            Ok((own, facts))
        })();
        let _ = session_conn.execute_batch("DETACH DATABASE snap;");
        let (conn, facts) = copied?;
        Ok(Snapshot {
            conn,
            copied: Some(facts),
            origin,
            keys,
        })
    }

    /// Copies the ledger into the in-memory database and runs `use_image` on the image's bytes
    /// with the facts read in the same transaction, then frees the image and hands the keys
    /// back (to verify what was written). Cancelling interrupts the copy.
    pub fn with_image<T>(
        mut self,
        progress: &Arc<Progress>,
        use_image: impl FnOnce(&Origin, &BackupKeys, &ImageFacts, &[u8]) -> Result<T, BackupError>,
    ) -> Result<(T, BackupKeys), BackupError> {
        progress.start(super::Phase::Snapshot, 0);
        let (facts, schema) = match self.copied.take() {
            Some(facts) => (facts, "main"),
            None => {
                let watch = Arc::clone(progress);
                self.conn
                    .progress_handler(10_000, Some(move || watch.is_cancelled()))?;
                let facts = match export_into_snap(&self.conn) {
                    Ok(f) => f,
                    Err(_) if progress.is_cancelled() => return Err(BackupError::Cancelled),
                    Err(e) => return Err(e),
                };
                self.conn.progress_handler(0, None::<fn() -> bool>)?;
                (facts, "snap")
            }
        };
        progress.check()?;
        let data = self.conn.serialize(schema)?;
        let out = use_image(&self.origin, &self.keys, &facts, &data);
        drop(data);
        let Snapshot { conn, keys, .. } = self;
        drop(conn);
        Ok((out?, keys))
    }
}

/// `sqlcipher_export` of `main` into the attached `snap`, inside the read transaction already
/// open (or one of its own), the schema version set, the facts read in the same transaction.
fn export_into_snap(conn: &Connection) -> Result<ImageFacts, BackupError> {
    let own_tx = conn.is_autocommit();
    if own_tx {
        conn.execute_batch("BEGIN;")?;
    }
    let done = (|| {
        conn.query_row("SELECT sqlcipher_export('snap')", [], |_| Ok(()))?;
        let schema_version: u32 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
        conn.execute_batch(&format!("PRAGMA snap.user_version = {schema_version};"))?;
        Ok(ImageFacts {
            schema_version,
            tables: table_counts(conn, "main")?,
            audit_head: audit_head(conn, "main")?,
        })
    })();
    let end = if done.is_ok() { "COMMIT;" } else { "ROLLBACK;" };
    let _ = conn.execute_batch(end);
    done
}

/// Rows of every table of `schema` (FTS shadow tables included, SQLite's own excluded), by name.
pub fn table_counts(conn: &Connection, schema: &str) -> Result<BTreeMap<String, i64>, BackupError> {
    let names: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND rootpage > 0 \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = BTreeMap::new();
    for name in names {
        let n: i64 = conn.query_row(
            &format!(
                "SELECT count(*) FROM {schema}.\"{}\"",
                name.replace('"', "\"\"")
            ),
            [],
            |r| r.get(0),
        )?;
        out.insert(name, n);
    }
    Ok(out)
}

/// The audit chain's last event in `schema` (seq 0 and 32 zero bytes for an empty chain).
pub fn audit_head(conn: &Connection, schema: &str) -> Result<AuditHead, BackupError> {
    let head: Option<(i64, Vec<u8>)> = rusqlite::OptionalExtension::optional(conn.query_row(
        &format!("SELECT seq, hash FROM {schema}.audit_events ORDER BY seq DESC LIMIT 1"),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?;
    let (seq, hash) = head.unwrap_or((0, crate::audit::GENESIS.to_vec()));
    Ok(AuditHead {
        seq,
        hash: super::hex(&hash),
    })
}
