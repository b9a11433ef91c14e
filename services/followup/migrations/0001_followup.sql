-- Indicators (indikatorer). The columns others filter on, and the indicator
-- itself as a serialized snapshot.
CREATE TABLE indicators (
  name TEXT PRIMARY KEY,
  municipality TEXT NOT NULL,
  indicator_id TEXT NOT NULL,
  -- The catalogue definition it opts in to, or ''.
  catalogue TEXT NOT NULL,
  snapshot BLOB NOT NULL
);
CREATE INDEX indicators_by_municipality ON indicators (municipality, indicator_id);
CREATE INDEX indicators_by_catalogue ON indicators (catalogue, municipality);

-- Which policies an indicator measures, for reports and filters.
CREATE TABLE indicator_policies (
  policy TEXT NOT NULL,
  indicator TEXT NOT NULL,
  PRIMARY KEY (policy, indicator)
);
CREATE INDEX indicator_policies_by_indicator ON indicator_policies (indicator);

-- Measurements (målinger). A correction adds a version and marks the one
-- before it superseded; nothing is overwritten.
CREATE TABLE measurements (
  indicator TEXT NOT NULL,
  period TEXT NOT NULL,
  series INTEGER NOT NULL,
  version INTEGER NOT NULL,
  -- Periods in order (see periods.h), for trends and paging.
  period_index BIGINT NOT NULL,
  is_current INTEGER NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  assessed_status INTEGER NOT NULL,
  source TEXT NOT NULL,
  note TEXT NOT NULL,
  entered_by TEXT NOT NULL,
  -- Microseconds since the epoch.
  create_time BIGINT NOT NULL,
  supersede_time BIGINT,
  PRIMARY KEY (indicator, period, series, version)
);
CREATE INDEX measurements_current ON measurements (indicator, is_current, period_index);

-- The last status announced per indicator, so that only changes reach the
-- change feed.
CREATE TABLE indicator_statuses (
  indicator TEXT PRIMARY KEY,
  municipality TEXT NOT NULL,
  status INTEGER NOT NULL,
  snapshot BLOB NOT NULL
);

-- Reporting rounds (afrapporteringsrunder).
CREATE TABLE reporting_rounds (
  name TEXT PRIMARY KEY,
  municipality TEXT NOT NULL,
  round_id TEXT NOT NULL,
  snapshot BLOB NOT NULL
);
CREATE INDEX reporting_rounds_by_municipality ON reporting_rounds (municipality, round_id);

-- Follow-up reports, frozen when made.
CREATE TABLE followup_reports (
  name TEXT PRIMARY KEY,
  municipality TEXT NOT NULL,
  report_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  snapshot BLOB NOT NULL
);
CREATE INDEX followup_reports_by_municipality ON followup_reports (municipality, report_id);

-- The shared catalogue of indicator definitions.
CREATE TABLE catalogue_indicators (
  name TEXT PRIMARY KEY,
  snapshot BLOB NOT NULL
);

-- Idempotent retries (AIP-155).
CREATE TABLE followup_requests (
  municipality TEXT NOT NULL,
  request_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response BLOB NOT NULL,
  PRIMARY KEY (municipality, request_id)
);
