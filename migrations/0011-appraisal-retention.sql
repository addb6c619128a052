-- 0011: retention of what appraisals used (issue 20, bounded storage):
-- an appraisal blob and a collateral set go with the last passport
-- naming them (db/retention_purge.c). Never edit after landing.

-- "Does a passport still name this blob": a passport names its inputs by
-- digest inside passports.appraisal (docs/reappraisal.md), one index per
-- member, only over the rows that have it.
CREATE INDEX passports_runtime_data ON passports ((appraisal->>'runtime_data'))
	WHERE (appraisal->>'runtime_data') IS NOT NULL;
CREATE INDEX passports_expected ON passports ((appraisal->>'expected'))
	WHERE (appraisal->>'expected') IS NOT NULL;
CREATE INDEX passports_event_log ON passports ((appraisal->>'event_log'))
	WHERE (appraisal->>'event_log') IS NOT NULL;
CREATE INDEX passports_event_log_table
	ON passports ((appraisal->>'event_log_table'))
	WHERE (appraisal->>'event_log_table') IS NOT NULL;

-- "Does a collateral set still name this blob": every digest of a set's
-- artifacts (body and issuer chain; collateral_set_items holds only the
-- named ones). Written with the set (a set is new rarely: a fleet shares
-- one). The foreign key keeps a set from outliving its bytes.
CREATE TABLE collateral_set_blobs (
	sha256     text NOT NULL REFERENCES appraisal_blobs (sha256),
	set_sha256 text NOT NULL REFERENCES collateral_sets (sha256),
	PRIMARY KEY (sha256, set_sha256)
);
INSERT INTO collateral_set_blobs (sha256, set_sha256)
	SELECT DISTINCT v.d, s.sha256
	FROM collateral_sets s, jsonb_array_elements(s.artifacts) a,
	     LATERAL (VALUES (a->>'sha256'), (a->>'chain_sha256')) v (d)
	WHERE v.d IS NOT NULL
	AND EXISTS (SELECT 1 FROM appraisal_blobs b WHERE b.sha256 = v.d);

-- A set's rows, found by the set when it is purged (and by the foreign
-- keys' checks).
CREATE INDEX collateral_set_blobs_set ON collateral_set_blobs (set_sha256);
CREATE INDEX collateral_set_items_set ON collateral_set_items (set_sha256);
