-- 0007: what each passport's appraisal used, stored once by digest, and
-- the re-appraisal job queue (issue 17 "Re-appraisal"; smaller rows,
-- issue 20). docs/reappraisal.md. Never edit after landing.

-- Evidence, stored once per SHA-256 of its bytes (the passports'
-- evidence_sha256). passports.evidence is no longer written.
CREATE TABLE evidence_blobs (
	sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	body   bytea NOT NULL
);
INSERT INTO evidence_blobs (sha256, body)
	SELECT DISTINCT ON (evidence_sha256) evidence_sha256, evidence
	FROM passports WHERE evidence IS NOT NULL
	AND evidence_sha256 ~ '^[0-9a-f]{64}$'
	ON CONFLICT DO NOTHING;
ALTER TABLE passports ALTER COLUMN evidence DROP NOT NULL;
UPDATE passports SET evidence = NULL
	WHERE evidence IS NOT NULL AND evidence_sha256 IN (SELECT sha256 FROM evidence_blobs);

-- Every other input of an appraisal (runtime data, reference values,
-- event logs, each collateral artifact's body and issuer chain), stored
-- once per SHA-256.
CREATE TABLE appraisal_blobs (
	sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	body   bytea NOT NULL
);

-- superseded: a re-appraisal as of a later time judged the evidence
-- worse than its passport says (the new verdict in reappraisal).
-- appraisal: the request's inputs by digest (docs/reappraisal.md).
ALTER TABLE passports DROP CONSTRAINT passports_status_check;
ALTER TABLE passports ADD CONSTRAINT passports_status_check
	CHECK (status IN ('active', 'revoked', 'superseded'));
ALTER TABLE passports ADD COLUMN appraisal jsonb NULL,
	ADD COLUMN superseded_at timestamptz NULL,
	ADD COLUMN reappraisal jsonb NULL;

-- The collateral an appraisal used, as a set stored once by the digest
-- of its canonical JSON: each artifact's kind and key (the cache's names,
-- e.g. intel_tcb_info / tdx/<fmspc>), source, flags and the digests of
-- its body and issuer chain (bytes in appraisal_blobs). Thousands of
-- passports of one fleet share one set; a passport names its set.
CREATE TABLE collateral_sets (
	sha256    text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	artifacts jsonb NOT NULL
);
CREATE TABLE collateral_set_items (
	kind         text NOT NULL,
	key          text NOT NULL,
	set_sha256   text NOT NULL REFERENCES collateral_sets (sha256),
	sha256       text NOT NULL,
	chain_sha256 text NULL,
	PRIMARY KEY (kind, key, set_sha256)
);
ALTER TABLE passports ADD COLUMN collateral_set text NULL
	REFERENCES collateral_sets (sha256);
-- Every passport's evidence is in evidence_blobs (moved above).
ALTER TABLE passports ADD FOREIGN KEY (evidence_sha256)
	REFERENCES evidence_blobs (sha256);
CREATE INDEX passports_collateral_set ON passports (collateral_set)
	WHERE collateral_set IS NOT NULL;
CREATE INDEX passports_evidence ON passports (evidence_sha256);

-- "Which passports used artifact kind K for key X (with which digest)":
-- the collateral of their sets and, for an endpoint's passports, its
-- reference values (kind reference_values, key the endpoint id).
CREATE VIEW passport_artifacts AS
	SELECT p.id AS passport_id, i.kind, i.key, i.sha256, i.chain_sha256
	FROM passports p JOIN collateral_set_items i
	ON i.set_sha256 = p.collateral_set
	UNION ALL
	SELECT p.id, 'reference_values', p.endpoint_id::text,
	       p.appraisal->>'ref_sha256', NULL
	FROM passports p WHERE p.endpoint_id IS NOT NULL
	AND p.appraisal ? 'ref_sha256';

-- One job per superseding artifact: the passports that used KIND/KEY
-- with another digest are re-appraised, in batches, each batch one
-- transaction that also advances the cursor (resumable after a crash);
-- workers take jobs with FOR UPDATE SKIP LOCKED (one instance a job).
CREATE TABLE reappraisal_jobs (
	id         bigserial PRIMARY KEY,
	kind       text NOT NULL,
	key        text NOT NULL,
	sha256     text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	cursor     uuid NULL,
	examined   int NOT NULL DEFAULT 0,
	changed    int NOT NULL DEFAULT 0,
	done_at    timestamptz NULL
);
CREATE INDEX reappraisal_jobs_pending ON reappraisal_jobs (id)
	WHERE done_at IS NULL;

-- A cached artifact replaced by one with other bytes (a newer TCB Info,
-- QE Identity or CRL for the same key), or cached for the first time
-- while passports used another for that key: a job, when any passport
-- depended on the key.
CREATE FUNCTION reappraisal_collateral_job() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.sha256 = OLD.sha256 THEN
		RETURN NULL;
	END IF;
	IF EXISTS (SELECT 1 FROM collateral_set_items i WHERE i.kind = NEW.kind
	           AND i.key = NEW.key AND i.sha256 <> NEW.sha256) THEN
		INSERT INTO reappraisal_jobs (kind, key, sha256)
		VALUES (NEW.kind, NEW.key, NEW.sha256);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER collateral_artifacts_reappraisal
	AFTER INSERT OR UPDATE ON collateral_artifacts
	FOR EACH ROW EXECUTE FUNCTION reappraisal_collateral_job();

-- An endpoint's reference values changed (a new version made current).
CREATE FUNCTION reappraisal_reference_job() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	ref text;
BEGIN
	IF NEW.reference_version = OLD.reference_version THEN
		RETURN NULL;
	END IF;
	SELECT sha256 INTO ref FROM reference_values
	WHERE endpoint_id = NEW.id AND version = NEW.reference_version;
	IF EXISTS (SELECT 1 FROM passports p WHERE p.endpoint_id = NEW.id
	           AND p.appraisal->>'ref_sha256' <> ref) THEN
		INSERT INTO reappraisal_jobs (kind, key, sha256)
		VALUES ('reference_values', NEW.id::text, ref);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER endpoints_reappraisal AFTER UPDATE OF reference_version
	ON endpoints FOR EACH ROW EXECUTE FUNCTION reappraisal_reference_job();

-- Smaller rows (issue 20): a passport's compact JWS is kept as its
-- parts — the protected header's base64url text, the payload (the claims
-- JSON text exactly as signed) and the raw signature — and rebuilt on
-- read byte for byte (passport_jws); the claims are the payload. Rows
-- written before keep token and claims as they were.
ALTER TABLE passports ALTER COLUMN claims DROP NOT NULL,
	ALTER COLUMN token DROP NOT NULL,
	ADD COLUMN jws_header text NULL,
	ADD COLUMN jws_payload text NULL,
	ADD COLUMN jws_signature bytea NULL,
	ADD CHECK ((token IS NOT NULL) OR (jws_header IS NOT NULL
		AND jws_payload IS NOT NULL AND jws_signature IS NOT NULL));

CREATE FUNCTION passport_b64url(b bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT rtrim(translate(encode(b, 'base64'), E'+/\n', '-_'), '=')
$$;
CREATE FUNCTION passport_jws(h text, payload text, sig bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT h || '.' || passport_b64url(convert_to(payload, 'UTF8'))
	       || '.' || passport_b64url(sig)
$$;

-- The log's leaf is still the compact JWS, byte for byte.
CREATE OR REPLACE FUNCTION tlog_passport_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tlog_entries (kind, passport_id, endpoint_id, leaf)
	VALUES ('passport', NEW.id, NEW.endpoint_id, convert_to(coalesce(NEW.token,
		passport_jws(NEW.jws_header, NEW.jws_payload, NEW.jws_signature)),
		'UTF8'));
	RETURN NULL;
END $$;
