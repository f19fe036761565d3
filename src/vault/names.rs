//! `ledger.names`: the display names of the logins, so that the login screen can show
//! "王保密（wang）" before anything is decrypted.
//!
//! Written by the app each time the ledger locks (from the accounts in the ledger), read by the
//! login screen. It is a convenience, not a record: it is not encrypted (the logins beside it
//! in `ledger.keys` are not either) and not authenticated, so the login screen always shows the
//! login too, and a missing, damaged or edited file only loses or changes the names shown —
//! never who can sign in, which only the key slots decide. Created 0600 like every vault file.

use std::collections::BTreeMap;
use std::path::Path;

/// The file's name in the vault folder.
pub const NAMES_FILE: &str = "ledger.names";

/// Larger files are not read (a name is at most 64 characters).
const MAX_BYTES: u64 = 64 * 1024;

/// Writes the names of `logins` (login, display name). Best effort: the caller may ignore
/// a failure (a full disk only costs the names on the login screen).
pub fn write(dir: &Path, names: &[(String, String)]) -> std::io::Result<()> {
    let map: BTreeMap<&str, &str> = names
        .iter()
        .filter(|(_, n)| acceptable(n))
        .map(|(l, n)| (l.as_str(), n.as_str()))
        .collect();
    let text = serde_json::to_vec_pretty(&serde_json::json!({ "version": 1, "names": map }))
        .map_err(std::io::Error::other)?;
    crate::fsutil::write_atomic(&dir.join(NAMES_FILE), &text)
}

/// The names recorded for the logins, where the file has one that reads well.
pub fn read(dir: &Path) -> BTreeMap<String, String> {
    let path = dir.join(NAMES_FILE);
    let ok = std::fs::symlink_metadata(&path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() <= MAX_BYTES);
    if !ok {
        return BTreeMap::new();
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return BTreeMap::new();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return BTreeMap::new();
    };
    value
        .get("names")
        .and_then(|n| n.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(l, n)| Some((l.clone(), n.as_str()?.to_owned())))
                .filter(|(_, n)| acceptable(n))
                .collect()
        })
        .unwrap_or_default()
}

/// A name worth showing: 1 to 64 characters, no control characters.
fn acceptable(name: &str) -> bool {
    let n = name.chars().count();
    (1..=64).contains(&n) && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_written_are_read_back_and_bad_ones_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).is_empty());
        write(
            dir.path(),
            &[
                ("wang".into(), "王保密".into()),
                ("zhao".into(), "赵\u{7}主任".into()),
                ("qian".into(), String::new()),
            ],
        )
        .unwrap();
        let names = read(dir.path());
        assert_eq!(names.len(), 1);
        assert_eq!(names["wang"], "王保密");
        std::fs::write(dir.path().join(NAMES_FILE), b"not json").unwrap();
        assert!(read(dir.path()).is_empty());
        std::fs::write(dir.path().join(NAMES_FILE), vec![b' '; 70 * 1024]).unwrap();
        assert!(read(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[("wang".into(), "王保密".into())]).unwrap();
        let mode = std::fs::metadata(dir.path().join(NAMES_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
