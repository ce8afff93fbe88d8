-- 010: substances seen in seizure and lab results, so that one never seen before
-- (and not on the reference control list) raises an emerging-substance alert.
CREATE TABLE seen_substances (
  key text PRIMARY KEY,
  name text NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  first_record text,
  first_entity text
);
