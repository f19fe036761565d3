//! The working-day calendar behind borrowing due dates (R3.1.3): Monday to Friday are working
//! days and weekends rest days, except the official holidays (放假) and the make-up working days
//! (调休上班) that the State Council publishes each year. One plain-text file per year
//! (`assets/calendars/2025.txt`, …), readable and reviewable by the custodian:
//!
//! ```text
//! 年 2026
//! 休 2026-02-15 至 2026-02-23 春节
//! 班 2026-02-14 春节调休（周六上班）
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The years shipped with the app, as published by the State Council.
pub const BUILTIN: &[&str] = &[
    include_str!("../../assets/calendars/2025.txt"),
    include_str!("../../assets/calendars/2026.txt"),
];

/// A calendar file that cannot be used, with the line at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// No `年 YYYY` line.
    #[error("工作日历缺少“年 2026”这样的年份行")]
    MissingYear,
    /// A line that does not read.
    #[error("工作日历第 {line} 行无法识别：{text}")]
    BadLine { line: usize, text: String },
    /// A date outside the file's year.
    #[error("工作日历第 {line} 行的日期 {date} 不在 {year} 年")]
    WrongYear {
        line: usize,
        date: NaiveDate,
        year: i32,
    },
    /// A period that ends before it starts.
    #[error("工作日历第 {line} 行的结束日期早于开始日期")]
    Reversed { line: usize },
    /// A period longer than any holiday (a typing error).
    #[error("工作日历第 {line} 行的时段超过 31 天，请检查日期")]
    TooLong { line: usize },
    /// The same day listed as both.
    #[error("{0} 既写为放假又写为上班")]
    Both(NaiveDate),
    /// A make-up working day must fall on a weekend (weekdays are working days anyway).
    #[error("{0} 是周一至周五，本来就上班，不必写为调休上班日")]
    WorkdayOnWeekday(NaiveDate),
}

impl super::message::Explain for CalendarError {
    fn en(&self) -> String {
        match self {
            CalendarError::MissingYear => "The calendar has no year line such as “年 2026”".into(),
            CalendarError::BadLine { line, text } => {
                format!("Line {line} of the calendar does not read: {text}")
            }
            CalendarError::WrongYear { line, date, year } => {
                format!("Line {line} of the calendar: {date} is not in {year}")
            }
            CalendarError::Reversed { line } => {
                format!("Line {line} of the calendar ends before it starts")
            }
            CalendarError::TooLong { line } => {
                format!("Line {line} of the calendar spans more than 31 days: check the dates")
            }
            CalendarError::Both(d) => {
                format!("{d} is written both as a holiday and as a working day")
            }
            CalendarError::WorkdayOnWeekday(d) => {
                format!("{d} is a weekday, a working day anyway: it is not a make-up working day")
            }
        }
    }
}

/// One year of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCalendar {
    pub year: i32,
    /// 放假: rest days (including any weekend days inside a holiday).
    pub rest: BTreeSet<NaiveDate>,
    /// 调休上班: weekend days that are working days.
    pub work: BTreeSet<NaiveDate>,
    /// The text it was read from (kept so it can be shown and edited again).
    pub source: String,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// One line of a year's calendar: a holiday period or a make-up working day, as the State
/// Council's notice lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    /// 休 (true) or 班 (false).
    pub rest: bool,
    pub first: NaiveDate,
    /// The last day (the first for a single day).
    pub last: NaiveDate,
    /// 春节, 国庆节调休（周六上班）…
    pub name: String,
}

impl CalendarEntry {
    /// The entry as a line of the calendar file.
    pub fn line(&self) -> String {
        let kind = if self.rest { "休" } else { "班" };
        let mut line = format!("{kind} {}", self.first.format("%Y-%m-%d"));
        if self.last != self.first {
            line.push_str(&format!(" 至 {}", self.last.format("%Y-%m-%d")));
        }
        let name = self.name.split_whitespace().collect::<Vec<_>>().join("");
        let name = name.replace('#', "");
        if !name.is_empty() {
            line.push(' ');
            line.push_str(&name);
        }
        line
    }
}

impl YearCalendar {
    /// The year written from its entries (a table edited on screen), then read back as any
    /// calendar file is: the same checks, the same refusals. A refusal's line number is then
    /// the entry's (1 for the first).
    pub fn from_entries(
        year: i32,
        entries: &[CalendarEntry],
    ) -> Result<YearCalendar, CalendarError> {
        const HEAD: usize = 2;
        let mut text = format!(
            "# {year} 年工作日历：国务院办公厅关于{year}年部分节假日安排的通知\n年 {year}\n"
        );
        for e in entries {
            text.push_str(&e.line());
            text.push('\n');
        }
        YearCalendar::parse(&text).map_err(|e| match e {
            CalendarError::BadLine { line, text } => CalendarError::BadLine {
                line: line - HEAD,
                text,
            },
            CalendarError::WrongYear { line, date, year } => CalendarError::WrongYear {
                line: line - HEAD,
                date,
                year,
            },
            CalendarError::Reversed { line } => CalendarError::Reversed { line: line - HEAD },
            CalendarError::TooLong { line } => CalendarError::TooLong { line: line - HEAD },
            other => other,
        })
    }

    /// The lines of the year, in the order written (comments left out).
    pub fn entries(&self) -> Vec<CalendarEntry> {
        let mut out = Vec::new();
        for raw in self.source.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let mut parts = line.split_whitespace();
            let rest = match parts.next() {
                Some("休") => true,
                Some("班") => false,
                _ => continue,
            };
            let Some(first) = parts.next().and_then(parse_date) else {
                continue;
            };
            let words: Vec<&str> = parts.collect();
            let (last, name) = match words.as_slice() {
                ["至", last, name @ ..] => (parse_date(last).unwrap_or(first), name.join(" ")),
                name => (first, name.join(" ")),
            };
            out.push(CalendarEntry {
                rest,
                first,
                last,
                name,
            });
        }
        out
    }

    /// Reads a year's file; refuses it, naming the line, when anything is wrong.
    pub fn parse(text: &str) -> Result<YearCalendar, CalendarError> {
        let mut year = None;
        let mut rest = BTreeSet::new();
        let mut work = BTreeSet::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = || CalendarError::BadLine {
                line: i + 1,
                text: raw.trim().to_owned(),
            };
            let mut parts = line.split_whitespace();
            let kind = parts.next().ok_or_else(bad)?;
            if kind == "年" {
                let y: i32 = parts.next().and_then(|y| y.parse().ok()).ok_or_else(bad)?;
                if !(2000..=2200).contains(&y) || year.is_some() {
                    return Err(bad());
                }
                year = Some(y);
                continue;
            }
            let y = year.ok_or(CalendarError::MissingYear)?;
            let first = parts.next().and_then(parse_date).ok_or_else(bad)?;
            let mut last = first;
            let rest_of: Vec<&str> = parts.collect();
            if rest_of.first() == Some(&"至") {
                last = rest_of
                    .get(1)
                    .copied()
                    .and_then(parse_date)
                    .ok_or_else(bad)?;
            }
            if last < first {
                return Err(CalendarError::Reversed { line: i + 1 });
            }
            if (last - first).num_days() > 31 {
                return Err(CalendarError::TooLong { line: i + 1 });
            }
            for d in first.iter_days().take_while(|d| *d <= last) {
                if d.year() != y {
                    return Err(CalendarError::WrongYear {
                        line: i + 1,
                        date: d,
                        year: y,
                    });
                }
                match kind {
                    "休" => {
                        rest.insert(d);
                    }
                    "班" => {
                        if !is_weekend(d) {
                            return Err(CalendarError::WorkdayOnWeekday(d));
                        }
                        work.insert(d);
                    }
                    _ => return Err(bad()),
                }
            }
        }
        let year = year.ok_or(CalendarError::MissingYear)?;
        if let Some(d) = rest.intersection(&work).next() {
            return Err(CalendarError::Both(*d));
        }
        Ok(YearCalendar {
            year,
            rest,
            work,
            source: text.to_owned(),
        })
    }
}

/// A due date, and the years it crossed that the calendar does not have (there, only weekends
/// were taken as rest days: warn the custodian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDate {
    pub date: NaiveDate,
    pub unknown_years: Vec<i32>,
}

/// A day as the calendar sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// Monday to Friday, not a holiday.
    Workday,
    /// Saturday or Sunday, not a make-up working day.
    Weekend,
    /// 放假: an official holiday (a weekend day inside it too).
    Holiday,
    /// 调休上班: a weekend day that is a working day.
    MakeUpWorkday,
}

impl DayKind {
    /// Whether one works that day.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday)
    }
}

/// The working-day calendar: the years it knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl Calendar {
    /// The years shipped with the app.
    pub fn builtin() -> Calendar {
        let mut c = Calendar::default();
        for text in BUILTIN {
            c.set_year(YearCalendar::parse(text).expect("the shipped calendars are valid"));
        }
        c
    }

    /// Adds or replaces a year.
    pub fn set_year(&mut self, y: YearCalendar) {
        self.years.insert(y.year, y);
    }

    /// The years known, in order.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    /// Whether the calendar has the year's official arrangement.
    pub fn knows(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// What kind of day `d` is, for a calendar drawn on screen.
    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        match self.years.get(&d.year()) {
            Some(y) if y.work.contains(&d) => DayKind::MakeUpWorkday,
            Some(y) if y.rest.contains(&d) => DayKind::Holiday,
            _ if is_weekend(d) => DayKind::Weekend,
            _ => DayKind::Workday,
        }
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.day_kind(d).is_working()
    }

    /// R3.1.3: the `n`-th working day after `from` (`from` itself does not count; the item is due
    /// at the end of that day). With `n` = 0: `from` if it is a working day, else the next one
    /// (绝密: returned the same working day).
    pub fn due_date(&self, from: NaiveDate, n: u32) -> DueDate {
        let mut unknown = BTreeSet::new();
        let mut note = |d: NaiveDate| {
            if !self.knows(d.year()) {
                unknown.insert(d.year());
            }
        };
        note(from);
        let mut d = from;
        if n == 0 {
            while !self.is_working_day(d) {
                d = d + Days::new(1);
                note(d);
            }
        } else {
            let mut left = n;
            while left > 0 {
                d = d + Days::new(1);
                note(d);
                if self.is_working_day(d) {
                    left -= 1;
                }
            }
        }
        DueDate {
            date: d,
            unknown_years: unknown.into_iter().collect(),
        }
    }

    /// Working days strictly after `due` up to and including `today`: how late an item is.
    pub fn working_days_overdue(&self, due: NaiveDate, today: NaiveDate) -> u32 {
        due.iter_days()
            .skip(1)
            .take_while(|d| *d <= today)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_year_read_as_entries_and_written_back_is_the_same_calendar() {
        for y in Calendar::builtin().years() {
            let entries = y.entries();
            assert!(entries.len() >= 10, "{}", y.year);
            let again = YearCalendar::from_entries(y.year, &entries).unwrap();
            assert_eq!((&again.rest, &again.work), (&y.rest, &y.work), "{}", y.year);
            assert_eq!(again.entries(), entries);
        }
        let spring = &Calendar::builtin().years().nth(1).unwrap().entries()[2];
        assert_eq!(
            (spring.rest, spring.first, spring.last, spring.name.as_str()),
            (true, d(2026, 2, 15), d(2026, 2, 23), "春节")
        );
    }

    #[test]
    fn entries_are_refused_naming_their_row() {
        let e = |rest, first, last| CalendarEntry {
            rest,
            first,
            last,
            name: "国庆节".into(),
        };
        let ok = e(true, d(2027, 10, 1), d(2027, 10, 7));
        let reversed = e(true, d(2027, 10, 7), d(2027, 10, 1));
        assert_eq!(
            YearCalendar::from_entries(2027, &[ok.clone(), reversed]),
            Err(CalendarError::Reversed { line: 2 })
        );
        let other_year = e(true, d(2028, 1, 1), d(2028, 1, 1));
        assert!(matches!(
            YearCalendar::from_entries(2027, &[other_year]),
            Err(CalendarError::WrongYear { line: 1, .. })
        ));
        let weekday_work = e(false, d(2027, 10, 8), d(2027, 10, 8));
        assert_eq!(
            YearCalendar::from_entries(2027, &[ok.clone(), weekday_work]),
            Err(CalendarError::WorkdayOnWeekday(d(2027, 10, 8)))
        );
        let long = e(true, d(2027, 7, 1), d(2027, 8, 20));
        assert_eq!(
            YearCalendar::from_entries(2027, &[long]),
            Err(CalendarError::TooLong { line: 1 })
        );
        // A name with spaces or a '#' stays one name, not a comment.
        let named = CalendarEntry {
            name: "国庆 # 节".into(),
            ..ok
        };
        let y = YearCalendar::from_entries(2027, &[named]).unwrap();
        assert_eq!(y.entries()[0].name, "国庆节");
        assert_eq!(y.rest.len(), 7);
    }

    #[test]
    fn the_shipped_years_read_and_match_the_notices() {
        let c = Calendar::builtin();
        assert!(c.knows(2025) && c.knows(2026) && !c.knows(2027));
        // 2025: 春节 1月28日至2月4日 8 days; 1月26日（周日）、2月8日（周六）上班.
        let y = c.years().next().unwrap();
        assert_eq!(y.year, 2025);
        assert_eq!(y.rest.len(), 1 + 8 + 3 + 5 + 3 + 8);
        assert_eq!(y.work.len(), 5);
        assert!(c.is_working_day(d(2025, 1, 26)));
        assert!(!c.is_working_day(d(2025, 1, 28)));
        // 2026: 春节 2月15日至23日 9 days; 2月14日、2月28日（周六）上班.
        assert!(c.is_working_day(d(2026, 2, 14)));
        assert!(!c.is_working_day(d(2026, 2, 23)));
        assert!(c.is_working_day(d(2026, 2, 24)));
        assert!(c.is_working_day(d(2026, 2, 28)));
        assert!(!c.is_working_day(d(2026, 3, 1)), "an ordinary Sunday");
    }

    #[test]
    fn r3_1_3_due_dates_count_working_days_after_the_day_of_borrowing() {
        let c = Calendar::builtin();
        let due = |y, m, day, n| c.due_date(d(y, m, day), n).date;
        // Across a weekend: Friday + 1 working day = Monday.
        assert_eq!(due(2026, 11, 20, 1), d(2026, 11, 23));
        // Across 国庆 2025 (10月1日至8日): Tuesday 30 Sept + 1 = Thursday 9 Oct.
        assert_eq!(due(2025, 9, 30, 1), d(2025, 10, 9));
        // A 调休 Sunday is a working day: Friday 26 Sept 2025 + 1 = Sunday 28 Sept.
        assert_eq!(due(2025, 9, 26, 1), d(2025, 9, 28));
        // 2025 劳动节: Friday 25 April + 1 = Sunday 27 April (上班); + 2 = Monday 28 April.
        assert_eq!(due(2025, 4, 25, 1), d(2025, 4, 27));
        assert_eq!(due(2025, 4, 25, 2), d(2025, 4, 28));
        // 2026 春节: Friday 13 Feb + 1 = Saturday 14 Feb (上班); + 2 = Tuesday 24 Feb.
        assert_eq!(due(2026, 2, 13, 1), d(2026, 2, 14));
        assert_eq!(due(2026, 2, 13, 2), d(2026, 2, 24));
        // 机密 5 working days from Friday 27 Feb 2026: Sat 28 (上班), Mon 2, Tue 3, Wed 4, Thu 5.
        assert_eq!(due(2026, 2, 27, 5), d(2026, 3, 5));
        // 2026 元旦: Wednesday 31 Dec 2025 + 1 = Sunday 4 Jan 2026 (上班).
        assert_eq!(due(2025, 12, 31, 1), d(2026, 1, 4));
        // 绝密 (0): the same working day; on a rest day, the next working day.
        assert_eq!(due(2026, 11, 26, 0), d(2026, 11, 26));
        assert_eq!(due(2026, 10, 3, 0), d(2026, 10, 8));
    }

    #[test]
    fn r3_1_3_a_year_the_calendar_does_not_have_is_reported() {
        let c = Calendar::builtin();
        let due = c.due_date(d(2026, 12, 30), 3);
        assert_eq!(due.date, d(2027, 1, 4), "weekends only in 2027");
        assert_eq!(due.unknown_years, vec![2027]);
        assert!(c.due_date(d(2026, 6, 1), 10).unknown_years.is_empty());
    }

    #[test]
    fn overdue_counts_working_days() {
        let c = Calendar::builtin();
        assert_eq!(c.working_days_overdue(d(2026, 11, 20), d(2026, 11, 20)), 0);
        assert_eq!(c.working_days_overdue(d(2026, 11, 20), d(2026, 11, 23)), 1);
        assert_eq!(c.working_days_overdue(d(2026, 9, 30), d(2026, 10, 9)), 2);
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        fn day(offset: u32) -> NaiveDate {
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(u64::from(offset))
        }

        proptest! {
            /// R3.1.3: the due date is a working day, after the day of borrowing, with exactly
            /// `n` working days after that day up to and including it.
            #[test]
            fn r3_1_3_due_date_is_the_nth_working_day_after(offset in 0u32..720, n in 1u32..40) {
                let c = Calendar::builtin();
                let from = day(offset);
                let due = c.due_date(from, n).date;
                prop_assert!(due > from);
                prop_assert!(c.is_working_day(due));
                let counted = from
                    .iter_days()
                    .skip(1)
                    .take_while(|d| *d <= due)
                    .filter(|d| c.is_working_day(*d))
                    .count() as u32;
                prop_assert_eq!(counted, n);
            }

            /// R3.1.3 绝密: the same working day, or the first working day after a rest day.
            #[test]
            fn r3_1_3_same_day_is_the_first_working_day_from(offset in 0u32..720) {
                let c = Calendar::builtin();
                let from = day(offset);
                let due = c.due_date(from, 0).date;
                prop_assert!(due >= from && c.is_working_day(due));
                prop_assert!(from.iter_days().take_while(|d| *d < due).all(|d| !c.is_working_day(d)));
            }

            /// Overdue counts the working days after the due date, never the due date itself.
            #[test]
            fn overdue_is_zero_on_the_due_date_and_grows_by_working_days(offset in 0u32..700, k in 0u32..30) {
                let c = Calendar::builtin();
                let due = day(offset);
                let today = due + Days::new(u64::from(k));
                let late = c.working_days_overdue(due, today);
                prop_assert!(late <= k);
                if k == 0 {
                    prop_assert_eq!(late, 0);
                }
                if late > 0 {
                    prop_assert_eq!(c.due_date(due, late).date <= today, true);
                }
            }
        }
    }

    #[test]
    fn a_bad_file_is_refused_with_the_line() {
        assert_eq!(
            YearCalendar::parse("休 2027-01-01"),
            Err(CalendarError::MissingYear)
        );
        assert!(matches!(
            YearCalendar::parse("年 2027\n休 2027-13-01"),
            Err(CalendarError::BadLine { line: 2, .. })
        ));
        assert!(matches!(
            YearCalendar::parse("年 2027\n休 2026-12-31"),
            Err(CalendarError::WrongYear { line: 2, .. })
        ));
        assert_eq!(
            YearCalendar::parse("年 2027\n班 2027-01-04"),
            Err(CalendarError::WorkdayOnWeekday(d(2027, 1, 4)))
        );
        assert_eq!(
            YearCalendar::parse("年 2027\n休 2027-01-02\n班 2027-01-02"),
            Err(CalendarError::Both(d(2027, 1, 2)))
        );
        let ok =
            YearCalendar::parse("年 2027 # 示例\n\n休 2027-01-01 至 2027-01-03 元旦\n").unwrap();
        assert_eq!(ok.rest.len(), 3);
    }
}
