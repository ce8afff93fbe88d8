-- 012: pre-export notifications for precursors (1988 Convention, art. 12(10)(a)):
-- the exporting authority tells the importing one before the shipment leaves; the
-- importing side acknowledges, clears or objects, and an objection holds the
-- shipment in the targeting queue.
CREATE TABLE pre_export_notifications (
  id serial PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  exporting_agency text NOT NULL REFERENCES agencies (code),
  importing_country text NOT NULL,
  exporter jsonb NOT NULL,
  importer jsonb NOT NULL,
  consignee jsonb NOT NULL,
  substance text NOT NULL,
  cas_number text,
  quantity_kg double precision NOT NULL CHECK (quantity_kg > 0),
  point_of_entry text NOT NULL,
  dispatch_date date NOT NULL,
  -- Links the notification to the shipment when it arrives: a bill of lading or airway bill.
  transport_document text,
  status text NOT NULL DEFAULT 'notified' CHECK (status IN ('notified', 'acknowledged', 'cleared', 'objected')),
  response_note text,
  responded_by text,
  responded_at timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pre_export_document ON pre_export_notifications (transport_document);

ALTER TABLE shipment_scores ADD COLUMN hold text;
