//! The passphrase change dialog (modal): current, new twice, strength hint.

use egui::{Grid, RichText};
use zeroize::Zeroizing;

use super::main_window::MainCommand;
use crate::domain::passphrase::strength;
use crate::ledger::Passphrase;
use crate::ui::i18n::Lang;
use crate::ui::widgets::{error_text, field_row, new_passphrase_problem, new_passphrase_rows};

/// Drafts of the dialog; zeroized when dropped.
#[derive(Default)]
pub struct PassphraseDialog {
    current: Zeroizing<String>,
    new1: Zeroizing<String>,
    new2: Zeroizing<String>,
    error: Option<String>,
    busy: bool,
    /// First sign-in on a passphrase someone else chose: the dialog cannot be cancelled, only
    /// left by locking.
    required: bool,
    /// The user chose to lock instead (first sign-in).
    pub lock_requested: bool,
    /// Required because the passphrase is this many days old (past the office's limit), not
    /// because someone else chose it.
    expired: Option<i64>,
}

impl PassphraseDialog {
    /// The dialog of a first sign-in: the passphrase was chosen by someone else and must be
    /// replaced before anything else.
    pub fn first_sign_in() -> Self {
        Self {
            required: true,
            ..Self::default()
        }
    }

    /// The dialog at a sign-in with a passphrase past the office's limit (R3.3.1).
    pub fn expired(days: i64) -> Self {
        Self {
            required: true,
            expired: Some(days),
            ..Self::default()
        }
    }

    /// The change was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
        self.busy = false;
    }

    /// Draws the dialog; returns false once it should close.
    pub fn ui(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) -> bool {
        let mut keep = true;
        // Esc closes an open drop-down first, never the dialog with its drafts.
        let popup_open = egui::Popup::is_any_open(ctx);
        crate::ui::widgets::dialog("passphrase_dialog").show(ctx, |ui| {
            ui.set_width(440.0);
            if let Some(days) = self.expired {
                ui.heading(lang.tr("口令已到期：请设置新口令", "Passphrase expired: choose a new one"));
                ui.label(match lang {
                    Lang::Zh => format!(
                        "您的口令已使用 {days} 天，超过本单位规定的期限（R3.3.1 定期更换）。请在“当前口令”中输入它，再设置新口令；修改之前，此账户不能登记或审批任何事项。"
                    ),
                    Lang::En => format!(
                        "Your passphrase is {days} days old, past the office's limit (R3.3.1). Type it as the current passphrase and choose a new one; until then the account can neither record nor approve anything."
                    ),
                });
            } else if self.required {
                ui.heading(lang.tr("首次登录：请设置您自己的口令", "First sign-in: set your own passphrase"));
                ui.label(lang.tr(
                    "您现在的口令是开通账户时由他人设置的一次性口令。请在“当前口令”中输入它，再设置只有您知道的新口令；修改之前，此账户不能登记或审批任何事项。",
                    "Your passphrase is the one-time passphrase someone else set when opening the account. Type it as the current passphrase and choose one only you know; until then the account can neither record nor approve anything.",
                ));
            } else {
                ui.heading(lang.tr("修改口令", "Change passphrase"));
            }
            Grid::new("pass_dialog").num_columns(2).show(ui, |ui| {
                field_row(
                    ui,
                    lang.tr("当前口令", "Current passphrase"),
                    &mut self.current,
                    true,
                );
                new_passphrase_rows(ui, lang, &mut self.new1, &mut self.new2);
            });
            let s = strength(&self.new1);
            ui.label(RichText::new(format!(
                "{}{}",
                lang.tr("口令强度：", "Strength: "),
                match lang {
                    Lang::Zh => s.label_zh(),
                    Lang::En => s.label_en(),
                }
            )));
            let problem = if self.current.is_empty() {
                Some(lang.tr("请输入当前口令", "Enter the current passphrase"))
            } else {
                new_passphrase_problem(lang, &self.new1, &self.new2)
            };
            if let Some(p) = problem {
                ui.label(RichText::new(p).weak());
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            if self.busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(lang.tr("正在修改口令…", "Changing the passphrase…"));
                });
            }
            ui.horizontal(|ui| {
                let ready = problem.is_none() && !self.busy;
                if ui
                    .add_enabled(ready, egui::Button::new(lang.tr("确定", "OK")))
                    .clicked()
                    // Enter confirms, as in every other form.
                    || (ready && ui.input(|i| i.key_pressed(egui::Key::Enter)) && !popup_open)
                {
                    cmds.push(MainCommand::ChangePassphrase {
                        current: Passphrase::new(std::mem::take(&mut *self.current)),
                        new: Passphrase::new((*self.new1).clone()),
                    });
                    self.error = None;
                    self.busy = true;
                }
                if self.required {
                    if ui.button(lang.tr("锁定", "Lock")).clicked() {
                        self.lock_requested = true;
                    }
                } else if ui.button(lang.tr("取消", "Cancel")).clicked()
                    || (ui.input(|i| i.key_pressed(egui::Key::Escape)) && !popup_open)
                {
                    keep = false;
                }
            });
        });
        keep
    }
}
