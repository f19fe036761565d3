-- 0007: one open borrowing per copy (the ledger checks it too; the index makes a race lose
-- cleanly), the written justification a 绝密 request needs (R3.1.3 "一般不予借阅"), and each
-- renewal with its own approval (R3.1.3: the period is part of what the approver approves).

ALTER TABLE borrows ADD COLUMN justification TEXT NOT NULL DEFAULT '';

-- Before this version a copy could leave 借出 by hand, leaving its loan open (and overdue) for
-- ever; a later loan of the same copy then opened a second one. Such a loan is closed here as
-- returned, at the time the copy left 借出, with a note saying why, so the custodian can check
-- it; the newest loan of a copy still on loan stays open.
UPDATE borrows
SET state = 'returned',
    returned_at = coalesce(
        (SELECT max(e.at) FROM copy_events e
         WHERE e.copy_id = borrows.copy_id AND e.from_state = 'borrowed' AND e.at >= borrows.out_at),
        out_at),
    return_note = '（数据升级时关闭）该份号已在借阅流程之外登记离开借出状态，本借阅据此关闭，请核对'
WHERE state = 'out'
  AND ((SELECT state FROM copies c WHERE c.id = borrows.copy_id) <> 'borrowed'
       OR id < (SELECT max(b2.id) FROM borrows b2
                WHERE b2.copy_id = borrows.copy_id AND b2.state = 'out'));

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
