-- 015: LIST-HIT, version 2: only list matches with a calibrated score of 0.5 or more
-- count (weaker ones stay leads for analysts in screening, not reasons to stop cargo).
UPDATE targeting_rules SET active = false WHERE code = 'LIST-HIT';
INSERT INTO targeting_rules (code, version, name, kind, params, weight, created_by)
SELECT 'LIST-HIT', max(version) + 1, 'Shipper, consignee or notify party matches the sanctions lists (calibrated score 0.5 or more) or the watchlist', 'list_hit', '{"minScore": 0.5}', 0.7, 'migration'
  FROM targeting_rules WHERE code = 'LIST-HIT';
