//! 备份与恢复: the last verified backup and the reminder, a new backup to a chosen drive
//! (removable media first, free space shown, a fixed disk only with a confirmation) with its
//! progress and cancel, the backups already on that medium and whether they verify, and the
//! ledger's record of backups. Restoring is done from the login screen or the first screen.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{RichText, Ui};

use crate::backup::export::{WriteOptions, Written, write_and_verify};
use crate::backup::media::{Drive, Found, Media, backups_in, is_on_removable};
use crate::backup::verify::{KeySource, verify_file};
use crate::backup::{BackupError, size_text};
use crate::ledger::Session;
use crate::ledger::backups::{self, BackupRecord, BackupStatus};
use crate::ui::app::{Command, error_message};
use crate::ui::i18n::Lang;
use crate::ui::job::Job;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::{DANGER, error_text, hint_text, primary_button};

/// Where the next backup goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    Drive(PathBuf),
    Other,
}

/// A backup found on the chosen medium and what its check said.
struct FoundRow {
    found: Found,
    state: FoundState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FoundState {
    /// Being read back.
    Checking,
    Verified,
    Failed(String),
    /// A backup of another ledger (its header names another vault).
    OtherLedger,
    /// The header does not read, or the file is shorter or longer than it says.
    Incomplete,
}

/// A backup on the medium read back: its path and the failure, if any.
type CheckResult = (PathBuf, Result<(), String>);

/// The screen's state.
pub struct BackupScreen {
    media: Arc<dyn Media>,
    status: Option<BackupStatus>,
    records: Vec<BackupRecord>,
    drives: Vec<Drive>,
    choice: Option<Choice>,
    other: String,
    confirm_fixed: bool,
    reminder: String,
    job: Option<(Job<Result<Written, BackupError>>, bool)>,
    checks: Option<Job<Vec<CheckResult>>>,
    found: Vec<FoundRow>,
    found_in: Option<PathBuf>,
    /// The outcome of the last backup.
    pub message: Option<(bool, String)>,
    error: Option<String>,
    zone: crate::domain::OfficeZone,
}

impl BackupScreen {
    pub fn new(media: Arc<dyn Media>) -> Self {
        Self {
            media,
            status: None,
            records: Vec::new(),
            drives: Vec::new(),
            choice: None,
            other: String::new(),
            confirm_fixed: false,
            reminder: String::new(),
            job: None,
            checks: None,
            found: Vec::new(),
            found_in: None,
            message: None,
            error: None,
            zone: crate::domain::OfficeZone::default(),
        }
    }

    /// Reads the records and the drives again.
    pub fn reload(&mut self, session: &Session) {
        self.zone = session.zone();
        self.status = backups::status(session).ok();
        self.records = backups::list(session).unwrap_or_default();
        self.reminder = self
            .status
            .as_ref()
            .map(|s| s.reminder_days.to_string())
            .unwrap_or_default();
        self.refresh_drives(session);
    }

    /// Reads the drives again (a stick plugged in since); a choice that is gone falls back to
    /// the first removable drive that can be written, if any.
    fn refresh_drives(&mut self, session: &Session) {
        self.drives = self.media.drives();
        let still_there = match &self.choice {
            Some(Choice::Drive(p)) => self.drives.iter().any(|d| &d.mount_point == p),
            Some(Choice::Other) => true,
            None => false,
        };
        if !still_there {
            self.choice = self
                .drives
                .iter()
                .find(|d| d.removable && !d.read_only)
                .map(|d| Choice::Drive(d.mount_point.clone()));
        }
        self.found_in = None;
        self.scan(session);
    }

    /// Whether a backup is being written.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The chosen folder, if any.
    fn folder(&self) -> Option<PathBuf> {
        match &self.choice {
            Some(Choice::Drive(p)) => Some(p.clone()),
            Some(Choice::Other) => {
                let t = self.other.trim();
                (!t.is_empty()).then(|| PathBuf::from(t))
            }
            None => None,
        }
    }

    fn removable(&self, folder: &Path) -> bool {
        is_on_removable(self.media.as_ref(), folder)
    }

    /// Lists the backups in the chosen folder and starts reading back those of this ledger.
    fn scan(&mut self, session: &Session) {
        let folder = self.folder().filter(|f| f.is_dir());
        if folder == self.found_in {
            return;
        }
        self.found_in = folder.clone();
        self.found.clear();
        if let Some(c) = self.checks.take() {
            c.cancel();
        }
        let Some(folder) = folder else {
            return;
        };
        let own = session_vault_id(session);
        let mut work = Vec::new();
        for found in backups_in(&folder) {
            let state = match (found.vault_id, found.complete) {
                (None, _) | (_, false) => FoundState::Incomplete,
                (Some(id), true) if Some(id) != own => FoundState::OtherLedger,
                _ => match backups::keys_for(session, &found.path) {
                    Some(keys) => {
                        work.push((found.path.clone(), keys));
                        FoundState::Checking
                    }
                    None => FoundState::OtherLedger,
                },
            };
            self.found.push(FoundRow { found, state });
        }
        if !work.is_empty() {
            self.checks = Some(Job::spawn(move |progress| {
                work.into_iter()
                    .map(|(path, keys)| {
                        let r = verify_file(&path, KeySource::Keys(&keys), progress, false)
                            .map(drop)
                            .map_err(|e| e.to_string());
                        (path, r)
                    })
                    .collect()
            }));
        }
    }

    /// Starts a backup into `folder` (the main window calls it with the session).
    pub fn start(&mut self, session: &mut Session, lang: Lang, folder: &Path) {
        self.message = None;
        self.error = None;
        let removable = self.removable(folder);
        let dest = backups::destination(session, folder)
            .and_then(|d| session.refuse_output_in_vault(&d).map(|()| d));
        let prepared = dest.and_then(|d| backups::prepare(session).map(|s| (d, s)));
        match prepared {
            Ok((dest, snapshot)) => {
                self.confirm_fixed = false;
                let job = Job::spawn(move |progress| {
                    write_and_verify(snapshot, &dest, progress, WriteOptions::default())
                });
                self.job = Some((job, removable));
            }
            Err(e) => self.error = Some(error_message(lang, &e)),
        }
    }

    /// Collects finished work: a verified backup is recorded in the ledger. Returns the toast.
    pub fn poll(&mut self, session: &mut Session, lang: Lang) -> Option<(bool, String)> {
        if let Some(checks) = &mut self.checks
            && let Some(finished) = checks.finished()
        {
            self.checks = None;
            let results = finished.unwrap_or_else(|panicked| {
                self.found
                    .iter()
                    .filter(|f| f.state == FoundState::Checking)
                    .map(|f| (f.found.path.clone(), Err(panicked.to_owned())))
                    .collect()
            });
            for (path, r) in results {
                if let Some(row) = self.found.iter_mut().find(|f| f.found.path == path) {
                    row.state = match r {
                        Ok(()) => FoundState::Verified,
                        Err(e) => FoundState::Failed(e),
                    };
                }
            }
        }
        let (job, removable) = self.job.as_mut()?;
        let finished = job.finished()?;
        let removable = *removable;
        self.job = None;
        let result = match finished {
            Ok(r) => r,
            Err(panicked) => Err(BackupError::Internal(panicked)),
        };
        let toast = match result {
            Ok(written) => match backups::record(session, &written, removable) {
                Ok(_) => {
                    let text = match lang {
                        Lang::Zh => format!(
                            "备份已写入并读回校验：{}（{}）",
                            written.path.display(),
                            size_text(written.bytes)
                        ),
                        Lang::En => format!(
                            "Backup written and verified: {} ({})",
                            written.path.display(),
                            size_text(written.bytes)
                        ),
                    };
                    self.message = Some((true, text.clone()));
                    (true, text)
                }
                Err(e) => {
                    let text = error_message(lang, &e);
                    self.message = Some((false, text.clone()));
                    (false, text)
                }
            },
            Err(e) => {
                let text = match lang {
                    Lang::Zh => e.message().zh().to_owned(),
                    Lang::En => e.message().en().to_owned(),
                };
                self.message = Some((false, text.clone()));
                (false, text)
            }
        };
        self.found_in = None;
        self.reload(session);
        Some(toast)
    }

    /// Draws the screen.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        app: &mut Vec<Command>,
        cmds: &mut Vec<MainCommand>,
    ) {
        ui.heading(lang.tr("备份与恢复", "Backup and restore"));
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.status_ui(ui, lang, cmds);
                ui.add_space(10.0);
                ui.separator();
                self.new_backup_ui(ui, lang, session, cmds);
                ui.add_space(10.0);
                ui.separator();
                self.records_ui(ui, lang);
                ui.add_space(10.0);
                ui.separator();
                ui.label(RichText::new(lang.tr("从备份恢复", "Restore from a backup")).strong());
                hint_text(
                    ui,
                    lang.tr(
                        "恢复会用备份替换本台账库（原库先改名另存）。须先锁定，在登录界面进行。",
                        "Restoring replaces this ledger with a backup (the current one is moved aside first). It is done from the sign-in screen, after locking.",
                    ),
                );
                if ui
                    .add_enabled(
                        !self.busy(),
                        egui::Button::new(lang.tr("锁定并从备份恢复…", "Lock and restore…")),
                    )
                    .clicked()
                {
                    app.push(Command::Lock { reason: "restore" });
                    app.push(Command::OpenRestore);
                }
            });
        if self.checks.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
        }
    }

    fn status_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let Some(status) = &self.status else {
            return;
        };
        match (&status.last, status.age_days) {
            (Some(last), Some(age)) => {
                let line = match lang {
                    Lang::Zh => format!(
                        "上次备份：{}（{}），{}，{}，已读回校验",
                        office_time(self.zone, &last.at),
                        age_text(lang, age),
                        last.folder,
                        size_text(last.bytes)
                    ),
                    Lang::En => format!(
                        "Last backup: {} ({}), {}, {}, verified",
                        office_time(self.zone, &last.at),
                        age_text(lang, age),
                        last.folder,
                        size_text(last.bytes)
                    ),
                };
                if status.due {
                    error_text(ui, &line);
                } else {
                    ui.label(RichText::new(line).color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)));
                }
            }
            _ => error_text(
                ui,
                lang.tr(
                    "本台账库还没有经过校验的备份",
                    "This ledger has no verified backup yet",
                ),
            ),
        }
        ui.horizontal(|ui| {
            ui.label(lang.tr("超过", "Remind after"));
            let r = ui.add(
                egui::TextEdit::singleline(&mut self.reminder)
                    .desired_width(40.0)
                    .char_limit(3),
            );
            r.labelled_by(
                ui.label(lang.tr("天未备份时提醒", "days without a backup"))
                    .id,
            );
            if ui.button(lang.tr("保存提醒", "Save reminder")).clicked() {
                match self.reminder.trim().parse::<u32>() {
                    Ok(days) => cmds.push(MainCommand::SetBackupReminder(days)),
                    Err(_) => {
                        self.error = Some(
                            lang.tr(
                                "请填写 1 到 90 之间的天数",
                                "Write a number of days from 1 to 90",
                            )
                            .to_owned(),
                        )
                    }
                }
            }
        });
    }

    fn new_backup_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        cmds: &mut Vec<MainCommand>,
    ) {
        ui.label(RichText::new(lang.tr("新建备份", "New backup")).strong());
        hint_text(
            ui,
            lang.tr(
                "备份是加密的单个文件，写入后会从介质上读回并全部校验。请写入移动存储设备，并与本机分开保管。",
                "A backup is one encrypted file, read back from the medium and verified in full after writing. Write it to removable media and keep it apart from this PC.",
            ),
        );
        let running = self.busy();
        ui.add_enabled_ui(!running, |ui| {
            ui.horizontal(|ui| {
                if !self.drives.iter().any(|d| d.removable) {
                    hint_text(
                        ui,
                        lang.tr(
                            "未发现移动存储设备。插入 U 盘或移动硬盘后请点“刷新”。",
                            "No removable medium found. Plug in a USB stick or disk, then Refresh.",
                        ),
                    );
                }
                if ui.button(lang.tr("刷新", "Refresh")).clicked() {
                    self.refresh_drives(session);
                }
            });
            let mut picked = None;
            for d in &self.drives {
                let kind = if d.removable {
                    lang.tr("移动介质", "removable")
                } else {
                    lang.tr("固定磁盘", "fixed disk")
                };
                let text = match lang {
                    Lang::Zh => format!(
                        "{}　{}　{}　可用 {} / 共 {}{}",
                        d.mount_point.display(),
                        kind,
                        d.file_system,
                        size_text(d.available),
                        size_text(d.total),
                        if d.read_only { "（只读）" } else { "" }
                    ),
                    Lang::En => format!(
                        "{}  {}  {}  {} free of {}{}",
                        d.mount_point.display(),
                        kind,
                        d.file_system,
                        size_text(d.available),
                        size_text(d.total),
                        if d.read_only { " (read-only)" } else { "" }
                    ),
                };
                let selected = self.choice == Some(Choice::Drive(d.mount_point.clone()));
                let mut rich = RichText::new(text);
                if d.removable {
                    rich = rich.strong();
                }
                if ui
                    .add_enabled(!d.read_only, egui::RadioButton::new(selected, rich))
                    .clicked()
                {
                    picked = Some(Choice::Drive(d.mount_point.clone()));
                }
            }
            ui.horizontal(|ui| {
                let selected = self.choice == Some(Choice::Other);
                let radio = ui.radio(selected, lang.tr("其他文件夹：", "Another folder:"));
                if radio.clicked() {
                    picked = Some(Choice::Other);
                }
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.other)
                            .desired_width(360.0)
                            .hint_text("/media/…"),
                    )
                    .labelled_by(radio.id);
                if r.changed() {
                    picked = Some(Choice::Other);
                }
            });
            if let Some(c) = picked {
                if self.choice != Some(c.clone()) {
                    self.confirm_fixed = false;
                }
                self.choice = Some(c);
                self.scan(session);
            }
            let folder = self.folder();
            let removable = folder.as_deref().is_some_and(|f| self.removable(f));
            if folder.is_some() && !removable {
                ui.checkbox(
                    &mut self.confirm_fixed,
                    RichText::new(lang.tr(
                        "所选位置不是移动存储设备。我确认仍写在这里",
                        "The place chosen is not a removable medium. I confirm writing here",
                    ))
                    .color(DANGER),
                );
            }
            let ready = folder.is_some() && (removable || self.confirm_fixed);
            if ui
                .add_enabled(ready, primary_button(lang.tr("开始备份", "Back up now")))
                .clicked()
                && let Some(folder) = folder
            {
                cmds.push(MainCommand::StartBackup(folder));
            }
        });
        if let Some((job, _)) = &self.job {
            job.ui(ui, lang);
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        if let Some((ok, text)) = &self.message {
            if *ok {
                ui.label(RichText::new(text).color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)));
            } else {
                error_text(ui, text);
            }
        }
        self.found_ui(ui, lang);
    }

    fn found_ui(&self, ui: &mut Ui, lang: Lang) {
        let Some(folder) = &self.found_in else {
            return;
        };
        ui.add_space(6.0);
        ui.label(match lang {
            Lang::Zh => format!("{} 中已有的备份：", folder.display()),
            Lang::En => format!("Backups already in {}:", folder.display()),
        });
        if self.found.is_empty() {
            hint_text(ui, lang.tr("（没有）", "(none)"));
            return;
        }
        egui::Grid::new("found_backups")
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                for row in &self.found {
                    let f = &row.found;
                    ui.label(
                        f.created_at
                            .map(|t| minute(self.zone, t))
                            .unwrap_or_else(|| "—".into()),
                    );
                    ui.label(
                        f.path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    );
                    ui.label(size_text(f.bytes));
                    match &row.state {
                        FoundState::Checking => {
                            ui.label(lang.tr("正在校验…", "Checking…"));
                        }
                        FoundState::Verified => {
                            ui.label(
                                RichText::new(
                                    lang.tr("本台账库，校验通过", "this ledger, verified"),
                                )
                                .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
                            );
                        }
                        FoundState::Failed(e) => {
                            ui.label(
                                RichText::new(lang.tr("未通过校验", "fails verification"))
                                    .color(DANGER),
                            )
                            .on_hover_text(e);
                        }
                        FoundState::OtherLedger => {
                            ui.label(lang.tr("其他台账库的备份", "another ledger's backup"));
                        }
                        FoundState::Incomplete => {
                            ui.label(
                                RichText::new(
                                    lang.tr("不完整或不是备份文件", "incomplete or not a backup"),
                                )
                                .color(DANGER),
                            );
                        }
                    }
                    ui.end_row();
                }
            });
    }

    fn records_ui(&self, ui: &mut Ui, lang: Lang) {
        ui.label(RichText::new(lang.tr("备份记录", "Backups made")).strong());
        if self.records.is_empty() {
            hint_text(ui, lang.tr("（没有）", "(none)"));
            return;
        }
        egui::Grid::new("backup_records")
            .num_columns(5)
            .striped(true)
            .show(ui, |ui| {
                for t in [
                    lang.tr("校验时间", "Verified"),
                    lang.tr("文件", "File"),
                    lang.tr("位置", "Where"),
                    lang.tr("大小", "Size"),
                    lang.tr("制作人", "By"),
                ] {
                    ui.label(RichText::new(t).strong());
                }
                ui.end_row();
                for r in &self.records {
                    ui.label(office_time(self.zone, &r.at));
                    ui.label(&r.file_name).on_hover_text(format!(
                        "SHA-256 {}\n{} {} · {}",
                        r.sha256,
                        lang.tr("审计链头", "Audit head"),
                        r.audit_seq,
                        &r.audit_hash
                    ));
                    ui.label(format!(
                        "{}{}",
                        r.folder,
                        if r.removable {
                            ""
                        } else {
                            lang.tr("（固定磁盘）", " (fixed disk)")
                        }
                    ));
                    ui.label(size_text(r.bytes));
                    ui.label(&r.by);
                    ui.end_row();
                }
            });
    }
}

fn session_vault_id(session: &Session) -> Option<[u8; 16]> {
    Some(crate::ledger::backups::vault_id(session))
}

/// An RFC 3339 time in the office's time, to the minute.
pub fn office_time(zone: crate::domain::OfficeZone, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| minute(zone, t.to_utc()))
        .unwrap_or_else(|_| at.to_owned())
}

fn minute(zone: crate::domain::OfficeZone, t: chrono::DateTime<chrono::Utc>) -> String {
    zone.local(t).format("%Y-%m-%d %H:%M").to_string()
}

/// "今天", "3 天前".
pub fn age_text(lang: Lang, days: i64) -> String {
    match (lang, days) {
        (Lang::Zh, d) if d <= 0 => "今天".into(),
        (Lang::Zh, 1) => "昨天".into(),
        (Lang::Zh, d) => format!("{d} 天前"),
        (Lang::En, d) if d <= 0 => "today".into(),
        (Lang::En, 1) => "yesterday".into(),
        (Lang::En, d) => format!("{d} days ago"),
    }
}
