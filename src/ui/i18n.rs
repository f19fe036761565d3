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
