-- 0005: borrowing (借阅, R3.1.3) and the working-day calendar years the custodian adds or edits.

-- Years of the working-day calendar entered in the app (they take precedence over the years
-- shipped in assets/calendars). The text is the same format as the shipped files.
CREATE TABLE calendar_years (
    year       INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- One row per 《文件借阅申请表》: request, approval or rejection, check-out, renewals, return.
CREATE TABLE borrows (
    id                  INTEGER PRIMARY KEY,
    form_no             TEXT NOT NULL UNIQUE,            -- 借阅申请表编号, per year, no gaps
    copy_id             INTEGER NOT NULL REFERENCES copies(id),
    borrower_person_id  INTEGER NOT NULL REFERENCES people(id),
    reason              TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    requested_days      INTEGER NOT NULL CHECK (requested_days >= 0),
    place               TEXT NOT NULL DEFAULT '',        -- 绝密: where it is read
    overdue_override    TEXT,                            -- the head's reason to lend despite an overdue item
    state               TEXT NOT NULL CHECK (state IN
                          ('requested', 'approved', 'rejected', 'out', 'returned', 'cancelled')),
    requested_at        TEXT NOT NULL,
    requested_by        INTEGER NOT NULL REFERENCES users(id),
    approver_person_id  INTEGER REFERENCES people(id),
    approval_kind       TEXT CHECK (approval_kind IN ('signed_in', 'paper')),
    approval_ref        TEXT NOT NULL DEFAULT '',        -- paper form number or note
    decided_at          TEXT,
    decision_note       TEXT NOT NULL DEFAULT '',
    cabinet_id          INTEGER REFERENCES cabinets(id), -- where the copy came from (and goes back)
    out_at              TEXT,
    due_on              TEXT,                            -- YYYY-MM-DD, due at the end of that day
    renewals            INTEGER NOT NULL DEFAULT 0,
    returned_at         TEXT,
    received_by_person_id INTEGER REFERENCES people(id),
    pages_complete      INTEGER CHECK (pages_complete IN (0, 1)),
    return_note         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX borrows_state ON borrows(state, due_on);
CREATE INDEX borrows_borrower ON borrows(borrower_person_id, state);
CREATE INDEX borrows_copy ON borrows(copy_id);
