-- 0004: full-text search over the ledger (FTS5, trigram tokenizer: Chinese substrings of three
-- characters or more), the edit history of registrations, and the outgoing flow (发文, R3.1.2).

-- External-content index over documents: the text lives once, in `documents`; triggers keep the
-- index in step with every insert and update (documents are never deleted). It answers terms of
-- three characters or more.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, doc_no, receipt_no, issuing_unit, remarks,
    content = 'documents', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');

-- Terms of one or two characters: a contentless index of single characters (`baomi_chars`, a
-- function the app registers, spaces the text out), queried as a phrase of characters; the
-- ledger then checks each candidate for the exact substring.
CREATE VIRTUAL TABLE documents_chars USING fts5(
    title, doc_no, receipt_no, issuing_unit, remarks,
    content = '', contentless_delete = 1, tokenize = 'unicode61'
);
INSERT INTO documents_chars (rowid, title, doc_no, receipt_no, issuing_unit, remarks)
SELECT id, baomi_chars(title), baomi_chars(doc_no), baomi_chars(coalesce(receipt_no, '')),
       baomi_chars(issuing_unit), baomi_chars(remarks)
FROM documents;

CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, title, doc_no, receipt_no, issuing_unit, remarks)
    VALUES (new.id, new.title, new.doc_no, new.receipt_no, new.issuing_unit, new.remarks);
    INSERT INTO documents_chars (rowid, title, doc_no, receipt_no, issuing_unit, remarks)
    VALUES (new.id, baomi_chars(new.title), baomi_chars(new.doc_no),
            baomi_chars(coalesce(new.receipt_no, '')), baomi_chars(new.issuing_unit),
            baomi_chars(new.remarks));
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, doc_no, receipt_no, issuing_unit, remarks
ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, doc_no, receipt_no, issuing_unit, remarks)
    VALUES ('delete', old.id, old.title, old.doc_no, old.receipt_no, old.issuing_unit, old.remarks);
    INSERT INTO documents_fts (rowid, title, doc_no, receipt_no, issuing_unit, remarks)
    VALUES (new.id, new.title, new.doc_no, new.receipt_no, new.issuing_unit, new.remarks);
    DELETE FROM documents_chars WHERE rowid = old.id;
    INSERT INTO documents_chars (rowid, title, doc_no, receipt_no, issuing_unit, remarks)
    VALUES (new.id, baomi_chars(new.title), baomi_chars(new.doc_no),
            baomi_chars(coalesce(new.receipt_no, '')), baomi_chars(new.issuing_unit),
            baomi_chars(new.remarks));
END;

-- Filters of the register: year and category.
CREATE INDEX documents_category ON documents(category);
CREATE INDEX copies_state ON copies(state, document_id);
CREATE INDEX copies_cabinet ON copies(cabinet_id, document_id);

-- Edit history (修改记录): one row per saved edit, with each changed field's old and new value
-- as JSON {"field": [old, new], …}. A registration is never overwritten without a trace.
CREATE TABLE document_revisions (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    at          TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    changes     TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX document_revisions_document ON document_revisions(document_id, id);

-- The outgoing flow: the last step done (domain::OutgoingStep code), NULL for incoming documents.
ALTER TABLE documents ADD COLUMN out_step TEXT
    CHECK (out_step IS NULL OR out_step IN
        ('draft', 'reviewed', 'signed', 'numbered', 'registered', 'printed', 'distributed'));
-- Who drafted it (拟稿人) and the drafting department.
ALTER TABLE documents ADD COLUMN drafter_person_id INTEGER REFERENCES people(id);

-- Each step: who did it (a person of the register: reviewer, signer…), who recorded it, when.
CREATE TABLE outgoing_steps (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    step        TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    at          TEXT NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    note        TEXT NOT NULL DEFAULT '',
    UNIQUE (document_id, step)
) STRICT;

-- 分发: one row per copy sent, with the channel of its level (R3.1.2) and the receipt (回执).
CREATE TABLE distributions (
    id                  INTEGER PRIMARY KEY,
    copy_id             INTEGER NOT NULL UNIQUE REFERENCES copies(id),
    recipient_unit      TEXT NOT NULL CHECK (length(trim(recipient_unit)) > 0),
    channel             TEXT NOT NULL,
    carrier_person_id   INTEGER REFERENCES people(id),
    tracking_no         TEXT NOT NULL DEFAULT '',
    sent_on             TEXT NOT NULL,
    receipt_returned_on TEXT,
    at                  TEXT NOT NULL,
    user_id             INTEGER NOT NULL REFERENCES users(id)
) STRICT;
