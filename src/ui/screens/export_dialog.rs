//! 导出 / 打印 (issue 10): any list's current view to Excel, CSV, a PDF file or the printer. One
//! dialog for every screen: the screen names the [`Register`] with its filters, the user picks
//! the format and where it goes; the result (or the refusal) is shown in the dialog, next to the
//! button that caused it.

use egui::{Grid, RichText};

use super::main_window::MainCommand;
use crate::ledger::Session;
use crate::ledger::export::{self, Format};
use crate::ledger::reports::Register;
use crate::ui::i18n::Lang;
use crate::ui::widgets::{error_text, field_row, hint_text, primary_button};

/// Where the export goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Excel,
    Csv,
    Pdf,
    Printer,
}

impl Destination {
    fn format(self) -> Option<Format> {
        match self {
            Destination::Excel => Some(Format::Xlsx),
            Destination::Csv => Some(Format::Csv),
            Destination::Pdf => Some(Format::Pdf),
            Destination::Printer => None,
        }
    }
}

/// The dialog's state.
pub struct ExportDialog {
    pub register: Register,
    destination: Destination,
    path: String,
    /// The path proposed for each format (the user's edit is kept while the format stays).
    proposed: String,
    error: Option<String>,
    done: Option<String>,
    busy: bool,
}

impl ExportDialog {
    /// The dialog for `register`, proposing a file in the home folder.
    pub fn new(session: &Session, register: Register) -> Self {
        let path = export::default_path(session, &register, Format::Xlsx)
            .display()
            .to_string();
        Self {
            register,
            destination: Destination::Excel,
            proposed: path.clone(),
            path,
            error: None,
            done: None,
            busy: false,
        }
    }

    /// The export was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
        self.done = None;
        self.busy = false;
    }

    /// The export succeeded.
    pub fn succeeded(&mut self, message: String) {
        self.done = Some(message);
        self.error = None;
        self.busy = false;
    }

    /// Draws the dialog; false once it should close.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        session: &Session,
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        let popup_open = egui::Popup::is_any_open(ctx);
        crate::ui::widgets::dialog("export_dialog").show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(match lang {
                Lang::Zh => format!("导出 · 打印：{}", self.register.name()),
                Lang::En => format!("Export or print: {}", self.register.name_en()),
            });
            hint_text(
                ui,
                lang.tr(
                    "导出当前列表中显示的内容（含当前的搜索和筛选条件）。文件只写到您指定的位置，标明密级，按涉密载体管理。",
                    "Exports what the list shows now (with its search and filters). The file goes only where you say, is marked with its level and is a classified carrier.",
                ),
            );
            let before = self.destination;
            ui.horizontal(|ui| {
                for (d, label) in [
                    (Destination::Excel, lang.tr("Excel 表格", "Excel")),
                    (Destination::Csv, "CSV"),
                    (Destination::Pdf, lang.tr("PDF（A4 横向）", "PDF (A4 landscape)")),
                    (Destination::Printer, lang.tr("打印机", "Printer")),
                ] {
                    ui.selectable_value(&mut self.destination, d, label);
                }
            });
            if self.destination != before
                && let Some(f) = self.destination.format()
            {
                // A new format: a new proposed name, unless the user typed their own.
                let new = export::default_path(session, &self.register, f)
                    .display()
                    .to_string();
                if self.path == self.proposed || self.path.trim().is_empty() {
                    self.path = new.clone();
                } else if let Some(stem) = self.path.rsplit_once('.').map(|(s, _)| s.to_owned()) {
                    self.path = format!("{stem}.{}", f.extension());
                }
                self.proposed = new;
            }
            if self.destination.format().is_some() {
                Grid::new("export_path").num_columns(2).show(ui, |ui| {
                    field_row(ui, lang.tr("保存位置", "Save to"), &mut self.path, false);
                });
            } else {
                ui.label(lang.tr(
                    "送往本机默认打印机（A4 横向）。",
                    "To the default printer (A4 landscape).",
                ));
            }
            // One line always, so the buttons never move.
            match (&self.error, &self.done) {
                (Some(e), _) => error_text(ui, e),
                (None, Some(d)) => {
                    ui.label(RichText::new(d).color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)));
                }
                (None, None) => {
                    ui.label(" ");
                }
            }
            ui.horizontal(|ui| {
                let go = match self.destination {
                    Destination::Printer => lang.tr("打印", "Print"),
                    _ => lang.tr("导出", "Export"),
                };
                if ui.add_enabled(!self.busy, primary_button(go)).clicked() {
                    self.busy = true;
                    self.error = None;
                    self.done = None;
                    cmds.push(MainCommand::Export {
                        register: self.register.clone(),
                        format: self.destination.format(),
                        path: std::path::PathBuf::from(self.path.trim()),
                    });
                }
                if ui.button(lang.tr("关闭", "Close")).clicked()
                    || (ui.input(|i| i.key_pressed(egui::Key::Escape)) && !popup_open)
                {
                    keep = false;
                }
            });
        });
        keep
    }
}
