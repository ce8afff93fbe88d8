-- 006: watchlist nominations, their review and deconfliction, the releasable
-- screening records derived from them by rule, encounters at screening, cleared
-- false positives, and redress requests. The derogatory basis stays in
-- `nominations`; only `screening_records` (fields a downgrade rule allows) are
-- searched when screening.

CREATE TABLE watchlist_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO watchlist_settings (key, value) VALUES
  ('criteria', '{
     "minBasisChars": 60,
     "categories": ["precursor supply", "synthesis", "pill pressing", "trafficking", "distribution", "money laundering", "violence", "corruption"],
     "person": {"minNameTokens": 2, "oneOf": ["birthDates", "identifiers", "nationalities"]},
     "organization": {"minNameTokens": 1, "oneOf": ["nationalities", "identifiers"]}
   }'),
  ('downgrade', '{
     "marking": "U//LES",
     "usPersonMarking": "U//LES/NOFORN",
     "fields": ["names", "birthDates", "nationalities", "identifiers"],
     "identifierKinds": ["passport", "nationalId", "phone", "email", "crypto", "vin", "container", "registration"],
     "usPersonIdentifierKinds": ["passport"]
   }'),
  ('equitiesHours', '48');

CREATE TABLE nominations (
  id serial PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  subject_kind text NOT NULL CHECK (subject_kind IN ('person', 'organization')),
  names text[] NOT NULL,
  birth_dates text[] NOT NULL DEFAULT '{}',
  nationalities text[] NOT NULL DEFAULT '{}',
  identifiers text[] NOT NULL DEFAULT '{}',
  us_person boolean NOT NULL,
  categories text[] NOT NULL,
  basis text NOT NULL,
  marking_id int NOT NULL REFERENCES markings (id),
  agency text NOT NULL REFERENCES agencies (code),
  nominator_id int NOT NULL REFERENCES users (id),
  status text NOT NULL CHECK (status IN ('pending_review', 'more_info', 'pending_deconfliction', 'active', 'rejected', 'removed')),
  reviewer_id int REFERENCES users (id),
  equities_due timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nomination_events (
  id serial PRIMARY KEY,
  nomination_id int NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  note text
);

-- Owners of open cases on the subject, asked before the nomination goes active.
CREATE TABLE nomination_equities (
  nomination_id int NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
  case_id int NOT NULL REFERENCES cases (id),
  basis text NOT NULL,
  response text CHECK (response IN ('no objection', 'object')),
  note text,
  responded_at timestamptz,
  PRIMARY KEY (nomination_id, case_id)
);

CREATE TABLE screening_records (
  id serial PRIMARY KEY,
  nomination_id int NOT NULL UNIQUE REFERENCES nominations (id) ON DELETE CASCADE,
  reference text NOT NULL,
  subject_kind text NOT NULL,
  names text[] NOT NULL,
  birth_dates text[] NOT NULL,
  nationalities text[] NOT NULL,
  identifiers text[] NOT NULL,
  marking text NOT NULL,
  rule jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE encounters (
  id serial PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  at timestamptz NOT NULL DEFAULT now(),
  screener_id int REFERENCES users (id),
  agency text NOT NULL,
  query jsonb NOT NULL,
  fingerprint text NOT NULL,
  nomination_id int NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
  score real NOT NULL,
  outcome text NOT NULL DEFAULT 'possible match' CHECK (outcome IN ('possible match', 'previously cleared', 'confirmed', 'false positive')),
  resolved_by int REFERENCES users (id),
  resolved_at timestamptz,
  note text
);
CREATE INDEX encounters_nomination ON encounters (nomination_id);

-- A person cleared as a false positive against a nomination is not stopped again for it.
CREATE TABLE cleared_identities (
  nomination_id int NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
  fingerprint text NOT NULL,
  cleared_by int NOT NULL REFERENCES users (id),
  cleared_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (nomination_id, fingerprint)
);

CREATE TABLE redress_requests (
  id serial PRIMARY KEY,
  control_number text NOT NULL UNIQUE,
  name text NOT NULL,
  birth_date text,
  contact text NOT NULL,
  details text NOT NULL,
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'under review', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
