//! The office's date and time: one fixed UTC offset, a setting of the vault (default +08:00,
//! Beijing time; China keeps no daylight saving time, so a fixed offset is exact). Every date
//! the ledger stores, compares or shows — 收文日期 "today", due dates, overdue days, the 文号
//! year, times in the audit log and on forms — is read in this zone, whatever the PC's `TZ`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// The office's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeZone(FixedOffset);

/// Why an offset text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("时区格式应为 +08:00（UTC 偏移，-12:00 到 +14:00，整刻钟）")]
pub struct BadOffset;

impl super::message::Explain for BadOffset {
    fn en(&self) -> String {
        "Write the time zone as +08:00 (UTC offset, -12:00 to +14:00, in quarter hours)".into()
    }
}

impl Default for OfficeZone {
    fn default() -> Self {
        OfficeZone::beijing()
    }
}

impl OfficeZone {
    /// UTC+08:00, Beijing time: the default.
    pub fn beijing() -> Self {
        OfficeZone(FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset"))
    }

    /// An offset of `minutes` east of UTC (-12:00 to +14:00, whole quarter hours).
    pub fn from_minutes(minutes: i32) -> Result<Self, BadOffset> {
        if !(-12 * 60..=14 * 60).contains(&minutes) || minutes % 15 != 0 {
            return Err(BadOffset);
        }
        FixedOffset::east_opt(minutes * 60)
            .map(OfficeZone)
            .ok_or(BadOffset)
    }

    /// Parses `+08:00`, `-05:30`, `+8`, `UTC+8` or `UTC+08:00`.
    pub fn parse(text: &str) -> Result<Self, BadOffset> {
        let t = text.trim();
        let t = t
            .strip_prefix("UTC")
            .or_else(|| t.strip_prefix("utc"))
            .unwrap_or(t);
        let (sign, rest) = match t.chars().next() {
            Some('+') => (1, &t[1..]),
            Some('-') => (-1, &t[1..]),
            _ => return Err(BadOffset),
        };
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) if m.len() == 2 => (h, m),
            Some(_) => return Err(BadOffset),
            None => (rest, "0"),
        };
        if h.is_empty() || h.len() > 2 || !h.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadOffset);
        }
        if !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadOffset);
        }
        let h: i32 = h.parse().map_err(|_| BadOffset)?;
        let m: i32 = m.parse().map_err(|_| BadOffset)?;
        if m >= 60 {
            return Err(BadOffset);
        }
        OfficeZone::from_minutes(sign * (h * 60 + m))
    }

    /// The zones a form offers: Beijing time first, then every whole hour from UTC-12 to
    /// UTC+14.
    pub fn choices() -> Vec<OfficeZone> {
        let mut out = vec![OfficeZone::beijing()];
        out.extend(
            (-12..=14)
                .filter(|h| *h != 8)
                .map(|h| OfficeZone::from_minutes(h * 60).expect("whole hours are valid offsets")),
        );
        out
    }

    /// The stored code, e.g. `+08:00`.
    pub fn code(self) -> String {
        let secs = self.0.local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let m = secs.abs() / 60;
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }

    /// How the setting is shown, e.g. `UTC+08:00（北京时间）`.
    pub fn label_zh(self) -> String {
        if self == OfficeZone::beijing() {
            format!("UTC{}（北京时间）", self.code())
        } else {
            format!("UTC{}", self.code())
        }
    }

    /// How the setting is shown in English, e.g. `UTC+08:00 (Beijing time)`.
    pub fn label_en(self) -> String {
        if self == OfficeZone::beijing() {
            format!("UTC{} (Beijing time)", self.code())
        } else {
            format!("UTC{}", self.code())
        }
    }

    /// The offset.
    pub fn offset(self) -> FixedOffset {
        self.0
    }

    /// The office's date at `now`.
    pub fn date_of(self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.0).date_naive()
    }

    /// `now` on the office's clock.
    pub fn local(self, now: DateTime<Utc>) -> DateTime<FixedOffset> {
        now.with_timezone(&self.0)
    }

    /// The instant the office's `day` begins.
    pub fn day_start(self, day: NaiveDate) -> DateTime<Utc> {
        self.0
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()
            .expect("a fixed offset maps every local time to one instant")
            .with_timezone(&Utc)
    }

    /// A stored RFC 3339 timestamp as the office reads it: `YYYY-MM-DD HH:MM:SS`. Text that is
    /// not a timestamp is shown as it is.
    pub fn time_text(self, rfc3339: &str) -> String {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| {
                t.with_timezone(&self.0)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|_| rfc3339.to_owned())
    }

    /// Like [`OfficeZone::time_text`] to the minute (forms).
    pub fn minute_text(self, now: DateTime<Utc>) -> String {
        now.with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, m, 0).unwrap()
    }

    #[test]
    fn the_office_date_is_beijing_time_by_default_whatever_the_pc_says() {
        let z = OfficeZone::default();
        // 23:30 UTC is 07:30 the next morning in Beijing; 16:30 UTC is 00:30 the next day.
        assert_eq!(z.date_of(at(23, 30)).to_string(), "2026-11-27");
        assert_eq!(z.date_of(at(16, 30)).to_string(), "2026-11-27");
        assert_eq!(z.date_of(at(15, 59)).to_string(), "2026-11-26");
        assert_eq!(z.time_text("2026-11-26T16:30:00Z"), "2026-11-27 00:30:00");
        assert_eq!(
            z.day_start(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            at(16, 0)
        );
    }

    #[test]
    fn offsets_parse_in_the_forms_people_write_and_round_trip() {
        for (text, code) in [
            ("+08:00", "+08:00"),
            ("+8", "+08:00"),
            ("UTC+8", "+08:00"),
            ("UTC+08:00", "+08:00"),
            ("-05:30", "-05:30"),
            ("+00:00", "+00:00"),
            ("+14:00", "+14:00"),
        ] {
            let z = OfficeZone::parse(text).unwrap_or_else(|_| panic!("{text}"));
            assert_eq!(z.code(), code);
            assert_eq!(OfficeZone::parse(&z.code()), Ok(z));
        }
        for bad in [
            "", "8", "+", "+15:00", "-13:00", "+08:7", "+08:10", "+08:60", "+a", "UTC",
        ] {
            assert_eq!(OfficeZone::parse(bad), Err(BadOffset), "{bad}");
        }
        assert_eq!(OfficeZone::default().label_zh(), "UTC+08:00（北京时间）");
    }
}
