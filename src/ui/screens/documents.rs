//! 文件台账: the ledger of documents — search bar, virtualized table, detail panel (marking,
//! copies and where each one is), and the 收文登记 dialog. Ctrl+F searches, Ctrl+N registers.

use chrono::NaiveDate;
use egui::{Grid, Key, Modifiers, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::main_window::MainCommand;
use crate::domain::level::{Category, Level};
use crate::domain::marking::{SecrecyPeriod, marking};
use crate::domain::numbering::parse_copy_numbers;
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet};
use crate::ledger::documents::{self, Copy, Document, DocumentId, IncomingInput};
use crate::ledger::people::{self, Person};
use crate::ui::i18n::Lang;
use crate::ui::widgets::{error_text, field_row, header_cells};

/// Rows shown at most (the table is virtualized; the query is bounded).
const LIMIT: i64 = 100_000;

/// The screen's view state.
#[derive(Default)]
pub struct DocumentsScreen {
    query: String,
    shown_query: Option<String>,
    rows: Vec<Document>,
    selected: Option<DocumentId>,
    copies: Vec<Copy>,
    cabinets: Vec<Cabinet>,
    people: Vec<Person>,
    error: Option<String>,
    focus_search: bool,
    /// The registration dialog, when open.
    pub dialog: Option<RegisterDialog>,
}

impl DocumentsScreen {
    /// Re-reads rows (for the current query), cabinets and people.
    pub fn reload(&mut self, session: &Session) {
        let result = documents::search(session, &self.query, LIMIT)
            .and_then(|rows| Ok((rows, cabinets::list(session)?, people::list(session)?)));
        match result {
            Ok((rows, cabinets, people)) => {
                self.rows = rows;
                self.cabinets = cabinets;
                self.people = people;
                self.shown_query = Some(self.query.clone());
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
        self.load_copies(session);
    }

    /// Selects a document (after registering it, for instance).
    pub fn select(&mut self, session: &Session, id: DocumentId) {
        self.selected = Some(id);
        self.load_copies(session);
    }

    fn load_copies(&mut self, session: &Session) {
        self.copies = match self.selected {
            Some(id) => documents::copies(session, id).unwrap_or_default(),
            None => Vec::new(),
        };
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::N)) && self.dialog.is_none() {
            self.dialog = Some(RegisterDialog::new(session));
        }
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
        if self.shown_query.as_deref() != Some(self.query.as_str()) {
            self.reload(session);
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        ui.label(
            RichText::new(format!(
                "{} {}",
                self.rows.len(),
                lang.tr("份文件", "documents")
            ))
            .weak(),
        );
        egui::Panel::right("document_detail")
            .default_size(340.0)
            .show(ui, |ui| self.detail_ui(ui, lang));
        self.table_ui(ui, lang, session);
        let ctx = ui.ctx().clone();
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, &self.cabinets, &self.people, cmds)
        {
            self.dialog = None;
        }
    }

    fn table_ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session) {
        let mut clicked = None;
        // One line per row, whatever the title's length: long text is cut with "…".
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::exact(165.0).clip(true))
            .column(Column::exact(130.0).clip(true))
            .column(Column::remainder().at_least(100.0).clip(true))
            .column(Column::exact(185.0).clip(true))
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("收文编号", "Receipt no."),
                        lang.tr("文号", "Doc no."),
                        lang.tr("标题", "Title"),
                        lang.tr("密级", "Marking"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, self.rows.len(), |mut row| {
                    let d = &self.rows[row.index()];
                    row.col(|ui| {
                        ui.label(d.receipt_no.as_deref().unwrap_or(""));
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
                        if ui
                            .selectable_label(self.selected == Some(d.id), title)
                            .clicked()
                        {
                            clicked = Some(d.id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(&d.marking);
                    });
                });
            });
        if let Some(id) = clicked {
            self.select(session, id);
        }
    }

    fn detail_ui(&self, ui: &mut Ui, lang: Lang) {
        let Some(d) = self
            .selected
            .and_then(|id| self.rows.iter().find(|d| d.id == id))
        else {
            ui.label(RichText::new(lang.tr("选择一份文件查看详情", "Select a document")).weak());
            return;
        };
        ui.heading(RichText::new(&d.marking).color(egui::Color32::from_rgb(0xc0, 0x1c, 0x28)));
        ui.label(RichText::new(&d.title).strong());
        Grid::new("doc_detail").num_columns(2).show(ui, |ui| {
            for (k, v) in [
                (
                    lang.tr("收文编号", "Receipt no."),
                    d.receipt_no.clone().unwrap_or_default(),
                ),
                (lang.tr("文号", "Doc no."), d.doc_no.clone()),
                (lang.tr("来文单位", "From"), d.issuing_unit.clone()),
                (lang.tr("成文日期", "Dated"), d.dated.clone()),
                (lang.tr("页数", "Pages"), d.pages.to_string()),
            ] {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            }
        });
        ui.separator();
        ui.label(RichText::new(lang.tr("份号与去向", "Copies")).strong());
        for c in &self.copies {
            let place = match c
                .cabinet
                .and_then(|id| self.cabinets.iter().find(|k| k.id == id))
            {
                Some(k) => format!("{} {}", k.code, k.location),
                None => c.place.clone(),
            };
            ui.label(format!(
                "第{}份 · {} · {}",
                c.copy_no,
                c.state.label_zh(),
                place
            ));
        }
    }
}

/// Drafts of the 收文登记 form, validated as the custodian types.
pub struct RegisterDialog {
    received_on: String,
    signed_for_by: Option<crate::ledger::people::PersonId>,
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
    cabinet: Option<crate::ledger::cabinets::CabinetId>,
    readers: String,
    remarks: String,
    error: Option<String>,
}

const PERIOD_KINDS: [(&str, &str); 6] = [
    ("years", "年"),
    ("months", "个月"),
    ("until", "截至日期"),
    ("condition", "解密条件"),
    ("long_term", "长期"),
    ("unspecified", "未标明（按法定最长期限）"),
];

impl RegisterDialog {
    fn new(session: &Session) -> Self {
        let today = session.clock().now().date_naive().to_string();
        Self {
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
            error: None,
        }
    }

    /// The save was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    fn input(&self) -> Result<IncomingInput, String> {
        let date = |t: &str, what: &str| {
            NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .map_err(|_| format!("{what}应写成 2026-03-01 的形式"))
        };
        if self.title.trim().is_empty() {
            return Err("请填写标题".into());
        }
        let dated = date(&self.dated, "成文日期")?;
        let period = match self.period_kind {
            "years" | "months" => {
                let n: u16 = self
                    .period_value
                    .trim()
                    .parse()
                    .map_err(|_| "保密期限请填写数字".to_owned())?;
                if self.period_kind == "years" {
                    SecrecyPeriod::Years(n)
                } else {
                    SecrecyPeriod::Months(n)
                }
            }
            "until" => SecrecyPeriod::Until(date(&self.period_value, "截至日期")?),
            "condition" => SecrecyPeriod::Condition(self.period_value.trim().to_owned()),
            "long_term" => SecrecyPeriod::LongTerm,
            _ => SecrecyPeriod::Unspecified,
        };
        let period = if self.level == Level::NeibuMingan {
            SecrecyPeriod::Unspecified
        } else {
            period
        };
        period
            .validate(self.level, dated)
            .map_err(|e| e.to_string())?;
        let pages: u32 = self
            .pages
            .trim()
            .parse()
            .map_err(|_| "页数请填写数字".to_owned())?;
        let attachments: u32 = self
            .attachments
            .trim()
            .parse()
            .map_err(|_| "附件数请填写数字".to_owned())?;
        let cabinet = self.cabinet.ok_or("请选择存放专柜")?;
        Ok(IncomingInput {
            received_on: date(&self.received_on, "收文日期")?,
            signed_for_by: self.signed_for_by.ok_or("请选择签收人")?,
            issuing_unit: self.issuing_unit.clone(),
            doc_no: self.doc_no.clone(),
            title: self.title.clone(),
            category: self.category,
            level: self.level,
            period,
            dated,
            pages,
            attachments,
            copy_numbers: parse_copy_numbers(&self.copy_numbers)?,
            cabinet,
            readers: self.readers.clone(),
            remarks: self.remarks.clone(),
        })
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
        egui::Modal::new(egui::Id::unique("register_dialog")).show(ctx, |ui| {
            ui.set_width(620.0);
            ui.heading(lang.tr("收文登记", "Register incoming document"));
            egui::ScrollArea::vertical()
                .max_height(520.0)
                .show(ui, |ui| {
                    Grid::new("register_form").num_columns(2).show(ui, |ui| {
                        field_row(ui, lang.tr("标题", "Title"), &mut self.title, false);
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
                        combo_row(
                            ui,
                            lang.tr("密级", "Level"),
                            "level",
                            self.level.label_zh(),
                            |ui| {
                                for l in Level::ALL {
                                    ui.selectable_value(&mut self.level, l, l.label_zh());
                                }
                            },
                        );
                        let kind_label = PERIOD_KINDS
                            .iter()
                            .find(|k| k.0 == self.period_kind)
                            .map(|k| k.1)
                            .unwrap_or("");
                        combo_row(
                            ui,
                            lang.tr("保密期限", "Secrecy period"),
                            "period_kind",
                            kind_label,
                            |ui| {
                                for (code, label) in PERIOD_KINDS {
                                    ui.selectable_value(&mut self.period_kind, code, label);
                                }
                            },
                        );
                        if matches!(self.period_kind, "years" | "months" | "until" | "condition") {
                            field_row(
                                ui,
                                lang.tr("期限值", "Period value"),
                                &mut self.period_value,
                                false,
                            );
                        }
                        combo_row(
                            ui,
                            lang.tr("类别", "Category"),
                            "category",
                            self.category.label_zh(),
                            |ui| {
                                for c in Category::ALL {
                                    ui.selectable_value(&mut self.category, c, c.label_zh());
                                }
                            },
                        );
                        field_row(ui, lang.tr("成文日期", "Dated"), &mut self.dated, false);
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
                                    ui.selectable_value(
                                        &mut self.signed_for_by,
                                        Some(p.id),
                                        &p.name,
                                    );
                                }
                            },
                        );
                        field_row(ui, lang.tr("页数", "Pages"), &mut self.pages, false);
                        field_row(
                            ui,
                            lang.tr("附件数", "Attachments"),
                            &mut self.attachments,
                            false,
                        );
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
                        field_row(
                            ui,
                            lang.tr("知悉范围", "Who may read"),
                            &mut self.readers,
                            false,
                        );
                        field_row(ui, lang.tr("备注", "Remarks"), &mut self.remarks, false);
                    });
                });
            let input = self.input();
            match &input {
                Ok(i) => {
                    ui.label(
                        RichText::new(format!(
                            "{}{}",
                            lang.tr("密级标志：", "Marking: "),
                            marking(i.level, &i.period)
                        ))
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
                let save = ui.add_enabled(
                    input.is_ok(),
                    egui::Button::new(lang.tr("登记", "Register")),
                );
                if (save.clicked() || ui.input(|i| i.key_pressed(Key::Enter)))
                    && let Ok(input) = input
                {
                    cmds.push(MainCommand::RegisterIncoming(Box::new(input)));
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
}

fn combo_row(ui: &mut Ui, label: &str, id: &str, selected: &str, add: impl FnOnce(&mut Ui)) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .width(280.0)
        .show_ui(ui, add)
        .response
        .labelled_by(l.id);
    ui.end_row();
}
