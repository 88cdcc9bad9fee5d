-- Foreign venue codes (New Zealand, NHS COVID-19, Corona-Warn-App) are kept too. `verified`
-- alone cannot say "unsigned by design", so the signature status gets its own column; rows
-- written before this migration were all this system's codes, verified.
ALTER TABLE visits ADD COLUMN signature TEXT NOT NULL DEFAULT 'verified'
    CHECK (signature IN ('verified', 'unverified', 'unsigned'));
-- Format-specific ids as JSON (NHS postcode and venue type, CWA times, ...).
ALTER TABLE visits ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
