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
    /// 已解密: a copy marked declassified by hand before declassification became a decision
    /// about the document (解密审查). Kept for such copies: they may go back into a cabinet or
    /// onto a destruction list; no copy enters this state any more.
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

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            CopyState::InCabinet => "in cabinet",
            CopyState::Borrowed => "on loan",
            CopyState::InMeeting => "at a meeting",
            CopyState::SentOut => "sent out",
            CopyState::ReturnedToSender => "returned to sender",
            CopyState::Destroyed => "destroyed",
            CopyState::Lost => "lost",
            CopyState::Declassified => "declassified",
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
            ],
            Borrowed => &[InCabinet, Lost],
            InMeeting => &[InCabinet, Lost],
            SentOut => &[InCabinet, Lost],
            Lost => &[InCabinet],
            Declassified => &[InCabinet, Destroyed],
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

/// Who records a change of a copy's state. A transition a flow owns is refused anywhere else,
/// so a copy cannot be "lent" without a request and an approval, or "sent out" without the
/// channel rule, by editing its custody by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustodyFlow {
    /// The custodian by hand, with a note: lost, found, returned to the sender, moved to another
    /// cabinet, handed out at a meeting.
    Manual,
    /// 收文登记 or 发文印制 puts a new copy in its cabinet (R3.1.1, R3.1.2).
    Intake,
    /// 借阅: check-out and return (R3.1.3).
    Borrowing,
    /// 发文分发 by a channel the level allows (R3.1.2).
    Outgoing,
    /// An approved and executed destruction list (销毁清单, two people present).
    Destruction,
}

impl CustodyFlow {
    /// The flow that owns a transition, in English.
    pub fn only_through_en(self) -> &'static str {
        match self {
            CustodyFlow::Manual => "the custodian's record by hand (with the reason)",
            CustodyFlow::Intake => {
                "registration of an incoming document or printing of an outgoing one"
            }
            CustodyFlow::Borrowing => {
                "the borrowing flow (request → approval → hand-out → return, R3.1.3)"
            }
            CustodyFlow::Outgoing => {
                "the distribution of the outgoing flow (channel by level, R3.1.2)"
            }
            CustodyFlow::Destruction => {
                "an approved destruction list, executed with two people present"
            }
        }
    }

    /// How the refusal names the flow that owns a transition.
    pub fn only_through_zh(self) -> &'static str {
        match self {
            CustodyFlow::Manual => "保密员手工登记（须写明原因）",
            CustodyFlow::Intake => "收文登记或发文印制",
            CustodyFlow::Borrowing => "借阅流程（申请 → 审批 → 借出 → 归还，R3.1.3）",
            CustodyFlow::Outgoing => "发文流程的分发（按密级选择渠道，R3.1.2）",
            CustodyFlow::Destruction => "经审批的销毁清单，两人在场执行（“销毁”）",
        }
    }

    /// The clause behind the flow's ownership.
    pub fn clause(self) -> &'static str {
        match self {
            CustodyFlow::Borrowing => "R3.1.3",
            CustodyFlow::Outgoing => "R3.1.2",
            CustodyFlow::Destruction => "R3.2.4",
            CustodyFlow::Manual | CustodyFlow::Intake => "R3.1.1",
        }
    }
}

/// A record of a flow still under way for the copy, which then owns the copy's custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OpenRecord {
    /// Nothing under way.
    None,
    /// A borrowing requested, approved or out (R3.1.3).
    Borrow,
    /// A copy sent out whose receipt (回执) has not come back (R3.1.2).
    Distribution,
}

impl CopyState {
    /// The flow that alone may record `from → to` (`from` is `None` for a new copy), given what
    /// is under way for the copy. Entering 借出, 已分发 or 已销毁 always belongs to its flow;
    /// leaving 借出 or 已分发 belongs to the flow while its record is open. Once the record is
    /// closed (a receipt back: the copy may be recalled, 清退) — or where an old ledger has none
    /// — the custodian records the change by hand, with a note.
    pub fn owner(from: Option<CopyState>, to: CopyState, open: OpenRecord) -> CustodyFlow {
        use CopyState::*;
        match (from, to) {
            (None, _) => CustodyFlow::Intake,
            (_, Borrowed) => CustodyFlow::Borrowing,
            (_, SentOut) => CustodyFlow::Outgoing,
            (_, Destroyed) => CustodyFlow::Destruction,
            _ => match open {
                OpenRecord::Borrow => CustodyFlow::Borrowing,
                OpenRecord::Distribution => CustodyFlow::Outgoing,
                OpenRecord::None => CustodyFlow::Manual,
            },
        }
    }

    /// R3.1.1 and the flows' ownership: whether `flow` may record `from → to` while `open` is
    /// under way. Besides the state machine, a copy in its cabinet may be moved to another
    /// cabinet by hand (`InCabinet → InCabinet`), and a new copy enters only in a cabinet.
    pub fn check_custody(
        from: Option<CopyState>,
        to: CopyState,
        flow: CustodyFlow,
        open: OpenRecord,
    ) -> Result<(), DomainError> {
        match from {
            None if to != CopyState::InCabinet => {
                return Err(DomainError::IllegalTransition {
                    from: CopyState::InCabinet,
                    to,
                });
            }
            None => {}
            Some(CopyState::InCabinet) if to == CopyState::InCabinet => {}
            Some(f) => {
                f.transition(to)?;
            }
        }
        let owner = CopyState::owner(from, to, open);
        if owner != flow {
            return Err(DomainError::OwnedByFlow { from, to, owner });
        }
        Ok(())
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
    fn every_state_but_the_old_declassified_is_reachable_and_codes_round_trip() {
        let mut seen = vec![InCabinet, Declassified];
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
    const OPEN: OpenRecord = OpenRecord::None;

    #[test]
    fn r3_1_3_lending_and_return_belong_to_the_borrowing_flow_only() {
        let loan = OpenRecord::Borrow;
        for flow in [
            CustodyFlow::Manual,
            CustodyFlow::Outgoing,
            CustodyFlow::Destruction,
            CustodyFlow::Intake,
        ] {
            assert!(CopyState::check_custody(Some(InCabinet), Borrowed, flow, OPEN).is_err());
            assert!(CopyState::check_custody(Some(InCabinet), Borrowed, flow, loan).is_err());
            assert!(CopyState::check_custody(Some(Borrowed), InCabinet, flow, loan).is_err());
            assert!(CopyState::check_custody(Some(Borrowed), Lost, flow, loan).is_err());
            // A copy promised to a borrower (requested, approved) is not moved by hand either.
            assert!(CopyState::check_custody(Some(InCabinet), Lost, flow, loan).is_err());
        }
        assert!(
            CopyState::check_custody(Some(InCabinet), Borrowed, CustodyFlow::Borrowing, loan)
                .is_ok()
        );
        assert!(
            CopyState::check_custody(Some(Borrowed), InCabinet, CustodyFlow::Borrowing, loan)
                .is_ok()
        );
        let err = CopyState::check_custody(Some(InCabinet), Borrowed, CustodyFlow::Manual, OPEN)
            .unwrap_err();
        assert_eq!(err.clause(), "R3.1.3");
        assert!(err.to_string().contains("借阅流程"), "{err}");
        // An old ledger's copy marked 借出 with no borrowing record is brought back by hand.
        assert!(
            CopyState::check_custody(Some(Borrowed), InCabinet, CustodyFlow::Manual, OPEN).is_ok()
        );
    }

    #[test]
    fn r3_1_2_sending_out_belongs_to_the_outgoing_flow_and_destruction_to_its_list() {
        let sent = OpenRecord::Distribution;
        let err = CopyState::check_custody(Some(InCabinet), SentOut, CustodyFlow::Manual, OPEN)
            .unwrap_err();
        assert_eq!(err.clause(), "R3.1.2");
        assert!(
            CopyState::check_custody(Some(InCabinet), SentOut, CustodyFlow::Outgoing, OPEN).is_ok()
        );
        // Before its receipt is back the copy is the outgoing flow's; after, it may be recalled
        // (清退) or reported lost by hand.
        for to in [InCabinet, Lost] {
            assert!(
                CopyState::check_custody(Some(SentOut), to, CustodyFlow::Manual, sent).is_err()
            );
            assert!(CopyState::check_custody(Some(SentOut), to, CustodyFlow::Manual, OPEN).is_ok());
        }
        for from in [InCabinet, Declassified] {
            assert!(
                CopyState::check_custody(Some(from), Destroyed, CustodyFlow::Manual, OPEN).is_err()
            );
            assert!(
                CopyState::check_custody(Some(from), Destroyed, CustodyFlow::Destruction, OPEN)
                    .is_ok()
            );
        }
    }

    #[test]
    fn r3_1_1_by_hand_only_what_no_flow_owns_and_new_copies_only_into_a_cabinet() {
        for (from, to) in [
            (InCabinet, Lost),
            (Lost, InCabinet),
            (InCabinet, ReturnedToSender),
            (InCabinet, InCabinet),
            (InCabinet, InMeeting),
            (InMeeting, InCabinet),
            (Declassified, InCabinet),
        ] {
            assert!(
                CopyState::check_custody(Some(from), to, CustodyFlow::Manual, OPEN).is_ok(),
                "{from:?} → {to:?}"
            );
            assert!(
                CopyState::check_custody(Some(from), to, CustodyFlow::Borrowing, OPEN).is_err(),
                "a flow does only its own transitions"
            );
        }
        assert!(CopyState::check_custody(None, InCabinet, CustodyFlow::Intake, OPEN).is_ok());
        assert!(CopyState::check_custody(None, InCabinet, CustodyFlow::Manual, OPEN).is_err());
        assert!(CopyState::check_custody(None, Borrowed, CustodyFlow::Intake, OPEN).is_err());
        assert!(
            CopyState::check_custody(Some(Destroyed), InCabinet, CustodyFlow::Manual, OPEN)
                .is_err()
        );
    }
}
