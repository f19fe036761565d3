//! Encrypted backups (issue 12, R3.3.1): written, read back and verified; every byte that
//! changes is refused; restored into a new folder with the secrets of the day; never over a
//! vault without a decision.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use baomi::backup::export::{WriteOptions, write_and_verify};
use baomi::backup::verify::{Secret, verify_file};
use baomi::backup::{BackupError, Progress};
use baomi::ledger::backups;
use baomi::ledger::{KdfChoice, Session, SetupInput};
use common::*;

/// A demo vault with `docs` documents (borrowings, outgoing, people…), unlocked.
fn demo_vault(dir: &Path, docs: u32) -> (Session, baomi::ledger::RecoveryKey) {
    let (mut s, recovery) = Session::create(
        dir,
        &SetupInput {
            demo: true,
            ..setup_input()
        },
        &pass(PASS),
        KdfChoice::INSECURE_FOR_TESTS,
        system_clock(),
    )
    .unwrap();
    baomi::cli::demo::fill(&mut s, docs, 100, false).unwrap();
    (s, recovery)
}

/// Makes a backup of `s` into `folder`; returns its path.
fn back_up(s: &mut Session, folder: &Path) -> PathBuf {
    let dest = backups::destination(s, folder).unwrap();
    let snap = backups::prepare(s).unwrap();
    let written = write_and_verify(snap, &dest, &progress(), WriteOptions::default()).unwrap();
    backups::record(s, &written, true).unwrap();
    written.path
}

/// Restores `file` into `target` with the tests' clock and a fresh progress.
fn restore(
    file: &Path,
    secret: &Secret,
    target: &Path,
    replace: bool,
) -> Result<backups::RestoreOutcome, BackupError> {
    backups::restore(file, secret, target, replace, &common::clock(), &progress())
}

fn progress() -> Arc<Progress> {
    Arc::new(Progress::default())
}

fn passphrase(text: &str) -> Secret {
    Secret::Passphrase {
        login: None,
        passphrase: pass(text),
    }
}

/// Every row of every table, as text, table by table (rowid order).
fn dump(conn: &rusqlite::Connection) -> Vec<(String, Vec<String>)> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let cols: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let expr = cols
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let order = if t == "audit_events" { "seq" } else { "1" };
            let rows: Vec<String> = conn
                .prepare(&format!("SELECT {expr} FROM \"{t}\" ORDER BY {order}"))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (t, rows)
        })
        .collect()
}

#[test]
fn r3_3_1_a_backup_restores_every_table_row_by_row_and_passes_check() {
    let vault = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let (mut s, _) = demo_vault(vault.path(), 40);
    let before = dump(s.raw_connection_for_tests());
    let file = back_up(&mut s, media.path());

    let target = tempfile::tempdir().unwrap();
    let restored_dir = target.path().join("restored");
    let out = restore(&file, &passphrase(PASS), &restored_dir, false).unwrap();
    assert_eq!(out.opened_by.as_deref(), Some("custodian"));
    assert!(out.moved_aside.is_none());

    let mut r = sign_in(&restored_dir, "custodian", PASS, system_clock());
    let report = r.integrity_check().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert!(r.verify_audit().unwrap().is_intact());
    let after = dump(r.raw_connection_for_tests());
    assert_eq!(before.len(), after.len());
    for ((t1, rows1), (t2, rows2)) in before.iter().zip(&after) {
        assert_eq!(t1, t2);
        if t1 == "audit_events" {
            // The restored ledger goes on: the restore and this sign-in were appended.
            assert_eq!(rows1[..], rows2[..rows1.len()], "{t1}");
            assert!(rows2[rows1.len()].contains("backup.restore"));
        } else if t1 == "backups" {
            // The backup restored is recorded in the restored ledger (its own record was
            // written after its snapshot).
            assert_eq!(rows1.len() + 1, rows2.len());
            assert!(rows2[0].contains("台账备份"), "{rows2:?}");
        } else {
            assert_eq!(rows1, rows2, "table {t1} differs");
        }
    }
}

/// A small vault with a backup of it on a "medium"; the vault stays open.
struct Fixture {
    _vault: tempfile::TempDir,
    media: tempfile::TempDir,
    s: Session,
    recovery: baomi::ledger::RecoveryKey,
    file: PathBuf,
}

fn fixture(docs: u32) -> Fixture {
    let vault = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let (mut s, recovery) = demo_vault(vault.path(), docs);
    let file = back_up(&mut s, media.path());
    Fixture {
        _vault: vault,
        media,
        s,
        recovery,
        file,
    }
}

fn verify(path: &Path, secret: &Secret) -> Result<baomi::backup::verify::Verified, BackupError> {
    verify_file(
        path,
        baomi::backup::verify::KeySource::Secret(secret),
        &progress(),
        false,
    )
}

#[test]
fn r3_3_1_a_backup_opens_with_the_passphrase_or_the_recovery_key_and_nothing_else() {
    let f = fixture(5);
    let v = verify(&f.file, &passphrase(PASS)).unwrap();
    assert_eq!(v.manifest.unit_name, "某公司党委办公室");
    assert!(v.manifest.tables["documents"] >= 5);
    let key = f.recovery.to_display_string();
    let v = verify(&f.file, &Secret::from_text(&key, None)).unwrap();
    assert_eq!(v.opened_by, Some(baomi::vault::SlotOwner::Recovery));
    // Restored with the recovery key, the vault opens with the recovery key of that day too
    // (a new passphrase is set with it), and the restore is audited without a user.
    let target = tempfile::tempdir().unwrap();
    let out = restore(
        &f.file,
        &Secret::from_text(&key, None),
        target.path(),
        false,
    )
    .unwrap();
    assert_eq!(out.opened_by, None);
    let recovered = baomi::ledger::LockedLedger::open(target.path())
        .unwrap()
        .unlock_with_recovery(
            &baomi::ledger::RecoveryKey::parse(&key).unwrap(),
            "custodian",
            &pass("a new passphrase 2027"),
            system_clock(),
        )
        .map_err(|(_, e)| e)
        .unwrap();
    assert!(recovered.verify_audit().unwrap().is_intact());
    for wrong in ["correct horse 保密 8", "", "x"] {
        assert!(matches!(
            verify(&f.file, &passphrase(wrong)),
            Err(BackupError::WrongSecret)
        ));
    }
    // A login that has no slot, and another vault's recovery key.
    let nobody = Secret::Passphrase {
        login: Some("nobody".into()),
        passphrase: pass(PASS),
    };
    assert!(matches!(
        verify(&f.file, &nobody),
        Err(BackupError::WrongSecret)
    ));
    let other = fixture(1);
    let other_key = other.recovery.to_display_string();
    assert!(matches!(
        verify(&f.file, &Secret::from_text(&other_key, None)),
        Err(BackupError::WrongSecret)
    ));
}

#[test]
fn r3_3_1_a_backup_made_before_a_passphrase_change_opens_with_the_old_passphrase_only() {
    let mut f = fixture(3);
    let new = "a brand new 口令 2027";
    f.s.change_own_passphrase(&pass(PASS), &pass(new)).unwrap();
    verify(&f.file, &passphrase(PASS)).unwrap();
    assert!(matches!(
        verify(&f.file, &passphrase(new)),
        Err(BackupError::WrongSecret)
    ));
    // A backup made now opens with the new one and not the old.
    let later = back_up(&mut f.s, f.media.path());
    verify(&later, &passphrase(new)).unwrap();
    assert!(matches!(
        verify(&later, &passphrase(PASS)),
        Err(BackupError::WrongSecret)
    ));
}

/// A copy of `file` changed by `change`, in the same folder.
fn altered(file: &Path, name: &str, change: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    change(&mut bytes);
    let out = file.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn r3_3_1_a_truncated_backup_is_refused_at_every_length() {
    let f = fixture(20);
    let len = std::fs::metadata(&f.file).unwrap().len() as usize;
    let (header, header_bytes) =
        baomi::backup::format::Header::read(&mut std::fs::File::open(&f.file).unwrap()).unwrap();
    assert!(header.chunks() >= 3, "the test needs several chunks");
    let chunk = header.chunk_size as usize + baomi::backup::format::TAG;
    let h = header_bytes.len();
    // Inside the header, at chunk boundaries (a whole chunk missing), around them, and one
    // byte short.
    let mut cuts = vec![
        0,
        7,
        8,
        13,
        20,
        h - 1,
        h,
        h + 1,
        h + 100,
        len - 1,
        len - 16,
        len - 17,
    ];
    for k in 1..header.chunks() as usize {
        cuts.extend([h + k * chunk - 1, h + k * chunk, h + k * chunk + 1]);
    }
    for cut in cuts {
        let bad = altered(&f.file, "cut.baomi-backup", |b| b.truncate(cut));
        let r = verify(&bad, &passphrase(PASS));
        assert!(
            r.is_err(),
            "a backup cut at {cut} of {len} bytes was accepted"
        );
    }
    // Bytes appended after the last chunk are refused too.
    let longer = altered(&f.file, "long.baomi-backup", |b| {
        b.extend_from_slice(&[0; 17])
    });
    assert!(verify(&longer, &passphrase(PASS)).unwrap_err().is_damage());
}

#[test]
fn r3_3_1_a_flipped_bit_anywhere_in_header_or_payload_is_refused() {
    let f = fixture(20);
    let len = std::fs::metadata(&f.file).unwrap().len() as usize;
    let (_, header_bytes) =
        baomi::backup::format::Header::read(&mut std::fs::File::open(&f.file).unwrap()).unwrap();
    // Every byte of the header's fixed part and of its key file copy (sampled), then positions
    // across the payload: first chunk, chunk boundaries, tags, the last bytes.
    let mut positions: Vec<usize> = (0..100).collect();
    positions.extend((100..header_bytes.len()).step_by(7));
    positions.extend((header_bytes.len()..len).step_by(len / 150));
    positions.extend([len - 1, len - 16, len - 17, header_bytes.len()]);
    for (i, pos) in positions.into_iter().enumerate() {
        let bit = 1u8 << (i % 8);
        let bad = altered(&f.file, "flip.baomi-backup", |b| b[pos] ^= bit);
        let r = verify(&bad, &passphrase(PASS));
        assert!(
            r.is_err(),
            "a bit flipped at byte {pos} of {len} was accepted"
        );
    }
}

#[test]
fn r3_3_1_swapped_chunks_are_refused() {
    let f = fixture(20);
    let (header, header_bytes) =
        baomi::backup::format::Header::read(&mut std::fs::File::open(&f.file).unwrap()).unwrap();
    let chunk = header.chunk_size as usize + baomi::backup::format::TAG;
    let h = header_bytes.len();
    let bad = altered(&f.file, "swap.baomi-backup", |b| {
        let first: Vec<u8> = b[h..h + chunk].to_vec();
        let second: Vec<u8> = b[h + chunk..h + 2 * chunk].to_vec();
        b[h..h + chunk].copy_from_slice(&second);
        b[h + chunk..h + 2 * chunk].copy_from_slice(&first);
    });
    match verify(&bad, &passphrase(PASS)) {
        Err(BackupError::ChunkFailed { index: 0 }) => {}
        other => panic!("swapped chunks: {:?}", other.err()),
    }
    // The last chunk moved first (its flag says last) is refused as well.
    let bad = altered(&f.file, "swap2.baomi-backup", |b| {
        let n = b.len();
        let last_len = n - h - (header.chunks() as usize - 1) * chunk;
        let last: Vec<u8> = b[n - last_len..].to_vec();
        b.truncate(h);
        b.extend_from_slice(&last);
    });
    assert!(verify(&bad, &passphrase(PASS)).is_err());
}

#[test]
fn r3_3_1_a_write_error_in_the_middle_leaves_no_backup_file_and_says_why() {
    let vault = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let (mut s, _) = demo_vault(vault.path(), 20);
    for (code, says) in [(28, "空间已满"), (5, "已拔出或有故障"), (30, "只读")] {
        let dest = backups::destination(&s, media.path()).unwrap();
        let snap = backups::prepare(&mut s).unwrap();
        let e = write_and_verify(
            snap,
            &dest,
            &progress(),
            WriteOptions {
                fail_after: Some((150_000, code)),
            },
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(text.contains(says), "{text}");
        assert!(
            !text.contains("损坏"),
            "a medium's failure is not damage: {text}"
        );
        assert!(!e.is_damage());
        let left: Vec<_> = std::fs::read_dir(media.path()).unwrap().flatten().collect();
        assert!(left.is_empty(), "files left: {left:?}");
    }
    assert!(backups::list(&s).unwrap().is_empty());
    assert!(backups::status(&s).unwrap().due);
}

#[test]
fn r3_3_1_a_cancelled_backup_leaves_no_file() {
    let vault = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let (mut s, _) = demo_vault(vault.path(), 5);
    let dest = backups::destination(&s, media.path()).unwrap();
    let snap = backups::prepare(&mut s).unwrap();
    let p = progress();
    p.cancel();
    let e = write_and_verify(snap, &dest, &p, WriteOptions::default()).unwrap_err();
    assert!(matches!(e, BackupError::Cancelled), "{e}");
    assert_eq!(std::fs::read_dir(media.path()).unwrap().count(), 0);
}

#[test]
fn r3_3_1_a_backup_taken_while_the_ledger_is_written_holds_one_consistent_moment() {
    let vault = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let (mut s, _) = demo_vault(vault.path(), 40);
    let people_then = baomi::ledger::people::list(&s).unwrap().len() as i64;
    let events_then = s
        .raw_connection_for_tests()
        .query_row("SELECT max(seq) FROM audit_events", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
    let dest = backups::destination(&s, media.path()).unwrap();
    let snap = backups::prepare(&mut s).unwrap();
    let p = progress();
    let worker = {
        let p = Arc::clone(&p);
        let dest = dest.clone();
        std::thread::spawn(move || write_and_verify(snap, &dest, &p, WriteOptions::default()))
    };
    // The session goes on writing while the worker copies, encrypts and verifies.
    for i in 0..30 {
        baomi::ledger::people::add(
            &mut s,
            &baomi::ledger::people::NewPerson {
                name: format!("新人{i}"),
                department: "党办".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    let written = worker.join().unwrap().unwrap();
    assert_eq!(written.manifest.tables["people"], people_then);
    assert_eq!(written.manifest.audit_head.seq, events_then);
    // The image restores to exactly that moment, chain intact.
    let target = tempfile::tempdir().unwrap();
    let out = restore(&dest, &passphrase(PASS), target.path(), false).unwrap();
    assert_eq!(out.manifest.tables["people"], people_then);
    let r = sign_in(target.path(), "custodian", PASS, system_clock());
    assert_eq!(
        baomi::ledger::people::list(&r).unwrap().len() as i64,
        people_then
    );
    assert!(r.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_3_1_restore_never_overwrites_a_vault_silently_and_moves_it_aside_when_told() {
    let f = fixture(3);
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("vault");
    // Another ledger lives in the target folder.
    let (other, _) = new_vault(&target);
    drop(other.lock("test"));
    let refused = restore(&f.file, &passphrase(PASS), &target, false);
    assert!(
        matches!(refused, Err(BackupError::TargetHoldsVault(_))),
        "{:?}",
        refused.err()
    );
    // Untouched: it still opens as the other ledger.
    drop(sign_in(&target, "custodian", PASS, system_clock()).lock("test"));
    let out = restore(&f.file, &passphrase(PASS), &target, true).unwrap();
    let aside = out.moved_aside.expect("moved aside");
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("vault.replaced-")
    );
    // Both open: the restored one in place, the old one under its new name.
    let restored = sign_in(&target, "custodian", PASS, system_clock());
    assert!(baomi::ledger::documents::list(&restored).unwrap().len() >= 3);
    drop(restored.lock("test"));
    let old = sign_in(&aside, "custodian", PASS, system_clock());
    assert!(baomi::ledger::documents::list(&old).unwrap().is_empty());
}

#[test]
fn r3_3_1_restore_refuses_a_vault_that_is_open_elsewhere() {
    let f = fixture(2);
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("vault");
    let (open, _) = new_vault(&target);
    let refused = restore(&f.file, &passphrase(PASS), &target, true);
    assert!(refused.is_err());
    assert!(target.join("ledger.keys").exists());
    drop(open);
}

#[test]
fn r3_3_1_restore_refuses_a_folder_with_other_files_and_leaves_them_alone() {
    let f = fixture(2);
    let parent = tempfile::tempdir().unwrap();
    let target = parent.path().join("other");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("a.txt"), "hi").unwrap();
    let e = restore(&f.file, &passphrase(PASS), &target, true).unwrap_err();
    assert!(e.to_string().contains("已有其他文件"), "{e}");
    let left: Vec<_> = std::fs::read_dir(parent.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(left.len(), 1, "no staging folder left: {left:?}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);
}

#[test]
fn r3_3_1_restore_through_a_link_lands_in_the_real_folder_and_opens() {
    let f = fixture(2);
    let parent = tempfile::tempdir().unwrap();
    let real = parent.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = parent.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = restore(&f.file, &passphrase(PASS), &link, false).unwrap();
    assert_eq!(out.dir, std::fs::canonicalize(&real).unwrap());
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // The vault opens through the link as well as by its real path.
    drop(sign_in(&link, "custodian", PASS, system_clock()).lock("test"));
    drop(sign_in(&real, "custodian", PASS, system_clock()).lock("test"));
}

#[test]
fn a_fifo_or_a_folder_is_no_backup_and_a_name_in_use_is_never_overwritten() {
    let f = fixture(2);
    let fifo = f.media.path().join("pipe.baomi-backup");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    assert!(matches!(
        verify(&fifo, &passphrase(PASS)),
        Err(BackupError::NotABackup)
    ));
    assert!(verify(f.media.path(), &passphrase(PASS)).is_err());
    // A backup to a name that exists fails and leaves the other file as it was.
    let before = std::fs::read(&f.file).unwrap();
    let mut s = f.s;
    let snap = backups::prepare(&mut s).unwrap();
    let e = write_and_verify(snap, &f.file, &progress(), WriteOptions::default()).unwrap_err();
    assert!(e.to_string().contains("同名文件已存在"), "{e}");
    assert_eq!(std::fs::read(&f.file).unwrap(), before);
    // Another backup's .partial is never removed; the next name is taken.
    let name = f.file.file_name().unwrap().to_string_lossy().into_owned();
    let partial = baomi::backup::export::partial_path(&f.media.path().join("x.baomi-backup"));
    std::fs::write(&partial, b"being written").unwrap();
    let next = baomi::backup::export::unique_path(f.media.path(), "x.baomi-backup");
    assert!(
        next.to_string_lossy().ends_with("x-2.baomi-backup"),
        "{}",
        next.display()
    );
    assert_eq!(std::fs::read(&partial).unwrap(), b"being written");
    let _ = name;
}
