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
    let dest = folder.join(backups::file_name(s).unwrap());
    let snap = backups::prepare(s).unwrap();
    let written = write_and_verify(snap, &dest, &progress(), WriteOptions::default()).unwrap();
    backups::record(s, &written, true).unwrap();
    written.path
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
    let out =
        backups::restore(&file, &passphrase(PASS), &restored_dir, false, &progress()).unwrap();
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
        } else {
            assert_eq!(rows1, rows2, "table {t1} differs");
        }
    }
}
