-- Suggestions (合理化建议 and the “五小”) with their routing rules, history and duplicate index;
-- challenges (揭榜挂帅) and their bids; outcomes (创新成果) with contributors and promotions.

-- An enterprise's own scoring sheet, reward ladder and deadlines (JSON of domain::suggestion::Rules);
-- an enterprise without a row uses the defaults of SPEC §3.6.
CREATE TABLE suggestion_rules (
    enterprise_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    rules TEXT NOT NULL,
    updated_by BIGINT REFERENCES accounts (id),
    updated_at BIGINT NOT NULL
);

-- Who evaluates what: the first rule of the enterprise matching the category (NULL: any) and
-- the proposer's unit (inside `from_path`; NULL: anywhere) names a department and, optionally,
-- one evaluator. Without a match a suggestion goes to the enterprise itself.
CREATE TABLE suggestion_routes (
    id @ID@,
    enterprise_id BIGINT NOT NULL REFERENCES org_units (id),
    category TEXT,
    from_path @PATH@,
    to_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    evaluator_account_id BIGINT REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX suggestion_routes_enterprise ON suggestion_routes (enterprise_id, id);

CREATE TABLE suggestions (
    id @ID@,
    enterprise_id BIGINT NOT NULL REFERENCES org_units (id),
    -- The proposer's unit: figures per unit count here.
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    unit_path @PATH@ NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    situation TEXT NOT NULL,
    measure TEXT NOT NULL,
    expected_benefit_yuan BIGINT,
    anonymous BOOLEAN NOT NULL,
    major BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    -- The department that evaluates it (and, optionally, the one person named).
    assigned_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    assigned_path @PATH@ NOT NULL,
    evaluator_account_id BIGINT REFERENCES accounts (id),
    submitted_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    score_technical BIGINT,
    score_economic BIGINT,
    score_scope BIGINT,
    score_practicality BIGINT,
    score_total BIGINT,
    value_yuan BIGINT,
    grade BIGINT,
    excellent BOOLEAN NOT NULL,
    evaluated_on TEXT,
    decision_reason TEXT,
    decided_on TEXT,
    effect TEXT,
    measured_benefit_fen BIGINT,
    implemented_on TEXT,
    reward_fen BIGINT,
    rewarded_on TEXT,
    merged_into BIGINT REFERENCES suggestions (id),
    project_id BIGINT REFERENCES projects (id),
    submitted_by BIGINT NOT NULL REFERENCES accounts (id),
    term_count BIGINT NOT NULL,
    overdue_notified BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX suggestions_unit ON suggestions (unit_path, submitted_on);
CREATE INDEX suggestions_assigned ON suggestions (assigned_path, due_on);
CREATE INDEX suggestions_evaluator ON suggestions (evaluator_account_id, due_on);
CREATE INDEX suggestions_due ON suggestions (due_on, state);

-- Everyone credited with a suggestion, in order (the first is the proposer); a worker without
-- an account is credited by name. `via_merge` names the suggestion a credit came from.
CREATE TABLE suggestion_proposers (
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id),
    position BIGINT NOT NULL,
    person_id BIGINT REFERENCES people (id),
    name TEXT NOT NULL,
    via_merge BIGINT REFERENCES suggestions (id),
    PRIMARY KEY (suggestion_id, position)
) @WITHOUT_ROWID@;
CREATE INDEX suggestion_proposers_person ON suggestion_proposers (person_id, suggestion_id);

-- Every step, as the proposer reads it.
CREATE TABLE suggestion_events (
    id @ID@,
    suggestion_id BIGINT NOT NULL REFERENCES suggestions (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT,
    by_account_id BIGINT REFERENCES accounts (id),
    by_name TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX suggestion_events_suggestion ON suggestion_events (suggestion_id, id);

-- Character-pair terms of each suggestion's title, per enterprise: the postings behind
-- "likely duplicates".
CREATE TABLE suggestion_terms (
    enterprise_id BIGINT NOT NULL,
    term TEXT NOT NULL,
    suggestion_id BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, term, suggestion_id)
) @WITHOUT_ROWID@;

CREATE TABLE challenges (
    id @ID@,
    -- The posting unit (an enterprise or a union).
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    unit_path @PATH@ NOT NULL,
    -- Studios inside this subtree may bid.
    scope_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    scope_path @PATH@ NOT NULL,
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    requirements TEXT,
    deadline TEXT NOT NULL,
    reward_yuan BIGINT,
    state TEXT NOT NULL,
    project_id BIGINT REFERENCES projects (id),
    decision_note TEXT,
    decided_by BIGINT REFERENCES accounts (id),
    decided_at BIGINT,
    posted_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX challenges_unit ON challenges (unit_path, id);
CREATE INDEX challenges_scope ON challenges (scope_path, id);

CREATE TABLE challenge_bids (
    id @ID@,
    challenge_id BIGINT NOT NULL REFERENCES challenges (id),
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    plan TEXT NOT NULL,
    state TEXT NOT NULL,
    submitted_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX challenge_bids_studio ON challenge_bids (challenge_id, studio_id);

CREATE TABLE challenge_bid_members (
    bid_id BIGINT NOT NULL REFERENCES challenge_bids (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (bid_id, person_id)
) @WITHOUT_ROWID@;

CREATE TABLE outcomes (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    project_id BIGINT REFERENCES projects (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    achieved_on TEXT NOT NULL,
    points TEXT,
    number TEXT,
    level TEXT,
    grade TEXT,
    appraisal TEXT,
    projected_benefit_yuan BIGINT,
    actual_benefit_yuan BIGINT,
    benefit_method TEXT,
    benefit_verified_by BIGINT REFERENCES accounts (id),
    benefit_verified_at BIGINT,
    -- The earliest day it was applied elsewhere (from its promotions).
    applied_since TEXT,
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A certificate or patent number is registered once per type.
CREATE UNIQUE INDEX outcomes_number ON outcomes (kind, number);
CREATE INDEX outcomes_unit ON outcomes (unit_path, achieved_on);
CREATE INDEX outcomes_studio ON outcomes (studio_id, achieved_on);
CREATE INDEX outcomes_project ON outcomes (project_id);

CREATE TABLE outcome_contributors (
    outcome_id BIGINT NOT NULL REFERENCES outcomes (id),
    position BIGINT NOT NULL,
    person_id BIGINT REFERENCES people (id),
    name TEXT NOT NULL,
    PRIMARY KEY (outcome_id, position)
) @WITHOUT_ROWID@;
CREATE INDEX outcome_contributors_person ON outcome_contributors (person_id);

CREATE TABLE outcome_promotions (
    id @ID@,
    outcome_id BIGINT NOT NULL REFERENCES outcomes (id),
    unit_name TEXT NOT NULL,
    since TEXT NOT NULL,
    note TEXT,
    created_by BIGINT REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX outcome_promotions_outcome ON outcome_promotions (outcome_id, id);

-- The headline figures count projects, trainees and outcomes of a subtree and period.
CREATE INDEX projects_unit_approved ON projects (unit_path, approved_on);
CREATE INDEX activities_unit_held ON activities (unit_path, held_on);
