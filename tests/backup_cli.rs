//! Backups on the command line (issue 12): `backup --to`, `verify-backup`, `restore`, each one
//! line on failure with exit 1; the latter two work without a vault folder.

mod common;

use std::path::{Path, PathBuf};

use common::cli::*;

const PASS: &str = "备份测试 口令 2026";

/// A demo vault with some documents; returns the recovery key.
fn demo(dir: &Path) -> String {
    let p = format!("{PASS}\n");
    let out = baomi(
        dir,
        &[
            "init",
            "--unit",
            "某县委办公室",
            "--user",
            "wang",
            "--name",
            "王保密",
            "--demo",
        ],
        &p,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = text(&out.stdout).lines().last().unwrap().trim().to_owned();
    let out = baomi(dir, &["demo", "--documents", "30"], &p);
    assert!(out.status.success(), "{}", text(&out.stderr));
    key
}

fn backup_into(dir: &Path, media: &Path) -> PathBuf {
    let out = baomi(
        dir,
        &[
            "backup",
            "--to",
            media.to_str().unwrap(),
            "--allow-fixed-disk",
        ],
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().last(), Some("verified"));
    std::fs::read_dir(media)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".baomi-backup"))
        .unwrap()
}

fn one_line_failure(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn r3_3_1_backup_verify_and_restore_on_the_command_line() {
    let v = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let key = demo(v.path());
    // A place that is not removable needs the explicit flag.
    let out = baomi(
        v.path(),
        &["backup", "--to", media.path().to_str().unwrap()],
        &format!("{PASS}\n"),
    );
    assert!(one_line_failure(&out).contains("--allow-fixed-disk"));
    let file = backup_into(v.path(), media.path());
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("某县委办公室-台账备份-20"), "{name}");
    // 0600 on a file system that keeps modes.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // verify-backup: no vault folder needed; passphrase or recovery key on stdin.
    let f = file.to_str().unwrap();
    let out = run(bare(&["verify-backup", f]), &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("某县委办公室") && shown.contains("审计链头"),
        "{shown}"
    );
    assert_eq!(shown.lines().last(), Some("verified"));
    let out = run(bare(&["verify-backup", f, "--json"]), &format!("{key}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(json["verified"], true);
    assert!(json["tables"]["documents"].as_i64().unwrap() >= 30);
    let out = run(bare(&["verify-backup", f]), "not the passphrase\n");
    assert!(one_line_failure(&out).contains("打不开此备份"));
    // A damaged copy: one line, exit 1, says damaged.
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 1;
    let bad = media.path().join("bad.baomi-backup");
    std::fs::write(&bad, bytes).unwrap();
    let out = run(
        bare(&["verify-backup", bad.to_str().unwrap()]),
        &format!("{PASS}\n"),
    );
    assert!(one_line_failure(&out).contains("未通过校验"));

    // restore: into a new folder, then `check` passes and the data is there.
    let parent = tempfile::tempdir().unwrap();
    let r = parent.path().join("restored");
    let out = run(
        bare(&["restore", f, "--to", r.to_str().unwrap()]),
        &format!("{key}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = baomi(&r, &["check"], &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("审计链：完整"));
    let out = baomi(&r, &["list", "documents", "--json"], &format!("{PASS}\n"));
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        docs.as_array().unwrap().len(),
        json["tables"]["documents"].as_i64().unwrap() as usize
    );
    // The recovery key of the day still opens the restored vault.
    // Never over an existing vault without --replace; with it, the old one is moved aside.
    let out = run(
        bare(&["restore", f, "--to", r.to_str().unwrap()]),
        &format!("{PASS}\n"),
    );
    assert!(one_line_failure(&out).contains("--replace"));
    let out = run(
        bare(&["restore", f, "--to", r.to_str().unwrap(), "--replace"]),
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("改名另存"));
    let aside: Vec<_> = std::fs::read_dir(parent.path())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("restored.replaced-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
}

#[test]
fn r3_3_1_a_backup_is_recorded_in_the_ledger_and_the_audit_trail() {
    let v = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    demo(v.path());
    backup_into(v.path(), media.path());
    let out = baomi(
        v.path(),
        &["list", "backups", "--json"],
        &format!("{PASS}\n"),
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &rows.as_array().unwrap()[0];
    assert_eq!(row["id"], "backup-1");
    assert!(
        row["folder"].as_str().unwrap().starts_with('/'),
        "an absolute folder: {row}"
    );
    assert_eq!(row["sha256"].as_str().unwrap().len(), 64);
    let csv = v
        .path()
        .parent()
        .unwrap()
        .join(format!("audit-{}.csv", std::process::id()));
    let out = baomi(
        v.path(),
        &[
            "export",
            "audit",
            "--format",
            "csv",
            "--out",
            csv.to_str().unwrap(),
        ],
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events = std::fs::read_to_string(&csv).unwrap();
    std::fs::remove_file(&csv).unwrap();
    assert!(events.contains("备份台账"), "{events}");
}

#[test]
fn a_full_or_read_only_medium_is_named_as_such_and_leaves_no_file() {
    let Some(mount) = Mount::tmpfs("200k") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root)");
        return;
    };
    let v = tempfile::tempdir().unwrap();
    demo(v.path());
    let to = mount.0.to_str().unwrap();
    let out = baomi(
        v.path(),
        &["backup", "--to", to, "--allow-fixed-disk"],
        &format!("{PASS}\n"),
    );
    let err = one_line_failure(&out);
    assert!(err.contains("空间不足") && !err.contains("损坏"), "{err}");
    assert_eq!(std::fs::read_dir(&mount.0).unwrap().count(), 0);
    mount.remount_read_only();
    let out = baomi(
        v.path(),
        &["backup", "--to", to, "--allow-fixed-disk"],
        &format!("{PASS}\n"),
    );
    let err = one_line_failure(&out);
    assert!(!err.contains("损坏"), "{err}");
}

#[test]
fn a_restore_that_cannot_finish_leaves_the_vault_it_would_replace_in_place() {
    let Some(mount) = Mount::tmpfs("1m") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root)");
        return;
    };
    let v = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    demo(v.path());
    let file = backup_into(v.path(), media.path());
    // A copy of the vault on a small disk: too little room for the restored one beside it.
    let t = mount.0.join("T");
    std::fs::create_dir(&t).unwrap();
    for f in ["ledger.db", "ledger.keys"] {
        std::fs::copy(v.path().join(f), t.join(f)).unwrap();
    }
    let out = run(
        bare(&[
            "restore",
            file.to_str().unwrap(),
            "--to",
            t.to_str().unwrap(),
            "--replace",
        ]),
        &format!("{PASS}\n"),
    );
    let err = one_line_failure(&out);
    assert!(err.contains("空间不足"), "{err}");
    // Nothing moved: the vault is where it was, and opens.
    assert!(t.join("ledger.keys").exists() && t.join("ledger.db").exists());
    let names: Vec<String> = std::fs::read_dir(&mount.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["T"], "{names:?}");
    let out = baomi(&t, &["check"], &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
}
