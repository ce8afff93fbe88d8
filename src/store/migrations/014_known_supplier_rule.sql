-- 014: a targeting rule for shippers that are, or resolve to, known precursor suppliers.
ALTER TABLE targeting_rules DROP CONSTRAINT targeting_rules_kind_check;
ALTER TABLE targeting_rules ADD CONSTRAINT targeting_rules_kind_check CHECK (kind IN ('hs_code', 'misdeclared', 'value_per_kg', 'new_importer', 'route', 'list_hit', 'network', 'known_supplier'));
INSERT INTO targeting_rules (code, version, name, kind, params, weight, created_by) VALUES
  ('KNOWN-SUPPLIER', 1, 'Shipper is, or resolves to, a known precursor supplier in the picture', 'known_supplier', '{}', 0.6, 'migration');
