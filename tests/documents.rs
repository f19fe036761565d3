//! The document ledger: incoming registration (R3.1.1), receipt numbers without gaps or
//! duplicates, copies and their custody, voiding that keeps history.

mod common;

use common::{cabinet, day};

use baomi::domain::copy_state::CopyState;
use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::ledger::cabinets::CabinetId;
use baomi::ledger::documents::{self, DocumentEdit, IncomingInput};
use baomi::ledger::people::PersonId;
use baomi::ledger::search::{self, Filters, Query, SortKey};
use baomi::ledger::{LedgerError, Session};

fn incoming(level: Level, cabinet: CabinetId, copies: &[u32]) -> IncomingInput {
    IncomingInput {
        received_on: day(2026, 11, 20),
        signed_for_by: PersonId(1),
        issuing_unit: "集团公司党委办公室".into(),
        doc_no: "集团党办发〔2026〕45号".into(),
        title: "关于加强重要项目保密管理工作的通知".into(),
        category: Category::MajorDecision,
        level,
        period: SecrecyPeriod::Years(10),
        dated: day(2026, 11, 18),
        pages: 6,
        attachments: 1,
        copy_numbers: copies.to_vec(),
        cabinet,
        readers: "党委委员".into(),
        remarks: String::new(),
    }
}

#[test]
fn r3_1_1_a_confidential_document_with_three_copies_goes_into_its_cabinet() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let id = documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[3, 1, 2])).unwrap();
    let doc = documents::get(&s, id).unwrap();
    assert_eq!(doc.receipt_no.as_deref(), Some("机要收〔2026〕1号"));
    assert_eq!(doc.marking, "机密★10年");
    let copies = documents::copies(&s, id).unwrap();
    assert_eq!(
        copies.iter().map(|c| c.copy_no).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    for c in &copies {
        assert_eq!(c.state, CopyState::InCabinet);
        assert_eq!(c.cabinet, Some(jm));
        let history = documents::copy_history(&s, c.id).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].to, CopyState::InCabinet);
    }
    let ev = &baomi::audit::recent(s.raw_connection_for_tests(), 1).unwrap()[0];
    assert_eq!(ev.action, "document.register");
    assert!(ev.detail_json.contains("机密★10年"));
}

#[test]
fn r3_1_1_top_secret_is_refused_in_a_confidential_cabinet_and_takes_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let err = documents::register_incoming(&mut s, &incoming(Level::Juemi, jm, &[1])).unwrap_err();
    assert!(
        err.to_string().contains("绝密文件只能存放在绝密专柜"),
        "{err}"
    );
    let id = documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[1])).unwrap();
    assert_eq!(
        documents::get(&s, id).unwrap().receipt_no.as_deref(),
        Some("机要收〔2026〕1号")
    );
}

#[test]
fn receipt_numbers_have_no_gaps_after_a_failure_mid_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[1])).unwrap();
    // The number is taken, then the insert fails (a signer who does not exist): the whole
    // transaction rolls back, as it would after a crash at that point.
    let mut broken = incoming(Level::Jimi, jm, &[1]);
    broken.signed_for_by = PersonId(999);
    assert!(matches!(
        documents::register_incoming(&mut s, &broken),
        Err(LedgerError::Sql(_))
    ));
    let id = documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[1])).unwrap();
    assert_eq!(
        documents::get(&s, id).unwrap().receipt_no.as_deref(),
        Some("机要收〔2026〕2号")
    );
    // The sequence lives in the database: after closing and reopening the vault it continues.
    let vault = s.lock("test");
    drop(vault);
    let vault = baomi::ledger::LockedLedger::open(dir.path()).unwrap();
    let mut s = vault
        .unlock(
            "custodian",
            &common::pass(common::PASS),
            common::system_clock(),
        )
        .map_err(|e| e.1)
        .unwrap();
    let id = documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[1])).unwrap();
    assert_eq!(
        documents::get(&s, id).unwrap().receipt_no.as_deref(),
        Some("机要收〔2026〕3号")
    );
    let numbers: Vec<_> = documents::list(&s)
        .unwrap()
        .into_iter()
        .filter_map(|d| d.receipt_no)
        .collect();
    assert_eq!(numbers.len(), 3);
}

#[test]
fn bad_registrations_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    type Change = Box<dyn Fn(&mut IncomingInput)>;
    let cases: Vec<(Change, &str)> = vec![
        (Box::new(|i| i.title = "  ".into()), "标题"),
        (Box::new(|i| i.pages = 0), "页数"),
        (Box::new(|i| i.copy_numbers = vec![1, 1]), "份号不能重复"),
        (Box::new(|i| i.copy_numbers = vec![]), "份号"),
        (Box::new(|i| i.dated = day(2026, 11, 21)), "成文日期"),
        (Box::new(|i| i.received_on = day(2026, 12, 1)), "收文日期"),
        (Box::new(|i| i.period = SecrecyPeriod::Years(25)), "20年"),
    ];
    for (change, expect) in cases {
        let mut input = incoming(Level::Jimi, jm, &[1]);
        change(&mut input);
        let err = documents::register_incoming(&mut s, &input).unwrap_err();
        assert!(
            err.to_string().contains(expect),
            "{err} should mention {expect}"
        );
    }
    assert!(
        documents::list(&s).unwrap().is_empty(),
        "nothing half-registered"
    );
}

#[test]
fn voiding_keeps_the_entry_and_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let id = documents::register_incoming(&mut s, &incoming(Level::Mimi, jm, &[1, 2])).unwrap();
    assert!(documents::void(&mut s, id, " ").is_err());
    documents::void(&mut s, id, "重复登记").unwrap();
    let doc = documents::get(&s, id).unwrap();
    assert!(doc.voided);
    assert_eq!(documents::copies(&s, id).unwrap().len(), 2);
    assert!(documents::void(&mut s, id, "again").is_err());
    let ev = &baomi::audit::recent(s.raw_connection_for_tests(), 1).unwrap()[0];
    assert_eq!(ev.action, "document.void");
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_1_1_copies_move_only_along_legal_transitions_and_keep_their_history() {
    use baomi::ledger::custody::{self, CopyMove};
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let jm2 = cabinet(&mut s, "JM-02", Level::Jimi);
    let mm = cabinet(&mut s, "MM-01", Level::Mimi);
    let id = documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[1, 2, 3])).unwrap();
    let copy3 = documents::copies(&s, id).unwrap()[2].id;
    let mv = |expected, to, cabinet, note: &str| CopyMove {
        expected,
        to,
        cabinet,
        holder: None,
        place: String::new(),
        note: note.into(),
    };
    // The old bypass: "lending" a 机密 copy to a person by editing its custody. Refused, for
    // this person (who has no clearance) as for anyone: lending is the borrowing flow's.
    let lend = CopyMove {
        holder: Some(PersonId(1)),
        ..mv(
            CopyState::InCabinet,
            CopyState::Borrowed,
            None,
            "借给王保密",
        )
    };
    let err = custody::move_copy(&mut s, copy3, &lend).unwrap_err();
    assert!(err.to_string().contains("借阅流程"), "{err}");
    assert_eq!(
        documents::copies(&s, id).unwrap()[2].state,
        CopyState::InCabinet
    );
    // A change by hand says why.
    let err = custody::move_copy(
        &mut s,
        copy3,
        &mv(CopyState::InCabinet, CopyState::Lost, None, " "),
    )
    .unwrap_err();
    assert!(err.to_string().contains("原因"), "{err}");
    custody::move_copy(
        &mut s,
        copy3,
        &mv(CopyState::InCabinet, CopyState::Lost, None, "清查未见"),
    )
    .unwrap();
    // Lost → destroyed is illegal (R3.1.1): it must be found first, and destroying is the
    // destruction list's anyway.
    let err = custody::move_copy(
        &mut s,
        copy3,
        &mv(CopyState::Lost, CopyState::Destroyed, None, "x"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("R3.1.1"), "{err}");
    // Found, but not into a cabinet below its level.
    let err = custody::move_copy(
        &mut s,
        copy3,
        &mv(CopyState::Lost, CopyState::InCabinet, Some(mm), "找回"),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("机密文件只能存放在机密或绝密专用文件柜"),
        "{err}"
    );
    custody::move_copy(
        &mut s,
        copy3,
        &mv(
            CopyState::Lost,
            CopyState::InCabinet,
            Some(jm),
            "在会议室找回",
        ),
    )
    .unwrap();
    // Moved to another cabinet fit for the level, by hand with a note.
    custody::move_copy(
        &mut s,
        copy3,
        &mv(
            CopyState::InCabinet,
            CopyState::InCabinet,
            Some(jm2),
            "调整存放位置",
        ),
    )
    .unwrap();
    let history = documents::copy_history(&s, copy3).unwrap();
    let path: Vec<_> = history.iter().map(|e| e.to).collect();
    assert_eq!(
        path,
        vec![
            CopyState::InCabinet,
            CopyState::Lost,
            CopyState::InCabinet,
            CopyState::InCabinet
        ]
    );
    assert_eq!(history[1].note, "清查未见");
    let now = &documents::copies(&s, id).unwrap()[2];
    assert_eq!(
        (now.state, now.cabinet, now.holder),
        (CopyState::InCabinet, Some(jm2), None)
    );
    assert!(s.verify_audit().unwrap().is_intact());
}

fn find(s: &Session, text: &str) -> usize {
    let q = Query {
        text: text.into(),
        ..Query::default()
    };
    let page = search::search(s, &q, 0, 50).unwrap();
    assert_eq!(page.total, search::search_ids(s, &q).unwrap().len());
    page.total
}

#[test]
fn search_finds_two_character_and_long_substrings_and_treats_wildcards_literally() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    documents::register_incoming(&mut s, &incoming(Level::Jimi, jm, &[1])).unwrap();
    let mut other = incoming(Level::Mimi, jm, &[1]);
    other.title = "2026年度100%完成_统计报表".into();
    other.remarks = "抄送\"纪检\"组".into();
    documents::register_incoming(&mut s, &other).unwrap();
    assert_eq!(find(&s, "保密"), 1, "2 characters: LIKE scan");
    assert_eq!(find(&s, "保"), 1, "1 character");
    assert_eq!(find(&s, "重要项目保密管理工作"), 1, "long: trigram index");
    assert_eq!(find(&s, "保密管"), 1, "3 characters: trigram index");
    assert_eq!(find(&s, "45号"), 2, "by 文号");
    assert_eq!(find(&s, "机要收〔2026〕1号"), 1, "by receipt number");
    assert_eq!(find(&s, "集团公司"), 2, "by issuing unit");
    assert_eq!(find(&s, "100%"), 1);
    assert_eq!(find(&s, "%"), 1, "% is not a wildcard");
    assert_eq!(find(&s, "_"), 1, "_ is not a wildcard");
    assert_eq!(find(&s, "\"纪检\""), 1, "quotes are text, not FTS syntax");
    assert_eq!(find(&s, "纪检 OR 保密"), 0, "OR is text, not FTS syntax");
    assert_eq!(find(&s, "保密管理 通知"), 1, "every term must match");
    assert_eq!(find(&s, ""), 2);
}

#[test]
fn search_ranks_title_matches_first_filters_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    // The title match is registered first (older); a newer one matches only in its remarks.
    let mut a = incoming(Level::Jimi, jm, &[1, 2]);
    a.title = "关于档案清查工作的通知".into();
    let a = documents::register_incoming(&mut s, &a).unwrap();
    let mut b = incoming(Level::Mimi, jm, &[1]);
    b.title = "年度工作总结".into();
    b.category = Category::InternalWork;
    b.remarks = "附档案清查结果".into();
    let b = documents::register_incoming(&mut s, &b).unwrap();
    for text in ["档案清查", "清查"] {
        let q = Query {
            text: text.into(),
            ..Query::default()
        };
        assert_eq!(search::search_ids(&s, &q).unwrap(), vec![a, b], "{text}");
    }
    let with = |filters: Filters| Query {
        text: "清查".into(),
        filters,
        ..Query::default()
    };
    let ids = |s: &Session, f: Filters| search::search_ids(s, &with(f)).unwrap();
    assert_eq!(
        ids(
            &s,
            Filters {
                level: Some(Level::Mimi),
                ..Filters::default()
            }
        ),
        vec![b]
    );
    assert_eq!(
        ids(
            &s,
            Filters {
                category: Some(Category::InternalWork),
                ..Filters::default()
            }
        ),
        vec![b]
    );
    assert_eq!(
        ids(
            &s,
            Filters {
                year: Some(2026),
                ..Filters::default()
            }
        ),
        vec![a, b]
    );
    assert!(
        ids(
            &s,
            Filters {
                year: Some(2025),
                ..Filters::default()
            }
        )
        .is_empty()
    );
    assert_eq!(
        ids(
            &s,
            Filters {
                cabinet: Some(jm),
                ..Filters::default()
            }
        ),
        vec![a, b]
    );
    assert_eq!(
        ids(
            &s,
            Filters {
                direction: Some("outgoing"),
                ..Filters::default()
            }
        ),
        vec![]
    );
    // A copy lost: the state filter finds its document only.
    let copy = documents::copies(&s, a).unwrap()[0].id;
    baomi::ledger::custody::move_copy(
        &mut s,
        copy,
        &baomi::ledger::custody::CopyMove {
            expected: CopyState::InCabinet,
            to: CopyState::Lost,
            cabinet: None,
            holder: None,
            place: String::new(),
            note: "清查未见".into(),
        },
    )
    .unwrap();
    assert_eq!(
        ids(
            &s,
            Filters {
                state: Some(CopyState::Lost),
                ..Filters::default()
            }
        ),
        vec![a]
    );
    // Sorting by title, ascending and descending.
    let sorted = |ascending| {
        search::search_ids(
            &s,
            &Query {
                sort: SortKey::Title,
                ascending,
                ..Query::default()
            },
        )
        .unwrap()
    };
    assert_eq!(sorted(true), vec![a, b]);
    assert_eq!(sorted(false), vec![b, a]);
    // Paging: page 2 of size 1 is the second result; total counts every match.
    let page = search::search(&s, &with(Filters::default()), 1, 1).unwrap();
    assert_eq!((page.total, page.rows.len(), page.rows[0].id), (2, 1, b));
    // The same through the trigram index: pages cross from title matches to the others.
    let long = Query {
        text: "档案清查".into(),
        ..Query::default()
    };
    for (offset, id) in [(0, a), (1, b)] {
        let page = search::search(&s, &long, offset, 1).unwrap();
        assert_eq!((page.total, page.rows.len(), page.rows[0].id), (2, 1, id));
    }
    assert!(search::search(&s, &long, 2, 1).unwrap().rows.is_empty());
}

#[test]
fn editing_keeps_every_old_value_in_the_history_and_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let jm = cabinet(&mut s, "JM-01", Level::Jimi);
    let mm = cabinet(&mut s, "MM-01", Level::Mimi);
    let id = documents::register_incoming(&mut s, &incoming(Level::Mimi, mm, &[1, 2])).unwrap();
    let doc = documents::get(&s, id).unwrap();
    let mut e = DocumentEdit::from_document(&doc);
    e.title = "关于开展保密自查自评的通知".into();
    e.pages = 8;
    assert!(
        documents::edit(&mut s, id, &e, " ").is_err(),
        "a reason is required"
    );
    assert!(
        documents::edit(&mut s, id, &DocumentEdit::from_document(&doc), "无变化").is_err(),
        "nothing changed"
    );
    // R3.1.1: raising the level while the copies sit in a 秘密 cabinet is refused.
    let mut raised = e.clone();
    raised.level = Level::Jimi;
    let err = documents::edit(&mut s, id, &raised, "密级标错").unwrap_err();
    assert!(err.to_string().contains("第1份"), "{err}");
    let _ = jm;
    documents::edit(&mut s, id, &e, "标题录入有误").unwrap();
    let now = documents::get(&s, id).unwrap();
    assert_eq!(
        (now.title.as_str(), now.pages),
        ("关于开展保密自查自评的通知", 8)
    );
    let revs = documents::revisions(&s, id).unwrap();
    assert_eq!(revs.len(), 1);
    assert_eq!(revs[0].reason, "标题录入有误");
    assert!(revs[0].changes.contains(&(
        "title".into(),
        Some("关于加强重要项目保密管理工作的通知".into()),
        Some("关于开展保密自查自评的通知".into())
    )));
    assert!(
        revs[0]
            .changes
            .contains(&("pages".into(), Some("6".into()), Some("8".into())))
    );
    assert_eq!(revs[0].changes.len(), 2);
    // The search index follows the edit: the new title is found, the old one no longer.
    assert_eq!(find(&s, "保密自查自评"), 1);
    assert_eq!(find(&s, "重要项目保密"), 0);
    let ev = &baomi::audit::recent(s.raw_connection_for_tests(), 1).unwrap()[0];
    assert_eq!(ev.action, "document.edit");
    // A voided entry can no longer be edited.
    documents::void(&mut s, id, "重复登记").unwrap();
    e.pages = 9;
    assert!(documents::edit(&mut s, id, &e, "再改").is_err());
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn gui_register_a_confidential_document_with_three_copies_then_find_it() {
    use common::gui::{click, harness, run_wizard, type_into};
    use egui::accesskit::Role;
    use egui_kittest::kittest::{NodeT, Queryable};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    common::gui::add_cabinet(&mut h, "JM-02");
    click(&mut h, "文件台账");
    // Ctrl+N opens the registration dialog.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    type_into(&mut h, "标题", "关于加强重要项目保密管理工作的通知");
    type_into(&mut h, "来文单位", "集团公司党委办公室");
    h.get_by_role_and_label(Role::ComboBox, "保密期限").click();
    h.run();
    click(&mut h, "年");
    type_into(&mut h, "期限值", "10");
    type_into(&mut h, "页数", "6");
    type_into(&mut h, "份号", "1-3");
    h.get_by_role_and_label(Role::ComboBox, "存放专柜").click();
    h.run();
    click(&mut h, "JM-02 机要室");
    h.get_by_label("密级标志：机密★10年");
    click(&mut h, "登记");
    h.run();
    h.get_by_label("已登记");
    // Find it by a substring of its title; see its marking and each copy's place.
    type_into(&mut h, "搜索", "保密管理");
    // The row's title is a selectable item (the detail panel repeats it as plain text).
    let row = h
        .query_all_by_label("关于加强重要项目保密管理工作的通知")
        .find(|n| n.accesskit_node().role() != Role::Label)
        .expect("the table row");
    row.click();
    h.run();
    assert!(
        h.query_all_by_label("机密★10年").count() >= 2,
        "table and detail panel"
    );
    for n in 1..=3 {
        h.get_by_label(&format!("第{n}份 · 在柜 · JM-02 机要室"));
    }
    // Copy 3 is reported lost (R3.1.1: every change is an event, shown in its history).
    click(&mut h, "第3份 · 在柜 · JM-02 机要室");
    h.get_by_label("第3份的经历");
    h.get_by_role_and_label(Role::ComboBox, "变为")
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::ComboBox, "变为").click();
    h.run();
    click(&mut h, "丢失");
    type_into(&mut h, "说明", "清查时未找到，已报告");
    click(&mut h, "登记去向");
    h.run();
    h.get_by_label("已登记去向");
    h.get_by_label("第3份 · 丢失");
    assert!(
        h.query_all_by_label_contains("丢失 清查时未找到，已报告")
            .count()
            >= 1
    );
    type_into(&mut h, "搜索", "不存在的标题");
    h.get_by_label_contains("0 份文件");
    // The panel follows the list: the document it showed is no longer listed.
    h.get_by_label("选择一份文件查看详情");
    assert!(h.query_by_label("第3份 · 丢失").is_none());
}

#[test]
fn gui_the_register_table_never_runs_under_the_detail_panel() {
    use egui_kittest::kittest::{NodeT, Queryable};
    let dir = tempfile::tempdir().unwrap();
    {
        let (mut s, _) = common::new_vault(dir.path());
        let jm = cabinet(&mut s, "JM-01", Level::Jimi);
        baomi::ledger::documents::register_incoming(
            &mut s,
            &baomi::ledger::documents::IncomingInput {
                received_on: common::day(2026, 11, 20),
                signed_for_by: baomi::ledger::people::PersonId(1),
                issuing_unit: "集团公司党委办公室集团公司党委办公室".into(),
                doc_no: "某集团有限公司党委办公室党办发〔2026〕3号".into(),
                title: "关于加强重要项目保密管理工作的通知".into(),
                category: baomi::domain::level::Category::MajorDecision,
                level: baomi::domain::level::Level::Jimi,
                period: baomi::domain::marking::SecrecyPeriod::Unspecified,
                dated: common::day(2026, 11, 18),
                pages: 6,
                attachments: 1,
                copy_numbers: vec![1, 2],
                cabinet: jm,
                readers: "党委委员".into(),
                remarks: String::new(),
            },
        )
        .unwrap();
        drop(s.lock("t"));
    }
    for width in [1024.0, 1240.0, 1366.0] {
        let mut h =
            common::gui::harness_sized(dir.path(), common::clock(), egui::vec2(width, 768.0));
        common::gui::sign_in(&mut h);
        common::gui::click(&mut h, "文件台账");
        common::gui::click(&mut h, "关于加强重要项目保密管理工作的通知");
        // A copy's history with its custody form open: the widest the panel gets.
        common::gui::click(&mut h, "第1份 · 在柜 · JM-01 机要室");
        h.get_by_label("变更去向");
        // The table's last header ends left of the panel, whatever the panel holds; the
        // columns that do not fit are left out, never pushed under it.
        let headers = [
            "收文编号",
            "文号",
            "标题",
            "密级标志",
            "来文单位",
            "收文日期",
            "在柜/份数",
            "专柜",
            "收发 · 状态",
        ];
        let panel = h
            .get_by_label("打印份号标签")
            .accesskit_node()
            .bounding_box()
            .unwrap();
        // (The panel's own grid has a 文号 too: only what starts left of the panel counts.)
        let shown: Vec<(&str, egui::accesskit::Rect)> = headers
            .iter()
            .flat_map(|t| {
                h.query_all_by_label(t)
                    .map(|n| n.accesskit_node().bounding_box().unwrap())
                    .filter(|r| r.y0 > 140.0 && r.y0 < 200.0 && r.x0 < panel.x0)
                    .map(move |r| (*t, r))
                    .collect::<Vec<_>>()
            })
            .collect();
        let names: Vec<&str> = shown.iter().map(|(t, _)| *t).collect();
        assert!(
            names.contains(&"标题") && names.contains(&"密级标志"),
            "{width}: {names:?}"
        );
        if width >= 1366.0 {
            assert!(
                names.contains(&"收文日期") && names.contains(&"收发 · 状态"),
                "{names:?}"
            );
        }
        let header = shown
            .iter()
            .map(|(_, r)| *r)
            .max_by(|a, b| a.x1.total_cmp(&b.x1))
            .unwrap();
        assert!(
            header.x1 + 8.0 < panel.x0,
            "{width}: {header:?} runs under {panel:?}: {shown:?}"
        );
        // The custody form's fields stay inside the window.
        for n in h.query_all_by_label("说明") {
            let r = n.accesskit_node().bounding_box().unwrap();
            assert!(r.x1 <= f64::from(width), "{width}: {r:?}");
        }
        drop(h);
    }
}

#[test]
fn gui_up_and_down_walk_the_register() {
    use common::gui::{click, harness};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    {
        let (mut s, _) = common::new_vault(dir.path());
        let jm = cabinet(&mut s, "JM-01", Level::Jimi);
        for title in ["关于第一份文件的通知", "关于第二份文件的通知"] {
            let mut input = incoming(Level::Jimi, jm, &[1]);
            input.title = title.into();
            documents::register_incoming(&mut s, &input).unwrap();
        }
        drop(s.lock("t"));
    }
    let mut h = harness(dir.path(), common::clock());
    common::gui::sign_in(&mut h);
    click(&mut h, "文件台账");
    // Newest first; a selected document's title shows in the table and in the panel.
    click(&mut h, "关于第二份文件的通知");
    assert_eq!(h.query_all_by_label("关于第二份文件的通知").count(), 2);
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(h.query_all_by_label("关于第一份文件的通知").count(), 2);
    assert_eq!(h.query_all_by_label("关于第二份文件的通知").count(), 1);
    h.key_press(egui::Key::ArrowDown);
    h.run();
    assert_eq!(
        h.query_all_by_label("关于第一份文件的通知").count(),
        2,
        "stays on the last row"
    );
    h.key_press(egui::Key::ArrowUp);
    h.run();
    assert_eq!(h.query_all_by_label("关于第二份文件的通知").count(), 2);
}

/// Issue 10, item 1: a drop-down inside a dialog must open above the dialog every time, not only
/// the first time per run.
#[test]
fn gui_drop_downs_in_the_registration_dialog_work_every_time_it_opens() {
    use common::gui::{harness, run_wizard};
    use egui::accesskit::Role;
    use egui_kittest::kittest::{NodeT, Queryable};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), common::clock());
    run_wizard(&mut h);
    common::gui::click(&mut h, "文件台账");
    for (round, level) in [(1, "秘密"), (2, "绝密"), (3, "内部敏感")] {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
        h.run();
        // The dialog's 密级 (the filter bar above the register has one too).
        h.query_all_by_role_and_label(Role::ComboBox, "密级")
            .max_by(|a, b| {
                let (a, b) = (
                    a.accesskit_node().bounding_box().unwrap().y0,
                    b.accesskit_node().bounding_box().unwrap().y0,
                );
                a.total_cmp(&b)
            })
            .expect("the dialog's 密级")
            .hover();
        h.run();
        // Press, then release in the next frame, as a mouse does.
        let at = h
            .ctx
            .pointer_hover_pos()
            .expect("pointer over the drop-down");
        for pressed in [true, false] {
            h.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
            h.step();
        }
        h.run();
        // The option lies on the drop-down's layer, above the dialog.
        let option = h.get_by_label(level);
        let rect = option.accesskit_node().bounding_box().unwrap();
        let at = egui::pos2(
            ((rect.x0 + rect.x1) / 2.0) as f32,
            ((rect.y0 + rect.y1) / 2.0) as f32,
        );
        let dialog =
            egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("register_dialog"));
        assert_ne!(
            h.ctx.layer_id_at(at),
            Some(dialog),
            "round {round}: the list opened behind the dialog"
        );
        option.click();
        h.run();
        let shown: Vec<String> = h
            .query_all_by_role_and_label(Role::ComboBox, "密级")
            .filter_map(|n| n.accesskit_node().value().map(|v| v.to_string()))
            .collect();
        assert!(
            shown.iter().any(|v| v == level),
            "round {round}: {level} was not picked ({shown:?})"
        );
        common::gui::click(&mut h, "取消");
        h.run();
    }
}

#[test]
fn gui_the_registration_dialog_reopens_at_its_top_and_hints_never_move_its_fields() {
    use common::gui::{click, harness_sized, run_wizard, type_into};
    use egui_kittest::kittest::{NodeT, Queryable};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_sized(dir.path(), common::clock(), egui::vec2(1024.0, 768.0));
    run_wizard(&mut h);
    common::gui::add_cabinet(&mut h, "JM-01");
    click(&mut h, "文件台账");
    let top_of = |h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, label: &str| {
        common::gui::field(h, label)
            .accesskit_node()
            .bounding_box()
            .unwrap()
            .y0
    };
    // First time: scroll to the bottom of the form (as one does to reach 登记), then cancel.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    let title_first = top_of(&h, "标题");
    common::gui::field(&h, "备注").scroll_to_me();
    h.run();
    assert!(top_of(&h, "标题") < title_first, "the form scrolled");
    click(&mut h, "取消");
    // Reopened: the title is where it was the first time, visible, and has the focus.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    h.run();
    assert_eq!(top_of(&h, "标题"), title_first, "reopened scrolled");
    assert!(common::gui::field(&h, "标题").is_focused());
    // A hint line appearing (the marking once the form is complete, then a refusal) moves
    // nothing above it.
    let heading = |h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>| {
        h.query_all_by(|n| {
            n.role() == egui::accesskit::Role::Label && n.value().as_deref() == Some("收文登记")
        })
        .next()
        .expect("the dialog's heading")
        .accesskit_node()
        .bounding_box()
        .unwrap()
        .y0
    };
    type_into(&mut h, "标题", "关于保密检查的通知");
    let title = heading(&h);
    type_into(&mut h, "来文单位", "集团公司党委办公室");
    type_into(&mut h, "原文号", "集团党办发〔2026〕45号");
    type_into(&mut h, "成文日期", "2030-01-01");
    type_into(&mut h, "页数", "4");
    click(&mut h, "登记");
    h.run();
    let refused: Vec<String> = h
        .query_all_by(|n| n.value().is_some_and(|v| v.contains("晚于")))
        .filter_map(|n| n.value())
        .collect();
    assert!(!refused.is_empty(), "a refusal is shown");
    assert_eq!(heading(&h), title, "the dialog moved");
}

#[test]
fn gui_the_register_keeps_the_columns_chosen_and_their_widths_for_the_next_run() {
    use common::gui::{click, harness_sized, run_wizard};
    use egui::accesskit::Role;
    use egui_kittest::kittest::{NodeT, Queryable};
    let dir = tempfile::tempdir().unwrap();
    let header = |h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, label: &str| {
        h.query_all_by_label(label)
            .find(|n| {
                n.accesskit_node().role() == Role::Button
                    || n.accesskit_node().role() == Role::Label
            })
            .map(|n| n.accesskit_node().bounding_box().unwrap())
    };
    // Where the first header right of `x` begins (the column after 密级标志, whichever shows).
    let next_column_x = |h: &egui_kittest::Harness<'_, baomi::ui::BaomiApp>, x: f64| {
        ["来文单位", "收文日期", "在柜/份数", "收发 · 状态"]
            .into_iter()
            .filter_map(|l| header(h, l))
            .filter(|r| r.x0 > x)
            .map(|r| r.x0)
            .fold(f64::INFINITY, f64::min)
    };
    let prefs = {
        let mut h = harness_sized(dir.path(), common::clock(), egui::vec2(1366.0, 768.0));
        run_wizard(&mut h);
        click(&mut h, "文件台账");
        assert!(h.state_mut().prefs().register_widths.is_empty());
        click(&mut h, "显示列…");
        click(&mut h, "来文单位");
        h.key_press(egui::Key::Escape);
        h.run();
        // Drag the right edge of 密级标志 40 points to the right.
        let marking = header(&h, "密级标志").expect("the 密级标志 column");
        let next = next_column_x(&h, marking.x0);
        // The edge lies half a spacing before the next column's text.
        let edge = egui::pos2(next as f32 - 4.0, ((marking.y0 + marking.y1) / 2.0) as f32);
        h.event(egui::Event::PointerMoved(edge));
        h.step();
        h.event(egui::Event::PointerButton {
            pos: edge,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
        for dx in [10.0, 20.0, 30.0, 40.0] {
            h.event(egui::Event::PointerMoved(edge + egui::vec2(dx, 0.0)));
            h.run();
        }
        h.event(egui::Event::PointerButton {
            pos: edge + egui::vec2(40.0, 0.0),
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
        h.run();
        let prefs = h.state_mut().prefs().clone();
        assert!(prefs.register_columns.contains(&"issuing_unit".to_owned()));
        let w = prefs
            .register_widths
            .get("marking")
            .copied()
            .unwrap_or_default();
        // Wider by what the pointer moved once the drag began (egui starts a drag after a
        // few points), and never past the pointer.
        assert!((108.0..=133.0).contains(&w), "dragged to {w}");
        assert_eq!(prefs.register_widths.len(), 1, "{prefs:?}");
        (prefs, w)
    };
    let (prefs, w) = prefs;
    // The next run, with the preferences saved: the same columns, the same width.
    let mut h = harness_sized(dir.path(), common::clock(), egui::vec2(1366.0, 768.0));
    h.state_mut().set_prefs(prefs);
    common::gui::sign_in_as(&mut h, "保密工作人人有责 2026!");
    click(&mut h, "文件台账");
    let marking = header(&h, "密级标志").unwrap();
    let next = next_column_x(&h, marking.x0);
    assert!(
        ((next - marking.x0) as f32 - (w + 8.0)).abs() < 1.0,
        "密级标志 is {} wide with the spacing, {w} was saved",
        next - marking.x0
    );
    // 来文单位 is still chosen (shown when the window has room).
    click(&mut h, "显示列…");
    let chosen = h
        .query_all_by_label_contains("来文单位")
        .find(|n| n.accesskit_node().role() == Role::CheckBox)
        .expect("来文单位 in the menu");
    assert_eq!(
        chosen.accesskit_node().toggled(),
        Some(egui::accesskit::Toggled::True)
    );
}
