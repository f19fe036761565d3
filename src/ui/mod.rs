//! The GUI (eframe/egui): view state only. Data comes from `ledger`; screens send
//! [`app::Command`]s that the app runs once per frame.

pub mod app;
pub mod fonts;
pub mod i18n;
pub mod job;
pub mod prefs;
pub mod screens;
pub mod widgets;

use std::path::PathBuf;
use std::sync::Arc;

pub use app::{AppConfig, BaomiApp};

use crate::domain::SystemClock;
use crate::ledger::KdfChoice;

/// The window title (also what the real-window tests search for).
pub const WINDOW_TITLE: &str = "保密台账 Baomi";

/// Opens the main window on the vault in `vault_dir` (the setup wizard if there is none).
pub fn run_native(vault_dir: PathBuf) -> Result<(), String> {
    if let Err(e) = crate::process::close_on_termination() {
        eprintln!("警告：无法处理终止信号（{e}）：关机时台账可能未正常锁定");
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_app_id("baomi")
            .with_icon(
                eframe::icon_data::from_png_bytes(crate::assets::ICON_PNG)
                    .expect("the embedded icon is a PNG"),
            )
            .with_inner_size([1240.0, 760.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    let config = AppConfig {
        vault_dir,
        kdf: KdfChoice::Calibrate,
        clock: Arc::new(SystemClock),
        media: Arc::new(crate::backup::media::SystemMedia),
    };
    eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let mut app = BaomiApp::new(config);
            if let Some(lang) = cc.storage.and_then(|s| eframe::get_value(s, app::LANG_KEY)) {
                app.set_lang(lang);
            }
            if let Some(prefs) = cc
                .storage
                .and_then(|s| eframe::get_value(s, prefs::PREFS_KEY))
            {
                app.set_prefs(prefs);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| format!("无法打开窗口：{e}"))
}
