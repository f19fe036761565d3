-- Seals an insider cannot downgrade (issue 14).
--
-- Version 1 seals (0006) were keyed by Argon2id of the auditor's passphrase with a salt and
-- parameters stored in the row, and told "made under another passphrase" from "altered" by a
-- key id stored in the row: columns anyone holding the master key can edit, read before any MAC
-- was checked. Version 2 seals are made with the auditor's one stable seal key (random, wrapped
-- by the auditor's passphrase in `ledger.keys`, kind 3): a row that claims the auditor and does
-- not authenticate under that key is altered, whatever column was edited. Each version 2 seal
-- also authenticates the MAC of the same auditor's previous seal (`prev_mac`, empty for the
-- first), so a seal removed or relabelled from the middle of an auditor's series is found.
--
-- The table is rebuilt because version 2 rows have no salt or parameters of their own (the
-- CHECK on `salt` forbade that); DROP TABLE does not fire the delete trigger, and the rows are
-- copied unchanged first.
CREATE TABLE audit_seals_v2 (
    id          INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version IN (1, 2)),
    seq         INTEGER NOT NULL,
    head_hash   BLOB NOT NULL CHECK (length(head_hash) = 32),
    at          TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    login       TEXT NOT NULL,
    -- Version 1 only: the Argon2id salt and parameters of the row's key.
    salt        BLOB CHECK (salt IS NULL OR length(salt) = 16),
    m_cost_kib  INTEGER,
    t_cost      INTEGER,
    p_cost      INTEGER,
    key_id      BLOB NOT NULL CHECK (length(key_id) = 8),
    -- Version 2 only: the MAC of this auditor's previous version 2 seal (empty for the first).
    prev_mac    BLOB CHECK (prev_mac IS NULL OR length(prev_mac) IN (0, 32)),
    mac         BLOB NOT NULL CHECK (length(mac) = 32),
    CHECK ((version = 1 AND salt IS NOT NULL AND m_cost_kib IS NOT NULL AND t_cost IS NOT NULL
            AND p_cost IS NOT NULL AND prev_mac IS NULL)
        OR (version = 2 AND salt IS NULL AND m_cost_kib IS NULL AND t_cost IS NULL
            AND p_cost IS NULL AND prev_mac IS NOT NULL))
) STRICT;

INSERT INTO audit_seals_v2 (id, version, seq, head_hash, at, user_id, login, salt, m_cost_kib,
                            t_cost, p_cost, key_id, prev_mac, mac)
    SELECT id, 1, seq, head_hash, at, user_id, login, salt, m_cost_kib, t_cost, p_cost, key_id,
           NULL, mac
    FROM audit_seals;

DROP TABLE audit_seals;
ALTER TABLE audit_seals_v2 RENAME TO audit_seals;

CREATE INDEX audit_seals_login ON audit_seals(login, id);

CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN
    SELECT RAISE(ABORT, 'audit_seals is append-only');
END;

CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN
    SELECT RAISE(ABORT, 'audit_seals is append-only');
END;

-- Accounts that belong to their person (issue 14): when the owner last set their passphrase,
-- for the expiry rule (R3.3.1, passwords changed regularly). NULL: not since this column came;
-- the account's creation (or the upgrade) counts then.
ALTER TABLE users ADD COLUMN passphrase_changed_at TEXT;
