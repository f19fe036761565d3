//! The people register: clearance category (R3.5.3), pledge date (R3.5.1), audited edits.

mod common;

use baomi::domain::person::Clearance;
use baomi::ledger::people::{self, NewPerson};
use chrono::NaiveDate;

#[test]
fn r3_5_1_people_are_registered_with_clearance_and_pledge_and_edits_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    let p = NewPerson {
        name: "𠮷田 翀".into(),
        department: "财务部".into(),
        post: "会计".into(),
        phone: "8801".into(),
        clearance: Clearance::General,
        pledge_signed_on: NaiveDate::from_ymd_opt(2026, 3, 1),
    };
    let id = people::add(&mut s, &p).unwrap();
    let stored = people::get(&s, id).unwrap();
    assert_eq!(stored.name, "𠮷田 翀", "characters outside GB2312 are kept");
    assert_eq!(stored.clearance, Clearance::General);
    assert_eq!(stored.pledge_signed_on, NaiveDate::from_ymd_opt(2026, 3, 1));
    let mut edit = p.clone();
    edit.clearance = Clearance::Important;
    people::update(&mut s, id, &edit).unwrap();
    assert_eq!(people::get(&s, id).unwrap().clearance, Clearance::Important);
    let ev = &baomi::audit::recent(s.raw_connection_for_tests(), 1).unwrap()[0];
    assert_eq!(ev.action, "person.update");
    assert!(ev.detail_json.contains("\"general\"") && ev.detail_json.contains("\"important\""));
}

#[test]
fn a_pledge_dated_in_the_future_or_an_empty_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    // The mock clock stands at 2026-11-26.
    let err = people::add(
        &mut s,
        &NewPerson {
            name: "钱某".into(),
            pledge_signed_on: NaiveDate::from_ymd_opt(2026, 12, 1),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("不能晚于今天"), "{err}");
    assert!(people::add(&mut s, &NewPerson::default()).is_err());
    assert_eq!(people::list(&s).unwrap().len(), 1, "only the custodian");
}
