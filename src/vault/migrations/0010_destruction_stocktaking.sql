-- 0010 (issue 13): destruction lists with two people present, holds, stock-taking rounds, the
-- declassification review and incidents. Every state change of a copy still goes through the
-- one custody path (copies / copy_events); these tables are the records that path cites.
-- Closed records (an executed or cancelled list, a lifted hold, a closed round or incident, a
-- decision) are never changed or removed: triggers refuse it.

-- Declassification (解密): a decision about the document, not a copy state. The copies stay where
-- they are; the marking reads 已解密 from this day. NULL while the document is secret.
ALTER TABLE documents ADD COLUMN declassified_on TEXT;          -- YYYY-MM-DD

-- Every change of a document's level or secrecy period: a decision of the declassification
-- review (解密, 延长, 变更密级) or a correction of the registration. The document row holds the
-- result; this table holds the history, with who decided and on whose authority.
CREATE TABLE secrecy_decisions (
    id                INTEGER PRIMARY KEY,
    document_id       INTEGER NOT NULL REFERENCES documents(id),
    kind              TEXT NOT NULL CHECK (kind IN
                        ('declassify', 'extend', 'change_level', 'correction')),
    from_level        TEXT NOT NULL,
    from_period_kind  TEXT NOT NULL,
    from_period_value TEXT NOT NULL,
    to_level          TEXT NOT NULL,
    to_period_kind    TEXT NOT NULL,
    to_period_value   TEXT NOT NULL,
    decided_on        TEXT NOT NULL,                            -- YYYY-MM-DD
    decided_by        TEXT NOT NULL CHECK (length(trim(decided_by)) > 0),  -- 定密责任人 or unit
    authority         TEXT NOT NULL CHECK (length(trim(authority)) > 0),   -- notice, 文号…
    reason            TEXT NOT NULL DEFAULT '',
    at                TEXT NOT NULL,
    user_id           INTEGER NOT NULL REFERENCES users(id)
) STRICT;
CREATE INDEX secrecy_decisions_document ON secrecy_decisions(document_id, id);
CREATE TRIGGER secrecy_decisions_no_update BEFORE UPDATE ON secrecy_decisions
BEGIN SELECT RAISE(ABORT, 'secrecy decisions are append-only'); END;
CREATE TRIGGER secrecy_decisions_no_delete BEFORE DELETE ON secrecy_decisions
BEGIN SELECT RAISE(ABORT, 'secrecy decisions are append-only'); END;

-- Holds (冻结) on a document or one copy: while open, the copy is not handed out, sent or
-- destroyed. A hold is lifted once, with a reason; it is never removed.
CREATE TABLE holds (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER REFERENCES documents(id),
    copy_id     INTEGER REFERENCES copies(id),
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    placed_at   TEXT NOT NULL,
    placed_by   INTEGER NOT NULL REFERENCES users(id),
    lifted_at   TEXT,
    lifted_by   INTEGER REFERENCES users(id),
    lift_reason TEXT NOT NULL DEFAULT '',
    CHECK ((document_id IS NULL) <> (copy_id IS NULL)),
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
) STRICT;
CREATE INDEX holds_open_document ON holds(document_id) WHERE lifted_at IS NULL;
CREATE INDEX holds_open_copy ON holds(copy_id) WHERE lifted_at IS NULL;
CREATE TRIGGER holds_lift_once BEFORE UPDATE ON holds
WHEN OLD.lifted_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.document_id IS NOT OLD.document_id
  OR NEW.copy_id IS NOT OLD.copy_id OR NEW.reason IS NOT OLD.reason
  OR NEW.placed_at IS NOT OLD.placed_at OR NEW.placed_by IS NOT OLD.placed_by
BEGIN SELECT RAISE(ABORT, 'a hold is only lifted, once'); END;
CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds
BEGIN SELECT RAISE(ABORT, 'holds are never removed'); END;

-- Destruction lists (销毁清单): drafted by the custodian, approved by the 党办负责人 (signed in here
-- or on paper), executed with the destroyer and at least one different supervising person (监销人)
-- present. Only execution moves the copies to 已销毁, through the custody path.
CREATE TABLE destructions (
    id                  INTEGER PRIMARY KEY,
    list_no             TEXT NOT NULL UNIQUE,            -- 销毁〔2026〕1号, per year, no gaps
    state               TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'executed', 'cancelled')),
    note                TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    created_by          INTEGER NOT NULL REFERENCES users(id),
    approver_person_id  INTEGER REFERENCES people(id),
    approval_kind       TEXT CHECK (approval_kind IN ('signed_in', 'paper')),
    approval_ref        TEXT NOT NULL DEFAULT '',        -- paper approval's number
    approval_note       TEXT NOT NULL DEFAULT '',
    approved_at         TEXT,
    executed_on         TEXT,                            -- YYYY-MM-DD
    method              TEXT CHECK (method IN ('shredder', 'incineration', 'destruction_unit')),
    method_detail       TEXT NOT NULL DEFAULT '',        -- shredder model, or the unit's name
    receipt_no          TEXT NOT NULL DEFAULT '',        -- the destruction unit's receipt
    place               TEXT NOT NULL DEFAULT '',
    destroyer_person_id INTEGER REFERENCES people(id),
    executed_at         TEXT,
    executed_by         INTEGER REFERENCES users(id),
    cancelled_at        TEXT,
    cancel_reason       TEXT NOT NULL DEFAULT '',
    CHECK (state NOT IN ('approved', 'executed')
           OR (approver_person_id IS NOT NULL AND approval_kind IS NOT NULL
               AND approved_at IS NOT NULL)),
    CHECK (state <> 'executed' OR (executed_on IS NOT NULL AND method IS NOT NULL
                                   AND destroyer_person_id IS NOT NULL))
) STRICT;
CREATE INDEX destructions_state ON destructions(state);
CREATE TRIGGER destructions_closed BEFORE UPDATE ON destructions
WHEN OLD.state IN ('executed', 'cancelled')
BEGIN SELECT RAISE(ABORT, 'an executed or cancelled destruction list is never changed'); END;
-- Draft → approved → executed; draft or approved → cancelled; nothing else.
CREATE TRIGGER destructions_steps BEFORE UPDATE OF state ON destructions
WHEN NEW.state IS NOT OLD.state
 AND NOT ((OLD.state = 'draft' AND NEW.state IN ('approved', 'cancelled'))
       OR (OLD.state = 'approved' AND NEW.state IN ('executed', 'cancelled')))
BEGIN SELECT RAISE(ABORT, 'a destruction list goes draft, approved, executed (or cancelled)'); END;
CREATE TRIGGER destructions_no_delete BEFORE DELETE ON destructions
BEGIN SELECT RAISE(ABORT, 'destruction lists are never removed'); END;

-- The supervising people (监销人) of an executed list; at least one, none the destroyer.
CREATE TABLE destruction_supervisors (
    destruction_id INTEGER NOT NULL REFERENCES destructions(id),
    person_id      INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (destruction_id, person_id)
) STRICT;
CREATE TRIGGER destruction_supervisors_when_approved BEFORE INSERT ON destruction_supervisors
WHEN (SELECT state FROM destructions WHERE id = NEW.destruction_id) IS NOT 'approved'
BEGIN SELECT RAISE(ABORT, 'supervisors are recorded when an approved list is executed'); END;
CREATE TRIGGER destruction_supervisors_no_update BEFORE UPDATE ON destruction_supervisors
BEGIN SELECT RAISE(ABORT, 'destruction supervisors are append-only'); END;
CREATE TRIGGER destruction_supervisors_no_delete BEFORE DELETE ON destruction_supervisors
BEGIN SELECT RAISE(ABORT, 'destruction supervisors are append-only'); END;

-- The copies of a list, each with its reason. An item taken off a list before execution keeps
-- its row (removed_at, with a reason).
CREATE TABLE destruction_items (
    id             INTEGER PRIMARY KEY,
    destruction_id INTEGER NOT NULL REFERENCES destructions(id),
    copy_id        INTEGER NOT NULL REFERENCES copies(id),
    reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    added_at       TEXT NOT NULL,
    added_by       INTEGER NOT NULL REFERENCES users(id),
    removed_at     TEXT,
    removed_by     INTEGER REFERENCES users(id),
    remove_reason  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX destruction_items_once ON destruction_items(destruction_id, copy_id)
    WHERE removed_at IS NULL;
CREATE INDEX destruction_items_copy ON destruction_items(copy_id) WHERE removed_at IS NULL;
CREATE TRIGGER destruction_items_only_draft BEFORE INSERT ON destruction_items
WHEN (SELECT state FROM destructions WHERE id = NEW.destruction_id) IS NOT 'draft'
BEGIN SELECT RAISE(ABORT, 'copies are added to a draft list only'); END;
CREATE TRIGGER destruction_items_frozen BEFORE UPDATE ON destruction_items
WHEN OLD.removed_at IS NOT NULL
  OR (SELECT state FROM destructions WHERE id = OLD.destruction_id) IN ('executed', 'cancelled')
  OR NEW.copy_id IS NOT OLD.copy_id OR NEW.destruction_id IS NOT OLD.destruction_id
  OR NEW.reason IS NOT OLD.reason
BEGIN SELECT RAISE(ABORT, 'a destruction item is only taken off an open list, once'); END;
CREATE TRIGGER destruction_items_no_delete BEFORE DELETE ON destruction_items
BEGIN SELECT RAISE(ABORT, 'destruction items are never removed'); END;

-- Stock-taking rounds (清查): the cabinets they cover (listed at the start, also for a round of
-- every cabinet: a cabinet added later was not checked by it), the marks
-- (found by scanning a label or ticking), and at closing the outcome of every copy, frozen so
-- rounds stay comparable.
CREATE TABLE stocktakes (
    id          INTEGER PRIMARY KEY,
    round_no    TEXT NOT NULL UNIQUE,                    -- 清查〔2026〕1号
    all_cabinets INTEGER NOT NULL CHECK (all_cabinets IN (0, 1)),
    state       TEXT NOT NULL CHECK (state IN ('open', 'closed', 'cancelled')),
    note        TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL,
    started_by  INTEGER NOT NULL REFERENCES users(id),
    closed_at   TEXT,
    closed_by   INTEGER REFERENCES users(id),
    close_note  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TRIGGER stocktakes_closed BEFORE UPDATE ON stocktakes
WHEN OLD.state <> 'open'
BEGIN SELECT RAISE(ABORT, 'a closed stock-taking round is never changed'); END;
CREATE TRIGGER stocktakes_no_delete BEFORE DELETE ON stocktakes
BEGIN SELECT RAISE(ABORT, 'stock-taking rounds are never removed'); END;

CREATE TABLE stocktake_cabinets (
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes(id),
    cabinet_id   INTEGER NOT NULL REFERENCES cabinets(id),
    PRIMARY KEY (stocktake_id, cabinet_id)
) STRICT;
CREATE TRIGGER stocktake_cabinets_no_update BEFORE UPDATE ON stocktake_cabinets
BEGIN SELECT RAISE(ABORT, 'a round''s cabinets are fixed'); END;
CREATE TRIGGER stocktake_cabinets_no_delete BEFORE DELETE ON stocktake_cabinets
BEGIN SELECT RAISE(ABORT, 'a round''s cabinets are fixed'); END;

CREATE TABLE stocktake_marks (
    id           INTEGER PRIMARY KEY,
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes(id),
    cabinet_id   INTEGER NOT NULL REFERENCES cabinets(id),  -- where it was found
    copy_id      INTEGER REFERENCES copies(id),             -- NULL: a label the ledger lacks
    code         TEXT NOT NULL,                              -- as scanned or typed
    how          TEXT NOT NULL CHECK (how IN ('scan', 'tick')),
    -- The verdict when it was marked, from the ledger at that moment (a copy found in place
    -- and lent an hour later was found): what closing freezes for a marked copy.
    outcome      TEXT NOT NULL CHECK (outcome IN ('found', 'wrong_cabinet', 'unexpected')),
    ledger_state TEXT NOT NULL DEFAULT '',
    expected_cabinet_id INTEGER REFERENCES cabinets(id),
    at           TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    withdrawn_at TEXT                                        -- a mark taken back (mis-scan)
) STRICT;
CREATE UNIQUE INDEX stocktake_marks_once ON stocktake_marks(stocktake_id, copy_id)
    WHERE copy_id IS NOT NULL AND withdrawn_at IS NULL;
CREATE UNIQUE INDEX stocktake_marks_code_once ON stocktake_marks(stocktake_id, code)
    WHERE copy_id IS NULL AND withdrawn_at IS NULL;
CREATE TRIGGER stocktake_marks_while_open BEFORE INSERT ON stocktake_marks
WHEN (SELECT state FROM stocktakes WHERE id = NEW.stocktake_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'marks are recorded while the round is open'); END;
CREATE TRIGGER stocktake_marks_frozen BEFORE UPDATE ON stocktake_marks
WHEN OLD.withdrawn_at IS NOT NULL
  OR (SELECT state FROM stocktakes WHERE id = OLD.stocktake_id) <> 'open'
  OR NEW.copy_id IS NOT OLD.copy_id OR NEW.cabinet_id IS NOT OLD.cabinet_id
  OR NEW.code IS NOT OLD.code OR NEW.stocktake_id IS NOT OLD.stocktake_id
BEGIN SELECT RAISE(ABORT, 'a mark is only withdrawn while its round is open, once'); END;
CREATE TRIGGER stocktake_marks_no_delete BEFORE DELETE ON stocktake_marks
BEGIN SELECT RAISE(ABORT, 'stock-taking marks are never removed'); END;

-- The outcome of every copy at closing: found, missing, wrong_cabinet, unexpected, or out (on
-- loan, sent out, at a meeting: not counted missing).
CREATE TABLE stocktake_results (
    stocktake_id        INTEGER NOT NULL REFERENCES stocktakes(id),
    copy_id             INTEGER REFERENCES copies(id),
    code                TEXT NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN
                          ('found', 'missing', 'wrong_cabinet', 'unexpected', 'out')),
    expected_cabinet_id INTEGER REFERENCES cabinets(id),
    found_cabinet_id    INTEGER REFERENCES cabinets(id),
    ledger_state        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX stocktake_results_round ON stocktake_results(stocktake_id, outcome);
CREATE TRIGGER stocktake_results_at_closing BEFORE INSERT ON stocktake_results
WHEN (SELECT state FROM stocktakes WHERE id = NEW.stocktake_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'results are frozen once, when the round closes'); END;
CREATE TRIGGER stocktake_results_no_update BEFORE UPDATE ON stocktake_results
BEGIN SELECT RAISE(ABORT, 'stock-taking results are append-only'); END;
CREATE TRIGGER stocktake_results_no_delete BEFORE DELETE ON stocktake_results
BEGIN SELECT RAISE(ABORT, 'stock-taking results are append-only'); END;

-- Incidents (泄密/丢失事件, R5.1): what happened, the copies and people involved, the measures,
-- to whom and when it was reported, the outcome. Open incidents are completed as they develop;
-- a closed one is never changed.
CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    incident_no   TEXT NOT NULL UNIQUE,                  -- 事件〔2026〕1号
    kind          TEXT NOT NULL CHECK (kind IN ('loss', 'leak', 'other')),
    occurred_on   TEXT NOT NULL,                         -- YYYY-MM-DD
    discovered_on TEXT NOT NULL,
    description   TEXT NOT NULL CHECK (length(trim(description)) > 0),
    people_note   TEXT NOT NULL DEFAULT '',              -- people involved outside the register
    measures      TEXT NOT NULL DEFAULT '',
    reported_to   TEXT NOT NULL DEFAULT '',
    reported_on   TEXT,
    outcome       TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    closed_on     TEXT,
    stocktake_id  INTEGER REFERENCES stocktakes(id),
    borrow_id     INTEGER REFERENCES borrows(id),
    created_at    TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users(id),
    updated_at    TEXT NOT NULL,
    CHECK (state <> 'closed' OR (closed_on IS NOT NULL AND length(trim(outcome)) > 0))
) STRICT;
CREATE TRIGGER incidents_closed BEFORE UPDATE ON incidents
WHEN OLD.state = 'closed'
BEGIN SELECT RAISE(ABORT, 'a closed incident is never changed'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents are never removed'); END;

CREATE TABLE incident_copies (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    copy_id     INTEGER NOT NULL REFERENCES copies(id),
    marked_lost INTEGER NOT NULL CHECK (marked_lost IN (0, 1)),  -- recorded as lost by it
    PRIMARY KEY (incident_id, copy_id)
) STRICT;
CREATE TRIGGER incident_copies_while_open BEFORE INSERT ON incident_copies
WHEN (SELECT state FROM incidents WHERE id = NEW.incident_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'a closed incident is never changed'); END;
CREATE TRIGGER incident_copies_no_update BEFORE UPDATE ON incident_copies
BEGIN SELECT RAISE(ABORT, 'incident copies are append-only'); END;
CREATE TRIGGER incident_copies_no_delete BEFORE DELETE ON incident_copies
BEGIN SELECT RAISE(ABORT, 'incident copies are append-only'); END;

CREATE TABLE incident_people (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (incident_id, person_id)
) STRICT;
CREATE TRIGGER incident_people_while_open BEFORE INSERT ON incident_people
WHEN (SELECT state FROM incidents WHERE id = NEW.incident_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'a closed incident is never changed'); END;
CREATE TRIGGER incident_people_no_update BEFORE UPDATE ON incident_people
BEGIN SELECT RAISE(ABORT, 'incident people are append-only'); END;
CREATE TRIGGER incident_people_no_delete BEFORE DELETE ON incident_people
BEGIN SELECT RAISE(ABORT, 'incident people are append-only'); END;

