-- Four digits of each sealed diary's hash, kept with the share so the citizen can read them to
-- the tracer, whose portal shows the same four beside the diary it stored.
ALTER TABLE shares ADD COLUMN check_digits TEXT;
