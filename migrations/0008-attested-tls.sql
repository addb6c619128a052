-- 0008: attested TLS to registered endpoints and GPU devices per
-- endpoint (issue 18, docs/registry.md "Attested TLS"). Never edit after
-- landing.

-- The TLS key the endpoint's evidence binds (SHA-256 of the server
-- certificate's DER SubjectPublicKeyInfo, hex) and where it was bound:
-- 'runtime_data' (the bound runtime data's tls_spki_sha256) or
-- 'report_data' (REPORT_DATA[0:32]). NULL: the evidence binds none.
ALTER TABLE endpoints
	ADD COLUMN tls_binding text NOT NULL DEFAULT 'runtime_data'
		CHECK (tls_binding IN ('runtime_data', 'report_data')),
	ADD COLUMN tls_spki_sha256 text NULL
		CHECK (tls_spki_sha256 ~ '^[0-9a-f]{64}$'),
	ADD COLUMN tls_checked_at timestamptz NULL;

-- The key each passed attestation bound, by its passport (joins
-- endpoint_attestations, migrations/0010, on passport_id). It goes with
-- its passport when retention (0004) purges that.
CREATE TABLE endpoint_tls_keys (
	passport_id     uuid PRIMARY KEY REFERENCES passports (id)
		ON DELETE CASCADE,
	endpoint_id     uuid NOT NULL REFERENCES endpoints (id),
	tls_binding     text NOT NULL
		CHECK (tls_binding IN ('runtime_data', 'report_data')),
	tls_spki_sha256 text NOT NULL CHECK (tls_spki_sha256 ~ '^[0-9a-f]{64}$'),
	at              timestamptz NOT NULL
);
CREATE INDEX endpoint_tls_keys_endpoint ON endpoint_tls_keys (endpoint_id);

-- The GPUs (device certificate serial / NVIDIA ueid) a live endpoint's
-- last valid attestation showed. One GPU serves one live endpoint: the
-- primary key refuses the same device on a second one (device_in_use).
-- Rows exist only for live endpoints: retiring deletes them.
CREATE TABLE endpoint_devices (
	device_id   text PRIMARY KEY CHECK (length(device_id) BETWEEN 1 AND 128),
	endpoint_id uuid NOT NULL REFERENCES endpoints (id),
	submod      text NOT NULL,
	since       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX endpoint_devices_endpoint ON endpoint_devices (endpoint_id);

CREATE FUNCTION endpoint_devices_release() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM endpoint_devices WHERE endpoint_id = NEW.id;
	RETURN NEW;
END
$$;
CREATE TRIGGER endpoint_devices_on_retire AFTER UPDATE OF retired_at
	ON endpoints FOR EACH ROW WHEN (NEW.retired_at IS NOT NULL)
	EXECUTE FUNCTION endpoint_devices_release();
