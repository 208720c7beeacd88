-- Annual plans, projects with milestones, progress and extensions, the signed activity ledger,
-- and in-app notifications.

CREATE TABLE annual_plans (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    year BIGINT NOT NULL,
    unit_path @PATH@ NOT NULL,
    state TEXT NOT NULL,
    projects_started BIGINT NOT NULL,
    projects_finished BIGINT NOT NULL,
    challenges BIGINT NOT NULL,
    apprentices BIGINT NOT NULL,
    training_sessions BIGINT NOT NULL,
    trainees BIGINT NOT NULL,
    exchanges BIGINT NOT NULL,
    outcomes BIGINT NOT NULL,
    budget_yuan BIGINT NOT NULL,
    note TEXT,
    return_reason TEXT,
    submitted_by BIGINT REFERENCES accounts (id),
    submitted_at BIGINT,
    agreed_by BIGINT REFERENCES accounts (id),
    agreed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX annual_plans_studio_year ON annual_plans (studio_id, year);
CREATE INDEX annual_plans_state ON annual_plans (state, unit_path);

CREATE TABLE projects (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    number TEXT,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    source_id BIGINT,
    problem TEXT,
    goal TEXT,
    leader_person_id BIGINT REFERENCES people (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    original_ends_on TEXT NOT NULL,
    budget_yuan BIGINT,
    expected_benefit_yuan BIGINT,
    achieved_benefit_fen BIGINT,
    state TEXT NOT NULL,
    approved_on TEXT,
    completed_on TEXT,
    acceptance_conclusion TEXT,
    acceptance_record TEXT,
    -- The earliest open deadline while the project runs (milestones and planned end): the
    -- traffic light compares it with today.
    next_due TEXT,
    red_notified BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_unit ON projects (unit_path, id);
CREATE INDEX projects_unit_due ON projects (unit_path, next_due);
CREATE INDEX projects_due ON projects (next_due);
CREATE INDEX projects_studio ON projects (studio_id, id);
CREATE UNIQUE INDEX projects_number ON projects (number);

CREATE TABLE project_members (
    project_id BIGINT NOT NULL REFERENCES projects (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    duty TEXT,
    PRIMARY KEY (project_id, person_id)
) @WITHOUT_ROWID@;
CREATE INDEX project_members_person ON project_members (person_id);

CREATE TABLE milestones (
    id @ID@,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    original_due_on TEXT NOT NULL,
    done_on TEXT,
    note TEXT,
    due_notified BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX milestones_project ON milestones (project_id, due_on);
CREATE INDEX milestones_open ON milestones (due_on) WHERE done_on IS NULL;

CREATE TABLE project_updates (
    id @ID@,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    body TEXT NOT NULL,
    author_account_id BIGINT REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX project_updates_project ON project_updates (project_id, id);

CREATE TABLE extension_requests (
    id @ID@,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    milestone_id BIGINT REFERENCES milestones (id),
    old_date TEXT NOT NULL,
    new_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by BIGINT REFERENCES accounts (id),
    requested_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES accounts (id),
    decided_at BIGINT,
    decision_note TEXT
);
CREATE INDEX extension_requests_project ON extension_requests (project_id, id);

CREATE TABLE project_transitions (
    id @ID@,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    actor_account_id BIGINT REFERENCES accounts (id),
    at BIGINT NOT NULL
);
CREATE INDEX project_transitions_project ON project_transitions (project_id, id);

CREATE TABLE activities (
    id @ID@,
    studio_id BIGINT NOT NULL REFERENCES studios (id),
    unit_path @PATH@ NOT NULL,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    place TEXT,
    host_person_id BIGINT REFERENCES people (id),
    title TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    attendees TEXT NOT NULL,
    attendee_count BIGINT NOT NULL,
    trainees BIGINT,
    summary TEXT NOT NULL,
    results TEXT,
    corrects_id BIGINT REFERENCES activities (id),
    state TEXT NOT NULL,
    recorded_by BIGINT REFERENCES accounts (id),
    host_signed_by BIGINT REFERENCES accounts (id),
    host_signed_at BIGINT,
    host_signature TEXT,
    leader_signed_by BIGINT REFERENCES accounts (id),
    leader_signed_at BIGINT,
    seq BIGINT,
    content_hash TEXT,
    prev_hash TEXT,
    seal TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX activities_studio ON activities (studio_id, held_on, id);
CREATE UNIQUE INDEX activities_chain ON activities (studio_id, seq);
CREATE INDEX activities_host ON activities (host_person_id, state);

-- How far each studio's signed chain reaches, to notice a deleted last record.
CREATE TABLE ledger_heads (
    studio_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    seal TEXT NOT NULL
);

CREATE TABLE notifications (
    id @ID@,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_unread ON notifications (account_id, read_at);
