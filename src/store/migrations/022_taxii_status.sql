-- 022: TAXII 2.1 status resources. A POST to a collection's objects answers with a
-- status resource, which its client may fetch again (GET .../status/{id}/) until it
-- expires. Each belongs to the user who posted: anyone else gets the same 404 as for an
-- id never issued. The body names the posted objects' ids and what became of them, so
-- it is the poster's only; readers (cp_reader) have no grant on it.
CREATE TABLE taxii_status (
  id uuid PRIMARY KEY,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  body jsonb NOT NULL
);
CREATE INDEX taxii_status_created ON taxii_status (created_at);
