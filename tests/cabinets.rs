//! The cabinet register (专柜): R3.1.1 专人专柜, unique codes, audited edits.

mod common;

use baomi::domain::level::Level;
use baomi::ledger::LedgerError;
use baomi::ledger::cabinets::{self, CabinetInput};
use baomi::ledger::people::{self, NewPerson};

fn input(
    code: &str,
    level: Level,
    responsible: Option<baomi::ledger::people::PersonId>,
) -> CabinetInput {
    CabinetInput {
        code: code.into(),
        location: "党办机要室".into(),
        max_level: level,
        responsible,
        locked: true,
    }
}

#[test]
fn r3_1_1_a_top_secret_cabinet_needs_a_named_responsible_person() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let err = cabinets::create(&mut s, &input("JM-01", Level::Juemi, None)).unwrap_err();
    assert!(err.to_string().contains("专人"), "{err}");
    let keeper = people::add(
        &mut s,
        &NewPerson {
            name: "赵机要".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let id = cabinets::create(&mut s, &input("JM-01", Level::Juemi, Some(keeper))).unwrap();
    let c = cabinets::get(&s, id).unwrap();
    assert_eq!(c.responsible_name.as_deref(), Some("赵机要"));
    assert!(c.rules().may_hold(Level::Juemi).is_ok());
}

#[test]
fn cabinet_codes_are_unique_and_edits_keep_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let a = cabinets::create(&mut s, &input("JM-02", Level::Jimi, None)).unwrap();
    let err = cabinets::create(&mut s, &input(" JM-02 ", Level::Mimi, None)).unwrap_err();
    assert!(
        matches!(err, LedgerError::Invalid(ref m) if m.contains("已存在")),
        "{err}"
    );
    let mut changed = input("JM-02", Level::Mimi, None);
    changed.location = "三楼档案室".into();
    cabinets::update(&mut s, a, &changed).unwrap();
    assert_eq!(cabinets::get(&s, a).unwrap().location, "三楼档案室");
    let events = baomi::audit::recent(s.raw_connection_for_tests(), 1).unwrap();
    assert_eq!(events[0].action, "cabinet.update");
    assert!(
        events[0].detail_json.contains("党办机要室")
            && events[0].detail_json.contains("三楼档案室")
    );
    assert_eq!(cabinets::list(&s).unwrap().len(), 1);
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_3_2_an_auditor_cannot_register_cabinets() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    baomi::ledger::users::add_user(
        &mut s,
        &baomi::ledger::users::NewUser {
            login: "audit".into(),
            person: NewPerson {
                name: "李审计".into(),
                ..Default::default()
            },
            role: baomi::domain::Role::Auditor,
        },
        &common::pass("reviewer passphrase 2026"),
    )
    .unwrap();
    let vault = s.lock("test");
    let mut a = vault
        .unlock(
            "audit",
            &common::pass("reviewer passphrase 2026"),
            common::system_clock(),
        )
        .map_err(|e| e.1)
        .unwrap();
    let err = cabinets::create(&mut a, &input("X-1", Level::Mimi, None)).unwrap_err();
    assert!(matches!(err, LedgerError::NotPermitted { .. }));
}

#[test]
fn gui_a_top_secret_cabinet_asks_for_a_responsible_person() {
    use common::gui::{click, harness, run_wizard, type_into};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "专柜");
    click(&mut h, "登记专柜");
    type_into(&mut h, "专柜编号", "JM-01");
    type_into(&mut h, "存放位置", "机要室");
    let combo = |h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, label: &str| {
        h.get_by_role_and_label(egui::accesskit::Role::ComboBox, label)
            .click();
    };
    // Esc closes an open drop-down, not the dialog with its drafts.
    combo(&h, "最高密级");
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(
        common::gui::field(&h, "专柜编号").value().as_deref(),
        Some("JM-01")
    );
    combo(&h, "最高密级");
    h.run();
    click(&mut h, "绝密");
    h.get_by_label("绝密专柜必须指定专人负责");
    combo(&h, "负责人");
    h.run();
    click(&mut h, "王保密");
    click(&mut h, "保存");
    h.run();
    h.get_by_label("JM-01");
    h.get_by_label("机要室");
    assert!(
        h.query_by_label("绝密专柜必须指定专人负责").is_none(),
        "dialog closed"
    );
    h.get_by_label("已保存");
}

#[test]
fn r3_1_1_a_cabinet_holding_copies_cannot_be_changed_so_that_they_no_longer_fit() {
    use baomi::domain::level::Category;
    use baomi::domain::marking::SecrecyPeriod;
    use baomi::ledger::documents::{self, IncomingInput};
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinets::create(&mut s, &input("JM-02", Level::Jimi, None)).unwrap();
    documents::register_incoming(
        &mut s,
        &IncomingInput {
            received_on: common::day(2026, 11, 20),
            signed_for_by: baomi::ledger::people::PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: String::new(),
            title: "关于加强重要项目保密管理工作的通知".into(),
            category: Category::Policy,
            level: Level::Jimi,
            period: SecrecyPeriod::Unspecified,
            dated: common::day(2026, 11, 18),
            pages: 2,
            attachments: 0,
            copy_numbers: vec![1],
            cabinet: jm,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    let err = cabinets::update(&mut s, jm, &input("JM-02", Level::Mimi, None)).unwrap_err();
    assert!(err.to_string().contains("柜中有机密文件"), "{err}");
    assert_eq!(cabinets::get(&s, jm).unwrap().max_level, Level::Jimi);
    let mut unlocked = input("JM-02", Level::Jimi, None);
    unlocked.locked = false;
    assert!(cabinets::update(&mut s, jm, &unlocked).is_err());
    let mut moved = input(
        "JM-02",
        Level::Juemi,
        Some(baomi::ledger::people::PersonId(1)),
    );
    moved.location = "三楼机要室".into();
    cabinets::update(&mut s, jm, &moved).unwrap();
}
