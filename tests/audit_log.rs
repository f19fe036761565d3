//! The 审计日志 screen and its queries: filters by action, user, days and literal text; details
//! in words; the chain check from the screen.

mod common;

use baomi::domain::level::Level;
use baomi::ledger::audit_log::{self, AuditFilter};
use baomi::ledger::cabinets::{self, CabinetInput};
use common::gui::{add_cabinet, click, harness, run_wizard, type_into};
use egui_kittest::kittest::Queryable;

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
}
