-- 0014: the social inbox: accounts' page ids and the items that arrive for them. Readable by kontobot 0.10+.

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
