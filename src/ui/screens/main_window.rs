//! The unlocked main window: top bar (unit, user, role, lock), navigation on the left, the
//! chosen section in the centre. Owns the session; its sections send [`MainCommand`]s that run
//! once per frame, before drawing.

use egui::{RichText, Ui};

use super::audit_log::AuditLogScreen;
use super::borrowing::{BorrowAction, BorrowingScreen};
use super::cabinets::CabinetsScreen;
use super::dashboard::Dashboard;
use super::documents::DocumentsScreen;
use super::outgoing::{OutgoingAction, OutgoingScreen};
use super::passphrase_dialog::PassphraseDialog;
use super::people::PeopleScreen;
use super::settings::SettingsScreen;
use crate::domain::Clock;
use crate::ledger::Passphrase;
use crate::ledger::{Session, settings};
use crate::ui::app::{Command, error_message};
use crate::ui::i18n::Lang;

/// The sections of the navigation. A section appears here when it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// 工作台.
    Dashboard,
    /// 文件台账.
    Documents,
    /// 发文.
    Outgoing,
    /// 借阅.
    Borrowing,
    /// 销毁: destruction lists and holds.
    Destruction,
    /// 清查: stock-taking and incidents.
    Stocktake,
    /// 解密审查.
    Review,
    /// 专柜.
    Cabinets,
    /// 人员.
    People,
    /// 审计日志.
    AuditLog,
    /// 备份与恢复.
    Backup,
    /// 设置.
    Settings,
}

impl Section {
    /// Whether the signed-in user's role sees this section (the permission matrix: the GUI
    /// hides what the ledger would refuse).
    pub fn open_to(self, session: &Session) -> bool {
        use crate::domain::Permission as P;
        let needed = match self {
            Section::Dashboard | Section::Settings => return true,
            Section::Documents
            | Section::Outgoing
            | Section::Borrowing
            | Section::Destruction
            | Section::Stocktake
            | Section::Review
            | Section::Cabinets => P::ReadLedger,
            Section::People => P::ReadPeople,
            Section::AuditLog => P::ReadAuditTrail,
            Section::Backup => P::Backup,
        };
        session.may(needed)
    }

    const ALL: [Section; 12] = [
        Section::Dashboard,
        Section::Documents,
        Section::Outgoing,
        Section::Borrowing,
        Section::Destruction,
        Section::Stocktake,
        Section::Review,
        Section::Cabinets,
        Section::People,
        Section::AuditLog,
        Section::Backup,
        Section::Settings,
    ];

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Section::Dashboard => lang.tr("工作台", "Dashboard"),
            Section::Documents => lang.tr("文件台账", "Documents"),
            Section::Outgoing => lang.tr("发文", "Outgoing"),
            Section::Borrowing => lang.tr("借阅", "Borrowing"),
            Section::Destruction => lang.tr("销毁", "Destruction"),
            Section::Stocktake => lang.tr("清查", "Stock-taking"),
            Section::Review => lang.tr("解密审查", "Declassification"),
            Section::Cabinets => lang.tr("专柜", "Cabinets"),
            Section::People => lang.tr("人员", "People"),
            Section::AuditLog => lang.tr("审计日志", "Audit log"),
            Section::Backup => lang.tr("备份与恢复", "Backup"),
            Section::Settings => lang.tr("设置", "Settings"),
        }
    }
}

/// The reminders counted in days that 设置 sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaysSetting {
    /// A cabinet's last stock-taking is too old after this (R4.3: a quarter).
    Stocktake,
    /// The declassification review lists a document this long before its period ends.
    Review,
    /// A passphrase must be changed at sign-in after this (R3.3.1; 0: never).
    PassphraseMaxAge,
}

/// Writes and navigation asked for by the sections.
pub enum MainCommand {
    /// Go to a section.
    Navigate(Section),
    /// Go to 借阅 with this borrowing selected.
    OpenBorrow(crate::ledger::borrowing::BorrowId),
    /// Seal the audit chain's head with the signed-in auditor's passphrase.
    SealReady(Box<crate::ledger::audit_log::SealKeyReady>),
    /// Open the passphrase dialog.
    OpenPassphraseDialog,
    /// Change the signed-in user's passphrase.
    ChangePassphrase {
        /// The current passphrase.
        current: Passphrase,
        /// The new one.
        new: Passphrase,
    },
    /// Set the auto-lock delay.
    SetAutoLock(u32),
    /// Give the administrator's duties to the custodian too, or take them back.
    SetCustodianAdministers(bool),
    /// Set a reminder counted in days.
    SetDays(DaysSetting, u32),
    /// Start a backup into this folder (a worker writes and verifies it).
    StartBackup(std::path::PathBuf),
    /// Days without a backup before the reminder turns into a warning.
    SetBackupReminder(u32),
    /// Set the office's time zone.
    SetOfficeZone(crate::domain::OfficeZone),
    /// Set the 文号 pattern of the outgoing flow.
    SetOutgoingPattern(String),
    /// Set the borrowing policy.
    SetBorrowPolicy(Box<crate::domain::borrow_policy::BorrowPolicy>),
    /// Add or replace a year of the working-day calendar.
    SetCalendarYear(String),
    /// Add (`id` None) or edit a person.
    SavePerson {
        /// Which person, or a new one.
        id: Option<crate::ledger::people::PersonId>,
        /// The form's values.
        input: crate::ledger::people::NewPerson,
    },
    /// 收文登记.
    RegisterIncoming(Box<crate::ledger::documents::IncomingInput>),
    /// 修改登记.
    EditDocument {
        /// Which document.
        id: crate::ledger::documents::DocumentId,
        /// The corrected fields.
        edit: Box<crate::ledger::documents::DocumentEdit>,
        /// Why.
        reason: String,
    },
    /// 作废.
    VoidDocument {
        /// Which document.
        id: crate::ledger::documents::DocumentId,
        /// Why.
        reason: String,
    },
    /// A step of the outgoing flow.
    Outgoing(OutgoingAction),
    /// A step of a borrowing.
    Borrow(BorrowAction),
    /// Destruction, holds, stock-taking, incidents, the declassification review.
    Carriers(super::carriers::CarrierAction),
    /// Open the incident form filled in (from a return, a loan lost, a copy's custody).
    NewIncident(Box<super::carriers::stocktake::IncidentStart>),
    /// Open the declassification review's form for a document (an ad-hoc change of level).
    OpenReview(crate::ledger::documents::DocumentId),
    /// A custody change of a copy (R3.1.1).
    MoveCopy {
        /// Which copy.
        copy: crate::ledger::documents::CopyId,
        /// Where it goes.
        mv: Box<crate::ledger::custody::CopyMove>,
    },
    /// Print a form or list (the ledger's printing use case, audited once accepted).
    Print {
        /// What.
        what: crate::ledger::printing::Printable,
        /// Where to.
        target: crate::ledger::printing::PrintTarget,
    },
    /// 设置 → 用户.
    OpenAccounts,
    /// Open the export dialog for a list as it is shown.
    OpenExport(crate::ledger::reports::Register),
    /// Export (`format` Some) or print (None) a register.
    Export {
        /// Which list, with its filters.
        register: crate::ledger::reports::Register,
        /// The file format, or None for the printer.
        format: Option<crate::ledger::export::Format>,
        /// The file (ignored for the printer).
        path: std::path::PathBuf,
    },
    /// 开通账户 for a person of the register (one-time passphrase).
    OpenAccount(crate::ledger::users::NewAccount),
    /// 停用 an account.
    DeactivateAccount(String),
    /// Change an account's role.
    ChangeRole(String, crate::domain::Role),
    /// 重新加密台账: a new master key; how each active account is wrapped again.
    Rekey(Vec<(String, crate::ledger::users::RekeyHow)>),
    /// The new recovery key and one-time passphrases of the rekey were written down.
    RekeyNoted,
    /// Register (`id` None) or edit a cabinet.
    SaveCabinet {
        /// Which cabinet, or a new one.
        id: Option<crate::ledger::cabinets::CabinetId>,
        /// The form's values.
        input: crate::ledger::cabinets::CabinetInput,
    },
}

/// The main window and its sections' view state.
pub struct MainWindow {
    session: Session,
    section: Section,
    unit_name: String,
    auto_lock_minutes: u32,
    dashboard: Dashboard,
    audit_log: AuditLogScreen,
    documents: DocumentsScreen,
    outgoing: OutgoingScreen,
    borrowing: BorrowingScreen,
    destruction: super::carriers::destruction::DestructionScreen,
    stocktake: super::carriers::stocktake::StocktakeScreen,
    review: super::carriers::review::ReviewScreen,
    cabinets: CabinetsScreen,
    people: PeopleScreen,
    settings: SettingsScreen,
    backup: super::backup::BackupScreen,
    /// The last verified backup, for the top bar and the dashboard.
    backup_status: Option<crate::ledger::backups::BackupStatus>,
    passphrase_dialog: Option<PassphraseDialog>,
    export_dialog: Option<super::export_dialog::ExportDialog>,
    commands: Vec<MainCommand>,
    /// Commands of the previous frame, run at the start of the next one so that the busy state
    /// of the screen that sent them is painted first (a passphrase change takes a second).
    ready: Vec<MainCommand>,
    /// A message after a write (success or refusal).
    toast: Option<(bool, String)>,
    /// The working-day calendar the date fields mark (re-read when a year is saved).
    calendar: std::sync::Arc<crate::domain::calendar::Calendar>,
}

fn office_calendar(session: &Session) -> std::sync::Arc<crate::domain::calendar::Calendar> {
    std::sync::Arc::new(
        crate::ledger::borrowing::calendar(session)
            .unwrap_or_else(|_| crate::domain::calendar::Calendar::builtin()),
    )
}

impl MainWindow {
    /// The window on a fresh session.
    pub fn new(
        session: Session,
        prefs: &crate::ui::prefs::Prefs,
        media: std::sync::Arc<dyn crate::backup::media::Media>,
    ) -> Self {
        let unit_name = settings::unit_name(&session).unwrap_or_default();
        let auto_lock_minutes =
            settings::auto_lock_minutes(&session).unwrap_or(settings::DEFAULT_AUTO_LOCK_MINUTES);
        let dashboard = Dashboard::load(&session);
        let required_change = if session.user().must_change_passphrase {
            Some(PassphraseDialog::first_sign_in())
        } else {
            session
                .user()
                .passphrase_expired
                .map(PassphraseDialog::expired)
        };
        let calendar = office_calendar(&session);
        Self {
            settings: SettingsScreen::new(&session, auto_lock_minutes),
            backup: super::backup::BackupScreen::new(media),
            backup_status: crate::ledger::backups::may_back_up(&session)
                .then(|| crate::ledger::backups::status(&session).ok())
                .flatten(),
            session,
            section: Section::Dashboard,
            unit_name,
            auto_lock_minutes,
            dashboard,
            audit_log: AuditLogScreen::default(),
            documents: DocumentsScreen::with_prefs(prefs),
            outgoing: OutgoingScreen::default(),
            borrowing: BorrowingScreen::default(),
            destruction: Default::default(),
            stocktake: Default::default(),
            review: Default::default(),
            cabinets: CabinetsScreen::default(),
            people: PeopleScreen::default(),
            passphrase_dialog: required_change,
            export_dialog: None,
            commands: Vec::new(),
            ready: Vec::new(),
            toast: None,
            calendar,
        }
    }

    /// Writes the window's preferences (the register's columns) into `prefs`.
    pub fn keep_prefs(&self, prefs: &mut crate::ui::prefs::Prefs) {
        self.documents.keep_prefs(prefs);
    }

    /// Minutes of inactivity before the app locks.
    pub fn auto_lock_minutes(&self) -> u32 {
        self.auto_lock_minutes
    }

    /// Gives the session back (to lock it).
    pub fn into_session(self) -> Session {
        self.session
    }

    /// Whether long work runs (a backup being written): the app does not lock itself then.
    pub fn busy(&self) -> bool {
        self.backup.busy()
    }

    /// Draws the window.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, _clock: &dyn Clock, cmds: &mut Vec<Command>) {
        self.run_commands(lang);
        if let Some(toast) = self.backup.poll(&mut self.session, lang) {
            self.toast = Some(toast);
            self.backup_status = crate::ledger::backups::status(&self.session).ok();
            if self.section == Section::Dashboard {
                self.dashboard = Dashboard::load(&self.session);
            }
        }
        if let Some(status) = self.dashboard.poll_chain() {
            crate::ledger::audit_log::chain_checked(&mut self.session, &status);
        }
        if let Some(ready) = self.settings.accounts.poll_rekey() {
            match ready.and_then(|r| crate::ledger::users::finish_rekey(&mut self.session, r)) {
                Ok(done) => {
                    self.settings.accounts.rekeyed(&self.session, done);
                    self.toast = Some((true, lang.tr("已重新加密台账", "Ledger rekeyed").into()));
                }
                Err(e) => self.settings.accounts.rekey_failed(error_message(lang, &e)),
            }
        }
        self.ready = std::mem::take(&mut self.commands);
        // Ctrl+N registers an incoming document from any section.
        let busy = self.passphrase_dialog.is_some()
            || self.export_dialog.is_some()
            || self.documents.dialog_open()
            || self.outgoing.dialog.is_some()
            || self.borrowing.dialog.is_some()
            || self.people.dialog.is_some()
            || self.cabinets.dialog.is_some()
            || self.destruction.dialog_open()
            || self.stocktake.dialog_open();
        if !busy
            && self
                .session
                .may(crate::domain::Permission::RegisterDocuments)
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::N))
        {
            if self.section != Section::Documents {
                self.section = Section::Documents;
                self.toast = None;
                self.documents.reload(&self.session);
            }
            self.documents.open_register(&self.session);
        }
        let ctx = ui.ctx().clone();
        crate::ui::widgets::date::publish(
            &ctx,
            crate::ui::widgets::date::OfficeDays {
                today: self.session.today(),
                calendar: self.calendar.clone(),
            },
        );
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&self.unit_name).strong().size(17.0));
                ui.separator();
                ui.label(lang.tr("保密台账", "Confidentiality ledger"));
                if self.session.is_read_only_for_full_disk() {
                    ui.separator();
                    ui.label(
                        RichText::new(lang.tr(
                            "磁盘已满：只能查看，不能登记。请腾出磁盘空间后重新解锁",
                            "Disk full: reading only. Free some space, then unlock again",
                        ))
                        .color(crate::ui::widgets::DANGER)
                        .strong(),
                    );
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .add_enabled(
                            !self.backup.busy(),
                            egui::Button::new(lang.tr("锁定", "Lock")),
                        )
                        .on_disabled_hover_text(lang.tr(
                            "正在备份，完成或取消后才能锁定",
                            "A backup is running: lock after it ends",
                        ))
                        .clicked()
                    {
                        cmds.push(Command::Lock { reason: "manual" });
                    }
                    let user = self.session.user();
                    ui.label(match lang {
                        Lang::Zh => format!("{}（{}）", user.name, lang.role(user.role)),
                        Lang::En => format!("{} ({})", user.name, lang.role(user.role)),
                    });
                    ui.separator();
                    if backup_status_ui(ui, lang, self.backup_status.as_ref()) {
                        self.commands.push(MainCommand::Navigate(Section::Backup));
                    }
                    ui.separator();
                    // The result of the last action, in the bar that is always in view: it
                    // never moves the page under the pointer, and stays until the next one.
                    if let Some((ok, msg)) = &self.toast {
                        let color = if *ok {
                            egui::Color32::from_rgb(0x1a, 0x7f, 0x37)
                        } else {
                            egui::Color32::from_rgb(0xc0, 0x1c, 0x28)
                        };
                        let (shown, clauses) = crate::ui::widgets::split_clauses(msg);
                        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                            let r = ui
                                .add(
                                    egui::Label::new(RichText::new(&shown).color(color).strong())
                                        .truncate(),
                                )
                                .on_hover_text(&shown);
                            if !clauses.is_empty() {
                                r.on_hover_text(clauses.join(", "));
                            }
                        });
                    }
                });
            });
        });
        egui::Panel::left("nav")
            .resizable(false)
            .exact_size(150.0)
            .show(ui, |ui| {
                ui.add_space(8.0);
                for s in Section::ALL {
                    if !s.open_to(&self.session) {
                        continue;
                    }
                    if ui
                        .add_sized(
                            [130.0, 30.0],
                            egui::Button::selectable(self.section == s, s.label(lang)),
                        )
                        .clicked()
                    {
                        self.commands.push(MainCommand::Navigate(s));
                    }
                }
            });
        egui::CentralPanel::default_margins().show(ui, |ui| match self.section {
            Section::Dashboard => {
                self.dashboard
                    .ui(ui, lang, &self.session, &self.unit_name, &mut self.commands)
            }
            Section::Backup => self
                .backup
                .ui(ui, lang, &self.session, cmds, &mut self.commands),
            Section::AuditLog => self
                .audit_log
                .ui(ui, lang, &self.session, &mut self.commands),
            Section::Documents => self
                .documents
                .ui(ui, lang, &self.session, &mut self.commands),
            Section::Outgoing => self
                .outgoing
                .ui(ui, lang, &self.session, &mut self.commands),
            Section::Borrowing => self
                .borrowing
                .ui(ui, lang, &self.session, &mut self.commands),
            Section::Destruction => {
                self.destruction
                    .ui(ui, lang, &self.session, &mut self.commands)
            }
            Section::Stocktake => self
                .stocktake
                .ui(ui, lang, &self.session, &mut self.commands),
            Section::Review => self.review.ui(ui, lang, &self.session, &mut self.commands),
            Section::Cabinets => self.cabinets.ui(ui, lang, &mut self.commands),
            Section::People => self.people.ui(ui, lang, &mut self.commands),
            Section::Settings => {
                let me = self.session.user().login.clone();
                self.settings.ui(ui, lang, &me, cmds, &mut self.commands);
            }
        });
        if let Some(dialog) = &mut self.export_dialog
            && !dialog.ui(&ctx, lang, &self.session, &mut self.commands)
        {
            self.export_dialog = None;
        }
        if let Some(dialog) = &mut self.passphrase_dialog {
            let keep = dialog.ui(&ctx, lang, &mut self.commands);
            if dialog.lock_requested {
                cmds.push(Command::Lock { reason: "manual" });
            }
            if !keep {
                self.passphrase_dialog = None;
            }
        }
        if !self.commands.is_empty() || !self.ready.is_empty() {
            ctx.request_repaint();
        }
    }

    fn run_commands(&mut self, lang: Lang) {
        for cmd in std::mem::take(&mut self.ready) {
            match cmd {
                MainCommand::OpenBorrow(id) => {
                    self.section = Section::Borrowing;
                    self.toast = None;
                    self.borrowing.open(&self.session, id);
                }
                MainCommand::Navigate(s) => {
                    if !s.open_to(&self.session) {
                        continue;
                    }
                    self.section = s;
                    self.toast = None;
                    match s {
                        Section::Dashboard => self.dashboard = Dashboard::load(&self.session),
                        Section::AuditLog => self.audit_log.reload(&self.session),
                        Section::Documents => self.documents.reload(&self.session),
                        Section::Outgoing => self.outgoing.reload(&self.session),
                        Section::Borrowing => self.borrowing.reload(&self.session),
                        Section::Destruction => self.destruction.reload(&self.session),
                        Section::Stocktake => self.stocktake.reload(&self.session),
                        Section::Review => self.review.reload(&self.session),
                        Section::Cabinets => self.cabinets.reload(&self.session),
                        Section::People => self.people.reload(&self.session),
                        Section::Backup => self.backup.reload(&self.session),
                        Section::Settings => self.settings.reload(&self.session),
                    }
                }
                MainCommand::OpenPassphraseDialog => {
                    self.passphrase_dialog = Some(PassphraseDialog::default());
                }
                MainCommand::ChangePassphrase { current, new } => {
                    match self.session.change_own_passphrase(&current, &new) {
                        Ok(()) => {
                            self.passphrase_dialog = None;
                            self.toast =
                                Some((true, lang.tr("口令已修改", "Passphrase changed").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.passphrase_dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::SavePerson { id, input } => {
                    let result = match id {
                        Some(id) => crate::ledger::people::update(&mut self.session, id, &input),
                        None => crate::ledger::people::add(&mut self.session, &input).map(|_| ()),
                    };
                    match result {
                        Ok(()) => {
                            self.people.dialog = None;
                            self.people.reload(&self.session);
                            self.toast = Some((true, lang.tr("已保存", "Saved").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.people.dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::RegisterIncoming(input) => {
                    match crate::ledger::documents::register_incoming(&mut self.session, &input) {
                        Ok(id) => {
                            self.documents.dialog = None;
                            self.documents.reload(&self.session);
                            self.documents.select(&self.session, id);
                            self.toast = Some((true, lang.tr("已登记", "Registered").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.documents.dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::EditDocument { id, edit, reason } => {
                    match crate::ledger::documents::edit(&mut self.session, id, &edit, &reason) {
                        Ok(()) => {
                            self.documents.dialog = None;
                            self.documents.reload(&self.session);
                            self.toast = Some((true, lang.tr("已保存修改", "Saved").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.documents.dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::VoidDocument { id, reason } => {
                    match crate::ledger::documents::void(&mut self.session, id, &reason) {
                        Ok(()) => {
                            self.documents.void_dialog = None;
                            self.documents.reload(&self.session);
                            self.toast = Some((true, lang.tr("已作废", "Voided").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.documents.void_dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::Outgoing(action) => {
                    let drafting = matches!(action, OutgoingAction::Draft(_));
                    match action.run(&mut self.session, lang) {
                        Ok((id, message)) => {
                            self.outgoing.dialog = None;
                            match id {
                                Some(id) if drafting => self.outgoing.select(&self.session, id),
                                _ => self.outgoing.step_done(&self.session),
                            }
                            self.toast = Some((true, message));
                        }
                        Err(e) => {
                            let message = error_message(lang, &e);
                            match &mut self.outgoing.dialog {
                                Some(d) => d.failed(message),
                                None => self.outgoing.error = Some(message),
                            }
                        }
                    }
                }
                MainCommand::MoveCopy { copy, mv } => {
                    match crate::ledger::custody::move_copy(&mut self.session, copy, &mv) {
                        Ok(()) => {
                            self.documents.custody_done(&self.session);
                            self.toast = Some((true, lang.tr("已登记去向", "Recorded").into()));
                        }
                        Err(e) => self.toast = Some((false, error_message(lang, &e))),
                    }
                }
                MainCommand::Print { what, target } => {
                    self.toast = Some(
                        match crate::ledger::printing::print(&mut self.session, what, &target) {
                            Ok(p) => (true, lang.message(&p.summary).to_owned()),
                            Err(e) => (false, error_message(lang, &e)),
                        },
                    );
                }
                MainCommand::Borrow(action) => {
                    let requesting = matches!(action, BorrowAction::Request(_));
                    match action.run(&mut self.session, lang) {
                        Ok((new, message)) => {
                            self.borrowing.dialog = None;
                            self.borrowing.done(&self.session, new);
                            self.toast = Some((true, message));
                        }
                        Err(e) => {
                            let message = error_message(lang, &e);
                            match (&mut self.borrowing.dialog, requesting) {
                                (Some(d), true) => d.failed(message),
                                _ => self.borrowing.error = Some(message),
                            }
                        }
                    }
                }
                MainCommand::Carriers(action) => self.run_carrier(action, lang),
                MainCommand::NewIncident(start) => {
                    self.section = Section::Stocktake;
                    self.toast = None;
                    self.stocktake.start_incident(&self.session, *start);
                }
                MainCommand::OpenReview(id) => {
                    self.section = Section::Review;
                    self.toast = None;
                    self.review.open_document(&self.session, id);
                }
                MainCommand::SaveCabinet { id, input } => {
                    let result = match id {
                        Some(id) => crate::ledger::cabinets::update(&mut self.session, id, &input),
                        None => {
                            crate::ledger::cabinets::create(&mut self.session, &input).map(|_| ())
                        }
                    };
                    match result {
                        Ok(()) => {
                            self.cabinets.dialog = None;
                            self.cabinets.reload(&self.session);
                            self.toast = Some((true, lang.tr("已保存", "Saved").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.cabinets.dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::SetBorrowPolicy(p) => {
                    self.toast = Some(
                        match crate::ledger::borrowing::set_policy(&mut self.session, &p) {
                            Ok(()) => (true, lang.tr("借阅规定已保存", "Policy saved").into()),
                            Err(e) => (false, error_message(lang, &e)),
                        },
                    );
                    self.settings.reload(&self.session);
                }
                MainCommand::SetCalendarYear(text) => {
                    self.toast = Some(
                        match crate::ledger::borrowing::set_calendar_year(&mut self.session, &text)
                        {
                            Ok(y) => (
                                true,
                                match lang {
                                    Lang::Zh => format!("{y} 年工作日历已保存"),
                                    Lang::En => format!("Calendar of {y} saved"),
                                },
                            ),
                            Err(e) => (false, error_message(lang, &e)),
                        },
                    );
                    self.calendar = office_calendar(&self.session);
                    self.settings.reload(&self.session);
                }
                MainCommand::SetOutgoingPattern(p) => {
                    self.toast = Some(
                        match crate::ledger::outgoing::set_pattern(&mut self.session, &p) {
                            Ok(()) => (true, lang.tr("已保存", "Saved").into()),
                            Err(e) => (false, error_message(lang, &e)),
                        },
                    );
                }
                MainCommand::SealReady(ready) => {
                    match crate::ledger::audit_log::seal_with(&mut self.session, *ready) {
                        Ok(seal) => {
                            self.audit_log.reload(&self.session);
                            self.audit_log.sealed(&seal);
                            self.toast = Some((
                                true,
                                match lang {
                                    Lang::Zh => format!(
                                        "已封存至第 {} 条事件，凭证码 {}",
                                        seal.seq, seal.code
                                    ),
                                    Lang::En => {
                                        format!(
                                            "Sealed up to event {}, code {}",
                                            seal.seq, seal.code
                                        )
                                    }
                                },
                            ));
                        }
                        Err(e) => self.toast = Some((false, error_message(lang, &e))),
                    }
                }
                MainCommand::SetOfficeZone(z) => {
                    self.toast = Some(match settings::set_office_zone(&mut self.session, z) {
                        Ok(()) => (
                            true,
                            match lang {
                                Lang::Zh => format!("办公时区已改为 {}", z.label_zh()),
                                Lang::En => format!("Office time zone set to {}", z.label_en()),
                            },
                        ),
                        Err(e) => (false, error_message(lang, &e)),
                    });
                    self.settings.reload(&self.session);
                }
                MainCommand::OpenAccounts => {
                    self.section = Section::Settings;
                    self.toast = None;
                    self.settings.reload(&self.session);
                    self.settings.show_accounts();
                }
                MainCommand::OpenExport(register) => {
                    self.export_dialog = Some(super::export_dialog::ExportDialog::new(
                        &self.session,
                        register,
                    ));
                }
                MainCommand::Export {
                    register,
                    format,
                    path,
                } => {
                    let result = match format {
                        Some(f) => {
                            crate::ledger::export::export(&mut self.session, &register, f, &path)
                        }
                        None => crate::ledger::export::print(
                            &mut self.session,
                            &register,
                            &crate::ledger::printing::PrintTarget::Printer,
                        ),
                    };
                    if let Some(d) = &mut self.export_dialog {
                        match result {
                            Ok(done) => d.succeeded(lang.message(&done.summary).to_owned()),
                            Err(e) => d.failed(error_message(lang, &e)),
                        }
                    }
                }
                MainCommand::OpenAccount(new) => {
                    match crate::ledger::users::open_account(&mut self.session, &new) {
                        Ok((_, once)) => {
                            let text = zeroize::Zeroizing::new(once.as_str().to_owned());
                            self.settings.accounts.opened(&self.session, text);
                            self.toast =
                                Some((true, lang.tr("已开通账户", "Account opened").into()));
                        }
                        Err(e) => {
                            if let Some(d) = &mut self.settings.accounts.dialog {
                                d.failed(error_message(lang, &e));
                            }
                        }
                    }
                }
                MainCommand::ChangeRole(login, role) => {
                    let r = crate::ledger::users::change_role(&mut self.session, &login, role);
                    self.settings.accounts.reload(&self.session);
                    self.toast = Some(match r {
                        Ok(()) => (true, lang.tr("已变更角色", "Role changed").into()),
                        Err(e) => (false, error_message(lang, &e)),
                    });
                }
                MainCommand::Rekey(accounts) => {
                    match crate::ledger::users::prepare_rekey(&self.session, accounts) {
                        Ok(prep) => self
                            .settings
                            .accounts
                            .rekey_started(crate::ui::job::Job::spawn(move |_| prep.run())),
                        Err(e) => self.settings.accounts.rekey_failed(error_message(lang, &e)),
                    }
                }
                MainCommand::RekeyNoted => {
                    let r = crate::ledger::users::rekey_noted(&mut self.session);
                    self.settings.accounts.reload(&self.session);
                    if let Err(e) = r {
                        self.toast = Some((false, error_message(lang, &e)));
                    }
                }
                MainCommand::DeactivateAccount(login) => {
                    let r = crate::ledger::users::deactivate_user(&mut self.session, &login);
                    self.settings.accounts.deactivated(&self.session);
                    self.toast = Some(match r {
                        Ok(()) => (true, lang.tr("已停用账户", "Account deactivated").into()),
                        Err(e) => (false, error_message(lang, &e)),
                    });
                }
                MainCommand::StartBackup(folder) => {
                    self.backup.start(&mut self.session, lang, &folder);
                }
                MainCommand::SetBackupReminder(days) => {
                    match crate::ledger::backups::set_reminder_days(&mut self.session, days) {
                        Ok(()) => {
                            self.toast = Some((true, lang.tr("已保存", "Saved").into()));
                            self.backup_status = crate::ledger::backups::status(&self.session).ok();
                        }
                        Err(e) => self.toast = Some((false, error_message(lang, &e))),
                    }
                    self.backup.reload(&self.session);
                }
                MainCommand::SetDays(which, days) => {
                    let r = match which {
                        DaysSetting::Stocktake => {
                            crate::ledger::stocktake::set_warn_days(&mut self.session, days)
                        }
                        DaysSetting::Review => {
                            crate::ledger::secrecy::set_window_days(&mut self.session, days)
                        }
                        DaysSetting::PassphraseMaxAge => {
                            settings::set_passphrase_max_days(&mut self.session, days)
                        }
                    };
                    self.toast = Some(match r {
                        Ok(()) => (true, lang.tr("已保存", "Saved").into()),
                        Err(e) => (false, error_message(lang, &e)),
                    });
                    self.settings.reload(&self.session);
                }
                MainCommand::SetCustodianAdministers(on) => {
                    self.toast = Some(
                        match settings::set_custodian_administers(&mut self.session, on) {
                            Ok(()) => (true, lang.tr("已保存", "Saved").into()),
                            Err(e) => (false, error_message(lang, &e)),
                        },
                    );
                    self.settings.reload(&self.session);
                }
                MainCommand::SetAutoLock(m) => {
                    match settings::set_auto_lock_minutes(&mut self.session, m) {
                        Ok(()) => {
                            self.auto_lock_minutes = m;
                            self.toast = Some((true, lang.tr("已保存", "Saved").into()));
                        }
                        Err(e) => self.toast = Some((false, error_message(lang, &e))),
                    }
                }
            }
        }
    }
}

impl MainWindow {
    /// Runs an action of the 销毁, 清查 or 解密审查 screens and hands the result to the screen
    /// that asked (a scan's answer stays beside the scan field; a refusal inside the open form).
    fn run_carrier(&mut self, action: super::carriers::CarrierAction, lang: Lang) {
        use super::carriers::{CarrierAction as A, Made};
        let screen = match &action {
            A::StartRound { .. }
            | A::Mark { .. }
            | A::Unmark { .. }
            | A::CloseRound { .. }
            | A::CancelRound { .. }
            | A::OpenIncident(_)
            | A::UpdateIncident { .. } => Section::Stocktake,
            A::Decide { .. } => Section::Review,
            A::PlaceHold { .. } => self.section,
            A::Print {
                what: crate::ledger::printing::Printable::StocktakeReport(_),
                ..
            } => Section::Stocktake,
            _ => Section::Destruction,
        };
        let marking = matches!(action, A::Mark { .. });
        match action.run(&mut self.session, lang) {
            Ok((made, message)) => {
                match screen {
                    Section::Stocktake => {
                        let answer = match &made {
                            Made::Mark(m) => Some((
                                m.outcome == crate::domain::stocktake::Outcome::Found && !m.already,
                                message.clone(),
                            )),
                            _ => None,
                        };
                        if let Made::Incident(id) = made {
                            self.stocktake.show_incident(&self.session, id);
                        } else {
                            self.stocktake.done(&self.session, answer);
                        }
                    }
                    Section::Review => self.review.done(&self.session),
                    Section::Destruction => {
                        let list = match made {
                            Made::List(id) => Some(id),
                            _ => None,
                        };
                        self.destruction.done(&self.session, list);
                    }
                    Section::Documents => self.documents.custody_done(&self.session),
                    _ => {}
                }
                if !marking {
                    self.toast = Some((true, message));
                }
            }
            Err(e) => {
                let message = error_message(lang, &e);
                match screen {
                    Section::Stocktake if marking => {
                        self.stocktake.done(&self.session, Some((false, message)))
                    }
                    Section::Stocktake => self.stocktake.failed(message),
                    Section::Review => self.review.error = Some(message),
                    Section::Destruction => self.destruction.error = Some(message),
                    _ => self.toast = Some((false, message)),
                }
            }
        }
    }
}

/// The top bar's backup line: the age of the last verified backup, a warning when one is due.
/// Returns whether it was clicked (to open 备份与恢复).
fn backup_status_ui(
    ui: &mut Ui,
    lang: Lang,
    status: Option<&crate::ledger::backups::BackupStatus>,
) -> bool {
    let Some(status) = status else {
        return false;
    };
    let text = match (status.age_days, lang) {
        (None, Lang::Zh) => "尚未备份".to_owned(),
        (None, Lang::En) => "Never backed up".to_owned(),
        (Some(d), Lang::Zh) if status.due => format!("已 {d} 天未备份"),
        (Some(d), Lang::En) if status.due => format!("No backup for {d} days"),
        (Some(d), Lang::Zh) => format!("上次备份：{}", super::backup::age_text(lang, d)),
        (Some(d), Lang::En) => format!("Last backup: {}", super::backup::age_text(lang, d)),
    };
    let rich = if status.due {
        RichText::new(text)
            .color(crate::ui::widgets::DANGER)
            .strong()
    } else {
        RichText::new(text)
    };
    ui.add(egui::Button::new(rich).frame(status.due))
        .on_hover_text(lang.tr("打开“备份与恢复”", "Open Backup"))
        .clicked()
}
