-- sha512 and sha1 become optional: null when Airlock did not compute them, for an artifact verified
-- by its sha256 alone (Hugging Face files, OCI blobs), which hashes its bytes once instead of three
-- times. npm keeps computing both (its integrity, shasum and the replaced-tarball check need them).
-- first_sha512 (migration 004) was nullable already: it stays null when the first put had none.
ALTER TABLE artifacts ALTER COLUMN sha512 DROP NOT NULL;
ALTER TABLE artifacts ALTER COLUMN sha1 DROP NOT NULL;
