//! 工作台: the first screen after unlocking. Counters of later registers join it.

use egui::{Grid, RichText, Ui};

use crate::audit::ChainStatus;
use crate::ledger::{Session, users};
use crate::ui::i18n::Lang;
use crate::ui::widgets::error_text;

/// Figures shown on the dashboard, read once when the section opens.
pub struct Dashboard {
    users: usize,
    documents: i64,
    /// 借阅: waiting for approval, out, overdue.
    borrows: (u32, u32, u32),
    chain: Result<ChainStatus, String>,
    vault_dir: String,
}

impl Dashboard {
    /// Reads the figures.
    pub fn load(session: &Session) -> Self {
        Self {
            users: users::list(session)
                .map(|u| u.iter().filter(|u| u.active).count())
                .unwrap_or(0),
            documents: crate::ledger::stats::counts(session)
                .ok()
                .and_then(|c| c.iter().find(|(k, _)| *k == "documents").map(|(_, v)| *v))
                .unwrap_or(0),
            borrows: crate::ledger::borrowing::counts(session).unwrap_or((0, 0, 0)),
            chain: session.verify_audit().map_err(|e| e.to_string()),
            vault_dir: session.vault().dir().display().to_string(),
        }
    }

    /// Draws it.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, unit: &str) {
        ui.heading(lang.tr("工作台", "Dashboard"));
        let user = session.user();
        Grid::new("dashboard")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                ui.label(lang.tr("单位", "Unit"));
                ui.label(unit);
                ui.end_row();
                ui.label(lang.tr("当前用户", "Signed in"));
                ui.label(format!(
                    "{} · {} · {}",
                    user.name,
                    user.login,
                    lang.role(user.role)
                ));
                ui.end_row();
                ui.label(lang.tr("用户数", "Users"));
                ui.label(self.users.to_string());
                ui.end_row();
                ui.label(lang.tr("台账文件", "Documents"));
                ui.label(self.documents.to_string());
                ui.end_row();
                let (pending, out, overdue) = self.borrows;
                ui.label(lang.tr("借阅待审批", "Borrowing: awaiting approval"));
                ui.label(pending.to_string());
                ui.end_row();
                ui.label(lang.tr("借出中", "On loan"));
                ui.label(out.to_string());
                ui.end_row();
                ui.label(lang.tr("逾期未还", "Overdue"));
                if overdue > 0 {
                    error_text(
                        ui,
                        &match lang {
                            Lang::Zh => format!("{overdue} 份逾期"),
                            Lang::En => format!("{overdue} overdue"),
                        },
                    );
                } else {
                    ui.label("0");
                }
                ui.end_row();
                ui.label(lang.tr("审计链", "Audit chain"));
                match &self.chain {
                    Ok(ChainStatus::Intact { events, .. }) => {
                        ui.label(
                            RichText::new(match lang {
                                Lang::Zh => format!("完整（{events} 条事件）"),
                                Lang::En => format!("intact ({events} events)"),
                            })
                            .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
                        );
                    }
                    Ok(ChainStatus::Broken { first_bad_seq }) => error_text(
                        ui,
                        &match lang {
                            Lang::Zh => format!("断裂：自第 {first_bad_seq} 条事件起无法验证"),
                            Lang::En => format!("broken from event {first_bad_seq}"),
                        },
                    ),
                    Err(e) => error_text(ui, e),
                }
                ui.end_row();
                ui.label(lang.tr("台账库位置", "Vault folder"));
                ui.label(&self.vault_dir);
                ui.end_row();
            });
    }
}
