-- Hearings (høringer) of policy revisions. One row per hearing with the
-- columns others filter on; the hearing itself is the serialized snapshot.
-- The treatment half of this service reads name, municipality, policy and
-- state with plain SQL to refuse adoption while a hearing is open or not
-- yet processed.
CREATE TABLE hearings (
  name TEXT PRIMARY KEY,
  municipality TEXT NOT NULL,
  hearing_id TEXT NOT NULL,
  -- The policy's name without "@revision".
  policy TEXT NOT NULL,
  policy_revision TEXT NOT NULL,
  -- kommune.hearing.v1.HearingState number.
  state INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  -- The heard revision's element ids, one per line, taken when the hearing
  -- was created: responses are checked against them without asking the
  -- policy service (whose drafts anonymous responders may not read).
  element_ids TEXT NOT NULL,
  snapshot BLOB NOT NULL
);
CREATE INDEX hearings_by_municipality ON hearings (municipality, hearing_id);
CREATE INDEX hearings_by_policy ON hearings (policy, state);

-- Responses (høringssvar), numbered in the order received per hearing.
CREATE TABLE hearing_responses (
  name TEXT PRIMARY KEY,
  hearing TEXT NOT NULL,
  seq BIGINT NOT NULL,
  party_id TEXT NOT NULL,
  state INTEGER NOT NULL,
  snapshot BLOB NOT NULL,
  UNIQUE (hearing, seq)
);

-- Idempotent retries (AIP-155): the first answer to a request_id. resource
-- names what the answer holds, so purging a response's personal data can
-- purge the stored answer too.
CREATE TABLE hearing_requests (
  municipality TEXT NOT NULL,
  request_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  resource TEXT NOT NULL,
  response BLOB NOT NULL,
  PRIMARY KEY (municipality, request_id)
);
