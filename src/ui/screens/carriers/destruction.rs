//! 销毁 (R3.2.4): the destruction lists and the holds. A list is drafted (copies added by scanning
//! their labels or from the suggestions: declassified, or past their period), approved by the
//! 党办负责人 (signed in here or on paper), printed, and executed with the person who destroys and
//! at least one supervising person; the execution asks for a confirmation naming every copy.
//! The 冻结 tab lists the holds; lifting one asks for a confirmation naming what it holds.

use egui::{Grid, RichText, Ui};
use zeroize::Zeroizing;

use super::actions::CarrierAction;
use crate::domain::Role;
use crate::domain::destruction::{Method, REASONS};
use crate::domain::stocktake::parse_label;
use crate::ledger::Passphrase;
use crate::ledger::Session;
use crate::ledger::destruction::{self, Destruction, DestructionId, Execution, ListState};
use crate::ledger::documents::CopyId;
use crate::ledger::holds::{self, Hold};
use crate::ledger::people::{self, Person, PersonId};
use crate::ledger::printing::{PrintTarget, Printable};
use crate::ledger::users::{self, UserRow};
use crate::ui::i18n::Lang;
use crate::ui::screens::borrowing::DecideHow;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::date::date_row;
use crate::ui::widgets::pickers::{PersonText, person_row};
use crate::ui::widgets::{
    combo_row, danger_button, dialog, error_text, field_row, hint_text, primary_button,
};

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Lists,
    Holds,
}

/// What waits for a confirmation.
enum Confirm {
    Execute(Box<Execution>),
    Lift(holds::HoldId, String),
}

/// The forms of the selected list.
#[derive(Default)]
struct Forms {
    scan: String,
    reason: String,
    note: String,
    paper: bool,
    login: Option<String>,
    passphrase: Zeroizing<String>,
    paper_person: Option<PersonId>,
    reference: String,
    on: String,
    method: Option<Method>,
    detail: String,
    receipt_no: String,
    place: String,
    destroyer: Option<PersonId>,
    supervisors: Vec<PersonId>,
    cancel_reason: String,
    remove_reason: String,
    save_path: String,
    save_for: Option<DestructionId>,
    lift_reason: String,
}

/// The screen's view state.
#[derive(Default)]
pub struct DestructionScreen {
    tab: Tab,
    lists: Vec<(Destruction, usize)>,
    selected: Option<Destruction>,
    candidates: Vec<(CopyId, String)>,
    holds: Vec<Hold>,
    people: Vec<Person>,
    users: Vec<UserRow>,
    forms: Forms,
    confirm: Option<Confirm>,
    new_note: String,
    /// The last refusal.
    pub error: Option<String>,
}

impl DestructionScreen {
    /// Re-reads the lists, the selected list, the suggestions, holds and people.
    pub fn reload(&mut self, session: &Session) {
        self.lists = destruction::list(session).unwrap_or_default();
        let keep = self.selected.as_ref().map(|d| d.id);
        self.selected = keep
            .or_else(|| self.lists.first().map(|(d, _)| d.id))
            .and_then(|id| destruction::get(session, id).ok());
        self.candidates = destruction::candidates(session).unwrap_or_default();
        self.holds = holds::list(session, false).unwrap_or_default();
        self.people = people::list(session).unwrap_or_default();
        self.users = users::list(session).unwrap_or_default();
        if self.forms.on.is_empty() {
            self.forms.on = session.today().to_string();
        }
        if self.forms.reason.is_empty() {
            self.forms.reason = REASONS[0].0.to_owned();
        }
        if self.forms.destroyer.is_none() {
            self.forms.destroyer = Some(session.user().person_id);
        }
    }

    /// After an action: select the list it touched, clear the one-shot fields, re-read.
    pub fn done(&mut self, session: &Session, list: Option<DestructionId>) {
        if let Some(id) = list {
            self.selected = destruction::get(session, id).ok();
        }
        let f = &mut self.forms;
        f.scan.clear();
        f.passphrase = Zeroizing::new(String::new());
        f.cancel_reason.clear();
        f.remove_reason.clear();
        f.lift_reason.clear();
        self.confirm = None;
        self.error = None;
        self.reload(session);
    }

    /// Whether a dialog is open (the window's shortcuts wait).
    pub fn dialog_open(&self) -> bool {
        self.confirm.is_some()
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        let custodian = session.may(crate::domain::Permission::Destruction);
        ui.horizontal(|ui| {
            ui.heading(lang.tr("销毁", "Destruction"));
            for (tab, label) in [
                (Tab::Lists, lang.tr("销毁清单", "Destruction lists")),
                (Tab::Holds, lang.tr("冻结", "Holds")),
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
            Tab::Lists => self.lists_ui(ui, lang, session, custodian, cmds),
            Tab::Holds => self.holds_ui(ui, lang, custodian),
        }
        self.confirm_ui(ui.ctx(), lang, cmds);
    }

    fn lists_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        custodian: bool,
        cmds: &mut Vec<MainCommand>,
    ) {
        if custodian {
            ui.horizontal(|ui| {
                let l = ui.label(lang.tr("说明", "Note"));
                ui.add(egui::TextEdit::singleline(&mut self.new_note).desired_width(220.0))
                    .labelled_by(l.id);
                if ui
                    .button(lang.tr("新建销毁清单", "New destruction list"))
                    .clicked()
                {
                    cmds.push(MainCommand::Carriers(CarrierAction::NewList(
                        std::mem::take(&mut self.new_note),
                    )));
                }
            });
        }
        let panel = (ui.available_width() * 0.58).clamp(420.0, 640.0);
        egui::Panel::right("destruction_detail")
            .exact_size(panel)
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                egui::ScrollArea::vertical()
                    .id_salt("destruction_detail_scroll")
                    .show(ui, |ui| self.detail_ui(ui, lang, custodian, cmds));
            });
        egui::ScrollArea::both()
            .id_salt("destruction_lists")
            .show(ui, |ui| {
                if self.lists.is_empty() {
                    hint_text(ui, lang.tr("还没有销毁清单", "No destruction list yet"));
                }
                let mut pick = None;
                Grid::new("destruction_list_rows")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(lang.tr("清单编号", "List"));
                        ui.strong(lang.tr("状态", "State"));
                        ui.strong(lang.tr("份数", "Copies"));
                        ui.end_row();
                        for (d, n) in &self.lists {
                            let on = self.selected.as_ref().is_some_and(|s| s.id == d.id);
                            if ui.selectable_label(on, &d.list_no).clicked() {
                                pick = Some(d.id);
                            }
                            ui.label(lang.tr(d.state.label_zh(), d.state.label_en()));
                            ui.label(n.to_string());
                            ui.end_row();
                        }
                    });
                if let Some(id) = pick {
                    self.selected = destruction::get(session, id).ok();
                    self.error = None;
                }
            });
    }

    fn detail_ui(&mut self, ui: &mut Ui, lang: Lang, custodian: bool, cmds: &mut Vec<MainCommand>) {
        let Some(d) = self.selected.clone() else {
            hint_text(
                ui,
                lang.tr(
                    "新建一份销毁清单，或在左边选择一份",
                    "Draft a list, or choose one on the left",
                ),
            );
            return;
        };
        ui.horizontal(|ui| {
            ui.label(RichText::new(&d.list_no).strong().size(16.0));
            ui.label(lang.tr(d.state.label_zh(), d.state.label_en()));
        });
        if !d.note.is_empty() {
            ui.label(&d.note);
        }
        if !d.approver_name.is_empty() {
            ui.label(format!(
                "{}{}",
                lang.tr("审批人：", "Approved by: "),
                d.approver_name
            ));
        }
        if let (Some(on), Some(m)) = (&d.executed_on, d.method) {
            let sup: Vec<&str> = d.supervisors.iter().map(|(_, n)| n.as_str()).collect();
            ui.label(format!(
                "{} {on}  {}  {}  {}{}  {}{}",
                lang.tr("销毁：", "Destroyed:"),
                lang.tr(m.label_zh(), m.label_en()),
                d.place,
                lang.tr("销毁人 ", "by "),
                d.destroyer_name,
                lang.tr("监销人 ", "supervised by "),
                sup.join("、")
            ));
        }
        ui.separator();
        let open = d.state.is_open() && custodian;
        let mut remove = None;
        ui.label(
            RichText::new(match lang {
                Lang::Zh => format!("共 {} 份", d.items.len()),
                Lang::En => format!("{} copies", d.items.len()),
            })
            .strong(),
        );
        for (i, it) in d.items.iter().enumerate() {
            ui.horizontal(|ui| {
                if open && ui.small_button(lang.tr("移出", "Take off")).clicked() {
                    remove = Some(it.copy);
                }
                ui.label(format!(
                    "{}. 《{}》第{}份　{}　{}",
                    i + 1,
                    it.title,
                    it.copy_no,
                    it.marking,
                    it.reason
                ));
            });
        }
        if d.items.is_empty() {
            hint_text(
                ui,
                lang.tr(
                    "清单中还没有份号：扫描份号标签加入",
                    "No copies yet: scan a copy label to add it",
                ),
            );
        }
        let f = &mut self.forms;
        if let Some(copy) = remove {
            if f.remove_reason.trim().is_empty() {
                self.error = Some(
                    lang.tr(
                        "请先在“移出原因”中写明原因",
                        "Write the reason under “Why taken off” first",
                    )
                    .into(),
                );
            } else {
                cmds.push(MainCommand::Carriers(CarrierAction::RemoveItem {
                    list: d.id,
                    copy,
                    reason: f.remove_reason.clone(),
                }));
            }
        }
        if open && !d.items.is_empty() {
            Grid::new("remove_reason").num_columns(2).show(ui, |ui| {
                field_row(
                    ui,
                    lang.tr("移出原因", "Why taken off"),
                    &mut f.remove_reason,
                    false,
                );
            });
        }
        ui.separator();
        self.print_ui(ui, lang, &d, cmds);
        if !custodian {
            return;
        }
        match d.state {
            ListState::Draft => {
                self.add_ui(ui, lang, &d, cmds);
                ui.separator();
                self.approve_ui(ui, lang, &d, cmds);
            }
            ListState::Approved => self.execute_ui(ui, lang, &d),
            _ => {}
        }
        if d.state.is_open() {
            ui.separator();
            let f = &mut self.forms;
            Grid::new("cancel_list").num_columns(2).show(ui, |ui| {
                field_row(
                    ui,
                    lang.tr("撤销原因", "Why cancelled"),
                    &mut f.cancel_reason,
                    false,
                );
            });
            if ui
                .add_enabled(
                    !f.cancel_reason.trim().is_empty(),
                    egui::Button::new(lang.tr("撤销本清单", "Cancel this list")),
                )
                .clicked()
            {
                cmds.push(MainCommand::Carriers(CarrierAction::CancelList {
                    list: d.id,
                    reason: f.cancel_reason.clone(),
                }));
            }
        }
    }

    fn print_ui(&mut self, ui: &mut Ui, lang: Lang, d: &Destruction, cmds: &mut Vec<MainCommand>) {
        let f = &mut self.forms;
        if f.save_for != Some(d.id) {
            f.save_for = Some(d.id);
            f.save_path = dirs::home_dir()
                .unwrap_or_default()
                .join(format!("销毁清单-{}.pdf", d.list_no))
                .display()
                .to_string();
        }
        ui.label(RichText::new(lang.tr("《涉密载体销毁清单》", "Destruction list")).strong());
        ui.horizontal(|ui| {
            if ui.button(lang.tr("打印", "Print")).clicked() {
                cmds.push(MainCommand::Carriers(CarrierAction::Print {
                    what: Printable::DestructionList(d.id),
                    target: PrintTarget::Printer,
                }));
            }
            if ui.button(lang.tr("另存为 PDF", "Save as PDF")).clicked() {
                cmds.push(MainCommand::Carriers(CarrierAction::Print {
                    what: Printable::DestructionList(d.id),
                    target: PrintTarget::File(std::path::PathBuf::from(f.save_path.trim())),
                }));
            }
        });
        Grid::new("save_destruction").num_columns(2).show(ui, |ui| {
            field_row(ui, lang.tr("保存位置", "Save to"), &mut f.save_path, false);
        });
    }

    fn add_ui(&mut self, ui: &mut Ui, lang: Lang, d: &Destruction, cmds: &mut Vec<MainCommand>) {
        let f = &mut self.forms;
        ui.label(RichText::new(lang.tr("加入份号", "Add copies")).strong());
        let mut add = None;
        Grid::new("add_item").num_columns(2).show(ui, |ui| {
            let reason_shown = f.reason.clone();
            combo_row(
                ui,
                lang.tr("销毁原因", "Reason"),
                "destruction_reason",
                &reason_shown,
                |ui| {
                    for (zh, en) in REASONS {
                        ui.selectable_value(&mut f.reason, zh.to_owned(), lang.tr(zh, en));
                    }
                },
            );
            let l = crate::ui::widgets::row_label(ui, lang.tr("扫码", "Scan"));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut f.scan)
                        .desired_width(180.0)
                        .hint_text(lang.tr("扫描份号标签后回车", "scan a label, Enter")),
                )
                .labelled_by(l.id);
            if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                add = Some(std::mem::take(&mut f.scan));
                r.request_focus();
            }
            ui.end_row();
        });
        if ui.button(lang.tr("加入清单", "Add to the list")).clicked() {
            add = Some(std::mem::take(&mut f.scan));
        }
        if let Some(text) = add {
            match parse_label(&text) {
                None => {
                    self.error = Some(match lang {
                        Lang::Zh => format!("无法识别“{}”：份号标签上应为 copy-编号", text.trim()),
                        Lang::En => {
                            format!("“{}” does not read: a label says copy-NUMBER", text.trim())
                        }
                    })
                }
                Some(n) => cmds.push(MainCommand::Carriers(CarrierAction::AddItem {
                    list: d.id,
                    copy: CopyId(n),
                    reason: f.reason.clone(),
                })),
            }
        }
        if !self.candidates.is_empty() {
            egui::CollapsingHeader::new(format!(
                "{}（{}）",
                lang.tr(
                    "可列入的份号：已解密或超过保密期限",
                    "Suggested: declassified or past their period"
                ),
                self.candidates.len()
            ))
            .id_salt("destruction_candidates")
            .show(ui, |ui| {
                for (copy, text) in self.candidates.iter().take(50) {
                    ui.horizontal(|ui| {
                        if ui.small_button(lang.tr("加入", "Add")).clicked() {
                            let reason = text
                                .rsplit_once('：')
                                .map(|(_, r)| r.to_owned())
                                .unwrap_or_default();
                            cmds.push(MainCommand::Carriers(CarrierAction::AddItem {
                                list: d.id,
                                copy: *copy,
                                reason,
                            }));
                        }
                        ui.label(text);
                    });
                }
            });
        }
    }

    fn approve_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        d: &Destruction,
        cmds: &mut Vec<MainCommand>,
    ) {
        let f = &mut self.forms;
        ui.label(RichText::new(lang.tr("党办负责人审批", "Approval by the office head")).strong());
        let heads: Vec<&UserRow> = self
            .users
            .iter()
            .filter(|u| u.active && u.role == Role::Head)
            .collect();
        if heads.is_empty() {
            error_text(
                ui,
                lang.tr(
                    "没有党办负责人的账户：请在“设置 → 用户”中为其开通账户",
                    "No office head has an account: open one in Settings → Accounts",
                ),
            );
            return;
        }
        ui.horizontal(|ui| {
            ui.selectable_value(
                &mut f.paper,
                false,
                lang.tr("审批人登录", "Approver signs in"),
            );
            ui.selectable_value(&mut f.paper, true, lang.tr("纸质审批", "Paper approval"));
        });
        Grid::new("destruction_approval")
            .num_columns(2)
            .show(ui, |ui| {
                if f.paper {
                    let shown = f
                        .paper_person
                        .and_then(|p| heads.iter().find(|u| u.person_id == p))
                        .map(|u| u.name.clone())
                        .unwrap_or_default();
                    combo_row(
                        ui,
                        lang.tr("审批人", "Approver"),
                        "destruction_paper_person",
                        &shown,
                        |ui| {
                            for u in &heads {
                                ui.selectable_value(
                                    &mut f.paper_person,
                                    Some(u.person_id),
                                    &u.name,
                                );
                            }
                        },
                    );
                    field_row(
                        ui,
                        lang.tr("审批单编号", "Form reference"),
                        &mut f.reference,
                        false,
                    );
                } else {
                    let shown = f
                        .login
                        .as_ref()
                        .and_then(|l| heads.iter().find(|u| &u.login == l))
                        .map(|u| u.name.clone())
                        .unwrap_or_default();
                    combo_row(
                        ui,
                        lang.tr("审批人", "Approver"),
                        "destruction_approver",
                        &shown,
                        |ui| {
                            for u in heads.iter().filter(|u| !u.must_change_passphrase) {
                                ui.selectable_value(&mut f.login, Some(u.login.clone()), &u.name);
                            }
                        },
                    );
                    field_row(
                        ui,
                        lang.tr("审批人口令", "Approver's passphrase"),
                        &mut f.passphrase,
                        true,
                    );
                }
                field_row(ui, lang.tr("审批意见", "Note"), &mut f.note, false);
            });
        let ready = if f.paper {
            f.paper_person.is_some() && !f.reference.trim().is_empty()
        } else {
            f.login.is_some() && !f.passphrase.is_empty()
        };
        if ui
            .add_enabled(
                ready && !d.items.is_empty(),
                primary_button(lang.tr("批准销毁", "Approve")),
            )
            .clicked()
        {
            let how = if f.paper {
                f.paper_person.map(|person| DecideHow::Paper {
                    person,
                    reference: f.reference.clone(),
                })
            } else {
                f.login.clone().map(|login| DecideHow::SignedIn {
                    login,
                    passphrase: Passphrase::new(std::mem::take(&mut *f.passphrase)),
                })
            };
            if let Some(how) = how {
                cmds.push(MainCommand::Carriers(CarrierAction::Approve {
                    list: d.id,
                    how,
                    note: f.note.clone(),
                }));
            }
        }
    }

    fn execute_ui(&mut self, ui: &mut Ui, lang: Lang, d: &Destruction) {
        let f = &mut self.forms;
        ui.label(
            RichText::new(lang.tr(
                "执行销毁（两人在场：销毁人与监销人）",
                "Destroy (two people present: who destroys and who supervises)",
            ))
            .strong(),
        );
        let people: Vec<Person> = self.people.iter().filter(|p| p.active).cloned().collect();
        Grid::new("destruction_execute")
            .num_columns(2)
            .show(ui, |ui| {
                date_row(ui, lang, lang.tr("销毁日期", "Date"), &mut f.on);
                let shown = f
                    .method
                    .map(|m| lang.tr(m.label_zh(), m.label_en()))
                    .unwrap_or_default();
                combo_row(
                    ui,
                    lang.tr("销毁方式", "Method"),
                    "destruction_method",
                    shown,
                    |ui| {
                        for m in Method::ALL {
                            ui.selectable_value(
                                &mut f.method,
                                Some(m),
                                lang.tr(m.label_zh(), m.label_en()),
                            );
                        }
                    },
                );
                if let Some(m) = f.method {
                    let (zh, en) = m.detail_label();
                    field_row(ui, lang.tr(zh, en), &mut f.detail, false);
                    if m == Method::DestructionUnit {
                        field_row(
                            ui,
                            lang.tr("回执编号", "Receipt number"),
                            &mut f.receipt_no,
                            false,
                        );
                    }
                }
                field_row(ui, lang.tr("销毁地点", "Place"), &mut f.place, false);
                person_row(
                    ui,
                    lang.tr("销毁人", "Destroyed by"),
                    "destroyer",
                    &people,
                    &mut f.destroyer,
                    PersonText::NameAndPost,
                );
            });
        ui.label(lang.tr(
            "监销人（可多选，不能是销毁人）",
            "Supervisors (not the person who destroys)",
        ));
        ui.horizontal_wrapped(|ui| {
            for p in &people {
                if Some(p.id) == f.destroyer {
                    continue;
                }
                let mut on = f.supervisors.contains(&p.id);
                if ui.checkbox(&mut on, &p.name).changed() {
                    if on {
                        f.supervisors.push(p.id);
                    } else {
                        f.supervisors.retain(|x| *x != p.id);
                    }
                }
            }
        });
        let date = crate::ui::widgets::date::read(&f.on);
        let ready = date.is_some() && f.method.is_some() && f.destroyer.is_some();
        if ui
            .add_enabled(ready, danger_button(lang.tr("执行销毁…", "Destroy…")))
            .clicked()
            && let (Some(on), Some(method), Some(destroyer)) = (date, f.method, f.destroyer)
        {
            self.confirm = Some(Confirm::Execute(Box::new(Execution {
                on,
                method,
                detail: f.detail.clone(),
                receipt_no: f.receipt_no.clone(),
                place: f.place.clone(),
                destroyer,
                supervisors: f
                    .supervisors
                    .iter()
                    .copied()
                    .filter(|p| Some(*p) != f.destroyer)
                    .collect(),
            })));
        }
        if !ready {
            hint_text(
                ui,
                lang.tr(
                    "请填写日期、方式和销毁人，并勾选监销人",
                    "Fill in the date, the method and who destroys, and tick the supervisors",
                ),
            );
        }
        let _ = d;
    }

    fn holds_ui(&mut self, ui: &mut Ui, lang: Lang, custodian: bool) {
        hint_text(
            ui,
            lang.tr(
                "在“文件台账”中选择文件或份号后可以冻结；冻结期间不能借出、分发或销毁",
                "Place a hold from a document in Documents; while held nothing is handed out, sent or destroyed",
            ),
        );
        Grid::new("hold_reason").num_columns(2).show(ui, |ui| {
            field_row(
                ui,
                lang.tr("解除原因", "Why lifted"),
                &mut self.forms.lift_reason,
                false,
            );
        });
        let mut lift = None;
        egui::ScrollArea::both().id_salt("holds").show(ui, |ui| {
            Grid::new("hold_rows")
                .num_columns(5)
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(lang.tr("冻结对象", "Held"));
                    ui.strong(lang.tr("原因", "Reason"));
                    ui.strong(lang.tr("冻结人", "By"));
                    ui.strong(lang.tr("状态", "State"));
                    ui.label("");
                    ui.end_row();
                    for h in &self.holds {
                        ui.label(h.what());
                        ui.label(&h.reason);
                        ui.label(&h.placed_by);
                        match &h.lifted_at {
                            Some(_) => {
                                ui.label(format!(
                                    "{}{}",
                                    lang.tr("已解除：", "Lifted: "),
                                    h.lift_reason
                                ));
                                ui.label("");
                            }
                            None => {
                                ui.label(
                                    RichText::new(lang.tr("冻结中", "On hold"))
                                        .color(crate::ui::widgets::DANGER),
                                );
                                if custodian
                                    && ui
                                        .add_enabled(
                                            !self.forms.lift_reason.trim().is_empty(),
                                            egui::Button::new(lang.tr("解除冻结…", "Lift…")),
                                        )
                                        .on_disabled_hover_text(
                                            lang.tr("请先写明解除原因", "Write why first"),
                                        )
                                        .clicked()
                                {
                                    lift = Some((h.id, h.what()));
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
            if self.holds.is_empty() {
                hint_text(ui, lang.tr("没有冻结", "No holds"));
            }
        });
        if let Some((id, what)) = lift {
            self.confirm = Some(Confirm::Lift(id, what));
        }
    }

    /// The confirmation that names what is destroyed or released: 确认 runs it, 返回 leaves
    /// everything as it was.
    fn confirm_ui(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let Some(confirm) = &self.confirm else {
            return;
        };
        let mut close = false;
        let mut run = None;
        let names: Vec<String> = match confirm {
            Confirm::Execute(_) => self
                .selected
                .as_ref()
                .map(|d| {
                    d.items
                        .iter()
                        .map(|it| format!("《{}》第{}份（{}）", it.title, it.copy_no, it.marking))
                        .collect()
                })
                .unwrap_or_default(),
            Confirm::Lift(_, what) => vec![what.clone()],
        };
        let (title, ok) = match confirm {
            Confirm::Execute(_) => (
                lang.tr("确认销毁", "Confirm destruction"),
                lang.tr("确认已销毁", "Destroyed"),
            ),
            Confirm::Lift(..) => (
                lang.tr("确认解除冻结", "Confirm lifting the hold"),
                lang.tr("确认解除", "Lift"),
            ),
        };
        dialog("carrier_confirm").show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(title);
            ui.label(match confirm {
                Confirm::Execute(_) => match lang {
                    Lang::Zh => format!(
                        "以下 {} 份将登记为已销毁，此后不能再借阅、分发或更改：",
                        names.len()
                    ),
                    Lang::En => format!(
                        "These {} copies will be recorded destroyed, for good:",
                        names.len()
                    ),
                },
                Confirm::Lift(..) => lang.tr("解除以下冻结：", "Lift the hold on:").to_owned(),
            });
            egui::ScrollArea::vertical()
                .max_height(240.0)
                .show(ui, |ui| {
                    for n in &names {
                        ui.label(n);
                    }
                });
            ui.horizontal(|ui| {
                if ui.add(danger_button(ok)).clicked() {
                    run = Some(());
                }
                if ui.button(lang.tr("返回", "Back")).clicked() {
                    close = true;
                }
            });
        });
        if run.is_some() {
            match self.confirm.take() {
                Some(Confirm::Execute(execution)) => {
                    if let Some(d) = &self.selected {
                        cmds.push(MainCommand::Carriers(CarrierAction::Execute {
                            list: d.id,
                            execution,
                        }));
                    }
                }
                Some(Confirm::Lift(hold, _)) => {
                    cmds.push(MainCommand::Carriers(CarrierAction::LiftHold {
                        hold,
                        reason: self.forms.lift_reason.clone(),
                    }));
                }
                None => {}
            }
        } else if close {
            self.confirm = None;
        }
    }
}
