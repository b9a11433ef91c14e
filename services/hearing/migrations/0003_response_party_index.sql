-- A party's standing response is looked up on every submission.
CREATE INDEX hearing_responses_party ON hearing_responses (hearing, party_id, state);
