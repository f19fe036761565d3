//! Secret material: passphrases, the master key, the recovery key and keys derived from them.
//!
//! None of these types implements `Clone`, `Debug`, `Display` or `Serialize`, so a secret cannot
//! reach a log, a panic message or a file by accident; each one is zeroized when dropped.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::VaultError;

/// Length of every symmetric key Baomi handles, in bytes (256 bits).
pub const KEY_LEN: usize = 32;

/// A passphrase typed by a user. Zeroized on drop; never printed.
///
/// Kept in Unicode NFC: an input method may send 한 or é composed or decomposed, and the same
/// passphrase must give the same key whichever it sent. Slots made before normalisation were
/// keyed from the bytes as typed; [`Passphrase::as_typed`] gives those bytes back when they
/// differ, so such a slot still opens (`docs/format/keyslots.md`, "Passphrases").
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Passphrase {
    nfc: String,
    /// The text as typed, when it is not already in NFC.
    typed: Option<String>,
}

impl Passphrase {
    /// Takes ownership of the typed text (the caller's `String` moves in and is zeroized later).
    pub fn new(text: String) -> Self {
        use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            return Self {
                nfc: text,
                typed: None,
            };
        }
        let nfc: String = text.nfc().collect();
        if nfc == text {
            Self {
                nfc: text,
                typed: None,
            }
        } else {
            Self {
                nfc,
                typed: Some(text),
            }
        }
    }

    /// The passphrase's bytes (NFC), for the KDF only.
    pub(crate) fn expose(&self) -> &[u8] {
        self.nfc.as_bytes()
    }

    /// The bytes as typed when they differ from [`Passphrase::expose`]: what a slot made before
    /// normalisation was keyed from.
    pub(crate) fn as_typed(&self) -> Option<&[u8]> {
        self.typed.as_deref().map(str::as_bytes)
    }

    /// The passphrase as text (NFC), for checks such as the strength hint.
    pub fn as_str(&self) -> &str {
        &self.nfc
    }

    /// Whether the passphrase is empty.
    pub fn is_empty(&self) -> bool {
        self.nfc.is_empty()
    }
}

/// Fills a buffer from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>, VaultError> {
    let mut out = Zeroizing::new([0u8; N]);
    getrandom::fill(out.as_mut()).map_err(|_| VaultError::Random)?;
    Ok(out)
}

/// The random 256-bit key from which every key of a vault is derived.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; KEY_LEN]);

impl MasterKey {
    /// A fresh key from the OS random source.
    pub(crate) fn generate() -> Result<Self, VaultError> {
        let bytes = random_bytes::<KEY_LEN>()?;
        Ok(Self(*bytes))
    }

    pub(crate) fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Derives a sub-key for one purpose (HKDF-SHA256, empty salt, `info` names the purpose).
    pub(crate) fn derive(&self, info: &[u8]) -> SubKey {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; KEY_LEN];
        hk.expand(info, &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        SubKey(out)
    }

    /// Derives a sub-key with a salt of its own (HKDF-SHA256): a key per backup.
    pub(crate) fn derive_salted(&self, salt: &[u8], info: &[u8]) -> SubKey {
        let hk = Hkdf::<Sha256>::new(Some(salt), &self.0);
        let mut out = [0u8; KEY_LEN];
        hk.expand(info, &mut out)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        SubKey(out)
    }
}

/// A key derived from the master key for one purpose (database, audit chain, key-file MAC…).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SubKey([u8; KEY_LEN]);

impl SubKey {
    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A key from bytes derived elsewhere in the crate.
    pub(crate) fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// A fresh random key (an auditor's seal key).
    pub(crate) fn random() -> Result<Self, VaultError> {
        Ok(Self(*random_bytes::<KEY_LEN>()?))
    }
}

/// HKDF `info` strings: one per purpose, never reused.
pub(crate) mod purpose {
    pub const DATABASE: &[u8] = b"baomi v1 sqlcipher page key";
    pub const AUDIT: &[u8] = b"baomi v1 audit chain hmac key";
    pub const KEYFILE_MAC: &[u8] = b"baomi v1 key file mac key";
    pub const RECOVERY_WRAP: &[u8] = b"baomi v1 recovery slot wrapping key";
    pub const BACKUP: &[u8] = b"baomi v1 backup payload key";
}

/// Crockford's base32 alphabet: no I, L, O or U, so a written key is hard to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters per group in the written form.
const GROUP: usize = 4;
/// 256 bits in base32 is 52 characters (the last one carries 1 bit and 4 zero bits).
const RECOVERY_CHARS: usize = 52;

/// The recovery key: 256 random bits, shown once to the custodian in a grouped, readable form
/// such as `7K3M-Q9TZ-…` (13 groups of 4 characters) and kept on paper in the safe.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKey([u8; KEY_LEN]);

impl RecoveryKey {
    pub(crate) fn generate() -> Result<Self, VaultError> {
        let bytes = random_bytes::<KEY_LEN>()?;
        Ok(Self(*bytes))
    }

    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The written form: 13 groups of 4 base32 characters joined by `-`.
    pub fn to_display_string(&self) -> Zeroizing<String> {
        let mut chars = Zeroizing::new(String::with_capacity(RECOVERY_CHARS + 12));
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut written = 0;
        let mut push = |c: u8, chars: &mut String| {
            if written > 0 && written % GROUP == 0 {
                chars.push('-');
            }
            chars.push(c as char);
            written += 1;
        };
        for &b in &self.0 {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                push(ALPHABET[((acc >> bits) & 31) as usize], &mut chars);
            }
        }
        if bits > 0 {
            push(ALPHABET[((acc << (5 - bits)) & 31) as usize], &mut chars);
        }
        acc.zeroize();
        chars
    }

    /// Reads a written recovery key. Spaces and dashes are ignored, lower case is accepted and
    /// the look-alikes O→0, I/L→1 are mapped as Crockford's base32 does.
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let mut out = [0u8; KEY_LEN];
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut n_chars = 0;
        let mut n_bytes = 0;
        for c in text.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            let Some(v) = ALPHABET.iter().position(|&a| a as char == c) else {
                out.zeroize();
                return Err(VaultError::RecoveryKeyFormat);
            };
            n_chars += 1;
            if n_chars > RECOVERY_CHARS {
                out.zeroize();
                return Err(VaultError::RecoveryKeyFormat);
            }
            acc = (acc << 5) | v as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out[n_bytes] = (acc >> bits) as u8;
                n_bytes += 1;
            }
        }
        let ok = n_chars == RECOVERY_CHARS && n_bytes == KEY_LEN && acc & ((1 << bits) - 1) == 0;
        acc.zeroize();
        if !ok {
            out.zeroize();
            return Err(VaultError::RecoveryKeyFormat);
        }
        Ok(Self(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_key_round_trips_through_its_written_form() {
        for _ in 0..50 {
            let key = RecoveryKey::generate().unwrap();
            let text = key.to_display_string();
            assert_eq!(text.len(), 52 + 12, "{}", text.as_str());
            assert_eq!(text.split('-').count(), 13);
            let back = RecoveryKey::parse(&text.to_lowercase().replace('-', " ")).unwrap();
            assert_eq!(back.expose(), key.expose());
        }
    }

    #[test]
    fn recovery_key_with_a_missing_or_foreign_character_is_refused() {
        let key = RecoveryKey::generate().unwrap();
        let text = key.to_display_string();
        assert!(RecoveryKey::parse(&text[1..]).is_err());
        assert!(RecoveryKey::parse(&format!("{}0", text.as_str())).is_err());
        assert!(
            RecoveryKey::parse(&text.replacen(|c: char| c.is_ascii_alphanumeric(), "U", 1))
                .is_err()
        );
    }

    #[test]
    fn sub_keys_differ_per_purpose() {
        let m = MasterKey::generate().unwrap();
        assert_ne!(
            m.derive(purpose::DATABASE).expose(),
            m.derive(purpose::AUDIT).expose()
        );
    }
}
