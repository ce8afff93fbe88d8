-- 021: the model is FollowTheMoney's schema YAML (reference/ftm/schema) with
-- Chokepoint's beside it (reference/schema). Two names Chokepoint used otherwise
-- than FtM move to the names that mean what they held:
-- - Chokepoint's e-mail address node was called `Email`, which in FtM is a message:
--   it is now `EmailAddress` (FtM's Email could not be stored before this migration,
--   so every `Email` here is an address).
-- - A user account's phone number was `phone`; FtM calls it `number`.
UPDATE entities SET schema = 'EmailAddress' WHERE schema = 'Email';
UPDATE presence SET schema = 'EmailAddress' WHERE schema = 'Email';
UPDATE statements SET schema = 'EmailAddress' WHERE schema = 'Email';
UPDATE statements SET prop = 'number' WHERE schema = 'UserAccount' AND prop = 'phone';

-- An entity only referred to (a reference to an entity the file did not hold, kept as
-- FtM allows) is present in the referring record with no values: a stub. Exports of
-- entities leave out what the reader knows only as stubs: there is nothing to say.
ALTER TABLE presence ADD COLUMN stub boolean NOT NULL DEFAULT false;
