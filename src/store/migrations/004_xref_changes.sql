-- 004: which entities lost statements (a record corrected or purged), so the
-- in-memory cross-referencing index can drop or re-read them: without this it
-- would keep matching names that are no longer in the store.
CREATE TABLE statement_deletions (
  id bigserial PRIMARY KEY,
  entity_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION cp_note_statement_deletions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO statement_deletions (entity_id) SELECT DISTINCT entity_id FROM gone;
  RETURN NULL;
END $$;

-- Once per DELETE statement, with all its rows: a bulk purge costs one insert, not one per row.
CREATE TRIGGER statements_deleted AFTER DELETE ON statements
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION cp_note_statement_deletions();
