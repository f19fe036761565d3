//! The outgoing flow (发文, R3.1.2): review, sign-off, numbering, registration, printing,
//! distribution — strictly in that order — and the channel each level may travel by.

use serde::{Deserialize, Serialize};

use super::level::Level;

/// The steps of R3.1.2, in their order. A document's step is the last one done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OutgoingStep {
    /// 拟稿: drafted, nothing done yet.
    Draft,
    /// 审核.
    Reviewed,
    /// 签发.
    Signed,
    /// 编号.
    Numbered,
    /// 登记.
    Registered,
    /// 印制.
    Printed,
    /// 分发.
    Distributed,
}

impl OutgoingStep {
    /// Every step in order.
    pub const ALL: [OutgoingStep; 7] = [
        OutgoingStep::Draft,
        OutgoingStep::Reviewed,
        OutgoingStep::Signed,
        OutgoingStep::Numbered,
        OutgoingStep::Registered,
        OutgoingStep::Printed,
        OutgoingStep::Distributed,
    ];

    /// The Chinese name of the step.
    pub fn label_zh(self) -> &'static str {
        match self {
            OutgoingStep::Draft => "拟稿",
            OutgoingStep::Reviewed => "审核",
            OutgoingStep::Signed => "签发",
            OutgoingStep::Numbered => "编号",
            OutgoingStep::Registered => "登记",
            OutgoingStep::Printed => "印制",
            OutgoingStep::Distributed => "分发",
        }
    }

    /// The step done, in English (the register's state: "signed", "distributed").
    pub fn done_en(self) -> &'static str {
        match self {
            OutgoingStep::Draft => "drafted",
            OutgoingStep::Reviewed => "reviewed",
            OutgoingStep::Signed => "signed",
            OutgoingStep::Numbered => "numbered",
            OutgoingStep::Registered => "registered",
            OutgoingStep::Printed => "printed",
            OutgoingStep::Distributed => "distributed",
        }
    }

    /// The English name of the step.
    pub fn label_en(self) -> &'static str {
        match self {
            OutgoingStep::Draft => "draft",
            OutgoingStep::Reviewed => "review",
            OutgoingStep::Signed => "sign-off",
            OutgoingStep::Numbered => "numbering",
            OutgoingStep::Registered => "registration",
            OutgoingStep::Printed => "printing",
            OutgoingStep::Distributed => "distribution",
        }
    }

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            OutgoingStep::Draft => "draft",
            OutgoingStep::Reviewed => "reviewed",
            OutgoingStep::Signed => "signed",
            OutgoingStep::Numbered => "numbered",
            OutgoingStep::Registered => "registered",
            OutgoingStep::Printed => "printed",
            OutgoingStep::Distributed => "distributed",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<OutgoingStep> {
        OutgoingStep::ALL.into_iter().find(|c| c.code() == s)
    }

    /// The next step, if any.
    pub fn next(self) -> Option<OutgoingStep> {
        let i = OutgoingStep::ALL.iter().position(|s| *s == self)?;
        OutgoingStep::ALL.get(i + 1).copied()
    }

    /// R3.1.2: performing `step` is allowed only as the next step after this one.
    pub fn advance(self, step: OutgoingStep) -> Result<OutgoingStep, OutgoingRefusal> {
        match self.next() {
            Some(n) if n == step => Ok(step),
            Some(n) => Err(OutgoingRefusal::OutOfOrder {
                wanted: step.label_zh(),
                next: n.label_zh(),
            }),
            None => Err(OutgoingRefusal::AlreadyDistributed),
        }
    }
}

/// How a copy travels to its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// 加密传输.
    EncryptedTransmission,
    /// 专人送达 by a designated person.
    DesignatedPerson,
    /// 机要渠道 (confidential mail).
    ConfidentialMail,
    /// 密封 EMS.
    SealedEms,
    /// 普通内部传递 (internal mail; only for 内部敏感).
    InternalMail,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [
        Channel::EncryptedTransmission,
        Channel::DesignatedPerson,
        Channel::ConfidentialMail,
        Channel::SealedEms,
        Channel::InternalMail,
    ];

    /// The Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::EncryptedTransmission => "加密传输",
            Channel::DesignatedPerson => "专人送达",
            Channel::ConfidentialMail => "机要渠道",
            Channel::SealedEms => "密封EMS",
            Channel::InternalMail => "内部传递",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Channel::EncryptedTransmission => "encrypted transmission",
            Channel::DesignatedPerson => "by a designated person",
            Channel::ConfidentialMail => "confidential mail",
            Channel::SealedEms => "sealed EMS",
            Channel::InternalMail => "internal mail",
        }
    }

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Channel::EncryptedTransmission => "encrypted",
            Channel::DesignatedPerson => "designated_person",
            Channel::ConfidentialMail => "confidential_mail",
            Channel::SealedEms => "sealed_ems",
            Channel::InternalMail => "internal_mail",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }

    /// R3.1.2: the channels allowed for a level.
    pub fn allowed_for(level: Level) -> &'static [Channel] {
        match level {
            Level::Juemi => &[Channel::EncryptedTransmission, Channel::DesignatedPerson],
            Level::Jimi => &[Channel::ConfidentialMail, Channel::DesignatedPerson],
            Level::Mimi => &[Channel::SealedEms, Channel::DesignatedPerson],
            Level::NeibuMingan => &Channel::ALL,
        }
    }

    /// R3.1.2: refuses a channel that does not fit the level, naming the ones that do.
    pub fn check(self, level: Level) -> Result<(), OutgoingRefusal> {
        let allowed = Channel::allowed_for(level);
        if allowed.contains(&self) {
            Ok(())
        } else {
            Err(OutgoingRefusal::ChannelNotAllowed {
                level: level.label_zh(),
                channel: self.label_zh(),
                allowed: allowed
                    .iter()
                    .map(|c| c.label_zh())
                    .collect::<Vec<_>>()
                    .join("或"),
            })
        }
    }
}

/// Refusals of the outgoing flow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutgoingRefusal {
    /// R3.1.2: steps strictly in order.
    #[error("不能{wanted}：下一步应为{next}（R3.1.2 审核、签发、编号、登记、印制、分发依次进行）")]
    OutOfOrder {
        wanted: &'static str,
        next: &'static str,
    },
    /// Nothing after distribution.
    #[error("该文件已分发，流程已结束")]
    AlreadyDistributed,
    /// R3.1.2: the channel of the level.
    #[error("{level}文件不能经{channel}分发，只能经{allowed}（R3.1.2）")]
    ChannelNotAllowed {
        level: &'static str,
        channel: &'static str,
        allowed: String,
    },
}

impl super::message::Explain for OutgoingRefusal {
    fn en(&self) -> String {
        use super::message::label_en_of;
        match self {
            OutgoingRefusal::OutOfOrder { wanted, next } => format!(
                "Cannot do {} now: the next step is {} (R3.1.2: review, sign-off, numbering, registration, printing, distribution in turn)",
                label_en_of(wanted),
                label_en_of(next)
            ),
            OutgoingRefusal::AlreadyDistributed => {
                "The document has been distributed: its flow is over".into()
            }
            OutgoingRefusal::ChannelNotAllowed {
                level,
                channel,
                allowed,
            } => format!(
                "{} documents cannot go by {}, only by {} (R3.1.2)",
                label_en_of(level),
                label_en_of(channel),
                allowed
                    .split('或')
                    .map(label_en_of)
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_1_2_steps_only_in_order() {
        let mut step = OutgoingStep::Draft;
        for next in &OutgoingStep::ALL[1..] {
            for other in OutgoingStep::ALL.iter().filter(|s| *s != next) {
                assert!(step.advance(*other).is_err(), "{step:?} → {other:?}");
            }
            step = step.advance(*next).unwrap();
        }
        assert_eq!(step, OutgoingStep::Distributed);
        assert_eq!(
            step.advance(OutgoingStep::Draft),
            Err(OutgoingRefusal::AlreadyDistributed)
        );
        let err = OutgoingStep::Reviewed
            .advance(OutgoingStep::Numbered)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "不能编号：下一步应为签发（R3.1.2 审核、签发、编号、登记、印制、分发依次进行）"
        );
    }

    #[test]
    fn r3_1_2_channel_must_fit_the_level() {
        assert!(Channel::EncryptedTransmission.check(Level::Juemi).is_ok());
        assert!(Channel::DesignatedPerson.check(Level::Juemi).is_ok());
        assert!(Channel::ConfidentialMail.check(Level::Juemi).is_err());
        assert!(Channel::ConfidentialMail.check(Level::Jimi).is_ok());
        assert!(Channel::SealedEms.check(Level::Jimi).is_err());
        assert!(Channel::SealedEms.check(Level::Mimi).is_ok());
        assert!(Channel::InternalMail.check(Level::Mimi).is_err());
        assert!(Channel::InternalMail.check(Level::NeibuMingan).is_ok());
        assert_eq!(
            Channel::SealedEms
                .check(Level::Juemi)
                .unwrap_err()
                .to_string(),
            "绝密文件不能经密封EMS分发，只能经加密传输或专人送达（R3.1.2）"
        );
    }
}
