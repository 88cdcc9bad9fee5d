-- CSV imports, so that any portal process behind a proxy can show an import's progress, its
-- preview and its result, and save it: the job runs in the process that took the upload, which
-- writes its progress here several times a second. The checked rows wait in `rows` (JSON) for
-- the registrar to save or drop them, and are cleared then; the problems of a refused file in
-- `errors`. A job is forgotten a day after it began.
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    owner INTEGER NOT NULL,
    filename TEXT NOT NULL,
    total INTEGER NOT NULL,
    checked INTEGER NOT NULL DEFAULT 0,
    saved INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    rows TEXT NOT NULL DEFAULT '',
    errors TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
