-- 0007: one open borrowing per copy (the ledger checks it too; the index makes a race lose
-- cleanly), the written justification a 绝密 request needs (R3.1.3 "一般不予借阅"), and each
-- renewal with its own approval (R3.1.3: the period is part of what the approver approves).

ALTER TABLE borrows ADD COLUMN justification TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX borrows_one_open_per_copy ON borrows(copy_id)
    WHERE state IN ('requested', 'approved', 'out');

CREATE TABLE borrow_renewals (
    id                  INTEGER PRIMARY KEY,
    borrow_id           INTEGER NOT NULL REFERENCES borrows(id),
    n                   INTEGER NOT NULL CHECK (n > 0),  -- 1 for the first renewal, …
    days                INTEGER NOT NULL CHECK (days > 0),
    from_due            TEXT NOT NULL,                   -- YYYY-MM-DD before
    to_due              TEXT NOT NULL,                   -- YYYY-MM-DD after
    approver_person_id  INTEGER NOT NULL REFERENCES people(id),
    approval_kind       TEXT NOT NULL CHECK (approval_kind IN ('signed_in', 'paper')),
    approval_ref        TEXT NOT NULL DEFAULT '',        -- paper form number
    at                  TEXT NOT NULL,
    user_id             INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (borrow_id, n)
) STRICT;

CREATE TRIGGER borrow_renewals_no_update BEFORE UPDATE ON borrow_renewals
BEGIN SELECT RAISE(ABORT, 'borrow_renewals is append-only'); END;
CREATE TRIGGER borrow_renewals_no_delete BEFORE DELETE ON borrow_renewals
BEGIN SELECT RAISE(ABORT, 'borrow_renewals is append-only'); END;
