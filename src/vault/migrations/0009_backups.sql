-- Backups (issue 12, R3.3.1): one row per backup that was written, read back from its medium
-- and verified in full. The file itself lives on removable media; this is the ledger's record
-- of it (when, where, size, digest, the audit chain's head it holds, by whom).
CREATE TABLE backups (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,               -- when it was verified (RFC 3339, UTC)
    created_at     TEXT NOT NULL,               -- when its snapshot was taken
    user_id        INTEGER NOT NULL REFERENCES users(id),
    file_name      TEXT NOT NULL,
    folder         TEXT NOT NULL,               -- where it was written
    removable      INTEGER NOT NULL CHECK (removable IN (0, 1)),
    bytes          INTEGER NOT NULL CHECK (bytes > 0),
    sha256         TEXT NOT NULL,               -- of the whole file (hex)
    audit_seq      INTEGER NOT NULL,            -- the chain head the backup holds
    audit_hash     TEXT NOT NULL,
    schema_version INTEGER NOT NULL
) STRICT;

CREATE INDEX backups_at ON backups (at);

-- Backup records are never changed or removed.
CREATE TRIGGER backups_no_update BEFORE UPDATE ON backups
BEGIN SELECT RAISE(ABORT, 'backup records are append-only'); END;
CREATE TRIGGER backups_no_delete BEFORE DELETE ON backups
BEGIN SELECT RAISE(ABORT, 'backup records are append-only'); END;
