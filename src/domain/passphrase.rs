//! Passphrase policy and the strength hint shown while typing (R3.3.1: passwords, changed
//! regularly).

/// How strong a passphrase looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Refused: shorter than [`MIN_CHARS`].
    TooShort,
    Weak,
    Fair,
    Strong,
}

/// Shortest passphrase accepted, in characters.
pub const MIN_CHARS: usize = 8;

impl Strength {
    /// Chinese label for the hint.
    pub fn label_zh(self) -> &'static str {
        match self {
            Strength::TooShort => "太短（至少 8 个字符）",
            Strength::Weak => "弱",
            Strength::Fair => "中",
            Strength::Strong => "强",
        }
    }

    /// English label for the hint.
    pub fn label_en(self) -> &'static str {
        match self {
            Strength::TooShort => "too short (8 characters at least)",
            Strength::Weak => "weak",
            Strength::Fair => "fair",
            Strength::Strong => "strong",
        }
    }

    /// Whether a passphrase of this strength may be set.
    pub fn acceptable(self) -> bool {
        self != Strength::TooShort
    }
}

/// Estimates strength from length and the kinds of characters used. A Chinese character counts
/// as a kind of its own (a phrase of Chinese characters is a good passphrase).
pub fn strength(text: &str) -> Strength {
    let chars = text.chars().count();
    if chars < MIN_CHARS {
        return Strength::TooShort;
    }
    let kinds = [
        text.chars().any(|c| c.is_ascii_lowercase()),
        text.chars().any(|c| c.is_ascii_uppercase()),
        text.chars().any(|c| c.is_ascii_digit()),
        text.chars().any(|c| c.is_ascii_punctuation() || c == ' '),
        !text.is_ascii(),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    let distinct = {
        let mut v: Vec<char> = text.chars().collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let score = chars.min(20) + kinds * 3 + distinct.min(12);
    match score {
        _ if distinct < 4 => Strength::Weak,
        0..=20 => Strength::Weak,
        21..=29 => Strength::Fair,
        _ => Strength::Strong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_3_1_short_passphrases_are_refused() {
        assert_eq!(strength("abc123"), Strength::TooShort);
        assert!(!strength("1234567").acceptable());
    }

    #[test]
    fn strength_grows_with_length_and_variety() {
        assert_eq!(strength("aaaaaaaaaaaa"), Strength::Weak);
        assert!(strength("Tr0ub4dor&3x") > strength("password"));
        assert_eq!(strength("保密工作人人有责 2026!"), Strength::Strong);
    }
}
