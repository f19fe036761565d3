//! 文件台账: the ledger of documents — search and filter bar, a virtualized sortable table that
//! reads only the rows it shows, a detail panel (marking, copies and where each one is, each
//! copy's history, the edit history), and the 收文登记 / 修改登记 / 作废 dialogs.
//! Ctrl+F searches, Ctrl+N registers, Enter saves a dialog, Esc closes it.

use std::collections::HashMap;

use chrono::NaiveDate;
use egui::{Grid, Key, Modifiers, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::main_window::MainCommand;
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::numbering::parse_copy_numbers;
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet, CabinetId};
use crate::ledger::documents::{
    self, Copy, CopyEvent, CopyId, Document, DocumentEdit, DocumentId, IncomingInput, Revision,
};
use crate::ledger::people::{self, Person, PersonId};
use crate::ledger::search::{self, Filters, Query, SortKey};
use crate::ui::i18n::{Lang, local_time};
use crate::ui::widgets::{combo_row, error_text, field_row, filter_combo, sort_header};

/// Rows read from the vault at a time as the table scrolls.
const PAGE: usize = 64;
/// Pages kept in memory before the cache is dropped and refilled.
const MAX_PAGES: usize = 48;

/// What the detail panel shows about the selected document.
struct Detail {
    doc: Document,
    copies: Vec<Copy>,
    revisions: Vec<Revision>,
    /// The copy whose history is open, and that history.
    history: Option<(CopyId, Vec<CopyEvent>)>,
}

/// The screen's view state.
#[derive(Default)]
pub struct DocumentsScreen {
    query: String,
    filters: Filters,
    sort: SortKey,
    ascending: bool,
    /// The query the ids below answer.
    shown: Option<Query>,
    ids: Vec<DocumentId>,
    pages: HashMap<usize, Vec<Document>>,
    years: Vec<i32>,
    selected: Option<DocumentId>,
    detail: Option<Detail>,
    cabinets: Vec<Cabinet>,
    people: Vec<Person>,
    error: Option<String>,
    focus_search: bool,
    /// The registration or edit dialog, when open.
    pub dialog: Option<RegisterDialog>,
    /// The void dialog, when open.
    pub void_dialog: Option<VoidDialog>,
    custody: CustodyForm,
}

impl DocumentsScreen {
    fn current_query(&self) -> Query {
        Query {
            text: self.query.trim().to_owned(),
            filters: self.filters.clone(),
            sort: self.sort,
            ascending: self.ascending,
        }
    }

    /// Re-reads cabinets, people and years, then the matching ids.
    pub fn reload(&mut self, session: &Session) {
        let result = cabinets::list(session).and_then(|cabinets| {
            Ok((cabinets, people::list(session)?, documents::years(session)?))
        });
        match result {
            Ok((cabinets, people, years)) => {
                self.cabinets = cabinets;
                self.people = people;
                self.years = years;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.refresh(session);
    }

    /// Re-reads the ids matching the current search, and the selected document.
    fn refresh(&mut self, session: &Session) {
        let q = self.current_query();
        match search::search_ids(session, &q) {
            Ok(ids) => self.ids = ids,
            Err(e) => {
                self.ids.clear();
                self.error = Some(e.to_string());
            }
        }
        self.pages.clear();
        self.shown = Some(q);
        self.load_detail(session);
    }

    /// Whether a dialog of this screen is open.
    pub fn dialog_open(&self) -> bool {
        self.dialog.is_some() || self.void_dialog.is_some()
    }

    /// Opens the 收文登记 dialog (Ctrl+N from anywhere).
    pub fn open_register(&mut self, session: &Session) {
        self.dialog = Some(RegisterDialog::new(session));
    }

    /// After a custody change: clear its form, re-read the copy and its history.
    pub fn custody_done(&mut self, session: &Session) {
        self.custody = CustodyForm::default();
        self.load_detail(session);
    }

    /// Selects a document (after registering it, for instance).
    pub fn select(&mut self, session: &Session, id: DocumentId) {
        self.selected = Some(id);
        self.load_detail(session);
    }

    fn load_detail(&mut self, session: &Session) {
        let history = self
            .detail
            .as_ref()
            .and_then(|d| d.history.as_ref())
            .map(|h| h.0);
        self.detail = self.selected.and_then(|id| {
            let doc = documents::get(session, id).ok()?;
            let copies = documents::copies(session, id).unwrap_or_default();
            let history = history
                .filter(|c| copies.iter().any(|k| k.id == *c))
                .map(|c| (c, documents::copy_history(session, c).unwrap_or_default()));
            Some(Detail {
                doc,
                copies,
                revisions: documents::revisions(session, id).unwrap_or_default(),
                history,
            })
        });
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            self.focus_search = true;
        }
        ui.horizontal(|ui| {
            ui.heading(lang.tr("文件台账", "Document ledger"));
            if ui
                .button(lang.tr("收文登记", "Register incoming"))
                .clicked()
            {
                self.dialog = Some(RegisterDialog::new(session));
            }
            let l = ui.label(lang.tr("搜索", "Search"));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.query)
                        .desired_width(260.0)
                        .hint_text(lang.tr("标题、文号、来文单位…", "title, number, unit…")),
                )
                .labelled_by(l.id);
            if self.focus_search {
                r.request_focus();
                self.focus_search = false;
            }
        });
        self.filter_bar(ui, lang);
        if self.shown.is_none() {
            self.reload(session);
        } else if self.shown.as_ref() != Some(&self.current_query()) {
            self.refresh(session);
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        ui.label(
            RichText::new(format!(
                "{} {}",
                self.ids.len(),
                lang.tr("份文件", "documents")
            ))
            .weak(),
        );
        egui::Panel::right("document_detail")
            .exact_size(280.0)
            .show(ui, |ui| {
                // Long values wrap inside the panel: content wider than the panel would
                // widen the table beside it.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical().show(ui, |ui| self.detail_ui(ui, lang, session, cmds));
            });
        self.table_ui(ui, lang, session);
        let ctx = ui.ctx().clone();
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, &self.cabinets, &self.people, cmds)
        {
            self.dialog = None;
        }
        if let Some(d) = &mut self.void_dialog
            && !d.ui(&ctx, lang, cmds)
        {
            self.void_dialog = None;
        }
    }

    fn filter_bar(&mut self, ui: &mut Ui, lang: Lang) {
        let all = lang.tr("全部", "All");
        ui.horizontal_wrapped(|ui| {
            let f = &mut self.filters;
            filter_combo(
                ui,
                lang.tr("密级", "Level"),
                "filter_level",
                f.level.map_or(all, |l| l.label_zh()),
                |ui| {
                    ui.selectable_value(&mut f.level, None, all);
                    for l in Level::ALL {
                        ui.selectable_value(&mut f.level, Some(l), l.label_zh());
                    }
                },
            );
            filter_combo(
                ui,
                lang.tr("状态", "State"),
                "filter_state",
                f.state.map_or(all, |s| s.label_zh()),
                |ui| {
                    ui.selectable_value(&mut f.state, None, all);
                    for s in CopyState::ALL {
                        ui.selectable_value(&mut f.state, Some(s), s.label_zh());
                    }
                },
            );
            let cab = f
                .cabinet
                .and_then(|id| self.cabinets.iter().find(|c| c.id == id))
                .map_or(all.to_owned(), |c| c.code.clone());
            filter_combo(
                ui,
                lang.tr("专柜", "Cabinet"),
                "filter_cabinet",
                &cab,
                |ui| {
                    ui.selectable_value(&mut f.cabinet, None, all);
                    for c in &self.cabinets {
                        ui.selectable_value(&mut f.cabinet, Some(c.id), &c.code);
                    }
                },
            );
            let year = f.year.map_or(all.to_owned(), |y| y.to_string());
            filter_combo(ui, lang.tr("年度", "Year"), "filter_year", &year, |ui| {
                ui.selectable_value(&mut f.year, None, all);
                for y in &self.years {
                    ui.selectable_value(&mut f.year, Some(*y), y.to_string());
                }
            });
            filter_combo(
                ui,
                lang.tr("类别", "Category"),
                "filter_category",
                f.category.map_or(all, |c| c.label_zh()),
                |ui| {
                    ui.selectable_value(&mut f.category, None, all);
                    for c in Category::ALL {
                        ui.selectable_value(&mut f.category, Some(c), c.label_zh());
                    }
                },
            );
            let dir_label = |d: Option<&str>| match d {
                Some("incoming") => lang.tr("收文", "Incoming"),
                Some(_) => lang.tr("发文", "Outgoing"),
                None => all,
            };
            filter_combo(
                ui,
                lang.tr("收发", "Direction"),
                "filter_direction",
                dir_label(f.direction),
                |ui| {
                    for d in [None, Some("incoming"), Some("outgoing")] {
                        ui.selectable_value(&mut f.direction, d, dir_label(d));
                    }
                },
            );
            if *f != Filters::default() && ui.button(lang.tr("清除筛选", "Clear")).clicked() {
                *f = Filters::default();
            }
        });
    }

    /// Sorting: a first click sorts ascending, a second descending, a third goes back to the
    /// ranked order.
    fn click_sort(&mut self, key: SortKey) {
        if self.sort != key {
            self.sort = key;
            self.ascending = true;
        } else if self.ascending {
            self.ascending = false;
        } else {
            self.sort = SortKey::Relevance;
        }
    }

    fn table_ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session) {
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

    fn person_name(&self, id: Option<PersonId>) -> String {
        id.and_then(|id| self.people.iter().find(|p| p.id == id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    fn detail_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        cmds: &mut Vec<MainCommand>,
    ) {
        let Some(detail) = &self.detail else {
            ui.label(RichText::new(lang.tr("选择一份文件查看详情", "Select a document")).weak());
            return;
        };
        let d = &detail.doc;
        ui.heading(RichText::new(&d.marking).color(egui::Color32::from_rgb(0xc0, 0x1c, 0x28)));
        ui.label(RichText::new(&d.title).strong());
        if d.voided {
            error_text(
                ui,
                &format!(
                    "{}{}",
                    lang.tr("已作废：", "Voided: "),
                    d.void_reason.as_deref().unwrap_or("")
                ),
            );
        }
        let ends = NaiveDate::parse_from_str(&d.dated, "%Y-%m-%d")
            .ok()
            .and_then(|dated| d.period.ends_on(d.level, dated))
            .map(|e| e.to_string())
            .unwrap_or_else(|| "—".into());
        Grid::new("doc_detail").num_columns(2).show(ui, |ui| {
            for (k, v) in [
                (
                    lang.tr("收文编号", "Receipt no."),
                    d.receipt_no.clone().unwrap_or_default(),
                ),
                (lang.tr("文号", "Doc no."), d.doc_no.clone()),
                (lang.tr("来文单位", "From"), d.issuing_unit.clone()),
                (lang.tr("类别", "Category"), d.category.label_zh().into()),
                (lang.tr("成文日期", "Dated"), d.dated.clone()),
                (
                    lang.tr("收文日期", "Received"),
                    d.received_on.clone().unwrap_or_default(),
                ),
                (
                    lang.tr("签收人", "Signed for by"),
                    self.person_name(d.signed_for_by),
                ),
                (lang.tr("解密日期", "Declassified on"), ends),
                (lang.tr("页数", "Pages"), d.pages.to_string()),
                (lang.tr("附件数", "Attachments"), d.attachments.to_string()),
                (lang.tr("知悉范围", "Who may read"), d.readers.clone()),
                (lang.tr("备注", "Remarks"), d.remarks.clone()),
            ] {
                if !v.is_empty() {
                    ui.add(egui::Label::new(k).extend());
                    ui.add(egui::Label::new(v).wrap());
                    ui.end_row();
                }
            }
        });
        if !d.voided {
            ui.horizontal(|ui| {
                if ui.button(lang.tr("打印份号标签", "Print labels")).clicked() {
                    cmds.push(MainCommand::PrintLabels {
                        id: d.id,
                        file: None,
                    });
                }
                if ui
                    .button(lang.tr("标签另存为 PDF", "Labels to PDF"))
                    .clicked()
                {
                    let home = dirs::home_dir().unwrap_or_default();
                    let name = d.receipt_no.clone().unwrap_or_else(|| d.doc_no.clone());
                    cmds.push(MainCommand::PrintLabels {
                        id: d.id,
                        file: Some(home.join(format!("份号标签-{name}.pdf"))),
                    });
                }
            });
            ui.horizontal(|ui| {
                if ui.button(lang.tr("修改登记", "Edit")).clicked() {
                    self.dialog = Some(RegisterDialog::edit(d));
                }
                if ui.button(lang.tr("作废", "Void")).clicked() {
                    self.void_dialog = Some(VoidDialog::new(d.id));
                }
            });
        }
        ui.separator();
        ui.label(RichText::new(lang.tr("份号与去向", "Copies")).strong());
        let mut open_history = None;
        for c in &detail.copies {
            let place = match c
                .cabinet
                .and_then(|id| self.cabinets.iter().find(|k| k.id == id))
            {
                Some(k) => format!("{} {}", k.code, k.location),
                None => {
                    let holder = self.person_name(c.holder);
                    format!("{holder} {}", c.place).trim().to_owned()
                }
            };
            let open = detail.history.as_ref().is_some_and(|h| h.0 == c.id);
            if ui
                .selectable_label(
                    open,
                    if place.is_empty() {
                        format!("第{}份 · {}", c.copy_no, c.state.label_zh())
                    } else {
                        format!("第{}份 · {} · {}", c.copy_no, c.state.label_zh(), place)
                    },
                )
                .clicked()
            {
                open_history = Some((c.id, open));
            }
        }
        if let Some((copy, _, events)) = detail.history.as_ref().and_then(|(id, ev)| {
            detail
                .copies
                .iter()
                .find(|c| c.id == *id)
                .map(|c| (c, id, ev))
        }) {
            ui.label(
                RichText::new(format!(
                    "{}{}{}",
                    lang.tr("第", "Copy "),
                    copy.copy_no,
                    lang.tr("份的经历", " history")
                ))
                .strong(),
            );
            for e in events {
                let place = e
                    .cabinet
                    .and_then(|id| self.cabinets.iter().find(|k| k.id == id))
                    .map(|k| k.code.clone())
                    .unwrap_or_else(|| format!("{} {}", self.person_name(e.holder), e.place));
                let at = local_time(&e.at);
                let line = [at.as_str(), e.to.label_zh(), place.trim(), e.note.as_str()]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                ui.label(RichText::new(line).small());
            }
        }
        let custody_for = detail.history.as_ref().and_then(|(id, _)| {
            detail
                .copies
                .iter()
                .find(|c| c.id == *id)
                .map(|c| (c.id, c.state))
        });
        if let Some((copy, state)) = custody_for
            && !detail.doc.voided
        {
            let level = detail.doc.level;
            custody_form(
                ui,
                lang,
                &mut self.custody,
                (copy, state, level),
                &self.cabinets,
                cmds,
            );
        }
        let Some(detail) = &self.detail else { return };
        if !detail.revisions.is_empty() {
            ui.separator();
            ui.label(RichText::new(lang.tr("修改记录", "Edit history")).strong());
            for r in &detail.revisions {
                ui.label(RichText::new(format!("{} · {}", local_time(&r.at), r.reason)).small());
                for (col, old, new) in &r.changes {
                    ui.label(
                        RichText::new(format!(
                            "  {}：{} → {}",
                            documents::field_label_zh(col),
                            old.as_deref().unwrap_or("（空）"),
                            new.as_deref().unwrap_or("（空）")
                        ))
                        .small()
                        .weak(),
                    );
                }
            }
        }
        if let Some((copy, was_open)) = open_history
            && let Some(d) = &mut self.detail
        {
            d.history = if was_open {
                None
            } else {
                Some((
                    copy,
                    documents::copy_history(session, copy).unwrap_or_default(),
                ))
            };
        }
    }
}

/// Drafts of a custody change of the open copy (变更去向).
#[derive(Default)]
pub struct CustodyForm {
    to: Option<CopyState>,
    cabinet: Option<CabinetId>,
    place: String,
    note: String,
}

/// R3.1.1: moves a copy along a legal transition other than borrowing (借阅 screen) and
/// sending out (发文 screen): lost, found again, returned to the sender, destroyed, declassified…
fn custody_form(
    ui: &mut Ui,
    lang: Lang,
    f: &mut CustodyForm,
    (copy, state, level): (CopyId, CopyState, Level),
    cabinets: &[Cabinet],
    cmds: &mut Vec<MainCommand>,
) {
    let choices: Vec<CopyState> = state
        .next_states()
        .iter()
        .copied()
        .filter(|s| !matches!(s, CopyState::Borrowed | CopyState::SentOut))
        .collect();
    if choices.is_empty() {
        return;
    }
    ui.label(RichText::new(lang.tr("变更去向", "Custody change")).strong());
    if f.to.is_none_or(|t| !choices.contains(&t)) {
        f.to = None;
    }
    Grid::new("custody_form").num_columns(2).show(ui, |ui| {
        combo_row(
            ui,
            lang.tr("变为", "To"),
            "custody_to",
            f.to.map_or("", |t| t.label_zh()),
            |ui| {
                for c in &choices {
                    ui.selectable_value(&mut f.to, Some(*c), c.label_zh());
                }
            },
        );
        if f.to == Some(CopyState::InCabinet) {
            let code = f
                .cabinet
                .and_then(|id| cabinets.iter().find(|c| c.id == id))
                .map(|c| c.code.clone())
                .unwrap_or_default();
            combo_row(
                ui,
                lang.tr("入柜", "Cabinet"),
                "custody_cabinet",
                &code,
                |ui| {
                    for c in cabinets
                        .iter()
                        .filter(|c| !c.retired && c.rules().may_hold(level).is_ok())
                    {
                        ui.selectable_value(&mut f.cabinet, Some(c.id), &c.code);
                    }
                },
            );
        } else {
            field_row(ui, lang.tr("去向", "Where"), &mut f.place, false);
        }
        field_row(ui, lang.tr("说明", "Note"), &mut f.note, false);
    });
    let ready = f.to.is_some() && !f.note.trim().is_empty();
    if ui
        .add_enabled(ready, egui::Button::new(lang.tr("登记去向", "Record")))
        .clicked()
        && let Some(to) = f.to
    {
        cmds.push(MainCommand::MoveCopy {
            copy,
            mv: Box::new(documents::CopyMove {
                to,
                cabinet: f.cabinet,
                holder: None,
                place: f.place.clone(),
                note: f.note.clone(),
            }),
        });
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

/// Whether the dialog registers a new document or corrects one.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Register,
    Edit(DocumentId),
}

/// Drafts of the 收文登记 / 修改登记 form, validated as the custodian types.
pub struct RegisterDialog {
    mode: Mode,
    /// An outgoing document has no receipt date, signer or issuing unit.
    outgoing: bool,
    received_on: String,
    signed_for_by: Option<PersonId>,
    issuing_unit: String,
    doc_no: String,
    title: String,
    category: Category,
    level: Level,
    period_kind: &'static str,
    period_value: String,
    dated: String,
    pages: String,
    attachments: String,
    copy_numbers: String,
    cabinet: Option<CabinetId>,
    readers: String,
    remarks: String,
    reason: String,
    error: Option<String>,
    /// The title takes the keyboard focus once, when the dialog opens (focusing every frame
    /// would break an input method's composition).
    focus_title: bool,
}

const PERIOD_KINDS: [(&str, &str); 6] = [
    ("years", "年"),
    ("months", "个月"),
    ("until", "截至日期"),
    ("condition", "解密条件"),
    ("long_term", "长期"),
    ("unspecified", "未标明（按法定最长期限）"),
];

/// The fields both forms share, read and checked.
struct Described {
    dated: NaiveDate,
    period: SecrecyPeriod,
    pages: u32,
    attachments: u32,
}

impl RegisterDialog {
    fn new(session: &Session) -> Self {
        let today = session.clock().now().date_naive().to_string();
        Self {
            mode: Mode::Register,
            outgoing: false,
            received_on: today.clone(),
            signed_for_by: Some(session.user().person_id),
            issuing_unit: String::new(),
            doc_no: String::new(),
            title: String::new(),
            category: Category::Policy,
            level: Level::Jimi,
            period_kind: "unspecified",
            period_value: String::new(),
            dated: today,
            pages: String::new(),
            attachments: "0".into(),
            copy_numbers: "1".into(),
            cabinet: None,
            readers: String::new(),
            remarks: String::new(),
            reason: String::new(),
            error: None,
            focus_title: true,
        }
    }

    fn edit(d: &Document) -> Self {
        let (kind, value) = d.period.to_parts();
        let kind = PERIOD_KINDS
            .iter()
            .map(|k| k.0)
            .find(|k| *k == kind)
            .unwrap_or("unspecified");
        Self {
            mode: Mode::Edit(d.id),
            outgoing: d.direction == "outgoing",
            received_on: d.received_on.clone().unwrap_or_default(),
            signed_for_by: d.signed_for_by,
            issuing_unit: d.issuing_unit.clone(),
            doc_no: d.doc_no.clone(),
            title: d.title.clone(),
            category: d.category,
            level: d.level,
            period_kind: kind,
            period_value: value,
            dated: d.dated.clone(),
            pages: d.pages.to_string(),
            attachments: d.attachments.to_string(),
            copy_numbers: String::new(),
            cabinet: None,
            readers: d.readers.clone(),
            remarks: d.remarks.clone(),
            reason: String::new(),
            error: None,
            focus_title: true,
        }
    }

    /// The save was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    fn described(&self) -> Result<Described, String> {
        let (dated, period, pages) = parse_common(
            &self.title,
            &self.dated,
            (self.period_kind, &self.period_value),
            self.level,
            &self.pages,
        )?;
        let attachments: u32 = self
            .attachments
            .trim()
            .parse()
            .map_err(|_| "附件数请填写数字".to_owned())?;
        Ok(Described {
            dated,
            period,
            pages,
            attachments,
        })
    }

    fn input(&self) -> Result<IncomingInput, String> {
        let d = self.described()?;
        let cabinet = self.cabinet.ok_or("请选择存放专柜")?;
        Ok(IncomingInput {
            received_on: parse_date(&self.received_on, "收文日期")?,
            signed_for_by: self.signed_for_by.ok_or("请选择签收人")?,
            issuing_unit: self.issuing_unit.clone(),
            doc_no: self.doc_no.clone(),
            title: self.title.clone(),
            category: self.category,
            level: self.level,
            period: d.period,
            dated: d.dated,
            pages: d.pages,
            attachments: d.attachments,
            copy_numbers: parse_copy_numbers(&self.copy_numbers)?,
            cabinet,
            readers: self.readers.clone(),
            remarks: self.remarks.clone(),
        })
    }

    fn edited(&self) -> Result<DocumentEdit, String> {
        let d = self.described()?;
        let received_on = if self.outgoing {
            None
        } else {
            Some(parse_date(&self.received_on, "收文日期")?)
        };
        if self.reason.trim().is_empty() {
            return Err("请填写修改原因".into());
        }
        Ok(DocumentEdit {
            title: self.title.clone(),
            doc_no: self.doc_no.clone(),
            issuing_unit: self.issuing_unit.clone(),
            category: self.category,
            level: self.level,
            period: d.period,
            dated: d.dated,
            received_on,
            signed_for_by: self.signed_for_by,
            pages: d.pages,
            attachments: d.attachments,
            readers: self.readers.clone(),
            remarks: self.remarks.clone(),
        })
    }

    /// The command the form would send now, or what is still missing.
    fn command(&self) -> Result<(MainCommand, String), String> {
        match self.mode {
            Mode::Register => {
                let i = self.input()?;
                let m = marking(i.level, &i.period);
                Ok((MainCommand::RegisterIncoming(Box::new(i)), m))
            }
            Mode::Edit(id) => {
                let e = self.edited()?;
                let m = marking(e.level, &e.period);
                Ok((
                    MainCommand::EditDocument {
                        id,
                        edit: Box::new(e),
                        reason: self.reason.trim().to_owned(),
                    },
                    m,
                ))
            }
        }
    }

    fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        cabinets: &[Cabinet],
        people: &[Person],
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        // Esc closes an open drop-down first, never the dialog with its drafts.
        let popup_open = egui::Popup::is_any_open(ctx);
        let registering = self.mode == Mode::Register;
        // The cabinet defaults to the first one designated for the level (R3.1.1); a level
        // change that the chosen cabinet cannot hold moves the choice too.
        let fits = |c: &Cabinet| !c.retired && c.rules().may_hold(self.level).is_ok();
        if registering
            && self
                .cabinet
                .and_then(|id| cabinets.iter().find(|c| c.id == id))
                .is_none_or(|c| !fits(c))
        {
            self.cabinet = cabinets.iter().find(|c| fits(c)).map(|c| c.id);
        }
        egui::Modal::new(egui::Id::unique("register_dialog")).show(ctx, |ui| {
            ui.set_width(620.0);
            ui.heading(if registering {
                lang.tr("收文登记", "Register incoming document")
            } else {
                lang.tr("修改登记", "Edit registration")
            });
            egui::ScrollArea::vertical()
                .max_height(520.0)
                .show(ui, |ui| {
                    Grid::new("register_form")
                        .num_columns(2)
                        .show(ui, |ui| self.form_rows(ui, lang, cabinets, people));
                });
            let command = self.command();
            match &command {
                Ok((_, m)) => {
                    ui.label(
                        RichText::new(format!("{}{m}", lang.tr("密级标志：", "Marking: ")))
                            .strong(),
                    );
                }
                Err(p) => {
                    ui.label(RichText::new(p).weak());
                }
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let label = if registering {
                    lang.tr("登记", "Register")
                } else {
                    lang.tr("保存修改", "Save")
                };
                let save = ui.add_enabled(command.is_ok(), egui::Button::new(label));
                if (save.clicked() || ui.input(|i| i.key_pressed(Key::Enter)) && !popup_open)
                    && let Ok((cmd, _)) = command
                {
                    cmds.push(cmd);
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked()
                    || (ui.input(|i| i.key_pressed(Key::Escape)) && !popup_open)
                {
                    keep = false;
                }
            });
        });
        keep
    }

    fn form_rows(&mut self, ui: &mut Ui, lang: Lang, cabinets: &[Cabinet], people: &[Person]) {
        let title = field_row(ui, lang.tr("标题", "Title"), &mut self.title, false);
        if self.focus_title {
            title.request_focus();
            self.focus_title = false;
        }
        if !self.outgoing {
            field_row(
                ui,
                lang.tr("来文单位", "Issuing unit"),
                &mut self.issuing_unit,
                false,
            );
            field_row(
                ui,
                lang.tr("原文号", "Original number"),
                &mut self.doc_no,
                false,
            );
        }
        level_period_rows(
            ui,
            lang,
            &mut self.level,
            &mut self.period_kind,
            &mut self.period_value,
        );
        category_row(ui, lang, &mut self.category);
        field_row(ui, lang.tr("成文日期", "Dated"), &mut self.dated, false);
        if !self.outgoing {
            field_row(
                ui,
                lang.tr("收文日期", "Received on"),
                &mut self.received_on,
                false,
            );
            let signer = self
                .signed_for_by
                .and_then(|id| people.iter().find(|p| p.id == id))
                .map(|p| p.name.clone())
                .unwrap_or_default();
            combo_row(
                ui,
                lang.tr("签收人", "Signed for by"),
                "signer",
                &signer,
                |ui| {
                    for p in people.iter().filter(|p| p.active) {
                        ui.selectable_value(&mut self.signed_for_by, Some(p.id), &p.name);
                    }
                },
            );
        }
        field_row(ui, lang.tr("页数", "Pages"), &mut self.pages, false);
        field_row(
            ui,
            lang.tr("附件数", "Attachments"),
            &mut self.attachments,
            false,
        );
        if self.mode == Mode::Register {
            field_row(
                ui,
                lang.tr("份号", "Copy numbers"),
                &mut self.copy_numbers,
                false,
            );
            let cab = self
                .cabinet
                .and_then(|id| cabinets.iter().find(|c| c.id == id))
                .map(|c| c.code.clone())
                .unwrap_or_default();
            let level = self.level;
            combo_row(
                ui,
                lang.tr("存放专柜", "Cabinet"),
                "cabinet",
                &cab,
                |ui| {
                    for c in cabinets
                        .iter()
                        .filter(|c| !c.retired && c.rules().may_hold(level).is_ok())
                    {
                        ui.selectable_value(
                            &mut self.cabinet,
                            Some(c.id),
                            format!("{} {}", c.code, c.location),
                        );
                    }
                },
            );
        }
        field_row(
            ui,
            lang.tr("知悉范围", "Who may read"),
            &mut self.readers,
            false,
        );
        field_row(ui, lang.tr("备注", "Remarks"), &mut self.remarks, false);
        if self.mode != Mode::Register {
            field_row(
                ui,
                lang.tr("修改原因", "Reason for the edit"),
                &mut self.reason,
                false,
            );
        }
    }
}

/// What every registration form asks the same way: a title, 成文日期, the secrecy period
/// (checked against the level) and the number of pages.
pub(super) fn parse_common(
    title: &str,
    dated: &str,
    (period_kind, period_value): (&str, &str),
    level: Level,
    pages: &str,
) -> Result<(NaiveDate, SecrecyPeriod, u32), String> {
    if title.trim().is_empty() {
        return Err("请填写标题".into());
    }
    let dated = parse_date(dated, "成文日期")?;
    let period = parse_period(period_kind, period_value, level, dated)?;
    let pages: u32 = pages
        .trim()
        .parse()
        .map_err(|_| "页数请填写数字".to_owned())?;
    Ok((dated, period, pages))
}

/// The period a form describes, checked against the level (内部敏感 has none).
pub(super) fn parse_period(
    kind: &str,
    value: &str,
    level: Level,
    dated: NaiveDate,
) -> Result<SecrecyPeriod, String> {
    let period = match kind {
        "years" | "months" => {
            let n: u16 = value
                .trim()
                .parse()
                .map_err(|_| "保密期限请填写数字".to_owned())?;
            if kind == "years" {
                SecrecyPeriod::Years(n)
            } else {
                SecrecyPeriod::Months(n)
            }
        }
        "until" => SecrecyPeriod::Until(parse_date(value, "截至日期")?),
        "condition" => SecrecyPeriod::Condition(value.trim().to_owned()),
        "long_term" => SecrecyPeriod::LongTerm,
        _ => SecrecyPeriod::Unspecified,
    };
    let period = if level == Level::NeibuMingan {
        SecrecyPeriod::Unspecified
    } else {
        period
    };
    period.validate(level, dated).map_err(|e| e.to_string())?;
    Ok(period)
}

/// The category (R2.1) row of a form.
pub(super) fn category_row(ui: &mut Ui, lang: Lang, category: &mut Category) {
    combo_row(
        ui,
        lang.tr("类别", "Category"),
        "category",
        category.label_zh(),
        |ui| {
            for c in Category::ALL {
                ui.selectable_value(category, c, c.label_zh());
            }
        },
    );
}

/// The level and period rows of a form.
pub(super) fn level_period_rows(
    ui: &mut Ui,
    lang: Lang,
    level: &mut Level,
    kind: &mut &'static str,
    value: &mut String,
) {
    combo_row(
        ui,
        lang.tr("密级", "Level"),
        "level",
        level.label_zh(),
        |ui| {
            for l in Level::ALL {
                ui.selectable_value(level, l, l.label_zh());
            }
        },
    );
    let kind_label = PERIOD_KINDS
        .iter()
        .find(|k| k.0 == *kind)
        .map(|k| k.1)
        .unwrap_or("");
    combo_row(
        ui,
        lang.tr("保密期限", "Secrecy period"),
        "period_kind",
        kind_label,
        |ui| {
            for (code, label) in PERIOD_KINDS {
                ui.selectable_value(kind, code, label);
            }
        },
    );
    if matches!(*kind, "years" | "months" | "until" | "condition") {
        field_row(ui, lang.tr("期限值", "Period value"), value, false);
    }
}

pub(super) fn parse_date(t: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{what}应写成 2026-03-01 的形式"))
}

/// 作废: asks for the reason, then voids the entry (it stays visible, marked void).
pub struct VoidDialog {
    id: DocumentId,
    reason: String,
    error: Option<String>,
}

impl VoidDialog {
    fn new(id: DocumentId) -> Self {
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

    fn ui(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) -> bool {
        let mut keep = true;
        egui::Modal::new(egui::Id::unique("void_dialog")).show(ctx, |ui| {
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

/// Prints (or saves) the label sheets of a document's copies; the printing is audited.
pub fn print_labels(
    session: &mut Session,
    id: DocumentId,
    file: Option<&std::path::Path>,
) -> Result<String, crate::ledger::LedgerError> {
    use crate::ledger::LedgerError;
    let d = documents::get(session, id)?;
    let copies = documents::copies(session, id)?;
    let labels = crate::forms::labels::for_document(&d, &copies);
    if labels.is_empty() {
        return Err(LedgerError::Invalid("该文件没有在册的份号".into()));
    }
    let target = file.map_or("打印机".to_owned(), |f| f.display().to_string());
    documents::record_labels_printed(session, id, &target)?;
    let mut sheets = Vec::new();
    for chunk in labels.chunks(crate::forms::labels::PER_SHEET) {
        sheets.push(
            crate::forms::labels::render(chunk).map_err(|e| LedgerError::Invalid(e.to_string()))?,
        );
    }
    for (i, pdf) in sheets.iter().enumerate() {
        match file {
            Some(path) => {
                let path = if i == 0 {
                    path.to_owned()
                } else {
                    path.with_extension(format!("{}.pdf", i + 1))
                };
                crate::fsutil::write_atomic(&path, pdf).map_err(|e| {
                    LedgerError::Invalid(format!("无法写入 {}：{e}", path.display()))
                })?;
            }
            None => crate::forms::send_to_printer(pdf).map_err(LedgerError::Invalid)?,
        }
    }
    Ok(match file {
        Some(path) => format!("已保存 {}（{} 张标签）", path.display(), labels.len()),
        None => format!("已送打印机（{} 张标签）", labels.len()),
    })
}
