//! The detail panel of the selected document: its marking and registration, its copies and
//! where each one is, a copy's history, the edit history, and the actions on it (print the
//! labels, edit, void, record a custody change).

use chrono::NaiveDate;
use egui::{Grid, RichText, Ui};

use super::custody_form::custody_form;
use super::{DocumentsScreen, RegisterDialog, VoidDialog};
use crate::domain::copy_state::CopyState;
use crate::ledger::Session;
use crate::ledger::documents::{self, Copy, CopyEvent, CopyId, Document, Revision};
use crate::ledger::printing::{PrintTarget, Printable};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::error_text;

/// What the detail panel shows about the selected document.
pub(super) struct Detail {
    pub(super) doc: Document,
    pub(super) copies: Vec<Copy>,
    pub(super) revisions: Vec<Revision>,
    /// The copy whose history is open, and that history.
    pub(super) history: Option<(CopyId, Vec<CopyEvent>)>,
    /// What the custodian may record by hand for that copy now (the custody form's choices).
    pub(super) targets: Vec<CopyState>,
}

impl DocumentsScreen {
    pub(super) fn detail_ui(
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
        if d.held {
            error_text(
                ui,
                lang.tr(
                    "已冻结：不能借出、分发或销毁（在“销毁 → 冻结”中解除）",
                    "On hold: not handed out, sent or destroyed (lift it under Destruction → Holds)",
                ),
            );
        }
        if d.all_destroyed {
            ui.label(
                RichText::new(lang.tr(
                    "全部份号已销毁，登记永久保留",
                    "Every copy destroyed; the registration is kept",
                ))
                .strong(),
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
                (lang.tr("类别", "Category"), lang.label(d.category).into()),
                (lang.tr("成文日期", "Dated"), d.dated.clone()),
                (
                    lang.tr("收文日期", "Received"),
                    d.received_on.clone().unwrap_or_default(),
                ),
                (
                    lang.tr("签收人", "Signed for by"),
                    self.person_name(d.signed_for_by),
                ),
                (
                    lang.tr("解密日期", "Declassified on"),
                    d.declassified_on.clone().unwrap_or(ends),
                ),
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
        use crate::domain::Permission as P;
        if !d.voided && session.may(P::PrintForms) {
            ui.horizontal(|ui| {
                if ui.button(lang.tr("打印份号标签", "Print labels")).clicked() {
                    cmds.push(MainCommand::Print {
                        what: Printable::Labels(d.id),
                        target: PrintTarget::Printer,
                    });
                }
                if ui
                    .button(lang.tr("标签另存为 PDF", "Labels to PDF"))
                    .clicked()
                {
                    cmds.push(MainCommand::Print {
                        what: Printable::Labels(d.id),
                        target: PrintTarget::File(std::path::PathBuf::from(
                            self.labels_path.trim(),
                        )),
                    });
                }
            });
            Grid::new("labels_path").num_columns(2).show(ui, |ui| {
                crate::ui::widgets::field_row(
                    ui,
                    lang.tr("标签保存位置", "Save labels to"),
                    &mut self.labels_path,
                    false,
                );
            });
        }
        if !d.voided {
            ui.horizontal(|ui| {
                if session.may(P::RegisterDocuments) {
                    if ui.button(lang.tr("修改登记", "Edit")).clicked() {
                        self.dialog = Some(RegisterDialog::edit(d));
                    }
                    if ui
                        .add(crate::ui::widgets::danger_button(lang.tr("作废", "Void")))
                        .clicked()
                    {
                        self.void_dialog = Some(VoidDialog::new(d.id));
                    }
                }
                if session.may(P::SecrecyReview)
                    && ui.button(lang.tr("密级变更…", "Change level…")).clicked()
                {
                    cmds.push(MainCommand::OpenReview(d.id));
                }
            });
            if !d.all_destroyed && session.may(P::Holds) {
                Grid::new("hold_reason").num_columns(2).show(ui, |ui| {
                    crate::ui::widgets::field_row(
                        ui,
                        lang.tr("冻结原因", "Hold reason"),
                        &mut self.hold_reason,
                        false,
                    );
                });
                if ui
                    .add_enabled(
                        !self.hold_reason.trim().is_empty(),
                        egui::Button::new(lang.tr("冻结本文件", "Hold this document")),
                    )
                    .on_disabled_hover_text(lang.tr(
                        "先写明冻结原因；冻结期间不能借出、分发或销毁",
                        "Write the reason first; while held nothing is handed out, sent or destroyed",
                    ))
                    .clicked()
                {
                    cmds.push(MainCommand::Carriers(
                        crate::ui::screens::carriers::CarrierAction::PlaceHold {
                            target: crate::ledger::holds::HoldTarget::Document(d.id),
                            reason: std::mem::take(&mut self.hold_reason),
                        },
                    ));
                }
            }
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
                        format!("{} · {}", lang.copy_no(c.copy_no), lang.label(c.state))
                    } else {
                        format!(
                            "{} · {} · {}",
                            lang.copy_no(c.copy_no),
                            lang.label(c.state),
                            place
                        )
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
                let at = self.zone.time_text(&e.at);
                let note = match lang {
                    Lang::Zh => e.note.clone(),
                    Lang::En => crate::ledger::custody::note_en(&e.note),
                };
                let line = [at.as_str(), lang.label(e.to), place.trim(), note.as_str()]
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
        let mut hold_copy: Option<CopyId> = None;
        if let Some((copy, state)) = custody_for
            && !detail.doc.voided
        {
            let level = detail.doc.level;
            if !self.hold_reason.trim().is_empty()
                && session.may(crate::domain::Permission::Holds)
                && state != CopyState::Destroyed
                && ui
                    .small_button(lang.tr(
                        "冻结此份（按上面的冻结原因）",
                        "Hold this copy (reason above)",
                    ))
                    .clicked()
            {
                hold_copy = Some(copy);
            }
            if let Some(c) = detail.copies.iter().find(|c| c.id == copy)
                && session.may(crate::domain::Permission::Incidents)
                && ui
                    .small_button(lang.tr("登记泄密/丢失事件…", "Record an incident…"))
                    .clicked()
            {
                let name = format!("《{}》第{}份", detail.doc.title, c.copy_no);
                cmds.push(MainCommand::NewIncident(Box::new(
                    crate::ui::screens::carriers::stocktake::IncidentStart {
                        copies: vec![(copy, name)],
                        borrow: None,
                        description: String::new(),
                        mark_lost: state == CopyState::InCabinet,
                    },
                )));
            }
            if session.may(crate::domain::Permission::Custody) {
                custody_form(
                    ui,
                    lang,
                    &mut self.custody,
                    (copy, state, level),
                    &detail.targets,
                    &self.cabinets,
                    cmds,
                );
            }
        }
        if let Some(copy) = hold_copy {
            cmds.push(MainCommand::Carriers(
                crate::ui::screens::carriers::CarrierAction::PlaceHold {
                    target: crate::ledger::holds::HoldTarget::Copy(copy),
                    reason: std::mem::take(&mut self.hold_reason),
                },
            ));
        }
        let Some(detail) = &self.detail else { return };
        if !detail.revisions.is_empty() {
            ui.separator();
            ui.label(RichText::new(lang.tr("修改记录", "Edit history")).strong());
            for r in &detail.revisions {
                ui.label(
                    RichText::new(format!("{} · {}", self.zone.time_text(&r.at), r.reason)).small(),
                );
                for (col, old, new) in &r.changes {
                    ui.label(
                        RichText::new(format!(
                            "  {}{} {} → {}",
                            lang.tr(
                                documents::field_label_zh(col),
                                documents::field_label_en(col)
                            ),
                            lang.tr("：", ":"),
                            old.as_deref().unwrap_or(lang.tr("（空）", "(empty)")),
                            new.as_deref().unwrap_or(lang.tr("（空）", "(empty)"))
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
            d.targets = if was_open {
                Vec::new()
            } else {
                crate::ledger::custody::manual_targets_for(session, copy).unwrap_or_default()
            };
        }
    }
}
