//! The process itself: private files by default, no core dumps, crash points for tests.

/// Hardens the process at start, before anything is read or written: files and folders are
/// created private (umask 077), and no core dump is written (a core of the unlocked app would
/// hold the passphrase, titles and the unit's name): `PR_SET_DUMPABLE` 0 and `RLIMIT_CORE` 0.
/// Failures are reported, not fatal: the vault's files get explicit modes anyway.
pub fn harden() -> Vec<String> {
    let mut problems = Vec::new();
    quiet_panics();
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
        let zero = rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = rustix::process::setrlimit(rustix::process::Resource::Core, zero) {
            problems.push(format!("无法关闭核心转储（RLIMIT_CORE）：{e}"));
        }
    }
    #[cfg(target_os = "linux")]
    if let Err(e) =
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
    {
        problems.push(format!("无法关闭核心转储（PR_SET_DUMPABLE）：{e}"));
    }
    problems
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

static TERMINATE: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
    std::sync::OnceLock::new();

/// Asks SIGTERM, SIGHUP and SIGINT to be noted instead of ending the process at once (the
/// window: the system shutting down, the user logging out, Ctrl+C in a terminal): the window
/// sees it within a second ([`termination_requested`]) and closes the normal way — the ledger
/// locked, the lock file released. A second signal of the same kind ends the process at once.
pub fn close_on_termination() -> Result<(), String> {
    let flag = TERMINATE.get_or_init(Default::default).clone();
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        // A second signal while the first is being handled ends the process (a hung close
        // must not make it unkillable).
        signal_hook::flag::register_conditional_shutdown(signal, 1, flag.clone())
            .map_err(|e| e.to_string())?;
        signal_hook::flag::register(signal, flag.clone()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Whether a termination signal arrived ([`close_on_termination`]).
pub fn termination_requested() -> bool {
    TERMINATE
        .get()
        .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
}

/// Notes when the process started (the first thing `main` does): the start-up bench measures
/// the first frame from here.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Time since [`mark_start`] (zero when it was not called).
pub fn since_start() -> std::time::Duration {
    STARTED.get().map(|t| t.elapsed()).unwrap_or_default()
}

/// Whether `BAOMI_TIMING=1` asks for the start-up times on standard error (the start-up bench,
/// `benches/startup.rs`). Times only: nothing of the ledger.
pub fn timing_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("BAOMI_TIMING").is_ok_and(|v| v == "1"))
}

/// Prints one start-up time when [`timing_enabled`]: `baomi-timing <what> <ms>`.
pub fn report_timing(what: &str, took: std::time::Duration) {
    if timing_enabled() {
        eprintln!("baomi-timing {what} {:.1}", took.as_secs_f64() * 1000.0);
    }
}

/// Replaces the panic hook: a panic prints where it happened and, only when its message is a
/// fixed text of the program (a `&'static str`), that text — never a formatted message, which
/// could carry a title, a name or a passphrase's length from the data being handled, and never
/// a backtrace. Nothing is written to a file. (Panics unwind: a worker's panic ends its job with
/// a message, `ui::job`.)
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("{}", panic_line(info.payload(), info.location()));
    }));
}

/// The one line [`quiet_panics`] prints.
fn panic_line(
    payload: &(dyn std::any::Any + Send),
    location: Option<&std::panic::Location<'_>>,
) -> String {
    let place = location.map_or_else(
        || "未知位置".to_owned(),
        |l| format!("{}:{}", l.file(), l.line()),
    );
    match payload.downcast_ref::<&'static str>() {
        Some(fixed) => format!("Baomi 内部错误（{place}）：{fixed}"),
        None => format!("Baomi 内部错误（{place}）"),
    }
}

/// Whether the kernel would write a core of this process (`PR_GET_DUMPABLE`).
#[cfg(target_os = "linux")]
pub fn is_dumpable() -> Option<bool> {
    rustix::process::dumpable_behavior()
        .ok()
        .map(|b| b != rustix::process::DumpableBehavior::NotDumpable)
}

/// A crash point: with the `test-support` feature and `BAOMI_CRASH_AT=<name>` in the
/// environment, the process aborts here (no destructor runs, no buffer is flushed, as after
/// `kill -9`). Compiled out of the app.
#[inline]
pub fn crash_point(name: &str) {
    #[cfg(feature = "test-support")]
    if std::env::var("BAOMI_CRASH_AT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
    #[cfg(not(feature = "test-support"))]
    let _ = name;
}

/// A failure point: with the `test-support` feature and `BAOMI_FAIL_AT=<name>`, returns the
/// error a full disk gives (ENOSPC) here. Compiled out of the app.
#[inline]
pub fn fail_point(name: &str) -> std::io::Result<()> {
    #[cfg(feature = "test-support")]
    if std::env::var("BAOMI_FAIL_AT").is_ok_and(|v| v == name) {
        return Err(std::io::Error::from_raw_os_error(28));
    }
    #[cfg(not(feature = "test-support"))]
    let _ = name;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_line_keeps_fixed_texts_and_drops_formatted_ones() {
        let fixed: Box<dyn std::any::Any + Send> = Box::new("a thread");
        assert_eq!(
            panic_line(fixed.as_ref(), None),
            "Baomi 内部错误（未知位置）：a thread"
        );
        let formatted: Box<dyn std::any::Any + Send> = Box::new(String::from(
            "called `Result::unwrap()` on an `Err` value: 绝密文件标题",
        ));
        let line = panic_line(formatted.as_ref(), None);
        assert!(!line.contains("绝密文件标题"), "{line}");
    }
}
