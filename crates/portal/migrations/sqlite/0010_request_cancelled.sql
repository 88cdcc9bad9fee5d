-- When a tracer cancelled a request that was still open (handed to the wrong person, a code read
-- out by mistake). Cancelling also ends it: its expiry becomes that moment, so the app's API
-- answers it as closed (410) and its key goes a day later, as for any request that expired
-- unanswered. Null for every request not cancelled.
ALTER TABLE share_requests ADD COLUMN cancelled_at INTEGER;
