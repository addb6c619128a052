-- 0012: a deployment without a transparency log (config transparency_log
-- = 0, docs/transparency.md). Never edit after landing.
--
-- teepassd then sets teepass.transparency_log = off on each of its
-- sessions, and the triggers record no log entry; any other session (the
-- default) records one as before.

CREATE OR REPLACE FUNCTION tlog_passport_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('teepass.transparency_log', true) = 'off' THEN
		RETURN NULL;
	END IF;
	INSERT INTO tlog_entries (kind, passport_id, endpoint_id, leaf)
	VALUES ('passport', NEW.id, NEW.endpoint_id, convert_to(coalesce(NEW.token,
		passport_jws(NEW.jws_header, NEW.jws_payload, NEW.jws_signature)),
		'UTF8'));
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tlog_reference_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.sha256 !~ '^sha256:[0-9a-f]{64}$' THEN
		RAISE EXCEPTION 'reference_values.sha256 is not sha256:<hex>'
			USING ERRCODE = '22023';
	END IF;
	IF current_setting('teepass.transparency_log', true) = 'off' THEN
		RETURN NULL;
	END IF;
	INSERT INTO tlog_entries (kind, endpoint_id, ref_version, leaf)
	VALUES ('reference_values', NEW.endpoint_id, NEW.version, convert_to(
		'{"created_at":"'
		|| to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
		|| '","endpoint_id":"' || NEW.endpoint_id::text
		|| '","reference_sha256":"' || NEW.sha256
		|| '","type":"teepass.reference_values","version":'
		|| NEW.version::text || '}', 'UTF8'));
	RETURN NULL;
END $$;
