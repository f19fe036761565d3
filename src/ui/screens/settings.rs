//! 设置: auto-lock delay, 文号 pattern, language, the signed-in user's passphrase, the borrowing
//! policy (R3.1.3) and the working-day calendar.

use egui::{Grid, Ui};

use super::accounts::AccountsPanel;
use super::main_window::DaysSetting;
use super::main_window::MainCommand;
use crate::domain::borrow_policy::{Approver, BorrowPolicy, MAX_SETTABLE_DAYS};
use crate::domain::calendar::YearCalendar;
use crate::domain::level::Level;
use crate::ledger::{Session, borrowing};
use crate::ui::app::Command;
use crate::ui::i18n::Lang;
use crate::ui::widgets::hint_text;

/// Drafts of the settings form.
pub struct SettingsScreen {
    auto_lock: u32,
    /// Days after which a cabinet's last stock-taking is too old (R4.3).
    stocktake_days: u32,
    /// Days before the end of a period when the review lists a document.
    review_days: u32,
    /// Days a passphrase lasts (0: no limit).
    passphrase_days: u32,
    pattern: String,
    /// The unit's name and this year, for the live example of the 文号 pattern.
    example_unit: String,
    example_year: i32,
    policy: BorrowPolicy,
    /// The office's time zone, as chosen in the form.
    zone: crate::domain::OfficeZone,
    /// The years the calendar knows, and the year being edited as a table.
    years: Vec<YearCalendar>,
    calendar: Option<CalendarTable>,
    /// 常规 or 用户.
    tab: SettingsTab,
    /// 设置 → 用户.
    pub accounts: AccountsPanel,
    /// What the signed-in user may change here (the permission matrix; set at reload).
    can: Can,
}

/// Which parts of the settings the signed-in user may change.
#[derive(Debug, Clone, Copy, Default)]
struct Can {
    /// Auto-lock, the time zone, the division of duties (the administrator's).
    system: bool,
    /// Reminders, the 文号 pattern, the borrowing policy (the custodian's).
    ledger: bool,
    /// The working-day calendar (the administrator's).
    calendar: bool,
    /// The accounts list is readable.
    accounts: bool,
    /// The custodian holds the administrator's duties too.
    custodian_administers: bool,
}

/// The parts of the settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum SettingsTab {
    #[default]
    General,
    Accounts,
}

impl SettingsScreen {
    /// The form with the stored settings.
    pub fn new(session: &Session, auto_lock: u32) -> Self {
        let mut s = Self {
            auto_lock,
            stocktake_days: crate::ledger::stocktake::DEFAULT_WARN_DAYS,
            review_days: crate::ledger::secrecy::DEFAULT_WINDOW_DAYS,
            passphrase_days: crate::ledger::settings::DEFAULT_PASSPHRASE_MAX_DAYS,
            pattern: crate::ledger::outgoing::pattern(session).unwrap_or_default(),
            example_unit: crate::ledger::settings::unit_name(session).unwrap_or_default(),
            example_year: chrono::Datelike::year(&session.today()),
            policy: BorrowPolicy::default(),
            zone: session.zone(),
            years: Vec::new(),
            calendar: None,
            tab: SettingsTab::General,
            accounts: AccountsPanel::default(),
            can: Can::default(),
        };
        s.reload(session);
        s
    }

    /// Shows 设置 → 用户.
    pub fn show_accounts(&mut self) {
        self.tab = SettingsTab::Accounts;
    }

    /// Re-reads the policy and the calendar (after a save).
    pub fn reload(&mut self, session: &Session) {
        use crate::domain::Permission as P;
        self.can = Can {
            system: session.may(P::SystemSettings),
            ledger: session.may(P::LedgerSettings),
            calendar: session.may(P::Calendar),
            accounts: session.may(P::ReadAccounts),
            custodian_administers: session.duties().custodian_administers,
        };
        self.policy = borrowing::policy(session).unwrap_or_default();
        self.zone = session.zone();
        self.stocktake_days = crate::ledger::stocktake::warn_days(session)
            .unwrap_or(crate::ledger::stocktake::DEFAULT_WARN_DAYS);
        self.review_days = crate::ledger::secrecy::window_days(session)
            .unwrap_or(crate::ledger::secrecy::DEFAULT_WINDOW_DAYS);
        self.passphrase_days = crate::ledger::settings::passphrase_max_days(session)
            .unwrap_or(crate::ledger::settings::DEFAULT_PASSPHRASE_MAX_DAYS);
        self.years = borrowing::calendar(session)
            .map(|c| c.years().cloned().collect())
            .unwrap_or_default();
        self.accounts.reload(session);
    }

    /// Draws the form.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        me: &str,
        app: &mut Vec<Command>,
        cmds: &mut Vec<MainCommand>,
    ) {
        ui.horizontal(|ui| {
            ui.heading(lang.tr("设置", "Settings"));
            ui.add_space(16.0);
            for (tab, label) in [
                (SettingsTab::General, lang.tr("常规", "General")),
                (SettingsTab::Accounts, lang.tr("用户", "Accounts")),
            ] {
                if tab == SettingsTab::Accounts && !self.can.accounts {
                    continue;
                }
                if ui.selectable_label(self.tab == tab, label).clicked() {
                    self.tab = tab;
                }
            }
        });
        match self.tab {
            SettingsTab::General => self.general_ui(ui, lang, app, cmds),
            SettingsTab::Accounts => {
                egui::ScrollArea::vertical().show(ui, |ui| self.accounts.ui(ui, lang, me, cmds));
            }
        }
    }

    fn general_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        app: &mut Vec<Command>,
        cmds: &mut Vec<MainCommand>,
    ) {
        // One scroll for the whole page: at 768 px the calendar is below the fold.
        egui::ScrollArea::vertical().show(ui, |ui| {
            self.fields_ui(ui, lang, app, cmds);
            if self.can.ledger {
                ui.separator();
                self.policy_ui(ui, lang, cmds);
            }
            if self.can.calendar {
                ui.separator();
                self.calendar_ui(ui, lang, cmds);
            }
        });
    }

    /// The ledger's reminders and the 文号 pattern (the custodian's).
    fn ledger_rows(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let l = ui.label(lang.tr("清查提醒（天）", "Stock-taking reminder (days)"));
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut self.stocktake_days).range(7..=366))
                .labelled_by(l.id);
            if ui.button(lang.tr("保存", "Save")).clicked() {
                cmds.push(MainCommand::SetDays(
                    DaysSetting::Stocktake,
                    self.stocktake_days,
                ));
            }
        });
        ui.end_row();
        let l = ui.label(lang.tr("解密审查提前（天）", "Review window (days)"));
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut self.review_days).range(1..=366))
                .labelled_by(l.id);
            if ui.button(lang.tr("保存", "Save")).clicked() {
                cmds.push(MainCommand::SetDays(DaysSetting::Review, self.review_days));
            }
        });
        ui.end_row();
        let l = ui.label(lang.tr("发文文号格式", "Outgoing number pattern"));
        let problem = crate::domain::numbering::validate_pattern(self.pattern.trim()).err();
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.pattern).desired_width(320.0))
                .labelled_by(l.id);
            if ui
                .add_enabled(
                    problem.is_none(),
                    egui::Button::new(lang.tr("保存", "Save")),
                )
                .clicked()
            {
                cmds.push(MainCommand::SetOutgoingPattern(
                    self.pattern.trim().to_owned(),
                ));
            }
        });
        ui.end_row();
        ui.label("");
        match problem {
            Some(p) => crate::ui::widgets::error_text(ui, &lang.explain(&p)),
            None => hint_text(
                ui,
                &format!(
                    "{}{}",
                    lang.tr(
                        "{unit} 为单位名称，{year} 为年度，{seq} 为当年序号。示例：",
                        "{unit} is the unit's name, {year} the year, {seq} the number in the year. Example: "
                    ),
                    crate::domain::numbering::format_number(
                        self.pattern.trim(),
                        &self.example_unit,
                        self.example_year,
                        12
                    )
                ),
            ),
        }
        ui.end_row();
    }

    /// The office's time zone (the administrator's).
    fn zone_rows(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let l = ui.label(lang.tr("办公时区", "Office time zone"));
        ui.horizontal(|ui| {
            let zone = &mut self.zone;
            crate::ui::widgets::combo_box(ui, "office_zone", lang.zone(*zone), 220.0, |ui| {
                for z in crate::domain::OfficeZone::choices() {
                    ui.selectable_value(zone, z, lang.zone(z));
                }
            })
            .labelled_by(l.id);
            if ui.button(lang.tr("保存", "Save")).clicked() {
                cmds.push(MainCommand::SetOfficeZone(self.zone));
            }
        });
        ui.end_row();
        ui.label("");
        hint_text(
            ui,
            lang.tr(
                "“今天”、应还日期、逾期天数和文号年度都按办公时区计算，与本机时区无关。",
                "Today, due dates, overdue days and number years follow the office time zone, not the PC's.",
            ),
        );
        ui.end_row();
    }

    /// 三员设置: whether the custodian also holds the administrator's duties.
    fn duties_row(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        ui.label(lang.tr("管理职责", "Administration"));
        let mut on = self.can.custodian_administers;
        if ui
            .checkbox(
                &mut on,
                lang.tr(
                    "由保密员兼任系统管理员职责（小单位）",
                    "The custodian also holds the administrator's duties (a small office)",
                ),
            )
            .changed()
        {
            cmds.push(MainCommand::SetCustodianAdministers(on));
        }
        ui.end_row();
        ui.label("");
        hint_text(
            ui,
            lang.tr(
                "账户、系统设置和工作日历由系统管理员办理；勾选后保密员也可办理。安全审计员的职责任何人都不能兼任。",
                "Accounts, system settings and the calendar are the administrator's; ticked, the custodian may do them too. Nobody may hold the auditor's duties.",
            ),
        );
        ui.end_row();
    }

    /// Each setting with its 保存 beside it (not in a column of its own, which a long hint
    /// pushed off a 1024-pixel screen).
    fn fields_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        app: &mut Vec<Command>,
        cmds: &mut Vec<MainCommand>,
    ) {
        let can = self.can;
        Grid::new("settings").num_columns(2).show(ui, |ui| {
            if can.system {
                let l = ui.label(lang.tr("空闲自动锁定（分钟）", "Auto-lock when idle (minutes)"));
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut self.auto_lock).range(1..=60))
                        .labelled_by(l.id);
                    if ui.button(lang.tr("保存", "Save")).clicked() {
                        cmds.push(MainCommand::SetAutoLock(self.auto_lock));
                    }
                });
                ui.end_row();
                let l = ui.label(lang.tr(
                    "口令有效期（天，0 为不限）",
                    "Passphrases last (days, 0: no limit)",
                ));
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut self.passphrase_days).range(0..=365))
                        .labelled_by(l.id);
                    if ui.button(lang.tr("保存", "Save")).clicked() {
                        cmds.push(MainCommand::SetDays(
                            DaysSetting::PassphraseMaxAge,
                            self.passphrase_days,
                        ));
                    }
                });
                ui.end_row();
                self.duties_row(ui, lang, cmds);
            }
            if can.ledger {
                self.ledger_rows(ui, lang, cmds);
            }
            if can.system {
                self.zone_rows(ui, lang, cmds);
            }
            ui.label(lang.tr("界面语言", "Language"));
            ui.horizontal(|ui| {
                if ui.selectable_label(lang == Lang::Zh, "中文").clicked() {
                    app.push(Command::SetLang(Lang::Zh));
                }
                if ui.selectable_label(lang == Lang::En, "English").clicked() {
                    app.push(Command::SetLang(Lang::En));
                }
            });
            ui.end_row();
            ui.label(lang.tr("我的口令", "My passphrase"));
            if ui
                .button(lang.tr("修改口令", "Change passphrase"))
                .clicked()
            {
                cmds.push(MainCommand::OpenPassphraseDialog);
            }
            ui.end_row();
        });
        hint_text(
            ui,
            lang.tr(
                "修改口令只重写密钥文件中您的密钥槽，台账数据不变。",
                "Changing a passphrase rewrites your key slot only; the ledger is untouched.",
            ),
        );
    }

    fn policy_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        ui.label(egui::RichText::new(lang.tr("借阅规定", "Borrowing policy")).strong())
            .on_hover_text("R3.1.3");
        Grid::new("policy")
            .num_columns(5)
            .striped(true)
            .show(ui, |ui| {
                for h in [
                    lang.tr("密级", "Level"),
                    lang.tr("允许借阅", "May be lent"),
                    lang.tr("最长期限（工作日）", "Longest (working days)"),
                    lang.tr("续借次数", "Renewals"),
                    lang.tr("审批人", "Approver"),
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for level in Level::ALL {
                    let p = match level {
                        Level::Juemi => &mut self.policy.juemi,
                        Level::Jimi => &mut self.policy.jimi,
                        Level::Mimi => &mut self.policy.mimi,
                        Level::NeibuMingan => &mut self.policy.neibu,
                    };
                    let name = ui.label(lang.level(level)).id;
                    ui.checkbox(&mut p.allowed, lang.tr("允许", "yes"));
                    if level == Level::Juemi {
                        ui.label(lang.tr("当日，指定地点阅读", "same day, on site"));
                        ui.label("0");
                    } else {
                        ui.horizontal(|ui| {
                            let r = ui.add(
                                egui::DragValue::new(&mut p.max_working_days)
                                    .range(1..=MAX_SETTABLE_DAYS),
                            );
                            let l = ui.label(lang.tr("个工作日", "working days"));
                            r.labelled_by(l.id);
                        });
                        ui.horizontal(|ui| {
                            let r = ui.add(egui::DragValue::new(&mut p.renewals).range(0..=5));
                            let l = ui.label(lang.tr("次", "times"));
                            r.labelled_by(l.id);
                        });
                    }
                    if level == Level::NeibuMingan {
                        crate::ui::widgets::combo_box(
                            ui,
                            "neibu_approver",
                            lang.approver(p.approver),
                            120.0,
                            |ui| {
                                for a in Approver::ALL {
                                    ui.selectable_value(&mut p.approver, a, lang.approver(a));
                                }
                            },
                        )
                        .labelled_by(name);
                    } else {
                        ui.label(lang.approver(p.approver));
                    }
                    ui.end_row();
                }
            });
        ui.checkbox(
            &mut self.policy.head_may_approve_mimi,
            lang.tr(
                "党办负责人也可审批秘密文件的借阅（制度规定由部门负责人审批；默认不允许）",
                "The head may also approve secret-level loans (the rules name the department head; off by default)",
            ),
        );
        hint_text(
            ui,
            lang.tr(
                "绝密文件一般不予借阅：取消“允许”即完全停止借阅；允许时须写明理由、由党办负责人批准，在指定地点阅读，不得带出。续借须重新审批。",
                "Top secret is normally not lent: untick to stop it entirely; when allowed it needs a written reason and the head's approval, read on site only. A renewal is approved again.",
            ),
        );
        let problem = self.policy.validate().err();
        if let Some(p) = &problem {
            crate::ui::widgets::error_text(ui, &lang.explain(p));
        }
        if ui
            .add_enabled(
                problem.is_none(),
                egui::Button::new(lang.tr("保存借阅规定", "Save policy")),
            )
            .clicked()
        {
            cmds.push(MainCommand::SetBorrowPolicy(Box::new(self.policy.clone())));
        }
    }

    fn calendar_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        ui.label(egui::RichText::new(lang.tr("工作日历", "Working-day calendar")).strong());
        hint_text(
            ui,
            lang.tr(
                "每年按国务院办公厅公布的节假日安排填写：每个放假时段一行，每个调休上班日一行；其余周一至周五上班，周六、周日休息。",
                "One row per holiday period and per make-up working day, as in the State Council's notice; other weekdays are working days and weekends rest days.",
            ),
        );
        ui.horizontal_wrapped(|ui| {
            ui.label(lang.tr("已有年份：", "Years: "));
            for y in &self.years {
                let open = self.calendar.as_ref().is_some_and(|t| t.year == y.year);
                if ui
                    .add(egui::Button::selectable(open, y.year.to_string()))
                    .clicked()
                {
                    self.calendar = Some(CalendarTable::of(y));
                }
            }
            if ui.button(lang.tr("新的一年", "New year")).clicked() {
                let next = self.years.last().map_or(2027, |y| y.year + 1);
                self.calendar = Some(CalendarTable {
                    year: next,
                    rows: Vec::new(),
                });
            }
        });
        if let Some(table) = &mut self.calendar
            && let Some(text) = table.ui(ui, lang)
        {
            cmds.push(MainCommand::SetCalendarYear(text));
        }
    }
}

/// One year of the working-day calendar edited as a table: a row per holiday period (放假) and
/// per make-up working day (调休上班), dates typed or picked.
struct CalendarTable {
    year: i32,
    rows: Vec<CalendarRow>,
}

struct CalendarRow {
    rest: bool,
    first: String,
    last: String,
    name: String,
}

impl CalendarTable {
    fn of(y: &YearCalendar) -> Self {
        let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        Self {
            year: y.year,
            rows: y
                .entries()
                .into_iter()
                .map(|e| CalendarRow {
                    rest: e.rest,
                    first: day(e.first),
                    last: if e.last == e.first {
                        String::new()
                    } else {
                        day(e.last)
                    },
                    name: e.name,
                })
                .collect(),
        }
    }

    /// The rows read as a year, or what is wrong (naming the row).
    fn read(&self, lang: Lang) -> Result<YearCalendar, String> {
        let mut entries = Vec::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            let n = i + 1;
            let y = self.year;
            let first = crate::ui::widgets::date::read(&r.first).ok_or_else(|| match lang {
                Lang::Zh => format!("第 {n} 行的开始日期应写成 {y}-10-01 的形式"),
                Lang::En => format!("Row {n}: write the first day as {y}-10-01"),
            })?;
            let last = if r.last.trim().is_empty() {
                first
            } else {
                crate::ui::widgets::date::read(&r.last).ok_or_else(|| match lang {
                    Lang::Zh => {
                        format!("第 {n} 行的结束日期应写成 {y}-10-07 的形式，或留空（只一天）")
                    }
                    Lang::En => {
                        format!("Row {n}: write the last day as {y}-10-07, or leave it empty")
                    }
                })?
            };
            entries.push(crate::domain::calendar::CalendarEntry {
                rest: r.rest,
                first,
                last,
                name: r.name.clone(),
            });
        }
        YearCalendar::from_entries(self.year, &entries).map_err(|e| {
            // A refusal without its line (a day written both ways, a weekday as 调休上班):
            // name the row it comes from.
            let row = match &e {
                crate::domain::calendar::CalendarError::WorkdayOnWeekday(d)
                | crate::domain::calendar::CalendarError::Both(d) => entries
                    .iter()
                    .position(|x| !x.rest && x.first <= *d && *d <= x.last)
                    .map(|i| i + 1),
                _ => None,
            };
            let text = match lang {
                Lang::Zh => e.to_string().replace("工作日历第 ", "第 "),
                Lang::En => crate::domain::Explain::en(&e)
                    .replace("Line ", "Row ")
                    .replace(" of the calendar", ""),
            };
            match (row, lang) {
                (Some(n), Lang::Zh) => format!("第 {n} 行：{text}"),
                (Some(n), Lang::En) => format!("Row {n}: {text}"),
                (None, _) => text,
            }
        })
    }

    /// Draws the table; returns the year's text when 保存 is clicked.
    fn ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<String> {
        ui.label(egui::RichText::new(match lang {
            Lang::Zh => format!("{} 年", self.year),
            Lang::En => format!("{}", self.year),
        }));
        let mut remove = None;
        egui::Grid::new("calendar_rows")
            .num_columns(5)
            .striped(true)
            .show(ui, |ui| {
                let kind = ui.strong(lang.tr("类型", "Kind"));
                let first = ui.strong(lang.tr("开始日期", "First day"));
                let last =
                    ui.strong(lang.tr("结束日期（一天则留空）", "Last day (empty: one day)"));
                let name = ui.strong(lang.tr("名称", "Name"));
                ui.end_row();
                for (i, r) in self.rows.iter_mut().enumerate() {
                    let shown = if r.rest {
                        lang.tr("放假", "Holiday")
                    } else {
                        lang.tr("调休上班", "Make-up working day")
                    };
                    crate::ui::widgets::combo_box(
                        ui,
                        &format!("cal_kind_{i}"),
                        shown,
                        130.0,
                        |ui| {
                            ui.selectable_value(&mut r.rest, true, lang.tr("放假", "Holiday"));
                            ui.selectable_value(
                                &mut r.rest,
                                false,
                                lang.tr("调休上班", "Make-up working day"),
                            );
                        },
                    )
                    .labelled_by(kind.id);
                    crate::ui::widgets::date::date_cell(
                        ui,
                        lang,
                        &format!("cal_first_{i}"),
                        &mut r.first,
                        170.0,
                    )
                    .labelled_by(first.id);
                    // A make-up working day is one day: no last day to write.
                    if r.rest {
                        crate::ui::widgets::date::date_cell(
                            ui,
                            lang,
                            &format!("cal_last_{i}"),
                            &mut r.last,
                            170.0,
                        )
                        .labelled_by(last.id);
                    } else {
                        r.last.clear();
                        ui.label("");
                    }
                    // Sized, not desired: a grid cell offers last frame's column width.
                    ui.add_sized(
                        [200.0, ui.spacing().interact_size.y],
                        egui::TextEdit::singleline(&mut r.name),
                    )
                    .labelled_by(name.id);
                    if ui
                        .add(crate::ui::widgets::danger_button(lang.tr("删除", "Delete")))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
        if let Some(i) = remove {
            self.rows.remove(i);
        }
        ui.horizontal(|ui| {
            for (rest, label) in [
                (true, lang.tr("添加放假时段", "Add a holiday")),
                (
                    false,
                    lang.tr("添加调休上班日", "Add a make-up working day"),
                ),
            ] {
                if ui.button(label).clicked() {
                    self.rows.push(CalendarRow {
                        rest,
                        first: String::new(),
                        last: String::new(),
                        name: String::new(),
                    });
                }
            }
        });
        let read = self.read(lang);
        match &read {
            Ok(y) => hint_text(
                ui,
                &match lang {
                    Lang::Zh => format!(
                        "{} 年：放假 {} 天，调休上班 {} 天",
                        y.year,
                        y.rest.len(),
                        y.work.len()
                    ),
                    Lang::En => format!(
                        "{}: {} holidays, {} make-up working days",
                        y.year,
                        y.rest.len(),
                        y.work.len()
                    ),
                },
            ),
            // A row just added and not yet filled is no error yet: say what to write.
            Err(e) if self.rows.iter().any(|r| r.first.trim().is_empty()) => hint_text(ui, e),
            Err(e) => crate::ui::widgets::error_text(ui, e),
        }
        let save = ui.add_enabled(
            read.is_ok(),
            crate::ui::widgets::primary_button(lang.tr("保存该年日历", "Save this year")),
        );
        match read {
            Ok(y) if save.clicked() => Some(y.source),
            _ => None,
        }
    }
}
