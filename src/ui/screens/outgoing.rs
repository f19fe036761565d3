//! 发文 (R3.1.2): every outgoing document with its step and the next action. The detail panel
//! shows the steps done (who, when) and the form of the next one: 审核, 签发, 编号, 登记, 印制,
//! then 分发 per copy by a channel its level allows, and the receipts (回执).

use chrono::NaiveDate;
use egui::{Grid, Key, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::main_window::MainCommand;
use crate::domain::Message;
use crate::domain::copy_state::CopyState;
use crate::domain::level::{Category, Level};
use crate::domain::marking::marking;
use crate::domain::outgoing::{Channel, OutgoingStep};
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet, CabinetId};
use crate::ledger::documents::{self, Copy, CopyId, Document, DocumentId};
use crate::ledger::outgoing::{self, Distribution, DistributionInput, OutgoingDraft, StepRecord};
use crate::ledger::people::{self, Person, PersonId};
use crate::ui::i18n::Lang;
use crate::ui::widgets::form_rows::{category_row, level_period_rows, parse_common, parse_date};
use crate::ui::widgets::pickers::{PersonText, cabinet_row, person_row};
use crate::ui::widgets::{combo_row, date_row, error_text, field_row, header_cells};

/// A step of the flow as the screen sends it.
pub enum OutgoingAction {
    /// 拟稿.
    Draft(Box<OutgoingDraft>),
    /// 审核.
    Review {
        id: DocumentId,
        person: PersonId,
        note: String,
    },
    /// 签发.
    Sign {
        id: DocumentId,
        person: PersonId,
        note: String,
    },
    /// 编号.
    Number(DocumentId),
    /// 登记.
    Register(DocumentId),
    /// 印制.
    Print {
        id: DocumentId,
        count: u32,
        cabinet: CabinetId,
    },
    /// 分发 of one copy.
    Distribute {
        copy: CopyId,
        input: Box<DistributionInput>,
    },
    /// 回执.
    Receipt { copy: CopyId, on: NaiveDate },
    /// 分发途中丢失.
    LostInTransit {
        copy: CopyId,
        on: NaiveDate,
        note: String,
    },
}

impl OutgoingAction {
    /// Runs the action on the ledger; returns the toast on success.
    pub fn run(
        self,
        s: &mut Session,
        lang: Lang,
    ) -> Result<(Option<DocumentId>, String), crate::ledger::LedgerError> {
        let t = |zh: &'static str, en: &'static str| lang.tr(zh, en).to_owned();
        Ok(match self {
            OutgoingAction::Draft(d) => (
                Some(outgoing::create_draft(s, &d)?),
                t("已保存草稿", "Draft saved"),
            ),
            OutgoingAction::Review { id, person, note } => {
                outgoing::review(s, id, person, &note)?;
                (Some(id), t("已审核", "Reviewed"))
            }
            OutgoingAction::Sign { id, person, note } => {
                outgoing::sign(s, id, person, &note)?;
                (Some(id), t("已签发", "Signed off"))
            }
            OutgoingAction::Number(id) => {
                let n = outgoing::assign_number(s, id)?;
                let m = match lang {
                    Lang::Zh => format!("已编号：{n}"),
                    Lang::En => format!("Numbered: {n}"),
                };
                (Some(id), m)
            }
            OutgoingAction::Register(id) => {
                outgoing::register(s, id, "")?;
                (Some(id), t("已登记", "Registered"))
            }
            OutgoingAction::Print { id, count, cabinet } => {
                outgoing::print(s, id, count, cabinet)?;
                let m = match lang {
                    Lang::Zh => format!("已印制 {count} 份"),
                    Lang::En => format!("{count} copies printed"),
                };
                (Some(id), m)
            }
            OutgoingAction::Distribute { copy, input } => {
                outgoing::distribute(s, copy, &input)?;
                (None, t("已分发", "Distributed"))
            }
            OutgoingAction::Receipt { copy, on } => {
                outgoing::record_receipt(s, copy, on)?;
                (None, t("已登记回执", "Receipt recorded"))
            }
            OutgoingAction::LostInTransit { copy, on, note } => {
                outgoing::report_lost_in_transit(s, copy, on, &note)?;
                (None, t("已登记分发途中丢失", "Recorded as lost in transit"))
            }
        })
    }
}

/// The selected document's flow.
struct Detail {
    doc: Document,
    steps: Vec<StepRecord>,
    copies: Vec<Copy>,
    sent: Vec<Distribution>,
}

/// Drafts of the next step's form.
#[derive(Default)]
struct StepForm {
    person: Option<PersonId>,
    note: String,
    count: String,
    cabinet: Option<CabinetId>,
    copy: Option<CopyId>,
    recipient: String,
    channel: Option<Channel>,
    carrier: Option<PersonId>,
    tracking_no: String,
    sent_on: String,
}

/// The screen's view state.
#[derive(Default)]
pub struct OutgoingScreen {
    /// The signed-in user runs the outgoing flow (the custodian); others only read.
    may_write: bool,
    rows: Vec<Document>,
    selected: Option<DocumentId>,
    detail: Option<Detail>,
    people: Vec<Person>,
    cabinets: Vec<Cabinet>,
    form: StepForm,
    today: String,
    zone: crate::domain::OfficeZone,
    /// What happened to a copy lost in transit (before its "途中丢失" is recorded).
    lost_note: String,
    /// The last refusal, shown in the detail panel.
    pub error: Option<String>,
    /// The 拟稿 dialog, when open.
    pub dialog: Option<DraftDialog>,
}

impl OutgoingScreen {
    /// Re-reads the outgoing documents, people, cabinets and the selected flow.
    pub fn reload(&mut self, session: &Session) {
        self.today = session.today().to_string();
        self.zone = session.zone();
        self.rows = outgoing::list(session).unwrap_or_default();
        self.people = people::list(session).unwrap_or_default();
        self.cabinets = cabinets::list(session).unwrap_or_default();
        self.detail = self.selected.and_then(|id| {
            Some(Detail {
                doc: documents::get(session, id).ok()?,
                steps: outgoing::steps(session, id).unwrap_or_default(),
                copies: documents::copies(session, id).unwrap_or_default(),
                sent: outgoing::distributions(session, id).unwrap_or_default(),
            })
        });
    }

    /// Selects a document and clears the step form.
    pub fn select(&mut self, session: &Session, id: DocumentId) {
        if self.selected != Some(id) {
            self.form = StepForm::default();
        }
        self.selected = Some(id);
        self.error = None;
        self.reload(session);
    }

    /// After a step succeeded: the form starts afresh for the next one.
    pub fn step_done(&mut self, session: &Session) {
        self.form = StepForm::default();
        self.lost_note.clear();
        self.error = None;
        self.reload(session);
    }

    fn name(&self, id: Option<PersonId>) -> String {
        id.and_then(|id| self.people.iter().find(|p| p.id == id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        self.may_write = session.may(crate::domain::Permission::Outgoing);
        ui.horizontal(|ui| {
            ui.heading(lang.tr("发文", "Outgoing documents"));
            if self.may_write && ui.button(lang.tr("拟稿", "New draft")).clicked() {
                self.dialog = Some(DraftDialog::new(session));
            }
        });
        crate::ui::widgets::hint_text(
            ui,
            lang.tr(
                "审核、签发、编号、登记、印制、分发依次进行（R3.1.2）",
                "Review, sign-off, numbering, registration, printing, distribution — in that order (R3.1.2)",
            ),
        );
        egui::Panel::right("outgoing_detail")
            .exact_size(390.0)
            .show(ui, |ui| {
                // Long values wrap inside the panel: content wider than the panel would
                // widen the table beside it.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical().show(ui, |ui| self.detail_ui(ui, lang, cmds));
            });
        let mut clicked = None;
        // Up/Down walk the list (not behind the draft dialog).
        let mut scroll_to = None;
        if self.dialog.is_none() {
            let selected = self.selected;
            if let Some(row) =
                crate::ui::widgets::walked_row(ui, &self.rows, |d| Some(d.id) == selected)
            {
                clicked = Some(self.rows[row].id);
                scroll_to = Some(row);
            }
        }
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        let mut table = TableBuilder::new(ui);
        if let Some(row) = scroll_to {
            table = table.scroll_to_row(row, None);
        }
        table
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(240.0).clip(true))
            .column(Column::remainder().at_least(100.0).clip(true))
            .column(Column::exact(56.0))
            .column(Column::exact(56.0))
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("文号", "Doc no."),
                        lang.tr("标题", "Title"),
                        lang.tr("已完成", "Done"),
                        lang.tr("下一步", "Next"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, self.rows.len(), |mut row| {
                    let d = &self.rows[row.index()];
                    let step = d.out_step.unwrap_or(OutgoingStep::Draft);
                    row.col(|ui| {
                        ui.label(&d.doc_no);
                    });
                    row.col(|ui| {
                        if crate::ui::widgets::row_select(ui, self.selected == Some(d.id), &d.title)
                            .clicked()
                        {
                            clicked = Some(d.id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(lang.label(step));
                    });
                    row.col(|ui| {
                        ui.label(step.next().map_or("—", |n| lang.label(n)));
                    });
                });
            });
        if let Some(id) = clicked {
            self.select(session, id);
        }
        let ctx = ui.ctx().clone();
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, &self.people, cmds)
        {
            self.dialog = None;
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let Some(detail) = &self.detail else {
            ui.label(RichText::new(lang.tr("选择一份发文查看流程", "Select a document")).weak());
            return;
        };
        let d = &detail.doc;
        ui.heading(RichText::new(&d.marking).color(egui::Color32::from_rgb(0xc0, 0x1c, 0x28)));
        ui.label(RichText::new(&d.title).strong());
        if !d.doc_no.is_empty() {
            ui.label(&d.doc_no);
        }
        ui.separator();
        let id = d.id;
        let level = d.level;
        let step = d.out_step.unwrap_or(OutgoingStep::Draft);
        if d.voided {
            error_text(ui, lang.tr("该登记已作废", "This entry is void"));
        } else if self.may_write {
            let next = step.next().unwrap_or(OutgoingStep::Distributed);
            ui.label(
                RichText::new(format!(
                    "{}{}",
                    lang.tr("下一步：", "Next: "),
                    lang.label(next)
                ))
                .strong(),
            );
            let copies_in_cabinet: Vec<Copy> = detail
                .copies
                .iter()
                .filter(|c| c.state == CopyState::InCabinet)
                .cloned()
                .collect();
            let people = &self.people;
            let cabinets = &self.cabinets;
            let today = self.today.clone();
            let f = &mut self.form;
            match next {
                OutgoingStep::Reviewed | OutgoingStep::Signed => {
                    let who = if next == OutgoingStep::Reviewed {
                        lang.tr("审核人", "Reviewer")
                    } else {
                        lang.tr("签发人", "Signer")
                    };
                    Grid::new("out_form").num_columns(2).show(ui, |ui| {
                        person_row(
                            ui,
                            who,
                            "out_person",
                            people,
                            &mut f.person,
                            PersonText::NameAndPost,
                        );
                        field_row(ui, lang.tr("意见", "Note"), &mut f.note, false);
                    });
                    let label = if next == OutgoingStep::Reviewed {
                        lang.tr("审核通过", "Approve review")
                    } else {
                        lang.tr("签发", "Sign off")
                    };
                    if ui
                        .add_enabled(f.person.is_some(), egui::Button::new(label))
                        .clicked()
                        && let Some(person) = f.person
                    {
                        let note = f.note.clone();
                        cmds.push(MainCommand::Outgoing(if next == OutgoingStep::Reviewed {
                            OutgoingAction::Review { id, person, note }
                        } else {
                            OutgoingAction::Sign { id, person, note }
                        }));
                    }
                }
                OutgoingStep::Numbered => {
                    if ui.button(lang.tr("编号", "Assign number")).clicked() {
                        cmds.push(MainCommand::Outgoing(OutgoingAction::Number(id)));
                    }
                }
                OutgoingStep::Registered => {
                    if ui.button(lang.tr("登记", "Register")).clicked() {
                        cmds.push(MainCommand::Outgoing(OutgoingAction::Register(id)));
                    }
                }
                OutgoingStep::Printed => {
                    Grid::new("out_form").num_columns(2).show(ui, |ui| {
                        field_row(ui, lang.tr("印制份数", "Copies"), &mut f.count, false);
                        cabinet_row(
                            ui,
                            lang.tr("存放专柜", "Cabinet"),
                            "out_cabinet",
                            cabinets,
                            level,
                            &mut f.cabinet,
                        );
                    });
                    let count = f.count.trim().parse::<u32>().ok().filter(|n| *n > 0);
                    if count.is_none() && !f.count.trim().is_empty() {
                        error_text(
                            ui,
                            lang.tr(
                                "印制份数请填写正整数",
                                "Write the number of copies as a whole number",
                            ),
                        );
                    }
                    if ui
                        .add_enabled(
                            count.is_some() && f.cabinet.is_some(),
                            egui::Button::new(lang.tr("印制", "Print")),
                        )
                        .clicked()
                        && let (Some(count), Some(cabinet)) = (count, f.cabinet)
                    {
                        cmds.push(MainCommand::Outgoing(OutgoingAction::Print {
                            id,
                            count,
                            cabinet,
                        }));
                    }
                }
                OutgoingStep::Distributed | OutgoingStep::Draft => {
                    if copies_in_cabinet.is_empty() {
                        ui.label(
                            RichText::new(lang.tr("没有在柜的份号", "No copy in the cabinet"))
                                .weak(),
                        );
                    } else {
                        distribute_form(
                            ui,
                            lang,
                            f,
                            level,
                            &copies_in_cabinet,
                            people,
                            &today,
                            cmds,
                        );
                    }
                }
            }
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        let Some(detail) = &self.detail else { return };
        if !detail.sent.is_empty() {
            ui.separator();
            ui.label(RichText::new(lang.tr("分发记录", "Distribution")).strong());
            for x in &detail.sent {
                ui.label(format!(
                    "{} → {} · {} {} · {}",
                    lang.copy_no(x.copy_no),
                    x.recipient_unit,
                    lang.label(x.channel),
                    if x.tracking_no.is_empty() {
                        self.name(x.carrier)
                    } else {
                        x.tracking_no.clone()
                    },
                    x.sent_on
                ));
                match (&x.receipt_returned_on, &x.lost_on) {
                    (Some(on), _) => {
                        let t = match lang {
                            Lang::Zh => format!("  回执 {on}"),
                            Lang::En => format!("  receipt {on}"),
                        };
                        ui.label(RichText::new(t).small());
                    }
                    (None, Some(on)) => {
                        let t = match lang {
                            Lang::Zh => format!("  {on} 途中丢失"),
                            Lang::En => format!("  lost in transit {on}"),
                        };
                        ui.label(RichText::new(t).small());
                    }
                    (None, None) => {
                        ui.horizontal(|ui| {
                            if ui
                                .small_button(match lang {
                                    Lang::Zh => format!("第{}份回执已收回", x.copy_no),
                                    Lang::En => format!("Receipt for copy {} back", x.copy_no),
                                })
                                .clicked()
                                && let Ok(on) = parse_date(&self.today, ("日期", "the date"))
                            {
                                cmds.push(MainCommand::Outgoing(OutgoingAction::Receipt {
                                    copy: x.copy,
                                    on,
                                }));
                            }
                            let can = !self.lost_note.trim().is_empty();
                            if ui
                                .add_enabled(
                                    can,
                                    egui::Button::new(match lang {
                                        Lang::Zh => format!("第{}份途中丢失", x.copy_no),
                                        Lang::En => format!("Copy {} lost in transit", x.copy_no),
                                    })
                                    .small(),
                                )
                                .on_disabled_hover_text(lang.tr(
                                    "先在下面写明丢失的经过",
                                    "First write below how it was lost",
                                ))
                                .clicked()
                                && let Ok(on) = parse_date(&self.today, ("日期", "the date"))
                            {
                                cmds.push(MainCommand::Outgoing(OutgoingAction::LostInTransit {
                                    copy: x.copy,
                                    on,
                                    note: self.lost_note.trim().to_owned(),
                                }));
                            }
                        });
                    }
                }
            }
            if detail
                .sent
                .iter()
                .any(|x| x.receipt_returned_on.is_none() && x.lost_on.is_none())
            {
                Grid::new("lost_in_transit").num_columns(2).show(ui, |ui| {
                    field_row(
                        ui,
                        lang.tr("丢失经过", "What happened"),
                        &mut self.lost_note,
                        false,
                    );
                });
            }
        }
        ui.separator();
        Grid::new("out_steps").num_columns(3).show(ui, |ui| {
            for step in OutgoingStep::ALL {
                let rec = detail.steps.iter().find(|r| r.step == step);
                ui.label(if rec.is_some() { "✓" } else { "○" });
                ui.label(lang.label(step));
                ui.label(
                    RichText::new(rec.map_or(String::new(), |r| {
                        format!("{} {}", self.name(r.person), self.zone.time_text(&r.at))
                            .trim()
                            .to_owned()
                    }))
                    .small(),
                );
                ui.end_row();
            }
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn distribute_form(
    ui: &mut Ui,
    lang: Lang,
    f: &mut StepForm,
    level: Level,
    copies: &[Copy],
    people: &[Person],
    today: &str,
    cmds: &mut Vec<MainCommand>,
) {
    if f.sent_on.is_empty() {
        f.sent_on = today.to_owned();
    }
    if f.copy.is_none_or(|c| !copies.iter().any(|k| k.id == c)) {
        f.copy = copies.first().map(|c| c.id);
    }
    Grid::new("out_form").num_columns(2).show(ui, |ui| {
        let copy_label = f
            .copy
            .and_then(|c| copies.iter().find(|k| k.id == c))
            .map(|c| lang.copy_no(c.copy_no))
            .unwrap_or_default();
        combo_row(
            ui,
            lang.tr("份号", "Copy"),
            "out_copy",
            &copy_label,
            |ui| {
                for c in copies {
                    ui.selectable_value(&mut f.copy, Some(c.id), lang.copy_no(c.copy_no));
                }
            },
        );
        field_row(
            ui,
            lang.tr("收件单位", "Recipient"),
            &mut f.recipient,
            false,
        );
        let allowed = Channel::allowed_for(level);
        if f.channel.is_none_or(|c| !allowed.contains(&c)) {
            f.channel = allowed.first().copied();
        }
        combo_row(
            ui,
            lang.tr("传递渠道", "Channel"),
            "out_channel",
            f.channel.map_or("", |c| lang.label(c)),
            |ui| {
                for c in allowed {
                    ui.selectable_value(&mut f.channel, Some(*c), lang.label(*c));
                }
            },
        );
        if f.channel == Some(Channel::DesignatedPerson) {
            person_row(
                ui,
                lang.tr("送达人", "Carrier"),
                "out_carrier",
                people,
                &mut f.carrier,
                PersonText::NameAndPost,
            );
        } else {
            field_row(
                ui,
                lang.tr("单号", "Tracking no."),
                &mut f.tracking_no,
                false,
            );
        }
        date_row(ui, lang, lang.tr("发出日期", "Sent on"), &mut f.sent_on);
    });
    let input = (|| -> Result<(CopyId, DistributionInput), Message> {
        let copy = f
            .copy
            .ok_or_else(|| Message::new("请选择份号", "Choose the copy"))?;
        if f.recipient.trim().is_empty() {
            return Err(Message::new("请填写收件单位", "Write the recipient unit"));
        }
        let channel = f
            .channel
            .ok_or_else(|| Message::new("请选择传递渠道", "Choose the channel"))?;
        let designated = channel == Channel::DesignatedPerson;
        if designated && f.carrier.is_none() {
            return Err(Message::new(
                "专人送达须选择送达人",
                "Delivery by a designated person: choose the person",
            ));
        }
        Ok((
            copy,
            DistributionInput {
                recipient_unit: f.recipient.clone(),
                channel,
                carrier: if designated { f.carrier } else { None },
                tracking_no: if designated {
                    String::new()
                } else {
                    f.tracking_no.clone()
                },
                sent_on: parse_date(&f.sent_on, ("发出日期", "the date sent"))?,
            },
        ))
    })();
    if let Err(p) = &input {
        ui.label(RichText::new(lang.message(p)).weak());
    }
    if ui
        .add_enabled(input.is_ok(), egui::Button::new(lang.tr("分发", "Send")))
        .clicked()
        && let Ok((copy, input)) = input
    {
        cmds.push(MainCommand::Outgoing(OutgoingAction::Distribute {
            copy,
            input: Box::new(input),
        }));
    }
}

/// The 拟稿 form.
pub struct DraftDialog {
    title: String,
    category: Category,
    level: Level,
    period_kind: &'static str,
    period_value: String,
    dated: String,
    pages: String,
    drafter: Option<PersonId>,
    readers: String,
    remarks: String,
    error: Option<String>,
}

impl DraftDialog {
    fn new(session: &Session) -> Self {
        Self {
            title: String::new(),
            category: Category::Policy,
            // The same default as 收文: the higher of the two common levels, so a forgotten choice
            // over-protects rather than under-protects; the marking line shows it before saving.
            level: Level::Jimi,
            period_kind: "unspecified",
            period_value: String::new(),
            dated: session.today().to_string(),
            pages: String::new(),
            drafter: Some(session.user().person_id),
            readers: String::new(),
            remarks: String::new(),
            error: None,
        }
    }

    /// The save was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    fn draft(&self) -> Result<OutgoingDraft, Message> {
        let (dated, period, pages) = parse_common(
            &self.title,
            &self.dated,
            (self.period_kind, &self.period_value),
            self.level,
            &self.pages,
        )?;
        Ok(OutgoingDraft {
            title: self.title.clone(),
            category: self.category,
            level: self.level,
            period,
            dated,
            pages,
            drafter: self
                .drafter
                .ok_or_else(|| Message::new("请选择拟稿人", "Choose the drafter"))?,
            readers: self.readers.clone(),
            remarks: self.remarks.clone(),
        })
    }

    fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        people: &[Person],
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        let popup_open = egui::Popup::is_any_open(ctx);
        crate::ui::widgets::dialog("draft_dialog").show(ctx, |ui| {
            ui.set_width(600.0);
            ui.heading(lang.tr("发文拟稿", "New outgoing draft"));
            Grid::new("draft_form").num_columns(2).show(ui, |ui| {
                field_row(ui, lang.tr("标题", "Title"), &mut self.title, false);
                level_period_rows(
                    ui,
                    lang,
                    &mut self.level,
                    &mut self.period_kind,
                    &mut self.period_value,
                );
                category_row(ui, lang, &mut self.category);
                date_row(ui, lang, lang.tr("成文日期", "Dated"), &mut self.dated);
                field_row(ui, lang.tr("页数", "Pages"), &mut self.pages, false);
                person_row(
                    ui,
                    lang.tr("拟稿人", "Drafted by"),
                    "drafter",
                    people,
                    &mut self.drafter,
                    PersonText::NameAndPost,
                );
                field_row(
                    ui,
                    lang.tr("知悉范围", "Who may read"),
                    &mut self.readers,
                    false,
                );
                field_row(ui, lang.tr("备注", "Remarks"), &mut self.remarks, false);
            });
            let draft = self.draft();
            match &draft {
                Ok(d) => {
                    ui.label(
                        RichText::new(format!(
                            "{}{}",
                            lang.tr("密级标志：", "Marking: "),
                            marking(d.level, &d.period)
                        ))
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
                let save = ui.add_enabled(
                    draft.is_ok(),
                    egui::Button::new(lang.tr("保存草稿", "Save draft")),
                );
                if (save.clicked() || ui.input(|i| i.key_pressed(Key::Enter)) && !popup_open)
                    && let Ok(d) = draft
                {
                    cmds.push(MainCommand::Outgoing(OutgoingAction::Draft(Box::new(d))));
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
