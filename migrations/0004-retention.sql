-- 0004: retention (issue 20). Never edit after landing.
-- The purge finds expired passports by expiry, oldest first, in small
-- batches (db/retention_purge.c); challenges already have
-- challenges_expiry.
CREATE INDEX passports_expiry ON passports (expires_at);
