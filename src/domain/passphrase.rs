//! Passphrase rules and the strength hint shown while typing (R3.3.1: passwords, changed
//! regularly; R3.3.2). Enforced in `ledger` wherever a passphrase is chosen (the first
//! account, a change, a reset with the recovery key, an account opened with a typed
//! passphrase); the screens and the CLI show the same rules as hints.
//!
//! A passphrase is accepted when it is long — at least [`MIN_CHARS`] characters, or at least
//! [`MIN_WORDS`] words of two characters or more (a phrase such as `保密 工作 人人 有责`) —, does
//! not contain the account's login, and is not easy to guess by the estimate of `zxcvbn`
//! (Dropbox's estimator: dictionaries of common passwords, names and words, keyboard patterns,
//! dates, repeats and sequences) at score 3 or more (about 10^10 guesses; each guess costs an
//! Argon2id derivation of half a second or more).

use zxcvbn::Score;

/// Shortest passphrase accepted, in characters (unless it has [`MIN_WORDS`] words).
pub const MIN_CHARS: usize = 12;
/// Words (of two characters or more, separated by spaces) that make a passphrase long enough
/// whatever its length in characters.
pub const MIN_WORDS: usize = 4;
/// The estimate's lowest accepted score (of 0 to 4).
const MIN_SCORE: Score = Score::Three;
/// The estimate reads this many characters at most (its matching grows faster than linearly;
/// beyond this a passphrase is long enough anyway).
const ESTIMATE_CHARS: usize = 64;

/// How strong a passphrase looks (the hint while typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Refused: neither [`MIN_CHARS`] characters nor [`MIN_WORDS`] words.
    TooShort,
    /// Refused: easy to guess.
    Weak,
    Fair,
    Strong,
}

impl Strength {
    /// Chinese label for the hint.
    pub fn label_zh(self) -> &'static str {
        match self {
            Strength::TooShort => "太短（至少 12 个字符，或 4 个词）",
            Strength::Weak => "太容易猜到",
            Strength::Fair => "中",
            Strength::Strong => "强",
        }
    }

    /// English label for the hint.
    pub fn label_en(self) -> &'static str {
        match self {
            Strength::TooShort => "too short (12 characters or 4 words at least)",
            Strength::Weak => "too easy to guess",
            Strength::Fair => "fair",
            Strength::Strong => "strong",
        }
    }

    /// Whether a passphrase of this strength may be set (the login rule aside).
    pub fn acceptable(self) -> bool {
        self >= Strength::Fair
    }
}

/// Why a passphrase is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("口令太短：至少 12 个字符，或由 4 个以上的词组成（词之间用空格分开）")]
    TooShort,
    #[error("口令不能包含登录名")]
    HoldsLogin,
    #[error("口令太容易猜到（常见口令、单词、键盘序列、日期或重复）：请加长，或用几个互不相关的词")]
    Guessable,
}

impl Problem {
    /// The reason in English.
    pub fn en(self) -> &'static str {
        match self {
            Problem::TooShort => {
                "The passphrase is too short: 12 characters at least, or 4 words or more (separated by spaces)"
            }
            Problem::HoldsLogin => "The passphrase may not contain the login",
            Problem::Guessable => {
                "The passphrase is too easy to guess (a common password, words, a keyboard run, a date, repeats): make it longer, or use several unrelated words"
            }
        }
    }
}

/// Whether `text` is long enough: [`MIN_CHARS`] characters, or [`MIN_WORDS`] words.
fn long_enough(text: &str) -> bool {
    text.chars().count() >= MIN_CHARS
        || text
            .split_whitespace()
            .filter(|w| w.chars().count() >= 2)
            .count()
            >= MIN_WORDS
}

/// The estimate's score for `text` (its first [`ESTIMATE_CHARS`] characters), with the
/// account's login and name as words an attacker would try first.
fn score(text: &str, hints: &[&str]) -> Score {
    let head: String = text.chars().take(ESTIMATE_CHARS).collect();
    zxcvbn::zxcvbn(&head, hints).score()
}

/// The hint while typing.
pub fn strength(text: &str) -> Strength {
    if !long_enough(text) {
        return Strength::TooShort;
    }
    match score(text, &[]) {
        s if s < MIN_SCORE => Strength::Weak,
        Score::Three => Strength::Fair,
        _ => Strength::Strong,
    }
}

/// The rules, for the account `login` (empty: not known yet).
pub fn check(text: &str, login: &str) -> Result<(), Problem> {
    if !long_enough(text) {
        return Err(Problem::TooShort);
    }
    let folded: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if login.chars().count() >= 3 && folded.contains(&login.to_lowercase()) {
        return Err(Problem::HoldsLogin);
    }
    if score(text, &[login]) < MIN_SCORE {
        return Err(Problem::Guessable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_3_1_short_passphrases_are_refused() {
        assert_eq!(check("abc123", ""), Err(Problem::TooShort));
        assert_eq!(check("Tr0ub4dor&3", ""), Err(Problem::TooShort));
        assert_eq!(strength("1234567"), Strength::TooShort);
        // Twelve characters, or four words of two characters or more.
        assert_eq!(check("保密 工作 人人 有责", ""), Ok(()));
        assert_eq!(check("a b c d e f", ""), Err(Problem::TooShort));
    }

    #[test]
    fn r3_3_1_guessable_passphrases_are_refused_however_long() {
        for weak in [
            "password1234",
            "123456789012",
            "qwertyuiopasdf",
            "aaaaaaaaaaaaaaaa",
            "1qaz2wsx3edc",
            "abcdefghijklmn",
        ] {
            assert_eq!(check(weak, ""), Err(Problem::Guessable), "{weak}");
            assert!(!strength(weak).acceptable(), "{weak}");
        }
    }

    #[test]
    fn r3_3_1_a_passphrase_may_not_contain_the_login() {
        assert_eq!(
            check("zhang.san 的口令 2026", "zhang.san"),
            Err(Problem::HoldsLogin)
        );
        assert_eq!(
            check("ZHANG SAN 的口令 2026", "zhangsan"),
            Err(Problem::HoldsLogin)
        );
        assert_eq!(check("别人的口令 四月 2026", "zhangsan"), Ok(()));
    }

    #[test]
    fn r3_3_1_good_passphrases_pass_in_chinese_and_in_english() {
        for good in [
            "correct horse 保密 9",
            "保密工作人人有责 2026!",
            "党办主任的口令 2026",
            "Violet-Kettle-Orbit-52",
            "K7QM-3XWD-P9RA-TN4H",
        ] {
            assert_eq!(check(good, "custodian"), Ok(()), "{good}");
            assert!(strength(good).acceptable(), "{good}");
        }
    }
}
