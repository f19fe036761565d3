//! Helpers shared by the integration tests: a vault with the fast test KDF.
#![allow(dead_code)]

pub mod cli;
pub mod gui;

use std::path::Path;
use std::sync::Arc;

use baomi::domain::{Clock, MockClock};
use baomi::ledger::{KdfChoice, LockedLedger, Passphrase, RecoveryKey, Session, SetupInput};
use chrono::{TimeZone, Utc};

pub const PASS: &str = "correct horse 保密 9";

pub fn pass(text: &str) -> Passphrase {
    Passphrase::new(text.to_owned())
}

pub fn clock() -> MockClock {
    MockClock::new(Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap())
}

pub fn setup_input() -> SetupInput {
    SetupInput {
        unit_name: "某公司党委办公室".into(),
        login: "custodian".into(),
        name: "王保密".into(),
        department: "党办".into(),
        post: "保密员".into(),
        ..SetupInput::default()
    }
}

/// A fresh vault in `dir` (fast KDF), unlocked as the custodian.
pub fn new_vault(dir: &Path) -> (Session, RecoveryKey) {
    let c: Arc<dyn Clock> = Arc::new(clock());
    Session::create(
        dir,
        &setup_input(),
        &pass(PASS),
        KdfChoice::INSECURE_FOR_TESTS,
        c,
    )
    .expect("create vault")
}

/// Opens the ledger in `dir` and signs in.
pub fn sign_in(dir: &Path, login: &str, passphrase: &str, clock: Arc<dyn Clock>) -> Session {
    LockedLedger::open(dir)
        .unwrap()
        .unlock(login, &pass(passphrase), clock)
        .map_err(|(_, e)| e)
        .unwrap()
}

/// A fresh vault in `dir` (fast KDF) whose office is in `zone`, on `clock`.
pub fn new_vault_at(dir: &Path, zone: baomi::domain::OfficeZone, clock: Arc<dyn Clock>) -> Session {
    Session::create(
        dir,
        &SetupInput {
            zone,
            ..setup_input()
        },
        &pass(PASS),
        KdfChoice::INSECURE_FOR_TESTS,
        clock,
    )
    .expect("create vault")
    .0
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(clock())
}

pub fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A locked cabinet in 机要室 for documents up to `level`, kept by person 1 (the custodian).
pub fn cabinet(
    s: &mut Session,
    code: &str,
    level: baomi::domain::level::Level,
) -> baomi::ledger::cabinets::CabinetId {
    baomi::ledger::cabinets::create(
        s,
        &baomi::ledger::cabinets::CabinetInput {
            code: code.into(),
            location: "机要室".into(),
            max_level: level,
            responsible: Some(baomi::ledger::people::PersonId(1)),
            locked: true,
        },
    )
    .unwrap()
}
