-- 0013: changes of a running account (administrators, login holder and address, register facts) and the account entry's version. Readable by kontobot 0.10+.

-- The account entry is changed in place by a change confirmed in chat; its
-- version goes up by one each time, and a change is written only over the
-- version it was computed from (compare-and-set), so two changes confirmed
-- at once end in one consistent entry. The login address and its holder
-- (never a password) are internal, like the administrators; '' / '{}' until
-- first changed (the registration's answers hold the first ones).
ALTER TABLE accounts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN login_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN login_holder TEXT NOT NULL DEFAULT '{}';

-- A change asked for in chat: applied at once, or awaiting the new
-- administrators' acceptance where the template asks for it (Dalarna);
-- declined by them, or refused when it no longer fits the account (below
-- the minimum of administrators after another change). Each change of
-- state is also in the audit trail and the account's history.
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
