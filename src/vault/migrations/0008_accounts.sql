-- Accounts opened for people already in the register (issue 10).
--
-- An account's first passphrase is chosen by someone else (a one-time passphrase the GUI shows
-- once, or the one the custodian types into `baomi add-user`). Until its owner changes it, the
-- account may sign in only to change it: it writes nothing and its passphrase approves nothing,
-- so the custodian who handed it over cannot act in the owner's name.
ALTER TABLE users ADD COLUMN must_change_passphrase INTEGER NOT NULL DEFAULT 0
    CHECK (must_change_passphrase IN (0, 1));

-- One active account per person: a second one would be a second identity for the same
-- approver.
CREATE UNIQUE INDEX users_one_active_per_person ON users (person_id) WHERE active = 1;
