//! The application: a state machine Setup → Login (locked) ⇄ Main (unlocked), plus the
//! commands screens send and the app runs once per frame.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::i18n::Lang;
use super::screens::login::LoginScreen;
use super::screens::main_window::MainWindow;
use super::screens::setup::SetupWizard;
use crate::domain::Clock;
use crate::ledger::FolderState;
use crate::ledger::{
    KdfChoice, LedgerError, LockedLedger, Passphrase, RecoveryKey, Session, SetupInput,
};

/// eframe storage key of the interface language (a UI preference: never a secret or a row).
pub const LANG_KEY: &str = "baomi.lang";

/// How the app is started: where the vault is, how a new one derives keys, which clock it reads.
pub struct AppConfig {
    /// The ledger's folder.
    pub vault_dir: PathBuf,
    /// KDF for a new vault ([`KdfChoice::Calibrate`] in the shipped app).
    pub kdf: KdfChoice,
    /// The clock (simulated in tests).
    pub clock: Arc<dyn Clock>,
    /// The drives backups can go to (the system's; tests supply their own).
    pub media: Arc<dyn crate::backup::media::Media>,
}

/// What a screen asks the app to do; run at the start of the second frame after
/// they were queued (see `BaomiApp::ready`).
pub enum Command {
    /// The wizard's data is complete: create the vault.
    CreateLedger {
        /// Unit and first user.
        input: SetupInput,
        /// The first user's passphrase.
        passphrase: Passphrase,
    },
    /// The recovery key has been written down: go to the main window.
    FinishSetup,
    /// Unlock with a passphrase.
    Unlock {
        /// Who.
        login: String,
        /// Their passphrase.
        passphrase: Passphrase,
    },
    /// The WAL was reported damaged and the user decided to open the ledger as far as it
    /// verifies (copies kept, decision audited).
    AcceptWalDamage {
        /// Who decides.
        login: String,
        /// Their passphrase.
        passphrase: Passphrase,
    },
    /// Unlock with the recovery key and set a new passphrase.
    RecoverUnlock {
        /// Whose passphrase to set.
        login: String,
        /// The recovery key as typed.
        recovery: RecoveryKey,
        /// The new passphrase.
        new_passphrase: Passphrase,
    },
    /// Lock now.
    Lock {
        /// Why (`manual`, `idle`): recorded in the audit trail.
        reason: &'static str,
    },
    /// Switch the interface language.
    SetLang(Lang),
    /// Open 从备份恢复 (from the first screen, or the login screen: the vault is closed first).
    OpenRestore,
    /// Leave 从备份恢复: to the login screen if the folder holds a ledger (with a notice after a
    /// restore), else to the first screen.
    CloseRestore {
        /// A restore succeeded.
        notice: bool,
    },
}

/// Where the app is.
pub enum AppState {
    /// No vault yet: the setup wizard.
    Setup(Box<SetupWizard>),
    /// Locked: the login screen holds the opened vault.
    Login(Box<LoginScreen>),
    /// Unlocked.
    Main(Box<MainWindow>),
    /// 从备份恢复 (no vault is held open meanwhile).
    Restore(Box<super::screens::restore::RestoreScreen>),
    /// The vault cannot be used (in use elsewhere, damaged…): the message, nothing else.
    Fatal(String),
    /// Transient, while ownership moves between states within one command.
    Switching,
}

/// The Baomi application.
pub struct BaomiApp {
    config: AppConfig,
    lang: Lang,
    state: AppState,
    commands: Vec<Command>,
    /// Commands queued in an earlier frame: they run at the start of the next frame, after the
    /// screen that queued them has been painted once in its busy state ("正在解锁…"), because
    /// unlocking and creating block for the KDF's half second or more.
    ready: Vec<Command>,
    last_activity: DateTime<Utc>,
    /// The window's preferences (the register's columns), kept between runs.
    prefs: crate::ui::prefs::Prefs,
    /// A sign-in running on a worker (the key derivation).
    unlocking: Option<crate::ui::job::Job<Unlocked>>,
    /// The start-up times `BAOMI_TIMING=1` prints (`benches/startup.rs`).
    timing: StartTiming,
}

/// Where the start-up measurements stand: the first frame counts once painted (reported at the
/// start of the next one, which it asks for); the unlocked window's first frame counts from the
/// end of the sign-in's key derivation.
#[derive(Debug, Default)]
struct StartTiming {
    /// Frames drawn so far (up to 2).
    frames: u8,
    /// When the sign-in's worker was started.
    unlock_started: Option<std::time::Instant>,
    /// When the key derivation of a successful sign-in ended: the main window's first frame is
    /// measured from here.
    kdf_ended: Option<std::time::Instant>,
    /// The main window has drawn once; reported at the next frame.
    main_drawn: bool,
}

/// What a sign-in on a worker gives back: the session, or the locked ledger and why.
type Unlocked = Result<Session, (LockedLedger, LedgerError)>;

impl BaomiApp {
    /// Opens the vault folder: the wizard if it holds no vault, else the login screen.
    pub fn new(config: AppConfig) -> Self {
        let now = config.clock.now();
        let state = Self::initial_state(&config.vault_dir);
        Self {
            config,
            lang: Lang::Zh,
            state,
            commands: Vec::new(),
            ready: Vec::new(),
            unlocking: None,
            timing: StartTiming::default(),
            last_activity: now,
            prefs: crate::ui::prefs::Prefs::default(),
        }
    }

    /// The wizard only for a folder that holds no ledger file and can be read (or the remains
    /// of an interrupted creation, which creating clears): never over a ledger whose key file
    /// is missing, never for a folder the user may not read.
    fn initial_state(dir: &std::path::Path) -> AppState {
        match LockedLedger::probe(dir) {
            Ok(FolderState::Vault) => match LockedLedger::open(dir) {
                Ok(locked) => {
                    let stale = locked.recovered_stale_lock();
                    let mut screen = LoginScreen::new(locked);
                    if stale {
                        screen.notice = Some((
                            "上次 Baomi 未正常退出（已恢复实例锁）。数据库会自动完成未写完的事务；如有疑虑，解锁后请运行完整性检查。",
                            "Baomi did not close properly last time (its instance lock was recovered). The database completes any unfinished transaction itself; if in doubt, run the integrity check after unlocking.",
                        ));
                    }
                    AppState::Login(Box::new(screen))
                }
                Err(e) => AppState::Fatal(fatal_text(&e, dir)),
            },
            Ok(FolderState::Absent | FolderState::Empty | FolderState::InterruptedCreation) => {
                AppState::Setup(Box::default())
            }
            Err(e) => AppState::Fatal(fatal_text(&e, dir)),
        }
    }

    /// The preferences saved by an earlier run.
    pub fn set_prefs(&mut self, prefs: crate::ui::prefs::Prefs) {
        self.prefs = prefs;
    }

    /// The preferences as they stand (the open window's included), to be saved.
    pub fn prefs(&mut self) -> &crate::ui::prefs::Prefs {
        if let AppState::Main(main) = &self.state {
            main.keep_prefs(&mut self.prefs);
        }
        &self.prefs
    }

    /// The current state (tests look at it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Whether the ledger is unlocked.
    pub fn is_unlocked(&self) -> bool {
        matches!(self.state, AppState::Main(_))
    }

    /// Sets the interface language (restored from the UI preferences at start).
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The interface language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Draws one frame. Commands queued by the previous frame run first.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if crate::process::termination_requested() {
            // The system asked the program to end: close as the window's close button does
            // (on_exit locks the ledger).
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.time_start_up(ui.ctx());
        self.poll_unlock();
        for cmd in std::mem::take(&mut self.ready) {
            self.run(cmd, ui.ctx());
        }
        self.ready = std::mem::take(&mut self.commands);
        self.track_activity(ui.ctx());
        self.auto_lock(ui.ctx());
        let lang = self.lang;
        let clock = self.config.clock.clone();
        let cmds = &mut self.commands;
        match &mut self.state {
            AppState::Setup(w) => w.ui(ui, lang, cmds),
            AppState::Login(l) => l.ui(ui, lang, clock.as_ref(), cmds),
            AppState::Main(m) => m.ui(ui, lang, clock.as_ref(), cmds),
            AppState::Restore(r) => r.ui(ui, lang, cmds),
            AppState::Fatal(msg) => fatal_ui(ui, lang, msg),
            AppState::Switching => {}
        }
        if !self.commands.is_empty() || !self.ready.is_empty() {
            ui.ctx().request_repaint();
        }
        // Wake up now and then so that auto-lock and login delays happen without input.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs(1));
        self.time_drawn(ui.ctx());
    }

    fn track_activity(&mut self, ctx: &egui::Context) {
        let active = ctx.input(|i| {
            i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::Key { .. }
                        | egui::Event::Text(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::PointerMoved(_)
                        | egui::Event::MouseWheel { .. }
                        | egui::Event::Ime(_)
                )
            })
        });
        if active {
            self.last_activity = self.config.clock.now();
        }
    }

    fn auto_lock(&mut self, ctx: &egui::Context) {
        if let AppState::Main(m) = &self.state {
            if m.busy() {
                // A backup being written is not interrupted; the idle time counts from its end.
                self.last_activity = self.config.clock.now();
                return;
            }
            let idle = self.config.clock.now() - self.last_activity;
            if idle >= chrono::Duration::minutes(i64::from(m.auto_lock_minutes())) {
                self.ready.clear();
                self.commands.clear();
                self.run(Command::Lock { reason: "idle" }, ctx);
            }
        }
    }

    #[allow(clippy::result_large_err)] // see `Session`: the vault travels back with the error
    fn run(&mut self, cmd: Command, ctx: &egui::Context) {
        let clock = self.config.clock.clone();
        self.last_activity = clock.now();
        match cmd {
            Command::SetLang(lang) => self.lang = lang,
            Command::OpenRestore => {
                match std::mem::replace(&mut self.state, AppState::Switching) {
                    // The login screen's locked ledger is dropped: its instance lock is released
                    // so that the restore can move the folder aside.
                    AppState::Login(_) | AppState::Setup(_) => {
                        self.state = AppState::Restore(Box::new(
                            super::screens::restore::RestoreScreen::new(
                                self.config.vault_dir.clone(),
                                self.config.media.as_ref(),
                                self.config.clock.clone(),
                            ),
                        ));
                    }
                    other => self.state = other,
                }
            }
            Command::CloseRestore { notice } => {
                if let AppState::Restore(r) = &self.state
                    && r.busy()
                {
                    return;
                }
                self.state = Self::initial_state(&self.config.vault_dir);
                if notice && let AppState::Login(screen) = &mut self.state {
                    screen.notice = Some((
                        "已从备份恢复。请用备份时有效的口令登录",
                        "Restored from the backup. Sign in with a passphrase valid at that time",
                    ));
                }
            }
            Command::CreateLedger { input, passphrase } => {
                let AppState::Setup(wizard) = &mut self.state else {
                    return;
                };
                match Session::create(
                    &self.config.vault_dir,
                    &input,
                    &passphrase,
                    self.config.kdf,
                    clock,
                ) {
                    Ok((session, recovery)) => wizard.created(session, recovery),
                    Err(e) => wizard.failed(error_message(self.lang, &e)),
                }
            }
            Command::FinishSetup => {
                if let AppState::Setup(wizard) =
                    std::mem::replace(&mut self.state, AppState::Switching)
                {
                    match wizard.into_session() {
                        Some(session) => self.enter_main(session),
                        None => self.state = AppState::Setup(Box::default()),
                    }
                }
            }
            Command::Unlock { login, passphrase } => {
                self.try_unlock(move |locked| locked.unlock(&login, &passphrase, clock));
            }
            Command::AcceptWalDamage { login, passphrase } => {
                self.try_unlock(move |locked| {
                    locked
                        .accept_wal_damage(&login, &passphrase, clock)
                        .map(|(session, _, _)| session)
                });
            }
            Command::RecoverUnlock {
                login,
                recovery,
                new_passphrase,
            } => {
                self.try_unlock(move |locked| {
                    locked.unlock_with_recovery(&recovery, &login, &new_passphrase, clock)
                });
            }
            Command::Lock { reason } => {
                if let AppState::Main(main) =
                    std::mem::replace(&mut self.state, AppState::Switching)
                {
                    main.keep_prefs(&mut self.prefs);
                    let locked = main.into_session().lock(reason);
                    let mut screen = LoginScreen::new(locked);
                    if reason == "idle" {
                        screen.notice = Some(("空闲超时，已自动锁定", "Locked after being idle"));
                    }
                    self.state = AppState::Login(Box::new(screen));
                }
                ctx.memory_mut(|m| m.data.clear());
            }
        }
    }

    /// Hands the login screen's locked ledger to `attempt` on a worker: the key derivation
    /// takes a second or more, and the window goes on drawing (the login screen shows that it is
    /// unlocking). [`BaomiApp::poll_unlock`] takes the answer.
    #[allow(clippy::result_large_err)]
    fn try_unlock(
        &mut self,
        attempt: impl FnOnce(LockedLedger) -> Result<Session, (LockedLedger, LedgerError)>
        + Send
        + 'static,
    ) {
        let AppState::Login(screen) = &mut self.state else {
            return;
        };
        let locked = screen.take_locked();
        if crate::process::timing_enabled() {
            self.timing.unlock_started = Some(std::time::Instant::now());
        }
        self.unlocking = Some(crate::ui::job::Job::spawn(move |_| attempt(locked)));
    }

    /// The unlock's answer, once the worker has it: on success the main window opens (the
    /// failed attempts before it are audited by the unlock), on failure the login screen shows
    /// why.
    fn poll_unlock(&mut self) {
        let Some(job) = &mut self.unlocking else {
            return;
        };
        job.wait_up_to(std::time::Duration::from_millis(16));
        let Some(outcome) = job.finished() else {
            return;
        };
        self.unlocking = None;
        let AppState::Login(mut screen) = std::mem::replace(&mut self.state, AppState::Switching)
        else {
            return;
        };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(panicked) => {
                // The locked ledger went down with the worker: open the folder again.
                self.state = Self::initial_state(&self.config.vault_dir);
                if let AppState::Login(screen) = &mut self.state {
                    screen.notice = Some((panicked, panicked));
                }
                return;
            }
        };
        match outcome {
            // The failed sign-ins before it are audited by the unlock itself.
            Ok(session) => {
                if let Some(started) = self.timing.unlock_started.take() {
                    self.timing.kdf_ended = Some(started + session.unlock_kdf_time());
                    crate::process::report_timing("sign-in-kdf", session.unlock_kdf_time());
                }
                self.enter_main(session);
            }
            Err((locked, e)) => {
                // A damaged WAL offers the decision to open what verifies.
                screen.wal_damaged = e.is_wal_damage();
                // A delay is shown as the countdown below the field, not as a frozen message.
                let message = (!matches!(e, LedgerError::SignInDelayed { .. }))
                    .then(|| error_message(self.lang, &e));
                screen.failed(locked, message, self.config.clock.now());
                self.state = AppState::Login(screen);
            }
        }
    }

    /// The start-up times, when `BAOMI_TIMING=1`: the first frame (the login screen or the
    /// wizard) from the start of the process, the unlocked main window's first frame from the
    /// end of the key derivation. Each is reported at the start of the frame after it, once it
    /// has been painted.
    fn time_start_up(&mut self, ctx: &egui::Context) {
        if !crate::process::timing_enabled() {
            return;
        }
        let t = &mut self.timing;
        if t.frames == 1 {
            crate::process::report_timing("first-frame", crate::process::since_start());
        }
        if t.frames < 2 {
            t.frames += 1;
            ctx.request_repaint();
        }
        if t.main_drawn
            && let Some(ended) = t.kdf_ended.take()
        {
            crate::process::report_timing("unlocked-first-frame", ended.elapsed());
            t.main_drawn = false;
        }
    }

    /// After a frame: the main window just drawn for the first time since the sign-in.
    fn time_drawn(&mut self, ctx: &egui::Context) {
        if self.timing.kdf_ended.is_some()
            && !self.timing.main_drawn
            && matches!(self.state, AppState::Main(_))
        {
            self.timing.main_drawn = true;
            ctx.request_repaint();
        }
    }

    fn enter_main(&mut self, session: Session) {
        self.state = AppState::Main(Box::new(MainWindow::new(
            session,
            &self.prefs,
            self.config.media.clone(),
        )));
    }
}

impl BaomiApp {
    /// The window is closing: lock (records the event, checkpoints and closes the database).
    pub fn shutdown(&mut self) {
        if let AppState::Main(main) = std::mem::replace(&mut self.state, AppState::Switching) {
            drop(main.into_session().lock("exit"));
        }
    }
}

impl eframe::App for BaomiApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, LANG_KEY, &self.lang);
        eframe::set_value(storage, crate::ui::prefs::PREFS_KEY, self.prefs());
    }

    /// Only the UI preferences are kept on disk (the language, the window), never egui's memory
    /// of a session: its widget states are the session's, and its layer order, restored from an
    /// earlier run, kept drop-down lists behind the dialog they belong to.
    fn persist_egui_memory(&self) -> bool {
        false
    }

    /// The preferences are saved within seconds of a change, not every 30 s (eframe's default):
    /// a PC switched off or a killed process kept the old language. Saving writes one small
    /// file with the language and the window's place only.
    fn auto_save_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(3)
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

fn fatal_ui(ui: &mut egui::Ui, lang: Lang, msg: &str) {
    egui::CentralPanel::default_margins().show(ui, |ui| {
        ui.add_space(40.0);
        ui.heading(lang.tr("无法打开保密台账库", "Cannot open the ledger"));
        super::widgets::error_text(ui, msg);
        super::widgets::hint_text(
            ui,
            lang.tr(
                "文件未做任何改动。请关闭本窗口；如需帮助，请联系系统管理员。",
                "No file was changed. Close this window; ask the administrator for help.",
            ),
        );
    });
}

fn fatal_text(e: &LedgerError, dir: &std::path::Path) -> String {
    format!("{e}\n{}", dir.display())
}

/// A refused action in the user's language. Messages are Chinese at the source; the common ones
/// have an English twin here.
pub fn error_message(lang: Lang, e: &LedgerError) -> String {
    if let Some((zh, en)) = e.wal_damage_text() {
        return if lang == Lang::En { en } else { zh };
    }
    if lang == Lang::En {
        let en = match e {
            LedgerError::WrongPassphrase => Some("Wrong passphrase, or the key file is damaged"),
            LedgerError::NoSuchUser => Some("No such user"),
            LedgerError::WrongCurrentPassphrase => Some("The current passphrase is wrong"),
            LedgerError::UserInactive => Some("This account is disabled or does not exist"),
            LedgerError::MustChangePassphrase => Some(
                "Change the one-time passphrase first: someone else chose it, and until it is changed this account cannot register or approve anything",
            ),
            LedgerError::Invalid(m) => return m.en().to_owned(),
            LedgerError::SignInDelayed {
                login,
                failures,
                seconds,
            } => {
                return format!(
                    "{failures} failed sign-ins in a row for {login}: try again in {seconds} s"
                );
            }
            LedgerError::PassphraseExpired(days) => {
                return format!(
                    "Your passphrase is {days} days old, past the office's limit (R3.3.1): change it first; until then this account cannot record or approve anything"
                );
            }
            LedgerError::Refused(d) => return crate::domain::Explain::en(d),
            LedgerError::NotPermitted {
                permission, needed, ..
            } => {
                let roles: Vec<&str> = needed.iter().map(|r| r.label_en()).collect();
                return format!(
                    "Your role may not {}: it needs the role {} (R3.3.2)",
                    permission.label_en(),
                    roles.join(" or ")
                );
            }
            _ => None,
        };
        if let Some(en) = en {
            return en.to_owned();
        }
    }
    e.to_string()
}
