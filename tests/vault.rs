//! The vault: creation, unlocking, key slots, damage detection, instance lock, migrations.

mod common;

use std::fs;
use std::path::Path;

use baomi::audit::ChainStatus;
use baomi::domain::Role;
use baomi::ledger::people::NewPerson;
use baomi::ledger::users::{self, NewUser};
use baomi::ledger::{LedgerError, LockedLedger, Session, settings};
use baomi::vault::{self, RecoveryKey, Vault, VaultError};
use common::*;

#[allow(clippy::result_large_err)]
fn unlock(
    locked: LockedLedger,
    login: &str,
    p: &str,
) -> Result<Session, (LockedLedger, LedgerError)> {
    locked.unlock(login, &pass(p), system_clock())
}

#[test]
fn create_unlock_lock_and_unlock_again() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    assert_eq!(session.user().role, Role::Custodian);
    assert_eq!(session.user().name, "王保密");
    assert_eq!(settings::unit_name(&session).unwrap(), "某公司党委办公室");
    let vault = session.lock("test");
    assert_eq!(vault.logins(), vec!["custodian"]);
    let session = unlock(vault, "custodian", PASS).map_err(|e| e.1).unwrap();
    assert!(session.verify_audit().unwrap().is_intact());
    for f in [vault::DB_FILE, vault::KEYS_FILE, vault::LOCK_FILE] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}

#[test]
fn wrong_passphrase_is_refused_with_one_opaque_message() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    let vault = session.lock("test");
    let (vault, err) = unlock(vault, "custodian", "not the passphrase")
        .err()
        .unwrap();
    assert!(matches!(err, LedgerError::WrongPassphrase));
    assert_eq!(err.to_string(), "口令错误，或密钥文件已损坏");
    // The vault is handed back and still opens with the right passphrase.
    assert!(unlock(vault, "custodian", PASS).is_ok());
}

#[test]
fn recovery_key_unlocks_and_sets_a_new_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (session, recovery) = new_vault(dir.path());
    let written = recovery.to_display_string();
    let vault = session.lock("test");
    let typed = RecoveryKey::parse(&written.to_lowercase()).unwrap();
    let session = vault
        .unlock_with_recovery(
            &typed,
            "custodian",
            &pass("a brand new passphrase"),
            system_clock(),
        )
        .map_err(|e| e.1)
        .unwrap();
    let vault = session.lock("test");
    let (vault, _) = unlock(vault, "custodian", PASS)
        .err()
        .expect("old passphrase is gone");
    let session = unlock(vault, "custodian", "a brand new passphrase")
        .map_err(|e| e.1)
        .unwrap();
    assert!(session.verify_audit().unwrap().is_intact());
}

#[test]
fn wrong_recovery_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    let other = {
        let d2 = tempfile::tempdir().unwrap();
        new_vault(d2.path()).1.to_display_string()
    };
    let vault = session.lock("test");
    let err = vault
        .unlock_with_recovery(
            &RecoveryKey::parse(&other).unwrap(),
            "custodian",
            &pass("whatever passphrase"),
            system_clock(),
        )
        .err()
        .unwrap()
        .1;
    assert!(matches!(err, LedgerError::WrongPassphrase));
}

#[test]
fn passphrase_change_leaves_the_database_bytes_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    drop(session.lock("test"));
    let db_before = fs::read(dir.path().join(vault::DB_FILE)).unwrap();
    let keys_before = fs::read(dir.path().join(vault::KEYS_FILE)).unwrap();
    let mut opened = Vault::open(dir.path()).unwrap();
    opened
        .change_passphrase("custodian", &pass(PASS), &pass("the new passphrase"))
        .unwrap();
    drop(opened);
    let vault = LockedLedger::open(dir.path()).unwrap();
    assert_eq!(
        fs::read(dir.path().join(vault::DB_FILE)).unwrap(),
        db_before
    );
    assert_ne!(
        fs::read(dir.path().join(vault::KEYS_FILE)).unwrap(),
        keys_before
    );
    let (vault, _) = unlock(vault, "custodian", PASS).err().unwrap();
    assert!(unlock(vault, "custodian", "the new passphrase").is_ok());
}

#[test]
fn change_of_own_passphrase_in_a_session_checks_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    let err = session
        .change_own_passphrase(&pass("wrong current"), &pass("new passphrase 1"))
        .unwrap_err();
    assert!(matches!(err, LedgerError::WrongCurrentPassphrase));
    let err = session
        .change_own_passphrase(&pass(PASS), &pass("short"))
        .unwrap_err();
    assert!(matches!(err, LedgerError::Invalid(_)));
    session
        .change_own_passphrase(&pass(PASS), &pass("new passphrase 1"))
        .unwrap();
    let vault = session.lock("test");
    assert!(unlock(vault, "custodian", "new passphrase 1").is_ok());
}

fn add_auditor(session: &mut Session) {
    users::add_user(
        session,
        &NewUser {
            login: "audit".into(),
            person: NewPerson {
                name: "李审计".into(),
                department: "纪检".into(),
                post: "审计员".into(),
                ..Default::default()
            },
            role: Role::Auditor,
        },
        &pass("reviewer passphrase 2026"),
    )
    .unwrap();
    users::owner_changed_passphrase_for_tests(session, "audit").unwrap();
}

#[test]
fn a_second_user_signs_in_with_their_own_passphrase_and_role() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    add_auditor(&mut session);
    let vault = session.lock("test");
    assert_eq!(vault.logins(), vec!["custodian", "audit"]);
    let (vault, _) = unlock(vault, "audit", PASS)
        .err()
        .expect("not the auditor's passphrase");
    let mut s = unlock(vault, "audit", "reviewer passphrase 2026")
        .map_err(|e| e.1)
        .unwrap();
    assert_eq!(s.user().role, Role::Auditor);
    // R3.3.2: an auditor may not create accounts.
    let err = users::add_user(
        &mut s,
        &NewUser {
            login: "x".into(),
            person: NewPerson {
                name: "某".into(),
                ..Default::default()
            },
            role: Role::Admin,
        },
        &pass("another passphrase"),
    )
    .unwrap_err();
    assert!(matches!(err, LedgerError::NotPermitted { .. }), "{err}");
}

#[test]
fn removing_a_users_slot_stops_that_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    add_auditor(&mut session);
    users::deactivate_user(&mut session, "audit").unwrap();
    let vault = session.lock("test");
    assert_eq!(vault.logins(), vec!["custodian"]);
    let (vault, err) = unlock(vault, "audit", "reviewer passphrase 2026")
        .err()
        .unwrap();
    assert!(matches!(err, LedgerError::NoSuchUser));
    // Reopening from disk gives the same answer.
    drop(vault);
    let vault = LockedLedger::open(dir.path()).unwrap();
    assert!(unlock(vault, "audit", "reviewer passphrase 2026").is_err());
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        out.push((
            e.file_name().to_string_lossy().into_owned(),
            fs::read(e.path()).unwrap(),
        ));
    }
    out
}

#[test]
fn a_flipped_bit_anywhere_in_the_key_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    drop(session.lock("test"));
    let path = dir.path().join(vault::KEYS_FILE);
    let good = fs::read(&path).unwrap();
    for byte in 0..good.len() {
        let mut bad = good.clone();
        bad[byte] ^= 1 << (byte % 8);
        fs::write(&path, &bad).unwrap();
        let outcome = LockedLedger::open(dir.path())
            .and_then(|v| unlock(v, "custodian", PASS).map(|_| ()).map_err(|e| e.1));
        assert!(outcome.is_err(), "byte {byte} flipped went unnoticed");
    }
    fs::write(&path, &good).unwrap();
    // Each refusal above was a failed sign-in to the ledger ("wrong passphrase or damaged
    // file" cannot be told apart): the delay they set is lifted here by hand.
    let e = unlock(LockedLedger::open(dir.path()).unwrap(), "custodian", PASS)
        .err()
        .unwrap()
        .1;
    assert!(matches!(e, LedgerError::SignInDelayed { .. }), "{e}");
    fs::remove_file(dir.path().join("ledger.attempts")).unwrap();
    assert!(unlock(LockedLedger::open(dir.path()).unwrap(), "custodian", PASS).is_ok());
}

#[test]
fn a_flipped_bit_anywhere_in_the_database_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    add_auditor(&mut session);
    drop(session.lock("test"));
    let path = dir.path().join(vault::DB_FILE);
    let good = fs::read(&path).unwrap();
    assert!(good.len() >= 4096 * 4, "a few pages: {}", good.len());
    let mut checked = 0;
    // Several positions in every page: the salt, page headers, cell content, the reserve
    // area (IV and HMAC) at the end of each page.
    for page in 0..good.len() / 4096 {
        for offset in [0, 15, 16, 100, 1000, 2048, 4000, 4030, 4095] {
            let at = page * 4096 + offset;
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            fs::write(&path, &bad).unwrap();
            let vault = Vault::open(dir.path()).unwrap();
            let reported = match vault.unlock("custodian", &pass(PASS)) {
                Err(_) => true,
                Ok(ledger) => match ledger.integrity_check() {
                    Err(_) => true,
                    Ok(report) => !report.is_ok(),
                },
            };
            assert!(reported, "bit flipped at byte {at} went unnoticed");
            checked += 1;
        }
    }
    assert!(checked > 30);
    fs::write(&path, &good).unwrap();
    let ledger = Vault::open(dir.path())
        .unwrap()
        .unlock("custodian", &pass(PASS))
        .unwrap();
    assert!(ledger.integrity_check().unwrap().is_ok());
}

#[test]
fn truncated_files_are_reported_and_left_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    drop(session.lock("test"));
    for (file, cut) in [
        (vault::KEYS_FILE, 100),
        (vault::KEYS_FILE, 0),
        (vault::DB_FILE, 5000),
        (vault::DB_FILE, 10),
    ] {
        let path = dir.path().join(file);
        let good = fs::read(&path).unwrap();
        fs::write(&path, &good[..cut]).unwrap();
        let outcome = Vault::open(dir.path())
            .map_err(LedgerError::from)
            .and_then(|v| {
                let ledger = v.unlock("custodian", &pass(PASS))?;
                let report = ledger.integrity_check()?;
                if report.is_ok() {
                    Ok(())
                } else {
                    Err(LedgerError::Invalid("damaged".into()))
                }
            });
        assert!(outcome.is_err(), "{file} cut to {cut} bytes went unnoticed");
        assert_eq!(
            fs::read(&path).unwrap().len(),
            cut,
            "the damaged file was changed"
        );
        fs::write(&path, &good).unwrap();
    }
}

#[test]
fn missing_files_are_named_and_nothing_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    drop(session.lock("test"));
    let db = dir.path().join(vault::DB_FILE);
    let saved = fs::read(&db).unwrap();
    fs::remove_file(&db).unwrap();
    let err = Vault::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, VaultError::Missing { file: "ledger.db" }),
        "{err}"
    );
    assert!(!db.exists(), "a missing database must not be recreated");
    fs::write(&db, saved).unwrap();
    let keys = dir.path().join(vault::KEYS_FILE);
    fs::remove_file(&keys).unwrap();
    let err = Vault::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::Missing {
                file: "ledger.keys"
            }
        ),
        "{err}"
    );
}

#[test]
fn a_folder_that_is_not_a_vault_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Vault::open(dir.path()).unwrap_err(),
        VaultError::NotAVault
    ));
    fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    assert!(matches!(
        Vault::open(dir.path()).unwrap_err(),
        VaultError::NotAVault
    ));
    fs::write(
        dir.path().join(vault::KEYS_FILE),
        "PK\x03\x04 a zip, not keys",
    )
    .unwrap();
    assert!(matches!(
        Vault::open(dir.path()).unwrap_err(),
        VaultError::NotAVault
    ));
    assert!(matches!(
        Vault::open(&dir.path().join("does-not-exist")).unwrap_err(),
        VaultError::NotAVault
    ));
    // Nor is a vault created over an existing one.
    let d2 = tempfile::tempdir().unwrap();
    let (s, _) = new_vault(d2.path());
    drop(s.lock("test"));
    let err = baomi::ledger::Session::create(
        d2.path(),
        &setup_input(),
        &pass(PASS),
        baomi::vault::KdfChoice::INSECURE_FOR_TESTS,
        system_clock(),
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, LedgerError::Vault(VaultError::AlreadyExists { .. })),
        "{err}"
    );
}

#[test]
fn a_vault_written_by_a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    session
        .raw_connection_for_tests()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    drop(session.lock("test"));
    let db_before = fs::read(dir.path().join(vault::DB_FILE)).unwrap();
    let (_, err) = unlock(LockedLedger::open(dir.path()).unwrap(), "custodian", PASS)
        .err()
        .unwrap();
    match err {
        LedgerError::Vault(VaultError::NewerSchema {
            found: 99,
            supported,
        }) => {
            assert_eq!(supported, vault::migrations::latest());
        }
        other => panic!("expected NewerSchema, got {other}"),
    }
    assert!(err_text_mentions_upgrade());
    assert_eq!(
        fs::read(dir.path().join(vault::DB_FILE)).unwrap(),
        db_before
    );
}

fn err_text_mentions_upgrade() -> bool {
    VaultError::NewerSchema {
        found: 2,
        supported: 1,
    }
    .to_string()
    .contains("升级")
}

#[test]
fn two_instances_cannot_open_one_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    let err = Vault::open(dir.path()).unwrap_err();
    assert!(matches!(err, VaultError::InUse), "{err}");
    let vault = session.lock("test");
    assert!(matches!(
        Vault::open(dir.path()).unwrap_err(),
        VaultError::InUse
    ));
    drop(vault);
    let again = Vault::open(dir.path()).unwrap();
    assert!(
        again.recovered_stale_lock().is_none(),
        "a clean exit leaves no stale lock"
    );
}

#[test]
fn a_stale_lock_from_a_crashed_process_is_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = new_vault(dir.path());
    drop(session.lock("test"));
    // A crashed process leaves its note behind, but the OS has released its lock.
    fs::write(dir.path().join(vault::LOCK_FILE), "pid 424242\n").unwrap();
    let vault = Vault::open(dir.path()).unwrap();
    assert_eq!(vault.recovered_stale_lock(), Some("pid 424242"));
    drop(vault);
    let locked = LockedLedger::open(dir.path()).unwrap();
    assert!(unlock(locked, "custodian", PASS).is_ok());
}

#[test]
fn audit_chain_break_is_detected_at_the_first_bad_event() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    add_auditor(&mut session);
    for m in [10, 11, 12] {
        settings::set_auto_lock_minutes(&mut session, m).unwrap();
    }
    let ChainStatus::Intact { events, .. } = session.verify_audit().unwrap() else {
        panic!("fresh chain must be intact");
    };
    assert!(events >= 4, "{events}");
    let conn = session.raw_connection_for_tests();
    // The triggers refuse edits…
    let err = conn
        .execute("UPDATE audit_events SET action = 'x' WHERE seq = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(
        conn.execute("DELETE FROM audit_events WHERE seq = 3", [])
            .is_err()
    );
    // …so an insider drops them first; the chain still tells.
    conn.execute_batch(
        "DROP TRIGGER audit_events_no_update; \
         UPDATE audit_events SET detail_json = '{\"to\":60}' WHERE seq = 3;",
    )
    .unwrap();
    assert_eq!(
        session.verify_audit().unwrap(),
        ChainStatus::Broken { first_bad_seq: 3 }
    );
}

#[test]
fn a_deleted_audit_event_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    add_auditor(&mut session);
    for m in [10, 11, 12] {
        settings::set_auto_lock_minutes(&mut session, m).unwrap();
    }
    let conn = session.raw_connection_for_tests();
    conn.execute_batch(
        "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 2;",
    )
    .unwrap();
    assert_eq!(
        session.verify_audit().unwrap(),
        ChainStatus::Broken { first_bad_seq: 2 }
    );
}

#[test]
fn every_write_has_its_audit_event_in_the_same_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    let before = baomi::audit::recent(session.raw_connection_for_tests(), 100)
        .unwrap()
        .len();
    settings::set_auto_lock_minutes(&mut session, 7).unwrap();
    let after = baomi::audit::recent(session.raw_connection_for_tests(), 100).unwrap();
    assert_eq!(after.len(), before + 1);
    assert_eq!(after[0].action, "settings.update");
    // A refused write leaves neither the row nor an event.
    assert!(settings::set_auto_lock_minutes(&mut session, 0).is_err());
    assert_eq!(
        baomi::audit::recent(session.raw_connection_for_tests(), 100)
            .unwrap()
            .len(),
        before + 1
    );
    assert_eq!(settings::auto_lock_minutes(&session).unwrap(), 7);
}

#[test]
fn no_marker_written_through_the_ledger_reaches_any_file_in_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    const MARKER: &str = "MARKER-7f3a-绝密标记";
    for i in 0..200 {
        users::add_user(
            &mut session,
            &NewUser {
                login: format!("u{i}"),
                person: NewPerson {
                    name: format!("{MARKER}{i}"),
                    department: MARKER.into(),
                    post: MARKER.into(),
                    phone: MARKER.into(),
                    ..Default::default()
                },
                role: Role::DeptHead,
            },
            &pass("marker passphrase"),
        )
        .unwrap();
        if i == 2 {
            // Even with the key file: passphrases never appear in it.
            break;
        }
    }
    let check = |when: &str| {
        for (name, bytes) in files_of(dir.path()) {
            for needle in [
                MARKER.as_bytes(),
                "绝密标记".as_bytes(),
                b"MARKER-7f3a",
                b"marker passphrase",
                PASS.as_bytes(),
            ] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{when}: {name} holds plaintext {:?}",
                    String::from_utf8_lossy(needle)
                );
            }
        }
    };
    check("while open");
    assert!(dir.path().join("ledger.db-wal").exists(), "WAL mode is on");
    let vault = session.lock("test");
    check("after lock");
    drop(vault);
    check("after close");
}

#[test]
fn a_frozen_old_schema_is_upgraded_at_unlock() {
    // Version 0 (an empty keyed database) stands for the oldest schema until migration 2
    // exists; the runner must bring any older version up to the latest in one transaction.
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = new_vault(dir.path());
    let conn = session.raw_connection_for_tests();
    assert_eq!(
        vault::migrations::current(conn).unwrap(),
        vault::migrations::latest()
    );
    assert_eq!(
        vault::migrations::apply(conn).unwrap(),
        vault::migrations::latest(),
        "applying again is a no-op"
    );
}
