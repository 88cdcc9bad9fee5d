-- Venue mode: the device at a venue's door, bound to that venue, and its guestbook.
--
-- The guestbook holds no readable personal data: what the guard scanned is sealed to the
-- authority's door key before it is stored (`protocol::door::seal_entry`), and only the
-- authority opens it. What the device itself can read is when people came and went.

-- The venue this device records entries for; one at a time (venue mode is on while it exists).
CREATE TABLE door_binding (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    venue_id           TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    address            TEXT    NOT NULL,
    authority          TEXT    NOT NULL,
    usual_stay_minutes INTEGER,
    -- The poster's text as scanned, and the id of the key that signed it: the authority whose
    -- door key entries are sealed to.
    code               TEXT    NOT NULL,
    key_id             TEXT    NOT NULL,
    -- The Argon2id hash of the PIN that leaving venue mode needs: written and deleted with the
    -- binding, so a door never exists without its PIN.
    pin_hash           TEXT    NOT NULL,
    bound_at           INTEGER NOT NULL
);

CREATE TABLE door_entries (
    id       INTEGER PRIMARY KEY,
    venue_id TEXT    NOT NULL,
    -- Unix seconds; the sealed entry is bound to the venue and this time.
    time_in  INTEGER NOT NULL,
    time_out INTEGER,
    -- 'scan' (scanned again on the way out) or 'auto' (after the venue's usual stay).
    checkout TEXT CHECK (checkout IN ('scan', 'auto')),
    -- A keyed hash of the card (HMAC under a key the running app keeps in memory only, never
    -- written), so that a second scan of the same card finds the person inside. Kept while they
    -- are inside, and after the usual stay closed their entry until twice that stay (so that
    -- someone who stayed longer is scanned out, not in); then cleared, and all of them when the
    -- app starts, since the key they were made with is gone.
    tag      BLOB CHECK (tag IS NULL OR length(tag) = 32),
    sealed   BLOB    NOT NULL,
    CHECK (time_out IS NULL OR time_out >= time_in),
    CHECK ((time_out IS NULL) = (checkout IS NULL)),
    CHECK (tag IS NULL OR time_out IS NULL OR checkout = 'auto')
);

CREATE INDEX door_entries_by_time_in ON door_entries (venue_id, time_in);
CREATE INDEX door_entries_inside ON door_entries (tag) WHERE tag IS NOT NULL;
CREATE INDEX door_entries_open ON door_entries (time_in) WHERE time_out IS NULL;
