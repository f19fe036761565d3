//! Classification levels (R2.2) and the categories of secret information (R2.1).

use serde::{Deserialize, Serialize};

/// R2.2: the levels, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    /// 绝密: core state secrets.
    Juemi,
    /// 机密: important state secrets.
    Jimi,
    /// 秘密: ordinary state secrets.
    Mimi,
    /// 内部敏感: not a state secret; a leak could hurt the company.
    NeibuMingan,
}

impl Level {
    /// Every level, highest first.
    pub const ALL: [Level; 4] = [Level::Juemi, Level::Jimi, Level::Mimi, Level::NeibuMingan];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Level::Juemi => "juemi",
            Level::Jimi => "jimi",
            Level::Mimi => "mimi",
            Level::NeibuMingan => "neibu",
        }
    }

    /// Parses a stored code or the Chinese name.
    pub fn from_code(s: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.code() == s || l.label_zh() == s)
    }

    /// The Chinese name, as printed in markings.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Juemi => "绝密",
            Level::Jimi => "机密",
            Level::Mimi => "秘密",
            Level::NeibuMingan => "内部敏感",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Level::Juemi => "Top secret",
            Level::Jimi => "Confidential",
            Level::Mimi => "Secret",
            Level::NeibuMingan => "Internal sensitive",
        }
    }

    /// Whether the level is a state secret (the first three of R2.2).
    pub fn is_state_secret(self) -> bool {
        self != Level::NeibuMingan
    }

    /// The statutory maximum secrecy period in years (保守国家秘密法: 绝密 30, 机密 20,
    /// 秘密 10), which also applies when a document states no period. `None` for 内部敏感.
    pub fn statutory_max_years(self) -> Option<u16> {
        match self {
            Level::Juemi => Some(30),
            Level::Jimi => Some(20),
            Level::Mimi => Some(10),
            Level::NeibuMingan => None,
        }
    }
}

/// R2.1: what a record is about (a record carries one category).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// 1. 方针、政策、决议、指示.
    Policy,
    /// 2. 会议记录、纪要、决议.
    Meeting,
    /// 3. 讲话、批示、指示.
    LeaderSpeech,
    /// 4. 重大决策、重要业务、重要项目.
    MajorDecision,
    /// 5. 商业秘密.
    TradeSecret,
    /// 6. 工作计划、总结、统计报表.
    InternalWork,
    /// 7. 其他.
    Other,
}

impl Category {
    /// Every category, in the order of R2.1.
    pub const ALL: [Category; 7] = [
        Category::Policy,
        Category::Meeting,
        Category::LeaderSpeech,
        Category::MajorDecision,
        Category::TradeSecret,
        Category::InternalWork,
        Category::Other,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Category::Policy => "policy",
            Category::Meeting => "meeting",
            Category::LeaderSpeech => "leader_speech",
            Category::MajorDecision => "major_decision",
            Category::TradeSecret => "trade_secret",
            Category::InternalWork => "internal_work",
            Category::Other => "other",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == s)
    }

    /// The Chinese label (R2.1's wording).
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Policy => "方针、政策、决议、指示",
            Category::Meeting => "会议记录、纪要、决议",
            Category::LeaderSpeech => "领导讲话、批示、指示",
            Category::MajorDecision => "重大决策、重要业务、重要项目",
            Category::TradeSecret => "商业秘密",
            Category::InternalWork => "内部工作计划、总结、统计报表",
            Category::Other => "其他需要保密的信息",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Category::Policy => "Guidelines, policies, resolutions, directives",
            Category::Meeting => "Minutes and decisions of meetings",
            Category::LeaderSpeech => "Leaders' speeches and instructions",
            Category::MajorDecision => "Major decisions, business and projects",
            Category::TradeSecret => "Trade secrets",
            Category::InternalWork => "Internal plans, reports and statistics",
            Category::Other => "Other information to be kept secret",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_2_levels_are_ordered_highest_first() {
        assert!(Level::Juemi < Level::Jimi && Level::Jimi < Level::Mimi);
        assert!(Level::Mimi < Level::NeibuMingan);
        assert!(!Level::NeibuMingan.is_state_secret());
    }

    #[test]
    fn r2_2_statutory_maximum_periods() {
        assert_eq!(Level::Juemi.statutory_max_years(), Some(30));
        assert_eq!(Level::Jimi.statutory_max_years(), Some(20));
        assert_eq!(Level::Mimi.statutory_max_years(), Some(10));
        assert_eq!(Level::NeibuMingan.statutory_max_years(), None);
    }

    #[test]
    fn r2_1_categories_and_level_codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
        for l in Level::ALL {
            assert_eq!(Level::from_code(l.code()), Some(l));
            assert_eq!(Level::from_code(l.label_zh()), Some(l));
        }
    }
}
