//! Stock-taking (清查, R4.1 self-inspection, R4.2 item 3 "storage"): what the ledger expects in
//! each cabinet against what was found there, as a pure classification. Every copy of the
//! round ends in exactly one outcome; copies the ledger knows to be out (on loan, sent, at a
//! meeting) are listed apart and never counted missing.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::copy_state::CopyState;

/// The clause behind a stock-taking round.
pub const CLAUSE: &str = "R4.1";

/// What a round found for one copy (or one label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum Outcome {
    /// 缺失: expected in a cabinet of the round, not found.
    Missing,
    /// 位置不符: found, but in another cabinet than the ledger says.
    WrongCabinet,
    /// 账外: found, but the ledger does not have it in a cabinet (unknown label, destroyed, lent,
    /// lost…).
    Unexpected,
    /// 在册在位: found where the ledger says.
    Found,
    /// 不在柜（借出、分发、会议中）: out by the ledger's own record; not counted missing.
    Out,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Missing,
        Outcome::WrongCabinet,
        Outcome::Unexpected,
        Outcome::Found,
        Outcome::Out,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::Missing => "missing",
            Outcome::WrongCabinet => "wrong_cabinet",
            Outcome::Unexpected => "unexpected",
            Outcome::Out => "out",
        }
    }

    pub fn from_code(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Found => "在位",
            Outcome::Missing => "缺失",
            Outcome::WrongCabinet => "位置不符",
            Outcome::Unexpected => "账外",
            Outcome::Out => "不在柜（有记录）",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::Missing => "missing",
            Outcome::WrongCabinet => "wrong cabinet",
            Outcome::Unexpected => "unexpected",
            Outcome::Out => "out (on record)",
        }
    }

    /// Whether the outcome needs the custodian's attention.
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Outcome::Missing | Outcome::WrongCabinet | Outcome::Unexpected
        )
    }
}

/// A copy as the ledger has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCopy {
    pub copy_id: i64,
    pub state: CopyState,
    /// Its cabinet while 在柜.
    pub cabinet: Option<i64>,
    /// The last cabinet it was in (where it goes back), for a copy that is out.
    pub home_cabinet: Option<i64>,
}

/// One label found: the copy it names (`None` for a label the ledger lacks), where, and the
/// verdict given when it was marked (from the ledger at that moment: a copy found in place and
/// lent an hour later was found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub copy_id: Option<i64>,
    pub code: String,
    pub cabinet: i64,
    /// The verdict, where the ledger had it then, and its state then.
    pub judged: Option<(Outcome, Option<i64>, Option<CopyState>)>,
}

/// One line of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub copy_id: Option<i64>,
    pub code: String,
    pub outcome: Outcome,
    /// Where the ledger has it (or had it last).
    pub expected_cabinet: Option<i64>,
    /// Where it was found.
    pub found_cabinet: Option<i64>,
    pub ledger_state: Option<CopyState>,
}

/// The verdict of one mark, as the scanner shows it at once.
pub fn judge(copy: Option<&LedgerCopy>, found_in: i64) -> Outcome {
    match copy {
        Some(c) if c.state == CopyState::InCabinet && c.cabinet == Some(found_in) => Outcome::Found,
        Some(c) if c.state == CopyState::InCabinet => Outcome::WrongCabinet,
        _ => Outcome::Unexpected,
    }
}

/// Classifies a round: `in_scope(cabinet)` says whether a cabinet belongs to it; `copies` holds
/// at least every copy in or out of those cabinets and every copy a mark names. Lines come
/// sorted by outcome (problems first), then copy id.
pub fn classify(
    in_scope: impl Fn(i64) -> bool,
    copies: &[LedgerCopy],
    found: &[Found],
) -> Vec<Line> {
    let by_id: HashMap<i64, &LedgerCopy> = copies.iter().map(|c| (c.copy_id, c)).collect();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut lines = Vec::with_capacity(copies.len() + found.len());
    for f in found {
        let copy = f.copy_id.and_then(|id| by_id.get(&id).copied());
        if let Some(id) = f.copy_id
            && !seen.insert(id)
        {
            continue;
        }
        let (outcome, expected_cabinet, ledger_state) = f.judged.unwrap_or_else(|| {
            (
                judge(copy, f.cabinet),
                copy.and_then(|c| c.cabinet.or(c.home_cabinet)),
                copy.map(|c| c.state),
            )
        });
        lines.push(Line {
            copy_id: f.copy_id,
            code: f.code.clone(),
            outcome,
            expected_cabinet,
            found_cabinet: Some(f.cabinet),
            ledger_state,
        });
    }
    for c in copies {
        if seen.contains(&c.copy_id) {
            continue;
        }
        let outcome = match (c.state, c.cabinet, c.home_cabinet) {
            (CopyState::InCabinet, Some(k), _) if in_scope(k) => Outcome::Missing,
            (CopyState::Borrowed | CopyState::SentOut | CopyState::InMeeting, _, home)
                if home.is_none_or(&in_scope) =>
            {
                Outcome::Out
            }
            _ => continue,
        };
        lines.push(Line {
            copy_id: Some(c.copy_id),
            code: format!("copy-{}", c.copy_id),
            outcome,
            expected_cabinet: c.cabinet.or(c.home_cabinet),
            found_cabinet: None,
            ledger_state: Some(c.state),
        });
    }
    lines.sort_by_key(|l| (l.outcome, l.copy_id));
    lines
}

/// The copy a scanned or typed label names: `copy-N` (the label's QR code), or `N` typed.
pub fn parse_label(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = t
        .strip_prefix("copy-")
        .or_else(|| t.strip_prefix("COPY-"))
        .unwrap_or(t);
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CopyState::*;

    fn copy(id: i64, state: CopyState, cabinet: Option<i64>, home: Option<i64>) -> LedgerCopy {
        LedgerCopy {
            copy_id: id,
            state,
            cabinet,
            home_cabinet: home,
        }
    }

    fn found(id: Option<i64>, code: &str, cabinet: i64) -> Found {
        Found {
            copy_id: id,
            code: code.into(),
            cabinet,
            judged: None,
        }
    }

    #[test]
    fn r4_1_every_outcome_and_loans_are_not_missing() {
        // Cabinet 1 is in the round; cabinet 2 is not.
        let copies = [
            copy(1, InCabinet, Some(1), Some(1)), // found
            copy(2, InCabinet, Some(1), Some(1)), // not scanned: missing
            copy(3, InCabinet, Some(2), Some(2)), // found in cabinet 1: wrong cabinet
            copy(4, Destroyed, None, Some(1)),    // found: unexpected
            copy(5, Borrowed, None, Some(1)),     // out on loan, not found: out
            copy(6, SentOut, None, Some(1)),      // sent out: out
            copy(7, InCabinet, Some(2), Some(2)), // other cabinet, not scanned: not in the round
            copy(8, Borrowed, None, Some(2)),     // on loan from another cabinet: not in it
        ];
        let marks = [
            found(Some(1), "copy-1", 1),
            found(Some(3), "copy-3", 1),
            found(Some(4), "copy-4", 1),
            found(None, "copy-999", 1),
            found(Some(1), "copy-1", 1), // scanned twice: once
        ];
        let lines = classify(|k| k == 1, &copies, &marks);
        let outcome = |id: i64| {
            lines
                .iter()
                .find(|l| l.copy_id == Some(id))
                .map(|l| l.outcome)
        };
        assert_eq!(outcome(1), Some(Outcome::Found));
        assert_eq!(outcome(2), Some(Outcome::Missing));
        assert_eq!(outcome(3), Some(Outcome::WrongCabinet));
        assert_eq!(outcome(4), Some(Outcome::Unexpected));
        assert_eq!(outcome(5), Some(Outcome::Out));
        assert_eq!(outcome(6), Some(Outcome::Out));
        assert_eq!(outcome(7), None);
        assert_eq!(outcome(8), None);
        let unknown = lines.iter().find(|l| l.copy_id.is_none()).unwrap();
        assert_eq!(
            (unknown.outcome, unknown.code.as_str()),
            (Outcome::Unexpected, "copy-999")
        );
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[0].outcome, Outcome::Missing, "problems first");
        let wrong = lines.iter().find(|l| l.copy_id == Some(3)).unwrap();
        assert_eq!(
            (wrong.expected_cabinet, wrong.found_cabinet),
            (Some(2), Some(1))
        );
    }

    #[test]
    fn labels_read_as_the_scan_field_reads_them() {
        assert_eq!(parse_label(" copy-42 "), Some(42));
        assert_eq!(parse_label("42"), Some(42));
        assert_eq!(parse_label("copy-0"), None);
        assert_eq!(parse_label("abc"), None);
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
    }
}
