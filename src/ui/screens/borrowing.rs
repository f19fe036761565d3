//! 借阅 (R3.1.3): requests waiting for approval, copies on loan (due dates, overdue in red) and
//! the history; the request dialog; approval by the approver signing in here with their own
//! passphrase or from a paper form; check-out, renewal and return.

use egui::{Grid, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::main_window::MainCommand;
use crate::domain::calendar::Calendar;
use crate::domain::copy_state::CopyState;
use crate::ledger::Passphrase;
use crate::ledger::Session;
use crate::ledger::borrowing::{self, Borrow, BorrowId, BorrowRequest, BorrowState, Which};
use crate::ledger::documents::{self, Copy, CopyId, Document};
use crate::ledger::people::{self, Person, PersonId};
use crate::ledger::printing::{self, PrintTarget, Printable};
use crate::ledger::search::{self, Query};
use crate::ledger::users::{self, UserRow};
use crate::ui::i18n::Lang;
use crate::ui::widgets::pickers::{PersonText, person_row};
use crate::ui::widgets::{combo_row, error_text, field_row, header_cells, hint_text};
use zeroize::Zeroizing;

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
    fn decider(&self) -> borrowing::Decider<'_> {
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
    ) -> Result<(Option<BorrowId>, String), crate::ledger::LedgerError> {
        let message = match self {
            BorrowAction::Request(r) => {
                let id = borrowing::request(s, &r)?;
                let form = borrowing::get(s, id)?.form_no;
                return Ok((Some(id), format!("已登记借阅申请 {form}")));
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
                    "已批准借阅".to_owned()
                } else {
                    borrowing::reject(s, id, &d, &note)?;
                    "已登记不批准".to_owned()
                }
            }
            BorrowAction::CheckOut(id) => {
                let due = borrowing::check_out(s, id)?;
                let mut m = format!("已借出，应于 {due} 前归还");
                if !borrowing::calendar(s)?.knows(chrono::Datelike::year(&due)) {
                    m.push_str(&format!(
                        "（注意：工作日历中没有 {} 年的放假安排，请在“设置”中补充）",
                        chrono::Datelike::year(&due)
                    ));
                }
                m
            }
            BorrowAction::Renew { id, days, how } => {
                let due = borrowing::renew(s, id, days, &how.decider())?;
                format!("已续借，应于 {due} 前归还")
            }
            BorrowAction::Return {
                id,
                received_by,
                pages_complete,
                note,
            } => {
                borrowing::return_copy(s, id, received_by, pages_complete, &note)?;
                "已归还入柜".to_owned()
            }
            BorrowAction::Cancel { id, reason } => {
                borrowing::cancel(s, id, &reason)?;
                "已撤销".to_owned()
            }
            BorrowAction::PrintForm { id, target } => {
                printing::print(s, Printable::BorrowForm(id), &target)?.summary
            }
        };
        Ok((None, message))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Pending,
    Out,
    All,
}

/// Drafts of the selected borrowing's action forms.
struct Forms {
    paper: bool,
    login: Option<String>,
    /// The approver's passphrase as typed; zeroized when dropped or handed on.
    passphrase: Zeroizing<String>,
    paper_person: Option<PersonId>,
    reference: String,
    note: String,
    renew_days: String,
    received_by: Option<PersonId>,
    pages_complete: bool,
    return_note: String,
    save_path: String,
    /// The borrowing `save_path` was proposed for.
    save_for: Option<BorrowId>,
}

impl Default for Forms {
    fn default() -> Self {
        Self {
            paper: false,
            login: None,
            passphrase: Zeroizing::default(),
            paper_person: None,
            reference: String::new(),
            note: String::new(),
            renew_days: String::new(),
            received_by: None,
            // Most returns are complete; unticking asks for a note.
            pages_complete: true,
            return_note: String::new(),
            save_path: String::new(),
            save_for: None,
        }
    }
}

impl Forms {
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
    approvers: &[&UserRow],
    people: &[Person],
    id: &str,
) {
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
                            format!("{}（{}）", u.name, u.role.label_zh()),
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
                .and_then(|l| approvers.iter().find(|u| &u.login == l))
                .map(|u| format!("{}（{}）", u.name, u.role.label_zh()))
                .unwrap_or_default();
            combo_row(
                ui,
                lang.tr("审批人", "Approver"),
                &format!("{id}_approver_login"),
                &shown,
                |ui| {
                    for u in approvers {
                        ui.selectable_value(
                            &mut f.login,
                            Some(u.login.clone()),
                            format!("{}（{}）", u.name, u.role.label_zh()),
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

/// The screen's view state.
#[derive(Default)]
pub struct BorrowingScreen {
    tab: Tab,
    scan: String,
    scan_error: Option<String>,
    rows: Vec<Borrow>,
    selected: Option<BorrowId>,
    people: Vec<Person>,
    users: Vec<UserRow>,
    calendar: Calendar,
    today: Option<chrono::NaiveDate>,
    zone: crate::domain::OfficeZone,
    forms: Forms,
    /// The last refusal.
    pub error: Option<String>,
    /// The request dialog, when open.
    pub dialog: Option<RequestDialog>,
}

impl BorrowingScreen {
    /// Re-reads the list of the current tab, people, accounts and the calendar.
    pub fn reload(&mut self, session: &Session) {
        let which = match self.tab {
            Tab::Pending => Which::Pending,
            Tab::Out => Which::Out,
            Tab::All => Which::All,
        };
        self.rows = borrowing::list(session, which).unwrap_or_default();
        self.people = people::list(session).unwrap_or_default();
        self.users = users::list(session).unwrap_or_default();
        self.calendar = borrowing::calendar(session).unwrap_or_else(|_| Calendar::builtin());
        self.today = Some(session.today());
        self.zone = session.zone();
        if self.forms.received_by.is_none() {
            self.forms.received_by = Some(session.user().person_id);
        }
    }

    /// After an action succeeded: clear the forms (and the passphrase), show the tab where the
    /// selected borrowing now is, re-read.
    pub fn done(&mut self, session: &Session, new: Option<BorrowId>) {
        if new.is_some() {
            self.selected = new;
        }
        self.forms = Forms {
            received_by: Some(session.user().person_id),
            ..Forms::default()
        };
        self.error = None;
        if let Some(b) = self
            .selected
            .and_then(|id| borrowing::get(session, id).ok())
        {
            self.tab = match b.state {
                BorrowState::Requested | BorrowState::Approved => Tab::Pending,
                BorrowState::Out => Tab::Out,
                _ => Tab::All,
            };
        }
        self.reload(session);
    }

    /// Shows one borrowing (from the dashboard): its tab, selected, with fresh forms.
    pub fn open(&mut self, session: &Session, id: BorrowId) {
        self.done(session, Some(id));
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        ui.horizontal(|ui| {
            ui.heading(lang.tr("借阅", "Borrowing"));
            if ui.button(lang.tr("借阅申请", "New request")).clicked() {
                self.dialog = Some(RequestDialog::new(session));
            }
        });
        let mut scanned = None;
        ui.horizontal(|ui| {
            let l = ui.label(lang.tr("扫码", "Scan"));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.scan)
                        .desired_width(160.0)
                        .hint_text(lang.tr("扫描份号标签", "scan a copy label")),
                )
                .labelled_by(l.id);
            if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                scanned = Some(std::mem::take(&mut self.scan));
                r.request_focus();
            }
        });
        if let Some(text) = scanned {
            self.scanned(session, &text);
        }
        if let Some(e) = &self.scan_error {
            error_text(ui, e);
        }
        ui.horizontal(|ui| {
            for (tab, label) in [
                (Tab::Pending, lang.tr("待审批", "Awaiting approval")),
                (Tab::Out, lang.tr("借出中", "On loan")),
                (Tab::All, lang.tr("全部记录", "History")),
            ] {
                if ui.selectable_label(self.tab == tab, label).clicked() {
                    self.tab = tab;
                    self.reload(session);
                }
            }
        });
        egui::Panel::right("borrow_detail")
            .exact_size(390.0)
            .show(ui, |ui| {
                // Long values wrap inside the panel: content wider than the panel would
                // widen the table beside it.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical().show(ui, |ui| self.detail_ui(ui, lang, cmds));
            });
        self.table_ui(ui, lang);
        let ctx = ui.ctx().clone();
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, session, &self.people, cmds)
        {
            self.dialog = None;
        }
    }

    /// A keyboard-wedge scanner typed a label's id and Enter: select the copy's borrowing under
    /// way (to hand out or take back), or start a request for it.
    fn scanned(&mut self, session: &Session, text: &str) {
        let id = text
            .trim()
            .strip_prefix("copy-")
            .and_then(|n| n.parse::<i64>().ok())
            .map(CopyId);
        let Some(copy) = id else {
            self.scan_error = Some(format!(
                "无法识别“{}”：份号标签上应为 copy-编号",
                text.trim()
            ));
            return;
        };
        self.scan_error = None;
        match borrowing::active_for_copy(session, copy) {
            Ok(Some(b)) => {
                self.tab = match b.state {
                    BorrowState::Out => Tab::Out,
                    _ => Tab::Pending,
                };
                self.selected = Some(b.id);
                self.reload(session);
            }
            Ok(None) => match documents::document_of_copy(session, copy) {
                Ok(d) => {
                    let mut dialog = RequestDialog::new(session);
                    dialog.pick(session, d, Some(copy));
                    self.dialog = Some(dialog);
                }
                Err(e) => self.scan_error = Some(e.to_string()),
            },
            Err(e) => self.scan_error = Some(e.to_string()),
        }
    }

    fn overdue(&self, b: &Borrow) -> u32 {
        self.today
            .map_or(0, |t| borrowing::overdue_days(&self.calendar, b, t))
    }

    fn table_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let mut clicked = None;
        // Up/Down walk the list (not behind the request dialog).
        let mut scroll_to = None;
        if self.dialog.is_none() {
            let selected = self.selected;
            if let Some(row) =
                crate::ui::widgets::walked_row(ui, &self.rows, |b| Some(b.id) == selected)
            {
                clicked = Some(self.rows[row].id);
                scroll_to = Some(row);
            }
        }
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        let mut table = TableBuilder::new(ui);
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, None);
        }
        table
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(156.0).clip(true))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::exact(56.0).clip(true))
            .column(Column::exact(72.0).clip(true))
            .column(Column::exact(56.0).clip(true))
            .column(Column::exact(164.0).clip(true))
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("申请表编号", "Form no."),
                        lang.tr("文件", "Document"),
                        lang.tr("密级", "Level"),
                        lang.tr("借阅人", "Borrower"),
                        lang.tr("状态", "State"),
                        lang.tr("应还日期", "Due"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, self.rows.len(), |mut row| {
                    let b = &self.rows[row.index()];
                    let late = self.overdue(b);
                    row.col(|ui| {
                        if crate::ui::widgets::row_select(
                            ui,
                            self.selected == Some(b.id),
                            &b.form_no,
                        )
                        .clicked()
                        {
                            clicked = Some(b.id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(format!("{}（第{}份）", b.title, b.copy_no));
                    });
                    row.col(|ui| {
                        ui.label(b.level.label_zh());
                    });
                    row.col(|ui| {
                        ui.label(&b.borrower_name);
                    });
                    row.col(|ui| {
                        ui.label(b.state.label_zh());
                    });
                    row.col(|ui| {
                        let due = b.due_on.map(|d| d.to_string()).unwrap_or_default();
                        if late > 0 {
                            error_text(ui, &format!("{due} 逾期{late}天"));
                        } else {
                            ui.label(due);
                        }
                    });
                });
            });
        if let Some(id) = clicked {
            if self.selected != Some(id) {
                self.forms = Forms {
                    received_by: self.forms.received_by,
                    ..Forms::default()
                };
            }
            self.selected = Some(id);
            self.error = None;
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
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
                    (lang.tr("份号", "Copy"), format!("第{}份", b.copy_no)),
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
                            format!("{} 个工作日", b.requested_days)
                        },
                    ),
                    (lang.tr("阅读地点", "Place"), b.place.clone()),
                    (lang.tr("状态", "State"), b.state.label_zh().to_owned()),
                    (lang.tr("审批人", "Approver"), b.approver_name.clone()),
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
            error_text(ui, &format!("已逾期 {late} 个工作日"));
        }
        ui.separator();
        ui.label(RichText::new(lang.tr("《文件借阅申请表》", "Borrowing form")).strong());
        let f = &mut self.forms;
        if f.save_for != Some(b.id) {
            f.save_for = Some(b.id);
            let home = dirs::home_dir().unwrap_or_default();
            f.save_path = home
                .join(format!("文件借阅申请表-{}.pdf", b.form_no))
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
        let approvers: Vec<&UserRow> = self.users.iter().filter(|u| u.active).collect();
        let f = &mut self.forms;
        match b.state {
            BorrowState::Requested => {
                approval_ui(ui, lang, f, &approvers, people, "decide_form");
                Grid::new("decide_note").num_columns(2).show(ui, |ui| {
                    field_row(ui, lang.tr("意见", "Note"), &mut f.note, false);
                });
                let ready = f.approval_ready();
                ui.horizontal(|ui| {
                    for (approve, label) in [
                        (true, lang.tr("批准", "Approve")),
                        (false, lang.tr("不批准", "Reject")),
                    ] {
                        if ui.add_enabled(ready, egui::Button::new(label)).clicked()
                            && let Some(how) = f.take_approval()
                        {
                            cmds.push(MainCommand::Borrow(BorrowAction::Decide {
                                id: b.id,
                                approve,
                                how,
                                note: f.note.clone(),
                            }));
                        }
                    }
                    if ui.button(lang.tr("撤销申请", "Withdraw")).clicked() {
                        cmds.push(MainCommand::Borrow(BorrowAction::Cancel {
                            id: b.id,
                            reason: if f.note.trim().is_empty() {
                                "申请人撤回".into()
                            } else {
                                f.note.clone()
                            },
                        }));
                    }
                });
            }
            BorrowState::Approved => {
                ui.horizontal(|ui| {
                    if ui.button(lang.tr("借出", "Hand out")).clicked() {
                        cmds.push(MainCommand::Borrow(BorrowAction::CheckOut(b.id)));
                    }
                    if ui.button(lang.tr("撤销申请", "Withdraw")).clicked() {
                        cmds.push(MainCommand::Borrow(BorrowAction::Cancel {
                            id: b.id,
                            reason: "批准后未借出，撤销".into(),
                        }));
                    }
                });
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
                    ui.checkbox(&mut f.pages_complete, lang.tr("页数齐全", "complete"));
                    ui.end_row();
                    field_row(ui, lang.tr("情况说明", "Note"), &mut f.return_note, false);
                });
                if ui.button(lang.tr("归还入柜", "Return")).clicked()
                    && let Some(received_by) = f.received_by
                {
                    cmds.push(MainCommand::Borrow(BorrowAction::Return {
                        id: b.id,
                        received_by,
                        pages_complete: f.pages_complete,
                        note: f.return_note.clone(),
                    }));
                }
                ui.separator();
                ui.label(RichText::new(lang.tr("办理续借", "Renewal")).strong());
                hint_text(
                    ui,
                    lang.tr(
                        "续借须重新审批：审批人与首次借阅相同（R3.1.3）。",
                        "A renewal is approved again, by the same approver as the loan (R3.1.3).",
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
            _ => {}
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
    }
}

/// The 借阅申请 form: find the document, pick a copy in its cabinet, the borrower, the reason
/// and the period.
pub struct RequestDialog {
    query: String,
    found: Vec<Document>,
    shown_query: Option<String>,
    document: Option<Document>,
    copies: Vec<Copy>,
    copy: Option<CopyId>,
    borrower: Option<PersonId>,
    reason: String,
    days: String,
    place: String,
    /// 绝密: why the work truly needs it ("一般不予借阅", R3.1.3).
    justification: String,
    overdue_override: String,
    error: Option<String>,
    /// The policy in force, read when the dialog opens.
    policy: crate::domain::borrow_policy::BorrowPolicy,
}

impl RequestDialog {
    fn new(session: &Session) -> Self {
        Self {
            policy: borrowing::policy(session).unwrap_or_default(),
            query: String::new(),
            found: Vec::new(),
            shown_query: None,
            document: None,
            copies: Vec::new(),
            copy: None,
            borrower: None,
            reason: String::new(),
            days: String::new(),
            place: String::new(),
            justification: String::new(),
            overdue_override: String::new(),
            error: None,
        }
    }

    /// The request was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    /// Chooses the document (and a copy of it in its cabinet, the first by default).
    fn pick(&mut self, session: &Session, d: Document, copy: Option<CopyId>) {
        self.copies = documents::copies(session, d.id)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.state == CopyState::InCabinet)
            .collect();
        self.copy = copy
            .filter(|c| self.copies.iter().any(|k| k.id == *c))
            .or_else(|| self.copies.first().map(|c| c.id));
        self.days = self.policy.for_level(d.level).max_working_days.to_string();
        self.found = vec![d.clone()];
        self.query = d.title.clone();
        self.shown_query = Some(self.query.clone());
        self.document = Some(d);
    }

    fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        session: &Session,
        people: &[Person],
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        let popup_open = egui::Popup::is_any_open(ctx);
        if self.shown_query.as_deref() != Some(self.query.as_str()) {
            self.found = if self.query.trim().is_empty() {
                Vec::new()
            } else {
                let q = Query {
                    text: self.query.clone(),
                    ..Query::default()
                };
                search::search(session, &q, 0, 8)
                    .map(|p| p.rows)
                    .unwrap_or_default()
            };
            self.shown_query = Some(self.query.clone());
        }
        let policy = self.policy.clone();
        egui::Modal::new(egui::Id::unique("borrow_request")).show(ctx, |ui| {
            ui.set_width(600.0);
            ui.heading(lang.tr("借阅申请", "Borrow request"));
            Grid::new("borrow_find").num_columns(2).show(ui, |ui| {
                field_row(
                    ui,
                    lang.tr("查找文件", "Find document"),
                    &mut self.query,
                    false,
                );
            });
            let mut picked = None;
            for d in &self.found {
                let text = format!(
                    "{} {} {}",
                    d.receipt_no.as_deref().unwrap_or(&d.doc_no),
                    d.title,
                    d.marking
                );
                if ui
                    .selectable_label(self.document.as_ref().is_some_and(|x| x.id == d.id), text)
                    .clicked()
                {
                    picked = Some(d.clone());
                }
            }
            if let Some(d) = picked {
                self.pick(session, d, None);
            }
            ui.separator();
            let on_site = self
                .document
                .as_ref()
                .is_some_and(|d| policy.for_level(d.level).on_site_only);
            let top_secret = self
                .document
                .as_ref()
                .is_some_and(|d| d.level == crate::domain::level::Level::Juemi);
            Grid::new("borrow_form").num_columns(2).show(ui, |ui| {
                let copy_label = self
                    .copy
                    .and_then(|c| self.copies.iter().find(|k| k.id == c))
                    .map(|c| format!("第{}份", c.copy_no))
                    .unwrap_or_default();
                combo_row(
                    ui,
                    lang.tr("份号", "Copy"),
                    "borrow_copy",
                    &copy_label,
                    |ui| {
                        for c in &self.copies {
                            ui.selectable_value(
                                &mut self.copy,
                                Some(c.id),
                                format!("第{}份", c.copy_no),
                            );
                        }
                    },
                );
                person_row(
                    ui,
                    lang.tr("借阅人", "Borrower"),
                    "borrower",
                    people,
                    &mut self.borrower,
                    PersonText::NameAndDepartment,
                );
                field_row(ui, lang.tr("借阅事由", "Reason"), &mut self.reason, false);
                if top_secret {
                    field_row(
                        ui,
                        lang.tr("确需借阅理由", "Why it is needed"),
                        &mut self.justification,
                        false,
                    );
                }
                if on_site {
                    field_row(
                        ui,
                        lang.tr("阅读地点", "Place of reading"),
                        &mut self.place,
                        false,
                    );
                } else {
                    field_row(
                        ui,
                        lang.tr("借阅天数", "Working days"),
                        &mut self.days,
                        false,
                    );
                }
                field_row(
                    ui,
                    lang.tr("逾期仍借理由", "Reason despite overdue"),
                    &mut self.overdue_override,
                    false,
                );
            });
            if top_secret {
                ui.label(
                    RichText::new(lang.tr(
                        "绝密文件一般不予借阅；确因工作需要的，写明理由，由党办负责人批准，在指定地点阅读，不得带出（R3.1.3）。本系统按当日归还登记。",
                        "Top secret is normally not lent; where work truly needs it: a written reason, the head's approval, read at the named place, never taken out (R3.1.3). Recorded as returned the same day.",
                    ))
                    .weak(),
                );
            }
            let request = (|| -> Result<BorrowRequest, String> {
                let copy = self.copy.ok_or("请先查找并选择文件和份号（须在柜中）")?;
                let borrower = self.borrower.ok_or("请选择借阅人")?;
                if self.reason.trim().is_empty() {
                    return Err("请填写借阅事由".into());
                }
                if top_secret && self.justification.trim().is_empty() {
                    return Err("绝密文件须写明确需借阅的理由".into());
                }
                let days = if on_site {
                    0
                } else {
                    self.days
                        .trim()
                        .parse()
                        .map_err(|_| "借阅天数请填写数字".to_owned())?
                };
                Ok(BorrowRequest {
                    copy,
                    borrower,
                    reason: self.reason.clone(),
                    days,
                    place: self.place.clone(),
                    justification: if top_secret {
                        self.justification.clone()
                    } else {
                        String::new()
                    },
                    overdue_override: Some(self.overdue_override.clone())
                        .filter(|t| !t.trim().is_empty()),
                })
            })();
            if let Err(p) = &request {
                ui.label(RichText::new(p).weak());
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let submit = ui.add_enabled(
                    request.is_ok(),
                    egui::Button::new(lang.tr("提交申请", "Submit")),
                );
                if submit.clicked()
                    && let Ok(r) = request
                {
                    cmds.push(MainCommand::Borrow(BorrowAction::Request(Box::new(r))));
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked()
                    || (ui.input(|i| i.key_pressed(egui::Key::Escape)) && !popup_open)
                {
                    keep = false;
                }
            });
        });
        keep
    }
}
