//! The 销毁 and 清查 screens driven by visible label, as the custodian would: a destruction list
//! of two copies scanned in, approved by the head signing in here, executed with two people
//! after a confirmation naming both copies; a stock-taking of one cabinet with one copy not
//! scanned, closed, and its missing copy turned into an incident in one click.

mod common;

use baomi::domain::copy_state::CopyState;
use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::domain::person::Clearance;
use baomi::domain::role::Role;
use baomi::ledger::documents::{self, CopyId, IncomingInput};
use baomi::ledger::people::{self, NewPerson, PersonId};
use baomi::ledger::users::{self, NewUser};
use common::gui::{click, click_button, harness, type_into};
use common::{cabinet, day};
use egui::accesskit::Role as A11y;
use egui_kittest::kittest::Queryable;

const HEAD_PASS: &str = "党办主任的口令 2026";

/// A vault with a head (account), a colleague, a 机密 cabinet and one document of two copies;
/// returns the copies.
fn office(dir: &std::path::Path) -> Vec<CopyId> {
    let (mut s, _) = common::new_vault(dir);
    users::add_user(
        &mut s,
        &NewUser {
            login: "head".into(),
            person: NewPerson {
                name: "赵主任".into(),
                department: "党办".into(),
                clearance: Clearance::Core,
                pledge_signed_on: Some(day(2026, 1, 5)),
                ..NewPerson::default()
            },
            role: Role::Head,
        },
        &common::pass(HEAD_PASS),
    )
    .unwrap();
    users::owner_changed_passphrase_for_tests(&mut s, "head").unwrap();
    people::add(
        &mut s,
        &NewPerson {
            name: "孙干事".into(),
            department: "党办".into(),
            ..NewPerson::default()
        },
    )
    .unwrap();
    let cab = cabinet(&mut s, "JM-01", Level::Jimi);
    let id = documents::register_incoming(
        &mut s,
        &IncomingInput {
            received_on: day(2016, 3, 2),
            signed_for_by: PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: "集团党办发〔2016〕12号".into(),
            title: "关于某项目的会议纪要".into(),
            category: Category::MajorDecision,
            level: Level::Jimi,
            period: SecrecyPeriod::Years(10),
            dated: day(2016, 3, 1),
            pages: 6,
            attachments: 0,
            copy_numbers: vec![1, 2],
            cabinet: cab,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    let copies = documents::copies(&s, id)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    drop(s.lock("test"));
    copies
}

fn scan(h: &mut egui_kittest::Harness<'_, baomi::ui::BaomiApp>, label: &str) {
    type_into(h, "扫码", label);
    h.key_press(egui::Key::Enter);
    h.run();
}

fn states(dir: &std::path::Path, copies: &[CopyId]) -> Vec<CopyState> {
    let s = common::sign_in(dir, "custodian", common::PASS, common::system_clock());
    let doc = documents::document_of_copy(&s, copies[0]).unwrap();
    let out = documents::copies(&s, doc.id)
        .unwrap()
        .into_iter()
        .map(|c| c.state)
        .collect();
    drop(s.lock("test"));
    out
}

#[test]
fn r3_2_4_gui_a_list_of_two_approved_by_the_head_and_executed_by_two_people() {
    let dir = tempfile::tempdir().unwrap();
    let copies = office(dir.path());
    {
        let mut h = harness(dir.path(), common::clock());
        common::gui::sign_in(&mut h);
        click_button(&mut h, "销毁");
        click(&mut h, "新建销毁清单");
        h.get_by_label("已新建销毁清单 销毁〔2026〕1号");
        // The suggestions know the copies are past their period.
        h.get_by_label_contains("可列入的份号");
        h.get_by_role_and_label(A11y::ComboBox, "销毁原因").click();
        h.run();
        click(&mut h, "超过保密期限且无保存价值");
        scan(&mut h, &format!("copy-{}", copies[0].0));
        scan(&mut h, &format!("copy-{}", copies[1].0));
        scan(&mut h, "不是标签");
        h.get_by_label_contains("无法识别");
        h.get_by_label("1. 《关于某项目的会议纪要》第1份　机密★10年　超过保密期限且无保存价值");
        h.get_by_label("2. 《关于某项目的会议纪要》第2份　机密★10年　超过保密期限且无保存价值");
        // The head approves with their own passphrase; a wrong one is refused.
        h.get_by_role_and_label(A11y::ComboBox, "审批人").click();
        h.run();
        click(&mut h, "赵主任");
        type_into(&mut h, "审批人口令", "错误的口令 000");
        click(&mut h, "批准销毁");
        h.run();
        h.get_by_label("审批人口令不正确");
        type_into(&mut h, "审批人口令", HEAD_PASS);
        click(&mut h, "批准销毁");
        h.run();
        h.get_by_label("销毁清单已批准");
        // Executed with two people: the custodian destroys, 孙干事 supervises.
        h.get_by_role_and_label(A11y::ComboBox, "销毁方式").click();
        h.run();
        click(&mut h, "保密碎纸机粉碎");
        type_into(&mut h, "碎纸机型号", "科密 3888");
        type_into(&mut h, "销毁地点", "党办机要室");
        click(&mut h, "孙干事");
        click(&mut h, "执行销毁…");
        // The confirmation names both copies; 返回 changes nothing.
        h.get_by_label_contains("以下 2 份将登记为已销毁");
        assert_eq!(
            h.query_all_by_label_contains("《关于某项目的会议纪要》第1份（机密★10年）")
                .count(),
            1
        );
        click(&mut h, "返回");
        click(&mut h, "执行销毁…");
        click(&mut h, "确认已销毁");
        h.run();
        h.get_by_label("已登记销毁 2 份");
        h.get_by_label_contains("销毁人 王保密");
    }
    assert_eq!(
        states(dir.path(), &copies),
        vec![CopyState::Destroyed, CopyState::Destroyed]
    );
}

#[test]
fn r4_1_gui_a_stock_taking_with_one_copy_not_scanned_opens_an_incident() {
    let dir = tempfile::tempdir().unwrap();
    let copies = office(dir.path());
    {
        let mut h = harness(dir.path(), common::clock());
        common::gui::sign_in(&mut h);
        // The dashboard says the cabinet was never stock-taken.
        h.get_by_label_contains("专柜 JM-01 超过 92 天未清查");
        click_button(&mut h, "清查");
        click(&mut h, "JM-01");
        click(&mut h, "开始清查");
        h.get_by_label("已开始清查 清查〔2026〕1号");
        scan(&mut h, &format!("copy-{}", copies[0].0));
        h.get_by_label("《关于某项目的会议纪要》第1份：在位");
        scan(&mut h, &format!("copy-{}", copies[0].0));
        h.get_by_label_contains("已登记过");
        h.get_by_label("本柜应在 2 份，已清点 1 份");
        click(&mut h, "完成清查…");
        h.get_by_label_contains("在位 1，缺失 1");
        click(&mut h, "确认完成");
        h.run();
        h.get_by_label_contains("清查已完成");
        // The missing copy: one click opens the incident form, filled in.
        click(&mut h, "登记事件");
        h.get_by_label("涉及份号：《关于某项目的会议纪要》第2份");
        click(&mut h, "登记");
        h.run();
        h.get_by_label("已登记事件 事件〔2026〕1号");
        h.get_by_label_contains("清查〔2026〕1号清查时未找到");
    }
    assert_eq!(
        states(dir.path(), &copies),
        vec![CopyState::InCabinet, CopyState::Lost]
    );
}

#[test]
fn r5_1_gui_the_incident_dialog_picks_its_kind_every_time_it_opens() {
    use baomi::ledger::incidents::{self, Kind};
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    {
        let mut h = harness(dir.path(), common::clock());
        common::gui::sign_in(&mut h);
        click_button(&mut h, "清查");
        click(&mut h, "泄密/丢失事件");
        for (kind, what) in [("泄密", "会议记录被拍照"), ("其他违规", "涉密文件带回家中")]
        {
            click_button(&mut h, "登记事件");
            common::gui::pick(&mut h, "类别", kind);
            type_into(&mut h, "经过", what);
            click(&mut h, "登记");
            h.run();
            h.get_by_label_contains("已登记事件 事件〔2026〕");
        }
    }
    let s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    let kinds: Vec<Kind> = incidents::list(&s)
        .unwrap()
        .iter()
        .map(|i| i.kind)
        .collect();
    assert_eq!(kinds, vec![Kind::Other, Kind::Leak], "newest first");
    drop(s.lock("test"));
}

#[test]
fn r5_1_gui_a_return_with_pages_missing_opens_its_incident_in_one_click() {
    use baomi::ledger::borrowing::{self, BorrowRequest, Decider};
    use baomi::ledger::incidents;
    let dir = tempfile::tempdir().unwrap();
    let copies = office(dir.path());
    {
        let mut s = common::sign_in(
            dir.path(),
            "custodian",
            common::PASS,
            common::system_clock(),
        );
        let borrower = people::add(
            &mut s,
            &NewPerson {
                name: "周工".into(),
                department: "党办".into(),
                clearance: Clearance::Core,
                pledge_signed_on: Some(day(2026, 1, 5)),
                ..NewPerson::default()
            },
        )
        .unwrap();
        let id = borrowing::request(
            &mut s,
            &BorrowRequest {
                copy: copies[0],
                borrower,
                reason: "查阅".into(),
                days: 2,
                place: String::new(),
                justification: String::new(),
                overdue_override: None,
            },
        )
        .unwrap();
        let p = common::pass(HEAD_PASS);
        borrowing::approve(
            &mut s,
            id,
            &Decider::SignedIn {
                login: "head",
                passphrase: &p,
            },
            "",
        )
        .unwrap();
        borrowing::check_out(&mut s, id).unwrap();
        borrowing::return_copy(&mut s, id, PersonId(1), false, "缺第3页", None).unwrap();
        drop(s.lock("test"));
    }
    {
        let mut h = harness(dir.path(), common::clock());
        common::gui::sign_in(&mut h);
        click_button(&mut h, "借阅");
        click(&mut h, "全部记录");
        click(&mut h, "借阅〔2026〕1号");
        click(&mut h, "登记泄密/丢失事件");
        h.get_by_label("涉及份号：《关于某项目的会议纪要》第1份");
        click(&mut h, "登记");
        h.run();
        h.get_by_label("已登记事件 事件〔2026〕1号");
        h.get_by_label("借阅〔2026〕1号");
    }
    let s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    let i = incidents::list(&s).unwrap().remove(0);
    assert_eq!(i.borrow.as_deref(), Some("借阅〔2026〕1号"));
    assert!(
        i.description.contains("页数不全：缺第3页"),
        "{}",
        i.description
    );
    drop(s.lock("test"));
}
