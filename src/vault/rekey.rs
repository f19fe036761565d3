//! Rekeying a vault: a new master key, the database re-encrypted under it, every remaining
//! account's slot wrapped again, a new recovery key. What revokes a removed user's old copy of
//! `ledger.keys` (and a replaced recovery key): their passphrase still unwraps the *old* master
//! key, which no longer opens anything written after.
//!
//! The audit chain keeps its key across a rekey: its key is stored in the (encrypted) database
//! first (`settings.audit_chain_key`), so every link and every seal still verifies.
//!
//! Crash safety: the new database and key file are written complete into `.rekey/` in the vault
//! folder (the database exported by SQLCipher straight from the open, keyed connection into a
//! file keyed with the new page key: no plaintext on disk), synced, and only then the marker
//! `ledger.rekeying` is written. The marker means "finish the swap": opening a vault that holds it
//! moves whatever is left of `.rekey/` into place. Without the marker, a `.rekey/` folder is an
//! unfinished staging and is removed; the old vault is whole.

use std::path::Path;

use rusqlite::Connection;
use zeroize::Zeroizing;

use super::files;
use super::keyslots::{KeyFile, SlotOwner};
use super::secret::{MasterKey, Passphrase, RecoveryKey, purpose};
use super::{DB_FILE, KEYS_FILE, OpenLedger, Vault, VaultError, push_hex};

/// The staging folder inside the vault folder.
pub const STAGING_DIR: &str = ".rekey";
/// The marker: the staged files are complete; the swap is to be finished.
pub const MARKER_FILE: &str = "ledger.rekeying";

/// How one remaining account's slot is wrapped under the new master key.
pub enum Rewrap {
    /// With the passphrase its owner typed in this sitting (checked against their slot first).
    Typed(Passphrase),
    /// With a one-time passphrase the owner must change at their next sign-in.
    OneTime(Passphrase),
}

/// Finishes a rekey a crash interrupted, or removes an unfinished staging. Called when a vault
/// is opened (the instance lock is held).
pub(crate) fn recover(dir: &Path) -> Result<(), VaultError> {
    let staging = dir.join(STAGING_DIR);
    let marker = dir.join(MARKER_FILE);
    if marker.exists() {
        finish_swap(dir)?;
    } else if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| VaultError::io("清除", &staging, e))?;
    }
    Ok(())
}

/// Moves the staged database and key file into place, then removes the marker and the staging
/// folder. Each step can be repeated: a file already moved is not looked for again.
fn finish_swap(dir: &Path) -> Result<(), VaultError> {
    let staging = dir.join(STAGING_DIR);
    let staged_db = staging.join(DB_FILE);
    if staged_db.exists() {
        // The old database's log and index must not be read against the new file.
        for side in files::db_side_files() {
            let p = dir.join(&side);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(VaultError::io("删除", &p, e)),
            }
        }
        let to = dir.join(DB_FILE);
        std::fs::rename(&staged_db, &to).map_err(|e| VaultError::io("替换", &to, e))?;
        files::sync_dir(dir).map_err(|e| VaultError::io("写入文件夹", dir, e))?;
    }
    crate::process::crash_point("rekey:database-moved");
    let staged_keys = staging.join(KEYS_FILE);
    if staged_keys.exists() {
        let to = dir.join(KEYS_FILE);
        std::fs::rename(&staged_keys, &to).map_err(|e| VaultError::io("替换", &to, e))?;
        files::sync_dir(dir).map_err(|e| VaultError::io("写入文件夹", dir, e))?;
    }
    let marker = dir.join(MARKER_FILE);
    match std::fs::remove_file(&marker) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(VaultError::io("删除", &marker, e)),
    }
    let _ = std::fs::remove_dir_all(&staging);
    files::sync_dir(dir).map_err(|e| VaultError::io("写入文件夹", dir, e))
}

impl Vault {
    /// Rekeys the vault whose database `ledger` holds open, with the keys [`prepare`] made off
    /// the UI thread (a slot not named there is removed, as for an account deactivated; seal key
    /// slots are kept as they are): the database is exported under the new master key, the files
    /// swapped, and `ledger` reopened on the new database. Returns the new recovery key, to show
    /// once. Refused as damaged when the key file changed since [`prepare`] read it.
    ///
    /// The audit chain's key must already be stored in the database (`settings.audit_chain_key`,
    /// written by the ledger with the rekey's first audit event) so that the chain verifies
    /// after.
    pub(crate) fn rekey_prepared(
        &mut self,
        ledger: &mut OpenLedger,
        prepared: PreparedKeys,
    ) -> Result<RecoveryKey, VaultError> {
        let PreparedKeys {
            master,
            recovery,
            mut keys,
            from,
        } = prepared;
        if from != self.keys.logins() {
            return Err(VaultError::Damaged);
        }
        // Stage the new database and key file, complete and synced, then the marker.
        let staging = self.dir.join(STAGING_DIR);
        let _ = std::fs::remove_dir_all(&staging);
        files::make_dir(&staging)?;
        let staged = (|| -> Result<(), VaultError> {
            ledger
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            export_keyed(&ledger.conn, &staging.join(DB_FILE), &master)?;
            crate::process::crash_point("rekey:staged-database");
            let bytes = keys.seal_to_bytes(&master);
            let path = staging.join(KEYS_FILE);
            crate::fsutil::write_atomic(&path, &bytes)
                .map_err(|e| VaultError::io("写入密钥文件", &path, e))?;
            files::sync_dir(&staging).map_err(|e| VaultError::io("写入文件夹", &staging, e))?;
            Ok(())
        })();
        if let Err(e) = staged {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        let marker = self.dir.join(MARKER_FILE);
        crate::fsutil::write_atomic(&marker, b"")
            .map_err(|e| VaultError::io("写入", &marker, e))?;
        crate::process::crash_point("rekey:marker-written");

        // The old connection closes (nothing is left in its log) before the files move.
        let old = std::mem::replace(&mut ledger.conn, Connection::open_in_memory()?);
        old.close().map_err(|(_, e)| VaultError::Sql(e))?;
        finish_swap(&self.dir)?;
        self.keys = keys;
        ledger.conn = super::open_connection(&self.dir, &master, super::Open::Existing)?;
        ledger.master = master;
        Ok(recovery)
    }
}

/// A rekey's key work, done off the UI thread: every typed passphrase checked against its slot,
/// a new master and recovery key, every slot wrapped again (one Argon2id derivation each).
pub struct PreparedKeys {
    master: MasterKey,
    recovery: RecoveryKey,
    keys: KeyFile,
    /// The logins of the key file it was prepared from (the swap checks nothing changed).
    from: Vec<String>,
}

/// Prepares a rekey of the vault whose key file is `current`: `accounts` says how each
/// remaining passphrase slot is wrapped (a slot not named is removed). A typed passphrase that does not open its slot is refused as
/// [`VaultError::WrongPassphraseOrDamaged`] with nothing made.
pub fn prepare(
    current: &KeyFile,
    accounts: &[(String, Rewrap)],
) -> Result<PreparedKeys, VaultError> {
    // Every typed passphrase opens its current slot: nobody is locked out by a typo.
    for (login, how) in accounts {
        if let Rewrap::Typed(p) = how {
            current.unlock_user(login, p)?;
        }
    }
    let master = MasterKey::generate()?;
    let recovery = RecoveryKey::generate()?;
    let mut keys: KeyFile = current.emptied();
    for slot in &current.slots {
        let SlotOwner::User(login) = &slot.owner else {
            continue;
        };
        let Some((_, how)) = accounts.iter().find(|(l, _)| l == login) else {
            continue;
        };
        let params = slot.kdf.ok_or(VaultError::Damaged)?;
        let p = match how {
            Rewrap::Typed(p) | Rewrap::OneTime(p) => p,
        };
        keys.set_user_slot(&master, login, p, params)?;
    }
    if keys.logins().is_empty() {
        return Err(VaultError::LastSlot);
    }
    // Seal key slots are wrapped by their auditor's passphrase, not the master key.
    for slot in &current.slots {
        if let SlotOwner::SealKey(login) = &slot.owner
            && keys.logins().contains(login)
        {
            keys.slots.push(slot.clone());
        }
    }
    keys.set_recovery_slot(&master, &recovery)?;
    Ok(PreparedKeys {
        master,
        recovery,
        keys,
        from: current.logins(),
    })
}

/// Exports the database of `conn` into a new file at `to`, keyed with `master`'s page key and
/// the vault's cipher settings, by SQLCipher itself (`sqlcipher_export`): the pages go from one
/// key to the other without a plaintext copy.
fn export_keyed(conn: &Connection, to: &Path, master: &MasterKey) -> Result<(), VaultError> {
    drop(files::open_private(to, DB_FILE, true, true)?);
    let db_key = master.derive(purpose::DATABASE);
    let mut key = Zeroizing::new(String::with_capacity(67));
    key.push_str("x'");
    push_hex(&mut key, db_key.expose());
    key.push('\'');
    conn.execute(
        "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
        rusqlite::params![to.to_string_lossy(), key.as_str()],
    )?;
    drop(key);
    let version: u32 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
    let done = conn
        .execute_batch(
            "PRAGMA rekeyed.cipher_hmac_algorithm = HMAC_SHA256; \
             PRAGMA rekeyed.journal_mode = DELETE;",
        )
        .and_then(|()| conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(())))
        .and_then(|()| conn.execute_batch(&format!("PRAGMA rekeyed.user_version = {version};")));
    let detached = conn.execute_batch("DETACH DATABASE rekeyed;");
    done?;
    detached?;
    let f = std::fs::File::open(to).map_err(|e| VaultError::io("读取", to, e))?;
    f.sync_all().map_err(|e| VaultError::io("写入", to, e))?;
    Ok(())
}
