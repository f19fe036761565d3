//! What the user is told, in the interface's two languages. A refusal of the rules carries its
//! message in Chinese (its `Display`, also what the CLI and the logs say) and in English (for
//! the English interface), so that neither language is pieced together in the UI from codes.

use std::fmt;

/// A message for the user: Chinese, and English where it has been written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    zh: String,
    en: Option<String>,
}

impl Message {
    /// A message in both languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: Some(en.into()),
        }
    }

    /// The Chinese text.
    pub fn zh(&self) -> &str {
        &self.zh
    }

    /// The English text; the Chinese where none was written.
    pub fn en(&self) -> &str {
        self.en.as_deref().unwrap_or(&self.zh)
    }
}

/// A message written in Chinese only (a reason typed by a user, a library's error text).
impl From<String> for Message {
    fn from(zh: String) -> Self {
        Self { zh, en: None }
    }
}

impl From<&str> for Message {
    fn from(zh: &str) -> Self {
        Self::from(zh.to_owned())
    }
}

/// A message written in both languages: `("请填写姓名", "Write the name")`.
impl From<(&str, &str)> for Message {
    fn from((zh, en): (&str, &str)) -> Self {
        Self::new(zh, en)
    }
}

impl From<(String, String)> for Message {
    fn from((zh, en): (String, String)) -> Self {
        Self::new(zh, en)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zh)
    }
}

/// Reads as its Chinese text (`contains`, `starts_with`…).
impl std::ops::Deref for Message {
    type Target = str;
    fn deref(&self) -> &str {
        &self.zh
    }
}

/// A refusal that says why in both languages: Chinese through `Display`, English here.
pub trait Explain: fmt::Display {
    /// The English text.
    fn en(&self) -> String;

    /// Both texts.
    fn message(&self) -> Message {
        Message::new(self.to_string(), self.en())
    }
}

/// A value shown by name (a level, a state, a step…) in either language.
pub trait Label: Copy {
    fn label_zh(self) -> &'static str;
    fn label_en(self) -> &'static str;
}

macro_rules! label {
    ($($t:ty),*) => {$(
        impl Label for $t {
            fn label_zh(self) -> &'static str {
                <$t>::label_zh(self)
            }
            fn label_en(self) -> &'static str {
                <$t>::label_en(self)
            }
        }
    )*};
}

label!(
    super::level::Level,
    super::level::Category,
    super::copy_state::CopyState,
    super::outgoing::OutgoingStep,
    super::outgoing::Channel,
    super::person::Clearance,
    super::role::Role,
    super::borrow_policy::Approver
);

/// The English name of a label written in Chinese (a level, role, clearance, state, step,
/// channel or approver carried by a refusal as its Chinese text); the text itself otherwise.
pub fn label_en_of(zh: &str) -> String {
    use super::borrow_policy::Approver;
    use super::copy_state::CopyState;
    use super::level::{Category, Level};
    use super::outgoing::{Channel, OutgoingStep};
    use super::person::Clearance;
    use super::role::Role;
    fn find<T: Label>(all: &[T], zh: &str) -> Option<&'static str> {
        all.iter()
            .find(|x| x.label_zh() == zh)
            .map(|x| x.label_en())
    }
    find(&Level::ALL, zh)
        .or_else(|| find(&Role::ALL, zh))
        .or_else(|| find(&Clearance::ALL, zh))
        .or_else(|| find(&CopyState::ALL, zh))
        .or_else(|| find(&OutgoingStep::ALL, zh))
        .or_else(|| find(&Channel::ALL, zh))
        .or_else(|| find(&Approver::ALL, zh))
        .or_else(|| find(&Category::ALL, zh))
        .map_or_else(|| zh.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::borrow_policy::{ApprovalRefusal, BorrowRefusal, PolicyError};
    use crate::domain::cabinet::StorageRefusal;
    use crate::domain::calendar::CalendarError;
    use crate::domain::copy_state::{CopyState, CustodyFlow};
    use crate::domain::error::DomainError;
    use crate::domain::numbering::PatternError;
    use crate::domain::office_date::BadOffset;
    use crate::domain::outgoing::OutgoingRefusal;

    fn cjk(t: &str) -> bool {
        t.chars()
            .any(|c| matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF))
    }

    /// Every refusal of the rules reads in English without a Chinese character, the labels it
    /// carries (levels, roles, states, channels) translated too.
    #[test]
    fn every_refusal_has_its_english() {
        let d = chrono::NaiveDate::from_ymd_opt(2027, 10, 8).unwrap();
        let all: Vec<Box<dyn Explain>> = vec![
            Box::new(DomainError::PeriodTooLong {
                level: "机密",
                max_years: 20,
            }),
            Box::new(DomainError::PeriodNotPositive),
            Box::new(DomainError::ConditionMissing),
            Box::new(DomainError::PeriodOnInternal),
            Box::new(DomainError::PeriodValue {
                expected: "保密期限请填写数字",
            }),
            Box::new(DomainError::PeriodValue {
                expected: "截至日期应写成 2026-03-01 的形式",
            }),
            Box::new(DomainError::IllegalTransition {
                from: CopyState::Destroyed,
                to: CopyState::InCabinet,
            }),
            Box::new(DomainError::OwnedByFlow {
                from: Some(CopyState::InCabinet),
                to: CopyState::Borrowed,
                owner: CustodyFlow::Borrowing,
            }),
            Box::new(DomainError::OwnedByFlow {
                from: None,
                to: CopyState::Destroyed,
                owner: CustodyFlow::Destruction,
            }),
            Box::new(StorageRefusal::TopSecretNeedsTopSecretCabinet),
            Box::new(StorageRefusal::TopSecretNeedsResponsiblePerson),
            Box::new(StorageRefusal::ConfidentialNeedsDedicatedCabinet),
            Box::new(StorageRefusal::LevelAboveCabinet("秘密")),
            Box::new(StorageRefusal::CabinetNotLocked),
            Box::new(OutgoingRefusal::OutOfOrder {
                wanted: "编号",
                next: "签发",
            }),
            Box::new(OutgoingRefusal::AlreadyDistributed),
            Box::new(OutgoingRefusal::ChannelNotAllowed {
                level: "绝密",
                channel: "密封EMS",
                allowed: "加密传输或专人送达".into(),
            }),
            Box::new(PatternError::MissingPlaceholder),
            Box::new(PatternError::UnknownPlaceholder("{x}".into())),
            Box::new(BadOffset),
            Box::new(PolicyError::FixedApprover {
                level: "机密",
                wanted: "党办负责人",
                got: "保密员",
            }),
            Box::new(PolicyError::JuemiOnSite),
            Box::new(PolicyError::Period { level: "秘密" }),
            Box::new(PolicyError::Renewals),
            Box::new(BorrowRefusal::NotInCabinet("借出")),
            Box::new(BorrowRefusal::NotAllowed("绝密")),
            Box::new(BorrowRefusal::TooLong {
                level: "机密",
                max: 5,
                asked: 9,
            }),
            Box::new(BorrowRefusal::NoPeriod),
            Box::new(BorrowRefusal::PlaceRequired),
            Box::new(BorrowRefusal::JustificationRequired),
            Box::new(BorrowRefusal::Overdue),
            Box::new(BorrowRefusal::NoPledge),
            Box::new(BorrowRefusal::NotCleared {
                clearance: "一般涉密人员",
                level: "机密",
            }),
            Box::new(BorrowRefusal::Inactive),
            Box::new(ApprovalRefusal::WrongApprover {
                level: "秘密",
                wanted: "部门负责人",
            }),
            Box::new(ApprovalRefusal::OtherDepartment),
            Box::new(ApprovalRefusal::OwnRequest),
            Box::new(CalendarError::MissingYear),
            Box::new(CalendarError::WrongYear {
                line: 3,
                date: d,
                year: 2026,
            }),
            Box::new(CalendarError::Reversed { line: 2 }),
            Box::new(CalendarError::TooLong { line: 2 }),
            Box::new(CalendarError::Both(d)),
            Box::new(CalendarError::WorkdayOnWeekday(d)),
        ];
        for e in all {
            let en = e.en();
            // “年 2026” names the calendar file's own keyword.
            assert!(!cjk(&en.replace("“年 2026”", "")), "{e} → {en}");
            assert!(cjk(&e.to_string()), "{e}");
            assert_eq!(e.message().en(), en);
        }
    }

    #[test]
    fn a_message_without_english_shows_its_chinese() {
        let m = Message::from("请填写姓名");
        assert_eq!((m.zh(), m.en()), ("请填写姓名", "请填写姓名"));
        let m = Message::new("请填写姓名", "Write the name");
        assert_eq!(m.en(), "Write the name");
        assert_eq!(m.to_string(), "请填写姓名");
    }
}
