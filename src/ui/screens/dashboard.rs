//! 工作台: the first screen after unlocking. Counters of later registers join it.

use egui::{Grid, RichText, Ui};

use crate::audit::ChainStatus;
use crate::ledger::borrowing::{self, Borrow, Which};
use crate::ledger::{Session, users};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::{MainCommand, Section};
use crate::ui::widgets::{error_text, hint_text};

/// The audit chain's check on the dashboard.
enum Chain {
    /// Running on a worker: the events to verify.
    Checking(
        crate::ui::job::Job<Result<Option<ChainStatus>, crate::ledger::LedgerError>>,
        i64,
    ),
    Done(Result<ChainStatus, String>),
}

/// Loans listed by name on the dashboard at most (the 借阅 screen has them all).
const LISTED: usize = 8;

/// Figures shown on the dashboard, read once when the section opens.
pub struct Dashboard {
    users: usize,
    documents: i64,
    /// 借阅: waiting for approval, out, overdue.
    borrows: (u32, u32, u32),
    /// The chain's state, for those who read the audit trail: checked off the UI thread from
    /// where this sitting's last check ended.
    chain: Option<Chain>,
    /// The signed-in user reads the ledger (the administrator does not: no counts of documents
    /// or loans, no to-dos with titles).
    ledger: bool,
    /// The signed-in user handles the to-dos (the custodian); others see them to look at.
    acts: bool,
    /// For whoever manages accounts: a rekey is due (an account deactivated, the recovery key
    /// replaced).
    /// Why a rekey is due (the administrator's to-do), in words.
    rekey_due: Option<Vec<crate::domain::Message>>,
    vault_dir: String,
    /// Loans past their due date, with the working days they are late, most overdue first.
    overdue: Vec<(Borrow, u32)>,
    /// Loans due today or on the next working day.
    due_soon: Vec<Borrow>,
    /// Copies sent out without their receipt back: how many, the earliest sending day.
    receipts: (u32, Option<String>),
    /// For a security auditor: days since their last seal of the audit chain (`None`: never),
    /// when it is time to seal again.
    seal_due: Option<Option<i64>>,
    /// The first-run checklist (the custodian's), until every step is done.
    getting_started: Option<crate::ledger::stats::GettingStarted>,
    /// The last verified backup and whether another is due.
    backup: Option<crate::ledger::backups::BackupStatus>,
    zone: crate::domain::OfficeZone,
    /// Destruction, stock-taking, review and incidents (for those who keep the ledger).
    carriers: Option<Carriers>,
}

/// What the issue-13 registers ask of the custodian.
struct Carriers {
    /// Documents whose period ends within the window or has ended.
    review_due: usize,
    /// Destruction lists awaiting approval, and approved ones awaiting execution.
    lists: (u32, u32),
    incidents_open: u32,
    /// Each cabinet's last stock-taking and whether it is past the setting.
    cabinets: Vec<crate::ledger::stocktake::CabinetCheck>,
    warn_days: u32,
}

impl Carriers {
    fn load(session: &Session) -> Option<Self> {
        use crate::domain::Role;
        if !matches!(session.user().role, Role::Custodian | Role::Head)
            || !session.may(crate::domain::Permission::ReadLedger)
        {
            return None;
        }
        Some(Carriers {
            review_due: crate::ledger::secrecy::due(session)
                .map(|d| d.len())
                .unwrap_or(0),
            lists: crate::ledger::destruction::pending(session).unwrap_or((0, 0)),
            incidents_open: crate::ledger::incidents::open_count(session).unwrap_or(0),
            cabinets: crate::ledger::stocktake::last_by_cabinet(session).unwrap_or_default(),
            warn_days: crate::ledger::stocktake::warn_days(session)
                .unwrap_or(crate::ledger::stocktake::DEFAULT_WARN_DAYS),
        })
    }

    fn any(&self) -> bool {
        self.review_due > 0
            || self.lists != (0, 0)
            || self.incidents_open > 0
            || self.cabinets.iter().any(|c| c.overdue)
    }
}

/// The to-do lines of destruction, stock-taking, the review and incidents.
fn carriers_todo(ui: &mut Ui, lang: Lang, c: &Carriers, cmds: &mut Vec<MainCommand>) {
    let mut line = |ui: &mut Ui, text: String, danger: bool, to: Section| {
        ui.horizontal(|ui| {
            if danger {
                error_text(ui, &text);
            } else {
                ui.label(text);
            }
            if ui.link(lang.tr("去处理", "Open")).clicked() {
                cmds.push(MainCommand::Navigate(to));
            }
        });
    };
    if c.review_due > 0 {
        line(
            ui,
            match lang {
                Lang::Zh => format!("{} 份文件保密期限将届满或已届满，待解密审查", c.review_due),
                Lang::En => format!(
                    "{} documents at the end of their period to review",
                    c.review_due
                ),
            },
            false,
            Section::Review,
        );
    }
    let (drafts, approved) = c.lists;
    if drafts + approved > 0 {
        line(
            ui,
            match lang {
                Lang::Zh => format!("销毁清单：{drafts} 份待审批，{approved} 份已批准待销毁"),
                Lang::En => {
                    format!("Destruction lists: {drafts} to approve, {approved} to execute")
                }
            },
            false,
            Section::Destruction,
        );
    }
    if c.incidents_open > 0 {
        line(
            ui,
            match lang {
                Lang::Zh => format!("{} 起泄密/丢失事件处理中", c.incidents_open),
                Lang::En => format!("{} incidents open", c.incidents_open),
            },
            true,
            Section::Stocktake,
        );
    }
    let late: Vec<&str> = c
        .cabinets
        .iter()
        .filter(|k| k.overdue)
        .map(|k| k.code.as_str())
        .collect();
    if !late.is_empty() {
        line(
            ui,
            match lang {
                Lang::Zh => format!(
                    "专柜 {} 超过 {} 天未清查（R4.3 每季度检查）",
                    late.join("、"),
                    c.warn_days
                ),
                Lang::En => format!(
                    "Cabinets {} not stock-taken for over {} days (R4.3: quarterly)",
                    late.join(", "),
                    c.warn_days
                ),
            },
            true,
            Section::Stocktake,
        );
    }
}

/// A security auditor is reminded to seal the audit chain when the last seal is this old.
pub const SEAL_REMINDER_DAYS: i64 = 30;

impl Dashboard {
    /// Reads the figures.
    pub fn load(session: &Session) -> Self {
        use crate::domain::Permission;
        let ledger = session.may(Permission::ReadLedger);
        Self {
            users: users::list(session)
                .map(|u| u.iter().filter(|u| u.active).count())
                .unwrap_or(0),
            documents: crate::ledger::stats::documents(session).unwrap_or(0),
            borrows: crate::ledger::borrowing::counts(session).unwrap_or((0, 0, 0)),
            chain: session
                .may(Permission::ReadAuditTrail)
                .then(|| start_chain_check(session)),
            ledger,
            acts: session.may(Permission::Borrowing),
            rekey_due: session
                .may(Permission::Accounts)
                .then(|| users::rekey_due(session).ok().flatten())
                .flatten()
                .map(|due| due.why()),
            vault_dir: session.dir().display().to_string(),
            overdue: Vec::new(),
            due_soon: Vec::new(),
            receipts: crate::ledger::outgoing::receipts_outstanding(session).unwrap_or((0, None)),
            seal_due: seal_due(session),
            getting_started: session
                .may(crate::domain::Permission::RegisterDocuments)
                .then(|| crate::ledger::stats::getting_started(session).ok())
                .flatten()
                .filter(|g| !g.done()),
            backup: crate::ledger::backups::may_back_up(session)
                .then(|| crate::ledger::backups::status(session).ok())
                .flatten(),
            zone: session.zone(),
            carriers: Carriers::load(session),
        }
        .with_loans(session)
    }

    /// Reads the loans that need the custodian's attention.
    fn with_loans(mut self, session: &Session) -> Self {
        let today = session.today();
        let calendar = borrowing::calendar(session)
            .unwrap_or_else(|_| crate::domain::calendar::Calendar::builtin());
        let next_working_day = calendar.due_date(today, 1).date;
        if !self.ledger {
            return self;
        }
        for b in borrowing::list(session, Which::Out).unwrap_or_default() {
            match b.due_on {
                Some(due) if due < today => {
                    let days = borrowing::overdue_days(&calendar, &b, today);
                    self.overdue.push((b, days));
                }
                Some(due) if due <= next_working_day => self.due_soon.push(b),
                _ => {}
            }
        }
        // The list is soonest-due first, which is most overdue first.
        self
    }

    /// The ledger's counts (for those who read the ledger).
    fn ledger_rows(&self, ui: &mut Ui, lang: Lang) {
        if !self.ledger {
            return;
        }
        ui.label(lang.tr("台账文件", "Documents"));
        ui.label(self.documents.to_string());
        ui.end_row();
        let (pending, out, overdue) = self.borrows;
        ui.label(lang.tr("借阅待审批或待借出", "Borrowing: to decide or hand out"));
        ui.label(pending.to_string());
        ui.end_row();
        ui.label(lang.tr("借出中", "On loan"));
        ui.label(out.to_string());
        ui.end_row();
        ui.label(lang.tr("逾期未还", "Overdue"));
        if overdue > 0 {
            error_text(
                ui,
                &match lang {
                    Lang::Zh => format!("{overdue} 份逾期"),
                    Lang::En => format!("{overdue} overdue"),
                },
            );
        } else {
            ui.label("0");
        }
        ui.end_row();
    }

    /// The chain check's result once it has finished (once): the window keeps it as the
    /// point the next check starts from.
    pub fn poll_chain(&mut self) -> Option<ChainStatus> {
        let Some(Chain::Checking(job, _)) = &mut self.chain else {
            return None;
        };
        let outcome = job.finished()?;
        let (done, found) = match outcome {
            Ok(Ok(Some(status))) => (Ok(status.clone()), Some(status)),
            Ok(Ok(None)) => (Err("已取消 / cancelled".to_owned()), None),
            Ok(Err(e)) => (Err(e.to_string()), None),
            Err(panicked) => (Err(panicked.to_owned()), None),
        };
        self.chain = Some(Chain::Done(done));
        found
    }

    /// The audit chain's state (for those who read the audit trail).
    fn chain_row(&self, ui: &mut Ui, lang: Lang) {
        let Some(chain) = &self.chain else {
            return;
        };
        ui.label(lang.tr("审计链", "Audit chain"));
        let chain = match chain {
            Chain::Checking(job, total) => {
                let (_, done, _) = job.progress().get();
                // A label, not a spinner: a spinner asks for every frame while it turns.
                ui.label(match lang {
                    Lang::Zh => format!("正在核验…（{done} / {total} 条新事件）"),
                    Lang::En => format!("checking… ({done} / {total} new events)"),
                });
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
                ui.end_row();
                return;
            }
            Chain::Done(c) => c,
        };
        match chain {
            Ok(ChainStatus::Intact { events, .. }) => {
                ui.label(
                    RichText::new(match lang {
                        Lang::Zh => format!("完整（{events} 条事件）"),
                        Lang::En => format!("intact ({events} events)"),
                    })
                    .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
                );
            }
            Ok(ChainStatus::Broken { first_bad_seq }) => error_text(
                ui,
                &match lang {
                    Lang::Zh => format!("断裂：自第 {first_bad_seq} 条事件起无法验证"),
                    Lang::En => format!("broken from event {first_bad_seq}"),
                },
            ),
            Err(e) => error_text(ui, e),
        }
        ui.end_row();
    }

    /// Draws it.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        unit: &str,
        cmds: &mut Vec<MainCommand>,
    ) {
        egui::ScrollArea::vertical()
            .id_salt("dashboard_scroll")
            .show(ui, |ui| self.page_ui(ui, lang, session, unit, cmds));
    }

    fn page_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        session: &Session,
        unit: &str,
        cmds: &mut Vec<MainCommand>,
    ) {
        ui.heading(lang.tr("工作台", "Dashboard"));
        if let Some(g) = self.getting_started {
            getting_started_ui(ui, lang, &g, cmds);
            ui.add_space(8.0);
        }
        self.todo_ui(ui, lang, cmds);
        ui.add_space(8.0);
        let user = session.user();
        Grid::new("dashboard")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                ui.label(lang.tr("单位", "Unit"));
                ui.label(unit);
                ui.end_row();
                ui.label(lang.tr("当前用户", "Signed in"));
                ui.label(format!(
                    "{} · {} · {}",
                    user.name,
                    user.login,
                    lang.role(user.role)
                ));
                ui.end_row();
                ui.label(lang.tr("用户数", "Users"));
                ui.label(self.users.to_string());
                ui.end_row();
                self.ledger_rows(ui, lang);
                self.chain_row(ui, lang);
                if self.backup.is_some() {
                    ui.label(lang.tr("上次备份", "Last backup"));
                    match self
                        .backup
                        .as_ref()
                        .and_then(|b| b.last.as_ref().map(|l| (b, l)))
                    {
                        Some((b, last)) => {
                            let text = format!(
                                "{}（{}）",
                                crate::ui::screens::backup::office_time(self.zone, &last.at),
                                crate::ui::screens::backup::age_text(lang, b.age_days.unwrap_or(0))
                            );
                            if b.due {
                                error_text(ui, &text);
                            } else {
                                ui.label(text);
                            }
                        }
                        None => error_text(ui, lang.tr("尚未备份", "never")),
                    }
                    ui.end_row();
                }
                if let Some(c) = &self.carriers
                    && !c.cabinets.is_empty()
                {
                    ui.label(lang.tr("专柜上次清查", "Last stock-taking"));
                    ui.vertical(|ui| {
                        for k in &c.cabinets {
                            let text = match (k.last, lang) {
                                (Some(d), _) => format!("{}  {d}", k.code),
                                (None, Lang::Zh) => format!("{}  从未清查", k.code),
                                (None, Lang::En) => format!("{}  never", k.code),
                            };
                            if k.overdue {
                                error_text(ui, &text);
                            } else {
                                ui.label(text);
                            }
                        }
                    });
                    ui.end_row();
                }
                ui.label(lang.tr("台账库位置", "Ledger folder"));
                ui.label(&self.vault_dir);
                ui.end_row();
            });
    }

    /// 待办: what needs doing today, each item leading to its screen.
    fn todo_ui(&self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<MainCommand>) {
        let (pending, _, _) = self.borrows;
        let (receipts, first_sent) = (self.receipts.0, self.receipts.1.as_deref());
        ui.label(RichText::new(lang.tr("待办", "To do")).strong());
        if let Some(since) = self.seal_due {
            ui.horizontal(|ui| {
                ui.label(match (lang, since) {
                    (Lang::Zh, Some(d)) => format!("距上次封存审计链已 {d} 天"),
                    (Lang::Zh, None) => "您还没有封存过审计链".to_owned(),
                    (Lang::En, Some(d)) => {
                        format!("{d} days since you last sealed the audit chain")
                    }
                    (Lang::En, None) => "You have not sealed the audit chain yet".to_owned(),
                });
                if ui.link(lang.tr("去封存", "Seal")).clicked() {
                    cmds.push(MainCommand::Navigate(Section::AuditLog));
                }
            });
        }
        if let Some(why) = &self.rekey_due {
            let why: Vec<&str> = why.iter().map(|m| lang.message(m)).collect();
            ui.horizontal_wrapped(|ui| {
                error_text(
                    ui,
                    &match lang {
                        Lang::Zh => format!("需要重新加密台账：{}", why.join("；")),
                        Lang::En => format!("A rekey is due: {}", why.join("; ")),
                    },
                );
                if ui.link(lang.tr("去处理", "Open")).clicked() {
                    cmds.push(MainCommand::OpenAccounts);
                }
            });
        }
        let backup_due = self.backup.as_ref().filter(|b| b.due);
        if let Some(b) = backup_due {
            ui.horizontal(|ui| {
                error_text(
                    ui,
                    &match (lang, b.age_days) {
                        (Lang::Zh, Some(d)) => {
                            format!("已 {d} 天未备份台账（提醒设置为 {} 天）", b.reminder_days)
                        }
                        (Lang::Zh, None) => "台账还没有经过校验的备份".to_owned(),
                        (Lang::En, Some(d)) => format!(
                            "No backup for {d} days (reminder: {} days)",
                            b.reminder_days
                        ),
                        (Lang::En, None) => "The ledger has no verified backup yet".to_owned(),
                    },
                );
                if ui.button(lang.tr("立即备份", "Back up now")).clicked() {
                    cmds.push(MainCommand::Navigate(Section::Backup));
                }
            });
        }
        if let Some(c) = &self.carriers {
            carriers_todo(ui, lang, c, cmds);
        }
        if pending == 0
            && self.carriers.as_ref().is_none_or(|c| !c.any())
            && backup_due.is_none()
            && self.overdue.is_empty()
            && self.due_soon.is_empty()
            && receipts == 0
            && self.seal_due.is_none()
            && self.rekey_due.is_none()
        {
            hint_text(ui, lang.tr("没有待办事项", "Nothing to do"));
            return;
        }
        let loan_line = |b: &Borrow| {
            format!(
                "{} · {} · {} · {}",
                b.form_no,
                b.borrower_name,
                lang.copy_no(b.copy_no),
                b.title
            )
        };
        for (b, days) in self.overdue.iter().take(LISTED) {
            ui.horizontal(|ui| {
                error_text(
                    ui,
                    &match lang {
                        Lang::Zh => format!("逾期 {days} 个工作日"),
                        Lang::En => format!("{days} working days overdue"),
                    },
                );
                if ui.link(loan_line(b)).clicked() {
                    cmds.push(MainCommand::OpenBorrow(b.id));
                }
            });
        }
        if self.overdue.len() > LISTED {
            hint_text(
                ui,
                &match lang {
                    Lang::Zh => format!("另有 {} 份逾期，见“借阅”", self.overdue.len() - LISTED),
                    Lang::En => format!(
                        "{} more overdue under Borrowing",
                        self.overdue.len() - LISTED
                    ),
                },
            );
        }
        for b in self.due_soon.iter().take(LISTED) {
            ui.horizontal(|ui| {
                ui.label(match (lang, b.due_on) {
                    (Lang::Zh, Some(d)) => format!("{d} 应还"),
                    (Lang::En, Some(d)) => format!("due {d}"),
                    _ => String::new(),
                });
                if ui.link(loan_line(b)).clicked() {
                    cmds.push(MainCommand::OpenBorrow(b.id));
                }
            });
        }
        if pending > 0 {
            ui.horizontal(|ui| {
                ui.label(match lang {
                    Lang::Zh => format!("{pending} 份借阅待审批或待借出"),
                    Lang::En => format!(
                        "{pending} borrowing{} to decide or hand out",
                        if pending == 1 { "" } else { "s" }
                    ),
                });
                if ui
                    .link(if self.acts {
                        lang.tr("去处理", "Open")
                    } else {
                        lang.tr("查看", "View")
                    })
                    .clicked()
                {
                    cmds.push(MainCommand::Navigate(Section::Borrowing));
                }
            });
        }
        if receipts > 0 {
            ui.horizontal(|ui| {
                ui.label(match lang {
                    Lang::Zh => format!(
                        "{receipts} 份发文回执未收回（最早 {} 发出）",
                        first_sent.unwrap_or("—")
                    ),
                    Lang::En => format!(
                        "{receipts} receipts not back (first sent {})",
                        first_sent.unwrap_or("—")
                    ),
                });
                if ui
                    .link(if self.acts {
                        lang.tr("去处理", "Open")
                    } else {
                        lang.tr("查看", "View")
                    })
                    .clicked()
                {
                    cmds.push(MainCommand::Navigate(Section::Outgoing));
                }
            });
        }
    }
}

/// For a security auditor whose last seal is older than [`SEAL_REMINDER_DAYS`] (or who never
/// sealed): the days since it. `None` for everyone else, or when no reminder is due.
fn seal_due(session: &Session) -> Option<Option<i64>> {
    if !session.may(crate::domain::Permission::SealAuditTrail) {
        return None;
    }
    let seals = crate::ledger::audit_log::seals(session).ok()?;
    let last = seals.iter().find(|s| s.login == session.user().login);
    let Some(last) = last else {
        return Some(None);
    };
    let sealed_on = session.zone().date_of(
        chrono::DateTime::parse_from_rfc3339(&last.at)
            .ok()?
            .with_timezone(&chrono::Utc),
    );
    let days = (session.today() - sealed_on).num_days();
    (days >= SEAL_REMINDER_DAYS).then_some(Some(days))
}

/// 开始使用: the steps a new ledger needs before daily use, in order, each a click from its
/// screen; done ones are shown as done.
fn getting_started_ui(
    ui: &mut Ui,
    lang: Lang,
    g: &crate::ledger::stats::GettingStarted,
    cmds: &mut Vec<MainCommand>,
) {
    egui::Frame::group(ui.style())
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.label(RichText::new(lang.tr("开始使用：请依次完成", "Getting started")).strong());
            let steps: [(bool, &str, &str, MainCommand); 5] = [
                (
                    g.cabinets,
                    lang.tr(
                        "登记保密专柜（文件登记时要选存放专柜）",
                        "Register the cabinets",
                    ),
                    lang.tr("去登记专柜", "Cabinets"),
                    MainCommand::Navigate(Section::Cabinets),
                ),
                (
                    g.own_record,
                    lang.tr(
                        "补全本人的涉密人员类别和保密承诺书签订日期",
                        "Complete your own clearance and pledge date",
                    ),
                    lang.tr("去人员登记", "People"),
                    MainCommand::Navigate(Section::People),
                ),
                (
                    g.people,
                    lang.tr(
                        "登记人员：借阅人、部门负责人、党办负责人",
                        "Register the people: borrowers and approvers",
                    ),
                    lang.tr("去登记人员", "People"),
                    MainCommand::Navigate(Section::People),
                ),
                (
                    g.head_account,
                    lang.tr(
                        "为党办负责人开通账户，并由本人修改一次性口令（机密、绝密借阅须其审批）",
                        "Open the head's account; they replace the one-time passphrase",
                    ),
                    lang.tr("去开通账户", "Accounts"),
                    MainCommand::OpenAccounts,
                ),
                (
                    g.documents,
                    lang.tr("登记第一份文件（收文登记）", "Register the first document"),
                    lang.tr("去收文登记", "Register"),
                    MainCommand::Navigate(Section::Documents),
                ),
            ];
            for (i, (done, text, link, cmd)) in steps.into_iter().enumerate() {
                ui.horizontal(|ui| {
                    let n = format!("{}. ", i + 1);
                    if done {
                        ui.label(
                            RichText::new(format!("{n}{text}"))
                                .color(egui::Color32::from_rgb(0x1a, 0x7f, 0x37)),
                        );
                        hint_text(ui, lang.tr("已完成", "done"));
                    } else {
                        ui.label(format!("{n}{text}"));
                        if ui.link(link).clicked() {
                            cmds.push(cmd);
                        }
                    }
                });
            }
        });
}

/// Starts the chain's check on a worker, from where this sitting last checked it; on a session
/// that cannot open a second connection (a nearly full disk) it runs here instead.
fn start_chain_check(session: &Session) -> Chain {
    match crate::ledger::audit_log::chain_check(session) {
        Ok(check) => {
            let total = check.total;
            Chain::Checking(
                crate::ui::job::Job::spawn(move |p| {
                    p.start(crate::backup::Phase::Verify, total.max(0) as u64);
                    check.run(|done| {
                        p.set_done(done as u64);
                        !p.is_cancelled()
                    })
                }),
                total,
            )
        }
        Err(_) => Chain::Done(session.verify_audit().map_err(|e| e.to_string())),
    }
}
