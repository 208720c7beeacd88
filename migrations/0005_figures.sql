-- Figures by period: the dated life of studios and teams, real past dates for history entered
-- later, and the roll-ups behind the headline figures of union units. Also the partial indexes
-- that let the deadline sweep find its few candidates without reading every record.

-- The day a step took effect; differs from the day it was entered (`at`) when history is
-- entered later. Filled for existing rows by the step after this file (storage::figures).
ALTER TABLE studio_transitions ADD COLUMN effective_on TEXT;
ALTER TABLE project_transitions ADD COLUMN effective_on TEXT;
-- The day a person was registered: "people on record" is counted as of a day.
ALTER TABLE people ADD COLUMN registered_on TEXT;

-- A studio's life as stretches of time in one level and state, derived from its transitions and
-- namings (domain::figures::studio_spans): "studios named as of a day" is a range query.
CREATE TABLE studio_spans (
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    seq BIGINT NOT NULL,
    unit_path @PATH@ NOT NULL,
    level TEXT NOT NULL,
    state TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    -- The first day it no longer holds; NULL while it still does.
    valid_to TEXT,
    PRIMARY KEY (studio_id, seq)
);
CREATE INDEX studio_spans_unit ON studio_spans (unit_path, studio_id);

-- For every unit above a studio (the studio's own included), the stretches of time in which a
-- person belonged to at least one studio of that unit's subtree: members are distinct people.
CREATE TABLE member_spans (
    unit_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    PRIMARY KEY (unit_id, person_id, valid_from)
) @WITHOUT_ROWID@;
CREATE INDEX member_spans_person ON member_spans (person_id);

-- Sums of every figure of a union unit's subtree by day, month, year and in all (bucket
-- YYYYMMDD, YYYYMM, YYYY, 0), kept in the same transaction as each change.
CREATE TABLE figure_rollups (
    unit_id BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    figure TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (unit_id, bucket, figure)
) @WITHOUT_ROWID@;

CREATE INDEX people_unit_registered ON people (unit_path, registered_on);
CREATE INDEX projects_unit_completed ON projects (unit_path, completed_on);
CREATE INDEX outcomes_unit_applied ON outcomes (unit_path, applied_since);
-- A signed correction takes the place of the record it corrects.
CREATE INDEX activities_corrects ON activities (corrects_id) WHERE corrects_id IS NOT NULL;

-- Likely duplicates: each suggestion's title terms in one row, next to the enterprise's other
-- suggestions — one row written per submission instead of a dozen postings spread over the
-- index (filled from `suggestion_terms` by the step after this file, which then drops it).
CREATE TABLE suggestion_signatures (
    enterprise_id BIGINT NOT NULL,
    suggestion_id BIGINT NOT NULL,
    terms TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, suggestion_id)
) @WITHOUT_ROWID@;

-- A ledger record takes a place in its studio's chain when sealed: unsigned ones hold none.
DROP INDEX activities_chain;
CREATE UNIQUE INDEX activities_chain ON activities (studio_id, seq) WHERE seq IS NOT NULL;

-- Who decides for a unit (the administrators over it), found by unit, not by reading every grant.
CREATE INDEX role_grants_unit ON role_grants (unit_id, role);

-- The sweep's candidates: open evaluations not yet reported late, running projects not yet
-- reported red. Queries repeat these conditions literally so that both databases use them.
CREATE INDEX suggestions_overdue_todo ON suggestions (due_on)
    WHERE overdue_notified = FALSE AND state IN ('assigned', 'evaluated');
CREATE INDEX projects_red_todo ON projects (next_due)
    WHERE red_notified = FALSE AND next_due IS NOT NULL;
