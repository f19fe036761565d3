//! What the 销毁, 清查 and 解密审查 screens ask the ledger to do: each action runs one use case
//! and says what happened in a line for the toast.

use crate::ledger::documents::{CopyId, DocumentId};
use crate::ledger::holds::{HoldId, HoldTarget};
use crate::ledger::incidents::{IncidentId, NewIncident, Progress};
use crate::ledger::printing::{self, PrintTarget, Printable};
use crate::ledger::secrecy::Decision;
use crate::ledger::stocktake::{How, Marked, StocktakeId};
use crate::ledger::{LedgerError, Session, destruction, holds, incidents, secrecy, stocktake};
use crate::ui::i18n::Lang;
use crate::ui::screens::borrowing::DecideHow;

/// What one of the screens asks.
pub enum CarrierAction {
    NewList(String),
    AddItem {
        list: destruction::DestructionId,
        copy: CopyId,
        reason: String,
    },
    RemoveItem {
        list: destruction::DestructionId,
        copy: CopyId,
        reason: String,
    },
    Approve {
        list: destruction::DestructionId,
        how: DecideHow,
        note: String,
    },
    Execute {
        list: destruction::DestructionId,
        execution: Box<destruction::Execution>,
    },
    CancelList {
        list: destruction::DestructionId,
        reason: String,
    },
    PlaceHold {
        target: HoldTarget,
        reason: String,
    },
    LiftHold {
        hold: HoldId,
        reason: String,
    },
    StartRound {
        cabinets: Option<Vec<crate::ledger::cabinets::CabinetId>>,
        note: String,
    },
    Mark {
        round: StocktakeId,
        cabinet: crate::ledger::cabinets::CabinetId,
        label: String,
        how: How,
    },
    Unmark {
        round: StocktakeId,
        label: String,
    },
    CloseRound {
        round: StocktakeId,
        note: String,
    },
    CancelRound {
        round: StocktakeId,
        reason: String,
    },
    OpenIncident(Box<NewIncident>),
    UpdateIncident {
        id: IncidentId,
        progress: Progress,
        close: bool,
    },
    Decide {
        document: DocumentId,
        decision: Box<Decision>,
    },
    Print {
        what: Printable,
        target: PrintTarget,
    },
}

/// What an action produced, besides its message.
#[derive(Debug, Clone, PartialEq)]
pub enum Made {
    Nothing,
    List(destruction::DestructionId),
    Round(StocktakeId),
    Incident(IncidentId),
    Mark(Marked),
}

impl CarrierAction {
    /// Runs the action; returns what it made and the toast's line.
    pub fn run(self, s: &mut Session, lang: Lang) -> Result<(Made, String), LedgerError> {
        let zh_en = |zh: &'static str, en: &'static str| lang.tr(zh, en).to_owned();
        Ok(match self {
            CarrierAction::NewList(note) => {
                let id = destruction::create(s, &note)?;
                let no = destruction::get(s, id)?.list_no;
                (
                    Made::List(id),
                    match lang {
                        Lang::Zh => format!("已新建销毁清单 {no}"),
                        Lang::En => format!("Destruction list {no} drafted"),
                    },
                )
            }
            CarrierAction::AddItem { list, copy, reason } => {
                destruction::add_item(s, list, copy, &reason)?;
                (Made::List(list), zh_en("已列入销毁清单", "Put on the list"))
            }
            CarrierAction::RemoveItem { list, copy, reason } => {
                destruction::remove_item(s, list, copy, &reason)?;
                (
                    Made::List(list),
                    zh_en("已移出销毁清单", "Taken off the list"),
                )
            }
            CarrierAction::Approve { list, how, note } => {
                destruction::approve(s, list, &how.decider(), &note)?;
                (Made::List(list), zh_en("销毁清单已批准", "List approved"))
            }
            CarrierAction::Execute { list, execution } => {
                destruction::execute(s, list, &execution)?;
                let n = destruction::get(s, list)?.items.len();
                (
                    Made::List(list),
                    match lang {
                        Lang::Zh => format!("已登记销毁 {n} 份"),
                        Lang::En => format!("{n} copies recorded destroyed"),
                    },
                )
            }
            CarrierAction::CancelList { list, reason } => {
                destruction::cancel(s, list, &reason)?;
                (Made::List(list), zh_en("销毁清单已撤销", "List cancelled"))
            }
            CarrierAction::PlaceHold { target, reason } => {
                holds::place(s, target, &reason)?;
                (Made::Nothing, zh_en("已冻结", "Hold placed"))
            }
            CarrierAction::LiftHold { hold, reason } => {
                holds::lift(s, hold, &reason)?;
                (Made::Nothing, zh_en("已解除冻结", "Hold lifted"))
            }
            CarrierAction::StartRound { cabinets, note } => {
                let id = stocktake::start(s, cabinets.as_deref(), &note)?;
                let no = stocktake::get(s, id)?.round_no;
                (
                    Made::Round(id),
                    match lang {
                        Lang::Zh => format!("已开始清查 {no}"),
                        Lang::En => format!("Stock-taking {no} started"),
                    },
                )
            }
            CarrierAction::Mark {
                round,
                cabinet,
                label,
                how,
            } => {
                let m = stocktake::mark(s, round, cabinet, &label, how)?;
                let text = lang.message(&m.text).to_owned();
                (Made::Mark(m), text)
            }
            CarrierAction::Unmark { round, label } => {
                stocktake::unmark(s, round, &label)?;
                (Made::Round(round), zh_en("已撤回该登记", "Mark withdrawn"))
            }
            CarrierAction::CloseRound { round, note } => {
                let counts = stocktake::close(s, round, &note)?;
                let n = |o| counts.get(&o).copied().unwrap_or(0);
                use crate::domain::stocktake::Outcome::*;
                (
                    Made::Round(round),
                    match lang {
                        Lang::Zh => format!(
                            "清查已完成：在位 {}，缺失 {}，位置不符 {}，账外 {}",
                            n(Found),
                            n(Missing),
                            n(WrongCabinet),
                            n(Unexpected)
                        ),
                        Lang::En => format!(
                            "Closed: {} found, {} missing, {} in the wrong cabinet, {} unexpected",
                            n(Found),
                            n(Missing),
                            n(WrongCabinet),
                            n(Unexpected)
                        ),
                    },
                )
            }
            CarrierAction::CancelRound { round, reason } => {
                stocktake::cancel(s, round, &reason)?;
                (
                    Made::Round(round),
                    zh_en("本次清查已作废", "Round cancelled"),
                )
            }
            CarrierAction::OpenIncident(n) => {
                let id = incidents::open(s, &n)?;
                let no = incidents::get(s, id)?.incident_no;
                (
                    Made::Incident(id),
                    match lang {
                        Lang::Zh => format!("已登记事件 {no}"),
                        Lang::En => format!("Incident {no} recorded"),
                    },
                )
            }
            CarrierAction::UpdateIncident {
                id,
                progress,
                close,
            } => {
                incidents::update(s, id, &progress, close)?;
                (
                    Made::Incident(id),
                    if close {
                        zh_en("事件已办结", "Incident closed")
                    } else {
                        zh_en("已保存", "Saved")
                    },
                )
            }
            CarrierAction::Decide { document, decision } => {
                secrecy::decide(s, document, &decision)?;
                (
                    Made::Nothing,
                    match lang {
                        Lang::Zh => format!("已登记：{}", decision.kind.label_zh()),
                        Lang::En => format!("Recorded: {}", decision.kind.label_en()),
                    },
                )
            }
            CarrierAction::Print { what, target } => {
                let p = printing::print(s, what, &target)?;
                (Made::Nothing, lang.message(&p.summary).to_owned())
            }
        })
    }
}
