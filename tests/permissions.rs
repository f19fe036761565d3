//! The permission matrix below the UI (R3.3.2 设置不同的用户权限，限制非授权人员访问; R1.3.3;
//! 三员分立): every role signs in and tries every action through the ledger function the screens
//! and the CLI call. An action the matrix refuses fails with 权限不足 naming the roles that may;
//! an action it allows gets past the check (it may then fail on its deliberately empty input —
//! never on permission).

mod common;

use std::path::{Path, PathBuf};

use baomi::domain::level::Level;
use baomi::domain::permission::{self, Duties, Permission};
use baomi::domain::role::Role;
use baomi::domain::{CopyState, SecrecyPeriod};
use baomi::ledger::people::{NewPerson, PersonId};
use baomi::ledger::users::{self, NewUser};
use baomi::ledger::{LedgerError, Session};
use baomi::ledger::{
    audit_log, backups, borrowing, cabinets, custody, demo, destruction, documents, export, holds,
    incidents, outgoing, people, printing, secrecy, settings, stocktake,
};

const OTHERS: [(&str, Role, &str); 4] = [
    ("head", Role::Head, "党办负责人的口令 2026"),
    ("dept", Role::DeptHead, "部门负责人的口令 2026"),
    ("audit", Role::Auditor, "审计员自己的口令 2026"),
    ("admin", Role::Admin, "管理员本人的口令 2026"),
];

/// A vault with one account per role, each passphrase its owner's.
fn office(dir: &Path) {
    let (mut s, _) = common::new_vault(dir);
    for (login, role, pass) in OTHERS {
        users::add_user(
            &mut s,
            &NewUser {
                login: login.into(),
                person: NewPerson {
                    name: format!("{login} 本人"),
                    department: "党办".into(),
                    ..NewPerson::default()
                },
                role,
            },
            &common::pass(pass),
        )
        .unwrap();
        users::owner_changed_passphrase_for_tests(&mut s, login).unwrap();
    }
    common::cabinet(&mut s, "JM-01", Level::Jimi);
    drop(s.lock("test"));
}

fn sign_in(dir: &Path, role: Role) -> Session {
    let (login, pass) = match role {
        Role::Custodian => ("custodian", common::PASS),
        _ => {
            let (l, _, p) = OTHERS.iter().find(|(_, r, _)| *r == role).unwrap();
            (*l, *p)
        }
    };
    common::sign_in(dir, login, pass, common::system_clock())
}

/// One attempt per permission, each through the function the app calls, with input that does
/// nothing when the check lets it through.
fn attempt(s: &mut Session, p: Permission, out: &Path) -> Result<(), LedgerError> {
    let nowhere = PathBuf::from("/nonexistent-folder/x.pdf");
    let today = s.today();
    match p {
        Permission::ReadLedger => documents::list(s).map(drop),
        Permission::ReadPeople => people::list(s).map(drop),
        Permission::ReadAccounts => users::list(s).map(drop),
        Permission::ReadAuditTrail => audit_log::recent(s, 5).map(drop),
        Permission::RegisterDocuments => documents::void(s, documents::DocumentId(999), ""),
        Permission::Custody => custody::move_copy(
            s,
            documents::CopyId(999),
            &custody::CopyMove {
                expected: CopyState::InCabinet,
                to: CopyState::Lost,
                cabinet: None,
                holder: None,
                place: String::new(),
                note: String::new(),
            },
        ),
        Permission::Cabinets => cabinets::update(
            s,
            cabinets::CabinetId(999),
            &cabinets::CabinetInput {
                code: String::new(),
                location: String::new(),
                max_level: Level::Mimi,
                responsible: None,
                locked: true,
            },
        ),
        Permission::Outgoing => outgoing::review(s, documents::DocumentId(999), PersonId(999), ""),
        Permission::Borrowing => borrowing::cancel(s, borrowing::BorrowId(999), ""),
        Permission::Destruction => destruction::cancel(s, destruction::DestructionId(999), ""),
        Permission::Stocktaking => stocktake::cancel(s, stocktake::StocktakeId(999), ""),
        Permission::Holds => holds::lift(s, holds::HoldId(999), ""),
        Permission::SecrecyReview => secrecy::decide(
            s,
            documents::DocumentId(999),
            &secrecy::Decision {
                kind: baomi::domain::secrecy::DecisionKind::Correction,
                level: Level::Mimi,
                period: SecrecyPeriod::Years(10),
                decided_on: today,
                decided_by: String::new(),
                authority: String::new(),
                reason: String::new(),
                move_to: None,
            },
        ),
        Permission::Incidents => incidents::update(
            s,
            incidents::IncidentId(999),
            &incidents::Progress {
                measures: String::new(),
                reported_to: String::new(),
                reported_on: None,
                outcome: String::new(),
            },
            true,
        ),
        Permission::PrintForms => printing::print(
            s,
            printing::Printable::Labels(documents::DocumentId(999)),
            &printing::PrintTarget::File(nowhere),
        )
        .map(drop),
        Permission::PrintReports => printing::print(
            s,
            printing::Printable::DestructionList(destruction::DestructionId(999)),
            &printing::PrintTarget::File(nowhere),
        )
        .map(drop),
        Permission::LedgerSettings => secrecy::set_window_days(s, 0),
        Permission::People => people::update(s, PersonId(999), &NewPerson::default()),
        Permission::Backup => backups::set_reminder_days(s, 0),
        Permission::DemoData => demo::backdate_loan(s, borrowing::BorrowId(999), 1),
        Permission::Accounts => users::deactivate_user(s, "nobody"),
        Permission::RecoveryKey => s.rotate_recovery_key().map(drop),
        Permission::SystemSettings => settings::set_auto_lock_minutes(s, 0),
        Permission::Calendar => borrowing::set_calendar_year(s, "not a calendar").map(drop),
        Permission::ExportAuditLog => export::export(
            s,
            &baomi::ledger::reports::Register::Audit(Default::default()),
            export::Format::Csv,
            &out.join("no-such-folder").join("audit.csv"),
        )
        .map(drop),
        Permission::SealAuditTrail => {
            audit_log::seal_chain(s, &common::pass("not the auditor's passphrase")).map(drop)
        }
    }
}

fn check_every_cell(dir: &Path, duties: Duties) {
    let out = tempfile::tempdir().unwrap();
    for role in Role::ALL {
        let mut s = sign_in(dir, role);
        assert_eq!(s.duties(), duties);
        for p in Permission::ALL {
            let allowed = permission::allows(role, p, duties);
            assert_eq!(s.may(p), allowed, "{role:?} {p:?}");
            match attempt(&mut s, p, out.path()) {
                Err(LedgerError::NotPermitted {
                    permission, needed, ..
                }) => {
                    assert!(
                        !allowed,
                        "{role:?} was refused {p:?}, which the matrix allows"
                    );
                    assert_eq!(permission, p);
                    assert_eq!(needed, permission::who_may(p, duties));
                    assert!(!needed.contains(&role));
                }
                other => assert!(
                    allowed,
                    "{role:?} got past the check of {p:?}, which the matrix refuses: {other:?}"
                ),
            }
        }
        // A refusal says what and who, in Chinese, with the clause.
        if !s.may(Permission::RegisterDocuments) {
            let e = documents::void(&mut s, documents::DocumentId(1), "x").unwrap_err();
            let text = e.to_string();
            assert!(
                text.starts_with("权限不足：作废登记需要保密员角色")
                    && text.ends_with("（R3.3.2）"),
                "{text}"
            );
        }
        drop(s.lock("test"));
    }
}

#[test]
fn r3_3_2_every_role_is_refused_exactly_what_the_matrix_refuses() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    check_every_cell(dir.path(), Duties::default());
}

#[test]
fn r3_3_2_once_the_administrator_takes_their_duties_the_custodian_loses_them_and_it_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    // Only an administrator (or the custodian holding the duties) changes the setting; the
    // auditor never holds them.
    let mut head = sign_in(dir.path(), Role::Head);
    let e = settings::set_custodian_administers(&mut head, false).unwrap_err();
    assert!(matches!(e, LedgerError::NotPermitted { .. }), "{e}");
    drop(head.lock("test"));
    let mut admin = sign_in(dir.path(), Role::Admin);
    settings::set_custodian_administers(&mut admin, false).unwrap();
    drop(admin.lock("test"));
    check_every_cell(
        dir.path(),
        Duties {
            custodian_administers: false,
        },
    );
    let audit = sign_in(dir.path(), Role::Auditor);
    let events = audit_log::search(
        &audit,
        &audit_log::AuditFilter {
            text: "custodian_administers".into(),
            ..Default::default()
        },
        10,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].login, "admin");
    assert!(events[0].detail_json.contains(r#""to":false"#));
}

#[test]
fn r3_3_2_the_duties_stay_with_the_custodian_until_an_administrator_can_take_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = common::new_vault(dir.path());
    // No administrator account: giving the duties away would leave nobody to open accounts.
    let e = settings::set_custodian_administers(&mut s, false).unwrap_err();
    assert!(e.to_string().contains("系统管理员账户"), "{e}");
    // An administrator still on a one-time passphrase is not yet able to take them.
    users::add_user(
        &mut s,
        &NewUser {
            login: "admin".into(),
            person: NewPerson {
                name: "管理员".into(),
                ..NewPerson::default()
            },
            role: Role::Admin,
        },
        &common::pass("管理员的初始口令 2026"),
    )
    .unwrap();
    assert!(settings::set_custodian_administers(&mut s, false).is_err());
    users::owner_changed_passphrase_for_tests(&mut s, "admin").unwrap();
    settings::set_custodian_administers(&mut s, false).unwrap();
    assert!(!s.may(Permission::Accounts));
    assert!(s.may(Permission::RegisterDocuments));
}

#[test]
fn r3_3_2_roles_change_by_the_administrator_only_audited_and_never_ones_own() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let mut head = sign_in(dir.path(), Role::Head);
    let e = users::change_role(&mut head, "dept", Role::Head).unwrap_err();
    assert!(matches!(e, LedgerError::NotPermitted { .. }), "{e}");
    drop(head.lock("test"));
    let mut admin = sign_in(dir.path(), Role::Admin);
    assert!(users::change_role(&mut admin, "admin", Role::Custodian).is_err());
    // The ledger needs a custodian.
    let e = users::change_role(&mut admin, "custodian", Role::Head).unwrap_err();
    assert!(e.to_string().contains("唯一的在用保密员"), "{e}");
    users::change_role(&mut admin, "dept", Role::Head).unwrap();
    drop(admin.lock("test"));
    let dept = common::sign_in(
        dir.path(),
        "dept",
        "部门负责人的口令 2026",
        common::system_clock(),
    );
    assert_eq!(dept.user().role, Role::Head);
    assert!(dept.may(Permission::Holds));
    let events = audit_log::search(
        &dept,
        &audit_log::AuditFilter {
            action: Some("user.role_change".into()),
            ..Default::default()
        },
        5,
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert!(events[0].detail_json.contains(r#""from":"dept_head""#));
    assert_eq!(events[0].login, "admin");
}
