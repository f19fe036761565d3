//! Who may do what: the one permission matrix (R3.3.2 设置不同的用户权限，限制非授权人员访问;
//! R1.3.3 whoever is in charge is responsible; the separation of the administrator, the
//! security administrator and the auditor, 三员分立). `docs/security.md` prints the same table;
//! `ledger` checks it on every read and write ([`crate::ledger::Session::require`]), and the GUI
//! hides what it refuses.
//!
//! - 保密员 custodian: keeps the ledger (registers, custody, borrowing, destruction lists,
//!   stock-taking, backups). Approvals by others are recorded in the custodian's session with
//!   the approver's own passphrase (`ledger::approval`), never chosen by the custodian.
//! - 党办负责人 head and 部门负责人 department head: read the ledger; the head places and lifts
//!   holds. Their approvals are given with their passphrase where the custodian records them.
//! - 安全审计员 auditor: reads everything, reads, verifies, seals and exports the audit trail;
//!   changes nothing in the ledger. Holds no other role, and no setting gives anyone theirs.
//! - 系统管理员 administrator: accounts, roles, system settings, the calendar, backups; sees no
//!   document title and changes nothing in the ledger, and does not read the audit trail that
//!   records their administration.
//! - A small office may let the custodian hold the administrator's duties too (a setting, on for
//!   a new vault whose only account is the custodian; its change is audited). Never the
//!   auditor's.

use super::role::Role;

/// An action the matrix rules on. Reads come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// The registers of classified documents: titles, copies, borrowing, outgoing, destruction,
    /// stock-taking, holds, incidents, the review, the reports.
    ReadLedger,
    /// The people register.
    ReadPeople,
    /// The user accounts (logins, roles, whether active).
    ReadAccounts,
    /// The audit trail and its seals, as a list.
    ReadAuditTrail,
    /// Incoming registration, corrections, voiding.
    RegisterDocuments,
    /// Changing where a copy is (the custody function).
    Custody,
    /// Creating and editing cabinets.
    Cabinets,
    /// The outgoing flow (发文).
    Outgoing,
    /// Borrowing requests, recorded approvals, lending, renewal, return, loss.
    Borrowing,
    /// Destruction lists: building, recording approval, execution.
    Destruction,
    /// Stock-taking rounds.
    Stocktaking,
    /// Placing and lifting holds.
    Holds,
    /// Declassification review decisions and changes of level.
    SecrecyReview,
    /// Incidents (loss, leaks).
    Incidents,
    /// Labels, borrowing forms, register exports and printed registers.
    PrintForms,
    /// Destruction lists and stock-taking reports printed as evidence.
    PrintReports,
    /// The ledger's own rules: borrowing policy, 文号 format, reminders.
    LedgerSettings,
    /// The people register.
    People,
    /// Backups to removable media.
    Backup,
    /// Synthetic data in a demo vault.
    DemoData,
    /// Opening and deactivating accounts, roles, resetting a passphrase, rekeying.
    Accounts,
    /// Replacing the recovery key.
    RecoveryKey,
    /// Auto-lock, the office's time zone, passphrase rules, who holds the administrator's duties.
    SystemSettings,
    /// The working-day calendar (holidays and 调休).
    Calendar,
    /// Exporting the audit log as a table.
    ExportAuditLog,
    /// Sealing, verifying the seals, exporting the whole trail for an outside verifier.
    SealAuditTrail,
}

use Permission as P;
use Role as R;

/// Every role, for the table: custodian, head, department head, auditor, administrator.
const C: Role = R::Custodian;
const H: Role = R::Head;
const D: Role = R::DeptHead;
const A: Role = R::Auditor;
const M: Role = R::Admin;

impl Permission {
    /// Every permission, reads first, in the order `docs/security.md` lists them.
    pub const ALL: [Permission; 26] = [
        P::ReadLedger,
        P::ReadPeople,
        P::ReadAccounts,
        P::ReadAuditTrail,
        P::RegisterDocuments,
        P::Custody,
        P::Cabinets,
        P::Outgoing,
        P::Borrowing,
        P::Destruction,
        P::Stocktaking,
        P::Holds,
        P::SecrecyReview,
        P::Incidents,
        P::PrintForms,
        P::PrintReports,
        P::LedgerSettings,
        P::People,
        P::Backup,
        P::DemoData,
        P::Accounts,
        P::RecoveryKey,
        P::SystemSettings,
        P::Calendar,
        P::ExportAuditLog,
        P::SealAuditTrail,
    ];

    /// The roles the matrix gives this permission to, before the office's setting.
    pub fn roles(self) -> &'static [Role] {
        match self {
            P::ReadLedger => &[C, H, D, A],
            P::ReadPeople | P::ReadAccounts => &[C, H, D, A, M],
            P::ReadAuditTrail => &[C, H, A],
            P::RegisterDocuments
            | P::Custody
            | P::Cabinets
            | P::Outgoing
            | P::Borrowing
            | P::Destruction
            | P::Stocktaking
            | P::SecrecyReview
            | P::Incidents
            | P::PrintForms
            | P::LedgerSettings
            | P::DemoData => &[C],
            P::Holds => &[C, H],
            P::PrintReports => &[C, H, A],
            P::People | P::Backup => &[C, M],
            P::Accounts | P::RecoveryKey | P::SystemSettings | P::Calendar => &[M],
            P::ExportAuditLog => &[C, A],
            P::SealAuditTrail => &[A],
        }
    }

    /// Whether this is one of the administrator's duties a small office may give the custodian.
    pub fn is_administration(self) -> bool {
        matches!(
            self,
            P::Accounts | P::RecoveryKey | P::SystemSettings | P::Calendar
        )
    }

    /// Whether this only reads.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            P::ReadLedger | P::ReadPeople | P::ReadAccounts | P::ReadAuditTrail
        )
    }

    /// The Chinese name, as the refusal and the table say it.
    pub fn label_zh(self) -> &'static str {
        match self {
            P::ReadLedger => "查看台账（文件、份号、借阅、发文、销毁、清查）",
            P::ReadPeople => "查看人员登记",
            P::ReadAccounts => "查看用户账户",
            P::ReadAuditTrail => "查看审计日志",
            P::RegisterDocuments => "收文登记、更正、作废",
            P::Custody => "变更份号去向",
            P::Cabinets => "登记、修改专柜",
            P::Outgoing => "发文",
            P::Borrowing => "借阅登记、借出、续借、归还",
            P::Destruction => "销毁清单",
            P::Stocktaking => "清查",
            P::Holds => "冻结、解除冻结",
            P::SecrecyReview => "解密审查、密级变更",
            P::Incidents => "登记泄密/丢失事件",
            P::PrintForms => "打印表单、导出登记表",
            P::PrintReports => "打印销毁清单、清查报告",
            P::LedgerSettings => "借阅规定、文号格式、提醒",
            P::People => "人员登记",
            P::Backup => "备份",
            P::DemoData => "生成演示数据",
            P::Accounts => "用户账户管理",
            P::RecoveryKey => "更换恢复密钥",
            P::SystemSettings => "系统设置（自动锁定、办公时区、口令规则、三员设置）",
            P::Calendar => "工作日历",
            P::ExportAuditLog => "导出审计日志",
            P::SealAuditTrail => "封存、核验、导出审计链",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            P::ReadLedger => {
                "read the ledger (documents, copies, borrowing, outgoing, destruction, stock-taking)"
            }
            P::ReadPeople => "read the people register",
            P::ReadAccounts => "read the user accounts",
            P::ReadAuditTrail => "read the audit log",
            P::RegisterDocuments => "register, correct and void documents",
            P::Custody => "move copies",
            P::Cabinets => "register and edit cabinets",
            P::Outgoing => "outgoing documents",
            P::Borrowing => "borrowing, lending, renewals, returns",
            P::Destruction => "destruction lists",
            P::Stocktaking => "stock-taking",
            P::Holds => "place and lift holds",
            P::SecrecyReview => "declassification review and changes of level",
            P::Incidents => "record incidents",
            P::PrintForms => "print forms and export registers",
            P::PrintReports => "print destruction lists and stock-taking reports",
            P::LedgerSettings => "borrowing policy, 文号 format, reminders",
            P::People => "the people register",
            P::Backup => "backups",
            P::DemoData => "demo data",
            P::Accounts => "user accounts",
            P::RecoveryKey => "replace the recovery key",
            P::SystemSettings => {
                "system settings (auto-lock, time zone, passphrase rules, separation of duties)"
            }
            P::Calendar => "the working-day calendar",
            P::ExportAuditLog => "export the audit log",
            P::SealAuditTrail => "seal, verify and export the audit trail",
        }
    }
}

/// How the office has divided the duties (the one setting the matrix depends on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duties {
    /// The custodian also holds the administrator's duties (a small office; never the
    /// auditor's).
    pub custodian_administers: bool,
}

impl Default for Duties {
    /// A new vault's only account is its custodian: someone must be able to open accounts.
    fn default() -> Self {
        Duties {
            custodian_administers: true,
        }
    }
}

/// Whether `role` may do `p` in an office that divides duties as `duties` says.
pub fn allows(role: Role, p: Permission, duties: Duties) -> bool {
    p.roles().contains(&role)
        || (role == Role::Custodian && duties.custodian_administers && p.is_administration())
}

/// The roles that may do `p`, for the refusal's wording.
pub fn who_may(p: Permission, duties: Duties) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| allows(*r, p, duties))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, cell by cell, as `docs/security.md` prints it: `C H D A M` (custodian,
    /// head, department head, auditor, administrator), `x` allowed, `.` refused; with the
    /// office's default (the custodian holds the administrator's duties) and without.
    const MATRIX: &[(Permission, &str, &str)] = &[
        //                        default   separated
        (P::ReadLedger, "xxxx.", "xxxx."),
        (P::ReadPeople, "xxxxx", "xxxxx"),
        (P::ReadAccounts, "xxxxx", "xxxxx"),
        (P::ReadAuditTrail, "xx.x.", "xx.x."),
        (P::RegisterDocuments, "x....", "x...."),
        (P::Custody, "x....", "x...."),
        (P::Cabinets, "x....", "x...."),
        (P::Outgoing, "x....", "x...."),
        (P::Borrowing, "x....", "x...."),
        (P::Destruction, "x....", "x...."),
        (P::Stocktaking, "x....", "x...."),
        (P::Holds, "xx...", "xx..."),
        (P::SecrecyReview, "x....", "x...."),
        (P::Incidents, "x....", "x...."),
        (P::PrintForms, "x....", "x...."),
        (P::PrintReports, "xx.x.", "xx.x."),
        (P::LedgerSettings, "x....", "x...."),
        (P::People, "x...x", "x...x"),
        (P::Backup, "x...x", "x...x"),
        (P::DemoData, "x....", "x...."),
        (P::Accounts, "x...x", "....x"),
        (P::RecoveryKey, "x...x", "....x"),
        (P::SystemSettings, "x...x", "....x"),
        (P::Calendar, "x...x", "....x"),
        (P::ExportAuditLog, "x..x.", "x..x."),
        (P::SealAuditTrail, "...x.", "...x."),
    ];

    const ROLES: [Role; 5] = [C, H, D, A, M];

    #[test]
    fn r3_3_2_every_cell_of_the_permission_matrix() {
        assert_eq!(MATRIX.len(), Permission::ALL.len());
        for (p, default, separated) in MATRIX {
            for (duties, row) in [
                (Duties::default(), default),
                (
                    Duties {
                        custodian_administers: false,
                    },
                    separated,
                ),
            ] {
                for (role, cell) in ROLES.iter().zip(row.chars()) {
                    assert_eq!(
                        allows(*role, *p, duties),
                        cell == 'x',
                        "{p:?} for {role:?} with {duties:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn r3_3_2_the_auditor_changes_nothing_and_no_setting_gives_anyone_the_auditors_duties() {
        for p in Permission::ALL {
            if allows(Role::Auditor, p, Duties::default()) {
                assert!(
                    p.is_read()
                        || matches!(p, P::SealAuditTrail | P::ExportAuditLog | P::PrintReports),
                    "{p:?}"
                );
            }
            for duties in [
                Duties::default(),
                Duties {
                    custodian_administers: false,
                },
            ] {
                if p == P::SealAuditTrail {
                    assert_eq!(who_may(p, duties), vec![Role::Auditor]);
                }
            }
        }
    }

    #[test]
    fn r3_3_2_the_administrator_reads_no_document_and_not_the_trail_of_their_own_work() {
        for p in [P::ReadLedger, P::ReadAuditTrail, P::ExportAuditLog] {
            assert!(!allows(Role::Admin, p, Duties::default()), "{p:?}");
        }
        for p in Permission::ALL {
            if allows(Role::Admin, p, Duties::default()) {
                assert!(
                    p.is_administration()
                        || matches!(p, P::ReadPeople | P::ReadAccounts | P::People | P::Backup),
                    "{p:?}"
                );
            }
        }
    }

    #[test]
    fn every_permission_has_names_in_both_languages() {
        for p in Permission::ALL {
            assert!(!p.label_zh().is_empty() && !p.label_en().is_empty());
            assert!(!p.roles().is_empty());
        }
    }
}
