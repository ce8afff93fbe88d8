-- 017: what follows a committed write (cross-referencing, linking to open cases and
-- telling their owners, registry and emerging-substance checks, shipment scoring)
-- is queued in the write's own transaction, so a process killed between the commit
-- and the end of that work leaves a row here, and the next process to start, or a
-- live one's sweep, finishes it. Readers have no grant on it.
CREATE TABLE after_write_queue (
  id bigserial PRIMARY KEY,
  entity_ids text[] NOT NULL,
  actor text NOT NULL,
  cross_reference boolean NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  last_error text
);

-- A notification that must not be sent twice (e.g. a case owner told of the same
-- record touching the same target, when the after-write work is resumed) names a key.
ALTER TABLE notifications ADD COLUMN dedupe_key text;
CREATE UNIQUE INDEX notifications_dedupe ON notifications (dedupe_key) WHERE dedupe_key IS NOT NULL;
