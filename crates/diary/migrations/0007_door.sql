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
    -- 32 random bytes, made at binding: the key of the tags below. Never leaves the device.
    tag_key            BLOB    NOT NULL CHECK (length(tag_key) = 32),
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
    -- A keyed hash of the card (HMAC with the binding's tag key), so that a second scan of the
    -- same card finds the person inside. Kept only while they are inside: cleared when the
    -- entry closes, so nothing on the device links two visits of one person.
    tag      BLOB CHECK (tag IS NULL OR length(tag) = 32),
    sealed   BLOB    NOT NULL,
    CHECK (time_out IS NULL OR time_out >= time_in),
    CHECK ((time_out IS NULL) = (checkout IS NULL)),
    CHECK (time_out IS NULL OR tag IS NULL)
);

CREATE INDEX door_entries_by_time_in ON door_entries (venue_id, time_in);
CREATE INDEX door_entries_inside ON door_entries (tag) WHERE tag IS NOT NULL;
CREATE INDEX door_entries_open ON door_entries (time_in) WHERE time_out IS NULL;
