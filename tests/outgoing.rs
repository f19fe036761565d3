//! The outgoing flow (发文, R3.1.2): steps strictly in order, each with who and when; 文号 from
//! the pattern without gaps or duplicates; copies printed into a cabinet fit for the level;
//! distribution only by the channel of the level; receipts.

mod common;

use common::{cabinet, day};

use baomi::domain::copy_state::CopyState;
use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::domain::outgoing::{Channel, OutgoingStep};
use baomi::ledger::cabinets::CabinetId;
use baomi::ledger::documents::{self, DocumentId};
use baomi::ledger::outgoing::{self, DistributionInput, OutgoingDraft};
use baomi::ledger::people::{self, NewPerson, PersonId};
use baomi::ledger::{LedgerError, Session};

fn person(s: &mut Session, name: &str, post: &str) -> PersonId {
    people::add(
        s,
        &NewPerson {
            name: name.into(),
            department: "党办".into(),
            post: post.into(),
            ..NewPerson::default()
        },
    )
    .unwrap()
}

fn draft(level: Level) -> OutgoingDraft {
    OutgoingDraft {
        title: "关于做好年度保密自查工作的通知".into(),
        category: Category::Policy,
        level,
        period: SecrecyPeriod::Unspecified,
        dated: day(2026, 11, 25),
        pages: 4,
        drafter: PersonId(1),
        readers: "各部门负责人".into(),
        remarks: String::new(),
    }
}

fn mail(channel: Channel) -> DistributionInput {
    DistributionInput {
        recipient_unit: "集团公司党委办公室".into(),
        channel,
        carrier: None,
        tracking_no: "JY2026112601".into(),
        sent_on: day(2026, 11, 26),
    }
}

/// Runs a draft up to and including 印制 of `copies` copies.
fn up_to_print(s: &mut Session, level: Level, cab: CabinetId, copies: u32) -> DocumentId {
    let reviewer = person(s, "李审核", "党办副主任");
    let signer = person(s, "张签发", "党委书记");
    let id = outgoing::create_draft(s, &draft(level)).unwrap();
    outgoing::review(s, id, reviewer, "同意").unwrap();
    outgoing::sign(s, id, signer, "").unwrap();
    outgoing::assign_number(s, id).unwrap();
    outgoing::register(s, id, "").unwrap();
    outgoing::print(s, id, copies, cab).unwrap();
    id
}

#[test]
fn r3_1_2_one_document_through_every_step_records_who_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let reviewer = person(&mut s, "李审核", "党办副主任");
    let signer = person(&mut s, "张签发", "党委书记");
    let courier = person(&mut s, "赵机要", "机要员");
    let id = outgoing::create_draft(&mut s, &draft(Level::Jimi)).unwrap();
    assert_eq!(
        documents::get(&s, id).unwrap().out_step,
        Some(OutgoingStep::Draft)
    );
    outgoing::review(&mut s, id, reviewer, "同意").unwrap();
    outgoing::sign(&mut s, id, signer, "同意印发").unwrap();
    let number = outgoing::assign_number(&mut s, id).unwrap();
    assert_eq!(number, "某公司党委办公室党办发〔2026〕1号");
    outgoing::register(&mut s, id, "").unwrap();
    outgoing::print(&mut s, id, 3, jm).unwrap();
    let copies = documents::copies(&s, id).unwrap();
    assert_eq!(
        copies
            .iter()
            .map(|c| (c.copy_no, c.state, c.cabinet))
            .collect::<Vec<_>>(),
        (1..=3)
            .map(|n| (n, CopyState::InCabinet, Some(jm)))
            .collect::<Vec<_>>()
    );
    outgoing::distribute(&mut s, copies[0].id, &mail(Channel::ConfidentialMail)).unwrap();
    let by_hand = DistributionInput {
        recipient_unit: "市委保密办".into(),
        channel: Channel::DesignatedPerson,
        carrier: Some(courier),
        tracking_no: String::new(),
        sent_on: day(2026, 11, 26),
    };
    outgoing::distribute(&mut s, copies[1].id, &by_hand).unwrap();
    // The dashboard's to-do counts the receipts still out.
    assert_eq!(
        outgoing::receipts_outstanding(&s).unwrap(),
        (2, Some("2026-11-26".into()))
    );
    outgoing::record_receipt(&mut s, copies[0].id, day(2026, 11, 26)).unwrap();
    assert_eq!(outgoing::receipts_outstanding(&s).unwrap().0, 1);
    assert!(
        outgoing::record_receipt(&mut s, copies[0].id, day(2026, 11, 26)).is_err(),
        "a receipt is recorded once"
    );
    assert!(outgoing::record_receipt(&mut s, copies[2].id, day(2026, 11, 26)).is_err());

    let doc = documents::get(&s, id).unwrap();
    assert_eq!(doc.doc_no, number);
    assert_eq!(doc.out_step, Some(OutgoingStep::Distributed));
    assert!(doc.marking.starts_with("机密★20年"), "{}", doc.marking);
    let steps = outgoing::steps(&s, id).unwrap();
    assert_eq!(
        steps.iter().map(|r| r.step).collect::<Vec<_>>(),
        OutgoingStep::ALL.to_vec()
    );
    assert_eq!(steps[1].person, Some(reviewer));
    assert_eq!(steps[2].person, Some(signer));
    assert!(steps.iter().all(|r| !r.at.is_empty() && r.user_id == 1));
    let sent = outgoing::distributions(&s, id).unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].receipt_returned_on.as_deref(), Some("2026-11-26"));
    assert_eq!(sent[1].carrier, Some(courier));
    let now = documents::copies(&s, id).unwrap();
    assert_eq!(now[0].state, CopyState::SentOut);
    assert_eq!(now[0].place, "集团公司党委办公室");
    assert_eq!(now[2].state, CopyState::InCabinet, "copy 3 stays filed");
    let history = documents::copy_history(&s, now[1].id).unwrap();
    assert_eq!(
        history.iter().map(|e| e.to).collect::<Vec<_>>(),
        vec![CopyState::InCabinet, CopyState::SentOut]
    );
    // Every write has its audit event, and the chain holds.
    let events = baomi::audit::recent(s.raw_connection_for_tests(), 50).unwrap();
    for action in [
        "outgoing.draft",
        "outgoing.review",
        "outgoing.sign",
        "outgoing.number",
        "outgoing.register",
        "outgoing.print",
        "outgoing.distribute",
        "outgoing.receipt",
    ] {
        assert!(events.iter().any(|e| e.action == action), "{action}");
    }
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_1_2_steps_are_refused_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let reviewer = person(&mut s, "李审核", "党办副主任");
    let id = outgoing::create_draft(&mut s, &draft(Level::Jimi)).unwrap();
    let err = outgoing::sign(&mut s, id, reviewer, "").unwrap_err();
    assert!(err.to_string().contains("下一步应为审核"), "{err}");
    assert!(outgoing::assign_number(&mut s, id).is_err());
    assert!(outgoing::print(&mut s, id, 2, jm).is_err());
    outgoing::review(&mut s, id, reviewer, "").unwrap();
    assert!(
        outgoing::review(&mut s, id, reviewer, "").is_err(),
        "a step is done once"
    );
    assert!(outgoing::register(&mut s, id, "").is_err());
    // Nothing was numbered by the refused attempts.
    assert_eq!(documents::get(&s, id).unwrap().doc_no, "");
    assert_eq!(outgoing::steps(&s, id).unwrap().len(), 2);
    // An incoming document has no outgoing flow.
    assert!(outgoing::review(&mut s, DocumentId(999), reviewer, "").is_err());
}

#[test]
fn r3_1_2_the_channel_must_fit_the_level() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jue = cabinet(&mut s, "JUE-01", Level::Juemi);
    let id = up_to_print(&mut s, Level::Juemi, jue, 2);
    let copy = documents::copies(&s, id).unwrap()[0].id;
    for refused in [
        Channel::ConfidentialMail,
        Channel::SealedEms,
        Channel::InternalMail,
    ] {
        let err = outgoing::distribute(&mut s, copy, &mail(refused)).unwrap_err();
        assert!(err.to_string().contains("绝密文件不能经"), "{err}");
    }
    // 专人送达 names the person.
    let err = outgoing::distribute(&mut s, copy, &mail(Channel::DesignatedPerson)).unwrap_err();
    assert!(err.to_string().contains("送达人"), "{err}");
    assert_eq!(
        documents::copies(&s, id).unwrap()[0].state,
        CopyState::InCabinet,
        "nothing moved"
    );
    outgoing::distribute(&mut s, copy, &mail(Channel::EncryptedTransmission)).unwrap();
    // 秘密 by sealed EMS needs its tracking number.
    let mm = cabinet(&mut s, "MM-01", Level::Mimi);
    let id = up_to_print(&mut s, Level::Mimi, mm, 1);
    let copy = documents::copies(&s, id).unwrap()[0].id;
    let mut ems = mail(Channel::SealedEms);
    ems.tracking_no = " ".into();
    assert!(outgoing::distribute(&mut s, copy, &ems).is_err());
    ems.tracking_no = "EMS1234567890".into();
    outgoing::distribute(&mut s, copy, &ems).unwrap();
    assert!(
        outgoing::distribute(&mut s, copy, &ems).is_err(),
        "a copy is sent once"
    );
}

#[test]
fn r3_1_1_printed_copies_only_into_a_cabinet_fit_for_the_level() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let mm = cabinet(&mut s, "MM-01", Level::Mimi);
    let reviewer = person(&mut s, "李审核", "党办副主任");
    let id = outgoing::create_draft(&mut s, &draft(Level::Jimi)).unwrap();
    outgoing::review(&mut s, id, reviewer, "").unwrap();
    outgoing::sign(&mut s, id, reviewer, "").unwrap();
    outgoing::assign_number(&mut s, id).unwrap();
    outgoing::register(&mut s, id, "").unwrap();
    let err = outgoing::print(&mut s, id, 2, mm).unwrap_err();
    assert!(err.to_string().contains("机密"), "{err}");
    assert!(documents::copies(&s, id).unwrap().is_empty());
}

#[test]
fn doc_numbers_have_no_gaps_or_duplicates_after_a_failure_and_follow_the_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let reviewer = person(&mut s, "李审核", "党办副主任");
    assert!(outgoing::set_pattern(&mut s, "党办发〔{year}〕号").is_err());
    assert!(outgoing::set_pattern(&mut s, "{unit}发〔{year}〕{seq}号{x}").is_err());
    outgoing::set_pattern(&mut s, "党办发〔{year}〕{seq}号").unwrap();
    let signed = |s: &mut Session| {
        let id = outgoing::create_draft(s, &draft(Level::Mimi)).unwrap();
        outgoing::review(s, id, reviewer, "").unwrap();
        outgoing::sign(s, id, reviewer, "").unwrap();
        id
    };
    let a = signed(&mut s);
    assert_eq!(
        outgoing::assign_number(&mut s, a).unwrap(),
        "党办发〔2026〕1号"
    );
    // The number is taken, then the transaction fails (as a crash at that point would end it):
    // it rolls back and the number is given again, not skipped.
    let b = signed(&mut s);
    s.raw_connection_for_tests()
        .execute_batch(
            "CREATE TEMP TRIGGER crash BEFORE UPDATE OF doc_no ON documents \
             BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;",
        )
        .unwrap();
    assert!(matches!(
        outgoing::assign_number(&mut s, b),
        Err(LedgerError::Sql(_))
    ));
    assert_eq!(
        documents::get(&s, b).unwrap().out_step,
        Some(OutgoingStep::Signed)
    );
    s.raw_connection_for_tests()
        .execute_batch("DROP TRIGGER temp.crash;")
        .unwrap();
    assert_eq!(
        outgoing::assign_number(&mut s, b).unwrap(),
        "党办发〔2026〕2号"
    );
    // The same document cannot be numbered twice.
    assert!(outgoing::assign_number(&mut s, b).is_err());
    let c = signed(&mut s);
    assert_eq!(
        outgoing::assign_number(&mut s, c).unwrap(),
        "党办发〔2026〕3号"
    );
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn gui_runs_one_outgoing_document_through_every_step() {
    use common::gui::{click, harness, run_wizard, type_into};
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    common::gui::add_cabinet(&mut h, "JM-02");
    h.get_by_role_and_label(Role::Button, "发文").click();
    h.run();
    click(&mut h, "拟稿");
    type_into(&mut h, "标题", "关于做好年度保密自查工作的通知");
    h.get_by_role_and_label(Role::ComboBox, "密级").click();
    h.run();
    click(&mut h, "机密");
    type_into(&mut h, "页数", "4");
    h.get_by_label_contains("密级标志：机密★");
    click(&mut h, "保存草稿");
    h.run();
    h.get_by_label("已保存草稿");
    h.get_by_label("下一步：审核");
    // 审核 and 签发 name the person who did them.
    for (who, button, next) in [
        ("审核人", "审核通过", "下一步：签发"),
        ("签发人", "签发", "下一步：编号"),
    ] {
        h.get_by_role_and_label(Role::ComboBox, who).click();
        h.run();
        click(&mut h, "王保密");
        h.get_by_role_and_label(Role::Button, button).click();
        h.run();
        h.run();
        h.get_by_label(next);
    }
    h.get_by_role_and_label(Role::Button, "编号").click();
    h.run();
    h.run();
    h.get_by_label("已编号：某公司党委办公室党办发〔2026〕1号");
    h.get_by_role_and_label(Role::Button, "登记").click();
    h.run();
    h.run();
    h.get_by_label("下一步：印制");
    type_into(&mut h, "印制份数", "2");
    h.get_by_role_and_label(Role::ComboBox, "存放专柜").click();
    h.run();
    click(&mut h, "JM-02 机要室");
    h.get_by_role_and_label(Role::Button, "印制").click();
    h.run();
    h.run();
    h.get_by_label("已印制 2 份");
    // 分发: 机密 offers only the 机要 channel or a designated person (R3.1.2).
    type_into(&mut h, "收件单位", "集团公司党委办公室");
    h.get_by_role_and_label(Role::ComboBox, "传递渠道").click();
    h.run();
    assert!(h.query_by_label("密封EMS").is_none());
    assert!(h.query_by_label("加密传输").is_none());
    click(&mut h, "机要渠道");
    type_into(&mut h, "单号", "JY2026112601");
    h.get_by_role_and_label(Role::Button, "分发").click();
    h.run();
    h.run();
    h.get_by_label("已分发");
    h.get_by_label("第1份 → 集团公司党委办公室 · 机要渠道 JY2026112601 · 2026-11-26");
    click(&mut h, "第1份回执已收回");
    h.run();
    h.get_by_label("  回执 2026-11-26");
    // The table shows the document at its last step.
    assert!(h.query_all_by_label("分发").count() >= 2);
}

#[test]
fn gui_sets_the_doc_number_pattern_with_an_example_and_refuses_a_bad_one() {
    use common::gui::{click, harness, run_wizard, type_into};
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    click(&mut h, "设置");
    type_into(&mut h, "发文文号格式", "党办发〔{year}〕号");
    h.get_by_label("文号格式必须包含 {year} 和 {seq}");
    type_into(&mut h, "发文文号格式", "党办发〔{year}〕{seq}号");
    h.get_by_label_contains("示例：党办发〔2026〕12号");
    // The example uses the unit's own name, so a doubled "党委办公室党办" shows before saving.
    type_into(&mut h, "发文文号格式", "{unit}发〔{year}〕{seq}号");
    h.get_by_label_contains("示例：某公司党委办公室发〔2026〕12号");
    type_into(&mut h, "发文文号格式", "党办发〔{year}〕{seq}号");
    let saves: Vec<_> = h
        .query_all_by_role_and_label(Role::Button, "保存")
        .collect();
    saves[1].click();
    h.run();
    h.run();
    h.get_by_label("已保存");
}
