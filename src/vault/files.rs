//! The files of a vault folder: what the folder holds, private creation, the marker of a
//! creation in progress, leftovers of interrupted writes, copies set aside.
//!
//! Everything is private to its owner: the folder 0700, every file 0600, whatever the umask.
//! Files whose path could be swapped for a link are opened with `O_NOFOLLOW` and checked to be
//! plain files with one link.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{DB_FILE, KEYS_FILE, LOCK_FILE, VaultError};

/// Present while `init` runs: written first, removed after `ledger.keys` is in place. Found
/// without `ledger.keys`, it marks the remains of an interrupted creation, which nobody can open
/// and which creating again clears.
pub const CREATING_FILE: &str = "ledger.creating";

/// The folder's permissions.
pub const DIR_MODE: u32 = 0o700;
/// Every file's permissions.
pub const FILE_MODE: u32 = 0o600;

/// What a folder holds, as far as a vault is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderState {
    /// The folder does not exist.
    Absent,
    /// The folder exists and holds no vault file.
    Empty,
    /// The folder holds a vault (its key file).
    Vault,
    /// The remains of an interrupted `init`: no key file, the creation marker present.
    InterruptedCreation,
}

/// The WAL and shared-memory files of the database.
pub fn db_side_files() -> [String; 2] {
    [format!("{DB_FILE}-wal"), format!("{DB_FILE}-shm")]
}

fn present(path: &Path) -> Result<bool, VaultError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(VaultError::io("读取", path, e)),
    }
}

/// Looks at `dir` without changing anything. A folder that cannot be read is an error, never
/// "no vault here" (the app would offer to create one over it).
pub fn probe(dir: &Path) -> Result<FolderState, VaultError> {
    match fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FolderState::Absent),
        Err(e) => return Err(VaultError::io("读取文件夹", dir, e)),
        Ok(m) if !m.is_dir() => return Err(VaultError::NotAVault),
        Ok(_) => {}
    }
    fs::read_dir(dir).map_err(|e| VaultError::io("读取文件夹", dir, e))?;
    if present(&dir.join(KEYS_FILE))? {
        return Ok(FolderState::Vault);
    }
    if present(&dir.join(CREATING_FILE))? {
        return Ok(FolderState::InterruptedCreation);
    }
    let [wal, shm] = db_side_files();
    if present(&dir.join(DB_FILE))? || present(&dir.join(wal))? || present(&dir.join(shm))? {
        return Err(VaultError::Missing { file: KEYS_FILE });
    }
    Ok(FolderState::Empty)
}

/// Opens (or creates, exclusively when `create_new`) a file of the vault for writing: mode 0600,
/// never through a symlink, refused when it is not a plain file with a single link.
pub fn open_private(
    path: &Path,
    name: &'static str,
    create: bool,
    create_new: bool,
) -> Result<File, VaultError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    if create_new {
        options.create_new(true);
    } else if create {
        options.create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(FILE_MODE)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    let file = options.open(path).map_err(|e| {
        // ELOOP: the last component is a symlink; EISDIR: a folder of that name.
        if e.raw_os_error() == Some(40) {
            VaultError::UnsafeFile {
                file: name,
                why: "是符号链接",
                path: path.to_owned(),
            }
        } else if e.raw_os_error() == Some(21) {
            VaultError::UnsafeFile {
                file: name,
                why: "不是普通文件",
                path: path.to_owned(),
            }
        } else {
            VaultError::io("打开", path, e)
        }
    })?;
    check_plain(&file, name, path)?;
    Ok(file)
}

/// Refuses a file that is not a plain file with exactly one link.
pub fn check_plain(file: &File, name: &'static str, path: &Path) -> Result<(), VaultError> {
    let meta = file
        .metadata()
        .map_err(|e| VaultError::io("读取", path, e))?;
    refuse_kind(&meta, name, path)
}

/// The one judgement of a vault file's metadata: a symlink, anything but a plain file, or a
/// plain file with more than one link is refused, with the reason.
fn refuse_kind(meta: &fs::Metadata, name: &'static str, path: &Path) -> Result<(), VaultError> {
    let why = if meta.file_type().is_symlink() {
        Some("是符号链接")
    } else if !meta.is_file() {
        Some("不是普通文件")
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            (meta.nlink() > 1).then_some("是指向其他文件的硬链接")
        }
        #[cfg(not(unix))]
        None
    };
    match why {
        Some(why) => Err(VaultError::UnsafeFile {
            file: name,
            why,
            path: path.to_owned(),
        }),
        None => Ok(()),
    }
}

/// Refuses a vault file (if present) that SQLite or a read would use to reach something else:
/// a symlink, a hard link to another file (SQLite truncates the WAL and rewrites the index
/// through it), a directory, a FIFO (a read would wait for ever) or a device (`/dev/zero`
/// would be read without end).
pub fn refuse_unsafe(path: &Path, name: &'static str) -> Result<(), VaultError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(VaultError::io("读取", path, e)),
    };
    refuse_kind(&meta, name, path)
}

/// Makes the folder (0700) if it does not exist; an existing empty folder is made private too.
pub fn make_dir(dir: &Path) -> Result<(), VaultError> {
    let fresh = !dir.exists();
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder
        .create(dir)
        .map_err(|e| VaultError::io("创建文件夹", dir, e))?;
    let empty = fs::read_dir(dir)
        .map_err(|e| VaultError::io("读取文件夹", dir, e))?
        .next()
        .is_none();
    if fresh || empty {
        set_mode(dir, DIR_MODE).map_err(|e| VaultError::io("设置权限", dir, e))?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Sets the modes of an existing vault to 0700 / 0600: made private if an older version left
/// them open (0755 / 0644), made writable again if a file was left read-only (SQLite gives
/// its WAL and index the database's mode, and a read-only index stops every later open).
/// Best effort; links and special files are left alone (they are refused when opened).
pub fn tighten_modes(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let fix = |path: &Path, mode: u32| {
            if let Ok(m) = fs::symlink_metadata(path)
                && (m.is_dir() || (m.is_file() && m.nlink() == 1))
                && m.permissions().mode() & 0o777 != mode
            {
                let _ = set_mode(path, mode);
            }
        };
        fix(dir, DIR_MODE);
        let [wal, shm] = db_side_files();
        for name in [KEYS_FILE, DB_FILE, LOCK_FILE, &wal, &shm] {
            fix(&dir.join(name), FILE_MODE);
        }
    }
}

/// Writes the creation marker (exclusively: a marker already there was cleared before).
pub fn write_marker(dir: &Path) -> Result<(), VaultError> {
    let path = dir.join(CREATING_FILE);
    let mut f = open_private(&path, CREATING_FILE, true, true)?;
    f.write_all(format!("pid {}\n", std::process::id()).as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| sync_dir(dir))
        .map_err(|e| VaultError::io("写入", &path, e))
}

/// Removes the creation marker once the key file is in place.
pub fn remove_marker(dir: &Path) -> Result<(), VaultError> {
    let path = dir.join(CREATING_FILE);
    match fs::remove_file(&path) {
        Ok(()) => sync_dir(dir).map_err(|e| VaultError::io("写入文件夹", dir, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(VaultError::io("删除", &path, e)),
    }
}

/// Removes the remains of an interrupted creation: the database and its side files, a key
/// file's temporary copy, the marker last. Only files of these names are touched.
pub fn clear_interrupted(dir: &Path) -> Result<(), VaultError> {
    let [wal, shm] = db_side_files();
    let mut names: Vec<String> = vec![DB_FILE.into(), wal, shm];
    names.extend(leftover_temp_files(dir)?);
    for name in names {
        let path = dir.join(&name);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("清除未完成的文件", &path, e)),
        }
    }
    remove_marker(dir)
}

/// Temporary files of an interrupted atomic write (`.ledger.keys.tmp-PID`), by name.
pub fn leftover_temp_files(dir: &Path) -> Result<Vec<String>, VaultError> {
    let prefix = format!(".{KEYS_FILE}.tmp-");
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| VaultError::io("读取文件夹", dir, e))? {
        let entry = entry.map_err(|e| VaultError::io("读取文件夹", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix(&prefix)
            && pid.parse::<u32>().is_ok_and(|p| p != std::process::id())
        {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// Removes the named leftovers (the instance lock is held: no other process writes them).
pub fn remove_leftovers(dir: &Path, names: &[String]) -> Result<(), VaultError> {
    for name in names {
        let path = dir.join(name);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("清除", &path, e)),
        }
    }
    Ok(())
}

/// Copies `names` (those present) into a new private folder `<prefix>-<UTC time>` inside
/// `dir`, byte for byte, synced; the originals are not touched. Returns the folder.
pub fn copy_aside(dir: &Path, prefix: &str, names: &[&str]) -> Result<PathBuf, VaultError> {
    if let Some(same) = identical_copy(dir, prefix, names) {
        return Ok(same);
    }
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%SZ");
    let mut target = dir.join(format!("{prefix}-{stamp}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = dir.join(format!("{prefix}-{stamp}-{n}"));
    }
    make_dir(&target)?;
    let copied = (|| {
        for name in names {
            let from = dir.join(name);
            if !from.exists() {
                continue;
            }
            let to = target.join(name);
            let mut src = File::open(&from).map_err(|e| VaultError::io("读取", &from, e))?;
            let mut f = open_private(&to, "copy", true, true)?;
            std::io::copy(&mut src, &mut f)
                .and_then(|_| f.sync_all())
                .map_err(|e| VaultError::io("复制", &to, e))?;
        }
        sync_dir(&target).map_err(|e| VaultError::io("写入文件夹", &target, e))?;
        sync_dir(dir).map_err(|e| VaultError::io("写入文件夹", dir, e))
    })();
    if let Err(e) = copied {
        // A partial copy helps nobody and fills the disk further.
        let _ = fs::remove_dir_all(&target);
        return Err(e);
    }
    Ok(target)
}

/// An earlier copy (`<prefix>-…`) holding exactly these files with the same bytes: opening a
/// damaged vault again does not copy it again.
fn identical_copy(dir: &Path, prefix: &str, names: &[&str]) -> Option<PathBuf> {
    let same = |a: &Path, b: &Path| -> bool {
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(x), Ok(y)) if x.len() == y.len() => {
                // Compared in pieces: a WAL may be large.
                let (Ok(mut fa), Ok(mut fb)) = (File::open(a), File::open(b)) else {
                    return false;
                };
                let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
                loop {
                    use std::io::Read;
                    let n = match fa.read(&mut ba) {
                        Ok(n) => n,
                        Err(_) => return false,
                    };
                    if n == 0 {
                        return true;
                    }
                    if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
                        return false;
                    }
                }
            }
            (Err(_), Err(_)) => true,
            _ => false,
        }
    };
    let mut earlier: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{prefix}-")))
        })
        .collect();
    earlier.sort();
    earlier
        .into_iter()
        .rev()
        // The shared-memory index is rebuilt by every open: not part of what is compared.
        .find(|copy| {
            names
                .iter()
                .filter(|n| !n.ends_with("-shm"))
                .all(|n| same(&dir.join(n), &copy.join(n)))
        })
}

/// Makes a directory entry durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Whether the filesystem holding `dir` has (almost) no space left for this user: less than
/// 1 MiB. SQLite then cannot even make the shared-memory index of the WAL, and reports an I/O
/// error that is really a full disk.
pub fn disk_nearly_full(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        rustix::fs::statvfs(dir)
            .map(|v| v.f_bavail.saturating_mul(v.f_frsize) < 1024 * 1024)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}
