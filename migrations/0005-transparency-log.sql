-- 0005: the transparency log (issue 17, docs/transparency.md). Never edit
-- after landing.
--
-- Every issued passport and every reference-value change gets a row in
-- tlog_entries in the transaction that commits it (the triggers below),
-- with leaf_index NULL: durable, not yet in the tree. One sequencer at a
-- time (an advisory lock) gives all pending rows consecutive leaf indexes,
-- stores the tree nodes they complete and a signed checkpoint of the new
-- size, in one transaction: a crash leaves either all of it or none.

CREATE TABLE tlog_entries (
	id           bigserial PRIMARY KEY,
	leaf_index   bigint NULL UNIQUE CHECK (leaf_index >= 0),
	kind         text NOT NULL CHECK (kind IN ('passport', 'reference_values')),
	passport_id  uuid NULL,
	endpoint_id  uuid NULL,
	ref_version  int NULL,
	leaf         bytea NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	sequenced_at timestamptz NULL,
	CHECK ((kind = 'passport') = (passport_id IS NOT NULL))
);
CREATE INDEX tlog_entries_pending ON tlog_entries (id) WHERE leaf_index IS NULL;
CREATE UNIQUE INDEX tlog_entries_passport ON tlog_entries (passport_id)
	WHERE passport_id IS NOT NULL;

-- The perfect subtrees of the tree (level 0: leaf hashes), written once
-- when a leaf completes them; derived data, recomputable from the leaves.
CREATE TABLE tlog_nodes (
	level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
	idx   bigint NOT NULL CHECK (idx >= 0),
	hash  bytea NOT NULL CHECK (octet_length(hash) = 32),
	PRIMARY KEY (level, idx)
);

-- One signed checkpoint (C2SP tlog-checkpoint note) per sequenced batch.
CREATE TABLE tlog_checkpoints (
	tree_size  bigint PRIMARY KEY CHECK (tree_size >= 0),
	root_hash  bytea NOT NULL CHECK (octet_length(root_hash) = 32),
	note       text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A passport's leaf is its compact JWS, byte for byte.
CREATE FUNCTION tlog_passport_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO tlog_entries (kind, passport_id, endpoint_id, leaf)
	VALUES ('passport', NEW.id, NEW.endpoint_id, convert_to(NEW.token, 'UTF8'));
	RETURN NULL;
END $$;
CREATE TRIGGER passports_tlog AFTER INSERT ON passports
	FOR EACH ROW EXECUTE FUNCTION tlog_passport_entry();

-- A reference-value change's leaf: the canonical JSON record of
-- docs/transparency.md — keys sorted, no whitespace, every value from a
-- restricted alphabet (so no escaping is ever needed):
-- {"created_at":"<RFC 3339 UTC>","endpoint_id":"<uuid>",
--  "reference_sha256":"sha256:<64 hex>","type":"teepass.reference_values",
--  "version":<n>}
CREATE FUNCTION tlog_reference_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.sha256 !~ '^sha256:[0-9a-f]{64}$' THEN
		RAISE EXCEPTION 'reference_values.sha256 is not sha256:<hex>'
			USING ERRCODE = '22023';
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
CREATE TRIGGER reference_values_tlog AFTER INSERT ON reference_values
	FOR EACH ROW EXECUTE FUNCTION tlog_reference_entry();
