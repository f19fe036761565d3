//! Every dialog's drop-downs work each time it opens (issue 10, item 1): the person and cabinet
//! dialogs are opened twice in one run, each time choosing from their drop-downs, and what was
//! chosen is what the ledger holds.

mod common;

use baomi::domain::level::Level;
use baomi::domain::person::Clearance;
use common::gui::{click, click_button, harness, run_wizard, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn gui_the_person_and_cabinet_dialogs_pick_from_their_drop_downs_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    for (name, clearance) in [("赵一", "核心涉密人员"), ("钱二", "一般涉密人员")] {
        click_button(&mut h, "人员");
        click(&mut h, "登记人员");
        type_into(&mut h, "姓名", name);
        h.get_by_role_and_label(Role::ComboBox, "涉密人员类别")
            .click();
        h.run();
        click(&mut h, clearance);
        type_into(&mut h, "保密承诺书签订日期", "2026-01-05");
        click(&mut h, "保存");
        h.run();
        h.get_by_label("已保存");
    }
    for (code, level) in [("JM-01", "机密"), ("NB-01", "内部敏感")] {
        click_button(&mut h, "专柜");
        click(&mut h, "登记专柜");
        type_into(&mut h, "专柜编号", code);
        type_into(&mut h, "存放位置", "机要室");
        h.get_by_role_and_label(Role::ComboBox, "最高密级").click();
        h.run();
        click(&mut h, level);
        click(&mut h, "保存");
        h.run();
        h.get_by_label("已保存");
    }
    drop(h);
    let s = common::sign_in(dir.path(), "wang", "保密工作 2026!", common::system_clock());
    let people = baomi::ledger::people::list(&s).unwrap();
    let of = |n: &str| people.iter().find(|p| p.name == n).unwrap().clearance;
    assert_eq!(of("赵一"), Clearance::Core);
    assert_eq!(of("钱二"), Clearance::General);
    let cabinets = baomi::ledger::cabinets::list(&s).unwrap();
    let max = |c: &str| cabinets.iter().find(|x| x.code == c).unwrap().max_level;
    assert_eq!(max("JM-01"), Level::Jimi);
    assert_eq!(max("NB-01"), Level::NeibuMingan);
}
