-- Application rounds (申报批次, SPEC §3.1): a union unit opens a round; studios apply, the level
-- below recommends, experts score, the union decides, the notice runs and the naming is
-- announced. The studio's own state, transitions and namings stay in `studios`,
-- `studio_transitions` and `studio_namings`: an application moves them through the life cycle.
CREATE TABLE rounds (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    -- The opening union unit's path: the round is seen from above and from below it.
    unit_path @PATH@ NOT NULL,
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    year BIGINT NOT NULL,
    -- The last day an application is accepted.
    deadline TEXT NOT NULL,
    -- JSON: {"leader_honour": tier, "years_running": n, …}, each optional.
    conditions TEXT NOT NULL,
    -- JSON: [{"name": text, "max_points": n}].
    criteria TEXT NOT NULL,
    -- mean | trimmed_mean
    combine TEXT NOT NULL,
    -- Reviewers whose sheets are needed before a combined score exists.
    min_reviewers BIGINT NOT NULL,
    opened_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX rounds_tree ON rounds (unit_path, deadline);
CREATE INDEX rounds_unit ON rounds (unit_id, deadline);

-- The experts chosen on a round (accounts holding the reviewer role).
CREATE TABLE round_reviewers (
    id @ID@,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id)
);
CREATE UNIQUE INDEX round_reviewers_pair ON round_reviewers (round_id, account_id);
CREATE INDEX round_reviewers_account ON round_reviewers (account_id, round_id);

-- One studio's application to a round.
CREATE TABLE round_applications (
    id @ID@,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    -- The studio's unit path (who may read the application follows the studio too).
    unit_path @PATH@ NOT NULL,
    -- submitted | reviewing | not_recommended | notice | declined | named
    state TEXT NOT NULL,
    statement TEXT,
    submitted_by BIGINT NOT NULL REFERENCES accounts (id),
    submitted_on TEXT NOT NULL,
    -- The union unit that recommends (NULL: the round's own union passes it on).
    recommend_unit_id BIGINT REFERENCES org_units (id),
    -- 1 recommended, 0 not, NULL not yet.
    recommended BIGINT,
    recommend_reason TEXT,
    recommended_by BIGINT REFERENCES accounts (id),
    recommended_on TEXT,
    decision TEXT,
    decision_reason TEXT,
    decided_by BIGINT REFERENCES accounts (id),
    decided_on TEXT,
    notice_starts_on TEXT,
    notice_ends_on TEXT,
    named_on TEXT,
    certificate_no TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX round_applications_studio ON round_applications (round_id, studio_id);
CREATE INDEX round_applications_tree ON round_applications (unit_path, id);
CREATE INDEX round_applications_of_studio ON round_applications (studio_id, id);

-- A reviewer's score sheet on an application: one row per reviewer, revisable until the
-- union decides.
CREATE TABLE round_sheets (
    id @ID@,
    application_id BIGINT NOT NULL REFERENCES round_applications (id),
    reviewer_id BIGINT NOT NULL REFERENCES accounts (id),
    -- JSON: [{"points": n, "comment": text}], one per criterion in order.
    marks TEXT NOT NULL,
    total BIGINT NOT NULL,
    scored_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX round_sheets_pair ON round_sheets (application_id, reviewer_id);
CREATE INDEX round_sheets_reviewer ON round_sheets (reviewer_id, application_id);

-- A conflict of interest a reviewer declared (申明回避).
CREATE TABLE round_conflicts (
    id @ID@,
    application_id BIGINT NOT NULL REFERENCES round_applications (id),
    reviewer_id BIGINT NOT NULL REFERENCES accounts (id),
    reason TEXT,
    declared_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX round_conflicts_pair ON round_conflicts (application_id, reviewer_id);
CREATE INDEX round_conflicts_reviewer ON round_conflicts (reviewer_id, application_id);

-- Objections raised during the public notice (公示异议).
CREATE TABLE round_objections (
    id @ID@,
    application_id BIGINT NOT NULL REFERENCES round_applications (id),
    raised_by BIGINT NOT NULL REFERENCES accounts (id),
    -- Who raised it, when an administrator records it on their behalf.
    on_behalf_of TEXT,
    body TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    -- 1 upheld (the application is declined), NULL not ruled.
    upheld BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX round_objections_of ON round_objections (application_id, id);
