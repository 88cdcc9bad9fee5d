-- A notice for a co-signing venue carries its owner's public key and signature (exposure list v2,
-- `protocol::cosign`); matching checks them again. Both null for every other notice.
ALTER TABLE exposure_notices ADD COLUMN cosign_owner BLOB;
ALTER TABLE exposure_notices ADD COLUMN cosign_signature BLOB;
