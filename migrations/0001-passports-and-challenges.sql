-- 0001: passports and challenges (issue 2). Never edit after landing:
-- the runner records the SHA-256 of each migration and refuses a change.

CREATE TABLE passports (
	id                uuid PRIMARY KEY,
	created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
	verified_at       timestamptz NOT NULL,
	expires_at        timestamptz NOT NULL,
	status            text NOT NULL DEFAULT 'active'
	                  CHECK (status IN ('active', 'revoked')),
	ear_status        text NOT NULL
	                  CHECK (ear_status IN ('affirming', 'warning')),
	tee_type          text NOT NULL,
	hardware_attested boolean NOT NULL,
	claims            jsonb NOT NULL,
	token             text NOT NULL,
	kid               text NOT NULL,
	evidence          bytea NOT NULL,
	evidence_sha256   text NOT NULL,
	request_sha256    text NOT NULL,
	endpoint_id       uuid NULL,
	revoked_at        timestamptz NULL,
	revocation_reason text NULL,
	CHECK (expires_at > verified_at),
	CHECK (expires_at <= verified_at + interval '24 hours')
);

-- Newest first with keyset pagination, overall and per filter.
CREATE INDEX passports_newest ON passports (created_at DESC, id DESC);
CREATE INDEX passports_tee_newest ON passports (tee_type, created_at DESC, id DESC);
CREATE INDEX passports_endpoint_newest ON passports (endpoint_id, created_at DESC, id DESC)
	WHERE endpoint_id IS NOT NULL;
-- Idempotent issue: the same request within a passport's life gives the
-- same passport.
CREATE INDEX passports_request ON passports (request_sha256);

CREATE TABLE challenges (
	nonce      bytea PRIMARY KEY CHECK (octet_length(nonce) = 32),
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz NULL
);
CREATE INDEX challenges_expiry ON challenges (expires_at);
