//! 人员: the people register — table, and a dialog to add or edit a person.

use chrono::NaiveDate;
use egui::{Grid, Ui};
use egui_extras::{Column, TableBuilder};

use super::main_window::MainCommand;
use crate::domain::person::Clearance;
use crate::ledger::Session;
use crate::ledger::people::{self, NewPerson, Person, PersonId};
use crate::ui::i18n::Lang;
use crate::ui::widgets::{combo_box, error_text, field_row, header_cells};

/// The register's rows and the open dialog.
#[derive(Default)]
pub struct PeopleScreen {
    rows: Vec<Person>,
    error: Option<String>,
    /// The signed-in user may change this register / export it (set at reload).
    may_write: bool,
    may_print: bool,
    /// The add/edit dialog, when open.
    pub dialog: Option<PersonDialog>,
}

/// Drafts of the person dialog.
pub struct PersonDialog {
    id: Option<PersonId>,
    name: String,
    department: String,
    post: String,
    phone: String,
    clearance: Clearance,
    pledge: String,
    error: Option<String>,
}

impl PersonDialog {
    fn new(p: Option<&Person>) -> Self {
        Self {
            id: p.map(|p| p.id),
            name: p.map(|p| p.name.clone()).unwrap_or_default(),
            department: p.map(|p| p.department.clone()).unwrap_or_default(),
            post: p.map(|p| p.post.clone()).unwrap_or_default(),
            phone: p.map(|p| p.phone.clone()).unwrap_or_default(),
            clearance: p.map(|p| p.clearance).unwrap_or(Clearance::None),
            pledge: p
                .and_then(|p| p.pledge_signed_on)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            error: None,
        }
    }

    /// The save was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    fn input(&self, lang: Lang) -> Result<NewPerson, &'static str> {
        let pledge = match self.pledge.trim() {
            "" => None,
            t => Some(NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                lang.tr(
                    "承诺书签订日期应写成 2026-03-01 的形式",
                    "Write the pledge date as 2026-03-01",
                )
            })?),
        };
        if self.name.trim().is_empty() {
            return Err(lang.tr("请填写姓名", "Write the name"));
        }
        Ok(NewPerson {
            name: self.name.clone(),
            department: self.department.clone(),
            post: self.post.clone(),
            phone: self.phone.clone(),
            clearance: self.clearance,
            pledge_signed_on: pledge,
        })
    }

    /// Draws the dialog; false once it should close.
    fn ui(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) -> bool {
        let mut keep = true;
        // Esc closes an open drop-down first, never the dialog with its drafts.
        let popup_open = egui::Popup::is_any_open(ctx);
        crate::ui::widgets::dialog("person_dialog").show(ctx, |ui| {
            ui.set_width(460.0);
            ui.heading(if self.id.is_some() {
                lang.tr("修改人员信息", "Edit person")
            } else {
                lang.tr("登记人员", "Add person")
            });
            Grid::new("person_form").num_columns(2).show(ui, |ui| {
                field_row(ui, lang.tr("姓名", "Name"), &mut self.name, false);
                field_row(
                    ui,
                    lang.tr("部门", "Department"),
                    &mut self.department,
                    false,
                );
                field_row(ui, lang.tr("职务", "Post"), &mut self.post, false);
                field_row(ui, lang.tr("电话", "Phone"), &mut self.phone, false);
                let l = ui.label(lang.tr("涉密人员类别", "Clearance"));
                combo_box(
                    ui,
                    "clearance",
                    lang.clearance(self.clearance),
                    200.0,
                    |ui| {
                        for c in Clearance::ALL {
                            ui.selectable_value(&mut self.clearance, c, lang.clearance(c));
                        }
                    },
                )
                .labelled_by(l.id);
                ui.end_row();
                crate::ui::widgets::date_row(
                    ui,
                    lang,
                    lang.tr("保密承诺书签订日期", "Pledge signed on"),
                    &mut self.pledge,
                );
            });
            let input = self.input(lang);
            if let Err(p) = input {
                ui.label(egui::RichText::new(p).weak());
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let save =
                    ui.add_enabled(input.is_ok(), egui::Button::new(lang.tr("保存", "Save")));
                if (save.clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)))
                    && let Ok(input) = input
                {
                    cmds.push(MainCommand::SavePerson { id: self.id, input });
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

impl PeopleScreen {
    /// Re-reads the register.
    pub fn reload(&mut self, session: &Session) {
        self.may_write = session.may(crate::domain::Permission::People);
        self.may_print = session.may(crate::domain::Permission::PrintForms);
        match people::list(session) {
            Ok(rows) => {
                self.rows = rows;
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Draws the table and the dialog.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        ui.horizontal(|ui| {
            ui.heading(lang.tr("人员", "People"));
            if self.may_write && ui.button(lang.tr("登记人员", "Add person")).clicked() {
                self.dialog = Some(PersonDialog::new(None));
            }
            if self.may_print
                && ui
                    .button(lang.tr("导出 · 打印", "Export · print"))
                    .clicked()
            {
                cmds.push(MainCommand::OpenExport(
                    crate::ledger::reports::Register::People,
                ));
            }
        });
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        let mut edit = None;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::exact(120.0))
            .column(Column::exact(120.0))
            .column(Column::exact(100.0))
            .column(Column::exact(90.0))
            .column(Column::exact(120.0))
            .column(Column::exact(140.0))
            .column(Column::remainder())
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("姓名", "Name"),
                        lang.tr("部门", "Department"),
                        lang.tr("职务", "Post"),
                        lang.tr("电话", "Phone"),
                        lang.tr("涉密类别", "Clearance"),
                        lang.tr("承诺书签订", "Pledge signed"),
                        "",
                    ],
                );
            })
            .body(|body| {
                body.rows(26.0, self.rows.len(), |mut row| {
                    let p = &self.rows[row.index()];
                    for text in [&p.name, &p.department, &p.post, &p.phone] {
                        row.col(|ui| {
                            ui.label(text);
                        });
                    }
                    row.col(|ui| {
                        ui.label(lang.clearance(p.clearance));
                    });
                    row.col(|ui| {
                        ui.label(
                            p.pledge_signed_on
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| lang.tr("未签", "not signed").into()),
                        );
                    });
                    let index = row.index();
                    row.col(|ui| {
                        if self.may_write && ui.small_button(lang.tr("修改", "Edit")).clicked() {
                            edit = Some(index);
                        }
                    });
                });
            });
        if let Some(i) = edit {
            self.dialog = Some(PersonDialog::new(self.rows.get(i)));
        }
        let ctx = ui.ctx().clone();
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, cmds)
        {
            self.dialog = None;
        }
    }
}
