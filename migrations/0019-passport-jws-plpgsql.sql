-- 0019: passport_jws_of in plpgsql (issue 19). Never edit after landing.
--
-- Every passport read rebuilds its token with passport_jws_of (migration
-- 0015). As a SQL function with a sub-select it cannot be inlined, so
-- PostgreSQL planned its body, and passport_jws's inside it, on every
-- call: two plannings a passport read (pg_stat_statements: 21,645 plans
-- for 21,645 lookups). plpgsql keeps its statements' plans for the
-- session. The result is the same text: the row's own header, else its
-- kid's stored one; NULL when either is missing or a part is NULL
-- (passport_jws is STRICT).
CREATE OR REPLACE FUNCTION passport_jws_of(h text, kid text, payload text, sig bytea)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	hd text := $1;
BEGIN
	IF hd IS NULL THEN
		SELECT x.header INTO hd FROM passport_jws_headers x WHERE x.kid = $2;
	END IF;
	RETURN passport_jws(hd, $3, $4);
END
$$;
