-- Policies (politikker): one row per policy, pointing at its current
-- revision. The revisions themselves are immutable snapshots.
CREATE TABLE policies (
  municipality_code TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  uid TEXT NOT NULL,
  state INTEGER NOT NULL,
  display_name TEXT NOT NULL,
  period_start_year INTEGER NOT NULL,
  period_end_year INTEGER NOT NULL,
  current_revision BIGINT NOT NULL,
  supersedes TEXT NOT NULL,
  PRIMARY KEY (municipality_code, policy_id)
);
CREATE INDEX policies_by_state ON policies (state, municipality_code, policy_id);

CREATE TABLE policy_revisions (
  municipality_code TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  revision BIGINT NOT NULL,
  actor TEXT NOT NULL,
  snapshot BLOB NOT NULL,
  PRIMARY KEY (municipality_code, policy_id, revision)
);

-- Idempotent retries (AIP-155): the first answer to a request_id, kept so a
-- retry gets the same answer and changes nothing.
CREATE TABLE policy_requests (
  municipality_code TEXT NOT NULL,
  request_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response BLOB NOT NULL,
  PRIMARY KEY (municipality_code, request_id)
);
