//! The state of one numbered copy (份号) of a document: every copy has exactly one state at every
//! moment (R3.1.1 custody), and only the transitions below are legal.

use serde::{Deserialize, Serialize};

use super::error::DomainError;

/// Where a copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CopyState {
    /// 在柜: in its cabinet (R3.1.1, R3.4.2).
    InCabinet,
    /// 借出: with a borrower (R3.1.3).
    Borrowed,
    /// 会议中: handed out at a meeting, to be recovered (R3.2.4).
    InMeeting,
    /// 已分发: sent out to another unit (R3.1.2).
    SentOut,
    /// 已退回: returned to the issuing unit.
    ReturnedToSender,
    /// 已销毁: destroyed under the rules (R3.2.4).
    Destroyed,
    /// 丢失: lost; reported, may be found again.
    Lost,
    /// 已解密: declassified at the end of its period.
    Declassified,
}

impl CopyState {
    /// Every state.
    pub const ALL: [CopyState; 8] = [
        CopyState::InCabinet,
        CopyState::Borrowed,
        CopyState::InMeeting,
        CopyState::SentOut,
        CopyState::ReturnedToSender,
        CopyState::Destroyed,
        CopyState::Lost,
        CopyState::Declassified,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            CopyState::InCabinet => "in_cabinet",
            CopyState::Borrowed => "borrowed",
            CopyState::InMeeting => "in_meeting",
            CopyState::SentOut => "sent_out",
            CopyState::ReturnedToSender => "returned",
            CopyState::Destroyed => "destroyed",
            CopyState::Lost => "lost",
            CopyState::Declassified => "declassified",
        }
    }

    /// Parses a stored code.
    pub fn from_code(s: &str) -> Option<CopyState> {
        CopyState::ALL.into_iter().find(|c| c.code() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            CopyState::InCabinet => "在柜",
            CopyState::Borrowed => "借出",
            CopyState::InMeeting => "会议中",
            CopyState::SentOut => "已分发",
            CopyState::ReturnedToSender => "已退回",
            CopyState::Destroyed => "已销毁",
            CopyState::Lost => "丢失",
            CopyState::Declassified => "已解密",
        }
    }

    /// Whether the copy has left the ledger for good (no further transition).
    pub fn is_final(self) -> bool {
        self.next_states().is_empty()
    }

    /// R3.1.1: the states a copy may go to from this one. A copy leaves custody only from its
    /// cabinet, and comes back to its cabinet before it goes anywhere else.
    pub fn next_states(self) -> &'static [CopyState] {
        use CopyState::*;
        match self {
            InCabinet => &[
                Borrowed,
                InMeeting,
                SentOut,
                ReturnedToSender,
                Destroyed,
                Lost,
                Declassified,
            ],
            Borrowed => &[InCabinet, Lost],
            InMeeting => &[InCabinet, Lost],
            SentOut => &[InCabinet, Lost],
            Lost => &[InCabinet],
            Declassified => &[Destroyed],
            ReturnedToSender | Destroyed => &[],
        }
    }

    /// R3.1.1: moves to `to` or says why not.
    pub fn transition(self, to: CopyState) -> Result<CopyState, DomainError> {
        if self.next_states().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::IllegalTransition { from: self, to })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CopyState::*;

    #[test]
    fn r3_1_1_a_copy_leaves_custody_only_from_its_cabinet() {
        for s in [Borrowed, InMeeting, SentOut, Lost] {
            assert!(s.transition(Borrowed).is_err(), "{s:?} → Borrowed");
            assert!(s.transition(Destroyed).is_err(), "{s:?} → Destroyed");
        }
        assert_eq!(InCabinet.transition(Borrowed), Ok(Borrowed));
        assert_eq!(Borrowed.transition(InCabinet), Ok(InCabinet));
    }

    #[test]
    fn r3_1_1_destroyed_and_returned_copies_are_final() {
        for to in CopyState::ALL {
            assert!(Destroyed.transition(to).is_err());
            assert!(ReturnedToSender.transition(to).is_err());
        }
        assert!(Destroyed.is_final() && !Lost.is_final());
    }

    #[test]
    fn r3_1_1_illegal_transition_names_both_states_in_chinese() {
        let err = Destroyed.transition(Borrowed).unwrap_err();
        assert!(err.to_string().contains("已销毁") && err.to_string().contains("借出"));
        assert_eq!(err.clause(), "R3.1.1");
    }

    #[test]
    fn every_state_is_reachable_from_the_cabinet_and_codes_round_trip() {
        let mut seen = vec![InCabinet];
        let mut frontier = vec![InCabinet];
        while let Some(s) = frontier.pop() {
            for &n in s.next_states() {
                if !seen.contains(&n) {
                    seen.push(n);
                    frontier.push(n);
                }
            }
        }
        assert_eq!(seen.len(), CopyState::ALL.len());
        for s in CopyState::ALL {
            assert_eq!(CopyState::from_code(s.code()), Some(s));
        }
    }
}
