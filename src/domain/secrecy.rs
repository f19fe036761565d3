//! The declassification review (解密审查, period management, R2.2 and the Law on Guarding State
//! Secrets): which documents reach the end of their period, and the decisions that change a
//! document's level or period — 解密, 延长 (within the statutory maximum), 变更密级, or a
//! correction of the registration. Every such change goes through one rule set here.

use chrono::NaiveDate;
use serde::Serialize;

use super::level::Level;
use super::marking::SecrecyPeriod;
use super::message::{Explain, Message};

/// The clause behind levels and periods.
pub const CLAUSE: &str = "R2.2";

/// What a decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DecisionKind {
    /// 解密: no longer a secret from the decision's date.
    Declassify,
    /// 延长保密期限: a longer period, within the statutory maximum.
    Extend,
    /// 变更密级: another level (and the period that goes with it).
    ChangeLevel,
    /// 登记更正: the registration had the level or period wrong (修改登记).
    Correction,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 4] = [
        DecisionKind::Declassify,
        DecisionKind::Extend,
        DecisionKind::ChangeLevel,
        DecisionKind::Correction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::Declassify => "declassify",
            DecisionKind::Extend => "extend",
            DecisionKind::ChangeLevel => "change_level",
            DecisionKind::Correction => "correction",
        }
    }

    pub fn from_code(s: &str) -> Option<DecisionKind> {
        DecisionKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DecisionKind::Declassify => "解密",
            DecisionKind::Extend => "延长保密期限",
            DecisionKind::ChangeLevel => "变更密级",
            DecisionKind::Correction => "登记更正",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DecisionKind::Declassify => "declassified",
            DecisionKind::Extend => "period extended",
            DecisionKind::ChangeLevel => "level changed",
            DecisionKind::Correction => "registration corrected",
        }
    }
}

/// A document as the review sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub level: Level,
    pub period: SecrecyPeriod,
    pub dated: NaiveDate,
    pub declassified: bool,
}

/// Where a document stands against its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The last day of the period (the day it may be declassified).
    pub ends_on: NaiveDate,
    /// Days from today to that day; negative once past.
    pub days_left: i64,
}

/// Whether the review lists the document today: its period ends within `window_days` or has
/// ended, and it is still secret. Condition and long-term periods are never listed by date.
pub fn due(d: &Secret, today: NaiveDate, window_days: u32) -> Option<Due> {
    if d.declassified || !d.level.is_state_secret() {
        return None;
    }
    let ends_on = d.period.ends_on(d.level, d.dated)?;
    let days_left = (ends_on - today).num_days();
    (days_left <= i64::from(window_days)).then_some(Due { ends_on, days_left })
}

/// The result a decision asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub kind: DecisionKind,
    pub level: Level,
    pub period: SecrecyPeriod,
}

/// Checks a decision against the document now; returns the level and period to store.
pub fn check(now: &Secret, p: &Proposal) -> Result<(), Message> {
    if now.declassified {
        return Err(Message::new(
            "该文件已解密，不再作密级或期限的变更",
            "This document is declassified: its level and period are no longer changed",
        ));
    }
    match p.kind {
        DecisionKind::Declassify => {
            if !now.level.is_state_secret() {
                return Err(Message::new(
                    "内部敏感信息不是国家秘密，无需解密",
                    "Internal sensitive information is not a state secret: nothing to declassify",
                ));
            }
            Ok(())
        }
        DecisionKind::Extend => {
            if p.level != now.level {
                return Err(Message::new(
                    "延长保密期限不改变密级；改变密级请选“变更密级”",
                    "An extension keeps the level; to change it choose “change level”",
                ));
            }
            p.period
                .validate(p.level, now.dated)
                .map_err(|e| e.message())?;
            // An extension ends on a date within the statutory maximum: 长期 or a condition is
            // not an extension (it has no end the law's maximum can bound).
            let Some(new_end) = p.period.ends_on(p.level, now.dated) else {
                return Err(Message::new(
                    "延长须定到一个期限或日期（不超过法定最长期限），不能延长为长期或条件",
                    "An extension ends at a period or a date within the statutory maximum, not long-term or a condition",
                ));
            };
            let longer = match now.period.ends_on(now.level, now.dated) {
                Some(old) => new_end > old,
                // From a condition or long-term period any dated end is a change, not an
                // extension.
                None => false,
            };
            if !longer {
                return Err(Message::new(
                    "延长后的保密期限须晚于现在的期限",
                    "The extended period must end after the present one",
                ));
            }
            Ok(())
        }
        DecisionKind::ChangeLevel => {
            if p.level == now.level {
                return Err(Message::new(
                    "新密级与现在的密级相同",
                    "The new level is the same as the present one",
                ));
            }
            p.period
                .validate(p.level, now.dated)
                .map_err(|e| e.message())
        }
        DecisionKind::Correction => p
            .period
            .validate(p.level, now.dated)
            .map_err(|e| e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn secret(level: Level, period: SecrecyPeriod) -> Secret {
        Secret {
            level,
            period,
            dated: d(2016, 12, 1),
            declassified: false,
        }
    }

    #[test]
    fn r2_2_the_review_lists_periods_ending_within_the_window_or_ended() {
        let ten = secret(Level::Mimi, SecrecyPeriod::Years(10));
        assert_eq!(due(&ten, d(2026, 10, 1), 30), None);
        let soon = due(&ten, d(2026, 11, 20), 30).unwrap();
        assert_eq!((soon.ends_on, soon.days_left), (d(2026, 12, 1), 11));
        assert_eq!(due(&ten, d(2027, 1, 1), 30).unwrap().days_left, -31);
        let cond = secret(Level::Mimi, SecrecyPeriod::Condition("项目结束".into()));
        assert_eq!(due(&cond, d(2040, 1, 1), 30), None);
        let done = Secret {
            declassified: true,
            ..ten.clone()
        };
        assert_eq!(due(&done, d(2027, 1, 1), 30), None);
    }

    #[test]
    fn r2_2_an_extension_stays_within_the_statutory_maximum() {
        let now = secret(Level::Mimi, SecrecyPeriod::Years(10));
        let extend = |period| Proposal {
            kind: DecisionKind::Extend,
            level: Level::Mimi,
            period,
        };
        assert!(check(&now, &extend(SecrecyPeriod::Years(10))).is_err());
        assert!(check(&now, &extend(SecrecyPeriod::Years(5))).is_err());
        let err = check(&now, &extend(SecrecyPeriod::Years(11))).unwrap_err();
        assert!(err.zh().contains("10年"), "{err}");
        let jimi = secret(Level::Jimi, SecrecyPeriod::Years(10));
        assert!(
            check(
                &jimi,
                &Proposal {
                    kind: DecisionKind::Extend,
                    level: Level::Jimi,
                    period: SecrecyPeriod::Years(20)
                }
            )
            .is_ok()
        );
        assert!(
            check(
                &jimi,
                &Proposal {
                    kind: DecisionKind::Extend,
                    level: Level::Jimi,
                    period: SecrecyPeriod::Years(21)
                }
            )
            .is_err()
        );
        // 长期 and a condition have no end the maximum bounds.
        for period in [
            SecrecyPeriod::LongTerm,
            SecrecyPeriod::Condition("项目结束".into()),
        ] {
            assert!(check(&now, &extend(period)).is_err());
        }
    }

    #[test]
    fn r2_2_a_change_of_level_takes_a_period_of_the_new_level() {
        let now = secret(Level::Jimi, SecrecyPeriod::Years(20));
        let to_mimi = |period| Proposal {
            kind: DecisionKind::ChangeLevel,
            level: Level::Mimi,
            period,
        };
        assert!(check(&now, &to_mimi(SecrecyPeriod::Years(20))).is_err());
        assert!(check(&now, &to_mimi(SecrecyPeriod::Years(10))).is_ok());
        let same = Proposal {
            kind: DecisionKind::ChangeLevel,
            level: Level::Jimi,
            period: SecrecyPeriod::Years(10),
        };
        assert!(check(&now, &same).is_err());
        let declassified = Secret {
            declassified: true,
            ..now
        };
        assert!(check(&declassified, &to_mimi(SecrecyPeriod::Years(5))).is_err());
        for k in DecisionKind::ALL {
            assert_eq!(DecisionKind::from_code(k.code()), Some(k));
        }
    }
}
