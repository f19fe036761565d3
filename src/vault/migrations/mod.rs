//! Numbered, append-only schema migrations, applied in one transaction at unlock.
//!
//! `PRAGMA user_version` holds the number of the last applied migration. A database whose
//! version is higher than this build knows was written by a newer Baomi and is refused untouched.

use rusqlite::Connection;

use super::VaultError;

/// The migrations, in order; migration `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("0001_foundation.sql"),
    include_str!("0002_people_cabinets.sql"),
    include_str!("0003_documents.sql"),
    include_str!("0004_search_revisions_outgoing.sql"),
    include_str!("0005_borrowing.sql"),
    include_str!("0006_audit_seals.sql"),
    include_str!("0007_custody_renewals.sql"),
    include_str!("0008_accounts.sql"),
    include_str!("0009_backups.sql"),
    include_str!("0010_destruction_stocktaking.sql"),
    include_str!("0011_seal_keys_accounts.sql"),
];

/// The schema version this build writes.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// The database's schema version.
pub fn current(conn: &Connection) -> Result<u32, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))?)
}

/// Brings the schema up to [`latest`]; refuses a newer one. Returns the version found.
pub fn apply(conn: &mut Connection) -> Result<u32, VaultError> {
    apply_up_to(conn, latest())
}

/// Applies migrations up to `target` (tests use it to freeze an old schema).
pub fn apply_up_to(conn: &mut Connection, target: u32) -> Result<u32, VaultError> {
    let found = current(conn)?;
    if found > latest() {
        return Err(VaultError::NewerSchema {
            found,
            supported: latest(),
        });
    }
    if found >= target {
        return Ok(found);
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
    }
    tx.commit()?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-256 of every shipped migration, in order. A shipped migration is never edited (a
    /// vault already at that version would never see the change): add a new numbered file.
    /// Pin a new migration here once it ships.
    const SHIPPED: &[&str] = &[
        "9157cf9a79b80470175f2adfa8e5310cade5ccc6c46d89e4282876684ff18424",
        "49bdd11b43affc99a10a108fb7181428e77f7786ccfeafe33b25e44f83be24bb",
        "faee9c971f805085e5fe0aa0951f7faa612a1eec93f9d5e035aeeccb753db570",
        "caecf4cf4d8643ff830e24857c9534ae64c50ce6a83469e999e85fc328b617dc",
        "442c351c5aaa4ffd70b921ceee97ad99524a5897b746183c202bf67f4c04955e",
        "2154cf5f38c5b9f2fc9397de7e96963dad95d9705be78be5fdaaa16af8ccb7d1",
        "56d71dcacfe67f03db0be578b306b98a3fed07b44b5e6520e7ab1f4106a16913",
        "b44b1e1a07a5665d3d43b00f2609d4876965f2f5c261c8b04cb5df1b795c8cc0",
        "16c67a9a7ac2b2aba89d81c1ecfb091649506e1dc8f51af7f3a1e3ade991de1f",
        "34261606cd1d3c1b3b5ef611c8fd66fc4074ef5a43a551e3f29ef247a3b9d70d",
        "4f4a338265b1b3cd8714951364f2bad56d3e81e9c658a4a0b49429e15f268fff",
    ];

    #[test]
    fn no_shipped_migration_is_ever_edited() {
        use sha2::Digest;
        let found: Vec<String> = MIGRATIONS
            .iter()
            .map(|sql| {
                sha2::Sha256::digest(sql.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect();
        for (i, (found, pinned)) in found.iter().zip(SHIPPED).enumerate() {
            assert_eq!(
                found,
                pinned,
                "migration {:04} was edited after it shipped: put the change in a new migration",
                i + 1
            );
        }
        assert_eq!(
            found.len(),
            SHIPPED.len(),
            "a new migration: pin its SHA-256 in SHIPPED when it ships"
        );
    }

    /// A ledger at version 6 in which the old "move by hand" path left loans open: copy 1 was
    /// lent, taken back by hand, lent again; copy 2 was lent, taken back by hand (lent and
    /// returned again later), then requested; copy 3 was lent, taken back by hand, requested
    /// again, then marked 借出 by hand; copy 4 was lent and reported lost by hand.
    #[test]
    fn migration_7_closes_the_loans_the_old_bypass_left_open_and_then_allows_one_per_copy() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.create_scalar_function(
            "baomi_chars",
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8,
            |ctx| ctx.get::<Option<String>>(0),
        )
        .unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        apply_up_to(&mut conn, 6).unwrap();
        conn.execute_batch(
            "INSERT INTO people (id, name, created_at) VALUES (1, '王保密', 't');
             INSERT INTO users (id, login, person_id, role, created_at)
               VALUES (1, 'wang', 1, 'custodian', 't');
             INSERT INTO documents (id, direction, title, category, level, period_kind, dated,
               pages, created_at) VALUES (1, 'incoming', '通知', 'policy', 'mimi', 'unspecified',
               '2026-01-01', 1, 't');
             INSERT INTO copies (id, document_id, copy_no, state) VALUES
               (1, 1, 1, 'borrowed'), (2, 1, 2, 'in_cabinet'), (3, 1, 3, 'borrowed'),
               (4, 1, 4, 'lost');
             INSERT INTO copy_events (copy_id, at, from_state, to_state) VALUES
               (1, '2026-02-03T09:00:00+00:00', 'borrowed', 'in_cabinet'),
               (2, '2026-02-05T09:00:00+00:00', 'borrowed', 'in_cabinet'),
               (2, '2026-04-09T09:00:00+00:00', 'borrowed', 'in_cabinet'),
               (3, '2026-02-07T09:00:00+00:00', 'borrowed', 'in_cabinet'),
               (4, '2026-02-08T09:00:00+00:00', 'borrowed', 'lost');
             INSERT INTO borrows (id, form_no, copy_id, borrower_person_id, reason,
               requested_days, state, requested_at, requested_by, out_at, due_on) VALUES
               (1, '借阅〔2026〕1号', 1, 1, '事由', 2, 'out', 't', 1,
                '2026-02-01T09:00:00+00:00', '2026-02-03'),
               (2, '借阅〔2026〕2号', 1, 1, '事由', 2, 'out', 't', 1,
                '2026-03-01T09:00:00+00:00', '2026-03-03'),
               (3, '借阅〔2026〕3号', 2, 1, '事由', 2, 'out', 't', 1,
                '2026-02-04T09:00:00+00:00', '2026-02-06'),
               (4, '借阅〔2026〕4号', 2, 1, '事由', 2, 'requested', 't', 1, NULL, NULL),
               (5, '借阅〔2026〕5号', 3, 1, '事由', 2, 'out', 't', 1,
                '2026-02-06T09:00:00+00:00', '2026-02-08'),
               (6, '借阅〔2026〕6号', 3, 1, '事由', 2, 'requested', 't', 1, NULL, NULL),
               (7, '借阅〔2026〕7号', 4, 1, '事由', 2, 'out', 't', 1,
                '2026-02-07T09:00:00+00:00', '2026-02-09');
             INSERT INTO distributions (copy_id, recipient_unit, channel, sent_on, at, user_id)
               VALUES (2, '市委办公室', 'sealed_ems', '2026-01-10', 't', 1);",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let row = |id: i64| -> (String, Option<String>, String, String) {
            conn.query_row(
                "SELECT state, returned_at, return_note, decision_note FROM borrows WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
        };
        // Copy 1 is on loan under borrowing 2; borrowing 1 was the stale one.
        assert_eq!(row(1).0, "returned");
        assert!(row(1).2.contains("数据升级时关闭"));
        assert_eq!(row(2).0, "out");
        // Copy 2 is in its cabinet: its loan ended the first time it left 借出 after being
        // lent (5 Feb, not the later return on 9 Apr); the request stands.
        assert_eq!(
            (row(3).0.as_str(), row(3).1.as_deref()),
            ("returned", Some("2026-02-05T09:00:00+00:00"))
        );
        assert_eq!(row(4).0, "requested");
        // Copy 3: two borrowings open at once; the newer (the request) stays, the older loan
        // is closed: the upgrade does not stop on the new one-open-per-copy rule.
        assert_eq!(row(5).0, "returned");
        assert_eq!(row(6).0, "requested");
        // Copy 4 is lost: its loan ended lost.
        assert_eq!(row(7).0, "lost");
        // From now on one open borrowing per copy…
        let second = conn.execute(
            "INSERT INTO borrows (form_no, copy_id, borrower_person_id, reason, requested_days,
               state, requested_at, requested_by) VALUES ('借阅〔2026〕8号', 2, 1, '事由', 2,
               'requested', 't', 1)",
            [],
        );
        assert!(second.is_err());
        // …and a copy may be sent again once its earlier sending is closed.
        conn.execute_batch(
            "UPDATE distributions SET receipt_returned_on = '2026-01-12' WHERE copy_id = 2;
             INSERT INTO distributions (copy_id, recipient_unit, channel, sent_on, at, user_id)
               VALUES (2, '区委办公室', 'sealed_ems', '2026-05-10', 't', 1);",
        )
        .unwrap();
        let again = conn.execute(
            "INSERT INTO distributions (copy_id, recipient_unit, channel, sent_on, at, user_id)
               VALUES (2, '市委办公室', 'sealed_ems', '2026-05-11', 't', 1)",
            [],
        );
        assert!(
            again.is_err(),
            "one sending waiting for its receipt at a time"
        );
        let fk: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
    }
}
