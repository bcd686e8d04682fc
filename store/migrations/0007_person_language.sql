-- 0007: the language each person chose, kept with the person. Readable by kontobot 0.7+.

-- Everything kontobot sends a person is in this language, whoever caused
-- it (an approval, a reminder, a copy), and the web chat opens in it. NULL:
-- never chosen, so the directory's language (or Swedish) applies.
ALTER TABLE persons ADD COLUMN lang TEXT CHECK (lang IS NULL OR lang IN ('sv', 'en'));

-- Until now the choice lived only in the person's session, where their own
-- conversation read it: keep it.
UPDATE persons SET lang = (SELECT s.lang FROM sessions s WHERE s.person_id = persons.id)
WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.person_id = persons.id);
