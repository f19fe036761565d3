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

/// Reads and checks the WAL beside `db`.
pub fn inspect(db: &Path) -> std::io::Result<WalState> {
    match std::fs::read(wal_path(db)) {
        Ok(bytes) => Ok(analyse(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WalState::Empty),
        Err(e) => Err(e),
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

/// The analysis of a WAL's bytes.
pub fn analyse(wal: &[u8]) -> WalState {
    if wal.len() < HEADER {
        return WalState::Empty;
    }
    let magic = be32(wal, 0);
    let page = be32(wal, 8) as usize;
    let header_ok = (magic == MAGIC_LE || magic == MAGIC_BE)
        && be32(wal, 4) == VERSION
        && (512..=65_536).contains(&page)
        && page.is_power_of_two();
    let frame_size = FRAME_HEADER + if header_ok { page } else { 4096 };
    let frames = (wal.len() - HEADER) / frame_size;
    if !header_ok {
        return if frames == 0 {
            WalState::Empty
        } else {
            WalState::Damaged(WalDamage {
                first_bad_frame: None,
                what: (
                    "文件头无法识别（魔数、版本或页面大小不对）",
                    "its header is not recognised (magic, version or page size)",
                ),
                commits_before: 0,
                commits_after: frames,
                kept_in: None,
            })
        };
    }
    let big = magic == MAGIC_BE;
    let salts = (be32(wal, 16), be32(wal, 20));
    let header_sum = checksum(big, &wal[..24], (0, 0));
    if header_sum != (be32(wal, 24), be32(wal, 28)) {
        // SQLite ignores the whole log: every commit frame in it would be lost.
        let commits = (0..frames)
            .filter(|&i| be32(wal, HEADER + i * frame_size + 4) != 0)
            .count();
        return if commits == 0 {
            WalState::Empty
        } else {
            WalState::Damaged(WalDamage {
                first_bad_frame: None,
                what: ("文件头的校验和不对", "its header fails its checksum"),
                commits_before: 0,
                commits_after: commits,
                kept_in: None,
            })
        };
    }
    let frame = |i: usize| &wal[HEADER + i * frame_size..HEADER + (i + 1) * frame_size];
    let stored = |f: &[u8]| (be32(f, 16), be32(f, 20));
    let verifies_from = |f: &[u8], prev: (u32, u32)| {
        let s = checksum(big, &f[..8], prev);
        checksum(big, &f[FRAME_HEADER..], s) == stored(f)
    };
    let mut prev = header_sum;
    let mut valid = 0;
    let mut commits = 0;
    let mut last_commit_end = 0;
    let mut break_what = None;
    for i in 0..frames {
        let f = frame(i);
        if (be32(f, 8), be32(f, 12)) != salts {
            break_what = Some((
                "属于更早的一代日志（盐值不同）",
                "belongs to an older generation of the log (other salts)",
            ));
            break;
        }
        if be32(f, 0) == 0 || !verifies_from(f, prev) {
            break_what = Some(("的校验和不对", "fails its checksum"));
            break;
        }
        prev = stored(f);
        valid += 1;
        if be32(f, 4) != 0 {
            commits += 1;
            last_commit_end = valid;
        }
    }
    let Some(what) = break_what else {
        return WalState::Intact {
            frames: valid,
            commits,
            torn_tail: last_commit_end < valid || !(wal.len() - HEADER).is_multiple_of(frame_size),
        };
    };
    // After the break: intact commit frames of this generation, each verified from the stored
    // checksum of the frame before it.
    let after = (valid + 1..frames)
        .filter(|&j| {
            let f = frame(j);
            (be32(f, 8), be32(f, 12)) == salts
                && be32(f, 0) != 0
                && be32(f, 4) != 0
                && verifies_from(f, stored(frame(j - 1)))
        })
        .count();
    if after == 0 {
        WalState::Intact {
            frames: valid,
            commits,
            torn_tail: true,
        }
    } else {
        WalState::Damaged(WalDamage {
            first_bad_frame: Some(valid),
            what,
            commits_before: commits,
            commits_after: after,
            kept_in: None,
        })
    }
}

/// The length the WAL keeps when it is cut after its last commit that verifies before the
/// break (the user's explicit choice, after the damage was reported and the files copied).
pub fn good_prefix_len(wal: &[u8]) -> usize {
    if wal.len() < HEADER {
        return 0;
    }
    let page = be32(wal, 8) as usize;
    let frame_size = FRAME_HEADER + page;
    let big = be32(wal, 0) == MAGIC_BE;
    let salts = (be32(wal, 16), be32(wal, 20));
    let mut prev = checksum(big, &wal[..24], (0, 0));
    if prev != (be32(wal, 24), be32(wal, 28)) || !(512..=65_536).contains(&page) {
        return 0;
    }
    let mut keep = HEADER;
    let frames = (wal.len() - HEADER) / frame_size;
    for i in 0..frames {
        let f = &wal[HEADER + i * frame_size..HEADER + (i + 1) * frame_size];
        if (be32(f, 8), be32(f, 12)) != salts {
            break;
        }
        let s = checksum(big, &f[..8], prev);
        if checksum(big, &f[FRAME_HEADER..], s) != (be32(f, 16), be32(f, 20)) {
            break;
        }
        prev = (be32(f, 16), be32(f, 20));
        if be32(f, 4) != 0 {
            keep = HEADER + (i + 1) * frame_size;
        }
    }
    keep
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
        assert_eq!(good_prefix_len(&w), 32 + 2 * frame);
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
