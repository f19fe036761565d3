//! Revoking a former user (R3.3.2; `docs/security.md`, "Removed users and old key files"):
//! deactivating an account removes its slot but leaves the master key, so a copy of the earlier
//! `ledger.keys` with that passphrase still opens the database — until a rekey, after which it
//! opens nothing. The chain and the auditor's seals go on verifying; a rekey a crash
//! interrupted is finished (or undone) at the next open.

mod common;

use std::path::Path;

use baomi::domain::level::Level;
use baomi::domain::role::Role;
use baomi::ledger::audit_log;
use baomi::ledger::people::NewPerson;
use baomi::ledger::users::{self, NewUser, RekeyHow};
use baomi::ledger::{LedgerError, LockedLedger, Session};
use common::cli::{cmd, run, text};

const LI: &str = "李部长本人的口令 2026";
const AUDIT: &str = "审计员本人的口令 2026";

fn add(s: &mut Session, login: &str, name: &str, role: Role, passphrase: &str) {
    users::add_user(
        s,
        &NewUser {
            login: login.into(),
            person: NewPerson {
                name: name.into(),
                ..NewPerson::default()
            },
            role,
        },
        &common::pass(passphrase),
    )
    .unwrap();
    users::owner_changed_passphrase_for_tests(s, login).unwrap();
}

/// A vault with a department head (li) and an auditor who sealed the chain.
fn office(dir: &Path) {
    let (mut s, _) = common::new_vault(dir);
    add(&mut s, "li", "李部长", Role::DeptHead, LI);
    add(&mut s, "audit", "审计员", Role::Auditor, AUDIT);
    common::cabinet(&mut s, "JM-01", Level::Jimi);
    drop(s.lock("test"));
    let mut a = common::sign_in(dir, "audit", AUDIT, common::system_clock());
    audit_log::seal_chain(&mut a, &common::pass(AUDIT)).unwrap();
    drop(a.lock("test"));
}

/// What a former user does with the key file they kept: puts it beside a copy of the current
/// database and signs in.
fn former_user_opens(dir: &Path, old_keys: &[u8], login: &str, passphrase: &str) -> bool {
    let attacker = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("ledger.db"), attacker.path().join("ledger.db")).unwrap();
    std::fs::write(attacker.path().join("ledger.keys"), old_keys).unwrap();
    // Their own program: the vault layer alone (the ledger would refuse a deactivated account,
    // but the key decrypts the pages whatever the account's row says).
    let Ok(vault) = baomi::vault::Vault::open(attacker.path()) else {
        return false;
    };
    vault
        .unlock(login, &common::pass(passphrase))
        .is_ok_and(|l| {
            l.conn()
                .query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))
                .is_ok()
        })
}

#[test]
fn r3_3_2_after_a_rekey_a_removed_users_old_key_file_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let old_keys = std::fs::read(dir.path().join("ledger.keys")).unwrap();

    let mut s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    users::deactivate_user(&mut s, "li").unwrap();
    let due = users::rekey_due(&s).unwrap().unwrap();
    assert_eq!(due.reasons, vec!["user:li"]);
    drop(s.lock("test"));
    // The exposure: the slot is gone from the current key file, but the old copy still opens
    // the current database with li's passphrase.
    assert!(former_user_opens(dir.path(), &old_keys, "li", LI));

    let mut s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    // Every active account must be named; an auditor holding a seal key types their own.
    assert!(
        users::rekey(
            &mut s,
            vec![(
                "custodian".into(),
                RekeyHow::Typed(common::pass(common::PASS))
            )]
        )
        .is_err()
    );
    let e = users::rekey(
        &mut s,
        vec![
            (
                "custodian".into(),
                RekeyHow::Typed(common::pass(common::PASS)),
            ),
            ("audit".into(), RekeyHow::OneTime),
        ],
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("封存密钥"), "{e}");
    let e = users::rekey(
        &mut s,
        vec![
            (
                "custodian".into(),
                RekeyHow::Typed(common::pass(common::PASS)),
            ),
            (
                "audit".into(),
                RekeyHow::Typed(common::pass("不是审计员的口令 000")),
            ),
        ],
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("口令不正确"), "{e}");
    let done = users::rekey(
        &mut s,
        vec![
            (
                "custodian".into(),
                RekeyHow::Typed(common::pass(common::PASS)),
            ),
            ("audit".into(), RekeyHow::Typed(common::pass(AUDIT))),
        ],
    )
    .unwrap();
    assert!(done.one_time.is_empty());
    // Due until the new recovery key is confirmed written down (a crash before that offers
    // the rekey again, for fresh secrets).
    let due = users::rekey_due(&s).unwrap().unwrap();
    assert_eq!(due.reasons, vec![users::REKEY_UNCONFIRMED.to_owned()]);
    users::rekey_noted(&mut s).unwrap();
    assert_eq!(users::rekey_due(&s).unwrap(), None);
    // The session goes on, on the rekeyed database.
    common::cabinet(&mut s, "JM-02", Level::Jimi);
    assert!(s.verify_audit().unwrap().is_intact());
    drop(s.lock("test"));

    assert!(
        !former_user_opens(dir.path(), &old_keys, "li", LI),
        "the old key file still opens the rekeyed database"
    );
    assert!(!former_user_opens(
        dir.path(),
        &old_keys,
        "custodian",
        common::PASS
    ));
    // Everyone left signs in as before; the chain and the seals verify.
    let a = common::sign_in(dir.path(), "audit", AUDIT, common::system_clock());
    assert!(a.verify_audit().unwrap().is_intact());
    let report = audit_log::check_seals(&a, &common::pass(AUDIT)).unwrap();
    assert!(report.passed(), "{report:?}");
    let events = audit_log::search(
        &a,
        &audit_log::AuditFilter {
            action: Some("vault.rekey".into()),
            ..Default::default()
        },
        5,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        events[0].detail_json.contains("user:li"),
        "{}",
        events[0].detail_json
    );
    drop(a.lock("test"));
    // The new recovery key opens it; the vault folder holds no staging left.
    let locked = LockedLedger::open(dir.path()).unwrap();
    let s = locked
        .unlock_with_recovery(
            &done.recovery,
            "custodian",
            &common::pass("恢复之后的新口令 2027"),
            common::system_clock(),
        )
        .map_err(|(_, e)| e)
        .unwrap();
    drop(s.lock("test"));
    assert!(!dir.path().join(".rekey").exists());
    assert!(!dir.path().join("ledger.rekeying").exists());
}

#[test]
fn r3_3_2_a_one_time_passphrase_from_the_rekey_must_be_changed_and_opens_only_the_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    add(&mut s, "li", "李部长", Role::DeptHead, LI);
    add(&mut s, "wu", "吴主任", Role::Head, "吴主任本人的口令 2026");
    users::deactivate_user(&mut s, "wu").unwrap();
    let done = users::rekey(
        &mut s,
        vec![
            (
                "custodian".into(),
                RekeyHow::Typed(common::pass(common::PASS)),
            ),
            ("li".into(), RekeyHow::OneTime),
        ],
    )
    .unwrap();
    drop(s.lock("test"));
    let (_, once) = &done.one_time[0];
    // li's own passphrase no longer opens the new key file; the one-time one does, for a change
    // only.
    let e = LockedLedger::open(dir.path())
        .unwrap()
        .unlock("li", &common::pass(LI), common::system_clock())
        .err()
        .unwrap()
        .1;
    assert!(matches!(e, LedgerError::WrongPassphrase), "{e}");
    let mut li = common::sign_in(dir.path(), "li", once.as_str(), common::system_clock());
    assert!(li.user().must_change_passphrase);
    li.change_own_passphrase(
        &common::pass(once.as_str()),
        &common::pass("李部长换过的口令 2027"),
    )
    .unwrap();
    drop(li.lock("test"));
}

#[test]
fn a_rekey_interrupted_by_a_crash_is_finished_or_undone_at_the_next_open() {
    for (at, finished) in [
        ("rekey:staged-database", false),
        ("rekey:marker-written", true),
        ("rekey:database-moved", true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        office(dir.path());
        let old_keys = std::fs::read(dir.path().join("ledger.keys")).unwrap();
        let mut c = cmd(dir.path(), &["rekey", "--typed", "audit"]);
        c.env("BAOMI_CRASH_AT", at);
        let out = run(c, &format!("{}\n{AUDIT}\n", common::PASS));
        assert!(!out.status.success(), "{at}: {}", text(&out.stdout));
        // The next open finishes the swap (or removes an unfinished staging): the vault opens
        // with the same passphrases either way.
        let s = common::sign_in(
            dir.path(),
            "custodian",
            common::PASS,
            common::system_clock(),
        );
        assert!(s.verify_audit().unwrap().is_intact(), "{at}");
        // Nobody saw the new recovery key: the rekey is offered again, for fresh secrets.
        let due = users::rekey_due(&s).unwrap().expect(at);
        assert!(
            due.reasons.iter().any(|r| r == users::REKEY_UNCONFIRMED),
            "{at}: {due:?}"
        );
        drop(s.lock("test"));
        let a = common::sign_in(dir.path(), "audit", AUDIT, common::system_clock());
        assert!(
            audit_log::check_seals(&a, &common::pass(AUDIT))
                .unwrap()
                .passed(),
            "{at}"
        );
        drop(a.lock("test"));
        assert!(!dir.path().join(".rekey").exists(), "{at}");
        assert!(!dir.path().join("ledger.rekeying").exists(), "{at}");
        assert_eq!(
            !former_user_opens(dir.path(), &old_keys, "custodian", common::PASS),
            finished,
            "{at}"
        );
    }
}

#[test]
fn the_command_line_rekeys_with_one_time_passphrases_for_those_not_present() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let out = run(
        cmd(dir.path(), &["rekey", "--typed", "audit"]),
        &format!("{}\n{AUDIT}\n", common::PASS),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("li 的一次性口令"), "{stdout}");
    assert!(stdout.contains("新的恢复密钥"), "{stdout}");
    // Printed, so noted: no rekey is due any more.
    let s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    assert_eq!(users::rekey_due(&s).unwrap(), None);
    drop(s.lock("test"));
    // A backup made after the rekey verifies (its chain keeps its key).
    let media = tempfile::tempdir().unwrap();
    let out = run(
        cmd(
            dir.path(),
            &[
                "backup",
                "--to",
                media.path().to_str().unwrap(),
                "--allow-fixed-disk",
            ],
        ),
        &format!("{}\n", common::PASS),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn gui_deactivating_an_account_asks_for_a_rekey_which_shows_the_new_recovery_key_once() {
    use common::gui::{click, click_button, harness, sign_in, type_into};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    add(&mut s, "li", "李部长", Role::DeptHead, LI);
    drop(s.lock("test"));
    let old_keys = std::fs::read(dir.path().join("ledger.keys")).unwrap();
    let mut h = harness(dir.path(), common::clock());
    sign_in(&mut h);
    click_button(&mut h, "设置");
    click(&mut h, "用户");
    assert!(h.query_by_label_contains("需要重新加密台账").is_none());
    click_button(&mut h, "停用");
    click(&mut h, "确认停用");
    h.get_by_label_contains("需要重新加密台账：停用了账户 li");
    // Opened, cancelled, opened again.
    click(&mut h, "重新加密台账…");
    h.get_by_label("重新加密台账");
    click(&mut h, "取消");
    assert!(h.query_by_label("重新加密台账").is_none());
    click(&mut h, "重新加密台账…");
    type_into(&mut h, "王保密（custodian，保密员）", common::PASS);
    click(&mut h, "重新加密");
    h.get_by_label_contains("新的恢复密钥只显示这一次");
    click(&mut h, "已抄写，关闭");
    assert!(h.query_by_label_contains("需要重新加密台账").is_none());
    assert!(!former_user_opens(dir.path(), &old_keys, "li", LI));
}
