-- 0002: approval tasks, their messages, the account register, message edits. Readable by kontobot 0.2+.
ALTER TABLE registrations ADD COLUMN round INTEGER NOT NULL DEFAULT 1;

CREATE TABLE tasks (
  id               INTEGER PRIMARY KEY,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  round            INTEGER NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('approval', 'admin', 'startup', 'name_approver')),
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
CREATE INDEX tasks_by_registration ON tasks(registration_id);
CREATE INDEX tasks_open_by_assignee ON tasks(assignee) WHERE status = 'open';

-- The messages that carry a task's buttons, rewritten when it is decided.
CREATE TABLE task_messages (
  task_id     INTEGER NOT NULL REFERENCES tasks(id),
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  PRIMARY KEY (task_id, message_id)
) STRICT;

-- The register (förteckning) of the organisation's accounts.
CREATE TABLE accounts (
  registration_id  INTEGER PRIMARY KEY REFERENCES registrations(id),
  org              TEXT NOT NULL,
  medium           TEXT NOT NULL,
  url              TEXT NOT NULL,
  unit             TEXT NOT NULL,
  purpose          TEXT NOT NULL,
  administrators   TEXT NOT NULL CHECK (json_valid(administrators)),
  approvals        TEXT NOT NULL CHECK (json_valid(approvals)),
  status           TEXT NOT NULL CHECK (status IN ('active', 'closed')),
  registered_at    TEXT NOT NULL
) STRICT;
CREATE INDEX accounts_by_org ON accounts(org, status);

-- A message may be rewritten (an approval request shows its decision), and
-- every write moves it to a new place in the person's feed, so a client
-- polling "after seq N" sees edits too. The old text goes to the audit trail.
ALTER TABLE messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET seq = id;
CREATE INDEX messages_by_person_seq ON messages(person_id, seq);

CREATE TRIGGER messages_edit_only_content BEFORE UPDATE ON messages
WHEN old.id IS NOT new.id OR old.at IS NOT new.at OR old.person_id IS NOT new.person_id
  OR old.channel IS NOT new.channel OR old.direction IS NOT new.direction
BEGIN SELECT RAISE(ABORT, 'only a message''s content can change'); END;
