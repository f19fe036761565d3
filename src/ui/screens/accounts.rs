//! 设置 → 用户 (R3.3.2): the accounts, by person. An account is opened for a person already in
//! the register (never a second person of the same name), with a one-time passphrase shown once
//! here, which its owner must replace at first sign-in before the account writes or approves
//! anything. Deactivating asks for a confirmation that names the person.

use egui::{Grid, RichText, Ui};
use zeroize::Zeroizing;

use super::main_window::MainCommand;
use crate::domain::Role;
use crate::ledger::Session;
use crate::ledger::people::{self, Person, PersonId};
use crate::ledger::users::{self, NewAccount, ROLES, UserRow};
use crate::ui::i18n::Lang;
use crate::ui::widgets::{
    combo_row, danger_button, error_text, field_row, hint_text, primary_button,
};

/// The accounts list and its dialogs.
#[derive(Default)]
pub struct AccountsPanel {
    users: Vec<UserRow>,
    people: Vec<Person>,
    /// The open-account dialog, when open.
    pub dialog: Option<OpenAccountDialog>,
    /// The account whose deactivation waits for a confirmation.
    confirm_deactivate: Option<UserRow>,
    /// The signed-in user manages accounts (the administrator, or the custodian holding those
    /// duties); others only read the list.
    may_manage: bool,
    /// Why a rekey is due, if it is (an account deactivated, the recovery key replaced).
    rekey_due: Option<users::RekeyDue>,
    /// The 重新加密台账 dialog, when open.
    rekey: Option<RekeyDialog>,
    /// A change of role waiting for its confirmation.
    confirm_role: Option<(UserRow, Role)>,
}

impl AccountsPanel {
    /// Re-reads accounts and people.
    pub fn reload(&mut self, session: &Session) {
        self.may_manage = session.may(crate::domain::Permission::Accounts);
        self.rekey_due = users::rekey_due(session).ok().flatten();
        self.users = users::list(session).unwrap_or_default();
        self.people = people::list(session).unwrap_or_default();
    }

    /// The account was opened: the dialog shows its one-time passphrase.
    pub fn opened(&mut self, session: &Session, passphrase: Zeroizing<String>) {
        self.reload(session);
        if let Some(d) = &mut self.dialog {
            d.shown = Some(passphrase);
            d.error = None;
        }
    }

    /// The rekey is done: the dialog shows the new recovery key and the one-time passphrases,
    /// once.
    pub fn rekeyed(&mut self, session: &Session, done: users::Rekeyed) {
        self.reload(session);
        if let Some(d) = &mut self.rekey {
            d.error = None;
            d.shown = Some(Shown {
                recovery: Zeroizing::new(done.recovery.to_display_string().as_str().to_owned()),
                one_time: done
                    .one_time
                    .iter()
                    .map(|(l, p)| (l.clone(), Zeroizing::new(p.as_str().to_owned())))
                    .collect(),
            });
        }
    }

    /// The rekey's key work runs on a worker.
    pub fn rekey_started(
        &mut self,
        job: crate::ui::job::Job<Result<users::RekeyReady, crate::ledger::LedgerError>>,
    ) {
        if let Some(d) = &mut self.rekey {
            d.error = None;
            d.job = Some(job);
        }
    }

    /// The rekey's key work, once the worker has it (a short one arrives within the frame).
    pub fn poll_rekey(&mut self) -> Option<Result<users::RekeyReady, crate::ledger::LedgerError>> {
        let job = self.rekey.as_mut()?.job.as_mut()?;
        job.wait_up_to(std::time::Duration::from_millis(16));
        let outcome = job.finished()?;
        if let Some(d) = &mut self.rekey {
            d.job = None;
        }
        Some(match outcome {
            Ok(r) => r,
            Err(panicked) => Err(crate::ledger::LedgerError::Invalid(
                crate::domain::Message::from(panicked.to_owned()),
            )),
        })
    }

    /// The rekey was refused.
    pub fn rekey_failed(&mut self, message: String) {
        if let Some(d) = &mut self.rekey {
            d.error = Some(message);
        }
    }

    /// The deactivation ran.
    pub fn deactivated(&mut self, session: &Session) {
        self.confirm_deactivate = None;
        self.reload(session);
    }

    /// Draws the list and the dialogs.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, me: &str, cmds: &mut Vec<MainCommand>) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(lang.tr("用户账户", "Accounts")).strong());
            if self.may_manage
                && ui
                    .add(primary_button(lang.tr("开通账户", "Open an account")))
                    .clicked()
            {
                self.dialog = Some(OpenAccountDialog::default());
            }
        });
        if let Some(due) = &self.rekey_due {
            let why: Vec<String> = due
                .why()
                .iter()
                .map(|m| lang.message(m).to_owned())
                .collect();
            crate::ui::widgets::error_text(
                ui,
                &match lang {
                    Lang::Zh => format!(
                        "需要重新加密台账：{}。旧的密钥文件（每份备份中都有）加上原口令或原恢复密钥，仍能解密台账，直到重新加密。",
                        why.join("；")
                    ),
                    Lang::En => format!(
                        "A rekey is due: {}. An old key file (every backup holds one) with the former passphrase or recovery key still decrypts the ledger until then.",
                        why.join("; ")
                    ),
                },
            );
            if self.may_manage
                && ui
                    .button(lang.tr("重新加密台账…", "Rekey the ledger…"))
                    .clicked()
            {
                self.rekey = Some(RekeyDialog::new(&self.users, me));
            }
        }
        hint_text(
            ui,
            lang.tr(
                "为人员登记中已有的人开通账户。审批人（党办负责人、部门负责人）须有账户，才能在本机审批或被登记为纸质审批人。",
                "Accounts are opened for people already registered. Approvers need one to approve here or to be recorded as a paper approver.",
            ),
        );
        Grid::new("accounts")
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for h in [
                    lang.tr("姓名", "Name"),
                    lang.tr("部门", "Department"),
                    lang.tr("登录名", "Login"),
                    lang.tr("角色", "Role"),
                    lang.tr("状态", "State"),
                    "",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for u in &self.users {
                    ui.label(&u.name);
                    ui.label(&u.department);
                    ui.label(&u.login);
                    if self.may_manage && u.active && u.login != me {
                        let mut chosen = u.role;
                        let name = match lang {
                            Lang::Zh => format!("{} 的角色", u.login),
                            Lang::En => format!("role of {}", u.login),
                        };
                        crate::ui::widgets::combo_box(
                            ui,
                            &format!("role_{}", u.login),
                            lang.role(u.role),
                            110.0,
                            |ui| {
                                for r in ROLES {
                                    ui.selectable_value(&mut chosen, r, lang.role(r));
                                }
                            },
                        )
                        .widget_info(|| {
                            egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &name)
                        });
                        if chosen != u.role {
                            self.confirm_role = Some((u.clone(), chosen));
                        }
                    } else {
                        ui.label(lang.role(u.role));
                    }
                    ui.label(if !u.active {
                        lang.tr("已停用", "Deactivated")
                    } else if u.must_change_passphrase {
                        lang.tr("待本人修改初始口令", "Owner to change first passphrase")
                    } else {
                        lang.tr("在用", "Active")
                    });
                    if self.may_manage && u.active && u.login != me {
                        if ui
                            .add(danger_button(lang.tr("停用", "Deactivate")))
                            .clicked()
                        {
                            self.confirm_deactivate = Some(u.clone());
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        let ctx = ui.ctx().clone();
        if let Some(u) = self.confirm_deactivate.clone() {
            crate::ui::widgets::dialog("confirm_deactivate").show(&ctx, |ui| {
                ui.set_width(420.0);
                ui.heading(lang.tr("停用账户", "Deactivate account"));
                ui.label(match lang {
                    Lang::Zh => format!(
                        "停用{}（{}，登录名 {}）的账户？其口令将不能再打开台账；其人员登记和历史记录保留。",
                        u.name,
                        lang.role(u.role),
                        u.login
                    ),
                    Lang::En => format!(
                        "Deactivate the account of {} ({}, login {})? Its passphrase will no longer open the ledger; the person and their history stay.",
                        u.name,
                        lang.role(u.role),
                        u.login
                    ),
                });
                ui.horizontal(|ui| {
                    if ui
                        .add(danger_button(lang.tr("确认停用", "Deactivate")))
                        .clicked()
                    {
                        cmds.push(MainCommand::DeactivateAccount(u.login.clone()));
                    }
                    if ui.button(lang.tr("取消", "Cancel")).clicked() {
                        self.confirm_deactivate = None;
                    }
                });
            });
        }
        if let Some((u, role)) = self.confirm_role.clone() {
            crate::ui::widgets::dialog("confirm_role").show(&ctx, |ui| {
                ui.set_width(420.0);
                ui.heading(lang.tr("变更角色", "Change role"));
                ui.label(match lang {
                    Lang::Zh => format!(
                        "将{}（登录名 {}）的角色由{}改为{}？此变更记入审计日志。",
                        u.name,
                        u.login,
                        lang.role(u.role),
                        lang.role(role)
                    ),
                    Lang::En => format!(
                        "Change the role of {} (login {}) from {} to {}? The change is audited.",
                        u.name,
                        u.login,
                        lang.role(u.role),
                        lang.role(role)
                    ),
                });
                ui.horizontal(|ui| {
                    if ui
                        .add(primary_button(lang.tr("确认变更", "Change")))
                        .clicked()
                    {
                        cmds.push(MainCommand::ChangeRole(u.login.clone(), role));
                        self.confirm_role = None;
                    }
                    if ui.button(lang.tr("取消", "Cancel")).clicked() {
                        self.confirm_role = None;
                    }
                });
            });
        }
        let candidates: Vec<&Person> = self
            .people
            .iter()
            .filter(|p| p.active && !self.users.iter().any(|u| u.active && u.person_id == p.id))
            .collect();
        if let Some(d) = &mut self.dialog
            && !d.ui(&ctx, lang, &candidates, cmds)
        {
            self.dialog = None;
        }
        if let Some(d) = &mut self.rekey
            && !d.ui(&ctx, lang, cmds)
        {
            self.rekey = None;
        }
    }
}

/// What a finished rekey shows once.
struct Shown {
    recovery: Zeroizing<String>,
    one_time: Vec<(String, Zeroizing<String>)>,
}

/// 重新加密台账: for each active account, its owner types the passphrase now, or it gets a
/// one-time passphrase; the signed-in user always types theirs.
pub struct RekeyDialog {
    /// (login, name, role, typed passphrase, one-time instead).
    rows: Vec<(String, String, Role, Zeroizing<String>, bool)>,
    me: String,
    error: Option<String>,
    shown: Option<Shown>,
    /// The key work on a worker (one key derivation per account).
    job: Option<crate::ui::job::Job<Result<users::RekeyReady, crate::ledger::LedgerError>>>,
}

impl RekeyDialog {
    fn new(users: &[UserRow], me: &str) -> Self {
        Self {
            rows: users
                .iter()
                .filter(|u| u.active)
                .map(|u| {
                    (
                        u.login.clone(),
                        u.name.clone(),
                        u.role,
                        Zeroizing::new(String::new()),
                        // Auditors type theirs (their seal key); the others may be away.
                        u.login != me && u.role != Role::Auditor,
                    )
                })
                .collect(),
            me: me.to_owned(),
            error: None,
            shown: None,
            job: None,
        }
    }

    fn ui(&mut self, ctx: &egui::Context, lang: Lang, cmds: &mut Vec<MainCommand>) -> bool {
        let mut keep = true;
        // The result is a window of its own: sized afresh for the keys it shows, not kept at
        // the form's size (which grew under the pointer and moved the button away).
        let id = if self.shown.is_some() {
            "rekey_dialog_shown"
        } else {
            "rekey_dialog"
        };
        crate::ui::widgets::dialog(id).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(lang.tr("重新加密台账", "Rekey the ledger"));
            if let Some(shown) = &self.shown {
                egui::ScrollArea::vertical()
                    .max_height(ui.ctx().content_rect().height() - 160.0)
                    .show(ui, |ui| {
                ui.label(lang.tr(
                    "已更换主密钥。新的恢复密钥只显示这一次：请抄写并存放在保密柜中，旧的恢复密钥已失效。",
                    "The master key is new. The new recovery key shows this once: write it down and keep it in the safe; the old one no longer works.",
                ));
                ui.label(RichText::new(shown.recovery.as_str()).monospace().strong());
                for (login, once) in &shown.one_time {
                    ui.label(match lang {
                        Lang::Zh => format!("{login} 的一次性口令（交给本人，首次登录时须修改）："),
                        Lang::En => format!("{login}'s one-time passphrase (hand it over; it must be changed at sign-in):"),
                    });
                    ui.label(RichText::new(once.as_str()).monospace().strong());
                }
                    });
                if ui
                    .add(primary_button(lang.tr("已抄写，关闭", "Written down, close")))
                    .clicked()
                {
                    cmds.push(MainCommand::RekeyNoted);
                    keep = false;
                }
                return;
            }
            if self.job.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(lang.tr(
                        "正在重新包装各账户的密钥（每个账户约需一秒）…",
                        "Wrapping every account's key again (about a second each)…",
                    ));
                });
                return;
            }
            ui.label(lang.tr(
                "新的主密钥使旧的密钥文件（含已停用用户的、每份备份中的）打不开此后的台账。每个在用账户：本人在场输入口令，或发一次性口令（首次登录时须修改）。安全审计员须本人输入（其封存密钥由本人口令保护）。",
                "A new master key makes old key files (a removed user's, every backup's) open nothing written after. For each active account: its owner types the passphrase now, or it gets a one-time passphrase to change at sign-in. Security auditors type theirs (their seal key depends on it).",
            ));
            egui::ScrollArea::vertical()
                .max_height(ui.ctx().content_rect().height() - 240.0)
                .show(ui, |ui| {
            Grid::new("rekey_rows").num_columns(3).show(ui, |ui| {
                for (login, name, role, typed, once) in &mut self.rows {
                    let row = ui.label(format!("{name}（{login}，{}）", lang.role(*role)));
                    let may_skip = *login != self.me && *role != Role::Auditor;
                    if may_skip {
                        ui.checkbox(once, lang.tr("发一次性口令", "One-time passphrase"));
                    } else {
                        ui.label("");
                    }
                    if *once {
                        ui.label("");
                    } else {
                        let field = ui.add(
                            egui::TextEdit::singleline(&mut **typed)
                                .password(true)
                                .hint_text(lang.tr("本人输入口令", "typed by its owner"))
                                .desired_width(200.0),
                        )
                        .labelled_by(row.id);
                        crate::ui::widgets::forget_history(ui.ctx(), field.id);
                    }
                    ui.end_row();
                }
            });
                });
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            let ready = self.rows.iter().all(|r| r.4 || !r.3.is_empty());
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        ready,
                        crate::ui::widgets::danger_button(lang.tr("重新加密", "Rekey")),
                    )
                    .clicked()
                {
                    let accounts = self
                        .rows
                        .iter_mut()
                        .map(|(login, _, _, typed, once)| {
                            let how = if *once {
                                users::RekeyHow::OneTime
                            } else {
                                users::RekeyHow::Typed(crate::ledger::Passphrase::new(
                                    std::mem::take(&mut **typed),
                                ))
                            };
                            (login.clone(), how)
                        })
                        .collect();
                    cmds.push(MainCommand::Rekey(accounts));
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked() {
                    keep = false;
                }
            });
        });
        keep
    }
}

/// 开通账户: a person of the register, a login, a role; then the one-time passphrase, once.
#[derive(Default)]
pub struct OpenAccountDialog {
    person: Option<PersonId>,
    login: String,
    role: Option<Role>,
    error: Option<String>,
    /// The one-time passphrase, after the account was opened; zeroized when dropped.
    shown: Option<Zeroizing<String>>,
    /// The person's name, kept for the passphrase page.
    name: String,
}

impl OpenAccountDialog {
    /// The account was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        candidates: &[&Person],
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        let popup_open = egui::Popup::is_any_open(ctx);
        crate::ui::widgets::dialog("open_account").show(ctx, |ui| {
            ui.set_width(480.0);
            ui.heading(lang.tr("开通账户", "Open an account"));
            if let Some(once) = &self.shown {
                ui.label(match lang {
                    Lang::Zh => format!("已为{}开通账户。一次性口令：", self.name),
                    Lang::En => format!("Account opened for {}. One-time passphrase:", self.name),
                });
                ui.label(RichText::new(once.as_str()).monospace().size(26.0).strong());
                hint_text(
                    ui,
                    lang.tr(
                        "请当面交给本人（不含数字 0、1 和字母 O、I、L）。此口令只显示这一次；本人首次登录时须改为自己的口令，改之前此账户不能登记或审批任何事项。",
                        "Hand it to the person in person (no 0, 1, O, I or L). It is shown only this once; at first sign-in they must replace it, and until then the account can neither record nor approve anything.",
                    ),
                );
                if ui
                    .add(primary_button(lang.tr("已交给本人，关闭", "Handed over, close")))
                    .clicked()
                {
                    keep = false;
                }
                return;
            }
            Grid::new("open_account_form")
                .num_columns(2)
                .show(ui, |ui| {
                    let shown = self
                        .person
                        .and_then(|id| candidates.iter().find(|p| p.id == id))
                        .map(|p| format!("{} {}", p.name, p.department))
                        .unwrap_or_default();
                    combo_row(
                        ui,
                        lang.tr("人员", "Person"),
                        "account_person",
                        &shown,
                        |ui| {
                            for p in candidates {
                                ui.selectable_value(
                                    &mut self.person,
                                    Some(p.id),
                                    format!("{} {}", p.name, p.department),
                                );
                            }
                        },
                    );
                    field_row(ui, lang.tr("登录名", "Login"), &mut self.login, false);
                    let role = self.role.map(|r| lang.role(r)).unwrap_or_default();
                    combo_row(ui, lang.tr("角色", "Role"), "account_role", role, |ui| {
                        for r in ROLES {
                            ui.selectable_value(&mut self.role, Some(r), lang.role(r));
                        }
                    });
                });
            if candidates.is_empty() {
                hint_text(
                    ui,
                    lang.tr(
                        "人员登记中没有尚无账户的在岗人员：请先在“人员”中登记此人。",
                        "Everyone in post already has an account: register the person under People first.",
                    ),
                );
            }
            let problem = if self.person.is_none() {
                Some(lang.tr("请选择人员", "Choose the person"))
            } else if self.login.trim().is_empty() {
                Some(lang.tr(
                    "请填写登录名（英文字母开头，如 zhao.zhuren）",
                    "Enter a login (starting with a letter)",
                ))
            } else if self.role.is_none() {
                Some(lang.tr("请选择角色", "Choose the role"))
            } else {
                None
            };
            // One line always: a hint appearing must not move the buttons under the pointer.
            ui.label(RichText::new(problem.unwrap_or(" ")).weak());
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        problem.is_none(),
                        primary_button(lang.tr("开通", "Open")),
                    )
                    .clicked()
                    && let (Some(person), Some(role)) = (self.person, self.role)
                {
                    self.name = candidates
                        .iter()
                        .find(|p| p.id == person)
                        .map(|p| p.name.clone())
                        .unwrap_or_default();
                    cmds.push(MainCommand::OpenAccount(NewAccount {
                        person,
                        login: self.login.trim().to_owned(),
                        role,
                    }));
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
