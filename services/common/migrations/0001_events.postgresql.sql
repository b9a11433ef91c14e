-- The change feed (hændelseslog): append-only, written in the same
-- transaction as the change it announces.
CREATE TABLE events (
  sequence BIGINT PRIMARY KEY,
  municipality_code TEXT NOT NULL,
  type TEXT NOT NULL,
  resource TEXT NOT NULL,
  actor TEXT NOT NULL,
  create_time_micros BIGINT NOT NULL,
  payload BYTEA
);
CREATE INDEX events_by_municipality ON events (municipality_code, sequence);
