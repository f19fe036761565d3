//! 专柜: the cabinet register — table, and a dialog to register or edit a cabinet.

use egui::{Grid, Ui};
use egui_extras::{Column, TableBuilder};

use super::main_window::MainCommand;
use crate::domain::level::Level;
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet, CabinetId, CabinetInput};
use crate::ledger::people::{self, Person, PersonId};
use crate::ui::i18n::Lang;
use crate::ui::widgets::{combo_box, error_text, field_row, header_cells};

/// The register's rows, the people to pick a keeper from, and the open dialog.
#[derive(Default)]
pub struct CabinetsScreen {
    rows: Vec<Cabinet>,
    people: Vec<Person>,
    error: Option<String>,
    /// The signed-in user may change this register / export it (set at reload).
    may_write: bool,
    may_print: bool,
    /// The register/edit dialog, when open.
    pub dialog: Option<CabinetDialog>,
}

/// Drafts of the cabinet dialog.
pub struct CabinetDialog {
    id: Option<CabinetId>,
    code: String,
    location: String,
    max_level: Level,
    responsible: Option<PersonId>,
    locked: bool,
    error: Option<String>,
}

impl CabinetDialog {
    fn new(c: Option<&Cabinet>) -> Self {
        Self {
            id: c.map(|c| c.id),
            code: c.map(|c| c.code.clone()).unwrap_or_default(),
            location: c.map(|c| c.location.clone()).unwrap_or_default(),
            max_level: c.map(|c| c.max_level).unwrap_or(Level::Jimi),
            responsible: c.and_then(|c| c.responsible),
            locked: c.is_none_or(|c| c.locked),
            error: None,
        }
    }

    /// The save was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        people: &[Person],
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        // Esc closes an open drop-down first, never the dialog with its drafts.
        let popup_open = egui::Popup::is_any_open(ctx);
        crate::ui::widgets::dialog("cabinet_dialog").show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading(if self.id.is_some() {
                lang.tr("修改专柜", "Edit cabinet")
            } else {
                lang.tr("登记专柜", "Add cabinet")
            });
            Grid::new("cabinet_form").num_columns(2).show(ui, |ui| {
                field_row(ui, lang.tr("专柜编号", "Code"), &mut self.code, false);
                field_row(
                    ui,
                    lang.tr("存放位置", "Location"),
                    &mut self.location,
                    false,
                );
                let l = ui.label(lang.tr("最高密级", "Highest level"));
                combo_box(ui, "max_level", lang.label(self.max_level), 200.0, |ui| {
                    for lv in Level::ALL {
                        ui.selectable_value(&mut self.max_level, lv, lang.label(lv));
                    }
                })
                .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(lang.tr("负责人", "Responsible"));
                let name = self
                    .responsible
                    .and_then(|id| people.iter().find(|p| p.id == id))
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| lang.tr("（未指定）", "(none)").to_owned());
                combo_box(ui, "responsible", name, 200.0, |ui| {
                    ui.selectable_value(
                        &mut self.responsible,
                        None,
                        lang.tr("（未指定）", "(none)"),
                    );
                    for p in people.iter().filter(|p| p.active) {
                        let label = if p.department.is_empty() {
                            p.name.clone()
                        } else {
                            format!("{}（{}）", p.name, p.department)
                        };
                        ui.selectable_value(&mut self.responsible, Some(p.id), label);
                    }
                })
                .labelled_by(l.id);
                ui.end_row();
                ui.label("");
                ui.checkbox(&mut self.locked, lang.tr("加锁", "Locks"));
                ui.end_row();
            });
            let hint = if self.code.trim().is_empty() {
                Some(lang.tr("请填写专柜编号", "Enter the code"))
            } else if self.max_level == Level::Juemi && self.responsible.is_none() {
                Some(lang.tr(
                    "绝密专柜必须指定专人负责（R3.1.1）",
                    "A top-secret cabinet needs a responsible person",
                ))
            } else {
                None
            };
            if let Some(h) = hint {
                crate::ui::widgets::hint_text(ui, h);
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let save =
                    ui.add_enabled(hint.is_none(), egui::Button::new(lang.tr("保存", "Save")));
                if hint.is_none()
                    && (save.clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)))
                {
                    cmds.push(MainCommand::SaveCabinet {
                        id: self.id,
                        input: CabinetInput {
                            code: self.code.clone(),
                            location: self.location.clone(),
                            max_level: self.max_level,
                            responsible: self.responsible,
                            locked: self.locked,
                        },
                    });
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked()
                    || (ui.input(|i| i.key_pressed(egui::Key::Escape)) && !popup_open)
                {
                    keep = false;
                }
            });
        });
        keep
    }
}

impl CabinetsScreen {
    /// Re-reads the register and the people.
    pub fn reload(&mut self, session: &Session) {
        self.may_write = session.may(crate::domain::Permission::Cabinets);
        self.may_print = session.may(crate::domain::Permission::PrintForms);
        match cabinets::list(session).and_then(|c| Ok((c, people::list(session)?))) {
            Ok((rows, people)) => {
                self.rows = rows;
                self.people = people;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Draws the table and the dialog.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        ui.horizontal(|ui| {
            ui.heading(lang.tr("专柜", "Cabinets"));
            if self.may_write && ui.button(lang.tr("登记专柜", "Add cabinet")).clicked() {
                self.dialog = Some(CabinetDialog::new(None));
            }
            if self.may_print
                && ui
                    .button(lang.tr("导出 · 打印", "Export · print"))
                    .clicked()
            {
                cmds.push(MainCommand::OpenExport(
                    crate::ledger::reports::Register::Cabinets,
                ));
            }
        });
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        let mut edit = None;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::exact(110.0))
            .column(Column::exact(180.0))
            .column(Column::exact(90.0))
            .column(Column::exact(120.0))
            .column(Column::exact(60.0))
            .column(Column::remainder())
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("编号", "Code"),
                        lang.tr("位置", "Location"),
                        lang.tr("最高密级", "Highest level"),
                        lang.tr("负责人", "Responsible"),
                        lang.tr("加锁", "Locks"),
                        "",
                    ],
                );
            })
            .body(|body| {
                body.rows(26.0, self.rows.len(), |mut row| {
                    let c = &self.rows[row.index()];
                    row.col(|ui| {
                        ui.label(&c.code);
                    });
                    row.col(|ui| {
                        ui.label(&c.location);
                    });
                    row.col(|ui| {
                        ui.label(lang.label(c.max_level));
                    });
                    row.col(|ui| {
                        ui.label(c.responsible_name.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.label(if c.locked {
                            lang.tr("是", "Yes")
                        } else {
                            lang.tr("否", "No")
                        });
                    });
                    let index = row.index();
                    row.col(|ui| {
                        if self.may_write && ui.small_button(lang.tr("修改", "Edit")).clicked() {
                            edit = Some(index);
                        }
                        // The copies held in it now, as a stock-taking sheet to tick.
                        if self.may_print
                            && ui.small_button(lang.tr("清点表", "Stock sheet")).clicked()
                        {
                            cmds.push(MainCommand::OpenExport(
                                crate::ledger::reports::Register::CabinetCopies(c.id),
                            ));
                        }
                    });
                });
            });
        if let Some(i) = edit {
            self.dialog = Some(CabinetDialog::new(self.rows.get(i)));
        }
        let ctx = ui.ctx().clone();
        let people = &self.people;
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, people, cmds)
        {
            self.dialog = None;
        }
    }
}
