//! The write-ahead log (`ledger.db-wal`), checked before SQLite sees it.
//!
//! SQLite reads the WAL frame by frame and stops at the first frame whose salts or cumulative
//! checksum do not match: everything after it is treated as never written. That is right for a
//! crash, which can only tear the last transaction (with `synchronous = FULL` a commit returns
//! only after the WAL is synced), but a flipped bit in an early frame would make SQLite drop every
//! later, acknowledged transaction without a word, and SQLCipher's page HMACs are never consulted
//! for frames SQLite ignores. So before opening, Baomi reads the frames itself (the format is
//! SQLite's, <https://www.sqlite.org/fileformat2.html#walformat>):
//!
//! - header: magic `0x377f0682`/`0x377f0683` (the low bit gives the checksum's word order),
//!   version 3007000, page size, checkpoint sequence, salt-1, salt-2, and a checksum of the
//!   first 24 bytes;
//! - each frame: page number, "database size after commit" (non-zero only on a commit frame),
//!   the two salts, and a checksum accumulated over every earlier frame, the first 8 bytes of
//!   this frame's header and its page.
//!
//! A break (the first frame that does not verify) with no intact commit frame of the same
//! generation after it is the normal remains of a crash: opening proceeds. A break followed by a
//! commit frame of the same generation (same salts) whose own checksum verifies from the frame
//! before it means transactions that were acknowledged would vanish: that is damage.

use std::path::{Path, PathBuf};

const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
const VERSION: u32 = 3_007_000;

/// What the WAL holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalState {
    /// No WAL file, or an empty one (or shorter than its header: nothing was ever in it).
    Empty,
    /// Every frame of the current generation verifies up to the last commit; `torn_tail` says
    /// whether frames of an unfinished last transaction follow (the remains of a crash, which
    /// SQLite discards, as it should: that transaction was never acknowledged).
    Intact {
        frames: usize,
        commits: usize,
        torn_tail: bool,
    },
    /// Acknowledged transactions would be dropped: see [`WalDamage`].
    Damaged(WalDamage),
}

/// Where the WAL is damaged and what opening it would lose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalDamage {
    /// `None` when the WAL's header itself does not verify (SQLite would ignore the whole file).
    pub first_bad_frame: Option<usize>,
    /// What is wrong at the break, in Chinese and English.
    pub what: (&'static str, &'static str),
    /// Commits that verify before the break (kept by SQLite).
    pub commits_before: usize,
    /// Intact commit frames after the break (silently dropped by SQLite).
    pub commits_after: usize,
    /// Where the database and the WAL were copied, untouched, once the damage was found.
    pub kept_in: Option<PathBuf>,
    /// Why they could not be copied (a full disk), if so.
    pub copy_failed: Option<String>,
}

impl WalDamage {
    /// What was found and what was done, in Chinese; `next` is the way on (the command line
    /// names its command, the window its button).
    pub fn text_zh(&self, next: &str) -> String {
        let mut t = match self.first_bad_frame {
            Some(n) => format!(
                "预写日志 ledger.db-wal 已损坏：第 {} 帧{}，其后还有 {} 个已提交的事务（直接打开会被 SQLite 悄悄丢弃）",
                n + 1,
                self.what.0,
                self.commits_after
            ),
            None => format!(
                "预写日志 ledger.db-wal 已损坏：{}，其中 {} 个已提交的事务直接打开会被 SQLite 悄悄丢弃",
                self.what.0, self.commits_after
            ),
        };
        t.push_str("。台账库没有打开，两个文件都未做任何改动");
        if let Some(dir) = &self.kept_in {
            t.push_str(&format!("，并已原样复制到 {}", dir.display()));
        }
        if let Some(why) = &self.copy_failed {
            t.push_str(&format!(
                "；未能另存副本（{why}），请先把整个台账库文件夹复制到别处"
            ));
        }
        t.push_str("。请把此信息报告给管理员。");
        t.push_str(next);
        t
    }

    /// [`WalDamage::text_zh`] in English.
    pub fn text_en(&self, next: &str) -> String {
        let mut t = match self.first_bad_frame {
            Some(n) => format!(
                "The write-ahead log ledger.db-wal is damaged: frame {} {}, and {} committed transactions follow it (SQLite alone would drop them without a word)",
                n + 1,
                self.what.1,
                self.commits_after
            ),
            None => format!(
                "The write-ahead log ledger.db-wal is damaged: {}; SQLite alone would drop its {} committed transactions without a word",
                self.what.1, self.commits_after
            ),
        };
        t.push_str(". The ledger was not opened and neither file was changed");
        if let Some(dir) = &self.kept_in {
            t.push_str(&format!("; both were copied to {}", dir.display()));
        }
        if let Some(why) = &self.copy_failed {
            t.push_str(&format!(
                "; no copy could be made ({why}): copy the whole ledger folder elsewhere first"
            ));
        }
        t.push_str(". Report this to the administrator. ");
        t.push_str(next);
        t
    }
}

impl std::fmt::Display for WalDamage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text_zh(
            "若决定放弃损坏点之后的事务，可运行 baomi accept-wal-damage（把日志截到最后一个完好的事务后再打开）",
        ))
    }
}

impl WalState {
    /// A line for `baomi check`.
    pub fn summary_zh(&self) -> String {
        match self {
            WalState::Empty => "预写日志 WAL：空（所有事务都已写入数据库文件）".into(),
            WalState::Intact {
                frames,
                commits,
                torn_tail,
            } => {
                let mut s = format!(
                    "预写日志 WAL：完好（{frames} 帧，{commits} 个已提交的事务，校验和正确）"
                );
                if *torn_tail {
                    s.push_str("；末尾有一个未提交完的事务（上次异常退出时正在写入，从未确认，按规定丢弃）");
                }
                s
            }
            WalState::Damaged(d) => d.to_string(),
        }
    }
}

/// The WAL's path for a database path.
pub fn wal_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

/// Reads and checks the WAL beside `db`, a frame at a time (a WAL of any size is never read
/// whole into memory). Anything but a plain file there is refused before (see
/// `files::refuse_unsafe`).
pub fn inspect(db: &Path) -> std::io::Result<WalState> {
    match std::fs::File::open(wal_path(db)) {
        Ok(file) => analyse_source(&file),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WalState::Empty),
        Err(e) => Err(e),
    }
}

/// Bytes that can be read at an offset: a file or a slice.
pub trait Source {
    /// The length in bytes.
    fn size(&self) -> std::io::Result<u64>;
    /// Fills `buf` from `offset`.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()>;
}

impl Source for [u8] {
    fn size(&self) -> std::io::Result<u64> {
        Ok(self.len() as u64)
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let start = usize::try_from(offset).map_err(std::io::Error::other)?;
        let src = self
            .get(start..start + buf.len())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

impl Source for std::fs::File {
    fn size(&self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }
    #[cfg(unix)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)
    }
    #[cfg(not(unix))]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = self;
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf)
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// SQLite's WAL checksum: pairs of 32-bit words, accumulated into `(s0, s1)`.
fn checksum(big_endian: bool, data: &[u8], mut s: (u32, u32)) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let word = |i: usize| {
            let w = [pair[i], pair[i + 1], pair[i + 2], pair[i + 3]];
            if big_endian {
                u32::from_be_bytes(w)
            } else {
                u32::from_le_bytes(w)
            }
        };
        s.0 = s.0.wrapping_add(word(0)).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(word(4)).wrapping_add(s.0);
    }
    s
}

/// The WAL's header, read and checked.
struct Header {
    ok: bool,
    big: bool,
    frame_size: u64,
    frames: u64,
    salts: (u32, u32),
    sum: (u32, u32),
    sum_ok: bool,
}

fn header(src: &(impl Source + ?Sized)) -> std::io::Result<Option<Header>> {
    let len = src.size()?;
    if len < HEADER as u64 {
        return Ok(None);
    }
    let mut h = [0u8; HEADER];
    src.read_at(0, &mut h)?;
    let magic = be32(&h, 0);
    let page = be32(&h, 8) as u64;
    let ok = (magic == MAGIC_LE || magic == MAGIC_BE)
        && be32(&h, 4) == VERSION
        && (512..=65_536).contains(&page)
        && page.is_power_of_two();
    let frame_size = FRAME_HEADER as u64 + if ok { page } else { 4096 };
    let big = magic == MAGIC_BE;
    let sum = checksum(big, &h[..24], (0, 0));
    Ok(Some(Header {
        ok,
        big,
        frame_size,
        frames: (len - HEADER as u64) / frame_size,
        salts: (be32(&h, 16), be32(&h, 20)),
        sum,
        sum_ok: sum == (be32(&h, 24), be32(&h, 28)),
    }))
}

/// One frame: its header and page, read into reused buffers.
struct Frame {
    bytes: Vec<u8>,
}

impl Frame {
    fn read(src: &(impl Source + ?Sized), h: &Header, i: u64) -> std::io::Result<Frame> {
        let mut bytes = vec![0u8; h.frame_size as usize];
        src.read_at(HEADER as u64 + i * h.frame_size, &mut bytes)?;
        Ok(Frame { bytes })
    }
    fn page_no(&self) -> u32 {
        be32(&self.bytes, 0)
    }
    fn is_commit(&self) -> bool {
        be32(&self.bytes, 4) != 0
    }
    fn salts(&self) -> (u32, u32) {
        (be32(&self.bytes, 8), be32(&self.bytes, 12))
    }
    fn stored(&self) -> (u32, u32) {
        (be32(&self.bytes, 16), be32(&self.bytes, 20))
    }
    fn verifies_from(&self, big: bool, prev: (u32, u32)) -> bool {
        let s = checksum(big, &self.bytes[..8], prev);
        checksum(big, &self.bytes[FRAME_HEADER..], s) == self.stored()
    }
}

/// The analysis of a WAL's bytes.
pub fn analyse(wal: &[u8]) -> WalState {
    analyse_source(wal).unwrap_or(WalState::Empty)
}

/// The analysis of a WAL read from `src`, a frame at a time.
pub fn analyse_source(src: &(impl Source + ?Sized)) -> std::io::Result<WalState> {
    let Some(h) = header(src)? else {
        return Ok(WalState::Empty);
    };
    let damaged = |what, commits_after| {
        WalState::Damaged(WalDamage {
            first_bad_frame: None,
            what,
            commits_before: 0,
            commits_after,
            kept_in: None,
            copy_failed: None,
        })
    };
    if !h.ok || !h.sum_ok {
        // SQLite ignores the whole log: every commit frame of its generation would be lost.
        let mut commits = 0;
        for i in 0..h.frames {
            let f = Frame::read(src, &h, i)?;
            if f.is_commit() && (!h.ok || f.salts() == h.salts) {
                commits += 1;
            }
        }
        return Ok(if commits == 0 {
            WalState::Empty
        } else if !h.ok {
            damaged(
                (
                    "文件头无法识别（魔数、版本或页面大小不对）",
                    "its header is not recognised (magic, version or page size)",
                ),
                commits,
            )
        } else {
            damaged(
                ("文件头的校验和不对", "its header fails its checksum"),
                commits,
            )
        });
    }
    let mut prev = h.sum;
    let mut valid = 0u64;
    let mut commits = 0;
    let mut last_commit_end = 0;
    let mut break_what = None;
    let mut last: Option<Frame> = None;
    let mut older_generation = false;
    for i in 0..h.frames {
        let f = Frame::read(src, &h, i)?;
        if f.salts() != h.salts {
            // Frames of an older generation end the log normally; a salt flipped in a frame of
            // this one is damage if intact commits of this generation follow (checked below).
            break_what = Some(("的盐值与文件头不符", "does not carry the header's salts"));
            older_generation = true;
            last = Some(f);
            break;
        }
        if f.page_no() == 0 || !f.verifies_from(h.big, prev) {
            break_what = Some(("的校验和不对", "fails its checksum"));
            last = Some(f);
            break;
        }
        prev = f.stored();
        valid += 1;
        if f.is_commit() {
            commits += 1;
            last_commit_end = valid;
        }
    }
    let partial = !(src.size()? - HEADER as u64).is_multiple_of(h.frame_size);
    let Some(what) = break_what else {
        return Ok(WalState::Intact {
            frames: valid as usize,
            commits,
            torn_tail: last_commit_end < valid || (partial && valid == h.frames),
        });
    };
    // After the break: intact commit frames of this generation, each verified from the stored
    // checksum of the frame before it.
    let mut after = 0;
    let mut before_frame = last.expect("the breaking frame");
    for j in valid + 1..h.frames {
        let f = Frame::read(src, &h, j)?;
        if f.salts() == h.salts
            && f.page_no() != 0
            && f.is_commit()
            && f.verifies_from(h.big, before_frame.stored())
        {
            after += 1;
        }
        before_frame = f;
    }
    Ok(if after == 0 {
        WalState::Intact {
            frames: valid as usize,
            commits,
            // Frames of an older generation after the last commit are not an unfinished
            // transaction; a frame of this one that does not verify is.
            torn_tail: !older_generation || last_commit_end < valid,
        }
    } else {
        WalState::Damaged(WalDamage {
            first_bad_frame: Some(valid as usize),
            what,
            commits_before: commits,
            commits_after: after,
            kept_in: None,
            copy_failed: None,
        })
    })
}

/// The length the WAL keeps when it is cut after its last commit that verifies before the
/// break (the user's explicit choice, after the damage was reported and the files copied).
/// A WAL whose header does not verify, or whose pages do not authenticate, keeps nothing.
pub fn good_prefix_len(src: &(impl Source + ?Sized)) -> std::io::Result<u64> {
    let Some(h) = header(src)? else {
        return Ok(0);
    };
    if !h.ok || !h.sum_ok {
        return Ok(0);
    }
    let mut prev = h.sum;
    let mut keep = HEADER as u64;
    for i in 0..h.frames {
        let f = Frame::read(src, &h, i)?;
        if f.salts() != h.salts || f.page_no() == 0 || !f.verifies_from(h.big, prev) {
            break;
        }
        prev = f.stored();
        if f.is_commit() {
            keep = HEADER as u64 + (i + 1) * h.frame_size;
        }
    }
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAL of `commits` transactions of `per` frames each, page size 512, big-endian sums.
    fn wal(commits: usize, per: usize) -> Vec<u8> {
        let page = 512usize;
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC_BE.to_be_bytes());
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&(page as u32).to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&0x1234_5678u32.to_be_bytes());
        out.extend_from_slice(&0x9abc_def0u32.to_be_bytes());
        let mut s = checksum(true, &out[..24], (0, 0));
        out.extend_from_slice(&s.0.to_be_bytes());
        out.extend_from_slice(&s.1.to_be_bytes());
        let mut n = 0u32;
        for _ in 0..commits {
            for k in 0..per {
                n += 1;
                let mut h = Vec::new();
                h.extend_from_slice(&n.to_be_bytes());
                let commit = if k + 1 == per { n } else { 0 };
                h.extend_from_slice(&commit.to_be_bytes());
                h.extend_from_slice(&0x1234_5678u32.to_be_bytes());
                h.extend_from_slice(&0x9abc_def0u32.to_be_bytes());
                let data: Vec<u8> = (0..page).map(|i| (i as u32 * 7 + n) as u8).collect();
                s = checksum(true, &h[..8], s);
                s = checksum(true, &data, s);
                h.extend_from_slice(&s.0.to_be_bytes());
                h.extend_from_slice(&s.1.to_be_bytes());
                out.extend_from_slice(&h);
                out.extend_from_slice(&data);
            }
        }
        out
    }

    #[test]
    fn an_intact_log_verifies_and_counts_its_commits() {
        assert_eq!(
            analyse(&wal(3, 2)),
            WalState::Intact {
                frames: 6,
                commits: 3,
                torn_tail: false
            }
        );
        assert_eq!(analyse(&[]), WalState::Empty);
    }

    #[test]
    fn a_torn_last_transaction_is_the_normal_remains_of_a_crash() {
        let w = wal(3, 2);
        let frame = 24 + 512;
        // The last transaction's commit frame never reached the disk.
        let cut = &w[..w.len() - frame];
        assert!(matches!(
            analyse(cut),
            WalState::Intact {
                commits: 2,
                torn_tail: true,
                ..
            }
        ));
        // Half a frame written.
        let half = &w[..w.len() - frame / 2];
        assert!(matches!(
            analyse(half),
            WalState::Intact {
                commits: 2,
                torn_tail: true,
                ..
            }
        ));
        // The last frame garbled: no commit after it.
        let mut g = w.clone();
        let n = g.len();
        g[n - 10] ^= 1;
        assert!(matches!(analyse(&g), WalState::Intact { commits: 2, .. }));
    }

    #[test]
    fn a_flip_in_an_early_frame_is_damage_wherever_it_lands() {
        let frame = 24 + 512;
        for offset in [0usize, 4, 9, 17, 24, 300, 24 + 511] {
            let mut w = wal(3, 2);
            w[32 + offset] ^= 0x10;
            match analyse(&w) {
                WalState::Damaged(d) => {
                    assert_eq!(d.first_bad_frame, Some(0), "offset {offset}");
                    assert!(d.commits_after >= 2, "offset {offset}: {d:?}");
                }
                other => panic!("offset {offset}: {other:?}"),
            }
        }
        // In the first frame of the second transaction.
        let mut w = wal(3, 2);
        w[32 + 2 * frame + 100] ^= 1;
        let WalState::Damaged(d) = analyse(&w) else {
            panic!()
        };
        assert_eq!((d.first_bad_frame, d.commits_before), (Some(2), 1));
        assert_eq!(good_prefix_len(&w[..]).unwrap(), (32 + 2 * frame) as u64);
        // The header's checksum.
        let mut w = wal(2, 1);
        w[25] ^= 1;
        assert!(matches!(
            analyse(&w),
            WalState::Damaged(WalDamage {
                first_bad_frame: None,
                ..
            })
        ));
    }
}
