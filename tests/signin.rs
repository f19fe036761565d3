//! Sign-in protection that survives a restart, and passphrases that expire (R3.3.1 passwords
//! changed regularly; R3.3.2): failed sign-ins are kept in `ledger.attempts` beside the vault,
//! delay the login after five, and reach the audit trail at the next unlock; deleting the file is
//! itself recorded. A passphrase older than the office allows must be changed before anything
//! else.

mod common;

use std::sync::Arc;

use baomi::domain::level::Level;
use baomi::domain::{Clock, MockClock};
use baomi::ledger::audit_log::{self, AuditFilter};
use baomi::ledger::{LedgerError, LockedLedger, Session, settings};
use common::cli::{baomi, text};

fn try_unlock(
    dir: &std::path::Path,
    passphrase: &str,
    clock: &MockClock,
) -> Result<Session, LedgerError> {
    // Each try opens the folder afresh: as if the app had been closed and started again.
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    LockedLedger::open(dir)
        .unwrap()
        .unlock("custodian", &common::pass(passphrase), c)
        .map_err(|(_, e)| e)
}

/// `baomi ARGS` with the right passphrase is refused with the seconds to wait.
fn assert_cli_waits(dir: &std::path::Path, args: &[&str]) {
    let out = baomi(dir, args, &format!("{}\n", common::PASS));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("连续 5 次登录失败") && err.contains("秒后再试"),
        "{err}"
    );
}

fn events(s: &Session, action: &str) -> Vec<audit_log::AuditRow> {
    audit_log::search(
        s,
        &AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        },
        50,
    )
    .unwrap()
}

#[test]
fn r3_3_1_five_failures_delay_the_login_across_restarts_and_reach_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    let s = common::new_vault_at(dir.path(), Default::default(), c);
    drop(s.lock("test"));
    for i in 1..=5 {
        let e = try_unlock(dir.path(), "not my passphrase 000", &clock)
            .err()
            .unwrap();
        assert!(matches!(e, LedgerError::WrongPassphrase), "try {i}: {e}");
        clock.advance(chrono::Duration::seconds(1));
    }
    // The sixth try waits, even with the right passphrase: nothing is derived meanwhile.
    let e = try_unlock(dir.path(), common::PASS, &clock).err().unwrap();
    match &e {
        LedgerError::SignInDelayed {
            failures, seconds, ..
        } => {
            assert_eq!(*failures, 5);
            assert_eq!(*seconds, 29);
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("请 29 秒后再试"), "{e}");
    // Each wrong try past the fifth doubles the wait.
    clock.advance(chrono::Duration::seconds(30));
    let e = try_unlock(dir.path(), "not my passphrase 000", &clock)
        .err()
        .unwrap();
    assert!(matches!(e, LedgerError::WrongPassphrase), "{e}");
    let e = try_unlock(dir.path(), common::PASS, &clock).err().unwrap();
    assert!(
        matches!(
            e,
            LedgerError::SignInDelayed {
                failures: 6,
                seconds: 60,
                ..
            }
        ),
        "{e}"
    );
    clock.advance(chrono::Duration::seconds(61));
    let s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    let failed = events(&s, "login.failed");
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].detail_json.contains(r#""count":6"#),
        "{}",
        failed[0].detail_json
    );
    assert_eq!(failed[0].detail_json.matches("custodian").count(), 6);
    drop(s.lock("test"));
    // Recorded once: the next unlock adds nothing, and the delay is over.
    let s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    assert_eq!(events(&s, "login.failed").len(), 1);
    assert!(events(&s, "login.attempts_file_reset").is_empty());
}

#[test]
fn r3_3_1_deleting_or_rolling_back_the_attempts_file_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    let s = common::new_vault_at(dir.path(), Default::default(), c);
    drop(s.lock("test"));
    let file = dir.path().join("ledger.attempts");
    for _ in 0..2 {
        assert!(try_unlock(dir.path(), "not my passphrase 000", &clock).is_err());
    }
    let old = std::fs::read(&file).unwrap();
    drop(
        try_unlock(dir.path(), common::PASS, &clock)
            .unwrap()
            .lock("test"),
    );
    // Four more failures, then the file is put back to its older copy (two failures, already
    // recorded): the delay it would have imposed is gone, and the next unlock says so.
    for _ in 0..4 {
        assert!(try_unlock(dir.path(), "not my passphrase 000", &clock).is_err());
    }
    std::fs::write(&file, &old).unwrap();
    let s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    let reset = events(&s, "login.attempts_file_reset");
    assert_eq!(reset.len(), 1);
    assert!(
        reset[0].detail_json.contains("rolled_back"),
        "{}",
        reset[0].detail_json
    );
    drop(s.lock("test"));
    // Deleted outright.
    assert!(try_unlock(dir.path(), "not my passphrase 000", &clock).is_err());
    std::fs::remove_file(&file).unwrap();
    let s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    let reset = events(&s, "login.attempts_file_reset");
    assert_eq!(reset.len(), 2);
    assert!(
        reset[0].detail_json.contains("deleted"),
        "{}",
        reset[0].detail_json
    );
}

#[test]
fn r3_3_1_the_command_line_waits_as_the_window_does() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = common::new_vault(dir.path());
    drop(s.lock("test"));
    for _ in 0..5 {
        let out = baomi(dir.path(), &["list", "users"], "not my passphrase 000\n");
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("口令错误"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_cli_waits(dir.path(), &["list", "users"]);
}

#[test]
fn r3_3_1_a_passphrase_past_the_limit_must_be_changed_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    let mut s = common::new_vault_at(dir.path(), Default::default(), c);
    assert_eq!(settings::passphrase_max_days(&s).unwrap(), 90);
    // Only 30 to 365 days, or 0 for none.
    assert!(settings::set_passphrase_max_days(&mut s, 7).is_err());
    drop(s.lock("test"));
    clock.advance(chrono::Duration::days(90));
    let mut s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    assert_eq!(s.user().passphrase_expired, None, "90 days are allowed");
    common::cabinet(&mut s, "JM-01", Level::Jimi);
    drop(s.lock("test"));
    clock.advance(chrono::Duration::days(1));
    let mut s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    assert_eq!(s.user().passphrase_expired, Some(91));
    let e = baomi::ledger::cabinets::create(
        &mut s,
        &baomi::ledger::cabinets::CabinetInput {
            code: "JM-02".into(),
            location: "机要室".into(),
            max_level: Level::Jimi,
            responsible: None,
            locked: true,
        },
    )
    .unwrap_err();
    assert!(matches!(e, LedgerError::PassphraseExpired(91)), "{e}");
    assert!(e.to_string().contains("已使用 91 天"), "{e}");
    // The same passphrase again is no change.
    assert!(
        s.change_own_passphrase(&common::pass(common::PASS), &common::pass(common::PASS))
            .is_err()
    );
    let new = "换过的口令 保密 2027";
    s.change_own_passphrase(&common::pass(common::PASS), &common::pass(new))
        .unwrap();
    common::cabinet(&mut s, "JM-02", Level::Jimi);
    drop(s.lock("test"));
    // A new period starts: 90 days later it is still valid.
    clock.advance(chrono::Duration::days(90));
    let s = try_unlock(dir.path(), new, &clock).unwrap();
    assert_eq!(s.user().passphrase_expired, None);
    let changed = events(&s, "passphrase.change");
    assert!(
        changed[0]
            .detail_json
            .contains(r#""expired_after_days":91"#)
    );
}

/// Every way of typing a passphrase counts: the failures of a passphrase change add up like
/// sign-ins, and once the delay runs no door does key work — not the change, not the sign-in.
#[test]
fn r3_3_1_every_passphrase_check_counts_towards_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    let s = common::new_vault_at(dir.path(), Default::default(), c);
    drop(s.lock("test"));
    let mut s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    for _ in 0..5 {
        let e = s
            .change_own_passphrase(
                &common::pass("not my passphrase 000"),
                &common::pass("一个全新的口令 2027 春"),
            )
            .unwrap_err();
        assert!(matches!(e, LedgerError::WrongCurrentPassphrase), "{e}");
    }
    // The sixth, with the right passphrase, waits: no guessing through this door either.
    let e = s
        .change_own_passphrase(
            &common::pass(common::PASS),
            &common::pass("一个全新的口令 2027 春"),
        )
        .unwrap_err();
    assert!(matches!(e, LedgerError::SignInDelayed { .. }), "{e}");
    drop(s.lock("test"));
    let e = try_unlock(dir.path(), common::PASS, &clock).err().unwrap();
    assert!(matches!(e, LedgerError::SignInDelayed { .. }), "{e}");
    // After the wait the right passphrase opens, and the trail lists the failures.
    clock.advance(chrono::Duration::minutes(20));
    let s = try_unlock(dir.path(), common::PASS, &clock).unwrap();
    let failed = events(&s, "login.failed");
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].detail_json.contains(r#""count":5"#),
        "{}",
        failed[0].detail_json
    );
}

/// The command line's `check` counts as a sign-in does, together with the other commands.
#[test]
fn r3_3_1_check_on_the_command_line_counts_and_waits() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = common::new_vault(dir.path());
    drop(s.lock("test"));
    for args in [
        &["check"][..],
        &["check"],
        &["check"],
        &["list", "users"],
        &["check"],
    ] {
        let out = baomi(dir.path(), args, "not my passphrase 000\n");
        assert!(!out.status.success());
    }
    assert_cli_waits(dir.path(), &["check"]);
}

/// Logins with no slot share one entry: a flood of made-up logins neither fills the file nor
/// frees a real login from its delay.
#[test]
fn r3_3_1_made_up_logins_cannot_crowd_out_a_real_logins_delay() {
    let dir = tempfile::tempdir().unwrap();
    let clock = common::clock();
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    let s = common::new_vault_at(dir.path(), Default::default(), c.clone());
    drop(s.lock("test"));
    for i in 0..100 {
        let e = LockedLedger::open(dir.path())
            .unwrap()
            .unlock(
                &format!("nobody{i}"),
                &common::pass("whatever 0000 00"),
                c.clone(),
            )
            .err()
            .unwrap()
            .1;
        if i < 5 {
            assert!(matches!(e, LedgerError::NoSuchUser), "{e}");
        } else {
            assert!(matches!(e, LedgerError::SignInDelayed { .. }), "{e}");
        }
    }
    let file = std::fs::read_to_string(dir.path().join("ledger.attempts")).unwrap();
    assert!(!file.contains("nobody"), "{file}");
    for _ in 0..5 {
        assert!(matches!(
            try_unlock(dir.path(), "not my passphrase 000", &clock)
                .err()
                .unwrap(),
            LedgerError::WrongPassphrase
        ));
    }
    let e = try_unlock(dir.path(), common::PASS, &clock).err().unwrap();
    assert!(matches!(e, LedgerError::SignInDelayed { .. }), "{e}");
}
