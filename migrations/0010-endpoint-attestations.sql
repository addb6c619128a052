-- 0010: every attestation of an endpoint, passed or failed (issue 16: the
-- dashboard's endpoint timeline shows refusals as well as passports).
-- Never edit after landing.
--
-- passport_id is not a foreign key: passports are purged by retention
-- (0004) and the history outlives them until its own purge.

CREATE TABLE endpoint_attestations (
	id                bigserial PRIMARY KEY,
	endpoint_id       uuid NOT NULL REFERENCES endpoints (id),
	at                timestamptz NOT NULL,
	status            text NOT NULL CHECK (status IN ('attested', 'failed')),
	passport_id       uuid NULL,
	reference_version int NOT NULL CHECK (reference_version >= 1),
	errors            jsonb NULL,
	CHECK ((status = 'attested') = (passport_id IS NOT NULL))
);
CREATE INDEX endpoint_attestations_newest
	ON endpoint_attestations (endpoint_id, id DESC);
CREATE INDEX endpoint_attestations_at ON endpoint_attestations (at);
