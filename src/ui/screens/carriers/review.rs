//! 解密审查 (R2.2): the documents whose secrecy period ends within the window or has ended,
//! soonest first, and the decision for the selected one — 解密, 延长 (within the statutory
//! maximum) or 变更密级 (the cabinet rule checked again: copies in a cabinet not fit for the new
//! level move into the one chosen) — with who decided, on whose authority and when. A document
//! opened from the register (an ad-hoc change of level) gets the same form.

use egui::{Grid, RichText, Ui};

use super::actions::CarrierAction;
use crate::domain::level::Level;
use crate::domain::secrecy::DecisionKind;
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet, CabinetId};
use crate::ledger::documents::{self, Document, DocumentId};
use crate::ledger::secrecy::{self, Decision, DueItem, Record};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::date::date_row;
use crate::ui::widgets::form_rows::parse_period;
use crate::ui::widgets::pickers::cabinet_row;
use crate::ui::widgets::{combo_row, error_text, field_row, hint_text, primary_button};

/// The screen's view state.
#[derive(Default)]
pub struct ReviewScreen {
    due: Vec<DueItem>,
    window: u32,
    selected: Option<Document>,
    history: Vec<Record>,
    cabinets: Vec<Cabinet>,
    kind: Option<DecisionKind>,
    level: Option<Level>,
    period_kind: String,
    period_value: String,
    decided_on: String,
    decided_by: String,
    authority: String,
    reason: String,
    move_to: Option<CabinetId>,
    /// The last refusal.
    pub error: Option<String>,
}

impl ReviewScreen {
    /// Re-reads the list and the selected document.
    pub fn reload(&mut self, session: &Session) {
        self.due = secrecy::due(session).unwrap_or_default();
        self.window = secrecy::window_days(session).unwrap_or(secrecy::DEFAULT_WINDOW_DAYS);
        self.cabinets = cabinets::list(session).unwrap_or_default();
        let keep = self.selected.as_ref().map(|d| d.id);
        let id = keep.or_else(|| self.due.first().map(|d| d.document));
        self.select(session, id);
        if self.decided_on.is_empty() {
            self.decided_on = session.today().to_string();
        }
    }

    fn select(&mut self, session: &Session, id: Option<DocumentId>) {
        let changed = self.selected.as_ref().map(|d| d.id) != id;
        self.selected = id.and_then(|id| documents::get(session, id).ok());
        self.history = id
            .and_then(|id| secrecy::history(session, id).ok())
            .unwrap_or_default();
        if changed && let Some(d) = &self.selected {
            self.level = Some(d.level);
            let (k, v) = d.period.to_parts();
            self.period_kind = k.to_owned();
            self.period_value = v;
            self.kind = None;
            self.move_to = None;
        }
    }

    /// Opens the form for any document (the register's 变更密级/解密).
    pub fn open_document(&mut self, session: &Session, id: DocumentId) {
        self.reload(session);
        self.select(session, Some(id));
    }

    /// After a decision: clear the form, re-read.
    pub fn done(&mut self, session: &Session) {
        self.reason.clear();
        self.kind = None;
        self.error = None;
        let id = self.selected.as_ref().map(|d| d.id);
        self.reload(session);
        self.select(session, id);
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        ui.heading(lang.tr("解密审查", "Declassification review"));
        hint_text(
            ui,
            &match lang {
                Lang::Zh => format!(
                    "保密期限在 {} 天内届满或已届满的文件（期限为条件或长期的不列出）",
                    self.window
                ),
                Lang::En => format!(
                    "Documents whose period ends within {} days or has ended (conditions and long-term periods are not listed)",
                    self.window
                ),
            },
        );
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        let custodian = session.may(crate::domain::Permission::SecrecyReview);
        let panel = (ui.available_width() * 0.45).clamp(360.0, 560.0);
        egui::Panel::right("review_detail")
            .exact_size(panel)
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical()
                    .id_salt("review_detail_scroll")
                    .show(ui, |ui| self.detail_ui(ui, lang, custodian, cmds));
            });
        let mut pick = None;
        egui::ScrollArea::both()
            .id_salt("review_rows")
            .show(ui, |ui| {
                Grid::new("due_rows")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(lang.tr("文件", "Document"));
                        ui.strong(lang.tr("密级标志", "Marking"));
                        ui.strong(lang.tr("期限届满", "Period ends"));
                        ui.end_row();
                        for d in &self.due {
                            let on = self.selected.as_ref().is_some_and(|s| s.id == d.document);
                            if ui.selectable_label(on, &d.title).clicked() {
                                pick = Some(d.document);
                            }
                            ui.label(&d.marking);
                            let when = if d.days_left < 0 {
                                RichText::new(match lang {
                                    Lang::Zh => {
                                        format!("{} 已届满{}天", d.ends_on, -d.days_left)
                                    }
                                    Lang::En => {
                                        format!("{} ({} days ago)", d.ends_on, -d.days_left)
                                    }
                                })
                                .color(crate::ui::widgets::DANGER)
                            } else {
                                RichText::new(match lang {
                                    Lang::Zh => format!("{} 还有{}天", d.ends_on, d.days_left),
                                    Lang::En => format!("{} (in {} days)", d.ends_on, d.days_left),
                                })
                            };
                            ui.label(when);
                            ui.end_row();
                        }
                    });
                if self.due.is_empty() {
                    hint_text(
                        ui,
                        lang.tr("目前没有需要审查的文件", "Nothing to review now"),
                    );
                }
            });
        if let Some(id) = pick {
            self.select(session, Some(id));
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, lang: Lang, custodian: bool, cmds: &mut Vec<MainCommand>) {
        let Some(d) = self.selected.clone() else {
            return;
        };
        ui.label(RichText::new(&d.title).strong());
        ui.label(format!(
            "{}  {}  {}{}",
            d.receipt_no.as_deref().unwrap_or(&d.doc_no),
            d.marking,
            lang.tr("成文日期 ", "dated "),
            d.dated
        ));
        for r in &self.history {
            ui.label(format!(
                "{} {}：{} → {}（{}，{}）",
                r.decided_on,
                lang.tr(r.kind.label_zh(), r.kind.label_en()),
                r.from_marking,
                r.to_marking,
                r.decided_by,
                r.authority
            ));
        }
        if d.declassified_on.is_some() || !custodian {
            return;
        }
        ui.separator();
        ui.horizontal(|ui| {
            for k in [
                DecisionKind::Declassify,
                DecisionKind::Extend,
                DecisionKind::ChangeLevel,
            ] {
                ui.selectable_value(&mut self.kind, Some(k), lang.tr(k.label_zh(), k.label_en()));
            }
        });
        let Some(kind) = self.kind else {
            hint_text(ui, lang.tr("请选择决定", "Choose the decision"));
            return;
        };
        Grid::new("review_form").num_columns(2).show(ui, |ui| {
            if kind == DecisionKind::ChangeLevel {
                let shown = self
                    .level
                    .map(|l| lang.tr(l.label_zh(), l.label_en()))
                    .unwrap_or_default();
                combo_row(
                    ui,
                    lang.tr("新密级", "New level"),
                    "review_level",
                    shown,
                    |ui| {
                        for l in Level::ALL {
                            ui.selectable_value(
                                &mut self.level,
                                Some(l),
                                lang.tr(l.label_zh(), l.label_en()),
                            );
                        }
                    },
                );
            }
            if kind != DecisionKind::Declassify {
                let shown = crate::domain::marking::PERIOD_KINDS
                    .iter()
                    .find(|(c, _)| *c == self.period_kind)
                    .map(|(c, zh)| lang.tr(zh, crate::domain::marking::period_kind_en(c)))
                    .unwrap_or_default();
                combo_row(
                    ui,
                    lang.tr("保密期限", "Period"),
                    "review_period_kind",
                    shown,
                    |ui| {
                        for (c, zh) in crate::domain::marking::PERIOD_KINDS {
                            ui.selectable_value(
                                &mut self.period_kind,
                                c.to_owned(),
                                lang.tr(zh, crate::domain::marking::period_kind_en(c)),
                            );
                        }
                    },
                );
                if matches!(
                    self.period_kind.as_str(),
                    "years" | "months" | "until" | "condition"
                ) {
                    field_row(
                        ui,
                        lang.tr("期限值", "Value"),
                        &mut self.period_value,
                        false,
                    );
                }
            }
            if kind == DecisionKind::ChangeLevel {
                cabinet_row(
                    ui,
                    lang.tr("不合规时移入专柜", "Move misfits into"),
                    "review_move_to",
                    &self.cabinets,
                    self.level.unwrap_or(d.level),
                    &mut self.move_to,
                );
            }
            date_row(
                ui,
                lang,
                lang.tr("决定日期", "Decided on"),
                &mut self.decided_on,
            );
            field_row(
                ui,
                lang.tr("决定人/原定密单位", "Decided by"),
                &mut self.decided_by,
                false,
            );
            field_row(
                ui,
                lang.tr("依据（通知、文号）", "Authority"),
                &mut self.authority,
                false,
            );
            field_row(ui, lang.tr("说明", "Reason"), &mut self.reason, false);
        });
        if ui
            .add(primary_button(lang.tr("登记决定", "Record the decision")))
            .clicked()
        {
            let level = if kind == DecisionKind::ChangeLevel {
                self.level.unwrap_or(d.level)
            } else {
                d.level
            };
            let dated = crate::ui::widgets::date::read(&d.dated).unwrap_or_default();
            let period = if kind == DecisionKind::Declassify {
                Ok(d.period.clone())
            } else {
                parse_period(&self.period_kind, &self.period_value, level, dated)
            };
            let on = crate::ui::widgets::date::read(&self.decided_on);
            match (period, on) {
                (Ok(period), Some(decided_on)) => {
                    cmds.push(MainCommand::Carriers(CarrierAction::Decide {
                        document: d.id,
                        decision: Box::new(Decision {
                            kind,
                            level,
                            period,
                            decided_on,
                            decided_by: self.decided_by.clone(),
                            authority: self.authority.clone(),
                            reason: self.reason.clone(),
                            move_to: self.move_to,
                        }),
                    }));
                }
                (Err(m), _) => self.error = Some(lang.message(&m).to_owned()),
                (_, None) => {
                    self.error = Some(
                        lang.tr(
                            "决定日期应写成 2026-11-26 的形式",
                            "Write the date as 2026-11-26",
                        )
                        .into(),
                    )
                }
            }
        }
    }
}
