-- 0007: the custody rules of issue 9.
-- * borrows: a loan can end lost (借阅中丢失); the written justification a 绝密 request needs
--   (R3.1.3 "一般不予借阅"); at most one open borrowing per copy (unique partial index).
-- * borrow_renewals: each renewal with its own approval (R3.1.3: the period is part of what the
--   approver approves).
-- * distributions: a copy may be sent again after it was recalled (清退), so one row per
--   sending, not per copy; a copy lost in transit closes its distribution (lost_on).
-- Old data that the former "move by hand" path left inconsistent is repaired first, each
-- repair saying so in the row, so the custodian can check it.

-- The table again, with the state 'lost' and the justification.
CREATE TABLE borrows_0007 (
    id                  INTEGER PRIMARY KEY,
    form_no             TEXT NOT NULL UNIQUE,            -- 借阅申请表编号, per year, no gaps
    copy_id             INTEGER NOT NULL REFERENCES copies(id),
    borrower_person_id  INTEGER NOT NULL REFERENCES people(id),
    reason              TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    requested_days      INTEGER NOT NULL CHECK (requested_days >= 0),
    place               TEXT NOT NULL DEFAULT '',        -- 绝密: where it is read
    overdue_override    TEXT,                            -- the head's reason to lend despite an overdue item
    state               TEXT NOT NULL CHECK (state IN
                          ('requested', 'approved', 'rejected', 'out', 'returned', 'cancelled', 'lost')),
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
    returned_at         TEXT,                            -- returned, or reported lost
    received_by_person_id INTEGER REFERENCES people(id),
    pages_complete      INTEGER CHECK (pages_complete IN (0, 1)),
    return_note         TEXT NOT NULL DEFAULT '',
    justification       TEXT NOT NULL DEFAULT ''         -- 绝密: why the work truly needs it
) STRICT;
INSERT INTO borrows_0007 (id, form_no, copy_id, borrower_person_id, reason, requested_days, place,
    overdue_override, state, requested_at, requested_by, approver_person_id, approval_kind,
    approval_ref, decided_at, decision_note, cabinet_id, out_at, due_on, renewals, returned_at,
    received_by_person_id, pages_complete, return_note)
SELECT id, form_no, copy_id, borrower_person_id, reason, requested_days, place,
    overdue_override, state, requested_at, requested_by, approver_person_id, approval_kind,
    approval_ref, decided_at, decision_note, cabinet_id, out_at, due_on, renewals, returned_at,
    received_by_person_id, pages_complete, return_note
FROM borrows;
DROP TABLE borrows;
ALTER TABLE borrows_0007 RENAME TO borrows;
CREATE INDEX borrows_state ON borrows(state, due_on);
CREATE INDEX borrows_borrower ON borrows(borrower_person_id, state);
CREATE INDEX borrows_copy ON borrows(copy_id);
-- Before this version a copy could leave 借出 by hand, leaving its loan open (and overdue) for
-- ever, and a later request of the same copy opened a second one.
-- (1) A loan out whose copy is no longer 借出 ends when the copy first left 借出 after the
--     loan began: as lost if the copy is lost now, else as returned.
UPDATE borrows
SET state = CASE (SELECT state FROM copies c WHERE c.id = borrows.copy_id)
                WHEN 'lost' THEN 'lost' ELSE 'returned' END,
    returned_at = coalesce(
        (SELECT min(e.at) FROM copy_events e
         WHERE e.copy_id = borrows.copy_id AND e.from_state = 'borrowed'
           AND e.at >= coalesce(borrows.out_at, '')),
        out_at),
    return_note = '（数据升级时关闭）该份号已在借阅流程之外登记离开借出状态，本借阅据此关闭，请核对'
WHERE state = 'out'
  AND (SELECT state FROM copies c WHERE c.id = borrows.copy_id) <> 'borrowed';
-- (2) Of several borrowings still open for one copy, the newest stays open; an older one out
--     is closed as returned, an older request as withdrawn.
UPDATE borrows
SET state = CASE state WHEN 'out' THEN 'returned' ELSE 'cancelled' END,
    returned_at = CASE state WHEN 'out' THEN coalesce(out_at, requested_at) ELSE returned_at END,
    return_note = CASE state WHEN 'out'
        THEN '（数据升级时关闭）同一份号另有较新的借阅，本借阅据此关闭，请核对'
        ELSE return_note END,
    decision_note = CASE state WHEN 'out' THEN decision_note
        ELSE '（数据升级时撤销）同一份号另有较新的借阅，本申请据此撤销，请核对' END
WHERE state IN ('requested', 'approved', 'out')
  AND id < (SELECT max(b2.id) FROM borrows b2
            WHERE b2.copy_id = borrows.copy_id
              AND b2.state IN ('requested', 'approved', 'out'));

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

-- Distributions: one row per sending; a copy lost in transit closes its row.
CREATE TABLE distributions_0007 (
    id                  INTEGER PRIMARY KEY,
    copy_id             INTEGER NOT NULL REFERENCES copies(id),
    recipient_unit      TEXT NOT NULL CHECK (length(trim(recipient_unit)) > 0),
    channel             TEXT NOT NULL,
    carrier_person_id   INTEGER REFERENCES people(id),
    tracking_no         TEXT NOT NULL DEFAULT '',
    sent_on             TEXT NOT NULL,
    receipt_returned_on TEXT,
    at                  TEXT NOT NULL,
    user_id             INTEGER NOT NULL REFERENCES users(id),
    lost_on             TEXT,                            -- reported lost in transit
    lost_note           TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO distributions_0007 (id, copy_id, recipient_unit, channel, carrier_person_id,
    tracking_no, sent_on, receipt_returned_on, at, user_id)
SELECT id, copy_id, recipient_unit, channel, carrier_person_id, tracking_no, sent_on,
    receipt_returned_on, at, user_id
FROM distributions;
DROP TABLE distributions;
ALTER TABLE distributions_0007 RENAME TO distributions;
CREATE INDEX distributions_copy ON distributions(copy_id);
-- At most one sending of a copy still waiting for its receipt.
CREATE UNIQUE INDEX distributions_one_open_per_copy ON distributions(copy_id)
    WHERE receipt_returned_on IS NULL AND lost_on IS NULL;
