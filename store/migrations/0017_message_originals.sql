-- 0017: the chat platforms' events as they arrived, kept with the message each became; and the disposals (gallring) of them. Readable by kontobot 0.12+.

-- A message a person wrote or a button they pressed on a chat platform,
-- as the platform delivered it: Slack's request body byte for byte with
-- the signature headers that make it verifiable; a Matrix event or a
-- Mattermost post as the JSON object it arrived as. The conversation
-- (messages) is the readable record; this is its original, which an
-- archive package carries. Never kept for a text that looked like a
-- password (bot/answers.h). Removed only by a recorded disposal.
CREATE TABLE message_originals (
  message_id    INTEGER PRIMARY KEY REFERENCES messages(id),
  platform      TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  headers       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(headers)),
  body          TEXT NOT NULL
) STRICT;
CREATE INDEX message_originals_by_time ON message_originals(received_at);

-- A disposal: what was removed, under which decision, by whom, when. The
-- row is written in the transaction that removes, before it does.
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
