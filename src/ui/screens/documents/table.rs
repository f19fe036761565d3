//! The register as a virtualized, sortable table: only the rows on screen are read, a page of
//! [`PAGE`] at a time; Up/Down walk it.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::DocumentsScreen;
use crate::ledger::Session;
use crate::ledger::documents::{Document, DocumentId};
use crate::ledger::reports::{self, Counts};
use crate::ledger::search::{self, SortKey};
use crate::ui::i18n::Lang;
use crate::ui::widgets::sort_header;

/// Rows read from the ledger at a time as the table scrolls.
pub(super) const PAGE: usize = 64;
/// Pages kept in memory before the cache is dropped and refilled.
pub(super) const MAX_PAGES: usize = 48;

/// A column of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Col {
    ReceiptNo,
    DocNo,
    Title,
    Marking,
    IssuingUnit,
    ReceivedOn,
    Copies,
    Cabinet,
    State,
}

impl Col {
    /// Every column, in the order they stand.
    pub(super) const ALL: [Col; 9] = [
        Col::ReceiptNo,
        Col::DocNo,
        Col::Title,
        Col::Marking,
        Col::IssuingUnit,
        Col::ReceivedOn,
        Col::Copies,
        Col::Cabinet,
        Col::State,
    ];

    /// Which columns keep their place when the window is narrow, most wanted first (the title
    /// always stays).
    const PRIORITY: [Col; 8] = [
        Col::Marking,
        Col::ReceiptNo,
        Col::State,
        Col::DocNo,
        Col::Copies,
        Col::ReceivedOn,
        Col::IssuingUnit,
        Col::Cabinet,
    ];

    /// The column's name in the saved preferences.
    pub(super) fn key(self) -> &'static str {
        match self {
            Col::ReceiptNo => "receipt_no",
            Col::DocNo => "doc_no",
            Col::Title => "title",
            Col::Marking => "marking",
            Col::IssuingUnit => "issuing_unit",
            Col::ReceivedOn => "received_on",
            Col::Copies => "copies",
            Col::Cabinet => "cabinet",
            Col::State => "state",
        }
    }

    pub(super) fn from_key(key: &str) -> Option<Col> {
        Col::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The columns shown until the user chooses: all but 来文单位 and 专柜 (the panel has them).
    pub(super) fn default_set() -> Vec<Col> {
        Col::ALL
            .into_iter()
            .filter(|c| !matches!(c, Col::IssuingUnit | Col::Cabinet))
            .collect()
    }

    pub(super) fn header(self, lang: Lang) -> &'static str {
        match self {
            Col::ReceiptNo => lang.tr("收文编号", "Receipt no."),
            Col::DocNo => lang.tr("文号", "Doc no."),
            Col::Title => lang.tr("标题", "Title"),
            Col::Marking => lang.tr("密级标志", "Marking"),
            Col::IssuingUnit => lang.tr("来文单位", "From"),
            Col::ReceivedOn => lang.tr("收文日期", "Received"),
            Col::Copies => lang.tr("在柜/份数", "In/copies"),
            Col::Cabinet => lang.tr("专柜", "Cabinet"),
            Col::State => lang.tr("收发 · 状态", "Flow · state"),
        }
    }

    /// Its width in points (the title takes what is left, at least [`TITLE_MIN`]).
    fn width(self) -> f32 {
        match self {
            Col::ReceiptNo => 150.0,
            Col::DocNo => 150.0,
            Col::Title => TITLE_MIN,
            Col::Marking => 92.0,
            Col::IssuingUnit => 120.0,
            Col::ReceivedOn => 84.0,
            Col::Copies => 80.0,
            Col::Cabinet => 70.0,
            Col::State => 112.0,
        }
    }

    fn sort(self) -> Option<SortKey> {
        match self {
            Col::ReceiptNo => Some(SortKey::ReceiptNo),
            Col::DocNo => Some(SortKey::DocNo),
            Col::Title => Some(SortKey::Title),
            Col::Marking => Some(SortKey::Level),
            Col::IssuingUnit => Some(SortKey::IssuingUnit),
            Col::ReceivedOn => Some(SortKey::ReceivedOn),
            Col::Copies | Col::Cabinet | Col::State => None,
        }
    }
}

/// The narrowest the title column gets.
const TITLE_MIN: f32 = 150.0;
/// The narrowest a column can be dragged.
pub(super) const MIN_WIDTH: f32 = 40.0;
/// The widest a column can be dragged.
pub(super) const MAX_WIDTH: f32 = 600.0;

/// The chosen columns that fit in `room`, in their order: the title, then the others by
/// priority while they fit (at the width the user gave them, or their own); and the chosen
/// ones left out for lack of room.
pub(super) fn fitting(
    chosen: &[Col],
    widths: &HashMap<Col, f32>,
    room: f32,
) -> (Vec<Col>, Vec<Col>) {
    let mut used = TITLE_MIN + 8.0;
    let mut shown = vec![Col::Title];
    let mut left_out = Vec::new();
    for c in Col::PRIORITY {
        if !chosen.contains(&c) {
            continue;
        }
        let w = widths.get(&c).copied().unwrap_or(c.width()) + 8.0;
        if used + w <= room {
            used += w;
            shown.push(c);
        } else {
            left_out.push(c);
        }
    }
    shown.sort_by_key(|c| Col::ALL.iter().position(|x| x == c));
    (shown, left_out)
}

impl DocumentsScreen {
    /// The "显示列…" menu: which columns the register shows.
    pub(super) fn columns_menu(&mut self, ui: &mut Ui, lang: Lang) {
        ui.menu_button(lang.tr("显示列…", "Columns…"), |ui| {
            for c in Col::ALL {
                if c == Col::Title {
                    continue;
                }
                let mut on = self.columns.contains(&c);
                let mut label = c.header(lang).to_owned();
                if self.left_out.contains(&c) {
                    label.push_str(lang.tr("（窗口较窄，未显示）", " (no room)"));
                }
                if ui.checkbox(&mut on, label).changed() {
                    if on {
                        self.columns.push(c);
                    } else {
                        self.columns.retain(|x| *x != c);
                    }
                }
            }
        });
    }

    pub(super) fn table_ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session) {
        let mut clicked = None;
        let mut sort_clicked = None;
        // One line per row, whatever the title's length: long text is cut with "…" and shown
        // whole on hover.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        if self.columns.is_empty() {
            self.columns = Col::default_set();
        }
        // A margin before the detail panel, so the last column never touches it.
        let (shown, left_out) = fitting(&self.columns, &self.widths, ui.available_width() - 16.0);
        self.left_out = left_out;
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
        let spacing = ui.spacing().item_spacing.x;
        // The title takes the room the others leave; while a column is being dragged it
        // keeps its width (were it to shrink as the column grows, the dragged edge would stay
        // under the pointer's start and the column would run away).
        let dragging = ui.input(|i| i.pointer.primary_down()) && self.title_width.is_some();
        let title_width = match self.title_width {
            Some(w) if dragging => w,
            _ => {
                let others: f32 = shown
                    .iter()
                    .filter(|c| **c != Col::Title)
                    .map(|c| self.widths.get(c).copied().unwrap_or(c.width()) + spacing)
                    .sum();
                (ui.available_width() - 16.0 - others).max(TITLE_MIN)
            }
        };
        self.title_width = Some(title_width);
        let ids = &self.ids;
        let pages = &mut self.pages;
        let counts = &mut self.counts;
        let selected = self.selected;
        let mut table = TableBuilder::new(ui);
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, None);
        }
        table = table
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
        // Every column but the title can be dragged wider or narrower at its right edge; the
        // widths are kept (with the choice of columns) for the next run.
        let widths = &mut self.widths;
        for c in &shown {
            table = table.column(if *c == Col::Title {
                Column::exact(title_width)
            } else {
                Column::initial(widths.get(c).copied().unwrap_or(c.width()))
                    .range(MIN_WIDTH..=MAX_WIDTH)
                    .resizable(true)
                    .clip(true)
            });
        }
        // The set of columns changes the table's stored widths: a new id per set.
        let set: Vec<&str> = shown.iter().map(|c| c.key()).collect();
        table = table.id_salt(set.join(","));
        table
            .header(24.0, |mut h| {
                // Where each cell starts: a column's width is the distance to the next one
                // less the spacing (the cell's own response reaches into its neighbour).
                let mut lefts = Vec::with_capacity(shown.len());
                for c in &shown {
                    let mut sizing = false;
                    let (_, cell) = h.col(|ui| {
                        sizing = ui.is_sizing_pass();
                        match c.sort() {
                            Some(key) => {
                                if sort_header(
                                    ui,
                                    c.header(lang),
                                    (sort == key).then_some(ascending),
                                ) {
                                    sort_clicked = Some(key);
                                }
                            }
                            None => {
                                ui.strong(c.header(lang));
                            }
                        }
                    });
                    lefts.push((*c, cell.rect.left(), sizing));
                }
                // A width the user dragged to (the title's follows the window; the last
                // column has no neighbour to measure against and keeps its own).
                for pair in lefts.windows(2) {
                    let ((c, left, sizing), (_, next, _)) = (pair[0], pair[1]);
                    let w = next - left - spacing;
                    if c != Col::Title
                        && !sizing
                        && (MIN_WIDTH..=MAX_WIDTH).contains(&w)
                        && (w - widths.get(&c).copied().unwrap_or(c.width())).abs() > 0.5
                    {
                        widths.insert(c, w);
                    }
                }
            })
            .body(|body| {
                body.rows(24.0, ids.len(), |mut row| {
                    let i = row.index();
                    let Some(d) = row_at(session, ids, pages, counts, i) else {
                        row.col(|ui| {
                            ui.label("…");
                        });
                        return;
                    };
                    let n = counts.get(&d.id).cloned().unwrap_or_default();
                    for c in &shown {
                        row.col(|ui| match c {
                            Col::ReceiptNo => {
                                ui.label(d.receipt_no.as_deref().unwrap_or("—"));
                            }
                            Col::DocNo => {
                                ui.label(&d.doc_no).on_hover_text(&d.doc_no);
                            }
                            Col::Title => {
                                let mut title = if d.voided {
                                    format!("{}{}", lang.tr("（已作废）", "(void) "), d.title)
                                } else {
                                    d.title.clone()
                                };
                                if d.all_destroyed {
                                    title =
                                        format!("{}{title}", lang.tr("（已销毁）", "(destroyed) "));
                                }
                                if d.held {
                                    title = format!("{}{title}", lang.tr("【冻结】", "[held] "));
                                }
                                let r = crate::ui::widgets::row_select(
                                    ui,
                                    selected == Some(d.id),
                                    title.clone(),
                                );
                                if r.clicked() {
                                    clicked = Some(d.id);
                                }
                                r.on_hover_text(title);
                            }
                            Col::Marking => {
                                // Without its note (the panel and the tooltip have it all).
                                ui.label(d.marking.split('（').next().unwrap_or(&d.marking))
                                    .on_hover_text(&d.marking);
                            }
                            Col::IssuingUnit => {
                                ui.label(&d.issuing_unit).on_hover_text(&d.issuing_unit);
                            }
                            Col::ReceivedOn => {
                                ui.label(d.received_on.as_deref().unwrap_or(""));
                            }
                            Col::Copies => {
                                ui.label(format!("{}/{}", n.in_cabinet, n.total))
                                    .on_hover_text(match lang {
                                        Lang::Zh => format!(
                                            "在柜 {}，借出 {}，外发 {}，共 {} 份",
                                            n.in_cabinet, n.borrowed, n.sent_out, n.total
                                        ),
                                        Lang::En => format!(
                                            "{} in, {} lent, {} sent, {} copies",
                                            n.in_cabinet, n.borrowed, n.sent_out, n.total
                                        ),
                                    });
                            }
                            Col::Cabinet => {
                                ui.label(&n.cabinets).on_hover_text(&n.cabinets);
                            }
                            Col::State => {
                                let text = match (d.voided, d.out_step) {
                                    (true, _) => lang.tr("已作废", "voided").to_owned(),
                                    (false, Some(step)) => match lang {
                                        Lang::Zh => format!("发文 · 已{}", step.label_zh()),
                                        Lang::En => format!("out · {}", step.done_en()),
                                    },
                                    (false, None) => lang.tr("收文", "incoming").to_owned(),
                                };
                                ui.label(RichText::new(&text).weak()).on_hover_text(&text);
                            }
                        });
                    }
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
    counts: &mut HashMap<DocumentId, Counts>,
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
        if pages.is_empty() {
            counts.clear();
        }
        counts.extend(reports::copy_counts_for(session, &ids[start..end]).ok()?);
        pages.insert(page, rows);
    }
    pages.get(&page)?.get(i % PAGE)
}
