-- The seal format of each signed ledger record: NULL for records signed in format 1, which
-- did not cover the attendee count, the time of entry or the photos' names.
ALTER TABLE activities ADD COLUMN seal_format BIGINT;
