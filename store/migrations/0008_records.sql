-- 0008: diary numbers (diarienummer) of cases and the release log of public records. Readable by kontobot 0.7+.

-- A case's registration in the organisation's diary (OSL 5 kap. 1 §): its
-- diarienummer and the date it was registered, set by the information
-- function. Changing it overwrites the row; the audit trail keeps the old
-- value ('diary.set').
CREATE TABLE case_diary (
  registration_id  INTEGER PRIMARY KEY REFERENCES registrations(id),
  diarienummer     TEXT NOT NULL CHECK (length(diarienummer) BETWEEN 1 AND 100),
  registered_on    TEXT NOT NULL,   -- local calendar date, YYYY-MM-DD
  set_by           TEXT NOT NULL,   -- person id
  set_at           TEXT NOT NULL
) STRICT;

-- Every release (utlämnande) of a case's records: who released what to
-- whom, when, which version, and the SHA-256 of each file handed out. A
-- record in itself, so append-only.
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
