//! 收文登记 and 修改登记 (R3.1.1): the form, validated as the custodian types, with the marking
//! it will carry; Enter saves, Esc closes (an open drop-down first).

use chrono::NaiveDate;
use egui::{Grid, Key, RichText, Ui};

use crate::domain::Message;
use crate::domain::level::{Category, Level};
use crate::domain::marking::{PERIOD_KINDS, SecrecyPeriod, marking};
use crate::domain::numbering::parse_copy_numbers;
use crate::ledger::Session;
use crate::ledger::cabinets::{Cabinet, CabinetId};
use crate::ledger::documents::{Document, DocumentEdit, DocumentId, IncomingInput};
use crate::ledger::people::{Person, PersonId};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::form_rows::{category_row, level_period_rows, parse_common, parse_date};
use crate::ui::widgets::pickers::{PersonText, cabinet_row, fits, person_row};
use crate::ui::widgets::{date_row, error_text, field_row};

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

/// The fields both forms share, read and checked.
struct Described {
    dated: NaiveDate,
    period: SecrecyPeriod,
    pages: u32,
    attachments: u32,
}

impl RegisterDialog {
    pub(super) fn new(session: &Session) -> Self {
        let today = session.today().to_string();
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

    pub(super) fn edit(d: &Document) -> Self {
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

    fn described(&self) -> Result<Described, Message> {
        let (dated, period, pages) = parse_common(
            &self.title,
            &self.dated,
            (self.period_kind, &self.period_value),
            self.level,
            &self.pages,
        )?;
        let attachments: u32 =
            self.attachments.trim().parse().map_err(|_| {
                Message::new("附件数请填写数字", "Write the attachments as a number")
            })?;
        Ok(Described {
            dated,
            period,
            pages,
            attachments,
        })
    }

    fn input(&self) -> Result<IncomingInput, Message> {
        let d = self.described()?;
        let cabinet = self
            .cabinet
            .ok_or_else(|| Message::new("请选择存放专柜", "Choose the cabinet"))?;
        Ok(IncomingInput {
            received_on: parse_date(&self.received_on, ("收文日期", "the received date"))?,
            signed_for_by: self
                .signed_for_by
                .ok_or_else(|| Message::new("请选择签收人", "Choose who signed for it"))?,
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

    fn edited(&self) -> Result<DocumentEdit, Message> {
        let d = self.described()?;
        let received_on = if self.outgoing {
            None
        } else {
            Some(parse_date(
                &self.received_on,
                ("收文日期", "the received date"),
            )?)
        };
        if self.reason.trim().is_empty() {
            return Err(Message::new(
                "请填写修改原因",
                "Write the reason for the change",
            ));
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
    fn command(&self) -> Result<(MainCommand, String), Message> {
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

    pub(super) fn ui(
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
        let fits = |c: &Cabinet| fits(c, self.level);
        if registering
            && self
                .cabinet
                .and_then(|id| cabinets.iter().find(|c| c.id == id))
                .is_none_or(|c| !fits(c))
        {
            self.cabinet = cabinets.iter().find(|c| fits(c)).map(|c| c.id);
        }
        crate::ui::widgets::dialog("register_dialog").show(ctx, |ui| {
            ui.set_width(620.0);
            ui.heading(if registering {
                lang.tr("收文登记", "Register incoming document")
            } else {
                lang.tr("修改登记", "Edit registration")
            });
            // A dialog opened again starts at its top (the title), not where the previous one
            // was scrolled to when it was saved.
            let room = (ui.ctx().content_rect().height() - 220.0).clamp(240.0, 520.0);
            let mut scroll = egui::ScrollArea::vertical().max_height(room);
            if self.focus_title {
                scroll = scroll.vertical_scroll_offset(0.0);
            }
            scroll.show(ui, |ui| {
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
                    ui.label(RichText::new(lang.message(p)).weak());
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
        date_row(ui, lang, lang.tr("成文日期", "Dated"), &mut self.dated);
        if !self.outgoing {
            date_row(
                ui,
                lang,
                lang.tr("收文日期", "Received on"),
                &mut self.received_on,
            );
            person_row(
                ui,
                lang.tr("签收人", "Signed for by"),
                "signer",
                people,
                &mut self.signed_for_by,
                PersonText::Name,
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
            cabinet_row(
                ui,
                lang.tr("存放专柜", "Cabinet"),
                "cabinet",
                cabinets,
                self.level,
                &mut self.cabinet,
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
