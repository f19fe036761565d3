//! The setup wizard: unit and first user → passphrase twice → the recovery key, shown once.

use egui::{Grid, RichText, Ui};

use crate::domain::OfficeZone;
use crate::domain::passphrase::{Strength, strength};
use crate::ledger::{Passphrase, RecoveryKey, Session, SetupInput};
use crate::ui::app::Command;
use crate::ui::i18n::Lang;
use crate::ui::widgets::{combo_row, error_text, field_row, hint_text};

#[derive(Default, PartialEq, Eq)]
enum Step {
    #[default]
    Unit,
    Passphrase,
    Creating,
    RecoveryKey,
}

/// The wizard's drafts. The passphrase fields are cleared as soon as the vault is created.
#[derive(Default)]
pub struct SetupWizard {
    step: Step,
    unit: String,
    login: String,
    name: String,
    department: String,
    post: String,
    /// The office's time zone (Beijing time unless the office is elsewhere).
    zone: OfficeZone,
    pass1: zeroize::Zeroizing<String>,
    pass2: zeroize::Zeroizing<String>,
    error: Option<String>,
    session: Option<Session>,
    recovery_text: Option<zeroize::Zeroizing<String>>,
    written_down: bool,
    /// The first field of a step takes the focus once when the step opens.
    focused_step: Option<u8>,
}

impl SetupWizard {
    /// The vault exists: show the recovery key.
    pub fn created(&mut self, session: Session, recovery: RecoveryKey) {
        self.recovery_text = Some(recovery.to_display_string());
        self.session = Some(session);
        self.step = Step::RecoveryKey;
        self.error = None;
    }

    /// Creation failed: back to the passphrase step with the reason.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
        self.step = Step::Passphrase;
    }

    /// The session made by creation, once the recovery key was confirmed.
    pub fn into_session(self) -> Option<Session> {
        let mut me = self;
        me.session.take()
    }

    /// Draws the current step.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<Command>) {
        egui::CentralPanel::default_margins().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(24.0);
                ui.heading(lang.tr("保密台账 · 首次设置", "Baomi · first-time setup"));
                ui.add_space(8.0);
            });
            crate::ui::widgets::centered_card(ui, 620.0, |ui| match self.step {
                Step::Unit => self.unit_ui(ui, lang, cmds),
                Step::Passphrase => self.passphrase_ui(ui, lang, cmds),
                Step::Creating => {
                    ui.spinner();
                    ui.label(lang.tr(
                        "正在创建加密台账库（测算本机口令加密强度，约需数秒）…",
                        "Creating the encrypted ledger (calibrating the key derivation)…",
                    ));
                }
                Step::RecoveryKey => self.recovery_ui(ui, lang, cmds),
            });
        });
    }

    fn unit_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<Command>) {
        ui.label(
            RichText::new(lang.tr(
                "第 1 步，共 3 步：单位与保密员",
                "Step 1 of 3: unit and custodian",
            ))
            .strong(),
        );
        hint_text(ui, lang.tr(
            "第一个用户是保密员（机要员），负责台账；其他用户以后由保密员添加。",
            "The first user is the custodian who keeps the ledger; other users are added later.",
        ));
        let first_time = self.focused_step != Some(1);
        self.focused_step = Some(1);
        Grid::new("setup_unit").num_columns(2).show(ui, |ui| {
            let first = field_row(ui, lang.tr("单位名称", "Unit name"), &mut self.unit, false);
            if first_time {
                first.request_focus();
            }
            field_row(ui, lang.tr("登录名", "Login"), &mut self.login, false);
            field_row(ui, lang.tr("姓名", "Full name"), &mut self.name, false);
            field_row(
                ui,
                lang.tr("部门", "Department"),
                &mut self.department,
                false,
            );
            field_row(ui, lang.tr("职务", "Post"), &mut self.post, false);
            let zone = &mut self.zone;
            combo_row(
                ui,
                lang.tr("办公时区", "Office time zone"),
                "setup_zone",
                &zone.label_zh(),
                |ui| {
                    for z in OfficeZone::choices() {
                        ui.selectable_value(zone, z, z.label_zh());
                    }
                },
            );
        });
        hint_text(
            ui,
            lang.tr(
                "收文日期、应还日期、逾期和文号年度都按办公时区的日期计算，与本机时区设置无关。",
                "Dates, due dates, overdue days and number years follow the office time zone, whatever the PC is set to.",
            ),
        );
        let problem = if self.unit.trim().is_empty() {
            Some(lang.tr("请填写单位名称", "Enter the unit name"))
        } else if crate::ledger::users::validate_login(&self.login).is_err() {
            Some(lang.tr(
                "登录名须以英文字母开头，只含字母、数字和 . _ -",
                "The login starts with a letter and holds letters, digits, . _ -",
            ))
        } else if self.name.trim().is_empty() {
            Some(lang.tr("请填写姓名", "Enter the full name"))
        } else {
            None
        };
        if let Some(p) = problem {
            hint_text(ui, p);
        }
        let next = ui.add_enabled(
            problem.is_none(),
            egui::Button::new(lang.tr("下一步", "Next")),
        );
        if next.clicked() || (problem.is_none() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            self.step = Step::Passphrase;
        }
        ui.separator();
        hint_text(
            ui,
            lang.tr(
                "换新电脑或本机台账损坏？可以用移动介质上的加密备份恢复台账，不必重新创建。",
                "A new PC, or a damaged ledger? Restore it from an encrypted backup instead of creating a new one.",
            ),
        );
        if ui
            .button(lang.tr("从备份恢复…", "Restore from a backup…"))
            .clicked()
        {
            cmds.push(Command::OpenRestore);
        }
    }

    fn passphrase_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<Command>) {
        ui.label(
            RichText::new(lang.tr("第 2 步，共 3 步：设置口令", "Step 2 of 3: passphrase"))
                .strong(),
        );
        hint_text(ui, lang.tr(
            "口令用于打开加密台账：至少 12 个字符，或 4 个以上的词（用空格分开）；可以用一句中文，但不要用常见口令、生日或键盘序列。忘记口令时只能用恢复密钥。",
            "At least 12 characters, or 4 words or more (separated by spaces); a Chinese phrase works well, but no common password, birthday or keyboard run. Only the recovery key can replace a lost passphrase.",
        ));
        let first_time = self.focused_step != Some(2);
        self.focused_step = Some(2);
        Grid::new("setup_pass").num_columns(2).show(ui, |ui| {
            let first = field_row(ui, lang.tr("口令", "Passphrase"), &mut self.pass1, true);
            if first_time {
                first.request_focus();
            }
            field_row(
                ui,
                lang.tr("再次输入口令", "Repeat passphrase"),
                &mut self.pass2,
                true,
            );
        });
        let s = strength(&self.pass1);
        let label = match lang {
            Lang::Zh => s.label_zh(),
            Lang::En => s.label_en(),
        };
        let color = match s {
            Strength::TooShort | Strength::Weak => egui::Color32::from_rgb(0xc0, 0x1c, 0x28),
            Strength::Fair => egui::Color32::from_rgb(0xb5, 0x83, 0x00),
            Strength::Strong => egui::Color32::from_rgb(0x1a, 0x7f, 0x37),
        };
        ui.label(
            RichText::new(format!("{}{label}", lang.tr("口令强度：", "Strength: "))).color(color),
        );
        let problem = if !s.acceptable() {
            Some(match lang {
                Lang::Zh => s.label_zh(),
                Lang::En => s.label_en(),
            })
        } else if *self.pass1 != *self.pass2 {
            Some(lang.tr("两次输入的口令不一致", "The two entries differ"))
        } else {
            None
        };
        if let Some(p) = problem.filter(|_| !self.pass2.is_empty()) {
            error_text(ui, p);
        }
        if let Some(e) = &self.error {
            error_text(ui, e);
        }
        ui.horizontal(|ui| {
            if ui.button(lang.tr("上一步", "Back")).clicked() {
                self.step = Step::Unit;
            }
            let create = ui.add_enabled(
                problem.is_none(),
                egui::Button::new(lang.tr("创建台账库", "Create ledger")),
            );
            if create.clicked()
                || (problem.is_none() && ui.input(|i| i.key_pressed(egui::Key::Enter)))
            {
                let passphrase = Passphrase::new(std::mem::take(&mut *self.pass1));
                self.pass2 = Default::default();
                cmds.push(Command::CreateLedger {
                    input: SetupInput {
                        unit_name: self.unit.clone(),
                        login: self.login.trim().to_owned(),
                        name: self.name.clone(),
                        department: self.department.clone(),
                        post: self.post.clone(),
                        zone: self.zone,
                        demo: false,
                    },
                    passphrase,
                });
                self.step = Step::Creating;
            }
        });
    }

    fn recovery_ui(&mut self, ui: &mut Ui, lang: Lang, cmds: &mut Vec<Command>) {
        ui.label(
            RichText::new(lang.tr("第 3 步，共 3 步：恢复密钥", "Step 3 of 3: recovery key"))
                .strong(),
        );
        ui.label(lang.tr(
            "这是恢复密钥，只显示这一次。请用笔抄写在纸上，存放在保密柜中。忘记口令时，凭它设置新口令。",
            "This recovery key is shown once. Write it on paper and keep it in the safe. It replaces a forgotten passphrase.",
        ));
        if let Some(text) = &self.recovery_text {
            let groups: Vec<&str> = text.split('-').collect();
            egui::Frame::new()
                .fill(ui.visuals().extreme_bg_color)
                .inner_margin(12.0)
                .show(ui, |ui| {
                    for line in groups.chunks(5) {
                        ui.label(RichText::new(line.join("  ")).monospace().size(22.0));
                    }
                });
        }
        ui.checkbox(
            &mut self.written_down,
            lang.tr(
                "我已抄写并妥善保管恢复密钥",
                "I have written it down and stored it safely",
            ),
        );
        let done = ui.add_enabled(
            self.written_down,
            egui::Button::new(lang.tr("完成，进入台账", "Finish")),
        );
        if done.clicked() {
            self.recovery_text = None;
            cmds.push(Command::FinishSetup);
        }
    }
}
