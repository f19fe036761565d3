//! Every kind of event the audit trail records: one enum, its stored code, the register it
//! touches, and its Chinese and English names. A use case names its action here; the audit log
//! screen and the CLI read the names from here, so an auditor never reads a bare code.

use serde::Serialize;

macro_rules! audit_actions {
    ($($variant:ident => $code:literal, $entity:literal, $zh:literal, $en:literal;)*) => {
        /// What an audit event records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum AuditAction {
            $(
                #[doc = $zh]
                $variant,
            )*
        }

        impl AuditAction {
            /// Every action.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),*];

            /// The stable code stored in `audit_events.action` (part of the chain's MAC input:
            /// never change a code once shipped).
            pub fn code(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $code,)*
                }
            }

            /// The register (table) the event's `entity_id` refers to.
            pub fn entity(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $entity,)*
                }
            }

            /// The Chinese name.
            pub fn label_zh(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $zh,)*
                }
            }

            /// The English name.
            pub fn label_en(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $en,)*
                }
            }
        }
    };
}

audit_actions! {
    VaultCreate => "vault.create", "users", "创建台账库", "Ledger created";
    VaultRekeyStart => "vault.rekey_start", "users", "开始重新加密台账", "Rekey started";
    VaultRekey => "vault.rekey", "users", "重新加密台账（更换主密钥）", "Ledger rekeyed (new master key)";
    VaultRekeyNoted => "vault.rekey_noted", "users", "确认已抄写重新加密后的新密钥", "New keys of the rekey noted";
    SessionUnlock => "session.unlock", "users", "解锁", "Unlocked";
    SessionLock => "session.lock", "users", "锁定", "Locked";
    LoginFailed => "login.failed", "users", "登录失败", "Failed sign-in";
    PassphraseChange => "passphrase.change", "users", "修改口令", "Passphrase changed";
    AttemptsFileReset => "login.attempts_file_reset", "users", "登录失败记录文件被删除或回退",
        "Sign-in failures file deleted or rolled back";
    PassphraseResetWithRecoveryKey => "passphrase.reset_with_recovery_key", "users",
        "用恢复密钥重设口令", "Passphrase reset with recovery key";
    RecoveryKeyRotate => "recovery_key.rotate", "vault", "更换恢复密钥", "Recovery key replaced";
    OrphanSlotRemove => "keys.orphan_slot_remove", "users",
        "清除无账户的口令槽（开通账户时中断留下）", "Key slot without an account removed (left by an interrupted account creation)";
    WalDamageAccept => "storage.wal_damage_accept", "vault",
        "接受预写日志损坏（截断到最后一个完好的事务）", "WAL damage accepted (log cut after its last intact transaction)";
    UserCreate => "user.create", "users", "新增用户", "User added";
    UserDeactivate => "user.deactivate", "users", "停用用户", "User deactivated";
    UserRoleChange => "user.role_change", "users", "变更用户角色", "User role changed";
    SettingsUpdate => "settings.update", "settings", "修改设置", "Setting changed";
    CalendarSetYear => "calendar.set_year", "calendar_years", "修改工作日历", "Calendar year set";
    BackupCreate => "backup.create", "backups", "备份台账", "Backup made";
    BackupRestore => "backup.restore", "backups", "从备份恢复", "Restored from a backup";
    AuditSeal => "audit.seal", "audit_seals", "封存审计链", "Audit chain sealed";
    AuditExport => "audit.export", "audit_events", "导出审计链", "Audit trail exported";
    PersonCreate => "person.create", "people", "登记人员", "Person added";
    PersonUpdate => "person.update", "people", "修改人员", "Person changed";
    CabinetCreate => "cabinet.create", "cabinets", "登记专柜", "Cabinet added";
    CabinetUpdate => "cabinet.update", "cabinets", "修改专柜", "Cabinet changed";
    DocumentRegister => "document.register", "documents", "收文登记", "Incoming document registered";
    DocumentEdit => "document.edit", "documents", "修改登记", "Registration edited";
    DocumentVoid => "document.void", "documents", "作废登记", "Registration voided";
    CopyMove => "copy.move", "copies", "变更份号去向", "Copy moved";
    OutgoingDraft => "outgoing.draft", "documents", "发文拟稿", "Outgoing draft";
    OutgoingReview => "outgoing.review", "documents", "发文审核", "Outgoing reviewed";
    OutgoingSign => "outgoing.sign", "documents", "发文签发", "Outgoing signed off";
    OutgoingNumber => "outgoing.number", "documents", "发文编号", "Outgoing numbered";
    OutgoingRegister => "outgoing.register", "documents", "发文登记", "Outgoing registered";
    OutgoingPrint => "outgoing.print", "documents", "发文印制", "Outgoing printed";
    OutgoingDistribute => "outgoing.distribute", "copies", "发文分发", "Outgoing copy sent";
    OutgoingReceipt => "outgoing.receipt", "copies", "登记回执", "Receipt recorded";
    OutgoingLost => "outgoing.lost", "copies", "分发途中丢失", "Lost in transit";
    BorrowRequest => "borrow.request", "borrows", "借阅申请", "Borrow requested";
    BorrowApprove => "borrow.approve", "borrows", "批准借阅", "Borrow approved";
    BorrowReject => "borrow.reject", "borrows", "不批准借阅", "Borrow rejected";
    BorrowCancel => "borrow.cancel", "borrows", "撤销借阅申请", "Borrow withdrawn";
    BorrowCheckOut => "borrow.check_out", "borrows", "借出", "Handed out";
    BorrowRenew => "borrow.renew", "borrows", "续借", "Renewed";
    BorrowReturn => "borrow.return", "borrows", "归还", "Returned";
    BorrowLost => "borrow.lost", "borrows", "借阅中丢失", "Lost on loan";
    BorrowDemoBackdate => "borrow.demo_backdate", "borrows", "演示数据回溯日期", "Demo data back-dated";
    PrintBorrowForm => "print.borrow_form", "borrows", "打印借阅申请表", "Borrowing form printed";
    PrintLabels => "print.labels", "documents", "打印份号标签", "Copy labels printed";
    HoldPlace => "hold.place", "holds", "冻结", "Hold placed";
    HoldLift => "hold.lift", "holds", "解除冻结", "Hold lifted";
    DestructionCreate => "destruction.create", "destructions", "新建销毁清单", "Destruction list drafted";
    DestructionAddItem => "destruction.add_item", "destructions", "列入销毁清单", "Copy put on a destruction list";
    DestructionRemoveItem => "destruction.remove_item", "destructions", "移出销毁清单", "Copy taken off a destruction list";
    DestructionApprove => "destruction.approve", "destructions", "批准销毁清单", "Destruction list approved";
    DestructionExecute => "destruction.execute", "destructions", "执行销毁", "Destruction executed";
    DestructionCancel => "destruction.cancel", "destructions", "撤销销毁清单", "Destruction list cancelled";
    StocktakeStart => "stocktake.start", "stocktakes", "开始清查", "Stock-taking started";
    StocktakeMark => "stocktake.mark", "stocktakes", "清查登记", "Copy found in stock-taking";
    StocktakeUnmark => "stocktake.unmark", "stocktakes", "撤回清查登记", "Stock-taking mark withdrawn";
    StocktakeClose => "stocktake.close", "stocktakes", "完成清查", "Stock-taking closed";
    StocktakeCancel => "stocktake.cancel", "stocktakes", "作废清查", "Stock-taking cancelled";
    SecrecyDecide => "secrecy.decide", "documents", "密级或保密期限变更", "Level or period changed";
    IncidentOpen => "incident.open", "incidents", "登记泄密/丢失事件", "Incident recorded";
    IncidentUpdate => "incident.update", "incidents", "补充事件处理情况", "Incident updated";
    IncidentClose => "incident.close", "incidents", "办结事件", "Incident closed";
    PrintDestructionList => "print.destruction_list", "destructions", "打印销毁清单", "Destruction list printed";
    PrintStocktakeReport => "print.stocktake_report", "stocktakes", "打印清查报告", "Stock-taking report printed";
    RegisterExport => "register.export", "registers", "导出登记表", "Register exported";
    RegisterPrint => "register.print", "registers", "打印登记表", "Register printed";
}

impl AuditAction {
    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.iter().copied().find(|a| a.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut codes: Vec<_> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.code()), Some(*a));
            assert!(!a.label_zh().is_empty() && !a.label_en().is_empty());
        }
    }
}
