//! Refusals of the regulation's rules. Each variant names the clause it enforces; the message is
//! the Chinese text shown to the user.

use super::copy_state::{CopyState, CustodyFlow};

/// A rule of the regulation refused an action or a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The secrecy period is longer than the statutory maximum of the level.
    #[error("{level}的保密期限不能超过{max_years}年（保守国家秘密法）")]
    PeriodTooLong { level: &'static str, max_years: u16 },
    /// A period of zero, or a date not after the date of the document.
    #[error("保密期限须大于零，截止日期须晚于成文日期")]
    PeriodNotPositive,
    /// A condition period without the condition.
    #[error("请填写解密条件")]
    ConditionMissing,
    /// 内部敏感 is not a state secret: it has no secrecy period.
    #[error("内部敏感信息不是国家秘密，不标保密期限")]
    PeriodOnInternal,
    /// A period value that does not read (a number, a date).
    #[error("{expected}")]
    PeriodValue { expected: &'static str },
    /// R3.1.1: the copy cannot go from one state to the other.
    #[error("份号状态不能从“{}”变为“{}”（R3.1.1 每一份文件随时有且只有一个去向）", from.label_zh(), to.label_zh())]
    IllegalTransition { from: CopyState, to: CopyState },
    /// The transition belongs to a flow (borrowing, outgoing, destruction…) and is refused
    /// anywhere else.
    #[error("份号由“{}”变为“{}”只能通过{}办理，不能直接变更去向", from.map_or("新份号", |f| f.label_zh()), to.label_zh(), owner.only_through_zh())]
    OwnedByFlow {
        from: Option<CopyState>,
        to: CopyState,
        owner: CustodyFlow,
    },
}

impl DomainError {
    /// Shown in English: the same refusal, the clause kept in the text.
    fn en_text(&self) -> String {
        use super::message::label_en_of;
        match self {
            DomainError::PeriodTooLong { level, max_years } => format!(
                "The secrecy period of {} cannot exceed {max_years} years (Law on Guarding State Secrets)",
                label_en_of(level)
            ),
            DomainError::PeriodNotPositive => {
                "The period must be more than zero and end after the document's date".into()
            }
            DomainError::ConditionMissing => "Write the condition for declassification".into(),
            DomainError::PeriodOnInternal => {
                "Internal sensitive information is not a state secret and has no secrecy period"
                    .into()
            }
            DomainError::PeriodValue { expected } => match *expected {
                "保密期限请填写数字" => "Write the period as a number of years".into(),
                "截至日期应写成 2026-03-01 的形式" => {
                    "Write the end date as 2026-03-01".into()
                }
                other => other.to_owned(),
            },
            DomainError::IllegalTransition { from, to } => format!(
                "A copy cannot go from “{}” to “{}” (R3.1.1: each copy is in exactly one place at any time)",
                from.label_en(),
                to.label_en()
            ),
            DomainError::OwnedByFlow { from, to, owner } => format!(
                "A copy goes from “{}” to “{}” only through {}, not by a change of place",
                from.map_or("new copy", |f| f.label_en()),
                to.label_en(),
                owner.only_through_en()
            ),
        }
    }

    /// The clause of the regulation (or the law around it) that the refusal enforces.
    pub fn clause(&self) -> &'static str {
        match self {
            DomainError::IllegalTransition { .. } => "R3.1.1",
            DomainError::OwnedByFlow { owner, .. } => owner.clause(),
            _ => "R2.2",
        }
    }
}

impl super::message::Explain for DomainError {
    fn en(&self) -> String {
        self.en_text()
    }
}
