//! 设置: auto-lock delay, language, the signed-in user's passphrase.

use egui::{Grid, Ui};

use super::main_window::MainCommand;
use crate::ui::app::Command;
use crate::ui::i18n::Lang;
use crate::ui::widgets::hint_text;

/// Drafts of the settings form.
pub struct SettingsScreen {
    auto_lock: u32,
}

impl SettingsScreen {
    /// The form with the stored auto-lock delay.
    pub fn new(auto_lock: u32) -> Self {
        Self { auto_lock }
    }

    /// Draws the form.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        app: &mut Vec<Command>,
        cmds: &mut Vec<MainCommand>,
    ) {
        ui.heading(lang.tr("设置", "Settings"));
        Grid::new("settings").num_columns(3).show(ui, |ui| {
            let l = ui.label(lang.tr("空闲自动锁定（分钟）", "Auto-lock when idle (minutes)"));
            ui.add(egui::DragValue::new(&mut self.auto_lock).range(1..=60))
                .labelled_by(l.id);
            if ui.button(lang.tr("保存", "Save")).clicked() {
                cmds.push(MainCommand::SetAutoLock(self.auto_lock));
            }
            ui.end_row();
            ui.label(lang.tr("界面语言", "Language"));
            ui.horizontal(|ui| {
                if ui.selectable_label(lang == Lang::Zh, "中文").clicked() {
                    app.push(Command::SetLang(Lang::Zh));
                }
                if ui.selectable_label(lang == Lang::En, "English").clicked() {
                    app.push(Command::SetLang(Lang::En));
                }
            });
            ui.end_row();
            ui.label(lang.tr("我的口令", "My passphrase"));
            if ui
                .button(lang.tr("修改口令", "Change passphrase"))
                .clicked()
            {
                cmds.push(MainCommand::OpenPassphraseDialog);
            }
            ui.end_row();
        });
        hint_text(
            ui,
            lang.tr(
                "修改口令只重写密钥文件中您的密钥槽，台账数据不变。",
                "Changing a passphrase rewrites your key slot only; the ledger is untouched.",
            ),
        );
    }
}
