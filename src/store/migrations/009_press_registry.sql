-- 009: the pill press and die mold registry: machines by make, model and serial,
-- their owners and movements, and alerts when the store sees a machine that is
-- unregistered, registered to someone else, or reported stolen or missing.
CREATE TABLE presses (
  id serial PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('tablet press', 'encapsulator', 'die mold')),
  make text NOT NULL,
  model text NOT NULL,
  serial text NOT NULL,
  -- Serial as compared: upper case, letters and digits only.
  serial_key text NOT NULL,
  owner text NOT NULL,
  location text NOT NULL,
  country text NOT NULL,
  status text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'reported stolen', 'reported missing', 'exported', 'destroyed', 'seized')),
  agency text NOT NULL REFERENCES agencies (code),
  registered_by int NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (make, serial_key)
);
CREATE INDEX presses_serial ON presses (serial_key);

CREATE TABLE press_events (
  id serial PRIMARY KEY,
  press_id int NOT NULL REFERENCES presses (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('registration', 'transfer', 'import', 'export', 'reported stolen', 'reported missing', 'destroyed', 'seizure', 'sighting')),
  at timestamptz NOT NULL DEFAULT now(),
  from_owner text,
  to_owner text,
  country text,
  note text,
  -- Where the store saw it: "SOURCE/record id" and the entity id.
  record_ref text,
  entity_id text,
  actor text NOT NULL
);
CREATE INDEX press_events_press ON press_events (press_id, at);

CREATE TABLE press_alerts (
  id serial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL CHECK (kind IN ('unregistered', 'registered to someone else', 'reported stolen or missing')),
  serial_key text NOT NULL,
  press_id int REFERENCES presses (id),
  entity_id text NOT NULL,
  record_ref text,
  message text NOT NULL,
  UNIQUE (kind, serial_key, entity_id)
);
