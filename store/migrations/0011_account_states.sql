-- 0011: the register's states (approved, listed, closed for posts, closed), closing tasks, and the register's history. Readable by kontobot 0.8+.

-- An approved account is listed publicly only once it exists (the start-up
-- step a template marks creates_account); an account can be closed for
-- incoming posts (SMC, Trosa) or closed. The old 'active' is 'listed'.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- under its own name (nothing references accounts).
ALTER TABLE accounts RENAME TO accounts_0010;
CREATE TABLE accounts (
  registration_id  INTEGER PRIMARY KEY REFERENCES registrations(id),
  org              TEXT NOT NULL,
  medium           TEXT NOT NULL,
  url              TEXT NOT NULL,
  unit             TEXT NOT NULL,
  purpose          TEXT NOT NULL,
  administrators   TEXT NOT NULL CHECK (json_valid(administrators)),
  approvals        TEXT NOT NULL CHECK (json_valid(approvals)),
  status           TEXT NOT NULL CHECK (status IN ('approved', 'listed', 'closed_for_posts',
                                                   'closed')),
  registered_at    TEXT NOT NULL,
  listed_at        TEXT,
  closed_at        TEXT,
  close_reason     TEXT NOT NULL DEFAULT '',
  closed_by        TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators, approvals,
                     status, registered_at, listed_at)
  SELECT registration_id, org, medium, url, unit, purpose, administrators, approvals,
         CASE status WHEN 'active' THEN 'listed' ELSE 'closed' END, registered_at,
         CASE status WHEN 'active' THEN registered_at END
  FROM accounts_0010;
DROP TABLE accounts_0010;
CREATE INDEX accounts_by_org ON accounts(org, status);

-- Tasks get the kind 'closing' (the steps of closing an account). tasks is
-- referenced by task_messages, whose reference follows a rename: both are
-- rebuilt, the child first dropped, so no reference is left dangling.
ALTER TABLE tasks RENAME TO tasks_0010;
ALTER TABLE task_messages RENAME TO task_messages_0010;
CREATE TABLE tasks (
  id               INTEGER PRIMARY KEY,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  round            INTEGER NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('approval', 'admin', 'startup', 'name_approver',
                                                 'closing')),
  step_id          TEXT NOT NULL,
  stage            INTEGER NOT NULL,
  assignee         TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'accepted',
                                                   'declined', 'done', 'cancelled')),
  decided_by       TEXT,
  decided_at       TEXT,
  reason           TEXT NOT NULL DEFAULT '',
  detail           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  created_at       TEXT NOT NULL
) STRICT;
INSERT INTO tasks SELECT * FROM tasks_0010;
CREATE TABLE task_messages (
  task_id     INTEGER NOT NULL REFERENCES tasks(id),
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  PRIMARY KEY (task_id, message_id)
) STRICT;
INSERT INTO task_messages SELECT * FROM task_messages_0010;
DROP TABLE task_messages_0010;
DROP TABLE tasks_0010;
CREATE INDEX tasks_by_registration ON tasks(registration_id);
CREATE INDEX tasks_open_by_assignee ON tasks(assignee) WHERE status = 'open';

-- The register's history: every state change and change of an entry, who,
-- when, what. A record in itself, so append-only. Earlier changes, kept in
-- the audit trail until now, are copied in.
CREATE TABLE account_history (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  at               TEXT NOT NULL,
  by               TEXT NOT NULL,               -- person id, or 'kontobot'
  event            TEXT NOT NULL,               -- e.g. 'register.listed'
  from_status      TEXT NOT NULL DEFAULT '',
  to_status        TEXT NOT NULL DEFAULT '',
  detail           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
) STRICT;
CREATE INDEX account_history_by_account ON account_history(registration_id, id);
CREATE TRIGGER account_history_no_update BEFORE UPDATE ON account_history
BEGIN SELECT RAISE(ABORT, 'the register''s history is append-only'); END;
CREATE TRIGGER account_history_no_delete BEFORE DELETE ON account_history
BEGIN SELECT RAISE(ABORT, 'the register''s history is append-only'); END;
INSERT INTO account_history(registration_id, at, by, event, detail)
  SELECT CAST(substr(subject, 14) AS INTEGER), at, actor, action, detail FROM audit
  WHERE subject LIKE 'registration:%'
    AND action IN ('register.added', 'account.close_requested', 'register.changed',
                   'register.closed')
    AND CAST(substr(subject, 14) AS INTEGER) IN (SELECT id FROM registrations)
  ORDER BY id;
-- An INSERT of no rows still leaves account_history a sqlite_sequence row
-- (0), which a fresh install does not have.
DELETE FROM sqlite_sequence WHERE name = 'account_history' AND seq = 0;
