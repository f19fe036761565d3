//! 作废: the reason, then the entry is voided (it stays visible, marked void, with its history).

use egui::{Grid, Key, RichText};

use crate::ledger::documents::DocumentId;
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::{error_text, field_row};

/// 作废: asks for the reason, then voids the entry (it stays visible, marked void).
pub struct VoidDialog {
    id: DocumentId,
    reason: String,
    error: Option<String>,
}

impl VoidDialog {
    pub(super) fn new(id: DocumentId) -> Self {
        Self {
            id,
            reason: String::new(),
            error: None,
        }
    }

    /// The void was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    pub(super) fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        crate::ui::widgets::dialog("void_dialog").show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading(lang.tr("作废登记", "Void the entry"));
            ui.label(
                RichText::new(lang.tr(
                    "作废后该登记仍保留在台账和历史中，只是标为已作废。",
                    "The entry stays in the ledger and its history, marked void.",
                ))
                .weak(),
            );
            Grid::new("void_form").num_columns(2).show(ui, |ui| {
                field_row(ui, lang.tr("作废原因", "Reason"), &mut self.reason, false);
            });
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let ok = !self.reason.trim().is_empty();
                let confirm = ui.add_enabled(ok, egui::Button::new(lang.tr("确认作废", "Void")));
                if ok && (confirm.clicked() || ui.input(|i| i.key_pressed(Key::Enter))) {
                    cmds.push(MainCommand::VoidDocument {
                        id: self.id,
                        reason: self.reason.trim().to_owned(),
                    });
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked()
                    || ui.input(|i| i.key_pressed(Key::Escape))
                {
                    keep = false;
                }
            });
        });
        keep
    }
}
