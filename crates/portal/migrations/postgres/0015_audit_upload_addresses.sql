-- The addresses of phones' uploads are forgotten once the throttle no longer needs them
-- (`store::audit::forget_upload_addresses`, on every upload). This index holds only the entries
-- that still have one, so that forgetting reads those few rows, not the whole log.
CREATE INDEX audit_log_upload_addresses ON audit_log (at)
    WHERE username = 'app' AND action IN ('diary_received', 'guestbook_received') AND address <> '';
