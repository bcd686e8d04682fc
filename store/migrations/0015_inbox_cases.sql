-- 0015: the social inbox's handling cases: a flagged item's case and its tasks (save the copy, remove, register, report). Readable by kontobot 0.11+.

-- One case per flagged item. reason: identity_number (found on arrival),
-- word_list (a hit on one of the template's lists; `lists` names them),
-- flag (an administrator's Flagga). The diarienummer is the registrar's,
-- given in chat ("diarienummer K3 KS 2026/0042"). notices: {person id:
-- message id}, the case's message to each person, rewritten as tasks are
-- done. Closed when no task is open.
CREATE TABLE inbox_cases (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id          INTEGER NOT NULL UNIQUE REFERENCES inbox_items(id),
  registration_id  INTEGER REFERENCES registrations(id),
  reason           TEXT NOT NULL CHECK (reason IN ('identity_number', 'word_list', 'flag')),
  lists            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lists)),
  diarienummer     TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  opened_by        TEXT NOT NULL,               -- person id, or 'kontobot'
  opened_at        TEXT NOT NULL,
  closed_at        TEXT,
  notices          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(notices))
) STRICT;
CREATE INDEX inbox_cases_open ON inbox_cases(state, registration_id);

-- The case's tasks in the template's order. state: open, done, skipped (a
-- person judged it not needed); done_by: person id, 'kontobot' (the copy)
-- or 'platform' (the comment removed or hidden on the platform).
CREATE TABLE inbox_case_tasks (
  case_id          INTEGER NOT NULL REFERENCES inbox_cases(id),
  position         INTEGER NOT NULL,
  task_id          TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('copy', 'remove', 'register', 'report')),
  confirmed_by     TEXT NOT NULL,
  report_to        TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL CHECK (state IN ('open', 'done', 'skipped')),
  done_by          TEXT NOT NULL DEFAULT '',
  done_at          TEXT,
  PRIMARY KEY (case_id, position)
) STRICT;
