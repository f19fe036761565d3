//! 借阅 (R3.1.3): requests waiting for approval, copies on loan (due dates, overdue in red) and
//! the history. This file holds the screen's state, its layout and the scan field; beside it:
//!
//! - `actions.rs`: what the screen asks the ledger to do ([`BorrowAction`]);
//! - `table.rs`: the list of the current tab;
//! - `detail.rs`: the selected borrowing, printing its form, and its next step (approval, by
//!   the approver signing in here or from a paper form; check-out; return; renewal, approved
//!   again by the same rule);
//! - `request_dialog.rs`: the 借阅申请 form.

mod actions;
mod detail;
mod request_dialog;
mod table;

pub use actions::{BorrowAction, DecideHow};
use detail::Forms;
pub use request_dialog::RequestDialog;

use egui::Ui;

use crate::domain::calendar::Calendar;
use crate::ledger::Session;
use crate::ledger::borrowing::{self, Borrow, BorrowId, BorrowState, Which};
use crate::ledger::documents::{self, CopyId};
use crate::ledger::people::{self, Person};
use crate::ledger::users::{self, UserRow};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::error_text;

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Pending,
    Out,
    All,
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
    cabinets: Vec<crate::ledger::cabinets::Cabinet>,
    calendar: Calendar,
    today: Option<chrono::NaiveDate>,
    zone: crate::domain::OfficeZone,
    forms: Forms,
    /// Who may decide the selected borrowing (read when the selection changes).
    approvers: Option<(BorrowId, borrowing::Approvers)>,
    /// The last refusal.
    pub error: Option<String>,
    /// The request dialog, when open.
    pub dialog: Option<RequestDialog>,
    /// The signed-in user records borrowing (the custodian); others only read.
    may_write: bool,
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
        self.cabinets = crate::ledger::cabinets::list(session).unwrap_or_default();
        self.calendar = borrowing::calendar(session).unwrap_or_else(|_| Calendar::builtin());
        self.today = Some(session.today());
        self.zone = session.zone();
        if self.forms.received_by.is_none() {
            self.forms.received_by = Some(session.user().person_id);
        }
        self.approvers = None;
    }

    /// Reads who may decide the selected borrowing when the selection changed.
    fn refresh_approvers(&mut self, session: &Session) {
        let Some(id) = self.selected else {
            self.approvers = None;
            return;
        };
        if self.approvers.as_ref().is_some_and(|(a, _)| *a == id) {
            return;
        }
        self.approvers = borrowing::approvers_for(session, id).ok().map(|a| (id, a));
    }

    /// After an action succeeded: clear the forms (and the passphrase), show the tab where the
    /// selected borrowing now is, re-read.
    pub fn done(&mut self, session: &Session, new: Option<BorrowId>) {
        if new.is_some() {
            self.selected = new;
        }
        self.forms = Forms::for_receiver(Some(session.user().person_id));
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
        self.may_write = session.may(crate::domain::Permission::Borrowing);
        ui.horizontal(|ui| {
            ui.heading(lang.tr("借阅", "Borrowing"));
            if self.may_write && ui.button(lang.tr("借阅申请", "New request")).clicked() {
                self.dialog = Some(RequestDialog::new(session));
            }
            if session.may(crate::domain::Permission::PrintForms)
                && ui
                    .button(lang.tr("导出 · 打印", "Export · print"))
                    .clicked()
            {
                cmds.push(MainCommand::OpenExport(
                    crate::ledger::reports::Register::Loans(match self.tab {
                        Tab::Pending => Which::Pending,
                        Tab::Out => Which::Out,
                        Tab::All => Which::All,
                    }),
                ));
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
            self.scanned(session, lang, &text);
        }
        if let Some(e) = &self.scan_error {
            error_text(ui, e);
        }
        ui.horizontal(|ui| {
            for (tab, label) in [
                (
                    Tab::Pending,
                    lang.tr("待审批 · 待借出", "Awaiting approval or hand-out"),
                ),
                (Tab::Out, lang.tr("借出中", "On loan")),
                (Tab::All, lang.tr("全部记录", "History")),
            ] {
                if ui.selectable_label(self.tab == tab, label).clicked() {
                    self.tab = tab;
                    self.reload(session);
                }
            }
        });
        // The panel takes a third of the room (280 to 390 points), the table the rest.
        let panel = (ui.available_width() * 0.36).clamp(280.0, 390.0);
        self.refresh_approvers(session);
        egui::Panel::right("borrow_detail")
            .exact_size(panel)
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
    fn scanned(&mut self, session: &Session, lang: Lang, text: &str) {
        let id = text
            .trim()
            .strip_prefix("copy-")
            .and_then(|n| n.parse::<i64>().ok())
            .map(CopyId);
        let Some(copy) = id else {
            self.scan_error = Some(match lang {
                Lang::Zh => format!("无法识别“{}”：份号标签上应为 copy-编号", text.trim()),
                Lang::En => format!(
                    "“{}” does not read: a copy label says copy-NUMBER",
                    text.trim()
                ),
            });
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
                Err(e) => self.scan_error = Some(crate::ui::app::error_message(lang, &e)),
            },
            Err(e) => self.scan_error = Some(crate::ui::app::error_message(lang, &e)),
        }
    }

    fn overdue(&self, b: &Borrow) -> u32 {
        self.today
            .map_or(0, |t| borrowing::overdue_days(&self.calendar, b, t))
    }
}
