-- The annual evaluation (年度考核, SPEC §3.11) and dynamic management (动态管理): the scoring
-- templates unions set, each studio's evaluation of a year, the runs that compute them, and
-- the cases that follow (风险提示/整改, 摘牌建议, 领衔人变更, 注销).

-- A union's scoring template (考核细则): it applies to the studios of its subtree unless a
-- nearer union has its own; without any, the published default sheet applies.
CREATE TABLE evaluation_templates (
    unit_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    unit_path @PATH@ NOT NULL,
    -- domain::evaluation::Template as JSON (items, thresholds).
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES accounts (id),
    updated_at BIGINT NOT NULL
);

-- One studio's evaluation of one year.
CREATE TABLE evaluations (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    year BIGINT NOT NULL,
    -- The unit whose template scored it (NULL: the default sheet).
    template_unit_id BIGINT REFERENCES org_units (id),
    -- open | confirmed
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    -- excellent | qualified | failed
    grade TEXT NOT NULL,
    -- The thresholds of the template it was scored with.
    excellent BIGINT NOT NULL,
    qualified BIGINT NOT NULL,
    -- Each item as scored: JSON [{code, title, group, kind, metric, max_points, target, step,
    -- value, points, missing, deduction, judged_by, judged_by_name, judged_at, reason}].
    items TEXT NOT NULL,
    computed_at BIGINT NOT NULL,
    confirmed_by BIGINT REFERENCES accounts (id),
    confirmed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX evaluations_studio_year ON evaluations (studio_id, year);
CREATE INDEX evaluations_tree ON evaluations (year, unit_path, id);

-- A run computing a year's evaluations for a unit's subtree, polled by its page.
CREATE TABLE evaluation_runs (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    unit_path @PATH@ NOT NULL,
    year BIGINT NOT NULL,
    -- running | done | failed
    state TEXT NOT NULL,
    done BIGINT NOT NULL,
    total BIGINT NOT NULL,
    error TEXT,
    started_by BIGINT REFERENCES accounts (id),
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX evaluation_runs_unit ON evaluation_runs (unit_id, id);

-- A case of dynamic management about one studio.
CREATE TABLE studio_cases (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    -- warning | revocation | leader_change | cancellation
    kind TEXT NOT NULL,
    -- open | passed | failed | approved | rejected
    state TEXT NOT NULL,
    -- The failed year behind a warning or a revocation proposal.
    year BIGINT,
    evaluation_id BIGINT REFERENCES evaluations (id),
    -- A warning's rectification deadline, and the last due day its reminder was sent for.
    rectify_by TEXT,
    reminded_on TEXT,
    reason TEXT NOT NULL,
    -- A leader change: the leader leaving and the one coming.
    old_leader_person_id BIGINT REFERENCES people (id),
    new_leader_person_id BIGINT REFERENCES people (id),
    -- The warning whose failed re-check led to this proposal.
    follows_id BIGINT REFERENCES studio_cases (id),
    opened_by BIGINT REFERENCES accounts (id),
    opened_on TEXT NOT NULL,
    decided_by BIGINT REFERENCES accounts (id),
    decided_on TEXT,
    decision_note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX studio_cases_tree ON studio_cases (unit_path, id);
CREATE INDEX studio_cases_studio ON studio_cases (studio_id, id);
CREATE INDEX studio_cases_due ON studio_cases (rectify_by) WHERE state = 'open' AND kind = 'warning';
