//! Frozen files from earlier versions: a vault written by format version 1 / schema 1 must keep
//! opening in every later build. The fixtures live in `tests/data/`; they are regenerated only
//! on purpose, with `BAOMI_WRITE_FIXTURES=1 cargo test --test fixtures`.

mod common;

use std::path::{Path, PathBuf};

use baomi::ledger::{Session, settings};
use baomi::vault::Vault;

const FIXTURE_PASS: &str = "fixture passphrase v1";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_vault_written_by_version_1_still_opens_and_verifies() {
    let src = data("vault-v1");
    if std::env::var_os("BAOMI_WRITE_FIXTURES").is_some() {
        let _ = std::fs::remove_dir_all(&src);
        let tmp = tempfile::tempdir().unwrap();
        let (session, _) = Session::create(
            tmp.path(),
            &common::setup_input(),
            &common::pass(FIXTURE_PASS),
            baomi::vault::KdfChoice::INSECURE_FOR_TESTS,
            common::system_clock(),
        )
        .unwrap();
        drop(session.lock("fixture"));
        std::fs::create_dir_all(&src).unwrap();
        for f in ["ledger.db", "ledger.keys"] {
            std::fs::copy(tmp.path().join(f), src.join(f)).unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src, dir.path());
    let vault = baomi::ledger::LockedLedger::open(dir.path()).unwrap();
    assert_eq!(vault.logins(), vec!["custodian"]);
    let session = vault
        .unlock(
            "custodian",
            &common::pass(FIXTURE_PASS),
            common::system_clock(),
        )
        .map_err(|e| e.1)
        .unwrap();
    assert_eq!(settings::unit_name(&session).unwrap(), "某公司党委办公室");
    assert!(session.verify_audit().unwrap().is_intact());
    assert!(session.integrity_check().unwrap().is_ok());
}

#[test]
fn every_broken_key_file_in_tests_data_is_refused() {
    // Deliberately broken variants of the frozen key file, made from it byte by byte.
    let good = std::fs::read(data("vault-v1/ledger.keys")).unwrap();
    let mut broken: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("magic only".into(), good[..8].to_vec()),
        ("future version".into(), {
            let mut b = good.clone();
            b[9] = 2;
            b
        }),
        ("no slots".into(), {
            let mut b = good[..28].to_vec();
            b[26] = 0;
            b[27] = 0;
            b
        }),
        ("trailing byte".into(), {
            let mut b = good.clone();
            b.push(0);
            b
        }),
        ("huge argon2 memory".into(), {
            // m of the first slot: after kind, login length, "custodian", kdf id.
            let mut b = good.clone();
            let m = 28 + 2 + "custodian".len() + 1;
            b[m..m + 4].copy_from_slice(&u32::MAX.to_be_bytes());
            b
        }),
    ];
    for at in [30, 60, 100, good.len() - 1] {
        let mut b = good.clone();
        b[at] ^= 0x80;
        broken.push((format!("bit flip at {at}"), b));
    }
    for (name, bytes) in broken {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&data("vault-v1"), dir.path());
        std::fs::write(dir.path().join("ledger.keys"), &bytes).unwrap();
        let outcome = Vault::open(dir.path())
            .map_err(|e| e.to_string())
            .and_then(|v| {
                v.unlock("custodian", &common::pass(FIXTURE_PASS))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        let err = outcome.expect_err(&name);
        assert!(!err.is_empty(), "{name}");
    }
}
