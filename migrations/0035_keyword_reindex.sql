-- The keyword index is indexed again in the background, a few milliseconds of the writer at a
-- time, rather than inside a migration: migration 34 indexed the national set's 20 million
-- titles in one transaction and held the start of the server for more than 40 minutes. One row
-- per kind still to do (`keywords::reindex_slice`, run by the server after it starts): while
-- `filling`, the titles with ids in (after_id, until_id] are still to be written into the new
-- table beside the one searched; `dropping`, the new table took the old one's place and the old
-- one is being emptied. `schedule_reindex`, run after this file, schedules every title written
-- so far (for migration 34's new terms).
CREATE TABLE keyword_reindex (
    kind TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    after_id BIGINT NOT NULL,
    until_id BIGINT NOT NULL
);
