-- Political treatment (behandling): the municipality's process templates and
-- each policy's treatment case, both stored as serialized snapshots.
CREATE TABLE process_templates (
  municipality_code TEXT NOT NULL,
  template_id TEXT NOT NULL,
  snapshot BLOB NOT NULL,
  PRIMARY KEY (municipality_code, template_id)
);

CREATE TABLE treatment_cases (
  municipality_code TEXT NOT NULL,
  case_id TEXT NOT NULL,
  policy TEXT NOT NULL,
  state INTEGER NOT NULL,
  -- 1 while the final approval waits for the policy service to adopt.
  adoption_pending INTEGER NOT NULL,
  snapshot BLOB NOT NULL,
  PRIMARY KEY (municipality_code, case_id)
);
CREATE INDEX treatment_cases_by_policy ON treatment_cases (policy);
CREATE INDEX treatment_cases_pending ON treatment_cases (adoption_pending);

-- Idempotent retries (AIP-155) of CreateTreatmentCase and RecordDecision.
CREATE TABLE treatment_requests (
  municipality_code TEXT NOT NULL,
  request_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response BLOB NOT NULL,
  PRIMARY KEY (municipality_code, request_id)
);
