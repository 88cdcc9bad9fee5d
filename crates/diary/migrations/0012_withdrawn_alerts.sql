-- An alert whose notice the authority withdrew does not just disappear: the phone keeps a note
-- of it for a few days ("the authority withdrew the alert about your visit to …; you need not
-- follow its advice any more"), so that someone told to get tested is told that too. An alert
-- that goes because the citizen corrected or deleted the visit leaves no note.
CREATE TABLE withdrawn_alerts (
    authority    TEXT    NOT NULL,
    notice_id    INTEGER NOT NULL,
    visit_id     INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    withdrawn_at INTEGER NOT NULL,
    PRIMARY KEY (authority, notice_id, visit_id)
);
