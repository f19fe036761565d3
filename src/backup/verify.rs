//! Reading a backup back in full: every chunk authenticated, the manifest checked against the
//! image (digest, schema version, rows of every table), the image opened in memory and checked
//! (`integrity_check`), and its audit chain verified up to the manifest's head.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use super::format::{Header, PayloadReader};
use super::snapshot::{BackupKeys, audit_head, table_counts};
use super::{BackupError, Manifest, Phase, Progress, hex};
use crate::vault::secret::purpose;
use crate::vault::{KeyFile, MasterKey, Passphrase, RecoveryKey, SlotOwner, VaultError};

/// A manifest larger than this is not one.
const MAX_MANIFEST: u32 = 16 * 1024 * 1024;

/// What opens a backup read from a medium.
pub enum Secret {
    /// A user's passphrase; without a login every passphrase slot of the backup's key file is
    /// tried in turn.
    Passphrase {
        login: Option<String>,
        passphrase: Passphrase,
    },
    /// The recovery key valid when the backup was made.
    Recovery(RecoveryKey),
}

impl Secret {
    /// A typed secret: the recovery key when it reads as one, otherwise a passphrase.
    pub fn from_text(text: &str, login: Option<String>) -> Secret {
        match RecoveryKey::parse(text) {
            Ok(key) if login.is_none() => Secret::Recovery(key),
            _ => Secret::Passphrase {
                login,
                passphrase: Passphrase::new(text.to_owned()),
            },
        }
    }
}

/// Where the keys come from.
pub enum KeySource<'a> {
    /// The keys the export derived (verifying a backup just written).
    Keys(&'a BackupKeys),
    /// A secret, tried on the backup's own copy of the key file.
    Secret(&'a Secret),
}

/// A backup that verified.
pub struct Verified {
    pub header: Header,
    pub manifest: Manifest,
    /// Bytes of the whole file and their SHA-256 (hex).
    pub file_len: u64,
    pub file_sha256: String,
    /// The master key, when a secret opened the backup.
    pub(crate) master: Option<MasterKey>,
    /// Whose slot opened it, when a secret did.
    pub opened_by: Option<SlotOwner>,
    /// The image, open in memory (kept for a restore).
    pub(crate) image: Option<Connection>,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("manifest", &self.manifest)
            .field("file_len", &self.file_len)
            .field("file_sha256", &self.file_sha256)
            .field("opened_by", &self.opened_by)
            .finish_non_exhaustive()
    }
}

/// Counts and hashes what is read through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    read: u64,
    progress: Option<Arc<Progress>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(p) = &self.progress
            && p.is_cancelled()
        {
            return Err(std::io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.read += n as u64;
        if let Some(p) = &self.progress {
            p.set_done(self.read);
        }
        Ok(n)
    }
}

/// Opens the backup's copy of the key file with `secret`: the master key and whose slot it was.
pub(crate) fn unlock(
    header: &Header,
    secret: &Secret,
) -> Result<(MasterKey, SlotOwner), BackupError> {
    let keys = KeyFile::parse(&header.key_file).map_err(|e| match e {
        VaultError::KeyFileVersion(v) => BackupError::damaged(
            &format!("其中的密钥文件版本 {v} 不受支持"),
            &format!("its key file has unsupported version {v}"),
        ),
        _ => BackupError::damaged("其中的密钥文件不完整", "its key file copy is malformed"),
    })?;
    if keys.vault_id != header.vault_id {
        return Err(BackupError::damaged(
            "其中的密钥文件属于另一个台账库",
            "its key file belongs to another ledger",
        ));
    }
    let opened = |r: Result<MasterKey, VaultError>, owner: SlotOwner| match r {
        Ok(m) => Ok(Some((m, owner))),
        Err(VaultError::WrongPassphraseOrDamaged | VaultError::NoSuchUser) => Ok(None),
        Err(VaultError::Damaged) => Err(BackupError::damaged(
            "其中的密钥文件校验不符",
            "its key file copy fails its MAC",
        )),
        Err(e) => Err(BackupError::Vault(e)),
    };
    let found = match secret {
        Secret::Recovery(key) => opened(keys.unlock_recovery(key), SlotOwner::Recovery)?,
        Secret::Passphrase {
            login: Some(login),
            passphrase,
        } => opened(
            keys.unlock_user(login, passphrase),
            SlotOwner::User(login.clone()),
        )?,
        Secret::Passphrase {
            login: None,
            passphrase,
        } => {
            let mut found = None;
            for login in keys.logins() {
                if let Some(f) = opened(
                    keys.unlock_user(&login, passphrase),
                    SlotOwner::User(login.clone()),
                )? {
                    found = Some(f);
                    break;
                }
            }
            found
        }
    };
    found.ok_or(BackupError::WrongSecret)
}

/// Reads the backup at `path` in full and checks it. `keep_image` keeps the image open in
/// memory (for a restore). Progress counts the file's bytes.
pub fn verify_file(
    path: &Path,
    key: KeySource<'_>,
    progress: &Arc<Progress>,
    keep_image: bool,
) -> Result<Verified, BackupError> {
    // Only a regular file: opening a FIFO would wait for a writer for ever, a device or a
    // folder is no backup.
    let meta = std::fs::metadata(path).map_err(BackupError::Read)?;
    if !meta.is_file() {
        return Err(BackupError::NotABackup);
    }
    let file = std::fs::File::open(path).map_err(BackupError::Read)?;
    let len = file.metadata().map_err(BackupError::Read)?.len();
    progress.start(Phase::Verify, len);
    let mut input = Hashing {
        inner: std::io::BufReader::with_capacity(256 * 1024, file),
        hash: Sha256::new(),
        read: 0,
        progress: Some(Arc::clone(progress)),
    };
    let (header, header_bytes) = Header::read(&mut input)?;
    let expected = header.file_len(header_bytes.len());
    if len < expected {
        return Err(BackupError::Truncated);
    }
    let owned = match key {
        KeySource::Keys(_) => None,
        KeySource::Secret(secret) => {
            let (m, who) = unlock(&header, secret)?;
            let keys = BackupKeys {
                payload: m.derive_salted(&header.salt, purpose::BACKUP),
                audit: m.derive(purpose::AUDIT),
            };
            Some((keys, m, who))
        }
    };
    let keys: &BackupKeys = match (&key, &owned) {
        (KeySource::Keys(k), _) => k,
        (_, Some((k, _, _))) => k,
        (KeySource::Secret(_), None) => return Err(BackupError::Internal("no key")),
    };
    let mut payload = PayloadReader::new(&mut input, &header, &header_bytes, &keys.payload);
    let fail = |payload: &mut PayloadReader<_>, e: std::io::Error| -> BackupError {
        if progress.is_cancelled() {
            return BackupError::Cancelled;
        }
        payload.take_failure().unwrap_or(BackupError::Read(e))
    };
    let mut len_bytes = [0u8; 4];
    if let Err(e) = payload.read_exact(&mut len_bytes) {
        return Err(fail(&mut payload, e));
    }
    let manifest_len = u32::from_be_bytes(len_bytes);
    if manifest_len > MAX_MANIFEST || u64::from(manifest_len) + 4 > header.payload_len {
        return Err(BackupError::damaged(
            "清单长度不对",
            "manifest length out of range",
        ));
    }
    let mut manifest_bytes = vec![0u8; manifest_len as usize];
    if let Err(e) = payload.read_exact(&mut manifest_bytes) {
        return Err(fail(&mut payload, e));
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| BackupError::damaged("清单无法读取", "the manifest does not parse"))?;
    let image_len = header.payload_len - 4 - u64::from(manifest_len);
    if image_len < 512 {
        return Err(BackupError::damaged(
            "数据库映像是空的",
            "the image is empty",
        ));
    }
    // The same second, written exactly as the format says (UTC, no fraction).
    let same_moment = chrono::DateTime::from_timestamp(header.created_at, 0).is_some_and(|t| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) == manifest.created_at
    });
    if manifest.format != 1
        || manifest.vault_id != hex(&header.vault_id)
        || manifest.schema_version != header.schema_version
        || !same_moment
        || manifest.app_version != header.app_version
        || manifest.image.bytes != image_len
    {
        return Err(BackupError::damaged(
            "清单与文件头不符",
            "the manifest does not match the header",
        ));
    }
    let mut image = Connection::open_in_memory()?;
    // No sort or temporary table of the checks spills plaintext into a temporary file.
    image.execute_batch("PRAGMA temp_store = MEMORY;")?;
    let mut image_hash = Hashing {
        inner: &mut payload,
        hash: Sha256::new(),
        read: 0,
        progress: None,
    };
    let loaded = image.deserialize_read_exact(
        "main",
        &mut image_hash,
        usize::try_from(image_len).map_err(|_| BackupError::Internal("image too large"))?,
        !keep_image,
    );
    let image_digest = image_hash.hash.finalize();
    if let Err(e) = loaded {
        if progress.is_cancelled() {
            return Err(BackupError::Cancelled);
        }
        if let Some(f) = payload.take_failure() {
            return Err(f);
        }
        return Err(BackupError::Sql(e));
    }
    payload.finish()?;
    progress.check()?;
    if hex(&image_digest) != manifest.image.sha256 {
        return Err(BackupError::damaged(
            "数据库映像的摘要与清单不符",
            "the image's digest does not match the manifest",
        ));
    }
    check_image(&image, &manifest, &keys.audit)?;
    let (master, opened_by) = match owned {
        Some((_, m, who)) => (Some(m), Some(who)),
        None => (None, None),
    };
    Ok(Verified {
        header,
        manifest,
        file_len: input.read,
        file_sha256: hex(&input.hash.finalize()),
        master,
        opened_by,
        image: keep_image.then_some(image),
    })
}

/// The image against its manifest: SQLite's integrity check, the schema version, the rows of
/// every table, and the audit chain up to the manifest's head.
pub(crate) fn check_image(
    image: &Connection,
    manifest: &Manifest,
    audit_key: &crate::vault::SubKey,
) -> Result<(), BackupError> {
    let not_a_db =
        |_| BackupError::damaged("数据库映像无法打开", "the image is not a SQLite database");
    let lines: Vec<String> = image
        .prepare("PRAGMA integrity_check")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .map_err(not_a_db)?;
    if lines != ["ok"] {
        return Err(BackupError::damaged(
            "数据库映像未通过完整性检查",
            "the image fails its integrity check",
        ));
    }
    let version: u32 = image
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(not_a_db)?;
    if version != manifest.schema_version {
        return Err(BackupError::damaged(
            "数据库映像的结构版本与清单不符",
            "the image's schema version does not match the manifest",
        ));
    }
    if table_counts(image, "main")? != manifest.tables {
        return Err(BackupError::damaged(
            "数据库映像的行数与清单不符",
            "the image's row counts do not match the manifest",
        ));
    }
    let head = audit_head(image, "main")?;
    // A rekeyed ledger keeps its chain's key in its settings (the master key is newer than it).
    let stored = crate::vault::stored_chain_key(image);
    let audit_key = stored.as_ref().unwrap_or(audit_key);
    let chain =
        crate::audit::verify(image, audit_key).map_err(|crate::audit::AuditError::Sql(e)| e)?;
    let intact = match chain {
        crate::audit::ChainStatus::Intact { events, head: h } => {
            events == manifest.audit_head.seq && hex(&h) == manifest.audit_head.hash
        }
        crate::audit::ChainStatus::Broken { .. } => false,
    };
    if !intact || head != manifest.audit_head {
        return Err(BackupError::damaged(
            "其中的审计链不完整或与清单不符",
            "its audit chain does not verify up to the manifest's head",
        ));
    }
    Ok(())
}
