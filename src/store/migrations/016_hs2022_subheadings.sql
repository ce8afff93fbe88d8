-- 016: HS 2022 gave fentanyl and its precursors their own subheadings (2933.34 other
-- fentanyls, 2933.36 ANPP, 2933.37 NPP), and tableting punches and dies are declared
-- under 8207.30. New versions of the HS rules cover them; reference/substances.csv
-- holds the codes, and a test keeps the rules and the reference list in step.
UPDATE targeting_rules SET active = false WHERE code IN ('HS-PRECURSOR', 'HS-PRESS');
INSERT INTO targeting_rules (code, version, name, kind, params, weight, created_by)
SELECT 'HS-PRECURSOR', max(version) + 1, 'Fentanyl and precursor HS codes (2933.33-.39 incl. the HS 2022 ANPP and NPP subheadings; amines; propionic acid derivatives)', 'hs_code',
       '{"prefixes": ["2933.33", "2933.34", "2933.36", "2933.37", "2933.39", "2921", "2915.90"]}', 0.5, 'migration'
  FROM targeting_rules WHERE code = 'HS-PRECURSOR';
INSERT INTO targeting_rules (code, version, name, kind, params, weight, created_by)
SELECT 'HS-PRESS', max(version) + 1, 'Tableting and encapsulating machines, their parts, punches and dies (HS 8479.30, 8479.89, 8479.90, 8207.30)', 'hs_code',
       '{"prefixes": ["8479.30", "8479.89", "8479.90", "8207.30"]}', 0.45, 'migration'
  FROM targeting_rules WHERE code = 'HS-PRESS';
