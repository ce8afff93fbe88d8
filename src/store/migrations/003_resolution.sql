-- 003: entity resolution. Possible links found by cross-referencing, and analysts'
-- judgements on them. A link is visible only to a reader who may see both of its
-- entities, so a suggestion never reveals that a hidden entity exists.
CREATE TABLE possible_links (
  id bigserial PRIMARY KEY,
  left_id text NOT NULL,
  right_id text NOT NULL,
  score real NOT NULL,
  reasons jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'rejected')),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  CHECK (left_id < right_id),
  UNIQUE (left_id, right_id)
);
CREATE INDEX possible_links_right ON possible_links (right_id);
CREATE INDEX possible_links_status ON possible_links (status);

ALTER TABLE possible_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY possible_links_read ON possible_links FOR SELECT TO cp_reader
  USING (EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = possible_links.left_id)
         AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = possible_links.right_id));
GRANT SELECT ON possible_links TO cp_reader;
