-- 0002: the people register as the ledger needs it (R3.5), and cabinets (专柜, R3.1.1, R3.4.2).

-- 涉密人员类别: core 核心 / important 重要 / general 一般, or none (not cleared).
ALTER TABLE people ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN clearance TEXT NOT NULL DEFAULT 'none'
    CHECK (clearance IN ('none', 'core', 'important', 'general'));
-- R3.5.1: the date the confidentiality pledge (保密承诺书) was signed, YYYY-MM-DD; NULL = none.
ALTER TABLE people ADD COLUMN pledge_signed_on TEXT;
-- People are never deleted (their history must stay readable); they leave.
ALTER TABLE people ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));

CREATE TABLE cabinets (
    id                    INTEGER PRIMARY KEY,
    code                  TEXT NOT NULL UNIQUE CHECK (length(trim(code)) > 0),
    location              TEXT NOT NULL DEFAULT '',
    -- The highest level the cabinet is designated for (domain::Level codes).
    max_level             TEXT NOT NULL CHECK (max_level IN ('juemi', 'jimi', 'mimi', 'neibu')),
    responsible_person_id INTEGER REFERENCES people(id),
    locked                INTEGER NOT NULL DEFAULT 1 CHECK (locked IN (0, 1)),
    retired               INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    created_at            TEXT NOT NULL
) STRICT;
