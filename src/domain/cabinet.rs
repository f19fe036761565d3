//! Cabinets (专柜) and what they may hold (R3.1.1, R3.4.2).

use super::level::Level;

/// What the rules need to know of a cabinet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CabinetRules {
    /// The highest level the cabinet is designated for.
    pub max_level: Level,
    /// Whether a named person is responsible for it (专人).
    pub has_responsible_person: bool,
    /// Whether it locks (R3.4.2: classified documents in locked cabinets).
    pub locked: bool,
}

/// Why a copy may not be stored in a cabinet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StorageRefusal {
    /// R3.1.1: 绝密 needs a cabinet designated for 绝密.
    #[error("绝密文件只能存放在绝密专柜（R3.1.1 专人专柜）")]
    TopSecretNeedsTopSecretCabinet,
    /// R3.1.1: 绝密 needs a named responsible person.
    #[error("绝密专柜必须指定专人负责（R3.1.1 专人专柜）")]
    TopSecretNeedsResponsiblePerson,
    /// R3.1.1: 机密 needs a dedicated cabinet for 机密 or higher.
    #[error("机密文件只能存放在机密或绝密专用文件柜（R3.1.1）")]
    ConfidentialNeedsDedicatedCabinet,
    /// A cabinet designated for a lower level.
    #[error("该文件柜只可存放{0}及以下密级的文件（R3.1.1 按密级存放）")]
    LevelAboveCabinet(&'static str),
    /// R3.4.2: state secrets only in a cabinet that locks.
    #[error("涉密文件须存放在加锁的文件柜（R3.4.2）")]
    CabinetNotLocked,
}

impl CabinetRules {
    /// R3.1.1 专人专柜: a cabinet designated for 绝密 must name its responsible person.
    pub fn validate_designation(&self) -> Result<(), StorageRefusal> {
        if self.max_level == Level::Juemi && !self.has_responsible_person {
            Err(StorageRefusal::TopSecretNeedsResponsiblePerson)
        } else {
            Ok(())
        }
    }

    /// R3.1.1 / R3.4.2: whether a copy of `level` may be stored here.
    pub fn may_hold(&self, level: Level) -> Result<(), StorageRefusal> {
        if level.is_state_secret() && !self.locked {
            return Err(StorageRefusal::CabinetNotLocked);
        }
        match level {
            Level::Juemi if self.max_level != Level::Juemi => {
                Err(StorageRefusal::TopSecretNeedsTopSecretCabinet)
            }
            Level::Juemi if !self.has_responsible_person => {
                Err(StorageRefusal::TopSecretNeedsResponsiblePerson)
            }
            Level::Jimi if self.max_level > Level::Jimi => {
                Err(StorageRefusal::ConfidentialNeedsDedicatedCabinet)
            }
            _ if level < self.max_level => {
                Err(StorageRefusal::LevelAboveCabinet(self.max_level.label_zh()))
            }
            _ => Ok(()),
        }
    }
}

impl super::message::Explain for StorageRefusal {
    fn en(&self) -> String {
        match self {
            StorageRefusal::TopSecretNeedsTopSecretCabinet => {
                "Top secret documents go only into a top secret cabinet (R3.1.1)".into()
            }
            StorageRefusal::TopSecretNeedsResponsiblePerson => {
                "A top secret cabinet must name the person responsible for it (R3.1.1)".into()
            }
            StorageRefusal::ConfidentialNeedsDedicatedCabinet => {
                "Confidential documents go only into a cabinet for confidential or top secret (R3.1.1)"
                    .into()
            }
            StorageRefusal::LevelAboveCabinet(level) => format!(
                "This cabinet holds documents up to {} only (R3.1.1)",
                super::message::label_en_of(level)
            ),
            StorageRefusal::CabinetNotLocked => {
                "Classified documents go only into a cabinet that locks (R3.4.2)".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cabinet(max_level: Level, person: bool) -> CabinetRules {
        CabinetRules {
            max_level,
            has_responsible_person: person,
            locked: true,
        }
    }

    #[test]
    fn r3_1_1_top_secret_only_in_a_top_secret_cabinet_with_a_named_person() {
        assert_eq!(
            cabinet(Level::Jimi, true).may_hold(Level::Juemi),
            Err(StorageRefusal::TopSecretNeedsTopSecretCabinet)
        );
        assert_eq!(
            cabinet(Level::Juemi, false).may_hold(Level::Juemi),
            Err(StorageRefusal::TopSecretNeedsResponsiblePerson)
        );
        assert!(cabinet(Level::Juemi, true).may_hold(Level::Juemi).is_ok());
    }

    #[test]
    fn r3_1_1_confidential_only_in_a_dedicated_cabinet() {
        assert_eq!(
            cabinet(Level::Mimi, true).may_hold(Level::Jimi),
            Err(StorageRefusal::ConfidentialNeedsDedicatedCabinet)
        );
        assert!(cabinet(Level::Jimi, false).may_hold(Level::Jimi).is_ok());
        assert!(cabinet(Level::Juemi, true).may_hold(Level::Jimi).is_ok());
        assert!(cabinet(Level::Jimi, false).may_hold(Level::Mimi).is_ok());
        assert!(
            cabinet(Level::NeibuMingan, false)
                .may_hold(Level::Mimi)
                .is_err()
        );
    }

    #[test]
    fn r3_4_2_state_secrets_only_in_locked_cabinets() {
        let open = CabinetRules {
            locked: false,
            ..cabinet(Level::Juemi, true)
        };
        assert_eq!(
            open.may_hold(Level::Mimi),
            Err(StorageRefusal::CabinetNotLocked)
        );
        assert!(open.may_hold(Level::NeibuMingan).is_ok());
    }
}
