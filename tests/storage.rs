//! Storage that never lies (issue 11): an empty or foreign database is refused, the WAL is
//! verified before SQLite reads it, vault files cannot be swapped for links, everything is
//! private, user creation is all or nothing.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use baomi::ledger::people::{self, NewPerson};
use baomi::ledger::{FolderState, LedgerError, LockedLedger, Session};
use baomi::vault::{self, VaultError, WalState};
use common::*;

fn person(s: &mut Session, name: &str) {
    people::add(
        s,
        &NewPerson {
            name: name.into(),
            department: "党办".into(),
            ..Default::default()
        },
    )
    .unwrap();
}

fn people_count(s: &Session) -> usize {
    people::list(s).unwrap().len()
}

fn open(dir: &Path) -> Result<Session, LedgerError> {
    LockedLedger::open(dir)?
        .unlock("custodian", &pass(PASS), system_clock())
        .map_err(|(_, e)| e)
}

/// The vault as a crash would leave it: its files copied while it is open (the WAL holds the
/// commits that were not yet checkpointed).
fn snapshot(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for name in ["ledger.keys", "ledger.db", "ledger.db-wal"] {
        if from.join(name).exists() {
            fs::copy(from.join(name), to.join(name)).unwrap();
        }
    }
}

/// A fresh vault whose creation is folded into the database file: its WAL then holds only
/// what the test writes next. Returns the folder, the session and the number of people.
fn live_vault() -> (tempfile::TempDir, Session, usize) {
    let live = tempfile::tempdir().unwrap();
    let (mut s, _) = new_vault(live.path());
    s.raw_connection_for_tests()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let before = people_count(&s);
    (live, s, before)
}

fn aside_folders(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    v.sort();
    v
}

#[test]
fn an_empty_database_is_refused_never_rebuilt_and_left_empty() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = new_vault(dir.path());
    drop(s.lock("test"));
    let db = dir.path().join(vault::DB_FILE);
    fs::write(&db, b"").unwrap();
    let err = open(dir.path()).err().unwrap();
    assert!(
        matches!(err, LedgerError::Vault(VaultError::DatabaseEmpty)),
        "{err}"
    );
    assert!(err.to_string().contains("不会被重建"), "{err}");
    // Still empty: no schema was made in it, no WAL written beside it.
    assert_eq!(fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn a_database_of_another_vault_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = new_vault(dir.path());
    drop(s.lock("test"));
    // Same key, another vault id: the id recorded in the database is checked against the key
    // file (here the key file's id is changed and its MAC rewritten through the vault API is
    // not possible, so the database's record is edited instead).
    let mut s = open(dir.path()).unwrap();
    s.raw_connection_for_tests()
        .execute(
            "UPDATE settings SET value = 'ffffffffffffffffffffffffffffffff' WHERE key = 'vault_id'",
            [],
        )
        .unwrap();
    drop(s.lock("test"));
    let err = open(dir.path()).err().unwrap();
    assert!(
        matches!(err, LedgerError::Vault(VaultError::NotThisVault { .. })),
        "{err}"
    );
}

/// Three commits in the WAL of a crashed vault: a flipped bit in the first frame's header, in
/// its page data, or in its page's HMAC tag is reported (SQLite alone would drop all three
/// commits without a word), both files are kept as they were and copied aside.
#[test]
fn a_flipped_bit_in_an_early_wal_frame_is_reported_and_both_files_are_kept() {
    let (live, mut s, before) = live_vault();
    for name in ["甲", "乙", "丙"] {
        person(&mut s, name);
    }
    let crashed = tempfile::tempdir().unwrap();
    snapshot(live.path(), crashed.path());
    drop(s.lock("test"));
    let wal = crashed.path().join("ledger.db-wal");
    let bytes = fs::read(&wal).unwrap();
    let page = u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize;
    assert!(matches!(
        vault::wal::analyse(&bytes),
        WalState::Intact { commits, torn_tail: false, .. } if commits >= 3
    ));

    for (what, offset) in [
        ("frame header", 32 + 5),
        ("page data", 32 + 24 + 100),
        ("HMAC tag", 32 + 24 + page - 10),
    ] {
        let case = tempfile::tempdir().unwrap();
        snapshot(crashed.path(), case.path());
        let mut flipped = bytes.clone();
        flipped[offset] ^= 0x04;
        fs::write(case.path().join("ledger.db-wal"), &flipped).unwrap();
        let db_before = fs::read(case.path().join("ledger.db")).unwrap();

        // What SQLite alone reads of it: nothing after the flip (all three commits).
        assert_eq!(
            vault::wal::good_prefix_len(&flipped[..]).unwrap(),
            32,
            "{what}"
        );

        let err = open(case.path()).err().unwrap();
        let LedgerError::Vault(VaultError::WalDamaged(d)) = &err else {
            panic!("{what}: {err}");
        };
        assert_eq!(d.first_bad_frame, Some(0), "{what}");
        assert!(d.commits_after >= 2, "{what}: {d:?}");
        let text = err.to_string();
        assert!(text.contains("第 1 帧"), "{what}: {text}");
        assert!(text.contains("accept-wal-damage"), "{what}: {text}");
        // Both files exactly as they were, and a copy of each aside.
        assert_eq!(
            fs::read(case.path().join("ledger.db-wal")).unwrap(),
            flipped
        );
        assert_eq!(fs::read(case.path().join("ledger.db")).unwrap(), db_before);
        let kept = aside_folders(case.path(), "wal-damaged-");
        assert_eq!(kept.len(), 1, "{what}");
        assert_eq!(fs::read(kept[0].join("ledger.db-wal")).unwrap(), flipped);
        assert_eq!(fs::read(kept[0].join("ledger.db")).unwrap(), db_before);
        // Opening again reports it again and changes nothing.
        assert!(open(case.path()).is_err());
        assert_eq!(
            fs::read(case.path().join("ledger.db-wal")).unwrap(),
            flipped
        );

        // The user's decision: cut after the last intact commit, audited, copies kept.
        let locked = LockedLedger::open(case.path()).unwrap();
        let (s, damage, kept) = locked
            .accept_wal_damage("custodian", &pass(PASS), system_clock())
            .map_err(|e| e.1)
            .unwrap();
        assert_eq!(damage.commits_before, 0, "{what}");
        assert!(kept.join("ledger.db-wal").exists());
        assert_eq!(people_count(&s), before, "{what}");
        assert!(s.verify_audit().unwrap().is_intact());
        drop(s.lock("test"));
    }
}

#[test]
fn a_torn_last_transaction_opens_normally_with_every_earlier_commit() {
    let (live, mut s, before) = live_vault();
    person(&mut s, "甲");
    let one = tempfile::tempdir().unwrap();
    snapshot(live.path(), one.path());
    let len_after_one = fs::metadata(one.path().join("ledger.db-wal"))
        .unwrap()
        .len();
    person(&mut s, "乙");
    let crashed = tempfile::tempdir().unwrap();
    snapshot(live.path(), crashed.path());
    drop(s.lock("test"));
    // The second transaction was being written when the process died: half of it on disk.
    let wal = crashed.path().join("ledger.db-wal");
    let full = fs::metadata(&wal).unwrap().len();
    let cut = len_after_one + (full - len_after_one) / 2;
    fs::OpenOptions::new()
        .write(true)
        .open(&wal)
        .unwrap()
        .set_len(cut)
        .unwrap();
    let s = open(crashed.path()).unwrap();
    assert_eq!(people_count(&s), before + 1);
    assert!(aside_folders(crashed.path(), "wal-damaged-").is_empty());
    drop(s.lock("test"));
}

#[test]
fn a_symlinked_or_hard_linked_lock_file_is_refused_and_the_other_file_is_untouched() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    drop(new_vault(a.path()).0.lock("test"));
    drop(new_vault(b.path()).0.lock("test"));
    let victim = b.path().join("ledger.db");
    let size = fs::metadata(&victim).unwrap().len();
    assert!(size > 0);
    let lock = a.path().join("ledger.lock");
    fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let err = LockedLedger::open(a.path()).err().unwrap();
    assert!(
        matches!(err, LedgerError::Vault(VaultError::UnsafeFile { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("符号链接"), "{err}");
    assert_eq!(fs::metadata(&victim).unwrap().len(), size);
    // A hard link to the other vault's database: refused the same way.
    fs::remove_file(&lock).unwrap();
    fs::hard_link(&victim, &lock).unwrap();
    let err = LockedLedger::open(a.path()).err().unwrap();
    assert!(err.to_string().contains("硬链接"), "{err}");
    assert_eq!(fs::metadata(&victim).unwrap().len(), size);
    // The other vault still opens with everything in it.
    fs::remove_file(&lock).unwrap();
    assert!(open(b.path()).is_ok());
}

#[test]
fn the_folder_is_0700_and_every_file_0600_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("vault");
    let (mut s, _) = new_vault(&dir);
    person(&mut s, "甲");
    assert_eq!(mode(&dir), 0o700);
    for name in [
        "ledger.db",
        "ledger.db-wal",
        "ledger.db-shm",
        "ledger.keys",
        "ledger.lock",
    ] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    drop(s.lock("test"));
    // A vault made by an older version (0755 / 0644) is made private when it is opened.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(dir.join("ledger.db"), fs::Permissions::from_mode(0o644)).unwrap();
    let s = open(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("ledger.db")), 0o600);
    drop(s.lock("test"));
}

#[test]
fn a_folder_with_a_database_but_no_key_file_is_never_offered_for_a_new_vault() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()).0.lock("test"));
    fs::remove_file(dir.path().join("ledger.keys")).unwrap();
    let err = LockedLedger::probe(dir.path()).err().unwrap();
    assert!(err.to_string().contains("缺少 ledger.keys"), "{err}");
    // The app shows the error, not the setup wizard.
    let app = baomi::ui::BaomiApp::new(baomi::ui::AppConfig {
        vault_dir: dir.path().to_owned(),
        kdf: baomi::ledger::KdfChoice::INSECURE_FOR_TESTS,
        clock: system_clock(),
        media: std::sync::Arc::new(baomi::backup::media::FixedMedia::default()),
    });
    assert!(
        matches!(app.state(), baomi::ui::app::AppState::Fatal(_)),
        "{:?}",
        std::mem::discriminant(app.state())
    );
    // And `create` refuses it.
    let err = Session::create(
        dir.path(),
        &setup_input(),
        &pass(PASS),
        baomi::ledger::KdfChoice::INSECURE_FOR_TESTS,
        system_clock(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("不会覆盖"), "{err}");
    // An empty folder and a missing one are offered for a new vault.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        LockedLedger::probe(empty.path()).unwrap(),
        FolderState::Empty
    );
    assert_eq!(
        LockedLedger::probe(&empty.path().join("new")).unwrap(),
        FolderState::Absent
    );
}

#[test]
fn the_remains_of_an_interrupted_creation_are_named_and_cleared_by_creating_again() {
    let dir = tempfile::tempdir().unwrap();
    // As `init` leaves them when killed after making the database and before the key file.
    fs::write(dir.path().join("ledger.creating"), b"pid 1\n").unwrap();
    fs::write(dir.path().join("ledger.db"), b"half a database").unwrap();
    fs::write(dir.path().join(".ledger.keys.tmp-1"), b"half a key file").unwrap();
    assert_eq!(
        LockedLedger::probe(dir.path()).unwrap(),
        FolderState::InterruptedCreation
    );
    let err = LockedLedger::open(dir.path()).err().unwrap();
    assert!(err.to_string().contains("被中断"), "{err}");
    let (s, _) = new_vault(dir.path());
    assert!(!dir.path().join("ledger.creating").exists());
    assert!(!dir.path().join(".ledger.keys.tmp-1").exists());
    drop(s.lock("test"));
    assert!(open(dir.path()).is_ok());
}

/// A vault whose WAL holds three commits, the first frame's page flipped.
fn vault_with_a_damaged_wal() -> tempfile::TempDir {
    let (live, mut s, _) = live_vault();
    for name in ["甲", "乙", "丙"] {
        person(&mut s, name);
    }
    let crashed = tempfile::tempdir().unwrap();
    snapshot(live.path(), crashed.path());
    drop(s.lock("test"));
    let wal = crashed.path().join("ledger.db-wal");
    let mut bytes = fs::read(&wal).unwrap();
    bytes[32 + 24 + 100] ^= 0x04;
    fs::write(&wal, bytes).unwrap();
    crashed
}

/// In the window: the damage is shown, a wrong passphrase does not count as one, and the
/// decision to open what verifies takes two clicks and the passphrase.
#[test]
fn the_login_screen_reports_a_damaged_wal_and_offers_the_decision() {
    use common::gui::{click, harness, type_into};
    use egui_kittest::kittest::Queryable;
    let dir = vault_with_a_damaged_wal();
    let mut h = harness(dir.path(), clock());
    type_into(&mut h, "口令", PASS);
    click(&mut h, "解锁");
    h.run();
    assert!(!h.state().is_unlocked());
    assert!(
        h.query_by_label_contains("预写日志 ledger.db-wal 已损坏")
            .is_some(),
        "the damage is not shown"
    );
    type_into(&mut h, "口令", PASS);
    click(&mut h, "放弃损坏点之后的事务并打开…");
    assert!(!h.state().is_unlocked(), "one click must not decide it");
    click(&mut h, "确认放弃并打开");
    h.run();
    assert!(h.state().is_unlocked());
    // The decision found the copy made when the damage was reported: not copied twice.
    assert_eq!(aside_folders(dir.path(), "wal-damaged-").len(), 1);
}

/// A WAL whose checksums verify but whose pages do not authenticate (another vault's, or an
/// older one of this vault): SQLite would replay it into ledger.db on close. Refused, both
/// files unchanged, and going on keeps the database as it was.
#[test]
fn a_wal_with_sound_checksums_but_foreign_pages_is_refused_and_never_folded_in() {
    let sha = |p: &Path| {
        use sha2::Digest;
        sha2::Sha256::digest(fs::read(p).unwrap()).to_vec()
    };
    // This vault, crashed with an empty WAL…
    let (mine, mut s, before) = live_vault();
    let crashed = tempfile::tempdir().unwrap();
    snapshot(mine.path(), crashed.path());
    person(&mut s, "本库");
    drop(s.lock("test"));
    // …and another vault's WAL with three commits put beside its database.
    let (other, mut o, _) = live_vault();
    for name in ["甲", "乙", "丙"] {
        person(&mut o, name);
    }
    fs::copy(
        other.path().join("ledger.db-wal"),
        crashed.path().join("ledger.db-wal"),
    )
    .unwrap();
    drop(o.lock("test"));
    let db = crashed.path().join("ledger.db");
    let wal = crashed.path().join("ledger.db-wal");
    let (db_hash, wal_hash) = (sha(&db), sha(&wal));
    for _ in 0..2 {
        let err = open(crashed.path()).err().unwrap();
        assert!(err.is_wal_damage(), "{err}");
        assert!(err.to_string().contains("HMAC"), "{err}");
        assert_eq!(sha(&db), db_hash, "ledger.db was changed");
        assert_eq!(sha(&wal), wal_hash, "the WAL was changed");
    }
    assert_eq!(aside_folders(crashed.path(), "wal-damaged-").len(), 1);
    let (s, _, _) = LockedLedger::open(crashed.path())
        .unwrap()
        .accept_wal_damage("custodian", &pass(PASS), system_clock())
        .map_err(|e| e.1)
        .unwrap();
    assert_eq!(people_count(&s), before);
    assert!(s.integrity_check().unwrap().is_ok());
    drop(s.lock("test"));
}

#[test]
fn hard_links_fifos_and_folders_in_place_of_vault_files_are_refused_untouched() {
    let victim_dir = tempfile::tempdir().unwrap();
    let victim = victim_dir.path().join("precious.txt");
    for name in ["ledger.db-wal", "ledger.db-shm"] {
        let dir = tempfile::tempdir().unwrap();
        drop(new_vault(dir.path()).0.lock("test"));
        fs::write(&victim, b"precious").unwrap();
        let _ = fs::remove_file(dir.path().join(name));
        fs::hard_link(&victim, dir.path().join(name)).unwrap();
        let err = open(dir.path()).err().unwrap();
        assert!(err.to_string().contains("硬链接"), "{name}: {err}");
        assert_eq!(fs::read(&victim).unwrap(), b"precious", "{name}");
        fs::remove_file(&victim).unwrap();
    }
    // A FIFO as the key file would make the read wait for ever; a folder as the lock file.
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()).0.lock("test"));
    fs::remove_file(dir.path().join("ledger.keys")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.path().join("ledger.keys"))
            .status()
            .unwrap()
            .success()
    );
    let err = LockedLedger::open(dir.path()).err().unwrap();
    assert!(err.to_string().contains("不是普通文件"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()).0.lock("test"));
    fs::remove_file(dir.path().join("ledger.lock")).unwrap();
    fs::create_dir(dir.path().join("ledger.lock")).unwrap();
    let err = LockedLedger::open(dir.path()).err().unwrap();
    assert!(err.to_string().contains("不是普通文件"), "{err}");
}

#[test]
fn deleting_the_lock_file_does_not_let_a_second_instance_in() {
    let dir = tempfile::tempdir().unwrap();
    drop(new_vault(dir.path()).0.lock("test"));
    let first = LockedLedger::open(dir.path()).unwrap();
    fs::remove_file(dir.path().join("ledger.lock")).unwrap();
    let err = LockedLedger::open(dir.path()).err().unwrap();
    assert!(
        matches!(err, LedgerError::Vault(VaultError::InUse)),
        "{err}"
    );
    drop(first);
    assert!(LockedLedger::open(dir.path()).is_ok());
}

#[test]
fn a_read_only_index_left_beside_the_database_is_made_writable_again() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, mut s, _) = live_vault();
    person(&mut s, "甲");
    let crashed = tempfile::tempdir().unwrap();
    snapshot(dir.path(), crashed.path());
    fs::copy(
        dir.path().join("ledger.db-shm"),
        crashed.path().join("ledger.db-shm"),
    )
    .unwrap();
    drop(s.lock("test"));
    for name in ["ledger.db", "ledger.db-wal", "ledger.db-shm"] {
        fs::set_permissions(crashed.path().join(name), fs::Permissions::from_mode(0o400)).unwrap();
    }
    let s = open(crashed.path()).unwrap();
    drop(s.lock("test"));
}

#[test]
fn an_export_or_a_pdf_is_never_saved_inside_the_ledger_folder() {
    use baomi::ledger::export::{self, Format};
    use baomi::ledger::reports::Register;
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = new_vault(dir.path());
    let keys_before = fs::read(dir.path().join("ledger.keys")).unwrap();
    for name in ["ledger.keys", "ledger.db", "people.csv"] {
        let err = export::export(
            &mut s,
            &Register::People,
            Format::Csv,
            &dir.path().join(name),
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("台账库文件夹"), "{name}: {err}");
    }
    assert_eq!(
        fs::read(dir.path().join("ledger.keys")).unwrap(),
        keys_before
    );
    let elsewhere = tempfile::tempdir().unwrap();
    export::export(
        &mut s,
        &Register::People,
        Format::Csv,
        &elsewhere.path().join("people.csv"),
    )
    .unwrap();
    drop(s.lock("test"));
}

/// A vault reached through a symlinked folder (a home folder behind a link) opens: SQLite's
/// no-follow open once refused the whole path and the error read as a device fault.
#[test]
fn a_vault_through_a_linked_folder_opens() {
    let parent = tempfile::tempdir().unwrap();
    let real = parent.path().join("real");
    let (s, _) = new_vault(&real);
    drop(s.lock("test"));
    let link = parent.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let s = open(&link).expect("opens through the link");
    assert_eq!(people_count(&s), 1);
    drop(s.lock("test"));
    // Through a linked parent too.
    let parent_link = tempfile::tempdir().unwrap();
    let via = parent_link.path().join("p");
    std::os::unix::fs::symlink(parent.path(), &via).unwrap();
    drop(
        open(&via.join("real"))
            .expect("opens through a linked parent")
            .lock("test"),
    );
}
