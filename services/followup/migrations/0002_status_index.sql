-- The statuses last announced are read per municipality on every refresh.
CREATE INDEX indicator_statuses_by_municipality ON indicator_statuses (municipality);
