-- 0012: absences of an account's administrators and who covers them. Readable by kontobot 0.9+.

-- An administrator away for a period and the administrator who covers: the
-- cover is asked (requested), accepts (in_force) or declines; the period
-- ends (ended); or nobody could cover and the organisation's absence rule
-- was put to the administrators (uncovered). Each change is also in the
-- audit trail and the account's history.
CREATE TABLE absences (
  id               INTEGER PRIMARY KEY,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  person           TEXT NOT NULL,               -- the absent administrator
  cover            TEXT NOT NULL DEFAULT '',      -- who covers; '' until chosen
  from_date        TEXT NOT NULL,               -- local date, YYYY-MM-DD, first day away
  to_date          TEXT NOT NULL,               -- local date, the last day away
  state            TEXT NOT NULL CHECK (state IN ('requested', 'in_force', 'declined',
                                                   'cancelled', 'ended', 'uncovered')),
  reported_by      TEXT NOT NULL,               -- person id
  reported_at      TEXT NOT NULL,
  changed_at       TEXT NOT NULL,               -- the last change of state
  detail           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
) STRICT;
CREATE INDEX absences_by_account ON absences(registration_id, state);
