-- 011: shipment targeting. Rules are data: each edit is a new version (the old one
-- kept, inactive), so a score can always be explained by the rules that made it.
-- Scores, the exam queue, and exam results (to report each rule's hit rate).
CREATE TABLE targeting_rules (
  id serial PRIMARY KEY,
  code text NOT NULL,
  version int NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('hs_code', 'misdeclared', 'value_per_kg', 'new_importer', 'route', 'list_hit', 'network')),
  params jsonb NOT NULL,
  weight real NOT NULL CHECK (weight > 0 AND weight < 1),
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (code, version)
);
CREATE UNIQUE INDEX targeting_rules_active ON targeting_rules (code) WHERE active;

INSERT INTO targeting_rules (code, version, name, kind, params, weight, created_by) VALUES
  ('HS-PRECURSOR', 1, 'Fentanyl precursor HS codes (heterocyclic compounds with nitrogen, amine functions)', 'hs_code', '{"prefixes": ["2933.39", "2933.33", "2921", "2915.90"]}', 0.5, 'migration'),
  ('HS-PRESS', 1, 'Tableting presses and their parts (HS 8479.30, 8479.89, 8479.90)', 'hs_code', '{"prefixes": ["8479.30", "8479.89", "8479.90"]}', 0.45, 'migration'),
  ('MISDECLARED', 1, 'Declared goods do not fit the HS chapter (a chemical code declared as parts, tiles, resin, cosmetics or food)', 'misdeclared', '{"pairs": [{"hsPrefix": "29", "goods": "parts|tile|resin|cosmetic|food|dye|candle|cloth|vitamin|phone"}, {"hsPrefix": "84", "goods": "food|cosmetic|cloth|vitamin"}]}', 0.4, 'migration'),
  ('LOW-VALUE', 1, 'Declared value implausibly low for the weight (under 2 USD per kg)', 'value_per_kg', '{"minPerKg": 2}', 0.2, 'migration'),
  ('NEW-IMPORTER', 1, 'Consignee with no earlier shipment on record', 'new_importer', '{}', 0.15, 'migration'),
  ('ROUTE', 1, 'Routed through a known transshipment point', 'route', '{"locodes": ["HKHKG", "INBOM", "CAVAN", "SGSIN", "AEJEA"]}', 0.2, 'migration'),
  ('LIST-HIT', 1, 'Shipper, consignee or notify party matches the sanctions lists or the watchlist', 'list_hit', '{}', 0.7, 'migration'),
  ('NETWORK', 1, 'Shipper, consignee or notify party within two links of a sanctioned party or a case subject', 'network', '{"hops": 2}', 0.4, 'migration');

CREATE TABLE shipment_scores (
  shipment_id text PRIMARY KEY,
  score real NOT NULL,
  reasons jsonb NOT NULL,
  rules jsonb NOT NULL,
  scored_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'examined')),
  exam_result text CHECK (exam_result IN ('hit', 'no hit', 'seized')),
  exam_note text,
  examined_by text,
  examined_at timestamptz
);
CREATE INDEX shipment_scores_queue ON shipment_scores (status, score DESC);
