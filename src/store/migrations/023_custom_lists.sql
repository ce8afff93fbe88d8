-- 023: screening lists users add (agency watchlists, the EU and UK consolidated lists,
-- anything this repository cannot ship), kept so they are there after a restart.
--
-- A list is marked (an agency's watchlist is sensitive), and cp_reader reads it under
-- the same readable_markings view as statements: a reader who may not read the marking
-- neither sees the list nor gets hits from it (src/lists/custom.ts asks which lists the
-- reader may see through this policy before it screens).
--
-- Each revision of a list is a new row (a new id): replacing a list deletes the old row
-- (its entries go with it) and inserts the new one in one transaction, so the entries
-- of an id never change and an in-memory index built for an id is never half of one
-- revision and half of another.
--
-- (name, key_scope) is unique. The key scope is '' unless a list of that name exists
-- that the writer may not read: then the writer's list goes beside it under their own
-- scope (src/store/write-scope.ts writerScope), answering as for an unused name, so a
-- name neither replaces nor reveals a hidden list.
CREATE TABLE screening_lists (
  id serial PRIMARY KEY,
  name text NOT NULL,
  key_scope text NOT NULL DEFAULT '',
  format text NOT NULL,
  source text NOT NULL,
  publish_date text,
  added_at timestamptz NOT NULL,
  added_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  marking_id int NOT NULL REFERENCES markings (id),
  content_hash text NOT NULL,
  entries int NOT NULL,
  by_kind jsonb NOT NULL,
  drug_program_entries int NOT NULL,
  UNIQUE (name, key_scope)
);

-- One listed party: the screening entry as read (names, birth dates, countries,
-- identifiers, programs, details) and a digest of it, which the diff of a replacement
-- compares.
CREATE TABLE screening_list_entries (
  list_id int NOT NULL REFERENCES screening_lists (id) ON DELETE CASCADE,
  entry_id text NOT NULL,
  digest text NOT NULL,
  entry jsonb NOT NULL,
  PRIMARY KEY (list_id, entry_id)
);

ALTER TABLE screening_lists ENABLE ROW LEVEL SECURITY;
ALTER TABLE screening_list_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY screening_lists_read ON screening_lists FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings));
CREATE POLICY screening_list_entries_read ON screening_list_entries FOR SELECT TO cp_reader
  USING (EXISTS (SELECT 1 FROM screening_lists l WHERE l.id = screening_list_entries.list_id));
GRANT SELECT ON screening_lists, screening_list_entries TO cp_reader;
