-- 007: the registry of task forces, fusion cells and mission centers, so the
-- steering group can see where two bodies work the same ground.
CREATE TABLE task_forces (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('task force', 'fusion cell', 'mission center', 'strike force', 'working group')),
  purpose text NOT NULL,
  goals text[] NOT NULL DEFAULT '{}',
  lead_agency text NOT NULL REFERENCES agencies (code),
  member_agencies text[] NOT NULL,
  -- ISO 3166-1 countries, ISO 3166-2 subdivisions ("US-AZ", "MX-SIN") or UN/LOCODEs ("USSAN").
  geography text[] NOT NULL,
  focus text[] NOT NULL,
  -- Target matching keys (as for deconfliction), so shared targets show.
  target_keys text[] NOT NULL DEFAULT '{}',
  created_by int NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
