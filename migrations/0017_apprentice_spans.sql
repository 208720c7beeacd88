-- For every unit above a studio (the studio's own included), the stretches of time in which a
-- person was an apprentice under at least one agreement in force in that unit's subtree:
-- "apprentices under agreement" are distinct people, as members are (member_spans). Filled
-- and the roll-ups corrected by the figures rebuild that follows this migration.
CREATE TABLE apprentice_spans (
    unit_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    PRIMARY KEY (unit_id, person_id, valid_from)
) @WITHOUT_ROWID@;
CREATE INDEX apprentice_spans_person ON apprentice_spans (person_id);
