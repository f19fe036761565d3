//! 审计日志: the tamper-evident trail, filtered by action, user, days and text, each event's
//! details in words (people and cabinets by name, codes by their labels), and a button that
//! verifies the whole chain.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use serde_json::Value;

use crate::audit::ChainStatus;
use crate::domain::copy_state::CopyState;
use crate::domain::level::Level;
use crate::domain::outgoing::{Channel, OutgoingStep};
use crate::domain::person::Clearance;
use crate::domain::role::Role;
use crate::ledger::Passphrase;
use crate::ledger::Session;
use crate::ledger::audit_log::{self, AuditFilter, AuditRow, Seal, SealCheck};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::{error_text, filter_combo, header_cells, hint_text};

/// Rows shown at most; the filters narrow the trail down to them.
const LIMIT: i64 = 1000;

/// What the details name by id, for showing names instead.
#[derive(Default)]
pub struct Names {
    /// A login's owner, shown beside it ("王保密（wang）").
    pub login_names: HashMap<String, String>,
    pub people: HashMap<i64, String>,
    pub cabinets: HashMap<i64, String>,
    pub users: HashMap<i64, String>,
    /// The office's time zone, for times in the details.
    pub zone: crate::domain::OfficeZone,
}

impl Names {
    fn load(session: &Session) -> Self {
        let mut n = Names {
            zone: session.zone(),
            ..Names::default()
        };
        if let Ok(people) = crate::ledger::people::list(session) {
            n.people = people.into_iter().map(|p| (p.id.0, p.name)).collect();
        }
        if let Ok(cabinets) = crate::ledger::cabinets::list(session) {
            n.cabinets = cabinets.into_iter().map(|c| (c.id.0, c.code)).collect();
        }
        if let Ok(users) = crate::ledger::users::list(session) {
            n.login_names = users
                .iter()
                .map(|u| (u.login.clone(), u.name.clone()))
                .collect();
            n.users = users
                .into_iter()
                .map(|u| (u.id.0, format!("{} · {}", u.name, u.login)))
                .collect();
        }
        n
    }
}

/// The filter form, the loaded rows and the last chain check.
#[derive(Default)]
pub struct AuditLogScreen {
    filter: AuditFilter,
    from_text: String,
    to_text: String,
    actions: Vec<String>,
    logins: Vec<String>,
    names: Names,
    rows: Vec<AuditRow>,
    /// Each row's object and details in words, made once per query and language (not per frame).
    words: Vec<(String, String)>,
    words_lang: Option<Lang>,
    error: Option<String>,
    date_problem: Option<&'static str>,
    chain: Option<Result<ChainStatus, String>>,
    seals: Vec<Seal>,
    /// Findings of the last seal check, by seal id.
    seal_checks: Vec<(i64, SealCheck)>,
    seal_error: Option<String>,
    /// The key work of a seal, on a worker.
    seal_job:
        Option<crate::ui::job::Job<Result<audit_log::SealKeyReady, crate::ledger::LedgerError>>>,
    /// A check of the seals, on a worker.
    check_job:
        Option<crate::ui::job::Job<Result<audit_log::SealReport, crate::ledger::LedgerError>>>,
    /// The auditor's passphrase for sealing or checking; cleared after each use.
    seal_pass: zeroize::Zeroizing<String>,
}

impl AuditLogScreen {
    /// Re-reads the choices and the events that pass the filter.
    pub fn reload(&mut self, session: &Session) {
        self.actions = audit_log::actions(session).unwrap_or_default();
        self.seals = audit_log::seals(session).unwrap_or_default();
        self.names = Names::load(session);
        let mut logins: Vec<String> = self.names.login_names.keys().cloned().collect();
        logins.sort();
        self.logins = logins;
        self.query(session);
    }

    fn query(&mut self, session: &Session) {
        match audit_log::search(session, &self.filter, LIMIT) {
            Ok(rows) => {
                self.rows = rows;
                self.words.clear();
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// After a seal: the new one is listed and intact by construction.
    pub fn sealed(&mut self, seal: &Seal) {
        self.seal_checks.retain(|(id, _)| *id != seal.id);
        self.seal_checks.push((seal.id, SealCheck::Intact));
        self.seal_error = None;
    }

    /// Draws the filter bar and the table.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, session: &Session, cmds: &mut Vec<MainCommand>) {
        ui.horizontal(|ui| {
            ui.heading(lang.tr("审计日志", "Audit log"));
            if ui.button(lang.tr("刷新", "Refresh")).clicked() {
                self.reload(session);
            }
            if ui
                .button(lang.tr("导出 · 打印", "Export · print"))
                .clicked()
            {
                cmds.push(MainCommand::OpenExport(
                    crate::ledger::reports::Register::Audit(self.filter.clone()),
                ));
            }
            if ui.button(lang.tr("验证审计链", "Verify chain")).clicked() {
                self.chain = Some(session.verify_audit().map_err(|e| e.to_string()));
            }
            match &self.chain {
                Some(Ok(ChainStatus::Intact { events, .. })) => {
                    ui.label(
                        RichText::new(match lang {
                            Lang::Zh => format!("审计链完整：{events} 条事件逐条验证通过"),
                            Lang::En => format!("Chain intact: {events} events verified"),
                        })
                        .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
                    );
                }
                Some(Ok(ChainStatus::Broken { first_bad_seq })) => error_text(
                    ui,
                    &match lang {
                        Lang::Zh => format!("审计链断裂：自第 {first_bad_seq} 条事件起无法验证"),
                        Lang::En => format!("Chain broken from event {first_bad_seq}"),
                    },
                ),
                Some(Err(e)) => error_text(ui, e),
                None => {}
            }
        });
        self.seals_ui(ui, lang, session, cmds);
        if self.filter_ui(ui, lang) {
            self.query(session);
        }
        if let Some(p) = self.date_problem {
            error_text(ui, p);
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        hint_text(
            ui,
            &if self.rows.len() as i64 >= LIMIT {
                match lang {
                    Lang::Zh => format!("显示最新 {LIMIT} 条；更早的事件请缩小查询条件"),
                    Lang::En => format!("Latest {LIMIT} shown; narrow the filter for older events"),
                }
            } else {
                match lang {
                    Lang::Zh => format!("{} 条事件", self.rows.len()),
                    Lang::En => format!("{} events", self.rows.len()),
                }
            },
        );
        self.table_ui(ui, lang);
    }

    /// 审计链封存: the seals, and for a security auditor the passphrase to seal or check with.
    fn seals_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        cmds: &mut Vec<MainCommand>,
    ) {
        let title = match (lang, self.seals.len()) {
            (Lang::Zh, n) => format!("审计链封存（{n}）"),
            (Lang::En, n) => format!("Seals of the chain ({n})"),
        };
        egui::CollapsingHeader::new(title)
            .id_salt("audit_seals")
            .show(ui, |ui| {
                hint_text(
                    ui,
                    lang.tr(
                        "安全审计员用本人口令封存审计链的当前末端；任何人（包括持有台账密钥者）改写封存前的事件，核验时都会发现。请把凭证码记在审计记录本上。",
                        "The security auditor seals the chain's head with their own passphrase; any rewrite of the events before it shows when the seals are checked. Note each code on paper.",
                    ),
                );
                for seal in &self.seals {
                    let found = self
                        .seal_checks
                        .iter()
                        .find(|(id, _)| *id == seal.id)
                        .map(|(_, c)| *c);
                    ui.horizontal(|ui| {
                        ui.label(match lang {
                            Lang::Zh => format!(
                                "第 {} 条 · {} · {} · 凭证码 {}",
                                seal.seq,
                                session.zone().time_text(&seal.at),
                                seal.login,
                                seal.code
                            ),
                            Lang::En => format!(
                                "event {} · {} · {} · code {}",
                                seal.seq,
                                session.zone().time_text(&seal.at),
                                seal.login,
                                seal.code
                            ),
                        });
                        match found {
                            Some(SealCheck::Intact) => {
                                ui.label(
                                    RichText::new(seal_check_label(lang, SealCheck::Intact))
                                        .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
                                );
                            }
                            Some(c) if c.is_failure() => error_text(ui, seal_check_label(lang, c)),
                            Some(c) => hint_text(ui, seal_check_label(lang, c)),
                            None => {}
                        }
                    });
                }
                if !session.may(crate::domain::Permission::SealAuditTrail) {
                    hint_text(
                        ui,
                        lang.tr(
                            "封存与核验由安全审计员用本人口令办理。",
                            "Sealing and checking are done by a security auditor.",
                        ),
                    );
                    return;
                }
                self.poll_jobs(lang, cmds);
                if self.seal_job.is_some() || self.check_job.is_some() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(if self.seal_job.is_some() {
                            lang.tr("正在用审计员口令打开封存密钥…", "Opening the seal key…")
                        } else {
                            lang.tr("正在核验封存…", "Checking the seals…")
                        });
                    });
                    return;
                }
                ui.horizontal(|ui| {
                    let l = ui.label(lang.tr("审计员口令", "Auditor passphrase"));
                    let field = ui
                        .add(
                            egui::TextEdit::singleline(&mut *self.seal_pass)
                                .password(true)
                                .desired_width(200.0),
                        )
                        .labelled_by(l.id);
                    crate::ui::widgets::forget_history(ui.ctx(), field.id);
                    let ready = !self.seal_pass.is_empty();
                    if ui
                        .add_enabled(ready, egui::Button::new(lang.tr("封存当前审计链", "Seal now")))
                        .clicked()
                    {
                        let pass = Passphrase::new(self.seal_pass.to_string());
                        self.seal_pass.clear();
                        match audit_log::prepare_seal(session, pass) {
                            Ok(prep) => {
                                self.seal_error = None;
                                self.seal_job =
                                    Some(crate::ui::job::Job::spawn(move |_| prep.run()));
                            }
                            Err(e) => {
                                self.seal_error = Some(crate::ui::app::error_message(lang, &e))
                            }
                        }
                    }
                    if ui
                        .add_enabled(ready, egui::Button::new(lang.tr("核验封存", "Check seals")))
                        .clicked()
                    {
                        let pass = Passphrase::new(self.seal_pass.to_string());
                        self.seal_pass.clear();
                        match audit_log::prepare_seals_check(session, pass) {
                            Ok(check) => {
                                self.seal_error = None;
                                self.check_job =
                                    Some(crate::ui::job::Job::spawn(move |_| check.run()));
                            }
                            Err(e) => {
                                self.seal_error = Some(crate::ui::app::error_message(lang, &e))
                            }
                        }
                    }
                });
                if let Some(e) = &self.seal_error {
                    error_text(ui, e);
                }
            });
    }

    /// Takes the answers of the seal's key work and of a check of the seals, once there (a
    /// short one arrives within the frame).
    fn poll_jobs(&mut self, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let frame = std::time::Duration::from_millis(16);
        if let Some(job) = &mut self.seal_job {
            job.wait_up_to(frame);
            if let Some(outcome) = job.finished() {
                self.seal_job = None;
                match outcome {
                    Ok(Ok(ready)) => cmds.push(MainCommand::SealReady(Box::new(ready))),
                    Ok(Err(e)) => self.seal_error = Some(crate::ui::app::error_message(lang, &e)),
                    Err(panicked) => self.seal_error = Some(panicked.to_owned()),
                }
            }
        }
        if let Some(job) = &mut self.check_job {
            job.wait_up_to(frame);
            if let Some(outcome) = job.finished() {
                self.check_job = None;
                match outcome {
                    Ok(Ok(found)) => {
                        self.seal_error = found.missing().map(|m| lang.message(&m).to_owned());
                        self.seal_checks =
                            found.checks.into_iter().map(|(s, c)| (s.id, c)).collect();
                    }
                    Ok(Err(e)) => self.seal_error = Some(crate::ui::app::error_message(lang, &e)),
                    Err(panicked) => self.seal_error = Some(panicked.to_owned()),
                }
            }
        }
    }

    /// The filter bar; true when a filter changed.
    fn filter_ui(&mut self, ui: &mut Ui, lang: Lang) -> bool {
        let before = self.filter.clone();
        let all = lang.tr("全部", "All");
        ui.horizontal_wrapped(|ui| {
            let action_shown = self
                .filter
                .action
                .as_deref()
                .map_or(all.to_owned(), |a| crate::ui::i18n::action_label(lang, a));
            let (filter, actions, logins) = (&mut self.filter, &self.actions, &self.logins);
            filter_combo(
                ui,
                lang.tr("操作", "Action"),
                "audit_action",
                &action_shown,
                |ui| {
                    ui.selectable_value(&mut filter.action, None, all);
                    for a in actions {
                        ui.selectable_value(
                            &mut filter.action,
                            Some(a.clone()),
                            crate::ui::i18n::action_label(lang, a),
                        );
                    }
                },
            );
            let names = &self.names.login_names;
            let who = |l: &String| match (names.get(l), lang) {
                (Some(n), Lang::Zh) => format!("{n}（{l}）"),
                (Some(n), Lang::En) => format!("{n} ({l})"),
                (None, _) => l.clone(),
            };
            let login_shown = filter.login.as_ref().map_or(all.to_owned(), who);
            filter_combo(
                ui,
                lang.tr("用户", "User"),
                "audit_user",
                &login_shown,
                |ui| {
                    ui.selectable_value(&mut filter.login, None, all);
                    for l in logins {
                        ui.selectable_value(&mut filter.login, Some(l.clone()), who(l));
                    }
                },
            );
            let mut dates_changed = false;
            for (label, text) in [
                (lang.tr("自", "From"), &mut self.from_text),
                (lang.tr("至", "To"), &mut self.to_text),
            ] {
                let l = ui.label(label);
                dates_changed |= crate::ui::widgets::date::date_edit(ui, lang, label, text, 100.0)
                    .labelled_by(l.id)
                    .changed();
            }
            if dates_changed {
                self.parse_dates(lang);
            }
            let l = ui.label(lang.tr("包含", "Contains"));
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.text)
                    .hint_text(lang.tr("详情或对象中的文字", "text in details"))
                    .desired_width(180.0),
            )
            .labelled_by(l.id);
        });
        self.filter != before
    }

    /// Applies the day fields when both read as dates (an empty field does not filter); a bad
    /// one keeps the previous filter and says why.
    fn parse_dates(&mut self, lang: Lang) {
        let parse = |t: &str| {
            let t = t.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some)
            }
        };
        match (parse(&self.from_text), parse(&self.to_text)) {
            (Ok(from), Ok(to)) if from.zip(to).is_none_or(|(f, t)| f <= t) => {
                self.filter.from = from;
                self.filter.to = to;
                self.date_problem = None;
            }
            (Ok(_), Ok(_)) => {
                self.date_problem = Some(lang.tr(
                    "起始日期晚于截止日期",
                    "The first day is after the last day",
                ))
            }
            _ => {
                self.date_problem = Some(lang.tr(
                    "日期格式应为 YYYY-MM-DD，例如 2026-11-27",
                    "Dates read YYYY-MM-DD, e.g. 2026-11-27",
                ))
            }
        }
    }

    fn table_ui(&mut self, ui: &mut Ui, lang: Lang) {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        if self.words_lang != Some(lang) || self.words.len() != self.rows.len() {
            self.words = self
                .rows
                .iter()
                .map(|r| {
                    (
                        object_ref(lang, &r.entity, &r.entity_id, &self.names),
                        describe(lang, &r.detail_json, &self.names),
                    )
                })
                .collect();
            self.words_lang = Some(lang);
        }
        let (rows, words) = (&self.rows, &self.words);
        TableBuilder::new(ui)
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(56.0))
            .column(Column::exact(150.0))
            .column(Column::exact(80.0))
            .column(Column::exact(150.0).clip(true))
            .column(Column::exact(150.0).clip(true))
            .column(Column::remainder().clip(true))
            .header(24.0, |mut h| {
                header_cells(
                    &mut h,
                    &[
                        lang.tr("序号", "Seq"),
                        lang.tr("时间", "Time"),
                        lang.tr("用户", "User"),
                        lang.tr("操作", "Action"),
                        lang.tr("对象", "Object"),
                        lang.tr("详情", "Details"),
                    ],
                );
            })
            .body(|body| {
                body.rows(24.0, rows.len(), |mut row| {
                    let (r, (object, text)) = (&rows[row.index()], &words[row.index()]);
                    row.col(|ui| {
                        ui.label(r.seq.to_string());
                    });
                    row.col(|ui| {
                        ui.label(self.names.zone.time_text(&r.at));
                    });
                    row.col(|ui| {
                        // The person, their login beside (the login is what the filter takes).
                        ui.label(match self.names.login_names.get(&r.login) {
                            Some(name) => match lang {
                                Lang::Zh => format!("{name}（{}）", r.login),
                                Lang::En => format!("{name} ({})", r.login),
                            },
                            None => r.login.clone(),
                        });
                    });
                    row.col(|ui| {
                        ui.label(crate::ui::i18n::action_label(lang, &r.action));
                    });
                    row.col(|ui| {
                        ui.label(object);
                    });
                    row.col(|ui| {
                        ui.label(text).on_hover_ui(|ui| {
                            ui.set_max_width(520.0);
                            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                            ui.label(text);
                            ui.separator();
                            ui.label(RichText::new(&r.detail_json).weak().monospace());
                        });
                    });
                });
            });
    }
}

/// What a seal check found, in the interface's language.
fn seal_check_label(lang: Lang, c: SealCheck) -> &'static str {
    match lang {
        Lang::Zh => c.label_zh(),
        Lang::En => match c {
            SealCheck::Intact => "intact: the chain is as sealed",
            SealCheck::ChainRewritten => "chain rewritten: the sealed event is gone or differs",
            SealCheck::SealAltered => "seal record altered (does not verify under your seal key)",
            SealCheck::SeriesBroken => {
                "an earlier seal of yours was removed, altered or relabelled"
            }
            SealCheck::LegacyUnverifiable => {
                "old-format seal that your current passphrase does not verify (made before a change of passphrase? compare your paper notes; or altered)"
            }
            SealCheck::OtherAuditor => "sealed by another auditor: only they can check it",
        },
    }
}

/// The object an event touched, as the CLI names it (`doc-12`, `copy-40`…) or by name.
pub fn object_ref(lang: Lang, entity: &str, id: &str, names: &Names) -> String {
    let number = id.parse::<i64>().ok();
    let named = |map: &HashMap<i64, String>, prefix: &str| {
        number
            .and_then(|n| map.get(&n).cloned())
            .unwrap_or_else(|| format!("{prefix}-{id}"))
    };
    match entity {
        "documents" => format!("doc-{id}"),
        "copies" => format!("copy-{id}"),
        "borrows" => format!("borrow-{id}"),
        "people" => named(&names.people, "person"),
        "cabinets" => named(&names.cabinets, "cabinet"),
        "users" => named(&names.users, "user"),
        "settings" => format!("{}{id}", lang.tr("设置 ", "setting ")),
        "calendar_years" => format!("{}{id}", lang.tr("工作日历 ", "calendar ")),
        "vault" => lang.tr("台账库", "ledger").to_owned(),
        "audit_seals" => format!("{}{id}", lang.tr("封存 #", "seal #")),
        "registers" => register_name(lang, id).unwrap_or(id).to_owned(),
        "destructions" => format!("destruction-{id}"),
        "stocktakes" => format!("stocktake-{id}"),
        "incidents" => format!("incident-{id}"),
        "holds" => format!("hold-{id}"),
        _ => format!("{entity} {id}"),
    }
}

/// An event's details in words: `标题：…；密级：机密；份号：1、2、3`. Empty and null values are
/// left out; people and cabinets appear by name, codes by their labels.
pub fn describe(lang: Lang, detail_json: &str, names: &Names) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(detail_json) else {
        return detail_json.to_owned();
    };
    let sep = lang.tr("；", "; ");
    map.iter()
        .filter_map(|(k, v)| {
            let value = value_text(lang, k, v, names)?;
            Some(format!(
                "{}{}{value}",
                field_label(lang, k),
                lang.tr("：", ": ")
            ))
        })
        .collect::<Vec<_>>()
        .join(sep)
}

fn value_text(lang: Lang, key: &str, v: &Value, names: &Names) -> Option<String> {
    let yes_no = |b: bool| {
        if b {
            lang.tr("是", "yes")
        } else {
            lang.tr("否", "no")
        }
    };
    Some(match v {
        Value::Null => return None,
        Value::String(s) if s.is_empty() => return None,
        Value::Bool(b) => yes_no(*b).to_owned(),
        Value::Number(n) => match (key, n.as_i64()) {
            (k, Some(id)) if k.ends_with("person_id") || k.ends_with("person_ids") => names
                .people
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("person-{id}")),
            ("cabinet_id", Some(id)) => names
                .cabinets
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("cabinet-{id}")),
            ("copy_id" | "copy_ids" | "lost_copy_ids", Some(id)) => format!("copy-{id}"),
            ("document_id", Some(id)) => format!("doc-{id}"),
            _ => n.to_string(),
        },
        Value::String(s) if key == "at" => names.zone.time_text(s),
        Value::String(s) => code_label(lang, key, s).unwrap_or_else(|| s.clone()),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| value_text(lang, key, i, names))
            .collect::<Vec<_>>()
            .join(lang.tr("、", ", ")),
        Value::Object(map) => {
            let inner = map
                .iter()
                .filter_map(|(k, v)| {
                    // A document edit records each changed field as [before, after].
                    if key == "changes"
                        && let Value::Array(pair) = v
                        && let [before, after] = pair.as_slice()
                    {
                        let side =
                            |v: &Value| value_text(lang, k, v, names).unwrap_or_else(|| "—".into());
                        return Some(format!(
                            "{} {} → {}",
                            lang.tr(
                                crate::ledger::documents::field_label_zh(k),
                                crate::ledger::documents::field_label_en(k)
                            ),
                            side(before),
                            side(after)
                        ));
                    }
                    Some(format!(
                        "{} {}",
                        field_label(lang, k),
                        value_text(lang, k, v, names)?
                    ))
                })
                .collect::<Vec<_>>()
                .join(lang.tr("，", ", "));
            match lang {
                Lang::Zh => format!("（{inner}）"),
                Lang::En => format!("({inner})"),
            }
        }
    })
}

/// A register by the code its export events keep.
fn register_name(lang: Lang, code: &str) -> Option<&'static str> {
    Some(match code {
        "documents" => lang.tr("文件台账", "document register"),
        "borrows" => lang.tr("借阅登记", "borrowing register"),
        "people" => lang.tr("涉密人员登记", "people with classified duties"),
        "cabinets" => lang.tr("保密专柜登记", "cabinets"),
        "cabinet_copies" => lang.tr("专柜清点表", "cabinet count sheet"),
        "audit" => lang.tr("审计日志", "audit log"),
        _ => return None,
    })
}

/// The label of a coded value (level, role, clearance, outgoing step, channel, copy state).
fn code_label(lang: Lang, key: &str, code: &str) -> Option<String> {
    match key {
        "level" | "max_level" => Level::from_code(code).map(|l| lang.label(l)),
        "role" => Role::from_code(code).map(|r| lang.label(r)),
        "clearance" => Clearance::from_code(code).map(|c| lang.label(c)),
        "step" => OutgoingStep::from_code(code).map(|s| lang.label(s)),
        "channel" => Channel::from_code(code).map(|c| lang.label(c)),
        "from" | "to" | "state" => CopyState::from_code(code).map(|s| lang.label(s)),
        "with" => match code {
            "passphrase" => Some(lang.tr("口令", "passphrase")),
            "recovery_key" => Some(lang.tr("恢复密钥", "recovery key")),
            _ => None,
        },
        // Why a session was locked (`Session::lock`'s reason).
        "reason" => match code {
            "manual" => Some(lang.tr("手动锁定", "locked by the user")),
            "idle" => Some(lang.tr("空闲自动锁定", "idle auto-lock")),
            "exit" => Some(lang.tr("退出程序", "app closed")),
            "error" => Some(lang.tr("出错后锁定", "locked after an error")),
            "cli" | "init" | "passwd" | "add-user" | "demo" => {
                Some(lang.tr("命令行操作结束", "command line finished"))
            }
            _ => None,
        },
        "register" => register_name(lang, code),
        "highest_level" => Level::ALL
            .into_iter()
            .find(|l| l.label_zh() == code)
            .map(|l| lang.label(l)),
        "kind" => match code {
            "paper" => Some(lang.tr("纸质审批单", "paper form")),
            "signed_in" => Some(lang.tr("审批人本机口令确认", "approver's own passphrase")),
            _ => crate::domain::secrecy::DecisionKind::from_code(code)
                .map(|k| lang.tr(k.label_zh(), k.label_en()))
                .or_else(|| {
                    crate::ledger::incidents::Kind::from_code(code)
                        .map(|k| lang.tr(k.label_zh(), k.label_en()))
                }),
        },
        "method" => crate::domain::destruction::Method::from_code(code)
            .map(|m| lang.tr(m.label_zh(), m.label_en())),
        "outcome" => crate::domain::stocktake::Outcome::from_code(code)
            .map(|o| lang.tr(o.label_zh(), o.label_en())),
        _ => None,
    }
    .map(str::to_owned)
}

/// The words for a detail field; an unknown field shows as stored.
pub fn field_label(lang: Lang, key: &str) -> String {
    let (zh, en) = match key {
        "title" => ("标题", "title"),
        "doc_no" => ("文号", "doc no."),
        "receipt_no" => ("收文编号", "receipt no."),
        "issuing_unit" => ("来文单位", "issuing unit"),
        "level" => ("密级", "level"),
        "max_level" => ("最高密级", "highest level"),
        "marking" => ("标志", "marking"),
        "dated" => ("成文日期", "dated"),
        "pages" => ("页数", "pages"),
        "copies" => ("份号", "copies"),
        "copy_no" => ("份号", "copy no."),
        "copy_id" | "copy" => ("份", "copy"),
        "document_id" => ("文件", "document"),
        "cabinet_id" => ("专柜", "cabinet"),
        "direction" => ("收发", "direction"),
        "voided" => ("作废", "voided"),
        "changes" => ("修改", "changes"),
        "before" => ("修改前", "before"),
        "after" => ("修改后", "after"),
        "from" => ("原为", "from"),
        "to" => ("改为", "to"),
        "reason" => ("理由", "reason"),
        "note" => ("备注", "note"),
        "detail" => ("说明", "detail"),
        "name" => ("姓名", "name"),
        "login" => ("登录名", "login"),
        "role" => ("角色", "role"),
        "unit" => ("单位", "unit"),
        "department" => ("部门", "department"),
        "post" => ("职务", "post"),
        "phone" => ("电话", "phone"),
        "clearance" => ("涉密等级", "clearance"),
        "pledge_signed_on" => ("保密承诺书", "pledge signed"),
        "person_id" => ("人员", "person"),
        "responsible_person_id" | "responsible" => ("负责人", "responsible"),
        "holder_person_id" => ("持有人", "holder"),
        "drafter_person_id" => ("拟稿人", "drafter"),
        "carrier_person_id" => ("递送人", "carrier"),
        "borrower_person_id" | "borrower" => ("借阅人", "borrower"),
        "approver_person_id" => ("审批人", "approver"),
        "received_by_person_id" => ("接收人", "received by"),
        "location" => ("位置", "location"),
        "locked" => ("加锁", "locked"),
        "code" => ("编号", "code"),
        "place" => ("地点", "place"),
        "form_no" => ("申请表编号", "form no."),
        "days" => ("天数", "days"),
        "due_on" => ("应还日期", "due"),
        "out_on" => ("借出日期", "out on"),
        "days_overdue" => ("逾期天数", "days overdue"),
        "overdue_override" => ("逾期特批", "overdue override"),
        "pages_complete" => ("页数齐全", "pages complete"),
        "kind" => ("方式", "kind"),
        "reference" => ("审批单", "paper form"),
        "with" => ("凭", "with"),
        "step" => ("步骤", "step"),
        "channel" => ("渠道", "channel"),
        "tracking_no" => ("单号", "tracking no."),
        "recipient_unit" => ("收件单位", "recipient"),
        "sent_on" => ("发出日期", "sent on"),
        "receipt_returned_on" => ("回执收回", "receipt returned"),
        "work_days" => ("调休上班日", "make-up working days"),
        "rest_days" => ("休息日", "rest days"),
        "attempts" => ("尝试次数", "attempts"),
        "count" | "total" | "rows" => ("数量", "count"),
        "target" => ("目标", "target"),
        "field" => ("字段", "field"),
        "active" => ("有效", "active"),
        "at" => ("时间", "at"),
        "page" => ("页", "page"),
        "seq" => ("序号", "seq"),
        "seal_code" => ("凭证码", "seal code"),
        "register" => ("登记表", "register"),
        "filter" => ("筛选条件", "filter"),
        "highest_level" => ("最高密级", "highest level"),
        "format" => ("格式", "format"),
        "path" => ("文件", "file"),
        "bytes" => ("字节数", "bytes"),
        "must_change_passphrase" => ("须修改一次性口令", "one-time passphrase to change"),
        "replaced_one_time" => ("替换一次性口令", "replaced a one-time passphrase"),
        "expired_after_days" => ("到期后修改（天）", "changed after (days)"),
        "new_seal_key" => ("新建封存密钥", "new seal key"),
        "typed" => ("本人输入口令", "typed by their owners"),
        "one_time" => ("发一次性口令", "one-time passphrases"),
        "reasons" => ("原因", "reasons"),
        "how" => ("情形", "how"),
        "generation_seen" => ("台账记录的版本", "generation the ledger saw"),
        "generation_found" => ("文件中的版本", "generation in the file"),
        "unlisted" => ("未逐条列出", "not listed one by one"),
        "events" => ("事件数", "events"),
        "seals" => ("封存数", "seals"),
        "head" => ("链头", "head"),
        "file" => ("文件", "file"),
        "audit_head" => ("审计链位置", "audit chain head"),
        "per_page" => ("每页", "per page"),
        "list_no" => ("销毁清单", "destruction list"),
        "round_no" => ("清查", "stock-taking"),
        "incident_no" => ("事件", "incident"),
        "on" => ("日期", "date"),
        "method" => ("销毁方式", "method"),
        "unit_receipt_no" => ("销毁机构回执", "destruction unit's receipt"),
        "destroyer_person_id" => ("销毁人", "destroyed by"),
        "supervisor_person_ids" => ("监销人", "supervised by"),
        "cabinets" => ("专柜", "cabinets"),
        "all" => ("全部专柜", "every cabinet"),
        "result" => ("结果", "result"),
        "outcome" => ("结果", "outcome"),
        "found" => ("在位", "found"),
        "missing" => ("缺失", "missing"),
        "wrong_cabinet" => ("位置不符", "wrong cabinet"),
        "unexpected" => ("账外", "unexpected"),
        "out" => ("不在柜", "out"),
        "copy_ids" => ("涉及份号", "copies"),
        "lost_copy_ids" => ("登记丢失", "recorded lost"),
        "people_person_ids" => ("相关人员", "people"),
        "stocktake_id" => ("清查", "stock-taking"),
        "borrow_id" => ("借阅", "borrowing"),
        "occurred_on" => ("发生日期", "happened on"),
        "description" => ("经过", "what happened"),
        "measures" => ("措施", "measures"),
        "reported_to" => ("报告对象", "reported to"),
        "reported_on" => ("报告日期", "reported on"),
        "decided_on" => ("决定日期", "decided on"),
        "decided_by" => ("决定人", "decided by"),
        "authority" => ("依据", "authority"),
        "moved_copies" => ("移入合规专柜的份号", "copies moved"),
        _ => return key.to_owned(),
    };
    lang.tr(zh, en).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            people: [(15, "郭伟".to_owned()), (26, "王主任".to_owned())].into(),
            cabinets: [(2, "JM-02".to_owned())].into(),
            users: [(1, "zhang".to_owned())].into(),
            zone: crate::domain::OfficeZone::default(),
            login_names: HashMap::new(),
        }
    }

    #[test]
    fn lock_reasons_read_as_words_not_codes() {
        assert_eq!(
            describe(Lang::Zh, r#"{"reason":"idle"}"#, &names()),
            "理由：空闲自动锁定"
        );
        assert_eq!(
            describe(Lang::Zh, r#"{"reason":"add-user"}"#, &names()),
            "理由：命令行操作结束"
        );
        // A reason someone typed stays as typed.
        assert_eq!(
            describe(Lang::Zh, r#"{"reason":"登记有误"}"#, &names()),
            "理由：登记有误"
        );
    }

    #[test]
    fn details_read_as_words_with_people_and_cabinets_by_name() {
        let text = describe(
            Lang::Zh,
            r#"{"approver_person_id":26,"kind":"paper","note":"","reference":"审批单 7","role":"party_head","overdue_override":null}"#,
            &names(),
        );
        assert!(text.contains("审批人：王主任"), "{text}");
        assert!(text.contains("审批单：审批单 7"), "{text}");
        assert!(text.contains("方式：纸质审批单"), "{text}");
        assert!(!text.contains("备注"), "empty values are left out: {text}");
        assert!(
            !text.contains("逾期特批"),
            "null values are left out: {text}"
        );
        let text = describe(
            Lang::Zh,
            r#"{"level":"jimi","copies":[1,2,3],"cabinet_id":2,"pages_complete":true}"#,
            &names(),
        );
        assert!(text.contains("密级：机密"), "{text}");
        assert!(text.contains("份号：1、2、3"), "{text}");
        assert!(text.contains("专柜：JM-02"), "{text}");
        assert!(text.contains("页数齐全：是"), "{text}");
    }

    #[test]
    fn a_document_edit_shows_each_field_before_and_after() {
        let text = describe(
            Lang::Zh,
            r#"{"changes":{"title":["旧标题","新标题"],"pages":["3","4"]},"reason":"登记有误"}"#,
            &names(),
        );
        assert!(text.contains("标题 旧标题 → 新标题"), "{text}");
        assert!(text.contains("理由：登记有误"), "{text}");
    }

    #[test]
    fn two_failed_sign_ins_are_two_attempts_not_a_change() {
        let text = describe(
            Lang::Zh,
            r#"{"count":2,"attempts":[{"login":"wang","at":"x"},{"login":"li","at":"y"}]}"#,
            &names(),
        );
        assert!(text.contains("数量：2"), "{text}");
        assert!(text.contains("登录名 wang"), "{text}");
        assert!(text.contains("登录名 li"), "{text}");
        assert!(!text.contains('→'), "{text}");
    }

    #[test]
    fn destruction_stocktaking_and_incident_events_read_in_words() {
        let n = names();
        let d = r#"{"list_no":"销毁〔2026〕1号","method":"shredder","destroyer_person_id":26,"supervisor_person_ids":[15],"unit_receipt_no":""}"#;
        let text = describe(Lang::Zh, d, &n);
        assert!(text.contains("销毁清单：销毁〔2026〕1号"), "{text}");
        assert!(text.contains("销毁方式：保密碎纸机粉碎"), "{text}");
        assert!(
            text.contains("销毁人：王主任") && text.contains("监销人：郭伟"),
            "{text}"
        );
        let m = r#"{"round_no":"清查〔2026〕1号","copy_id":40,"outcome":"wrong_cabinet"}"#;
        let text = describe(Lang::Zh, m, &n);
        assert!(
            text.contains("copy-40") && text.contains("位置不符"),
            "{text}"
        );
        let i = r#"{"incident_no":"事件〔2026〕1号","kind":"loss","lost_copy_ids":[7],"people_person_ids":[15]}"#;
        let text = describe(Lang::En, i, &n);
        assert!(
            text.contains("loss") && text.contains("copy-7") && text.contains("郭伟"),
            "{text}"
        );
        assert_eq!(
            object_ref(Lang::Zh, "destructions", "3", &n),
            "destruction-3"
        );
        assert_eq!(object_ref(Lang::Zh, "stocktakes", "2", &n), "stocktake-2");
    }

    #[test]
    fn objects_are_named_as_the_cli_names_them() {
        let n = names();
        assert_eq!(object_ref(Lang::Zh, "documents", "12", &n), "doc-12");
        assert_eq!(object_ref(Lang::Zh, "people", "15", &n), "郭伟");
        assert_eq!(object_ref(Lang::Zh, "people", "99", &n), "person-99");
        assert_eq!(object_ref(Lang::Zh, "users", "1", &n), "zhang");
        // Not JSON (never written so, but shown rather than lost).
        assert_eq!(describe(Lang::Zh, "x", &n), "x");
    }
}
