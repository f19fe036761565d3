//! The 审计日志 screen and its queries: filters by action, user, days and literal text; details
//! in words; the chain check from the screen.

mod common;

use baomi::domain::level::Level;
use baomi::domain::role::Role;
use baomi::ledger::audit_log::{self, AuditFilter, SealCheck};
use baomi::ledger::cabinets::{self, CabinetInput};
use baomi::ledger::people::NewPerson;
use baomi::ledger::users::{self, NewUser};
use baomi::ledger::{LedgerError, Session};
use common::gui::{add_cabinet, click, harness, run_wizard, type_into};
use egui_kittest::kittest::Queryable;

const AUDITOR_PASS: &str = "审计员自己的口令 2026";

/// A vault whose second account is a security auditor; returns the auditor's session.
fn auditor_session(dir: &std::path::Path) -> Session {
    let (mut s, _) = common::new_vault(dir);
    users::add_user(
        &mut s,
        &NewUser {
            login: "audit".into(),
            person: NewPerson {
                name: "审计员".into(),
                ..NewPerson::default()
            },
            role: Role::Auditor,
        },
        &common::pass(AUDITOR_PASS),
    )
    .unwrap();
    users::owner_changed_passphrase_for_tests(&mut s, "audit").unwrap();
    cabinets::create(&mut s, &input("MM-01")).unwrap();
    let vault = s.lock("test");
    vault
        .unlock("audit", &common::pass(AUDITOR_PASS), common::system_clock())
        .map_err(|(_, e)| e)
        .unwrap()
}

fn input(code: &str) -> CabinetInput {
    CabinetInput {
        code: code.into(),
        location: "党办机要室".into(),
        max_level: Level::Mimi,
        responsible: None,
        locked: true,
    }
}

#[test]
fn the_audit_trail_is_searched_by_action_user_and_literal_text() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    cabinets::create(&mut s, &input("MM_1")).unwrap();
    cabinets::create(&mut s, &input("MM%2")).unwrap();
    let by_action = AuditFilter {
        action: Some("cabinet.create".into()),
        ..Default::default()
    };
    assert_eq!(audit_log::search(&s, &by_action, 100).unwrap().len(), 2);
    assert!(
        audit_log::actions(&s)
            .unwrap()
            .contains(&"cabinet.create".to_owned())
    );
    // `%` and `_` are taken literally, not as wildcards.
    let text = |t: &str| AuditFilter {
        text: t.into(),
        ..by_action.clone()
    };
    let hits = audit_log::search(&s, &text("MM%2"), 100).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].detail_json.contains("MM%2"));
    assert_eq!(audit_log::search(&s, &text("MM_"), 100).unwrap().len(), 1);
    let nobody = AuditFilter {
        login: Some("nobody".into()),
        ..Default::default()
    };
    assert!(audit_log::search(&s, &nobody, 100).unwrap().is_empty());
    let custodian = AuditFilter {
        login: Some("custodian".into()),
        ..by_action.clone()
    };
    assert_eq!(audit_log::search(&s, &custodian, 100).unwrap().len(), 2);
}

#[test]
fn audit_log_reads_in_words_filters_by_day_and_text_and_verifies_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    add_cabinet(&mut h, "JM-09");
    click(&mut h, "审计日志");
    h.get_by_label("登记专柜");
    // The object by its code, the details in words.
    h.get_by_label("JM-09");
    h.get_by_label_contains("位置：机要室");
    type_into(&mut h, "自", "2026-11-31");
    h.get_by_label("日期格式应为 YYYY-MM-DD，例如 2026-11-27");
    type_into(&mut h, "自", "2026-11-27");
    h.get_by_label("0 条事件");
    type_into(&mut h, "自", "2026-11-26");
    assert!(h.query_by_label("0 条事件").is_none());
    type_into(&mut h, "包含", "JM-09");
    h.get_by_label("1 条事件");
    click(&mut h, "验证审计链");
    h.get_by_label_contains("审计链完整");
    // Seals are the security auditor's to make.
    click(&mut h, "审计链封存（0）");
    h.get_by_label("封存与核验由安全审计员用本人口令办理。");
    assert!(h.query_by_label("封存当前审计链").is_none());
}

#[test]
fn an_auditors_seal_exposes_a_consistent_rewrite_of_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = auditor_session(dir.path());
    // Only with the auditor's own passphrase.
    let wrong = audit_log::seal_chain(&mut s, &common::pass("不是这个口令 000")).unwrap_err();
    assert!(
        matches!(wrong, LedgerError::WrongCurrentPassphrase),
        "{wrong}"
    );
    let pass = common::pass(AUDITOR_PASS);
    let first = audit_log::seal_chain(&mut s, &pass).unwrap();
    assert_eq!(first.code.len(), 19);
    let second = audit_log::seal_chain(&mut s, &pass).unwrap();
    assert!(second.seq > first.seq, "the first seal is itself an event");
    let checks = audit_log::check_seals(&s, &pass).unwrap().checks;
    assert_eq!(checks.len(), 2);
    assert!(
        checks.iter().all(|(_, c)| *c == SealCheck::Intact),
        "{checks:?}"
    );
    assert!(s.verify_audit().unwrap().is_intact());

    // An insider with the master key rewrites the chain up to the first seal (here: one event's
    // hash, as a consistent rewrite would change it), past the append-only triggers.
    let conn = s.raw_connection_for_tests();
    conn.execute_batch("DROP TRIGGER audit_events_no_update;")
        .unwrap();
    conn.execute(
        "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = ?1",
        [first.seq],
    )
    .unwrap();
    let checks = audit_log::check_seals(&s, &pass).unwrap().checks;
    let by_id = |id: i64| checks.iter().find(|(seal, _)| seal.id == id).unwrap().1;
    assert_eq!(by_id(first.id), SealCheck::ChainRewritten);
    assert_eq!(by_id(second.id), SealCheck::Intact);

    // Making the seal row agree with the rewrite breaks its MAC.
    let conn = s.raw_connection_for_tests();
    conn.execute_batch("DROP TRIGGER audit_seals_no_update;")
        .unwrap();
    conn.execute(
        "UPDATE audit_seals SET head_hash = zeroblob(32) WHERE id = ?1",
        [first.id],
    )
    .unwrap();
    let checks = audit_log::check_seals(&s, &pass).unwrap().checks;
    assert_eq!(
        checks
            .iter()
            .find(|(seal, _)| seal.id == first.id)
            .unwrap()
            .1,
        SealCheck::SealAltered
    );
}

#[test]
fn r3_3_2_only_a_security_auditor_seals_the_chain_and_seals_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = auditor_session(dir.path());
    audit_log::seal_chain(&mut s, &common::pass(AUDITOR_PASS)).unwrap();
    let conn = s.raw_connection_for_tests();
    assert!(conn.execute("DELETE FROM audit_seals", []).is_err());
    assert!(conn.execute("UPDATE audit_seals SET seq = 1", []).is_err());
    let vault = s.lock("test");
    let mut custodian = vault
        .unlock(
            "custodian",
            &common::pass(common::PASS),
            common::system_clock(),
        )
        .map_err(|(_, e)| e)
        .unwrap();
    let err = audit_log::seal_chain(&mut custodian, &common::pass(common::PASS)).unwrap_err();
    assert!(matches!(err, LedgerError::NotPermitted { .. }), "{err}");
    // Everyone sees the seals; the event names them.
    let seals = audit_log::seals(&custodian).unwrap();
    assert_eq!(seals.len(), 1);
    assert_eq!(seals[0].login, "audit");
    let events = audit_log::search(
        &custodian,
        &AuditFilter {
            action: Some("audit.seal".into()),
            ..Default::default()
        },
        10,
    )
    .unwrap();
    assert!(events[0].detail_json.contains(&seals[0].code));
}

#[test]
fn gui_the_auditor_seals_the_chain_and_checks_the_seals() {
    use egui::accesskit::Role as A11y;
    let dir = tempfile::tempdir().unwrap();
    drop(auditor_session(dir.path()).lock("test"));
    let mut h = harness(dir.path(), common::clock());
    h.get_by_role_and_label(A11y::ComboBox, "用户").click();
    h.run();
    click(&mut h, "audit");
    type_into(&mut h, "口令", AUDITOR_PASS);
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    // The auditor's to-do reminds them to seal, and leads to the audit log.
    h.get_by_label("您还没有封存过审计链");
    click(&mut h, "去封存");
    click(&mut h, "审计链封存（0）");
    type_into(&mut h, "审计员口令", "不是这个口令 000");
    click(&mut h, "封存当前审计链");
    h.run();
    h.get_by_label("当前口令不正确");
    type_into(&mut h, "审计员口令", AUDITOR_PASS);
    click(&mut h, "封存当前审计链");
    h.run();
    h.run();
    h.get_by_label_contains("已封存至第");
    // The seal is listed, and is an event of the log.
    assert!(h.query_all_by_label_contains("凭证码").count() >= 2);
    h.get_by_label("封存审计链");
    type_into(&mut h, "审计员口令", AUDITOR_PASS);
    click(&mut h, "核验封存");
    h.run();
    h.get_by_label("完好：审计链与封存时一致");
    click(&mut h, "工作台");
    assert!(h.query_by_label("您还没有封存过审计链").is_none());
}
