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

/// Rows of every table but the search indexes' internals.
fn table_counts(conn: &rusqlite::Connection) -> std::collections::BTreeMap<String, i64> {
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '%_fts%' AND name NOT LIKE '%_chars%'",
        )
        .unwrap();
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

/// Each frozen vault, as the binary of its schema version wrote it (tests/data/make-fixtures.sh),
/// upgrades to the current schema when it is unlocked: every row is still there, the audit chain
/// and the pages verify, search finds its documents, and it takes a new write.
#[test]
fn a_vault_of_every_schema_version_upgrades_with_all_its_rows() {
    let latest = baomi::vault::migrations::latest();
    for v in 1..=latest {
        let src = data(&format!("vault-v{v}"));
        assert!(
            src.join("ledger.db").exists(),
            "no fixture for schema {v}: make it with tests/data/make-fixtures.sh {v}"
        );
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&src, dir.path());
        let pass = common::pass(&format!("fixture passphrase v{v}"));
        // As the file is: its version and its rows (nothing migrates here).
        let vault = Vault::open(dir.path()).unwrap();
        let (ledger, found) = vault.unlock_for_check("custodian", &pass).unwrap();
        assert_eq!(found, v, "vault-v{v}");
        let before = table_counts(ledger.conn());
        drop(ledger);
        drop(vault);
        // Unlocking upgrades it.
        let mut session = baomi::ledger::LockedLedger::open(dir.path())
            .unwrap()
            .unlock("custodian", &pass, common::system_clock())
            .map_err(|e| e.1)
            .unwrap();
        let after = table_counts(session.raw_connection_for_tests());
        eprintln!(
            "vault-v{v}: {} tables, {} rows before the upgrade; {} tables after",
            before.len(),
            before.values().sum::<i64>(),
            after.len()
        );
        for (table, n) in &before {
            // The unlock itself appends its own audit event.
            let extra = i64::from(table == "audit_events");
            assert_eq!(
                after.get(table).copied(),
                Some(n + extra),
                "vault-v{v}: rows of {table}"
            );
        }
        assert!(session.verify_audit().unwrap().is_intact(), "vault-v{v}");
        assert!(session.integrity_check().unwrap().is_ok(), "vault-v{v}");
        if before.get("documents").copied().unwrap_or(0) > 0 {
            let q = baomi::ledger::search::Query {
                text: "保密".into(),
                ..Default::default()
            };
            let page = baomi::ledger::search::search(&session, &q, 0, 10).unwrap();
            assert!(page.total > 0, "vault-v{v}: search found nothing");
        }
        baomi::ledger::people::add(
            &mut session,
            &baomi::ledger::people::NewPerson {
                name: "升级后新增".into(),
                ..Default::default()
            },
        )
        .unwrap();
        drop(session.lock("test"));
    }
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
