-- 013: private-sector partner reports (carriers, forwarders, marketplaces,
-- platforms) and the feedback they may see. The report itself is a record of the
-- partner's agency in the store, under its marking; this table tracks its handling.
CREATE TABLE partner_reports (
  id serial PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  agency text NOT NULL REFERENCES agencies (code),
  submitted_by text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('shipment', 'listing', 'account')),
  summary text NOT NULL,
  source_record_id text NOT NULL,
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'under review', 'actioned', 'closed')),
  feedback text,
  feedback_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
