-- 020: CBP labels the running fiscal year "2026 (FYTD)". Its figures are partial: a
-- total for that year is not comparable with a full year's, so the flag is kept with
-- each figure, and cleared when a later file publishes the year as complete.
ALTER TABLE cbp_seizure_stats ADD COLUMN partial boolean NOT NULL DEFAULT false;
