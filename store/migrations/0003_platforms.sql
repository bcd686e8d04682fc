-- 0003: chat platforms: inbound de-duplication, the outbox, DM channels, platform message ids. Readable by kontobot 0.3+.

-- Every inbound platform event we acknowledged, so a retry is processed once.
CREATE TABLE inbound_events (
  platform     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  PRIMARY KEY (platform, event_id)
) STRICT;

-- Calls to platform APIs, written in the same transaction as the change that
-- caused them and delivered by a background sender, in order per `lane`
-- (a person or channel).
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

-- Where a person is reached on a platform (a Slack DM channel id).
CREATE TABLE platform_channels (
  platform   TEXT NOT NULL,
  person_id  TEXT NOT NULL,
  channel    TEXT NOT NULL,
  PRIMARY KEY (platform, person_id)
) STRICT;

-- Our message as the platform knows it (Slack channel + ts), for updates.
CREATE TABLE platform_messages (
  message_id  INTEGER NOT NULL REFERENCES messages(id),
  platform    TEXT NOT NULL,
  channel     TEXT NOT NULL,
  ref         TEXT NOT NULL,
  PRIMARY KEY (message_id, platform)
) STRICT;

-- Finding the next feed position must not scan every message.
CREATE INDEX messages_by_seq ON messages(seq);
