-- 0018: LZ4 instead of pglz for the large values each passport stores
-- (issue 19). Never edit after landing.
--
-- PostgreSQL compresses a value of more than about 2 kB before storing
-- it. pglz, the default, spent about 5 % of PostgreSQL's CPU under a TDX
-- verification load, and it gives up on bytes that do not compress
-- (evidence, base64 text) only after trying. LZ4 is about 3 times as
-- fast on a passport's claims (jws_payload) and stores them smaller
-- (2,403 vs 2,473 bytes on average for the bench's TDX passports).
-- Only values written from now on use it; stored ones are read as they
-- are. A server built without LZ4 keeps pglz (the NOTICE says so).
DO $$
BEGIN
	ALTER TABLE passports
		ALTER COLUMN jws_payload SET COMPRESSION lz4,
		ALTER COLUMN claims SET COMPRESSION lz4,
		ALTER COLUMN token SET COMPRESSION lz4,
		ALTER COLUMN appraisal SET COMPRESSION lz4,
		ALTER COLUMN reappraisal SET COMPRESSION lz4;
	ALTER TABLE evidence_blobs ALTER COLUMN body SET COMPRESSION lz4;
	ALTER TABLE appraisal_blobs ALTER COLUMN body SET COMPRESSION lz4;
	ALTER TABLE collateral_sets ALTER COLUMN artifacts SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	RAISE NOTICE 'this PostgreSQL has no LZ4: values stay compressed with pglz';
END
$$;
