//! What the borrowing screen asks the ledger to do: each action runs one use case and says
//! what happened in a line for the toast.

use crate::ledger::Passphrase;
use crate::ledger::Session;
use crate::ledger::borrowing::{self, BorrowId, BorrowRequest};
use crate::ledger::cabinets::CabinetId;
use crate::ledger::people::PersonId;
use crate::ledger::printing::{self, PrintTarget, Printable};
use crate::ui::i18n::Lang;

/// What the screen asks the ledger to do.
pub enum BorrowAction {
    Request(Box<BorrowRequest>),
    /// Approve (`approve`) or reject, signed in or on paper.
    Decide {
        id: BorrowId,
        approve: bool,
        how: DecideHow,
        note: String,
    },
    CheckOut(BorrowId),
    /// A renewal, approved again by the level's approver (R3.1.3).
    Renew {
        id: BorrowId,
        days: u32,
        how: DecideHow,
    },
    Return {
        id: BorrowId,
        received_by: PersonId,
        pages_complete: bool,
        note: String,
        /// The cabinet it goes back into (the one it came from unless another is chosen).
        into: Option<CabinetId>,
    },
    /// The copy on loan was lost (借阅中丢失).
    ReportLost {
        id: BorrowId,
        note: String,
    },
    Cancel {
        id: BorrowId,
        reason: String,
    },
    /// Print the 《文件借阅申请表》 (the ledger's printing use case).
    PrintForm {
        id: BorrowId,
        target: PrintTarget,
    },
}

/// How the approver decides.
pub enum DecideHow {
    SignedIn {
        login: String,
        passphrase: Passphrase,
    },
    Paper {
        person: PersonId,
        reference: String,
    },
}

impl DecideHow {
    /// The ledger's view of it.
    pub(crate) fn decider(&self) -> borrowing::Decider<'_> {
        match self {
            DecideHow::SignedIn { login, passphrase } => {
                borrowing::Decider::SignedIn { login, passphrase }
            }
            DecideHow::Paper { person, reference } => borrowing::Decider::Paper {
                person: *person,
                reference,
            },
        }
    }
}

impl BorrowAction {
    /// Runs the action; returns the message for the toast, and the new request's id.
    pub fn run(
        self,
        s: &mut Session,
        lang: Lang,
    ) -> Result<(Option<BorrowId>, String), crate::ledger::LedgerError> {
        let message = match self {
            BorrowAction::Request(r) => {
                let id = borrowing::request(s, &r)?;
                let form = borrowing::get(s, id)?.form_no;
                return Ok((
                    Some(id),
                    match lang {
                        Lang::Zh => format!("已登记借阅申请 {form}"),
                        Lang::En => format!("Request {form} registered"),
                    },
                ));
            }
            BorrowAction::Decide {
                id,
                approve,
                how,
                note,
            } => {
                let d = how.decider();
                if approve {
                    borrowing::approve(s, id, &d, &note)?;
                    lang.tr("已批准借阅", "Borrowing approved").to_owned()
                } else {
                    borrowing::reject(s, id, &d, &note)?;
                    lang.tr("已登记不批准", "Refusal recorded").to_owned()
                }
            }
            BorrowAction::CheckOut(id) => {
                let due = borrowing::check_out(s, id)?;
                let year = chrono::Datelike::year(&due);
                let mut m = match lang {
                    Lang::Zh => format!("已借出，应于 {due} 前归还"),
                    Lang::En => format!("Handed out, due back by {due}"),
                };
                if !borrowing::calendar(s)?.knows(year) {
                    m.push_str(&match lang {
                        Lang::Zh => format!(
                            "（注意：工作日历中没有 {year} 年的放假安排，请在“设置”中补充）"
                        ),
                        Lang::En => format!(
                            " (note: the working-day calendar has no holidays for {year}; add them in Settings)"
                        ),
                    });
                }
                m
            }
            BorrowAction::Renew { id, days, how } => {
                let due = borrowing::renew(s, id, days, &how.decider())?;
                match lang {
                    Lang::Zh => format!("已续借，应于 {due} 前归还"),
                    Lang::En => format!("Renewed, due back by {due}"),
                }
            }
            BorrowAction::Return {
                id,
                received_by,
                pages_complete,
                note,
                into,
            } => {
                borrowing::return_copy(s, id, received_by, pages_complete, &note, into)?;
                lang.tr("已归还入柜", "Returned to its cabinet").to_owned()
            }
            BorrowAction::ReportLost { id, note } => {
                borrowing::report_lost(s, id, &note)?;
                lang.tr("已登记借阅中丢失", "Recorded as lost while on loan")
                    .to_owned()
            }
            BorrowAction::Cancel { id, reason } => {
                borrowing::cancel(s, id, &reason)?;
                lang.tr("已撤销", "Withdrawn").to_owned()
            }
            BorrowAction::PrintForm { id, target } => lang
                .message(&printing::print(s, Printable::BorrowForm(id), &target)?.summary)
                .to_owned(),
        };
        Ok((None, message))
    }
}
