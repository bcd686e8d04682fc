-- The whole schema at version 17, for a fresh install: what migrations 0001
-- to 0017 (store/migrations/) leave, created in one transaction and stamped
-- with their version (PRAGMA user_version). A database that already exists
-- still takes the migrations, one at a time (store/schema.h).
--
-- Keep it equal to the migrations: a new migration changes this file too,
-- and tests/store/schema_test.cc fails until it does. A column that a
-- migration added stands last in its table, where ALTER TABLE put it; the
-- number after a comment's "--" names the migration a table or column
-- comes from where it is not the table's own.

-- People, their sessions and drafts ----------------------------------------

-- Everyone kontobot has met (0001).
CREATE TABLE persons (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  org         TEXT NOT NULL,
  first_seen  TEXT NOT NULL,
  -- The language the person chose (0007); NULL: never chosen, so the
  -- directory's language (or Swedish) applies.
  lang        TEXT CHECK (lang IS NULL OR lang IN ('sv', 'en'))
) STRICT;

-- Where a person's conversation is (0001).
CREATE TABLE sessions (
  person_id     TEXT PRIMARY KEY REFERENCES persons(id),
  lang          TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
  active_draft  INTEGER,
  pending       TEXT NOT NULL DEFAULT '',
  updated_at    TEXT NOT NULL
) STRICT;

-- A registration while it is filled in (0001).
CREATE TABLE drafts (
  id                INTEGER PRIMARY KEY,
  person_id         TEXT NOT NULL REFERENCES persons(id),
  org               TEXT NOT NULL,
  template_id       TEXT NOT NULL,
  template_version  INTEGER NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'cancelled')),
  state             TEXT NOT NULL CHECK (json_valid(state)),
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX drafts_by_person ON drafts(person_id, status);

-- Registrations, their approval and the register -----------------------------

-- A submitted registration: the answers as they were at submission (0001).
CREATE TABLE registrations (
  id                INTEGER PRIMARY KEY REFERENCES drafts(id),
  person_id         TEXT NOT NULL REFERENCES persons(id),
  org               TEXT NOT NULL,
  template_id       TEXT NOT NULL,
  template_version  INTEGER NOT NULL,
  answers           TEXT NOT NULL CHECK (json_valid(answers)),
  status            TEXT NOT NULL,
  submitted_at      TEXT NOT NULL,
  round             INTEGER NOT NULL DEFAULT 1   -- 0002: counts resubmissions
) STRICT;

-- Approvals and the other tasks of a registration's round (0002), and the
-- steps of closing its account (0011).
CREATE TABLE tasks (
  id               INTEGER PRIMARY KEY,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  round            INTEGER NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('approval', 'admin', 'startup', 'name_approver',
                                                 'closing')),                  -- 'closing': 0011
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

-- The register (förteckning) of the organisation's accounts (0002).
CREATE TABLE accounts (
  registration_id  INTEGER PRIMARY KEY REFERENCES registrations(id),
  org              TEXT NOT NULL,
  medium           TEXT NOT NULL,
  url              TEXT NOT NULL,
  unit             TEXT NOT NULL,
  purpose          TEXT NOT NULL,
  administrators   TEXT NOT NULL CHECK (json_valid(administrators)),
  approvals        TEXT NOT NULL CHECK (json_valid(approvals)),
  -- 0011: 'approved' (not yet created: internal register only), 'listed',
  -- 'closed_for_posts' (still public, marked so), 'closed'.
  status           TEXT NOT NULL CHECK (status IN ('approved', 'listed', 'closed_for_posts',
                                                   'closed')),
  registered_at    TEXT NOT NULL,
  listed_at        TEXT,                        -- 0011
  closed_at        TEXT,                        -- 0011: closed, or closed for posts
  close_reason     TEXT NOT NULL DEFAULT '',    -- 0011
  closed_by        TEXT NOT NULL DEFAULT '',    -- 0011: person id
  -- 0013: the entry's version (a change is written over the version it was
  -- computed from), the login address and its holder (person JSON).
  version INTEGER NOT NULL DEFAULT 0,
  login_email TEXT NOT NULL DEFAULT '',
  login_holder TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX accounts_by_org ON accounts(org, status);

-- The register's history (0011): every state change and change of an
-- entry, who, when, what. Append-only.
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

-- Public records: the diary and the release log (0008) -----------------------

-- A case's registration in the organisation's diary (OSL 5 kap. 1 §), set
-- by the information function; a change overwrites the row, and the audit
-- trail keeps the old value ('diary.set').
CREATE TABLE case_diary (
  registration_id  INTEGER PRIMARY KEY REFERENCES registrations(id),
  diarienummer     TEXT NOT NULL CHECK (length(diarienummer) BETWEEN 1 AND 100),
  registered_on    TEXT NOT NULL,   -- local calendar date, YYYY-MM-DD
  set_by           TEXT NOT NULL,   -- person id
  set_at           TEXT NOT NULL
) STRICT;

-- Every release (utlämnande) of a case's records, with the SHA-256 of each
-- file handed out. A record in itself, so append-only.
CREATE TABLE releases (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  released_at      TEXT NOT NULL,
  released_by      TEXT NOT NULL,   -- person id (the registrar)
  recipient        TEXT NOT NULL,   -- as the registrar wrote it; may be "anonymous"
  version          TEXT NOT NULL CHECK (version IN ('complete', 'masked')),
  lang             TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
  files            TEXT NOT NULL CHECK (json_valid(files))  -- [{"name", "size", "sha256"}]
) STRICT;
CREATE INDEX releases_by_registration ON releases(registration_id, id);

CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'the release log is append-only'); END;
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'the release log is append-only'); END;

-- The conversation record and the audit trail ---------------------------------

-- Every message in and out, per person and channel (0001). A message may be
-- rewritten (an approval request shows its decision), and every write moves
-- it to a new place in the person's feed (seq), so a client polling "after
-- seq N" sees edits too; the old text goes to the audit trail.
CREATE TABLE messages (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  person_id   TEXT NOT NULL REFERENCES persons(id),
  channel     TEXT NOT NULL,
  direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  text        TEXT NOT NULL,
  buttons     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(buttons)),
  input       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(input)),
  draft_id    INTEGER,
  edited_at   TEXT,
  seq         INTEGER NOT NULL DEFAULT 0,   -- 0002: the feed position
  -- 0010: 64 random bits naming the message on a platform in every
  -- installation (Slack block_ids); '' for messages written before 0010.
  marker      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX messages_by_person ON messages(person_id, id);
CREATE INDEX messages_by_draft ON messages(draft_id) WHERE draft_id IS NOT NULL;
CREATE INDEX messages_by_person_seq ON messages(person_id, seq);   -- 0002
-- Finding the next feed position must not scan every message (0003).
CREATE INDEX messages_by_seq ON messages(seq);
-- A person's last message to kontobot, without reading what was sent to
-- them (0016).
CREATE INDEX messages_in_by_person ON messages(person_id, id) WHERE direction = 'in';

CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are a public record and cannot be deleted'); END;
CREATE TRIGGER messages_edit_only_content BEFORE UPDATE ON messages   -- 0002
WHEN old.id IS NOT new.id OR old.at IS NOT new.at OR old.person_id IS NOT new.person_id
  OR old.channel IS NOT new.channel OR old.direction IS NOT new.direction
BEGIN SELECT RAISE(ABORT, 'only a message''s content can change'); END;

-- The messages that carry a task's buttons, rewritten when it is decided
-- (0002).
CREATE TABLE task_messages (
  task_id     INTEGER NOT NULL REFERENCES tasks(id),
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  PRIMARY KEY (task_id, message_id)
) STRICT;

-- The audit trail: append-only (0001).
CREATE TABLE audit (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       TEXT NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  subject  TEXT NOT NULL,
  detail   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
) STRICT;
CREATE INDEX audit_by_subject ON audit(subject, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Chat platforms: what comes in ----------------------------------------------

-- Every inbound platform event we acknowledged, so a retry is processed
-- once (0003).
CREATE TABLE inbound_events (
  platform     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  PRIMARY KEY (platform, event_id)
) STRICT;

-- Verified platform events waiting to be processed (0005), written with
-- their inbound_events row and deleted with the event's effects, so each
-- takes effect exactly once. `waiting_for` parks an event until what it
-- needs has arrived ('user:U123': a users.info lookup), or is 'failed'
-- (last_error says why); '' means ready.
CREATE TABLE inbound_queue (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  platform     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  payload      TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  waiting_for  TEXT NOT NULL DEFAULT '',
  last_error   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX inbound_queue_ready ON inbound_queue(id) WHERE waiting_for = '';
CREATE INDEX inbound_queue_waiting ON inbound_queue(platform, waiting_for) WHERE waiting_for <> '';

-- The last id moved here from the landing file ("<db>-inbound",
-- store/landing.h), set in the same transaction as the move (0006). One row.
CREATE TABLE inbound_landing (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  moved_through  INTEGER NOT NULL
) STRICT;
INSERT INTO inbound_landing(id, moved_through) VALUES (1, 0);

-- Matrix transactions already answered, with a digest of their content, so
-- that a retried txnId with other content is told apart; forgotten after a
-- week (0009).
CREATE TABLE matrix_transactions (
  txn_id       TEXT PRIMARY KEY,
  digest       TEXT NOT NULL,            -- SHA-256 of the body as parsed JSON, hex
  received_at  TEXT NOT NULL
) STRICT;
CREATE INDEX matrix_transactions_by_age ON matrix_transactions(received_at);

-- Chat platforms: what goes out, and who and what is where --------------------

-- Calls to platform APIs, written in the same transaction as the change that
-- caused them and delivered by a background sender, in order per `lane`
-- (a person or channel) (0003).
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  platform     TEXT NOT NULL,
  kind         TEXT NOT NULL,            -- post, update, raw_post
  lane         TEXT NOT NULL,            -- ordering key
  person_id    TEXT,
  message_id   INTEGER,
  payload      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      TEXT NOT NULL,
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  sent_at      TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox(status, next_at) WHERE status = 'pending';
CREATE INDEX outbox_lanes ON outbox(platform, lane, id) WHERE status = 'pending';

-- Where a person is reached on a platform (a Slack DM channel id) (0003).
CREATE TABLE platform_channels (
  platform   TEXT NOT NULL,
  person_id  TEXT NOT NULL,
  channel    TEXT NOT NULL,
  PRIMARY KEY (platform, person_id)
) STRICT;

-- A message as the platform knows it (Slack channel + ts) (0003).
CREATE TABLE platform_messages (
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  platform    TEXT NOT NULL,
  channel     TEXT NOT NULL,
  ref         TEXT NOT NULL,
  PRIMARY KEY (message_id, platform)
) STRICT;

-- A platform user's e-mail address as the platform gave it (Slack
-- users.info), lower case, '' if it had none (0005). The directory person
-- is found by that address each time.
CREATE TABLE platform_users (
  platform      TEXT NOT NULL,
  account       TEXT NOT NULL,
  email         TEXT NOT NULL,
  looked_up_at  TEXT NOT NULL,
  PRIMARY KEY (platform, account)
) STRICT;
CREATE INDEX platform_users_by_email ON platform_users(platform, email);

-- Timers ------------------------------------------------------------------------

-- One row per step of a wait: a nudge, a repeat, an escalation, a periodic
-- duty (0004). Written and closed in the same transactions as the changes
-- that start and end the wait; firing a row and writing the next step's
-- row is one transaction, so a crash cannot send one step twice.
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

-- Absence cover -------------------------------------------------------------------

-- An administrator away for a period and the administrator who covers
-- (0012): requested, in_force, declined, cancelled, ended, or uncovered
-- (nobody could cover: the organisation's absence rule was put to the
-- administrators).
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

-- Changes of a running account asked for in chat (0013): applied, awaiting
-- the new administrators' acceptance, declined by them, or refused.
CREATE TABLE account_changes (
  id               INTEGER PRIMARY KEY,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  kind             TEXT NOT NULL,               -- add_admin, remove_admin, replace_admin, ...
  detail           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  state            TEXT NOT NULL CHECK (state IN ('awaiting_acceptance', 'applied', 'declined',
                                                   'refused')),
  requested_by     TEXT NOT NULL,               -- person id
  requested_at     TEXT NOT NULL,
  decided_by       TEXT NOT NULL DEFAULT '',    -- who accepted or declined
  changed_at       TEXT NOT NULL
) STRICT;
CREATE INDEX account_changes_by_account ON account_changes(registration_id, state);

-- Social inbox (0014) -------------------------------------------------------------

-- Which account a platform's page or profile id belongs to: a Facebook
-- Page id, an Instagram professional account id, or a generic source's
-- account_ref. Set by the information function in chat ("sida 12
-- 1234567890"); one id names one account, an account may have several.
CREATE TABLE account_pages (
  page_id          TEXT PRIMARY KEY,
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  set_by           TEXT NOT NULL,               -- person id
  set_at           TEXT NOT NULL
) STRICT;
CREATE INDEX account_pages_by_account ON account_pages(registration_id);

-- One public comment (message, mention, e-mail) as it arrived: `text` and
-- `raw` (the request's exact bytes) are the record and are never shown;
-- `shown` is the text with identity numbers masked, what chat, logs and
-- pages show. An item for a page no account has is kept with
-- registration_id NULL and shown to the information function.
-- state: open (awaiting an answer), answered, hidden, removed, reply (the
-- account's own reply, which ends its parent's wait).
CREATE TABLE inbox_items (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  source           TEXT NOT NULL,
  external_id      TEXT NOT NULL,
  page_id          TEXT NOT NULL,
  registration_id  INTEGER REFERENCES registrations(id),
  kind             TEXT NOT NULL,
  thread_id        TEXT NOT NULL,
  parent_id        TEXT NOT NULL,
  author_id        TEXT NOT NULL,
  author_name      TEXT NOT NULL,
  text             TEXT NOT NULL,
  shown            TEXT NOT NULL,
  permalink        TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  received_at      TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('open', 'answered', 'hidden', 'removed', 'reply')),
  flagged          INTEGER NOT NULL DEFAULT 0,  -- 1: holds an identity number
  raw              TEXT NOT NULL,
  changed_at       TEXT NOT NULL,
  changed_by       TEXT NOT NULL DEFAULT '',    -- person id, or 'platform'
  -- Where it was shown: {person id: message id}. Items of one account
  -- arriving together share their messages (gathered).
  notices          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(notices)),
  UNIQUE (source, external_id)
) STRICT;
CREATE INDEX inbox_items_by_account ON inbox_items(registration_id, state);

-- Every later change of an item as the platform reported it (edited,
-- removed, hidden, unhidden), with its own exact request bytes: an edit
-- never overwrites the record of what was first published. Append-only.
CREATE TABLE inbox_changes (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id          INTEGER NOT NULL REFERENCES inbox_items(id),
  verb             TEXT NOT NULL,
  text             TEXT NOT NULL,
  raw              TEXT NOT NULL,
  at               TEXT NOT NULL
) STRICT;
CREATE TRIGGER inbox_changes_append_only_update BEFORE UPDATE ON inbox_changes
  BEGIN SELECT RAISE(ABORT, 'inbox_changes is append-only'); END;
CREATE TRIGGER inbox_changes_append_only_delete BEFORE DELETE ON inbox_changes
  BEGIN SELECT RAISE(ABORT, 'inbox_changes is append-only'); END;

-- Social inbox handling cases (0015) ----------------------------------------------

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

-- The chat platforms' originals and their disposals (0017) ------------------

-- A message a person wrote or a button they pressed on a chat platform, as
-- the platform delivered it (Slack's body byte for byte, with its signature
-- headers; a Matrix event or Mattermost post as its JSON object). Never
-- kept for a password-like text. Removed only by a recorded disposal.
CREATE TABLE message_originals (
  message_id    INTEGER PRIMARY KEY REFERENCES messages(id),
  platform      TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  headers       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(headers)),
  body          TEXT NOT NULL
) STRICT;
CREATE INDEX message_originals_by_time ON message_originals(received_at);

-- A disposal (gallring): what, under which decision, by whom, when; written
-- before the rows go, in the same transaction.
CREATE TABLE disposals (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           TEXT NOT NULL,
  by           TEXT NOT NULL,       -- person id
  what         TEXT NOT NULL CHECK (what IN ('message_originals')),
  before       TEXT NOT NULL,       -- local date: what arrived before it
  decision     TEXT NOT NULL,       -- the gallringsbeslut, as the registrar wrote it
  count        INTEGER NOT NULL
) STRICT;

CREATE TRIGGER disposals_no_update BEFORE UPDATE ON disposals
BEGIN SELECT RAISE(ABORT, 'the disposal log is append-only'); END;
CREATE TRIGGER disposals_no_delete BEFORE DELETE ON disposals
BEGIN SELECT RAISE(ABORT, 'the disposal log is append-only'); END;
