-- The import a venue came in (the import's random id), so that a registrar can list and print
-- the posters of the venues of one file; empty for venues registered one by one.
ALTER TABLE venues ADD COLUMN import_batch TEXT;
CREATE INDEX venues_import_batch ON venues (import_batch);
