-- Seals of the audit chain by a security auditor (安全审计员): the chain's head at `seq`,
-- authenticated with a key derived from the auditor's own passphrase (Argon2id with `salt` and
-- the stored parameters), not from the master key that every user's passphrase opens. An insider
-- who rewrites the chain consistently cannot make the sealed head match, nor forge a seal.
-- `key_id` tells a seal made under another passphrase from an altered one. Append-only.
CREATE TABLE audit_seals (
    id          INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL,
    head_hash   BLOB NOT NULL CHECK (length(head_hash) = 32),
    at          TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    login       TEXT NOT NULL,
    salt        BLOB NOT NULL CHECK (length(salt) = 16),
    m_cost_kib  INTEGER NOT NULL,
    t_cost      INTEGER NOT NULL,
    p_cost      INTEGER NOT NULL,
    key_id      BLOB NOT NULL CHECK (length(key_id) = 8),
    mac         BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;

CREATE INDEX audit_seals_login ON audit_seals(login, id);

CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN
    SELECT RAISE(ABORT, 'audit_seals is append-only');
END;

CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN
    SELECT RAISE(ABORT, 'audit_seals is append-only');
END;
