//! 文件台账: the ledger of documents. This file holds the screen's state, its layout and the
//! search and filter bar (Ctrl+F searches, Ctrl+N registers); the rest lives beside it:
//!
//! - `table.rs`: the virtualized, sortable register that reads only the rows it shows;
//! - `detail.rs`: the detail panel (marking, copies and where each one is, each copy's
//!   history, the edit history, printing the labels);
//! - `custody_form.rs`: recording by hand a custody change no flow owns (R3.1.1);
//! - `register_dialog.rs`: 收文登记 and 修改登记 (R3.1.1; Enter saves, Esc closes);
//! - `void_dialog.rs`: 作废.
//!
//! The rules behind them are in `domain` and `ledger` (see `docs/architecture.md`).

mod custody_form;
mod detail;
mod register_dialog;
mod table;
mod void_dialog;

pub use custody_form::CustodyForm;
use detail::Detail;
pub use register_dialog::RegisterDialog;
pub use void_dialog::VoidDialog;

use std::collections::HashMap;

use egui::{Key, Modifiers, RichText, Ui};

use super::main_window::MainCommand;
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet};
use crate::ledger::documents::{self, Document, DocumentId};
use crate::ledger::people::{self, Person, PersonId};
use crate::ledger::search::{self, Filters, Query, SortKey};
use crate::ui::i18n::Lang;
use crate::ui::widgets::{error_text, filter_combo};

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
    /// Copies by where they are, for the rows read.
    counts: HashMap<DocumentId, crate::ledger::reports::Counts>,
    /// The columns the user chose (empty: the default set).
    columns: Vec<table::Col>,
    /// Chosen columns the window had no room for.
    left_out: Vec<table::Col>,
    /// Widths the user dragged columns to.
    widths: HashMap<table::Col, f32>,
    /// The title column's width in the last frame (held while a column is dragged).
    title_width: Option<f32>,
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
    /// The office's time zone, for the times in the histories.
    zone: crate::domain::OfficeZone,
    /// Where "标签另存为 PDF" writes (proposed when a document is selected).
    labels_path: String,
    /// The reason typed for a hold on the selected document.
    hold_reason: String,
}

impl DocumentsScreen {
    /// The screen with the columns (and widths) chosen in an earlier run.
    pub fn with_prefs(prefs: &crate::ui::prefs::Prefs) -> Self {
        Self {
            columns: prefs
                .register_columns
                .iter()
                .filter_map(|k| table::Col::from_key(k))
                .collect(),
            widths: prefs
                .register_widths
                .iter()
                .filter_map(|(k, w)| Some((table::Col::from_key(k)?, *w)))
                .filter(|(_, w)| w.is_finite() && (table::MIN_WIDTH..=table::MAX_WIDTH).contains(w))
                .collect(),
            ..Self::default()
        }
    }

    /// Writes the columns and widths chosen into `prefs`.
    pub fn keep_prefs(&self, prefs: &mut crate::ui::prefs::Prefs) {
        prefs.register_columns = self.columns.iter().map(|c| c.key().to_owned()).collect();
        prefs.register_widths = self
            .widths
            .iter()
            .map(|(c, w)| (c.key().to_owned(), *w))
            .collect();
    }

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
        self.zone = session.zone();
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
        // The panel shows only a document the list shows (a search or filter may drop it).
        if self.selected.is_some_and(|id| !self.ids.contains(&id)) {
            self.selected = None;
            self.custody = CustodyForm::default();
        }
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
        let changed = self.selected != Some(id);
        self.selected = Some(id);
        self.load_detail(session);
        if changed {
            self.propose_labels_path();
        }
    }

    /// Proposes where the selected document's labels are saved: the home folder, named by the
    /// receipt number (or 文号).
    fn propose_labels_path(&mut self) {
        if let Some(d) = self.detail.as_ref().map(|d| &d.doc) {
            let home = dirs::home_dir().unwrap_or_default();
            let name = d.receipt_no.clone().unwrap_or_else(|| d.doc_no.clone());
            self.labels_path = home
                .join(format!("份号标签-{name}.pdf"))
                .display()
                .to_string();
        }
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
            let targets = history.as_ref().map_or_else(Vec::new, |(c, _)| {
                crate::ledger::custody::manual_targets_for(session, *c).unwrap_or_default()
            });
            Some(Detail {
                doc,
                copies,
                revisions: documents::revisions(session, id).unwrap_or_default(),
                history,
                targets,
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
            if session.may(crate::domain::Permission::RegisterDocuments)
                && ui
                    .button(lang.tr("收文登记", "Register incoming"))
                    .clicked()
            {
                self.dialog = Some(RegisterDialog::new(session));
            }
            if session.may(crate::domain::Permission::PrintForms)
                && ui
                    .button(lang.tr("导出 · 打印", "Export · print"))
                    .clicked()
            {
                cmds.push(MainCommand::OpenExport(
                    crate::ledger::reports::Register::Documents(self.current_query()),
                ));
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
        // The chosen columns the window has no room for, named where the user looks (a
        // column ticked in 显示列… that does not appear would otherwise look ignored).
        let mut count = format!("{} {}", self.ids.len(), lang.tr("份文件", "documents"));
        if !self.left_out.is_empty() {
            let names: Vec<&str> = self.left_out.iter().map(|c| c.header(lang)).collect();
            count.push_str(&match lang {
                Lang::Zh => format!(
                    " · 窗口较窄，未显示：{}（可拖窄其他列或在“显示列…”中取消其他列）",
                    names.join("、")
                ),
                Lang::En => format!(
                    " · no room for: {} (widen the window, narrow or hide other columns)",
                    names.join(", ")
                ),
            });
        }
        ui.label(RichText::new(count).weak());
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
            self.columns_menu(ui, lang);
            let f = &mut self.filters;
            filter_combo(
                ui,
                lang.tr("密级", "Level"),
                "filter_level",
                f.level.map_or(all, |l| lang.label(l)),
                |ui| {
                    ui.selectable_value(&mut f.level, None, all);
                    for l in Level::ALL {
                        ui.selectable_value(&mut f.level, Some(l), lang.label(l));
                    }
                },
            );
            filter_combo(
                ui,
                lang.tr("状态", "State"),
                "filter_state",
                f.state.map_or(all, |s| lang.label(s)),
                |ui| {
                    ui.selectable_value(&mut f.state, None, all);
                    for s in CopyState::ALL {
                        ui.selectable_value(&mut f.state, Some(s), lang.label(s));
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
                f.category.map_or(all, |c| lang.label(c)),
                |ui| {
                    ui.selectable_value(&mut f.category, None, all);
                    for c in Category::ALL {
                        ui.selectable_value(&mut f.category, Some(c), lang.label(c));
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

    fn person_name(&self, id: Option<PersonId>) -> String {
        id.and_then(|id| self.people.iter().find(|p| p.id == id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }
}
