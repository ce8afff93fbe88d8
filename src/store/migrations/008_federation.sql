-- 008: federation. Chokepoint instances run by other agencies, queried for
-- deconfliction pointers (never records), each way with its own token.
CREATE TABLE federation_peers (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  url text NOT NULL,
  -- What we present to them (they issued it), and the hash of what they present to us (we issued it).
  outbound_token text NOT NULL,
  inbound_token_hash text NOT NULL UNIQUE,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
