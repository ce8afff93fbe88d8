-- 005: deconfliction. Cases and their registered targets, planned operations with
-- their place and time, the conflicts found between them, the 24/7 watch-center
-- queue, and notification delivery (in-app, server-sent events, signed webhooks).
-- Case content (titles, target values) stays with its owner: other agencies get
-- pointers only (agency, point of contact, kind of match), assembled in
-- src/deconflict/pointer.ts from the columns named there and nothing else.

CREATE TABLE cases (
  id serial PRIMARY KEY,
  agency text NOT NULL REFERENCES agencies (code),
  case_number text NOT NULL,
  title text NOT NULL,
  owner_id int NOT NULL REFERENCES users (id),
  contact_name text NOT NULL,
  contact_phone text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agency, case_number)
);

CREATE TABLE case_targets (
  id serial PRIMARY KEY,
  case_id int NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  kind text NOT NULL,
  -- As registered (case content: never shown to another agency).
  value text NOT NULL,
  birth_date text,
  -- Normalised matching keys: "phone:+526671234567", "vin:…", "name:garcia lopez jose|1984-03-09".
  keys text[] NOT NULL,
  created_by int NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_targets_keys ON case_targets USING gin (keys);
CREATE INDEX case_targets_case ON case_targets (case_id);

-- A target of one case that resolves to a target of another case (or to an entity in
-- the store that another case registered).
CREATE TABLE target_conflicts (
  id serial PRIMARY KEY,
  target_a int NOT NULL REFERENCES case_targets (id) ON DELETE CASCADE,
  target_b int NOT NULL REFERENCES case_targets (id) ON DELETE CASCADE,
  basis text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  ack_a_at timestamptz,
  ack_b_at timestamptz,
  CHECK (target_a < target_b),
  UNIQUE (target_a, target_b)
);

CREATE TABLE operations (
  id serial PRIMARY KEY,
  agency text NOT NULL REFERENCES agencies (code),
  case_id int REFERENCES cases (id),
  type text NOT NULL,
  title text NOT NULL,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  radius_m double precision NOT NULL CHECK (radius_m > 0 AND radius_m <= 50000),
  polygon jsonb,
  -- Geohash cells (precision 5, about 4.9 km) covering the area plus the conflict
  -- buffer: two areas that may overlap share a cell, so the GIN index finds the
  -- candidates; the exact distance is checked after.
  cells text[] NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  contact_name text NOT NULL,
  contact_phone text NOT NULL,
  target_keys text[] NOT NULL DEFAULT '{}',
  exigent boolean NOT NULL DEFAULT false,
  exigent_reason text,
  approved_by int REFERENCES users (id),
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'pending_approval', 'cancelled', 'completed')),
  created_by int NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX operations_cells ON operations USING gin (cells);
CREATE INDEX operations_targets ON operations USING gin (target_keys);
CREATE INDEX operations_window ON operations (starts_at, ends_at);

CREATE TABLE event_conflicts (
  id serial PRIMARY KEY,
  op_a int NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
  op_b int NOT NULL REFERENCES operations (id) ON DELETE CASCADE,
  reason text NOT NULL,
  distance_m double precision,
  overlap_start timestamptz,
  overlap_end timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  ack_a_at timestamptz,
  ack_b_at timestamptz,
  escalated_at timestamptz,
  claimed_by int REFERENCES users (id),
  claimed_at timestamptz,
  outcome text CHECK (outcome IN ('proceed', 'joint', 'delay', 'cancel')),
  outcome_note text,
  resolved_at timestamptz,
  CHECK (op_a < op_b),
  UNIQUE (op_a, op_b)
);

CREATE TABLE deconfliction_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);
INSERT INTO deconfliction_settings VALUES
  ('bufferMinutes', '60'),
  ('escalateAfterMinutes', '15');

-- Notifications: who, what, and a structured payload (the pointer); delivered in-app,
-- to open server-sent-event streams, and to each agency's webhooks.
ALTER TABLE notifications ADD COLUMN payload jsonb;
CREATE INDEX notifications_user ON notifications (user_id, at DESC);

CREATE TABLE webhooks (
  id serial PRIMARY KEY,
  agency text NOT NULL REFERENCES agencies (code),
  url text NOT NULL,
  -- HMAC-SHA256 key, generated here and shown once to the administrator who adds the hook.
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  webhook_id int NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  delivered_at timestamptz,
  UNIQUE (webhook_id, notification_id)
);

-- Every notification is announced on commit (LISTEN/NOTIFY works on both backends), so
-- server-sent-event streams and webhook delivery learn of it at once, from any process.
CREATE FUNCTION cp_announce_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cp_notifications', NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER notifications_announce AFTER INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION cp_announce_notification();

-- When the notification hub handed a notification to its streams and webhooks: the
-- watch center's notification-latency figure is dispatched_at - at.
ALTER TABLE notifications ADD COLUMN dispatched_at timestamptz;
