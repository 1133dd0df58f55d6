-- Run before a user's own query (`hamflow sql`): the connection is read-only, which protects the
-- database file; this protects every other file on the disk (COPY ... TO, EXPORT, ATTACH,
-- read_csv, extensions all fail).
SET enable_external_access = false;
