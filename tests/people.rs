//! The people register: clearance category (R3.5.3), pledge date (R3.5.1), audited edits.

mod common;

use baomi::domain::person::Clearance;
use baomi::ledger::people::{self, NewPerson};
use chrono::NaiveDate;

#[test]
fn r3_5_1_people_are_registered_with_clearance_and_pledge_and_edits_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let p = NewPerson {
        name: "𠮷田 翀".into(),
        department: "财务部".into(),
        post: "会计".into(),
        phone: "8801".into(),
        clearance: Clearance::General,
        pledge_signed_on: NaiveDate::from_ymd_opt(2026, 3, 1),
    };
    let id = people::add(&mut s, &p).unwrap();
    let stored = people::get(&s, id).unwrap();
    assert_eq!(stored.name, "𠮷田 翀", "characters outside GB2312 are kept");
    assert_eq!(stored.clearance, Clearance::General);
    assert_eq!(stored.pledge_signed_on, NaiveDate::from_ymd_opt(2026, 3, 1));
    let mut edit = p.clone();
    edit.clearance = Clearance::Important;
    people::update(&mut s, id, &edit).unwrap();
    assert_eq!(people::get(&s, id).unwrap().clearance, Clearance::Important);
    let ev = &baomi::audit::recent(s.raw_connection_for_tests(), 1).unwrap()[0];
    assert_eq!(ev.action, "person.update");
    assert!(ev.detail_json.contains("\"general\"") && ev.detail_json.contains("\"important\""));
}

#[test]
fn a_pledge_dated_in_the_future_or_an_empty_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    // The mock clock stands at 2026-11-26.
    let err = people::add(
        &mut s,
        &NewPerson {
            name: "钱某".into(),
            pledge_signed_on: NaiveDate::from_ymd_opt(2026, 12, 1),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("不能晚于今天"), "{err}");
    assert!(people::add(&mut s, &NewPerson::default()).is_err());
    assert_eq!(people::list(&s).unwrap().len(), 1, "only the custodian");
}

#[test]
fn gui_the_custodian_adds_and_edits_a_person_on_the_people_screen() {
    use common::gui::{click, harness, run_wizard, type_into};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "人员");
    click(&mut h, "登记人员");
    type_into(&mut h, "姓名", "孙涉密");
    type_into(&mut h, "部门", "工程部");
    type_into(&mut h, "保密承诺书签订日期", "2026/3/1");
    h.get_by_label("承诺书签订日期应写成 2026-03-01 的形式");
    type_into(&mut h, "保密承诺书签订日期", "2026-03-01");
    click(&mut h, "保存");
    h.run();
    h.get_by_label("孙涉密");
    h.get_by_label("2026-03-01");
    h.get_by_label("已保存");
    // Edit: the row's button opens the dialog filled in.
    let edit_buttons: Vec<_> = h.query_all_by_label("修改").collect();
    assert_eq!(edit_buttons.len(), 2, "the custodian and the new person");
    edit_buttons[1].click();
    h.run();
    type_into(&mut h, "电话", "8123");
    click(&mut h, "保存");
    h.run();
    h.get_by_label("8123");
}
