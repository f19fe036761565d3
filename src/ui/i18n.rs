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

    /// A level's, state's, step's… name in this language.
    pub fn label(self, x: impl crate::domain::Label) -> &'static str {
        self.tr(x.label_zh(), x.label_en())
    }

    /// A message in this language (the Chinese where no English was written).
    pub fn message(self, m: &crate::domain::Message) -> &str {
        match self {
            Lang::Zh => m.zh(),
            Lang::En => m.en(),
        }
    }

    /// A name with what qualifies it: 赵主任（党办负责人） / Zhao (office head).
    pub fn name_and(self, name: &str, what: &str) -> String {
        match self {
            Lang::Zh => format!("{name}（{what}）"),
            Lang::En => format!("{name} ({what})"),
        }
    }

    /// A copy's number: 第3份 / copy 3.
    pub fn copy_no(self, n: impl std::fmt::Display) -> String {
        match self {
            Lang::Zh => format!("第{n}份"),
            Lang::En => format!("copy {n}"),
        }
    }

    /// A refusal of the rules in this language.
    pub fn explain(self, e: &impl crate::domain::Explain) -> String {
        match self {
            Lang::Zh => e.to_string(),
            Lang::En => e.en(),
        }
    }

    /// A level's name in this language.
    pub fn level(self, l: crate::domain::level::Level) -> &'static str {
        self.tr(l.label_zh(), l.label_en())
    }

    /// A clearance's name in this language.
    pub fn clearance(self, c: crate::domain::person::Clearance) -> &'static str {
        self.tr(c.label_zh(), c.label_en())
    }

    /// An approver's name in this language.
    pub fn approver(self, a: crate::domain::borrow_policy::Approver) -> &'static str {
        self.tr(a.label_zh(), a.label_en())
    }

    /// The office time zone as shown in this language.
    pub fn zone(self, z: crate::domain::OfficeZone) -> String {
        match self {
            Lang::Zh => z.label_zh(),
            Lang::En => z.label_en(),
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
    match crate::ledger::AuditAction::from_code(code) {
        Some(a) => lang.tr(a.label_zh(), a.label_en()).to_owned(),
        None => code.to_owned(),
    }
}
