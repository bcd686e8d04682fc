-- 0001: people seen, sessions, drafts, registrations, messages, audit. Readable by kontobot 0.1+.
CREATE TABLE persons (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  org         TEXT NOT NULL,
  first_seen  TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
  person_id     TEXT PRIMARY KEY REFERENCES persons(id),
  lang          TEXT NOT NULL CHECK (lang IN ('sv', 'en')),
  active_draft  INTEGER,
  pending       TEXT NOT NULL DEFAULT '',
  updated_at    TEXT NOT NULL
) STRICT;

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

-- A submitted registration: the answers as they were at submission.
CREATE TABLE registrations (
  id                INTEGER PRIMARY KEY REFERENCES drafts(id),
  person_id         TEXT NOT NULL REFERENCES persons(id),
  org               TEXT NOT NULL,
  template_id       TEXT NOT NULL,
  template_version  INTEGER NOT NULL,
  answers           TEXT NOT NULL CHECK (json_valid(answers)),
  status            TEXT NOT NULL,
  submitted_at      TEXT NOT NULL
) STRICT;

-- Every message in and out, per person and channel: the conversation record.
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
  edited_at   TEXT
) STRICT;
CREATE INDEX messages_by_person ON messages(person_id, id);
CREATE INDEX messages_by_draft ON messages(draft_id) WHERE draft_id IS NOT NULL;

CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN SELECT RAISE(ABORT, 'messages are a public record and cannot be deleted'); END;

-- The audit trail: append-only.
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
