//! One office date: "today" is the office's date in its time zone (a setting of the ledger,
//! default +08:00), whatever the PC's `TZ`. The clock stands just after midnight in Beijing
//! (16:30 UTC) and early in the Beijing morning (23:30 UTC), where the UTC date is yesterday.
//! CI runs this file under several `TZ` values; every test must pass under all of them.

mod common;

use std::sync::Arc;

use baomi::domain::level::{Category, Level};
use baomi::domain::marking::SecrecyPeriod;
use baomi::domain::person::Clearance;
use baomi::domain::{Clock, MockClock, OfficeZone};
use baomi::ledger::borrowing::{self, BorrowRequest, Decider, Which};
use baomi::ledger::cabinets::CabinetId;
use baomi::ledger::documents::{self, IncomingInput};
use baomi::ledger::outgoing::{self, OutgoingDraft};
use baomi::ledger::people::{self, NewPerson, PersonId};
use baomi::ledger::{Session, settings};
use chrono::{Duration, TimeZone, Utc};
use common::{cabinet, day};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> MockClock {
    MockClock::new(Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap())
}

fn office(dir: &std::path::Path, clock: &MockClock) -> Session {
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    common::new_vault_at(dir, OfficeZone::default(), c)
}

fn incoming(received_on: chrono::NaiveDate, cabinet: CabinetId) -> IncomingInput {
    IncomingInput {
        received_on,
        signed_for_by: PersonId(1),
        issuing_unit: "集团公司党委办公室".into(),
        doc_no: "集团党办发〔2026〕45号".into(),
        title: "关于加强重要项目保密管理工作的通知".into(),
        category: Category::MajorDecision,
        level: Level::NeibuMingan,
        period: SecrecyPeriod::Unspecified,
        dated: day(2026, 11, 26),
        pages: 6,
        attachments: 0,
        copy_numbers: vec![1],
        cabinet,
        readers: String::new(),
        remarks: String::new(),
    }
}

#[test]
fn registration_just_after_midnight_in_beijing_takes_todays_date() {
    for clock in [at(2026, 11, 26, 16, 30), at(2026, 11, 26, 23, 30)] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = office(dir.path(), &clock);
        assert_eq!(s.today(), day(2026, 11, 27), "{:?}", clock.now());
        let nb = cabinet(&mut s, "NB-01", Level::NeibuMingan);
        let input = incoming(day(2026, 11, 27), nb);
        let id = documents::register_incoming(&mut s, &input).unwrap();
        assert_eq!(
            documents::get(&s, id).unwrap().received_on.as_deref(),
            Some("2026-11-27")
        );
        // Tomorrow is still refused.
        let later = incoming(day(2026, 11, 28), nb);
        let err = documents::register_incoming(&mut s, &later).unwrap_err();
        assert_eq!(err.to_string(), "收文日期不能晚于今天");
    }
}

#[test]
fn the_office_zone_is_a_setting_of_the_ledger_not_of_the_pc() {
    // 03:00 UTC on 27 Nov is still 26 Nov in an office at UTC-05:00.
    let clock = at(2026, 11, 27, 3, 0);
    let dir = tempfile::tempdir().unwrap();
    let c: Arc<dyn Clock> = Arc::new(clock.clone());
    let mut s = common::new_vault_at(dir.path(), OfficeZone::parse("-05:00").unwrap(), c);
    assert_eq!(s.today(), day(2026, 11, 26));
    let input = incoming(
        day(2026, 11, 27),
        cabinet(&mut s, "NB-01", Level::NeibuMingan),
    );
    assert!(documents::register_incoming(&mut s, &input).is_err());
    // Changed to Beijing time (audited): the same instant is the 27th.
    settings::set_office_zone(&mut s, OfficeZone::default()).unwrap();
    assert_eq!(s.today(), day(2026, 11, 27));
    documents::register_incoming(&mut s, &input).unwrap();
    // And it holds after the next unlock.
    drop(s.lock("test"));
    let c: Arc<dyn Clock> = Arc::new(clock);
    let s = common::sign_in(dir.path(), "custodian", common::PASS, c);
    assert_eq!(s.zone(), OfficeZone::default());
    assert_eq!(s.today(), day(2026, 11, 27));
}

/// A 内部敏感 loan of `days` working days for a pledged borrower, approved by the custodian on
/// paper, checked out now.
fn lend(s: &mut Session, days: u32) -> (borrowing::BorrowId, chrono::NaiveDate) {
    let nb = cabinet(s, "NB-01", Level::NeibuMingan);
    let mut input = incoming(s.today(), nb);
    input.dated = s.today() - Duration::days(3);
    let id = documents::register_incoming(s, &input).unwrap();
    let copy = documents::copies(s, id).unwrap()[0].id;
    let borrower = people::add(
        s,
        &NewPerson {
            name: "孙工".into(),
            department: "工程部".into(),
            clearance: Clearance::General,
            pledge_signed_on: Some(day(2026, 1, 5)),
            ..NewPerson::default()
        },
    )
    .unwrap();
    let b = borrowing::request(
        s,
        &BorrowRequest {
            copy,
            borrower,
            reason: "编制方案".into(),
            days,
            place: String::new(),
            justification: String::new(),
            overdue_override: None,
        },
    )
    .unwrap();
    borrowing::approve(
        s,
        b,
        &Decider::Paper {
            person: PersonId(1),
            reference: "审批单 1",
        },
        "",
    )
    .unwrap();
    let due = borrowing::check_out(s, b).unwrap();
    (b, due)
}

#[test]
fn r3_1_3_due_dates_count_from_the_office_date() {
    // Thursday 26 Nov, 16:30 UTC = Friday 27 Nov, 00:30 in Beijing: one working day after
    // Friday is Monday 30 Nov (after Thursday it would have been Friday).
    let clock = at(2026, 11, 26, 16, 30);
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(dir.path(), &clock);
    let (_, due) = lend(&mut s, 1);
    assert_eq!(due, day(2026, 11, 30));
}

#[test]
fn r3_1_3_overdue_days_count_by_the_office_date() {
    // Checked out Friday 27 Nov (Beijing) for 1 working day: due Monday 30 Nov.
    let clock = at(2026, 11, 27, 2, 0);
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(dir.path(), &clock);
    let (_, due) = lend(&mut s, 1);
    assert_eq!(due, day(2026, 11, 30));
    // Monday 30 Nov 16:30 UTC = Tuesday 1 Dec 00:30 in Beijing: one working day overdue,
    // though the UTC date is still the due date.
    clock.advance(Duration::days(3) + Duration::hours(14) + Duration::minutes(30));
    assert_eq!(s.today(), day(2026, 12, 1));
    let overdue = borrowing::list(&s, Which::Overdue).unwrap();
    assert_eq!(overdue.len(), 1);
    let cal = borrowing::calendar(&s).unwrap();
    assert_eq!(borrowing::overdue_days(&cal, &overdue[0], s.today()), 1);
    assert_eq!(borrowing::counts(&s).unwrap().2, 1);
}

#[test]
fn r3_1_2_the_document_number_year_is_the_office_year() {
    // 31 Dec 2026, 16:30 UTC = 1 Jan 2027, 00:30 in Beijing.
    let clock = at(2026, 12, 31, 16, 30);
    let dir = tempfile::tempdir().unwrap();
    let mut s = office(dir.path(), &clock);
    let id = outgoing::create_draft(
        &mut s,
        &OutgoingDraft {
            title: "关于做好年度保密自查工作的通知".into(),
            category: Category::Policy,
            level: Level::Mimi,
            period: SecrecyPeriod::Unspecified,
            dated: day(2027, 1, 1),
            pages: 4,
            drafter: PersonId(1),
            readers: String::new(),
            remarks: String::new(),
        },
    )
    .unwrap();
    outgoing::review(&mut s, id, PersonId(1), "").unwrap();
    outgoing::sign(&mut s, id, PersonId(1), "").unwrap();
    let number = outgoing::assign_number(&mut s, id).unwrap();
    assert!(number.contains("〔2027〕1号"), "{number}");
}

#[test]
fn the_audit_log_filters_by_office_days() {
    use baomi::ledger::audit_log::{self, AuditFilter};
    // The vault is created at 16:30 UTC on 26 Nov: 27 Nov in Beijing.
    let clock = at(2026, 11, 26, 16, 30);
    let dir = tempfile::tempdir().unwrap();
    let s = office(dir.path(), &clock);
    let on = |d| AuditFilter {
        from: Some(d),
        to: Some(d),
        ..AuditFilter::default()
    };
    assert!(
        !audit_log::search(&s, &on(day(2026, 11, 27)), 10)
            .unwrap()
            .is_empty()
    );
    assert!(
        audit_log::search(&s, &on(day(2026, 11, 26)), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.zone().time_text("2026-11-26T16:30:00+00:00"),
        "2026-11-27 00:30:00"
    );
}
