//! Running the real binary: a command with a vault folder, its output, a tmpfs of our own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `baomi --vault DIR ARGS…`, with the test hooks' variables cleared.
pub fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = bare(args);
    c.arg("--vault").arg(dir);
    c
}

/// `baomi ARGS…` without a vault folder (`verify-backup`, `restore`).
pub fn bare(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_baomi"));
    c.args(args)
        .env_remove("BAOMI_CRASH_AT")
        .env_remove("BAOMI_FAIL_AT");
    c
}

/// Runs `c` with `stdin` written to it; a command refused before it reads may close the pipe.
pub fn run(mut c: Command, stdin: &str) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

/// `baomi --vault DIR ARGS…` fed `stdin`.
pub fn baomi(dir: &Path, args: &[&str], stdin: &str) -> Output {
    run(cmd(dir, args), stdin)
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A small filesystem of our own (tmpfs), where root may mount one. Elsewhere a test says so
/// and skips.
pub struct Mount(pub PathBuf);

impl Mount {
    pub fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap().keep();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Mount(dir))
    }

    pub fn remount_read_only(&self) {
        assert!(
            Command::new("mount")
                .args(["-o", "remount,ro"])
                .arg(&self.0)
                .status()
                .unwrap()
                .success()
        );
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
