//! Seals an insider cannot downgrade (issue 14, R1.3.3 / R3.3.2): someone holding the master key
//! rewrites the audit chain consistently, through a raw SQLCipher connection, then edits the
//! seal rows — whatever column they edit, the auditor's `audit verify` and `check` exit 1 and name
//! the seal; with the seals intact, the rewritten chain is reported.

mod common;

use std::path::Path;

use baomi::domain::level::Level;
use baomi::domain::role::Role;
use baomi::ledger::audit_log::{self, SealCheck};
use baomi::ledger::people::NewPerson;
use baomi::ledger::users::{self, NewUser};
use baomi::ledger::{LedgerError, Session};
use common::cli::{baomi, text};

const AUDIT: &str = "审计员本人的口令 2026";
const AUDIT2: &str = "第二位审计员自己的口令 2026";

fn add_auditor(s: &mut Session, login: &str, name: &str, passphrase: &str) {
    users::add_user(
        s,
        &NewUser {
            login: login.into(),
            person: NewPerson {
                name: name.into(),
                ..NewPerson::default()
            },
            role: Role::Auditor,
        },
        &common::pass(passphrase),
    )
    .unwrap();
    users::owner_changed_passphrase_for_tests(s, login).unwrap();
}

fn custodian(dir: &Path) -> Session {
    common::sign_in(dir, "custodian", common::PASS, common::system_clock())
}

fn auditor(dir: &Path) -> Session {
    common::sign_in(dir, "audit", AUDIT, common::system_clock())
}

/// A vault with two auditors, some events, and two seals by `audit`: the seals' ids.
fn sealed_vault(dir: &Path) -> (i64, i64) {
    let (mut s, _) = common::new_vault(dir);
    add_auditor(&mut s, "audit", "审计员甲", AUDIT);
    add_auditor(&mut s, "audit2", "审计员乙", AUDIT2);
    common::cabinet(&mut s, "JM-01", Level::Jimi);
    drop(s.lock("test"));
    let mut a = auditor(dir);
    let first = audit_log::seal_chain(&mut a, &common::pass(AUDIT)).unwrap();
    drop(a.lock("test"));
    let mut s = custodian(dir);
    common::cabinet(&mut s, "JM-02", Level::Jimi);
    drop(s.lock("test"));
    let mut a = auditor(dir);
    let second = audit_log::seal_chain(&mut a, &common::pass(AUDIT)).unwrap();
    drop(a.lock("test"));
    (first.id, second.id)
}

/// What the insider does: rewrites the chain consistently from the first cabinet's event (so
/// the chain verifies for anyone with the master key), then runs `sql` on the seal rows.
fn insider(dir: &Path, sql: &str) {
    let mut s = custodian(dir);
    let seq: i64 = s
        .raw_connection_for_tests()
        .query_row(
            "SELECT min(seq) FROM audit_events WHERE action = 'cabinet.create'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    s.rewrite_chain_for_tests(seq, r#"{"code":"JM-01","location":"已改写"}"#)
        .unwrap();
    assert!(
        s.verify_audit().unwrap().is_intact(),
        "a consistent rewrite verifies without the seals"
    );
    let conn = s.raw_connection_for_tests();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_seals_no_update; DROP TRIGGER IF EXISTS audit_seals_no_delete;",
    )
    .unwrap();
    if !sql.is_empty() {
        conn.execute_batch(sql).unwrap();
    }
    drop(s.lock("test"));
}

/// The insider names seal `id` as audit2's (login and account; the key id stays).
fn relabel_as_audit2(s: &mut Session, id: i64) {
    let conn = s.raw_connection_for_tests();
    conn.execute_batch("DROP TRIGGER IF EXISTS audit_seals_no_update;")
        .unwrap();
    conn.execute(
        "UPDATE audit_seals SET login = 'audit2', \
         user_id = (SELECT id FROM users WHERE login = 'audit2') WHERE id = ?1",
        [id],
    )
    .unwrap();
}

/// `baomi --as LOGIN COMMAND…` with that auditor's passphrase: (exit 0?, stdout + stderr).
fn as_auditor(dir: &Path, login: &str, args: &[&str]) -> (bool, String) {
    let passphrase = if login == "audit" { AUDIT } else { AUDIT2 };
    let mut all = vec!["--as", login];
    all.extend_from_slice(args);
    let out = baomi(dir, &all, &format!("{passphrase}\n"));
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

#[test]
fn r3_3_2_intact_seals_verify_and_a_consistent_rewrite_is_reported_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = sealed_vault(dir.path());
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("审计链：完整"), "{out}");
    assert!(out.contains(&format!("封存 #{first}")), "{out}");
    assert!(out.contains("核验通过"), "{out}");
    assert!(!out.contains("其他审计员"), "{out}");

    // The chain rewritten consistently, the seals untouched: the chain alone verifies, the
    // seals do not.
    insider(dir.path(), "");
    for args in [&["audit", "verify"][..], &["check"][..]] {
        let (ok, out) = as_auditor(dir.path(), "audit", args);
        assert!(!ok, "{args:?} passed a rewritten chain: {out}");
        assert!(out.contains("审计链：完整"), "{out}");
        assert!(
            out.contains(&format!("封存 #{first}")) && out.contains(&format!("封存 #{second}")),
            "{out}"
        );
        assert!(out.contains("审计链已被改写"), "{out}");
    }
}

/// Every column an insider could edit to turn "chain rewritten" into a harmless word.
#[test]
fn r3_3_2_an_edited_seal_fails_the_check_whatever_column_was_edited() {
    let tampers: &[(&str, &str)] = &[
        (
            "login to a name that is no auditor",
            "UPDATE audit_seals SET login = 'nobody'",
        ),
        (
            "login to the custodian",
            "UPDATE audit_seals SET login = 'custodian'",
        ),
        (
            "login and account to the other auditor",
            "UPDATE audit_seals SET login = 'audit2', \
             user_id = (SELECT id FROM users WHERE login = 'audit2')",
        ),
        ("key id", "UPDATE audit_seals SET key_id = zeroblob(8)"),
        (
            "made to look like an old seal under another passphrase (salt and parameters)",
            "UPDATE audit_seals SET version = 1, prev_mac = NULL, salt = randomblob(16), \
             m_cost_kib = 64, t_cost = 1, p_cost = 1",
        ),
        (
            "old-looking with parameters out of bounds",
            "UPDATE audit_seals SET version = 1, prev_mac = NULL, salt = randomblob(16), \
             m_cost_kib = 4194304, t_cost = 64, p_cost = 16",
        ),
        (
            "head hash made to agree with the rewrite",
            "UPDATE audit_seals SET head_hash = \
             (SELECT hash FROM audit_events e WHERE e.seq = audit_seals.seq)",
        ),
        (
            "sealed sequence number",
            "UPDATE audit_seals SET seq = seq - 1",
        ),
        (
            "time",
            "UPDATE audit_seals SET at = '2026-01-01T00:00:00.000000Z'",
        ),
        (
            "predecessor",
            "UPDATE audit_seals SET prev_mac = zeroblob(32)",
        ),
        (
            "the first seal removed",
            "DELETE FROM audit_seals WHERE id = (SELECT min(id) FROM audit_seals)",
        ),
        ("every seal removed", "DELETE FROM audit_seals"),
    ];
    for (what, sql) in tampers {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = sealed_vault(dir.path());
        insider(dir.path(), sql);
        for args in [&["audit", "verify"][..], &["check"][..]] {
            let (ok, out) = as_auditor(dir.path(), "audit", args);
            assert!(!ok, "{what}: {args:?} passed: {out}");
            let named =
                out.contains(&format!("封存 #{first}")) || out.contains(&format!("封存 #{second}"));
            assert!(
                named || out.contains("封存记录被删除或篡改"),
                "{what}: the seal is not named: {out}"
            );
            for harmless in ["另一口令", "须其本人核验"] {
                if out.contains(harmless) {
                    // Relabelled to the other auditor: named and counted, and the series
                    // (or the other auditor's own check) still fails.
                    assert!(out.contains("其他审计员 audit2"), "{what}: {out}");
                }
            }
        }
    }
}

#[test]
fn r3_3_2_seals_of_another_auditor_are_named_and_counted_and_relabelling_one_fails_for_both() {
    let dir = tempfile::tempdir().unwrap();
    let (_, second) = sealed_vault(dir.path());
    let mut b = common::sign_in(dir.path(), "audit2", AUDIT2, common::system_clock());
    let theirs = audit_log::seal_chain(&mut b, &common::pass(AUDIT2)).unwrap();
    drop(b.lock("test"));
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("其他审计员 audit2 的封存 1 个"), "{out}");
    let (ok, out) = as_auditor(dir.path(), "audit2", &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("其他审计员 audit 的封存 2 个"), "{out}");
    assert!(out.contains(&theirs.code), "{out}");

    // The insider relabels audit's latest seal as audit2's: audit's own list loses it (their
    // paper notes show the later code), and audit2's check fails on a seal that claims them.
    let mut s = custodian(dir.path());
    relabel_as_audit2(&mut s, second);
    drop(s.lock("test"));
    let (ok, out) = as_auditor(dir.path(), "audit2", &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("封存 #{second}")), "{out}");
    assert!(out.contains("封存记录被篡改"), "{out}");
    // audit's own check fails too: the row still carries their key id, so it is theirs and
    // altered.
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(out.contains("封存记录被篡改"), "{out}");
    // Relabelled completely (audit2's key id too): no row claims audit any more, but the trail
    // records two seals by them.
    let mut s = custodian(dir.path());
    s.raw_connection_for_tests()
        .execute(
            "UPDATE audit_seals SET key_id = (SELECT key_id FROM audit_seals WHERE id = ?2) \
             WHERE id = ?1",
            [second, theirs.id],
        )
        .unwrap();
    drop(s.lock("test"));
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(!ok, "{out}");
    assert!(out.contains("审计日志记有你的 2 次封存"), "{out}");
}

/// A seal relabelled as a former auditor's, made after they left, is not "someone else's".
#[test]
fn r3_3_2_a_seal_relabelled_as_a_former_auditors_is_altered() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = sealed_vault(dir.path());
    let mut s = custodian(dir.path());
    users::deactivate_user(&mut s, "audit2").unwrap();
    relabel_as_audit2(&mut s, second);
    drop(s.lock("test"));
    let a = auditor(dir.path());
    let report = audit_log::check_seals(&a, &common::pass(AUDIT)).unwrap();
    assert_eq!(report.of(first), Some(SealCheck::Intact));
    assert_eq!(report.of(second), Some(SealCheck::SealAltered));
    assert!(!report.passed());
}

/// The insider deletes every seal of the auditor and their seal key with it. With the trail
/// left as it is, the trail's record of the seals gives it away; with the trail rewritten as
/// well, only the code on the auditor's paper notes does (`audit verify --expect`).
#[test]
fn r3_3_2_seals_deleted_with_the_seal_key_fail_by_the_trail_or_by_the_paper_code() {
    let dir = tempfile::tempdir().unwrap();
    sealed_vault(dir.path());
    let a = auditor(dir.path());
    let code = audit_log::seals(&a).unwrap()[0].code.clone();
    drop(a.lock("test"));
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify", "--expect", &code]);
    assert!(ok, "{out}");
    assert!(out.contains("在，且完好"), "{out}");

    let mut s = custodian(dir.path());
    let conn = s.raw_connection_for_tests();
    conn.execute_batch("DROP TRIGGER IF EXISTS audit_seals_no_delete; DELETE FROM audit_seals;")
        .unwrap();
    s.remove_seal_slot_for_tests("audit").unwrap();
    drop(s.lock("test"));
    for args in [&["audit", "verify"][..], &["check"][..]] {
        let (ok, out) = as_auditor(dir.path(), "audit", args);
        assert!(!ok, "{args:?} passed: {out}");
        assert!(out.contains("审计日志记有你的 2 次封存"), "{out}");
    }

    // The trail rewritten too: the seal events become other events, the chain recomputed.
    let mut s = custodian(dir.path());
    let conn = s.raw_connection_for_tests();
    let first_seal: i64 = conn
        .query_row(
            "SELECT min(seq) FROM audit_events WHERE action = 'audit.seal'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let triggers: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\";"))
            .unwrap();
    }
    conn.execute(
        "UPDATE audit_events SET action = 'session.unlock', entity = 'users' \
         WHERE action = 'audit.seal'",
        [],
    )
    .unwrap();
    s.rewrite_chain_for_tests(first_seal, r#"{"with":"passphrase"}"#)
        .unwrap();
    assert!(s.verify_audit().unwrap().is_intact());
    drop(s.lock("test"));
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(
        ok,
        "the residual risk, documented in docs/security.md: {out}"
    );
    assert!(out.contains("本人尚无封存"), "{out}");
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify", "--expect", &code]);
    assert!(!ok, "{out}");
    assert!(out.contains("找不到完好的本人封存带此码"), "{out}");
}

/// `check` checks the seals of whoever holds a seal key, whatever the role column now says.
#[test]
fn r3_3_2_check_checks_an_auditors_seals_even_when_the_role_column_was_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, second) = sealed_vault(dir.path());
    insider(
        dir.path(),
        &format!(
            "UPDATE audit_seals SET key_id = zeroblob(8) WHERE id = {second}; \
             UPDATE users SET role = 'custodian' WHERE login = 'audit';"
        ),
    );
    let (ok, out) = as_auditor(dir.path(), "audit", &["check"]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("封存 #{second}")), "{out}");
}

#[test]
fn sealing_again_is_refused_when_the_auditors_seals_were_removed() {
    let dir = tempfile::tempdir().unwrap();
    sealed_vault(dir.path());
    insider(dir.path(), "DELETE FROM audit_seals");
    let mut a = auditor(dir.path());
    let err = audit_log::seal_chain(&mut a, &common::pass(AUDIT)).unwrap_err();
    assert!(err.to_string().contains("封存记录被删除或篡改"), "{err}");
    let report = audit_log::check_seals(&a, &common::pass(AUDIT)).unwrap();
    assert!(report.own_seals_missing);
    assert!(!report.passed());
}

#[test]
fn the_seal_key_follows_a_change_of_passphrase_and_opens_with_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = sealed_vault(dir.path());
    let mut a = auditor(dir.path());
    let new = "审计员换过的口令 2027";
    a.change_own_passphrase(&common::pass(AUDIT), &common::pass(new))
        .unwrap();
    let report = audit_log::check_seals(&a, &common::pass(new)).unwrap();
    assert!(report.passed(), "{report:?}");
    assert_eq!(report.of(first), Some(SealCheck::Intact));
    assert_eq!(report.of(second), Some(SealCheck::Intact));
    let third = audit_log::seal_chain(&mut a, &common::pass(new)).unwrap();
    assert_eq!(
        audit_log::check_seals(&a, &common::pass(new))
            .unwrap()
            .of(third.id),
        Some(SealCheck::Intact)
    );
    let old = audit_log::check_seals(&a, &common::pass(AUDIT)).unwrap_err();
    assert!(matches!(old, LedgerError::WrongCurrentPassphrase), "{old}");
}

#[test]
fn r3_3_2_the_auditor_exports_the_whole_trail_with_its_seals_and_nobody_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = sealed_vault(dir.path());
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("审计链.json");
    let file_arg = file.to_str().unwrap();
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "export", "--out", file_arg]);
    assert!(ok, "{out}");
    assert!(out.contains("已导出审计链"), "{out}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let events = json["events"].as_array().unwrap();
    let head = json["head"]["seq"].as_i64().unwrap();
    assert_eq!(events.len() as i64, head);
    assert_eq!(events.last().unwrap()["hash"], json["head"]["hash"]);
    let seals = json["seals"].as_array().unwrap();
    let ids: Vec<i64> = seals.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![first, second]);
    assert_eq!(seals[1]["prev_mac"], seals[0]["mac"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The custodian may not.
    let other = out_dir.path().join("custodian.json");
    let out = baomi(
        dir.path(),
        &["audit", "export", "--out", other.to_str().unwrap()],
        &format!("{}\n", common::PASS),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("权限不足"),
        "{}",
        text(&out.stderr)
    );
    assert!(!other.exists());
    // Nor may anyone seal or verify but an auditor.
    let out = baomi(
        dir.path(),
        &["audit", "seal"],
        &format!("{}\n", common::PASS),
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("权限不足"),
        "{}",
        text(&out.stderr)
    );
}

/// A first seal killed between writing its key into `ledger.keys` and the commit leaves a seal
/// key with no seal and no seal in the trail: no alarm, and the next seal starts the series.
#[test]
fn a_first_seal_interrupted_by_a_crash_leaves_no_false_alarm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    add_auditor(&mut s, "audit", "审计员甲", AUDIT);
    drop(s.lock("test"));
    let mut c = common::cli::cmd(dir.path(), &["--as", "audit", "audit", "seal"]);
    c.env("BAOMI_CRASH_AT", "keys-written-before-commit");
    let out = common::cli::run(c, &format!("{AUDIT}\n"));
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let a = auditor(dir.path());
    assert!(audit_log::seals(&a).unwrap().is_empty());
    drop(a.lock("test"));
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("本人尚无封存"), "{out}");
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "seal"]);
    assert!(ok, "{out}");
    let (ok, out) = as_auditor(dir.path(), "audit", &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(out.contains("完好"), "{out}");
}
