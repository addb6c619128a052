-- 0015: a passport's protected JWS header stored once per signing key,
-- not in every row (issue 20: a TDX passport row at most 3,000 bytes; the
-- header was 107 of its 3,038), and fewer round trips and less SQL a
-- passport (issue 19). Never edit after landing.
--
-- passport_jws_headers holds the header's base64url text per kid; a row
-- whose header is that text stores jws_header NULL, any other keeps its
-- own (a header that differs for a kid is never lost). Rows are never
-- deleted: a passport row may name its kid's header until it is purged,
-- and a kid is a few per deployment.
CREATE TABLE passport_jws_headers (
	kid    text PRIMARY KEY,
	header text NOT NULL
);

ALTER TABLE passports DROP CONSTRAINT passports_check2,
	ADD CONSTRAINT passports_token_check CHECK ((token IS NOT NULL)
		OR (jws_payload IS NOT NULL AND jws_signature IS NOT NULL));

-- The compact JWS of a row stored as parts, byte for byte: its own
-- header, else its kid's.
CREATE FUNCTION passport_jws_of(h text, kid text, payload text, sig bytea)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT passport_jws(coalesce($1, (SELECT x.header
		FROM passport_jws_headers x WHERE x.kid = $2)), $3, $4)
$$;

-- teepassd's insert (db/passport_insert.c) writes the log entry itself,
-- in the same statement, with the token it signed as the leaf (the same
-- bytes this function would build again from the parts); the trigger
-- builds the leaf for any other insert.
CREATE OR REPLACE FUNCTION tlog_passport_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('teepass.transparency_log', true) = 'off'
	   OR EXISTS (SELECT 1 FROM tlog_entries e
	              WHERE e.passport_id = NEW.id) THEN
		RETURN NULL;
	END IF;
	INSERT INTO tlog_entries (kind, passport_id, endpoint_id, leaf)
	VALUES ('passport', NEW.id, NEW.endpoint_id, convert_to(coalesce(NEW.token,
		passport_jws_of(NEW.jws_header, NEW.kid, NEW.jws_payload,
			NEW.jws_signature)), 'UTF8'));
	RETURN NULL;
END $$;

-- Same request, same passport (db/passport_find_by_request.c): the
-- per-request advisory lock (in the two-key space, first key "teep" in
-- ASCII, so it never meets the one-key locks of migrations and
-- collateral) and the lookup in one round trip. VOLATILE plpgsql: at
-- READ COMMITTED the lookup takes its snapshot after the lock is held,
-- so it sees the passport a concurrent issue of the same request
-- committed while this one waited.
CREATE FUNCTION passport_lock_find(req text, at bigint, k text)
RETURNS TABLE (id text, token text, expires_at bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1952802160, hashtext(req));
	RETURN QUERY SELECT p.id::text, coalesce(p.token, passport_jws_of(
		p.jws_header, p.kid, p.jws_payload, p.jws_signature)),
		(extract(epoch FROM p.expires_at) * 1000000)::bigint
	FROM passports p WHERE p.request_sha256 = req AND p.status = 'active'
	AND p.expires_at > to_timestamp(at) AND p.kid = k
	ORDER BY p.created_at DESC LIMIT 1;
END $$;
