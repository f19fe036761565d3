//! The selected borrowing: what the form says, printing it, and the form for its next step —
//! the approval (signed in here or on paper), check-out, return, and a renewal approved again by
//! the same rule (R3.1.3).

use egui::{Grid, RichText, Ui};

use crate::ledger::Passphrase;
use crate::ledger::borrowing::{Approvers, BorrowId, BorrowState};
use crate::ledger::cabinets::CabinetId;
use crate::ledger::people::{Person, PersonId};
use crate::ledger::printing::PrintTarget;
use crate::ledger::users::UserRow;
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::pickers::{PersonText, cabinet_row, person_row};
use crate::ui::widgets::{
    combo_row, danger_button, error_text, field_row, hint_text, primary_button,
};
use zeroize::Zeroizing;

use super::{BorrowAction, BorrowingScreen, DecideHow};

/// Drafts of the selected borrowing's action forms. Nothing is ticked in advance: on return the
/// pages are counted before the return is recorded.
#[derive(Default)]
pub(super) struct Forms {
    paper: bool,
    login: Option<String>,
    /// The approver's passphrase as typed; zeroized when dropped or handed on.
    passphrase: Zeroizing<String>,
    paper_person: Option<PersonId>,
    reference: String,
    note: String,
    renew_days: String,
    pub(super) received_by: Option<PersonId>,
    /// The cabinet a return goes into (the loan's own unless changed).
    return_cabinet: Option<CabinetId>,
    /// Checked on return: none until the custodian has counted the pages.
    pages_complete: Option<bool>,
    return_note: String,
    /// A decision waiting for its confirmation.
    confirm: Option<Pending>,
    save_path: String,
    /// The borrowing `save_path` was proposed for.
    save_for: Option<BorrowId>,
}

impl Forms {
    /// Empty drafts, the receiver of a return preset (the custodian, or whom they chose).
    pub(super) fn for_receiver(received_by: Option<PersonId>) -> Self {
        Forms {
            received_by,
            ..Forms::default()
        }
    }

    /// Whether the approval part of the form is filled in.
    fn approval_ready(&self) -> bool {
        if self.paper {
            self.paper_person.is_some() && !self.reference.trim().is_empty()
        } else {
            self.login.is_some() && !self.passphrase.is_empty()
        }
    }

    /// The approval as typed; the passphrase field is emptied (the secret moves on, zeroized
    /// when dropped).
    fn take_approval(&mut self) -> Option<DecideHow> {
        if !self.approval_ready() {
            return None;
        }
        Some(if self.paper {
            DecideHow::Paper {
                person: self.paper_person?,
                reference: self.reference.clone(),
            }
        } else {
            DecideHow::SignedIn {
                login: self.login.clone()?,
                passphrase: Passphrase::new(std::mem::take(&mut *self.passphrase)),
            }
        })
    }
}

/// Who approves, signed in here with their passphrase or from a paper form (a request, and
/// again for a renewal).
fn approval_ui(
    ui: &mut Ui,
    lang: Lang,
    f: &mut Forms,
    approvers: &Approvers,
    people: &[Person],
    id: &str,
) {
    // Only the accounts the rule accepts for this borrowing (R3.1.3); when there is none,
    // why, and what to do.
    if let Some(why) = &approvers.none_reason {
        error_text(ui, lang.message(why));
    } else if !f.paper
        && let Some(why) = approvers.why_none_signs_in()
    {
        error_text(ui, lang.message(&why));
    }
    let signing_in: Vec<&UserRow> = approvers.signing_in().collect();
    let approvers: Vec<&UserRow> = approvers.eligible.iter().collect();
    ui.horizontal(|ui| {
        ui.selectable_value(
            &mut f.paper,
            false,
            lang.tr("审批人登录", "Approver signs in"),
        );
        ui.selectable_value(&mut f.paper, true, lang.tr("纸质审批", "Paper approval"));
    });
    Grid::new(id).num_columns(2).show(ui, |ui| {
        if f.paper {
            let name = f
                .paper_person
                .and_then(|p| people.iter().find(|x| x.id == p))
                .map(|p| p.name.clone())
                .unwrap_or_default();
            combo_row(
                ui,
                lang.tr("审批人", "Approver"),
                &format!("{id}_paper_person"),
                &name,
                |ui| {
                    for u in approvers {
                        ui.selectable_value(
                            &mut f.paper_person,
                            Some(u.person_id),
                            lang.name_and(&u.name, lang.label(u.role)),
                        );
                    }
                },
            );
            field_row(
                ui,
                lang.tr("审批单编号", "Form reference"),
                &mut f.reference,
                false,
            );
        } else {
            let shown = f
                .login
                .as_ref()
                .and_then(|l| signing_in.iter().find(|u| &u.login == l))
                .map(|u| lang.name_and(&u.name, lang.label(u.role)))
                .unwrap_or_default();
            combo_row(
                ui,
                lang.tr("审批人", "Approver"),
                &format!("{id}_approver_login"),
                &shown,
                |ui| {
                    for u in &signing_in {
                        ui.selectable_value(
                            &mut f.login,
                            Some(u.login.clone()),
                            lang.name_and(&u.name, lang.label(u.role)),
                        );
                    }
                },
            );
            field_row(
                ui,
                lang.tr("审批人口令", "Approver's passphrase"),
                &mut f.passphrase,
                true,
            );
        }
    });
}

/// A decision on a request that waits for its confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Approve,
    Reject,
    Withdraw,
}

/// The confirmation of a decision, naming the request: 确认 runs it, 返回 leaves the form as
/// it was (the approver's passphrase included).
fn confirm_ui(
    ctx: &egui::Context,
    lang: Lang,
    f: &mut Forms,
    b: &crate::ledger::borrowing::Borrow,
    cmds: &mut Vec<MainCommand>,
) {
    let Some(pending) = f.confirm else {
        return;
    };
    let (title, ok) = match pending {
        Pending::Approve => (
            lang.tr("批准借阅", "Approve"),
            lang.tr("确认批准", "Approve"),
        ),
        Pending::Reject => (
            lang.tr("不批准借阅", "Reject"),
            lang.tr("确认不批准", "Reject"),
        ),
        Pending::Withdraw => (
            lang.tr("撤销借阅申请", "Withdraw"),
            lang.tr("确认撤销", "Withdraw"),
        ),
    };
    crate::ui::widgets::dialog("confirm_borrow_decision").show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading(title);
        ui.label(format!(
            "{} · {} · {} {}",
            b.form_no, b.borrower_name, b.marking, b.title
        ));
        ui.label(lang.copy_no(b.copy_no));
        // How the decision is given: the paper form's number, or the approver signing in.
        if pending != Pending::Withdraw {
            ui.label(match (f.paper, lang) {
                (true, Lang::Zh) => format!("依据纸质审批单 {}", f.reference.trim()),
                (true, Lang::En) => format!("On paper form {}", f.reference.trim()),
                (false, Lang::Zh) => format!(
                    "审批人 {} 在本机输入本人口令",
                    f.login.as_deref().unwrap_or("")
                ),
                (false, Lang::En) => format!(
                    "Approver {} signing in here",
                    f.login.as_deref().unwrap_or("")
                ),
            });
        }
        if pending == Pending::Reject && f.note.trim().is_empty() {
            error_text(
                ui,
                lang.tr("不批准须在“意见”中写明理由", "Give the reason in the note"),
            );
        }
        ui.horizontal(|ui| {
            let button = if pending == Pending::Approve {
                primary_button(ok)
            } else {
                danger_button(ok)
            };
            let allowed = !(pending == Pending::Reject && f.note.trim().is_empty());
            if ui.add_enabled(allowed, button).clicked() {
                f.confirm = None;
                match pending {
                    Pending::Withdraw => {
                        cmds.push(MainCommand::Borrow(BorrowAction::Cancel {
                            id: b.id,
                            reason: if !f.note.trim().is_empty() {
                                f.note.clone()
                            } else if b.state == BorrowState::Approved {
                                "批准后未借出，撤销".into()
                            } else {
                                "申请人撤回".into()
                            },
                        }));
                    }
                    Pending::Approve | Pending::Reject => {
                        if let Some(how) = f.take_approval() {
                            cmds.push(MainCommand::Borrow(BorrowAction::Decide {
                                id: b.id,
                                approve: pending == Pending::Approve,
                                how,
                                note: f.note.clone(),
                            }));
                        }
                    }
                }
            }
            if ui.button(lang.tr("返回", "Back")).clicked() {
                f.confirm = None;
            }
        });
    });
}

impl BorrowingScreen {
    pub(super) fn detail_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let Some(b) = self
            .selected
            .and_then(|id| self.rows.iter().find(|b| b.id == id))
            .cloned()
        else {
            ui.label(RichText::new(lang.tr("选择一条借阅查看详情", "Select a borrowing")).weak());
            return;
        };
        ui.heading(RichText::new(&b.marking).color(egui::Color32::from_rgb(0xc0, 0x1c, 0x28)));
        ui.label(RichText::new(&b.title).strong());
        let late = self.overdue(&b);
        Grid::new("borrow_detail_grid")
            .num_columns(2)
            .show(ui, |ui| {
                for (k, v) in [
                    (lang.tr("申请表编号", "Form no."), b.form_no.clone()),
                    (lang.tr("文号", "Doc no."), b.doc_no.clone()),
                    (lang.tr("份号", "Copy"), lang.copy_no(b.copy_no)),
                    (
                        lang.tr("借阅人", "Borrower"),
                        format!("{} {}", b.borrower_name, b.borrower_department),
                    ),
                    (lang.tr("事由", "Reason"), b.reason.clone()),
                    (
                        lang.tr("确需借阅理由", "Why needed"),
                        b.justification.clone(),
                    ),
                    (
                        lang.tr("期限", "Period"),
                        if b.requested_days == 0 {
                            lang.tr("当日归还", "same day").to_owned()
                        } else {
                            match lang {
                                Lang::Zh => format!("{} 个工作日", b.requested_days),
                                Lang::En => format!("{} working days", b.requested_days),
                            }
                        },
                    ),
                    (lang.tr("阅读地点", "Place"), b.place.clone()),
                    (lang.tr("状态", "State"), lang.label(b.state).to_owned()),
                    (
                        lang.tr("审批人", "Approver"),
                        // On paper: the form's number beside the approver's name.
                        match (b.approval_kind.as_deref(), lang) {
                            (Some("paper"), Lang::Zh) => {
                                format!("{}（纸质审批单 {}）", b.approver_name, b.approval_ref)
                            }
                            (Some("paper"), Lang::En) => {
                                format!("{} (paper form {})", b.approver_name, b.approval_ref)
                            }
                            _ => b.approver_name.clone(),
                        },
                    ),
                    (lang.tr("审批意见", "Note"), b.decision_note.clone()),
                    (
                        lang.tr("应还日期", "Due"),
                        b.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    (
                        lang.tr("借出时间", "Out at"),
                        b.out_at
                            .as_deref()
                            .map(|t| self.zone.time_text(t))
                            .unwrap_or_default(),
                    ),
                    (
                        lang.tr("归还时间", "Returned"),
                        b.returned_at
                            .as_deref()
                            .map(|t| self.zone.time_text(t))
                            .unwrap_or_default(),
                    ),
                    (lang.tr("归还情况", "Return note"), b.return_note.clone()),
                    (
                        lang.tr("逾期说明", "Overdue override"),
                        b.overdue_override.clone().unwrap_or_default(),
                    ),
                ] {
                    if !v.trim().is_empty() {
                        ui.add(egui::Label::new(k).extend());
                        ui.label(v);
                        ui.end_row();
                    }
                }
            });
        if late > 0 {
            error_text(
                ui,
                &match lang {
                    Lang::Zh => format!("已逾期 {late} 个工作日"),
                    Lang::En => format!("{late} working days overdue"),
                },
            );
        }
        // The form and every step are the custodian's (the permission matrix): others read.
        if !self.may_write {
            return;
        }
        ui.separator();
        ui.label(RichText::new(lang.tr("《文件借阅申请表》", "Borrowing form")).strong());
        let f = &mut self.forms;
        if f.save_for != Some(b.id) {
            f.save_for = Some(b.id);
            let home = dirs::home_dir().unwrap_or_default();
            f.save_path = home
                .join(match lang {
                    Lang::Zh => format!("文件借阅申请表-{}.pdf", b.form_no),
                    Lang::En => format!("borrowing-form-{}.pdf", b.form_no),
                })
                .display()
                .to_string();
        }
        ui.horizontal(|ui| {
            if ui.button(lang.tr("打印", "Print")).clicked() {
                cmds.push(MainCommand::Borrow(BorrowAction::PrintForm {
                    id: b.id,
                    target: PrintTarget::Printer,
                }));
            }
            if ui.button(lang.tr("另存为 PDF", "Save as PDF")).clicked() {
                cmds.push(MainCommand::Borrow(BorrowAction::PrintForm {
                    id: b.id,
                    target: PrintTarget::File(std::path::PathBuf::from(f.save_path.trim())),
                }));
            }
        });
        Grid::new("save_form").num_columns(2).show(ui, |ui| {
            field_row(ui, lang.tr("保存位置", "Save to"), &mut f.save_path, false);
        });
        ui.separator();
        let people = &self.people;
        let cabinets = &self.cabinets;
        let approvers = match &self.approvers {
            Some((id, a)) if *id == b.id => a.clone(),
            _ => Approvers {
                eligible: Vec::new(),
                none_reason: None,
            },
        };
        let f = &mut self.forms;
        match b.state {
            BorrowState::Requested => {
                approval_ui(ui, lang, f, &approvers, people, "decide_form");
                Grid::new("decide_note").num_columns(2).show(ui, |ui| {
                    field_row(ui, lang.tr("意见", "Note"), &mut f.note, false);
                });
                let ready = f.approval_ready();
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(ready, primary_button(lang.tr("批准", "Approve")))
                        .clicked()
                    {
                        f.confirm = Some(Pending::Approve);
                    }
                    if ui
                        .add_enabled(ready, danger_button(lang.tr("不批准", "Reject")))
                        .clicked()
                    {
                        f.confirm = Some(Pending::Reject);
                    }
                    if ui
                        .add(danger_button(lang.tr("撤销申请", "Withdraw")))
                        .clicked()
                    {
                        f.confirm = Some(Pending::Withdraw);
                    }
                });
                confirm_ui(ui.ctx(), lang, f, &b, cmds);
            }
            BorrowState::Approved => {
                ui.horizontal(|ui| {
                    if ui
                        .add(primary_button(lang.tr("借出", "Hand out")))
                        .clicked()
                    {
                        cmds.push(MainCommand::Borrow(BorrowAction::CheckOut(b.id)));
                    }
                    if ui
                        .add(danger_button(lang.tr("撤销申请", "Withdraw")))
                        .clicked()
                    {
                        f.confirm = Some(Pending::Withdraw);
                    }
                });
                confirm_ui(ui.ctx(), lang, f, &b, cmds);
            }
            BorrowState::Out => {
                Grid::new("return_form").num_columns(2).show(ui, |ui| {
                    person_row(
                        ui,
                        lang.tr("接收人", "Received by"),
                        "received_by",
                        people,
                        &mut f.received_by,
                        PersonText::Name,
                    );
                    ui.label(lang.tr("页数", "Pages"));
                    ui.vertical(|ui| {
                        ui.radio_value(
                            &mut f.pages_complete,
                            Some(true),
                            lang.tr("清点无误，页数齐全", "Counted, complete"),
                        );
                        ui.radio_value(
                            &mut f.pages_complete,
                            Some(false),
                            lang.tr("缺页或损坏", "Missing or damaged"),
                        );
                    });
                    ui.end_row();
                    field_row(ui, lang.tr("情况说明", "Note"), &mut f.return_note, false);
                    if f.return_cabinet.is_none() {
                        f.return_cabinet = b.cabinet;
                    }
                    cabinet_row(
                        ui,
                        lang.tr("归还专柜", "Back into"),
                        "return_cabinet",
                        cabinets,
                        b.level,
                        &mut f.return_cabinet,
                    );
                });
                let return_problem = match f.pages_complete {
                    None => Some(lang.tr(
                        "请先清点页数，选择“页数齐全”或“缺页或损坏”",
                        "Count the pages first",
                    )),
                    Some(false) if f.return_note.trim().is_empty() => Some(lang.tr(
                        "缺页或损坏时，请在“情况说明”中写明",
                        "Describe what is missing or damaged in the note",
                    )),
                    _ => None,
                };
                hint_text(ui, return_problem.unwrap_or(" "));
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            return_problem.is_none(),
                            primary_button(lang.tr("归还入柜", "Return")),
                        )
                        .clicked()
                        && let Some(received_by) = f.received_by
                        && let Some(pages_complete) = f.pages_complete
                    {
                        cmds.push(MainCommand::Borrow(BorrowAction::Return {
                            id: b.id,
                            received_by,
                            pages_complete,
                            note: f.return_note.clone(),
                            into: f.return_cabinet,
                        }));
                    }
                    let can_report = !f.return_note.trim().is_empty();
                    if ui
                        .add_enabled(
                            can_report,
                            egui::Button::new(lang.tr("登记借阅中丢失", "Report lost")),
                        )
                        .on_disabled_hover_text(lang.tr(
                            "先在“情况说明”中写明丢失的经过",
                            "Write what happened in the note first",
                        ))
                        .clicked()
                    {
                        cmds.push(MainCommand::Borrow(BorrowAction::ReportLost {
                            id: b.id,
                            note: f.return_note.clone(),
                        }));
                    }
                });
                ui.separator();
                ui.label(RichText::new(lang.tr("办理续借", "Renewal")).strong());
                hint_text(
                    ui,
                    lang.tr(
                        "续借须重新审批，审批规则与首次借阅相同（按密级）。",
                        "A renewal is approved again, by the same rule as the loan (by level).",
                    ),
                );
                Grid::new("renew_form").num_columns(2).show(ui, |ui| {
                    field_row(
                        ui,
                        lang.tr("续借天数", "Renew (working days)"),
                        &mut f.renew_days,
                        false,
                    );
                });
                approval_ui(ui, lang, f, &approvers, people, "renew_approval");
                let days = f.renew_days.trim().parse::<u32>().ok().filter(|d| *d > 0);
                if ui
                    .add_enabled(
                        days.is_some() && f.approval_ready(),
                        egui::Button::new(lang.tr("续借", "Renew")),
                    )
                    .clicked()
                    && let Some(days) = days
                    && let Some(how) = f.take_approval()
                {
                    cmds.push(MainCommand::Borrow(BorrowAction::Renew {
                        id: b.id,
                        days,
                        how,
                    }));
                }
            }
            BorrowState::Returned | BorrowState::Lost
                if b.state == BorrowState::Lost || b.pages_complete == Some(false) =>
            {
                ui.separator();
                // R5.1: a loan lost, or returned with pages missing, is an incident to record.
                if ui
                    .button(lang.tr("登记泄密/丢失事件", "Record an incident"))
                    .clicked()
                {
                    let name = format!("《{}》第{}份", b.title, b.copy_no);
                    cmds.push(MainCommand::NewIncident(Box::new(
                        crate::ui::screens::carriers::stocktake::IncidentStart {
                            copies: vec![(b.copy, name.clone())],
                            borrow: Some(b.id),
                            description: match b.state {
                                BorrowState::Lost => {
                                    format!("{}借阅中丢失{name}：{}", b.form_no, b.return_note)
                                }
                                _ => {
                                    format!("{}归还时{name}页数不全：{}", b.form_no, b.return_note)
                                }
                            },
                            mark_lost: false,
                        },
                    )));
                }
            }
            _ => {}
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
    }
}
