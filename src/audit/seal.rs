//! Seals of the chain's head by a security auditor, under a key only the auditor's passphrase
//! gives (migrations 0006 and 0011; `docs/format/audit-chain.md`).
//!
//! Version 2 (made now): `mac = HMAC-SHA256(seal_key, "baomi v2 audit seal" ‖ len‖vault_id ‖
//! len‖seq ‖ len‖head_hash ‖ len‖at ‖ len‖login ‖ len‖prev_mac)`, every `len` a big-endian u32;
//! `seal_key` is the auditor's random seal key (wrapped by their passphrase in `ledger.keys`);
//! `prev_mac` is the MAC of the auditor's previous version 2 seal, empty for the first.
//!
//! Version 1 (read only): the same without `prev_mac`, context `"baomi v1 audit seal"`, and
//! `seal_key` Argon2id of the passphrase with the row's salt and parameters.
//!
//! `key_id` is the first 8 bytes of `HMAC-SHA256(seal_key, "baomi v1 audit seal key id")`:
//! stored for the record, never trusted (a row's columns are what an insider edits).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::vault::SubKey;

/// Domain separation of the version 1 seal MAC.
const SEAL_CONTEXT: &[u8] = b"baomi v1 audit seal";
/// Domain separation of the version 2 seal MAC.
const SEAL_V2_CONTEXT: &[u8] = b"baomi v2 audit seal";
/// Domain separation of the key id.
const KEY_ID_CONTEXT: &[u8] = b"baomi v1 audit seal key id";

/// What a seal authenticates.
#[derive(Debug, Clone, Copy)]
pub struct Sealed<'a> {
    /// The vault's id (hex), so a seal cannot be moved to another vault.
    pub vault_id: &'a str,
    /// The sequence number of the sealed head.
    pub seq: i64,
    /// The head's hash.
    pub head_hash: &'a [u8],
    /// When it was sealed (RFC 3339, UTC).
    pub at: &'a str,
    /// The auditor's login.
    pub login: &'a str,
    /// Version 2: the MAC of the auditor's previous seal (empty for the first); `None` for a
    /// version 1 seal.
    pub prev_mac: Option<&'a [u8]>,
}

fn hmac(key: &SubKey) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose()).expect("HMAC takes any key length")
}

fn sealed_mac(key: &SubKey, s: &Sealed<'_>) -> Hmac<Sha256> {
    let mut mac = hmac(key);
    mac.update(match s.prev_mac {
        None => SEAL_CONTEXT,
        Some(_) => SEAL_V2_CONTEXT,
    });
    let seq = s.seq.to_string();
    let fields = [
        s.vault_id.as_bytes(),
        seq.as_bytes(),
        s.head_hash,
        s.at.as_bytes(),
        s.login.as_bytes(),
    ];
    for field in fields.into_iter().chain(s.prev_mac) {
        mac.update(&(field.len() as u32).to_be_bytes());
        mac.update(field);
    }
    mac
}

/// The seal's MAC.
pub fn seal_mac(key: &SubKey, s: &Sealed<'_>) -> [u8; 32] {
    sealed_mac(key, s).finalize().into_bytes().into()
}

/// Whether `mac` is the seal's MAC (compared in constant time).
pub fn mac_matches(key: &SubKey, s: &Sealed<'_>, mac: &[u8]) -> bool {
    sealed_mac(key, s).verify_slice(mac).is_ok()
}

/// The key's id, stored with each seal for the record (never trusted when checking).
pub fn key_id(key: &SubKey) -> [u8; 8] {
    let mut mac = hmac(key);
    mac.update(KEY_ID_CONTEXT);
    let full: [u8; 32] = mac.finalize().into_bytes().into();
    let mut id = [0u8; 8];
    id.copy_from_slice(&full[..8]);
    id
}

/// The seal's code for the auditor's paper notes: the MAC's first 8 bytes, `3F2A-91C0-77B1-0E44`.
pub fn code(mac: &[u8]) -> String {
    mac.iter()
        .take(8)
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| pair.concat())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(head: &[u8; 32]) -> Sealed<'_> {
        Sealed {
            vault_id: "00ff",
            seq: 41,
            head_hash: head,
            at: "2026-11-27T02:00:00.000000Z",
            login: "audit",
            prev_mac: None,
        }
    }

    /// The test vector of `docs/format/audit-chain.md`.
    #[test]
    fn the_documented_test_vector() {
        let key = SubKey::from_bytes([7; 32]);
        let head = [1u8; 32];
        let hex = |b: &[u8]| crate::backup::hex(b);
        assert_eq!(
            hex(&seal_mac(&key, &sealed(&head))),
            "94bfdf62ded63cf90027c28325ec891411ca850aa7d4fb1a659fd5e21c8f5372"
        );
        assert_eq!(hex(&key_id(&key)), "4181f42f19009e21");
        // Version 2: the first seal of a series (empty prev_mac), then one after it.
        let first = Sealed {
            prev_mac: Some(&[]),
            ..sealed(&head)
        };
        let first_mac = seal_mac(&key, &first);
        assert_eq!(
            hex(&first_mac),
            "3f7ae49498f161f04a7d0b74fb63e9ef53aba709ce237b13267e40f6ef277579"
        );
        let second = Sealed {
            seq: 42,
            prev_mac: Some(&first_mac),
            ..sealed(&head)
        };
        assert_eq!(
            hex(&seal_mac(&key, &second)),
            "ab5b9eefa8a5b6beb31ed7baf8a43fc658f9704cf45672f0bd6de9d2800b4653"
        );
    }

    #[test]
    fn a_version_2_seal_binds_its_predecessor_and_differs_from_version_1() {
        let key = SubKey::from_bytes([7; 32]);
        let head = [1u8; 32];
        let v1 = seal_mac(&key, &sealed(&head));
        let first = Sealed {
            prev_mac: Some(&[]),
            ..sealed(&head)
        };
        assert_ne!(seal_mac(&key, &first), v1);
        assert!(!mac_matches(&key, &first, &v1));
        let after = Sealed {
            prev_mac: Some(&[3u8; 32]),
            ..sealed(&head)
        };
        let mac = seal_mac(&key, &after);
        assert!(!mac_matches(
            &key,
            &Sealed {
                prev_mac: Some(&[4u8; 32]),
                ..after
            },
            &mac
        ));
        assert!(mac_matches(&key, &after, &mac));
    }

    #[test]
    fn a_seal_verifies_only_with_its_key_and_its_fields() {
        let key = SubKey::from_bytes([7; 32]);
        let other = SubKey::from_bytes([8; 32]);
        let head = [1u8; 32];
        let mac = seal_mac(&key, &sealed(&head));
        assert!(mac_matches(&key, &sealed(&head), &mac));
        assert!(!mac_matches(&other, &sealed(&head), &mac));
        assert!(!mac_matches(&key, &sealed(&[2u8; 32]), &mac));
        let moved = Sealed {
            seq: 40,
            ..sealed(&head)
        };
        assert!(!mac_matches(&key, &moved, &mac));
        assert_ne!(key_id(&key), key_id(&other));
        let c = code(&mac);
        assert_eq!(c.len(), 19);
        assert_eq!(c.matches('-').count(), 3);
    }
}
