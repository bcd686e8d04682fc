-- 0004: durable timers for reminders, escalations and periodic duties. Readable by kontobot 0.4+.

-- One row per step of a wait: the first nudge, each repeat, the escalation,
-- each periodic duty. A row is written in the same transaction as the change
-- that starts the wait (a task opened, a draft touched, an account
-- registered) and closed in the same transaction as the change that ends it.
-- Firing a row marks it 'fired' and writes its messages (outbox rows) and
-- the next step's row in one transaction, so a crash cannot send one step
-- twice.
CREATE TABLE timers (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL,              -- approval, admin, name_approver, draft_idle,
                                          -- snapshot, yearly_review, inactivity
  subject     TEXT NOT NULL,              -- the wait: "task:12", "draft:7", "snapshot:3:2027-01-01"
  person_id   TEXT NOT NULL DEFAULT '',   -- whom the wait is on
  org         TEXT NOT NULL DEFAULT '',   -- the organisation (template id) whose policy applies
  step        INTEGER NOT NULL,           -- 1, 2, ...: one row per nudge/escalation step
  since_at    TEXT NOT NULL,              -- when the wait began ("overdue since")
  due_at      TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('open', 'fired', 'cancelled')),
  detail      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  created_at  TEXT NOT NULL,
  closed_at   TEXT
) STRICT;
-- The scheduler's query: the earliest open rows.
CREATE INDEX timers_due ON timers(due_at) WHERE state = 'open';
-- Cancelling a wait's open row when the wait ends.
CREATE INDEX timers_open_by_subject ON timers(subject) WHERE state = 'open';
CREATE INDEX timers_open_by_person ON timers(person_id) WHERE state = 'open';
