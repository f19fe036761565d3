//! Document numbers (文号) from a configurable pattern, e.g. `{unit}党办发〔{year}〕{seq}号`
//! → `某公司党办发〔2026〕12号`, and receipt numbers (收文编号). Sequences are per year, with no
//! gaps and no duplicates: the ledger allocates them inside the registering transaction.

/// The default outgoing pattern.
pub const DEFAULT_OUTGOING_PATTERN: &str = "{unit}党办发〔{year}〕{seq}号";
/// The default receipt pattern.
pub const DEFAULT_RECEIPT_PATTERN: &str = "机要收〔{year}〕{seq}号";

/// A pattern that cannot produce unique numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Without `{seq}` and `{year}` two documents would get the same number.
    #[error("文号格式必须包含 {{year}} 和 {{seq}}")]
    MissingPlaceholder,
    /// An unknown `{…}`.
    #[error("文号格式中有未知的占位符 {0}（可用：{{unit}} {{year}} {{seq}}）")]
    UnknownPlaceholder(String),
}

impl super::message::Explain for PatternError {
    fn en(&self) -> String {
        match self {
            PatternError::MissingPlaceholder => {
                "The number pattern must contain {year} and {seq}".into()
            }
            PatternError::UnknownPlaceholder(p) => format!(
                "Unknown placeholder {p} in the number pattern (use {{unit}} {{year}} {{seq}})"
            ),
        }
    }
}

/// Checks a pattern: `{year}` and `{seq}` required, `{unit}` optional, nothing else in braces.
pub fn validate_pattern(pattern: &str) -> Result<(), PatternError> {
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| PatternError::UnknownPlaceholder("{".into()))?;
        let name = &after[..end];
        if !matches!(name, "unit" | "year" | "seq") {
            return Err(PatternError::UnknownPlaceholder(format!("{{{name}}}")));
        }
        rest = &after[end + 1..];
    }
    if pattern.contains("{year}") && pattern.contains("{seq}") {
        Ok(())
    } else {
        Err(PatternError::MissingPlaceholder)
    }
}

/// Formats a number from a (validated) pattern.
pub fn format_number(pattern: &str, unit: &str, year: i32, seq: u32) -> String {
    pattern
        .replace("{unit}", unit)
        .replace("{year}", &year.to_string())
        .replace("{seq}", &seq.to_string())
}

/// Reads copy numbers (份号) as a custodian writes them: `3`, `1-3`, `1，2，5-7` (commas,
/// Chinese commas, spaces; ranges with `-` or `~`). Sorted, without duplicates.
pub fn parse_copy_numbers(text: &str) -> Result<Vec<u32>, super::Message> {
    use super::Message;
    let mut out = Vec::new();
    for part in text
        .split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = match part.split_once(['-', '~', '－']) {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (part, part),
        };
        let parse = |t: &str| {
            t.parse::<u32>().map_err(|_| {
                Message::new(
                    format!("份号“{part}”不是数字"),
                    format!("Copy number “{part}” is not a number"),
                )
            })
        };
        let (a, b) = (parse(a)?, parse(b)?);
        if a == 0 || b < a {
            return Err(Message::new(
                format!("份号“{part}”无效：从 1 开始，区间由小到大"),
                format!("Copy numbers “{part}”: they start at 1, a range from low to high"),
            ));
        }
        if b - a >= 1000 || out.len() > 1000 {
            return Err(Message::new(
                "一次登记不能超过 999 份",
                "At most 999 copies at a time",
            ));
        }
        out.extend(a..=b);
    }
    if out.is_empty() {
        return Err(Message::new(
            "请填写份号，例如 1-3",
            "Write the copy numbers, e.g. 1-3",
        ));
    }
    out.sort_unstable();
    let n = out.len();
    out.dedup();
    if out.len() != n {
        return Err(Message::new(
            "份号不能重复",
            "A copy number is written twice",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_1_2_document_numbers_follow_the_pattern() {
        assert_eq!(
            format_number(DEFAULT_OUTGOING_PATTERN, "某公司", 2026, 12),
            "某公司党办发〔2026〕12号"
        );
        assert_eq!(
            format_number(DEFAULT_RECEIPT_PATTERN, "", 2026, 17),
            "机要收〔2026〕17号"
        );
    }

    #[test]
    fn copy_numbers_are_read_as_custodians_write_them() {
        assert_eq!(parse_copy_numbers("1-3"), Ok(vec![1, 2, 3]));
        assert_eq!(parse_copy_numbers("5，1、2 7~8"), Ok(vec![1, 2, 5, 7, 8]));
        assert!(parse_copy_numbers("").is_err());
        assert!(parse_copy_numbers("0").is_err());
        assert!(parse_copy_numbers("3-1").is_err());
        assert!(parse_copy_numbers("1,1").is_err());
        assert!(parse_copy_numbers("a").is_err());
    }

    #[test]
    fn patterns_without_year_and_sequence_are_refused() {
        assert!(validate_pattern(DEFAULT_OUTGOING_PATTERN).is_ok());
        assert_eq!(
            validate_pattern("党办发{seq}号"),
            Err(PatternError::MissingPlaceholder)
        );
        assert!(matches!(
            validate_pattern("{year}{seq}{dept}"),
            Err(PatternError::UnknownPlaceholder(_))
        ));
        assert!(validate_pattern("{year}{seq").is_err());
    }
}
