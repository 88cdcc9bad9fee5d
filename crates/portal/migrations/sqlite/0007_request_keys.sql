-- Each request's own HPKE private key, sealed under the master key (the portal's key file
-- format, kind `request-x25519-hpke`): the diary or guestbook answering the request opens with
-- it alone. Requests made before this have none, and their answers open with the department key.
ALTER TABLE share_requests ADD COLUMN request_key TEXT;
