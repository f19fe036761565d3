//! Secrecy periods and the marking text (密级标志) such as `机密★10年`, per national practice
//! around R2.2: the level, a ★, then the period; 内部敏感 carries no ★.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::DomainError;
use super::level::Level;

/// How long a document stays secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecrecyPeriod {
    /// A number of years, e.g. 10年.
    Years(u16),
    /// A number of months, e.g. 6个月.
    Months(u16),
    /// Until a date, e.g. 2030年12月31日.
    Until(NaiveDate),
    /// Until a condition, e.g. 项目验收后解密.
    Condition(String),
    /// 长期: no end.
    LongTerm,
    /// Left blank: the statutory maximum of the level applies, and the marking says so.
    Unspecified,
}

impl SecrecyPeriod {
    /// Checks the period against the level (R2.2 and the statutory maxima), for a document dated
    /// `dated`.
    pub fn validate(&self, level: Level, dated: NaiveDate) -> Result<(), DomainError> {
        let Some(max_years) = level.statutory_max_years() else {
            return match self {
                SecrecyPeriod::Unspecified => Ok(()),
                _ => Err(DomainError::PeriodOnInternal),
            };
        };
        let too_long = DomainError::PeriodTooLong {
            level: level.label_zh(),
            max_years,
        };
        match self {
            SecrecyPeriod::Years(0) | SecrecyPeriod::Months(0) => {
                Err(DomainError::PeriodNotPositive)
            }
            SecrecyPeriod::Years(y) if *y > max_years => Err(too_long),
            SecrecyPeriod::Months(m) if u32::from(*m) > u32::from(max_years) * 12 => Err(too_long),
            SecrecyPeriod::Until(d) if *d <= dated => Err(DomainError::PeriodNotPositive),
            SecrecyPeriod::Until(d) if *d > add_years(dated, max_years) => Err(too_long),
            SecrecyPeriod::Condition(c) if c.trim().is_empty() => {
                Err(DomainError::ConditionMissing)
            }
            _ => Ok(()),
        }
    }

    /// The day the period ends for a document dated `dated` (the day it may be declassified),
    /// when the period has a calendar end. A blank period ends at the statutory maximum.
    pub fn ends_on(&self, level: Level, dated: NaiveDate) -> Option<NaiveDate> {
        match self {
            SecrecyPeriod::Years(y) => Some(add_years(dated, *y)),
            SecrecyPeriod::Months(m) => dated.checked_add_months(Months::new(u32::from(*m))),
            SecrecyPeriod::Until(d) => Some(*d),
            SecrecyPeriod::Unspecified => level.statutory_max_years().map(|y| add_years(dated, y)),
            SecrecyPeriod::Condition(_) | SecrecyPeriod::LongTerm => None,
        }
    }
}

/// The kinds of period a registration form offers: the stored kind code and its label.
pub const PERIOD_KINDS: [(&str, &str); 6] = [
    ("years", "年"),
    ("months", "个月"),
    ("until", "截至日期"),
    ("condition", "解密条件"),
    ("long_term", "长期"),
    ("unspecified", "未标明（按法定最长期限）"),
];

/// The English label of a period kind of [`PERIOD_KINDS`].
pub fn period_kind_en(code: &str) -> &'static str {
    match code {
        "years" => "years",
        "months" => "months",
        "until" => "until a date",
        "condition" => "until a condition",
        "long_term" => "long-term",
        "unspecified" => "not stated (statutory maximum)",
        _ => "",
    }
}

impl SecrecyPeriod {
    /// R2.2: the period a form states (a kind of [`PERIOD_KINDS`] and the text typed), for a
    /// document of `level` dated `dated`, checked against the level. 内部敏感 is not a state
    /// secret and carries no period, whatever the form says.
    pub fn from_form(
        kind: &str,
        value: &str,
        level: Level,
        dated: NaiveDate,
    ) -> Result<SecrecyPeriod, DomainError> {
        if level.statutory_max_years().is_none() {
            return Ok(SecrecyPeriod::Unspecified);
        }
        let value = value.trim();
        let period = match kind {
            "years" | "months" => {
                let n: u16 = value.parse().map_err(|_| DomainError::PeriodValue {
                    expected: "保密期限请填写数字",
                })?;
                if kind == "years" {
                    SecrecyPeriod::Years(n)
                } else {
                    SecrecyPeriod::Months(n)
                }
            }
            "until" => SecrecyPeriod::Until(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(
                |_| DomainError::PeriodValue {
                    expected: "截至日期应写成 2026-03-01 的形式",
                },
            )?),
            "condition" => SecrecyPeriod::Condition(value.to_owned()),
            "long_term" => SecrecyPeriod::LongTerm,
            _ => SecrecyPeriod::Unspecified,
        };
        period.validate(level, dated)?;
        Ok(period)
    }

    /// The stored form: a kind code and a value (number, `YYYY-MM-DD` or condition text).
    pub fn to_parts(&self) -> (&'static str, String) {
        match self {
            SecrecyPeriod::Years(y) => ("years", y.to_string()),
            SecrecyPeriod::Months(m) => ("months", m.to_string()),
            SecrecyPeriod::Until(d) => ("until", d.to_string()),
            SecrecyPeriod::Condition(c) => ("condition", c.trim().to_owned()),
            SecrecyPeriod::LongTerm => ("long_term", String::new()),
            SecrecyPeriod::Unspecified => ("unspecified", String::new()),
        }
    }

    /// Reads the stored form back; `None` for a kind or value this build does not know.
    pub fn from_parts(kind: &str, value: &str) -> Option<SecrecyPeriod> {
        Some(match kind {
            "years" => SecrecyPeriod::Years(value.parse().ok()?),
            "months" => SecrecyPeriod::Months(value.parse().ok()?),
            "until" => SecrecyPeriod::Until(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?),
            "condition" => SecrecyPeriod::Condition(value.to_owned()),
            "long_term" => SecrecyPeriod::LongTerm,
            "unspecified" => SecrecyPeriod::Unspecified,
            _ => return None,
        })
    }
}

fn add_years(d: NaiveDate, years: u16) -> NaiveDate {
    d.checked_add_months(Months::new(u32::from(years) * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// R2.2: the marking text, e.g. `绝密★长期`, `机密★10年`, `秘密★6个月`,
/// `机密★2030年12月31日`, `秘密★项目验收后解密`, `机密★20年（法定最长期限）` for a blank period;
/// `内部敏感` alone (not a state secret: no ★, no period).
pub fn marking(level: Level, period: &SecrecyPeriod) -> String {
    let name = level.label_zh();
    let Some(max_years) = level.statutory_max_years() else {
        return name.to_owned();
    };
    let tail = match period {
        SecrecyPeriod::Years(y) => format!("{y}年"),
        SecrecyPeriod::Months(m) => format!("{m}个月"),
        SecrecyPeriod::Until(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        SecrecyPeriod::Condition(c) => c.trim().to_owned(),
        SecrecyPeriod::LongTerm => "长期".to_owned(),
        SecrecyPeriod::Unspecified => format!("{max_years}年（法定最长期限）"),
    };
    format!("{name}★{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn r2_2_marking_text_for_each_period_kind() {
        assert_eq!(marking(Level::Juemi, &SecrecyPeriod::LongTerm), "绝密★长期");
        assert_eq!(marking(Level::Jimi, &SecrecyPeriod::Years(10)), "机密★10年");
        assert_eq!(
            marking(Level::Mimi, &SecrecyPeriod::Months(6)),
            "秘密★6个月"
        );
        assert_eq!(
            marking(Level::Jimi, &SecrecyPeriod::Until(day(2030, 12, 31))),
            "机密★2030年12月31日"
        );
        assert_eq!(
            marking(
                Level::Mimi,
                &SecrecyPeriod::Condition("项目验收后解密".into())
            ),
            "秘密★项目验收后解密"
        );
        assert_eq!(
            marking(Level::NeibuMingan, &SecrecyPeriod::Unspecified),
            "内部敏感"
        );
    }

    #[test]
    fn r2_2_blank_period_takes_the_statutory_maximum_and_says_so() {
        assert_eq!(
            marking(Level::Juemi, &SecrecyPeriod::Unspecified),
            "绝密★30年（法定最长期限）"
        );
        assert_eq!(
            marking(Level::Jimi, &SecrecyPeriod::Unspecified),
            "机密★20年（法定最长期限）"
        );
        assert_eq!(
            marking(Level::Mimi, &SecrecyPeriod::Unspecified),
            "秘密★10年（法定最长期限）"
        );
        let dated = day(2026, 3, 1);
        assert_eq!(
            SecrecyPeriod::Unspecified.ends_on(Level::Mimi, dated),
            Some(day(2036, 3, 1))
        );
    }

    #[test]
    fn r2_2_periods_beyond_the_statutory_maximum_are_refused() {
        let dated = day(2026, 1, 15);
        assert!(
            SecrecyPeriod::Years(30)
                .validate(Level::Juemi, dated)
                .is_ok()
        );
        assert!(
            SecrecyPeriod::Years(21)
                .validate(Level::Jimi, dated)
                .is_err()
        );
        assert!(
            SecrecyPeriod::Months(121)
                .validate(Level::Mimi, dated)
                .is_err()
        );
        assert!(
            SecrecyPeriod::Until(day(2036, 1, 16))
                .validate(Level::Mimi, dated)
                .is_err()
        );
        assert!(
            SecrecyPeriod::Until(day(2036, 1, 15))
                .validate(Level::Mimi, dated)
                .is_ok()
        );
        assert!(
            SecrecyPeriod::Until(dated)
                .validate(Level::Mimi, dated)
                .is_err()
        );
        assert!(
            SecrecyPeriod::Years(0)
                .validate(Level::Mimi, dated)
                .is_err()
        );
        assert!(
            SecrecyPeriod::Condition(" ".into())
                .validate(Level::Mimi, dated)
                .is_err()
        );
        let err = SecrecyPeriod::Years(21)
            .validate(Level::Jimi, dated)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "机密的保密期限不能超过20年（保守国家秘密法）"
        );
    }

    #[test]
    fn r2_2_internal_sensitive_has_no_period() {
        let dated = day(2026, 1, 15);
        assert!(
            SecrecyPeriod::Unspecified
                .validate(Level::NeibuMingan, dated)
                .is_ok()
        );
        assert_eq!(
            SecrecyPeriod::Years(1).validate(Level::NeibuMingan, dated),
            Err(DomainError::PeriodOnInternal)
        );
    }

    #[test]
    fn periods_round_trip_through_their_stored_form() {
        for p in [
            SecrecyPeriod::Years(10),
            SecrecyPeriod::Months(6),
            SecrecyPeriod::Until(day(2030, 12, 31)),
            SecrecyPeriod::Condition("项目验收后解密".into()),
            SecrecyPeriod::LongTerm,
            SecrecyPeriod::Unspecified,
        ] {
            let (k, v) = p.to_parts();
            assert_eq!(SecrecyPeriod::from_parts(k, &v), Some(p));
        }
        assert_eq!(SecrecyPeriod::from_parts("years", "x"), None);
    }

    #[test]
    fn period_ends_on_the_calendar_day_counted_from_the_document_date() {
        let dated = day(2024, 2, 29);
        assert_eq!(
            SecrecyPeriod::Years(1).ends_on(Level::Mimi, dated),
            Some(day(2025, 2, 28))
        );
        assert_eq!(
            SecrecyPeriod::Months(6).ends_on(Level::Mimi, dated),
            Some(day(2024, 8, 29))
        );
        assert_eq!(SecrecyPeriod::LongTerm.ends_on(Level::Juemi, dated), None);
    }

    #[test]
    fn r2_2_a_form_period_is_read_and_checked_against_the_level() {
        let dated = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            SecrecyPeriod::from_form("years", " 10 ", Level::Jimi, dated),
            Ok(SecrecyPeriod::Years(10))
        );
        assert_eq!(
            SecrecyPeriod::from_form("years", "25", Level::Jimi, dated),
            Err(DomainError::PeriodTooLong {
                level: "机密",
                max_years: 20
            })
        );
        assert!(SecrecyPeriod::from_form("months", "六", Level::Mimi, dated).is_err());
        assert!(SecrecyPeriod::from_form("until", "2030/1/1", Level::Mimi, dated).is_err());
        // 内部敏感 is not a state secret: no period, whatever was chosen.
        assert_eq!(
            SecrecyPeriod::from_form("years", "5", Level::NeibuMingan, dated),
            Ok(SecrecyPeriod::Unspecified)
        );
        for (code, _) in PERIOD_KINDS {
            assert!(SecrecyPeriod::from_parts(code, "").is_some() || code != "long_term");
        }
    }
}
