//! The login screen: user picker, passphrase, clear errors, the countdown of the delay after
//! repeated failures (kept by the ledger in `ledger.attempts`, so a restart does not clear it);
//! or the recovery key with a new passphrase.

use chrono::{DateTime, Utc};
use egui::{Grid, RichText, Ui};
use zeroize::Zeroizing;

use crate::domain::Clock;
use crate::ledger::{LockedLedger, Passphrase, RecoveryKey};
use crate::ui::app::Command;
use crate::ui::i18n::Lang;
use crate::ui::widgets::{
    error_text, field_row, hint_text, new_passphrase_problem, new_passphrase_rows,
};

/// The locked state: the locked ledger (this instance holds it) and the login form.
pub struct LoginScreen {
    locked: Option<LockedLedger>,
    logins: Vec<String>,
    login: String,
    passphrase: Zeroizing<String>,
    error: Option<String>,
    /// A one-line notice such as "locked after being idle", in Chinese and English (the language
    /// may change on this screen).
    pub notice: Option<(&'static str, &'static str)>,
    /// The login the countdown was read for, its consecutive failures and when it may try
    /// again.
    wait_for: Option<String>,
    failures: u32,
    retry_at: Option<DateTime<Utc>>,
    busy: bool,
    focus_once: bool,
    recovery_mode: bool,
    recovery_text: Zeroizing<String>,
    new1: Zeroizing<String>,
    new2: Zeroizing<String>,
    /// The last unlock was refused because the WAL is damaged: offer the decision to open the
    /// ledger as far as it verifies.
    pub wal_damaged: bool,
    /// The decision's confirmation is showing.
    confirm_wal: bool,
}

impl LoginScreen {
    /// The login screen on a locked ledger.
    pub fn new(locked: LockedLedger) -> Self {
        let logins = locked.logins();
        Self {
            login: logins.first().cloned().unwrap_or_default(),
            logins,
            locked: Some(locked),
            passphrase: Default::default(),
            error: None,
            notice: None,
            wait_for: None,
            failures: 0,
            retry_at: None,
            busy: false,
            focus_once: true,
            recovery_mode: false,
            recovery_text: Default::default(),
            new1: Default::default(),
            new2: Default::default(),
            wal_damaged: false,
            confirm_wal: false,
        }
    }

    /// Hands the locked ledger to the unlock command.
    pub fn take_locked(&mut self) -> LockedLedger {
        self.locked
            .take()
            .expect("the login screen always holds its ledger between frames")
    }

    /// Unlocking failed: take the ledger back, show why, and read the login's delay again
    /// (the ledger counted a refused passphrase).
    pub fn failed(&mut self, locked: LockedLedger, message: Option<String>, now: DateTime<Utc>) {
        self.locked = Some(locked);
        self.confirm_wal = false;
        self.error = message;
        self.busy = false;
        self.focus_once = true;
        self.wait_for = None;
        self.read_wait(now);
    }

    /// Reads the selected login's delay from the ledger when the login changed (or after a
    /// failure): the countdown then runs from memory.
    fn read_wait(&mut self, now: DateTime<Utc>) {
        if self.wait_for.as_deref() == Some(self.login.as_str()) {
            return;
        }
        self.wait_for = Some(self.login.clone());
        let found = self
            .locked
            .as_ref()
            .and_then(|l| l.sign_in_wait(&self.login, now));
        self.failures = found.map_or(0, |(_, n)| n);
        self.retry_at = found.map(|(s, _)| now + chrono::Duration::seconds(s));
    }

    /// Draws the form.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, clock: &dyn Clock, cmds: &mut Vec<Command>) {
        let now = clock.now();
        self.read_wait(now);
        let wait = self
            .retry_at
            .map(|t| (t - now).num_seconds() + i64::from((t - now).subsec_nanos() > 0))
            .filter(|s| *s > 0);
        egui::CentralPanel::default_margins().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(60.0);
                ui.heading(lang.tr("保密台账", "Confidentiality ledger"));
                hint_text(ui, lang.tr("台账已锁定", "The ledger is locked"));
                ui.add_space(12.0);
            });
            crate::ui::widgets::centered_card(ui, 580.0, |ui| {
                if let Some((zh, en)) = self.notice {
                    ui.label(RichText::new(lang.tr(zh, en)).strong());
                }
                if self.recovery_mode {
                    self.recovery_ui(ui, lang, wait, cmds);
                } else {
                    self.passphrase_ui(ui, lang, wait, cmds);
                }
            });
        });
    }

    /// The decision after a damaged WAL: open what verifies, dropping the transactions after
    /// the damage (the files are copied aside first, the decision is audited). Two steps, the
    /// passphrase typed again.
    fn wal_decision_ui(&mut self, ui: &mut Ui, lang: Lang, ready: bool, cmds: &mut Vec<Command>) {
        ui.separator();
        hint_text(
            ui,
            lang.tr(
                "若管理员决定放弃损坏点之后的事务：输入口令后点下面的按钮。数据库和日志会先原样另存，此决定记入审计日志。",
                "If it is decided to drop the transactions after the damage: type the passphrase and use the button below. Both files are copied aside first; the decision is audited.",
            ),
        );
        let label = if self.confirm_wal {
            lang.tr("确认放弃并打开", "Confirm: drop them and open")
        } else {
            lang.tr(
                "放弃损坏点之后的事务并打开…",
                "Drop the transactions after the damage and open…",
            )
        };
        let button = egui::Button::new(RichText::new(label).color(crate::ui::widgets::DANGER));
        if ui.add_enabled(ready, button).clicked() {
            if self.confirm_wal {
                cmds.push(Command::AcceptWalDamage {
                    login: self.login.clone(),
                    passphrase: Passphrase::new(std::mem::take(&mut *self.passphrase)),
                });
                self.busy = true;
                self.error = None;
                self.confirm_wal = false;
            } else {
                self.confirm_wal = true;
            }
        }
    }

    fn user_picker(&mut self, ui: &mut Ui, lang: Lang) {
        let l = ui.label(lang.tr("用户", "User"));
        crate::ui::widgets::combo_box(ui, "login_user", self.login.clone(), 280.0, |ui| {
            for login in &self.logins {
                ui.selectable_value(&mut self.login, login.clone(), login);
            }
        })
        .labelled_by(l.id);
        ui.end_row();
    }

    fn status_ui(&self, ui: &mut Ui, lang: Lang, wait: Option<i64>) {
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        if let Some(s) = wait {
            error_text(
                ui,
                &match lang {
                    Lang::Zh => format!("连续 {} 次失败，请 {s} 秒后再试", self.failures),
                    Lang::En => format!("{} failures in a row: try again in {s} s", self.failures),
                },
            );
        }
        if self.busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(lang.tr("正在解锁…", "Unlocking…"));
            });
        }
    }

    fn passphrase_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        wait: Option<i64>,
        cmds: &mut Vec<Command>,
    ) {
        let mut field = None;
        Grid::new("login_form").num_columns(2).show(ui, |ui| {
            self.user_picker(ui, lang);
            field = Some(field_row(
                ui,
                lang.tr("口令", "Passphrase"),
                &mut self.passphrase,
                true,
            ));
        });
        let field = field.expect("grid ran");
        if self.focus_once {
            // Focus once, never every frame: that would break input-method composition.
            field.request_focus();
            self.focus_once = false;
        }
        self.status_ui(ui, lang, wait);
        let ready =
            wait.is_none() && !self.busy && !self.passphrase.is_empty() && !self.login.is_empty();
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let unlock = ui.add_enabled(ready, egui::Button::new(lang.tr("解锁", "Unlock")));
            if ready && (unlock.clicked() || enter) {
                cmds.push(Command::Unlock {
                    login: self.login.clone(),
                    passphrase: Passphrase::new(std::mem::take(&mut *self.passphrase)),
                });
                self.busy = true;
                self.error = None;
                self.notice = None;
            }
            if ui
                .link(lang.tr("忘记口令？使用恢复密钥", "Forgot it? Use the recovery key"))
                .clicked()
            {
                self.recovery_mode = true;
                self.error = None;
            }
        });
        if self.wal_damaged && !self.busy {
            self.wal_decision_ui(ui, lang, ready, cmds);
        }
        ui.separator();
        if ui
            .add_enabled(
                !self.busy,
                egui::Button::new(lang.tr("从备份恢复…", "Restore from a backup…")),
            )
            .clicked()
        {
            cmds.push(Command::OpenRestore);
        }
        ui.horizontal(|ui| {
            ui.label(lang.tr("界面语言", "Language"));
            if ui.selectable_label(lang == Lang::Zh, "中文").clicked() {
                cmds.push(Command::SetLang(Lang::Zh));
            }
            if ui.selectable_label(lang == Lang::En, "English").clicked() {
                cmds.push(Command::SetLang(Lang::En));
            }
        });
    }

    fn recovery_ui(&mut self, ui: &mut Ui, lang: Lang, wait: Option<i64>, cmds: &mut Vec<Command>) {
        hint_text(ui, lang.tr(
            "输入抄写的恢复密钥（13 组，每组 4 个字符，大小写和空格不限），并为所选用户设置新口令。",
            "Type the written recovery key (13 groups of 4) and set a new passphrase for the chosen user.",
        ));
        Grid::new("recovery_form").num_columns(2).show(ui, |ui| {
            self.user_picker(ui, lang);
            field_row(
                ui,
                lang.tr("恢复密钥", "Recovery key"),
                &mut self.recovery_text,
                false,
            );
            new_passphrase_rows(ui, lang, &mut self.new1, &mut self.new2);
        });
        let parsed = RecoveryKey::parse(&self.recovery_text);
        let problem = if self.recovery_text.is_empty() {
            Some(lang.tr("请输入恢复密钥", "Enter the recovery key"))
        } else if parsed.is_err() {
            Some(lang.tr(
                "恢复密钥格式不对：应为 52 个字母或数字",
                "The recovery key should have 52 letters or digits",
            ))
        } else {
            new_passphrase_problem(lang, &self.new1, &self.new2)
        };
        if let Some(p) = problem {
            hint_text(ui, p);
        }
        self.status_ui(ui, lang, wait);
        ui.horizontal(|ui| {
            let ok = problem.is_none() && wait.is_none() && !self.busy;
            if ui
                .add_enabled(
                    ok,
                    egui::Button::new(lang.tr("恢复并解锁", "Recover and unlock")),
                )
                .clicked()
                && let Ok(recovery) = parsed
            {
                cmds.push(Command::RecoverUnlock {
                    login: self.login.clone(),
                    recovery,
                    new_passphrase: Passphrase::new(std::mem::take(&mut *self.new1)),
                });
                self.recovery_text = Default::default();
                self.new2 = Default::default();
                self.busy = true;
                self.error = None;
            }
            if ui.button(lang.tr("返回", "Back")).clicked() {
                self.recovery_mode = false;
                self.error = None;
            }
        });
    }
}
