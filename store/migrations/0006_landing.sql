-- 0006: the landing file's mark. Readable by kontobot 0.6+.

-- Platform events are first stored in the landing file beside this database
-- ("<db>-inbound", see store/landing.h), which has a connection and a lock
-- of its own, so an acknowledgement never waits for a transaction here. The
-- inbound queue's worker moves them into inbound_queue and sets
-- moved_through, the last landing id it moved, in the same transaction:
-- an event is moved exactly once, whenever the process stops.
CREATE TABLE inbound_landing (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  moved_through  INTEGER NOT NULL
) STRICT;
INSERT INTO inbound_landing(id, moved_through) VALUES (1, 0);
