//! The one custody path (R3.1.1): every change of a copy's state goes through the ledger's
//! custody function, inside one transaction; a transition a flow owns is refused anywhere else
//! (lending R3.1.3, sending out R3.1.2, destroying), a copy on loan cannot be moved by hand, and
//! two writers racing on one copy end with one success and one clear refusal.

mod common;

use std::sync::{Arc, Barrier};

use baomi::domain::copy_state::CopyState;
use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::domain::person::Clearance;
use baomi::domain::role::Role;
use baomi::ledger::borrowing::{self, BorrowRequest, Decider};
use baomi::ledger::custody::{self, CopyMove};
use baomi::ledger::documents::{self, CopyId, IncomingInput};
use baomi::ledger::people::{self, NewPerson, PersonId};
use baomi::ledger::users::{self, NewUser};
use baomi::ledger::{LockedLedger, Session};
use common::{cabinet, day};

const HEAD_PASS: &str = "党办主任的口令 2026";

/// A copy of a new document of `level`, in a cabinet fit for it.
fn copy_of(s: &mut Session, level: Level, code: &str) -> CopyId {
    let cab = cabinet(s, code, level);
    let id = documents::register_incoming(
        s,
        &IncomingInput {
            received_on: day(2026, 11, 20),
            signed_for_by: PersonId(1),
            issuing_unit: "集团公司党委办公室".into(),
            doc_no: "集团党办发〔2026〕45号".into(),
            title: "关于加强重要项目保密管理工作的通知".into(),
            category: Category::MajorDecision,
            level,
            period: SecrecyPeriod::Unspecified,
            dated: day(2026, 11, 18),
            pages: 6,
            attachments: 0,
            copy_numbers: vec![1],
            cabinet: cab,
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    documents::copies(s, id).unwrap()[0].id
}

fn by_hand(expected: CopyState, to: CopyState) -> CopyMove {
    CopyMove {
        expected,
        to,
        cabinet: None,
        holder: Some(PersonId(1)),
        place: "某处".into(),
        note: "手工登记".into(),
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

fn copy_moves(s: &mut Session) -> usize {
    baomi::audit::recent(s.raw_connection_for_tests(), 10_000)
        .unwrap()
        .iter()
        .filter(|e| e.action == "copy.move")
        .count()
}

#[test]
fn r3_1_3_r3_1_2_lending_sending_out_and_destroying_by_hand_are_refused_for_every_level() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    for (i, level) in Level::ALL.into_iter().enumerate() {
        let copy = copy_of(&mut s, level, &format!("C-{i}"));
        for (to, words, clause) in [
            (CopyState::Borrowed, "借阅流程", "R3.1.3"),
            (CopyState::SentOut, "发文流程的分发", "R3.1.2"),
            (CopyState::Destroyed, "销毁清单", "两人在场"),
        ] {
            let err =
                custody::move_copy(&mut s, copy, &by_hand(CopyState::InCabinet, to)).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(words) && text.contains(clause),
                "{level:?} → {to:?}: {text}"
            );
            assert_eq!(state_of(&s, copy), CopyState::InCabinet, "{level:?}");
        }
    }
    assert_eq!(copy_moves(&mut s), 0, "no refused move was audited as done");
    assert!(s.verify_audit().unwrap().is_intact());
}

/// An office with a head (党办负责人), a department head and a borrower cleared for 绝密.
fn office(s: &mut Session) -> (PersonId, PersonId) {
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
    users::add_user(
        s,
        &NewUser {
            login: "dept".into(),
            person: NewPerson {
                name: "钱部长".into(),
                department: "工程部".into(),
                clearance: Clearance::Core,
                pledge_signed_on: Some(day(2026, 1, 5)),
                ..NewPerson::default()
            },
            role: Role::DeptHead,
        },
        &common::pass("部门负责人的口令 2026"),
    )
    .unwrap();
    users::owner_changed_passphrase_for_tests(s, "dept").unwrap();
    let find = |s: &Session, name: &str| {
        people::list(s)
            .unwrap()
            .into_iter()
            .find(|p| p.name == name)
            .unwrap()
            .id
    };
    let dept_head = find(s, "钱部长");
    let borrower = people::add(
        s,
        &NewPerson {
            name: "周工".into(),
            department: "工程部".into(),
            clearance: Clearance::Core,
            pledge_signed_on: Some(day(2026, 1, 5)),
            ..NewPerson::default()
        },
    )
    .unwrap();
    let _ = find(s, "赵主任");
    (dept_head, borrower)
}

#[test]
fn r3_1_3_a_copy_on_loan_or_with_a_pending_request_cannot_be_moved_by_hand_at_any_level() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let (dept_head, borrower) = office(&mut s);
    let head_pass = common::pass(HEAD_PASS);
    for (i, level) in Level::ALL.into_iter().enumerate() {
        let copy = copy_of(&mut s, level, &format!("L-{i}"));
        let id = borrowing::request(
            &mut s,
            &BorrowRequest {
                copy,
                borrower,
                reason: "核对原文".into(),
                days: 1,
                place: "机要阅览室".into(),
                justification: "起草专项报告须核对原文".into(),
                overdue_override: None,
            },
        )
        .unwrap();
        // A request under way: the copy is promised, not to be moved by hand.
        let err = custody::move_copy(
            &mut s,
            copy,
            &by_hand(CopyState::InCabinet, CopyState::Lost),
        )
        .unwrap_err();
        assert!(err.to_string().contains("未办结的借阅"), "{level:?}: {err}");
        let decider = match level {
            Level::Mimi => Decider::Paper {
                person: dept_head,
                reference: "审批单 1",
            },
            Level::NeibuMingan => Decider::Paper {
                person: PersonId(1),
                reference: "审批单 2",
            },
            _ => Decider::SignedIn {
                login: "head",
                passphrase: &head_pass,
            },
        };
        borrowing::approve(&mut s, id, &decider, "同意").unwrap();
        borrowing::check_out(&mut s, id).unwrap();
        for to in [CopyState::InCabinet, CopyState::Lost] {
            let mut mv = by_hand(CopyState::Borrowed, to);
            mv.cabinet = documents::copies(&s, documents::document_of_copy(&s, copy).unwrap().id)
                .unwrap()[0]
                .cabinet;
            let err = custody::move_copy(&mut s, copy, &mv).unwrap_err();
            assert!(
                err.to_string().contains("未办结的借阅（借阅〔2026〕"),
                "{level:?} → {to:?}: {err}"
            );
            assert_eq!(state_of(&s, copy), CopyState::Borrowed);
        }
        // The loan closes only by its return, and the borrowing record closes with it.
        borrowing::return_copy(&mut s, id, PersonId(1), true, "", None).unwrap();
        assert_eq!(state_of(&s, copy), CopyState::InCabinet);
        assert!(borrowing::active_for_copy(&s, copy).unwrap().is_none());
    }
    assert!(
        borrowing::list(&s, borrowing::Which::Out)
            .unwrap()
            .is_empty()
    );
    assert_eq!(copy_moves(&mut s), 0);
}

#[test]
fn r3_1_1_a_move_from_a_stale_view_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let copy = copy_of(&mut s, Level::Mimi, "MM-01");
    custody::move_copy(
        &mut s,
        copy,
        &by_hand(CopyState::InCabinet, CopyState::Lost),
    )
    .unwrap();
    // A screen that still shows the copy in its cabinet.
    let err = custody::move_copy(
        &mut s,
        copy,
        &by_hand(CopyState::InCabinet, CopyState::ReturnedToSender),
    )
    .unwrap_err();
    assert!(err.to_string().contains("已变为“丢失”"), "{err}");
    assert_eq!(state_of(&s, copy), CopyState::Lost);
}

/// Runs `f` on two sessions of the same ledger at once (two writers, as two windows or a
/// window and the command line would be); returns both outcomes.
fn race<T: Send + 'static>(
    dir: &std::path::Path,
    f: impl Fn(&mut Session) -> Result<T, baomi::ledger::LedgerError> + Send + Sync + 'static,
) -> Vec<Result<T, String>> {
    let f = Arc::new(f);
    let start = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let mut s = LockedLedger::open_second_for_tests(dir)
                .unwrap()
                .unlock(
                    "custodian",
                    &common::pass(common::PASS),
                    common::system_clock(),
                )
                .map_err(|(_, e)| e)
                .unwrap();
            let (f, start) = (f.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let out = f(&mut s).map_err(|e| e.to_string());
                drop(s.lock("test"));
                out
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn r3_1_1_two_writers_racing_on_one_copy_one_succeeds_the_other_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (copy, borrow) = {
        let (mut s, _) = common::new_vault(dir.path());
        let copy = copy_of(&mut s, Level::NeibuMingan, "NB-01");
        let other = copy_of(&mut s, Level::NeibuMingan, "NB-02");
        let (_, borrower) = office(&mut s);
        let id = borrowing::request(
            &mut s,
            &BorrowRequest {
                copy: other,
                borrower,
                reason: "核对原文".into(),
                days: 2,
                place: String::new(),
                justification: String::new(),
                overdue_override: None,
            },
        )
        .unwrap();
        borrowing::approve(
            &mut s,
            id,
            &Decider::Paper {
                person: PersonId(1),
                reference: "审批单 3",
            },
            "",
        )
        .unwrap();
        drop(s.lock("test"));
        (copy, id)
    };
    // Two custodians record the same copy as lost at the same moment.
    let outcomes = race(dir.path(), move |s| {
        custody::move_copy(s, copy, &by_hand(CopyState::InCabinet, CopyState::Lost))
    });
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let refusal = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
    assert!(refusal.contains("已变为“丢失”"), "{refusal}");
    // Two check-outs of the same approved loan.
    let outcomes = race(dir.path(), move |s| borrowing::check_out(s, borrow));
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let refusal = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
    assert!(
        refusal.contains("该借阅当前为“借出”，不能借出"),
        "{refusal}"
    );
    let mut s = common::sign_in(
        dir.path(),
        "custodian",
        common::PASS,
        common::system_clock(),
    );
    assert_eq!(state_of(&s, copy), CopyState::Lost);
    assert_eq!(copy_moves(&mut s), 1, "one move, one event");
    assert_eq!(
        borrowing::list(&s, borrowing::Which::Out).unwrap().len(),
        1,
        "one loan"
    );
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn r3_1_2_a_copy_sent_out_is_the_outgoing_flows_until_its_receipt_is_back_then_it_may_be_recalled()
{
    use baomi::domain::outgoing::Channel;
    use baomi::ledger::outgoing::{self, DistributionInput};
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let mm = cabinet(&mut s, "MM-01", Level::Mimi);
    let id = printed_outgoing(&mut s, mm, 1);
    let copy = documents::copies(&s, id).unwrap()[0].id;
    outgoing::distribute(
        &mut s,
        copy,
        &DistributionInput {
            recipient_unit: "集团公司党委办公室".into(),
            channel: Channel::SealedEms,
            carrier: None,
            tracking_no: "EMS 1".into(),
            sent_on: day(2026, 11, 26),
        },
    )
    .unwrap();
    let recall = CopyMove {
        cabinet: Some(mm),
        ..by_hand(CopyState::SentOut, CopyState::InCabinet)
    };
    let err = custody::move_copy(&mut s, copy, &recall).unwrap_err();
    assert!(err.to_string().contains("回执尚未收回"), "{err}");
    assert!(custody::manual_targets_for(&s, copy).unwrap().is_empty());
    outgoing::record_receipt(&mut s, copy, day(2026, 11, 26)).unwrap();
    assert_eq!(
        custody::manual_targets_for(&s, copy).unwrap(),
        vec![CopyState::InCabinet, CopyState::Lost]
    );
    custody::move_copy(&mut s, copy, &recall).unwrap();
    assert_eq!(state_of(&s, copy), CopyState::InCabinet);
}

#[test]
fn r3_1_2_a_copy_lost_in_transit_closes_its_sending_and_a_recalled_copy_can_be_sent_again() {
    use baomi::domain::outgoing::Channel;
    use baomi::ledger::outgoing::{self, DistributionInput};
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let mm = cabinet(&mut s, "MM-01", Level::Mimi);
    let id = printed_outgoing(&mut s, mm, 2);
    let copies = documents::copies(&s, id).unwrap();
    let send = |s: &mut Session, copy, unit: &str| {
        outgoing::distribute(
            s,
            copy,
            &DistributionInput {
                recipient_unit: unit.into(),
                channel: Channel::SealedEms,
                carrier: None,
                tracking_no: "EMS 1".into(),
                sent_on: day(2026, 11, 26),
            },
        )
    };
    // Copy 1 is lost in the post: recorded, its sending closed, no receipt awaited any more.
    send(&mut s, copies[0].id, "市委办公室").unwrap();
    assert_eq!(outgoing::receipts_outstanding(&s).unwrap().0, 1);
    assert!(outgoing::report_lost_in_transit(&mut s, copies[0].id, day(2026, 11, 26), "").is_err());
    outgoing::report_lost_in_transit(&mut s, copies[0].id, day(2026, 11, 26), "邮政查询无果")
        .unwrap();
    assert_eq!(state_of(&s, copies[0].id), CopyState::Lost);
    assert_eq!(outgoing::receipts_outstanding(&s).unwrap().0, 0);
    assert!(outgoing::record_receipt(&mut s, copies[0].id, day(2026, 11, 26)).is_err());
    // Copy 2: sent, receipt back, recalled (清退), sent again elsewhere.
    send(&mut s, copies[1].id, "区委办公室").unwrap();
    outgoing::record_receipt(&mut s, copies[1].id, day(2026, 11, 26)).unwrap();
    custody::move_copy(
        &mut s,
        copies[1].id,
        &CopyMove {
            cabinet: Some(mm),
            ..by_hand(CopyState::SentOut, CopyState::InCabinet)
        },
    )
    .unwrap();
    send(&mut s, copies[1].id, "集团公司党委办公室").unwrap();
    let sent = outgoing::distributions(&s, id).unwrap();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(state_of(&s, copies[1].id), CopyState::SentOut);
    outgoing::record_receipt(&mut s, copies[1].id, day(2026, 11, 26)).unwrap();
    assert_eq!(outgoing::receipts_outstanding(&s).unwrap().0, 0);
    assert!(s.verify_audit().unwrap().is_intact());
}

/// A 秘密 outgoing document taken through every step up to 印制 of `copies` copies into `cabinet`.
fn printed_outgoing(
    s: &mut Session,
    cabinet: baomi::ledger::cabinets::CabinetId,
    copies: u32,
) -> baomi::ledger::documents::DocumentId {
    use baomi::ledger::outgoing::{self, OutgoingDraft};
    let id = outgoing::create_draft(
        s,
        &OutgoingDraft {
            title: "关于做好年度保密自查工作的通知".into(),
            category: Category::Policy,
            level: Level::Mimi,
            period: SecrecyPeriod::Unspecified,
            dated: day(2026, 11, 25),
            pages: 4,
            drafter: PersonId(1),
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    outgoing::review(s, id, PersonId(1), "").unwrap();
    outgoing::sign(s, id, PersonId(1), "").unwrap();
    outgoing::assign_number(s, id).unwrap();
    outgoing::register(s, id, "").unwrap();
    outgoing::print(s, id, copies, cabinet).unwrap();
    id
}
