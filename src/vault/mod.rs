//! The vault: a folder holding the encrypted ledger (`ledger.db`), its key slots
//! (`ledger.keys`) and the instance lock (`ledger.lock`). Nothing else opens the database.
//!
//! A [`Vault`] is an opened, still locked folder (the instance lock is held, the key file is
//! parsed). [`Vault::unlock`] turns a passphrase into an [`OpenLedger`]: the SQLCipher
//! connection plus the keys derived from the master key. Dropping the `OpenLedger` locks.

mod error;
pub mod files;
pub mod kdf;
pub mod keyslots;
mod lock;
pub mod migrations;
pub mod secret;
pub mod wal;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use zeroize::Zeroizing;

pub mod attempts;
pub mod rekey;
pub use error::{StorageProblem, VaultError, sql_text};
pub use files::FolderState;
pub use kdf::{KdfChoice, KdfParams};
pub use keyslots::{KeyFile, SlotOwner};
pub use lock::InstanceLock;
pub use secret::{MasterKey, Passphrase, RecoveryKey, SubKey};
pub use wal::{WalDamage, WalState};

use secret::purpose;

/// File names inside a vault folder.
pub const DB_FILE: &str = "ledger.db";
/// See [`DB_FILE`].
pub const KEYS_FILE: &str = "ledger.keys";
/// See [`DB_FILE`].
pub const LOCK_FILE: &str = "ledger.lock";

/// SQLCipher page cache: 64 MiB (negative = KiB). Without it SQLCipher is several times slower.
const CACHE_KIB: i64 = 65_536;

/// An opened vault folder: the instance lock is held; the ledger is still locked.
#[derive(Debug)]
pub struct Vault {
    dir: PathBuf,
    keys: KeyFile,
    /// Always held by the app; `None` only for a test's second writer on the same file.
    lock: Option<InstanceLock>,
    /// Temporary key files of an interrupted write, removed when the vault was opened.
    cleaned: Vec<String>,
    /// The time failed passphrases are counted by (`ledger.attempts`): the session's clock.
    clock: AttemptsClock,
}

/// The clock [`Vault`] counts failed passphrases by.
#[derive(Clone)]
struct AttemptsClock(std::sync::Arc<dyn crate::domain::Clock>);

impl Default for AttemptsClock {
    fn default() -> Self {
        Self(std::sync::Arc::new(crate::domain::SystemClock))
    }
}

impl std::fmt::Debug for AttemptsClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptsClock")
    }
}

/// An unlocked ledger: the database connection and the keys derived from the master key.
/// Dropping it closes the database and zeroizes the keys.
pub struct OpenLedger {
    conn: Connection,
    master: MasterKey,
    audit_key: SubKey,
    /// Who opened it.
    pub opened_by: SlotOwner,
    /// Time spent in the KDF and in the rest of unlocking (for the benchmark and the log).
    pub timing: UnlockTiming,
}

/// How long unlocking took, split into the KDF and the rest.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockTiming {
    pub kdf: Duration,
    pub rest: Duration,
}

/// Result of [`OpenLedger::integrity_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityReport {
    /// Problems reported by `PRAGMA cipher_integrity_check` (page HMACs).
    pub cipher: Vec<String>,
    /// Problems reported by `PRAGMA integrity_check` (b-tree structure).
    pub structure: Vec<String>,
}

impl IntegrityReport {
    /// Whether both checks passed.
    pub fn is_ok(&self) -> bool {
        self.cipher.is_empty() && self.structure.is_empty()
    }
}

impl Vault {
    /// Creates a new vault in `dir` (which must not hold one) with one user slot for
    /// `first_login` and a recovery slot. Returns the vault, the unlocked ledger with its schema
    /// in place, and the recovery key to show once.
    pub fn create(
        dir: &Path,
        first_login: &str,
        passphrase: &Passphrase,
        kdf: KdfChoice,
    ) -> Result<(Vault, OpenLedger, RecoveryKey), VaultError> {
        Vault::create_with(dir, first_login, passphrase, kdf, |_| {
            Ok::<_, VaultError>(())
        })
        .map(|(v, l, r, ())| (v, l, r))
    }

    /// Like [`Vault::create`], running `init` (the ledger's first transaction) after the schema
    /// is made and before the key file is written.
    ///
    /// The order makes creation all or nothing: a marker (`ledger.creating`) is written first,
    /// then the database with its schema and `init`'s rows, then `ledger.keys`, and the marker
    /// is removed last. A crash before the key file leaves a folder that says it holds an
    /// interrupted creation (which creating again clears); after it, a complete vault. A
    /// failure clears what was made.
    pub fn create_with<T, E: From<VaultError>>(
        dir: &Path,
        first_login: &str,
        passphrase: &Passphrase,
        kdf: KdfChoice,
        init: impl FnOnce(&mut OpenLedger) -> Result<T, E>,
    ) -> Result<(Vault, OpenLedger, RecoveryKey, T), E> {
        let lock = claim_new(dir)?;
        let params = kdf.resolve()?;
        let master = MasterKey::generate()?;
        let recovery = RecoveryKey::generate()?;
        let mut keys = KeyFile::new()?;
        keys.set_user_slot(&master, first_login, passphrase, params)?;
        keys.set_recovery_slot(&master, &recovery)?;

        files::write_marker(dir)?;
        crate::process::crash_point("init:marker");
        let started = Instant::now();
        let made = (|| -> Result<(OpenLedger, T), E> {
            let db = dir.join(DB_FILE);
            drop(files::open_private(&db, DB_FILE, true, true)?);
            crate::process::crash_point("init:db-file");
            let mut conn = open_connection(dir, &master, Open::Create)?;
            migrations::apply(&mut conn)?;
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('vault_id', ?1)",
                [keys.vault_id_hex()],
            )
            .map_err(VaultError::from)?;
            crate::process::crash_point("init:schema");
            let mut ledger = OpenLedger::new(
                conn,
                master,
                SlotOwner::User(first_login.to_owned()),
                UnlockTiming::default(),
            );
            let out = init(&mut ledger)?;
            crate::process::crash_point("init:first-transaction");
            write_keys(dir, &mut keys, &ledger.master)?;
            crate::process::crash_point("init:keys");
            Ok((ledger, out))
        })();
        let (mut ledger, out) = match made {
            Ok(made) => made,
            Err(e) => {
                // Nothing in the folder claims to be a vault yet: clear the beginnings.
                let _ = files::clear_interrupted(dir);
                return Err(e);
            }
        };
        files::remove_marker(dir)?;
        ledger.timing.rest = started.elapsed();
        let vault = Vault {
            dir: dir.to_owned(),
            keys,
            lock: Some(lock),
            cleaned: Vec::new(),
            clock: AttemptsClock::default(),
        };
        Ok((vault, ledger, recovery, out))
    }

    /// Makes a vault in `dir` from a backup: `key_file` is the backup's copy of the key file
    /// (written back byte for byte, so every passphrase and the recovery key of that time open
    /// it) and the database is rebuilt from the plain SQLite image read from `image` (`len`
    /// bytes), encrypted under `master`'s page key. The order is creation's: marker, database,
    /// key file, marker removed; a failure clears what was made. `dir` must hold no vault.
    pub fn restore_from_image(
        dir: &Path,
        key_file: &[u8],
        master: &MasterKey,
        image: &mut dyn std::io::Read,
        len: usize,
        schema_version: u32,
    ) -> Result<Vault, VaultError> {
        let lock = claim_new(dir)?;
        let keys = KeyFile::parse(key_file)?;
        files::write_marker(dir)?;
        let made = (|| -> Result<(), VaultError> {
            let db = dir.join(DB_FILE);
            drop(files::open_private(&db, DB_FILE, true, true)?);
            // The image is loaded into a plain in-memory connection and exported into the new
            // file attached with the page key: a deserialize on the keyed connection itself would
            // re-attach the image under the main database's key (SQLite's deserialize attaches,
            // SQLCipher gives an attachment without KEY the main key).
            sqlcipher_initialized()?;
            let mut conn = Connection::open_in_memory()?;
            conn.execute_batch("PRAGMA temp_store = MEMORY;")?;
            conn.deserialize_read_exact("main", image, len, true)?;
            let db_key = master.derive(purpose::DATABASE);
            let mut key = Zeroizing::new(String::with_capacity(67));
            key.push_str("x'");
            push_hex(&mut key, db_key.expose());
            key.push('\'');
            conn.execute(
                "ATTACH DATABASE ?1 AS ledger KEY ?2",
                rusqlite::params![db.to_string_lossy(), key.as_str()],
            )?;
            drop(key);
            conn.execute_batch(
                "PRAGMA ledger.cipher_hmac_algorithm = HMAC_SHA256; \
                 PRAGMA ledger.journal_mode = WAL;",
            )?;
            register_functions(&conn)?;
            conn.query_row("SELECT sqlcipher_export('ledger')", [], |_| Ok(()))?;
            conn.execute_batch(&format!(
                "PRAGMA ledger.user_version = {schema_version}; DETACH DATABASE ledger;"
            ))?;
            conn.close().map_err(|(_, e)| VaultError::Sql(e))?;
            crate::process::crash_point("restore:database");
            let path = dir.join(KEYS_FILE);
            crate::fsutil::write_atomic(&path, key_file)
                .map_err(|e| VaultError::io("写入密钥文件", &path, e))?;
            Ok(())
        })();
        if let Err(e) = made {
            let _ = files::clear_interrupted(dir);
            return Err(e);
        }
        files::remove_marker(dir)?;
        Ok(Vault {
            dir: dir.to_owned(),
            keys,
            lock: Some(lock),
            cleaned: Vec::new(),
            clock: AttemptsClock::default(),
        })
    }

    /// What the folder holds (nothing is changed). A folder that cannot be read is an error.
    pub fn probe(dir: &Path) -> Result<FolderState, VaultError> {
        files::probe(dir)
    }

    /// Opens the vault in `dir`: takes the instance lock and reads the key file.
    pub fn open(dir: &Path) -> Result<Vault, VaultError> {
        Vault::open_inner(dir, true)
    }

    /// Opens the vault in `dir` without the instance lock: a second writer on the same file,
    /// for tests that race two writers. Never reachable from the app.
    #[cfg(any(test, feature = "test-support"))]
    pub fn open_without_instance_lock(dir: &Path) -> Result<Vault, VaultError> {
        Vault::open_inner(dir, false)
    }

    fn open_inner(dir: &Path, take_lock: bool) -> Result<Vault, VaultError> {
        match files::probe(dir)? {
            FolderState::Absent | FolderState::Empty => return Err(VaultError::NotAVault),
            FolderState::InterruptedCreation => return Err(VaultError::InterruptedCreation),
            FolderState::Vault => {}
        }
        let keys_path = dir.join(KEYS_FILE);
        let lock = if take_lock {
            Some(InstanceLock::acquire(&dir.join(LOCK_FILE))?)
        } else {
            None
        };
        if take_lock {
            // A rekey a crash interrupted: finished when its staging was complete, else undone.
            rekey::recover(dir)?;
        }
        files::refuse_unsafe(&keys_path, KEYS_FILE)?;
        // 256 slots of about 200 bytes: a key file of more than 1 MiB is not one (and is not
        // read whole into memory).
        let len = std::fs::metadata(&keys_path)
            .map_err(|e| VaultError::io("读取", &keys_path, e))?
            .len();
        if len > 1024 * 1024 {
            return Err(VaultError::Damaged);
        }
        let bytes = std::fs::read(&keys_path).map_err(|e| VaultError::io("读取", &keys_path, e))?;
        let keys = KeyFile::parse(&bytes)?;
        if !dir.join(DB_FILE).exists() {
            return Err(VaultError::Missing { file: DB_FILE });
        }
        if take_lock {
            // Made by an older version, or a crash after the key file was written: a complete
            // vault; the marker is stale, and the modes are made private.
            let _ = files::remove_marker(dir);
            files::tighten_modes(dir);
        }
        // The instance lock is held: no other process is writing a temporary key file.
        let mut cleaned = Vec::new();
        if take_lock
            && let Ok(found) = files::leftover_temp_files(dir)
            && files::remove_leftovers(dir, &found).is_ok()
        {
            cleaned = found;
        }
        Ok(Vault {
            dir: dir.to_owned(),
            keys,
            lock,
            cleaned,
            clock: AttemptsClock::default(),
        })
    }

    /// The vault folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Temporary key files an interrupted write had left, removed when the vault was opened.
    pub fn cleaned_leftovers(&self) -> &[String] {
        &self.cleaned
    }

    /// The parsed key file.
    pub fn key_file(&self) -> &KeyFile {
        &self.keys
    }

    /// Logins that have a passphrase slot (for the login screen's user picker).
    pub fn logins(&self) -> Vec<String> {
        self.keys.logins()
    }

    /// `Some(previous holder)` if opening recovered a stale lock left by a crashed process.
    pub fn recovered_stale_lock(&self) -> Option<&str> {
        self.lock.as_ref().and_then(|l| l.recovered_from())
    }

    /// The clock failed passphrases are counted by (a session's, so a test's simulated clock
    /// reaches `ledger.attempts`).
    pub fn set_clock(&mut self, clock: std::sync::Arc<dyn crate::domain::Clock>) {
        self.clock = AttemptsClock(clock);
    }

    /// Counts passphrase checks made away from the vault (a worker's seal, seal check or rekey
    /// on a copy of the key file) in `ledger.attempts`, now.
    pub fn attempts_counter(&self) -> attempts::Counter {
        attempts::Counter::new(&self.dir, self.clock.0.now())
    }

    /// `login`'s slot opened with `passphrase`: every passphrase check of the vault comes here,
    /// through the delay and the count of failures (`attempts::guarded`).
    fn unlock_user(&self, login: &str, passphrase: &Passphrase) -> Result<MasterKey, VaultError> {
        let known = self.keys.has_user(login);
        attempts::guarded(&self.dir, login, known, self.clock.0.now(), || {
            self.keys.unlock_user(login, passphrase)
        })
    }

    /// Unlocks with `login`'s passphrase.
    pub fn unlock(&self, login: &str, passphrase: &Passphrase) -> Result<OpenLedger, VaultError> {
        let started = Instant::now();
        let master = self.unlock_user(login, passphrase)?;
        let kdf = started.elapsed();
        let ledger = self.open_db(master, SlotOwner::User(login.to_owned()))?;
        Ok(OpenLedger {
            timing: UnlockTiming {
                kdf,
                rest: started.elapsed() - kdf,
            },
            ..ledger
        })
    }

    /// Opens the database with a master key already unwrapped (a restore that opened the
    /// backup's copy of this key file).
    pub(crate) fn unlock_with_master(
        &self,
        master: MasterKey,
        who: SlotOwner,
    ) -> Result<OpenLedger, VaultError> {
        self.open_db(master, who)
    }

    /// Checks `login`'s passphrase without opening anything (a second person's confirmation
    /// inside another user's session). The key it unwraps is dropped (zeroized) at once.
    pub fn verify_passphrase(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        self.unlock_user(login, passphrase).map(drop)
    }

    /// Unlocks with the recovery key and sets a new passphrase for `login` in the same step.
    pub fn unlock_with_recovery(
        &mut self,
        recovery: &RecoveryKey,
        login: &str,
        new_passphrase: &Passphrase,
    ) -> Result<OpenLedger, VaultError> {
        let master = self.keys.unlock_recovery(recovery)?;
        if !self.keys.has_user(login) {
            return Err(VaultError::NoSuchUser);
        }
        let ledger = self.open_db(master, SlotOwner::Recovery)?;
        self.set_passphrase(&ledger, login, new_passphrase)?;
        Ok(ledger)
    }

    /// Changes `login`'s passphrase after checking the current one. Rewrites that slot of the
    /// key file only; the database is not touched.
    pub fn change_passphrase(
        &mut self,
        login: &str,
        current: &Passphrase,
        new: &Passphrase,
    ) -> Result<(), VaultError> {
        let master = self.unlock_user(login, current)?;
        let params = self.slot_params(login)?;
        let mut keys = self.keys.clone();
        keys.set_user_slot(&master, login, new, params)?;
        // An auditor's seal key follows their passphrase (one key for all their seals). A seal
        // key still wrapped by a passphrase from before a reset stays as it is.
        if let Ok(Some(seal_key)) = self.keys.unlock_seal_key(login, current) {
            keys.set_seal_slot(login, new, &seal_key, params)?;
        }
        write_keys(&self.dir, &mut keys, &master)?;
        self.keys = keys;
        Ok(())
    }

    /// Adds a passphrase slot for `login`, or replaces it (an administrator's reset).
    pub fn set_passphrase(
        &mut self,
        ledger: &OpenLedger,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        self.set_passphrase_with(&ledger.master, login, passphrase)
    }

    /// [`Vault::set_passphrase`] with the master key itself (inside a ledger transaction).
    pub(crate) fn set_passphrase_with(
        &mut self,
        master: &MasterKey,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        let params = match self.slot_params(login) {
            Ok(p) => p,
            Err(_) => self.any_slot_params()?,
        };
        let mut keys = self.keys.clone();
        keys.set_user_slot(master, login, passphrase, params)?;
        write_keys(&self.dir, &mut keys, master)?;
        self.keys = keys;
        Ok(())
    }

    /// Puts a seal key slot made off the UI thread into the key file (inside a ledger
    /// transaction; no key derivation here).
    pub(crate) fn put_seal_slot_with(
        &mut self,
        master: &MasterKey,
        slot: keyslots::Slot,
    ) -> Result<(), VaultError> {
        let mut keys = self.keys.clone();
        keys.put_slot(slot)?;
        write_keys(&self.dir, &mut keys, master)?;
        self.keys = keys;
        Ok(())
    }

    /// Puts an earlier key file back (a ledger transaction that changed it failed to commit).
    pub(crate) fn restore_key_file(
        &mut self,
        mut previous: KeyFile,
        master: &MasterKey,
    ) -> Result<(), VaultError> {
        write_keys(&self.dir, &mut previous, master)?;
        self.keys = previous;
        Ok(())
    }

    /// Removes the passphrase slots of `logins` (slots left without an account by an
    /// interrupted account creation).
    pub(crate) fn remove_slots_with(
        &mut self,
        master: &MasterKey,
        logins: &[String],
    ) -> Result<(), VaultError> {
        let mut keys = self.keys.clone();
        for login in logins {
            keys.remove_user_slot(login)?;
        }
        write_keys(&self.dir, &mut keys, master)?;
        self.keys = keys;
        Ok(())
    }

    /// An insider with the master key drops `login`'s seal key slot and seals the file again
    /// (tests of what the auditor's check then says).
    #[cfg(any(test, feature = "test-support"))]
    pub fn remove_seal_slot_for_tests(
        &mut self,
        ledger: &OpenLedger,
        login: &str,
    ) -> Result<(), VaultError> {
        let mut keys = self.keys.clone();
        keys.slots
            .retain(|s| s.owner != SlotOwner::SealKey(login.to_owned()));
        write_keys(&self.dir, &mut keys, &ledger.master)?;
        self.keys = keys;
        Ok(())
    }

    /// Removes `login`'s passphrase slot: that passphrase no longer opens the vault.
    pub fn remove_user_slot(&mut self, ledger: &OpenLedger, login: &str) -> Result<(), VaultError> {
        let mut keys = self.keys.clone();
        keys.remove_user_slot(login)?;
        write_keys(&self.dir, &mut keys, &ledger.master)?;
        self.keys = keys;
        Ok(())
    }

    /// Replaces the recovery key (the old one stops working). Returns the new one to show once.
    pub fn rotate_recovery_key(&mut self, ledger: &OpenLedger) -> Result<RecoveryKey, VaultError> {
        let recovery = RecoveryKey::generate()?;
        let mut keys = self.keys.clone();
        keys.set_recovery_slot(&ledger.master, &recovery)?;
        write_keys(&self.dir, &mut keys, &ledger.master)?;
        self.keys = keys;
        Ok(recovery)
    }

    fn slot_params(&self, login: &str) -> Result<KdfParams, VaultError> {
        self.keys
            .slots
            .iter()
            .find(|s| s.owner == SlotOwner::User(login.to_owned()))
            .and_then(|s| s.kdf)
            .ok_or(VaultError::NoSuchUser)
    }

    fn any_slot_params(&self) -> Result<KdfParams, VaultError> {
        self.keys
            .slots
            .iter()
            .find_map(|s| s.kdf)
            .ok_or(VaultError::Damaged)
    }

    fn open_db(&self, master: MasterKey, who: SlotOwner) -> Result<OpenLedger, VaultError> {
        let mut conn = open_connection(&self.dir, &master, Open::Existing)?;
        self.check_vault_id(&conn)?;
        let found = migrations::current(&conn)?;
        if found < migrations::latest() {
            // A copy of the database as it was, before any migration touches it (the WAL was
            // verified when the connection opened, so folding it in first is safe).
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(|e| db_error(&self.dir.join(DB_FILE), e))?;
            files::copy_aside(&self.dir, &format!("before-upgrade-v{found}"), &[DB_FILE])?;
        }
        migrations::apply(&mut conn)?;
        Ok(OpenLedger::new(conn, master, who, UnlockTiming::default()))
    }

    /// The database's id must be this key file's: a database copied in from another vault (or
    /// a foreign SQLCipher file that happens to open) is refused.
    fn check_vault_id(&self, conn: &Connection) -> Result<(), VaultError> {
        let found: Option<String> = match conn.query_row(
            "SELECT value FROM settings WHERE key = 'vault_id'",
            [],
            |r| r.get(0),
        ) {
            Ok(v) => Some(v),
            Err(rusqlite::Error::QueryReturnedNoRows) => None,
            Err(rusqlite::Error::SqliteFailure(_, Some(m))) if m.contains("no such table") => {
                return Err(VaultError::DatabaseEmpty);
            }
            Err(e) => return Err(db_error(&self.dir.join(DB_FILE), e)),
        };
        match found {
            Some(id) if id == self.keys.vault_id_hex() => Ok(()),
            Some(id) => Err(VaultError::NotThisVault { found: id }),
            None => Err(VaultError::NotThisVault {
                found: "（未记录）".into(),
            }),
        }
    }

    /// The state of the write-ahead log, read without opening the database.
    pub fn wal_state(&self) -> Result<WalState, VaultError> {
        let db = self.dir.join(DB_FILE);
        wal::inspect(&db).map_err(|e| VaultError::io("读取", &wal::wal_path(&db), e))
    }

    /// Unlocks for `baomi check`: the database as it is. No migration runs (the schema version
    /// found is returned, to be reported); the WAL is verified first like at every open.
    pub fn unlock_for_check(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(OpenLedger, u32), VaultError> {
        let master = self.unlock_user(login, passphrase)?;
        let conn = open_connection(&self.dir, &master, Open::Existing)?;
        self.check_vault_id(&conn)?;
        let found = migrations::current(&conn)?;
        if found > migrations::latest() {
            return Err(VaultError::NewerSchema {
                found,
                supported: migrations::latest(),
            });
        }
        Ok((
            OpenLedger::new(
                conn,
                master,
                SlotOwner::User(login.to_owned()),
                UnlockTiming::default(),
            ),
            found,
        ))
    }

    /// The user's decision after a WAL damage report: the database and the WAL are copied aside
    /// (again, untouched), then the WAL is cut after its last commit that verifies before the
    /// damage, and its index removed, so the ledger opens as far as it can be trusted. The
    /// passphrase is checked first. Returns what was found and where the copies are.
    pub fn accept_wal_damage(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(WalDamage, PathBuf), VaultError> {
        let master = self.unlock_user(login, passphrase)?;
        let db = self.dir.join(DB_FILE);
        let wal_file = wal::wal_path(&db);
        let state = self.wal_state()?;
        let (damage, keep) = match state {
            WalState::Damaged(d) => {
                let file = std::fs::File::open(&wal_file)
                    .map_err(|e| VaultError::io("读取", &wal_file, e))?;
                let keep = wal::good_prefix_len(&file)
                    .map_err(|e| VaultError::io("读取", &wal_file, e))?;
                (d, keep)
            }
            // Checksums verify: the pages may still not authenticate (a WAL from elsewhere).
            // Nothing of such a WAL is kept.
            WalState::Intact { frames, .. } if frames > 0 => {
                match open_connection(&self.dir, &master, Open::Existing) {
                    Err(VaultError::WalDamaged(d)) => (*d, 0),
                    Err(e) => return Err(e),
                    Ok(_) => return Err(VaultError::WalNotDamaged),
                }
            }
            _ => return Err(VaultError::WalNotDamaged),
        };
        drop(master);
        let [wal_name, shm_name] = files::db_side_files();
        let kept = files::copy_aside(&self.dir, "wal-damaged", &[DB_FILE, &wal_name, &shm_name])?;
        let f = files::open_private(&wal_file, "ledger.db-wal", false, false)?;
        f.set_len(keep)
            .and_then(|()| f.sync_all())
            .map_err(|e| VaultError::io("截断", &wal_file, e))?;
        let shm = self.dir.join(&shm_name);
        match std::fs::remove_file(&shm) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("删除", &shm, e)),
        }
        files::sync_dir(&self.dir).map_err(|e| VaultError::io("写入文件夹", &self.dir, e))?;
        Ok((damage, kept))
    }
}

impl OpenLedger {
    fn new(conn: Connection, master: MasterKey, who: SlotOwner, timing: UnlockTiming) -> Self {
        // After a rekey the chain keeps its key, stored in the (encrypted) database.
        let audit_key = stored_chain_key(&conn).unwrap_or_else(|| master.derive(purpose::AUDIT));
        Self {
            conn,
            master,
            audit_key,
            opened_by: who,
            timing,
        }
    }

    /// The connection, for the `ledger` and `audit` layers.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection, mutable, for the session's transactions and for tests.
    #[cfg(any(test, feature = "test-support"))]
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The connection and the audit key at once (a write transaction needs both).
    pub(crate) fn conn_and_audit_key(&mut self) -> (&mut Connection, &SubKey) {
        (&mut self.conn, &self.audit_key)
    }

    /// The connection, the audit key and the master key at once: a write that also changes
    /// the key file inside its transaction.
    pub(crate) fn conn_audit_and_master(&mut self) -> (&mut Connection, &SubKey, &MasterKey) {
        (&mut self.conn, &self.audit_key, &self.master)
    }

    /// The key of the audit hash chain.
    pub fn audit_key(&self) -> &SubKey {
        &self.audit_key
    }

    /// Verifies every page's HMAC and the b-tree structure (free pages included).
    pub fn integrity_check(&self) -> Result<IntegrityReport, VaultError> {
        let collect = |sql: &str| -> Result<Vec<String>, VaultError> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        };
        let cipher = collect("PRAGMA cipher_integrity_check")?;
        let structure: Vec<String> = collect("PRAGMA integrity_check")?
            .into_iter()
            .filter(|l| l != "ok")
            .collect();
        Ok(IntegrityReport { cipher, structure })
    }

    /// A second connection to the same database, for a consistent snapshot read on another
    /// thread (a backup) while this one goes on writing. `dir` is the vault's folder.
    pub(crate) fn reader(&self, dir: &Path) -> Result<Connection, VaultError> {
        open_connection(dir, &self.master, Open::Reader)
    }

    /// The session's connection, mutable, for a backup's copy made on it (a database held in
    /// exclusive locking mode cannot be read by a second connection).
    pub(crate) fn conn_mut_for_backup(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// A second copy of the audit chain's key (a backup's worker verifies its image with it).
    pub(crate) fn audit_key_copy(&self) -> SubKey {
        SubKey::from_bytes(*self.audit_key.expose())
    }

    /// The key file's bytes as they are on disk (MAC included), for a backup's copy.
    pub(crate) fn key_file_bytes(&self, keys: &KeyFile) -> Vec<u8> {
        keys.clone().seal_to_bytes(&self.master)
    }

    /// The key of one backup's payload: HKDF-SHA256 of the master key with the backup's own
    /// salt (`docs/format/backup.md`).
    pub(crate) fn backup_key(&self, salt: &[u8]) -> SubKey {
        self.master.derive_salted(salt, purpose::BACKUP)
    }

    /// Checkpoints the WAL into the database file and closes the connection.
    pub fn close(self) -> Result<(), VaultError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let OpenLedger { conn, .. } = self;
        conn.close().map_err(|(_, e)| VaultError::Sql(e))
    }
}

/// Makes `dir` (0700) for a new vault and takes its instance lock: refused when it holds a
/// vault (or a database without its key file); the remains of an interrupted creation are
/// cleared. Creation and restore both start here.
fn claim_new(dir: &Path) -> Result<InstanceLock, VaultError> {
    files::make_dir(dir)?;
    let lock = InstanceLock::acquire(&dir.join(LOCK_FILE))?;
    match files::probe(dir) {
        Ok(FolderState::Vault) | Err(VaultError::Missing { .. }) => {
            Err(VaultError::AlreadyExists {
                path: dir.to_owned(),
            })
        }
        Ok(FolderState::InterruptedCreation) => {
            files::clear_interrupted(dir)?;
            Ok(lock)
        }
        Ok(FolderState::Absent | FolderState::Empty) => Ok(lock),
        Err(e) => Err(e),
    }
}

fn write_keys(dir: &Path, keys: &mut KeyFile, master: &MasterKey) -> Result<(), VaultError> {
    let path = dir.join(KEYS_FILE);
    crate::process::fail_point("write-keys")
        .and_then(|()| crate::fsutil::write_atomic(&path, &keys.seal_to_bytes(master)))
        .map_err(|e| VaultError::io("写入密钥文件", &path, e))
}

/// Runs SQLite's one-time initialization, SQLCipher's included, to its end before the first
/// connection of the process, and reports its failure as such.
///
/// `sqlite3_initialize` marks SQLite initialized *before* it runs SQLCipher's part (OpenSSL,
/// seeding its random state); a second thread opening a connection meanwhile gets a handle whose
/// `PRAGMA key` fails ("sqlcipher not initialized"). Seen in CI as a vault that "could not set
/// its key" when tests started in parallel. A `OnceLock` makes every other thread wait for the
/// first call to return: its first in-memory connection runs the whole initialization.
fn sqlcipher_initialized() -> Result<(), VaultError> {
    static INIT: std::sync::OnceLock<Result<(), i32>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| {
        Connection::open_in_memory()
            .map(drop)
            .map_err(|e| e.sqlite_error().map_or(-1, |f| f.extended_code))
    })
    .map_err(|code| VaultError::CryptoUnavailable { code })
}

/// How a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// The empty file just made by `create`.
    Create,
    /// An existing vault's database: it must hold a schema; its WAL is verified first.
    Existing,
    /// A second connection of this process to a database its session has opened (and whose
    /// WAL that opening verified): reads a snapshot off the UI thread, writes nothing.
    Reader,
}

/// Maps an SQLite error met while opening or setting up the database: damage (a page that does
/// not authenticate, not a database) is [`VaultError::DatabaseDamaged`]; no space, no permission,
/// a read-only disk or a device error are I/O errors with their own messages, found by trying
/// the files themselves.
fn db_error(path: &Path, e: rusqlite::Error) -> VaultError {
    use rusqlite::ErrorCode as C;
    let Some(code) = e.sqlite_error().map(|f| f.code) else {
        return VaultError::Sql(e);
    };
    match code {
        C::DatabaseCorrupt | C::NotADatabase => VaultError::DatabaseDamaged {
            detail: e.to_string(),
        },
        C::DiskFull => VaultError::io("写入数据库", path, std::io::Error::from_raw_os_error(28)),
        C::SystemIoFailure | C::CannotOpen
            if path.parent().is_some_and(files::disk_nearly_full) =>
        {
            VaultError::io("读写数据库", path, std::io::Error::from_raw_os_error(28))
        }
        C::ReadOnly | C::CannotOpen | C::PermissionDenied | C::SystemIoFailure => {
            let wal = wal::wal_path(path);
            let mut shm = path.as_os_str().to_owned();
            shm.push("-shm");
            for p in [path.to_path_buf(), wal, PathBuf::from(shm)] {
                if !p.exists() {
                    continue;
                }
                if let Err(io) = std::fs::OpenOptions::new().read(true).write(true).open(&p) {
                    return VaultError::io("打开数据库", &p, io);
                }
            }
            let errno = match code {
                C::ReadOnly => 30,
                C::PermissionDenied => 13,
                _ => 5,
            };
            VaultError::io("读写数据库", path, std::io::Error::from_raw_os_error(errno))
        }
        _ => VaultError::Sql(e),
    }
}

/// Opens the SQLCipher database of the vault in `dir` with the key derived from `master`,
/// before any other statement, then sets the pragmas and proves the key by reading the schema.
///
/// An existing database is refused when it is empty or holds no schema (never made into a new
/// one), and its WAL is verified before SQLite reads it ([`wal`]): damage is copied aside and
/// refused, never replayed or checkpointed.
fn open_connection(dir: &Path, master: &MasterKey, how: Open) -> Result<Connection, VaultError> {
    sqlcipher_initialized()?;
    // SQLITE_OPEN_NOFOLLOW refuses a symlink anywhere in the path (a vault under a home folder
    // reached through a link once failed as a "device error"): the folder is resolved first,
    // and the files themselves must not be links (checked just below).
    let resolved = std::fs::canonicalize(dir).map_err(|e| VaultError::io("打开文件夹", dir, e))?;
    let dir = resolved.as_path();
    let path = dir.join(DB_FILE);
    let [wal_name, shm_name] = files::db_side_files();
    files::refuse_unsafe(&path, DB_FILE)?;
    files::refuse_unsafe(&dir.join(&wal_name), "ledger.db-wal")?;
    files::refuse_unsafe(&dir.join(&shm_name), "ledger.db-shm")?;
    let mut wal_commits = None;
    if how == Open::Existing {
        let len = std::fs::metadata(&path)
            .map_err(|e| VaultError::io("读取", &path, e))?
            .len();
        if len == 0 {
            return Err(VaultError::DatabaseEmpty);
        }
        match wal::inspect(&path).map_err(|e| VaultError::io("读取", &wal::wal_path(&path), e))? {
            WalState::Damaged(damage) => return Err(wal_damaged(dir, damage)),
            WalState::Intact {
                frames, commits, ..
            } if frames > 0 => wal_commits = Some(commits),
            WalState::Intact { .. } => {}
            WalState::Empty => {}
        }
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    if how == Open::Reader {
        // The snapshot is attached as `file:…?vfs=memdb` (an in-memory database whose bytes
        // serialize without a copy): URI names are read in ATTACH on this connection only.
        flags |= OpenFlags::SQLITE_OPEN_URI;
    }
    let conn = Connection::open_with_flags(&path, flags).map_err(|e| db_error(&path, e))?;
    // SQLite folds the WAL into the database when the last connection closes: a connection
    // that failed (a page that does not authenticate, a WAL from elsewhere) would then write
    // what it could not verify into ledger.db and delete the WAL. Never on close: the WAL is
    // folded in only by `OpenLedger::close` and the checkpoints of a session that verified it.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )
    .map_err(|e| db_error(&path, e))?;
    // SQLCipher logs failed page HMACs to stderr; Baomi reports damage itself, in one line.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    let db_key = master.derive(purpose::DATABASE);
    let mut hex = Zeroizing::new(String::with_capacity(64 + 10));
    hex.push_str("PRAGMA key = \"x'");
    push_hex(&mut hex, db_key.expose());
    hex.push_str("'\";");
    // The statement carries the key: its error (never the statement) is what we report.
    conn.execute_batch(&hex)
        .map_err(|e| VaultError::CryptoUnavailable {
            code: e.sqlite_error().map_or(-1, |f| f.extended_code),
        })?;
    drop(hex);
    let failed = |e: rusqlite::Error| db_error(&path, e);
    if how == Open::Existing && files::disk_nearly_full(dir) {
        // No room for the WAL's shared-memory index: in exclusive locking mode SQLite keeps it
        // in memory instead, so the ledger can still be read (check, lists) on a full disk. The
        // instance lock already makes this process the only user of the file.
        conn.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |_| Ok(()))
            .map_err(failed)?;
    }
    let setup = (|| -> Result<(), VaultError> {
        // SQLCipher 4 with HMAC-SHA256 page tags instead of the default SHA-512: full-strength
        // authentication, a 48-byte page reserve instead of 80, and SHA extensions on current CPUs
        // make it the cheaper of the two (see the foundation bench). Part of the file format: set on
        // every open, before the first read.
        conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")
            .map_err(failed)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(failed)?;
        if how != Open::Create {
            // A database without a schema is never made into a new one here: only `create` makes
            // a schema.
            let version: u32 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(failed)?;
            if version == 0 {
                return Err(VaultError::DatabaseEmpty);
            }
        }
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(failed)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY;"
        ))
        .map_err(failed)?;
        // A write waits for another writer's transaction (a checkpoint, a second connection)
        // instead of failing at once.
        conn.busy_timeout(Duration::from_secs(10)).map_err(failed)?;
        register_functions(&conn).map_err(failed)?;
        Ok(())
    })();
    match (setup, wal_commits) {
        (Ok(()), Some(commits)) => verify_wal_pages(dir, &conn, commits)?,
        (Ok(()), None) => {}
        // A page that does not authenticate while the WAL holds frames: the database file
        // or the WAL? The file is checked on its own to tell.
        (Err(VaultError::DatabaseDamaged { .. }), Some(commits)) => {
            return Err(wal_or_file_damage(dir, &conn, commits));
        }
        (Err(e), _) => return Err(e),
    }
    Ok(conn)
}

/// A WAL whose checksums verify can still hold pages that do not authenticate: a WAL copied
/// from another vault or an older backup, or a page rewritten with its checksums recomputed.
/// `cipher_integrity_check` reads the database file only, so the b-trees are walked through
/// the pager (`quick_check`), which reads the newest version of every page from the WAL and
/// checks its HMAC. A failure with a sound database file is the WAL's: copied aside, refused.
/// (Free pages are not walked; one rewritten in the WAL would show at the next full check.)
fn verify_wal_pages(dir: &Path, conn: &Connection, commits: usize) -> Result<(), VaultError> {
    let path = dir.join(DB_FILE);
    let walked: Result<Vec<String>, rusqlite::Error> = conn
        .prepare("PRAGMA quick_check")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
    let sound = match walked {
        Ok(lines) => lines.len() == 1 && lines[0] == "ok",
        Err(e) => match db_error(&path, e) {
            VaultError::DatabaseDamaged { .. } => false,
            other => return Err(other),
        },
    };
    if sound {
        return Ok(());
    }
    Err(wal_or_file_damage(dir, conn, commits))
}

/// After a page failed to authenticate with frames in the WAL: a database file whose every
/// page verifies on its own means the WAL brought the bad pages (copied aside, refused);
/// otherwise the file itself is damaged.
fn wal_or_file_damage(dir: &Path, conn: &Connection, commits: usize) -> VaultError {
    let path = dir.join(DB_FILE);
    let file_pages: Result<Vec<String>, rusqlite::Error> = conn
        .prepare("PRAGMA cipher_integrity_check")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
    match file_pages {
        Ok(lines) if lines.is_empty() => wal_damaged(
            dir,
            WalDamage {
                first_bad_frame: None,
                what: (
                    "中的页面未通过 HMAC 校验（可能来自另一个台账库、较早的副本，或被改写过）",
                    "holds pages that fail their HMAC (from another ledger, an older copy, or rewritten)",
                ),
                commits_before: 0,
                commits_after: commits,
                kept_in: None,
                copy_failed: None,
            },
        ),
        Ok(lines) => VaultError::DatabaseDamaged {
            detail: lines.join("; "),
        },
        Err(e) => db_error(&path, e),
    }
}

/// Copies the database and its WAL aside (their state when the damage was found) and returns
/// the error that reports it. A copy that cannot be made is said in the same message.
fn wal_damaged(dir: &Path, mut damage: WalDamage) -> VaultError {
    let [wal_name, shm_name] = files::db_side_files();
    match files::copy_aside(dir, "wal-damaged", &[DB_FILE, &wal_name, &shm_name]) {
        Ok(kept) => damage.kept_in = Some(kept),
        Err(e) => damage.copy_failed = Some(e.to_string()),
    }
    VaultError::WalDamaged(Box::new(damage))
}

/// Appends `bytes` as lower-case hex (a raw key's text, kept in a zeroized string).
/// The audit chain's key as a rekey stored it (`settings.audit_chain_key`, 64 hex digits);
/// `None` before any rekey (the key is then derived from the master key).
pub(crate) fn stored_chain_key(conn: &Connection) -> Option<SubKey> {
    let text: String = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'audit_chain_key'",
            [],
            |r| r.get(0),
        )
        .ok()?;
    let text = Zeroizing::new(text);
    if text.len() != 64 {
        return None;
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(SubKey::from_bytes(*bytes))
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        out.push(char::from_digit(u32::from(b >> 4), 16).expect("nibble"));
        out.push(char::from_digit(u32::from(b & 15), 16).expect("nibble"));
    }
}

/// SQL functions the schema's triggers call; registered on every connection before migrations.
/// `baomi_chars(text)`: the text with a space between characters, for the single-character
/// search index (`documents_chars`).
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "baomi_chars",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            Ok(text.map(|t| spaced_chars(&t)))
        },
    )
}

/// `保密 A1` → `保 密 A 1`: every character its own token.
pub fn spaced_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Applies the vault's pragmas to a plain (unencrypted) SQLite connection, so the benchmark
/// compares like with like.
pub fn apply_plain_pragmas(conn: &Connection) -> Result<(), VaultError> {
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY;"
    ))?;
    Ok(())
}
