//! Every dialog's drop-downs work each time it opens (issue 10, item 1): the person and cabinet
//! dialogs are opened twice in one run, each time choosing from their drop-downs, and what was
//! chosen is what the ledger holds.

mod common;

use baomi::domain::level::Level;
use baomi::domain::person::Clearance;
use common::gui::{click, click_button, harness, pick, run_wizard, type_into};
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
        pick(&mut h, "涉密人员类别", clearance);
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
        pick(&mut h, "最高密级", level);
        click(&mut h, "保存");
        h.run();
        h.get_by_label("已保存");
    }
    drop(h);
    let s = common::sign_in(
        dir.path(),
        "wang",
        "保密工作人人有责 2026!",
        common::system_clock(),
    );
    let people = baomi::ledger::people::list(&s).unwrap();
    let of = |n: &str| people.iter().find(|p| p.name == n).unwrap().clearance;
    assert_eq!(of("赵一"), Clearance::Core);
    assert_eq!(of("钱二"), Clearance::General);
    let cabinets = baomi::ledger::cabinets::list(&s).unwrap();
    let max = |c: &str| cabinets.iter().find(|x| x.code == c).unwrap().max_level;
    assert_eq!(max("JM-01"), Level::Jimi);
    assert_eq!(max("NB-01"), Level::NeibuMingan);
}

#[test]
fn gui_the_outgoing_draft_dialog_picks_its_level_and_category_every_time() {
    use baomi::domain::level::Category;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    let rounds = [
        (
            "关于年度保密自查的通知",
            "秘密",
            Level::Mimi,
            Category::ALL[1],
        ),
        (
            "关于保密检查整改的报告",
            "内部敏感",
            Level::NeibuMingan,
            Category::ALL[2],
        ),
    ];
    for (title, level, _, category) in rounds {
        click_button(&mut h, "发文");
        click_button(&mut h, "拟稿");
        type_into(&mut h, "标题", title);
        pick(&mut h, "密级", level);
        pick(&mut h, "类别", category.label_zh());
        type_into(&mut h, "页数", "3");
        click(&mut h, "保存草稿");
        h.run();
        h.get_by_label("已保存草稿");
    }
    drop(h);
    let s = common::sign_in(
        dir.path(),
        "wang",
        "保密工作人人有责 2026!",
        common::system_clock(),
    );
    let drafts = baomi::ledger::outgoing::list(&s).unwrap();
    for (title, _, level, category) in rounds {
        let d = drafts.iter().find(|d| d.title == title).expect(title);
        assert_eq!((d.level, d.category), (level, category), "{title}");
    }
}

#[test]
fn gui_the_export_dialog_opens_again_with_the_format_chosen_and_writes_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    common::gui::add_cabinet(&mut h, "JM-01");
    for (format, file) in [("CSV", "台账.csv"), ("Excel 表格", "台账.xlsx")] {
        click_button(&mut h, "专柜");
        click(&mut h, "导出 · 打印");
        click(&mut h, format);
        let path = out.path().join(file);
        type_into(&mut h, "保存位置", &path.display().to_string());
        click_button(&mut h, "导出");
        h.run();
        assert!(
            path.exists(),
            "{format}: nothing written to {}",
            path.display()
        );
        h.get_by_label_contains(&path.display().to_string());
        click(&mut h, "关闭");
    }
    let csv = std::fs::read_to_string(out.path().join("台账.csv")).unwrap();
    assert!(csv.contains("JM-01"), "{csv}");
}
