-- 0002: the endpoint registry (issue 6): providers, API keys, endpoints,
-- versioned reference values and an append-only audit log. Never edit
-- after landing: add a new migration.

CREATE TABLE providers (
	id         uuid PRIMARY KEY,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A key is shown once ("tp_<id>_<secret>"); only the SHA-256 of the whole
-- token is kept. The id is public and looks the row up; the hash is then
-- compared in constant time by teepassd.
CREATE TABLE api_keys (
	id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
	token_sha256 text NOT NULL CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
	scope       text NOT NULL CHECK (scope IN ('admin', 'provider')),
	provider_id uuid NULL REFERENCES providers (id),
	label       text NULL CHECK (length(label) <= 200),
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	revoked_at  timestamptz NULL,
	CHECK ((scope = 'admin') = (provider_id IS NULL))
);
CREATE INDEX api_keys_provider ON api_keys (provider_id);

-- status is what the last attestation said; "stale" and "revoked" are
-- computed on read from the current passport (expired / revoked).
CREATE TABLE endpoints (
	id                  uuid PRIMARY KEY,
	provider_id         uuid NOT NULL REFERENCES providers (id),
	url                 text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
	model_name          text NOT NULL CHECK (length(model_name) BETWEEN 1 AND 200),
	model_digest        text NOT NULL CHECK (length(model_digest) BETWEEN 1 AND 200),
	tee_type            text NOT NULL,
	status              text NOT NULL CHECK (status IN ('attested', 'failed')),
	reference_version   int NOT NULL CHECK (reference_version >= 1),
	current_passport_id uuid NULL REFERENCES passports (id),
	last_attested_at    timestamptz NOT NULL,
	last_errors         jsonb NULL,
	created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
	retired_at          timestamptz NULL
);
-- One live endpoint per provider and URL.
CREATE UNIQUE INDEX endpoints_live_url ON endpoints (provider_id, url)
	WHERE retired_at IS NULL;
CREATE INDEX endpoints_newest ON endpoints (created_at DESC, id DESC);

-- Each change of an endpoint's reference values is a new row; the
-- endpoint's reference_version names the current one. sha256 is the
-- passport's policy_sha256 of the document.
CREATE TABLE reference_values (
	endpoint_id uuid NOT NULL REFERENCES endpoints (id),
	version     int NOT NULL CHECK (version >= 1),
	doc         jsonb NOT NULL,
	sha256      text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_by  text NOT NULL,
	PRIMARY KEY (endpoint_id, version)
);

-- Who did what when; rows are only ever added.
CREATE TABLE audit_log (
	id     bigserial PRIMARY KEY,
	at     timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor  text NOT NULL,
	action text NOT NULL,
	target text NULL,
	detail jsonb NOT NULL DEFAULT '{}'
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
