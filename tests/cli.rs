//! The command line, run as the real binary: init, check, passwd, add-user, exit codes.

use std::path::Path;
use std::process::Output;

mod common;

use common::cli::*;

const PASS: &str = "命令行测试 口令 2026";

fn init(dir: &Path) -> Output {
    init_with(dir, &[])
}

/// `init` with extra arguments (`--demo`, `--utc-offset`…).
fn init_with(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "init",
        "--unit",
        "某公司党委办公室",
        "--user",
        "wang",
        "--name",
        "王保密",
    ];
    args.extend_from_slice(extra);
    let out = baomi(dir, &args, &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    out
}

#[test]
fn demo_data_goes_only_into_a_demo_vault() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = baomi(
        dir.path(),
        &["demo", "--documents", "5"],
        &format!("{PASS}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("正式的保密台账库，不能生成演示数据"),
        "{}",
        text(&out.stderr)
    );
    let out = baomi(dir.path(), &["stats", "--json"], &format!("{PASS}\n"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 0, "nothing was written");
    assert_eq!(v["cabinets"], 0, "nothing was written");
}

#[test]
fn init_creates_a_vault_and_prints_the_recovery_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v");
    let out = init(&vault);
    let stdout = text(&out.stdout);
    let key_line = stdout.lines().last().unwrap();
    assert_eq!(key_line.split('-').count(), 13, "{stdout}");
    assert!(baomi::vault::RecoveryKey::parse(key_line).is_ok());
    for f in ["ledger.db", "ledger.keys", "ledger.lock"] {
        assert!(vault.join(f).exists(), "{f}");
    }
    // A second init refuses to overwrite.
    let again = baomi(
        &vault,
        &["init", "--unit", "x", "--user", "li", "--name", "李"],
        &format!("{PASS}\n"),
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("不会覆盖"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn check_passes_on_a_sound_vault_and_fails_on_a_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let ok = baomi(dir.path(), &["check"], &format!("{PASS}\n"));
    let stdout = text(&ok.stdout);
    assert!(ok.status.success(), "{stdout}{}", text(&ok.stderr));
    assert!(stdout.contains("cipher_integrity_check：通过"), "{stdout}");
    assert!(stdout.contains("integrity_check：通过"), "{stdout}");
    assert!(stdout.contains("审计链：完整"), "{stdout}");
    let bad = baomi(dir.path(), &["check"], "wrong passphrase\n");
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.contains("口令错误"), "{err}");
    assert!(
        !err.contains("wrong passphrase"),
        "the passphrase is never echoed"
    );
}

#[test]
fn check_reports_a_damaged_database() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let db = dir.path().join("ledger.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes.len() - 4096 + 300;
    bytes[at] ^= 0x01;
    std::fs::write(&db, &bytes).unwrap();
    let out = baomi(dir.path(), &["check"], &format!("{PASS}\n"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
}

#[test]
fn add_user_then_that_user_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = baomi(
        dir.path(),
        &[
            "add-user",
            "--user",
            "li",
            "--name",
            "李部长",
            "--role",
            "dept_head",
            "--department",
            "财务部",
        ],
        &format!("{PASS}\n李部长本人的口令 123\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("部门负责人"));
    let check = baomi(
        dir.path(),
        &["--as", "li", "check"],
        "李部长本人的口令 123\n",
    );
    assert!(check.status.success(), "{}", text(&check.stderr));
}

#[test]
fn passwd_rewrites_the_slot_and_the_old_passphrase_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let current = dir.path().join("current.txt");
    std::fs::write(&current, format!("{PASS}\n")).unwrap();
    let out = baomi(
        dir.path(),
        &["--passphrase-file", current.to_str().unwrap(), "passwd"],
        "全新的一句口令 abc 2027\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        baomi(dir.path(), &["check"], &format!("{PASS}\n"))
            .status
            .code()
            == Some(1)
    );
    assert!(
        baomi(dir.path(), &["check"], "全新的一句口令 abc 2027\n")
            .status
            .success()
    );
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = baomi(dir.path(), &["init", "--unit", "x"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = baomi(
        dir.path(),
        &["add-user", "--user", "a", "--name", "b", "--role", "king"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("未知角色"));
    let out = baomi(dir.path(), &["check"], "x\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("不是保密台账库"),
        "{}",
        text(&out.stderr)
    );
    let out = baomi(
        dir.path(),
        &["init", "--unit", "x", "--user", "wang", "--name", "王"],
        "short\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("太短"));
}

#[test]
fn stats_and_list_print_the_registers_as_json() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = baomi(dir.path(), &["stats", "--json"], &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["users"], 1);
    assert_eq!(v["people"], 1);
    assert_eq!(v["documents"], 0);
    assert!(v["audit_events"].as_i64().unwrap() >= 2);
    let out = baomi(
        dir.path(),
        &["list", "users", "--json"],
        &format!("{PASS}\n"),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["id"], "user-1");
    assert_eq!(v[0]["role"], "保密员");
    let out = baomi(dir.path(), &["list", "secrets"], &format!("{PASS}\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("未知登记簿"));
    let out = baomi(dir.path(), &["show", "x-1"], &format!("{PASS}\n"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn demo_fills_every_register_and_reports_each_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = init_with(dir.path(), &["--demo"]);
    assert!(
        text(&out.stdout).contains("已创建演示库"),
        "{}",
        text(&out.stdout)
    );
    let out = baomi(
        dir.path(),
        &["demo", "--documents", "50", "--batch", "20"],
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let counts: Vec<u64> = stdout
        .lines()
        .map(|l| l.strip_prefix("committed ").unwrap().parse().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] < w[1]),
        "one line per commit"
    );
    // People, cabinets and incoming documents first (the batches of 20), then the outgoing flow.
    assert!(counts.contains(&(24 + 4 + 50)));
    assert!(*counts.last().unwrap() > 24 + 4 + 50 + 10);
    let out = baomi(dir.path(), &["stats", "--json"], &format!("{PASS}\n"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 50 + 10, "50 incoming, 10 outgoing");
    assert!(v["copies"].as_i64().unwrap() >= 50);
    assert_eq!(v["cabinets"], 4);
    let check = baomi(dir.path(), &["check"], &format!("{PASS}\n"));
    assert!(check.status.success(), "{}", text(&check.stdout));
    // `search` finds by a 2-character and a longer substring, ranked and paged.
    for q in ["保密", "关于", "机要收〔2026〕1"] {
        let out = baomi(
            dir.path(),
            &["search", q, "--json", "--per-page", "5"],
            &format!("{PASS}\n"),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let total = v["total"].as_u64().unwrap();
        assert!(total > 0, "{q}");
        let rows = v["rows"].as_array().unwrap();
        assert_eq!(rows.len() as u64, total.min(5));
        for r in rows {
            assert!(r["id"].as_str().unwrap().starts_with("doc-"));
            let hay = format!(
                "{}{}{}{}",
                r["title"], r["doc_no"], r["receipt_no"], r["issuing_unit"]
            );
            assert!(hay.contains(q), "{q}: {hay}");
        }
    }
    // Every id that `list --json` gives, `show` accepts.
    for id in [
        "doc-1",
        "copy-1",
        "borrow-1",
        "person-1",
        "cabinet-1",
        "user-1",
    ] {
        let out = baomi(dir.path(), &["show", id], &format!("{PASS}\n"));
        assert!(out.status.success(), "{id}: {}", text(&out.stderr));
        assert!(!text(&out.stdout).trim().is_empty(), "{id}");
    }
    // Printable forms: the borrowing form and a label sheet, as PDF files.
    // Saved outside the ledger's folder (saving inside it is refused).
    let form_dir = tempfile::tempdir().unwrap();
    let form = form_dir.path().join("form.pdf");
    let out = baomi(
        dir.path(),
        &[
            "print",
            "borrow-form",
            "borrow-1",
            "--out",
            form.to_str().unwrap(),
        ],
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(std::fs::read(&form).unwrap().starts_with(b"%PDF-"));
    // Saved outside the ledger's folder (saving inside it is refused).
    let labels_dir = tempfile::tempdir().unwrap();
    let labels = labels_dir.path().join("labels.pdf");
    let out = baomi(
        dir.path(),
        &[
            "print",
            "labels",
            "doc-1",
            "--out",
            labels.to_str().unwrap(),
        ],
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    if let Ok(t) = std::process::Command::new("pdftotext")
        .arg(&labels)
        .arg("-")
        .output()
    {
        assert!(String::from_utf8_lossy(&t.stdout).contains("copy-"));
    }
    let out = baomi(
        dir.path(),
        &["print", "receipt", "doc-1", "--out", "x.pdf"],
        &format!("{PASS}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let out = baomi(
        dir.path(),
        &["search", "没有这样的标题"],
        &format!("{PASS}\n"),
    );
    assert!(
        text(&out.stdout).starts_with("共 0 条"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_as_the_auditor_checks_the_seals_and_fails_on_a_rewritten_chain() {
    use baomi::ledger::audit_log;
    use baomi::vault::Passphrase;
    const AUDIT: &str = "审计员测试 口令 2026";
    const AUDIT_OWN: &str = "审计员 自己的口令 2027";
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = baomi(
        dir.path(),
        &[
            "add-user",
            "--user",
            "audit",
            "--name",
            "审计员",
            "--role",
            "auditor",
        ],
        &format!("{PASS}\n{AUDIT}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The auditor seals the chain (in the app; here through the library).
    let clock: std::sync::Arc<dyn baomi::domain::Clock> =
        std::sync::Arc::new(baomi::domain::SystemClock);
    let pass = Passphrase::new(AUDIT.into());
    let mut s = baomi::ledger::LockedLedger::open(dir.path())
        .unwrap()
        .unlock("audit", &pass, clock)
        .map_err(|(_, e)| e)
        .unwrap();
    // The custodian typed that passphrase: nothing is sealed with it until its owner changes it.
    let refused = audit_log::seal_chain(&mut s, &pass).unwrap_err();
    assert!(
        matches!(refused, baomi::ledger::LedgerError::MustChangePassphrase),
        "{refused}"
    );
    let own = Passphrase::new(AUDIT_OWN.into());
    s.change_own_passphrase(&pass, &own).unwrap();
    let seal = audit_log::seal_chain(&mut s, &own).unwrap();
    drop(s.lock("test"));

    let out = baomi(
        dir.path(),
        &["--as", "audit", "check"],
        &format!("{AUDIT_OWN}\n"),
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("审计链封存：共 1 个，其中本人 1 个"),
        "{stdout}"
    );
    assert!(stdout.contains(&seal.code), "{stdout}");
    assert!(stdout.contains("完好"), "{stdout}");
    let out = baomi(dir.path(), &["check"], &format!("{PASS}\n"));
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("由安全审计员"),
        "{}",
        text(&out.stdout)
    );

    // An insider rewrites the sealed event: the chain still verifies for them (they would
    // recompute every link; here the check of the seal alone is what fails).
    let mut s = baomi::ledger::LockedLedger::open(dir.path())
        .unwrap()
        .unlock(
            "wang",
            &Passphrase::new(PASS.into()),
            std::sync::Arc::new(baomi::domain::SystemClock),
        )
        .map_err(|(_, e)| e)
        .unwrap();
    let conn = s.raw_connection_for_tests();
    conn.execute_batch("DROP TRIGGER audit_events_no_update;")
        .unwrap();
    conn.execute(
        "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = ?1",
        [seal.seq],
    )
    .unwrap();
    drop(s.lock("test"));
    let out = baomi(
        dir.path(),
        &["--as", "audit", "check"],
        &format!("{AUDIT_OWN}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("审计链已被改写"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn due_date_from_today_counts_from_the_office_date() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = baomi(
        dir.path(),
        &[
            "due-date", "--level", "机密", "--from", "today", "--days", "1",
        ],
        &format!("{PASS}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The office is in Beijing time (the default), whatever TZ this test runs under.
    let today = baomi::domain::OfficeZone::default().date_of(chrono::Utc::now());
    let expected = baomi::domain::calendar::Calendar::builtin()
        .due_date(today, 1)
        .date;
    assert_eq!(text(&out.stdout).trim(), expected.to_string());
    let out = baomi(
        dir.path(),
        &["due-date", "--level", "机密", "--from", "明天"],
        &format!("{PASS}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("today"), "{}", text(&out.stderr));
}
