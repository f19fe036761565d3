//! Interface language: Simplified Chinese by default, English switchable. Strings stay beside
//! their use as `(中文, English)` pairs through [`Lang::tr`].

use serde::{Deserialize, Serialize};

/// The interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the string for this language.
    pub fn tr(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The role's label in this language.
    pub fn role(self, role: crate::domain::Role) -> &'static str {
        match self {
            Lang::Zh => role.label_zh(),
            Lang::En => role.label_en(),
        }
    }
}

/// The label of an audit action code (`vault.create` …) in this language; unknown codes are
/// shown as they are.
pub fn action_label(lang: Lang, code: &str) -> String {
    let pair = match code {
        "vault.create" => Some(("创建台账库", "Ledger created")),
        "session.unlock" => Some(("解锁", "Unlocked")),
        "session.lock" => Some(("锁定", "Locked")),
        "passphrase.change" => Some(("修改口令", "Passphrase changed")),
        "passphrase.reset_with_recovery_key" => {
            Some(("用恢复密钥重设口令", "Passphrase reset with recovery key"))
        }
        "recovery_key.rotate" => Some(("更换恢复密钥", "Recovery key replaced")),
        "user.create" => Some(("新增用户", "User added")),
        "user.deactivate" => Some(("停用用户", "User deactivated")),
        "settings.update" => Some(("修改设置", "Setting changed")),
        "login.failed" => Some(("登录失败", "Failed sign-in")),
        "audit.seal" => Some(("封存审计链", "Audit chain sealed")),
        "person.create" => Some(("登记人员", "Person added")),
        "person.update" => Some(("修改人员", "Person changed")),
        "cabinet.create" => Some(("登记专柜", "Cabinet added")),
        "cabinet.update" => Some(("修改专柜", "Cabinet changed")),
        "document.register" => Some(("收文登记", "Incoming document registered")),
        "document.edit" => Some(("修改登记", "Registration edited")),
        "document.void" => Some(("作废登记", "Registration voided")),
        "copy.move" => Some(("变更份号去向", "Copy moved")),
        "outgoing.draft" => Some(("发文拟稿", "Outgoing draft")),
        "outgoing.review" => Some(("发文审核", "Outgoing reviewed")),
        "outgoing.sign" => Some(("发文签发", "Outgoing signed off")),
        "outgoing.number" => Some(("发文编号", "Outgoing numbered")),
        "outgoing.register" => Some(("发文登记", "Outgoing registered")),
        "outgoing.print" => Some(("发文印制", "Outgoing printed")),
        "outgoing.distribute" => Some(("发文分发", "Outgoing copy sent")),
        "outgoing.receipt" => Some(("登记回执", "Receipt recorded")),
        "borrow.request" => Some(("借阅申请", "Borrow requested")),
        "borrow.approve" => Some(("批准借阅", "Borrow approved")),
        "borrow.reject" => Some(("不批准借阅", "Borrow rejected")),
        "borrow.cancel" => Some(("撤销借阅申请", "Borrow withdrawn")),
        "borrow.check_out" => Some(("借出", "Handed out")),
        "borrow.renew" => Some(("续借", "Renewed")),
        "borrow.return" => Some(("归还", "Returned")),
        "borrow.demo_backdate" => Some(("演示数据回溯日期", "Demo data back-dated")),
        "calendar.set_year" => Some(("修改工作日历", "Calendar year set")),
        "print.borrow_form" => Some(("打印借阅申请表", "Borrowing form printed")),
        "print.labels" => Some(("打印份号标签", "Copy labels printed")),
        _ => None,
    };
    match pair {
        Some((zh, en)) => lang.tr(zh, en).to_owned(),
        None => code.to_owned(),
    }
}

/// An RFC 3339 UTC timestamp as local `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}
