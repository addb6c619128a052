-- 0006: push notifications (issue 17, docs/events.md): the event log that
-- GET /api/events streams and webhooks deliver. Never edit after landing.
--
-- A status change appends a row to events in the transaction that makes
-- the change (db_event_append), with seq NULL: durable, not yet numbered.
-- One sequencer at a time (an advisory lock, db/event_sequence.c) numbers
-- the committed rows from event_seq. A sequencer's transaction starts only
-- after the previous one committed and numbers only rows committed before
-- it, so every seq committed later is higher than every seq a reader has
-- seen: a reader that resumes after seq N never misses a row that commits
-- later with a lower seq. Gaps (a rolled-back sequencer) are allowed.

CREATE SEQUENCE event_seq;

CREATE TABLE events (
	id           bigserial PRIMARY KEY,
	seq          bigint NULL UNIQUE CHECK (seq >= 1),
	type         text NOT NULL CHECK (type ~ '^[a-z]+\.[a-z_]+$'),
	passport_id  uuid NULL,
	endpoint_id  uuid NULL,
	-- the provider owning endpoint_id, filled in when numbered
	provider_id  uuid NULL,
	status       text NULL CHECK (length(status) <= 32),
	-- non-NULL for an event that happens once (a revocation): a repeat
	-- of the change appends nothing
	dedup_key    text NULL UNIQUE,
	created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	sequenced_at timestamptz NULL
);
CREATE INDEX events_pending ON events (id) WHERE seq IS NULL;
-- The endpoint.stale sweep finds endpoints by their current passport.
CREATE INDEX endpoints_current_passport ON endpoints (current_passport_id);
CREATE INDEX events_created ON events (created_at);

-- A webhook belongs to a provider (it receives the events of that
-- provider's endpoints) or, provider_id NULL, to an admin (every event).
-- The secret signs deliveries, so it is kept as it is; it is returned
-- once, at creation.
CREATE TABLE webhooks (
	id          uuid PRIMARY KEY,
	provider_id uuid NULL REFERENCES providers (id),
	url         text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
	types       text[] NOT NULL,
	secret      text NOT NULL,
	created_by  text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	deleted_at  timestamptz NULL
);
CREATE INDEX webhooks_provider ON webhooks (provider_id);

-- One delivery per webhook and event, made when the event is numbered;
-- body is the exact JSON signed and sent on every attempt.
CREATE TABLE webhook_deliveries (
	id              bigserial PRIMARY KEY,
	webhook_id      uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event_seq       bigint NOT NULL,
	event_type      text NOT NULL,
	body            text NOT NULL,
	status          text NOT NULL DEFAULT 'pending'
	                CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts        int NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	finished_at     timestamptz NULL,
	UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
	WHERE status = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)
	WHERE status <> 'pending';

-- Every attempt of a delivery: HTTP status (NULL when none came back),
-- the transport error, how long it took.
CREATE TABLE webhook_attempts (
	id          bigserial PRIMARY KEY,
	delivery_id bigint NOT NULL
	            REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
	at          timestamptz NOT NULL DEFAULT clock_timestamp(),
	status_code int NULL,
	error       text NULL CHECK (length(error) <= 300),
	duration_ms int NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);
