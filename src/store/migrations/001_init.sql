-- 001: the statement store, markings enforced by row-level security, audit chain.
--
-- Every fact is a statement (entity, property, value) with provenance (the record it
-- came from: agency, source record id, report date, Admiralty grade) and a marking.
-- Reads run as the role cp_reader with the reader's access in transaction-local
-- settings (cp.*); the policies below filter every row, so no query path can return
-- a value the reader may not see, nor count it. Missing settings raise an error:
-- a read without an access context fails closed.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cp_reader') THEN
    CREATE ROLE cp_reader NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are cluster-wide: another database on the server created it first
END $$;

CREATE TABLE agencies (
  code text PRIMARY KEY,
  name text NOT NULL,
  country text NOT NULL,
  kind text NOT NULL,
  law_enforcement boolean NOT NULL
);

CREATE TABLE markings (
  id serial PRIMARY KEY,
  canonical text NOT NULL UNIQUE,
  level smallint NOT NULL,
  caveats text[] NOT NULL,
  rel_to text[] NOT NULL,
  owner text NOT NULL,
  compartments text[] NOT NULL,
  orcon_to text[] NOT NULL
);

-- The access rule in SQL; src/domain/markings.ts canRead() is the same rule in
-- TypeScript and the property tests hold the two to agreement.
CREATE VIEW readable_markings AS
SELECT m.id FROM markings m
WHERE m.level <= current_setting('cp.level')::int
  AND m.compartments <@ string_to_array(current_setting('cp.groups'), ',')
  AND (NOT ('LES' = ANY (m.caveats)) OR current_setting('cp.le') = '1')
  AND (NOT ('FOUO' = ANY (m.caveats)) OR current_setting('cp.gov') = '1')
  AND (NOT ('PROPIN' = ANY (m.caveats)) OR current_setting('cp.gov') = '1' OR m.owner = current_setting('cp.agency'))
  AND (NOT ('ORCON' = ANY (m.caveats)) OR m.owner = current_setting('cp.agency') OR current_setting('cp.agency') = ANY (m.orcon_to))
  -- NOFORN is also implied by the REL TO test (a NOFORN marking never has REL TO);
  -- it is stated anyway so the rule survives a marking row written by other means.
  AND (current_setting('cp.country') = 'USA'
       OR (NOT ('NOFORN' = ANY (m.caveats))
           AND (current_setting('cp.country') = ANY (m.rel_to) OR (m.level = 0 AND cardinality(m.caveats) = 0))));

-- A source record: the unit of ingestion and of idempotency (source, source_record_id).
CREATE TABLE records (
  id bigserial PRIMARY KEY,
  source text NOT NULL REFERENCES agencies (code),
  source_record_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('intelligence', 'case', 'operational', 'public')),
  report_date date,
  reliability char(1) CHECK (reliability BETWEEN 'A' AND 'F'),
  credibility char(1) CHECK (credibility BETWEEN '1' AND '6'),
  marking_id int NOT NULL REFERENCES markings (id),
  review_by date,
  content_hash text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  imported_by text NOT NULL,
  UNIQUE (source, source_record_id)
);
CREATE INDEX records_review_by ON records (review_by) WHERE review_by IS NOT NULL;

-- 28 CFR Part 23 labels and justifications; readable only under the record's own marking.
CREATE TABLE record_basis (
  record_id bigint PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
  marking_id int NOT NULL REFERENCES markings (id),
  criminal_basis text,
  protected_nexus text,
  sensitivity text,
  confidence text,
  renewals jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE entities (
  id text PRIMARY KEY,
  schema text NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now()
);

-- That an entity exists at all, per record, under the entity-level marking.
CREATE TABLE presence (
  entity_id text NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
  record_id bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  schema text NOT NULL,
  marking_id int NOT NULL REFERENCES markings (id),
  PRIMARY KEY (entity_id, record_id)
);
CREATE INDEX presence_record ON presence (record_id);

-- entity_id and marking_id carry no foreign keys: per-row FK checks cost a third of
-- import time (bench/import-throughput.ts), and both are guaranteed by the single
-- write path (src/store/write.ts): every statement's entity has a presence row (which
-- does reference entities), and markings are interned before use and never deleted.
CREATE TABLE statements (
  id bigserial PRIMARY KEY,
  entity_id text NOT NULL,
  schema text NOT NULL,
  prop text NOT NULL,
  prop_type text NOT NULL,
  value text NOT NULL,
  search_key text,
  record_id bigint NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  marking_id int NOT NULL
);
CREATE INDEX statements_entity ON statements (entity_id);
CREATE INDEX statements_record ON statements (record_id);
CREATE INDEX statements_ref ON statements (value) WHERE prop_type = 'entity';
CREATE INDEX statements_search_trgm ON statements USING gin (search_key gin_trgm_ops) WHERE search_key IS NOT NULL;
CREATE INDEX statements_search_eq ON statements (search_key) WHERE search_key IS NOT NULL;

-- Public statistics (CBP nationwide drug seizures), keyed by their natural dimensions.
CREATE TABLE cbp_seizure_stats (
  fy int NOT NULL,
  month text NOT NULL,
  component text NOT NULL,
  region text NOT NULL,
  land_filter text NOT NULL,
  aor text NOT NULL,
  drug_type text NOT NULL,
  event_count int NOT NULL,
  qty_lbs double precision NOT NULL,
  source_file text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (fy, month, component, region, land_filter, aor, drug_type)
);

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_basis ENABLE ROW LEVEL SECURITY;
ALTER TABLE presence ENABLE ROW LEVEL SECURITY;
ALTER TABLE entities ENABLE ROW LEVEL SECURITY;
ALTER TABLE statements ENABLE ROW LEVEL SECURITY;

CREATE POLICY presence_read ON presence FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings));
CREATE POLICY entities_read ON entities FOR SELECT TO cp_reader
  USING (EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = entities.id));
-- A value is visible when its own marking is readable and its entity's existence is.
CREATE POLICY statements_read ON statements FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings)
         AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = statements.entity_id));
-- Provenance (agency, record id, date, grade) is visible with any visible part of
-- the record, so that no value the reader sees comes without its source.
CREATE POLICY records_read ON records FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings)
         OR EXISTS (SELECT 1 FROM presence p WHERE p.record_id = records.id)
         OR EXISTS (SELECT 1 FROM statements s WHERE s.record_id = records.id));
CREATE POLICY record_basis_read ON record_basis FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings));

GRANT SELECT ON agencies, markings, readable_markings, records, record_basis, entities, presence, statements, cbp_seizure_stats TO cp_reader;

CREATE TABLE users (
  id serial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  agency text NOT NULL REFERENCES agencies (code),
  country text NOT NULL,
  clearance text NOT NULL CHECK (clearance IN ('U', 'CUI', 'C', 'S', 'TS')),
  roles text[] NOT NULL,
  groups text[] NOT NULL DEFAULT '{}',
  disabled boolean NOT NULL DEFAULT false,
  failed_logins int NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tokens (
  token_hash text PRIMARY KEY,
  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('session', 'api')),
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- Append-only, hash-chained. at/details are stored as the exact text that was hashed.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  purpose text,
  details text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE TABLE audit_head (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, repeat('0', 64));

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();

-- Who received which records, when and why (28 CFR 23.20(g)).
CREATE TABLE disseminations (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  recipient text NOT NULL,
  recipient_agency text NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  record_ids bigint[] NOT NULL
);
CREATE INDEX disseminations_records ON disseminations USING gin (record_ids);

CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  agency text NOT NULL,
  user_id int REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL,
  message text NOT NULL,
  ref text,
  read_at timestamptz
);
CREATE INDEX notifications_agency ON notifications (agency, at DESC);

CREATE TABLE purged_records (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  source_record_id text NOT NULL,
  review_by date,
  purged_at timestamptz NOT NULL DEFAULT now(),
  purged_by text NOT NULL,
  notified_agencies text[] NOT NULL
);
