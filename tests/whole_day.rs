//! A custodian's whole day in the window, never the terminal (issue 10): setup → cabinet →
//! people → an account for the head (who replaces the one-time passphrase at first sign-in) →
//! 收文 → a borrowing approved by the head signing in → the form printed → return → the
//! register exported to Excel and read back.

mod common;

use common::gui::{click, click_button, harness_sized, run_wizard, type_into};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

/// Adds a person through 人员 → 登记人员.
fn add_person(
    h: &mut egui_kittest::Harness<'static, baomi::ui::BaomiApp>,
    name: &str,
    department: &str,
    post: &str,
    clearance: &str,
) {
    click_button(h, "人员");
    click(h, "登记人员");
    type_into(h, "姓名", name);
    type_into(h, "部门", department);
    type_into(h, "职务", post);
    h.get_by_role_and_label(Role::ComboBox, "涉密人员类别")
        .click();
    h.run();
    click(h, clearance);
    type_into(h, "保密承诺书签订日期", "2026-01-05");
    click(h, "保存");
    h.run();
    h.get_by_label("已保存");
}

#[test]
fn gui_a_whole_day_without_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_sized(dir.path(), common::clock(), egui::vec2(1366.0, 768.0));
    // Morning: the ledger is set up, a cabinet and the people registered.
    run_wizard(&mut h);
    // The dashboard says what a new ledger needs first, each step a click away.
    h.get_by_label("开始使用：请依次完成");
    assert!(h.query_by_label("已完成").is_none());
    click(&mut h, "去登记专柜");
    h.get_by_label("登记专柜");
    common::gui::add_cabinet(&mut h, "JM-01");
    add_person(&mut h, "赵主任", "党办", "党办主任", "核心涉密人员");
    add_person(&mut h, "孙工", "工程部", "工程师", "重要涉密人员");

    // The head gets an account; the custodian hands over the one-time passphrase.
    click_button(&mut h, "设置");
    click(&mut h, "用户");
    click(&mut h, "开通账户");
    h.get_by_role_and_label(Role::ComboBox, "人员").click();
    h.run();
    click(&mut h, "赵主任 党办");
    type_into(&mut h, "登录名", "zhao");
    h.get_by_role_and_label(Role::ComboBox, "角色").click();
    h.run();
    click(&mut h, "党办负责人");
    click(&mut h, "开通");
    h.run();
    let once = common::gui::shown_one_time_passphrase(&h);
    click(&mut h, "已交给本人，关闭");

    // The head's first sign-in, at the custodian's PC: their own passphrase.
    click(&mut h, "锁定");
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "用户").click();
    h.run();
    click(&mut h, "zhao");
    type_into(&mut h, "口令", &once);
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();
    type_into(&mut h, "当前口令", &once);
    type_into(&mut h, "新口令", "赵主任本人的口令 2026");
    type_into(&mut h, "再次输入新口令", "赵主任本人的口令 2026");
    click(&mut h, "确定");
    h.run();
    h.run();
    h.get_by_label("口令已修改");
    click(&mut h, "锁定");
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "用户").click();
    h.run();
    click(&mut h, "wang");
    type_into(&mut h, "口令", "保密工作人人有责 2026!");
    h.key_press(egui::Key::Enter);
    h.run();
    h.run();

    // 收文: a 机密 document, two copies, into JM-01.
    click_button(&mut h, "文件台账");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    type_into(&mut h, "标题", "关于加强重要项目保密管理工作的通知");
    type_into(&mut h, "来文单位", "集团公司党委办公室");
    type_into(&mut h, "原文号", "集团党办发〔2026〕45号");
    type_into(&mut h, "页数", "6");
    type_into(&mut h, "份号", "1-2");
    h.get_by_role_and_label(Role::ComboBox, "存放专柜").click();
    h.run();
    click(&mut h, "JM-01 机要室");
    click(&mut h, "登记");
    h.run();
    h.get_by_label("已登记");

    // A borrowing: 孙工 asks, the head approves signing in here.
    click_button(&mut h, "借阅");
    click(&mut h, "借阅申请");
    type_into(&mut h, "查找文件", "保密管理");
    h.query_all_by_label_contains("机密★")
        .next()
        .expect("the document is found")
        .click();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "借阅人").click();
    h.run();
    click(&mut h, "孙工 工程部");
    type_into(&mut h, "借阅事由", "编制项目保密方案");
    type_into(&mut h, "借阅天数", "3");
    click(&mut h, "提交申请");
    h.run();
    h.get_by_label("已登记借阅申请 借阅〔2026〕1号");
    h.get_by_role_and_label(Role::ComboBox, "审批人").click();
    h.run();
    click(&mut h, "赵主任（党办负责人）");
    type_into(&mut h, "审批人口令", "赵主任本人的口令 2026");
    click(&mut h, "批准");
    click(&mut h, "确认批准");
    h.run();
    h.get_by_label("已批准借阅");
    click(&mut h, "借出");
    h.run();
    h.get_by_label("已借出，应于 2026-12-01 前归还");

    // The form, saved as a PDF.
    // Saved outside the ledger's folder (saving inside it is refused).
    let form_dir = tempfile::tempdir().unwrap();
    let form = form_dir.path().join("借阅申请表.pdf");
    type_into(&mut h, "保存位置", form.to_str().unwrap());
    click(&mut h, "另存为 PDF");
    h.run();
    assert!(std::fs::read(&form).unwrap().starts_with(b"%PDF-"));

    // The return, pages counted.
    click(&mut h, "清点无误，页数齐全");
    click(&mut h, "归还入柜");
    h.run();
    h.get_by_label("已归还入柜");

    // Evening: the register for the inspectors, as Excel.
    click_button(&mut h, "文件台账");
    click(&mut h, "导出 · 打印");
    // Saved outside the ledger's folder (saving inside it is refused).
    let xlsx_dir = tempfile::tempdir().unwrap();
    let xlsx = xlsx_dir.path().join("文件台账.xlsx");
    type_into(&mut h, "保存位置", xlsx.to_str().unwrap());
    click(&mut h, "导出");
    h.run();
    h.get_by_label_contains("已导出文件台账（1 行）");
    click(&mut h, "关闭");
    let bytes = std::fs::read(&xlsx).unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("文件台账").unwrap();
    assert_eq!(range.height(), 4, "title, subtitle, header, one document");
    assert_eq!(
        range.get((3, 2)).unwrap().to_string(),
        "关于加强重要项目保密管理工作的通知"
    );
    // Two copies, both back in the cabinet.
    let header: Vec<String> = (0..13)
        .map(|c| range.get((2, c)).unwrap().to_string())
        .collect();
    let in_cabinet = header.iter().position(|x| x == "在柜").unwrap();
    assert_eq!(range.get((3, in_cabinet)).unwrap().to_string(), "2");
    drop(h);

    // Every step left its event, and the chain holds.
    let s = common::sign_in(
        dir.path(),
        "wang",
        "保密工作人人有责 2026!",
        common::system_clock(),
    );
    assert!(s.verify_audit().unwrap().is_intact());
    // The checklist: all done but the custodian's own clearance and pledge.
    let g = baomi::ledger::stats::getting_started(&s).unwrap();
    assert!(g.cabinets && g.people && g.head_account && g.documents && !g.own_record);
}
