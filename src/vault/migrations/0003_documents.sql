-- 0003: the document ledger (台账): documents, their numbered copies (份号), where every copy is,
-- and the per-year counters behind receipt numbers and 文号 (no gaps, no duplicates).

-- Per-year counters. A number is taken inside the transaction that registers the document, so
-- a rolled-back registration gives its number back and two registrations never share one.
CREATE TABLE sequences (
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL CHECK (last >= 0),
    PRIMARY KEY (name, year)
) STRICT;

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    direction     TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    -- 收文编号 for incoming documents, e.g. 机要收〔2026〕17号.
    receipt_no    TEXT UNIQUE,
    doc_no        TEXT NOT NULL DEFAULT '',          -- the original or assigned 文号
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    issuing_unit  TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL,                     -- domain::Category code (R2.1)
    level         TEXT NOT NULL CHECK (level IN ('juemi', 'jimi', 'mimi', 'neibu')),
    period_kind   TEXT NOT NULL CHECK (period_kind IN
                    ('years', 'months', 'until', 'condition', 'long_term', 'unspecified')),
    period_value  TEXT NOT NULL DEFAULT '',          -- number, YYYY-MM-DD or condition text
    dated         TEXT NOT NULL,                     -- 成文日期 YYYY-MM-DD
    received_on   TEXT,                              -- 收文日期 YYYY-MM-DD
    signed_for_by INTEGER REFERENCES people(id),     -- 签收人 (R3.1.1)
    pages         INTEGER NOT NULL CHECK (pages > 0),
    attachments   INTEGER NOT NULL DEFAULT 0 CHECK (attachments >= 0),
    readers       TEXT NOT NULL DEFAULT '',          -- 知悉范围
    remarks       TEXT NOT NULL DEFAULT '',
    voided_at     TEXT,                              -- a wrong entry is voided, never deleted
    void_reason   TEXT,
    created_at    TEXT NOT NULL
) STRICT;

-- One row per numbered copy; `state`, `cabinet_id`, `holder_person_id` and `place` say where it
-- is now. Every change also appends a row to copy_events (and an audit event).
CREATE TABLE copies (
    id               INTEGER PRIMARY KEY,
    document_id      INTEGER NOT NULL REFERENCES documents(id),
    copy_no          INTEGER NOT NULL CHECK (copy_no > 0),
    state            TEXT NOT NULL,                  -- domain::CopyState code
    cabinet_id       INTEGER REFERENCES cabinets(id),
    holder_person_id INTEGER REFERENCES people(id),
    place            TEXT NOT NULL DEFAULT '',
    UNIQUE (document_id, copy_no)
) STRICT;

CREATE TABLE copy_events (
    id               INTEGER PRIMARY KEY,
    copy_id          INTEGER NOT NULL REFERENCES copies(id),
    at               TEXT NOT NULL,
    user_id          INTEGER REFERENCES users(id),
    from_state       TEXT,
    to_state         TEXT NOT NULL,
    cabinet_id       INTEGER REFERENCES cabinets(id),
    holder_person_id INTEGER REFERENCES people(id),
    place            TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX copies_document ON copies(document_id);
CREATE INDEX copy_events_copy ON copy_events(copy_id, id);
CREATE INDEX documents_level ON documents(level);
