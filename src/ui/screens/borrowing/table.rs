//! The list of the current tab: form number, document, borrower, due date (overdue in red).

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use crate::ui::i18n::Lang;
use crate::ui::widgets::{error_text, header_cells};

use super::{BorrowingScreen, Forms};

impl BorrowingScreen {
    pub(super) fn table_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let mut clicked = None;
        // Up/Down walk the list (not behind the request dialog).
        let mut scroll_to = None;
        if self.dialog.is_none() {
            let selected = self.selected;
            if let Some(row) =
                crate::ui::widgets::walked_row(ui, &self.rows, |b| Some(b.id) == selected)
            {
                clicked = Some(self.rows[row].id);
                scroll_to = Some(row);
            }
        }
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        // Narrower fixed columns when the window is narrow (1024 px), so the table never runs
        // under the detail panel: form no., level, borrower, state, due date.
        let narrow = ui.available_width() < 640.0;
        let w = if narrow {
            [128.0, 40.0, 58.0, 56.0, 124.0]
        } else {
            [156.0, 56.0, 72.0, 72.0, 164.0]
        };
        let mut table = TableBuilder::new(ui);
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, None);
        }
        table
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(w[0]).clip(true))
            .column(Column::remainder().at_least(80.0).clip(true))
            .column(Column::exact(w[1]).clip(true))
            .column(Column::exact(w[2]).clip(true))
            .column(Column::exact(w[3]).clip(true))
            .column(Column::exact(w[4]).clip(true))
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("申请表编号", "Form no."),
                        lang.tr("文件", "Document"),
                        lang.tr("密级", "Level"),
                        lang.tr("借阅人", "Borrower"),
                        lang.tr("状态", "State"),
                        lang.tr("应还日期", "Due"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, self.rows.len(), |mut row| {
                    let b = &self.rows[row.index()];
                    let late = self.overdue(b);
                    row.col(|ui| {
                        if crate::ui::widgets::row_select(
                            ui,
                            self.selected == Some(b.id),
                            &b.form_no,
                        )
                        .clicked()
                        {
                            clicked = Some(b.id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(match lang {
                            Lang::Zh => format!("{}（第{}份）", b.title, b.copy_no),
                            Lang::En => format!("{} (copy {})", b.title, b.copy_no),
                        });
                    });
                    row.col(|ui| {
                        ui.label(lang.label(b.level));
                    });
                    row.col(|ui| {
                        ui.label(&b.borrower_name);
                    });
                    row.col(|ui| {
                        ui.label(lang.label(b.state))
                            .on_hover_text(lang.label(b.state));
                    });
                    row.col(|ui| {
                        let due = b.due_on.map(|d| d.to_string()).unwrap_or_default();
                        if late > 0 {
                            error_text(
                                ui,
                                &match lang {
                                    Lang::Zh => format!("{due} 逾期{late}个工作日"),
                                    Lang::En => format!("{due}, {late} working days late"),
                                },
                            );
                        } else {
                            ui.label(due);
                        }
                    });
                });
            });
        if let Some(id) = clicked {
            if self.selected != Some(id) {
                self.forms = Forms::for_receiver(self.forms.received_by);
            }
            self.selected = Some(id);
            self.error = None;
        }
    }
}
