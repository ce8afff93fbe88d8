-- 018: derived data under the same rule as the statements it comes from.
--
-- A security review found values and ids escaping through what is computed from
-- statements as the system: reference values naming hidden entities, possible-link
-- reasons quoting hidden values, agency-wide alerts naming hidden seizures, press
-- alerts and sightings read by anyone. Each derived row now carries the highest
-- marking of what it quotes (computed in TypeScript by highestMarking and interned),
-- and cp_reader reads it under the same readable_markings view as statements.

-- A reference (an entity-typed value) is visible only when its target's existence is:
-- otherwise the id of a hidden entity, which may embed an identifier, reaches the reader.
DROP POLICY statements_read ON statements;
CREATE POLICY statements_read ON statements FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings)
         AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = statements.entity_id)
         AND (prop_type <> 'entity' OR EXISTS (SELECT 1 FROM presence t WHERE t.entity_id = statements.value)));

-- Possible links: the marking of everything the match could quote (both entities'
-- statements and presences). Rows from before this migration have none and stay
-- hidden (fail closed) until cross-referencing marks them (src/resolve/xref.ts).
ALTER TABLE possible_links ADD COLUMN marking_id int REFERENCES markings (id);
DROP POLICY possible_links_read ON possible_links;
CREATE POLICY possible_links_read ON possible_links FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings)
         AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = possible_links.left_id)
         AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = possible_links.right_id));

-- Notifications: addressed rows only (the reader's agency, and the reader or all of
-- it); a marked notification shows its message only to a reader who may read its
-- marking, and to others its pointer (who holds the record), chosen in SQL under the
-- reader's settings (src/notify/notifications.ts).
ALTER TABLE notifications ADD COLUMN marking_id int REFERENCES markings (id);
ALTER TABLE notifications ADD COLUMN pointer text;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY notifications_read ON notifications FOR SELECT TO cp_reader
  USING (agency = current_setting('cp.agency')
         AND (user_id IS NULL OR user_id = current_setting('cp.user')::int));
GRANT SELECT ON notifications TO cp_reader;
-- Agency-wide alerts written before markings were kept quoted seizures as the system:
-- they become pointers (their content can be found again through the record).
UPDATE notifications SET message = 'An alert written before notifications carried markings; ask the holding agency for the record.',
  ref = NULL, payload = NULL
  WHERE user_id IS NULL AND kind IN ('substance.emerging', 'press.alert');

-- Press alerts and the sightings/seizures that records add to a press's history quote
-- the record (entity ids, record references, owner names): marked as what they quote.
-- Events entered in the registry itself (registration, transfer, ...) are unmarked.
ALTER TABLE press_alerts ADD COLUMN marking_id int REFERENCES markings (id);
ALTER TABLE press_events ADD COLUMN marking_id int REFERENCES markings (id);
UPDATE press_events SET note = NULL, record_ref = NULL, entity_id = NULL WHERE kind IN ('seizure', 'sighting');
ALTER TABLE press_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE press_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY press_alerts_read ON press_alerts FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings));
CREATE POLICY press_events_read ON press_events FOR SELECT TO cp_reader
  USING (marking_id IS NULL OR marking_id IN (SELECT id FROM readable_markings));
GRANT SELECT ON presses, press_alerts, press_events TO cp_reader;

-- A record written by a user lives in the writer's key space when an existing record
-- under the same (source, source record id) holds what the writer may not read: the
-- write neither replaces it nor learns that it exists (src/store/write.ts).
ALTER TABLE records ADD COLUMN key_scope text NOT NULL DEFAULT '';
ALTER TABLE records DROP CONSTRAINT records_source_source_record_id_key;
ALTER TABLE records ADD CONSTRAINT records_key UNIQUE (source, source_record_id, key_scope);

-- Shipment scores: each reason carries the marking of what it read (in its JSON), and
-- the exam queue is assembled in the reader's transaction from the reasons they may
-- read (src/targeting/score.ts). Scores made before are rescored on the next write or
-- `chokepoint targeting rescore`; until then their unmarked reasons count for nobody.
GRANT SELECT ON shipment_scores TO cp_reader;

-- Watchlist nominations (with their derogatory basis), their history, the case owners'
-- equities and the downgraded screening records: read under the nomination's marking.
ALTER TABLE nominations ENABLE ROW LEVEL SECURITY;
ALTER TABLE nomination_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE nomination_equities ENABLE ROW LEVEL SECURITY;
CREATE POLICY nominations_read ON nominations FOR SELECT TO cp_reader
  USING (marking_id IN (SELECT id FROM readable_markings));
CREATE POLICY nomination_events_read ON nomination_events FOR SELECT TO cp_reader
  USING (EXISTS (SELECT 1 FROM nominations n WHERE n.id = nomination_events.nomination_id));
CREATE POLICY nomination_equities_read ON nomination_equities FOR SELECT TO cp_reader
  USING (EXISTS (SELECT 1 FROM nominations n WHERE n.id = nomination_equities.nomination_id));
GRANT SELECT ON nominations, nomination_events, nomination_equities, screening_records TO cp_reader;

-- Targeting rules are shared reference data; rule hit rates are counted in the reader's
-- transaction over the shipments and reasons they may see.
GRANT SELECT ON targeting_rules TO cp_reader;
