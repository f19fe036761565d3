//! The GUI hides what the ledger refuses (R3.3.2; 三员分立): the security auditor reads every
//! register and finds no button that changes the ledger; the administrator sees no document
//! title anywhere, and finds the accounts and the division of duties.

mod common;

use baomi::domain::SecrecyPeriod;
use baomi::domain::level::{Category, Level};
use baomi::domain::role::Role;
use baomi::ledger::documents::{self, IncomingInput};
use baomi::ledger::people::{NewPerson, PersonId};
use baomi::ledger::users::{self, NewUser};
use common::gui::{click, click_button, harness, pick, sign_in_as};
use common::{cabinet, day};
use egui_kittest::kittest::Queryable;

const TITLE: &str = "关于某重点项目的保密管理通知";
const AUDIT_PASS: &str = "审计员本人的口令 2026";
const ADMIN_PASS: &str = "管理员本人的口令 2026";

fn office(dir: &std::path::Path) {
    let (mut s, _) = common::new_vault(dir);
    for (login, role, pass) in [
        ("audit", Role::Auditor, AUDIT_PASS),
        ("admin", Role::Admin, ADMIN_PASS),
    ] {
        users::add_user(
            &mut s,
            &NewUser {
                login: login.into(),
                person: NewPerson {
                    name: format!("{login} 本人"),
                    ..NewPerson::default()
                },
                role,
            },
            &common::pass(pass),
        )
        .unwrap();
        users::owner_changed_passphrase_for_tests(&mut s, login).unwrap();
    }
    let cab = cabinet(&mut s, "JM-01", Level::Jimi);
    documents::register_incoming(
        &mut s,
        &IncomingInput {
            received_on: day(2026, 11, 2),
            signed_for_by: PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: "集团党办发〔2026〕7号".into(),
            title: TITLE.into(),
            category: Category::MajorDecision,
            level: Level::Jimi,
            period: SecrecyPeriod::Years(10),
            dated: day(2026, 11, 1),
            pages: 4,
            attachments: 0,
            copy_numbers: vec![1, 2],
            cabinet: cab,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    drop(s.lock("test"));
}

/// No button with one of these labels is on the screen.
fn none_of(h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, labels: &[&str]) {
    use egui::accesskit::Role;
    for label in labels {
        assert!(
            h.query_by_role_and_label(Role::Button, label).is_none(),
            "a button {label} is offered"
        );
    }
}

#[test]
fn gui_the_auditor_reads_every_register_and_finds_no_button_that_changes_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let mut h = harness(dir.path(), common::clock());
    pick(&mut h, "用户", "audit");
    sign_in_as(&mut h, AUDIT_PASS);
    // No backup for the auditor: the section is not there.
    assert!(h.query_by_label("备份与恢复").is_none());
    click_button(&mut h, "文件台账");
    none_of(&h, &["收文登记", "导出 · 打印"]);
    click(&mut h, TITLE);
    h.get_by_label("集团党办发〔2026〕7号");
    none_of(
        &h,
        &[
            "修改登记",
            "作废",
            "密级变更…",
            "冻结本文件",
            "打印份号标签",
            "登记去向",
        ],
    );
    for (section, buttons) in [
        ("借阅", &["借阅申请", "导出 · 打印"][..]),
        ("发文", &["拟稿"][..]),
        ("销毁", &["新建销毁清单"][..]),
        ("清查", &["开始清查"][..]),
        ("专柜", &["登记专柜", "修改", "清点表"][..]),
        ("人员", &["登记人员", "修改"][..]),
    ] {
        click_button(&mut h, section);
        none_of(&h, buttons);
    }
    // The audit log is theirs: the chain, its seals, sealing.
    click_button(&mut h, "审计日志");
    click(&mut h, "验证审计链");
    h.get_by_label_contains("审计链完整");
    click(&mut h, "审计链封存（0）");
    h.get_by_label("封存当前审计链");
    // Settings: their own passphrase and the language; accounts read only.
    click_button(&mut h, "设置");
    none_of(&h, &["保存", "保存借阅规定", "保存该年日历"]);
    h.get_by_label("修改口令");
    click(&mut h, "用户");
    h.get_by_label("audit 本人");
    none_of(&h, &["开通账户", "停用"]);
}

#[test]
fn gui_the_administrator_sees_no_document_title_and_keeps_the_accounts() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let mut h = harness(dir.path(), common::clock());
    pick(&mut h, "用户", "admin");
    sign_in_as(&mut h, ADMIN_PASS);
    for hidden in [
        "文件台账",
        "借阅",
        "发文",
        "销毁",
        "清查",
        "解密审查",
        "专柜",
        "审计日志",
    ] {
        assert!(
            h.query_by_role_and_label(egui::accesskit::Role::Button, hidden)
                .is_none(),
            "the administrator is offered {hidden}"
        );
    }
    let no_title = |h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, at: &str| {
        assert!(
            h.query_all_by_label_contains("重点项目").next().is_none(),
            "a title shows on {at}"
        );
    };
    no_title(&h, "工作台");
    for section in ["人员", "备份与恢复", "设置"] {
        click_button(&mut h, section);
        no_title(&h, section);
    }
    // Their work: system settings, the division of duties, the accounts.
    h.get_by_label("空闲自动锁定（分钟）");
    h.get_by_label("由保密员兼任系统管理员职责（小单位）");
    click(&mut h, "用户");
    h.get_by_label("开通账户");
    no_title(&h, "设置 → 用户");
}
