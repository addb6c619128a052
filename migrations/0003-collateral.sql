-- 0003: the collateral cache (issue 7). Never edit after landing: the
-- runner records the SHA-256 of each migration and refuses a change.
--
-- One row per artifact: Intel TCB Info / QE Identity / CRLs and AMD VCEKs,
-- each verified (signature and chain to the pinned vendor root) before it
-- is written, used only inside [issue_date, next_update).

CREATE TABLE collateral_artifacts (
	kind          text NOT NULL,
	key           text NOT NULL,
	body          bytea NOT NULL,
	issuer_chain  text NULL,
	sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	issue_date    timestamptz NOT NULL,
	next_update   timestamptz NOT NULL,
	fetched_at    timestamptz NOT NULL,
	source        text NOT NULL,
	PRIMARY KEY (kind, key),
	CHECK (next_update > issue_date)
);
CREATE INDEX collateral_artifacts_next_update
	ON collateral_artifacts (next_update);
