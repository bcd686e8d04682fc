-- 0010: a random marker per message, told apart from every other installation's. Readable by kontobot 0.7+.

-- Our Slack posts carry their message in each block_id, so that a post
-- whose answer was lost can be found in the DM's history instead of being
-- posted again. The id alone ("kb:43") is not enough: a fresh database, or
-- one restored from a backup, numbers its messages again from where it
-- starts, and took another database's "kb:43" in the same DM for its own
-- (never posting its own message, and later editing the other one). New
-- messages get 64 random bits (SQLite's randomblob, seeded from the
-- operating system in every process), so a marker is never met again, also
-- after a restore. Messages written before this migration keep '' and the
-- old form of block_id they were posted with.
ALTER TABLE messages ADD COLUMN marker TEXT NOT NULL DEFAULT '';
