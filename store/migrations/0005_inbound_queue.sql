-- 0005: the inbound queue (platform events acknowledged once stored, processed behind the acknowledgement) and platform users found by e-mail. Readable by kontobot 0.5+.

-- A verified platform event, written in the same transaction as its
-- inbound_events row and acknowledged only after that commit is durable.
-- The background worker deletes the row in the same transaction as the
-- event's effects, so each acknowledged event takes effect exactly once,
-- across restarts. `waiting_for` parks an event until something it needs
-- has arrived ('user:U123': a users.info lookup), or 'failed' if processing
-- it threw (last_error says why); '' means ready.
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

-- What a platform told us about a user the directory does not name by
-- account id (Slack users.info): their e-mail address, lower case, '' if
-- the platform had none or does not know the user. The directory person is
-- found by that address each time, so a directory change takes effect
-- without a new lookup.
CREATE TABLE platform_users (
  platform      TEXT NOT NULL,
  account       TEXT NOT NULL,
  email         TEXT NOT NULL,
  looked_up_at  TEXT NOT NULL,
  PRIMARY KEY (platform, account)
) STRICT;
CREATE INDEX platform_users_by_email ON platform_users(platform, email);
