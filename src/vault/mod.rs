//! The vault: a folder holding the encrypted ledger (`ledger.db`), its key slots
//! (`ledger.keys`) and the instance lock (`ledger.lock`). Nothing else opens the database.
//!
//! A [`Vault`] is an opened, still locked folder (the instance lock is held, the key file is
//! parsed). [`Vault::unlock`] turns a passphrase into an [`OpenLedger`]: the SQLCipher
//! connection plus the keys derived from the master key. Dropping the `OpenLedger` locks.

mod error;
pub mod kdf;
pub mod keyslots;
mod lock;
pub mod migrations;
pub mod secret;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use zeroize::Zeroizing;

pub use error::VaultError;
pub use kdf::{KdfChoice, KdfParams};
pub use keyslots::{KeyFile, SlotOwner};
pub use lock::InstanceLock;
pub use secret::{MasterKey, Passphrase, RecoveryKey, SubKey};

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
        std::fs::create_dir_all(dir).map_err(|e| VaultError::io("创建文件夹", dir, e))?;
        for name in [KEYS_FILE, DB_FILE] {
            if dir.join(name).exists() {
                return Err(VaultError::AlreadyExists {
                    path: dir.to_owned(),
                });
            }
        }
        let lock = InstanceLock::acquire(&dir.join(LOCK_FILE))?;
        let params = kdf.resolve()?;
        let master = MasterKey::generate()?;
        let recovery = RecoveryKey::generate()?;
        let mut keys = KeyFile::new()?;
        keys.set_user_slot(&master, first_login, passphrase, params)?;
        keys.set_recovery_slot(&master, &recovery)?;

        let started = Instant::now();
        let mut conn = open_connection(&dir.join(DB_FILE), &master, true)?;
        migrations::apply(&mut conn)?;
        // The key file is written last: a crash before this leaves no half-made vault behind
        // that would look valid.
        write_keys(dir, &mut keys, &master)?;
        let vault = Vault {
            dir: dir.to_owned(),
            keys,
            lock: Some(lock),
        };
        let ledger = OpenLedger::new(
            conn,
            master,
            SlotOwner::User(first_login.to_owned()),
            UnlockTiming {
                kdf: Duration::ZERO,
                rest: started.elapsed(),
            },
        );
        Ok((vault, ledger, recovery))
    }

    /// Whether `dir` looks like a vault (has a key file).
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEYS_FILE).exists()
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
        let keys_path = dir.join(KEYS_FILE);
        if !dir.is_dir() {
            return Err(VaultError::NotAVault);
        }
        if !keys_path.exists() {
            return Err(if dir.join(DB_FILE).exists() {
                VaultError::Missing { file: KEYS_FILE }
            } else {
                VaultError::NotAVault
            });
        }
        let lock = if take_lock {
            Some(InstanceLock::acquire(&dir.join(LOCK_FILE))?)
        } else {
            None
        };
        let bytes = std::fs::read(&keys_path).map_err(|e| VaultError::io("读取", &keys_path, e))?;
        let keys = KeyFile::parse(&bytes)?;
        if !dir.join(DB_FILE).exists() {
            return Err(VaultError::Missing { file: DB_FILE });
        }
        Ok(Vault {
            dir: dir.to_owned(),
            keys,
            lock,
        })
    }

    /// The vault folder.
    pub fn dir(&self) -> &Path {
        &self.dir
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

    /// Unlocks with `login`'s passphrase.
    pub fn unlock(&self, login: &str, passphrase: &Passphrase) -> Result<OpenLedger, VaultError> {
        let started = Instant::now();
        let master = self.keys.unlock_user(login, passphrase)?;
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

    /// Checks `login`'s passphrase without opening anything (a second person's confirmation
    /// inside another user's session). The key it unwraps is dropped (zeroized) at once.
    pub fn verify_passphrase(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        self.keys.unlock_user(login, passphrase).map(drop)
    }

    /// Unlocks with the recovery key and sets a new passphrase for `login` in the same step.
    pub fn unlock_with_recovery(
        &mut self,
        recovery: &RecoveryKey,
        login: &str,
        new_passphrase: &Passphrase,
    ) -> Result<OpenLedger, VaultError> {
        let master = self.keys.unlock_recovery(recovery)?;
        if !self.logins().iter().any(|l| l == login) {
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
        let master = self.keys.unlock_user(login, current)?;
        let params = self.slot_params(login)?;
        let mut keys = self.keys.clone();
        keys.set_user_slot(&master, login, new, params)?;
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
        let params = match self.slot_params(login) {
            Ok(p) => p,
            Err(_) => self.any_slot_params()?,
        };
        let mut keys = self.keys.clone();
        keys.set_user_slot(&ledger.master, login, passphrase, params)?;
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
        let mut conn = open_connection(&self.dir.join(DB_FILE), &master, false)?;
        migrations::apply(&mut conn)?;
        Ok(OpenLedger::new(conn, master, who, UnlockTiming::default()))
    }
}

impl OpenLedger {
    fn new(conn: Connection, master: MasterKey, who: SlotOwner, timing: UnlockTiming) -> Self {
        let audit_key = master.derive(purpose::AUDIT);
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

    /// Checkpoints the WAL into the database file and closes the connection.
    pub fn close(self) -> Result<(), VaultError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let OpenLedger { conn, .. } = self;
        conn.close().map_err(|(_, e)| VaultError::Sql(e))
    }
}

fn write_keys(dir: &Path, keys: &mut KeyFile, master: &MasterKey) -> Result<(), VaultError> {
    let path = dir.join(KEYS_FILE);
    crate::fsutil::write_atomic(&path, &keys.seal_to_bytes(master))
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

/// Opens the SQLCipher database with the key derived from `master`, before any other statement,
/// then sets the pragmas and proves the key by reading the schema.
fn open_connection(
    path: &Path,
    master: &MasterKey,
    create: bool,
) -> Result<Connection, VaultError> {
    sqlcipher_initialized()?;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| VaultError::DatabaseDamaged {
            detail: e.to_string(),
        })?;
    // SQLCipher logs failed page HMACs to stderr; Baomi reports damage itself, in one line.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    let db_key = master.derive(purpose::DATABASE);
    let mut hex = Zeroizing::new(String::with_capacity(64 + 10));
    hex.push_str("PRAGMA key = \"x'");
    for b in db_key.expose() {
        hex.push(char::from_digit(u32::from(b >> 4), 16).expect("nibble"));
        hex.push(char::from_digit(u32::from(b & 15), 16).expect("nibble"));
    }
    hex.push_str("'\";");
    // The statement carries the key: its error (never the statement) is what we report.
    conn.execute_batch(&hex)
        .map_err(|e| VaultError::CryptoUnavailable {
            code: e.sqlite_error().map_or(-1, |f| f.extended_code),
        })?;
    drop(hex);
    // SQLCipher 4 with HMAC-SHA256 page tags instead of the default SHA-512: full-strength
    // authentication, a 48-byte page reserve instead of 80, and SHA extensions on current CPUs
    // make it the cheaper of the two (see the foundation bench). Part of the file format: set on
    // every open, before the first read.
    conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")
        .map_err(|e| VaultError::DatabaseDamaged {
            detail: e.to_string(),
        })?;
    let damaged = |e: rusqlite::Error| VaultError::DatabaseDamaged {
        detail: e.to_string(),
    };
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(damaged)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .map_err(damaged)?;
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY;"
    ))
    .map_err(damaged)?;
    // A write waits for another writer's transaction (a checkpoint, a second connection)
    // instead of failing at once.
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(damaged)?;
    register_functions(&conn).map_err(damaged)?;
    Ok(conn)
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
