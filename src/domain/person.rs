//! People who handle classified information (R3.5): clearance category and pledge.

use serde::{Deserialize, Serialize};

use super::level::Level;

/// 涉密人员类别 (R3.5.3): what a person is cleared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Clearance {
    /// Not cleared: 内部敏感 only.
    None,
    /// 核心涉密人员: up to 绝密.
    Core,
    /// 重要涉密人员: up to 机密.
    Important,
    /// 一般涉密人员: up to 秘密.
    General,
}

impl Clearance {
    /// Every category.
    pub const ALL: [Clearance; 4] = [
        Clearance::Core,
        Clearance::Important,
        Clearance::General,
        Clearance::None,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Clearance::None => "none",
            Clearance::Core => "core",
            Clearance::Important => "important",
            Clearance::General => "general",
        }
    }

    /// Parses a stored code or the Chinese label.
    pub fn from_code(s: &str) -> Option<Clearance> {
        Clearance::ALL
            .into_iter()
            .find(|c| c.code() == s || c.label_zh() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Clearance::None => "非涉密人员",
            Clearance::Core => "核心涉密人员",
            Clearance::Important => "重要涉密人员",
            Clearance::General => "一般涉密人员",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Clearance::None => "not cleared",
            Clearance::Core => "core (up to top secret)",
            Clearance::Important => "important (up to confidential)",
            Clearance::General => "general (secret only)",
        }
    }

    /// R3.5.3: the highest level a person of this category may handle.
    pub fn highest_level(self) -> Level {
        match self {
            Clearance::Core => Level::Juemi,
            Clearance::Important => Level::Jimi,
            Clearance::General => Level::Mimi,
            Clearance::None => Level::NeibuMingan,
        }
    }

    /// R3.5.3: whether a person of this category may handle `level`.
    pub fn may_handle(self, level: Level) -> bool {
        level >= self.highest_level()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_5_3_clearance_bounds_the_level_handled() {
        assert!(Clearance::Core.may_handle(Level::Juemi));
        assert!(!Clearance::Important.may_handle(Level::Juemi));
        assert!(Clearance::Important.may_handle(Level::Jimi));
        assert!(!Clearance::General.may_handle(Level::Jimi));
        assert!(Clearance::General.may_handle(Level::Mimi));
        assert!(!Clearance::None.may_handle(Level::Mimi));
        assert!(Clearance::None.may_handle(Level::NeibuMingan));
        for c in Clearance::ALL {
            assert_eq!(Clearance::from_code(c.code()), Some(c));
        }
    }
}
