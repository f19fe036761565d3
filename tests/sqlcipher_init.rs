//! SQLCipher's one-time initialization finishes before any connection of the process sets its
//! key, even when the first connections are opened by several threads at once.
//!
//! `sqlite3_initialize` marks SQLite initialized before it runs SQLCipher's part; a thread that
//! opened its first connection meanwhile got "An error occurred with PRAGMA key" (seen in CI as
//! a new vault failing with "无法设置密钥" while the other tests of its binary started). Without
//! the fix in `vault::open_connection` this test failed 3 runs in 60 on the 2-core CI machine.
//!
//! Its own test binary on purpose: it must be the first code of its process to touch SQLite.

mod common;

use std::path::Path;
use std::sync::{Arc, Barrier};

use baomi::vault::Vault;

#[test]
fn the_first_connections_of_a_process_all_get_their_key() {
    const THREADS: usize = 16;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vault-v1");
    let start = Arc::new(Barrier::new(THREADS));
    let dirs: Vec<_> = (0..THREADS)
        .map(|_| {
            let d = tempfile::tempdir().unwrap();
            for f in ["ledger.db", "ledger.keys"] {
                std::fs::copy(fixture.join(f), d.path().join(f)).unwrap();
            }
            d
        })
        .collect();
    let handles: Vec<_> = dirs
        .iter()
        .map(|d| {
            let path = d.path().to_owned();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let vault = Vault::open(&path).map_err(|e| e.to_string())?;
                start.wait();
                vault
                    .unlock("custodian", &common::pass("fixture passphrase v1"))
                    .map(drop)
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    let failures: Vec<String> = handles
        .into_iter()
        .filter_map(|h| h.join().unwrap().err())
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
}
