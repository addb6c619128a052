-- 0014: composite passports' device evidence (docs/reappraisal.md
-- "Composite passports"): passports.appraisal->'devices' is
-- [{"provider", "evidence"}], each evidence an appraisal_blobs row.
-- Retention deletes such a blob with the last passport naming it
-- (db/retention_purge.c): "does a passport still name it" is a
-- containment query on this index, over the rows that have devices.
-- Never edit after landing.
CREATE INDEX passports_devices ON passports
	USING gin ((appraisal->'devices') jsonb_path_ops)
	WHERE jsonb_typeof(appraisal->'devices') = 'array';
