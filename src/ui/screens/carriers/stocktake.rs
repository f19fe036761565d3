//! 清查 (R4.1) and 事件 (R5.1). A round is started over chosen cabinets or all; in the open round
//! the custodian picks the cabinet in front of them and scans each label (Enter), or ticks the
//! copies in the list; every scan says at once what it is. The live result lists what needs
//! attention (a missing copy opens an incident in one click); closing freezes it. Rounds stay
//! listed with their counts; each prints as a report. The 事件 tab lists incidents and
//! completes them as they develop.

use egui::{Grid, RichText, Ui};

use super::actions::CarrierAction;
use crate::domain::stocktake::Outcome;
use crate::ledger::Session;
use crate::ledger::cabinets::{self, Cabinet, CabinetId};
use crate::ledger::documents::CopyId;
use crate::ledger::incidents::{self, Incident, IncidentId, Kind, NewIncident, Progress};
use crate::ledger::printing::{PrintTarget, Printable};
use crate::ledger::stocktake::{self, How, Report, Round, RoundState, StocktakeId};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::date::date_row;
use crate::ui::widgets::{
    combo_row, danger_button, dialog, error_text, field_row, hint_text, primary_button,
};

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Rounds,
    Incidents,
}

/// The incident form (new, or completing one).
#[derive(Default, Clone)]
struct IncidentForm {
    kind: Option<Kind>,
    occurred_on: String,
    discovered_on: String,
    description: String,
    copies: Vec<(CopyId, String)>,
    mark_lost: bool,
    measures: String,
    /// People involved (names; those outside the register too).
    people_note: String,
    stocktake: Option<StocktakeId>,
    borrow: Option<crate::ledger::borrowing::BorrowId>,
    error: Option<String>,
}

/// An incident started from another screen: a return with pages missing, a loan lost, a copy's
/// custody (the form opens filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentStart {
    /// The copies involved, each with its name (《标题》第n份).
    pub copies: Vec<(CopyId, String)>,
    pub borrow: Option<crate::ledger::borrowing::BorrowId>,
    pub description: String,
    /// Whether to record them as lost (off when the ledger already has them lost or back).
    pub mark_lost: bool,
}

/// The screen's view state.
#[derive(Default)]
pub struct StocktakeScreen {
    tab: Tab,
    rounds: Vec<(Round, stocktake::Counts)>,
    /// The round shown: the open one, or one picked from the list.
    shown: Option<StocktakeId>,
    report: Option<Report>,
    cabinets: Vec<Cabinet>,
    /// Start form: the cabinets ticked (none: every cabinet).
    start_all: bool,
    start_pick: Vec<CabinetId>,
    start_note: String,
    /// The open round: the cabinet in front of the custodian, and its expected copies.
    here: Option<CabinetId>,
    expected: Vec<(CopyId, String, bool)>,
    scan: String,
    /// The last scan's answer: whether it was found where the ledger says, and the words.
    last: Option<(bool, String)>,
    close_note: String,
    confirm_close: bool,
    save_path: String,
    save_for: Option<StocktakeId>,
    incidents: Vec<Incident>,
    /// Copies already named by an incident, with its number.
    incident_of: std::collections::HashMap<CopyId, String>,
    incident: Option<IncidentId>,
    incident_detail: Option<Incident>,
    progress: Progress,
    reported_on: String,
    /// The new-incident dialog.
    new_incident: Option<IncidentForm>,
    /// The office's date (the incident form's default).
    today: String,
    /// The last refusal.
    pub error: Option<String>,
}

impl StocktakeScreen {
    /// Re-reads rounds, the shown round's report, cabinets and incidents.
    pub fn reload(&mut self, session: &Session) {
        self.today = session.today().to_string();
        self.rounds = stocktake::list(session).unwrap_or_default();
        self.cabinets = cabinets::list(session)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| !c.retired)
            .collect();
        let open = stocktake::open(session).ok().flatten();
        if self.shown.is_none() || open.is_some() {
            self.shown = open.or(self.shown);
        }
        if self.shown.is_none() {
            self.shown = self.rounds.first().map(|(r, _)| r.id);
        }
        self.report = self
            .shown
            .and_then(|id| stocktake::report(session, id).ok());
        if let Some(r) = &self.report {
            if self
                .here
                .is_none_or(|h| !r.round.cabinets.iter().any(|(k, _)| *k == h))
            {
                self.here = r.round.cabinets.first().map(|(k, _)| *k);
            }
            self.expected = match (r.round.state, self.here) {
                (RoundState::Open, Some(k)) => {
                    stocktake::expected_in(session, r.round.id, k).unwrap_or_default()
                }
                _ => Vec::new(),
            };
        }
        self.incidents = incidents::list(session).unwrap_or_default();
        self.incident_of = incidents::by_copy(session).unwrap_or_default();
        if self.incident.is_none() {
            self.incident = self.incidents.first().map(|i| i.id);
        }
        self.incident_detail = self
            .incident
            .and_then(|id| incidents::get(session, id).ok());
        if let Some(i) = &self.incident_detail {
            self.progress = Progress {
                measures: i.measures.clone(),
                reported_to: i.reported_to.clone(),
                reported_on: None,
                outcome: i.outcome.clone(),
            };
            self.reported_on = i.reported_on.clone().unwrap_or_default();
        }
    }

    /// After an action: re-read; a scan's answer is kept to show.
    pub fn done(&mut self, session: &Session, answer: Option<(bool, String)>) {
        if answer.is_some() {
            self.last = answer;
        }
        self.error = None;
        self.confirm_close = false;
        self.new_incident = None;
        self.reload(session);
    }

    /// Opens the incident form filled in from another screen, on the 事件 tab.
    pub fn start_incident(&mut self, session: &Session, start: IncidentStart) {
        self.tab = Tab::Incidents;
        self.reload(session);
        self.new_incident = Some(IncidentForm {
            kind: Some(Kind::Loss),
            occurred_on: self.today.clone(),
            discovered_on: self.today.clone(),
            description: start.description,
            copies: start.copies,
            mark_lost: start.mark_lost,
            borrow: start.borrow,
            ..IncidentForm::default()
        });
    }

    /// Shows an incident (after it was opened).
    pub fn show_incident(&mut self, session: &Session, id: IncidentId) {
        self.tab = Tab::Incidents;
        self.incident = Some(id);
        self.done(session, None);
    }

    /// A refusal inside the incident dialog when it is open, else on the screen.
    pub fn failed(&mut self, message: String) {
        match &mut self.new_incident {
            Some(f) => f.error = Some(message),
            None => self.error = Some(message),
        }
    }

    /// Whether a dialog is open.
    pub fn dialog_open(&self) -> bool {
        self.confirm_close || self.new_incident.is_some()
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        let custodian = session.may(crate::domain::Permission::Stocktaking);
        ui.horizontal(|ui| {
            ui.heading(lang.tr("清查", "Stock-taking"));
            for (tab, label) in [
                (Tab::Rounds, lang.tr("清查", "Rounds")),
                (Tab::Incidents, lang.tr("泄密/丢失事件", "Incidents")),
            ] {
                if ui.selectable_label(self.tab == tab, label).clicked() {
                    self.tab = tab;
                    self.reload(session);
                }
            }
        });
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        match self.tab {
            Tab::Rounds => self.rounds_ui(ui, lang, session, custodian, cmds),
            Tab::Incidents => self.incidents_ui(ui, lang, session, custodian, cmds),
        }
        self.close_dialog(ui.ctx(), lang, cmds);
        self.incident_dialog(ui.ctx(), lang, cmds);
    }

    fn rounds_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        custodian: bool,
        cmds: &mut Vec<MainCommand>,
    ) {
        let open = self
            .report
            .as_ref()
            .is_some_and(|r| r.round.state == RoundState::Open);
        let any_open = self.rounds.iter().any(|(r, _)| r.state == RoundState::Open);
        if custodian && !any_open {
            self.start_ui(ui, lang, cmds);
            ui.separator();
        }
        let panel = (ui.available_width() * 0.62).clamp(440.0, 700.0);
        egui::Panel::right("stocktake_detail")
            .exact_size(panel)
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical()
                    .id_salt("stocktake_detail_scroll")
                    .show(ui, |ui| {
                        if open && custodian {
                            self.scan_ui(ui, lang, session, cmds);
                            ui.separator();
                        }
                        self.report_ui(ui, lang, custodian, cmds);
                    });
            });
        let mut pick = None;
        egui::ScrollArea::both().id_salt("rounds").show(ui, |ui| {
            Grid::new("round_rows")
                .num_columns(4)
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(lang.tr("清查编号", "Round"));
                    ui.strong(lang.tr("状态", "State"));
                    ui.strong(lang.tr("缺失", "Missing"));
                    ui.strong(lang.tr("在位", "Found"));
                    ui.end_row();
                    for (r, counts) in &self.rounds {
                        if ui
                            .selectable_label(self.shown == Some(r.id), &r.round_no)
                            .clicked()
                        {
                            pick = Some(r.id);
                        }
                        ui.label(lang.tr(r.state.label_zh(), r.state.label_en()));
                        let n = |o| counts.get(&o).map(|n| n.to_string()).unwrap_or_default();
                        ui.label(n(Outcome::Missing));
                        ui.label(n(Outcome::Found));
                        ui.end_row();
                    }
                });
            if self.rounds.is_empty() {
                hint_text(ui, lang.tr("还没有清查记录", "No stock-taking yet"));
            }
        });
        if let Some(id) = pick {
            self.shown = Some(id);
            self.reload(session);
        }
    }

    fn start_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        ui.label(RichText::new(lang.tr("新的清查", "A new stock-taking")).strong());
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.start_all, lang.tr("全部专柜", "Every cabinet"));
            if !self.start_all {
                for c in &self.cabinets {
                    let mut on = self.start_pick.contains(&c.id);
                    if ui.checkbox(&mut on, &c.code).changed() {
                        if on {
                            self.start_pick.push(c.id);
                        } else {
                            self.start_pick.retain(|k| *k != c.id);
                        }
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            let l = ui.label(lang.tr("说明", "Note"));
            ui.add(egui::TextEdit::singleline(&mut self.start_note).desired_width(220.0))
                .labelled_by(l.id);
            if ui
                .add_enabled(
                    self.start_all || !self.start_pick.is_empty(),
                    primary_button(lang.tr("开始清查", "Start")),
                )
                .clicked()
            {
                cmds.push(MainCommand::Carriers(CarrierAction::StartRound {
                    cabinets: (!self.start_all).then(|| self.start_pick.clone()),
                    note: std::mem::take(&mut self.start_note),
                }));
            }
        });
    }

    fn scan_ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        let Some(r) = &self.report else { return };
        let round = r.round.id;
        let scope = r.round.cabinets.clone();
        let mut changed_here = false;
        Grid::new("scan_form").num_columns(2).show(ui, |ui| {
            let shown = self
                .here
                .and_then(|h| scope.iter().find(|(k, _)| *k == h))
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            combo_row(
                ui,
                lang.tr("正在清点的专柜", "Cabinet in front of you"),
                "stocktake_here",
                &shown,
                |ui| {
                    for (k, code) in &scope {
                        if ui
                            .selectable_value(&mut self.here, Some(*k), code)
                            .changed()
                        {
                            changed_here = true;
                        }
                    }
                },
            );
            let l = crate::ui::widgets::row_label(ui, lang.tr("扫码", "Scan"));
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut self.scan)
                        .desired_width(200.0)
                        .hint_text(lang.tr("扫描份号标签后回车", "scan a label, Enter")),
                )
                .labelled_by(l.id);
            if resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                let label = std::mem::take(&mut self.scan);
                if let Some(cabinet) = self.here
                    && !label.trim().is_empty()
                {
                    cmds.push(MainCommand::Carriers(CarrierAction::Mark {
                        round,
                        cabinet,
                        label,
                        how: How::Scan,
                    }));
                }
                resp.request_focus();
            }
            ui.end_row();
        });
        if changed_here {
            self.reload(session);
        }
        if let Some((good, text)) = &self.last {
            let color = if *good {
                egui::Color32::from_rgb(0x1a, 0x7f, 0x37)
            } else {
                crate::ui::widgets::DANGER
            };
            ui.label(RichText::new(text).color(color).strong());
        }
        let marked = self.expected.iter().filter(|(_, _, m)| *m).count();
        ui.label(match lang {
            Lang::Zh => format!("本柜应在 {} 份，已清点 {marked} 份", self.expected.len()),
            Lang::En => format!("{} expected here, {marked} marked", self.expected.len()),
        });
        egui::CollapsingHeader::new(lang.tr("本柜份号（可勾选）", "Copies here (tick)"))
            .id_salt("stocktake_ticks")
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("ticks")
                    .max_height(220.0)
                    .show(ui, |ui| {
                        for (copy, name, on) in &self.expected {
                            let mut v = *on;
                            if ui
                                .checkbox(&mut v, format!("copy-{}  {name}", copy.0))
                                .changed()
                            {
                                let label = format!("copy-{}", copy.0);
                                cmds.push(MainCommand::Carriers(if v {
                                    CarrierAction::Mark {
                                        round,
                                        cabinet: self.here.unwrap_or(CabinetId(0)),
                                        label,
                                        how: How::Tick,
                                    }
                                } else {
                                    CarrierAction::Unmark { round, label }
                                }));
                            }
                        }
                    });
            });
        ui.horizontal(|ui| {
            if ui
                .add(primary_button(lang.tr("完成清查…", "Close the round…")))
                .clicked()
            {
                self.confirm_close = true;
            }
        });
    }

    fn report_ui(&mut self, ui: &mut Ui, lang: Lang, custodian: bool, cmds: &mut Vec<MainCommand>) {
        let Some(r) = &self.report else {
            hint_text(
                ui,
                lang.tr(
                    "开始一次清查：选择专柜后点“开始清查”",
                    "Start a round: choose the cabinets, then Start",
                ),
            );
            return;
        };
        let id = r.round.id;
        ui.horizontal(|ui| {
            ui.label(RichText::new(&r.round.round_no).strong().size(16.0));
            ui.label(lang.tr(r.round.state.label_zh(), r.round.state.label_en()));
        });
        // While the round is open an unscanned copy is not missing yet: it is still to find.
        let open = r.round.state == RoundState::Open;
        let label = |o: Outcome| match o {
            Outcome::Missing if open => lang.tr("尚未找到", "not found yet"),
            _ => lang.tr(o.label_zh(), o.label_en()),
        };
        let counts: Vec<String> = Outcome::ALL
            .iter()
            .map(|o| format!("{} {}", label(*o), r.count(*o)))
            .collect();
        ui.label(counts.join("   "));
        if let Some((no, prev)) = &r.previous {
            let n = |o: Outcome| prev.get(&o).copied().unwrap_or(0);
            ui.label(match lang {
                Lang::Zh => format!(
                    "上次 {no}：缺失 {}，在位 {}",
                    n(Outcome::Missing),
                    n(Outcome::Found)
                ),
                Lang::En => format!(
                    "Previous {no}: {} missing, {} found",
                    n(Outcome::Missing),
                    n(Outcome::Found)
                ),
            });
        }
        let mut incident_for = None;
        // While open, what a scan just turned up (wrong cabinet, unexpected) comes before the
        // copies still to find.
        let mut shown: Vec<&stocktake::ReportLine> = r
            .lines
            .iter()
            .filter(|l| l.outcome != Outcome::Found)
            .collect();
        if open {
            shown.sort_by_key(|l| l.outcome == Outcome::Missing);
        }
        for l in shown {
            ui.horizontal(|ui| {
                let text = RichText::new(label(l.outcome));
                ui.label(
                    if l.outcome.is_problem() && !(open && l.outcome == Outcome::Missing) {
                        text.color(crate::ui::widgets::DANGER).strong()
                    } else {
                        text
                    },
                );
                let known = l.copy.and_then(|c| self.incident_of.get(&c));
                if let Some(no) = known {
                    ui.label(RichText::new(no).weak());
                } else if custodian
                    && !open
                    && l.outcome == Outcome::Missing
                    && let Some(copy) = l.copy
                    && ui
                        .small_button(lang.tr("登记事件", "Record incident"))
                        .clicked()
                {
                    incident_for = Some((
                        copy,
                        format!("《{}》第{}份", l.title, l.copy_no.unwrap_or(0)),
                    ));
                }
                let name = match l.copy_no {
                    Some(n) => format!("《{}》第{n}份", l.title),
                    None => l.code.clone(),
                };
                let ledger = l
                    .ledger_state
                    .map(|s| lang.tr(s.label_zh(), s.label_en()))
                    .unwrap_or(lang.tr("台账中没有", "not in the ledger"));
                let found = match (l.outcome, l.found_cabinet.as_str(), lang) {
                    (Outcome::Out, _, _) => String::new(),
                    (_, "", Lang::Zh) => "　未发现".to_owned(),
                    (_, "", Lang::En) => "  not found".to_owned(),
                    (_, k, Lang::Zh) => format!("　发现于 {k}"),
                    (_, k, Lang::En) => format!("  found in {k}"),
                };
                ui.label(match lang {
                    Lang::Zh => format!("{name}　台账：{ledger} {}{found}", l.expected_cabinet),
                    Lang::En => format!("{name}  ledger: {ledger} {}{found}", l.expected_cabinet),
                });
            });
        }
        if let Some((copy, name)) = incident_for {
            self.new_incident = Some(IncidentForm {
                kind: Some(Kind::Loss),
                occurred_on: self.today.clone(),
                discovered_on: self.today.clone(),
                description: match lang {
                    Lang::Zh => format!("{}清查时未找到{name}", r.round.round_no),
                    Lang::En => format!("{name} not found in {}", r.round.round_no),
                },
                copies: vec![(copy, name)],
                mark_lost: true,
                stocktake: Some(id),
                ..IncidentForm::default()
            });
        }
        ui.separator();
        if self.save_for != Some(id) {
            self.save_for = Some(id);
            self.save_path = dirs::home_dir()
                .unwrap_or_default()
                .join(format!("清查报告-{}.pdf", r.round.round_no))
                .display()
                .to_string();
        }
        ui.horizontal(|ui| {
            if ui.button(lang.tr("打印报告", "Print the report")).clicked() {
                cmds.push(MainCommand::Carriers(CarrierAction::Print {
                    what: Printable::StocktakeReport(id),
                    target: PrintTarget::Printer,
                }));
            }
            if ui.button(lang.tr("另存为 PDF", "Save as PDF")).clicked() {
                cmds.push(MainCommand::Carriers(CarrierAction::Print {
                    what: Printable::StocktakeReport(id),
                    target: PrintTarget::File(std::path::PathBuf::from(self.save_path.trim())),
                }));
            }
        });
        Grid::new("save_report").num_columns(2).show(ui, |ui| {
            field_row(
                ui,
                lang.tr("保存位置", "Save to"),
                &mut self.save_path,
                false,
            );
        });
    }

    fn close_dialog(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) {
        if !self.confirm_close {
            return;
        }
        let Some(r) = &self.report else {
            self.confirm_close = false;
            return;
        };
        let mut keep = true;
        dialog("stocktake_close").show(ctx, |ui| {
            ui.set_max_width(480.0);
            ui.heading(lang.tr("完成清查", "Close the round"));
            ui.label(match lang {
                Lang::Zh => format!(
                    "{}：在位 {}，缺失 {}，位置不符 {}，账外 {}。完成后结果不再改变。",
                    r.round.round_no,
                    r.count(Outcome::Found),
                    r.count(Outcome::Missing),
                    r.count(Outcome::WrongCabinet),
                    r.count(Outcome::Unexpected)
                ),
                Lang::En => format!(
                    "{}: {} found, {} missing, {} in the wrong cabinet, {} unexpected. The result is then frozen.",
                    r.round.round_no,
                    r.count(Outcome::Found),
                    r.count(Outcome::Missing),
                    r.count(Outcome::WrongCabinet),
                    r.count(Outcome::Unexpected)
                ),
            });
            Grid::new("close_note").num_columns(2).show(ui, |ui| {
                field_row(ui, lang.tr("说明", "Note"), &mut self.close_note, false);
            });
            ui.horizontal(|ui| {
                if ui.add(primary_button(lang.tr("确认完成", "Close"))).clicked() {
                    cmds.push(MainCommand::Carriers(CarrierAction::CloseRound {
                        round: r.round.id,
                        note: std::mem::take(&mut self.close_note),
                    }));
                    keep = false;
                }
                if ui.button(lang.tr("返回", "Back")).clicked() {
                    keep = false;
                }
            });
        });
        if !keep {
            self.confirm_close = false;
        }
    }

    fn incidents_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        custodian: bool,
        cmds: &mut Vec<MainCommand>,
    ) {
        if custodian
            && ui
                .button(lang.tr("登记事件", "Record an incident"))
                .clicked()
        {
            self.new_incident = Some(IncidentForm {
                kind: Some(Kind::Loss),
                occurred_on: self.today.clone(),
                discovered_on: self.today.clone(),
                ..IncidentForm::default()
            });
        }
        let panel = (ui.available_width() * 0.55).clamp(400.0, 640.0);
        egui::Panel::right("incident_detail")
            .exact_size(panel)
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical()
                    .id_salt("incident_detail_scroll")
                    .show(ui, |ui| self.incident_ui(ui, lang, custodian, cmds));
            });
        let mut pick = None;
        egui::ScrollArea::both()
            .id_salt("incidents")
            .show(ui, |ui| {
                Grid::new("incident_rows")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(lang.tr("编号", "No."));
                        ui.strong(lang.tr("类别", "Kind"));
                        ui.strong(lang.tr("状态", "State"));
                        ui.end_row();
                        for i in &self.incidents {
                            if ui
                                .selectable_label(self.incident == Some(i.id), &i.incident_no)
                                .clicked()
                            {
                                pick = Some(i.id);
                            }
                            ui.label(lang.tr(i.kind.label_zh(), i.kind.label_en()));
                            ui.label(if i.closed {
                                lang.tr("已办结", "Closed")
                            } else {
                                lang.tr("处理中", "Open")
                            });
                            ui.end_row();
                        }
                    });
                if self.incidents.is_empty() {
                    hint_text(ui, lang.tr("没有事件记录", "No incidents"));
                }
            });
        if let Some(id) = pick {
            self.incident = Some(id);
            self.reload(session);
        }
    }

    fn incident_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        custodian: bool,
        cmds: &mut Vec<MainCommand>,
    ) {
        let Some(i) = &self.incident_detail else {
            return;
        };
        ui.label(RichText::new(&i.incident_no).strong().size(16.0));
        Grid::new("incident_facts").num_columns(2).show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            row(
                lang.tr("类别", "Kind"),
                lang.tr(i.kind.label_zh(), i.kind.label_en()).into(),
            );
            row(lang.tr("发生日期", "Happened on"), i.occurred_on.clone());
            row(lang.tr("发现日期", "Found on"), i.discovered_on.clone());
            row(lang.tr("经过", "What happened"), i.description.clone());
            let copies: Vec<String> = i
                .copies
                .iter()
                .map(|(_, n, lost)| {
                    if *lost {
                        format!("{n}（{}）", lang.tr("已登记丢失", "recorded lost"))
                    } else {
                        n.clone()
                    }
                })
                .collect();
            row(lang.tr("涉及份号", "Copies"), copies.join("、"));
            let mut people: Vec<String> = i.people.iter().map(|(_, n)| n.clone()).collect();
            if !i.people_note.is_empty() {
                people.push(i.people_note.clone());
            }
            if !people.is_empty() {
                row(lang.tr("相关人员", "People involved"), people.join("、"));
            }
            if let Some(b) = &i.borrow {
                row(lang.tr("来自借阅", "From borrowing"), b.clone());
            }
            if let Some(r) = &i.stocktake {
                row(lang.tr("来自清查", "From stock-taking"), r.clone());
            }
        });
        if i.closed {
            ui.label(format!(
                "{}{}",
                lang.tr("处理结果：", "Outcome: "),
                i.outcome
            ));
            return;
        }
        if !custodian {
            return;
        }
        ui.separator();
        let id = i.id;
        Grid::new("incident_progress")
            .num_columns(2)
            .show(ui, |ui| {
                field_row(
                    ui,
                    lang.tr("采取的措施", "Measures"),
                    &mut self.progress.measures,
                    false,
                );
                field_row(
                    ui,
                    lang.tr("报告对象", "Reported to"),
                    &mut self.progress.reported_to,
                    false,
                );
                date_row(
                    ui,
                    lang,
                    lang.tr("报告日期", "Reported on"),
                    &mut self.reported_on,
                );
                field_row(
                    ui,
                    lang.tr("处理结果", "Outcome"),
                    &mut self.progress.outcome,
                    false,
                );
            });
        let mut progress = self.progress.clone();
        progress.reported_on = crate::ui::widgets::date::read(&self.reported_on);
        ui.horizontal(|ui| {
            if ui.button(lang.tr("保存", "Save")).clicked() {
                cmds.push(MainCommand::Carriers(CarrierAction::UpdateIncident {
                    id,
                    progress: progress.clone(),
                    close: false,
                }));
            }
            if ui
                .add_enabled(
                    !progress.outcome.trim().is_empty(),
                    danger_button(lang.tr("办结", "Close")),
                )
                .clicked()
            {
                cmds.push(MainCommand::Carriers(CarrierAction::UpdateIncident {
                    id,
                    progress,
                    close: true,
                }));
            }
        });
    }

    fn incident_dialog(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let Some(f) = &mut self.new_incident else {
            return;
        };
        let mut keep = true;
        dialog("incident_new").show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(lang.tr("登记泄密/丢失事件", "Record an incident"));
            Grid::new("incident_form").num_columns(2).show(ui, |ui| {
                let shown = f
                    .kind
                    .map(|k| lang.tr(k.label_zh(), k.label_en()))
                    .unwrap_or_default();
                combo_row(ui, lang.tr("类别", "Kind"), "incident_kind", shown, |ui| {
                    for k in Kind::ALL {
                        ui.selectable_value(
                            &mut f.kind,
                            Some(k),
                            lang.tr(k.label_zh(), k.label_en()),
                        );
                    }
                });
                date_row(
                    ui,
                    lang,
                    lang.tr("发生日期", "Happened on"),
                    &mut f.occurred_on,
                );
                date_row(
                    ui,
                    lang,
                    lang.tr("发现日期", "Found on"),
                    &mut f.discovered_on,
                );
                field_row(
                    ui,
                    lang.tr("经过", "What happened"),
                    &mut f.description,
                    false,
                );
                field_row(
                    ui,
                    lang.tr("采取的措施", "Measures"),
                    &mut f.measures,
                    false,
                );
            });
            for (_, name) in &f.copies {
                ui.label(format!("{}{name}", lang.tr("涉及份号：", "Copy: ")));
            }
            if !f.copies.is_empty() {
                ui.checkbox(
                    &mut f.mark_lost,
                    lang.tr("同时登记为丢失", "Record it as lost"),
                );
            }
            if let Some(e) = &f.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let dates = (
                    crate::ui::widgets::date::read(&f.occurred_on),
                    crate::ui::widgets::date::read(&f.discovered_on),
                );
                if ui.add(primary_button(lang.tr("登记", "Record"))).clicked() {
                    match (f.kind, dates) {
                        (Some(kind), (Some(occurred_on), Some(discovered_on))) => {
                            cmds.push(MainCommand::Carriers(CarrierAction::OpenIncident(
                                Box::new(NewIncident {
                                    kind,
                                    occurred_on,
                                    discovered_on,
                                    description: f.description.clone(),
                                    copies: f
                                        .copies
                                        .iter()
                                        .map(|(c, _)| (*c, f.mark_lost))
                                        .collect(),
                                    people: Vec::new(),
                                    people_note: f.people_note.clone(),
                                    measures: f.measures.clone(),
                                    stocktake: f.stocktake,
                                    borrow: f.borrow,
                                }),
                            )));
                        }
                        _ => {
                            f.error = Some(
                                lang.tr(
                                    "请选择类别，并填写发生和发现日期（如 2026-11-26）",
                                    "Choose the kind and write both dates (e.g. 2026-11-26)",
                                )
                                .into(),
                            )
                        }
                    }
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked() {
                    keep = false;
                }
            });
        });
        if !keep {
            self.new_incident = None;
        }
    }
}
