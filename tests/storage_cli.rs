//! Storage that never lies, tried on the real binary (issue 11): crashes injected at each step
//! of `init` and `add-user`, kill -9 during a write burst, honest messages for a full disk, a
//! read-only disk and a folder the user may not read, no core dumps, bounded passphrase input,
//! `check` that never migrates, and the small CLI failures.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;

use common::cli::*;

const PASS: &str = "存储测试 口令 2026";

const INIT: &[&str] = &[
    "init",
    "--unit",
    "某公司党委办公室",
    "--user",
    "wang",
    "--name",
    "王保密",
    "--demo",
];

/// An account for the head, with a one-time passphrase on the second line of stdin.
const ADD_HEAD: &[&str] = &[
    "add-user",
    "--user",
    "li",
    "--name",
    "李处长",
    "--role",
    "head",
];

fn init(dir: &Path) {
    let out = baomi(dir, INIT, &format!("{PASS}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn check_ok(dir: &Path) -> String {
    let out = baomi(dir, &["check"], &format!("{PASS}\n"));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{all}");
    all
}

/// The number of audit events `check` reports.
fn events(check_output: &str) -> usize {
    let at = check_output.find("审计链：完整（").expect(check_output) + "审计链：完整（".len();
    check_output[at..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_crash_at_each_step_of_init_leaves_nothing_that_claims_to_be_a_vault_or_a_complete_one() {
    for step in [
        "init:marker",
        "init:db-file",
        "init:schema",
        "init:first-transaction",
        "init:keys",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("v");
        let mut c = cmd(&vault, INIT);
        c.env("BAOMI_CRASH_AT", step);
        let out = run(c, &format!("{PASS}\n"));
        assert!(
            !out.status.success(),
            "{step}: the crash point was not reached"
        );
        assert!(
            !text(&out.stdout).contains("恢复密钥"),
            "{step}: a recovery key was shown for a vault that was not finished"
        );
        if step == "init:keys" {
            // The key file is in place: a complete vault whose first user signs in; its
            // recovery key was never shown, so a new one is made.
            let all = check_ok(&vault);
            assert!(events(&all) >= 1, "{all}");
            let out = baomi(&vault, &["rotate-recovery-key"], &format!("{PASS}\n"));
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(text(&out.stdout).contains("新的恢复密钥"));
            continue;
        }
        // Anything else: the folder says it holds an interrupted creation…
        let out = baomi(&vault, &["check"], &format!("{PASS}\n"));
        assert_eq!(out.status.code(), Some(1), "{step}");
        assert!(
            text(&out.stderr).contains("被中断"),
            "{step}: {}",
            text(&out.stderr)
        );
        // …and creating again clears it and succeeds.
        init(&vault);
        check_ok(&vault);
        assert!(!vault.join("ledger.creating").exists(), "{step}");
    }
}

#[test]
fn add_user_leaves_neither_row_nor_slot_when_the_key_file_cannot_be_written_or_the_process_dies() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let add = ADD_HEAD;
    let stdin = format!("{PASS}\n一次性 口令 12345\n");
    // The disk refuses the key file: nothing is left.
    let mut c = cmd(dir.path(), add);
    c.env("BAOMI_FAIL_AT", "write-keys");
    let out = run(c, &stdin);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("磁盘空间不足"), "{err}");
    assert!(!err.contains("请从备份恢复"), "{err}");
    let users = baomi(
        dir.path(),
        &["list", "users", "--json"],
        &format!("{PASS}\n"),
    );
    assert!(
        !text(&users.stdout).contains("\"li\""),
        "{}",
        text(&users.stdout)
    );
    // Killed between the key file and the commit: the slot without an account cannot sign in,
    // and the next unlock removes it (audited).
    let mut c = cmd(dir.path(), add);
    c.env("BAOMI_CRASH_AT", "keys-written-before-commit");
    let out = run(c, &stdin);
    assert!(!out.status.success());
    let out = baomi(
        dir.path(),
        &["--as", "li", "list", "documents"],
        "一次性 口令 12345\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let users = baomi(
        dir.path(),
        &["list", "users", "--json"],
        &format!("{PASS}\n"),
    );
    assert!(!text(&users.stdout).contains("\"li\""));
    let out = baomi(
        dir.path(),
        &["--as", "li", "list", "documents"],
        "一次性 口令 12345\n",
    );
    assert!(
        text(&out.stderr).contains("没有此用户"),
        "{}",
        text(&out.stderr)
    );
    // The login is free again.
    let out = baomi(dir.path(), add, &stdin);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn twenty_kill_9_during_a_write_burst_never_raise_a_false_alarm_and_lose_nothing_acknowledged() {
    let template = tempfile::tempdir().unwrap();
    init(template.path());
    let base = events(&check_ok(template.path()));
    let mut seed: u64 = 0x2026_1127;
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(template.path(), dir.path());
        let mut child = cmd(dir.path(), &["demo", "--documents", "400", "--batch", "1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASS}\n").as_bytes())
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Wait for the first acknowledged commit, then kill at a pseudo-random moment.
        let mut acknowledged = 0usize;
        if let Some(Ok(l)) = lines.next() {
            acknowledged = l.trim_start_matches("committed ").parse().unwrap_or(0);
        }
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let wait = Duration::from_millis(seed >> 33 & 0x1ff);
        let reader = std::thread::spawn(move || {
            let mut last = acknowledged;
            for l in lines.map_while(Result::ok) {
                if let Ok(n) = l.trim_start_matches("committed ").parse() {
                    last = n;
                }
            }
            last
        });
        std::thread::sleep(wait);
        let _ = child.kill();
        let _ = child.wait();
        let acknowledged = reader.join().unwrap();
        let all = check_ok(dir.path());
        assert!(
            !all.contains("损坏"),
            "round {round}: false alarm after kill -9 at {wait:?}: {all}"
        );
        // Every acknowledged commit is there (one event each, plus the burst's unlock).
        let found = events(&all);
        assert!(
            found > base + acknowledged,
            "round {round}: {found} events, {acknowledged} acknowledged after {base}"
        );
        assert!(
            std::fs::read_dir(dir.path()).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("wal-damaged")),
            "round {round}"
        );
    }
}

#[test]
fn the_process_is_not_dumpable_and_has_no_core_limit() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    // Run as `nobody`: the kernel gives the files under /proc/PID (status, environ, mem…) to
    // root once the process is not dumpable (for root the owner would say nothing). `init` waits for its passphrase meanwhile.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let spawned = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_baomi"))
        .arg("--vault")
        .arg(dir.path().join("v"))
        .args(INIT)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = spawned else {
        eprintln!("skipped: setpriv is not available");
        return;
    };
    std::thread::sleep(Duration::from_millis(400));
    let pid = child.id();
    let owner = std::fs::metadata(format!("/proc/{pid}/environ")).map(|m| m.uid());
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits"));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
    let _ = child.kill();
    let _ = child.wait();
    let Ok(status) = status else {
        eprintln!("skipped: setpriv could not run the binary as nobody here");
        return;
    };
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert!(
        uid_line.contains("65534"),
        "not running as nobody: {uid_line}"
    );
    assert_eq!(
        owner.unwrap(),
        0,
        "/proc/{pid}/environ belongs to the process's user: it is dumpable"
    );
    let limits = limits.unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    // And everything it creates is private whatever the umask of the shell.
    let parent = tempfile::tempdir().unwrap();
    let v = parent.path().join("new");
    let out = baomi(&v, INIT, &format!("{PASS}\n"));
    assert!(out.status.success());
    let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(v.clone()), 0o700);
    assert_eq!(mode(v.join("ledger.db")), 0o600);
    assert_eq!(mode(v.join("ledger.keys")), 0o600);
}

#[test]
fn a_passphrase_file_of_10_mb_or_dev_zero_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let big = dir.path().join("big.txt");
    std::fs::write(&big, vec![b'a'; 10 * 1024 * 1024]).unwrap();
    for file in [big.as_path(), Path::new("/dev/zero")] {
        let out = baomi(
            dir.path(),
            &["--passphrase-file", file.to_str().unwrap(), "check"],
            "",
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("口令太长"),
            "{}",
            text(&out.stderr)
        );
    }
    // On standard input too.
    let out = baomi(dir.path(), &["check"], &"b".repeat(5000));
    assert!(text(&out.stderr).contains("口令太长"));
}

#[test]
fn check_never_migrates_and_unlocking_keeps_a_copy_before_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vault-v1");
    copy_dir(&fixture, dir.path());
    let pass = "fixture passphrase v1\n";
    let db_before = std::fs::read(dir.path().join("ledger.db")).unwrap();
    let out = baomi(dir.path(), &["--as", "custodian", "check"], pass);
    let all = text(&out.stdout);
    assert!(out.status.success(), "{all}{}", text(&out.stderr));
    assert!(all.contains("需要升级"), "{all}");
    assert_eq!(
        std::fs::read(dir.path().join("ledger.db")).unwrap(),
        db_before,
        "check changed the database"
    );
    // Unlocking upgrades, after copying the database aside.
    let out = baomi(dir.path(), &["--as", "custodian", "list", "users"], pass);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let copies: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("before-upgrade-v1-")
        })
        .collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(
        std::fs::read(copies[0].join("ledger.db")).unwrap(),
        db_before
    );
    let out = baomi(dir.path(), &["--as", "custodian", "check"], pass);
    assert!(
        text(&out.stdout).contains("（最新）"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_small_failures_of_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let p = format!("{PASS}\n");
    // A leftover temporary key file of a crashed passwd is named and cleared by check.
    std::fs::write(dir.path().join(".ledger.keys.tmp-999999"), b"half").unwrap();
    let all = check_ok(dir.path());
    assert!(all.contains(".ledger.keys.tmp-999999"), "{all}");
    assert!(!dir.path().join(".ledger.keys.tmp-999999").exists());
    // An unknown copy is an error, not an empty success.
    let out = baomi(dir.path(), &["show", "copy-999999"], &p);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("copy-999999"));
    // Pages that overflow are refused.
    let out = baomi(
        dir.path(),
        &[
            "search",
            "文件",
            "--page",
            "18446744073709551615",
            "--per-page",
            "3",
        ],
        &p,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    // A huge search text: a short message.
    // (One argument may hold 128 KiB: 18 000 words is as long as a command line allows.)
    let huge = "保密 ".repeat(18_000);
    let out = baomi(dir.path(), &["search", &huge], &p);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).len() < 300, "{} bytes", out.stderr.len());
    assert!(text(&out.stderr).contains("太长"));
    // A reader that stops early: a quiet end, no panic.
    let out = baomi(
        dir.path(),
        &["demo", "--documents", "400", "--batch", "400"],
        &p,
    );
    assert!(out.status.success());
    let mut child = cmd(dir.path(), &["list", "documents", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(p.as_bytes()).unwrap();
    let mut first = vec![0u8; 300];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_full_disk_a_read_only_disk_and_a_forbidden_folder_get_their_own_messages() {
    let Some(mount) = Mount::tmpfs("24m") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root)");
        return;
    };
    let v = mount.0.join("v");
    init(&v);
    let p = format!("{PASS}\n");
    let out = baomi(&v, &["demo", "--documents", "20"], &p);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Fill the disk to the last byte.
    let filler = mount.0.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0x5au8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[0x5a]).is_ok() {}
        let _ = f.sync_all();
    }
    // Reading still works: check and list.
    let all = check_ok(&v);
    assert!(all.contains("审计链：完整"), "{all}");
    let out = baomi(&v, &["list", "documents", "--json"], &p);
    assert!(
        out.status.success(),
        "list on a full disk: {}",
        text(&out.stderr)
    );
    // A write says the disk is full, never "damaged", never "restore a backup".
    let out = baomi(&v, ADD_HEAD, &format!("{PASS}\n一次性 口令 12345\n"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("磁盘空间不足"), "{err}");
    assert!(
        !err.contains("损坏") && !err.contains("请从备份恢复"),
        "{err}"
    );
    std::fs::remove_file(&filler).unwrap();
    check_ok(&v);

    // A read-only disk.
    mount.remount_read_only();
    let out = baomi(&v, &["list", "documents"], &p);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("只读"), "{err}");
    assert!(
        !err.contains("损坏") && !err.contains("请从备份恢复"),
        "{err}"
    );
    drop(mount);

    // A folder this user may not read (as `nobody`, where setpriv exists).
    let dir = tempfile::tempdir().unwrap();
    let v = dir.path().join("v");
    init(&v);
    let setpriv = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_baomi"))
        .arg("--vault")
        .arg(&v)
        .arg("check")
        .stdin(Stdio::null())
        .output();
    match setpriv {
        Ok(out) if out.status.code() == Some(1) => {
            let err = text(&out.stderr);
            assert!(err.contains("没有读写权限"), "{err}");
            assert!(!err.contains("不是保密台账库"), "{err}");
        }
        other => eprintln!("skipped the permission case: {other:?}"),
    }
}
