-- When a request's answer (a sealed diary or guestbook) was deleted at the end of the retention
-- the settings give (`diary_retention_days`), together with the request's own key: the row stays,
-- with its code, days and purpose, so that the case says what was asked and that it is gone.
-- Null while the answer is kept, and for requests never answered (whose key goes a day after
-- they expire, since nothing can be sealed to them any more).
ALTER TABLE share_requests ADD COLUMN purged_at INTEGER;
