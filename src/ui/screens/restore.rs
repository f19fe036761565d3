//! 从备份恢复: choose a backup (those on removable media are listed), type a passphrase or the
//! recovery key valid when it was made, and restore it into the app's vault folder. A folder
//! that holds a vault is replaced only when the box is ticked, after the old vault is moved
//! aside. The backup is verified in full first; the work runs off the UI thread.

use std::path::PathBuf;

use egui::{Grid, RichText, Ui};
use zeroize::Zeroizing;

use crate::backup::BackupError;
use crate::backup::media::{Found, Media, backups_in};
use crate::backup::size_text;
use crate::backup::verify::Secret;
use crate::ledger::backups::{self, RestoreOutcome};
use crate::ui::app::Command;
use crate::ui::i18n::Lang;
use crate::ui::job::Job;
use crate::ui::widgets::{DANGER, error_text, field_row, hint_text, primary_button};

/// The restore screen.
pub struct RestoreScreen {
    dir: PathBuf,
    clock: std::sync::Arc<dyn crate::domain::Clock>,
    has_vault: bool,
    found: Vec<Found>,
    /// A folder typed into the file field, and the backups in it.
    listed: Option<(PathBuf, Vec<Found>)>,
    file: String,
    secret: Zeroizing<String>,
    replace: bool,
    job: Option<Job<Result<RestoreOutcome, BackupError>>>,
    error: Option<String>,
    done: Option<RestoreOutcome>,
}

impl RestoreScreen {
    /// The screen for the vault folder `dir`; backups on the removable drives of `media` are
    /// listed (their top folder and the folders just below it).
    pub fn new(
        dir: PathBuf,
        media: &dyn Media,
        clock: std::sync::Arc<dyn crate::domain::Clock>,
    ) -> Self {
        let has_vault = crate::backup::restore::holds_vault(&dir).unwrap_or(true);
        let mut found = Vec::new();
        for d in media.drives().into_iter().filter(|d| d.removable) {
            found.extend(backups_in(&d.mount_point));
            if let Ok(entries) = std::fs::read_dir(&d.mount_point) {
                for e in entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                {
                    found.extend(backups_in(&e.path()));
                }
            }
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.created_at));
        let file = found
            .first()
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        Self {
            dir,
            clock,
            has_vault,
            found,
            listed: None,
            file,
            secret: Zeroizing::new(String::new()),
            replace: false,
            job: None,
            error: None,
            done: None,
        }
    }

    /// Whether the restore is running (the screen cannot be left then).
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<Command>) {
        if let Some(job) = &mut self.job
            && let Some(finished) = job.finished()
        {
            self.job = None;
            let result = match finished {
                Ok(r) => r,
                Err(panicked) => Err(BackupError::Internal(panicked)),
            };
            match result {
                Ok(out) => self.done = Some(out),
                Err(e) => {
                    self.error = Some(match lang {
                        Lang::Zh => e.message().zh().to_owned(),
                        Lang::En => e.message().en().to_owned(),
                    })
                }
            }
        }
        egui::CentralPanel::default_margins().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(24.0);
                ui.heading(lang.tr("从备份恢复", "Restore from a backup"));
                ui.add_space(8.0);
            });
            crate::ui::widgets::centered_card(ui, 680.0, |ui| {
                if let Some(done) = &self.done {
                    done_ui(ui, lang, done, cmds);
                } else {
                    self.form_ui(ui, lang, cmds);
                }
            });
        });
    }

    fn form_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<Command>) {
        hint_text(
            ui,
            lang.tr(
                "选择备份文件，输入备份时有效的口令或恢复密钥。备份先完整校验，再恢复到下面的台账库文件夹。",
                "Choose a backup file and type a passphrase or the recovery key valid when it was made. The backup is verified in full first, then restored into the folder below.",
            ),
        );
        ui.label(match lang {
            Lang::Zh => format!("台账库文件夹：{}", self.dir.display()),
            Lang::En => format!("Ledger folder: {}", self.dir.display()),
        });
        let running = self.busy();
        ui.add_enabled_ui(!running, |ui| {
            if !self.found.is_empty() {
                ui.label(lang.tr("移动介质上的备份：", "Backups on removable media:"));
                for f in &self.found {
                    let name = f.path.display().to_string();
                    if ui.selectable_label(self.file == name, found_text(f, true)).clicked() {
                        self.file = name;
                    }
                }
            } else {
                hint_text(
                    ui,
                    lang.tr(
                        "未在移动介质上找到备份文件；可以直接填写文件路径。",
                        "No backup found on removable media: type the file's path.",
                    ),
                );
            }
            Grid::new("restore_form").num_columns(2).show(ui, |ui| {
                field_row(
                    ui,
                    lang.tr("备份文件或所在文件夹", "Backup file or its folder"),
                    &mut self.file,
                    false,
                );
                field_row(
                    ui,
                    lang.tr("口令或恢复密钥", "Passphrase or recovery key"),
                    &mut self.secret,
                    true,
                );
            });
            if self.has_vault {
                ui.checkbox(
                    &mut self.replace,
                    RichText::new(match lang {
                        Lang::Zh => format!(
                            "此文件夹已有台账库。用备份替换它（原库先改名为 {}.replaced-日期时间 另存）",
                            self.dir.file_name().unwrap_or_default().to_string_lossy()
                        ),
                        Lang::En => format!(
                            "This folder holds a ledger. Replace it with the backup (it is first renamed {}.replaced-date-time)",
                            self.dir.file_name().unwrap_or_default().to_string_lossy()
                        ),
                    })
                    .color(DANGER),
                );
            }
            let file = PathBuf::from(self.file.trim());
            // A folder lists the backups in it, to pick from (no long name to type).
            if file.is_dir() {
                if self.listed.as_ref().is_none_or(|(d, _)| d != &file) {
                    self.listed = Some((file.clone(), backups_in(&file)));
                }
            } else {
                self.listed = None;
            }
            let mut picked = None;
            if let Some((_, found)) = &self.listed {
                if found.is_empty() {
                    hint_text(ui, lang.tr("此文件夹中没有备份文件", "No backup file in this folder"));
                }
                for f in found {
                    if ui.selectable_label(false, found_text(f, false)).clicked() {
                        picked = Some(f.path.display().to_string());
                    }
                }
            }
            if let Some(p) = picked {
                self.file = p;
                self.listed = None;
            }
            let problem = if self.file.trim().is_empty() {
                Some(lang.tr("请选择或填写备份文件", "Choose or type the backup file"))
            } else if file.is_dir() {
                Some(lang.tr("请在上面的列表中选一个备份", "Pick a backup from the list above"))
            } else if !file.is_file() {
                Some(lang.tr("找不到这个文件", "No such file"))
            } else if self.secret.is_empty() {
                Some(lang.tr(
                    "请输入备份时的口令或恢复密钥",
                    "Type the passphrase or recovery key of the day",
                ))
            } else if self.has_vault && !self.replace {
                Some(lang.tr(
                    "要替换现有台账库，须勾选上面的确认",
                    "Tick the box above to replace the existing ledger",
                ))
            } else {
                None
            };
            if let Some(p) = problem {
                hint_text(ui, p);
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(problem.is_none(), primary_button(lang.tr("开始恢复", "Restore")))
                    .clicked()
                {
                    self.start(file);
                }
                if ui.button(lang.tr("返回", "Back")).clicked() {
                    cmds.push(Command::CloseRestore { notice: false });
                }
            });
        });
        if let Some(job) = &self.job {
            job.ui(ui, lang);
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
    }

    fn start(&mut self, file: PathBuf) {
        self.error = None;
        let secret = Secret::from_text(self.secret.as_str(), None);
        self.secret = Zeroizing::new(String::new());
        let dir = self.dir.clone();
        let replace = self.replace;
        let clock = self.clock.clone();
        self.job = Some(Job::spawn(move |progress| {
            backups::restore(&file, &secret, &dir, replace, clock.as_ref(), progress)
        }));
    }
}

/// A time in the default office zone (Beijing time) with its offset: the ledger's own zone is
/// in the ledger, not open yet (the file name carries the office's time of the backup).
fn when_text(t: chrono::DateTime<chrono::Utc>) -> String {
    let zone = crate::domain::OfficeZone::default();
    format!(
        "{}（{}）",
        zone.local(t).format("%Y-%m-%d %H:%M"),
        zone.label_zh()
    )
}

/// A found backup as listed: when, the file (with its folder when asked), how big.
fn found_text(f: &Found, with_folder: bool) -> String {
    let when = f.created_at.map(when_text).unwrap_or_else(|| "—".into());
    let name = if with_folder {
        f.path.display().to_string()
    } else {
        f.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    format!("{when}　{name}　{}", size_text(f.bytes))
}

fn done_ui(ui: &mut Ui, lang: Lang, done: &RestoreOutcome, cmds: &mut Vec<Command>) {
    ui.label(
        RichText::new(lang.tr("已从备份恢复", "Restored from the backup"))
            .strong()
            .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
    );
    let m = &done.manifest;
    let when = chrono::DateTime::parse_from_rfc3339(&m.created_at)
        .map(|t| when_text(t.to_utc()))
        .unwrap_or_else(|_| m.created_at.clone());
    ui.label(match lang {
        Lang::Zh => format!(
            "单位：{}；快照时间：{when}；审计链头：第 {} 条",
            m.unit_name, m.audit_head.seq
        ),
        Lang::En => format!(
            "Unit: {}; snapshot: {when}; audit head: event {}",
            m.unit_name, m.audit_head.seq
        ),
    });
    if let Some(aside) = &done.moved_aside {
        ui.label(match lang {
            Lang::Zh => format!("原台账库已改名另存：{}", aside.display()),
            Lang::En => format!("The previous ledger was moved to {}", aside.display()),
        });
    }
    hint_text(
        ui,
        lang.tr(
            "请用备份时有效的口令登录。备份之后登记的事项不在其中，请据纸质记录补登。",
            "Sign in with a passphrase valid when the backup was made. What was recorded after the backup is not in it: enter it again from the paper records.",
        ),
    );
    if ui
        .add(primary_button(lang.tr("去登录", "Sign in")))
        .clicked()
    {
        cmds.push(Command::CloseRestore { notice: true });
    }
}
