//! `ledger.keys`: the key slots that wrap a vault's master key. Every byte is specified in
//! `docs/format/keyslots.md`; the constants below carry the names used there.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit as MacKeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::VaultError;
use super::kdf::KdfParams;
use super::secret::{KEY_LEN, MasterKey, Passphrase, RecoveryKey, SubKey, purpose, random_bytes};

/// First 8 bytes of every key file.
pub const MAGIC: &[u8; 8] = b"BAOMIKEY";
/// The format version this code writes and reads.
pub const VERSION: u16 = 1;
/// Bytes of the vault id.
pub const VAULT_ID_LEN: usize = 16;
/// magic + version + vault id.
const HEADER_LEN: usize = 8 + 2 + VAULT_ID_LEN;
/// Bytes of a slot's salt.
pub const SALT_LEN: usize = 32;
/// Bytes of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes of the wrapped master key: 32 of ciphertext and 16 of Poly1305 tag.
pub const WRAPPED_LEN: usize = KEY_LEN + 16;
/// Bytes of the HMAC-SHA256 that ends the file.
pub const MAC_LEN: usize = 32;
/// Longest login name, in UTF-8 bytes.
pub const MAX_LOGIN_LEN: usize = 64;
/// Most slots a file may hold.
pub const MAX_SLOTS: usize = 256;

/// Slot kind byte: unlocked by a user's passphrase.
const KIND_PASSPHRASE: u8 = 1;
/// Slot kind byte: unlocked by the recovery key.
const KIND_RECOVERY: u8 = 2;
/// Slot kind byte: a security auditor's seal key, wrapped by that auditor's passphrase.
const KIND_SEAL_KEY: u8 = 3;
/// KDF id byte: Argon2id version 0x13.
const KDF_ARGON2ID: u8 = 1;
/// KDF id byte: HKDF-SHA256 of a 256-bit random key (the recovery slot).
const KDF_HKDF_SHA256: u8 = 2;

/// What opens a slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotOwner {
    /// A user's passphrase; the login names the user.
    User(String),
    /// The recovery key.
    Recovery,
    /// Not the master key: the seal key of the security auditor with this login, wrapped by
    /// their passphrase (their seals of the audit chain are made with it).
    SealKey(String),
}

/// One key slot as stored.
#[derive(Debug, Clone)]
pub struct Slot {
    pub owner: SlotOwner,
    /// Argon2id parameters (passphrase slots); `None` for the recovery slot.
    pub kdf: Option<KdfParams>,
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; NONCE_LEN],
    pub wrapped: [u8; WRAPPED_LEN],
}

/// The parsed key file.
#[derive(Debug, Clone)]
pub struct KeyFile {
    pub vault_id: [u8; VAULT_ID_LEN],
    pub slots: Vec<Slot>,
    /// The MAC as read (checked once the master key is known).
    mac: [u8; MAC_LEN],
}

impl KeyFile {
    /// A new key file with a fresh vault id and no slots.
    pub(crate) fn new() -> Result<Self, VaultError> {
        let id = random_bytes::<VAULT_ID_LEN>()?;
        Ok(Self {
            vault_id: *id,
            slots: Vec::new(),
            mac: [0; MAC_LEN],
        })
    }

    /// A key file of the same vault with no slot yet (a rekey fills it).
    pub(crate) fn emptied(&self) -> Self {
        Self {
            vault_id: self.vault_id,
            slots: Vec::new(),
            mac: [0; MAC_LEN],
        }
    }

    /// The logins that have a passphrase slot, in file order.
    pub fn logins(&self) -> Vec<String> {
        self.slots
            .iter()
            .filter_map(|s| match &s.owner {
                SlotOwner::User(l) => Some(l.clone()),
                SlotOwner::Recovery | SlotOwner::SealKey(_) => None,
            })
            .collect()
    }

    /// Whether `login` has a passphrase slot.
    pub fn has_user(&self, login: &str) -> bool {
        self.slots
            .iter()
            .any(|s| matches!(&s.owner, SlotOwner::User(l) if l == login))
    }

    /// Whether `login` has a seal key slot.
    pub fn has_seal_key(&self, login: &str) -> bool {
        self.slots
            .iter()
            .any(|s| s.owner == SlotOwner::SealKey(login.to_owned()))
    }

    /// The id as 32 hex digits.
    pub fn vault_id_hex(&self) -> String {
        self.vault_id.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Adds or replaces the passphrase slot of `login`.
    pub(crate) fn set_user_slot(
        &mut self,
        master: &MasterKey,
        login: &str,
        passphrase: &Passphrase,
        kdf: KdfParams,
    ) -> Result<(), VaultError> {
        if login.is_empty() || login.len() > MAX_LOGIN_LEN {
            return Err(VaultError::LoginInvalid);
        }
        let salt = *random_bytes::<SALT_LEN>()?;
        let wrapping = kdf.derive(passphrase, &salt)?;
        let slot = self.seal(
            SlotOwner::User(login.to_owned()),
            Some(kdf),
            salt,
            &wrapping,
            master.expose(),
        )?;
        self.put(slot)
    }

    /// Adds or replaces the recovery slot.
    pub(crate) fn set_recovery_slot(
        &mut self,
        master: &MasterKey,
        recovery: &RecoveryKey,
    ) -> Result<(), VaultError> {
        let salt = *random_bytes::<SALT_LEN>()?;
        let wrapping = recovery_wrapping_key(recovery, &salt);
        let slot = self.seal(SlotOwner::Recovery, None, salt, &wrapping, master.expose())?;
        self.put(slot)
    }

    /// Adds or replaces `login`'s seal key slot: `seal_key` wrapped by Argon2id of the
    /// auditor's passphrase (its own salt; `kdf` as the auditor's passphrase slot).
    pub(crate) fn set_seal_slot(
        &mut self,
        login: &str,
        passphrase: &Passphrase,
        seal_key: &SubKey,
        kdf: KdfParams,
    ) -> Result<(), VaultError> {
        let slot = self.seal_slot(login, passphrase, seal_key, kdf)?;
        self.put(slot)
    }

    /// `login`'s seal key slot, made (the Argon2id work) but not yet put in the file.
    pub(crate) fn seal_slot(
        &self,
        login: &str,
        passphrase: &Passphrase,
        seal_key: &SubKey,
        kdf: KdfParams,
    ) -> Result<Slot, VaultError> {
        if login.is_empty() || login.len() > MAX_LOGIN_LEN {
            return Err(VaultError::LoginInvalid);
        }
        let salt = *random_bytes::<SALT_LEN>()?;
        let wrapping = kdf.derive(passphrase, &salt)?;
        self.seal(
            SlotOwner::SealKey(login.to_owned()),
            Some(kdf),
            salt,
            &wrapping,
            seal_key.expose(),
        )
    }

    /// The Argon2id parameters of `login`'s passphrase slot.
    pub(crate) fn user_params(&self, login: &str) -> Option<KdfParams> {
        self.slots
            .iter()
            .find(|s| s.owner == SlotOwner::User(login.to_owned()))
            .and_then(|s| s.kdf)
    }

    /// Checks `login`'s passphrase against their slot (the master key is dropped at once).
    pub(crate) fn verify_user(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        self.unlock_user(login, passphrase).map(drop)
    }

    /// Opens `login`'s seal key slot with their passphrase: `None` when they have none.
    /// The file MAC is not checked here (it needs the master key): the slot's own AEAD
    /// authenticates what it returns.
    pub(crate) fn unlock_seal_key(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<Option<SubKey>, VaultError> {
        let Some(slot) = self
            .slots
            .iter()
            .find(|s| s.owner == SlotOwner::SealKey(login.to_owned()))
        else {
            return Ok(None);
        };
        let kdf = slot.kdf.ok_or(VaultError::Damaged)?;
        let wrapping = kdf.derive(passphrase, &slot.salt)?;
        let plain = self.open_wrapped(slot, &wrapping)?;
        Ok(Some(SubKey::from_bytes(*plain)))
    }

    /// Removes `login`'s slot, and their seal key slot if any. Refuses to remove the last
    /// passphrase slot.
    pub(crate) fn remove_user_slot(&mut self, login: &str) -> Result<(), VaultError> {
        let owner = SlotOwner::User(login.to_owned());
        if !self.slots.iter().any(|s| s.owner == owner) {
            return Err(VaultError::NoSuchUser);
        }
        if self.logins().len() == 1 {
            return Err(VaultError::LastSlot);
        }
        let seal = SlotOwner::SealKey(login.to_owned());
        self.slots.retain(|s| s.owner != owner && s.owner != seal);
        Ok(())
    }

    /// Opens `login`'s slot with a passphrase and checks the whole file's MAC.
    pub(crate) fn unlock_user(
        &self,
        login: &str,
        passphrase: &Passphrase,
    ) -> Result<MasterKey, VaultError> {
        let slot = self
            .slots
            .iter()
            .find(|s| s.owner == SlotOwner::User(login.to_owned()))
            .ok_or(VaultError::NoSuchUser)?;
        let kdf = slot.kdf.ok_or(VaultError::Damaged)?;
        let wrapping = kdf.derive(passphrase, &slot.salt)?;
        match (self.open_slot(slot, &wrapping), passphrase.as_typed()) {
            // A slot made before passphrases were normalised was keyed from the bytes as typed.
            (Err(VaultError::WrongPassphraseOrDamaged), Some(typed)) => {
                let wrapping = kdf.derive_bytes(typed, &slot.salt)?;
                self.open_slot(slot, &wrapping)
            }
            (outcome, _) => outcome,
        }
    }

    /// Opens the recovery slot and checks the whole file's MAC.
    pub(crate) fn unlock_recovery(&self, recovery: &RecoveryKey) -> Result<MasterKey, VaultError> {
        let slot = self
            .slots
            .iter()
            .find(|s| s.owner == SlotOwner::Recovery)
            .ok_or(VaultError::Damaged)?;
        let wrapping = recovery_wrapping_key(recovery, &slot.salt);
        self.open_slot(slot, &wrapping)
    }

    /// Adds or replaces a seal key slot made by [`KeyFile::seal_slot`].
    pub(crate) fn put_slot(&mut self, slot: Slot) -> Result<(), VaultError> {
        if !matches!(slot.owner, SlotOwner::SealKey(_)) {
            return Err(VaultError::Damaged);
        }
        self.put(slot)
    }

    /// Adds or replaces a slot. Refused beyond [`MAX_SLOTS`]: a file this code writes is one it
    /// reads back.
    fn put(&mut self, slot: Slot) -> Result<(), VaultError> {
        let full = self.slots.len() >= MAX_SLOTS;
        match self.slots.iter_mut().find(|s| s.owner == slot.owner) {
            Some(existing) => *existing = slot,
            None if full => return Err(VaultError::TooManySlots),
            None => self.slots.push(slot),
        }
        Ok(())
    }

    fn seal(
        &self,
        owner: SlotOwner,
        kdf: Option<KdfParams>,
        salt: [u8; SALT_LEN],
        wrapping: &SubKey,
        secret: &[u8; KEY_LEN],
    ) -> Result<Slot, VaultError> {
        let nonce = *random_bytes::<NONCE_LEN>()?;
        let mut slot = Slot {
            owner,
            kdf,
            salt,
            nonce,
            wrapped: [0; WRAPPED_LEN],
        };
        let aad = self.slot_aad(&slot);
        let cipher = XChaCha20Poly1305::new_from_slice(wrapping.expose())
            .expect("the wrapping key is 32 bytes");
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Damaged)?;
        slot.wrapped.copy_from_slice(&sealed);
        Ok(slot)
    }

    fn open_slot(&self, slot: &Slot, wrapping: &SubKey) -> Result<MasterKey, VaultError> {
        let plain = self.open_wrapped(slot, wrapping)?;
        let master = MasterKey::from_bytes(*plain);
        // The slot opened: the secret is right, so a MAC mismatch means a damaged file.
        let body = self.body_bytes();
        let mut mac = keyfile_mac(&master);
        mac.update(&body);
        mac.verify_slice(&self.mac)
            .map_err(|_| VaultError::Damaged)?;
        Ok(master)
    }

    /// The 32 bytes a slot wraps.
    fn open_wrapped(
        &self,
        slot: &Slot,
        wrapping: &SubKey,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
        let aad = self.slot_aad(slot);
        let cipher = XChaCha20Poly1305::new_from_slice(wrapping.expose())
            .expect("the wrapping key is 32 bytes");
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    &XNonce::from(slot.nonce),
                    Payload {
                        msg: &slot.wrapped,
                        aad: &aad,
                    },
                )
                .map_err(|_| VaultError::WrongPassphraseOrDamaged)?,
        );
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        bytes.copy_from_slice(&plain);
        Ok(bytes)
    }

    /// Associated data of a slot's AEAD: the file header and the slot's bytes up to its nonce.
    fn slot_aad(&self, slot: &Slot) -> Vec<u8> {
        let mut aad = Vec::with_capacity(HEADER_LEN + 128);
        self.write_header(&mut aad);
        write_slot_head(slot, &mut aad);
        aad
    }

    fn write_header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&self.vault_id);
    }

    /// Every byte before the MAC.
    fn body_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 2 + self.slots.len() * 200);
        self.write_header(&mut out);
        out.extend_from_slice(&(self.slots.len() as u16).to_be_bytes());
        for slot in &self.slots {
            write_slot_head(slot, &mut out);
            out.extend_from_slice(&slot.wrapped);
        }
        out
    }

    /// The file's bytes, MAC included, keyed from `master` (the MAC is kept for later checks).
    pub(crate) fn seal_to_bytes(&mut self, master: &MasterKey) -> Vec<u8> {
        let mut out = self.body_bytes();
        let mut mac = keyfile_mac(master);
        mac.update(&out);
        self.mac = mac.finalize().into_bytes().into();
        out.extend_from_slice(&self.mac);
        out
    }

    /// Parses a key file. Structure is checked here; the MAC once a slot has opened.
    pub fn parse(bytes: &[u8]) -> Result<Self, VaultError> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(VaultError::NotAVault);
        }
        let mut r = Reader { bytes, pos: 8 };
        let version = r.u16()?;
        if version != VERSION {
            return Err(VaultError::KeyFileVersion(version));
        }
        let mut vault_id = [0u8; VAULT_ID_LEN];
        vault_id.copy_from_slice(r.take(VAULT_ID_LEN)?);
        let count = usize::from(r.u16()?);
        if count == 0 || count > MAX_SLOTS {
            return Err(VaultError::Damaged);
        }
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            slots.push(read_slot(&mut r)?);
        }
        let mut mac = [0u8; MAC_LEN];
        mac.copy_from_slice(r.take(MAC_LEN)?);
        if r.pos != bytes.len() {
            return Err(VaultError::Damaged);
        }
        let mut owners: Vec<&SlotOwner> = slots.iter().map(|s| &s.owner).collect();
        owners.sort_by_key(|o| format!("{o:?}"));
        owners.dedup();
        if owners.len() != slots.len() {
            return Err(VaultError::Damaged);
        }
        Ok(Self {
            vault_id,
            slots,
            mac,
        })
    }
}

fn keyfile_mac(master: &MasterKey) -> Hmac<Sha256> {
    let key = master.derive(purpose::KEYFILE_MAC);
    <Hmac<Sha256> as MacKeyInit>::new_from_slice(key.expose()).expect("HMAC takes any key length")
}

fn recovery_wrapping_key(recovery: &RecoveryKey, salt: &[u8]) -> SubKey {
    let hk = Hkdf::<Sha256>::new(Some(salt), recovery.expose());
    let mut out = [0u8; KEY_LEN];
    hk.expand(purpose::RECOVERY_WRAP, &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    SubKey::from_bytes(out)
}

/// kind, login length, login, kdf id, m, t, p, salt, nonce.
fn write_slot_head(slot: &Slot, out: &mut Vec<u8>) {
    let (kind, login): (u8, &[u8]) = match &slot.owner {
        SlotOwner::User(l) => (KIND_PASSPHRASE, l.as_bytes()),
        SlotOwner::Recovery => (KIND_RECOVERY, &[]),
        SlotOwner::SealKey(l) => (KIND_SEAL_KEY, l.as_bytes()),
    };
    out.push(kind);
    out.push(login.len() as u8);
    out.extend_from_slice(login);
    match slot.kdf {
        Some(p) => {
            out.push(KDF_ARGON2ID);
            out.extend_from_slice(&p.m_cost_kib.to_be_bytes());
            out.extend_from_slice(&p.t_cost.to_be_bytes());
            out.extend_from_slice(&p.p_cost.to_be_bytes());
        }
        None => {
            out.push(KDF_HKDF_SHA256);
            out.extend_from_slice(&[0u8; 12]);
        }
    }
    out.extend_from_slice(&slot.salt);
    out.extend_from_slice(&slot.nonce);
}

fn read_slot(r: &mut Reader<'_>) -> Result<Slot, VaultError> {
    let kind = r.u8()?;
    let login_len = usize::from(r.u8()?);
    if login_len > MAX_LOGIN_LEN {
        return Err(VaultError::Damaged);
    }
    let login = std::str::from_utf8(r.take(login_len)?)
        .map_err(|_| VaultError::Damaged)?
        .to_owned();
    let kdf_id = r.u8()?;
    let (m, t, p) = (r.u32()?, r.u32()?, r.u32()?);
    let (owner, kdf) = match (kind, kdf_id) {
        (KIND_PASSPHRASE | KIND_SEAL_KEY, KDF_ARGON2ID) if !login.is_empty() => {
            let params = KdfParams {
                m_cost_kib: m,
                t_cost: t,
                p_cost: p,
            };
            params.check_bounds()?;
            if kind == KIND_PASSPHRASE {
                (SlotOwner::User(login), Some(params))
            } else {
                (SlotOwner::SealKey(login), Some(params))
            }
        }
        (KIND_RECOVERY, KDF_HKDF_SHA256) if login.is_empty() && (m, t, p) == (0, 0, 0) => {
            (SlotOwner::Recovery, None)
        }
        _ => return Err(VaultError::Damaged),
    };
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(r.take(SALT_LEN)?);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(r.take(NONCE_LEN)?);
    let mut wrapped = [0u8; WRAPPED_LEN];
    wrapped.copy_from_slice(r.take(WRAPPED_LEN)?);
    Ok(Slot {
        owner,
        kdf,
        salt,
        nonce,
        wrapped,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], VaultError> {
        let end = self.pos.checked_add(n).ok_or(VaultError::Damaged)?;
        let out = self.bytes.get(self.pos..end).ok_or(VaultError::Damaged)?;
        self.pos = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, VaultError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, VaultError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, VaultError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::kdf::KdfChoice;

    fn fast() -> KdfParams {
        KdfChoice::INSECURE_FOR_TESTS.resolve().unwrap()
    }

    fn sample() -> (KeyFile, MasterKey, RecoveryKey) {
        let master = MasterKey::generate().unwrap();
        let recovery = RecoveryKey::generate().unwrap();
        let mut kf = KeyFile::new().unwrap();
        kf.set_user_slot(
            &master,
            "zhang",
            &Passphrase::new("一二三 abc".into()),
            fast(),
        )
        .unwrap();
        kf.set_recovery_slot(&master, &recovery).unwrap();
        kf.set_user_slot(&master, "li", &Passphrase::new("other".into()), fast())
            .unwrap();
        (kf, master, recovery)
    }

    #[test]
    fn key_file_round_trips_and_opens_with_each_secret() {
        let (mut kf, master, recovery) = sample();
        let bytes = kf.seal_to_bytes(&master);
        let back = KeyFile::parse(&bytes).unwrap();
        assert_eq!(back.logins(), vec!["zhang", "li"]);
        let m1 = back
            .unlock_user("zhang", &Passphrase::new("一二三 abc".into()))
            .unwrap();
        assert_eq!(m1.expose(), master.expose());
        assert_eq!(
            back.unlock_recovery(&recovery).unwrap().expose(),
            master.expose()
        );
        assert!(matches!(
            back.unlock_user("li", &Passphrase::new("wrong".into())),
            Err(VaultError::WrongPassphraseOrDamaged)
        ));
    }

    #[test]
    fn every_flipped_bit_of_the_key_file_is_refused() {
        let (mut kf, master, _) = sample();
        let bytes = kf.seal_to_bytes(&master);
        for byte in 0..bytes.len() {
            for bit in 0..8 {
                let mut bad = bytes.clone();
                bad[byte] ^= 1 << bit;
                let outcome = KeyFile::parse(&bad)
                    .and_then(|k| k.unlock_user("zhang", &Passphrase::new("一二三 abc".into())));
                assert!(outcome.is_err(), "bit {bit} of byte {byte} went unnoticed");
            }
        }
    }

    #[test]
    fn a_key_file_is_never_written_with_more_slots_than_it_may_be_read_with() {
        let (mut kf, master, _) = sample();
        let mut n = kf.slots.len();
        while n < MAX_SLOTS {
            kf.put(Slot {
                owner: SlotOwner::User(format!("u{n}")),
                ..kf.slots[0].clone()
            })
            .unwrap();
            n += 1;
        }
        let bytes = kf.seal_to_bytes(&master);
        assert_eq!(KeyFile::parse(&bytes).unwrap().slots.len(), MAX_SLOTS);
        assert!(matches!(
            kf.set_user_slot(&master, "one_more", &Passphrase::new("x".into()), fast()),
            Err(VaultError::TooManySlots)
        ));
        // Replacing an existing slot is still possible at the limit.
        kf.set_user_slot(&master, "li", &Passphrase::new("new one".into()), fast())
            .unwrap();
    }

    #[test]
    fn a_passphrase_opens_its_slot_whether_typed_composed_or_decomposed() {
        let master = MasterKey::generate().unwrap();
        let composed = "保密 caf\u{e9} 한글 2026";
        let decomposed = "保密 cafe\u{301} \u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af} 2026";
        let mut kf = KeyFile::new().unwrap();
        kf.set_user_slot(&master, "nfd", &Passphrase::new(decomposed.into()), fast())
            .unwrap();
        kf.set_user_slot(&master, "nfc", &Passphrase::new(composed.into()), fast())
            .unwrap();
        let kf = KeyFile::parse(&kf.seal_to_bytes(&master)).unwrap();
        for (login, typed) in [
            ("nfd", composed),
            ("nfd", decomposed),
            ("nfc", composed),
            ("nfc", decomposed),
        ] {
            let got = kf.unlock_user(login, &Passphrase::new(typed.into()));
            assert!(got.is_ok(), "{login} with {typed:?}");
        }
        // A slot keyed, before normalisation, from the decomposed bytes as typed still opens
        // when the same bytes are typed.
        let mut kf = kf;
        let salt = [9u8; SALT_LEN];
        let legacy = fast().derive_bytes(decomposed.as_bytes(), &salt).unwrap();
        let slot = kf
            .seal(
                SlotOwner::User("old".into()),
                Some(fast()),
                salt,
                &legacy,
                master.expose(),
            )
            .unwrap();
        kf.put(slot).unwrap();
        let bytes = kf.seal_to_bytes(&master);
        let back = KeyFile::parse(&bytes).unwrap();
        assert!(
            back.unlock_user("old", &Passphrase::new(decomposed.into()))
                .is_ok()
        );
        assert!(matches!(
            back.unlock_user("old", &Passphrase::new("wrong".into())),
            Err(VaultError::WrongPassphraseOrDamaged)
        ));
    }

    #[test]
    fn truncated_key_files_are_refused() {
        let (mut kf, master, _) = sample();
        let bytes = kf.seal_to_bytes(&master);
        for len in 0..bytes.len() {
            assert!(KeyFile::parse(&bytes[..len]).is_err(), "length {len}");
        }
    }
}
