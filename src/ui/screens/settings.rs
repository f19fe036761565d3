//! 设置: auto-lock delay, language, the signed-in user's passphrase.

use egui::{Grid, Ui};

use super::main_window::MainCommand;
use crate::ui::app::Command;
use crate::ui::i18n::Lang;
use crate::ui::widgets::hint_text;

/// Drafts of the settings form.
pub struct SettingsScreen {
    auto_lock: u32,
    pattern: String,
}

impl SettingsScreen {
    /// The form with the stored auto-lock delay and 文号 pattern.
    pub fn new(auto_lock: u32, pattern: String) -> Self {
        Self { auto_lock, pattern }
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
            let l = ui.label(lang.tr("发文文号格式", "Outgoing number pattern"));
            ui.add(egui::TextEdit::singleline(&mut self.pattern).desired_width(320.0))
                .labelled_by(l.id);
            let problem = crate::domain::numbering::validate_pattern(self.pattern.trim()).err();
            if ui
                .add_enabled(
                    problem.is_none(),
                    egui::Button::new(lang.tr("保存", "Save")),
                )
                .clicked()
            {
                cmds.push(MainCommand::SetOutgoingPattern(
                    self.pattern.trim().to_owned(),
                ));
            }
            ui.end_row();
            ui.label("");
            match problem {
                Some(p) => crate::ui::widgets::error_text(ui, &p.to_string()),
                None => hint_text(
                    ui,
                    &format!(
                        "{}{}",
                        lang.tr("示例：", "Example: "),
                        crate::domain::numbering::format_number(
                            self.pattern.trim(),
                            "某单位",
                            2026,
                            12
                        )
                    ),
                ),
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
