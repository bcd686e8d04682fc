-- 0016: finding a person's last message to kontobot without reading all of their messages. Readable by kontobot 0.11+.

-- Every message sent to a person asks which channel they last wrote from
-- (the home channel). The query (person_id = ? AND direction = 'in',
-- newest first) walked messages_by_person backwards over everything sent
-- to them: an administrator who never writes to kontobot but is told of
-- each public comment made every message cost as much as all the earlier
-- ones (measured: 77% of the inbox worker's time after 60,000 comments,
-- 65 comments processed a second).
CREATE INDEX messages_in_by_person ON messages(person_id, id) WHERE direction = 'in';
