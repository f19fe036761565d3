//! Long work off the UI thread (backup, verify, restore): a worker thread, its shared progress
//! (phase, bytes, cancel), and a bar with a cancel button the screens draw.

use std::sync::Arc;
use std::thread::JoinHandle;

use crate::backup::{Progress, size_text};
use crate::ui::i18n::Lang;

/// A worker and what it reports.
pub struct Job<T> {
    progress: Arc<Progress>,
    handle: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread.
    pub fn spawn(work: impl FnOnce(&Arc<Progress>) -> T + Send + 'static) -> Self {
        let progress = Arc::new(Progress::default());
        let p = Arc::clone(&progress);
        let handle = std::thread::Builder::new()
            .name("baomi-job".into())
            .spawn(move || work(&p))
            .expect("a thread");
        Job {
            progress,
            handle: Some(handle),
        }
    }

    /// The worker's result once it has finished (once); `None` while it runs. A worker that
    /// panicked gives the message to show instead of leaving its screen busy for ever.
    pub fn finished(&mut self) -> Option<Result<T, &'static str>> {
        if self.handle.as_ref().is_some_and(|h| h.is_finished()) {
            let handle = self.handle.take()?;
            return Some(handle.join().map_err(|_| {
                "后台任务意外中止（程序内部错误），请重试 / The task stopped unexpectedly; try again"
            }));
        }
        None
    }

    /// Waits up to `limit` for the worker to finish (a frame's share: the window stays
    /// responsive while the answer of a short job arrives in the same frame).
    pub fn wait_up_to(&self, limit: std::time::Duration) {
        let started = std::time::Instant::now();
        while self.handle.as_ref().is_some_and(|h| !h.is_finished()) && started.elapsed() < limit {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// What the worker reports.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Whether it still runs.
    pub fn running(&self) -> bool {
        self.handle.is_some()
    }

    /// Asks it to stop at its next chunk.
    pub fn cancel(&self) {
        self.progress.cancel();
    }

    /// The progress bar with its phase, bytes and a cancel button. Asks for the next frame.
    pub fn ui(&self, ui: &mut egui::Ui, lang: Lang) {
        let (phase, done, total) = self.progress.get();
        let (zh, en) = phase.label();
        let name = lang.tr(zh, en);
        let cancelled = self.progress.is_cancelled();
        ui.horizontal(|ui| {
            let fraction = if total > 0 {
                (done as f32 / total as f32).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let text = if cancelled {
                lang.tr("正在取消…", "Cancelling…").to_owned()
            } else if total > 0 {
                format!("{name} · {} / {}", size_text(done), size_text(total))
            } else {
                format!("{name}…")
            };
            let mut bar = egui::ProgressBar::new(fraction)
                .text(text)
                .desired_width(360.0);
            if total == 0 {
                bar = bar.animate(true);
            }
            ui.add(bar);
            if ui
                .add_enabled(!cancelled, egui::Button::new(lang.tr("取消", "Cancel")))
                .clicked()
            {
                self.cancel();
            }
        });
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
}
