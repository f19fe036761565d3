//! The register as a virtualized, sortable table: only the rows on screen are read, a page of
//! [`PAGE`] at a time; Up/Down walk it.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::DocumentsScreen;
use crate::ledger::Session;
use crate::ledger::documents::{Document, DocumentId};
use crate::ledger::search::{self, SortKey};
use crate::ui::i18n::Lang;
use crate::ui::widgets::sort_header;

/// Rows read from the ledger at a time as the table scrolls.
pub(super) const PAGE: usize = 64;
/// Pages kept in memory before the cache is dropped and refilled.
pub(super) const MAX_PAGES: usize = 48;

impl DocumentsScreen {
    pub(super) fn table_ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session) {
        let mut clicked = None;
        let mut sort_clicked = None;
        // One line per row, whatever the title's length: long text is cut with "…".
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        let columns = [
            (SortKey::ReceiptNo, lang.tr("收文编号", "Receipt no.")),
            (SortKey::DocNo, lang.tr("文号", "Doc no.")),
            (SortKey::Title, lang.tr("标题", "Title")),
            (SortKey::Level, lang.tr("密级", "Marking")),
        ];
        let (sort, ascending) = (self.sort, self.ascending);
        // Up/Down walk the register (not behind an open dialog).
        let mut scroll_to = None;
        if self.dialog.is_none() && self.void_dialog.is_none() {
            let selected = self.selected;
            if let Some(row) =
                crate::ui::widgets::walked_row(ui, &self.ids, |id| Some(*id) == selected)
            {
                clicked = Some(self.ids[row]);
                scroll_to = Some(row);
            }
        }
        let ids = &self.ids;
        let pages = &mut self.pages;
        let selected = self.selected;
        let mut table = TableBuilder::new(ui);
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, None);
        }
        table
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(150.0).clip(true))
            .column(Column::exact(176.0).clip(true))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::exact(92.0).clip(true))
            .header(24.0, |mut h| {
                for (key, title) in columns {
                    h.col(|ui| {
                        if sort_header(ui, title, (sort == key).then_some(ascending)) {
                            sort_clicked = Some(key);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(24.0, ids.len(), |mut row| {
                    let i = row.index();
                    let Some(d) = row_at(session, ids, pages, i) else {
                        row.col(|ui| {
                            ui.label("…");
                        });
                        return;
                    };
                    row.col(|ui| match (&d.receipt_no, d.out_step) {
                        (Some(no), _) => {
                            ui.label(no);
                        }
                        // An outgoing document has no receipt number: say where its flow is.
                        (None, Some(step)) => {
                            ui.label(
                                RichText::new(match lang {
                                    Lang::Zh => format!("发文 · 已{}", step.label_zh()),
                                    Lang::En => format!("outgoing · {}", step.label_zh()),
                                })
                                .weak(),
                            );
                        }
                        (None, None) => {}
                    });
                    row.col(|ui| {
                        ui.label(&d.doc_no);
                    });
                    row.col(|ui| {
                        let title = if d.voided {
                            format!("（已作废）{}", d.title)
                        } else {
                            d.title.clone()
                        };
                        if crate::ui::widgets::row_select(ui, selected == Some(d.id), title)
                            .clicked()
                        {
                            clicked = Some(d.id);
                        }
                    });
                    row.col(|ui| {
                        // The table shows the marking without its note (the panel has it all).
                        ui.label(d.marking.split('（').next().unwrap_or(&d.marking));
                    });
                });
            });
        if let Some(key) = sort_clicked {
            self.click_sort(key);
        }
        if let Some(id) = clicked {
            self.select(session, id);
        }
    }
}

/// Row `i` of the results, reading its page from the vault the first time it is shown.
fn row_at<'a>(
    session: &Session,
    ids: &[DocumentId],
    pages: &'a mut HashMap<usize, Vec<Document>>,
    i: usize,
) -> Option<&'a Document> {
    let page = i / PAGE;
    if !pages.contains_key(&page) {
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        let start = page * PAGE;
        let end = (start + PAGE).min(ids.len());
        let rows = search::documents_by_id(session, &ids[start..end]).ok()?;
        pages.insert(page, rows);
    }
    pages.get(&page)?.get(i % PAGE)
}
