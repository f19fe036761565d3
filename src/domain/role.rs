//! Roles of user accounts (R1.3.3 whoever is in charge is responsible; R3.3.2 different user
//! permissions).

use serde::{Deserialize, Serialize};

/// The role of a user account. Stored as a stable code; labels come from [`Role::label_zh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// 保密员 / 机要员: keeps the ledger. The first user of every vault.
    Custodian,
    /// 党办负责人: head of the Party Office, responsible overall (R1.3.3); approves 绝密/机密 borrowing.
    Head,
    /// 部门负责人: department head; approves 秘密 borrowing in the department (R3.1.3).
    DeptHead,
    /// 安全审计员: reads and seals the audit trail.
    Auditor,
    /// 系统管理员: accounts and backups.
    Admin,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 5] = [
        Role::Custodian,
        Role::Head,
        Role::DeptHead,
        Role::Auditor,
        Role::Admin,
    ];

    /// The code stored in the database and accepted by the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Custodian => "custodian",
            Role::Head => "head",
            Role::DeptHead => "dept_head",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored code or a Chinese label.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == code || r.label_zh() == code)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Custodian => "保密员",
            Role::Head => "党办负责人",
            Role::DeptHead => "部门负责人",
            Role::Auditor => "安全审计员",
            Role::Admin => "系统管理员",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Custodian => "Custodian",
            Role::Head => "Head of Party Office",
            Role::DeptHead => "Department head",
            Role::Auditor => "Security auditor",
            Role::Admin => "Administrator",
        }
    }

    /// R3.3.2: who may create user accounts and passphrase slots.
    pub fn may_manage_users(self) -> bool {
        matches!(self, Role::Custodian | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_and_labels_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
            assert_eq!(Role::from_code(r.label_zh()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn r3_3_2_only_custodian_and_admin_manage_accounts() {
        assert!(Role::Custodian.may_manage_users());
        assert!(Role::Admin.may_manage_users());
        assert!(!Role::Auditor.may_manage_users());
        assert!(!Role::DeptHead.may_manage_users());
    }
}
