-- 002: index-backed search under row-level security.
--
-- PostgreSQL evaluates RLS policy quals before any user qual that is not leakproof,
-- and LIKE is not, so a LIKE on statements under cp_reader cannot use the trigram
-- index: at a million entities a search scanned every row (23 s). This function
-- finds candidate statement ids through the index, keeping only those whose own
-- marking the reader may read (the same readable_markings view); the caller then
-- selects those statements under the full policy (existence included), so the
-- function can only narrow what RLS returns, never widen it. It runs as the owner
-- (SECURITY DEFINER) because that is what lets the planner use the index.
CREATE FUNCTION cp_search_candidates(pattern_a text, pattern_b text, max_rows int)
RETURNS TABLE (statement_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id FROM statements s
   WHERE (s.search_key LIKE pattern_a OR s.search_key LIKE pattern_b)
     AND s.marking_id IN (SELECT id FROM readable_markings)
   LIMIT max_rows
$$;
REVOKE ALL ON FUNCTION cp_search_candidates(text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cp_search_candidates(text, text, int) TO cp_reader;

-- Statistics and timelines read a few properties of one schema (Seizure date, drug, weight).
CREATE INDEX statements_schema_prop ON statements (schema, prop);
