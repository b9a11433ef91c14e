-- How far each service's change feed has been read. The cursor moves in
-- the same transaction that queues the deliveries its events made.
CREATE TABLE feed_cursors (
  feed TEXT PRIMARY KEY,
  sequence BIGINT NOT NULL
);

-- Deliveries (leveringer), one per journal record. seq orders the
-- documents of a case: only the oldest undelivered one of a case is sent.
CREATE TABLE deliveries (
  seq BIGINT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  municipality TEXT NOT NULL,
  case_key TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  state INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  -- Microseconds since the epoch.
  next_attempt BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  -- The suite's resource the document is about, and the number the ESDH
  -- system gave the document ('' until reported).
  resource TEXT NOT NULL,
  document_number TEXT NOT NULL,
  snapshot BLOB NOT NULL
);
CREATE INDEX deliveries_by_resource ON deliveries (resource);
CREATE INDEX deliveries_by_case ON deliveries (case_key, state, seq);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
CREATE INDEX deliveries_by_municipality ON deliveries (municipality, seq);

-- What belongs to an ESDH case, from every event seen.
CREATE TABLE case_members (
  municipality TEXT NOT NULL,
  case_number TEXT NOT NULL,
  resource TEXT NOT NULL,
  service TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  PRIMARY KEY (municipality, case_number, resource)
);
CREATE INDEX case_members_by_resource ON case_members (resource);
