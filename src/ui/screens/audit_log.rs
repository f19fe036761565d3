//! 审计日志: the latest events of the tamper-evident trail.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use crate::ledger::Session;
use crate::ledger::audit_log::{self, AuditRow};
use crate::ui::i18n::Lang;
use crate::ui::widgets::{error_text, header_cells};

/// Rows shown.
const LIMIT: i64 = 1000;

/// The loaded rows.
#[derive(Default)]
pub struct AuditLogScreen {
    rows: Vec<AuditRow>,
    error: Option<String>,
}

impl AuditLogScreen {
    /// Re-reads the latest events.
    pub fn reload(&mut self, session: &Session) {
        match audit_log::recent(session, LIMIT) {
            Ok(rows) => {
                self.rows = rows;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Draws the table.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session) {
        ui.horizontal(|ui| {
            ui.heading(lang.tr("审计日志", "Audit log"));
            if ui.button(lang.tr("刷新", "Refresh")).clicked() {
                self.reload(session);
            }
        });
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::exact(60.0))
            .column(Column::exact(190.0))
            .column(Column::exact(100.0))
            .column(Column::exact(220.0))
            .column(Column::remainder())
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("序号", "Seq"),
                        lang.tr("时间", "Time"),
                        lang.tr("用户", "User"),
                        lang.tr("操作", "Action"),
                        lang.tr("详情", "Detail"),
                    ],
                );
            })
            .body(|body| {
                body.rows(22.0, self.rows.len(), |mut row| {
                    let r = &self.rows[row.index()];
                    row.col(|ui| {
                        ui.label(r.seq.to_string());
                    });
                    row.col(|ui| {
                        ui.label(crate::ui::i18n::local_time(&r.at));
                    });
                    row.col(|ui| {
                        ui.label(&r.login);
                    });
                    row.col(|ui| {
                        ui.label(crate::ui::i18n::action_label(lang, &r.action));
                    });
                    row.col(|ui| {
                        ui.label(&r.detail_json);
                    });
                });
            });
    }
}
