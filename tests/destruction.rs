//! Destruction lists (R3.2.4: approved, executed with two people present), holds, stock-taking
//! (R4.1), the declassification review (R2.2) and incidents (R5.1), through the ledger's use
//! cases: each refusal named by its clause, every copy change through the one custody path,
//! every action audited with its object's name.

mod common;

use baomi::domain::copy_state::CopyState;
use baomi::domain::destruction::Method;
use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::domain::outgoing::Channel;
use baomi::domain::person::Clearance;
use baomi::domain::role::Role;
use baomi::domain::secrecy::DecisionKind;
use baomi::domain::stocktake::Outcome;
use baomi::ledger::borrowing::{self, BorrowRequest, Decider};
use baomi::ledger::cabinets::CabinetId;
use baomi::ledger::custody::{self, CopyMove};
use baomi::ledger::destruction::{self, Execution, ListState};
use baomi::ledger::documents::{self, CopyId, DocumentEdit, DocumentId, IncomingInput};
use baomi::ledger::holds::{self, HoldTarget};
use baomi::ledger::incidents::{self, Kind, NewIncident, Progress};
use baomi::ledger::outgoing::{self, DistributionInput, OutgoingDraft};
use baomi::ledger::people::{self, NewPerson, PersonId};
use baomi::ledger::secrecy::{self, Decision};
use baomi::ledger::stocktake::{self, How};
use baomi::ledger::users::{self, NewUser};
use baomi::ledger::{LedgerError, Session};
use common::{cabinet, day};

const HEAD_PASS: &str = "党办主任的口令 2026";

struct Office {
    head: PersonId,
    witness: PersonId,
    borrower: PersonId,
    cab: CabinetId,
}

/// A head with an account (who approves), a colleague who can witness, a borrower, and a 机密
/// cabinet.
fn office(s: &mut Session) -> Office {
    users::add_user(
        s,
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
    users::owner_changed_passphrase_for_tests(s, "head").unwrap();
    let head = people::list(s)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "赵主任")
        .unwrap()
        .id;
    let add = |s: &mut Session, name: &str| {
        people::add(
            s,
            &NewPerson {
                name: name.into(),
                department: "党办".into(),
                clearance: Clearance::Core,
                pledge_signed_on: Some(day(2026, 1, 5)),
                ..NewPerson::default()
            },
        )
        .unwrap()
    };
    let witness = add(s, "孙干事");
    let borrower = add(s, "周工");
    let cab = cabinet(s, "JM-01", Level::Jimi);
    Office {
        head,
        witness,
        borrower,
        cab,
    }
}

/// A registered 机密 document with `n` copies in `cab`, dated `dated` with `period`.
fn document(
    s: &mut Session,
    cab: CabinetId,
    n: u32,
    title: &str,
    dated: chrono::NaiveDate,
    period: SecrecyPeriod,
) -> (DocumentId, Vec<CopyId>) {
    let id = documents::register_incoming(
        s,
        &IncomingInput {
            received_on: day(2026, 11, 20),
            signed_for_by: PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: "集团党办发〔2016〕45号".into(),
            title: title.into(),
            category: Category::MajorDecision,
            level: Level::Jimi,
            period,
            dated,
            pages: 6,
            attachments: 0,
            copy_numbers: (1..=n).collect(),
            cabinet: cab,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    let copies = documents::copies(s, id)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    (id, copies)
}

/// A request to read `copy` for three working days.
fn ask(copy: CopyId, borrower: PersonId) -> BorrowRequest {
    BorrowRequest {
        copy,
        borrower,
        reason: "查阅".into(),
        days: 3,
        place: String::new(),
        justification: String::new(),
        overdue_override: None,
    }
}

fn state_of(s: &Session, copy: CopyId) -> CopyState {
    let doc = documents::document_of_copy(s, copy).unwrap();
    documents::copies(s, doc.id)
        .unwrap()
        .into_iter()
        .find(|c| c.id == copy)
        .unwrap()
        .state
}

fn head<'a>(p: &'a baomi::ledger::Passphrase) -> Decider<'a> {
    Decider::SignedIn {
        login: "head",
        passphrase: p,
    }
}

fn shredded(destroyer: PersonId, supervisors: Vec<PersonId>) -> Execution {
    Execution {
        on: day(2026, 11, 26),
        method: Method::Shredder,
        detail: "科密 3888（保密局认证型号）".into(),
        receipt_no: String::new(),
        place: "党办机要室".into(),
        destroyer,
        supervisors,
    }
}

fn refusal(r: Result<impl std::fmt::Debug, LedgerError>) -> String {
    match r {
        Err(LedgerError::Invalid(m)) => m.zh().to_owned(),
        Err(e @ LedgerError::Refused(_)) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn actions(s: &mut Session) -> Vec<(String, String)> {
    baomi::audit::recent(s.raw_connection_for_tests(), 10_000)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail_json))
        .collect()
}

#[test]
fn r3_2_4_a_list_approved_by_the_head_and_executed_by_two_people_destroys_for_ever() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let o = office(&mut s);
    let (doc, copies) = document(
        &mut s,
        o.cab,
        2,
        "关于某项目的会议纪要",
        day(2016, 1, 1),
        SecrecyPeriod::Years(10),
    );
    let list = destruction::create(&mut s, "年度清理").unwrap();
    for c in &copies {
        destruction::add_item(&mut s, list, *c, "超过保密期限且无保存价值").unwrap();
    }
    // Without approval nothing is destroyed.
    let text = refusal(destruction::execute(
        &mut s,
        list,
        &shredded(PersonId(1), vec![o.witness]),
    ));
    assert!(text.contains("待审批"), "{text}");
    // The head's passphrase is checked; a wrong one approves nothing.
    let wrong = common::pass("不是这个口令");
    assert!(refusal(destruction::approve(&mut s, list, &head(&wrong), "")).contains("口令"));
    let p = common::pass(HEAD_PASS);
    destruction::approve(&mut s, list, &head(&p), "同意销毁").unwrap();
    // One person alone, or the destroyer supervising themself, is refused.
    let text = refusal(destruction::execute(
        &mut s,
        list,
        &shredded(PersonId(1), vec![]),
    ));
    assert!(text.contains("两人在场"), "{text}");
    let text = refusal(destruction::execute(
        &mut s,
        list,
        &shredded(PersonId(1), vec![PersonId(1)]),
    ));
    assert!(text.contains("监销人不能是销毁人"), "{text}");
    let text = refusal(destruction::execute(
        &mut s,
        list,
        &shredded(o.head, vec![o.witness]),
    ));
    assert!(text.contains("审批人不能同时担任销毁人"), "{text}");
    // The approver may supervise.
    destruction::execute(&mut s, list, &shredded(PersonId(1), vec![o.head])).unwrap();
    for c in &copies {
        assert_eq!(state_of(&s, *c), CopyState::Destroyed);
    }
    let d = destruction::get(&s, list).unwrap();
    assert_eq!(d.state, ListState::Executed);
    assert_eq!(d.list_no, "销毁〔2026〕1号");
    assert_eq!(d.supervisors, vec![(o.head, "赵主任".to_owned())]);
    assert_eq!(d.approval_kind.as_deref(), Some("signed_in"));
    let document = documents::get(&s, doc).unwrap();
    assert!(document.all_destroyed);
    // Destroyed is final by every path: by hand, borrowing, outgoing, another list.
    let text = refusal(custody::move_copy(
        &mut s,
        copies[0],
        &CopyMove {
            expected: CopyState::Destroyed,
            to: CopyState::InCabinet,
            cabinet: Some(o.cab),
            holder: None,
            place: String::new(),
            note: "找回".into(),
        },
    ));
    assert!(text.contains("R3.1.1"), "{text}");
    let text = refusal(borrowing::request(&mut s, &ask(copies[0], o.borrower)));
    assert!(text.contains("已销毁"), "{text}");
    let again = destruction::create(&mut s, "").unwrap();
    assert!(refusal(destruction::add_item(&mut s, again, copies[0], "重复")).contains("已销毁"));
    // The registration is kept for ever: no edit, no void.
    let edit = DocumentEdit {
        remarks: "改一下".into(),
        ..DocumentEdit::from_document(&document)
    };
    assert!(refusal(documents::edit(&mut s, doc, &edit, "更正")).contains("全部份号已销毁"));
    assert!(refusal(documents::void(&mut s, doc, "作废")).contains("永久保留"));
    // The executed list is never changed, even by SQL.
    let raw = s.raw_connection_for_tests();
    assert!(
        raw.execute(
            "UPDATE destructions SET place = 'x' WHERE id = ?1",
            [list.0]
        )
        .is_err()
    );
    assert!(raw.execute("DELETE FROM destruction_items", []).is_err());
    // Every step audited, naming the list.
    let events = actions(&mut s);
    for action in [
        "destruction.create",
        "destruction.add_item",
        "destruction.approve",
        "destruction.execute",
    ] {
        assert!(
            events
                .iter()
                .any(|(a, d)| a == action && d.contains("销毁〔2026〕1号")),
            "{action}"
        );
    }
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_2_4_destruction_is_refused_for_a_borrowed_held_or_distributed_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let o = office(&mut s);
    let (doc, copies) = document(
        &mut s,
        o.cab,
        3,
        "关于某项目的会议纪要",
        day(2026, 1, 1),
        SecrecyPeriod::Years(10),
    );
    let list = destruction::create(&mut s, "").unwrap();
    // A copy requested for borrowing (and then lent) stays off the list.
    let b = borrowing::request(&mut s, &ask(copies[0], o.borrower)).unwrap();
    let text = refusal(destruction::add_item(&mut s, list, copies[0], "无保存价值"));
    assert!(text.contains("未办结的借阅"), "{text}");
    let p = common::pass(HEAD_PASS);
    borrowing::approve(&mut s, b, &head(&p), "").unwrap();
    borrowing::check_out(&mut s, b).unwrap();
    assert!(refusal(destruction::add_item(&mut s, list, copies[0], "无保存价值")).contains("借阅"));
    // A hold on the document keeps every copy off a list, and from being handed out.
    let hold = holds::place(&mut s, HoldTarget::Document(doc), "上级保密检查调阅").unwrap();
    assert!(documents::get(&s, doc).unwrap().held);
    let text = refusal(destruction::add_item(&mut s, list, copies[1], "无保存价值"));
    assert!(text.contains("冻结"), "{text}");
    let b2 = borrowing::request(&mut s, &ask(copies[1], o.borrower)).unwrap();
    borrowing::approve(&mut s, b2, &head(&p), "").unwrap();
    let text = refusal(borrowing::check_out(&mut s, b2));
    assert!(text.contains("冻结") && text.contains("借出"), "{text}");
    borrowing::cancel(&mut s, b2, "冻结中").unwrap();
    // A copy on a list that becomes held cannot be approved or destroyed.
    holds::lift(&mut s, hold, "检查结束").unwrap();
    assert!(!documents::get(&s, doc).unwrap().held);
    destruction::add_item(&mut s, list, copies[1], "无保存价值").unwrap();
    holds::place(&mut s, HoldTarget::Copy(copies[1]), "事件调查").unwrap();
    let text = refusal(destruction::approve(&mut s, list, &head(&p), ""));
    assert!(text.contains("冻结") && text.contains("移出清单"), "{text}");
    // A copy on an open list is not lent.
    let list2_copy = copies[2];
    destruction::add_item(&mut s, list, list2_copy, "无保存价值").unwrap();
    let b3 = borrowing::request(&mut s, &ask(list2_copy, o.borrower)).unwrap();
    borrowing::approve(&mut s, b3, &head(&p), "").unwrap();
    let text = refusal(borrowing::check_out(&mut s, b3));
    assert!(text.contains("销毁〔2026〕1号"), "{text}");
    // A copy sent out whose receipt is not back.
    let sender = o.cab;
    let out = outgoing::create_draft(
        &mut s,
        &OutgoingDraft {
            title: "关于做好年度保密自查工作的通知".into(),
            category: Category::Policy,
            level: Level::Jimi,
            period: SecrecyPeriod::Unspecified,
            dated: day(2026, 11, 25),
            pages: 4,
            drafter: PersonId(1),
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    outgoing::review(&mut s, out, PersonId(1), "").unwrap();
    outgoing::sign(&mut s, out, PersonId(1), "").unwrap();
    outgoing::assign_number(&mut s, out).unwrap();
    outgoing::register(&mut s, out, "").unwrap();
    outgoing::print(&mut s, out, 1, sender).unwrap();
    let sent = documents::copies(&s, out).unwrap()[0].id;
    outgoing::distribute(
        &mut s,
        sent,
        &DistributionInput {
            recipient_unit: "集团公司党委办公室".into(),
            channel: Channel::ConfidentialMail,
            carrier: None,
            tracking_no: "JY2026112601".into(),
            sent_on: day(2026, 11, 26),
        },
    )
    .unwrap();
    let text = refusal(destruction::add_item(&mut s, list, sent, "无保存价值"));
    assert!(text.contains("回执"), "{text}");
    // Holds are audited and cannot be removed.
    let events = actions(&mut s);
    assert!(
        events
            .iter()
            .any(|(a, d)| a == "hold.place" && d.contains("上级保密检查调阅"))
    );
    assert!(
        events
            .iter()
            .any(|(a, d)| a == "hold.lift" && d.contains("检查结束"))
    );
    assert!(
        s.raw_connection_for_tests()
            .execute("DELETE FROM holds", [])
            .is_err()
    );
}

#[test]
fn r4_1_stock_taking_classifies_all_four_outcomes_and_leaves_loans_out_of_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let o = office(&mut s);
    let other = cabinet(&mut s, "JM-02", Level::Jimi);
    let (_, a) = document(
        &mut s,
        o.cab,
        4,
        "甲文件",
        day(2026, 1, 1),
        SecrecyPeriod::Years(10),
    );
    let (_, b) = document(
        &mut s,
        other,
        1,
        "乙文件",
        day(2026, 1, 1),
        SecrecyPeriod::Years(10),
    );
    // a[3] is on loan.
    let p = common::pass(HEAD_PASS);
    let loan = borrowing::request(&mut s, &ask(a[3], o.borrower)).unwrap();
    borrowing::approve(&mut s, loan, &head(&p), "").unwrap();
    borrowing::check_out(&mut s, loan).unwrap();
    let round = stocktake::start(&mut s, Some(&[o.cab]), "第四季度自查").unwrap();
    // Another round cannot start meanwhile; a cabinet outside the round cannot be scanned.
    assert!(refusal(stocktake::start(&mut s, None, "")).contains("尚未完成"));
    assert!(refusal(stocktake::mark(&mut s, round, other, "copy-1", How::Scan)).contains("范围"));
    let m = stocktake::mark(&mut s, round, o.cab, &format!("copy-{}", a[0].0), How::Scan).unwrap();
    assert_eq!(m.outcome, Outcome::Found);
    assert!(
        m.text.zh().contains("甲文件") && m.text.zh().contains("在位"),
        "{}",
        m.text
    );
    let again =
        stocktake::mark(&mut s, round, o.cab, &format!("copy-{}", a[0].0), How::Scan).unwrap();
    assert!(again.already && again.text.zh().contains("已登记过"));
    stocktake::mark(&mut s, round, o.cab, &a[1].0.to_string(), How::Tick).unwrap();
    // a[2] is not scanned: missing. b[0] lies in the wrong cabinet. A stray label.
    let wrong =
        stocktake::mark(&mut s, round, o.cab, &format!("copy-{}", b[0].0), How::Scan).unwrap();
    assert_eq!(wrong.outcome, Outcome::WrongCabinet);
    assert!(wrong.text.zh().contains("JM-02"), "{}", wrong.text);
    let stray = stocktake::mark(&mut s, round, o.cab, "copy-99999", How::Scan).unwrap();
    assert_eq!(stray.outcome, Outcome::Unexpected);
    // A mis-scan is withdrawn.
    stocktake::mark(&mut s, round, o.cab, "copy-88888", How::Scan).unwrap();
    stocktake::unmark(&mut s, round, "copy-88888").unwrap();
    let live = stocktake::report(&s, round).unwrap();
    let outcome = |r: &stocktake::Report, c: CopyId| {
        r.lines
            .iter()
            .find(|l| l.copy == Some(c))
            .map(|l| l.outcome)
    };
    assert_eq!(outcome(&live, a[0]), Some(Outcome::Found));
    assert_eq!(outcome(&live, a[1]), Some(Outcome::Found));
    assert_eq!(outcome(&live, a[2]), Some(Outcome::Missing));
    assert_eq!(
        outcome(&live, a[3]),
        Some(Outcome::Out),
        "a loan is not missing"
    );
    assert_eq!(outcome(&live, b[0]), Some(Outcome::WrongCabinet));
    assert_eq!(live.count(Outcome::Unexpected), 1);
    assert_eq!(live.count(Outcome::Missing), 1);
    let counts = stocktake::close(&mut s, round, "").unwrap();
    assert_eq!(counts[&Outcome::Found], 2);
    // Frozen: the ledger moving afterwards does not change a closed round.
    borrowing::return_copy(&mut s, loan, PersonId(1), true, "", None).unwrap();
    let closed = stocktake::report(&s, round).unwrap();
    assert_eq!(outcome(&closed, a[3]), Some(Outcome::Out));
    assert!(refusal(stocktake::mark(&mut s, round, o.cab, "copy-1", How::Scan)).contains("已完成"));
    // The dashboard's table: the cabinet checked today, the other never.
    let last = stocktake::last_by_cabinet(&s).unwrap();
    let jm1 = last.iter().find(|c| c.code == "JM-01").unwrap();
    let jm2 = last.iter().find(|c| c.code == "JM-02").unwrap();
    assert_eq!((jm1.last, jm1.overdue), (Some(day(2026, 11, 26)), false));
    assert_eq!((jm2.last, jm2.overdue), (None, true));
    // A missing copy opens an incident; it is recorded lost through the custody path.
    let inc = incidents::open(
        &mut s,
        &NewIncident {
            kind: Kind::Loss,
            occurred_on: day(2026, 11, 26),
            discovered_on: day(2026, 11, 26),
            description: "清查时未找到".into(),
            copies: vec![(a[2], true)],
            people: vec![PersonId(1)],
            people_note: String::new(),
            measures: "全面查找".into(),
            stocktake: Some(round),
            borrow: None,
        },
    )
    .unwrap();
    assert_eq!(state_of(&s, a[2]), CopyState::Lost);
    let i = incidents::get(&s, inc).unwrap();
    assert_eq!(i.incident_no, "事件〔2026〕1号");
    assert_eq!(i.stocktake.as_deref(), Some("清查〔2026〕1号"));
    incidents::update(
        &mut s,
        inc,
        &Progress {
            measures: "全面查找，未找到".into(),
            reported_to: "市国家保密局".into(),
            reported_on: Some(day(2026, 11, 26)),
            outcome: String::new(),
        },
        false,
    )
    .unwrap();
    assert!(
        refusal(incidents::update(&mut s, inc, &Progress::default(), true)).contains("处理结果")
    );
    incidents::update(
        &mut s,
        inc,
        &Progress {
            measures: "全面查找，未找到".into(),
            reported_to: "市国家保密局".into(),
            reported_on: Some(day(2026, 11, 26)),
            outcome: "已按规定报告，责任人作检查".into(),
        },
        true,
    )
    .unwrap();
    assert!(
        refusal(incidents::update(&mut s, inc, &Progress::default(), false)).contains("已办结")
    );
    let events = actions(&mut s);
    for (action, name) in [
        ("stocktake.start", "清查〔2026〕1号"),
        ("stocktake.mark", "清查〔2026〕1号"),
        ("stocktake.unmark", "copy-88888"),
        ("stocktake.close", "清查〔2026〕1号"),
        ("incident.open", "事件〔2026〕1号"),
        ("incident.close", "事件〔2026〕1号"),
    ] {
        assert!(
            events.iter().any(|(a, d)| a == action && d.contains(name)),
            "{action}"
        );
    }
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r2_2_declassification_extension_within_the_maximum_and_a_change_of_level_rechecks_cabinets() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let o = office(&mut s);
    // Ten years from 2016-12-10: ends within 30 days of 2026-11-26.
    let (doc, copies) = document(
        &mut s,
        o.cab,
        1,
        "到期文件",
        day(2016, 12, 10),
        SecrecyPeriod::Years(10),
    );
    let (later, _) = document(
        &mut s,
        o.cab,
        1,
        "未到期文件",
        day(2020, 1, 1),
        SecrecyPeriod::Years(10),
    );
    let due = secrecy::due(&s).unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!((due[0].document, due[0].days_left), (doc, 14));
    let decision = |kind, level, period| Decision {
        kind,
        level,
        period,
        decided_on: day(2026, 11, 26),
        decided_by: "集团公司党委办公室".into(),
        authority: "集团党办发〔2026〕60号".into(),
        reason: "到期审查".into(),
        move_to: None,
    };
    // 延长 beyond 机密's statutory 20 years is refused; within it, accepted.
    let text = refusal(secrecy::decide(
        &mut s,
        doc,
        &decision(DecisionKind::Extend, Level::Jimi, SecrecyPeriod::Years(21)),
    ));
    assert!(text.contains("20年"), "{text}");
    secrecy::decide(
        &mut s,
        doc,
        &decision(DecisionKind::Extend, Level::Jimi, SecrecyPeriod::Years(15)),
    )
    .unwrap();
    assert_eq!(documents::get(&s, doc).unwrap().marking, "机密★15年");
    assert!(secrecy::due(&s).unwrap().is_empty());
    // 变更密级 to 绝密: the 机密 cabinet no longer fits; refused naming the copy, then moved.
    let top = cabinet(&mut s, "JUE-01", Level::Juemi);
    let text = refusal(secrecy::decide(
        &mut s,
        later,
        &decision(
            DecisionKind::ChangeLevel,
            Level::Juemi,
            SecrecyPeriod::Years(30),
        ),
    ));
    assert!(text.contains("第1份"), "{text}");
    assert_eq!(documents::get(&s, later).unwrap().level, Level::Jimi);
    secrecy::decide(
        &mut s,
        later,
        &Decision {
            move_to: Some(top),
            ..decision(
                DecisionKind::ChangeLevel,
                Level::Juemi,
                SecrecyPeriod::Years(30),
            )
        },
    )
    .unwrap();
    let moved = documents::copies(&s, later).unwrap();
    assert_eq!(moved[0].cabinet, Some(top));
    assert_eq!(documents::get(&s, later).unwrap().marking, "绝密★30年");
    // 解密: the marking reads so; the copy may then go on a destruction list.
    secrecy::decide(
        &mut s,
        doc,
        &decision(
            DecisionKind::Declassify,
            Level::Jimi,
            SecrecyPeriod::Years(15),
        ),
    )
    .unwrap();
    let d = documents::get(&s, doc).unwrap();
    assert_eq!(d.declassified_on.as_deref(), Some("2026-11-26"));
    assert_eq!(d.marking, "已解密（原机密★15年）");
    let text = refusal(secrecy::decide(
        &mut s,
        doc,
        &decision(DecisionKind::Extend, Level::Jimi, SecrecyPeriod::Years(20)),
    ));
    assert!(text.contains("已解密"), "{text}");
    let candidates = destruction::candidates(&s).unwrap();
    assert!(
        candidates
            .iter()
            .any(|(c, why)| *c == copies[0] && why.contains("已解密"))
    );
    // An edit of the level goes through the same path (a correction, cabinets checked).
    let (third, _) = document(
        &mut s,
        o.cab,
        1,
        "登记有误的文件",
        day(2026, 1, 1),
        SecrecyPeriod::Years(10),
    );
    let current = documents::get(&s, third).unwrap();
    let text = refusal(documents::edit(
        &mut s,
        third,
        &DocumentEdit {
            level: Level::Juemi,
            period: SecrecyPeriod::Years(30),
            ..DocumentEdit::from_document(&current)
        },
        "原登记密级有误",
    ));
    assert!(text.contains("专柜"), "{text}");
    documents::edit(
        &mut s,
        third,
        &DocumentEdit {
            level: Level::Mimi,
            period: SecrecyPeriod::Years(5),
            ..DocumentEdit::from_document(&current)
        },
        "原登记密级有误",
    )
    .unwrap();
    let corrected = secrecy::history(&s, third).unwrap();
    assert_eq!(corrected.len(), 1);
    assert_eq!(corrected[0].kind, DecisionKind::Correction);
    assert_eq!(documents::get(&s, third).unwrap().marking, "秘密★5年");
    let history = secrecy::history(&s, later).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].kind, DecisionKind::ChangeLevel);
    assert_eq!(history[0].to_marking, "绝密★30年");
    let events = actions(&mut s);
    assert!(
        events
            .iter()
            .any(|(a, d)| a == "secrecy.decide" && d.contains("到期文件") && d.contains("60号"))
    );
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_2_4_a_list_of_twenty_prints_on_one_a4_page_and_a_longer_one_is_numbered() {
    use baomi::ledger::printing::{self, PrintTarget, Printable};
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let o = office(&mut s);
    let titles = [
        "关于加强重要项目保密管理工作的通知",
        "关于做好年度保密自查自评工作的函",
        "关于召开党委会议研究重大事项的意见",
    ];
    let mut copies = Vec::new();
    for i in 0..22 {
        let (_, c) = document(
            &mut s,
            o.cab,
            3,
            titles[i % 3],
            day(2016, 1, 1),
            SecrecyPeriod::Years(10),
        );
        copies.extend(c);
    }
    let short = destruction::create(&mut s, "").unwrap();
    for c in &copies[..20] {
        destruction::add_item(&mut s, short, *c, "超过保密期限且无保存价值").unwrap();
    }
    let long = destruction::create(&mut s, "").unwrap();
    for c in &copies[20..] {
        destruction::add_item(&mut s, long, *c, "超过保密期限且无保存价值").unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path();
    let one = out.join("twenty.pdf");
    let printed = printing::print(
        &mut s,
        Printable::DestructionList(short),
        &PrintTarget::File(one.clone()),
    )
    .unwrap();
    assert_eq!(printed.pages, 1, "twenty items on one A4 page");
    if let Ok(keep) = std::env::var("BAOMI_KEEP_PDF") {
        std::fs::copy(&one, keep).unwrap();
    }
    let more = out.join("twentyfive.pdf");
    let p = common::pass(HEAD_PASS);
    destruction::approve(&mut s, long, &head(&p), "").unwrap();
    let printed = printing::print(
        &mut s,
        Printable::DestructionList(long),
        &PrintTarget::File(more.clone()),
    )
    .unwrap();
    assert_eq!(printed.pages, 2, "46 items go on to a second page");
    if let Ok(o) = std::process::Command::new("pdftotext")
        .args([one.to_str().unwrap(), "-"])
        .output()
    {
        let t: String = String::from_utf8_lossy(&o.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(
            t.contains("涉密载体销毁清单") && t.contains("销毁〔2026〕1号"),
            "{t}"
        );
        assert!(t.contains("第1页/共1页") && t.contains("监销人"), "{t}");
        assert!(t.contains("待审批"), "{t}");
        let o = std::process::Command::new("pdftotext")
            .args([more.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let t: String = String::from_utf8_lossy(&o.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(t.contains("已批准待销毁") && t.contains("赵主任"), "{t}");
        assert!(t.contains("第2页/共2页") && t.contains("（续）"), "{t}");
    }
    let events = actions(&mut s);
    assert!(
        events
            .iter()
            .any(|(a, d)| a == "print.destruction_list" && d.contains("销毁〔2026〕1号"))
    );
}

#[test]
fn r4_3_the_stock_taking_reminder_and_the_review_window_are_settings_within_bounds_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    assert_eq!(
        stocktake::warn_days(&s).unwrap(),
        92,
        "a quarter by default"
    );
    assert_eq!(secrecy::window_days(&s).unwrap(), 30);
    assert!(refusal(stocktake::set_warn_days(&mut s, 3)).contains("7 到 366"));
    assert!(refusal(secrecy::set_window_days(&mut s, 0)).contains("1 到 366"));
    stocktake::set_warn_days(&mut s, 30).unwrap();
    secrecy::set_window_days(&mut s, 60).unwrap();
    assert_eq!(stocktake::warn_days(&s).unwrap(), 30);
    assert_eq!(secrecy::window_days(&s).unwrap(), 60);
    let events = actions(&mut s);
    assert!(
        events
            .iter()
            .any(|(a, d)| a == "settings.update" && d.contains("stocktake_warn_days"))
    );
}

/// What an outside review of this code found, each closed: returning a held or listed
/// copy to its sender, extending to 长期, a mark judged by what happened after it, voiding a
/// registration whose copies wait on a list, a date and period corrected together, rows added to
/// closed records behind the ledger's back, a round of every cabinet crediting a later one.
#[test]
fn r3_2_4_r4_1_r2_2_the_holes_an_outside_review_found_stay_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let o = office(&mut s);
    let (doc, copies) = document(
        &mut s,
        o.cab,
        3,
        "关于某项目的会议纪要",
        day(2016, 1, 1),
        SecrecyPeriod::Years(10),
    );
    let back = |s: &mut Session, c: CopyId| {
        custody::move_copy(
            s,
            c,
            &CopyMove {
                expected: CopyState::InCabinet,
                to: CopyState::ReturnedToSender,
                cabinet: None,
                holder: None,
                place: "集团公司党委办公室".into(),
                note: "退回".into(),
            },
        )
    };
    // A held copy is not returned to its sender; nor one on an open list.
    let hold = holds::place(&mut s, HoldTarget::Copy(copies[0]), "检查").unwrap();
    assert!(refusal(back(&mut s, copies[0])).contains("冻结"));
    holds::lift(&mut s, hold, "检查结束").unwrap();
    let list = destruction::create(&mut s, "").unwrap();
    destruction::add_item(&mut s, list, copies[0], "无保存价值").unwrap();
    assert!(refusal(back(&mut s, copies[0])).contains("销毁〔2026〕1号"));
    // Nor is its registration voided meanwhile.
    assert!(refusal(documents::void(&mut s, doc, "误登")).contains("销毁〔2026〕1号"));
    // 长期 is not an extension.
    let text = refusal(secrecy::decide(
        &mut s,
        doc,
        &Decision {
            kind: DecisionKind::Extend,
            level: Level::Jimi,
            period: SecrecyPeriod::LongTerm,
            decided_on: day(2026, 11, 26),
            decided_by: "集团公司党委办公室".into(),
            authority: "通知".into(),
            reason: String::new(),
            move_to: None,
        },
    ));
    assert!(text.contains("长期"), "{text}");
    // A copy found in place, then lent before closing, stays found.
    let p = common::pass(HEAD_PASS);
    let round = stocktake::start(&mut s, None, "").unwrap();
    stocktake::mark(
        &mut s,
        round,
        o.cab,
        &format!("copy-{}", copies[1].0),
        How::Scan,
    )
    .unwrap();
    let loan = borrowing::request(&mut s, &ask(copies[1], o.borrower)).unwrap();
    borrowing::approve(&mut s, loan, &head(&p), "").unwrap();
    borrowing::check_out(&mut s, loan).unwrap();
    stocktake::close(&mut s, round, "").unwrap();
    let r = stocktake::report(&s, round).unwrap();
    let of = |c: CopyId| {
        r.lines
            .iter()
            .find(|l| l.copy == Some(c))
            .map(|l| l.outcome)
    };
    assert_eq!(of(copies[1]), Some(Outcome::Found));
    // A round of every cabinet does not count for a cabinet added after it.
    let later = cabinet(&mut s, "JM-09", Level::Jimi);
    let last = stocktake::last_by_cabinet(&s).unwrap();
    let k = last.iter().find(|c| c.cabinet == later).unwrap();
    assert_eq!((k.last, k.overdue), (None, true));
    // Closed records take no new rows, even by SQL.
    let raw = s.raw_connection_for_tests();
    assert!(
        raw.execute(
            "INSERT INTO stocktake_marks (stocktake_id, cabinet_id, copy_id, code, how, outcome, \
             at, user_id) VALUES (?1, ?2, ?3, 'copy-x', 'scan', 'found', '2026', 1)",
            rusqlite::params![round.0, o.cab.0, copies[2].0],
        )
        .is_err()
    );
    assert!(
        raw.execute(
            "UPDATE destructions SET state = 'executed' WHERE id = ?1",
            [list.0]
        )
        .is_err(),
        "draft → executed skips the approval"
    );
    // The date and the period of a registration are corrected together.
    let (wrong, _) = document(
        &mut s,
        o.cab,
        1,
        "登记日期有误的文件",
        day(2015, 3, 1),
        SecrecyPeriod::Until(day(2018, 1, 1)),
    );
    let current = documents::get(&s, wrong).unwrap();
    documents::edit(
        &mut s,
        wrong,
        &DocumentEdit {
            dated: day(2020, 3, 1),
            period: SecrecyPeriod::Until(day(2029, 12, 31)),
            ..DocumentEdit::from_document(&current)
        },
        "成文日期和保密期限登记有误",
    )
    .unwrap();
    assert_eq!(
        documents::get(&s, wrong).unwrap().marking,
        "机密★2029年12月31日"
    );
    assert_eq!(
        secrecy::history(&s, wrong).unwrap()[0].kind,
        DecisionKind::Correction
    );
}
