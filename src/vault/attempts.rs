//! `ledger.attempts`: failed sign-ins, kept beside the vault in the clear because they happen
//! before the encrypted database can be opened. Each login's consecutive failures set a growing
//! delay after [`FREE_ATTEMPTS`] (the GUI shows it as a countdown, the CLI refuses with the
//! seconds to wait), which a restart does not clear. At the next successful unlock the failures
//! not yet recorded go into the audit trail and the list is emptied.
//!
//! The file holds logins and times only, no secret. Anyone who can write the vault folder can
//! delete or edit it — the trade-off of a counter kept outside the encrypted database. Its
//! `generation` grows with every write and the database keeps the last one it saw: a file
//! deleted or put back to an older copy is reported in the audit trail at the next unlock
//! (`docs/security.md`). An edit that keeps the generation is not detected.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{VaultError, files};

/// The file's name in the vault folder.
pub const ATTEMPTS_FILE: &str = "ledger.attempts";
/// Failures allowed before a delay starts.
pub const FREE_ATTEMPTS: u32 = 5;
/// The first delay, doubled at every further failure, capped at [`MAX_DELAY_SECS`].
pub const FIRST_DELAY_SECS: i64 = 30;
/// The longest delay: 15 minutes.
pub const MAX_DELAY_SECS: i64 = 15 * 60;
/// Times kept per login until an unlock records them (older ones are counted, not listed).
const MAX_TIMES: usize = 100;
/// Where failures of logins that have no slot are counted, together: a login typed at random
/// neither takes an entry of its own (the file stays bounded by the key file's slots) nor
/// escapes the delay, which all such logins share.
pub const OTHER_LOGINS: &str = "(其他登录名)";

/// The entry a login's failures are kept under: its own when it has a slot (`known`).
pub fn entry_for(login: &str, known: bool) -> &str {
    if known { login } else { OTHER_LOGINS }
}
/// The file is small: anything larger is not one of ours.
const MAX_BYTES: u64 = 1024 * 1024;

/// Seconds to wait after `failures` consecutive failures.
pub fn delay_after(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        0
    } else {
        let n = (failures - FREE_ATTEMPTS).min(10);
        (FIRST_DELAY_SECS << n).min(MAX_DELAY_SECS)
    }
}

/// One login's failures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginAttempts {
    /// Consecutive failures since this login last signed in.
    pub failures: u32,
    /// When the last one happened (RFC 3339).
    pub last: Option<String>,
    /// Failures not yet in the audit trail (RFC 3339), oldest first.
    pub unrecorded: Vec<String>,
    /// Failures not listed in `unrecorded` because the list was full.
    pub unlisted: u64,
}

/// The file's content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attempts {
    /// Grows by one at every write.
    pub generation: u64,
    pub logins: BTreeMap<String, LoginAttempts>,
}

/// What reading the file found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// No file.
    Absent,
    /// The file, read.
    Read(Attempts),
    /// A file that is not ours (edited, truncated): treated as empty and reported.
    Unreadable,
}

impl Found {
    /// The attempts found (empty when the file is absent or unreadable).
    pub fn attempts(&self) -> Attempts {
        match self {
            Found::Read(a) => a.clone(),
            Found::Absent | Found::Unreadable => Attempts::default(),
        }
    }
}

/// Reads the file of the vault in `dir`. A symlink or another unsafe file is refused as for
/// every vault file.
pub fn read(dir: &Path) -> Result<Found, VaultError> {
    let path = dir.join(ATTEMPTS_FILE);
    files::refuse_unsafe(&path, ATTEMPTS_FILE)?;
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Absent),
        Err(e) => return Err(VaultError::io("读取", &path, e)),
    };
    if meta.len() > MAX_BYTES {
        return Ok(Found::Unreadable);
    }
    let bytes = std::fs::read(&path).map_err(|e| VaultError::io("读取", &path, e))?;
    Ok(serde_json::from_slice(&bytes).map_or(Found::Unreadable, Found::Read))
}

fn write(dir: &Path, attempts: &Attempts) -> Result<(), VaultError> {
    let path = dir.join(ATTEMPTS_FILE);
    files::refuse_unsafe(&path, ATTEMPTS_FILE)?;
    let bytes = serde_json::to_vec_pretty(attempts).expect("the attempts serialize");
    crate::fsutil::write_atomic(&path, &bytes).map_err(|e| VaultError::io("写入", &path, e))
}

impl Attempts {
    /// Seconds `login` must still wait at `now` (`None`: none), and its consecutive failures.
    pub fn wait(&self, login: &str, now: DateTime<Utc>) -> Option<(i64, u32)> {
        let a = self.logins.get(login)?;
        let last = DateTime::parse_from_rfc3339(a.last.as_deref()?).ok()?;
        let until = last.with_timezone(&Utc) + chrono::Duration::seconds(delay_after(a.failures));
        let left = (until - now).num_seconds() + i64::from((until - now).subsec_nanos() > 0);
        (left > 0).then_some((left, a.failures))
    }

    /// Every failure not yet recorded, as (login, time), in file order.
    pub fn unrecorded(&self) -> Vec<(String, String)> {
        self.logins
            .iter()
            .flat_map(|(l, a)| a.unrecorded.iter().map(move |t| (l.clone(), t.clone())))
            .collect()
    }

    /// Failures not listed in [`Attempts::unrecorded`] (the lists were full).
    pub fn unlisted(&self) -> u64 {
        self.logins.values().map(|a| a.unlisted).sum()
    }
}

/// Every passphrase check goes through here — signing in, `check`, a second person's
/// confirmation, an approver's passphrase, a seal, a rekey, a passphrase change — so that none
/// of them is a way around the delay: refused without any key work while `login` must wait;
/// a wrong passphrase (or a login without a slot) recorded; a right one ends the run of
/// failures (they stay listed for the audit trail).
pub fn guarded<T>(
    dir: &Path,
    login: &str,
    known: bool,
    now: DateTime<Utc>,
    check: impl FnOnce() -> Result<T, VaultError>,
) -> Result<T, VaultError> {
    let found = read(dir)?.attempts();
    if let Some((seconds, failures)) = found.wait(entry_for(login, known), now) {
        return Err(VaultError::SignInDelayed {
            login: login.to_owned(),
            failures,
            seconds,
        });
    }
    let result = check();
    match &result {
        Err(VaultError::WrongPassphraseOrDamaged | VaultError::NoSuchUser) => {
            // Kept for the delay and the audit trail; a disk that refuses it does not stop the
            // answer.
            let _ = record_failure(dir, login, known, now);
        }
        Ok(_) if found.logins.get(login).is_some_and(|a| a.failures > 0) => {
            let _ = end_failures(dir, login);
        }
        _ => {}
    }
    result
}

/// [`guarded`] for a check made away from the vault (a worker holding a copy of the key file),
/// at the time the work was prepared.
#[derive(Debug, Clone)]
pub struct Counter {
    dir: std::path::PathBuf,
    now: DateTime<Utc>,
}

impl Counter {
    pub fn new(dir: &Path, now: DateTime<Utc>) -> Self {
        Self {
            dir: dir.to_owned(),
            now,
        }
    }

    /// [`guarded`] with this counter's folder and time; `keys` tells whether `login` has a slot.
    pub fn check<T>(
        &self,
        keys: &super::KeyFile,
        login: &str,
        check: impl FnOnce() -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let known = keys.has_user(login);
        guarded(&self.dir, login, known, self.now, check)
    }
}

/// Ends `login`'s run of consecutive failures (its passphrase was just typed right); the times
/// stay listed until an unlock records them.
fn end_failures(dir: &Path, login: &str) -> Result<(), VaultError> {
    let mut a = read(dir)?.attempts();
    if let Some(entry) = a.logins.get_mut(login) {
        entry.failures = 0;
        entry.last = None;
        a.generation += 1;
        write(dir, &a)?;
    }
    Ok(())
}

/// Records a failed sign-in of `login` (`known`: it has a slot) at `now`; returns the file as
/// written.
pub fn record_failure(
    dir: &Path,
    login: &str,
    known: bool,
    now: DateTime<Utc>,
) -> Result<Attempts, VaultError> {
    let mut a = read(dir)?.attempts();
    let entry = a
        .logins
        .entry(entry_for(login, known).to_owned())
        .or_default();
    entry.failures = entry.failures.saturating_add(1);
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    entry.last = Some(at.clone());
    if entry.unrecorded.len() < MAX_TIMES {
        entry.unrecorded.push(at);
    } else {
        entry.unlisted += 1;
    }
    a.generation += 1;
    write(dir, &a)?;
    Ok(a)
}

/// After a successful unlock by `login`: its consecutive failures end, and every failure the
/// audit trail now holds is taken off the lists. Other logins keep their delays. `generation` is
/// at least `floor` (what the database saw last) plus one.
pub fn after_unlock(
    dir: &Path,
    login: &str,
    recorded: &Attempts,
    floor: u64,
) -> Result<Attempts, VaultError> {
    let mut a = read(dir)?.attempts();
    for (l, entry) in a.logins.iter_mut() {
        if let Some(seen) = recorded.logins.get(l) {
            entry.unrecorded.retain(|t| !seen.unrecorded.contains(t));
            entry.unlisted = entry.unlisted.saturating_sub(seen.unlisted);
        }
        if l == login {
            entry.failures = 0;
            entry.last = None;
        }
    }
    a.logins
        .retain(|_, e| e.failures > 0 || !e.unrecorded.is_empty() || e.unlisted > 0);
    a.generation = a.generation.max(floor) + 1;
    write(dir, &a)?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_delay_starts_after_five_failures_and_doubles_up_to_fifteen_minutes() {
        assert_eq!(delay_after(4), 0);
        assert_eq!(delay_after(5), 30);
        assert_eq!(delay_after(6), 60);
        assert_eq!(delay_after(7), 120);
        assert_eq!(delay_after(10), 900);
        assert_eq!(delay_after(u32::MAX), 900);
    }

    #[test]
    fn failures_are_kept_per_login_across_reads_and_cleared_by_an_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
        assert_eq!(read(dir.path()).unwrap(), Found::Absent);
        for i in 0..5 {
            record_failure(dir.path(), "wang", true, t0 + chrono::Duration::seconds(i)).unwrap();
        }
        record_failure(dir.path(), "li", true, t0).unwrap();
        let a = read(dir.path()).unwrap().attempts();
        assert_eq!(a.generation, 6);
        assert_eq!(
            a.wait("wang", t0 + chrono::Duration::seconds(4)),
            Some((30, 5))
        );
        assert_eq!(a.wait("wang", t0 + chrono::Duration::seconds(34)), None);
        assert_eq!(a.wait("li", t0), None);
        assert_eq!(a.unrecorded().len(), 6);
        let after = after_unlock(dir.path(), "wang", &a, 0).unwrap();
        assert_eq!(after.generation, 7);
        assert!(!after.logins.contains_key("wang"));
        // li's failure was recorded by that unlock; its count stays for its delay.
        assert_eq!(after.logins["li"].failures, 1);
        assert!(after.logins["li"].unrecorded.is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(ATTEMPTS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn logins_without_a_slot_share_one_entry_and_its_delay() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap();
        for i in 0..200 {
            record_failure(dir.path(), &format!("bogus{i}"), false, t0).unwrap();
        }
        let a = read(dir.path()).unwrap().attempts();
        assert_eq!(a.logins.len(), 1);
        assert_eq!(a.logins[OTHER_LOGINS].failures, 200);
        assert!(a.wait(entry_for("anyone", false), t0).is_some());
        // A real login keeps its own entry and its own count.
        record_failure(dir.path(), "wang", true, t0).unwrap();
        let a = read(dir.path()).unwrap().attempts();
        assert_eq!(a.logins["wang"].failures, 1);
        assert_eq!(a.wait("wang", t0), None);
    }

    #[test]
    fn a_garbled_file_reads_as_unreadable_and_a_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(ATTEMPTS_FILE), b"{not json").unwrap();
        assert_eq!(read(dir.path()).unwrap(), Found::Unreadable);
        std::fs::remove_file(dir.path().join(ATTEMPTS_FILE)).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", dir.path().join(ATTEMPTS_FILE)).unwrap();
            assert!(read(dir.path()).is_err());
            assert!(record_failure(dir.path(), "x", true, Utc::now()).is_err());
        }
    }
}
