//! Foundation benchmark (release): unlock time split into KDF and the rest, and the same
//! workload on plain SQLite and on the encrypted vault, with the ratio vault/plain.
//! Prints figures; never fails. Run: `cargo bench --bench foundation`.

use std::path::Path;
use std::time::{Duration, Instant};

use baomi::vault::{self, KdfChoice, Passphrase, Vault};
use rusqlite::{Connection, params};

const ROWS: i64 = 100_000;
const BATCH: i64 = 1_000;
/// A second, coarser batching shows how much of the write overhead is per commit.
const BIG_BATCH: i64 = 10_000;
const POINT_READS: usize = 20_000;

struct Figures {
    insert: Duration,
    /// Pages the insert phase wrote (WAL frames): what SQLCipher encrypted and authenticated.
    pages_written: i64,
    reads: Duration,
    aggregates: Duration,
}

/// Pages written through the connection's page cache so far (`SQLITE_DBSTATUS_CACHE_WRITE`).
fn pages_written(conn: &Connection) -> i64 {
    let (mut current, mut highwater) = (0, 0);
    // SAFETY: `conn.handle()` is a live connection for the duration of the call; the two out
    // pointers are valid `c_int`s; the status call does not retain them.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_WRITE,
            &mut current,
            &mut highwater,
            0,
        )
    };
    assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
    i64::from(current)
}

/// The least the cipher can cost for `pages` pages: per page a random IV, AES-256-CBC over the
/// 4 048 usable bytes and HMAC-SHA256 over ciphertext, IV and page number, by the same OpenSSL
/// SQLCipher calls but with the key schedules and contexts set up once (SQLCipher sets them up
/// per page). Whatever the vault costs beyond this is bookkeeping.
fn cipher_floor(pages: i64) -> Duration {
    use openssl_sys as ffi;
    use std::ptr::null;
    const USABLE: usize = 4096 - 48;
    let key = [7u8; 32];
    let mut page = vec![0x5au8; 4096];
    let mut out = vec![0u8; 4096];
    let mut best = Duration::MAX;
    // SAFETY: every pointer handed to OpenSSL points into the live buffers above with the lengths
    // given; contexts are created, checked for null and freed in this block.
    unsafe {
        let cipher = ffi::EVP_CIPHER_CTX_new();
        let mac = ffi::HMAC_CTX_new();
        assert!(!cipher.is_null() && !mac.is_null());
        assert_eq!(
            ffi::EVP_CipherInit_ex(
                cipher,
                ffi::EVP_aes_256_cbc(),
                std::ptr::null_mut(),
                key.as_ptr(),
                null(),
                1
            ),
            1
        );
        assert_eq!(ffi::EVP_CIPHER_CTX_set_padding(cipher, 0), 1);
        assert_eq!(
            ffi::HMAC_Init_ex(
                mac,
                key.as_ptr().cast(),
                32,
                ffi::EVP_sha256(),
                std::ptr::null_mut()
            ),
            1
        );
        for _ in 0..3 {
            let started = Instant::now();
            for pgno in 0..pages {
                let (data, reserve) = out.split_at_mut(USABLE);
                assert_eq!(ffi::RAND_bytes(reserve.as_mut_ptr(), 16), 1);
                assert_eq!(
                    ffi::EVP_CipherInit_ex(
                        cipher,
                        null(),
                        std::ptr::null_mut(),
                        null(),
                        reserve.as_ptr(),
                        1
                    ),
                    1
                );
                let mut n = 0;
                assert_eq!(
                    ffi::EVP_CipherUpdate(
                        cipher,
                        data.as_mut_ptr(),
                        &mut n,
                        page.as_ptr(),
                        USABLE as i32
                    ),
                    1
                );
                assert_eq!(n as usize, USABLE);
                assert_eq!(
                    ffi::HMAC_Init_ex(mac, null(), 0, null(), std::ptr::null_mut()),
                    1
                );
                assert_eq!(ffi::HMAC_Update(mac, out.as_ptr(), USABLE + 16), 1);
                let number = (pgno as u32).to_le_bytes();
                assert_eq!(ffi::HMAC_Update(mac, number.as_ptr(), 4), 1);
                let mut len = 32;
                assert_eq!(
                    ffi::HMAC_Final(mac, out[USABLE + 16..].as_mut_ptr(), &mut len),
                    1
                );
                page[(pgno as usize) % USABLE] ^= out[USABLE + 20];
            }
            best = best.min(started.elapsed());
        }
        ffi::HMAC_CTX_free(mac);
        ffi::EVP_CIPHER_CTX_free(cipher);
    }
    best
}

fn workload(conn: &mut Connection, batch: i64) -> Figures {
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT NOT NULL, dept TEXT NOT NULL, \
         pages INTEGER NOT NULL, created TEXT NOT NULL); CREATE INDEX t_dept ON t(dept);",
    )
    .unwrap();
    let depts = [
        "党办",
        "财务部",
        "人力资源部",
        "工程部",
        "纪检监察室",
        "综合办公室",
    ];
    let started = Instant::now();
    let mut id = 0;
    while id < ROWS {
        let tx = conn.transaction().unwrap();
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO t (id, title, dept, pages, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .unwrap();
            for _ in 0..batch {
                id += 1;
                stmt.execute(params![
                    id,
                    format!("关于加强第{id}号项目保密管理工作的通知"),
                    depts[(id % 6) as usize],
                    id % 40 + 1,
                    format!("2026-{:02}-{:02}", id % 12 + 1, id % 28 + 1)
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let insert = started.elapsed();
    let pages_written = pages_written(conn);

    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let started = Instant::now();
    let mut stmt = conn
        .prepare_cached("SELECT title, pages FROM t WHERE id = ?1")
        .unwrap();
    let mut total = 0i64;
    for _ in 0..POINT_READS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let key = (x % ROWS as u64) as i64 + 1;
        let (_, pages): (String, i64) = stmt
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        total += pages;
    }
    drop(stmt);
    let reads = started.elapsed();
    assert!(total > 0);

    let started = Instant::now();
    for _ in 0..10 {
        let mut s = conn
            .prepare_cached("SELECT dept, count(*), sum(pages), avg(pages) FROM t GROUP BY dept")
            .unwrap();
        let n = s.query_map([], |r| r.get::<_, i64>(1)).unwrap().count();
        assert_eq!(n, 6);
        let c: i64 = conn
            .query_row(
                "SELECT count(*) FROM t WHERE title LIKE '%第99%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(c > 0);
    }
    let aggregates = started.elapsed();
    Figures {
        insert,
        pages_written,
        reads,
        aggregates,
    }
}

fn plain(dir: &Path, batch: i64) -> Figures {
    let mut conn = Connection::open(dir.join("plain.db")).unwrap();
    vault::apply_plain_pragmas(&conn).unwrap();
    workload(&mut conn, batch)
}

fn encrypted(dir: &Path, batch: i64) -> Figures {
    let pass = Passphrase::new("bench passphrase".into());
    let (_vault, mut ledger, _) =
        Vault::create(dir, "bench", &pass, KdfChoice::INSECURE_FOR_TESTS).unwrap();
    workload(ledger.conn_mut(), batch)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo test --all-targets` runs this file without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("foundation bench: run with `cargo bench --bench foundation`");
        return;
    }
    // Unlock time with the calibrated KDF the app uses.
    let dir = tempfile::tempdir().unwrap();
    let pass = Passphrase::new("bench passphrase 2026".into());
    let started = Instant::now();
    let (vault, ledger, _) =
        Vault::create(dir.path(), "bench", &pass, KdfChoice::Calibrate).unwrap();
    let create = started.elapsed();
    drop(ledger);
    let params = vault.key_file().slots[0].kdf.unwrap();
    println!(
        "kdf parameters (calibrated): m = {} MiB, t = {}, p = {}; vault creation {:.0} ms",
        params.m_cost_kib / 1024,
        params.t_cost,
        params.p_cost,
        ms(create)
    );
    for i in 1..=3 {
        let ledger = vault.unlock("bench", &pass).unwrap();
        println!(
            "unlock #{i}: kdf {:.0} ms + rest {:.1} ms",
            ms(ledger.timing.kdf),
            ms(ledger.timing.rest)
        );
    }
    drop(vault);

    println!(
        "workload: {ROWS} inserts in batches of {BATCH}, {POINT_READS} point reads, 10×(group-by + LIKE scan)"
    );
    let mut best_plain: Option<Figures> = None;
    let mut best_vault: Option<Figures> = None;
    for _ in 0..2 {
        let d1 = tempfile::tempdir().unwrap();
        let p = plain(d1.path(), BATCH);
        let d2 = tempfile::tempdir().unwrap();
        let v = encrypted(d2.path(), BATCH);
        let keep = |best: &mut Option<Figures>, f: Figures| {
            *best = Some(match best.take() {
                None => f,
                Some(b) => Figures {
                    insert: b.insert.min(f.insert),
                    pages_written: f.pages_written,
                    reads: b.reads.min(f.reads),
                    aggregates: b.aggregates.min(f.aggregates),
                },
            })
        };
        keep(&mut best_plain, p);
        keep(&mut best_vault, v);
    }
    let (p, v) = (best_plain.unwrap(), best_vault.unwrap());
    for (name, a, b) in [
        ("inserts", p.insert, v.insert),
        ("point reads", p.reads, v.reads),
        ("aggregates", p.aggregates, v.aggregates),
    ] {
        println!(
            "{name:<12} plain {:>8.1} ms   vault {:>8.1} ms   ratio vault/plain {:.2} (goal <= 1.25)",
            ms(a),
            ms(b),
            b.as_secs_f64() / a.as_secs_f64()
        );
    }
    let (mut p_big, mut v_big) = (Duration::MAX, Duration::MAX);
    for _ in 0..2 {
        let d1 = tempfile::tempdir().unwrap();
        p_big = p_big.min(plain(d1.path(), BIG_BATCH).insert);
        let d2 = tempfile::tempdir().unwrap();
        v_big = v_big.min(encrypted(d2.path(), BIG_BATCH).insert);
    }
    println!(
        "inserts in batches of {BIG_BATCH}: plain {:.1} ms   vault {:.1} ms   ratio {:.2}",
        ms(p_big),
        ms(v_big),
        v_big.as_secs_f64() / p_big.as_secs_f64()
    );
    let commits = (ROWS / BATCH - ROWS / BIG_BATCH) as f64;
    let extra = (v.insert.as_secs_f64() - p.insert.as_secs_f64())
        - (v_big.as_secs_f64() - p_big.as_secs_f64());
    println!(
        "vault overhead per commit (from the two batchings): {:.3} ms",
        extra * 1000.0 / commits
    );
    // What the cipher alone costs for the pages the 1 000-row batches wrote: the ratio no
    // bookkeeping can beat.
    let floor = cipher_floor(v.pages_written);
    println!(
        "cipher floor: the vault wrote {} pages ({} plain); AES-256-CBC + HMAC-SHA256 of them \
         alone takes {:.1} ms ({:.2} µs/page), so vault/plain cannot go below {:.2}; \
         the vault spent {:.2} µs per page written",
        v.pages_written,
        p.pages_written,
        ms(floor),
        floor.as_secs_f64() * 1e6 / v.pages_written as f64,
        (p.insert + floor).as_secs_f64() / p.insert.as_secs_f64(),
        (v.insert.as_secs_f64() - p.insert.as_secs_f64()) * 1e6 / v.pages_written as f64,
    );
}
