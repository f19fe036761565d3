//! The process itself: private files by default, no core dumps, crash points for tests.

/// Hardens the process at start, before anything is read or written: files and folders are
/// created private (umask 077), and no core dump is written (a core of the unlocked app would
/// hold the passphrase, titles and the unit's name): `PR_SET_DUMPABLE` 0 and `RLIMIT_CORE` 0.
/// Failures are reported, not fatal: the vault's files get explicit modes anyway.
pub fn harden() -> Vec<String> {
    let mut problems = Vec::new();
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
