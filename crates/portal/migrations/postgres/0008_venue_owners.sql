-- The venue co-signature (`protocol::cosign`). A venue registered with its owner's key keeps the
-- public half here (hex; the portal never keeps the secret, which is on the owner's sheet) and its
-- id is derived from it. A notice for such a venue keeps the owner's signature (hex) once the
-- venue's device has sent it; until then it cannot be approved. Null for every other venue and
-- notice.
ALTER TABLE venues ADD COLUMN owner_key TEXT;
ALTER TABLE exposure_notices ADD COLUMN cosign TEXT;
