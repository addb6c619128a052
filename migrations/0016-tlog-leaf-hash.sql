-- 0016: each log entry keeps its RFC 9162 leaf hash, SHA-256(0x00 ||
-- leaf), beside its leaf (issue 17: the sequencer reads ids and hashes,
-- not every pending 4.5 KB leaf back). Never edit after landing.
--
-- The tree commits to leaf_hash; `teepass log verify --database` checks
-- every stored leaf hash against its leaf. teepassd's passport insert
-- (db/passport_insert.c) passes the hash it computed of the token it
-- signed; the triggers compute it for any other insert.
ALTER TABLE tlog_entries ADD COLUMN leaf_hash bytea
	CHECK (octet_length(leaf_hash) = 32);
UPDATE tlog_entries SET leaf_hash = sha256('\x00'::bytea || leaf);
ALTER TABLE tlog_entries ALTER COLUMN leaf_hash SET NOT NULL;

CREATE OR REPLACE FUNCTION tlog_passport_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_leaf bytea;
BEGIN
	IF current_setting('teepass.transparency_log', true) = 'off'
	   OR EXISTS (SELECT 1 FROM tlog_entries e
	              WHERE e.passport_id = NEW.id) THEN
		RETURN NULL;
	END IF;
	v_leaf := convert_to(coalesce(NEW.token, passport_jws_of(NEW.jws_header,
		NEW.kid, NEW.jws_payload, NEW.jws_signature)), 'UTF8');
	INSERT INTO tlog_entries (kind, passport_id, endpoint_id, leaf,
		leaf_hash)
	VALUES ('passport', NEW.id, NEW.endpoint_id, v_leaf,
		sha256('\x00'::bytea || v_leaf));
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tlog_reference_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_leaf bytea;
BEGIN
	IF NEW.sha256 !~ '^sha256:[0-9a-f]{64}$' THEN
		RAISE EXCEPTION 'reference_values.sha256 is not sha256:<hex>'
			USING ERRCODE = '22023';
	END IF;
	IF current_setting('teepass.transparency_log', true) = 'off' THEN
		RETURN NULL;
	END IF;
	v_leaf := convert_to(
		'{"created_at":"'
		|| to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
		|| '","endpoint_id":"' || NEW.endpoint_id::text
		|| '","reference_sha256":"' || NEW.sha256
		|| '","type":"teepass.reference_values","version":'
		|| NEW.version::text || '}', 'UTF8');
	INSERT INTO tlog_entries (kind, endpoint_id, ref_version, leaf,
		leaf_hash)
	VALUES ('reference_values', NEW.endpoint_id, NEW.version, v_leaf,
		sha256('\x00'::bytea || v_leaf));
	RETURN NULL;
END $$;

-- A leaf is a compact JWS (base64url text, ≈ 4.5 KB for TDX): pglz gains
-- too little on it to keep, so PostgreSQL tried and dropped it on every
-- insert. Stored out of line uncompressed instead.
ALTER TABLE tlog_entries ALTER COLUMN leaf SET STORAGE EXTERNAL;
